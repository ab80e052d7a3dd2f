/*
 * The M2P table lives in contiguous frames written through the direct map
 * and is mapped read-only, user-accessible, at RO_MPT_VIRT_START (L4 slot
 * 256, which every guest L4 carries) so guests can translate MFNs.
 */
#include "lib.h"
#include "m2p.h"
#include "mm.h"
#include "page.h"

static u64 *m2p;
static u64 m2p_entries;
static mfn_t m2p_mfn;

void m2p_init(void)
{
	u64 bytes = ALIGN_UP(max_mfn * sizeof(u64), MiB(2));
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < bytes)
		order++;
	m2p_mfn = alloc_frames(order);
	if (m2p_mfn == INVALID_MFN)
		panic("no memory for the %lu KiB M2P table", bytes >> 10);
	m2p = __va(m2p_mfn << PAGE_SHIFT);
	m2p_entries = (PAGE_SIZE << order) / sizeof(u64);
	memset(m2p, 0xff, PAGE_SIZE << order);
	if (map_pages(RO_MPT_VIRT_START, m2p_mfn << PAGE_SHIFT,
		      PAGE_SIZE << order,
		      _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX))
		panic("cannot map the M2P table");
	printk("mm: M2P table of %lu entries at %#lx (read-only to guests)\n",
	       m2p_entries, RO_MPT_VIRT_START);
}

void set_gpfn_from_mfn(mfn_t mfn, u64 pfn)
{
	if (mfn < m2p_entries)
		m2p[mfn] = pfn;
}

u64 get_gpfn_from_mfn(mfn_t mfn)
{
	return mfn < m2p_entries ? m2p[mfn] : M2P_INVALID;
}

u64 m2p_nr_entries(void)
{
	return m2p_entries;
}

mfn_t m2p_first_mfn(void)
{
	return m2p_mfn;
}
