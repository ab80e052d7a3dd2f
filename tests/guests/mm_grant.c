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
 * and still unmaps what it had mapped; reuse=1 (with mm_victim reuse=D)
 * then maps the same ref of the new domain that got G's id, and unmaps
 * its old mapping without touching the new domain's grant.
 *
 * Convention (no xenstore): G grants ref 1 to D for a mailbox page, and D
 * retries mapping it until G has. Through the mailbox, G and D step
 * through phases (g_step, d_step), and G passes the frames it granted.
 * Both tell the victim (domain 0) when done, as mmtest.h describes.
 */
#include "mmtest.h"

#define EPERM 1
#define ESRCH 3
#define EBUSY 16
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
#define REF_DEATH MM_REF_REUSE /* die=1: granted as G is destroyed */
#define REF_BOTH 23 /* frame K: D maps it host and device in one op */
#define REF_V2 24 /* version 2: frame V, writable */
#define REF_ACCEPT2 25 /* version 2: accepts a transfer */
#define REF_SUB 26 /* version 2: bytes 100..149 of frame V */
#define REF_RACE 27 /* frame R: G pins it as an L1 while D maps it */
#define REF_MANY 100 /* D's own refs 100..499, for many mappings */
#define NR_MANY 400
#define REF_LIMIT 99 /* D's own, for the pin limit */

struct mailbox {
	volatile uint32_t g_step, d_step;
	volatile uint64_t mfn_a, mfn_h, mfn_f, mfn_k, table_mfn, victim_mfn;
	volatile uint64_t transferred; /* D's frame given to G */
	volatile uint64_t transferred2; /* ... into a version 2 entry */
	volatile uint64_t hammered; /* die=1: D's map/copy rounds so far */
	/* The type race: who holds frame R, as each side last saw itself. */
	volatile uint32_t race_go, race_pinned, race_mapped, race_g_done,
	    race_d_done;
};

static unsigned int me, peer, die, reuse;
static uint32_t victim_port;
static struct mailbox *mb;
static uint64_t victim_mfn, mb_mfn;

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

/* Unmap what addr (a host mapping) and bus (a device mapping) name. */
static int16_t gunmap_bus(uint64_t addr, uint64_t bus, grant_handle_t handle)
{
	struct gnttab_unmap_grant_ref u = { .host_addr = addr,
					    .dev_bus_addr = bus,
					    .handle = handle,
					    .status = 99 };

	if (HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1))
		return 99;
	return u.status;
}

static int16_t gunmap(uint64_t addr, grant_handle_t handle)
{
	return gunmap_bus(addr, 0, handle);
}

static int16_t greplace(uint64_t addr, uint64_t new_addr,
			grant_handle_t handle)
{
	struct gnttab_unmap_and_replace u = { .host_addr = addr,
					      .new_addr = new_addr,
					      .handle = handle,
					      .status = 99 };

	if (HYPERVISOR_grant_table_op(GNTTABOP_unmap_and_replace, &u, 1))
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

/* Scratch pages of the granter (the grantee uses the same layout). */
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
	S_IDX, /* version 2: the status frame */
	V_IDX, /* version 2: frame V */
	NR_IDX
};

/* --- Version 2 ------------------------------------------------------------ */

static long set_version(uint32_t *version)
{
	struct gnttab_set_version v = { *version };
	long rc = HYPERVISOR_grant_table_op(GNTTABOP_set_version, &v, 1);

	*version = v.version;
	return rc;
}

static int16_t gswap(grant_ref_t a, grant_ref_t b)
{
	struct gnttab_swap_grant_ref s = { a, b, 99 };

	if (HYPERVISOR_grant_table_op(GNTTABOP_swap_grant_ref, &s, 1))
		return 99;
	return s.status;
}

static uint32_t get_version(domid_t dom, long *rc)
{
	struct gnttab_get_version v = { dom, 0, 99 };

	*rc = HYPERVISOR_grant_table_op(GNTTABOP_get_version, &v, 1);
	return v.version;
}

static int16_t status_frames(uint32_t n, uint64_t *frames)
{
	struct gnttab_get_status_frames s = { n, DOMID_SELF, 99,
					      (uint64_t)frames };

	if (HYPERVISOR_grant_table_op(GNTTABOP_get_status_frames, &s, 1))
		return 99;
	return s.status;
}

/*
 * G switches to version 2 while D still maps the mailbox (a reserved
 * entry, which survives the switch); D maps, copies and transfers into
 * version 2 entries; G sees the marks in the status frame, cannot switch
 * back while a grant is in use, and switches back once D unmapped.
 */
static void granter_v2(unsigned int base, struct grant_entry_v1 *gt)
{
	union grant_entry_v2 *g2 = (union grant_entry_v2 *)gt;
	const uint16_t rw = GTF_reading | GTF_writing;
	uint64_t status_mfn = 0, v = mm_alloc();
	volatile uint16_t *st = (volatile uint16_t *)mm_va(base + S_IDX);
	uint32_t ver = 2, left = 0;
	long rc;

	pv_test_group("granter: version 2");
	CHECK_EQ(set_version(&ver), 0);
	CHECK_EQ(ver, 2);
	CHECK_EQ(get_version(DOMID_SELF, &rc), 2);
	CHECK_EQ(rc, 0);
	CHECK_EQ(status_frames(2, &status_mfn), GNTST_general_error);
	CHECK_EQ(status_frames(1, &status_mfn), GNTST_okay);
	CHECK_EQ(mm_map(base + S_IDX, status_mfn, PTE_PAGE_RO), 0);
	/* The mailbox (ref 1, reserved) kept, its marks in the status. */
	CHECK_EQ(g2[MAILBOX_REF].hdr.flags, GTF_permit_access);
	CHECK_EQ(g2[MAILBOX_REF].hdr.domid, peer);
	CHECK_EQ(g2[MAILBOX_REF].full_page.frame, mb_mfn);
	CHECK_EQ(st[MAILBOX_REF], rw);
	/* Entries beyond the reserved ones were cleared. */
	for (grant_ref_t r = GNTTAB_NR_RESERVED_ENTRIES; r < 256; r++)
		left |= g2[r].__spacer[0] | g2[r].__spacer[1] |
			g2[r].__spacer[2] | g2[r].__spacer[3];
	CHECK_EQ(left, 0);
	fill(base + V_IDX, v, 'V');
	CHECK_EQ(decrease(mm_alloc()), 1); /* room for the transfer */
	g2[REF_V2].full_page.frame = v;
	g2[REF_V2].hdr.domid = (domid_t)peer;
	__atomic_store_n(&g2[REF_V2].hdr.flags, GTF_permit_access,
			 __ATOMIC_RELEASE);
	g2[REF_SUB].sub_page.frame = v;
	g2[REF_SUB].sub_page.page_off = 100;
	g2[REF_SUB].sub_page.length = 50;
	g2[REF_SUB].hdr.domid = (domid_t)peer;
	__atomic_store_n(&g2[REF_SUB].hdr.flags,
			 GTF_permit_access | GTF_sub_page, __ATOMIC_RELEASE);
	g2[REF_ACCEPT2].hdr.domid = (domid_t)peer;
	__atomic_store_n(&g2[REF_ACCEPT2].hdr.flags, GTF_accept_transfer,
			 __ATOMIC_RELEASE);
	set_step(&mb->g_step, 5);

	wait_step(&mb->d_step, 5);
	pv_test_group("granter: version 2 marks in the status frame");
	CHECK_EQ(st[REF_V2], rw);
	CHECK_EQ(g2[REF_V2].hdr.flags, GTF_permit_access);
	CHECK_EQ(((volatile uint8_t *)mm_va(base + V_IDX))[1], 'W');
	/* D copied into the sub-page grant: bytes 120..129 only. */
	CHECK_EQ(((volatile uint8_t *)mm_va(base + V_IDX))[119], 'V');
	CHECK_EQ(((volatile uint8_t *)mm_va(base + V_IDX))[120], 's');
	CHECK_EQ(((volatile uint8_t *)mm_va(base + V_IDX))[129], 's');
	CHECK_EQ(((volatile uint8_t *)mm_va(base + V_IDX))[130], 'V');
	CHECK_EQ(((volatile uint8_t *)mm_va(base + V_IDX))[149], 'V');
	CHECK_EQ(st[REF_SUB], 0); /* the copies are over */
	CHECK_EQ(g2[REF_ACCEPT2].hdr.flags,
		 GTF_accept_transfer | GTF_transfer_committed |
		     GTF_transfer_completed);
	CHECK_EQ(g2[REF_ACCEPT2].full_page.frame, mb->transferred2);
	ver = 1;
	CHECK_EQ(set_version(&ver), -EBUSY); /* REF_V2 is mapped */
	CHECK_EQ(ver, 2);
	set_step(&mb->g_step, 6);

	wait_step(&mb->d_step, 6);
	pv_test_group("granter: back to version 1");
	CHECK_EQ(st[REF_V2], 0);
	mm_unmap(base + S_IDX);
	ver = 1;
	CHECK_EQ(set_version(&ver), 0);
	CHECK_EQ(ver, 1);
	CHECK_EQ(get_version(DOMID_SELF, &rc), 1);
	CHECK_EQ(gt[MAILBOX_REF].flags, GTF_permit_access | rw);
	CHECK_EQ(gt[MAILBOX_REF].domid, peer);
	CHECK_EQ(gt[MAILBOX_REF].frame, (uint32_t)mb_mfn);
	CHECK_EQ(gt[REF_V2].flags | gt[REF_ACCEPT2].flags | gt[REF_SUB].flags,
		 0);
	CHECK_EQ(status_frames(1, &status_mfn), GNTST_general_error);
	CHECK_EQ(status_frames(0, &status_mfn), GNTST_okay);
	set_step(&mb->g_step, 7); /* D may unmap the mailbox now */
}

/* Version rules on our own table (it stays at version 1). */
static void version_rules(struct grant_entry_v1 *gt, uint64_t frame)
{
	uint64_t sf = 0;
	uint32_t ver = 3;
	grant_handle_t h = 0;
	long rc;

	pv_test_group("grantee: set_version, get_version, get_status_frames");
	CHECK_EQ(set_version(&ver), -EINVAL);
	CHECK_EQ(ver, 1); /* the version in force comes back */
	ver = 0;
	CHECK_EQ(set_version(&ver), -EINVAL);
	CHECK_EQ(get_version(55, &rc), 99);
	CHECK_EQ(rc, -ESRCH);
	get_version((domid_t)peer, &rc);
	CHECK_EQ(rc, -EPERM);
	CHECK_EQ(status_frames(1, &sf), GNTST_general_error); /* none in v1 */
	CHECK_EQ(status_frames(0, &sf), GNTST_okay);
	/* No switch while a grant (beyond the reserved ones) is mapped. */
	grant(gt, 30, GTF_permit_access | GTF_readonly, (domid_t)me, frame);
	CHECK_EQ(gmap(0, GNTMAP_device_map | GNTMAP_readonly, 30, (domid_t)me,
		      &h, NULL),
		 GNTST_okay);
	ver = 2;
	CHECK_EQ(set_version(&ver), -EBUSY);
	CHECK_EQ(ver, 1);
	CHECK_EQ(gunmap_bus(0, frame << 12, h), GNTST_okay);
	CHECK(revoke(gt, 30), "ref 30 still in use");

	pv_test_group("grantee: swap_grant_ref");
	grant(gt, 40, GTF_permit_access | GTF_readonly, (domid_t)me, frame);
	grant(gt, 41, GTF_permit_access, (domid_t)peer, 12345);
	CHECK_EQ(gswap(40, 41), GNTST_okay);
	CHECK(gt[40].domid == peer && gt[40].frame == 12345 &&
		  gt[40].flags == GTF_permit_access,
	      "ref 40: %#x %u %#x", gt[40].flags, gt[40].domid, gt[40].frame);
	CHECK(gt[41].domid == me && gt[41].frame == (uint32_t)frame &&
		  gt[41].flags == (GTF_permit_access | GTF_readonly),
	      "ref 41: %#x %u %#x", gt[41].flags, gt[41].domid, gt[41].frame);
	CHECK_EQ(gswap(40, 40), GNTST_okay);
	CHECK_EQ(gswap(40, 600), GNTST_bad_gntref);
	CHECK_EQ(gswap(0xffffffff, 40), GNTST_bad_gntref);
	CHECK_EQ(gmap(0, GNTMAP_device_map | GNTMAP_readonly, 41, (domid_t)me,
		      &h, NULL),
		 GNTST_okay);
	CHECK_EQ(gswap(40, 41), GNTST_eagain); /* 41 is in use */
	CHECK_EQ(gswap(41, 40), GNTST_eagain);
	CHECK_EQ(gunmap_bus(0, frame << 12, h), GNTST_okay);
	CHECK(revoke(gt, 40) && revoke(gt, 41), "refs 40/41 still in use");
}

/* D's side of the granter's version 2 phase. */
static void grantee_v2(unsigned int base)
{
	uint64_t va = (uint64_t)mm_va(base + A_IDX), x = mm_alloc();
	uint64_t l = mm_alloc(), s = mm_alloc(), v;
	grant_handle_t h = 0;

	wait_step(&mb->g_step, 5);
	pv_test_group("grantee: a granter's version 2 entries");
	CHECK_EQ(gmap(va, GNTMAP_host_map, REF_V2, peer, &h, NULL), GNTST_okay);
	CHECK_EQ(*(volatile uint8_t *)va, 'V');
	((volatile uint8_t *)va)[1] = 'W';
	CHECK_EQ(gcopy(REF_V2, peer, 0, l, DOMID_SELF, 0, 2,
		       GNTCOPY_source_gref),
		 GNTST_okay);
	CHECK_EQ(gmap(0, GNTMAP_device_map, REF_V2 + 100, peer, NULL, NULL),
		 GNTST_general_error); /* not granted */
	CHECK_EQ(gmap(0, GNTMAP_device_map, 256, peer, NULL, NULL),
		 GNTST_bad_gntref); /* 256 entries per frame now */
	pv_test_group("grantee: a version 2 sub-page grant: copies within it");
	CHECK_EQ(gmap(0, GNTMAP_device_map, REF_SUB, peer, NULL, NULL),
		 GNTST_general_error); /* never mapped */
	CHECK_EQ(gcopy(REF_SUB, peer, 100, s, DOMID_SELF, 0, 50,
		       GNTCOPY_source_gref),
		 GNTST_okay);
	CHECK_EQ(gcopy(REF_SUB, peer, 99, s, DOMID_SELF, 0, 10,
		       GNTCOPY_source_gref),
		 GNTST_general_error);
	CHECK_EQ(gcopy(REF_SUB, peer, 140, s, DOMID_SELF, 0, 11,
		       GNTCOPY_source_gref),
		 GNTST_general_error);
	CHECK_EQ(mm_map(base + NR_IDX, s, PTE_PAGE_RW), 0);
	CHECK_EQ(((volatile uint8_t *)mm_va(base + NR_IDX))[49], 'V');
	memset(mm_va(base + NR_IDX), 's', 10);
	mm_unmap(base + NR_IDX);
	CHECK_EQ(gcopy(s, DOMID_SELF, 0, REF_SUB, peer, 120, 10,
		       GNTCOPY_dest_gref),
		 GNTST_okay);
	CHECK_EQ(gcopy(s, DOMID_SELF, 0, REF_SUB, peer, 145, 10,
		       GNTCOPY_dest_gref),
		 GNTST_general_error);
	mb->transferred2 = x;
	CHECK_EQ(gtransfer(x, peer, REF_ACCEPT2), GNTST_okay);
	set_step(&mb->d_step, 5);
	wait_step(&mb->g_step, 6);
	CHECK_EQ(gunmap(va, h), GNTST_okay);
	CHECK_EQ(mm_read64((volatile uint64_t *)va, &v), 1);
	CHECK_EQ(mm_map(base + NR_IDX, l, PTE_PAGE_RO), 0);
	CHECK_EQ(((volatile uint8_t *)mm_va(base + NR_IDX))[0], 'V');
	CHECK_EQ(((volatile uint8_t *)mm_va(base + NR_IDX))[1], 'W');
	mm_unmap(base + NR_IDX);
	set_step(&mb->d_step, 6);
}

/* --- The granter --------------------------------------------------------- */


/* --- The type race ----------------------------------------------------------- */

#define RACE_MS 400

/*
 * G pins frame R as an L1 table and unpins it, over and over, while D
 * (on the other CPU) maps R writable through its grant and unmaps it:
 * the writable reference D's map takes on G's frame is taken without
 * G's page-table lock, by compare-and-swap on the frame's type. Each
 * side flags its hold between its call's success and its undo; seeing
 * the other's flag inside its own hold would mean a frame that is a
 * page table and writable at once.
 */
static void type_race_granter(struct grant_entry_v1 *gt)
{
	uint64_t r = mm_alloc(), end, pins = 0, refused = 0, overlap = 0;

	pv_test_group("granter: pin R as an L1 while the grantee maps it");
	grant(gt, REF_RACE, GTF_permit_access, peer, r);
	set_step(&mb->race_go, 1);
	end = pv_now() + RACE_MS * 1000000UL;
	while (pv_now() < end) {
		if (mm_ext(MMUEXT_PIN_L1_TABLE, r, 0)) {
			refused++;
			continue;
		}
		set_step(&mb->race_pinned, 1);
		if (__atomic_load_n(&mb->race_mapped, __ATOMIC_SEQ_CST))
			overlap++;
		set_step(&mb->race_pinned, 0);
		CHECK_EQ(mm_ext(MMUEXT_UNPIN_TABLE, r, 0), 0);
		pins++;
	}
	set_step(&mb->race_g_done, 1);
	wait_step(&mb->race_d_done, 1);
	printf("granter: %lu pins, %lu refused while mapped\n", pins,
		  refused);
	CHECK(pins > 0, "no pin succeeded");
	CHECK(refused > 0, "no pin was refused: the race never met");
	CHECK_EQ(overlap, 0);
	CHECK_EQ(gt[REF_RACE].flags & (GTF_reading | GTF_writing), 0);
	CHECK(revoke(gt, REF_RACE), "cannot revoke R after the race");
	/* Neither type nor mapping left behind: R leaves us at once. */
	CHECK_EQ(decrease(r), 1);
}

static void type_race_grantee(uint64_t va)
{
	uint64_t maps = 0, refused = 0, overlap = 0;
	grant_handle_t h;

	wait_step(&mb->race_go, 1);
	while (!__atomic_load_n(&mb->race_g_done, __ATOMIC_SEQ_CST)) {
		int16_t st = gmap(va, GNTMAP_host_map, REF_RACE, peer, &h,
				  NULL);

		if (st != GNTST_okay) {
			CHECK_EQ(st, GNTST_general_error);
			refused++;
			continue;
		}
		set_step(&mb->race_mapped, 1);
		*(volatile uint64_t *)va = maps; /* writable indeed */
		if (__atomic_load_n(&mb->race_pinned, __ATOMIC_SEQ_CST))
			overlap++;
		set_step(&mb->race_mapped, 0);
		CHECK_EQ(gunmap(va, h), GNTST_okay);
		maps++;
	}
	pv_test_group("grantee: map R writable while the granter pins it");
	printf("grantee: %lu maps, %lu refused while pinned\n", maps,
		  refused);
	CHECK(maps > 0, "no map succeeded");
	CHECK(refused > 0, "no map was refused: the race never met");
	CHECK_EQ(overlap, 0);
	set_step(&mb->race_d_done, 1);
}

static void granter(void)
{
	unsigned int base = mm_alloc_idx(NR_IDX);
	struct grant_entry_v1 *gt = map_grant_table(base + GT_IDX);
	uint64_t mbox = mm_alloc(), a = mm_alloc(), b = mm_alloc();
	uint64_t c = mm_alloc(), e = mm_alloc(), f = mm_alloc(), h = mm_alloc();
	uint64_t k = mm_alloc();
	long before;

	pv_test_group("granter: set up the mailbox and the grants");
	fill(base + MB_IDX, mbox, 0);
	mb_mfn = mbox;
	mb = (struct mailbox *)mm_va(base + MB_IDX);
	fill(base + A_IDX, a, 'A');
	fill(base + B_IDX, b, 'B');
	fill(base + C_IDX, c, 'C');
	fill(base + E_IDX, e, 'E');
	fill(base + F_IDX, f, 'F');
	fill(base + H_IDX, h, 'H');
	/* H is only ever mapped by D (as a device would). */
	mm_unmap(base + H_IDX);
	fill(base + X_IDX, k, 'K');
	mm_unmap(base + X_IDX);
	/* A transfer needs room in our reservation: give one frame back. */
	CHECK_EQ(decrease(mm_alloc()), 1);
	mb->mfn_a = a;
	mb->mfn_h = h;
	mb->mfn_f = f;
	mb->mfn_k = k;
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
	grant(gt, REF_BOTH, GTF_permit_access, peer, k);
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
	/* D unmapped the host half of K's one handle: the device half stays. */
	CHECK_EQ(gt[REF_BOTH].flags & (GTF_reading | GTF_writing),
		 GTF_reading | GTF_writing);
	CHECK_EQ(decrease(k), 0);
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
	CHECK_EQ(gt[REF_BOTH].flags & (GTF_reading | GTF_writing), 0);
	before = reservation();
	CHECK_EQ(decrease(f), 1);
	CHECK_EQ(decrease(h), 1);
	CHECK_EQ(decrease(k), 1);
	CHECK_EQ(reservation(), before - 3);
	set_step(&mb->g_step, 4);
	wait_step(&mb->d_step, 4);
	type_race_granter(gt);
	granter_v2(base, gt);
	if (die) {
		/* D maps REF_DEATH and hammers; we finish and get destroyed. */
		grant(gt, REF_DEATH, GTF_permit_access, peer, mm_alloc());
		set_step(&mb->g_step, 8);
		wait_step(&mb->d_step, 8);
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
/*
 * reuse=1: domain 0 gives the dead granter's id to a new domain, which
 * grants us the same ref. We map it (a second handle, while the old one
 * still maps the dead granter's frame); the old handle's unmap must not
 * touch the new domain's grant (domain 0 checks it stays in use).
 */
static grant_handle_t hnew;

static void new_granter_same_id(uint64_t va2, grant_handle_t *hold)
{
	uint64_t deadline = pv_now() + 90000000000UL;
	volatile uint32_t *box = (volatile uint32_t *)va2;
	int16_t st;

	pv_test_group("grantee: a new domain with the dead granter's id");
	while ((st = gmap(va2, GNTMAP_host_map, REF_DEATH, peer, &hnew,
			  NULL)) != GNTST_okay &&
	       pv_now() < deadline)
		mm_spin_ms(2);
	CHECK_EQ(st, GNTST_okay);
	CHECK(hnew != *hold, "the old handle %u was handed out again", hnew);
	(void)box;
}

static void new_granter_done(uint64_t va2, grant_handle_t h)
{
	volatile uint32_t *box = (volatile uint32_t *)va2;
	uint64_t deadline = pv_now() + 90000000000UL;

	/* Tell domain 0 the old mapping went; it checks the new grant. */
	__atomic_store_n(&box[0], 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&box[1], __ATOMIC_ACQUIRE) &&
	       pv_now() < deadline)
		mm_yield();
	CHECK_EQ(box[1], 1);
	CHECK_EQ(gunmap(va2, h), GNTST_okay);
}

static void grantee_outlives_granter(unsigned int base, grant_handle_t hmb)
{
	uint64_t va = (uint64_t)mm_va(base + A_IDX), x = mm_alloc(), v;
	uint64_t va2 = (uint64_t)mm_va(base + B_IDX);
	uint64_t deadline = pv_now() + 90000000000UL;
	unsigned long maps = 0, copies = 0, odd = 0;
	grant_handle_t hd = 0, h2 = 0;
	int16_t st = 0, cst;

	wait_step(&mb->g_step, 8);
	pv_test_group("grantee: the granter is destroyed under our feet");
	CHECK_EQ(gmap(va, GNTMAP_host_map, REF_DEATH, peer, &hd, NULL),
		 GNTST_okay);
	set_step(&mb->d_step, 8);
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
	if (reuse) {
		mm_notify(victim_port); /* domain 0 may now reuse G's id */
		new_granter_same_id(va2, &hd);
	}
	CHECK_EQ(gunmap(va, hd), GNTST_okay);
	CHECK_EQ(mm_read64((volatile uint64_t *)va, &v), 1);
	CHECK_EQ(gunmap(va, hd), GNTST_bad_handle);
	if (reuse)
		new_granter_done(va2, hnew);
	CHECK_EQ(gunmap((uint64_t)mm_va(base + MB_IDX), hmb), GNTST_okay);
}

/*
 * GNTTABOP_unmap_and_replace (Xen's checks): the PTE at new_addr moves
 * into the grant mapping's place and new_addr is cleared.
 */
static void replace_mapping(unsigned int va_idx, unsigned int va2_idx,
			    uint64_t own)
{
	uint64_t va = (uint64_t)mm_va(va_idx), va2 = (uint64_t)mm_va(va2_idx);
	grant_handle_t h = 0, hp = 0;
	uint64_t v;

	pv_test_group("grantee: unmap_and_replace");
	fill(va2_idx, own, 'R');
	CHECK_EQ(gmap(va, GNTMAP_host_map, REF_RW, peer, &h, NULL), GNTST_okay);
	CHECK_EQ(greplace(va, va2, 5000), GNTST_bad_handle);
	CHECK_EQ(greplace(va2, va, h), GNTST_general_error); /* not there */
	CHECK_EQ(greplace(va, va, h), GNTST_general_error); /* a grant */
	CHECK_EQ(greplace(va, 0x0000700000000000UL, h), GNTST_general_error);
	CHECK_EQ(greplace(va, MM_HV_PTR, h), GNTST_general_error);
	CHECK_EQ(*(volatile uint8_t *)va, 'D'); /* still the grant */
	CHECK_EQ(*(volatile uint8_t *)va2, 'R');
	CHECK_EQ(greplace(va, va2, h), GNTST_okay);
	CHECK_EQ(*(volatile uint8_t *)va, 'R');
	CHECK_EQ(mm_read64((volatile uint64_t *)va2, &v), 1);
	CHECK_EQ(gunmap(va, h), GNTST_bad_handle);
	/* Our own frame is an ordinary mapping again: it unmaps as one. */
	CHECK_EQ(mm_unmap(va_idx), 0);
	/* Not for a contains_pte mapping (Xen: no replacement there). */
	fill(va_idx, own, 'R');
	CHECK_EQ(gmap(mm_pte_ma(va2_idx), GNTMAP_host_map | GNTMAP_contains_pte,
		      REF_RW, peer, &hp, NULL),
		 GNTST_okay);
	CHECK_EQ(greplace(mm_pte_ma(va2_idx), va, hp), GNTST_general_error);
	CHECK_EQ(*(volatile uint8_t *)va, 'R');
	CHECK_EQ(greplace(mm_pte_ma(va2_idx), 0, hp), GNTST_okay);
	CHECK_EQ(mm_read64((volatile uint64_t *)va2, &v), 1);
	CHECK_EQ(mm_unmap(va_idx), 0);
}

/*
 * One map op with both a host and a device mapping: one handle, whose
 * halves are unmapped separately (host_addr for the one, dev_bus_addr for
 * the other); the handle lives until both are gone. The device half of
 * K stays for the granter to see at step 1. Returns the handle.
 */
static grant_handle_t host_and_device(uint64_t va, uint64_t *bus)
{
	grant_handle_t h = 0;
	uint64_t v;

	pv_test_group("grantee: one handle, a host and a device mapping");
	CHECK_EQ(gmap(va, GNTMAP_host_map | GNTMAP_device_map, REF_BOTH, peer,
		      &h, bus),
		 GNTST_okay);
	CHECK_EQ(*bus, mb->mfn_k << 12);
	CHECK_EQ(*(volatile uint8_t *)va, 'K');
	CHECK_EQ(gunmap_bus(va, *bus + 4096, h), GNTST_general_error);
	CHECK_EQ(mm_read64((volatile uint64_t *)va, &v), 0);
	CHECK_EQ(gunmap_bus(0, 0, h), GNTST_okay); /* asks for nothing */
	CHECK_EQ(mm_read64((volatile uint64_t *)va, &v), 0);
	CHECK_EQ(gunmap_bus(va, 0, h), GNTST_okay); /* the host half */
	CHECK_EQ(mm_read64((volatile uint64_t *)va, &v), 1);
	CHECK_EQ(gunmap_bus(va, 0, h), GNTST_okay); /* gone: nothing to do */
	return h;
}

/*
 * Back ends map thousands of grants: 5000 mappings of our own grants
 * (the maptrack grows beyond its first pages), and the pin limit of one
 * grant (Xen refuses a count that reached 128).
 */
static struct gnttab_map_grant_ref many[250];
static struct gnttab_unmap_grant_ref many_un[250];
static grant_handle_t many_h[5000];

static unsigned int map_batch(unsigned int first, unsigned int n,
			      grant_ref_t ref0, unsigned int nr_refs,
			      uint64_t frame)
{
	unsigned int ok = 0;

	for (unsigned int i = 0; i < n; i++)
		many[i] = (struct gnttab_map_grant_ref){
			.flags = GNTMAP_device_map | GNTMAP_readonly,
			.ref = ref0 + (first + i) % nr_refs,
			.dom = (domid_t)me,
			.status = 99,
		};
	if (HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, many, n))
		return 0;
	for (unsigned int i = 0; i < n; i++) {
		ok += many[i].status == GNTST_okay &&
		      many[i].dev_bus_addr == frame << 12;
		many_h[first + i] = many[i].handle;
	}
	return ok;
}

static unsigned int unmap_batch(unsigned int first, unsigned int n,
				uint64_t frame)
{
	unsigned int ok = 0;

	for (unsigned int i = 0; i < n; i++)
		many_un[i] = (struct gnttab_unmap_grant_ref){
			.dev_bus_addr = frame << 12,
			.handle = many_h[first + i],
			.status = 99,
		};
	if (HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, many_un, n))
		return 0;
	for (unsigned int i = 0; i < n; i++)
		ok += many_un[i].status == GNTST_okay;
	return ok;
}

static void many_mappings(struct grant_entry_v1 *gt, uint64_t frame)
{
	unsigned int mapped = 0, unmapped = 0, distinct = 1;
	grant_handle_t h = 0;

	pv_test_group("grantee: 5000 mappings, and the pin limit");
	for (grant_ref_t r = 0; r < NR_MANY; r++)
		grant(gt, REF_MANY + r, GTF_permit_access | GTF_readonly,
		      (domid_t)me, frame);
	for (unsigned int i = 0; i < 5000; i += 250)
		mapped += map_batch(i, 250, REF_MANY, NR_MANY, frame);
	CHECK_EQ(mapped, 5000);
	for (unsigned int i = 1; i < 5000; i++)
		distinct += many_h[i] != many_h[i - 1];
	CHECK_EQ(distinct, 5000);
	CHECK(!revoke(gt, REF_MANY), "revoked a grant mapped 13 times");
	for (unsigned int i = 0; i < 5000; i += 250)
		unmapped += unmap_batch(i, 250, frame);
	CHECK_EQ(unmapped, 5000);
	CHECK_EQ(gunmap_bus(0, frame << 12, many_h[4999]), GNTST_bad_handle);
	CHECK(revoke(gt, REF_MANY), "grant still in use after 5000 unmaps");

	grant(gt, REF_LIMIT, GTF_permit_access | GTF_readonly, (domid_t)me,
	      frame);
	CHECK_EQ(map_batch(0, 128, REF_LIMIT, 1, frame), 128);
	CHECK_EQ(gmap(0, GNTMAP_device_map | GNTMAP_readonly, REF_LIMIT,
		      (domid_t)me, &h, NULL),
		 GNTST_general_error);
	CHECK_EQ(unmap_batch(0, 128, frame), 128);
	CHECK_EQ(gmap(0, GNTMAP_device_map | GNTMAP_readonly, REF_LIMIT,
		      (domid_t)me, &h, NULL),
		 GNTST_okay);
	CHECK_EQ(gunmap_bus(0, frame << 12, h), GNTST_okay);
	CHECK(revoke(gt, REF_LIMIT), "pin-limit grant still in use");
}

static void grantee(void)
{
	unsigned int base = mm_alloc_idx(NR_IDX + 4);
	unsigned int va_idx = base + A_IDX, va2_idx = base + B_IDX;
	uint64_t va = (uint64_t)mm_va(va_idx), va2 = (uint64_t)mm_va(va2_idx);
	uint64_t bus = 0, v, l = mm_alloc(), lsrc = mm_alloc(), x = mm_alloc();
	uint64_t self_frame = mm_alloc();
	grant_handle_t hmb = 0, h = 0, h2 = 0, hkeep = 0, hdev = 0, hboth;
	uint64_t x2 = mm_alloc(), bus_k = 0;
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
	/* As Xen: a contains_pte mapping is unmapped by its PTE's address. */
	CHECK_EQ(gunmap(va2, h2), GNTST_general_error);
	CHECK_EQ(gunmap(mm_pte_ma(va2_idx), h2), GNTST_okay);
	CHECK_EQ(gunmap(va, h), GNTST_okay);
	CHECK_EQ(mm_read64((volatile uint64_t *)va, &v), 1);
	CHECK_EQ(mm_read64((volatile uint64_t *)va2, &v), 1);
	CHECK_EQ(gunmap(va, h), GNTST_bad_handle);
	CHECK_EQ(gunmap(va, 5000), GNTST_bad_handle);
	CHECK_EQ(mm_map(va_idx, mb->mfn_a, PTE_PAGE_RO), -EINVAL);
	fill(base + NR_IDX, self_frame, 'S');
	mm_unmap(base + NR_IDX);
	replace_mapping(va_idx, va2_idx, x2);
	hboth = host_and_device(va, &bus_k);
	many_mappings(gt, self_frame);
	/* Keep F mapped: G must not be able to take it back meanwhile. */
	CHECK_EQ(gmap(va2, GNTMAP_host_map, REF_KEEP, peer, &hkeep, NULL),
		 GNTST_okay);
	CHECK_EQ(*(volatile uint8_t *)va2, 'F');
	/* Our own grants we may map, by our id (Xen refuses DOMID_SELF). */
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
	CHECK_EQ(gunmap(0, hdev), GNTST_okay); /* asks for nothing: no-op */
	CHECK_EQ(gunmap_bus(0, mb->mfn_h << 12, hdev), GNTST_okay);
	CHECK_EQ(gunmap_bus(0, bus_k, hboth), GNTST_okay);
	CHECK_EQ(gunmap_bus(0, bus_k, hboth), GNTST_bad_handle);
	set_step(&mb->d_step, 3);

	wait_step(&mb->g_step, 4);
	pv_test_group("grantee: a grant of a frame given back maps nothing");
	CHECK_EQ(gmap(va, GNTMAP_host_map, REF_KEEP, peer, NULL, NULL),
		 GNTST_bad_page);
	CHECK_EQ(gmap(0, GNTMAP_device_map, REF_DEVICE, peer, NULL, NULL),
		 GNTST_bad_page);
	set_step(&mb->d_step, 4);
	type_race_grantee(va);
	version_rules(gt, self_frame);
	grantee_v2(base);
	if (die) {
		grantee_outlives_granter(base, hmb);
		return;
	}
	wait_step(&mb->g_step, 7);
	CHECK_EQ(gunmap((uint64_t)mm_va(base + MB_IDX), hmb), GNTST_okay);
}

void pv_main(void)
{
	unsigned int role = (unsigned int)mm_arg("role", ROLE_GRANTER);
	uint32_t port;

	me = (unsigned int)mm_arg("id", 1);
	peer = (unsigned int)mm_arg("peer", 2);
	die = (unsigned int)mm_arg("die", 0);
	reuse = (unsigned int)mm_arg("reuse", 0);
	port = victim_port = mm_bind_victim(me);
	mm_init(4);
	victim_mfn = find_foreign_frame();
	if (role == ROLE_GRANTER)
		granter();
	else
		grantee();
	pv_test_summary();
	mm_notify(port);
}
