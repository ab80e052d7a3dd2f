/*
 * Grant tables, version 1: how domains share pages for I/O.
 *
 * A granting domain G writes {flags, domid, frame} in its table (frames
 * the hypervisor allocated and G maps). A grantee D may then:
 *  - map the frame (map_grant_ref): we check the entry is a live
 *    permit_access for D (writable unless GTF_readonly), pin it (active
 *    entry counts, GTF_reading/GTF_writing set in G's entry) and install a
 *    marked PTE in D's page tables. Every pin holds a reference on the
 *    frame (as does the PTE), so it stays G's, or an orphan if G dies,
 *    until the last unmap: G cannot give it back or away meanwhile.
 *    Writable uses hold a writable type reference, so the frame is never
 *    a page table while D may write it. Only unmap_grant_ref changes a
 *    marked PTE. As in Xen, a domain may map its own grants.
 *  - copy to or from it (copy), within one page, holding the same
 *    references for the copy's duration;
 *  - receive a page G gives away (transfer) into an accept_transfer entry.
 * Locks: a table's lock protects its active entries and maptrack; two
 * tables are locked in domain-id order.
 */
#include <xen/grant_table.h>
#include "domain.h"
#include "grant.h"
#include "guest_access.h"
#include "hypercall.h"
#include "lib.h"
#include "m2p.h"
#include "mm.h"
#include "page.h"
#include "ptval.h"
#include "tlbflush.h"
#include "xmalloc.h"

struct active_grant {
	u16 rd_pins, wr_pins;
	domid_t mapper;
	mfn_t mfn;
};

struct maptrack {
	bool used;
	domid_t dom; /* the granting domain */
	grant_ref_t ref;
	u32 flags;   /* GNTMAP_* */
	mfn_t mfn;   /* granted frame */
	mfn_t l1;    /* where the host PTE is, if host_map */
	u32 l1_index;
};

struct grant_table {
	spinlock_t lock;
	unsigned int nr_frames;
	struct grant_entry_v1 *shared[GNTTAB_MAX_FRAMES];
	struct active_grant *active;
	struct maptrack *maptrack;
	/*
	 * Set (under lock) when its domain's destruction frees the active and
	 * maptrack arrays: another domain that found this table just before
	 * sees it once it holds the lock, and leaves it alone. The struct
	 * itself lives as long as the domain struct (grant_domain_put).
	 */
	bool dead;
};

#define NR_REFS(gt) ((gt)->nr_frames * GNTTAB_ENTRIES_PER_FRAME)

static struct grant_entry_v1 *entry(struct grant_table *gt, grant_ref_t r)
{
	return &gt->shared[r / GNTTAB_ENTRIES_PER_FRAME]
			  [r % GNTTAB_ENTRIES_PER_FRAME];
}

static int grow_table(struct domain *d, unsigned int nr)
{
	struct grant_table *gt = d->grant;

	while (gt->nr_frames < nr) {
		void *p = alloc_page();
		if (!p)
			return -ENOMEM;
		memset(p, 0, PAGE_SIZE);
		/* Shared with the guest like shared_info: ours, it maps it. */
		share_frame_with_guest(mfn_to_frame(__pa(p) >> PAGE_SHIFT), d);
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
	gt->active = xzalloc(GNTTAB_MAX_FRAMES * GNTTAB_ENTRIES_PER_FRAME *
			     sizeof(struct active_grant));
	gt->maptrack = xzalloc(MAPTRACK_ENTRIES * sizeof(struct maptrack));
	d->grant = gt;
	if (!gt->active || !gt->maptrack || grow_table(d, 1)) {
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
	struct domain *d = id == DOMID_SELF ? current->domain : domain_lookup(id);
	return d && !d->is_dying && d->grant && !READ_ONCE(d->grant->dead) ?
		       d : NULL;
}

/*
 * Check and pin grant ref of G for D, taking a reference on the frame
 * (the caller drops it with put_page after unpin_grant). Returns
 * GNTST_okay with the frame, setting GTF_reading/writing in G's entry;
 * Xen's status codes otherwise. Both tables locked.
 */
/* Drop GTF_reading/writing from G's entry once no pin needs them. */
static void clear_unused_marks(struct grant_entry_v1 *e,
			       const struct active_grant *a)
{
	if (!a->wr_pins)
		__atomic_fetch_and(&e->flags, ~GTF_writing, __ATOMIC_SEQ_CST);
	if (!a->wr_pins && !a->rd_pins)
		__atomic_fetch_and(&e->flags, ~GTF_reading, __ATOMIC_SEQ_CST);
}

static int pin_grant(struct domain *g, struct domain *d, grant_ref_t ref,
		     bool readonly, mfn_t *mfn)
{
	struct grant_table *gt = g->grant;
	struct grant_entry_v1 *e;
	struct active_grant *a;
	bool pinned;
	u16 flags, set = readonly ? GTF_reading : GTF_reading | GTF_writing;
	struct frame *f;

	if (gt->dead)
		return GNTST_bad_domain; /* died since granter() looked */
	if (ref >= NR_REFS(gt)) {
		mm_refused(d, MMR_GRANT_RANGE, "grant ref %u of d%u: beyond its table",
			   ref, g->id);
		return GNTST_bad_gntref;
	}
	e = entry(gt, ref);
	a = &gt->active[ref];
	pinned = a->rd_pins || a->wr_pins;
	if (pinned && a->mapper != d->id) {
		mm_refused(d, MMR_GRANT_BUSY, "grant ref %u of d%u: in use by d%u",
			   ref, g->id, a->mapper);
		return GNTST_general_error;
	}
	/*
	 * Like Xen, the entry is checked when it is first pinned (or for
	 * writing). G writes it concurrently, so {flags, domid} (one 32-bit
	 * word, flags in the low half) is checked and marked in one
	 * compare-and-swap: what we checked is what we pinned.
	 */
	if (!pinned || (!readonly && !a->wr_pins)) {
		u32 *w = (u32 *)&e->flags, old = __atomic_load_n(w, __ATOMIC_SEQ_CST);
		domid_t domid;

		do {
			flags = (u16)old;
			domid = (domid_t)(old >> 16);
			if ((flags & GTF_type_mask) != GTF_permit_access ||
			    domid != d->id) {
				mm_refused(d, MMR_GRANT_REF,
					   "grant ref %u of d%u: not granted to d%u (flags %#x, domid %u)",
					   ref, g->id, d->id, flags, domid);
				return GNTST_general_error;
			}
			if (!readonly && (flags & GTF_readonly)) {
				mm_refused(d, MMR_GRANT_RO,
					   "grant ref %u of d%u: read-only, used for writing",
					   ref, g->id);
				return GNTST_general_error;
			}
		} while (!__atomic_compare_exchange_n(w, &old, old | set, false,
						      __ATOMIC_SEQ_CST,
						      __ATOMIC_SEQ_CST));
	} else {
		__atomic_fetch_or(&e->flags, set, __ATOMIC_SEQ_CST);
	}
	if (!pinned) {
		/* First use, frame read once now it is marked: G's own memory. */
		mfn_t frame = READ_ONCE(e->frame);

		f = mfn_to_frame(frame);
		if (!f || !get_page(f, g)) {
			mm_refused(d, MMR_GRANT_FRAME,
				   "grant ref %u of d%u: frame %#lx is not d%u's",
				   ref, g->id, frame, g->id);
			clear_unused_marks(e, a);
			return GNTST_bad_page;
		}
		a->mfn = frame;
		a->mapper = d->id;
	} else if (!get_page(mfn_to_frame(a->mfn), g)) {
		clear_unused_marks(e, a);
		return GNTST_general_error;
	}
	if (readonly)
		a->rd_pins++;
	else
		a->wr_pins++;
	*mfn = a->mfn;
	return GNTST_okay;
}

static void unpin_grant(struct domain *g, grant_ref_t ref, bool readonly)
{
	struct grant_table *gt = g->grant;
	struct active_grant *a;

	if (gt->dead)
		return; /* its pins went with its active table */
	a = &gt->active[ref];
	if (readonly && a->rd_pins)
		a->rd_pins--;
	else if (!readonly && a->wr_pins)
		a->wr_pins--;
	clear_unused_marks(entry(gt, ref), a);
}

static int find_host_slot(struct domain *d, const struct gnttab_map_grant_ref *m,
			  mfn_t *l1, unsigned int *idx)
{
	if (m->flags & GNTMAP_contains_pte) {
		*l1 = m->host_addr >> PAGE_SHIFT;
		*idx = (m->host_addr & ~PAGE_MASK) >> 3;
		return (m->host_addr & 7) ? -EINVAL : 0;
	}
	if (!guest_range_ok(m->host_addr, 1))
		return -EINVAL;
	(void)d;
	return find_l1_slot(current->guest_table, m->host_addr, l1, idx);
}

static int alloc_maptrack(struct grant_table *gt)
{
	for (int i = 0; i < MAPTRACK_ENTRIES; i++)
		if (!gt->maptrack[i].used)
			return i;
	return -1;
}

static void map_one(struct domain *d, struct gnttab_map_grant_ref *m)
{
	/* Xen maps by a real domain id only: DOMID_SELF is a bad domain. */
	struct domain *g = m->dom == DOMID_SELF ? NULL : granter(m->dom);
	bool ro = m->flags & GNTMAP_readonly;
	bool dev_rw = (m->flags & GNTMAP_device_map) && !ro;
	struct maptrack *mt;
	struct frame *f;
	mfn_t mfn, l1 = 0;
	unsigned int idx = 0;
	int h, rc;

	if (!(m->flags & (GNTMAP_host_map | GNTMAP_device_map))) {
		m->status = GNTST_bad_gntref; /* as Xen: nothing to map */
		return;
	}
	if (!g) {
		m->status = GNTST_bad_domain;
		return;
	}
	if ((m->flags & GNTMAP_host_map) && find_host_slot(d, m, &l1, &idx)) {
		mm_refused(d, MMR_GRANT_ADDR,
			   "grant map: no L1 slot of its own at %#lx%s",
			   m->host_addr,
			   m->flags & GNTMAP_contains_pte ? " (contains_pte)" : "");
		m->status = GNTST_general_error;
		return;
	}
	lock_tables(d, g);
	h = alloc_maptrack(d->grant);
	if (h < 0) {
		m->status = GNTST_no_device_space;
		goto out;
	}
	rc = pin_grant(g, d, m->ref, ro, &mfn);
	if (rc) {
		m->status = (s16)rc;
		goto out;
	}
	f = mfn_to_frame(mfn);
	m->status = GNTST_general_error;
	if (dev_rw && !get_page_type(f, PGT_WRITABLE)) {
		mm_refused(d, MMR_GRANT_TABLE,
			   "grant map: frame %#lx of d%u cannot be written (a table)",
			   mfn, g->id);
		goto unpin;
	}
	if (m->flags & GNTMAP_host_map) {
		u64 pte = (mfn << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_ACCESSED |
			  _PAGE_DIRTY | (ro ? 0 : _PAGE_RW) | PTE_GRANT_MAPPING;
		if (grant_pte_install(d, l1, idx, pte)) {
			if (dev_rw)
				put_page_type(f);
			goto unpin;
		}
	}
	mt = &d->grant->maptrack[h];
	*mt = (struct maptrack){ true, g->id, m->ref, m->flags, mfn, l1, idx };
	m->handle = (grant_handle_t)h;
	m->dev_bus_addr = mfn << PAGE_SHIFT;
	m->status = GNTST_okay;
	goto out;
unpin:
	unpin_grant(g, m->ref, ro);
	put_page(f);
out:
	unlock_tables(d, g);
}

/* Undo mapping h of d. Both tables locked (g may be NULL if gone). */
static void unmap_locked(struct domain *d, struct domain *g, int h)
{
	struct maptrack *mt = &d->grant->maptrack[h];
	struct frame *f = mfn_to_frame(mt->mfn);

	if (mt->flags & GNTMAP_host_map)
		grant_pte_remove(d, mt->l1, mt->l1_index, mt->mfn);
	if ((mt->flags & GNTMAP_device_map) && !(mt->flags & GNTMAP_readonly))
		put_page_type(f);
	if (g)
		unpin_grant(g, mt->ref, mt->flags & GNTMAP_readonly);
	put_page(f); /* the pin's: an orphan of a dead granter goes now */
	mt->used = false;
}

static void unmap_one(struct domain *d, struct gnttab_unmap_grant_ref *u)
{
	struct maptrack *mt;
	struct domain *g;
	domid_t dom;

	if (u->handle >= MAPTRACK_ENTRIES || !d->grant->maptrack[u->handle].used) {
		mm_refused(d, MMR_GRANT_HANDLE, "grant unmap: bad handle %u",
			   u->handle);
		u->status = GNTST_bad_handle;
		return;
	}
	mt = &d->grant->maptrack[u->handle];
again:
	/* Read unlocked: look again once locked, in case another vCPU has
	 * meanwhile unmapped the handle and reused it for another granter. */
	dom = READ_ONCE(mt->dom);
	g = domain_lookup(dom);
	if (g && !g->grant)
		g = NULL;
	lock_tables(d, g); /* unmap_locked copes with a dead g */
	if (mt->used && mt->dom != dom) {
		unlock_tables(d, g);
		goto again;
	}
	if (!mt->used) {
		u->status = GNTST_bad_handle;
	} else if (u->dev_bus_addr && u->dev_bus_addr != mt->mfn << PAGE_SHIFT) {
		u->status = GNTST_bad_dev_addr;
	} else {
		unmap_locked(d, g, (int)u->handle);
		u->status = GNTST_okay;
	}
	unlock_tables(d, g);
}

static int setup_table(struct domain *d, u64 uop)
{
	struct gnttab_setup_table s;
	struct domain *t;

	if (get_guest(s, uop))
		return -EFAULT;
	t = s.dom == DOMID_SELF ? d : (d->privileged ? domain_lookup(s.dom) : NULL);
	if (!t || !t->grant || READ_ONCE(t->grant->dead)) {
		s.status = t ? GNTST_general_error : GNTST_bad_domain;
	} else if (s.nr_frames > GNTTAB_MAX_FRAMES) {
		s.status = GNTST_general_error;
	} else {
		spin_lock(&t->grant->lock);
		s.status = t->grant->dead || grow_table(t, s.nr_frames) ?
				   GNTST_general_error :
				   GNTST_okay;
		for (unsigned int i = 0; !s.status && i < s.nr_frames; i++) {
			u64 mfn = __pa(t->grant->shared[i]) >> PAGE_SHIFT;
			if (put_guest(mfn, s.frame_list + i * 8))
				s.status = GNTST_bad_virt_addr;
		}
		spin_unlock(&t->grant->lock);
	}
	return put_guest(s.status, uop + offsetof(struct gnttab_setup_table,
						  status));
}

static int query_size(struct domain *d, u64 uop)
{
	struct gnttab_query_size q;
	struct domain *t;

	if (get_guest(q, uop))
		return -EFAULT;
	t = q.dom == DOMID_SELF || q.dom == d->id ?
		    d :
		    (d->privileged ? domain_lookup(q.dom) : NULL);
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
	} else {
		s->g = granter(p->domid);
		if (!s->g)
			return GNTST_bad_domain;
		s->ref = p->u.ref;
		lock_tables(d, s->g);
		rc = pin_grant(s->g, d, p->u.ref, ro, &s->mfn);
		unlock_tables(d, s->g);
		if (rc)
			return rc;
		s->pinned = true;
		s->f = mfn_to_frame(s->mfn);
	}
	if (!ro) {
		if (!get_page_type(s->f, PGT_WRITABLE)) {
			mm_refused(d, MMR_GRANT_TABLE | MMR_CLASS_COPY,
				   "grant copy: destination %#lx is a page or descriptor table",
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
		unpin_grant(s->g, s->ref, s->ro);
		unlock_tables(d, s->g);
	}
	if (s->f)
		put_page(s->f);
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
	c->status = (s16)copy_side_get(d, &c->source,
				       c->flags & GNTCOPY_source_gref, true,
				       &src);
	if (!c->status)
		c->status = (s16)copy_side_get(d, &c->dest,
					       c->flags & GNTCOPY_dest_gref,
					       false, &dst);
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
	struct grant_entry_v1 *e;
	struct frame *f = mfn_to_frame(t->mfn);
	u32 w;

	if (!r || r == d) {
		t->status = GNTST_bad_domain;
		return;
	}
	if (!f || f->owner != d->id || f->count ||
	    (f->type_info & PGT_COUNT_MASK) || t->mfn == d->shared_info_mfn) {
		mm_refused(d, MMR_GRANT_TRANSFER,
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
	e = entry(r->grant, t->ref);
	w = READ_ONCE(*(u32 *)&e->flags); /* {flags, domid}: one read */
	if (((u16)w & (GTF_type_mask | GTF_transfer_committed)) !=
		    GTF_accept_transfer ||
	    (domid_t)(w >> 16) != d->id) {
		mm_refused(d, MMR_GRANT_TRANSFER,
			   "grant transfer: ref %u of d%u accepts no transfer from d%u",
			   t->ref, r->id, d->id);
		t->status = GNTST_permission_denied;
		goto out;
	}
	if (r->tot_pages >= r->max_pages) {
		t->status = GNTST_general_error;
		goto out;
	}
	/* Commit the entry as checked: r may be rewriting it meanwhile. */
	if (!__atomic_compare_exchange_n((u32 *)&e->flags, &w,
					 w | GTF_transfer_committed, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
		t->status = GNTST_permission_denied;
		goto out;
	}
	/* Taken from us at once: no mapping of it can appear meanwhile. */
	if (!take_unused_frames(d, t->mfn, 0)) {
		__atomic_fetch_and(&e->flags, ~GTF_transfer_committed,
				   __ATOMIC_SEQ_CST);
		t->status = GNTST_bad_page;
		goto out;
	}
	domain_move_page(d, r, t->mfn);
	WRITE_ONCE(e->frame, (u32)t->mfn);
	__atomic_fetch_or(&e->flags, GTF_transfer_completed, __ATOMIC_SEQ_CST);
	t->status = GNTST_okay;
out:
	unlock_tables(d, r);
}

#define GRANT_BATCH_OP(type, fn)                                          \
	for (unsigned int i = 0; i < count; i++) {                        \
		type op;                                                  \
		u64 a = uop + i * sizeof(op);                             \
		if (get_guest(op, a))                                     \
			return i ? (long)i : -EFAULT;                     \
		fn(d, &op);                                               \
		if (put_guest(op, a))                                     \
			return -EFAULT;                                   \
	}

long do_grant_table_op(unsigned int cmd, u64 uop, unsigned int count)
{
	struct domain *d = current->domain;

	if (!d->grant || d->grant->dead)
		return -ENOSYS;
	if (count > 4096)
		return -EINVAL;
	switch (cmd) {
	case GNTTABOP_map_grant_ref:
		GRANT_BATCH_OP(struct gnttab_map_grant_ref, map_one);
		return 0;
	case GNTTABOP_unmap_grant_ref:
		GRANT_BATCH_OP(struct gnttab_unmap_grant_ref, unmap_one);
		flush_guest_tlbs(); /* no stale mapping may outlive the unmap */
		return 0;
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
	case GNTTABOP_set_version: {
		struct gnttab_set_version v;
		if (get_guest(v, uop))
			return -EFAULT;
		if (v.version != 1) {
			v.version = 1;
			put_guest(v, uop);
			return -ENOSYS; /* only v1 */
		}
		return 0;
	}
	case GNTTABOP_get_version: {
		struct gnttab_get_version v;
		if (get_guest(v, uop))
			return -EFAULT;
		if (v.dom != DOMID_SELF && v.dom != d->id && !d->privileged)
			return -EPERM;
		v.version = 1;
		return put_guest(v, uop);
	}
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

	if (!gt)
		return;
	if (gt->maptrack)
		for (int h = 0; h < MAPTRACK_ENTRIES; h++) {
			struct maptrack *mt = &gt->maptrack[h];
			struct domain *g;
			if (!mt->used)
				continue;
			g = domain_lookup(mt->dom);
			if (g && !g->grant)
				g = NULL;
			lock_tables(d, g);
			unmap_locked(d, g, h);
			unlock_tables(d, g);
		}
	/* Grantees that found d before it was dying wait here, then see it
	 * dead (pin_grant, unpin_grant, transfer). */
	spin_lock(&gt->lock);
	gt->dead = true;
	xfree(gt->active);
	xfree(gt->maptrack);
	gt->active = NULL;
	gt->maptrack = NULL;
	spin_unlock(&gt->lock);
}

/*
 * The grant-table frames themselves go after d's page tables are
 * relinquished: d may still map them (Linux does).
 */
void grant_domain_free(struct domain *d)
{
	struct grant_table *gt = d->grant;
	unsigned int n;

	if (!gt)
		return;
	spin_lock(&gt->lock);
	n = gt->nr_frames;
	gt->nr_frames = 0;
	spin_unlock(&gt->lock);
	for (unsigned int i = 0; i < n; i++)
		release_shared_frame(
			mfn_to_frame(__pa(gt->shared[i]) >> PAGE_SHIFT));
}

/* The table's struct, once no CPU can still be looking at d (domain.c). */
void grant_domain_put(struct domain *d)
{
	xfree(d->grant);
	d->grant = NULL;
}
