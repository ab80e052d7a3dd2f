/*
 * Host unit tests for the page type and reference-count state machine
 * (hv/mm/ptval.c), built unmodified on the fake machine of shim/hv_fake.c.
 *
 * The directed tests walk every transition: general references and
 * ownership, type changes (only at type count zero), validation of each
 * table level, pinning, entry updates, devalidation, the TLB flush on
 * leaving WRITABLE, grant entries (recorded by the hypervisor, whatever
 * bits the guest writes) and domain teardown. The random test
 * then drives long sequences of guest-like operations and, after every
 * step, recounts all references from scratch (pins, held references and
 * the entries of every validated table) and compares them with the frame
 * table, checking above all that no frame is both writable-mapped and in
 * use as a page table.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

#include "shim/hv_fake.h"
#include <errno.h>
#include <grant.h>
#include <layout.h>
#include <page.h>
#include <ptval.h>

/* The directed tests' machine. */
#define NFRAMES 64
#define XEN_MFN 0 /* hypervisor RAM */
#define HOLE_MFN 1 /* a hole in the memory map (not RAM) */
#define FREE_MFN 2 /* in the allocator */
#define SHARED_MFN 3 /* a hypervisor frame shared with d1 (shared_info) */
#define D1 8 /* d1 (unprivileged) owns D1 .. D1 + 15 */
#define D2 24 /* d2 (unprivileged) owns D2 .. D2 + 7 */
#define D0 40 /* d0 (privileged) owns D0 .. D0 + 15 */
#define MMIO_FAR 0x100000UL /* device memory past the frame table */
#define MMIO_DENIED 0xfec00UL /* the IO-APIC: never for guests */

#define P _PAGE_PRESENT
#define RW _PAGE_RW
#define USER _PAGE_USER
#define ACC _PAGE_ACCESSED
#define DIRTY _PAGE_DIRTY
#define PSE _PAGE_PSE
#define GLOBAL _PAGE_GLOBAL
#define NX _PAGE_NX
/* Bits 52..62: the guest's in a present entry, as on Xen. */
#define SOFT (0x7ffUL << 52)
#define BIT62 (1UL << 62)

static struct domain *d0, *d1, *d2;

static u64 pte(mfn_t m, u64 flags)
{
	return (m << PAGE_SHIFT) | flags;
}

static mfn_t pte_mfn(u64 e)
{
	return (e & PTE_ADDR_MASK) >> PAGE_SHIFT;
}

static struct frame *fr(mfn_t m)
{
	return &frame_table[m];
}

static u64 *pg(mfn_t m)
{
	return hv_fake_page(m);
}

static u32 gc(mfn_t m)
{
	return fr(m)->count;
}

static u32 tc(mfn_t m)
{
	return fr(m)->type_info & PGT_COUNT_MASK;
}

static u32 ty(mfn_t m)
{
	return fr(m)->type_info & PGT_TYPE_MASK;
}

static bool is_validated(mfn_t m)
{
	return fr(m)->type_info & PGT_VALIDATED;
}

static bool is_pinned(mfn_t m)
{
	return fr(m)->type_info & PGT_PINNED;
}

static unsigned int level_of(u32 type)
{
	for (unsigned int l = 1; l <= 4; l++)
		if (frame_level_type(l) == type)
			return l;
	return 0;
}

static bool is_hv_slot(unsigned int level, unsigned int i)
{
	return level == 4 && i >= HV_FIRST_L4_SLOT && i <= HV_LAST_L4_SLOT;
}

/* The hypervisor's L4 slots point at hypervisor RAM, each one different. */
static void set_idle_l4(void)
{
	for (unsigned int i = HV_FIRST_L4_SLOT; i <= HV_LAST_L4_SLOT; i++)
		idle_l4[i] = pte(XEN_MFN, PAGE_TABLE_FLAGS) |
			     ((u64)(i - HV_FIRST_L4_SLOT) << 52);
}

static void setup(void)
{
	hv_fake_init(NFRAMES, 3);
	hv_fake_mmio_denied = MMIO_DENIED;
	set_idle_l4();
	d0 = hv_fake_domain(0);
	d1 = hv_fake_domain(1);
	d2 = hv_fake_domain(2);
	fr(XEN_MFN)->owner = DOMID_XEN;
	fr(XEN_MFN)->flags = 0;
	fr(HOLE_MFN)->owner = DOMID_XEN;
	fr(HOLE_MFN)->flags = FRAME_RESERVED;
	fr(HOLE_MFN)->attrs = 0;
	for (mfn_t i = 0; i < 16; i++) {
		hv_fake_give(D1 + i, d1);
		hv_fake_give(D0 + i, d0);
	}
	for (mfn_t i = 0; i < 8; i++)
		hv_fake_give(D2 + i, d2);
}

/* An update through mmu_update (the operation only names log lines). */
static int upd(struct domain *d, struct domain *pg_owner, mfn_t table,
	       unsigned int idx, u64 e, bool preserve_ad)
{
	return update_pt_entry(d, pg_owner, table, idx, e, preserve_ad,
			       PTU_MMU_UPDATE);
}

/* No frame holds a reference or a pin; name the first that does. */
static bool quiet(void)
{
	for (mfn_t m = 0; m < max_mfn; m++)
		if (gc(m) || tc(m) || is_pinned(m)) {
			printf("  frame %lu: count %u, type %#x, type count "
			       "%u%s\n",
			       m, gc(m), ty(m), tc(m),
			       is_pinned(m) ? ", pinned" : "");
			return false;
		}
	if (hv_fake_heap_live) {
		printf("  %lu heap blocks (grant slots) not freed\n",
		       hv_fake_heap_live);
		return false;
	}
	return true;
}

/* ------------------------------------------------------------------------ */

static void test_get_put_page(void)
{
	mfn_t m = D1;

	TEST_GROUP(
	    "get_page/put_page: owner only; not Xen's, free or another "
	    "domain's frames; count overflow; orphans freed on last put");
	setup();
	CHECK(get_page(fr(m), d1), "own frame");
	CHECK(gc(m) == 1, "count %u", gc(m));
	CHECK(get_page(fr(m), d1), "second reference");
	CHECK(gc(m) == 2, "count %u", gc(m));
	CHECK(!get_page(fr(m), d2), "another domain's frame");
	CHECK(!get_page(fr(XEN_MFN), d1), "Xen's frame");
	CHECK(!get_page(fr(FREE_MFN), d1), "free frame");
	CHECK(!get_page(fr(HOLE_MFN), d0), "reserved frame, even for dom0");
	CHECK(!get_page(NULL, d1), "no frame");
	CHECK(gc(m) == 2 && gc(XEN_MFN) == 0 && gc(FREE_MFN) == 0,
	      "refused gets took nothing");
	put_page(fr(m));
	put_page(fr(m));
	CHECK(gc(m) == 0 && hv_fake_nr_freed == 0, "owned frames stay");
	CHECK(fr(m)->owner == d1->id, "owner kept");

	fr(m)->count = 0xffffffffU;
	CHECK(!get_page(fr(m), d1), "count would overflow");
	CHECK(gc(m) == 0xffffffffU, "count unchanged");
	fr(m)->count = 0;

	/* An orphan (its domain died while others mapped it). */
	CHECK(get_page(fr(m), d1) && get_page(fr(m), d1), "two refs");
	fr(m)->owner = DOMID_ORPHAN;
	CHECK(!get_page(fr(m), d1), "nobody gets an orphan");
	put_page(fr(m));
	CHECK(hv_fake_nr_freed == 0 && gc(m) == 1, "orphan kept while mapped");
	put_page(fr(m));
	CHECK(hv_fake_nr_freed == 1 && hv_fake_last_freed == m,
	      "orphan freed on the last put (%lu frees)", hv_fake_nr_freed);
	CHECK(fr(m)->type_info == 0, "freed frame untyped");

	/* An orphan still mapped writable: freed when the mapping goes. */
	m = D1 + 1;
	CHECK(get_page_writable(fr(m), d1), "writable");
	fr(m)->owner = DOMID_ORPHAN;
	put_page_and_type(fr(m));
	CHECK(hv_fake_nr_freed == 2 && hv_fake_last_freed == m &&
		  fr(m)->type_info == 0,
	      "writable orphan freed");
}

static void test_fresh_types(void)
{
	static const u32 types[] = {
		PGT_L1, PGT_L2, PGT_L3, PGT_L4, PGT_SEG_DESC, PGT_WRITABLE,
	};

	TEST_GROUP("get_page_type on a fresh frame for L1..L4, SEG_DESC, "
		   "WRITABLE; refused descriptor page; frame_level_type");
	setup();
	for (unsigned int i = 0; i < ARRAY_SIZE(types); i++) {
		mfn_t m = D1 + i;

		CHECK(get_page_and_type(fr(m), d1, types[i]), "type %#x",
		      types[i]);
		CHECK(ty(m) == types[i] && tc(m) == 1 && gc(m) == 1 &&
			  is_validated(m),
		      "type %#x: type_info %#x count %u", types[i],
		      fr(m)->type_info, gc(m));
		CHECK(frame_is_page_table(fr(m)) == (level_of(types[i]) != 0),
		      "frame_is_page_table for %#x", types[i]);
		put_page_and_type(fr(m));
		CHECK(tc(m) == 0 && gc(m) == 0 && ty(m) == types[i],
		      "type %#x kept at count 0: %#x", types[i],
		      fr(m)->type_info);
		CHECK(!frame_is_page_table(fr(m)), "not in use");
		/* The type alone, without a general reference. */
		CHECK(get_page_type(fr(m), types[i]), "type only %#x",
		      types[i]);
		CHECK(tc(m) == 1 && gc(m) == 0, "type only: counts");
		put_page_type(fr(m));
		CHECK(tc(m) == 0, "type only: put");
	}
	CHECK(quiet(), "all counts back to zero");

	pg(D1 + 8)[3] = 0x00cf9a000000ffffUL;
	CHECK(!get_page_and_type(fr(D1 + 8), d1, PGT_SEG_DESC),
	      "descriptor page refused");
	CHECK(fr(D1 + 8)->type_info == PGT_NONE && gc(D1 + 8) == 0,
	      "refused type leaves the frame untyped, unreferenced");

	CHECK(frame_level_type(0) == PGT_NONE &&
		  frame_level_type(1) == PGT_L1 &&
		  frame_level_type(2) == PGT_L2 &&
		  frame_level_type(3) == PGT_L3 &&
		  frame_level_type(4) == PGT_L4 &&
		  frame_level_type(5) == PGT_NONE,
	      "frame_level_type");
}

static void test_type_changes(void)
{
	mfn_t m = D1;

	TEST_GROUP(
	    "type changes only at type count 0: L1 vs WRITABLE vs "
	    "SEG_DESC vs other levels; count overflow; get_page_and_type "
	    "undoes its general ref on a refused type");
	setup();
	CHECK(get_page_and_type(fr(m), d1, PGT_L1), "L1");
	CHECK(!get_page_type(fr(m), PGT_WRITABLE), "L1 -> WRITABLE refused");
	CHECK(!get_page_writable(fr(m), d1), "get_page_writable refused");
	CHECK(!get_page_type(fr(m), PGT_L2), "L1 -> L2 refused");
	CHECK(!get_page_type(fr(m), PGT_SEG_DESC), "L1 -> SEG_DESC refused");
	CHECK(gc(m) == 1 && tc(m) == 1, "refusals took nothing: %u %u", gc(m),
	      tc(m));
	CHECK(get_page_and_type(fr(m), d1, PGT_L1), "same type again");
	CHECK(tc(m) == 2 && gc(m) == 2, "counts 2");
	put_page_and_type(fr(m));
	CHECK(ty(m) == PGT_L1 && tc(m) == 1 && is_validated(m),
	      "still L1 with one user");
	put_page_and_type(fr(m));
	CHECK(tc(m) == 0 && !is_validated(m), "L1 unused");

	CHECK(get_page_writable(fr(m), d1), "now WRITABLE");
	for (unsigned int l = 1; l <= 4; l++)
		CHECK(!get_page_type(fr(m), frame_level_type(l)),
		      "WRITABLE -> L%u refused", l);
	CHECK(!get_page_type(fr(m), PGT_SEG_DESC), "WRITABLE -> SEG_DESC");
	CHECK(pin_table(d1, m, PGT_L1) == -EINVAL, "pin of writable refused");
	CHECK(get_page_writable(fr(m), d1), "WRITABLE twice");
	CHECK(tc(m) == 2 && gc(m) == 2, "counts 2");
	put_page_and_type(fr(m));
	put_page_and_type(fr(m));

	CHECK(get_page_and_type(fr(m), d1, PGT_SEG_DESC), "now SEG_DESC");
	CHECK(!get_page_type(fr(m), PGT_WRITABLE), "SEG_DESC -> WRITABLE");
	CHECK(!get_page_type(fr(m), PGT_L1), "SEG_DESC -> L1");
	put_page_and_type(fr(m));
	CHECK(quiet(), "counts zero");

	/* Type count overflow. */
	CHECK(get_page_type(fr(m), PGT_L1), "L1");
	fr(m)->type_info = PGT_L1 | PGT_VALIDATED | PGT_COUNT_MASK;
	CHECK(!get_page_type(fr(m), PGT_L1), "type count would overflow");
	CHECK(tc(m) == PGT_COUNT_MASK, "type count unchanged");
	fr(m)->type_info = PGT_L1 | PGT_VALIDATED | 1;
	put_page_type(fr(m));

	/* A table being validated (count > 0, not validated yet). */
	fr(m)->type_info = PGT_L2 | 1;
	CHECK(!get_page_type(fr(m), PGT_L2), "type of a table mid-validation");
	fr(m)->type_info = 0;

	/* get_page_and_type: refused owner, refused type. */
	CHECK(!get_page_and_type(fr(m), d2, PGT_WRITABLE), "not d2's");
	CHECK(get_page_writable(fr(m), d1), "writable");
	CHECK(!get_page_and_type(fr(m), d1, PGT_L1), "type refused");
	CHECK(gc(m) == 1, "general ref undone: %u", gc(m));
	put_page_and_type(fr(m));
	CHECK(quiet(), "counts zero");
}

static void test_flush(void)
{
	mfn_t m = D1, t = D1 + 1;
	unsigned long n;

	TEST_GROUP("a TLB flush exactly when a frame leaves WRITABLE "
		   "(directly, by pinning, through an L2 entry)");
	setup();
	CHECK(get_page_type(fr(m), PGT_L1) && hv_fake_flushes == 0,
	      "untyped -> L1: no flush");
	put_page_type(fr(m));
	CHECK(get_page_type(fr(m), PGT_WRITABLE) && hv_fake_flushes == 0,
	      "L1 -> WRITABLE: no flush");
	CHECK(get_page_type(fr(m), PGT_WRITABLE) && hv_fake_flushes == 0,
	      "WRITABLE count 2: no flush");
	put_page_type(fr(m));
	put_page_type(fr(m));
	CHECK(hv_fake_flushes == 0, "dropping WRITABLE: no flush");
	CHECK(get_page_type(fr(m), PGT_WRITABLE) && hv_fake_flushes == 0,
	      "WRITABLE again at count 0: no flush");
	hv_fake_clock = 41;
	put_page_type(fr(m)); /* the last writable mapping goes at time 41 */
	hv_fake_clock = 99;
	CHECK(get_page_type(fr(m), PGT_L1) && hv_fake_flushes == 1,
	      "WRITABLE -> L1: flush (%lu)", hv_fake_flushes);
	CHECK(hv_fake_flush_stamp == 41,
	      "... of CPUs that have not reloaded CR3 since the mapping "
	      "went (stamp %lu, want 41)",
	      (unsigned long)hv_fake_flush_stamp);
	put_page_type(fr(m));
	CHECK(get_page_type(fr(m), PGT_L1) && hv_fake_flushes == 1,
	      "L1 -> L1: no flush");
	put_page_type(fr(m));

	CHECK(get_page_writable(fr(m), d1), "writable");
	put_page_and_type(fr(m));
	CHECK(get_page_and_type(fr(m), d1, PGT_SEG_DESC) &&
		  hv_fake_flushes == 2,
	      "WRITABLE -> SEG_DESC: flush");
	put_page_and_type(fr(m));

	CHECK(get_page_writable(fr(m), d1), "writable");
	put_page_and_type(fr(m));
	CHECK(pin_table(d1, m, PGT_L3) == 0 && hv_fake_flushes == 3,
	      "WRITABLE -> pinned L3: flush");
	CHECK(unpin_table(d1, m) == 0, "unpin");

	/* A writable frame becoming an L1 under an L2 entry. */
	CHECK(get_page_writable(fr(m), d1), "writable");
	put_page_and_type(fr(m));
	CHECK(pin_table(d1, t, PGT_L2) == 0, "pin L2");
	n = hv_fake_flushes;
	CHECK(upd(d1, d1, t, 0, pte(m, P | RW), false) == 0, "L2 entry");
	CHECK(ty(m) == PGT_L1 && hv_fake_flushes == n + 1,
	      "flushed as it became L1");
	CHECK(unpin_table(d1, t) == 0, "unpin");
	CHECK(quiet(), "counts zero");
}

static void test_l1_validation(void)
{
	mfn_t l = D1, x = D1 + 1, y = D1 + 2, z = D1 + 3, other_l1 = D1 + 4;
	mfn_t l0 = D0, x0 = D0 + 1;
	u64 *t;
	const struct {
		u64 e;
		const char *what;
	} refused[] = {
		{ pte(D2, P), "another domain's frame" },
		{ pte(D2, P | RW), "another domain's frame, writable" },
		{ pte(XEN_MFN, P), "Xen's frame" },
		{ pte(FREE_MFN, P), "a free frame" },
		{ pte(HOLE_MFN, P), "a hole (not RAM), unprivileged" },
		{ pte(MMIO_FAR, P | RW), "device memory, unprivileged" },
		{ pte(D1, P | RW), "the table itself, writable" },
		{ pte(D1 + 4, P | RW), "another L1 in use, writable" },
	};

	TEST_GROUP(
	    "L1 validation: own frames RO/RW (RW takes WRITABLE), "
	    "foreign/Xen/free/hole/MMIO refused for domU, bits 52-62 "
	    "and non-present entries the guest's, "
	    "refusal undoes earlier entries, USER added, GLOBAL stripped, "
	    "self map RO only, dom0 device frames");
	setup();
	t = pg(l);
	CHECK(pin_table(d1, other_l1, PGT_L1) == 0, "another L1 in use");

	t[0] = pte(x, P | RW);
	t[1] = pte(y, P);
	t[2] = pte(y, P | GLOBAL | ACC);
	t[3] = GLOBAL | RW; /* not present: left alone */
	t[4] = pte(D2, 0); /* not present: not looked at */
	t[5] = pte(z, P | USER | NX);
	t[6] = pte(l, P); /* itself, read-only */
	t[7] = pte(other_l1, P);
	t[9] = pte(z, P | SOFT); /* bits 52..62 (Linux's software bits) */
	t[10] = ~(u64)P; /* a non-present entry with every bit */
	CHECK(pin_table(d1, l, PGT_L1) == 0, "pin L1");
	CHECK(ty(x) == PGT_WRITABLE && tc(x) == 1 && gc(x) == 1,
	      "RW entry: WRITABLE ref (%#x, %u)", fr(x)->type_info, gc(x));
	CHECK(ty(y) == PGT_NONE && tc(y) == 0 && gc(y) == 2,
	      "RO entries: general refs only (%#x, %u)", fr(y)->type_info,
	      gc(y));
	CHECK(gc(l) == 2 && tc(l) == 1, "pin + self map: count %u type %u",
	      gc(l), tc(l));
	CHECK(gc(other_l1) == 2 && tc(other_l1) == 1, "RO map of an L1");
	CHECK(t[0] == pte(x, P | RW | USER), "USER added: %#lx", t[0]);
	CHECK(t[2] == pte(y, P | USER | ACC), "GLOBAL stripped: %#lx", t[2]);
	CHECK(t[3] == (GLOBAL | RW) && t[4] == pte(D2, 0),
	      "non-present entries untouched");
	CHECK(t[5] == pte(z, P | USER | NX), "NX kept");
	CHECK(t[9] == pte(z, P | USER | SOFT) && t[10] == ~(u64)P && gc(z) == 2,
	      "bits 52-62 kept and counted as a plain mapping; a "
	      "non-present entry with all other bits set untouched");
	CHECK(!is_grant_pte(l, 9) && !is_grant_pte(l, 10),
	      "neither is taken for a grant mapping");
	CHECK(unpin_table(d1, l) == 0, "unpin");
	CHECK(gc(x) == 0 && tc(x) == 0 && gc(y) == 0 && gc(z) == 0 &&
		  gc(l) == 0 && tc(l) == 0,
	      "devalidation dropped every entry's refs");
	CHECK(gc(other_l1) == 1, "other L1: its pin only");
	t[9] = t[10] = 0;

	for (unsigned int i = 0; i < ARRAY_SIZE(refused); i++) {
		t[8] = refused[i].e;
		CHECK(pin_table(d1, l, PGT_L1) == -EINVAL, "refused: %s",
		      refused[i].what);
		CHECK(fr(l)->type_info == PGT_NONE && gc(l) == 0,
		      "%s: table untyped (%#x, %u)", refused[i].what,
		      fr(l)->type_info, gc(l));
		CHECK(gc(x) == 0 && tc(x) == 0 && gc(y) == 0 && gc(z) == 0,
		      "%s: earlier entries' refs undone", refused[i].what);
		CHECK(gc(D2) == 0 && gc(XEN_MFN) == 0 && gc(FREE_MFN) == 0 &&
			  gc(D1 + 5) == 0,
		      "%s: nothing taken", refused[i].what);
	}
	t[8] = 0;
	CHECK(unpin_table(d1, other_l1) == 0, "unpin other");
	CHECK(quiet(), "counts zero");

	/* The privileged domain: device frames, but not the denied one. */
	pg(l0)[0] = pte(HOLE_MFN, P | RW);
	pg(l0)[1] = pte(MMIO_FAR, P | RW);
	pg(l0)[2] = pte(x0, P | RW);
	CHECK(pin_table(d0, l0, PGT_L1) == 0, "dom0: holes and MMIO");
	CHECK(gc(HOLE_MFN) == 0 && tc(HOLE_MFN) == 0, "device frames: no refs");
	CHECK(tc(x0) == 1, "RAM frame: WRITABLE ref");
	CHECK(unpin_table(d0, l0) == 0, "unpin");
	pg(l0)[3] = pte(MMIO_DENIED, P);
	CHECK(pin_table(d0, l0, PGT_L1) == -EINVAL, "dom0: denied device");
	pg(l0)[3] = pte(XEN_MFN, P);
	CHECK(pin_table(d0, l0, PGT_L1) == -EINVAL, "dom0: Xen's RAM");
	pg(l0)[3] = pte(D1, P);
	CHECK(pin_table(d0, l0, PGT_L1) == -EINVAL,
	      "dom0: d1's frame without naming d1");
	CHECK(quiet(), "counts zero");
}

static void test_upper_validation(void)
{
	mfn_t a = D1, b = D1 + 1, c = D1 + 2, e = D1 + 3, x = D1 + 4;
	mfn_t l4 = D1 + 5, l3 = D1 + 6, l2 = D1 + 7, l1 = D1 + 8;

	TEST_GROUP("L2/L3/L4 validation: child validated one level down, PSE "
		   "refused, writable/foreign/absent children refused, linear "
		   "RO allowed and RW refused, self map, hypervisor L4 slots "
		   "from idle_l4 with guest entries there ignored");
	setup();
	pg(a)[0] = pte(b, P | RW);
	CHECK(pin_table(d1, a, PGT_L2) == 0, "pin L2");
	CHECK(ty(b) == PGT_L1 && tc(b) == 1 && gc(b) == 1 && is_validated(b),
	      "child validated as L1");
	CHECK(pg(a)[0] & USER, "USER on upper entries");
	CHECK(unpin_table(d1, a) == 0 && quiet(), "unpin: counts zero");

	for (unsigned int l = 2; l <= 3; l++) {
		pg(a)[1] = pte(c, P | PSE);
		CHECK(pin_table(d1, a, frame_level_type(l)) == -EINVAL,
		      "L%u: superpage refused", l);
		CHECK(quiet(), "L%u: refusal undone", l);
	}
	pg(a)[1] = pte(D2, P);
	CHECK(pin_table(d1, a, PGT_L2) == -EINVAL, "foreign child refused");
	pg(a)[1] = pte(XEN_MFN, P);
	CHECK(pin_table(d1, a, PGT_L2) == -EINVAL, "Xen child refused");
	pg(a)[1] = pte(MMIO_FAR, P);
	CHECK(pin_table(d1, a, PGT_L2) == -EINVAL,
	      "child outside the frame table refused");
	pg(a)[1] = pte(c, P);
	CHECK(get_page_writable(fr(c), d1), "c writable");
	CHECK(pin_table(d1, a, PGT_L2) == -EINVAL,
	      "writable child refused (RO entry)");
	pg(a)[1] = pte(c, P | RW);
	CHECK(pin_table(d1, a, PGT_L2) == -EINVAL,
	      "writable child refused (RW entry)");
	put_page_and_type(fr(c));
	pg(a)[1] = pte(c, P);
	pg(c)[0] = pte(D2, P);
	CHECK(pin_table(d1, a, PGT_L2) == -EINVAL, "child fails validation");
	CHECK(fr(c)->type_info == PGT_NONE && quiet(),
	      "failed child untyped, counts zero");
	pg(c)[0] = 0;
	pg(a)[1] = 0;

	/* Linear (same-level) entries. */
	CHECK(pin_table(d1, a, PGT_L2) == 0, "pin L2 a");
	pg(e)[0] = pte(a, P);
	CHECK(pin_table(d1, e, PGT_L2) == 0, "linear RO entry");
	CHECK(ty(a) == PGT_L2 && tc(a) == 2 && gc(a) == 2,
	      "linear entry holds an L2 ref (%u %u)", tc(a), gc(a));
	CHECK(unpin_table(d1, e) == 0, "unpin e");
	pg(e)[0] = pte(a, P | RW);
	CHECK(pin_table(d1, e, PGT_L2) == -EINVAL, "linear RW refused");
	CHECK(tc(a) == 1 && gc(a) == 1 && fr(e)->type_info == PGT_NONE,
	      "refusal undone");
	CHECK(unpin_table(d1, a) == 0 && quiet(), "counts zero");
	pg(e)[0] = 0;

	/* Self map at L4 (what Linux's early page tables do not, but may). */
	pg(e)[0] = pte(e, P);
	CHECK(pin_table(d1, e, PGT_L4) == 0, "L4 maps itself RO");
	/* As on Xen, a table naming itself takes no reference. */
	CHECK(tc(e) == 1 && gc(e) == 1, "pin, self ref free (%u %u)", tc(e),
	      gc(e));
	CHECK(upd(d1, d1, e, 0, 0, false) == 0, "drop self map");
	CHECK(tc(e) == 1 && gc(e) == 1 && is_pinned(e), "pin only");
	CHECK(unpin_table(d1, e) == 0 && quiet(), "counts zero");
	pg(e)[0] = pte(e, P | RW);
	CHECK(pin_table(d1, e, PGT_L4) == -EINVAL, "RW self map refused");
	CHECK(quiet(), "counts zero");
	pg(e)[0] = 0;

	/* Hypervisor slots: the guest's entries there are never looked at. */
	pg(e)[HV_FIRST_L4_SLOT] = pte(D2, P | RW | PSE);
	pg(e)[HV_LAST_L4_SLOT] = pte(XEN_MFN, P | RW);
	pg(e)[HV_FIRST_L4_SLOT + 3] = ~0UL;
	pg(e)[HV_FIRST_L4_SLOT - 1] = pte(b, P | RW);
	pg(e)[HV_LAST_L4_SLOT + 1] = pte(c, P | RW);
	CHECK(pin_table(d1, e, PGT_L4) == 0, "L4 with junk in Xen's slots");
	bool same = true;
	for (unsigned int i = HV_FIRST_L4_SLOT; i <= HV_LAST_L4_SLOT; i++)
		same &= pg(e)[i] == idle_l4[i];
	CHECK(same, "Xen's slots copied from idle_l4");
	CHECK(gc(D2) == 0 && gc(XEN_MFN) == 0, "no refs from Xen's slots");
	CHECK(ty(b) == PGT_L3 && ty(c) == PGT_L3 && tc(b) == 1 && tc(c) == 1,
	      "slots 255 and 272 are the guest's");
	CHECK(unpin_table(d1, e) == 0 && quiet(), "counts zero");

	/* A whole tree, then a failure at the bottom of one. */
	memset(pg(b), 0, PAGE_SIZE);
	memset(pg(c), 0, PAGE_SIZE);
	pg(l4)[0] = pte(l3, P | RW);
	pg(l4)[511] = pte(l3, P); /* a second reference to the same L3 */
	pg(l3)[5] = pte(l2, P | RW);
	pg(l2)[7] = pte(l1, P | RW);
	pg(l1)[9] = pte(x, P | RW);
	pg(l1)[10] = pte(x, P);
	CHECK(pin_table(d1, l4, PGT_L4) == 0, "pin a 4-level tree");
	CHECK(ty(l3) == PGT_L3 && tc(l3) == 2 && gc(l3) == 2, "L3 twice");
	CHECK(ty(l2) == PGT_L2 && tc(l2) == 1 && ty(l1) == PGT_L1 &&
		  tc(l1) == 1,
	      "L2, L1 once");
	CHECK(ty(x) == PGT_WRITABLE && tc(x) == 1 && gc(x) == 2,
	      "data frame: one RW, one RO mapping");
	CHECK(unpin_table(d1, l4) == 0, "unpin tree");
	CHECK(quiet(), "devalidation drops the whole tree");
	CHECK(!is_validated(l4) && !is_validated(l3) && !is_validated(l2) &&
		  !is_validated(l1),
	      "no table left validated");
	pg(l1)[11] = pte(D2 + 1, P);
	CHECK(pin_table(d1, l4, PGT_L4) == -EINVAL,
	      "bad leaf refuses the tree");
	CHECK(quiet(), "refusal undone throughout the tree");
	CHECK(fr(l4)->type_info == PGT_NONE && fr(l3)->type_info == PGT_NONE &&
		  fr(l2)->type_info == PGT_NONE &&
		  fr(l1)->type_info == PGT_NONE,
	      "no table left typed");
}

static void test_pin(void)
{
	mfn_t m = D1, w = D1 + 1;

	TEST_GROUP("pin/unpin: double pin, pin as another type, unpin of "
		   "unpinned, foreign pin/unpin, pin of a writable frame, "
		   "pinned + loaded table outlives its unpin");
	setup();
	CHECK(pin_table(d1, m, PGT_L1) == 0 && is_pinned(m), "pin");
	CHECK(pin_table(d1, m, PGT_L1) == -EINVAL, "double pin");
	CHECK(pin_table(d1, m, PGT_L2) == -EINVAL, "pin as another type");
	CHECK(gc(m) == 1 && tc(m) == 1, "refused pins took nothing");
	CHECK(unpin_table(d2, m) == -EINVAL && is_pinned(m),
	      "unpin by another domain");
	CHECK(pin_table(d2, m, PGT_L1) == -EINVAL, "pin by another domain");
	CHECK(unpin_table(d1, m) == 0 && !is_pinned(m), "unpin");
	CHECK(unpin_table(d1, m) == -EINVAL, "unpin of an unpinned frame");
	CHECK(unpin_table(d1, max_mfn) == -EINVAL &&
		  pin_table(d1, max_mfn, PGT_L1) == -EINVAL,
	      "frames past the table");
	CHECK(quiet(), "counts zero");

	CHECK(get_page_writable(fr(w), d1), "writable ref");
	CHECK(pin_table(d1, w, PGT_L1) == -EINVAL, "pin of a writable frame");
	CHECK(gc(w) == 1 && tc(w) == 1 && !is_pinned(w), "unchanged");
	put_page_and_type(fr(w));

	/* A pinned table that is also loaded (a vCPU's CR3). */
	CHECK(pin_table(d1, m, PGT_L4) == 0, "pin L4");
	CHECK(get_page_and_type(fr(m), d1, PGT_L4), "load it");
	CHECK(unpin_table(d1, m) == 0, "unpin");
	CHECK(is_validated(m) && tc(m) == 1 && !is_pinned(m),
	      "still an L4 while loaded");
	CHECK(unpin_table(d1, m) == -EINVAL, "second unpin refused");
	put_page_and_type(fr(m));
	CHECK(!is_validated(m) && quiet(), "devalidated on the last put");
}

static void test_update(void)
{
	mfn_t t = D1, x = D1 + 1, y = D1 + 2, l2 = D1 + 3, c = D1 + 4;
	mfn_t l4 = D1 + 5, t0 = D0, g = D2;
	u64 old;

	TEST_GROUP("update_pt_entry: refs move old -> new, refused update "
		   "keeps the old entry and refs, A/D preserved, bad index/"
		   "table/owner/Xen slot, grant entries -EBUSY, foreign "
		   "pg_owner, upper entries validate and devalidate children");
	setup();
	CHECK(pin_table(d1, t, PGT_L1) == 0, "pin L1");
	CHECK(upd(d1, d1, t, 0, pte(x, P | RW), false) == 0, "map x RW");
	CHECK(pg(t)[0] == pte(x, P | RW | USER), "entry written %#lx",
	      pg(t)[0]);
	CHECK(ty(x) == PGT_WRITABLE && tc(x) == 1 && gc(x) == 1, "x RW ref");
	CHECK(upd(d1, d1, t, 0, pte(x, P | RW | GLOBAL), false) == 0,
	      "same frame again");
	CHECK(tc(x) == 1 && gc(x) == 1 && !(pg(t)[0] & GLOBAL),
	      "counts stable, GLOBAL stripped");
	CHECK(upd(d1, d1, t, 0, pte(y, P), false) == 0, "map y RO");
	CHECK(tc(x) == 0 && gc(x) == 0 && gc(y) == 1 && tc(y) == 0,
	      "refs moved from x to y");

	old = pg(t)[0];
	CHECK(upd(d1, d1, t, 0, pte(g, P), false) == -EINVAL,
	      "foreign frame refused");
	CHECK(pg(t)[0] == old && gc(y) == 1 && gc(g) == 0,
	      "refused update: old entry and refs kept");
	CHECK(upd(d1, d1, t, 0, pte(x, P | BIT62), false) == 0 &&
		  upd(d1, d1, t, 0, old, false) == 0 && gc(x) == 0 &&
		  gc(y) == 1,
	      "bit 62 set and cleared again: a plain mapping both ways");
	CHECK(upd(d1, d1, t, 0, pte(t, P | RW), false) == -EINVAL,
	      "the table itself RW");
	CHECK(pg(t)[0] == old && gc(y) == 1, "still the old entry");
	CHECK(upd(d1, d1, t, 512, 0, false) == -EINVAL, "index 512");
	CHECK(upd(d2, d2, t, 0, 0, false) == -EINVAL, "another domain's table");
	/* As on Xen: a frame that is no table in use is plain memory. */
	CHECK(upd(d1, d1, c, 5, pte(y, P | RW), false) == 0 &&
		      pg(c)[5] == pte(y, P | RW) && gc(y) == 1,
	      "not a table: written as memory, no refs taken");
	pg(c)[5] = 0;
	CHECK(upd(d1, d1, max_mfn, 0, 0, false) == -EINVAL,
	      "past the frame table");
	CHECK(pg(t)[0] == old && gc(y) == 1, "still the old entry");

	/* Accessed/dirty. */
	CHECK(upd(d1, d1, t, 1, pte(x, P | RW | ACC | DIRTY), false) == 0,
	      "entry with A/D");
	CHECK(upd(d1, d1, t, 1, pte(x, P | RW), true) == 0 &&
		  pg(t)[1] == pte(x, P | RW | USER | ACC | DIRTY),
	      "preserve_ad keeps A/D: %#lx", pg(t)[1]);
	CHECK(upd(d1, d1, t, 1, pte(x, P | RW), false) == 0 &&
		  pg(t)[1] == pte(x, P | RW | USER),
	      "without preserve_ad they go: %#lx", pg(t)[1]);
	CHECK(upd(d1, d1, t, 1, 0, false) == 0 && gc(x) == 0, "unmap");

	/* ptwr's conditional write: only over the entry it computed from. */
	CHECK(upd(d1, d1, t, 1, pte(y, P), false) == 0 && gc(y) == 2,
	      "map y RO at 1");
	old = pg(t)[1];
	pg(t)[1] |= ACC; /* the CPU set the accessed bit meanwhile */
	CHECK(update_pt_entry_if(d1, t, 1, old, pte(x, P | RW)) == -EAGAIN,
	      "entry changed since it was read: -EAGAIN");
	CHECK(pg(t)[1] == (old | ACC) && gc(y) == 2 && gc(x) == 0 &&
		  tc(x) == 0,
	      "... nothing written, the new entry's refs undone");
	CHECK(update_pt_entry_if(d1, t, 1, old | ACC, pte(x, P | RW)) == 0 &&
		  pg(t)[1] == pte(x, P | RW | USER) && gc(x) == 1 &&
		  tc(x) == 1 && gc(y) == 1,
	      "unchanged: written, refs moved");
	CHECK(update_pt_entry_if(d1, t, 1, pg(t)[1], pte(g, P)) == -EINVAL &&
		  gc(x) == 1,
	      "a refused entry is still refused");
	CHECK(upd(d1, d1, t, 1, 0, false) == 0 && gc(x) == 0, "unmap");

	/* Non-present entries: any bits, any number of times. */
	for (unsigned int b = 0; b < 64; b++) {
		u64 e = (1UL << b) & ~(u64)P;

		if (upd(d1, d1, t, 2, e, false) ||
		    upd(d1, d1, t, 2, ~e & ~(u64)P, false) ||
		    pg(t)[2] != (~e & ~(u64)P))
			break;
		if (b == 63)
			CHECK(true, "non-present entries with each bit set, "
				    "then each clear, written over each other");
	}
	CHECK(upd(d1, d1, t, 2, 0, false) == 0 && gc(x) == 0 && gc(y) == 1 &&
		  !is_grant_pte(t, 2),
	      "nothing referenced by them, no grant recorded");

	/* Grant entries: only the grant code changes them. */
	CHECK(grant_pte_install(d1, t, 2, pte(g, P | RW)) == 0,
	      "grant map of g (RW)");
	CHECK(gc(g) == 1 && ty(g) == PGT_WRITABLE && tc(g) == 1 &&
		  is_grant_pte(t, 2) && !is_grant_pte(t, 1),
	      "grant ref on g, recorded at entry 2 only");
	CHECK(upd(d1, d1, t, 2, 0, false) == -EBUSY, "update of a grant entry");
	CHECK(upd(d1, d1, t, 2, pte(g, P | RW), false) == -EBUSY &&
		  update_pt_entry_if(d1, t, 2, pg(t)[2], 0) == -EBUSY,
	      "... even to the same value, or by ptwr");
	CHECK(grant_pte_install(d1, t, 2, pte(g, P)) == -EBUSY,
	      "grant over a grant");
	hv_fake_heap_fail = 1;
	CHECK(grant_pte_install(d1, t, 4, pte(g, P)) == 0 && gc(g) == 2 &&
		  is_grant_pte(t, 4),
	      "a second grant in a table with a record: no allocation");
	hv_fake_heap_fail = 0;
	grant_pte_remove(d1, t, 4, g);
	CHECK(gc(g) == 1 && pg(t)[4] == 0 && !is_grant_pte(t, 4) &&
		  hv_fake_heap_live == 1,
	      "removed; the record stays for entry 2");
	grant_pte_remove(d1, t, 2, g + 1);
	CHECK(gc(g) == 1, "remove with the wrong frame: no-op");
	grant_pte_remove(d2, t, 2, g);
	CHECK(gc(g) == 1, "remove by the wrong domain: no-op");
	grant_pte_remove(d1, t, 2, g);
	CHECK(gc(g) == 0 && tc(g) == 0 && pg(t)[2] == 0 && !is_grant_pte(t, 2),
	      "grant removed, and its record");
	hv_fake_heap_fail = 1;
	CHECK(grant_pte_install(d1, t, 2, pte(g, P)) == -ENOMEM && gc(g) == 0 &&
		  pg(t)[2] == 0 && !is_grant_pte(t, 2),
	      "no memory for the record: refused, nothing changed");
	CHECK(upd(d1, d1, t, 3, pte(x, P), false) == 0, "map x");
	CHECK(grant_pte_install(d1, t, 3, pte(g, P)) == 0 && gc(x) == 0 &&
		  gc(g) == 1 && tc(g) == 0,
	      "grant RO over a normal entry drops its ref");
	grant_pte_remove(d1, t, 3, g);
	CHECK(pin_table(d2, g, PGT_L1) == 0, "g is d2's L1");
	CHECK(grant_pte_install(d1, t, 3, pte(g, P | RW)) == -EINVAL &&
		  gc(g) == 1 && tc(g) == 1 && pg(t)[3] == 0 &&
		  !is_grant_pte(t, 3),
	      "RW grant of a page table refused, not recorded");
	CHECK(grant_pte_install(d1, l2, 3, pte(y, P)) == -EINVAL,
	      "grant into a frame that is not an L1 in use");
	CHECK(unpin_table(d2, g) == 0, "unpin g");

	/* Foreign pg_owner: dom0 maps d1's frames, naming d1. */
	CHECK(pin_table(d0, t0, PGT_L1) == 0, "dom0 L1");
	CHECK(upd(d0, d1, t0, 0, pte(x, P | RW), false) == 0,
	      "dom0 maps d1's x RW");
	CHECK(tc(x) == 1 && gc(x) == 1, "ref on x");
	CHECK(upd(d0, d0, t0, 1, pte(x, P), false) == -EINVAL,
	      "not without naming d1");
	CHECK(upd(d0, d1, t0, 1, pte(g, P), false) == -EINVAL,
	      "naming d1 does not reach d2");
	CHECK(pin_table(d1, x, PGT_L1) == -EINVAL,
	      "d1 cannot make x a table while dom0 maps it RW");
	CHECK(unpin_table(d0, t0) == 0 && gc(x) == 0, "dom0 L1 gone");

	/* Upper levels. */
	CHECK(pin_table(d1, l2, PGT_L2) == 0, "pin L2");
	pg(c)[4] = pte(x, P | RW);
	pg(c)[5] = pte(y, P);
	CHECK(upd(d1, d1, l2, 3, pte(c, P | RW), false) == 0,
	      "L2 entry to a fresh frame");
	CHECK(ty(c) == PGT_L1 && tc(c) == 1 && is_validated(c) && tc(x) == 1 &&
		  gc(y) == 2,
	      "child validated as L1");
	CHECK(upd(d1, d1, l2, 4, pte(c, P | RW | PSE), false) == -EINVAL,
	      "superpage refused");
	CHECK(upd(d1, d1, l2, 4, pte(l2, P), false) == 0 && tc(l2) == 1,
	      "linear RO to itself (no reference, as on Xen)");
	CHECK(upd(d1, d1, l2, 4, pte(l2, P | RW), false) == -EINVAL &&
		  pg(l2)[4] == pte(l2, P | USER) && tc(l2) == 1,
	      "linear RW refused, RO entry kept");
	CHECK(upd(d1, d1, l2, 4, 0, false) == 0 && tc(l2) == 1,
	      "self map dropped");
	CHECK(upd(d1, d1, t, 5, pte(c, P | RW), false) == -EINVAL,
	      "RW map of an L1 in use refused");
	CHECK(upd(d1, d1, t, 5, pte(l2, P | RW), false) == -EINVAL,
	      "RW map of an L2 in use refused");
	CHECK(upd(d1, d1, l2, 3, 0, false) == 0, "unhook child");
	CHECK(tc(c) == 0 && !is_validated(c) && tc(x) == 0 && gc(x) == 0 &&
		  gc(y) == 1,
	      "child devalidated, its refs dropped");
	CHECK(upd(d1, d1, t, 5, pte(c, P | RW), false) == 0 &&
		  ty(c) == PGT_WRITABLE,
	      "former L1 now mappable RW");

	/* Xen's L4 slots. */
	CHECK(pin_table(d1, l4, PGT_L4) == 0, "pin L4");
	CHECK(upd(d1, d1, l4, HV_FIRST_L4_SLOT, 0, false) == -EINVAL &&
		  upd(d1, d1, l4, HV_LAST_L4_SLOT, 0, false) == -EINVAL,
	      "Xen's slots refused");
	CHECK(pg(l4)[HV_FIRST_L4_SLOT] == idle_l4[HV_FIRST_L4_SLOT],
	      "Xen's slot unchanged");
	CHECK(upd(d1, d1, l4, HV_LAST_L4_SLOT + 1, 0, false) == 0,
	      "slot 272 is the guest's");
	CHECK(upd(d1, d1, l4, 0, pte(l2, P), false) == -EINVAL,
	      "L4 entry to an L2 refused");

	CHECK(unpin_table(d1, l4) == 0 && unpin_table(d1, l2) == 0 &&
		  unpin_table(d1, t) == 0,
	      "unpin all");
	CHECK(quiet(), "counts zero");
}

static void test_shared_frame(void)
{
	mfn_t sh = SHARED_MFN, t = D1, l2 = D1 + 1, t2 = D2;

	TEST_GROUP("share_frame_with_guest: the guest maps a hypervisor frame "
		   "RW/RO, never as a table or descriptor page, nor may "
		   "others; release_shared_frame frees it, or orphans it while "
		   "still mapped");
	setup();
	fr(sh)->owner = DOMID_XEN;
	fr(sh)->flags = 0;
	share_frame_with_guest(fr(sh), d1);
	CHECK(fr(sh)->owner == d1->id && ty(sh) == PGT_WRITABLE &&
		  tc(sh) == 1 && gc(sh) == 0,
	      "shared: %#x, count %u", fr(sh)->type_info, gc(sh));
	CHECK(pin_table(d1, t, PGT_L1) == 0, "d1's L1");
	CHECK(upd(d1, d1, t, 0, pte(sh, P | RW), false) == 0, "mapped RW");
	CHECK(upd(d1, d1, t, 1, pte(sh, P), false) == 0, "mapped RO");
	CHECK(gc(sh) == 2 && tc(sh) == 2, "counts %u %u", gc(sh), tc(sh));
	CHECK(pin_table(d1, sh, PGT_L1) == -EINVAL, "not an L1");
	CHECK(!get_page_and_type(fr(sh), d1, PGT_SEG_DESC),
	      "not a descriptor page");
	pg(l2)[0] = pte(sh, P);
	CHECK(pin_table(d1, l2, PGT_L2) == -EINVAL, "not under an L2");
	CHECK(pin_table(d2, t2, PGT_L1) == 0, "d2's L1");
	CHECK(upd(d2, d2, t2, 0, pte(sh, P), false) == -EINVAL,
	      "d2 may not map it");
	CHECK(upd(d1, d1, t, 0, 0, false) == 0 &&
		  upd(d1, d1, t, 1, 0, false) == 0,
	      "unmapped");
	CHECK(gc(sh) == 0 && tc(sh) == 1 && ty(sh) == PGT_WRITABLE,
	      "its own writable ref stays: %u %u", gc(sh), tc(sh));
	CHECK(unpin_table(d1, t) == 0 && unpin_table(d2, t2) == 0, "unpin");
	release_shared_frame(fr(sh));
	CHECK(hv_fake_last_freed == sh && fr(sh)->owner == DOMID_INVALID &&
		      fr(sh)->type_info == 0,
	      "unmapped: freed at once");
	CHECK(quiet(), "counts zero");

	/* Still mapped elsewhere when d1 lets go: freed by the last put. */
	setup();
	fr(sh)->owner = DOMID_XEN;
	fr(sh)->flags = 0;
	share_frame_with_guest(fr(sh), d1);
	CHECK(pin_table(d1, t, PGT_L1) == 0, "d1's L1 again");
	CHECK(upd(d1, d1, t, 0, pte(sh, P | RW), false) == 0, "mapped RW");
	hv_fake_last_freed = 0;
	release_shared_frame(fr(sh));
	CHECK(fr(sh)->owner == DOMID_ORPHAN && hv_fake_last_freed != sh,
	      "mapped: orphaned, not freed (owner %#x)", fr(sh)->owner);
	CHECK(upd(d1, d1, t, 0, 0, false) == 0, "last mapping removed");
	CHECK(hv_fake_last_freed == sh, "then freed");
	CHECK(unpin_table(d1, t) == 0, "unpin");
}

static void test_find_l1_slot(void)
{
	mfn_t l4 = D1, l3 = D1 + 1, l2 = D1 + 2, l1 = D1 + 3, idx_l1;
	u64 va = (1UL << 39) * 3 + (1UL << 30) * 5 + (1UL << 21) * 7 +
		 (1UL << 12) * 9;
	unsigned int idx;

	TEST_GROUP("find_l1_slot: walk to the L1 entry; absent or superpage "
		   "entries refused");
	setup();
	pg(l4)[3] = pte(l3, P | RW);
	pg(l3)[5] = pte(l2, P | RW);
	pg(l2)[7] = pte(l1, P | RW);
	CHECK(pin_table(d1, l4, PGT_L4) == 0, "pin");
	CHECK(find_l1_slot(l4, va, &idx_l1, &idx) == 0 && idx_l1 == l1 &&
		  idx == 9,
	      "found (%lu, %u)", idx_l1, idx);
	CHECK(find_l1_slot(l4, va + (1UL << 21), &idx_l1, &idx) == -EINVAL,
	      "absent L2 entry");
	CHECK(find_l1_slot(l4, va + (1UL << 39), &idx_l1, &idx) == -EINVAL,
	      "absent L4 entry");
	CHECK(unpin_table(d1, l4) == 0 && quiet(), "counts zero");
}

/*
 * domain_kill's order: the vCPUs' references (CR3, GDT) go first, then
 * domain_relinquish_page_tables, after which no page-table reference of
 * the domain's may remain.
 */
/* domain_kill's table stages, each run to its end. */
static void relinquish(struct domain *d)
{
	while (domain_relinquish_page_tables(d, RELQ_MARK))
		;
	while (domain_relinquish_page_tables(d, RELQ_EMPTY))
		;
	while (domain_relinquish_page_tables(d, RELQ_RESET))
		;
}

static void test_relinquish(void)
{
	mfn_t a = D1, b = D1 + 1, c = D1 + 2, l1 = D1 + 3, x = D1 + 4;
	mfn_t e = D1 + 5, s = D1 + 6, gdt = D1 + 7, l3 = D1 + 8;

	TEST_GROUP("domain_relinquish_page_tables: pinned tree");
	setup();
	pg(a)[0] = pte(l3, P | RW);
	pg(l3)[0] = pte(b, P | RW);
	pg(b)[0] = pte(l1, P | RW);
	pg(l1)[0] = pte(x, P | RW);
	CHECK(pin_table(d1, a, PGT_L4) == 0 && pin_table(d1, l1, PGT_L1) == 0,
	      "pin L4 and its L1");
	CHECK(get_page_and_type(fr(gdt), d1, PGT_SEG_DESC), "GDT frame");
	put_page_and_type(fr(gdt)); /* vcpu_release */
	relinquish(d1);
	CHECK(quiet(), "all counts zero");

	TEST_GROUP("domain_relinquish_page_tables: L4 mapping itself");
	setup();
	pg(s)[0] = pte(s, P);
	CHECK(pin_table(d1, s, PGT_L4) == 0, "pin self-mapped L4");
	relinquish(d1);
	CHECK(quiet(), "all counts zero");

	TEST_GROUP("domain_relinquish_page_tables: two L4s mapping each "
		   "other, one loaded then released");
	setup();
	pg(a)[1] = pte(e, P);
	pg(a)[2] = pte(l3, P | RW);
	CHECK(pin_table(d1, e, PGT_L4) == 0, "pin e");
	CHECK(pin_table(d1, a, PGT_L4) == 0, "pin a (-> e)");
	/* Linear entries are one level deep: no cycle can form. */
	CHECK(upd(d1, d1, e, 1, pte(a, P), false) == -EINVAL,
	      "e -> a refused: a holds a linear entry to e");
	CHECK(get_page_and_type(fr(a), d1, PGT_L4), "a loaded");
	CHECK(unpin_table(d1, a) == 0 && unpin_table(d1, e) == 0,
	      "unpin both");
	CHECK(tc(a) == 1 && tc(e) == 1 && tc(l3) == 1, "a loaded keeps e");
	put_page_and_type(fr(a)); /* vcpu_release */
	relinquish(d1);
	CHECK(quiet(), "all counts zero");

	TEST_GROUP("domain_relinquish_page_tables: a cycle whose shared child "
		   "comes first on the page list");
	setup();
	/* d1's page list runs D1, D1 + 1, ...: the tree before the cycle. */
	c = D1, b = D1 + 1, l1 = D1 + 2, x = D1 + 3, a = D1 + 4, e = D1 + 5;
	pg(c)[0] = pte(b, P | RW);
	pg(b)[0] = pte(l1, P | RW);
	pg(l1)[0] = pte(x, P | RW);
	pg(a)[0] = pte(c, P | RW);
	pg(e)[0] = pte(c, P | RW);
	CHECK(pin_table(d1, a, PGT_L4) == 0, "pin a");
	pg(e)[1] = pte(a, P);
	CHECK(pin_table(d1, e, PGT_L4) == 0, "pin e (-> a)");
	CHECK(upd(d1, d1, a, 1, pte(e, P), false) == -EINVAL,
	      "a -> e refused: e holds a linear entry to a");
	CHECK(upd(d1, d1, e, 1, 0, false) == 0 &&
		  upd(d1, d1, a, 1, pte(e, P), false) == 0,
	      "a -> e once e names a no more");
	CHECK(unpin_table(d1, e) == 0, "unpin e: a's linear entry keeps it");
	CHECK(tc(c) == 2 && tc(a) == 1 && tc(e) == 1, "a pinned keeps e");
	relinquish(d1);
	CHECK(quiet(), "all counts zero");

	TEST_GROUP("domain_relinquish_page_tables: another domain's mappings "
		   "survive it, and the orphan is freed with the last one");
	setup();
	CHECK(pin_table(d0, D0, PGT_L1) == 0, "dom0 L1");
	CHECK(upd(d0, d1, D0, 0, pte(x, P | RW), false) == 0,
	      "dom0 maps d1's x RW");
	pg(a)[0] = pte(x, P);
	CHECK(pin_table(d1, a, PGT_L1) == 0, "d1 maps x too");
	relinquish(d1);
	CHECK(gc(x) == 1 && tc(x) == 1 && ty(x) == PGT_WRITABLE && gc(a) == 0,
	      "dom0's mapping kept (%u %u)", gc(x), tc(x));
	fr(x)->owner = DOMID_ORPHAN; /* domain_release_memory */
	CHECK(unpin_table(d0, D0) == 0, "dom0 unpins");
	CHECK(hv_fake_nr_freed == 1 && hv_fake_last_freed == x, "orphan freed");
	CHECK(quiet(), "all counts zero");
}

/* --- Random sequences ---------------------------------------------------- */

#define R_POOL 20 /* frames per domain */
#define R0 8 /* d0's pool: R0 .. R0 + R_POOL - 1 */
#define R1 32 /* d1's pool */
#define R_SHARED0 4 /* hypervisor frames shared with d0, d1 */
#define R_SHARED1 5
#define R_STEPS 200000
#define R_EPOCH 20000 /* steps between teardowns */
#define R_FULL_EVERY 256 /* steps between full-table recounts */
#define R_MAX_HOLDS 48
#define R_MAX_GRANTS 32
#define R_LOG 64

/* The slots the random guests use, so that tables often share frames. */
static const unsigned int r_slots[] = {
	0, 1, 2, 3, HV_FIRST_L4_SLOT, HV_LAST_L4_SLOT, 511
};

static u64 rnd(void)
{
	return test_rand();
}

static struct {
	mfn_t m;
	u32 type; /* PGT_NONE: a general reference only */
} r_holds[R_MAX_HOLDS];
static unsigned int r_nholds;

static struct {
	struct domain *d;
	mfn_t table, m;
	unsigned int idx;
} r_grants[R_MAX_GRANTS];
static unsigned int r_ngrants;

static bool r_pinned[NFRAMES];
static u32 r_prev_type[NFRAMES]; /* types at the last check */
static unsigned long r_prev_flushes;
static char r_log[R_LOG][112];
static unsigned long r_step_nr, r_bad;

static struct {
	unsigned long writes, updates, updates_ok, pins, pins_ok, unpins_ok,
	    holds_ok, grants_ok, teardowns, max_tables, max_depth, max_linear,
	    partials, restarts, abandoned;
} r_stats;


static void r_note(const char *fmt, ...) __printf(1, 2);
static void r_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r_log[r_step_nr % R_LOG], sizeof(r_log[0]), fmt, ap);
	va_end(ap);
}

static void r_bad_state(const char *fmt, ...) __printf(1, 2);
static void r_bad_state(const char *fmt, ...)
{
	va_list ap;

	if (r_bad++ >= 10)
		return;
	printf("  step %lu: ", r_step_nr);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static struct domain *r_dom(mfn_t m)
{
	if ((m >= R0 && m < R0 + R_POOL) || m == R_SHARED0)
		return d0;
	if ((m >= R1 && m < R1 + R_POOL) || m == R_SHARED1)
		return d1;
	return NULL;
}

static bool r_shared(mfn_t m)
{
	return m == R_SHARED0 || m == R_SHARED1;
}

static mfn_t r_pool(struct domain *d)
{
	return (d == d0 ? R0 : R1) + rnd() % R_POOL;
}

static void r_setup(void)
{
	hv_fake_init(NFRAMES, 2);
	hv_fake_mmio_denied = MMIO_DENIED;
	set_idle_l4();
	d0 = hv_fake_domain(0);
	d1 = hv_fake_domain(1);
	d2 = NULL;
	fr(XEN_MFN)->owner = DOMID_XEN;
	fr(XEN_MFN)->flags = 0;
	fr(HOLE_MFN)->owner = DOMID_XEN;
	fr(HOLE_MFN)->flags = FRAME_RESERVED;
	fr(HOLE_MFN)->attrs = 0;
	fr(R_SHARED0)->flags = fr(R_SHARED1)->flags = 0;
	share_frame_with_guest(fr(R_SHARED0), d0);
	share_frame_with_guest(fr(R_SHARED1), d1);
	/* Interleave the page lists a little: teardown order matters. */
	for (mfn_t i = 0; i < R_POOL; i++) {
		mfn_t j = (i * 7) % R_POOL;

		hv_fake_give(R0 + j, d0);
		hv_fake_give(R1 + j, d1);
	}
	memset(r_pinned, 0, sizeof(r_pinned));
	memset(r_prev_type, 0, sizeof(r_prev_type));
	r_prev_flushes = hv_fake_flushes;
	r_nholds = r_ngrants = 0;
}

/* A random entry for a table of d at mfn self. */
static u64 r_entry(struct domain *d, mfn_t self)
{
	unsigned int r = rnd() % 100;
	mfn_t m;
	u64 e;

	if (rnd() % 4 == 0)
		return rnd() % 2 ? 0 : rnd() & ~P; /* not present */
	if (r < 55)
		m = r_pool(d);
	else if (r < 65)
		m = r_pool(d == d0 ? d1 : d0);
	else if (r < 68)
		m = rnd() % 2 ? R_SHARED0 : R_SHARED1;
	else if (r < 78)
		m = self;
	else if (r < 82)
		m = XEN_MFN;
	else if (r < 86)
		m = HOLE_MFN;
	else if (r < 90)
		m = FREE_MFN;
	else if (r < 95)
		m = MMIO_FAR;
	else
		m = MMIO_DENIED;
	e = pte(m, P);
	if (rnd() % 2)
		e |= RW;
	if (rnd() % 25 == 0)
		e |= PSE;
	if (rnd() % 8 == 0)
		e |= GLOBAL;
	if (rnd() % 30 == 0)
		e |= SOFT & rnd();
	if (rnd() % 2)
		e |= USER;
	if (rnd() % 4 == 0)
		e |= NX;
	return e | (rnd() & (ACC | DIRTY));
}

/* May a guest write this frame (through a writable mapping)? */
static bool r_writable(mfn_t m)
{
	return !tc(m) || ty(m) == PGT_WRITABLE || ty(m) == PGT_NONE;
}

static bool r_in_use_table(mfn_t m)
{
	return level_of(ty(m)) && tc(m) && is_validated(m);
}

/* A random table of d in use, or any frame of d's now and then. */
static mfn_t r_table(struct domain *d, u32 want)
{
	mfn_t cand[R_POOL];
	unsigned int n = 0;

	if (rnd() % 10 < 7)
		for (mfn_t m = 0; m < NFRAMES; m++)
			if (r_dom(m) == d && r_in_use_table(m) &&
			    (!want || ty(m) == want))
				cand[n++] = m;
	return n ? cand[rnd() % n] : r_pool(d);
}

static unsigned int r_slot(void)
{
	return r_slots[rnd() % ARRAY_SIZE(r_slots)];
}

static bool r_granted(mfn_t table, unsigned int idx, mfn_t m)
{
	for (unsigned int i = 0; i < r_ngrants; i++)
		if (r_grants[i].table == table && r_grants[i].idx == idx &&
		    r_grants[i].m == m)
			return true;
	return false;
}

/*
 * Recount every reference from scratch and compare with the frame table:
 *  (a) no frame in use as a page table (or descriptor table) is mapped
 *      writable by a validated L1 entry, a grant or a held writable ref;
 *  (b) each frame's general count is the number of pins, held references
 *      and present entries (of validated tables) naming it;
 *  (c) each type count is the number of pins, typed holds and entries
 *      taking a type reference (RW L1 entries, every upper entry);
 * (d) a frame that left WRITABLE since the last check was flushed;
 * plus the shape of validated tables (USER set, no GLOBAL in L1, no PSE
 * above, Xen's L4 slots from idle_l4, upper entries at the right level,
 * RW only to L(k-1)) and the pinned flags against the pins made.
 * full: every entry; else the slots anyone writes (r_slots, Xen's slots).
 */
static void r_check(bool full)
{
	static u32 exp_gen[NFRAMES], exp_type[NFRAMES], writers[NFRAMES];
	static int lin_holds[NFRAMES], lin_targets[NFRAMES];
	unsigned int tables = 0, linear = 0;

	memset(lin_holds, 0, sizeof(lin_holds));
	memset(lin_targets, 0, sizeof(lin_targets));
	memset(exp_gen, 0, sizeof(exp_gen));
	memset(exp_type, 0, sizeof(exp_type));
	memset(writers, 0, sizeof(writers));
	for (unsigned int i = 0; i < r_nholds; i++) {
		mfn_t m = r_holds[i].m;

		exp_gen[m]++;
		if (r_holds[i].type == PGT_NONE)
			continue;
		exp_type[m]++;
		if (ty(m) != r_holds[i].type)
			r_bad_state("frame %lu held as %#x is %#x", m,
				    r_holds[i].type, ty(m));
		if (r_holds[i].type == PGT_WRITABLE)
			writers[m]++;
	}
	exp_type[R_SHARED0]++; /* the share's own writable reference */
	exp_type[R_SHARED1]++;
	for (mfn_t m = 0; m < NFRAMES; m++) {
		if (is_pinned(m) != r_pinned[m])
			r_bad_state("frame %lu pinned flag %d, pinned %d", m,
				    is_pinned(m), r_pinned[m]);
		if (r_pinned[m]) {
			exp_gen[m]++;
			exp_type[m]++;
			if (!level_of(ty(m)))
				r_bad_state("pinned frame %lu is %#x", m,
					    ty(m));
		}
	}
	for (mfn_t m = 0; m < NFRAMES; m++) {
		unsigned int lvl = level_of(ty(m));
		struct domain *od = r_dom(m);
		unsigned int n = full ? 512 : ARRAY_SIZE(r_slots);
		/* Stopped part-way: entries [0, nr_done) hold references. */
		bool partial = fr(m)->type_info & PGT_PARTIAL;
		unsigned int upto = partial ? fr(m)->nr_done : 512;

		if (partial) {
			exp_gen[m]++; /* the partial state's own references */
			exp_type[m]++;
			r_stats.partials++;
		}
		if (lvl && tc(m) && !is_validated(m) && !partial)
			r_bad_state("table %lu in use but not validated", m);
		if (ty(m) == PGT_SEG_DESC && tc(m))
			for (unsigned int j = 0; j < ARRAY_SIZE(r_slots); j++)
				if (pg(m)[r_slots[j]])
					r_bad_state("descriptor page %lu: "
						    "entry %u = %#lx",
						    m, r_slots[j],
						    pg(m)[r_slots[j]]);
		if (!r_in_use_table(m) && !(partial && lvl))
			continue;
		tables++;
		if (!od || fr(m)->owner != od->id) {
			r_bad_state("table %lu owned by %u", m, fr(m)->owner);
			continue;
		}
		if (lvl == 4 && !partial)
			for (unsigned int i = HV_FIRST_L4_SLOT;
			     i <= HV_LAST_L4_SLOT; i++)
				if (pg(m)[i] != idle_l4[i])
					r_bad_state("L4 %lu slot %u = %#lx", m,
						    i, pg(m)[i]);
		for (unsigned int j = 0; j < n; j++) {
			unsigned int i = full ? j : r_slots[j];
			u64 e = pg(m)[i];
			mfn_t t = pte_mfn(e);

			if (is_hv_slot(lvl, i) || !(e & P) || i >= upto)
				continue;
			if (!(e & USER))
				r_bad_state("L%u %lu[%u] = %#lx: no USER", lvl,
					    m, i, e);
			if (lvl == 1) {
				if (e & GLOBAL)
					r_bad_state("L1 %lu[%u] = %#lx: GLOBAL",
						    m, i, e);
				if (t >= NFRAMES ||
				    !(fr(t)->attrs & FRAME_ATTR_RAM)) {
					if (!od->privileged || t == MMIO_DENIED)
						r_bad_state("L1 %lu[%u] = %#lx:"
							    " device frame",
							    m, i, e);
					continue;
				}
				if (is_grant_pte(m, i) && !r_granted(m, i, t))
					r_bad_state("L1 %lu[%u] = %#lx: grant "
						    "entry nobody made",
						    m, i, e);
				if (r_granted(m, i, t) && !is_grant_pte(m, i))
					r_bad_state("L1 %lu[%u] = %#lx: grant "
						    "entry not recorded",
						    m, i, e);
				if (!r_dom(t) ||
				    (!is_grant_pte(m, i) && r_dom(t) != od &&
				     !od->privileged))
					r_bad_state("L1 %lu[%u] = %#lx: "
						    "frame of %u",
						    m, i, e, fr(t)->owner);
				exp_gen[t]++;
				if (!(e & RW))
					continue;
				exp_type[t]++;
				writers[t]++;
				if (ty(t) != PGT_WRITABLE)
					r_bad_state("L1 %lu[%u] = %#lx: RW "
						    "map of a %#x frame",
						    m, i, e, ty(t));
				continue;
			}
			if (e & PSE)
				r_bad_state("L%u %lu[%u] = %#lx: superpage",
					    lvl, m, i, e);
			if (t >= NFRAMES || r_dom(t) != od) {
				r_bad_state("L%u %lu[%u] = %#lx: not own frame",
					    lvl, m, i, e);
				continue;
			}
			if (t == m) { /* a self-map takes no reference */
				linear++;
				continue;
			}
			exp_gen[t]++;
			exp_type[t]++;
			if (ty(t) == frame_level_type(lvl) && !(e & RW)) {
				linear++;
				lin_holds[m]++;
				lin_targets[t]++;
				continue;
			}
			if (ty(t) != frame_level_type(lvl - 1))
				r_bad_state("L%u %lu[%u] = %#lx: to a %#x "
					    "frame",
					    lvl, m, i, e, ty(t));
		}
	}
	for (mfn_t m = 0; m < NFRAMES; m++) {
		if (r_prev_type[m] == PGT_WRITABLE && ty(m) != PGT_WRITABLE &&
		    hv_fake_flushes == r_prev_flushes)
			r_bad_state("frame %lu left WRITABLE for %#x unflushed",
				    m, ty(m));
		r_prev_type[m] = ty(m);
	}
	r_prev_flushes = hv_fake_flushes;
	/* Linear entries one level deep: holders are never targets. */
	for (mfn_t m = 0; m < NFRAMES; m++) {
		if (lin_holds[m] && lin_targets[m])
			r_bad_state("frame %lu holds %d linear entries and is "
				    "the target of %d",
				    m, lin_holds[m], lin_targets[m]);
		if (full && fr(m)->linear != lin_holds[m] - lin_targets[m])
			r_bad_state("frame %lu linear %d, recounted %d", m,
				    fr(m)->linear,
				    lin_holds[m] - lin_targets[m]);
	}
	r_stats.max_tables = MAX(r_stats.max_tables, tables);
	r_stats.max_linear = MAX(r_stats.max_linear, linear);
	for (mfn_t m = 0; m < NFRAMES; m++) {
		if (gc(m) != exp_gen[m])
			r_bad_state("frame %lu: count %u, recounted %u", m,
				    gc(m), exp_gen[m]);
		if (tc(m) != exp_type[m])
			r_bad_state("frame %lu: type %#x count %u, recounted "
				    "%u",
				    m, ty(m), tc(m), exp_type[m]);
		if ((level_of(ty(m)) || ty(m) == PGT_SEG_DESC) && tc(m) &&
		    writers[m])
			r_bad_state("frame %lu is a %#x in use and writable "
				    "(%u writers)",
				    m, ty(m), writers[m]);
	}
}

/* Depth of the deepest chain of in-use tables (for the statistics). */
static unsigned int r_depth(mfn_t m, unsigned int lvl)
{
	unsigned int best = 1;

	if (lvl < 2)
		return 1;
	for (unsigned int j = 0; j < ARRAY_SIZE(r_slots); j++) {
		u64 e = pg(m)[r_slots[j]];
		mfn_t t = pte_mfn(e);

		if (!(e & P) || is_hv_slot(lvl, r_slots[j]) || t >= NFRAMES ||
		    ty(t) != frame_level_type(lvl - 1))
			continue;
		best = MAX(best, 1 + r_depth(t, lvl - 1));
	}
	return best;
}

static void r_teardown(void)
{
	while (r_nholds) {
		r_nholds--;
		if (r_holds[r_nholds].type == PGT_NONE)
			put_page(fr(r_holds[r_nholds].m));
		else
			put_page_and_type(fr(r_holds[r_nholds].m));
	}
	r_note("teardown: relinquish d1, then d0");
	hv_fake_release_vcpus();
	relinquish(d1);
	for (mfn_t m = R1; m < R1 + R_POOL; m++)
		r_pinned[m] = false;
	r_check(true);
	relinquish(d0);
	for (mfn_t m = R0; m < R0 + R_POOL; m++)
		r_pinned[m] = false;
	r_ngrants = 0;
	r_check(true);
	for (mfn_t m = 0; m < NFRAMES; m++)
		if (gc(m) || tc(m) != r_shared(m) ||
		    (level_of(ty(m)) && is_validated(m)))
			r_bad_state("after teardown frame %lu: count %u, "
				    "type_info %#x",
				    m, gc(m), fr(m)->type_info);
	if (hv_fake_heap_live)
		r_bad_state("after teardown: %lu grant records left",
			    hv_fake_heap_live);
	r_stats.teardowns++;
}

/*
 * A third of the steps run as a memory hypercall that may stop every 64
 * entries (hv_fake_preempt at random): a stopped pin or update is issued
 * again as its continuation would be, or now and then abandoned, and the
 * vCPU's pending teardown is finished afterwards, or now and then left.
 */
static bool r_preemptible;

static int r_again(int rc, int (*retry)(void *), void *arg)
{
	while (rc == -ERESTART) {
		r_stats.restarts++;
		if (rnd() % 8 == 0) {
			r_stats.abandoned++;
			r_note("  (abandoned part-way)");
			return rc;
		}
		hv_fake_preempt = rnd() % 2;
		rc = retry(arg);
	}
	return rc;
}

static void r_finish_pending(void)
{
	if (!r_preemptible || rnd() % 8 == 0)
		return;
	while (mm_finish_pending(current))
		hv_fake_preempt = rnd() % 2;
}

struct r_call {
	struct domain *d, *pg_owner;
	mfn_t m;
	unsigned int idx, lvl;
	u64 e;
	bool ad;
	enum pt_update_op how;
};

static int r_retry_update(void *arg)
{
	struct r_call *c = arg;

	return update_pt_entry(c->d, c->pg_owner, c->m, c->idx, c->e, c->ad,
			       c->how);
}

static int r_retry_pin(void *arg)
{
	struct r_call *c = arg;

	return pin_table(c->d, c->m, frame_level_type(c->lvl));
}

static void r_op(void);

static void r_step(void)
{
	r_preemptible = rnd() % 3 == 0;
	if (r_preemptible) {
		mm_preemptible(true);
		hv_fake_preempt = rnd() % 2;
	}
	r_op();
	r_finish_pending();
	mm_preemptible(false);
	hv_fake_preempt = false;
}

static void r_op(void)
{
	struct domain *d = rnd() % 2 ? d1 : d0, *pg_owner = d;
	unsigned int op = rnd() % 100, idx = r_slot();
	struct r_call call;
	mfn_t m;
	u64 e;
	int rc;

	hv_fake_run_as(d);

	if (op < 14) {
		m = r_pool(rnd() % 2 ? d1 : d0);
		if (!r_writable(m)) {
			r_note("write %lu: not writable", m);
			return;
		}
		e = r_entry(r_dom(m), m);
		r_note("guest writes %lu[%u] = %#lx", m, idx, e);
		pg(m)[idx] = e;
		r_stats.writes++;
	} else if (op < 18) {
		m = r_pool(d);
		if (r_writable(m)) {
			r_note("guest clears %lu", m);
			memset(pg(m), 0, PAGE_SIZE);
		}
	} else if (op < 46) {
		u64 old;
		bool ad = rnd() % 4 == 0;
		enum pt_update_op how = (enum pt_update_op)(rnd() % 3);

		m = r_table(d, PGT_NONE);
		e = r_entry(d, m);
		if (d == d0 && rnd() % 5 == 0)
			pg_owner = d1;
		old = pg(m)[idx];
		call = (struct r_call){ .d = d, .pg_owner = pg_owner, .m = m,
					.idx = idx, .e = e, .ad = ad,
					.how = how };
		rc = r_again(r_retry_update(&call), r_retry_update, &call);
		r_note("d%u update %lu[%u] = %#lx (pg_owner d%u%s): %d", d->id,
		       m, idx, e, pg_owner->id, ad ? ", keep A/D" : "", rc);
		r_stats.updates++;
		if (rc == -ERESTART) {
			if (pg(m)[idx] != old)
				r_bad_state("stopped update changed %lu[%u]",
					    m, idx);
		} else if (!rc) {
			r_stats.updates_ok++;
			if (pte_mfn(pg(m)[idx]) != pte_mfn(e) ||
			    (pg(m)[idx] & (P | RW)) != (e & (P | RW)))
				r_bad_state(
				    "update %lu[%u] wrote %#lx for %#lx", m,
				    idx, pg(m)[idx], e);
		} else if (pg(m)[idx] != old) {
			r_bad_state("refused update changed %lu[%u]: %#lx -> "
				    "%#lx",
				    m, idx, old, pg(m)[idx]);
		}
	} else if (op < 58) {
		unsigned int lvl = 1 + rnd() % 4;
		bool was = false;

		m = rnd() % 10 ? r_pool(d) : r_pool(d == d0 ? d1 : d0);
		was = r_pinned[m];
		call = (struct r_call){ .d = d, .m = m, .lvl = lvl };
		rc = r_again(r_retry_pin(&call), r_retry_pin, &call);
		r_note("d%u pin %lu as L%u: %d", d->id, m, lvl, rc);
		r_stats.pins++;
		if (!rc) {
			r_stats.pins_ok++;
			if (was || r_dom(m) != d)
				r_bad_state("pin of %lu accepted", m);
			r_pinned[m] = true;
		}
	} else if (op < 66) {
		bool expect;

		m = r_pool(d);
		for (unsigned int tries = 0; tries < 8 && !r_pinned[m]; tries++)
			m = r_pool(d);
		if (rnd() % 10 == 0)
			m = r_pool(d == d0 ? d1 : d0);
		expect = r_pinned[m] && r_dom(m) == d;
		rc = unpin_table(d, m);
		r_note("d%u unpin %lu: %d", d->id, m, rc);
		if ((rc == 0) != expect)
			r_bad_state("unpin of %lu: %d", m, rc);
		if (!rc) {
			r_pinned[m] = false;
			r_stats.unpins_ok++;
		}
	} else if (op < 76) {
		static const u32 kinds[] = { PGT_L4, PGT_WRITABLE, PGT_SEG_DESC,
					     PGT_NONE };
		u32 type = kinds[rnd() % 4];
		bool ok;

		if (r_nholds == R_MAX_HOLDS)
			return;
		m = rnd() % 10 ? r_pool(d) : r_pool(d == d0 ? d1 : d0);
		ok = type == PGT_NONE ? get_page(fr(m), d)
				      : get_page_and_type(fr(m), d, type);
		r_note("d%u holds %lu as %#x: %d", d->id, m, type, ok);
		if (ok) {
			r_holds[r_nholds].m = m;
			r_holds[r_nholds].type = type;
			r_nholds++;
			r_stats.holds_ok++;
		}
	} else if (op < 84) {
		unsigned int i;

		if (!r_nholds)
			return;
		i = rnd() % r_nholds;
		m = r_holds[i].m;
		r_note("release hold of %lu as %#x", m, r_holds[i].type);
		if (r_holds[i].type == PGT_NONE)
			put_page(fr(m));
		else
			put_page_and_type(fr(m));
		r_holds[i] = r_holds[--r_nholds];
	} else if (op < 93) {
		mfn_t table = r_table(d, PGT_L1);

		if (r_ngrants == R_MAX_GRANTS)
			return;
		m = r_pool(d == d0 ? d1 : d0);
		e = pte(m, P | ACC | DIRTY | (rnd() % 2 ? RW : 0));
		rc = grant_pte_install(d, table, idx, e);
		r_note("d%u grant map %lu[%u] = %#lx: %d", d->id, table, idx, e,
		       rc);
		if (!rc) {
			r_grants[r_ngrants].d = d;
			r_grants[r_ngrants].table = table;
			r_grants[r_ngrants].idx = idx;
			r_grants[r_ngrants].m = m;
			r_ngrants++;
			r_stats.grants_ok++;
		}
	} else {
		unsigned int i;

		if (!r_ngrants)
			return;
		i = rnd() % r_ngrants;
		r_note("d%u grant unmap %lu[%u] (%lu)", r_grants[i].d->id,
		       r_grants[i].table, r_grants[i].idx, r_grants[i].m);
		grant_pte_remove(r_grants[i].d, r_grants[i].table,
				 r_grants[i].idx, r_grants[i].m);
		r_grants[i] = r_grants[--r_ngrants];
	}
}

static void test_random(void)
{
	unsigned long bad_before;

	TEST_GROUP("random sequences (200000 steps, 2 domains x 20 frames, "
		   "fixed seed): guest writes, entry updates at every level "
		   "(own, foreign pg_owner, Xen/free/hole/MMIO targets), "
		   "pin/unpin L1..L4, held CR3/writable/GDT/plain refs, grant "
		   "map/unmap, teardown every 20000 steps; after every step "
		   "(a) no page table writable, (b) general counts and (c) "
		   "type counts equal a recount from scratch, (d) TLBs flushed "
		   "when a frame leaves WRITABLE, (e) linear entries one level "
		   "deep; a third of the steps may stop part-way (PARTIAL "
		   "tables, continued, abandoned, pending teardowns)");
	r_setup();
	memset(&r_stats, 0, sizeof(r_stats));
	for (r_step_nr = 1; r_step_nr <= R_STEPS; r_step_nr++) {
		bad_before = r_bad;
		r_step();
		if (r_step_nr % R_FULL_EVERY) {
			r_check(false);
		} else {
			r_check(true);
			for (mfn_t m = 0; m < NFRAMES; m++)
				if (level_of(ty(m)) == 4 && r_in_use_table(m))
					r_stats.max_depth = MAX(
					    r_stats.max_depth, r_depth(m, 4));
		}
		if (r_step_nr % R_EPOCH == 0)
			r_teardown();
		if (r_bad != bad_before) {
			printf("  the last operations:\n");
			for (unsigned long i =
				 r_step_nr > R_LOG ? r_step_nr - R_LOG + 1 : 1;
			     i <= r_step_nr; i++)
				printf("    %lu: %s\n", i, r_log[i % R_LOG]);
			break;
		}
	}
	CHECK(r_bad == 0, "%lu inconsistencies", r_bad);
	printf("  %lu writes, %lu/%lu updates, %lu/%lu pins, %lu unpins, "
	       "%lu holds, %lu grants, %lu teardowns; up to %lu tables in "
	       "use, trees %lu deep, up to %lu linear entries; %lu stops "
	       "part-way (%lu abandoned), %lu partial tables seen\n",
	       r_stats.writes, r_stats.updates_ok, r_stats.updates,
	       r_stats.pins_ok, r_stats.pins, r_stats.unpins_ok,
	       r_stats.holds_ok, r_stats.grants_ok, r_stats.teardowns,
	       r_stats.max_tables, r_stats.max_depth, r_stats.max_linear,
	       r_stats.restarts, r_stats.abandoned, r_stats.partials);
	CHECK(r_stats.pins_ok > 1000 && r_stats.updates_ok > 1000 &&
		  r_stats.grants_ok > 100 && r_stats.max_depth == 4 &&
		  r_stats.max_linear > 0,
	      "the random guests built 4-level trees and linear maps");
	CHECK(r_stats.restarts > 1000 && r_stats.abandoned > 100 &&
		  r_stats.partials > 1000,
	      "validations and teardowns stopped part-way, continued, "
	      "abandoned");
}

/*
 * No entry the guest writes is taken for a grant mapping, and no grant
 * mapping is lost: the record goes with the entry's references only.
 */
static void test_grant_record(void)
{
	mfn_t t = D1, x = D1 + 1, y = D1 + 2, g = D2;

	TEST_GROUP("grant record: an unmap never acts on an entry the guest "
		   "wrote (same frame, same slot, any bits), a self-grant "
		   "whose table was torn down comes back a plain mapping, "
		   "teardown drops a grant's refs and its record");
	setup();
	CHECK(pin_table(d1, t, PGT_L1) == 0, "pin L1");
	CHECK(upd(d1, d1, t, 5, pte(x, P | SOFT), false) == 0,
	      "own x at 5, bits 52-62 set");
	grant_pte_remove(d1, t, 5, x);
	CHECK(pg(t)[5] == pte(x, P | USER | SOFT) && gc(x) == 1,
	      "an unmap naming that slot and frame: nothing happens");
	/* A self-grant: d1 maps its own y through the grant code. */
	CHECK(grant_pte_install(d1, t, 6, pte(y, P | RW)) == 0 && gc(y) == 1 &&
		  tc(y) == 1 && is_grant_pte(t, 6),
	      "self-grant of y at 6");
	CHECK(unpin_table(d1, t) == 0 && gc(y) == 0 && tc(y) == 0 &&
		  gc(x) == 0 && hv_fake_heap_live == 0,
	      "teardown: the grant's refs and the record go");
	CHECK(pin_table(d1, t, PGT_L1) == 0 && gc(y) == 1 && tc(y) == 1 &&
		  !is_grant_pte(t, 6),
	      "pinned again: entry 6 is a plain mapping of y now");
	grant_pte_remove(d1, t, 6, y);
	CHECK(pg(t)[6] == pte(y, P | RW | USER) && gc(y) == 1,
	      "the old grant's unmap leaves it alone");
	CHECK(grant_pte_install(d1, t, 7, pte(g, P)) == 0 && gc(g) == 1,
	      "d2's g granted at 7");
	CHECK(upd(d1, d1, t, 7, pte(g, P | SOFT), false) == -EBUSY &&
		  upd(d1, d1, t, 7, pte(x, P), false) == -EBUSY &&
		  pg(t)[7] == pte(g, P | USER) && gc(g) == 1 &&
		  is_grant_pte(t, 7),
	      "it cannot be rewritten, hidden or replaced");
	CHECK(upd(d1, d1, t, 5, 0, false) == 0 &&
		  upd(d1, d1, t, 6, 0, false) == 0,
	      "plain entries unmapped");
	CHECK(unpin_table(d1, t) == 0 && gc(g) == 0 && quiet(),
	      "teardown with the grant still mapped: counts zero, record "
	      "freed");
	pg(t)[5] = pg(t)[6] = pg(t)[7] = 0;
}

/* GNTTABOP_unmap_and_replace's PTE move (grant_pte_replace). */
static void test_grant_replace(void)
{
	mfn_t t = D1, t2 = D1 + 1, x = D1 + 2, y = D1 + 3, w = D1 + 4;
	mfn_t g = D2;

	TEST_GROUP("grant_pte_replace: the new entry moves into the grant's "
		   "place with its refs; refused if its table is not an L1 "
		   "in use or it is a grant; a grant already gone leaves it");
	setup();
	CHECK(pin_table(d1, t, PGT_L1) == 0 && pin_table(d1, t2, PGT_L1) == 0,
	      "two L1s");
	CHECK(upd(d1, d1, t2, 7, pte(x, P | RW), false) == 0, "map x RW");
	CHECK(grant_pte_install(d1, t, 2, pte(g, P | RW)) == 0,
	      "grant map of g");
	CHECK(grant_pte_replace(d1, t, 2, g, w, 7) == -EINVAL &&
		  pg(t)[2] == pte(g, P | RW | USER) && gc(g) == 1,
	      "new entry in a frame that is no L1 in use: nothing changes");
	CHECK(grant_pte_install(d1, t2, 8, pte(g, P)) == 0,
	      "a second grant mapping of g");
	CHECK(grant_pte_replace(d1, t, 2, g, t2, 8) == -EINVAL &&
		  gc(g) == 2,
	      "a grant mapping cannot replace one");
	CHECK(grant_pte_replace(d1, t, 2, g, t2, 512) == -EINVAL,
	      "index 512");
	CHECK(grant_pte_replace(d1, t, 2, g, t2, 7) == 0, "replace");
	CHECK(pg(t)[2] == pte(x, P | RW | USER) && pg(t2)[7] == 0 &&
		  !is_grant_pte(t, 2),
	      "x moved into the grant's slot, no grant there: %#lx", pg(t)[2]);
	CHECK(gc(x) == 1 && tc(x) == 1 && ty(x) == PGT_WRITABLE,
	      "x's references moved with it");
	CHECK(gc(g) == 1 && tc(g) == 0, "the RW grant's refs went");
	CHECK(upd(d1, d1, t2, 6, pte(y, P), false) == 0, "map y");
	CHECK(grant_pte_replace(d1, t, 2, g, t2, 6) == 0 &&
		  pg(t2)[6] == pte(y, P | USER) && gc(y) == 1,
	      "no grant there any more: y stays where it was");
	grant_pte_remove(d1, t2, 8, g);
	CHECK(upd(d1, d1, t, 2, 0, false) == 0 &&
		  upd(d1, d1, t2, 6, 0, false) == 0,
	      "unmap x and y");
	CHECK(unpin_table(d1, t) == 0 && unpin_table(d1, t2) == 0 && quiet(),
	      "counts zero");
}

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "get_put_page", test_get_put_page },
	{ "fresh_types", test_fresh_types },
	{ "type_changes", test_type_changes },
	{ "flush", test_flush },
	{ "l1_validation", test_l1_validation },
	{ "upper_validation", test_upper_validation },
	{ "pin", test_pin },
	{ "update", test_update },
	{ "grant_replace", test_grant_replace },
	{ "grant_record", test_grant_record },
	{ "shared_frame", test_shared_frame },
	{ "find_l1_slot", test_find_l1_slot },
	{ "relinquish", test_relinquish },
	{ "random", test_random },
};

/* test_ptval [name...]: all tests, or those named. */
int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep the log if a check crashes */
	for (unsigned int i = 0; i < ARRAY_SIZE(tests); i++) {
		bool run = argc < 2;

		for (int a = 1; a < argc; a++)
			run |= !strcmp(argv[a], tests[i].name);
		if (run)
			tests[i].fn();
	}
	hv_fake_fini();
	return test_summary("test_ptval");
}
