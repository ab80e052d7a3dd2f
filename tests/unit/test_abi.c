/*
 * ABI conformance: our include/xen headers against Xen's public headers
 * (libxen-dev), field by field. abi/abi_list.h names every constant, type,
 * struct and member of ours; abi/abi_ours.c and abi/abi_xen.c measure them
 * (value, sizeof, _Alignof, offsetof, signedness) against each side's
 * headers, and this compares the two tables entry by entry.
 *
 * Without Xen's headers the test fails: it does not skip.
 */
#include <string.h>

#include "abi/abi.h"
#include "test.h"

static unsigned long long entry_value(const struct abi_entry *e)
{
	return e->kind == ABI_K_EXPR ? e->fn() : e->value;
}

int main(void)
{
	unsigned int i, n_values = 0, n_groups = 0, n_ours_only = 0;

	if (!abi_xen_present) {
		printf("\n*** Xen's public headers are missing "
		       "(/usr/include/xen/xen.h): install libxen-dev, e.g. "
		       "with tools/install-deps.sh. The ABI cannot be checked. "
		       "***\n\n");
		CHECK(abi_xen_present, "libxen-dev headers missing");
		return test_summary("test_abi");
	}

	CHECK(abi_ours_count == abi_xen_count, "tables differ in length: %u vs %u",
	      abi_ours_count, abi_xen_count);
	if (abi_ours_count != abi_xen_count)
		return test_summary("test_abi");

	for (i = 0; i < abi_ours_count; i++) {
		const struct abi_entry *o = &abi_ours[i], *x = &abi_xen[i];

		/* Both tables come from one list; this only guards that. */
		if (o->kind != x->kind || strcmp(o->name, x->name) != 0) {
			CHECK(0, "tables out of step at entry %u: %s vs %s", i,
			      o->name, x->name);
			break;
		}

		switch (o->kind) {
		case ABI_K_GROUP:
			TEST_GROUP(o->name);
			n_groups++;
			break;
		case ABI_K_VALUE:
		case ABI_K_EXPR: {
			unsigned long long ov = entry_value(o);
			unsigned long long xv = entry_value(x);

			CHECK(ov == xv, "%s: ours %#llx (%llu), Xen %#llx (%llu)",
			      o->name, ov, ov, xv, xv);
			n_values++;
			break;
		}
		case ABI_K_OURS_ONLY:
			/*
			 * Xen's side stringified the macro: it comes out as its
			 * own name only if Xen does not define it. If Xen
			 * does, the entry should become an ABI_CONST.
			 */
			CHECK(strcmp(x->text, x->name) == 0,
			      "%s is marked ours-only but Xen defines it (as %s)",
			      x->name, x->text);
			printf("  not in Xen's headers: %s = %llu (%s)\n", o->name,
			       o->value, o->note);
			n_ours_only++;
			break;
		}
	}
	printf("compared %u values in %u groups; %u ours-only names\n",
	       n_values, n_groups, n_ours_only);
	return test_summary("test_abi");
}
