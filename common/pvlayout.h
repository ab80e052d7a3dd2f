/*
 * The start-of-day memory layout of a 64-bit PV domain, computed as Xen's
 * domain builder does (see ../shared/xen-pv-abi.md, 2.3): one virtual
 * region from virt_base mapping pseudo-physical frames 1:1, holding in
 * order the kernel, a mapped initrd, the p2m list, start_info, the
 * xenstore and console pages, the boot page tables and the boot stack,
 * padded to 4 MiB; then an unmapped initrd and, with INIT_P2M, the p2m
 * list at its own address with its own page tables.
 *
 * Pure code shared by the hypervisor's builder and domain 0's.
 */
#ifndef XENOLITH_PVLAYOUT_H
#define XENOLITH_PVLAYOUT_H

#include "xenelf.h"

struct pv_layout {
	uint64_t virt_base;
	uint64_t nr_pages;        /* the domain's memory, in frames */
	uint64_t kernel_pfn, kernel_pages;
	uint64_t initrd_pfn, initrd_pages;
	bool initrd_mapped;       /* inside the region (no MOD_START_PFN) */
	uint64_t p2m_pfn, p2m_pages;
	uint64_t p2m_va;          /* where the guest sees the p2m list */
	bool p2m_separate;        /* INIT_P2M: own mapping outside the region */
	uint64_t start_info_pfn, xenstore_pfn, console_pfn;
	uint64_t pt_pfn, nr_pt_frames; /* region tables: L4, L3s, L2s, L1s */
	uint64_t p2m_pt_pfn, nr_p2m_pt_frames; /* INIT_P2M tables */
	uint64_t stack_pfn;
	uint64_t v_end;           /* end of the initial mapping */
	uint64_t pages_used;      /* frames the layout needs in all */
};

/* Tables needed at each level to map [start, end). */
struct pt_count {
	uint64_t l3, l2, l1;
};
void pvlayout_count_tables(uint64_t start, uint64_t end, bool own_l3,
			   struct pt_count *c);

/*
 * Compute the layout. Returns 0, or -ENOMEM when nr_pages cannot hold it
 * (err says how much is needed), -EINVAL for an unusable image layout.
 */
int pvlayout_compute(const struct xenelf_info *elf, uint64_t nr_pages,
		     uint64_t initrd_len, struct pv_layout *l, char *err,
		     size_t errlen);

/*
 * Build the initial page tables. pt(ctx, pfn) returns a pointer to the
 * 512-entry table in frame pfn (already zeroed); p2m[pfn] is the MFN of
 * each frame. hv_l4 (512 entries) supplies the hypervisor's slots 256-271;
 * NULL leaves them empty (validation fills them in).
 * Page-table frames are mapped read-only, as the ABI requires.
 */
typedef uint64_t *(*pvlayout_table_fn)(void *ctx, uint64_t pfn);
void pvlayout_build_tables(const struct pv_layout *l, const uint64_t *p2m,
			   pvlayout_table_fn pt, void *ctx,
			   const uint64_t *hv_l4);

#endif
