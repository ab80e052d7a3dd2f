/*
 * Page-table validation (the paper's "validated page tables").
 *
 * Rules for entries a PV guest writes:
 *  - An L1 entry maps a frame the domain owns (or, for a privileged
 *    domain, I/O memory). Writable entries take a WRITABLE type reference,
 *    so no frame is both writable and typed as a page or descriptor table.
 *  - An Lk entry (k > 1) points at a frame that validates as L(k-1); or,
 *    read-only, at a table of its own level already in use ("linear"
 *    page tables), one level deep as on Xen: a table holding linear
 *    entries is never a linear target, and a target never holds them.
 *  - No superpages; no entries in the hypervisor's L4 slots 256..271,
 *    which the hypervisor fills itself.
 *  - A non-present entry is the guest's alone (Linux keeps swap and
 *    migration entries there, any bit set), and so are bits 52..62 of a
 *    present L1 entry, as on Xen. Nothing here reads meaning into them:
 *    which entries are grant mappings is our own record ("Grant slots").
 *  - Kernel and user both run in ring 3, so USER is set on every entry.
 *
 * Counts live in the frame table. Each domain has its own lock (mm_lock,
 * by domain id) that serialises the type changes of its frames and every
 * walk of its tables; nothing one domain does with its page tables waits
 * for another's. Validation recurses down the tree with the lock held, at
 * most one call per level (a linear target is never validated through
 * its linear entry), and teardown at most one per level and linear hop:
 * no depth a guest chooses. In the memory hypercalls both stop part-way
 * (see "Preemption") when the CPU is wanted or another CPU waits for the
 * lock, so neither a CPU nor the lock is held for a whole tree. The lock
 * is taken only with interrupts enabled (hypercalls, guest faults),
 * because a type change may have to wait for other CPUs to flush their
 * TLBs.
 *
 * One kind of type reference crosses domains: a writable one, taken on
 * another domain's frame by a grant mapping or a privileged foreign
 * mapping. Those are taken and dropped without any lock, by
 * compare-and-swap on type_info (ti_*), which is why every change of
 * type_info is atomic: a writable reference succeeds only on a frame of
 * type count zero or already writable and validated, and every other
 * state (a table, validating, PARTIAL, TEARDOWN) makes it back off. The
 * owner's lock holder is the only one to move a frame between other
 * states.
 *
 * A refusal is the guest's error, not ours: the first of each kind is
 * logged at warning level naming the domain, the frame and the reason
 * (mm_refused), later ones only at debug level.
 */
#include "percpu.h" /* first: the unit tests' shim replaces it */
#include "lib.h"
#include "m2p.h"
#include "mm.h"
#include "page.h"
#include "ptval.h"
#include "tlbflush.h"
#include "grant.h"
#include "pv.h"
#include "spinlock.h"
#include "hypercall.h"
#include "xmalloc.h"

#define PT_ENTRIES 512
#define COUNT(f) (ti_load(f) & PGT_COUNT_MASK)
#define TYPE(f) (ti_load(f) & PGT_TYPE_MASK)
#define ADDR_MASK 0x000FFFFFFFFFF000UL

/* --- type_info, atomically ------------------------------------------------- */

static inline u32 ti_load(const struct frame *f)
{
	return __atomic_load_n(&f->type_info, __ATOMIC_ACQUIRE);
}

static inline bool ti_cas(struct frame *f, u32 *old, u32 new)
{
	return __atomic_compare_exchange_n(&f->type_info, old, new, false,
					   __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE);
}

static inline void ti_set(struct frame *f, u32 v)
{
	__atomic_store_n(&f->type_info, v, __ATOMIC_SEQ_CST);
}

static inline void ti_or(struct frame *f, u32 bits)
{
	__atomic_fetch_or(&f->type_info, bits, __ATOMIC_SEQ_CST);
}

static inline void ti_and(struct frame *f, u32 mask)
{
	__atomic_fetch_and(&f->type_info, mask, __ATOMIC_SEQ_CST);
}

static inline void ti_add(struct frame *f, int n)
{
	__atomic_fetch_add(&f->type_info, (u32)n, __ATOMIC_SEQ_CST);
}

/* --- Locks and the walk in progress ---------------------------------------- */

/* One per domain id; the last for frames no domain owns (never tables). */
static spinlock_t mm_locks[MAX_DOMAINS + 1];

/*
 * What the operation in progress on this CPU knows: the lock it holds,
 * why an entry check failed, what a refusal left PARTIAL. One lock at a
 * time per CPU: no operation holds two domains' locks.
 */
struct why_info {
	unsigned int kind; /* MMR_*, or MMR_NONE */
	mfn_t mfn; /* the frame the entry named */
	mfn_t table; /* the innermost table that refused it */
	unsigned int level, index;
	u64 entry;
};

struct mm_walk {
	spinlock_t *lock;
	struct why_info why;
	struct frame *left_partial; /* see "Preemption" */
};

static struct mm_walk walks[NR_CPUS];

static inline struct mm_walk *walk(void)
{
	return &walks[smp_processor_id()];
}

static spinlock_t *lock_of(domid_t id)
{
	return &mm_locks[id < MAX_DOMAINS ? id : MAX_DOMAINS];
}

static void mm_lock(domid_t id)
{
	spinlock_t *l = lock_of(id);

	spin_lock(l);
	walk()->lock = l;
}

static void mm_unlock(void)
{
	struct mm_walk *w = walk();
	spinlock_t *l = w->lock;

	w->lock = NULL;
	spin_unlock(l);
}

/* --- Refusals ------------------------------------------------------------ */

void mm_refused(struct domain *d, unsigned int kind, const char *fmt, ...)
{
	char buf[200];
	u32 bit = 1U << (kind & 31);
	/* Kinds already warned about, per class of operation. */
	bool first = !(__atomic_fetch_or(&d->mm_refusals_logged[(kind >> 5) & 3],
					 bit, __ATOMIC_RELAXED) &
		       bit);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk_level(first ? LOG_WARN : LOG_DEBUG, "d%u: %s\n", d->id, buf);
}

/* Why the entry check in progress failed: the first (innermost) wins. */
static int refuse(unsigned int kind, mfn_t mfn)
{
	struct why_info *w = &walk()->why;

	if (w->kind == MMR_NONE) {
		w->kind = kind;
		w->mfn = mfn;
	}
	return -EINVAL;
}

static void why_reset(void)
{
	struct why_info *w = &walk()->why;

	w->kind = MMR_NONE;
	w->table = INVALID_MFN;
}

static const char *type_name(u32 type_info)
{
	static const char *const names[] = {
		"untyped frame", "L1 table",	    "L2 table", "L3 table",
		"L4 table",	 "descriptor page", "?",	"writable page"
	};
	return names[(type_info & PGT_TYPE_MASK) >> 28];
}

/* The reason recorded in why, in words. */
static void describe(char *buf, size_t n)
{
	const struct why_info *w = &walk()->why;
	struct frame *f = mfn_to_frame(w->mfn);
	int len = 0;

	if (w->table != INVALID_MFN)
		len = snprintf(buf, n, "L%u %#lx entry %u (%#lx): ", w->level,
			       w->table, w->index, w->entry);
	buf += len;
	n -= (size_t)len;
	switch (w->kind) {
	case MMR_FOREIGN_FRAME:
		if (f && f->owner == DOMID_ORPHAN)
			snprintf(buf, n, "frame %#lx belongs to a dead domain",
				 w->mfn);
		else
			snprintf(buf, n, "frame %#lx belongs to d%u", w->mfn,
				 f ? f->owner : 0);
		break;
	case MMR_XEN_FRAME:
		snprintf(buf, n, "frame %#lx belongs to the hypervisor",
			 w->mfn);
		break;
	case MMR_IO_FRAME:
		snprintf(buf, n, "frame %#lx is not RAM (I/O) and not allowed",
			 w->mfn);
		break;
	case MMR_PT_WRITABLE:
		snprintf(buf, n, "frame %#lx is a %s: no writable mappings",
			 w->mfn, f ? type_name(ti_load(f)) : "?");
		break;
	case MMR_TYPE:
		snprintf(buf, n, "frame %#lx is in use as a %s", w->mfn,
			 f ? type_name(ti_load(f)) : "?");
		break;
	case MMR_SUPERPAGE:
		snprintf(buf, n, "superpage (PSE) entries are not allowed");
		break;
	case MMR_HV_SLOT:
		snprintf(buf, n, "L4 slots 256-271 are the hypervisor's");
		break;
	case MMR_LINEAR_RW:
		snprintf(buf, n, "writable linear page-table entry to %#lx",
			 w->mfn);
		break;
	case MMR_LINEAR_DEPTH:
		snprintf(buf, n,
			 "linear entry to %#lx: not a table of this level in "
			 "use, or linear entries one level deep only",
			 w->mfn);
		break;
	default:
		snprintf(buf, n, "refused");
	}
}

u32 frame_level_type(unsigned int level)
{
	static const u32 types[] = { PGT_NONE, PGT_L1, PGT_L2, PGT_L3, PGT_L4 };
	return level <= 4 ? types[level] : PGT_NONE;
}

static unsigned int type_level(u32 type)
{
	switch (type) {
	case PGT_L1:
		return 1;
	case PGT_L2:
		return 2;
	case PGT_L3:
		return 3;
	case PGT_L4:
		return 4;
	}
	return 0;
}

static u64 *table_va(struct frame *f)
{
	return __va((u64)(f - frame_table) << PAGE_SHIFT);
}

static bool owned_by(struct frame *f, struct domain *d)
{
	return f->owner == d->id;
}

/*
 * A reference may be taken while a frame is being taken away from its
 * owner (take_unused_frames): count first, then owner, on either side,
 * so one of the two sees the other and backs off.
 */
bool get_page(struct frame *f, struct domain *d)
{
	if (!f || !owned_by(f, d) || f->count == 0xffffffffU)
		return false;
	__atomic_fetch_add(&f->count, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&f->owner, __ATOMIC_SEQ_CST) != d->id) {
		put_page(f); /* it may have become an orphan meanwhile */
		return false;
	}
	return true;
}

/* Of all who may free an orphan, the one that turns it into Xen's does. */
static bool free_orphan(struct frame *f)
{
	domid_t orphan = DOMID_ORPHAN;

	if (!__atomic_compare_exchange_n(&f->owner, &orphan, DOMID_XEN, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return false;
	ti_set(f, 0);
	f->linear = 0;
	free_frames(f - frame_table, 0);
	return true;
}

void put_page(struct frame *f)
{
	BUG_ON(!f->count);
	/* A frame whose domain died while others mapped it goes back now. */
	if (__atomic_sub_fetch(&f->count, 1, __ATOMIC_SEQ_CST) == 0 &&
	    __atomic_load_n(&f->owner, __ATOMIC_SEQ_CST) == DOMID_ORPHAN)
		free_orphan(f);
}

/**
 * orphan_frame - f's owner is gone: free f now, or, while others hold
 * references, when the last of them goes (put_page). The owner is marked
 * before the count is read, and put_page drops the count before reading
 * the owner, so one of the two sees the other, and free_orphan lets only
 * one of them free the frame: never leaked, never freed twice.
 * Returns true if f was freed now.
 */
bool orphan_frame(struct frame *f)
{
	__atomic_store_n(&f->owner, DOMID_ORPHAN, __ATOMIC_SEQ_CST);
	return !__atomic_load_n(&f->count, __ATOMIC_SEQ_CST) && free_orphan(f);
}

static int validate_table(struct frame *f, unsigned int level);
static int devalidate_table(struct frame *f, unsigned int level);

/* --- Preemption ------------------------------------------------------------ */

/*
 * Validation and teardown of a big tree stop part-way when the CPU is
 * wanted, leaving each unfinished table PARTIAL: entries [0, nr_done)
 * hold their references, and with PGT_PARTIAL_CHILD the table named by
 * entry nr_done is itself left PARTIAL by this one. A PARTIAL table owns
 * one type and one general reference. Whoever comes next adopts those:
 * get_page_and_type of its type continues validating it (the hypercall's
 * continuation, or anyone), finish_teardown continues taking it apart
 * (the vCPU's pending teardown, see mm_finish_pending). Either order is
 * consistent, since both work on the same progress.
 *
 * Only the memory hypercalls, which can continue themselves, enable
 * preemption (mm_preemptible); elsewhere the work runs to the end.
 */
#define PREEMPT_EVERY_ENTRIES 64

/* Set whether the current vCPU's memory call may stop; the old setting. */
bool mm_preemptible(bool on)
{
	struct vcpu *v = current;
	bool old = v && v->mm_preemptible;

	if (v)
		v->mm_preemptible = on;
	return old;
}

/*
 * Stop when this CPU is wanted, or when another CPU waits for the
 * domain's lock (another of its vCPUs): the lock is then held for a few
 * dozen entries at a time, never for a whole tree.
 */
static bool should_preempt(void)
{
	struct vcpu *v = current;
	spinlock_t *l = walk()->lock;

	return v && v->mm_preemptible &&
	       (hypercall_preempt_check() || (l && spin_is_contended(l)));
}

/* Only every 64th entry of a table checks: the walk costs per entry. */
static bool at_check(unsigned int i)
{
	return (i & (PREEMPT_EVERY_ENTRIES - 1)) == PREEMPT_EVERY_ENTRIES - 1;
}

/* Leave f PARTIAL at entry n; child: the table entry n left PARTIAL. */
static void leave_partial(struct frame *f, unsigned int n, bool child)
{
	f->nr_done = n;
	ti_or(f, PGT_PARTIAL | (child ? PGT_PARTIAL_CHILD : 0));
	walk()->left_partial = f;
}

static struct frame *entry_frame(u64 e)
{
	return mfn_to_frame((e & ADDR_MASK) >> PAGE_SHIFT);
}

/*
 * Take a PARTIAL table apart: drop what its entries still hold, then the
 * type and general references its partial state owns. Nothing to do if
 * someone adopted it meanwhile. 0, or -ERESTART (still PARTIAL).
 */
static int finish_teardown(struct frame *f)
{
	int rc;

	if (!f || !(ti_load(f) & PGT_PARTIAL))
		return 0;
	ti_and(f, ~PGT_PARTIAL);
	rc = devalidate_table(f, type_level(TYPE(f)));
	if (rc) {
		ti_or(f, PGT_PARTIAL);
		return rc;
	}
	ti_set(f, PGT_NONE); /* its last type reference */
	put_page(f);
	return 0;
}

/* --- Type references --------------------------------------------------------- */

/* get_page for an entry: records why a frame is not the domain's. */
static int get_entry_page(struct frame *f, struct domain *d)
{
	if (get_page(f, d))
		return 0;
	if (f->owner == DOMID_XEN || f->owner == DOMID_INVALID)
		return refuse(MMR_XEN_FRAME, f - frame_table);
	return refuse(MMR_FOREIGN_FRAME, f - frame_table);
}

/*
 * Take a type reference in one compare-and-swap: another count of the
 * same validated type, or, at count zero, the new type with count one.
 * The owner's lock holder and lock-free writable references race only
 * here. 1 if the type changed (count was zero), 0 if counted, or -EINVAL.
 */
static int take_type_ref(struct frame *f, u32 type, u32 *old)
{
	u32 x = ti_load(f), next;

	do {
		if (x & PGT_TEARDOWN)
			return refuse(MMR_TYPE, f - frame_table);
		if (x & PGT_COUNT_MASK) {
			if ((x & PGT_TYPE_MASK) != type || !(x & PGT_VALIDATED))
				return refuse(type == PGT_WRITABLE &&
						      (x & PGT_TYPE_MASK) !=
							  type
						  ? MMR_PT_WRITABLE
						  : MMR_TYPE,
					      f - frame_table);
			if ((x & PGT_COUNT_MASK) == PGT_COUNT_MASK)
				return -EINVAL;
			next = x + 1;
		} else {
			/* Writable pages need no validation. */
			next = type | 1 |
			       (type == PGT_WRITABLE ? PGT_VALIDATED : 0);
		}
	} while (!ti_cas(f, &x, next));
	*old = x;
	return !(x & PGT_COUNT_MASK);
}

/*
 * Drop a type reference in one compare-and-swap. The last writable one
 * stamps the frame first (tlbflush.h), so whoever turns it into a table
 * next, having seen the count at zero, also sees when its mappings went.
 */
static void drop_type_ref(struct frame *f)
{
	u32 x = ti_load(f);

	do {
		BUG_ON(!(x & PGT_COUNT_MASK));
		if ((x & (PGT_TYPE_MASK | PGT_COUNT_MASK)) ==
		    (PGT_WRITABLE | 1))
			__atomic_store_n(&f->tlb_stamp, tlb_clock_now(),
					 __ATOMIC_SEQ_CST);
	} while (!ti_cas(f, &x, x - 1));
}

/*
 * Take a type reference. A table type whose count was zero validates
 * first; if that is refused or preempted, f is left PARTIAL (owning this
 * type reference and the caller's general one) and the error returned.
 * Types other than writable only with the owner's lock held.
 */
static int get_type_locked(struct frame *f, u32 type)
{
	unsigned int level = type_level(type);
	u32 old;
	int rc = take_type_ref(f, type, &old);

	if (rc <= 0 || type == PGT_WRITABLE)
		return rc < 0 ? rc : 0;
	/*
	 * The type changed, and tables must validate. A frame that was
	 * writable may still be writable through stale TLB entries on CPUs
	 * running guests: flush those that have not reloaded CR3 since its
	 * last writable mapping went, before anything trusts its contents.
	 */
	if ((old & PGT_TYPE_MASK) == PGT_WRITABLE)
		flush_tlbs_since(
		    __atomic_load_n(&f->tlb_stamp, __ATOMIC_SEQ_CST));
	f->nr_done = 0;
	if (level) {
		rc = validate_table(f, level);
		if (rc)
			return rc;
	} else if (type == PGT_SEG_DESC && !validate_descriptor_page(f)) {
		ti_set(f, PGT_NONE);
		return -EINVAL;
	}
	ti_or(f, PGT_VALIDATED);
	return 0;
}

/*
 * Drop a type reference; the last one of a table takes its entries'
 * references away. 0, or -ERESTART: f is left PARTIAL, owning this type
 * reference and the caller's general one, and must be finished later.
 */
static int put_type_locked(struct frame *f)
{
	u32 x = ti_load(f);
	unsigned int level = type_level(x & PGT_TYPE_MASK);

	if (!(x & PGT_COUNT_MASK))
		printk("put_type: frame %#lx owner %u type %s (%#x) count 0\n",
		       (u64)(f - frame_table), f->owner, type_name(x), x);
	BUG_ON(!(x & PGT_COUNT_MASK));
	if ((x & PGT_COUNT_MASK) == 1 && level && (x & PGT_VALIDATED)) {
		/* Last user: drop the entries' refs (unless relinquish did). */
		ti_and(f, ~(PGT_VALIDATED | PGT_PINNED));
		f->nr_done = PT_ENTRIES;
		if (devalidate_table(f, level)) {
			leave_partial(f, f->nr_done,
				      ti_load(f) & PGT_PARTIAL_CHILD);
			return -ERESTART;
		}
	}
	drop_type_ref(f);
	return 0;
}

/* A put with preemption off: the work is done when it returns. */
static void unpreempted_put(struct frame *f, int (*put)(struct frame *))
{
	bool on = mm_preemptible(false);

	put(f);
	mm_preemptible(on);
}

/*
 * A type reference alone (the caller holds a general one). A writable one
 * on any domain's frame takes no lock (see above); others take the
 * owner's.
 */
bool get_page_type(struct frame *f, u32 type)
{
	int rc;

	if (type == PGT_WRITABLE)
		return !get_type_locked(f, type);
	mm_lock(f->owner);
	walk()->left_partial = NULL;
	rc = get_type_locked(f, type);
	BUG_ON(rc && walk()->left_partial); /* tables: no general ref here */
	mm_unlock();
	return !rc;
}

void put_page_type(struct frame *f)
{
	if (TYPE(f) == PGT_WRITABLE) {
		drop_type_ref(f);
		return;
	}
	mm_lock(f->owner);
	unpreempted_put(f, put_type_locked);
	mm_unlock();
}

/*
 * A general and a type reference, adopting f's references if it was left
 * PARTIAL with this type (continuing its validation). On an error, a
 * table left PARTIAL keeps both references (left_partial says which).
 */
static int get_page_and_type_locked(struct frame *f, struct domain *d, u32 type)
{
	int rc;

	if ((ti_load(f) & PGT_PARTIAL) && TYPE(f) == type && owned_by(f, d)) {
		ti_and(f, ~PGT_PARTIAL);
		rc = validate_table(f, type_level(type));
		if (!rc)
			ti_or(f, PGT_VALIDATED);
		return rc;
	}
	rc = get_entry_page(f, d);
	if (rc)
		return rc;
	walk()->left_partial = NULL;
	rc = get_type_locked(f, type);
	if (rc &&
	    walk()->left_partial != f) /* else f's partial state keeps it */
		put_page(f);
	return rc;
}

static int put_page_and_type_locked(struct frame *f)
{
	int rc = put_type_locked(f);

	if (!rc)
		put_page(f);
	return rc;
}

/*
 * The same, to the end: a table the refusal left PARTIAL is taken apart
 * at once (preemption off, so finish_teardown completes).
 */
static int get_page_and_type_now(struct frame *f, struct domain *d, u32 type)
{
	bool on = mm_preemptible(false);
	int rc;

	walk()->left_partial = NULL;
	rc = get_page_and_type_locked(f, d, type);
	if (rc)
		finish_teardown(walk()->left_partial);
	mm_preemptible(on);
	return rc;
}

bool get_page_and_type(struct frame *f, struct domain *d, u32 type)
{
	int rc;

	if (type == PGT_WRITABLE) /* no lock, no validation, no PARTIAL */
		return !get_page_and_type_locked(f, d, type);
	mm_lock(d->id);
	why_reset();
	rc = get_page_and_type_now(f, d, type);
	mm_unlock();
	return !rc;
}

/* A table type goes under its owner's lock; a writable one without. */
void put_page_and_type(struct frame *f)
{
	if (TYPE(f) == PGT_WRITABLE) {
		put_page_and_type_locked(f);
		return;
	}
	mm_lock(f->owner);
	unpreempted_put(f, put_page_and_type_locked);
	mm_unlock();
}

bool get_page_writable(struct frame *f, struct domain *d)
{
	return get_page_and_type(f, d, PGT_WRITABLE);
}

/*
 * The calling vCPU's pending teardown (a table whose last reference it
 * dropped, or whose validation it had refused, left PARTIAL): finished
 * before the vCPU's next memory operation (mm_finish_pending); with
 * preemption off, at once.
 */
static void defer_teardown(struct frame *f)
{
	struct vcpu *v = current;
	bool on;

	if (!f)
		return;
	on = mm_preemptible(false);
	/*
	 * No continuation to finish it later, or another domain's table (a
	 * privileged builder's pin): finish now, under the lock held, so a
	 * pending teardown is always under its vCPU's own domain's lock.
	 */
	if (!on || f->owner != v->domain->id) {
		finish_teardown(f);
	} else {
		/* One at a time: the memory hypercalls finish it first. */
		if (v->pending_teardown && v->pending_teardown != f)
			finish_teardown(v->pending_teardown);
		v->pending_teardown = f;
	}
	mm_preemptible(on);
}

/* Finish v's pending teardown: 0, or -ERESTART (still pending). */
int mm_finish_pending(struct vcpu *v)
{
	int rc;

	if (!v->pending_teardown)
		return 0;
	mm_lock(v->domain->id);
	rc = finish_teardown(v->pending_teardown);
	if (!rc)
		v->pending_teardown = NULL;
	mm_unlock();
	return rc;
}

/*
 * For the memory hypercalls: -ERESTART if the validation was preempted
 * (the caller continues and tries again); what a refusal leaves PARTIAL,
 * and a put preempted part-way, become the vCPU's pending teardown.
 */
int get_page_and_type_preemptible(struct frame *f, struct domain *d, u32 type)
{
	int rc;

	mm_lock(d->id);
	why_reset();
	walk()->left_partial = NULL;
	rc = get_page_and_type_locked(f, d, type);
	if (rc && rc != -ERESTART)
		defer_teardown(walk()->left_partial);
	mm_unlock();
	return rc;
}

void put_page_and_type_preemptible(struct frame *f)
{
	mm_lock(f->owner);
	if (put_page_and_type_locked(f))
		defer_teardown(f);
	mm_unlock();
}

/* --- Entries ----------------------------------------------------------- */

static struct domain *frame_domain(struct frame *f)
{
	return domain_lookup(f->owner);
}

/* Device memory: not RAM at all (RAM the hypervisor keeps is not I/O). */
static bool is_io_frame(mfn_t mfn)
{
	struct frame *f = mfn_to_frame(mfn);
	return !f || !(f->attrs & FRAME_ATTR_RAM);
}

/*
 * Take the references an L1 entry needs. The frame must belong to pg_owner
 * (the table's owner, or a foreign domain that a privileged builder names).
 */
static int get_l1e(u64 e, struct domain *d, struct domain *pg_owner)
{
	mfn_t mfn = (e & ADDR_MASK) >> PAGE_SHIFT;
	struct frame *f = mfn_to_frame(mfn);

	if (!(e & _PAGE_PRESENT))
		return 0;
	if (is_io_frame(mfn)) /* domain 0 only */
		return d->privileged && mmio_allowed(mfn)
			   ? 0
			   : refuse(MMR_IO_FRAME, mfn);
	if (f->owner == DOMID_XEN || f->owner == DOMID_INVALID)
		return refuse(MMR_XEN_FRAME, mfn);
	if (e & _PAGE_RW)
		return get_page_and_type_locked(f, pg_owner, PGT_WRITABLE);
	return get_entry_page(f, pg_owner);
}

static void put_l1e(u64 e)
{
	mfn_t mfn = (e & ADDR_MASK) >> PAGE_SHIFT;
	struct frame *f = mfn_to_frame(mfn);

	if (!(e & _PAGE_PRESENT) || is_io_frame(mfn))
		return;
	if (e & _PAGE_RW)
		put_page_and_type_locked(
		    f); /* a writable type: never partial */
	else
		put_page(f);
}

/*
 * A read-only Lk entry in table t naming f, another table of level k: a
 * "linear" page table, through which a guest reads its tables. As on
 * Xen, f must already be a validated table in use (no validation starts
 * here), and linear references are one level deep: a table that holds
 * linear entries is never a target and a target never holds them. So no
 * validation or teardown follows a chain the guest built. A table naming
 * itself takes no reference at all.
 */
static int get_linear_entry(struct frame *t, struct frame *f, struct domain *d,
			    unsigned int level)
{
	int rc;

	if (f == t)
		return 0;
	rc = get_entry_page(f, d);
	if (rc)
		return rc;
	if (TYPE(f) != frame_level_type(level) ||
	    !(ti_load(f) & PGT_VALIDATED) || !COUNT(f) ||
	    COUNT(f) == PGT_COUNT_MASK || t->linear < 0 || f->linear > 0 ||
	    t->linear == INT16_MAX || f->linear == INT16_MIN) {
		put_page(f);
		return refuse(MMR_LINEAR_DEPTH, f - frame_table);
	}
	ti_add(f, 1);
	t->linear++;
	f->linear--;
	return 0;
}

/* Does entry e of table t (level >= 2) hold a linear reference? */
static bool is_linear_entry(u64 e, struct frame *t, struct frame *f)
{
	return !(e & _PAGE_RW) && TYPE(f) == TYPE(t);
}

/*
 * An Lk entry (k >= 2) of table t: its target validates as L(k-1), or,
 * read-only, is a linear reference to a table of level k.
 */
static int get_upper_entry(u64 e, struct domain *d, unsigned int level,
			   struct frame *t)
{
	mfn_t mfn = (e & ADDR_MASK) >> PAGE_SHIFT;
	struct frame *f = mfn_to_frame(mfn);
	int rc;

	if (!(e & _PAGE_PRESENT))
		return 0;
	if (e & _PAGE_PSE) /* no superpages for PV */
		return refuse(MMR_SUPERPAGE, mfn);
	if (!f)
		return refuse(MMR_IO_FRAME, mfn);
	rc = get_page_and_type_locked(f, d, frame_level_type(level - 1));
	if (!rc || rc == -ERESTART || walk()->left_partial == f)
		return rc; /* a child refused part-way stays refused */
	if (e & _PAGE_RW) {
		/* A writable entry to a table of its own level: linear. */
		if (f == t || (TYPE(f) == frame_level_type(level) && COUNT(f)))
			why_reset();
		return refuse(MMR_LINEAR_RW, mfn);
	}
	if (TYPE(f) != frame_level_type(level) && f != t)
		return rc; /* the first attempt's reason stands */
	why_reset(); /* the first attempt's failure does not count */
	return get_linear_entry(t, f, d, level);
}

static int put_upper_entry(u64 e, struct frame *t)
{
	struct frame *f = entry_frame(e);

	if (!(e & _PAGE_PRESENT) || f == t)
		return 0;
	if (is_linear_entry(e, t, f)) {
		t->linear--;
		f->linear++;
	}
	return put_page_and_type_locked(f);
}

static bool is_hv_slot(unsigned int level, unsigned int i)
{
	return level == 4 && i >= HV_FIRST_L4_SLOT && i <= HV_LAST_L4_SLOT;
}

/*
 * Xen's PV guests run in ring 3: every mapping must be user-accessible.
 * Global mappings would survive the CR3 switch to another domain.
 */
static u64 adjust_entry(u64 e, unsigned int level)
{
	if (!(e & _PAGE_PRESENT))
		return e;
	if (level == 1)
		e &= ~_PAGE_GLOBAL;
	return e | _PAGE_USER;
}

/* Only an upper entry's table can be left PARTIAL (left_partial). */
static int get_entry(u64 e, struct domain *d, struct domain *pg_owner,
		     unsigned int level, struct frame *t)
{
	if (level == 1)
		return get_l1e(e, d, pg_owner);
	walk()->left_partial = NULL;
	return get_upper_entry(e, d, level, t);
}

static int put_entry(u64 e, unsigned int level, struct frame *t)
{
	if (level == 1) {
		put_l1e(e);
		return 0;
	}
	walk()->left_partial = NULL;
	return put_upper_entry(e, t);
}

/* --- Grant slots ------------------------------------------------------- */

/*
 * Which entries of an L1 are grant mappings. No bit of an entry can say
 * so: the guest owns every bit of a non-present entry and bits 52..62
 * of a present one, and a marker it may write could forge a mapping for
 * unmap_grant_ref to act on, or hide a real one. (Xen keeps no such
 * marker either in its release builds; it checks an unmap against the
 * entry's frame.) So the record is the hypervisor's own: a bitmap per L1
 * frame that holds grant mappings, made at the first and freed with the
 * last, reached from the frame table (one load per L1 update). Under
 * the table owner's lock, bit i is set exactly while entry i is a present grant
 * mapping holding its own references: grant_pte_install sets it, the
 * unmap (or replace) and the entry's devalidation clear it. A table's
 * type count is never zero while a bit is set, so only a table in use
 * (or left PARTIAL, for its entries [0, nr_done)) has a record, and a
 * guest can write nothing over a grant mapping but through the unmap.
 */
struct grant_slots {
	u64 bits[PT_ENTRIES / 64];
	unsigned int count;
};

static bool is_grant_slot(const struct frame *t, unsigned int i)
{
	return t->grant_slots && (t->grant_slots->bits[i / 64] >> (i % 64) & 1);
}

/* Record entry i of t as a grant mapping: 0, or -ENOMEM. */
static int grant_slot_set(struct frame *t, unsigned int i)
{
	if (!t->grant_slots) {
		t->grant_slots = xzalloc(sizeof(*t->grant_slots));
		if (!t->grant_slots)
			return -ENOMEM;
	}
	t->grant_slots->bits[i / 64] |= 1UL << (i % 64);
	t->grant_slots->count++;
	return 0;
}

/* Entry i of t is no grant mapping (any more); the last one frees. */
static void grant_slot_clear(struct frame *t, unsigned int i)
{
	if (!is_grant_slot(t, i))
		return;
	t->grant_slots->bits[i / 64] &= ~(1UL << (i % 64));
	if (--t->grant_slots->count == 0) {
		xfree(t->grant_slots);
		t->grant_slots = NULL;
	}
}

/* Record where a validation was refused (the innermost table wins). */
static void why_at(struct frame *f, unsigned int level, unsigned int i)
{
	struct why_info *w = &walk()->why;

	if (w->table == INVALID_MFN) {
		w->table = f - frame_table;
		w->level = level;
		w->index = i;
		w->entry = table_va(f)[i];
	}
}

/*
 * Validate f's entries from nr_done on. On a refusal or preemption f is
 * left PARTIAL at the entry concerned (with PGT_PARTIAL_CHILD if the
 * table that entry names was itself left PARTIAL).
 */
static int validate_table(struct frame *f, unsigned int level)
{
	struct domain *d = frame_domain(f);
	u64 *t = table_va(f);
	unsigned int i = f->nr_done;
	bool had_child = ti_load(f) & PGT_PARTIAL_CHILD;
	int rc;

	ti_and(f, ~PGT_PARTIAL_CHILD); /* entry i adopts it, if still so */
	if (!d) { /* dying: relinquish takes it apart */
		leave_partial(f, i, had_child);
		return refuse(MMR_FOREIGN_FRAME, f - frame_table);
	}
	for (; i < PT_ENTRIES; i++) {
		struct frame *c;
		u64 e = t[i], a;

		if (!(e & _PAGE_PRESENT) || is_hv_slot(level, i))
			goto next; /* nothing to take (the hot case) */
		a = adjust_entry(e, level);
		if (a != e)
			t[i] = a;
		rc = get_entry(a, d, d, level, f);
		if (rc) {
			c = level > 1 ? entry_frame(t[i]) : NULL;
			if (rc != -ERESTART)
				why_at(f, level, i);
			leave_partial(f, i,
				      c && (walk()->left_partial == c ||
					    (had_child && i == f->nr_done &&
					     (ti_load(c) & PGT_PARTIAL))));
			return rc;
		}
	next:
		if (at_check(i) && i + 1 < PT_ENTRIES && should_preempt()) {
			leave_partial(f, i + 1, false);
			return -ERESTART;
		}
	}
	if (level == 4)
		for (i = HV_FIRST_L4_SLOT; i <= HV_LAST_L4_SLOT; i++)
			t[i] = idle_l4[i];
	f->nr_done = 0;
	return 0;
}

/*
 * Drop the references of f's entries [0, nr_done), last first, and
 * first finish the table its PGT_PARTIAL_CHILD entry names. 0, or
 * -ERESTART with the progress kept in f.
 */
static int devalidate_table(struct frame *f, unsigned int level)
{
	u64 *t = table_va(f);
	unsigned int i = f->nr_done;
	int rc;

	if (ti_load(f) & PGT_PARTIAL_CHILD) {
		rc = finish_teardown(entry_frame(t[i]));
		if (rc)
			return rc;
		ti_and(f, ~PGT_PARTIAL_CHILD);
	}
	/* The progress stays in i (not f) until we stop: the loop is hot. */
	while (i) {
		u64 e = t[--i];

		if ((e & _PAGE_PRESENT) && !is_hv_slot(level, i)) {
			rc = put_entry(e, level, f);
			if (rc) {
				f->nr_done = i;
				ti_or(f, PGT_PARTIAL_CHILD);
				return rc;
			}
			if (level == 1)
				grant_slot_clear(f, i); /* its refs went */
		}
		if (i && at_check(i) && should_preempt()) {
			f->nr_done = i;
			return -ERESTART;
		}
	}
	f->nr_done = 0;
	return 0;
}

/* --- Pinning and updates ------------------------------------------------ */

/* Log a refused entry check: "d1: <op> <target> refused: <reason>". */
static void log_refusal(struct domain *d, const char *op, mfn_t target)
{
	char reason[160];

	describe(reason, sizeof(reason));
	mm_refused(d, walk()->why.kind | MMR_CLASS_PIN, "%s %#lx refused: %s",
		   op, target, reason);
}

int pin_table(struct domain *d, mfn_t mfn, u32 type)
{
	struct frame *f = mfn_to_frame(mfn);
	int rc = 0;

	if (!f || !owned_by(f, d)) {
		mm_refused(d, MMR_NOT_OWNER, "pin of frame %#lx: not its own",
			   mfn);
		return -EINVAL;
	}
	mm_lock(d->id);
	why_reset();
	walk()->left_partial = NULL;
	if (ti_load(f) & PGT_PINNED) {
		mm_refused(d, MMR_PIN, "pin of %#lx: already pinned", mfn);
		rc = -EINVAL;
	} else {
		rc = get_page_and_type_locked(f, d, type);
		if (!rc) {
			ti_or(f, PGT_PINNED);
		} else if (rc != -ERESTART) {
			log_refusal(d, "pin of", mfn);
			defer_teardown(walk()->left_partial);
		}
	}
	mm_unlock();
	return rc;
}

int unpin_table(struct domain *d, mfn_t mfn)
{
	struct frame *f = mfn_to_frame(mfn);
	int rc = 0;

	if (!f || !owned_by(f, d)) {
		mm_refused(d, MMR_NOT_OWNER, "unpin of frame %#lx: not its own",
			   mfn);
		return -EINVAL;
	}
	mm_lock(d->id);
	if (!(ti_load(f) & PGT_PINNED)) {
		mm_refused(d, MMR_PIN, "unpin of %#lx: not pinned", mfn);
		rc = -EINVAL;
	} else {
		ti_and(f, ~PGT_PINNED);
		if (put_page_and_type_locked(f))
			defer_teardown(f); /* unpinned; the rest continues */
	}
	mm_unlock();
	return rc;
}

/*
 * The body of update_pt_entry and update_pt_entry_if: with @expect, the
 * entry is replaced only if it still holds *expect (-EAGAIN otherwise).
 */
static int update_entry(struct domain *d, struct domain *pg_owner, mfn_t table,
			unsigned int index, u64 new, bool preserve_ad,
			enum pt_update_op opn, const u64 *expect)
{
	static const char *const names[] = { "mmu_update", "update_va_mapping",
					     "ptwr" };
	const char *op = names[opn];
	unsigned int cls = opn == PTU_PTWR ? MMR_CLASS_PTWR : 0;
	struct frame *f = mfn_to_frame(table);
	unsigned int level;
	u64 *slot, old;
	int rc = 0;

	if (!f || !owned_by(f, d) || index >= PT_ENTRIES) {
		mm_refused(d, MMR_NOT_TABLE | cls,
			   "%s: frame %#lx is not one of its page tables", op,
			   table);
		return -EINVAL;
	}
	mm_lock(d->id);
	why_reset();
	level = type_level(TYPE(f));
	/*
	 * As on Xen, mmu_update may write an entry of a frame that is not
	 * a page table in use (Linux fills a new mm's tables this way
	 * before pinning them): plain memory, if the frame could be mapped
	 * writable now.
	 */
	if (opn == PTU_MMU_UPDATE && (!COUNT(f) || TYPE(f) == PGT_WRITABLE)) {
		__atomic_store_n(table_va(f) + index, new, __ATOMIC_SEQ_CST);
		goto out;
	}
	if (!level || !COUNT(f) || !(ti_load(f) & PGT_VALIDATED)) {
		mm_refused(d, MMR_NOT_TABLE | cls,
			   "%s: frame %#lx is not a page table in use (%s)", op,
			   table, type_name(ti_load(f)));
		rc = -EINVAL;
		goto out;
	}
	if (is_hv_slot(level, index)) {
		mm_refused(d, MMR_HV_SLOT | cls,
			   "%s: L4 %#lx slot %u is the hypervisor's", op, table,
			   index);
		rc = -EINVAL;
		goto out;
	}
	slot = table_va(f) + index;
	old = *slot;
	if (level == 1 && is_grant_slot(f, index)) {
		mm_refused(d, MMR_GRANT_PTE | cls,
			   "%s: L1 %#lx entry %u is a grant mapping", op, table,
			   index);
		rc = -EBUSY; /* a grant mapping: unmap_grant_ref only */
		goto out;
	}
	if (preserve_ad)
		new |= old &(_PAGE_ACCESSED | _PAGE_DIRTY);
	new = adjust_entry(new, level);
	rc = get_entry(new, d, pg_owner, level, f);
	if (rc == -ERESTART)
		goto out; /* nothing written: the caller tries again */
	if (rc) {
		char reason[160];

		defer_teardown(walk()->left_partial);
		describe(reason, sizeof(reason));
		mm_refused(d, walk()->why.kind | cls,
			   "%s: L%u %#lx entry %u = %#lx refused: %s", op,
			   level, table, index, new, reason);
		goto out;
	}
	/* The CPU may set A/D bits concurrently: swap, then drop old refs. */
	if (expect) {
		old = *expect;
		if (!__atomic_compare_exchange_n(slot, &old, new, false,
						 __ATOMIC_SEQ_CST,
						 __ATOMIC_SEQ_CST)) {
			if (put_entry(new, level, f)) /* undo get_entry */
				defer_teardown(walk()->left_partial);
			rc = -EAGAIN;
			goto out;
		}
	} else {
		old = __atomic_exchange_n(slot, new, __ATOMIC_SEQ_CST);
	}
	if (put_entry(old, level, f))
		defer_teardown(walk()->left_partial);
out:
	mm_unlock();
	return rc;
}

/**
 * update_pt_entry - validate and write entry @index of table @table.
 * @op names the operation for the log.
 * The table must be in use (validated, type count > 0) and owned by @d.
 * Returns 0, or -EINVAL if the table or the new entry is refused.
 */
int update_pt_entry(struct domain *d, struct domain *pg_owner, mfn_t table,
		    unsigned int index, u64 new, bool preserve_ad,
		    enum pt_update_op opn)
{
	return update_entry(d, pg_owner, table, index, new, preserve_ad, opn,
			    NULL);
}

/**
 * update_pt_entry_if - as update_pt_entry for a write d emulates on its
 * own table (ptwr), but only if the entry still holds @expect: a
 * read-modify-write computed from it must not lose another vCPU's update
 * or an accessed/dirty bit the CPU set meanwhile. -EAGAIN if it changed.
 */
int update_pt_entry_if(struct domain *d, mfn_t table, unsigned int index,
		       u64 expect, u64 new)
{
	return update_entry(d, d, table, index, new, false, PTU_PTWR, &expect);
}

int find_l1_slot(mfn_t l4, u64 va, mfn_t *l1, unsigned int *index)
{
	mfn_t mfn = l4;

	for (unsigned int level = 4; level > 1; level--) {
		u64 e = ((u64 *)__va(
		    mfn << PAGE_SHIFT))[(va >> (12 + 9 * (level - 1))) & 511];
		if (!(e & _PAGE_PRESENT) || (e & _PAGE_PSE))
			return -EINVAL;
		mfn = (e & ADDR_MASK) >> PAGE_SHIFT;
		if (!mfn_to_frame(mfn))
			return -EINVAL;
	}
	*l1 = mfn;
	*index = (va >> 12) & 511;
	return 0;
}

bool frame_is_page_table(struct frame *f)
{
	return type_level(TYPE(f)) && COUNT(f) && (ti_load(f) & PGT_VALIDATED);
}

/* --- Grant mappings ------------------------------------------------------ */

static bool l1_in_use(struct frame *t, struct domain *d)
{
	return t && owned_by(t, d) && TYPE(t) == PGT_L1 && COUNT(t) &&
	       (ti_load(t) & PGT_VALIDATED);
}

/*
 * Install a grant mapping in d's L1 table: the granted frame belongs to
 * another domain, so the usual ownership rule is replaced by the grant
 * check the caller made. A writable mapping still needs the frame to be
 * typable as writable (never a page table).
 */
/* An L1 of d's that a validation or teardown left part-way. */
static bool l1_partial(struct frame *t, struct domain *d)
{
	return t && owned_by(t, d) && TYPE(t) == PGT_L1 &&
	       (ti_load(t) & PGT_PARTIAL);
}

/*
 * The grant mapping at idx of a PARTIAL L1: it goes too, or adopting the
 * table would make it live again after the granter saw the grant free.
 * Entries [0, nr_done) hold their references; later ones hold none.
 */
static void remove_partial_grant(struct frame *t, unsigned int idx, mfn_t mfn)
{
	u64 *slot = table_va(t) + idx, old = *slot;

	if (!is_grant_slot(t, idx) || !(old & _PAGE_PRESENT) ||
	    ((old & ADDR_MASK) >> PAGE_SHIFT) != mfn)
		return;
	__atomic_store_n(slot, 0, __ATOMIC_SEQ_CST);
	if (idx < t->nr_done)
		put_l1e(old);
	grant_slot_clear(t, idx);
}

int grant_pte_install(struct domain *d, mfn_t table, unsigned int idx, u64 pte)
{
	struct frame *t = mfn_to_frame(table);
	struct frame *f = mfn_to_frame((pte & ADDR_MASK) >> PAGE_SHIFT);
	u64 *slot, old;
	int rc = 0;

	if (idx >= PT_ENTRIES || !f)
		return -EINVAL;
	mm_lock(d->id);
	why_reset();
	if (!l1_in_use(t, d)) {
		mm_refused(d, MMR_GRANT_ADDR,
			   "grant map: %#lx is not one of its L1 tables in use",
			   table);
		rc = -EINVAL;
		goto out;
	}
	if (is_grant_slot(t, idx)) {
		mm_refused(
		    d, MMR_GRANT_ADDR,
		    "grant map: L1 %#lx entry %u is already a grant mapping",
		    table, idx);
		rc = -EBUSY;
		goto out;
	}
	rc = grant_slot_set(t, idx);
	if (rc)
		goto out;
	__atomic_fetch_add(&f->count, 1, __ATOMIC_SEQ_CST);
	if ((pte & _PAGE_RW) && get_type_locked(f, PGT_WRITABLE)) {
		mm_refused(d, MMR_GRANT_TABLE,
			   "grant map: granted frame %#lx is a %s: no writable "
			   "mapping",
			   f - frame_table, type_name(ti_load(f)));
		put_page(f);
		grant_slot_clear(t, idx);
		rc = -EINVAL;
		goto out;
	}
	slot = table_va(t) + idx;
	old = __atomic_exchange_n(slot, adjust_entry(pte, 1), __ATOMIC_SEQ_CST);
	put_l1e(old);
out:
	mm_unlock();
	return rc;
}

/*
 * Remove d's grant mapping of frame mfn at (table, idx), if still there.
 * With new_table (GNTTABOP_unmap_and_replace), the entry at (new_table,
 * new_idx), in one of d's L1 tables in use, moves into its place with its
 * references and its slot is cleared; -EINVAL (nothing changed) if that
 * table is not in use or the entry is itself a grant mapping.
 */
int grant_pte_replace(struct domain *d, mfn_t table, unsigned int idx,
		      mfn_t mfn, mfn_t new_table, unsigned int new_idx)
{
	struct frame *t = mfn_to_frame(table), *n = mfn_to_frame(new_table);
	u64 *slot, old;
	int rc = 0;

	if (idx >= PT_ENTRIES || new_idx >= PT_ENTRIES)
		return -EINVAL;
	mm_lock(d->id);
	if (new_table && (!l1_in_use(n, d) || is_grant_slot(n, new_idx))) {
		rc = -EINVAL;
		goto out;
	}
	/* If the mapping is gone already, a replacement stays where it is. */
	if (l1_in_use(t, d)) {
		slot = table_va(t) + idx;
		old = *slot;
		if (is_grant_slot(t, idx) && (old & _PAGE_PRESENT) &&
		    ((old & ADDR_MASK) >> PAGE_SHIFT) == mfn) {
			u64 repl =
			    new_table
				? __atomic_exchange_n(table_va(n) + new_idx, 0,
						      __ATOMIC_SEQ_CST)
				: 0;

			__atomic_store_n(slot, repl, __ATOMIC_SEQ_CST);
			grant_slot_clear(t, idx);
			put_l1e(old);
		}
	} else if (l1_partial(t, d)) {
		remove_partial_grant(t, idx, mfn);
	}
out:
	mm_unlock();
	return rc;
}

bool is_grant_pte(mfn_t table, unsigned int idx)
{
	struct frame *t = mfn_to_frame(table);
	bool yes;

	if (!t || idx >= PT_ENTRIES)
		return false;
	mm_lock(t->owner);
	yes = is_grant_slot(t, idx);
	mm_unlock();
	return yes;
}

/* Remove d's grant mapping of frame mfn at (table, idx), if still there. */
void grant_pte_remove(struct domain *d, mfn_t table, unsigned int idx,
		      mfn_t mfn)
{
	grant_pte_replace(d, table, idx, mfn, 0, 0);
}

/* --- Frames leaving a domain ---------------------------------------------- */

/* Give frames taken by take_unused_frames back to d. */
void return_frames(struct domain *d, mfn_t mfn, unsigned int order)
{
	for (u64 i = 0; i < (1UL << order); i++)
		__atomic_store_n(&mfn_to_frame(mfn + i)->owner, d->id,
				 __ATOMIC_SEQ_CST);
}

/**
 * take_unused_frames - take 2^order frames from mfn on away from d, if
 * nothing references them (no mapping, type, pin, grant): for
 * decrease_reservation, exchange and grant transfer. Afterwards they
 * belong to DOMID_XEN (still on d's page list); nobody can take a new
 * reference meanwhile. Returns false, and changes nothing, otherwise.
 */
bool take_unused_frames(struct domain *d, mfn_t mfn, unsigned int order)
{
	u64 i, n = 1UL << order;

	mm_lock(d->id);
	for (i = 0; i < n; i++) {
		struct frame *f = mfn_to_frame(mfn + i);

		if (!f || !owned_by(f, d) || COUNT(f) ||
		    (ti_load(f) & PGT_TEARDOWN))
			break;
		__atomic_store_n(&f->owner, DOMID_XEN, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&f->count, __ATOMIC_SEQ_CST)) {
			__atomic_store_n(&f->owner, d->id, __ATOMIC_SEQ_CST);
			break;
		}
	}
	mm_unlock();
	if (i == n)
		return true;
	while (i-- > 0)
		__atomic_store_n(&mfn_to_frame(mfn + i)->owner, d->id,
				 __ATOMIC_SEQ_CST);
	return false;
}

/* --- Hypervisor frames shared with a guest ------------------------------- */

void share_frame_with_guest(struct frame *f, struct domain *d)
{
	ti_set(f, PGT_WRITABLE | PGT_VALIDATED | 1);
	f->owner = d->id;
}

/*
 * release_shared_frame - d is done with hypervisor frame f (shared_info,
 * a grant-table frame): free it, or, while other domains still map it,
 * orphan it so that the last put_page frees it. d's own mappings must
 * be gone (page tables relinquished), or they would map a freed frame.
 */
void release_shared_frame(struct frame *f)
{
	drop_type_ref(f); /* the sharing's own writable reference */
	orphan_frame(f);
}

/* --- Domain teardown ------------------------------------------------------ */

#define RELQ_BUDGET 4096 /* frames, or table entries, per batch */


/*
 * Unpin f, and turn a validated table into one being torn down: from now
 * on no type reference it loses starts a devalidation (which would
 * follow the tree), and no one may give it another type.
 */
static void mark_for_teardown(struct frame *f)
{
	u32 x = ti_load(f), next;

	/* One step: a writable reference must never see a count of zero
	 * on a table that still holds its entries' references. */
	do {
		next = x;
		if (x & PGT_PARTIAL) {
			/* Its own references go; its entries' go with EMPTY. */
			next = ((x & ~(PGT_PARTIAL | PGT_PARTIAL_CHILD)) - 1) |
			       PGT_TEARDOWN;
			continue;
		}
		if (x & PGT_PINNED)
			next = (next & ~PGT_PINNED) - 1;
		if (type_level(x & PGT_TYPE_MASK) && (x & PGT_VALIDATED))
			next = (next & ~PGT_VALIDATED) | PGT_TEARDOWN;
	} while (!ti_cas(f, &x, next));
	if ((next & PGT_TEARDOWN) && !(x & PGT_PARTIAL))
		f->nr_done = PT_ENTRIES;
	if (x & (PGT_PARTIAL | PGT_PINNED))
		put_page(f);
}

/* One stage's work on one frame; returns what it cost. */
static unsigned int relinquish_frame(struct frame *f, unsigned int stage)
{
	switch (stage) {
	case RELQ_MARK:
		mark_for_teardown(f);
		return 1;
	case RELQ_EMPTY:
		if (!(ti_load(f) & PGT_TEARDOWN))
			return 1;
		/* TEARDOWN keeps writable references off until it is empty. */
		devalidate_table(f, type_level(TYPE(f)));
		ti_and(f, ~PGT_TEARDOWN);
		return PT_ENTRIES;
	default:
		/* Only references held by d itself can be left here. */
		if (type_level(TYPE(f)) || TYPE(f) == PGT_SEG_DESC)
			ti_and(f, ~PGT_COUNT_MASK);
		/* EMPTY cleared every grant slot with its entry; be sure. */
		xfree(f->grant_slots);
		f->grant_slots = NULL;
		f->linear = 0;
		f->nr_done = 0;
		return 1;
	}
}

/**
 * domain_relinquish_page_tables - drop every reference the dead domain's
 * own page tables hold, whatever state it left them in, without ever
 * following its tree: RELQ_MARK unpins every table and marks validated
 * ones for teardown, RELQ_EMPTY drops the marked tables' entries' refs
 * (a child's last type reference then starts nothing), RELQ_RESET
 * clears what only d held. What stays referenced afterwards is held by
 * other domains (grant or foreign mappings). The caller drops its vCPUs'
 * references between MARK and EMPTY.
 * Each call does one batch: 0 when the stage is done, else -ERESTART.
 */
int domain_relinquish_page_tables(struct domain *d, unsigned int stage)
{
	unsigned int cost = 0;
	bool done;

	mm_lock(d->id);
	spin_lock(&d->lock);
	while (!list_empty(&d->pages) && cost < RELQ_BUDGET) {
		struct frame *f =
		    list_first_entry(&d->pages, struct frame, link);

		cost += relinquish_frame(f, stage);
		list_del(&f->link);
		list_add_tail(&f->link, &d->relinquished);
	}
	done = list_empty(&d->pages);
	if (done)
		list_splice_tail(&d->relinquished, &d->pages);
	spin_unlock(&d->lock);
	mm_unlock();
	return done ? 0 : -ERESTART;
}
