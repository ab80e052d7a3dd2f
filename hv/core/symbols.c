/*
 * Symbol lookup for stack traces. The table (sorted text symbols) is
 * generated from the first link of the image and linked in by the second;
 * it sits after all code, so adding it moves no code address.
 */
#include "lib.h"
#include "traps.h"

extern const u64 symtab_count;
extern const u64 symtab_addrs[];
extern const u32 symtab_name_offs[];
extern const char symtab_names[];

const char *symbol_lookup(u64 addr, u64 *offset)
{
	u64 lo = 0, hi = symtab_count;

	if (!hi || addr < symtab_addrs[0])
		return NULL;
	/* Last symbol at or below addr. */
	while (hi - lo > 1) {
		u64 mid = lo + (hi - lo) / 2;
		if (symtab_addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (offset)
		*offset = addr - symtab_addrs[lo];
	return symtab_names + symtab_name_offs[lo];
}
