/*
 * Page-table validation (the paper's "validated page tables").
 *
 * Rules for entries a PV guest writes:
 *  - An L1 entry maps a frame the domain owns (or, for a privileged
 *    domain, I/O memory). Writable entries take a WRITABLE type reference,
 *    so no frame is both writable and typed as a page or descriptor table.
 *  - An Lk entry (k > 1) points at a frame that validates as L(k-1); or,
 *    read-only, at a table of its own level ("linear" page tables).
 *  - No superpages; no entries in the hypervisor's L4 slots 256..271,
 *    which the hypervisor fills itself.
 *  - Kernel and user both run in ring 3, so USER is set on every entry.
 *
 * Counts live in the frame table. One lock (type_lock) serialises type
 * changes; validation recurses down the tree with it held. It is taken
 * only with interrupts enabled (hypercalls, guest faults), because a type
 * change may have to wait for other CPUs to flush their TLBs.
 */
#include "lib.h"
#include "m2p.h"
#include "mm.h"
#include "page.h"
#include "ptval.h"
#include "grant.h"
#include "pv.h"
#include "spinlock.h"

#define PT_ENTRIES 512
#define COUNT(f) ((f)->type_info & PGT_COUNT_MASK)
#define TYPE(f) ((f)->type_info & PGT_TYPE_MASK)
#define ADDR_MASK 0x000FFFFFFFFFF000UL

static DEFINE_SPINLOCK(type_lock);

u32 frame_level_type(unsigned int level)
{
	static const u32 types[] = { PGT_NONE, PGT_L1, PGT_L2, PGT_L3,
				     PGT_L4 };
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

bool get_page(struct frame *f, struct domain *d)
{
	if (!f || !owned_by(f, d) || f->count == 0xffffffffU)
		return false;
	__atomic_fetch_add(&f->count, 1, __ATOMIC_SEQ_CST);
	return true;
}

void put_page(struct frame *f)
{
	BUG_ON(!f->count);
	/* A frame whose domain died while others mapped it goes back now. */
	if (__atomic_sub_fetch(&f->count, 1, __ATOMIC_SEQ_CST) == 0 &&
	    f->owner == DOMID_ORPHAN) {
		f->owner = DOMID_XEN;
		f->type_info = 0;
		free_frames(f - frame_table, 0);
	}
}

static bool validate_table(struct frame *f, unsigned int level);
static void devalidate_table(struct frame *f, unsigned int level);

static bool get_type_locked(struct frame *f, u32 type)
{
	unsigned int level = type_level(type);
	u32 old_type = TYPE(f);

	if (COUNT(f)) {
		if (TYPE(f) != type || !(f->type_info & PGT_VALIDATED))
			return false;
		if (COUNT(f) == PGT_COUNT_MASK)
			return false;
		f->type_info++;
		return true;
	}
	/*
	 * Count zero: the type may change; tables must validate first. A
	 * frame that was writable may still be writable through stale TLB
	 * entries on CPUs running guests: flush them before it becomes
	 * anything else.
	 */
	if (old_type == PGT_WRITABLE && type != PGT_WRITABLE)
		flush_guest_tlbs();
	f->type_info = type | 1;
	if ((level && !validate_table(f, level)) ||
	    (type == PGT_SEG_DESC && !validate_descriptor_page(f))) {
		f->type_info = PGT_NONE;
		return false;
	}
	f->type_info |= PGT_VALIDATED;
	return true;
}

static void put_type_locked(struct frame *f)
{
	unsigned int level = type_level(TYPE(f));

	BUG_ON(!COUNT(f));
	if (COUNT(f) == 1 && level) {
		/* Last user: drop what the entries hold (not pinned here). */
		f->type_info &= ~(PGT_VALIDATED | PGT_PINNED);
		devalidate_table(f, level);
	}
	f->type_info--;
}

bool get_page_type(struct frame *f, u32 type)
{
	spin_lock(&type_lock);
	bool ok = get_type_locked(f, type);

	spin_unlock(&type_lock);
	return ok;
}

void put_page_type(struct frame *f)
{
	spin_lock(&type_lock);

	put_type_locked(f);
	spin_unlock(&type_lock);
}

static bool get_page_and_type_locked(struct frame *f, struct domain *d,
				     u32 type)
{
	if (!get_page(f, d))
		return false;
	if (!get_type_locked(f, type)) {
		put_page(f);
		return false;
	}
	return true;
}

static void put_page_and_type_locked(struct frame *f)
{
	put_type_locked(f);
	put_page(f);
}

bool get_page_and_type(struct frame *f, struct domain *d, u32 type)
{
	spin_lock(&type_lock);
	bool ok = get_page_and_type_locked(f, d, type);

	spin_unlock(&type_lock);
	return ok;
}

void put_page_and_type(struct frame *f)
{
	spin_lock(&type_lock);

	put_page_and_type_locked(f);
	spin_unlock(&type_lock);
}

bool get_page_writable(struct frame *f, struct domain *d)
{
	return get_page_and_type(f, d, PGT_WRITABLE);
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
static bool get_l1e(u64 e, struct domain *d, struct domain *pg_owner)
{
	mfn_t mfn = (e & ADDR_MASK) >> PAGE_SHIFT;
	struct frame *f = mfn_to_frame(mfn);

	if (!(e & _PAGE_PRESENT))
		return true;
	if (e & PTE_GRANT_MAPPING)
		return false; /* only the grant code makes these */
	if (is_io_frame(mfn))
		return d->privileged && mmio_allowed(mfn); /* domain 0 only */
	if (f->owner == DOMID_XEN || f->owner == DOMID_INVALID)
		return false;
	if (e & _PAGE_RW)
		return get_page_and_type_locked(f, pg_owner, PGT_WRITABLE);
	return get_page(f, pg_owner);
}

static void put_l1e(u64 e)
{
	mfn_t mfn = (e & ADDR_MASK) >> PAGE_SHIFT;
	struct frame *f = mfn_to_frame(mfn);

	if (!(e & _PAGE_PRESENT) || is_io_frame(mfn))
		return;
	if (e & _PAGE_RW)
		put_page_and_type_locked(f);
	else
		put_page(f);
}

/*
 * An Lk entry (k >= 2): the target validates as L(k-1), or, read-only, is
 * a "linear" reference to a table of level k (which takes a level-k type
 * reference, so the target cannot change type under it).
 */
static bool get_upper_entry(u64 e, struct domain *d, unsigned int level,
			    mfn_t self)
{
	mfn_t mfn = (e & ADDR_MASK) >> PAGE_SHIFT;
	struct frame *f = mfn_to_frame(mfn);

	if (!(e & _PAGE_PRESENT))
		return true;
	if ((e & _PAGE_PSE) || !f)
		return false; /* no superpages for PV */
	if (get_page_and_type_locked(f, d, frame_level_type(level - 1)))
		return true;
	if (e & _PAGE_RW)
		return false;
	if (mfn == self) {
		/* Being validated right now: count the reference directly. */
		if (!get_page(f, d))
			return false;
		f->type_info++;
		return true;
	}
	return get_page_and_type_locked(f, d, frame_level_type(level));
}

static void put_upper_entry(u64 e)
{
	if (e & _PAGE_PRESENT)
		put_page_and_type_locked(
			mfn_to_frame((e & ADDR_MASK) >> PAGE_SHIFT));
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

static bool get_entry(u64 e, struct domain *d, struct domain *pg_owner,
		      unsigned int level, mfn_t self)
{
	return level == 1 ? get_l1e(e, d, pg_owner) :
			    get_upper_entry(e, d, level, self);
}

static void put_entry(u64 e, unsigned int level)
{
	if (level == 1)
		put_l1e(e);
	else
		put_upper_entry(e);
}

static bool validate_table(struct frame *f, unsigned int level)
{
	struct domain *d = frame_domain(f);
	u64 *t = table_va(f);
	mfn_t self = f - frame_table;
	unsigned int i;

	if (!d)
		return false;
	for (i = 0; i < PT_ENTRIES; i++) {
		if (is_hv_slot(level, i))
			continue;
		t[i] = adjust_entry(t[i], level);
		if (!get_entry(t[i], d, d, level, self))
			goto undo;
	}
	if (level == 4)
		for (i = HV_FIRST_L4_SLOT; i <= HV_LAST_L4_SLOT; i++)
			t[i] = idle_l4[i];
	return true;
undo:
	pr_debug("d%u: page table %#lx (L%u) entry %u = %#lx refused\n",
		 d->id, self, level, i, t[i]);
	while (i-- > 0)
		if (!is_hv_slot(level, i))
			put_entry(t[i], level);
	return false;
}

static void devalidate_table(struct frame *f, unsigned int level)
{
	u64 *t = table_va(f);

	for (unsigned int i = 0; i < PT_ENTRIES; i++)
		if (!is_hv_slot(level, i))
			put_entry(t[i], level);
}

/* --- Pinning and updates ------------------------------------------------ */

int pin_table(struct domain *d, mfn_t mfn, u32 type)
{
	struct frame *f = mfn_to_frame(mfn);
	int rc = 0;

	if (!f || !owned_by(f, d))
		return -EINVAL;
	spin_lock(&type_lock);
	if (f->type_info & PGT_PINNED)
		rc = -EINVAL;
	else if (!get_page_and_type_locked(f, d, type))
		rc = -EINVAL;
	else
		f->type_info |= PGT_PINNED;
	spin_unlock(&type_lock);
	return rc;
}

int unpin_table(struct domain *d, mfn_t mfn)
{
	struct frame *f = mfn_to_frame(mfn);
	int rc = 0;

	if (!f || !owned_by(f, d))
		return -EINVAL;
	spin_lock(&type_lock);
	if (!(f->type_info & PGT_PINNED)) {
		rc = -EINVAL;
	} else {
		f->type_info &= ~PGT_PINNED;
		put_page_and_type_locked(f);
	}
	spin_unlock(&type_lock);
	return rc;
}

/**
 * update_pt_entry - validate and write entry @index of table @table.
 * The table must be in use (validated, type count > 0) and owned by @d.
 * Returns 0, or -EINVAL if the table or the new entry is refused.
 */
int update_pt_entry(struct domain *d, struct domain *pg_owner, mfn_t table,
		    unsigned int index, u64 new, bool preserve_ad)
{
	struct frame *f = mfn_to_frame(table);
	unsigned int level;
	u64 *slot, old;
	int rc = 0;

	if (!f || !owned_by(f, d) || index >= PT_ENTRIES)
		return -EINVAL;
	spin_lock(&type_lock);
	level = type_level(TYPE(f));
	if (!level || !COUNT(f) || !(f->type_info & PGT_VALIDATED) ||
	    is_hv_slot(level, index)) {
		rc = -EINVAL;
		goto out;
	}
	slot = table_va(f) + index;
	old = *slot;
	if (level == 1 && (old & PTE_GRANT_MAPPING)) {
		rc = -EBUSY; /* a grant mapping: unmap_grant_ref only */
		goto out;
	}
	if (preserve_ad)
		new |= old & (_PAGE_ACCESSED | _PAGE_DIRTY);
	new = adjust_entry(new, level);
	if (!get_entry(new, d, pg_owner, level, table)) {
		rc = -EINVAL;
		goto out;
	}
	/* The CPU may set A/D bits concurrently: swap, then drop old refs. */
	old = __atomic_exchange_n(slot, new, __ATOMIC_SEQ_CST);
	put_entry(old, level);
out:
	spin_unlock(&type_lock);
	return rc;
}

int find_l1_slot(mfn_t l4, u64 va, mfn_t *l1, unsigned int *index)
{
	mfn_t mfn = l4;

	for (unsigned int level = 4; level > 1; level--) {
		u64 e = ((u64 *)__va(mfn << PAGE_SHIFT))
			[(va >> (12 + 9 * (level - 1))) & 511];
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
	return type_level(TYPE(f)) && COUNT(f) &&
	       (f->type_info & PGT_VALIDATED);
}

/* --- Grant mappings ------------------------------------------------------ */

static bool l1_in_use(struct frame *t, struct domain *d)
{
	return t && owned_by(t, d) && TYPE(t) == PGT_L1 && COUNT(t) &&
	       (t->type_info & PGT_VALIDATED);
}

/*
 * Install a grant mapping in d's L1 table: the granted frame belongs to
 * another domain, so the usual ownership rule is replaced by the grant
 * check the caller made. A writable mapping still needs the frame to be
 * typable as writable (never a page table).
 */
int grant_pte_install(struct domain *d, mfn_t table, unsigned int idx,
		      u64 pte)
{
	struct frame *t = mfn_to_frame(table);
	struct frame *f = mfn_to_frame((pte & ADDR_MASK) >> PAGE_SHIFT);
	u64 *slot, old;
	int rc = 0;

	if (idx >= PT_ENTRIES || !f)
		return -EINVAL;
	spin_lock(&type_lock);
	if (!l1_in_use(t, d)) {
		rc = -EINVAL;
		goto out;
	}
	slot = table_va(t) + idx;
	old = *slot;
	if (old & PTE_GRANT_MAPPING) {
		rc = -EBUSY;
		goto out;
	}
	__atomic_fetch_add(&f->count, 1, __ATOMIC_SEQ_CST);
	if ((pte & _PAGE_RW) && !get_type_locked(f, PGT_WRITABLE)) {
		put_page(f);
		rc = -EINVAL;
		goto out;
	}
	old = __atomic_exchange_n(slot, adjust_entry(pte, 1), __ATOMIC_SEQ_CST);
	put_l1e(old);
out:
	spin_unlock(&type_lock);
	return rc;
}

/* Remove d's grant mapping of frame mfn at (table, idx), if still there. */
void grant_pte_remove(struct domain *d, mfn_t table, unsigned int idx,
		      mfn_t mfn)
{
	struct frame *t = mfn_to_frame(table);
	u64 *slot, old;

	if (idx >= PT_ENTRIES)
		return;
	spin_lock(&type_lock);
	if (l1_in_use(t, d)) {
		slot = table_va(t) + idx;
		old = *slot;
		if ((old & PTE_GRANT_MAPPING) && (old & _PAGE_PRESENT) &&
		    ((old & ADDR_MASK) >> PAGE_SHIFT) == mfn) {
			*slot = 0;
			put_l1e(old & ~PTE_GRANT_MAPPING);
		}
	}
	spin_unlock(&type_lock);
}

/* --- Domain teardown ------------------------------------------------------ */

/*
 * Drop every reference the dead domain's own page tables hold, whatever
 * state it left them in (pinned, loaded, linear cycles): clear pins, then
 * devalidate every table that is still validated. What stays referenced
 * afterwards is held by other domains (grant or foreign mappings).
 */
void domain_relinquish_page_tables(struct domain *d)
{
	struct list_head *pos;

	spin_lock(&type_lock);
	list_for_each(pos, &d->pages) {
		struct frame *f = list_entry(pos, struct frame, link);
		if (f->type_info & PGT_PINNED) {
			f->type_info &= ~PGT_PINNED;
			put_type_locked(f);
			put_page(f);
		}
	}
	list_for_each(pos, &d->pages) {
		struct frame *f = list_entry(pos, struct frame, link);
		unsigned int level = type_level(TYPE(f));
		if (level && (f->type_info & PGT_VALIDATED)) {
			f->type_info &= ~PGT_VALIDATED;
			devalidate_table(f, level);
		}
	}
	list_for_each(pos, &d->pages) {
		struct frame *f = list_entry(pos, struct frame, link);
		if (type_level(TYPE(f)) || TYPE(f) == PGT_SEG_DESC)
			f->type_info &= ~PGT_COUNT_MASK;
	}
	spin_unlock(&type_lock);
}
