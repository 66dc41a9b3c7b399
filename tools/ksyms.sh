#!/bin/sh
# Prints an assembly file holding the kernel's function symbols, sorted by
# address, for panic backtraces: ksyms_count, ksyms_addrs[], ksyms_offsets[]
# (into ksyms_names), ksyms_names.
set -e
nm -n --defined-only "$1" | awk 'BEGIN { n = 0 }

NF == 3 && $2 ~ /^[tTwW]$/ && $3 !~ /^(ksyms_|\.L)/ { addr[n] = $1; name[n] = $3; n++ }
END {
	print "\t.section .ksyms, \"a\""
	print "\t.balign 8"
	print "\t.globl ksyms_count, ksyms_addrs, ksyms_offsets, ksyms_names"
	print "ksyms_count:\t.quad " n
	print "ksyms_addrs:"
	for (i = 0; i < n; i++) print "\t.quad 0x" addr[i]
	print "ksyms_offsets:"
	off = 0
	for (i = 0; i < n; i++) { print "\t.long " off; off += length(name[i]) + 1 }
	print "ksyms_names:"
	for (i = 0; i < n; i++) print "\t.asciz \"" name[i] "\""
}'
