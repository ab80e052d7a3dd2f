/*
 * Grant tables: how domains share pages for I/O.
 *
 * A granting domain G writes {flags, domid, frame} in its table (frames
 * the hypervisor allocated and G maps; version 1 or 2 layout, see
 * set_version). A grantee D may then:
 *  - map the frame (map_grant_ref): we check the entry is a live
 *    permit_access for D (writable unless GTF_readonly), pin it (active
 *    entry counts per kind, GTF_reading/GTF_writing set in G's entry or,
 *    in version 2, its status) and install a PTE in D's page tables
 *    (recorded as a grant mapping in ptval.c's grant slots, never by a
 *    bit the guest could write) and/or hand out its bus address
 *    (device_map). Every pin holds
 *    a reference on the frame (as does the PTE), so it stays G's, or an
 *    orphan if G dies, until the last unmap: G cannot give it back or
 *    away meanwhile. Writable uses hold a writable type reference, so the
 *    frame is never a page table while D may write it. Only unmaps change
 *    a grant PTE. As in Xen, a domain may map its own grants. D's
 *    maptrack (maptrack.c) names each mapping by a handle and records
 *    G's table instance, never just its id.
 *  - copy to or from it (copy), within one page, holding the same
 *    references for the copy's duration;
 *  - receive a page G gives away (transfer) into an accept_transfer entry.
 * Locks: a table's lock protects its active entries, maptrack and
 * version; two tables are locked in domain-id order.
 */
#include <xen/grant_table.h>
#include "domain.h"
#include "grant.h"
#include "guest_access.h"
#include "hypercall.h"
#include "lib.h"
#include "m2p.h"
#include "maptrack.h"
#include "mm.h"
#include "page.h"
#include "ptval.h"
#include "tlbflush.h"
#include "xmalloc.h"

/*
 * Pins of an active entry, by kind as Xen counts them. A count that
 * reached PIN_LIMIT takes no more (Xen refuses at its top bit too), so
 * no guest can wrap one to zero while the grant is still in use.
 */
enum { PIN_HOST_W, PIN_HOST_R, PIN_DEV_W, PIN_DEV_R, NR_PIN_KINDS };
#define PIN_LIMIT 0x80

struct active_grant {
	u8 pins[NR_PIN_KINDS];
	domid_t mapper;
	/* What may be copied: a version 2 sub-page grant's bytes only. */
	u16 start, length;
	bool sub_page; /* such a grant is never mapped */
	mfn_t mfn;
};

static unsigned int pin_kind(bool device, bool readonly)
{
	return (device ? PIN_DEV_W : PIN_HOST_W) + readonly;
}

static bool kind_readonly(unsigned int kind)
{
	return kind == PIN_HOST_R || kind == PIN_DEV_R;
}

struct grant_table {
	spinlock_t lock;
	/*
	 * This table's instance: unique for all time, unlike the domain id
	 * (a new domain may get a dead one's id). A maptrack entry records
	 * it, so an unmap never touches a later domain's table.
	 */
	u64 serial;
	unsigned int version; /* 1 or 2: the layout of the shared frames */
	unsigned int nr_frames, nr_status_frames;
	void *shared[GNTTAB_MAX_FRAMES];
	grant_status_t *status[GNTTAB_MAX_STATUS_FRAMES]; /* version 2 */
	struct active_grant *active;
	struct maptrack maptrack;
	/*
	 * Set (under lock) when its domain's destruction frees the active and
	 * maptrack arrays: another domain that found this table just before
	 * sees it once it holds the lock, and leaves it alone. The struct
	 * itself lives as long as the domain struct (grant_domain_put).
	 */
	bool dead;
};

static u64 table_serial;

static unsigned int per_frame(const struct grant_table *gt)
{
	return gt->version == 1 ? GNTTAB_ENTRIES_PER_FRAME
				: GNTTAB_V2_ENTRIES_PER_FRAME;
}

#define NR_REFS(gt) ((gt)->nr_frames * per_frame(gt))

/* Status frames that n grant frames of version 2 need. */
static unsigned int status_frames_for(unsigned int n)
{
	return (n * GNTTAB_V2_ENTRIES_PER_FRAME + GNTTAB_STATUS_PER_FRAME - 1) /
	       GNTTAB_STATUS_PER_FRAME;
}

/* The {flags, domid} word of ref r: the same place in both layouts. */
static u32 *entry_hdr(struct grant_table *gt, grant_ref_t r)
{
	unsigned int n = per_frame(gt);

	return (u32 *)((u8 *)gt->shared[r / n] + (r % n) * (PAGE_SIZE / n));
}

static u16 *entry_flags(struct grant_table *gt, grant_ref_t r)
{
	return &((struct grant_entry_header *)entry_hdr(gt, r))->flags;
}

/* Where GTF_reading/writing go: the entry (v1) or its status (v2). */
static u16 *entry_status(struct grant_table *gt, grant_ref_t r)
{
	if (gt->version == 1)
		return entry_flags(gt, r);
	return &gt->status[r / GNTTAB_STATUS_PER_FRAME]
			  [r % GNTTAB_STATUS_PER_FRAME];
}

static u64 entry_frame(struct grant_table *gt, grant_ref_t r)
{
	void *e = entry_hdr(gt, r);

	if (gt->version == 1)
		return READ_ONCE(((struct grant_entry_v1 *)e)->frame);
	return READ_ONCE(((union grant_entry_v2 *)e)->full_page.frame);
}

static void set_entry_frame(struct grant_table *gt, grant_ref_t r, u64 mfn)
{
	void *e = entry_hdr(gt, r);

	if (gt->version == 1)
		WRITE_ONCE(((struct grant_entry_v1 *)e)->frame, (u32)mfn);
	else
		WRITE_ONCE(((union grant_entry_v2 *)e)->full_page.frame, mfn);
}

/* A zeroed frame the hypervisor owns and d may map, like shared_info. */
static void *alloc_shared(struct domain *d)
{
	void *p = alloc_page();

	if (p) {
		memset(p, 0, PAGE_SIZE);
		share_frame_with_guest(mfn_to_frame(__pa(p) >> PAGE_SHIFT), d);
	}
	return p;
}

static void release_shared(void *p)
{
	release_shared_frame(mfn_to_frame(__pa(p) >> PAGE_SHIFT));
}

/* Grow d's table to nr frames (and their status frames in version 2). */
static int grow_table(struct domain *d, unsigned int nr)
{
	struct grant_table *gt = d->grant;
	unsigned int ns = gt->version == 2 ? status_frames_for(nr) : 0;

	while (gt->nr_status_frames < ns) {
		void *p = alloc_shared(d);
		if (!p)
			return -ENOMEM;
		gt->status[gt->nr_status_frames++] = p;
	}
	while (gt->nr_frames < nr) {
		void *p = alloc_shared(d);
		if (!p)
			return -ENOMEM;
		gt->shared[gt->nr_frames++] = p;
	}
	return 0;
}

int grant_domain_init(struct domain *d)
{
	struct grant_table *gt = xzalloc(sizeof(*gt));

	if (!gt)
		return -ENOMEM;
	gt->lock = (spinlock_t)SPIN_LOCK_UNLOCKED;
	gt->serial = __atomic_add_fetch(&table_serial, 1, __ATOMIC_SEQ_CST);
	gt->version = 1;
	gt->active = xzalloc(GNTTAB_MAX_FRAMES * GNTTAB_ENTRIES_PER_FRAME *
			     sizeof(struct active_grant));
	d->grant = gt;
	if (!gt->active || maptrack_init(&gt->maptrack, MAPTRACK_MAX_FRAMES) ||
	    grow_table(d, 1)) {
		grant_domain_destroy(d);
		return -ENOMEM;
	}
	return 0;
}

/* Lock a's table and b's (b may be NULL: a granter that is gone). */
static void lock_tables(struct domain *a, struct domain *b)
{
	if (!b || a == b) {
		spin_lock(&a->grant->lock);
	} else if (a->id < b->id) {
		spin_lock(&a->grant->lock);
		spin_lock(&b->grant->lock);
	} else {
		spin_lock(&b->grant->lock);
		spin_lock(&a->grant->lock);
	}
}

static void unlock_tables(struct domain *a, struct domain *b)
{
	spin_unlock(&a->grant->lock);
	if (b && a != b)
		spin_unlock(&b->grant->lock);
}

static struct domain *granter(domid_t id)
{
	struct domain *d =
	    id == DOMID_SELF ? current->domain : domain_lookup(id);
	return d && !d->is_dying && d->grant && !READ_ONCE(d->grant->dead)
		   ? d
		   : NULL;
}

/* The granter a maptrack entry names, if that very instance still lives. */
static struct domain *granter_instance(domid_t id, u64 serial)
{
	struct domain *g = domain_lookup(id);

	return g && g->grant && g->grant->serial == serial ? g : NULL;
}

/*
 * Drop GTF_reading/writing from G's entry once no pin needs them (writing
 * only when a writable use went, as Xen does).
 */
static void clear_unused_marks(u16 *status, const struct active_grant *a,
			       bool was_writable)
{
	bool wr = a->pins[PIN_HOST_W] || a->pins[PIN_DEV_W];
	bool any = wr || a->pins[PIN_HOST_R] || a->pins[PIN_DEV_R];

	if (was_writable && !wr)
		__atomic_fetch_and(status, ~GTF_writing, __ATOMIC_SEQ_CST);
	if (!any)
		__atomic_fetch_and(status, ~GTF_reading, __ATOMIC_SEQ_CST);
}

/*
 * Is the {flags, domid} word w a grant D may use as asked? Type and
 * domain are checked on first use only (as in Xen); mask is the type
 * mask, with GTF_sub_page where a sub-page grant is refused.
 */
static int check_hdr(struct domain *g, struct domain *d, grant_ref_t ref, u32 w,
		     bool readonly, bool pinned, u16 mask)
{
	u16 flags = (u16)w;
	domid_t domid = (domid_t)(w >> 16);

	if (!pinned &&
	    ((flags & mask) != GTF_permit_access || domid != d->id)) {
		mm_refused(d, MMR_GRANT_REF,
			   "grant ref %u of d%u: not granted to d%u "
			   "(flags %#x, domid %u)",
			   ref, g->id, d->id, flags, domid);
		return GNTST_general_error;
	}
	if (!readonly && (flags & GTF_readonly)) {
		mm_refused(d, MMR_GRANT_RO,
			   "grant ref %u of d%u: read-only, used for writing",
			   ref, g->id);
		return GNTST_general_error;
	}
	return GNTST_okay;
}

/*
 * Mark G's entry in use (GTF_reading, and GTF_writing unless readonly)
 * after checking it. Version 1: G writes the entry concurrently, so
 * {flags, domid} (one 32-bit word) is checked and marked in one
 * compare-and-swap, and a granter that keeps changing it gets an error
 * after a few tries rather than holding us (as Xen). Version 2: the
 * status is marked first, then the entry checked again, so G either
 * sees the mark before it revokes or we see the revocation.
 */
static int mark_entry(struct domain *g, struct domain *d, grant_ref_t ref,
		      bool readonly, bool pinned, bool map)
{
	struct grant_table *gt = g->grant;
	u32 *w = entry_hdr(gt, ref), old = __atomic_load_n(w, __ATOMIC_SEQ_CST);
	u16 set = readonly ? GTF_reading : GTF_reading | GTF_writing, *st;
	u16 mask = GTF_type_mask | (map ? GTF_sub_page : 0);
	int rc;

	if (gt->version == 1) {
		for (int tries = 0; tries < 5; tries++) {
			rc = check_hdr(g, d, ref, old, readonly, pinned, mask);
			if (rc)
				return rc;
			if (__atomic_compare_exchange_n(w, &old, old | set,
							false, __ATOMIC_SEQ_CST,
							__ATOMIC_SEQ_CST))
				return GNTST_okay;
		}
		return GNTST_general_error;
	}
	rc = check_hdr(g, d, ref, old, readonly, pinned, mask);
	if (rc)
		return rc;
	st = entry_status(gt, ref);
	__atomic_fetch_or(st, set, __ATOMIC_SEQ_CST);
	old = __atomic_load_n(w, __ATOMIC_SEQ_CST);
	rc = check_hdr(g, d, ref, old, readonly, pinned, mask);
	if (rc)
		__atomic_fetch_and(st, pinned ? ~GTF_writing : ~set,
				   __ATOMIC_SEQ_CST);
	return rc;
}

/*
 * A first pin records what a copy may touch: the whole page, or in
 * version 2 a sub-page grant's [page_off, page_off + length). Like
 * Xen, the entry is read once it is marked in use.
 */
static void set_span(struct grant_table *gt, grant_ref_t ref,
		     struct active_grant *a)
{
	union grant_entry_v2 *e2 = (void *)entry_hdr(gt, ref);

	a->sub_page =
	    gt->version == 2 && (READ_ONCE(e2->hdr.flags) & GTF_sub_page);
	a->start = a->sub_page ? READ_ONCE(e2->sub_page.page_off) : 0;
	a->length = a->sub_page ? READ_ONCE(e2->sub_page.length) : PAGE_SIZE;
}

/*
 * Check and pin grant ref of G for D as kind (PIN_*) for a mapping (map)
 * or a copy, taking a reference
 * on the frame (the caller drops it with put_page after unpin_grant).
 * Returns GNTST_okay with the frame, GTF_reading/writing set in G's
 * entry; Xen's status codes otherwise. Both tables locked.
 */
static int pin_grant(struct domain *g, struct domain *d, grant_ref_t ref,
		     unsigned int kind, bool map, mfn_t *mfn, u16 span[2])
{
	struct grant_table *gt = g->grant;
	bool ro = kind_readonly(kind), pinned = false, wr_pinned;
	struct active_grant *a;
	struct frame *f;
	int rc;

	if (gt->dead)
		return GNTST_bad_domain; /* died since granter() looked */
	if (ref >= NR_REFS(gt)) {
		mm_refused(d, MMR_GRANT_RANGE,
			   "grant ref %u of d%u: beyond its table", ref, g->id);
		return GNTST_bad_gntref;
	}
	a = &gt->active[ref];
	for (int k = 0; k < NR_PIN_KINDS; k++)
		pinned |= a->pins[k] != 0;
	wr_pinned = a->pins[PIN_HOST_W] || a->pins[PIN_DEV_W];
	if (pinned && map && a->sub_page) {
		mm_refused(d, MMR_GRANT_REF,
			   "grant ref %u of d%u: a sub-page grant, not mapped",
			   ref, g->id);
		return GNTST_general_error;
	}
	if (pinned && a->mapper != d->id) {
		mm_refused(d, MMR_GRANT_BUSY,
			   "grant ref %u of d%u: in use by d%u", ref, g->id,
			   a->mapper);
		return GNTST_general_error;
	}
	for (int k = 0; k < NR_PIN_KINDS; k++)
		if (a->pins[k] >= PIN_LIMIT) {
			mm_refused(d, MMR_GRANT_BUSY,
				   "grant ref %u of d%u: pinned %u times", ref,
				   g->id, a->pins[k]);
			return GNTST_general_error;
		}
	/* Like Xen, the entry is checked when first pinned (or for writing). */
	if (!pinned || (!ro && !wr_pinned)) {
		rc = mark_entry(g, d, ref, ro, pinned, map);
		if (rc)
			return rc;
	}
	if (!pinned) {
		/* First use, frame read once now it is marked: G's own memory. */
		mfn_t frame = entry_frame(gt, ref);

		f = mfn_to_frame(frame);
		if (!f || !get_page(f, g)) {
			mm_refused(
			    d, MMR_GRANT_FRAME,
			    "grant ref %u of d%u: frame %#lx is not d%u's", ref,
			    g->id, frame, g->id);
			clear_unused_marks(entry_status(gt, ref), a, !ro);
			return GNTST_bad_page;
		}
		set_span(gt, ref, a);
		a->mfn = frame;
		a->mapper = d->id;
	} else if (!get_page(mfn_to_frame(a->mfn), g)) {
		clear_unused_marks(entry_status(gt, ref), a, !ro);
		return GNTST_general_error;
	}
	a->pins[kind]++;
	*mfn = a->mfn;
	if (span) {
		span[0] = a->start;
		span[1] = a->length;
	}
	return GNTST_okay;
}

static void unpin_grant(struct domain *g, grant_ref_t ref, unsigned int kind)
{
	struct grant_table *gt = g->grant;
	struct active_grant *a;

	if (gt->dead || ref >= NR_REFS(gt))
		return; /* its pins went with its active table */
	a = &gt->active[ref];
	if (a->pins[kind])
		a->pins[kind]--;
	clear_unused_marks(entry_status(gt, ref), a, !kind_readonly(kind));
}

static int find_host_slot(const struct gnttab_map_grant_ref *m, mfn_t *l1,
			  unsigned int *idx)
{
	if (m->flags & GNTMAP_contains_pte) {
		*l1 = m->host_addr >> PAGE_SHIFT;
		*idx = (m->host_addr & ~PAGE_MASK) >> 3;
		return (m->host_addr & 7) ? -EINVAL : 0;
	}
	if (!guest_range_ok(m->host_addr, 1))
		return -EINVAL;
	return find_l1_slot(current->guest_table, m->host_addr, l1, idx);
}

/* The part of a map op that needs both tables locked and a handle. */
static s16 map_locked(struct domain *d, struct domain *g,
		      struct gnttab_map_grant_ref *m, mfn_t l1,
		      unsigned int idx, struct maptrack_entry *mt)
{
	bool ro = m->flags & GNTMAP_readonly, host = m->flags & GNTMAP_host_map;
	bool dev = m->flags & GNTMAP_device_map;
	struct frame *f;
	mfn_t mfn;
	int rc;

	/* One pin (and frame reference) per kind of mapping, as in Xen. */
	if (dev && (rc = pin_grant(g, d, m->ref, pin_kind(true, ro), true, &mfn,
				   NULL)))
		return (s16)rc;
	if (host && (rc = pin_grant(g, d, m->ref, pin_kind(false, ro), true,
				    &mfn, NULL)))
		goto undo_dev;
	f = mfn_to_frame(mfn);
	rc = GNTST_general_error;
	if (dev && !ro && !get_page_type(f, PGT_WRITABLE)) {
		mm_refused(
		    d, MMR_GRANT_TABLE,
		    "grant map: frame %#lx of d%u cannot be written (a table)",
		    mfn, g->id);
		goto undo_host;
	}
	if (host) {
		u64 pte = (mfn << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_ACCESSED |
			  _PAGE_DIRTY | (ro ? 0 : _PAGE_RW);
		if (grant_pte_install(d, l1, idx, pte)) {
			if (dev && !ro)
				put_page_type(f);
			goto undo_host;
		}
	}
	*mt = (struct maptrack_entry){
		.serial = g->grant->serial,
		.mfn = mfn,
		.l1 = l1,
		.ref = m->ref,
		.l1_index = (u16)idx,
		.dom = g->id,
		.flags =
		    (u8)(m->flags & (GNTMAP_device_map | GNTMAP_host_map |
				     GNTMAP_readonly | GNTMAP_contains_pte)),
	};
	m->dev_bus_addr = mfn << PAGE_SHIFT;
	return GNTST_okay;
undo_host:
	if (host) {
		unpin_grant(g, m->ref, pin_kind(false, ro));
		put_page(mfn_to_frame(mfn));
	}
undo_dev:
	if (dev) {
		unpin_grant(g, m->ref, pin_kind(true, ro));
		put_page(mfn_to_frame(mfn));
	}
	return (s16)rc;
}

static void map_one(struct domain *d, struct gnttab_map_grant_ref *m)
{
	/* Xen maps by a real domain id only: DOMID_SELF is a bad domain. */
	struct domain *g = m->dom == DOMID_SELF ? NULL : granter(m->dom);
	struct maptrack *mtt = &d->grant->maptrack;
	mfn_t l1 = 0;
	unsigned int idx = 0;
	u32 h;

	if (!(m->flags & (GNTMAP_host_map | GNTMAP_device_map))) {
		m->status = GNTST_bad_gntref; /* as Xen: nothing to map */
		return;
	}
	if (!g) {
		m->status = GNTST_bad_domain;
		return;
	}
	if ((m->flags & GNTMAP_host_map) && find_host_slot(m, &l1, &idx)) {
		mm_refused(
		    d, MMR_GRANT_ADDR,
		    "grant map: no L1 slot of its own at %#lx%s", m->host_addr,
		    m->flags & GNTMAP_contains_pte ? " (contains_pte)" : "");
		m->status = GNTST_general_error;
		return;
	}
	lock_tables(d, g);
	h = d->grant->dead ? MAPTRACK_NONE : maptrack_alloc(mtt);
	if (h == MAPTRACK_NONE) {
		mm_refused(d, MMR_GRANT_HANDLE,
			   "grant map: no maptrack handle left (%u in use)",
			   maptrack_limit(mtt));
		m->status = GNTST_no_device_space;
	} else {
		m->status =
		    map_locked(d, g, m, l1, idx, maptrack_entry(mtt, h));
		if (m->status)
			maptrack_free(mtt, h);
		else
			m->handle = h;
	}
	unlock_tables(d, g);
}

/*
 * Unmapping goes in two steps, as in Xen: first the mappings go from
 * the grantee's page tables (and its maptrack), then, once every CPU
 * that may still hold a stale translation has flushed, the pins and
 * frame references are dropped. Only then may the granter see its
 * entry unused (GTF_reading/writing cleared) and reuse the page, so no
 * stale writable TLB entry of the grantee outlives its grant. Up to
 * UNMAP_BATCH ops of a hypercall share one flush.
 */
struct unmap_work {
	struct domain *g; /* NULL: that granter instance is gone */
	grant_ref_t ref;
	mfn_t mfn;
	u8 done; /* GNTMAP_host_map/device_map undone; GNTMAP_readonly */
};

/* Unmaps per flush (Xen: 32); the work array stays well under 1 KiB. */
#define UNMAP_BATCH 16

/*
 * Undo the host part (if want_host) and the device part (if want_dev)
 * of maptrack entry e, replacing the host PTE by the one at
 * (nl1, nidx) if nl1. Both tables locked.
 */
static s16 unmap_locked(struct domain *d, u32 h, struct maptrack_entry *e,
			bool want_host, bool want_dev, mfn_t nl1,
			unsigned int nidx, struct unmap_work *w)
{
	if (want_host && (e->flags & GNTMAP_host_map)) {
		if (grant_pte_replace(d, e->l1, e->l1_index, e->mfn, nl1, nidx))
			return GNTST_general_error;
		e->flags &= ~GNTMAP_host_map;
		w->done |= GNTMAP_host_map;
	}
	if (want_dev && (e->flags & GNTMAP_device_map)) {
		e->flags &= ~GNTMAP_device_map;
		w->done |= GNTMAP_device_map;
	}
	if (w->done)
		w->done |= e->flags & GNTMAP_readonly;
	w->ref = e->ref;
	w->mfn = e->mfn;
	if (!(e->flags & (GNTMAP_host_map | GNTMAP_device_map)))
		maptrack_free(&d->grant->maptrack, h);
	return GNTST_okay;
}

/* The second step: the flush has been done. */
static void unmap_complete(struct unmap_work *w)
{
	struct frame *f = mfn_to_frame(w->mfn);
	bool ro = w->done & GNTMAP_readonly;

	if (!w->done)
		return;
	if ((w->done & GNTMAP_device_map) && !ro)
		put_page_type(f);
	if (w->g) {
		spin_lock(&w->g->grant->lock); /* unpin_grant copes if dead */
		if (w->done & GNTMAP_device_map)
			unpin_grant(w->g, w->ref, pin_kind(true, ro));
		if (w->done & GNTMAP_host_map)
			unpin_grant(w->g, w->ref, pin_kind(false, ro));
		spin_unlock(&w->g->grant->lock);
	}
	/* The pins' references: an orphan of a dead granter goes now. */
	if (w->done & GNTMAP_device_map)
		put_page(f);
	if (w->done & GNTMAP_host_map)
		put_page(f);
}

static void unmap_flush_and_complete(struct domain *d, struct unmap_work *w,
				     unsigned int n)
{
	bool host = false;

	for (unsigned int i = 0; i < n; i++)
		host |= w[i].done & GNTMAP_host_map;
	if (host)
		flush_domain_tlbs(d);
	for (unsigned int i = 0; i < n; i++)
		unmap_complete(&w[i]);
}

/* What an unmap or unmap_and_replace op asks for. */
struct unmap_req {
	u64 host_addr, dev_bus_addr, new_addr;
	grant_handle_t handle;
};

/* Does the unmap's host address name the slot the mapping is in? */
static bool same_slot(const struct maptrack_entry *e, u64 host_addr)
{
	mfn_t l1;
	unsigned int idx;

	if (e->flags & GNTMAP_contains_pte)
		return host_addr == (e->l1 << PAGE_SHIFT) + e->l1_index * 8UL;
	return guest_range_ok(host_addr, 1) &&
	       !find_l1_slot(current->guest_table, host_addr, &l1, &idx) &&
	       l1 == e->l1 && idx == e->l1_index;
}

/* The first step of one unmap op: Xen's checks and status codes. */
static s16 unmap_begin(struct domain *d, const struct unmap_req *r,
		       struct unmap_work *w)
{
	struct maptrack_entry *e;
	struct domain *g;
	mfn_t nl1 = 0;
	unsigned int nidx = 0;
	domid_t dom;
	u64 serial;
	s16 st;

	*w = (struct unmap_work){ 0 };
	spin_lock(&d->grant->lock);
	e = d->grant->dead ? NULL
			   : maptrack_entry(&d->grant->maptrack, r->handle);
	if (!e || !e->flags) {
		spin_unlock(&d->grant->lock);
		mm_refused(d, MMR_GRANT_HANDLE, "grant unmap: bad handle %u",
			   r->handle);
		return GNTST_bad_handle;
	}
	dom = e->dom;
	serial = e->serial;
	spin_unlock(&d->grant->lock);

	g = granter_instance(dom, serial);
	lock_tables(d, g);
	/* Another vCPU may have unmapped or reused the handle meanwhile. */
	e = d->grant->dead ? NULL
			   : maptrack_entry(&d->grant->maptrack, r->handle);
	st = GNTST_bad_handle;
	if (!e || !e->flags || e->dom != dom || e->serial != serial)
		goto out;
	st = GNTST_general_error;
	if (r->dev_bus_addr && r->dev_bus_addr != e->mfn << PAGE_SHIFT)
		goto out; /* as Xen: the bus address must match */
	if (r->host_addr && (e->flags & GNTMAP_host_map)) {
		if (!same_slot(e, r->host_addr)) {
			mm_refused(
			    d, MMR_GRANT_ADDR,
			    "grant unmap: handle %u is not mapped at %#lx",
			    r->handle, r->host_addr);
			goto out;
		}
		if (r->new_addr && ((e->flags & GNTMAP_contains_pte) ||
				    !guest_range_ok(r->new_addr, 1) ||
				    find_l1_slot(current->guest_table,
						 r->new_addr, &nl1, &nidx) ||
				    !nl1))
			goto out;
	}
	w->g = g;
	st = unmap_locked(d, r->handle, e, r->host_addr != 0,
			  r->dev_bus_addr != 0, nl1, nidx, w);
out:
	unlock_tables(d, g);
	return st;
}

/* Read op i of an unmap (or unmap_and_replace) batch into r. */
static size_t unmap_op_size(unsigned int cmd)
{
	return cmd == GNTTABOP_unmap_grant_ref ?
		       sizeof(struct gnttab_unmap_grant_ref) :
		       sizeof(struct gnttab_unmap_and_replace);
}

static int unmap_read(unsigned int cmd, u64 uop, unsigned int i,
		      struct unmap_req *r)
{
	if (cmd == GNTTABOP_unmap_grant_ref) {
		struct gnttab_unmap_grant_ref op;

		if (get_guest(op, uop + i * sizeof(op)))
			return -EFAULT;
		*r = (struct unmap_req){ op.host_addr, op.dev_bus_addr, 0,
					 op.handle };
	} else {
		struct gnttab_unmap_and_replace op;

		if (get_guest(op, uop + i * sizeof(op)))
			return -EFAULT;
		*r = (struct unmap_req){ op.host_addr, 0, op.new_addr,
					 op.handle };
	}
	return 0;
}

static int unmap_write_status(unsigned int cmd, u64 uop, unsigned int i, s16 st)
{
	if (cmd == GNTTABOP_unmap_grant_ref)
		return put_guest(
		    st, uop + i * sizeof(struct gnttab_unmap_grant_ref) +
			    offsetof(struct gnttab_unmap_grant_ref, status));
	return put_guest(st,
			 uop + i * sizeof(struct gnttab_unmap_and_replace) +
			     offsetof(struct gnttab_unmap_and_replace, status));
}

static long unmap_batch(struct domain *d, unsigned int cmd, u64 uop,
			unsigned int count)
{
	struct unmap_work w[UNMAP_BATCH];

	for (unsigned int base = 0; base < count; base += UNMAP_BATCH) {
		unsigned int n = 0, c = count - base;
		long rc = 0;

		if (c > UNMAP_BATCH)
			c = UNMAP_BATCH;
		for (; n < c; n++) {
			struct unmap_req r;
			s16 st;

			if (unmap_read(cmd, uop, base + n, &r)) {
				rc = -EFAULT;
				break;
			}
			st = unmap_begin(d, &r, &w[n]);
			if (unmap_write_status(cmd, uop, base + n, st)) {
				rc = -EFAULT;
				n++;
				break;
			}
		}
		unmap_flush_and_complete(d, w, n);
		if (rc)
			return rc;
		/* Between chunks, all complete: the rest may continue later. */
		if (base + c < count && hypercall_preempt_check())
			return hypercall_continue(
				__HYPERVISOR_grant_table_op, cmd,
				uop + (base + c) * unmap_op_size(cmd),
				count - base - c, 0);
	}
	return 0;
}

static int setup_table(struct domain *d, u64 uop)
{
	struct gnttab_setup_table s;
	struct domain *t;

	if (get_guest(s, uop))
		return -EFAULT;
	t = s.dom == DOMID_SELF ? d
				: (d->privileged ? domain_lookup(s.dom) : NULL);
	if (!t || !t->grant || READ_ONCE(t->grant->dead)) {
		s.status = t ? GNTST_general_error : GNTST_bad_domain;
	} else if (s.nr_frames > GNTTAB_MAX_FRAMES) {
		s.status = GNTST_general_error;
	} else {
		spin_lock(&t->grant->lock);
		s.status = t->grant->dead || grow_table(t, s.nr_frames)
			       ? GNTST_general_error
			       : GNTST_okay;
		for (unsigned int i = 0; !s.status && i < s.nr_frames; i++) {
			u64 mfn = __pa(t->grant->shared[i]) >> PAGE_SHIFT;
			if (put_guest(mfn, s.frame_list + i * 8))
				s.status = GNTST_bad_virt_addr;
		}
		spin_unlock(&t->grant->lock);
	}
	return put_guest(s.status,
			 uop + offsetof(struct gnttab_setup_table, status));
}

static int query_size(struct domain *d, u64 uop)
{
	struct gnttab_query_size q;
	struct domain *t;

	if (get_guest(q, uop))
		return -EFAULT;
	t = q.dom == DOMID_SELF || q.dom == d->id
		? d
		: (d->privileged ? domain_lookup(q.dom) : NULL);
	if (!t || !t->grant || READ_ONCE(t->grant->dead)) {
		q.status = GNTST_bad_domain;
	} else {
		q.nr_frames = t->grant->nr_frames;
		q.max_nr_frames = GNTTAB_MAX_FRAMES;
		q.status = GNTST_okay;
	}
	return put_guest(q, uop);
}

/*
 * One side of a copy: a granted ref (of another domain or our own), or our
 * own MFN. Each side holds a frame reference for the copy, and the
 * destination a writable type reference: never a page table.
 */
struct copy_side {
	struct domain *g; /* granter, when by reference */
	grant_ref_t ref;
	bool pinned, ro, typed;
	u16 span[2]; /* start and length the copy may touch */
	mfn_t mfn;
	struct frame *f; /* holds a reference while set */
};

static int copy_side_get(struct domain *d, const struct gnttab_copy_ptr *p,
			 bool by_ref, bool ro, struct copy_side *s)
{
	int rc;

	s->ro = ro;
	if (!by_ref) {
		struct frame *f = mfn_to_frame(p->u.gmfn);

		if (p->domid != DOMID_SELF && p->domid != d->id)
			return GNTST_permission_denied;
		if (!f || !get_page(f, d)) {
			mm_refused(d, MMR_GRANT_FRAME,
				   "grant copy: frame %#lx is not its own",
				   p->u.gmfn);
			return GNTST_bad_page;
		}
		s->f = f;
		s->mfn = p->u.gmfn;
		s->span[1] = PAGE_SIZE;
	} else {
		s->g = granter(p->domid);
		if (!s->g)
			return GNTST_bad_domain;
		s->ref = p->u.ref;
		lock_tables(d, s->g);
		rc = pin_grant(s->g, d, p->u.ref, pin_kind(false, ro), false,
			       &s->mfn, s->span);
		unlock_tables(d, s->g);
		if (rc)
			return rc;
		s->pinned = true;
		s->f = mfn_to_frame(s->mfn);
	}
	if (!ro) {
		if (!get_page_type(s->f, PGT_WRITABLE)) {
			mm_refused(d, MMR_GRANT_TABLE | MMR_CLASS_COPY,
				   "grant copy: destination %#lx is a page or "
				   "descriptor table",
				   s->mfn);
			return GNTST_general_error;
		}
		s->typed = true;
	}
	return GNTST_okay;
}

static void copy_side_put(struct domain *d, struct copy_side *s)
{
	if (s->typed)
		put_page_type(s->f);
	if (s->pinned) {
		lock_tables(d, s->g);
		unpin_grant(s->g, s->ref, pin_kind(false, s->ro));
		unlock_tables(d, s->g);
	}
	if (s->f)
		put_page(s->f);
}

static bool within_span(const struct copy_side *s, u32 off, u32 len)
{
	return off >= s->span[0] && off + len <= (u32)s->span[0] + s->span[1];
}

static void copy_one(struct domain *d, struct gnttab_copy *c)
{
	struct copy_side src = { 0 }, dst = { 0 };

	if ((u32)c->source.offset + c->len > PAGE_SIZE ||
	    (u32)c->dest.offset + c->len > PAGE_SIZE) {
		mm_refused(d, MMR_GRANT_COPY,
			   "grant copy: %u bytes at offsets %u/%u cross a page",
			   c->len, c->source.offset, c->dest.offset);
		c->status = GNTST_bad_copy_arg;
		return;
	}
	c->status = (s16)copy_side_get(
	    d, &c->source, c->flags & GNTCOPY_source_gref, true, &src);
	if (!c->status)
		c->status = (s16)copy_side_get(
		    d, &c->dest, c->flags & GNTCOPY_dest_gref, false, &dst);
	if (!c->status && (!within_span(&src, c->source.offset, c->len) ||
			   !within_span(&dst, c->dest.offset, c->len))) {
		mm_refused(d, MMR_GRANT_COPY,
			   "grant copy: %u bytes at offsets %u/%u beyond a "
			   "sub-page grant",
			   c->len, c->source.offset, c->dest.offset);
		c->status = GNTST_general_error; /* as Xen */
	}
	if (!c->status)
		memmove((u8 *)__va(dst.mfn << PAGE_SHIFT) + c->dest.offset,
			(u8 *)__va(src.mfn << PAGE_SHIFT) + c->source.offset,
			c->len);
	copy_side_put(d, &dst);
	copy_side_put(d, &src);
}

/* Page flip: give our frame to the domain that offered an accept entry. */
static void transfer_one(struct domain *d, struct gnttab_transfer *t)
{
	struct domain *r = granter(t->domid);
	struct frame *f = mfn_to_frame(t->mfn);
	u32 w, *hdr;

	if (!r || r == d) {
		t->status = GNTST_bad_domain;
		return;
	}
	if (!f || f->owner != d->id || f->count ||
	    (f->type_info & PGT_COUNT_MASK) || t->mfn == d->shared_info_mfn) {
		mm_refused(
		    d, MMR_GRANT_TRANSFER,
		    "grant transfer: frame %#lx is in use or not its own",
		    t->mfn);
		t->status = GNTST_bad_page;
		return;
	}
	lock_tables(d, r);
	if (r->grant->dead) {
		t->status = GNTST_bad_domain;
		goto out;
	}
	if (t->ref >= NR_REFS(r->grant)) {
		t->status = GNTST_bad_gntref;
		goto out;
	}
	hdr = entry_hdr(r->grant, t->ref);
	w = READ_ONCE(*hdr); /* {flags, domid}: one read */
	if (((u16)w & (GTF_type_mask | GTF_transfer_committed)) !=
		GTF_accept_transfer ||
	    (domid_t)(w >> 16) != d->id) {
		mm_refused(d, MMR_GRANT_TRANSFER,
			   "grant transfer: ref %u of d%u accepts no transfer "
			   "from d%u",
			   t->ref, r->id, d->id);
		t->status = GNTST_permission_denied;
		goto out;
	}
	if (r->tot_pages >= r->max_pages) {
		t->status = GNTST_general_error;
		goto out;
	}
	/* Commit the entry as checked: r may be rewriting it meanwhile. */
	if (!__atomic_compare_exchange_n(hdr, &w, w | GTF_transfer_committed,
					 false, __ATOMIC_SEQ_CST,
					 __ATOMIC_SEQ_CST)) {
		t->status = GNTST_permission_denied;
		goto out;
	}
	/* Taken from us at once: no mapping of it can appear meanwhile. */
	if (!take_unused_frames(d, t->mfn, 0)) {
		__atomic_fetch_and(entry_flags(r->grant, t->ref),
				   ~GTF_transfer_committed, __ATOMIC_SEQ_CST);
		t->status = GNTST_bad_page;
		goto out;
	}
	domain_move_page(d, r, t->mfn);
	set_entry_frame(r->grant, t->ref, t->mfn);
	__atomic_fetch_or(entry_flags(r->grant, t->ref), GTF_transfer_completed,
			  __ATOMIC_SEQ_CST);
	t->status = GNTST_okay;
out:
	unlock_tables(d, r);
}

/* GNTTABOP_swap_grant_ref: exchange two of our own entries, as Xen. */
static void swap_one(struct domain *d, struct gnttab_swap_grant_ref *s)
{
	struct grant_table *gt = d->grant;
	grant_ref_t a = s->ref_a, b = s->ref_b;

	spin_lock(&gt->lock);
	if (gt->dead || a >= NR_REFS(gt) || b >= NR_REFS(gt)) {
		s->status = GNTST_bad_gntref;
	} else if (a == b) {
		s->status = GNTST_okay;
	} else if (*(u32 *)gt->active[a].pins || *(u32 *)gt->active[b].pins) {
		s->status = GNTST_eagain; /* one of them is in use */
	} else {
		unsigned int size = PAGE_SIZE / per_frame(gt);
		u8 tmp[sizeof(union grant_entry_v2)];

		memcpy(tmp, entry_hdr(gt, a), size);
		memcpy(entry_hdr(gt, a), entry_hdr(gt, b), size);
		memcpy(entry_hdr(gt, b), tmp, size);
		if (gt->version == 2) {
			u16 st = *entry_status(gt, a);

			*entry_status(gt, a) = *entry_status(gt, b);
			*entry_status(gt, b) = st;
		}
		s->status = GNTST_okay;
	}
	spin_unlock(&gt->lock);
}

/* --- Versions ------------------------------------------------------------ */

/* The reserved entries as version 1 shows them (status folded in). */
static void save_reserved(struct grant_table *gt, struct grant_entry_v1 *out)
{
	for (grant_ref_t r = 0; r < GNTTAB_NR_RESERVED_ENTRIES; r++) {
		union grant_entry_v2 *e2 = (void *)entry_hdr(gt, r);

		if (gt->version == 1) {
			out[r] = *(struct grant_entry_v1 *)e2;
		} else if ((e2->hdr.flags & GTF_type_mask) ==
			   GTF_permit_access) {
			out[r].flags = e2->hdr.flags | *entry_status(gt, r);
			out[r].domid = e2->hdr.domid;
			out[r].frame = (u32)e2->full_page.frame;
		} else {
			out[r] = (struct grant_entry_v1){ 0 };
		}
	}
}

static void restore_reserved(struct grant_table *gt,
			     const struct grant_entry_v1 *in)
{
	const u16 marks = GTF_reading | GTF_writing;

	for (grant_ref_t r = 0; r < GNTTAB_NR_RESERVED_ENTRIES; r++) {
		union grant_entry_v2 *e2 = (void *)entry_hdr(gt, r);

		if (gt->version == 1) {
			*(struct grant_entry_v1 *)e2 = in[r];
			continue;
		}
		e2->hdr.flags = in[r].flags & ~marks;
		e2->hdr.domid = in[r].domid;
		e2->full_page.frame = in[r].frame;
		*entry_status(gt, r) = in[r].flags & marks;
	}
}

/*
 * Why d's table may not change version now (Xen's rules): a grant beyond
 * the reserved ones is in use (-EBUSY), a reserved entry has no version
 * 1 form (-ERANGE), or d still maps a status frame it would lose (-EBUSY).
 */
static long version_switch_refused(struct domain *d, unsigned int to)
{
	struct grant_table *gt = d->grant;

	for (grant_ref_t r = GNTTAB_NR_RESERVED_ENTRIES; r < NR_REFS(gt); r++)
		if (*(u32 *)gt->active[r].pins) {
			mm_refused(d, MMR_GRANT_BUSY,
				   "grant set_version %u: ref %u in use", to,
				   r);
			return -EBUSY;
		}
	if (to == 2)
		return 0;
	for (grant_ref_t r = 0; r < GNTTAB_NR_RESERVED_ENTRIES; r++) {
		union grant_entry_v2 *e2 = (void *)entry_hdr(gt, r);
		u16 type = e2->hdr.flags & GTF_type_mask;

		if (type == GTF_transitive ||
		    (type == GTF_permit_access && e2->full_page.frame >> 32))
			return -ERANGE;
	}
	for (unsigned int i = 0; i < gt->nr_status_frames; i++)
		if (mfn_to_frame(__pa(gt->status[i]) >> PAGE_SHIFT)->count)
			return -EBUSY;
	return 0;
}

/* Switch d's table (locked) to version to: reserved entries kept. */
static long switch_version(struct domain *d, unsigned int to)
{
	struct grant_table *gt = d->grant;
	struct grant_entry_v1 keep[GNTTAB_NR_RESERVED_ENTRIES];
	long rc = version_switch_refused(d, to);

	if (rc)
		return rc;
	save_reserved(gt, keep);
	if (to == 2) {
		gt->version = 2; /* grow_table adds the status frames */
		if (grow_table(d, gt->nr_frames)) {
			gt->version = 1;
			return -ENOMEM;
		}
	} else {
		for (unsigned int i = 0; i < gt->nr_status_frames; i++)
			release_shared(gt->status[i]);
		gt->nr_status_frames = 0;
		gt->version = 1;
	}
	for (unsigned int i = 0; i < gt->nr_frames; i++)
		memset(gt->shared[i], 0, PAGE_SIZE);
	for (unsigned int i = 0; i < gt->nr_status_frames; i++)
		memset(gt->status[i], 0, PAGE_SIZE);
	restore_reserved(gt, keep);
	return 0;
}

static long set_version(struct domain *d, u64 uop)
{
	struct grant_table *gt = d->grant;
	struct gnttab_set_version v;
	long rc = 0;

	if (get_guest(v, uop))
		return -EFAULT;
	if (v.version != 1 && v.version != 2) {
		rc = -EINVAL;
	} else if (v.version != READ_ONCE(gt->version)) {
		spin_lock(&gt->lock);
		rc = gt->dead ? -EINVAL : switch_version(d, v.version);
		spin_unlock(&gt->lock);
	}
	v.version = READ_ONCE(gt->version); /* as Xen: the version in force */
	return put_guest(v, uop) ? -EFAULT : rc;
}

/* The domain a setup/query-like op names: ourselves, or any if privileged. */
static struct domain *named_table(struct domain *d, domid_t dom, s16 *status)
{
	struct domain *t = dom == DOMID_SELF ? d : domain_lookup(dom);

	if (!t || !t->grant || READ_ONCE(t->grant->dead)) {
		*status = GNTST_bad_domain;
		return NULL;
	}
	if (t != d && !d->privileged) {
		*status = GNTST_permission_denied;
		return NULL;
	}
	return t;
}

static long get_status_frames(struct domain *d, u64 uop)
{
	struct gnttab_get_status_frames s;
	struct domain *t;

	if (get_guest(s, uop))
		return -EFAULT;
	t = named_table(d, s.dom, &s.status);
	if (t) {
		struct grant_table *gt = t->grant;

		spin_lock(&gt->lock);
		s.status = GNTST_okay;
		if (gt->dead || s.nr_frames > gt->nr_status_frames)
			s.status = GNTST_general_error;
		for (unsigned int i = 0; !s.status && i < s.nr_frames; i++) {
			u64 mfn = __pa(gt->status[i]) >> PAGE_SHIFT;

			if (put_guest(mfn, s.frame_list + i * 8))
				s.status = GNTST_bad_virt_addr;
		}
		spin_unlock(&gt->lock);
	}
	return put_guest(
	    s.status, uop + offsetof(struct gnttab_get_status_frames, status));
}

static long get_version(struct domain *d, u64 uop)
{
	struct gnttab_get_version v;
	struct domain *t;

	if (get_guest(v, uop))
		return -EFAULT;
	t = v.dom == DOMID_SELF ? d : domain_lookup(v.dom);
	if (!t || !t->grant)
		return -ESRCH;
	if (t != d && !d->privileged)
		return -EPERM;
	v.version = READ_ONCE(t->grant->version);
	return put_guest(v.version,
			 uop + offsetof(struct gnttab_get_version, version));
}

/*
 * One op after another; as on Xen, a long batch stops between ops when
 * the CPU is wanted and continues with the rest (no limit on count).
 */
#define GRANT_BATCH_OP(type, fn)                                            \
	for (unsigned int i = 0; i < count; i++) {                          \
		type op;                                                    \
		u64 a = uop + i * sizeof(op);                               \
		if (i && hypercall_preempt_check())                         \
			return hypercall_continue(__HYPERVISOR_grant_table_op, \
						  cmd, a, count - i, 0);    \
		if (get_guest(op, a))                                       \
			return i ? (long)i : -EFAULT;                       \
		fn(d, &op);                                                 \
		if (put_guest(op, a))                                       \
			return -EFAULT;                                     \
	}

long do_grant_table_op(unsigned int cmd, u64 uop, unsigned int count)
{
	struct domain *d = current->domain;

	if (!d->grant || d->grant->dead)
		return -ENOSYS;
	if ((int)count < 0) /* as Xen */
		return -EINVAL;
	switch (cmd) {
	case GNTTABOP_map_grant_ref:
		GRANT_BATCH_OP(struct gnttab_map_grant_ref, map_one);
		return 0;
	case GNTTABOP_unmap_grant_ref:
	case GNTTABOP_unmap_and_replace:
		return unmap_batch(d, cmd, uop, count);
	case GNTTABOP_copy:
		GRANT_BATCH_OP(struct gnttab_copy, copy_one);
		return 0;
	case GNTTABOP_transfer:
		GRANT_BATCH_OP(struct gnttab_transfer, transfer_one);
		return 0;
	case GNTTABOP_setup_table:
		return count == 1 ? setup_table(d, uop) : -EINVAL;
	case GNTTABOP_query_size:
		return count == 1 ? query_size(d, uop) : -EINVAL;
	case GNTTABOP_set_version:
		return set_version(d, uop);
	case GNTTABOP_get_version:
		return get_version(d, uop);
	case GNTTABOP_swap_grant_ref:
		GRANT_BATCH_OP(struct gnttab_swap_grant_ref, swap_one);
		return 0;
	case GNTTABOP_get_status_frames:
		return count == 1 ? get_status_frames(d, uop) : -EINVAL;
	}
	return -ENOSYS;
}

/*
 * The domain is going away: drop every mapping it holds of others'
 * grants. Frames others still map of its own memory stay referenced by
 * those mappings (see domain_release_memory).
 */
void grant_domain_destroy(struct domain *d)
{
	struct grant_table *gt = d->grant;
	struct unmap_work w[UNMAP_BATCH];
	unsigned int n = 0;

	if (!gt)
		return;
	for (u32 h = 0; h < maptrack_limit(&gt->maptrack); h++) {
		struct maptrack_entry *e = maptrack_entry(&gt->maptrack, h);
		struct domain *g;

		if (!e->flags)
			continue;
		g = granter_instance(e->dom, e->serial);
		lock_tables(d, g);
		w[n] = (struct unmap_work){ .g = g };
		unmap_locked(d, h, e, true, true, 0, 0, &w[n]);
		unlock_tables(d, g);
		if (++n == UNMAP_BATCH) {
			unmap_flush_and_complete(d, w, n);
			n = 0;
		}
	}
	unmap_flush_and_complete(d, w, n);
	/* Grantees that found d before it was dying wait here, then see it
	 * dead (pin_grant, unpin_grant, transfer). */
	spin_lock(&gt->lock);
	gt->dead = true;
	xfree(gt->active);
	gt->active = NULL;
	maptrack_destroy(&gt->maptrack);
	spin_unlock(&gt->lock);
}

/*
 * The grant-table frames themselves go after d's page tables are
 * relinquished: d may still map them (Linux does).
 */
void grant_domain_free(struct domain *d)
{
	struct grant_table *gt = d->grant;
	unsigned int n, ns;

	if (!gt)
		return;
	spin_lock(&gt->lock);
	n = gt->nr_frames;
	ns = gt->nr_status_frames;
	gt->nr_frames = gt->nr_status_frames = 0;
	spin_unlock(&gt->lock);
	for (unsigned int i = 0; i < n; i++)
		release_shared(gt->shared[i]);
	for (unsigned int i = 0; i < ns; i++)
		release_shared(gt->status[i]);
}

/* The table's struct, once no CPU can still be looking at d (domain.c). */
void grant_domain_put(struct domain *d)
{
	xfree(d->grant);
	d->grant = NULL;
}
