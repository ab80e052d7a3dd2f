/*
 * Reading and writing guest memory through the guest's own page tables.
 * Every access is range-checked (no hypervisor addresses, no wrap) and
 * fault-tolerant: a bad guest pointer gives -EFAULT, never a crash.
 * The hypervisor must copy arguments in once and work on its copy.
 */
#ifndef XENOLITH_GUEST_ACCESS_H
#define XENOLITH_GUEST_ACCESS_H

#include "errno.h"
#include "layout.h"
#include "types.h"

size_t raw_copy_guest(void *dst, const void *src, size_t n);

/* Guest range [va, va+n) is canonical and outside the hypervisor's. */
static inline bool guest_range_ok(u64 va, size_t n)
{
	u64 end = va + n;

	if (end < va)
		return false;
	if (n == 0)
		return true;
	/* Below the hole, or above the hypervisor's reserved slots. */
	if (end <= 0x0000800000000000UL)
		return true;
	return va >= HV_RESERVED_END;
}

static inline int copy_from_guest(void *dst, u64 src, size_t n)
{
	if (!guest_range_ok(src, n))
		return -EFAULT;
	return raw_copy_guest(dst, (const void *)src, n) ? -EFAULT : 0;
}

static inline int copy_to_guest(u64 dst, const void *src, size_t n)
{
	if (!guest_range_ok(dst, n))
		return -EFAULT;
	return raw_copy_guest((void *)dst, src, n) ? -EFAULT : 0;
}

#define get_guest(var, va) copy_from_guest(&(var), (va), sizeof(var))
#define put_guest(var, va) copy_to_guest((va), &(var), sizeof(var))

#endif
