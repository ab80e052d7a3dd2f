/*
 * Memory micro-benchmarks (make bench): the cost per PTE of mmu_update
 * batches of 1, 16 and 512, of update_va_mapping, of a write to a page
 * table emulated by the writable-page-table path, of a grant map+unmap
 * and of a 4 KiB grant copy. Each prints "bench: NAME = VALUE UNIT".
 * Every update alternates between two frames, so each one drops and takes
 * references as a real remapping does. The grant benchmarks use a grant
 * of our own (allowed, as on Xen), so this runs alone in any domain.
 *
 * Arguments: id=N, our domain id (default 0).
 */
#include "mmtest.h"

#define BATCH_MAX 512

static struct mmu_update reqs[BATCH_MAX];

static void report(const char *name, uint64_t ns, uint64_t n, const char *unit)
{
	printf("bench: %s = %lu %s\n", name, n ? ns / n : 0, unit);
}

/* n PTEs per batch (scratch pages base..base+n-1), rounds batches. */
static void bench_mmu_update(unsigned int base, unsigned int n,
			     unsigned int rounds, uint64_t x, uint64_t y)
{
	char name[32];
	uint64_t t0 = 0;

	for (unsigned int r = 0; r < rounds + 2; r++) {
		if (r == 2)
			t0 = pv_now(); /* two rounds to warm up */
		for (unsigned int i = 0; i < n; i++) {
			reqs[i].ptr = mm_pte_ma(base + i);
			reqs[i].val = ((r & 1 ? y : x) << 12) | PTE_PAGE_RO;
		}
		if (HYPERVISOR_mmu_update(reqs, n, NULL, DOMID_SELF))
			pv_panic("mmu_update failed");
	}
	snprintf(name, sizeof(name), "mmu_update_batch_%u", n);
	report(name, pv_now() - t0, (uint64_t)n * rounds, "ns/pte");
}

static void bench_update_va_mapping(unsigned int idx, unsigned int rounds,
				    uint64_t x, uint64_t y)
{
	uint64_t va = (uint64_t)mm_va(idx), t0 = pv_now();

	for (unsigned int r = 0; r < rounds; r++)
		if (HYPERVISOR_update_va_mapping(
			va, ((r & 1 ? y : x) << 12) | PTE_PAGE_RO, UVMF_INVLPG))
			pv_panic("update_va_mapping failed");
	report("update_va_mapping", pv_now() - t0, rounds, "ns/pte");
}

static void bench_ptwr(unsigned int idx, unsigned int rounds, uint64_t x,
		       uint64_t y)
{
	volatile uint64_t *pte = mm_pte(idx);
	uint64_t t0;

	if (HYPERVISOR_vm_assist(VMASST_CMD_enable,
				 VMASST_TYPE_writable_pagetables))
		pv_panic("no writable page tables");
	t0 = pv_now();
	for (unsigned int r = 0; r < rounds; r++)
		*pte = ((r & 1 ? y : x) << 12) | PTE_PAGE_RO;
	report("ptwr_write", pv_now() - t0, rounds, "ns/pte");
	if ((*pte & PTE_ADDR) != (((rounds - 1) & 1 ? y : x) << 12))
		pv_panic("emulated writes did not land");
	HYPERVISOR_vm_assist(VMASST_CMD_disable,
			     VMASST_TYPE_writable_pagetables);
}

static void bench_grants(unsigned int idx, unsigned int rounds, domid_t self,
			 uint64_t frame, uint64_t dst)
{
	uint64_t gframe = 0, t0;
	struct gnttab_setup_table st = { DOMID_SELF, 1, 0, (uint64_t)&gframe };
	struct grant_entry_v1 *gt;
	/* Xen maps by a real domain id only (no DOMID_SELF). */
	struct gnttab_map_grant_ref m = { .flags = GNTMAP_host_map,
					  .ref = 8,
					  .dom = self };
	struct gnttab_unmap_grant_ref u = { 0 };
	struct gnttab_copy c = { .len = 4096, .flags = GNTCOPY_source_gref };

	if (HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1) ||
	    st.status || mm_map(idx, gframe, PTE_PAGE_RW))
		pv_panic("no grant table");
	gt = (struct grant_entry_v1 *)mm_va(idx);
	gt[8].domid = self;
	gt[8].frame = (uint32_t)frame;
	__atomic_store_n(&gt[8].flags, GTF_permit_access, __ATOMIC_RELEASE);

	m.host_addr = (uint64_t)mm_va(idx + 1);
	u.host_addr = m.host_addr;
	t0 = pv_now();
	for (unsigned int r = 0; r < rounds; r++) {
		if (HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &m, 1) ||
		    m.status)
			pv_panic("grant map failed (%d)", m.status);
		u.handle = m.handle;
		if (HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &u,
					      1) ||
		    u.status)
			pv_panic("grant unmap failed (%d)", u.status);
	}
	report("grant_map_unmap", pv_now() - t0, rounds, "ns");

	c.source.u.ref = 8;
	c.source.domid = DOMID_SELF;
	c.dest.u.gmfn = dst;
	c.dest.domid = DOMID_SELF;
	t0 = pv_now();
	for (unsigned int r = 0; r < rounds; r++)
		if (HYPERVISOR_grant_table_op(GNTTABOP_copy, &c, 1) || c.status)
			pv_panic("grant copy failed (%d)", c.status);
	report("grant_copy_4k", pv_now() - t0, rounds, "ns");
}

void pv_main(void)
{
	domid_t self = (domid_t)mm_arg("id", 0);
	unsigned int base;
	uint64_t x, y;

	mm_init(3);
	base = 512; /* scratch L1 1: 512 PTEs of our own */
	mm.next_idx = 1024;
	x = mm_alloc();
	y = mm_alloc();
	bench_mmu_update(base, 1, 20000, x, y);
	bench_mmu_update(base, 16, 2000, x, y);
	bench_mmu_update(base, 512, 100, x, y);
	bench_update_va_mapping(base, 20000, x, y);
	bench_ptwr(base, 20000, x, y);
	bench_grants(mm_alloc_idx(2), 5000, self, x, mm_alloc());
}
