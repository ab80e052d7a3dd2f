/*
 * Grant tables between two cooperating domains, a granter G and a grantee
 * D, with every misuse refused with Xen's status code: refs not granted,
 * granted to someone else, read-only used for writing, revoked, beyond
 * the table; copies beyond a page or into page tables; the granter's page
 * stays referenced while mapped, and the grantee loses access on unmap.
 *
 * Arguments: role=granter|grantee (1 = granter, 2 = grantee), id=N our
 * domain id, peer=M the other's id; die=1 adds a last phase: G finishes
 * and domain 0 (mm_victim destroy=G) destroys it while D keeps mapping,
 * unmapping and copying G's grants, and D then finds G gone (bad domain)
 * and still unmaps what it had mapped.
 *
 * Convention (no xenstore): G grants ref 1 to D for a mailbox page, and D
 * retries mapping it until G has. Through the mailbox, G and D step
 * through phases (g_step, d_step), and G passes the frames it granted.
 * Both tell the victim (domain 0) when done, as mmtest.h describes.
 */
#include "mmtest.h"

#define EINVAL 22
#define ROLE_GRANTER 1

#define MAILBOX_REF 1
#define REF_RW 10 /* frame A, writable */
#define REF_RO 11 /* frame B, read-only */
#define REF_OTHER 12 /* frame C, granted to domain 0 */
#define REF_NONE 13 /* not granted (flags 0) */
#define REF_FOREIGN 14 /* names a frame that is not G's */
#define REF_TABLE 15 /* names G's own L1 page table, writable */
#define REF_COPY 16 /* frame E, for copies */
#define REF_KEEP 17 /* frame F, D keeps it mapped for a while */
#define REF_ACCEPT 20 /* accepts a transfer from D */
#define REF_DEVICE 21 /* frame H, device-mapped by D */
#define REF_DEATH 22 /* die=1: granted as G is destroyed */

struct mailbox {
	volatile uint32_t g_step, d_step;
	volatile uint64_t mfn_a, mfn_h, mfn_f, table_mfn, victim_mfn;
	volatile uint64_t transferred; /* D's frame given to G */
	volatile uint64_t hammered; /* die=1: D's map/copy rounds so far */
};

static unsigned int me, peer, die;
static struct mailbox *mb;
static uint64_t victim_mfn;

static void wait_step(volatile uint32_t *step, uint32_t want)
{
	uint64_t deadline = pv_now() + 120000000000UL;

	while (__atomic_load_n(step, __ATOMIC_ACQUIRE) < want) {
		if (pv_now() > deadline)
			pv_panic("peer never reached step %u", want);
		mm_yield();
	}
}

static void set_step(volatile uint32_t *step, uint32_t v)
{
	__atomic_store_n(step, v, __ATOMIC_RELEASE);
}

static bool is_own(uint64_t mfn)
{
	for (uint64_t pfn = 0; pfn < start_info->nr_pages; pfn++)
		if (pv_p2m[pfn] == mfn)
			return true;
	return false;
}

static uint64_t find_foreign_frame(void)
{
	uint64_t max =
	    (uint64_t)HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);

	for (uint64_t mfn = 0x100; mfn < max; mfn++)
		if (mm_m2p(mfn) != MM_M2P_INVALID && !is_own(mfn))
			return mfn;
	pv_panic("no foreign frame");
}

static void fill(unsigned int idx, uint64_t mfn, int c)
{
	if (mm_map(idx, mfn, PTE_PAGE_RW))
		pv_panic("cannot map %#lx", mfn);
	memset(mm_va(idx), c, 4096);
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

static long reservation(void)
{
	domid_t self = DOMID_SELF;

	return HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
}

/* --- Grant operations -------------------------------------------------- */

static int16_t gmap(uint64_t addr, uint32_t flags, grant_ref_t ref, domid_t dom,
		    grant_handle_t *handle, uint64_t *bus)
{
	struct gnttab_map_grant_ref m = {
		.host_addr = addr,
		.flags = flags,
		.ref = ref,
		.dom = dom,
		.status = 99,
	};

	if (HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &m, 1))
		return 99;
	if (handle)
		*handle = m.handle;
	if (bus)
		*bus = m.dev_bus_addr;
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

static int16_t gcopy(uint64_t src, domid_t sdom, uint16_t soff, uint64_t dst,
		     domid_t ddom, uint16_t doff, uint16_t len, uint16_t flags)
{
	struct gnttab_copy c = { .len = len, .flags = flags, .status = 99 };

	c.source.domid = sdom;
	c.source.offset = soff;
	c.dest.domid = ddom;
	c.dest.offset = doff;
	if (flags & GNTCOPY_source_gref)
		c.source.u.ref = (grant_ref_t)src;
	else
		c.source.u.gmfn = src;
	if (flags & GNTCOPY_dest_gref)
		c.dest.u.ref = (grant_ref_t)dst;
	else
		c.dest.u.gmfn = dst;
	if (HYPERVISOR_grant_table_op(GNTTABOP_copy, &c, 1))
		return 99;
	return c.status;
}

static int16_t gtransfer(uint64_t mfn, domid_t dom, grant_ref_t ref)
{
	struct gnttab_transfer t = {
		.mfn = mfn, .domid = dom, .ref = ref, .status = 99
	};

	if (HYPERVISOR_grant_table_op(GNTTABOP_transfer, &t, 1))
		return 99;
	return t.status;
}

/* Our grant table, mapped writable at scratch page idx. */
static struct grant_entry_v1 *map_grant_table(unsigned int idx)
{
	uint64_t frame = 0;
	struct gnttab_setup_table st = { DOMID_SELF, 1, 0, (uint64_t)&frame };
	struct gnttab_query_size q = { DOMID_SELF, 0, 0, 0 };
	struct gnttab_get_version gv = { DOMID_SELF, 0, 0 };
	struct gnttab_set_version sv = { 1 };

	CHECK_EQ(HYPERVISOR_grant_table_op(GNTTABOP_set_version, &sv, 1), 0);
	CHECK_EQ(HYPERVISOR_grant_table_op(GNTTABOP_get_version, &gv, 1), 0);
	CHECK_EQ(gv.version, 1);
	CHECK_EQ(HYPERVISOR_grant_table_op(GNTTABOP_query_size, &q, 1), 0);
	CHECK_EQ(q.status, GNTST_okay);
	CHECK(q.nr_frames >= 1 && q.max_nr_frames >= q.nr_frames,
	      "%u of %u frames", q.nr_frames, q.max_nr_frames);
	if (HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1) ||
	    st.status || mm_map(idx, frame, PTE_PAGE_RW))
		pv_panic("cannot set up the grant table");
	return (struct grant_entry_v1 *)mm_va(idx);
}

static void grant(struct grant_entry_v1 *gt, grant_ref_t ref, uint16_t flags,
		  domid_t dom, uint64_t frame)
{
	gt[ref].domid = dom;
	gt[ref].frame = (uint32_t)frame;
	__atomic_store_n(&gt[ref].flags, flags, __ATOMIC_RELEASE);
}

/* End access as a frontend does: only if the grantee uses it no more. */
static bool revoke(struct grant_entry_v1 *gt, grant_ref_t ref)
{
	uint16_t flags = __atomic_load_n(&gt[ref].flags, __ATOMIC_ACQUIRE);

	if (flags & (GTF_reading | GTF_writing))
		return false;
	return __atomic_compare_exchange_n(&gt[ref].flags, &flags, 0, false,
					   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

/* --- The granter --------------------------------------------------------- */

enum {
	GT_IDX,
	MB_IDX,
	A_IDX,
	B_IDX,
	C_IDX,
	E_IDX,
	F_IDX,
	H_IDX,
	X_IDX,
	NR_IDX
};

static void granter(void)
{
	unsigned int base = mm_alloc_idx(NR_IDX);
	struct grant_entry_v1 *gt = map_grant_table(base + GT_IDX);
	uint64_t mbox = mm_alloc(), a = mm_alloc(), b = mm_alloc();
	uint64_t c = mm_alloc(), e = mm_alloc(), f = mm_alloc(), h = mm_alloc();
	long before;

	pv_test_group("granter: set up the mailbox and the grants");
	fill(base + MB_IDX, mbox, 0);
	mb = (struct mailbox *)mm_va(base + MB_IDX);
	fill(base + A_IDX, a, 'A');
	fill(base + B_IDX, b, 'B');
	fill(base + C_IDX, c, 'C');
	fill(base + E_IDX, e, 'E');
	fill(base + F_IDX, f, 'F');
	fill(base + H_IDX, h, 'H');
	/* H is only ever mapped by D (as a device would). */
	mm_unmap(base + H_IDX);
	/* A transfer needs room in our reservation: give one frame back. */
	CHECK_EQ(decrease(mm_alloc()), 1);
	mb->mfn_a = a;
	mb->mfn_h = h;
	mb->mfn_f = f;
	mb->table_mfn = mm.l1[0];
	mb->victim_mfn = victim_mfn;
	grant(gt, REF_RW, GTF_permit_access, peer, a);
	grant(gt, REF_RO, GTF_permit_access | GTF_readonly, peer, b);
	grant(gt, REF_OTHER, GTF_permit_access, 0, c);
	grant(gt, REF_NONE, 0, peer, a);
	grant(gt, REF_FOREIGN, GTF_permit_access, peer, victim_mfn);
	grant(gt, REF_TABLE, GTF_permit_access, peer, mm.l1[0]);
	grant(gt, REF_COPY, GTF_permit_access, peer, e);
	grant(gt, REF_KEEP, GTF_permit_access, peer, f);
	grant(gt, REF_ACCEPT, GTF_accept_transfer, peer, 0);
	grant(gt, REF_DEVICE, GTF_permit_access, peer, h);
	grant(gt, MAILBOX_REF, GTF_permit_access, peer, mbox);
	set_step(&mb->g_step, 1);

	wait_step(&mb->d_step, 1);
	pv_test_group("granter: what the grantee did through its mapping");
	CHECK_EQ(*(volatile uint8_t *)mm_va(base + A_IDX), 'D');
	CHECK_EQ(gt[REF_RW].flags & (GTF_reading | GTF_writing), 0);
	CHECK_EQ(gt[REF_KEEP].flags & (GTF_reading | GTF_writing),
		 GTF_reading | GTF_writing);
	CHECK(!revoke(gt, REF_KEEP), "revoked a grant in use");
	/* While D maps it, F cannot leave us. */
	mm_unmap(base + F_IDX);
	CHECK_EQ(decrease(f), 0);
	CHECK(revoke(gt, REF_RW), "cannot revoke an unused grant");
	set_step(&mb->g_step, 2);

	wait_step(&mb->d_step, 2);
	pv_test_group("granter: copies, transfer and device mappings");
	/* The copy into our page table was refused: entry 0 unchanged. */
	CHECK_EQ(*mm_pte(0) & PTE_ADDR, mm.l1[0] << 12);
	CHECK_EQ(((volatile uint8_t *)mm_va(base + E_IDX))[8], 'L');
	CHECK_EQ(((volatile uint8_t *)mm_va(base + E_IDX))[107], 'L');
	CHECK_EQ(((volatile uint8_t *)mm_va(base + E_IDX))[108], 'E');
	CHECK_EQ(((volatile uint8_t *)mm_va(base + E_IDX))[7], 'E');
	/* The transferred frame is ours now. */
	CHECK_EQ(gt[REF_ACCEPT].flags &
		     (GTF_transfer_committed | GTF_transfer_completed),
		 GTF_transfer_committed | GTF_transfer_completed);
	CHECK_EQ(gt[REF_ACCEPT].frame, (uint32_t)mb->transferred);
	CHECK_EQ(mm_map(base + X_IDX, gt[REF_ACCEPT].frame, PTE_PAGE_RW), 0);
	CHECK_EQ(*(volatile uint8_t *)mm_va(base + X_IDX), 'X');
	mm_unmap(base + X_IDX);
	/* H is device-mapped writable by D: it stays ours, and untypable. */
	CHECK_EQ(gt[REF_DEVICE].flags & GTF_writing, GTF_writing);
	CHECK_EQ(decrease(h), 0);
	CHECK_EQ(mm_ext(MMUEXT_PIN_L1_TABLE, h, 0), -EINVAL);
	CHECK_EQ(decrease(f), 0);
	set_step(&mb->g_step, 3);

	wait_step(&mb->d_step, 3);
	pv_test_group("granter: after the grantee unmapped, frames are free");
	CHECK_EQ(gt[REF_KEEP].flags & (GTF_reading | GTF_writing), 0);
	CHECK_EQ(gt[REF_DEVICE].flags & (GTF_reading | GTF_writing), 0);
	before = reservation();
	CHECK_EQ(decrease(f), 1);
	CHECK_EQ(decrease(h), 1);
	CHECK_EQ(reservation(), before - 2);
	set_step(&mb->g_step, 4);
	wait_step(&mb->d_step, 4);
	if (die) {
		/* D maps REF_DEATH and hammers; we finish and get destroyed. */
		grant(gt, REF_DEATH, GTF_permit_access, peer, mm_alloc());
		set_step(&mb->g_step, 5);
		wait_step(&mb->d_step, 5);
		while (mb->hammered < 200)
			mm_spin_ms(1);
	}
}

/* --- The grantee ---------------------------------------------------------- */

/*
 * die=1: map, unmap and copy G's grant in a loop while domain 0 destroys
 * G; every call must either work or say the domain is bad, and what was
 * mapped before must still unmap.
 */
static void grantee_outlives_granter(unsigned int base, grant_handle_t hmb)
{
	uint64_t va = (uint64_t)mm_va(base + A_IDX), x = mm_alloc(), v;
	uint64_t va2 = (uint64_t)mm_va(base + B_IDX);
	uint64_t deadline = pv_now() + 90000000000UL;
	unsigned long maps = 0, copies = 0, odd = 0;
	grant_handle_t hd = 0, h2 = 0;
	int16_t st = 0, cst;

	wait_step(&mb->g_step, 5);
	pv_test_group("grantee: the granter is destroyed under our feet");
	CHECK_EQ(gmap(va, GNTMAP_host_map, REF_DEATH, peer, &hd, NULL),
		 GNTST_okay);
	set_step(&mb->d_step, 5);
	while (pv_now() < deadline) {
		st = gmap(va2, GNTMAP_host_map, REF_DEATH, peer, &h2, NULL);
		if (st == GNTST_okay) {
			maps++;
			odd += gunmap(va2, h2) != GNTST_okay;
		} else if (st != GNTST_bad_domain) {
			odd++;
		}
		cst = gcopy(REF_DEATH, (domid_t)peer, 0, x, DOMID_SELF, 0, 64,
			    GNTCOPY_source_gref);
		if (cst == GNTST_okay)
			copies++;
		else if (cst != GNTST_bad_domain)
			odd++;
		mb->hammered++;
		if (st == GNTST_bad_domain && cst == GNTST_bad_domain)
			break;
	}
	printf("grantee: %lu maps and %lu copies while the granter died\n",
	       maps, copies);
	CHECK_EQ(st, GNTST_bad_domain);
	CHECK(odd == 0, "%lu calls failed otherwise", odd);
	CHECK_EQ(mm_read64((volatile uint64_t *)va, &v), 0); /* still mapped */
	CHECK_EQ(gunmap(va, hd), GNTST_okay);
	CHECK_EQ(mm_read64((volatile uint64_t *)va, &v), 1);
	CHECK_EQ(gunmap(va, hd), GNTST_bad_handle);
	CHECK_EQ(gunmap((uint64_t)mm_va(base + MB_IDX), hmb), GNTST_okay);
}

static void grantee(void)
{
	unsigned int base = mm_alloc_idx(NR_IDX + 4);
	unsigned int va_idx = base + A_IDX, va2_idx = base + B_IDX;
	uint64_t va = (uint64_t)mm_va(va_idx), va2 = (uint64_t)mm_va(va2_idx);
	uint64_t bus = 0, v, l = mm_alloc(), lsrc = mm_alloc(), x = mm_alloc();
	uint64_t self_frame = mm_alloc();
	grant_handle_t hmb = 0, h = 0, h2 = 0, hkeep = 0, hdev = 0;
	struct grant_entry_v1 *gt = map_grant_table(base + GT_IDX);
	uint64_t deadline = pv_now() + 120000000000UL;
	long before;
	int16_t st;

	/* The mailbox: G grants it when it is ready. */
	while ((st = gmap((uint64_t)mm_va(base + MB_IDX), GNTMAP_host_map,
			  MAILBOX_REF, (domid_t)peer, &hmb, NULL)) != 0) {
		if (pv_now() > deadline)
			pv_panic("granter never granted the mailbox (%d)", st);
		mm_spin_ms(2);
	}
	mb = (struct mailbox *)mm_va(base + MB_IDX);
	wait_step(&mb->g_step, 1);

	pv_test_group("grantee: refs it may not map");
	CHECK_EQ(gmap(va, GNTMAP_host_map, REF_NONE, peer, NULL, NULL),
		 GNTST_general_error);
	CHECK_EQ(gmap(va, GNTMAP_host_map, REF_OTHER, peer, NULL, NULL),
		 GNTST_general_error);
	CHECK_EQ(gmap(va, GNTMAP_host_map, REF_RO, peer, NULL, NULL),
		 GNTST_general_error);
	CHECK_EQ(gmap(va, GNTMAP_host_map, 600, peer, NULL, NULL),
		 GNTST_bad_gntref);
	CHECK_EQ(gmap(va, GNTMAP_host_map, 0xffffffff, peer, NULL, NULL),
		 GNTST_bad_gntref);
	CHECK_EQ(gmap(va, 0, REF_RW, peer, NULL, NULL), GNTST_bad_gntref);
	CHECK_EQ(gmap(va, GNTMAP_host_map, REF_RW, 55, NULL, NULL),
		 GNTST_bad_domain);
	CHECK_EQ(gmap(va, GNTMAP_host_map, REF_RW, 0, NULL, NULL),
		 GNTST_general_error); /* domain 0 granted us nothing */
	CHECK_EQ(gmap(va, GNTMAP_host_map, REF_FOREIGN, peer, NULL, NULL),
		 GNTST_bad_page);
	CHECK_EQ(gmap(va, GNTMAP_host_map, REF_TABLE, peer, NULL, NULL),
		 GNTST_general_error); /* a page table, writable */
	CHECK_EQ(gmap(MM_HV_PTR, GNTMAP_host_map, REF_RW, peer, NULL, NULL),
		 GNTST_general_error);
	CHECK_EQ(gmap(0x0000700000000000UL, GNTMAP_host_map, REF_RW, peer, NULL,
		      NULL),
		 GNTST_general_error);
	CHECK_EQ(gmap(mm.l4_mfn << 12, GNTMAP_host_map | GNTMAP_contains_pte,
		      REF_RW, peer, NULL, NULL),
		 GNTST_general_error);
	CHECK_EQ(gmap(mb->victim_mfn << 12,
		      GNTMAP_host_map | GNTMAP_contains_pte, REF_RW, peer, NULL,
		      NULL),
		 GNTST_general_error);
	/* None of those left a mapping or a pin behind. */
	CHECK_EQ(mm_read64((volatile uint64_t *)va, &v), 1);

	pv_test_group("grantee: read-only grants and page tables, read-only");
	CHECK_EQ(
	    gmap(va, GNTMAP_host_map | GNTMAP_readonly, REF_RO, peer, &h, NULL),
	    GNTST_okay);
	CHECK_EQ(*(volatile uint8_t *)va, 'B');
	CHECK_EQ(mm_write64((volatile uint64_t *)va, 0), 1);
	CHECK_EQ(gunmap(va, h), GNTST_okay);
	CHECK_EQ(gmap(va, GNTMAP_host_map | GNTMAP_readonly, REF_TABLE, peer,
		      &h, NULL),
		 GNTST_okay);
	CHECK_EQ(mm_read64((volatile uint64_t *)va, &v), 0);
	CHECK_EQ(v & PTE_ADDR, mb->table_mfn << 12);
	CHECK_EQ(gunmap(va, h), GNTST_okay);

	pv_test_group("grantee: map, write, contains_pte, unmap");
	CHECK_EQ(gmap(va, GNTMAP_host_map, REF_RW, peer, &h, &bus), GNTST_okay);
	CHECK_EQ(bus, mb->mfn_a << 12);
	CHECK_EQ(*(volatile uint8_t *)va, 'A');
	*(volatile uint8_t *)va = 'D';
	/* The grant PTE is the grant code's: no other update may change it. */
	CHECK(mm_update(mm_pte_ma(va_idx), 0) != 0, "mmu_update over a grant");
	CHECK(HYPERVISOR_update_va_mapping(va, 0, UVMF_INVLPG) != 0,
	      "update_va_mapping over a grant");
	CHECK_EQ(gmap(va, GNTMAP_host_map, REF_RW, peer, NULL, NULL),
		 GNTST_general_error); /* the slot holds a grant already */
	/* Our own page tables may not map the frame by MFN. */
	CHECK_EQ(mm_map(va2_idx, mb->mfn_a, PTE_PAGE_RO), -EINVAL);
	CHECK_EQ(gmap(mm_pte_ma(va2_idx), GNTMAP_host_map | GNTMAP_contains_pte,
		      REF_RW, peer, &h2, NULL),
		 GNTST_okay);
	CHECK_EQ(*(volatile uint8_t *)va2, 'D');
	CHECK_EQ(gunmap(va2, h2), GNTST_okay);
	CHECK_EQ(gunmap(va, h), GNTST_okay);
	CHECK_EQ(mm_read64((volatile uint64_t *)va, &v), 1);
	CHECK_EQ(mm_read64((volatile uint64_t *)va2, &v), 1);
	CHECK_EQ(gunmap(va, h), GNTST_bad_handle);
	CHECK_EQ(gunmap(va, 5000), GNTST_bad_handle);
	CHECK_EQ(mm_map(va_idx, mb->mfn_a, PTE_PAGE_RO), -EINVAL);
	/* Keep F mapped: G must not be able to take it back meanwhile. */
	CHECK_EQ(gmap(va2, GNTMAP_host_map, REF_KEEP, peer, &hkeep, NULL),
		 GNTST_okay);
	CHECK_EQ(*(volatile uint8_t *)va2, 'F');
	/* Our own grants we may map, by our id (Xen refuses DOMID_SELF). */
	fill(base + NR_IDX, self_frame, 'S');
	mm_unmap(base + NR_IDX);
	grant(gt, 5, GTF_permit_access, (domid_t)me, self_frame);
	CHECK_EQ(gmap(va, GNTMAP_host_map, 5, DOMID_SELF, &h, NULL),
		 GNTST_bad_domain);
	CHECK_EQ(gmap(va, GNTMAP_host_map, 5, (domid_t)me, &h, NULL),
		 GNTST_okay);
	CHECK_EQ(*(volatile uint8_t *)va, 'S');
	CHECK_EQ(gunmap(va, h), GNTST_okay);
	set_step(&mb->d_step, 1);

	wait_step(&mb->g_step, 2);
	pv_test_group("grantee: revoked grants, copies");
	CHECK_EQ(gmap(va, GNTMAP_host_map, REF_RW, peer, NULL, NULL),
		 GNTST_general_error);
	CHECK_EQ(
	    gcopy(REF_RW, peer, 0, l, DOMID_SELF, 0, 8, GNTCOPY_source_gref),
	    GNTST_general_error);
	/* Copy 4 KiB in, and 100 bytes out. */
	CHECK_EQ(gcopy(REF_COPY, peer, 0, l, DOMID_SELF, 0, 4096,
		       GNTCOPY_source_gref),
		 GNTST_okay);
	CHECK_EQ(mm_map(base + NR_IDX, l, PTE_PAGE_RO), 0);
	CHECK_EQ(((volatile uint8_t *)mm_va(base + NR_IDX))[4095], 'E');
	mm_unmap(base + NR_IDX);
	fill(base + NR_IDX, lsrc, 'L');
	mm_unmap(base + NR_IDX);
	CHECK_EQ(gcopy(lsrc, DOMID_SELF, 0, REF_COPY, peer, 8, 100,
		       GNTCOPY_dest_gref),
		 GNTST_okay);
	/* Beyond a page, on either side. */
	CHECK_EQ(gcopy(REF_COPY, peer, 4000, l, DOMID_SELF, 0, 200,
		       GNTCOPY_source_gref),
		 GNTST_bad_copy_arg);
	CHECK_EQ(gcopy(lsrc, DOMID_SELF, 0, REF_COPY, peer, 4095, 2,
		       GNTCOPY_dest_gref),
		 GNTST_bad_copy_arg);
	CHECK_EQ(gcopy(lsrc, DOMID_SELF, 0xffff, l, DOMID_SELF, 0, 0xffff, 0),
		 GNTST_bad_copy_arg);
	/* Into a read-only grant, a page table (G's or ours), not our frames. */
	CHECK_EQ(
	    gcopy(lsrc, DOMID_SELF, 0, REF_RO, peer, 0, 8, GNTCOPY_dest_gref),
	    GNTST_general_error);
	CHECK_EQ(gcopy(lsrc, DOMID_SELF, 0, REF_TABLE, peer, 0, 8,
		       GNTCOPY_dest_gref),
		 GNTST_general_error);
	CHECK_EQ(gcopy(lsrc, DOMID_SELF, 0, mm.l1[0], DOMID_SELF, 0, 8, 0),
		 GNTST_general_error);
	CHECK_EQ(gcopy(lsrc, DOMID_SELF, 0, mm.l4_mfn, DOMID_SELF, 0, 8, 0),
		 GNTST_general_error);
	CHECK_EQ(gcopy(mb->victim_mfn, DOMID_SELF, 0, l, DOMID_SELF, 0, 8, 0),
		 GNTST_bad_page);
	CHECK_EQ(
	    gcopy(lsrc, DOMID_SELF, 0, mb->victim_mfn, DOMID_SELF, 0, 8, 0),
	    GNTST_bad_page);
	CHECK_EQ(gcopy(mb->mfn_a, peer, 0, l, DOMID_SELF, 0, 8, 0),
		 GNTST_permission_denied);
	CHECK_EQ(
	    gcopy(REF_COPY, 55, 0, l, DOMID_SELF, 0, 8, GNTCOPY_source_gref),
	    GNTST_bad_domain);
	CHECK_EQ(gcopy(lsrc, DOMID_SELF, 0, 600, peer, 0, 8, GNTCOPY_dest_gref),
		 GNTST_bad_gntref);

	pv_test_group("grantee: transfer a page to the granter");
	fill(base + NR_IDX, x, 'X');
	CHECK_EQ(gtransfer(x, peer, REF_ACCEPT), GNTST_bad_page); /* mapped */
	mm_unmap(base + NR_IDX);
	CHECK(gtransfer(x, peer, REF_RW) != GNTST_okay,
	      "transfer to a non-accepting ref");
	CHECK_EQ(gtransfer(x, 55, REF_ACCEPT), GNTST_bad_domain);
	CHECK_EQ(gtransfer(mb->victim_mfn, peer, REF_ACCEPT), GNTST_bad_page);
	CHECK_EQ(gtransfer(mm.l1[0], peer, REF_ACCEPT), GNTST_bad_page);
	before = reservation();
	mb->transferred = x;
	CHECK_EQ(gtransfer(x, peer, REF_ACCEPT), GNTST_okay);
	CHECK_EQ(reservation(), before - 1);
	CHECK_EQ(mm_map(base + NR_IDX, x, PTE_PAGE_RO), -EINVAL);
	CHECK_EQ(gtransfer(x, peer, REF_ACCEPT), GNTST_bad_page); /* not ours */

	pv_test_group("grantee: device mappings hold the frame too");
	CHECK_EQ(gmap(0, GNTMAP_device_map, REF_DEVICE, peer, &hdev, &bus),
		 GNTST_okay);
	CHECK_EQ(bus, mb->mfn_h << 12);
	set_step(&mb->d_step, 2);

	wait_step(&mb->g_step, 3);
	CHECK_EQ(gunmap(va2, hkeep), GNTST_okay);
	CHECK_EQ(mm_read64((volatile uint64_t *)va2, &v), 1);
	CHECK_EQ(gunmap(0, hdev), GNTST_okay);
	set_step(&mb->d_step, 3);

	wait_step(&mb->g_step, 4);
	pv_test_group("grantee: a grant of a frame given back maps nothing");
	CHECK_EQ(gmap(va, GNTMAP_host_map, REF_KEEP, peer, NULL, NULL),
		 GNTST_bad_page);
	CHECK_EQ(gmap(0, GNTMAP_device_map, REF_DEVICE, peer, NULL, NULL),
		 GNTST_bad_page);
	set_step(&mb->d_step, 4);
	if (die) {
		grantee_outlives_granter(base, hmb);
		return;
	}
	CHECK_EQ(gunmap((uint64_t)mm_va(base + MB_IDX), hmb), GNTST_okay);
}

void pv_main(void)
{
	unsigned int role = (unsigned int)mm_arg("role", ROLE_GRANTER);
	uint32_t port;

	me = (unsigned int)mm_arg("id", 1);
	peer = (unsigned int)mm_arg("peer", 2);
	die = (unsigned int)mm_arg("die", 0);
	port = mm_bind_victim(me);
	mm_init(4);
	victim_mfn = find_foreign_frame();
	if (role == ROLE_GRANTER)
		granter();
	else
		grantee();
	pv_test_summary();
	mm_notify(port);
}
