/*
 * A hostile domain: every way it tries to reach memory it does not own,
 * or to write its page tables behind the hypervisor's back, must fail
 * with Xen's error code (or a page fault), and nothing it does may crash
 * the hypervisor or change the victim (domain 0, mm_victim.c).
 *
 * Arguments: id=N, our domain id (we tell the victim when we are done
 * on the port it offers us, see mmtest.h).
 */
#include "mmtest.h"

#define EPERM 1
#define ENOMEM 12
#define EFAULT 14
#define EBUSY 16
#define EINVAL 22
#define ENOSYS 38

#define MAX_MFNS (1UL << 20)
#define MC_BATCH 256

static uint64_t mine[MAX_MFNS / 64]; /* frames we own */
static uint64_t max_mfn; /* maximum_ram_page */
static uint64_t m2p_mfn; /* first frame of the M2P */
static uint64_t victim_mfn; /* some frame of another domain */
static uint64_t t_idx; /* a scratch page for tests */
static uint64_t frame_a, frame_b; /* data frames with known contents */
static uint64_t gnt_mfn; /* our grant table's frame */
static struct multicall_entry mc[MC_BATCH];
static struct mmu_update mc_req[MC_BATCH];
static uint8_t zeros[4096] __attribute__((aligned(4096)));

static bool is_mine(uint64_t mfn)
{
	return mfn < MAX_MFNS && (mine[mfn / 64] & (1UL << (mfn % 64)));
}

static void set_mine(uint64_t mfn)
{
	if (mfn < MAX_MFNS)
		mine[mfn / 64] |= 1UL << (mfn % 64);
}

static void flush_va(const void *va)
{
	mm_ext(MMUEXT_INVLPG_LOCAL, (uint64_t)va, 0);
}

/* Fill frame mfn with byte c through a temporary writable mapping. */
static void fill_frame(uint64_t mfn, int c)
{
	unsigned int idx = (unsigned int)t_idx + 1;

	if (mm_map(idx, mfn, PTE_PAGE_RW))
		pv_panic("cannot map %#lx", mfn);
	memset(mm_va(idx), c, 4096);
	mm_unmap(idx);
}

/* Write table contents e[0..n) at slots s[] into a fresh, unmapped frame. */
static uint64_t make_table(const unsigned int *slot, const uint64_t *e,
			   unsigned int n)
{
	uint64_t mfn = mm_alloc_zeroed();
	unsigned int idx = (unsigned int)t_idx + 1;

	if (mm_map(idx, mfn, PTE_PAGE_RW))
		pv_panic("cannot map %#lx", mfn);
	for (unsigned int i = 0; i < n; i++)
		mm_va(idx)[slot[i]] = e[i];
	mm_unmap(idx);
	return mfn;
}

static void setup(void)
{
	struct xen_machphys_mapping mp;
	struct {
		unsigned int max_extents, pad;
		uint64_t extent_start;
		unsigned int nr_extents;
	} ml = { 1, 0, (uint64_t)&m2p_mfn, 0 };
	struct gnttab_setup_table st = { DOMID_SELF, 1, 0, (uint64_t)&gnt_mfn };

	mm_init(4);
	t_idx = mm_alloc_idx(8);
	max_mfn = (uint64_t)HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);
	CHECK(max_mfn > 0x1000 && max_mfn < MAX_MFNS, "max_mfn %#lx", max_mfn);
	CHECK_EQ(HYPERVISOR_memory_op(XENMEM_machphys_mapping, &mp), 0);
	CHECK_EQ(mp.v_start, 0xffff800000000000UL);
	CHECK_EQ(HYPERVISOR_memory_op(XENMEM_machphys_mfn_list, &ml), 0);
	CHECK_EQ(ml.nr_extents, 1);
	for (uint64_t pfn = 0; pfn < start_info->nr_pages; pfn++)
		set_mine(pv_p2m[pfn]);
	set_mine(start_info->shared_info >> 12);
	CHECK_EQ(HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1), 0);
	CHECK_EQ(st.status, GNTST_okay);
	set_mine(gnt_mfn);
	/* Another domain's frame: the M2P knows it, our p2m does not. */
	for (uint64_t mfn = 0x100; mfn < max_mfn && !victim_mfn; mfn++)
		if (mm_m2p(mfn) != MM_M2P_INVALID && !is_mine(mfn))
			victim_mfn = mfn;
	CHECK(victim_mfn, "no foreign frame found");
	frame_a = mm_alloc();
	frame_b = mm_alloc();
	fill_frame(frame_a, 'A');
	fill_frame(frame_b, 'B');
	printf("hostile: %lu frames, max_mfn %#lx, victim frame %#lx, M2P at "
	       "%#lx\n",
	       start_info->nr_pages, max_mfn, victim_mfn, m2p_mfn);
}

/* --- Direct writes to page tables ------------------------------------ */

static void direct_writes(void)
{
	volatile uint64_t *pte = mm_pte((unsigned int)t_idx);
	volatile uint64_t *l4 = (volatile uint64_t *)start_info->pt_base;
	uint64_t before, v;

	pv_test_group("direct page-table writes without writable page tables");
	CHECK_EQ(mm_map((unsigned int)t_idx, frame_a, PTE_PAGE_RW), 0);
	before = *pte;
	CHECK_EQ(mm_write64(pte, (frame_b << 12) | PTE_PAGE_RW), 1);
	CHECK_EQ(mm_fault_vec, 14);
	CHECK_EQ(mm_fault_err & (MM_ERR_P | MM_ERR_W), MM_ERR_P | MM_ERR_W);
	CHECK_EQ(mm_fault_addr, (uint64_t)pte);
	CHECK_EQ(*pte, before);
	CHECK_EQ(mm_write64(&l4[1], (frame_b << 12) | PTE_TABLE), 1);
	CHECK_EQ(l4[1], 0);
	/* The M2P is read-only; the hypervisor's own memory is not ours. */
	CHECK_EQ(mm_write64((volatile uint64_t *)&MM_M2P[victim_mfn], 1), 1);
	CHECK_EQ(mm_fault_err & (MM_ERR_P | MM_ERR_W), MM_ERR_P | MM_ERR_W);
	CHECK_EQ(mm_read64((volatile uint64_t *)MM_HV_PTR, &v), 1);
	CHECK_EQ(mm_fault_addr, MM_HV_PTR);
	CHECK_EQ(mm_write64((volatile uint64_t *)MM_HV_PTR, 0), 1);
	CHECK_EQ(mm_read64((volatile uint64_t *)0xffff830000000000UL, &v), 1);
}

/* --- Writable page tables (emulated writes) ----------------------------- */

static void ptwr(void)
{
	unsigned int t = (unsigned int)t_idx;
	volatile uint64_t *pte = mm_pte(t);
	volatile uint64_t *l2 = (volatile uint64_t *)mm_va(mm.nr_l1);
	volatile uint64_t *l4 = (volatile uint64_t *)start_info->pt_base;
	uint64_t v, old, before;

	pv_test_group("writable page tables: valid writes are emulated");
	CHECK_EQ(HYPERVISOR_vm_assist(VMASST_CMD_enable,
				      VMASST_TYPE_writable_pagetables),
		 0);
	CHECK_EQ(mm_map(t, frame_a, PTE_PAGE_RW), 0);
	CHECK_EQ(*(volatile uint8_t *)mm_va(t), 'A');
	/* mov r64 */
	CHECK_EQ(mm_write64(pte, (frame_b << 12) | PTE_PAGE_RW), 0);
	CHECK_EQ(*pte & PTE_ADDR, frame_b << 12);
	CHECK(*pte & PTE_U, "the hypervisor adds _PAGE_USER");
	flush_va(mm_va(t));
	CHECK_EQ(*(volatile uint8_t *)mm_va(t), 'B');
	/* mov $0 */
	CHECK_EQ(mm_write_zero(pte), 0);
	CHECK_EQ(*pte, 0);
	flush_va(mm_va(t));
	CHECK_EQ(mm_read64(mm_va(t), &v), 1);
	CHECK_EQ(mm_fault_err & MM_ERR_P, 0);
	/* xchg */
	v = (frame_a << 12) | PTE_PAGE_RO;
	CHECK_EQ(mm_xchg64(pte, &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(*pte & (PTE_ADDR | PTE_RW | PTE_P), (frame_a << 12) | PTE_P);
	flush_va(mm_va(t));
	CHECK_EQ(*(volatile uint8_t *)mm_va(t), 'A');
	/* lock cmpxchg, failing then succeeding */
	old = 12345;
	CHECK_EQ(mm_cmpxchg64(pte, &old, (frame_b << 12) | PTE_PAGE_RO), 0);
	CHECK_EQ(old, *pte);
	CHECK_EQ(*pte & PTE_ADDR, frame_a << 12);
	CHECK_EQ(mm_cmpxchg64(pte, &old, (frame_b << 12) | PTE_PAGE_RO), 1);
	CHECK_EQ(*pte & PTE_ADDR, frame_b << 12);
	flush_va(mm_va(t));
	CHECK_EQ(*(volatile uint8_t *)mm_va(t), 'B');

	pv_test_group("writable page tables: invalid values are refused (#PF)");
	before = *pte;
	CHECK_EQ(mm_write64(pte, (victim_mfn << 12) | PTE_PAGE_RO), 1);
	CHECK_EQ(mm_fault_addr, (uint64_t)pte);
	CHECK_EQ(mm_write64(pte, (0x200UL << 12) | PTE_PAGE_RO), 1);
	CHECK_EQ(mm_write64(pte, (m2p_mfn << 12) | PTE_PAGE_RO), 1);
	CHECK_EQ(mm_write64(pte, (mm.l1[0] << 12) | PTE_PAGE_RW), 1);
	CHECK_EQ(mm_write64(pte, (mm.l4_mfn << 12) | PTE_PAGE_RW), 1);
	CHECK_EQ(mm_write64(pte, (0xfee00UL << 12) | PTE_PAGE_RW), 1);
	v = (victim_mfn << 12) | PTE_PAGE_RO;
	CHECK_EQ(mm_xchg64(pte, &v), 1);
	old = before;
	CHECK_EQ(mm_cmpxchg64(pte, &old, (victim_mfn << 12) | PTE_PAGE_RO), -1);
	/* A 4-byte store is not a whole entry: never emulated. */
	CHECK_EQ(mm_write32((volatile uint32_t *)pte, PTE_P), 1);
	CHECK_EQ(*pte, before);
	/* Superpages, hypervisor slots, writable self-maps. */
	CHECK_EQ(
	    mm_write64(&l2[100], (frame_a << 12) | PTE_P | PTE_RW | PTE_PSE),
	    1);
	CHECK_EQ(l2[100], 0);
	CHECK_EQ(mm_write64(&l4[256], (frame_a << 12) | PTE_TABLE), 1);
	CHECK_EQ(mm_write64(&l4[270], 0), 1);
	CHECK_EQ(mm_write64(&l4[301], (mm.l4_mfn << 12) | PTE_TABLE), 1);
	CHECK_EQ(l4[301], 0);
	/* As on Xen, only L1 tables are emulated: an L4 write faults. */
	CHECK_EQ(mm_write64(&l4[301], (mm.l4_mfn << 12) | PTE_P | PTE_A), 1);
	CHECK_EQ(l4[301], 0);
	/* A write to a frame that is not a page table keeps its fault. */
	CHECK_EQ(mm_map(t + 2, frame_a, PTE_PAGE_RO), 0);
	CHECK_EQ(mm_write64(mm_va(t + 2), 0), 1);
	mm_unmap(t + 2);
	CHECK_EQ(HYPERVISOR_vm_assist(VMASST_CMD_disable,
				      VMASST_TYPE_writable_pagetables),
		 0);
	CHECK_EQ(mm_write64(pte, before), 1);
	CHECK_EQ(*pte, before);
}

/* --- mmu_update / update_va_mapping with frames that are not ours --------- */

/* Try to map each frame of [first, end) that is not ours: all refused. */
static void scan_frames(uint64_t first, uint64_t end, uint64_t flags,
			uint64_t *tried, uint64_t *accepted)
{
	uint64_t mfn = first;

	while (mfn < end) {
		unsigned int n = 0;

		for (; mfn < end && n < MC_BATCH; mfn++) {
			if (is_mine(mfn))
				continue;
			mc_req[n].ptr = mm_pte_ma((unsigned int)t_idx);
			mc_req[n].val = (mfn << 12) | flags;
			mc[n].op = __HYPERVISOR_mmu_update;
			mc[n].args[0] = (uint64_t)&mc_req[n];
			mc[n].args[1] = 1;
			mc[n].args[2] = 0;
			mc[n].args[3] = DOMID_SELF;
			n++;
		}
		if (!n)
			break;
		if (HYPERVISOR_multicall(mc, n))
			pv_panic("multicall failed");
		for (unsigned int i = 0; i < n; i++) {
			(*tried)++;
			if (mc[i].result != (uint64_t)-EINVAL) {
				if (!*accepted)
					printf("hostile: frame %#lx: "
					       "mmu_update gave %ld\n",
					       mc_req[i].val >> 12,
					       (long)mc[i].result);
				(*accepted)++;
			}
		}
	}
	mm_unmap((unsigned int)t_idx);
}

static void foreign_frames(void)
{
	uint64_t ma = mm_pte_ma((unsigned int)t_idx);
	uint64_t tried = 0, accepted = 0;
	struct mmu_update req[4];
	unsigned int done = 99;

	pv_test_group("map frames of other domains and of the hypervisor");
	scan_frames(0, max_mfn + 16, PTE_PAGE_RO, &tried, &accepted);
	printf("hostile: %lu foreign frames tried read-only, %lu accepted\n",
	       tried, accepted);
	CHECK(tried > 1000 && accepted == 0, "%lu of %lu accepted", accepted,
	      tried);
	tried = accepted = 0;
	scan_frames(0, max_mfn + 16, PTE_PAGE_RW, &tried, &accepted);
	CHECK(tried > 1000 && accepted == 0, "%lu of %lu accepted (RW)",
	      accepted, tried);
	/* Named ones: the hypervisor image, the M2P, MMIO, beyond RAM. */
	CHECK_EQ(mm_update(ma, (0x200UL << 12) | PTE_PAGE_RO), -EINVAL);
	CHECK_EQ(mm_update(ma, (0x201UL << 12) | PTE_PAGE_RW), -EINVAL);
	CHECK_EQ(mm_update(ma, (m2p_mfn << 12) | PTE_PAGE_RO), -EINVAL);
	CHECK_EQ(mm_update(ma, (m2p_mfn << 12) | PTE_PAGE_RW), -EINVAL);
	CHECK_EQ(mm_update(ma, (0xfee00UL << 12) | PTE_PAGE_RW), -EINVAL);
	CHECK_EQ(mm_update(ma, (0xfec00UL << 12) | PTE_PAGE_RO), -EINVAL);
	CHECK_EQ(mm_update(ma, (0x7ffffffffUL << 12) | PTE_PAGE_RO), -EINVAL);
	CHECK_EQ(mm_update(ma, 0 | PTE_PAGE_RO), -EINVAL);
	CHECK_EQ(mm_map((unsigned int)t_idx, victim_mfn, PTE_PAGE_RO), -EINVAL);
	CHECK_EQ(mm_map((unsigned int)t_idx, 0x200, PTE_PAGE_RO), -EINVAL);
	CHECK_EQ(HYPERVISOR_update_va_mapping_otherdomain(
		     (uint64_t)mm_va((unsigned int)t_idx),
		     (victim_mfn << 12) | PTE_PAGE_RO, UVMF_INVLPG, 0),
		 -EPERM);
	/* Bits 52-62 are the guest's (as on Xen): they forge nothing. */
	CHECK_EQ(mm_update(ma, (frame_a << 12) | PTE_PAGE_RO | (1UL << 62)),
		 0);
	/*
	 * Not present, bit 62 is data, not the marker: Linux's swap and
	 * migration entries keep an inverted offset there. Writing one and
	 * writing over it must work (a refused overwrite froze Linux guests
	 * under page migration).
	 */
	CHECK_EQ(mm_update(ma, ~0xfffUL & ~PTE_P), 0);
	CHECK_EQ(mm_update(ma, (1UL << 62) | (5UL << 12)), 0);
	CHECK_EQ(mm_update(ma, 0), 0);

	pv_test_group("mmu_update on tables that are not ours");
	CHECK_EQ(mm_update(victim_mfn << 12, 0), -EINVAL);
	/* Our own frame that is no page table: plain memory, as on Xen. */
	CHECK_EQ(mm_update(frame_a << 12, (frame_b << 12) | PTE_PAGE_RO), 0);
	CHECK_EQ(mm_update((0x200UL << 12) | 8, 0), -EINVAL);
	CHECK_EQ(mm_update(ma | 4, 0), -EINVAL);
	CHECK(mm_update(ma | 3, 0) < 0, "NO_TRANSLATE is not for us");
	CHECK_EQ(mm_update((victim_mfn << 12) | MMU_MACHPHYS_UPDATE, 5),
		 -EINVAL);
	CHECK_EQ(mm_m2p(victim_mfn) == 5, 0);
	CHECK_EQ(
	    mm_update((frame_a << 12) | MMU_MACHPHYS_UPDATE, mm_m2p(frame_a)),
	    0);
	/* A foreign page owner needs privilege. */
	req[0] = (struct mmu_update){ ma, 0 };
	CHECK_EQ(HYPERVISOR_mmu_update(req, 1, NULL, 0), -EPERM);
	CHECK_EQ(HYPERVISOR_mmuext_op(req, 0, NULL, 0), -EPERM);

	pv_test_group("batches stop at the first refusal and report it");
	req[0] = (struct mmu_update){ ma, (frame_a << 12) | PTE_PAGE_RO };
	req[1] = (struct mmu_update){ ma, (frame_b << 12) | PTE_PAGE_RO };
	req[2] = (struct mmu_update){ ma, (victim_mfn << 12) | PTE_PAGE_RO };
	req[3] = (struct mmu_update){ ma, (frame_a << 12) | PTE_PAGE_RO };
	CHECK_EQ(HYPERVISOR_mmu_update(req, 4, &done, DOMID_SELF), -EINVAL);
	CHECK_EQ(done, 2);
	CHECK_EQ(*mm_pte((unsigned int)t_idx) & PTE_ADDR, frame_b << 12);
	mm_unmap((unsigned int)t_idx);
}

/* --- Page-table frames mapped writable, hostile tables, linear maps ------- */

static void writable_tables(void)
{
	unsigned int t = (unsigned int)t_idx;
	uint64_t boot_l1 = mm_boot_pte_ma(MM_VIRT_BASE + 0x100000) >> 12;

	pv_test_group("page-table frames cannot be mapped writable");
	CHECK_EQ(mm_map(t, mm.l4_mfn, PTE_PAGE_RW), -EINVAL);
	CHECK_EQ(mm_map(t, mm.l3, PTE_PAGE_RW), -EINVAL);
	CHECK_EQ(mm_map(t, mm.l2, PTE_PAGE_RW), -EINVAL);
	CHECK_EQ(mm_map(t, mm.l1[0], PTE_PAGE_RW), -EINVAL);
	CHECK_EQ(mm_map(t, boot_l1, PTE_PAGE_RW), -EINVAL);
	CHECK_EQ(mm_update(mm_pte_ma(t), (mm.l1[1] << 12) | PTE_PAGE_RW),
		 -EINVAL);
	CHECK_EQ(mm_map(t, mm.l4_mfn, PTE_PAGE_RO), 0);
	CHECK_EQ(mm_va(t)[MM_SCRATCH_SLOT] & PTE_ADDR, mm.l3 << 12);
	mm_unmap(t);
	/* The hypervisor does not write them for us either. */
	CHECK_EQ(mm_ext(MMUEXT_CLEAR_PAGE, mm.l1[0], 0), -EINVAL);
	CHECK_EQ(mm_ext(MMUEXT_COPY_PAGE, mm.l4_mfn, frame_a), -EINVAL);
	CHECK_EQ(mm_ext(MMUEXT_COPY_PAGE, frame_a, victim_mfn), -EINVAL);
	CHECK_EQ(mm_ext(MMUEXT_CLEAR_PAGE, victim_mfn, 0), -EINVAL);
	CHECK_EQ(mm_ext(MMUEXT_COPY_PAGE, frame_b, frame_a), 0);
}

static void hostile_tables(void)
{
	unsigned int slot[4] = { 0, 1, 2, 511 };
	uint64_t e[4], t, l4;
	unsigned int idx = (unsigned int)t_idx;

	pv_test_group(
	    "pin tables whose entries point at the hypervisor or others");
	e[0] = (0x200UL << 12) | PTE_PAGE_RO;
	t = make_table(slot, e, 1);
	CHECK_EQ(mm_ext(MMUEXT_PIN_L1_TABLE, t, 0), -EINVAL);
	e[0] = (victim_mfn << 12) | PTE_PAGE_RO;
	t = make_table(slot, e, 1);
	CHECK_EQ(mm_ext(MMUEXT_PIN_L1_TABLE, t, 0), -EINVAL);
	e[0] = (m2p_mfn << 12) | PTE_PAGE_RO;
	t = make_table(slot, e, 1);
	CHECK_EQ(mm_ext(MMUEXT_PIN_L1_TABLE, t, 0), -EINVAL);
	/* One good entry, then a bad one: nothing stays referenced. */
	e[0] = (frame_a << 12) | PTE_PAGE_RW;
	e[1] = (mm.l1[0] << 12) | PTE_PAGE_RW;
	t = make_table(slot, e, 2);
	CHECK_EQ(mm_ext(MMUEXT_PIN_L1_TABLE, t, 0), -EINVAL);
	CHECK_EQ(mm_map(idx, frame_a, PTE_PAGE_RW), 0);
	mm_unmap(idx);
	/* Upper levels: superpages, and tables that point at hypervisor memory. */
	e[0] = (frame_a << 12) | PTE_P | PTE_RW | PTE_PSE;
	t = make_table(slot, e, 1);
	CHECK_EQ(mm_ext(MMUEXT_PIN_L2_TABLE, t, 0), -EINVAL);
	CHECK_EQ(mm_ext(MMUEXT_PIN_L3_TABLE, t, 0), -EINVAL);
	e[0] = (0x200UL << 12) | PTE_TABLE;
	t = make_table(slot, e, 1);
	CHECK_EQ(mm_ext(MMUEXT_PIN_L2_TABLE, t, 0), -EINVAL);
	CHECK_EQ(mm_ext(MMUEXT_PIN_L4_TABLE, t, 0), -EINVAL);
	/* An L2 entry naming a frame we map writable: cannot become an L1. */
	CHECK_EQ(mm_map(idx, frame_a, PTE_PAGE_RW), 0);
	e[0] = (frame_a << 12) | PTE_TABLE;
	t = make_table(slot, e, 1);
	CHECK_EQ(mm_ext(MMUEXT_PIN_L2_TABLE, t, 0), -EINVAL);
	CHECK_EQ(mm_ext(MMUEXT_PIN_L1_TABLE, frame_a, 0), -EINVAL);
	mm_unmap(idx);
	/* Hypervisor slots of an L4 are the hypervisor's: filled on pin. */
	slot[0] = 256;
	slot[1] = 262;
	e[0] = (frame_b << 12) | PTE_P | PTE_RW | PTE_U;
	e[1] = (victim_mfn << 12) | PTE_P | PTE_RW | PTE_U;
	l4 = make_table(slot, e, 2);
	CHECK_EQ(mm_ext(MMUEXT_PIN_L4_TABLE, l4, 0), 0);
	CHECK_EQ(mm_map(idx, l4, PTE_PAGE_RO), 0);
	CHECK_EQ(mm_va(idx)[256],
		 ((volatile uint64_t *)start_info->pt_base)[256]);
	CHECK_EQ(mm_va(idx)[262],
		 ((volatile uint64_t *)start_info->pt_base)[262]);
	mm_unmap(idx);

	pv_test_group("pin and unpin rules");
	CHECK_EQ(mm_ext(MMUEXT_PIN_L4_TABLE, l4, 0), -EINVAL); /* twice */
	CHECK_EQ(mm_ext(MMUEXT_UNPIN_TABLE, l4, 0), 0);
	CHECK_EQ(mm_ext(MMUEXT_UNPIN_TABLE, l4, 0), -EINVAL); /* not pinned */
	CHECK_EQ(mm_map(idx, l4, PTE_PAGE_RW), 0); /* no longer a table */
	mm_unmap(idx);
	CHECK_EQ(mm_ext(MMUEXT_UNPIN_TABLE, frame_a, 0), -EINVAL);
	CHECK_EQ(mm_ext(MMUEXT_UNPIN_TABLE, victim_mfn, 0), -EINVAL);
	CHECK_EQ(mm_ext(MMUEXT_PIN_L1_TABLE, victim_mfn, 0), -EINVAL);
	CHECK_EQ(mm_ext(MMUEXT_PIN_L2_TABLE, mm.l1[0], 0), -EINVAL);
	CHECK_EQ(mm_ext(MMUEXT_PIN_L1_TABLE, 0x200, 0), -EINVAL);
	/* Unpin while in use: allowed, but the frame stays a page table. */
	t = mm_alloc_zeroed();
	CHECK_EQ(mm_ext(MMUEXT_PIN_L1_TABLE, t, 0), 0);
	CHECK_EQ(mm_update((mm.l2 << 12) | 200 * 8, (t << 12) | PTE_TABLE), 0);
	CHECK_EQ(mm_ext(MMUEXT_UNPIN_TABLE, t, 0), 0);
	CHECK_EQ(mm_map(idx, t, PTE_PAGE_RW), -EINVAL);
	CHECK_EQ(mm_update((mm.l2 << 12) | 200 * 8, 0), 0);
	CHECK_EQ(mm_map(idx, t, PTE_PAGE_RW), 0);
	mm_unmap(idx);
	/* Unpin the L4 we run on: it stays in use through our base pointer. */
	CHECK_EQ(mm_ext(MMUEXT_UNPIN_TABLE, mm.l4_mfn, 0), 0);
	CHECK_EQ(mm_map(idx, mm.l4_mfn, PTE_PAGE_RW), -EINVAL);
	CHECK_EQ(mm_ext(MMUEXT_PIN_L4_TABLE, mm.l4_mfn, 0), 0);
	/* Base pointers must be our L4 tables. */
	CHECK_EQ(mm_ext(MMUEXT_NEW_BASEPTR, frame_a, 0), -EINVAL);
	CHECK_EQ(mm_ext(MMUEXT_NEW_BASEPTR, victim_mfn, 0), -EINVAL);
	CHECK_EQ(mm_ext(MMUEXT_NEW_BASEPTR, mm.l1[0], 0), -EINVAL);
	CHECK_EQ(mm_ext(MMUEXT_NEW_USER_BASEPTR, 0x200, 0), -EINVAL);
	CHECK_EQ(mm_ext(99, 0, 0), -ENOSYS);
}

static void superpages_and_linear(void)
{
	uint64_t self_va = 0xffff000000000000UL | (301UL << 39) |
			   (301UL << 30) | (301UL << 21) | (301UL << 12);
	uint64_t l2_lin = MM_SCRATCH_BASE + 20 * (2UL << 20);
	uint64_t l4ma = mm.l4_mfn << 12, v;

	pv_test_group("superpages and hypervisor L4 slots are refused");
	CHECK_EQ(mm_update((mm.l2 << 12) | 10 * 8,
			   (frame_a << 12) | PTE_P | PTE_RW | PTE_PSE),
		 -EINVAL);
	CHECK_EQ(mm_update((mm.l3 << 12) | 1 * 8,
			   (frame_a << 12) | PTE_P | PTE_RW | PTE_PSE),
		 -EINVAL);
	CHECK_EQ(mm_update((mm.l3 << 12) | 2 * 8, PTE_P | PTE_PSE), -EINVAL);
	for (unsigned int s = 256; s <= 271; s += 5)
		CHECK_EQ(mm_update(l4ma | s * 8, (mm.l3 << 12) | PTE_TABLE),
			 -EINVAL);
	CHECK_EQ(mm_update(l4ma | 271 * 8, 0), -EINVAL);

	pv_test_group(
	    "linear page tables: read-only allowed, writable refused");
	CHECK_EQ(mm_update(l4ma | 301 * 8, (mm.l4_mfn << 12) | PTE_TABLE),
		 -EINVAL);
	CHECK_EQ(mm_update(l4ma | 301 * 8, (mm.l4_mfn << 12) | PTE_P | PTE_A),
		 0);
	CHECK_EQ(mm_read64((volatile uint64_t *)self_va + MM_SCRATCH_SLOT, &v),
		 0);
	CHECK_EQ(v & PTE_ADDR, mm.l3 << 12);
	CHECK_EQ(mm_write64((volatile uint64_t *)self_va + 1, 0), 1);
	CHECK_EQ(mm_update(l4ma | 301 * 8, 0), 0);
	mm_ext(MMUEXT_TLB_FLUSH_LOCAL, 0, 0);
	CHECK_EQ(mm_read64((volatile uint64_t *)self_va, &v), 1);
	/* L2 -> L2 (the scratch L2 names itself). */
	CHECK_EQ(mm_update((mm.l2 << 12) | 20 * 8, (mm.l2 << 12) | PTE_TABLE),
		 -EINVAL);
	CHECK_EQ(
	    mm_update((mm.l2 << 12) | 20 * 8, (mm.l2 << 12) | PTE_P | PTE_A),
	    0);
	/* Page i of that window is scratch L1 i, read-only. */
	CHECK_EQ(mm_read64((volatile uint64_t *)l2_lin + 0, &v), 0);
	CHECK_EQ(v & PTE_ADDR, mm.l1[0] << 12);
	CHECK_EQ(mm_write64((volatile uint64_t *)(l2_lin + 4096), 0), 1);
	CHECK_EQ(mm_map((unsigned int)t_idx, mm.l2, PTE_PAGE_RW), -EINVAL);
	CHECK_EQ(mm_update((mm.l2 << 12) | 20 * 8, 0), 0);
	mm_ext(MMUEXT_TLB_FLUSH_LOCAL, 0, 0);
	/* An L3 entry naming an L3 that a writable L2 entry would expose. */
	CHECK_EQ(mm_update((mm.l3 << 12) | 3 * 8, (mm.l3 << 12) | PTE_TABLE),
		 -EINVAL);
}

/* --- Giving frames back -------------------------------------------------- */

static long decrease(uint64_t mfn)
{
	struct xen_memory_reservation r = {
		.extent_start = (uint64_t)&mfn,
		.nr_extents = 1,
		.domid = DOMID_SELF,
	};

	return HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r);
}

static void reservations(void)
{
	unsigned int idx = (unsigned int)t_idx;
	uint64_t f = mm_alloc(), si = start_info->shared_info >> 12;
	domid_t self = DOMID_SELF;
	long cur = HYPERVISOR_memory_op(XENMEM_current_reservation, &self);

	pv_test_group("frames in use cannot be given back");
	CHECK_EQ(mm_map(idx, f, PTE_PAGE_RO), 0);
	CHECK_EQ(decrease(f), 0);
	mm_unmap(idx);
	CHECK_EQ(decrease(mm.l1[0]), 0);
	CHECK_EQ(decrease(mm.l4_mfn), 0);
	CHECK_EQ(decrease(victim_mfn), 0);
	CHECK_EQ(decrease(0x200), 0);
	CHECK_EQ(decrease(si), 0);
	CHECK_EQ(HYPERVISOR_memory_op(XENMEM_current_reservation, &self), cur);

	pv_test_group("a frame given back is gone");
	CHECK_EQ(decrease(f), 1);
	CHECK_EQ(HYPERVISOR_memory_op(XENMEM_current_reservation, &self),
		 cur - 1);
	CHECK_EQ(mm_m2p(f), MM_M2P_INVALID);
	CHECK_EQ(mm_map(idx, f, PTE_PAGE_RO), -EINVAL);
	CHECK_EQ(mm_map(idx, f, PTE_PAGE_RW), -EINVAL);
	CHECK_EQ(mm_ext(MMUEXT_PIN_L1_TABLE, f, 0), -EINVAL);
	CHECK_EQ(mm_ext(MMUEXT_CLEAR_PAGE, f, 0), -EINVAL);
	CHECK_EQ(mm_ext(MMUEXT_COPY_PAGE, frame_a, f), -EINVAL);
	CHECK_EQ(mm_update((f << 12) | MMU_MACHPHYS_UPDATE, 7), -EINVAL);
	CHECK_EQ(decrease(f), 0);
	mine[f / 64] &= ~(1UL << (f % 64));
}

/* --- Counts of 0, 2^31, 2^63 and hypervisor pointers --------------------- */

#define HC(nr, a, b, c, d)                                          \
	_hypercall(nr, (uint64_t)(a), (uint64_t)(b), (uint64_t)(c), \
		   (uint64_t)(d), 0)
#define HVP MM_HV_PTR
#define C31 (1UL << 31)
#define C63 (1UL << 63)

static void bad_args_mmu(void)
{
	struct mmu_update u = { mm_pte_ma((unsigned int)t_idx), 0 };
	struct mmuext_op op = { .cmd = MMUEXT_TLB_FLUSH_LOCAL };
	unsigned int done = 0;

	pv_test_group("bad counts and pointers: mmu_update, mmuext_op, "
		      "update_va_mapping");
	CHECK_EQ(HC(__HYPERVISOR_mmu_update, HVP, 1, 0, DOMID_SELF), -EFAULT);
	CHECK_EQ(HC(__HYPERVISOR_mmu_update, HVP, 0, 0, DOMID_SELF), 0);
	CHECK_EQ(HC(__HYPERVISOR_mmu_update, HVP, C31, 0, DOMID_SELF), 0);
	CHECK_EQ(HC(__HYPERVISOR_mmu_update, HVP, C63, 0, DOMID_SELF), 0);
	CHECK_EQ(HC(__HYPERVISOR_mmu_update, HVP, C31 - 1, 0, DOMID_SELF),
		 -EFAULT);
	CHECK_EQ(HC(__HYPERVISOR_mmu_update, HVP, C31 + 5, HVP, DOMID_SELF),
		 -EFAULT);
	CHECK_EQ(HC(__HYPERVISOR_mmu_update, &u, 1, HVP, DOMID_SELF), -EFAULT);
	CHECK_EQ(HC(__HYPERVISOR_mmu_update, zeros, C31 - 1, &done, DOMID_SELF),
		 -EINVAL);
	CHECK_EQ(done, 0);
	CHECK_EQ(HC(__HYPERVISOR_mmu_update, &u, 1, 0, C63 | DOMID_SELF), 0);
	CHECK_EQ(HC(__HYPERVISOR_mmu_update, &u, 1, 0, 0x7ff4), -EPERM);
	CHECK_EQ(HC(__HYPERVISOR_mmuext_op, HVP, 1, 0, DOMID_SELF), -EFAULT);
	CHECK_EQ(HC(__HYPERVISOR_mmuext_op, HVP, 0, 0, DOMID_SELF), 0);
	CHECK_EQ(HC(__HYPERVISOR_mmuext_op, HVP, C31, 0, DOMID_SELF), 0);
	CHECK_EQ(HC(__HYPERVISOR_mmuext_op, HVP, C63, 0, DOMID_SELF), 0);
	CHECK_EQ(HC(__HYPERVISOR_mmuext_op, HVP, C31 - 1, 0, DOMID_SELF),
		 -EFAULT);
	CHECK_EQ(HC(__HYPERVISOR_mmuext_op, &op, 1, HVP, DOMID_SELF), -EFAULT);
	CHECK_EQ(HC(__HYPERVISOR_mmuext_op, zeros, C31 - 1, 0, DOMID_SELF),
		 -EINVAL); /* PIN_L1 of frame 0 */
	CHECK_EQ(HC(__HYPERVISOR_update_va_mapping, HVP, 0, 0, 0), -EINVAL);
	CHECK_EQ(HC(__HYPERVISOR_update_va_mapping, HVP,
		    (frame_a << 12) | PTE_PAGE_RW, UVMF_INVLPG, 0),
		 -EINVAL);
	CHECK_EQ(HC(__HYPERVISOR_update_va_mapping, 0xffff800000000000UL,
		    (frame_a << 12) | PTE_PAGE_RO, 0, 0),
		 -EINVAL);
	CHECK_EQ(HC(__HYPERVISOR_update_va_mapping, 0x0000700000000000UL,
		    (frame_a << 12) | PTE_PAGE_RO, 0, 0),
		 -EINVAL);
	CHECK_EQ(HC(__HYPERVISOR_update_va_mapping, C63, 0, 0, 0), -EINVAL);
	CHECK_EQ(HC(__HYPERVISOR_update_va_mapping, mm_va((unsigned int)t_idx),
		    (frame_a << 12) | PTE_PAGE_RO, UVMF_TLB_FLUSH | HVP, 0),
		 0);
	mm_unmap((unsigned int)t_idx);
}

static void bad_args_memory(void)
{
	struct xen_memory_reservation r = { .domid = DOMID_SELF };
	static const int cmds[] = { 3, 4, 5, 11, 12 };

	pv_test_group("bad counts and pointers: memory_op");
	/* Reservation ops return the extents done, as Xen: none. */
	CHECK_EQ(
	    HC(__HYPERVISOR_memory_op, XENMEM_increase_reservation, HVP, 0, 0),
	    0);
	CHECK_EQ(
	    HC(__HYPERVISOR_memory_op, XENMEM_decrease_reservation, HVP, 0, 0),
	    0);
	CHECK_EQ(HC(__HYPERVISOR_memory_op, XENMEM_populate_physmap, HVP, 0, 0),
		 0);
	for (unsigned int i = 0; i < ARRAY_SIZE(cmds); i++)
		CHECK_EQ(HC(__HYPERVISOR_memory_op, cmds[i], HVP, 0, 0),
			 -EFAULT);
	/* A resume point (start extent) is only for reservation ops. */
	CHECK_EQ(HC(__HYPERVISOR_memory_op, XENMEM_current_reservation | 64,
		    HVP, 0, 0),
		 -EINVAL);
	CHECK(HC(__HYPERVISOR_memory_op, XENMEM_maximum_ram_page, HVP, 0, 0) >
		  0,
	      "maximum_ram_page ignores its argument");
	CHECK_EQ(HC(__HYPERVISOR_memory_op, XENMEM_memory_map, HVP, 0, 0),
		 -EFAULT); /* read first, as Xen's */
	CHECK_EQ(HC(__HYPERVISOR_memory_op, 63, HVP, 0, 0), -ENOSYS);
	r.extent_start = HVP;
	for (unsigned int k = 0; k < 3; k++) {
		r.nr_extents = k == 0 ? 1 : k == 1 ? C31 : C63;
		CHECK_EQ(HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r),
			 0);
		CHECK_EQ(HYPERVISOR_memory_op(XENMEM_populate_physmap, &r), 0);
		CHECK_EQ(HYPERVISOR_memory_op(XENMEM_increase_reservation, &r),
			 0);
	}
	r.nr_extents = 0;
	CHECK_EQ(HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r), 0);
	r.extent_order = 1U << 31;
	r.nr_extents = 1;
	CHECK_EQ(HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r), 0);
	CHECK_EQ(HYPERVISOR_memory_op(XENMEM_increase_reservation, &r), 0);
	/* A resume point beyond the list: nothing more to do. */
	r.extent_order = 0;
	r.nr_extents = 3;
	CHECK_EQ(HC(__HYPERVISOR_memory_op,
		    XENMEM_decrease_reservation | (5 << 6), &r, 0, 0),
		 5);
	/* Huge counts over our own zeros: frame 0 is not ours, stop at once. */
	r.extent_order = 0;
	r.extent_start = (uint64_t)zeros;
	r.nr_extents = C63;
	CHECK_EQ(HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r), 0);
	/* Another domain's reservation is not ours to change. */
	r.domid = 0;
	r.nr_extents = 1;
	r.extent_start = (uint64_t)&victim_mfn;
	CHECK_EQ(HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r), 0);
	CHECK_EQ(HYPERVISOR_memory_op(XENMEM_populate_physmap, &r), 0);
	/* Exchange: bad pointers and sizes. */
	{
		struct {
			struct xen_memory_reservation in, out;
			uint64_t nr_exchanged;
		} x = { .in = { HVP, 1, 0, 0, DOMID_SELF },
			.out = { HVP, 1, 0, 0, DOMID_SELF } };

		CHECK_EQ(HYPERVISOR_memory_op(XENMEM_exchange, &x), -EFAULT);
		x.in.nr_extents = C63;
		x.out.nr_extents = C63;
		x.in.extent_start = (uint64_t)&victim_mfn;
		CHECK_EQ(HYPERVISOR_memory_op(XENMEM_exchange, &x), -EFAULT);
		/* Huge counts, real lists: the other domain's frame stops it. */
		x.out.extent_start = (uint64_t)zeros;
		CHECK_EQ(HYPERVISOR_memory_op(XENMEM_exchange, &x), -EINVAL);
		CHECK_EQ(x.nr_exchanged, 0);
		x.in.nr_extents = 1UL << 55;
		x.in.extent_order = 9;
		x.out.nr_extents = 1UL << 63;
		CHECK_EQ(HYPERVISOR_memory_op(XENMEM_exchange, &x), -EINVAL);
		x.in.domid = 0;
		CHECK_EQ(HYPERVISOR_memory_op(XENMEM_exchange, &x), -EPERM);
	}
	CHECK_EQ(HYPERVISOR_memory_op(XENMEM_current_reservation, &r.domid),
		 -EPERM);
}

static void bad_args_grant_multicall(void)
{
	static const unsigned int cmds[] = { 0, 1, 2, 4, 5, 6, 8, 10 };
	struct gnttab_setup_table st = { DOMID_SELF, 1, 0, HVP };
	struct multicall_entry e[4];

	pv_test_group("bad counts and pointers: grant_table_op");
	for (unsigned int i = 0; i < ARRAY_SIZE(cmds); i++) {
		CHECK_EQ(HC(__HYPERVISOR_grant_table_op, cmds[i], HVP, 1, 0),
			 -EFAULT);
		CHECK_EQ(HC(__HYPERVISOR_grant_table_op, cmds[i], HVP, C31, 0),
			 -EINVAL);
	}
	for (unsigned int i = 0; i < 8; i++) /* the batched ones */
		if (cmds[i] <= 1 || cmds[i] == 4 || cmds[i] == 5)
			CHECK_EQ(HC(__HYPERVISOR_grant_table_op, cmds[i], HVP,
				    C63, 0),
				 0);
	CHECK_EQ(HC(__HYPERVISOR_grant_table_op, GNTTABOP_copy, HVP, 0, 0), 0);
	CHECK_EQ(HC(__HYPERVISOR_grant_table_op, 99, HVP, 1, 0), -ENOSYS);
	CHECK_EQ(HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1), 0);
	CHECK_EQ(st.status, GNTST_bad_virt_addr);
	st.nr_frames = 1U << 31;
	st.frame_list = (uint64_t)zeros;
	CHECK_EQ(HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1), 0);
	CHECK_EQ(st.status, GNTST_general_error);

	pv_test_group("bad counts and pointers: multicall");
	CHECK_EQ(HC(__HYPERVISOR_multicall, HVP, 1, 0, 0), -EFAULT);
	CHECK_EQ(HC(__HYPERVISOR_multicall, HVP, 0, 0, 0), 0);
	CHECK(HC(__HYPERVISOR_multicall, HVP, C31, 0, 0) < 0, "2^31 calls");
	CHECK_EQ(HC(__HYPERVISOR_multicall, HVP, C63, 0, 0), 0);
	memset(e, 0, sizeof(e));
	e[0].op = __HYPERVISOR_mmu_update;
	e[0].args[0] = HVP;
	e[0].args[1] = 1;
	e[0].args[3] = DOMID_SELF;
	e[1].op = 99;
	e[2].op = __HYPERVISOR_multicall;
	e[2].args[0] = (uint64_t)e;
	e[2].args[1] = 1;
	e[3].op = __HYPERVISOR_memory_op;
	e[3].args[0] = XENMEM_current_reservation;
	e[3].args[1] = HVP;
	CHECK_EQ(HYPERVISOR_multicall(e, 4), 0);
	CHECK_EQ((long)e[0].result, -EFAULT);
	CHECK_EQ((long)e[1].result, -ENOSYS);
	CHECK_EQ((long)e[2].result, -EINVAL);
	CHECK_EQ((long)e[3].result, -EFAULT);
	/* The list in read-only memory: the result cannot be written. */
	e[0].op = __HYPERVISOR_xen_version;
	e[0].args[0] = 0;
	e[0].args[1] = 0;
	CHECK_EQ(mm_map((unsigned int)t_idx, frame_b, PTE_PAGE_RW), 0);
	memcpy(mm_va((unsigned int)t_idx), e, sizeof(e[0]));
	CHECK_EQ(mm_map((unsigned int)t_idx, frame_b, PTE_PAGE_RO), 0);
	CHECK_EQ(HYPERVISOR_multicall(mm_va((unsigned int)t_idx), 1), -EFAULT);
	mm_unmap((unsigned int)t_idx);
}

/* --- Hypervisor-shared frames: shared_info and the grant table ---------- */

static void shared_frames(void)
{
	uint64_t si = start_info->shared_info >> 12, gnt = gnt_mfn;
	uint64_t si_va = (uint64_t)shared_info;
	unsigned int idx = (unsigned int)t_idx;
	long rc;

	pv_test_group("frames the hypervisor shares never become page tables");
	rc = mm_ext(MMUEXT_PIN_L1_TABLE, gnt, 0);
	CHECK_EQ(rc, -EINVAL);
	if (!rc)
		mm_ext(MMUEXT_UNPIN_TABLE, gnt, 0);
	CHECK_EQ(mm_ext(MMUEXT_PIN_L2_TABLE, gnt, 0), -EINVAL);
	CHECK_EQ(decrease(gnt), 0);
	CHECK_EQ(mm_map(idx, gnt, PTE_PAGE_RW), 0);
	mm_unmap(idx);
	/* shared_info: unmap it (events off meanwhile), try, map it back. */
	pv_events_disable();
	CHECK_EQ(HYPERVISOR_update_va_mapping(si_va, 0, UVMF_INVLPG), 0);
	rc = mm_ext(MMUEXT_PIN_L1_TABLE, si, 0);
	if (!rc)
		mm_ext(MMUEXT_UNPIN_TABLE, si, 0);
	CHECK_EQ(HYPERVISOR_update_va_mapping(si_va, (si << 12) | PTE_PAGE_RW,
					      UVMF_INVLPG),
		 0);
	pv_events_enable();
	CHECK_EQ(rc, -EINVAL);
	CHECK_EQ(decrease(si), 0);
}

void pv_main(void)
{
	unsigned int id = (unsigned int)mm_arg("id", 1);
	uint32_t port = mm_bind_victim(id);

	setup();
	direct_writes();
	ptwr();
	foreign_frames();
	writable_tables();
	hostile_tables();
	superpages_and_linear();
	reservations();
	shared_frames();
	bad_args_mmu();
	bad_args_memory();
	bad_args_grant_multicall();
	pv_test_summary();
	mm_notify(port);
}
