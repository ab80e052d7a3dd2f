/*
 * Address spaces the way an OS builds them on Xen's PV MMU: a new tree of
 * page tables is written while its frames are ordinary memory, then one
 * multicall makes them read-only (mmu_update), pins the L4 (validation),
 * fills the L1 (mmu_update), loads the new base pointer and flushes the
 * TLB. Then it "forks": a second tree shares the data frames read-only in
 * both (copy on write, the copies made by MMUEXT_COPY_PAGE from the page
 * fault handler), and the domain switches between the two, checking each
 * sees only its own writes. At the end everything is torn down and every
 * frame must be free of references again.
 */
#include "mmtest.h"

#define USER_SLOT 1
#define USER_BASE ((uint64_t)USER_SLOT << 39)
#define NR_DATA 8

struct space {
	uint64_t l4, l3, l2, l1;
	unsigned int idx; /* scratch pages: l4, l3, l2, l1 at idx..idx+3 */
};

static struct space parent, child;
static struct space *current_space;
static uint64_t data_mfn[NR_DATA];
static volatile unsigned long cow_faults;

static volatile uint64_t *user_page(unsigned int i)
{
	return (volatile uint64_t *)(USER_BASE + i * 4096UL);
}

static volatile uint64_t *table(const struct space *s, unsigned int level)
{
	return (volatile uint64_t *)mm_va(s->idx + 4 - level);
}

/* Copy on write: give the faulting page its own frame, then retry. */
static void on_page_fault(struct pv_frame *f)
{
	uint64_t cr2 = shared_info->vcpu_info[0].arch.cr2;
	unsigned int i = (unsigned int)((cr2 - USER_BASE) >> 12);
	uint64_t old, copy;

	if (cr2 < USER_BASE || i >= NR_DATA ||
	    (f->error_code & (MM_ERR_P | MM_ERR_W)) != (MM_ERR_P | MM_ERR_W))
		pv_panic("page fault at %#lx (error %#lx, rip %#lx)", cr2,
			 f->error_code, f->rip);
	old = (table(current_space, 1)[i] & PTE_ADDR) >> 12;
	copy = mm_alloc();
	if (mm_ext(MMUEXT_COPY_PAGE, copy, old) ||
	    HYPERVISOR_update_va_mapping(USER_BASE + i * 4096UL,
					 (copy << 12) | PTE_PAGE_RW,
					 UVMF_INVLPG))
		pv_panic("copy on write of page %u failed", i);
	cow_faults++;
}

/* Fresh frames for a tree; scratch mappings writable while we fill it. */
static void alloc_space(struct space *s)
{
	s->idx = mm_alloc_idx(4);
	s->l4 = mm_alloc_zeroed();
	s->l3 = mm_alloc_zeroed();
	s->l2 = mm_alloc_zeroed();
	s->l1 = mm_alloc_zeroed();
	if (mm_map(s->idx, s->l4, PTE_PAGE_RW) ||
	    mm_map(s->idx + 1, s->l3, PTE_PAGE_RW) ||
	    mm_map(s->idx + 2, s->l2, PTE_PAGE_RW) ||
	    mm_map(s->idx + 3, s->l1, PTE_PAGE_RW))
		pv_panic("cannot map new tables");
}

/*
 * The kernel half comes from the L4 we run on (shared L3s, as Linux
 * shares kernel mappings); the user half is the new tree.
 */
static void fill_upper(struct space *s, const volatile uint64_t *from_l4)
{
	uint64_t *l4 = mm_va(s->idx);

	for (unsigned int i = 0; i < 512; i++)
		l4[i] = from_l4[i];
	l4[USER_SLOT] = (s->l3 << 12) | PTE_TABLE;
	mm_va(s->idx + 1)[0] = (s->l2 << 12) | PTE_TABLE;
	mm_va(s->idx + 2)[0] = (s->l1 << 12) | PTE_TABLE;
}

static void mc_entry(struct multicall_entry *e, unsigned long op,
		     const void *list, unsigned int n)
{
	memset(e, 0, sizeof(*e));
	e->op = op;
	e->args[0] = (uint64_t)list;
	e->args[1] = n;
	e->args[2] = 0;
	e->args[3] = DOMID_SELF;
}

/*
 * One multicall: tables read-only, pin, fill the L1 (data frames, with
 * flags), and any extra L1 updates, new base pointer, TLB flush.
 */
static void build_and_switch(struct space *s, uint64_t data_flags,
			     const struct mmu_update *extra,
			     unsigned int nr_extra)
{
	struct mmu_update ro[4], l1[NR_DATA + NR_DATA];
	struct mmuext_op pin = { .cmd = MMUEXT_PIN_L4_TABLE };
	struct mmuext_op go[2] = { { .cmd = MMUEXT_NEW_BASEPTR },
				   { .cmd = MMUEXT_TLB_FLUSH_LOCAL } };
	struct multicall_entry mc[4];
	uint64_t frames[4] = { s->l4, s->l3, s->l2, s->l1 };
	unsigned int n = 0;

	for (unsigned int i = 0; i < 4; i++) {
		ro[i].ptr = mm_pte_ma(s->idx + i);
		ro[i].val = (frames[i] << 12) | PTE_PAGE_RO;
	}
	pin.arg1.mfn = s->l4;
	for (unsigned int i = 0; i < NR_DATA; i++, n++) {
		l1[n].ptr = (s->l1 << 12) | (i * 8);
		l1[n].val = (data_mfn[i] << 12) | data_flags;
	}
	for (unsigned int i = 0; i < nr_extra; i++)
		l1[n++] = extra[i];
	go[0].arg1.mfn = s->l4;
	mc_entry(&mc[0], __HYPERVISOR_mmu_update, ro, 4);
	mc_entry(&mc[1], __HYPERVISOR_mmuext_op, &pin, 1);
	mc_entry(&mc[2], __HYPERVISOR_mmu_update, l1, n);
	mc_entry(&mc[3], __HYPERVISOR_mmuext_op, go, 2);
	CHECK_EQ(HYPERVISOR_multicall(mc, 4), 0);
	for (unsigned int i = 0; i < 4; i++)
		CHECK(mc[i].result == 0, "multicall entry %u gave %ld", i,
		      (long)mc[i].result);
	current_space = s;
}

static void switch_to(struct space *s)
{
	struct mmuext_op go[2] = { { .cmd = MMUEXT_NEW_BASEPTR },
				   { .cmd = MMUEXT_TLB_FLUSH_LOCAL } };

	go[0].arg1.mfn = s ? s->l4 : mm.l4_mfn;
	CHECK_EQ(HYPERVISOR_mmuext_op(go, 2, NULL, DOMID_SELF), 0);
	current_space = s;
}

static uint64_t value(unsigned int page, unsigned int who)
{
	return 0x1000000UL * (who + 1) + page;
}

static long decrease(uint64_t mfn)
{
	struct xen_memory_reservation r = {
		.extent_start = (uint64_t)&mfn,
		.nr_extents = 1,
		.domid = DOMID_SELF,
	};

	return HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r);
}

void pv_main(void)
{
	struct mmu_update cow[NR_DATA];
	unsigned int i;

	mm_init(2);
	pv_set_trap_handler(14, on_page_fault);

	pv_test_group("build an address space in one multicall");
	for (i = 0; i < NR_DATA; i++)
		data_mfn[i] = mm_alloc_zeroed();
	alloc_space(&parent);
	fill_upper(&parent, (volatile uint64_t *)start_info->pt_base);
	build_and_switch(&parent, PTE_PAGE_RW | PTE_U, NULL, 0);
	CHECK_EQ(table(&parent, 4)[USER_SLOT] & PTE_ADDR, parent.l3 << 12);
	CHECK_EQ(table(&parent, 1)[3] & PTE_ADDR, data_mfn[3] << 12);
	/* Its tables are page tables now: never writable again. */
	CHECK_EQ(mm_map(parent.idx + 3, parent.l1, PTE_PAGE_RW), -22);
	for (i = 0; i < NR_DATA; i++)
		*user_page(i) = value(i, 0);
	printf("fork: running on L4 %#lx, kernel still here\n", parent.l4);

	pv_test_group("fork: share the data copy-on-write");
	alloc_space(&child);
	fill_upper(&child, table(&parent, 4));
	/* The parent's own entries become read-only too, in the same batch. */
	for (i = 0; i < NR_DATA; i++) {
		cow[i].ptr = (parent.l1 << 12) | (i * 8);
		cow[i].val = (data_mfn[i] << 12) | PTE_PAGE_RO | PTE_U;
	}
	build_and_switch(&child, PTE_PAGE_RO | PTE_U, cow, NR_DATA);
	for (i = 0; i < NR_DATA; i++)
		CHECK_EQ(*user_page(i), value(i, 0));
	CHECK_EQ(cow_faults, 0);

	pv_test_group("child and parent write: each sees only its own");
	*user_page(0) = value(0, 1);
	CHECK_EQ(cow_faults, 1);
	CHECK_EQ(*user_page(0), value(0, 1));
	CHECK(table(&child, 1)[0] >> 12 != data_mfn[0], "child got a copy");
	switch_to(&parent);
	CHECK_EQ(*user_page(0), value(0, 0));
	*user_page(1) = value(1, 0) + 100;
	CHECK_EQ(cow_faults, 2);
	switch_to(&child);
	CHECK_EQ(*user_page(1), value(1, 0));
	CHECK_EQ(*user_page(0), value(0, 1));
	for (unsigned int round = 0; round < 20; round++) {
		switch_to(round & 1 ? &child : &parent);
		CHECK_EQ(*user_page(0), value(0, round & 1));
		CHECK_EQ(*user_page(2), value(2, 0));
	}
	CHECK_EQ(cow_faults, 2);

	pv_test_group("tear down: every reference goes");
	switch_to(NULL);
	CHECK_EQ(mm_ext(MMUEXT_UNPIN_TABLE, parent.l4, 0), 0);
	CHECK_EQ(mm_ext(MMUEXT_UNPIN_TABLE, child.l4, 0), 0);
	CHECK_EQ(mm_map(parent.idx + 3, parent.l1, PTE_PAGE_RW), 0);
	for (i = 0; i < 4; i++) {
		mm_unmap(parent.idx + i);
		mm_unmap(child.idx + i);
	}
	CHECK_EQ(decrease(parent.l4), 1);
	CHECK_EQ(decrease(parent.l1), 1);
	CHECK_EQ(decrease(child.l4), 1);
	CHECK_EQ(decrease(child.l2), 1);
	for (i = 0; i < NR_DATA; i++)
		CHECK_EQ(decrease(data_mfn[i]), 1);
	pv_test_summary();
}
