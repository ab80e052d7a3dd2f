#!/bin/sh
# Build a boot bundle: the cpio (newc) archive the hypervisor hands to
# domain 0 as its ramdisk (module 1, after domain 0's kernel).
#   tools/mkbundle.sh OUT.cpio PATH=FILE...
# puts each host FILE into the archive as PATH (e.g.
# boot/tk_guest.elf=build/guests/tk_guest.elf, etc/xen/auto/demo.cfg=...).
# xl.cfg files under etc/xen/auto/ are created by domain 0 at boot.
set -e
[ $# -ge 1 ] || { echo "usage: $0 OUT.cpio PATH=FILE..." >&2; exit 2; }
out=$1
shift
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
list=
for spec in "$@"; do
	path=${spec%%=*}
	file=${spec#*=}
	case "$path" in
	"" | /* | *..*) echo "$0: bad archive path '$path'" >&2; exit 2 ;;
	esac
	[ -f "$file" ] || { echo "$0: $file: no such file" >&2; exit 1; }
	mkdir -p "$stage/$(dirname "$path")"
	cp "$file" "$stage/$path"
	list="$list $path"
done
mkdir -p "$(dirname "$out")"
# Only the files (no directory entries); sorted, so the order is stable.
(cd "$stage" && printf '%s\n' $list | sort | cpio -o -H newc --quiet) \
	> "$out.tmp"
mv "$out.tmp" "$out"
