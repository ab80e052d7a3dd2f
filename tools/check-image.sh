#!/bin/sh
# The symbol table must not move code: the text symbols of both links must
# be at the same addresses, or stack traces would name the wrong functions.
set -e
a=$(nm -n "$1" | awk '$2 ~ /^[tT]$/' | md5sum)
b=$(nm -n "$2" | awk '$2 ~ /^[tT]$/' | md5sum)
if [ "$a" != "$b" ]; then
	echo "check-image: text symbols moved between link passes" >&2
	exit 1
fi
