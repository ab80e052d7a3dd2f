#!/bin/sh
# Turn `nm -n` output of the hypervisor into an assembly symbol table for
# hv/core/symbols.c. With no input symbols it emits an empty table.
# Usage: gensyms.sh < nm-output > symbols.S
awk '
BEGIN { n = 0 }
$2 ~ /^[tTwW]$/ && $3 !~ /^\./ { addr[n] = $1; name[n] = $3; n++ }
END {
	print "\t.section .symbols, \"a\""
	print "\t.balign 8"
	print "\t.globl symtab_count, symtab_addrs, symtab_name_offs, symtab_names"
	print "symtab_count:\n\t.quad " n
	print "symtab_addrs:"
	for (i = 0; i < n; i++) print "\t.quad 0x" addr[i]
	print "symtab_name_offs:"
	off = 0
	for (i = 0; i < n; i++) { print "\t.long " off; off += length(name[i]) + 1 }
	print "symtab_names:"
	for (i = 0; i < n; i++) print "\t.asciz \"" name[i] "\""
}'
