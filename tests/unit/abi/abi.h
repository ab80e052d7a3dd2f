/*
 * The ABI conformance test's tables. abi_list.h names everything our
 * include/xen headers define; abi_gen.h turns that list into a table of
 * measured values. abi_ours.c builds the table against our headers,
 * abi_xen.c against Xen's public headers (libxen-dev), and test_abi.c
 * compares the two entry by entry. Both tables come from the same list, so
 * entry i of one measures the same thing as entry i of the other.
 */
#ifndef XENOLITH_UNIT_ABI_H
#define XENOLITH_UNIT_ABI_H

enum abi_kind {
	ABI_K_GROUP,     /* a heading: name is the group's title */
	ABI_K_VALUE,     /* value was computed at compile time */
	ABI_K_EXPR,      /* fn() computes the value at run time */
	ABI_K_OURS_ONLY, /* a constant Xen's headers lack; not compared */
};

struct abi_entry {
	enum abi_kind kind;
	const char *name; /* what was measured, e.g. "offsetof(T, f)" */
	unsigned long long value;
	unsigned long long (*fn)(void); /* ABI_K_EXPR */
	const char *text; /* ABI_K_OURS_ONLY: the macro's expansion, as text */
	const char *note; /* ABI_K_OURS_ONLY: why Xen has no such name */
};

extern const struct abi_entry abi_ours[];
extern const unsigned int abi_ours_count;

extern const struct abi_entry abi_xen[];
extern const unsigned int abi_xen_count;
/* 0 if Xen's headers (/usr/include/xen/xen.h) were missing at build time. */
extern const int abi_xen_present;

#endif
