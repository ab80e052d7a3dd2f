/*
 * Host shim for hv/include/page.h: the real entry bits and prototypes, but
 * machine memory is the fake one of hv_fake.c, so __va(pa) points into
 * hv_fake_mem (and a pa outside it is a bug).
 */
#ifndef XENOLITH_SHIM_PAGE_H
#define XENOLITH_SHIM_PAGE_H

/*
 * The shim lock before any real header's. <>: found through -Ishim, so
 * that #include_next finds the real header.
 */
#include <spinlock.h>

#define __va real___va
#define __pa real___pa
#include_next <page.h>
#undef __va
#undef __pa

extern u8 *hv_fake_mem;
extern u64 hv_fake_mem_bytes;

static inline void *__va(paddr_t pa)
{
	if (pa >= hv_fake_mem_bytes)
		panic("shim: __va(%#lx) outside fake memory", pa);
	return hv_fake_mem + pa;
}

static inline paddr_t __pa(const void *va)
{
	const u8 *p = va;

	if (p < hv_fake_mem || p >= hv_fake_mem + hv_fake_mem_bytes)
		panic("shim: __pa(%p) outside fake memory", va);
	return p - hv_fake_mem;
}

#endif
