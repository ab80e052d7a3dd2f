/*
 * Grant mappings over page-table entries the guest wrote itself. A
 * non-present entry is the guest's (Linux keeps swap and migration
 * entries there, high bits set), and so are bits 52-62 of a present one:
 * no pattern may be refused, and none may make the hypervisor take an
 * entry for a grant mapping, or lose one.
 *
 *  1. Every pattern (each bit set, each bit clear, the high bits, Linux's
 *     swap entries, random words) is written into scratch L1 entries by
 *     mmu_update, update_va_mapping and a ptwr store in turn, overwritten
 *     by the next one, made present (our own frame, the pattern's bits
 *     52-62 kept), made non-present again, and then a grant (our own,
 *     mapped by ourselves) is mapped over it: the entry maps the granted
 *     frame, cannot be rewritten, hidden or replaced by any path, and
 *     its unmap clears it.
 *  2. Forgery: an unmap naming a slot where we wrote a mapping of the
 *     same frame is refused; a grant whose L1 was torn down and rebuilt
 *     with a mapping of that frame (bit 62 set) is unmapped without
 *     touching the mapping we wrote.
 *  3. Exactness: every granted frame (and every frame mapped over) is
 *     given back with decrease_reservation, which only a frame without a
 *     single reference allows; the grant entries are free again.
 *  4. keep=K grants stay mapped over such entries (and the table of one
 *     is torn down) when we report done: domain 0 (mm_victim destroy=us
 *     frames=1) destroys us and checks that every frame comes back.
 *
 * Arguments: id=N our domain id (default 1), keep=K (default 8).
 */
#include "mmtest.h"

#define EBUSY 16
#define EINVAL 22

#define NR_G 24 /* frames granted to ourselves, refs REF0.. */
#define REF0 10
#define NR_SLOTS 64 /* scratch slots the patterns go through */
#define NR_RANDOM 600
#define SOFT (0x7ffUL << 52) /* bits 52-62 */

static unsigned int me;
static struct grant_entry_v1 *gt;
static uint64_t gframe[NR_G], plain[NR_G];
static unsigned int slot0, tmp_idx;

static int16_t gmap(uint64_t addr, uint32_t flags, grant_ref_t ref,
		    grant_handle_t *handle)
{
	struct gnttab_map_grant_ref m = {
		.host_addr = addr,
		.flags = flags,
		.ref = ref,
		.dom = (domid_t)me,
		.status = 99,
	};

	if (HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &m, 1))
		return 99;
	*handle = m.handle;
	return m.status;
}

static int16_t gunmap(uint64_t addr, grant_handle_t handle)
{
	struct gnttab_unmap_grant_ref u = { .host_addr = addr,
					    .handle = handle,
					    .status = 99 };

	if (HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1))
		return 99;
	return u.status;
}

static void map_grant_table(void)
{
	uint64_t frame = 0;
	struct gnttab_setup_table st = { DOMID_SELF, 1, 0, (uint64_t)&frame };
	unsigned int idx = mm_alloc_idx(1);

	if (HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1) ||
	    st.status || mm_map(idx, frame, PTE_PAGE_RW))
		pv_panic("cannot set up the grant table");
	gt = (struct grant_entry_v1 *)mm_va(idx);
}

/* Fill frame mfn with its own number (through the temporary slot). */
static void stamp(uint64_t mfn)
{
	if (mm_map(tmp_idx, mfn, PTE_PAGE_RW))
		pv_panic("cannot map %#lx", mfn);
	for (unsigned int i = 0; i < 512; i++)
		mm_va(tmp_idx)[i] = mfn ^ 0x5a5a000000000000UL;
	mm_unmap(tmp_idx);
}

/* Does page idx read as frame mfn's stamp? (-1: it faults) */
static int shows(unsigned int idx, uint64_t mfn)
{
	uint64_t v = 0;

	if (mm_read64(mm_va(idx) + 7, &v))
		return -1;
	return v == (mfn ^ 0x5a5a000000000000UL);
}

static void setup(void)
{
	pv_test_group("grant-pte: set-up (our own grants of 24 frames)");
	map_grant_table();
	tmp_idx = mm_alloc_idx(1);
	slot0 = mm_alloc_idx(NR_SLOTS);
	for (unsigned int k = 0; k < NR_G; k++) {
		gframe[k] = mm_alloc();
		plain[k] = mm_alloc();
		stamp(gframe[k]);
		stamp(plain[k]);
		gt[REF0 + k].domid = (domid_t)me;
		gt[REF0 + k].frame = (uint32_t)gframe[k];
		__atomic_store_n(&gt[REF0 + k].flags, GTF_permit_access,
				 __ATOMIC_RELEASE);
	}
	CHECK(shows(tmp_idx, 0) == -1, "the temporary slot is unmapped");
}

/* --- Patterns --------------------------------------------------------- */

static uint64_t rnd_state = 0x9e3779b97f4a7c15UL;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* Linux 6.1's x86-64 swap entry (offset stored inverted, type on top). */
static uint64_t swap_entry(uint64_t type, uint64_t offset)
{
	return ((~offset << 14) >> 5) | (type << 59);
}

/* Pattern n of the list (every one non-present); false past the end. */
static bool pattern(unsigned int n, uint64_t *p)
{
	static const uint64_t fixed[] = {
		SOFT,
		SOFT | PTE_NX,
		1UL << 62,
		PTE_NX,
		~PTE_P,
		PTE_ADDR,
		PTE_ADDR | SOFT | PTE_NX,
		0xfffUL & ~PTE_P,
	};

	if (n < 63) {
		*p = 1UL << (n + 1); /* each bit but present */
		return true;
	}
	n -= 63;
	if (n < 63) {
		*p = ~(1UL << (n + 1)) & ~PTE_P; /* each bit clear */
		return true;
	}
	n -= 63;
	if (n < ARRAY_SIZE(fixed)) {
		*p = fixed[n];
		return true;
	}
	n -= ARRAY_SIZE(fixed);
	if (n < 32) {
		*p = swap_entry(n % 32, n * 0x10001UL) & ~PTE_P;
		return true;
	}
	n -= 32;
	if (n < NR_RANDOM) {
		*p = rnd() & ~PTE_P;
		return true;
	}
	return false;
}

/*
 * Write entry idx = v by path n % 3: mmu_update, update_va_mapping, ptwr;
 * then drop the old translation, as a kernel would.
 */
static long write_pte(unsigned int idx, uint64_t v, unsigned int n)
{
	long rc;

	switch (n % 3) {
	case 0:
		rc = mm_update(mm_pte_ma(idx), v);
		break;
	case 1:
		rc = HYPERVISOR_update_va_mapping((uint64_t)mm_va(idx), v, 0);
		break;
	default:
		rc = mm_write64(mm_pte(idx), v) ? -EINVAL : 0;
	}
	mm_ext(MMUEXT_INVLPG_LOCAL, (uint64_t)mm_va(idx), 0);
	return rc;
}

struct tally {
	unsigned int written, present, granted, kept, unmapped;
};

/* One pattern through slot idx: see the file comment, step 1. */
static void one_pattern(unsigned int n, uint64_t p, uint64_t next,
			unsigned int idx, struct tally *t)
{
	unsigned int k = n % NR_G;
	volatile uint64_t *pte = mm_pte(idx);
	uint64_t ma = mm_pte_ma(idx), mapped;
	grant_handle_t h = 0;
	long a, b;

	a = write_pte(idx, p, n);
	b = write_pte(idx, next, n + 1);
	if (!a && !b && *pte == next && !write_pte(idx, p, n + 2) && *pte == p)
		t->written++;
	else
		CHECK(false,
		      "pattern %u (%#lx, then %#lx): %ld/%ld, entry %#lx", n, p,
		      next, a, b, *pte);
	/* Present, our own frame, with the pattern's bits 52-62. */
	if (!mm_map(idx, plain[k], PTE_PAGE_RO | (p & SOFT)) &&
	    shows(idx, plain[k]) == 1 && (*pte & SOFT) == (p & SOFT) &&
	    !write_pte(idx, p, n))
		t->present++;
	else
		CHECK(false, "pattern %u: present with bits %#lx: entry %#lx",
		      n, p & SOFT, *pte);
	/* A grant over the guest's non-present entry. */
	if (gmap((uint64_t)mm_va(idx), GNTMAP_host_map, REF0 + k, &h)) {
		CHECK(false, "pattern %u: grant map over %#lx refused", n, p);
		return;
	}
	if ((*pte & PTE_ADDR) == gframe[k] << 12 && shows(idx, gframe[k]) == 1)
		t->granted++;
	else
		CHECK(false, "pattern %u: grant over %#lx: entry %#lx", n, p,
		      *pte);
	/* Nothing the guest writes touches it. */
	mapped = *pte;
	if (mm_update(ma, p) == -EBUSY && mm_update(ma, mapped) == -EBUSY &&
	    mm_update(ma, mapped ^ (1UL << 62)) == -EBUSY &&
	    mm_update(ma, mapped & ~PTE_P) == -EBUSY &&
	    HYPERVISOR_update_va_mapping((uint64_t)mm_va(idx), 0,
					 UVMF_INVLPG) == -EBUSY &&
	    mm_write64(pte, p) == 1 && mm_write64(pte, mapped | SOFT) == 1 &&
	    *pte == mapped && shows(idx, gframe[k]) == 1)
		t->kept++;
	else
		CHECK(false, "pattern %u: the grant mapping changed: %#lx", n,
		      *pte);
	if (gunmap((uint64_t)mm_va(idx), h) == GNTST_okay && *pte == 0 &&
	    shows(idx, 0) == -1)
		t->unmapped++;
	else
		CHECK(false, "pattern %u: unmap left %#lx", n, *pte);
}

static void patterns(void)
{
	struct tally t = { 0 };
	unsigned int n;
	uint64_t p, next;

	pv_test_group("grant-pte: every pattern in non-present entries, made "
		      "present, granted over, unmapped");
	for (n = 0; pattern(n, &p); n++) {
		if (!pattern(n + 1, &next))
			next = SOFT;
		one_pattern(n, p, next, slot0 + n % NR_SLOTS, &t);
	}
	printf("grant-pte: %u patterns: %u written and overwritten, %u made "
	       "present, %u granted over, %u left alone by every rewrite, "
	       "%u unmapped\n",
	       n, t.written, t.present, t.granted, t.kept, t.unmapped);
	CHECK(t.written == n && t.present == n, "%u/%u/%u", n, t.written,
	      t.present);
	CHECK(t.granted == n && t.kept == n && t.unmapped == n, "%u/%u/%u",
	      t.granted, t.kept, t.unmapped);
	/* A grant over a present entry of ours drops that entry's refs. */
	for (unsigned int k = 0; k < NR_G; k++) {
		unsigned int idx = slot0 + k;
		grant_handle_t h = 0;

		CHECK_EQ(mm_map(idx, plain[k], PTE_PAGE_RW | SOFT), 0);
		CHECK_EQ(gmap((uint64_t)mm_va(idx),
			      GNTMAP_host_map | GNTMAP_readonly, REF0 + k, &h),
			 GNTST_okay);
		CHECK_EQ(shows(idx, gframe[k]), 1);
		CHECK_EQ(gunmap((uint64_t)mm_va(idx), h), GNTST_okay);
	}
}

/* --- Forgery ------------------------------------------------------------ */

/* A fresh L1 linked at scratch L2 entry l2i; its first page's index. */
static unsigned int link_l1(uint64_t l1, unsigned int l2i)
{
	CHECK_EQ(mm_update((mm.l2 << 12) | l2i * 8, (l1 << 12) | PTE_TABLE), 0);
	return l2i * 512;
}

static void forgery(void)
{
	unsigned int a = slot0, b = slot0 + 1, l2i = mm.nr_l1 + 4, idx;
	uint64_t l1 = mm_alloc_zeroed(), forged;
	grant_handle_t h = 0;

	pv_test_group("grant-pte: an unmap never acts on an entry we wrote");
	CHECK_EQ(gmap((uint64_t)mm_va(a), GNTMAP_host_map, REF0, &h),
		 GNTST_okay);
	/* b: our own mapping of the very frame granted, bit 62 set. */
	CHECK_EQ(mm_map(b, gframe[0], PTE_PAGE_RO | (1UL << 62)), 0);
	CHECK_EQ(gunmap((uint64_t)mm_va(b), h), GNTST_general_error);
	CHECK_EQ(shows(b, gframe[0]), 1);
	CHECK_EQ(shows(a, gframe[0]), 1);
	CHECK_EQ(gunmap((uint64_t)mm_va(a), h), GNTST_okay);
	CHECK_EQ(gunmap((uint64_t)mm_va(a), h), GNTST_bad_handle);
	CHECK_EQ(shows(b, gframe[0]), 1);
	CHECK_EQ(mm_unmap(b), 0);

	pv_test_group("grant-pte: a grant whose L1 was torn down, the L1 "
		      "rebuilt by us");
	idx = link_l1(l1, l2i) + 5;
	CHECK_EQ(gmap((uint64_t)mm_va(idx), GNTMAP_host_map, REF0 + 1, &h),
		 GNTST_okay);
	CHECK_EQ(shows(idx, gframe[1]), 1);
	/* Unlinked: the L1 loses its type, and with it the grant's refs. */
	CHECK_EQ(mm_update((mm.l2 << 12) | l2i * 8, 0), 0);
	forged = (gframe[1] << 12) | PTE_PAGE_RO | (1UL << 62);
	CHECK_EQ(mm_update((l1 << 12) | 5 * 8, forged), 0); /* plain memory */
	link_l1(l1, l2i);
	CHECK_EQ(shows(idx, gframe[1]), 1);
	/* The old handle's unmap: its mapping went with the table. */
	CHECK_EQ(gunmap((uint64_t)mm_va(idx), h), GNTST_okay);
	CHECK_EQ(shows(idx, gframe[1]), 1);
	CHECK_EQ(mm_map(tmp_idx, l1, PTE_PAGE_RO), 0);
	CHECK_EQ(mm_va(tmp_idx)[5] & ~(PTE_A | PTE_D | PTE_U), forged & ~PTE_A);
	CHECK_EQ(mm_unmap(tmp_idx), 0);
	CHECK_EQ(mm_unmap(idx), 0);
	CHECK_EQ(mm_update((mm.l2 << 12) | l2i * 8, 0), 0);
}

/* --- Exactness ------------------------------------------------------------ */

static long give_back(uint64_t *mfns, unsigned int n)
{
	struct xen_memory_reservation r = {
		.extent_start = (uint64_t)mfns,
		.nr_extents = n,
		.extent_order = 0,
		.domid = DOMID_SELF,
	};

	return HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r);
}

static void exactness(unsigned int keep)
{
	unsigned int n = NR_G - keep, freed = 0;
	long before = HYPERVISOR_memory_op(XENMEM_current_reservation,
					   &(domid_t){ DOMID_SELF });

	pv_test_group("grant-pte: every frame without a reference left");
	for (unsigned int k = keep; k < NR_G; k++) {
		uint16_t f =
		    __atomic_load_n(&gt[REF0 + k].flags, __ATOMIC_ACQUIRE);

		freed += !(f & (GTF_reading | GTF_writing)) &&
			 __atomic_compare_exchange_n(&gt[REF0 + k].flags, &f, 0,
						     false, __ATOMIC_SEQ_CST,
						     __ATOMIC_SEQ_CST);
	}
	CHECK(freed == n, "%u of %u grant entries free", freed, n);
	CHECK_EQ(give_back(gframe + keep, n), n);
	CHECK_EQ(give_back(plain, NR_G), NR_G);
	CHECK_EQ(HYPERVISOR_memory_op(XENMEM_current_reservation,
				      &(domid_t){ DOMID_SELF }),
		 before - (long)n - NR_G);
}

/* Leave keep grants mapped over entries we filled, one in a torn table. */
static void leave_mapped(unsigned int keep)
{
	grant_handle_t h = 0;
	unsigned int l2i = mm.nr_l1 + 5, idx;
	uint64_t l1 = mm_alloc_zeroed();

	pv_test_group("grant-pte: grants left mapped for the destroy");
	for (unsigned int k = 0; k < keep; k++) {
		idx = slot0 + 8 + k;
		CHECK_EQ(mm_update(mm_pte_ma(idx), swap_entry(k, ~0UL) | SOFT),
			 0);
		CHECK_EQ(
		    gmap((uint64_t)mm_va(idx), GNTMAP_host_map, REF0 + k, &h),
		    GNTST_okay);
	}
	idx = link_l1(l1, l2i) + 9;
	CHECK_EQ(mm_update((l1 << 12) | 9 * 8, ~PTE_P), 0);
	CHECK_EQ(gmap((uint64_t)mm_va(idx), GNTMAP_host_map | GNTMAP_readonly,
		      REF0, &h),
		 GNTST_okay);
	CHECK_EQ(mm_update((mm.l2 << 12) | l2i * 8, 0), 0);
}

void pv_main(void)
{
	unsigned int keep = (unsigned int)mm_arg("keep", 8);
	uint32_t port;

	me = (unsigned int)mm_arg("id", 1);
	if (keep > NR_G)
		keep = NR_G;
	port = mm_bind_victim(me);
	mm_init(4);
	CHECK_EQ(HYPERVISOR_vm_assist(VMASST_CMD_enable,
				      VMASST_TYPE_writable_pagetables),
		 0);
	setup();
	patterns();
	forgery();
	exactness(keep);
	leave_mapped(keep);
	pv_test_summary();
	mm_notify(port); /* domain 0 destroys us, mappings and all */
}
