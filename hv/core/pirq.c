/*
 * Pirqs: the names a privileged domain gives physical interrupt lines.
 *
 * PHYSDEVOP_map_pirq makes a mapping (domain, pirq) -> GSI; at most one
 * per GSI, one per pirq. EVTCHNOP_bind_pirq binds it to an event channel:
 * only then does the GSI get a vector and is unmasked (irq.c); closing
 * the channel masks it and frees the vector again. Each interrupt raises
 * the channel. A level-triggered line is masked at its delivery and marked
 * in service (and its bit is set in the domain's EOI bitmap page, if it
 * registered one) until the domain's PHYSDEVOP_eoi unmasks it.
 *
 * Invariants: a mapping has port != 0 exactly while its GSI is enabled;
 * in_service only while bound. pirq_lock (taken with interrupts off, and
 * in the interrupt handler) protects everything here; callers from the
 * event channel code hold the domain's event_lock outside it.
 */
#include <xen/physdev.h>
#include "domain.h"
#include "events.h"
#include "irq.h"
#include "lib.h"
#include "mm.h"
#include "page.h"
#include "ptval.h"
#include "spinlock.h"

#define MAX_PIRQ_MAPS 64
#define NR_ISA_IRQS 16

struct pirq {
	struct domain *d; /* NULL: slot free */
	u32 pirq;
	u32 gsi;
	u32 port; /* bound event channel, or 0 */
	bool level; /* trigger mode while bound */
	bool in_service; /* level line masked until the domain's EOI */
};

/* What PHYSDEVOP_setup_gsi said about a GSI. */
struct gsi_mode {
	bool set, level, active_low;
};

static struct pirq pirqs[MAX_PIRQ_MAPS];
static struct pirq *gsi_pirq[IRQ_MAX_GSIS];
static struct gsi_mode gsi_modes[IRQ_MAX_GSIS];
static DEFINE_SPINLOCK(pirq_lock);

static struct pirq *find(struct domain *d, u32 pirq)
{
	for (unsigned int i = 0; i < MAX_PIRQ_MAPS; i++)
		if (pirqs[i].d == d && pirqs[i].pirq == pirq)
			return &pirqs[i];
	return NULL;
}

static void gsi_mode(u32 gsi, bool *level, bool *active_low)
{
	if (gsi_modes[gsi].set) {
		*level = gsi_modes[gsi].level;
		*active_low = gsi_modes[gsi].active_low;
	} else {
		irq_gsi_default_mode(gsi, level, active_low);
	}
}

static void eoi_bit(struct pirq *p, bool set)
{
	unsigned long *bits = p->d->pirq_eoi_bits;
	unsigned long bit = 1UL << (p->pirq % 64);

	if (!bits)
		return;
	if (set)
		__atomic_fetch_or(&bits[p->pirq / 64], bit, __ATOMIC_SEQ_CST);
	else
		__atomic_fetch_and(&bits[p->pirq / 64], ~bit, __ATOMIC_SEQ_CST);
}

/* Lowest free pirq at or above ISA's for a GSI, highest for MSI. */
static int free_pirq(struct domain *d, int type)
{
	if (type == MAP_PIRQ_TYPE_GSI) {
		for (u32 n = NR_ISA_IRQS; n < NR_PIRQS; n++)
			if (!find(d, n))
				return (int)n;
	} else {
		for (u32 n = NR_PIRQS - 1; n >= NR_ISA_IRQS; n--)
			if (!find(d, n))
				return (int)n;
	}
	return -ENOSPC;
}

/* The interrupt handler's half: mask a level line, raise the channel. */
void pirq_gsi_interrupt(u32 gsi)
{
	struct pirq *p;

	spin_lock(&pirq_lock); /* interrupts are off */
	p = gsi < IRQ_MAX_GSIS ? gsi_pirq[gsi] : NULL;
	if (!p || !p->port) {
		irq_gsi_mask(gsi, true); /* nobody listens: keep it quiet */
	} else {
		if (p->level) {
			irq_gsi_mask(gsi, true);
			p->in_service = true;
			eoi_bit(p, true);
		}
		evtchn_raise(p->d, p->port);
	}
	spin_unlock(&pirq_lock);
}

/**
 * pirq_map - map a GSI to a pirq of d.
 * @want: the pirq wanted, or -1 for any (the GSI's own number if free).
 * Returns the pirq, or -EBUSY (GSI or pirq mapped otherwise), -ENOSPC.
 * Mapping a GSI again to the same domain returns its pirq.
 */
int pirq_map(struct domain *d, u32 gsi, int want)
{
	struct pirq *p = NULL;
	int ret;
	u64 flags = spin_lock_irqsave(&pirq_lock);

	if (gsi_pirq[gsi]) {
		p = gsi_pirq[gsi];
		ret = p->d == d && (want < 0 || (u32)want == p->pirq)
			  ? (int)p->pirq
			  : -EBUSY;
		goto out;
	}
	if (want < 0)
		want = gsi < NR_PIRQS && !find(d, gsi)
			   ? (int)gsi
			   : free_pirq(d, MAP_PIRQ_TYPE_GSI);
	else if (find(d, (u32)want))
		want = -EBUSY;
	ret = want;
	if (ret < 0)
		goto out;
	for (unsigned int i = 0; i < MAX_PIRQ_MAPS && !p; i++)
		if (!pirqs[i].d)
			p = &pirqs[i];
	if (!p) {
		ret = -ENOSPC;
		goto out;
	}
	*p = (struct pirq){ .d = d, .pirq = (u32)want, .gsi = gsi };
	gsi_pirq[gsi] = p;
out:
	spin_unlock_irqrestore(&pirq_lock, flags);
	return ret;
}

/* Returns 0, -EINVAL if not mapped, -EBUSY while bound. */
int pirq_unmap(struct domain *d, u32 pirq)
{
	u64 flags = spin_lock_irqsave(&pirq_lock);
	struct pirq *p = find(d, pirq);
	int ret = 0;

	if (!p)
		ret = -EINVAL;
	else if (p->port)
		ret = -EBUSY;
	else {
		gsi_pirq[p->gsi] = NULL;
		p->d = NULL;
	}
	spin_unlock_irqrestore(&pirq_lock, flags);
	return ret;
}

int pirq_get_free(struct domain *d, int type)
{
	u64 flags = spin_lock_irqsave(&pirq_lock);
	int ret = free_pirq(d, type);

	spin_unlock_irqrestore(&pirq_lock, flags);
	return ret;
}

/* Returns 0, or -EEXIST if the GSI is bound with another mode. */
int pirq_setup_gsi(u32 gsi, bool level, bool active_low)
{
	u64 flags = spin_lock_irqsave(&pirq_lock);
	struct pirq *p = gsi_pirq[gsi];
	bool cur_level, cur_low;
	int ret = 0;

	gsi_mode(gsi, &cur_level, &cur_low);
	if (p && p->port && (cur_level != level || cur_low != active_low))
		ret = -EEXIST;
	else
		gsi_modes[gsi] = (struct gsi_mode){ true, level, active_low };
	spin_unlock_irqrestore(&pirq_lock, flags);
	return ret;
}

/**
 * pirq_bind - route a mapped pirq's GSI to event channel @port of d and
 * unmask it. d->event_lock held. Returns 0, -EINVAL (not mapped),
 * -EEXIST (bound already), or irq_gsi_enable's error.
 */
int pirq_bind(struct domain *d, u32 pirq, u32 port)
{
	u64 flags = spin_lock_irqsave(&pirq_lock);
	struct pirq *p = find(d, pirq);
	bool level = false, low = false;
	u32 gsi = 0;
	int ret;

	if (!p) {
		ret = -EINVAL;
	} else if (p->port) {
		ret = -EEXIST;
	} else {
		gsi = p->gsi;
		gsi_mode(gsi, &level, &low);
		p->port = port;
		p->level = level;
		p->in_service = false;
		ret = irq_gsi_enable(gsi, level, low);
		if (ret)
			p->port = 0;
	}
	spin_unlock_irqrestore(&pirq_lock, flags);
	if (!ret)
		pr_info("d%u: pirq %u (GSI %u, %s, active %s) on port %u\n",
			d->id, pirq, gsi, level ? "level" : "edge",
			low ? "low" : "high", port);
	return ret;
}

static void unbind_locked(struct pirq *p)
{
	if (!p->port)
		return;
	irq_gsi_disable(p->gsi);
	eoi_bit(p, false);
	p->port = 0;
	p->in_service = false;
}

/* The pirq's event channel is being closed: mask the line, free the vector. */
void pirq_unbind(struct domain *d, u32 pirq)
{
	u64 flags = spin_lock_irqsave(&pirq_lock);
	struct pirq *p = find(d, pirq);

	if (p)
		unbind_locked(p);
	spin_unlock_irqrestore(&pirq_lock, flags);
}

/* PHYSDEVOP_eoi: unmask a level line in service. -EINVAL if not mapped. */
int pirq_eoi(struct domain *d, u32 pirq)
{
	u64 flags = spin_lock_irqsave(&pirq_lock);
	struct pirq *p = find(d, pirq);
	int ret = p ? 0 : -EINVAL;

	if (p && p->in_service) {
		p->in_service = false;
		eoi_bit(p, false);
		irq_gsi_mask(p->gsi, false);
	}
	spin_unlock_irqrestore(&pirq_lock, flags);
	return ret;
}

/* Does a pirq of d need PHYSDEVOP_eoi? (An unmapped one does not.) */
bool pirq_needs_eoi(struct domain *d, u32 pirq)
{
	u64 flags = spin_lock_irqsave(&pirq_lock);
	struct pirq *p = find(d, pirq);
	bool level = false, low;

	if (p) {
		if (p->port)
			level = p->level;
		else
			gsi_mode(p->gsi, &level, &low);
	}
	spin_unlock_irqrestore(&pirq_lock, flags);
	return level;
}

/**
 * pirq_set_eoi_page - PHYSDEVOP_pirq_eoi_gmfn_v2: the domain's frame @mfn
 * becomes its EOI bitmap. The frame must be RAM the domain owns and may
 * be typed writable. Returns 0, -EINVAL, or -EBUSY if one is registered.
 */
int pirq_set_eoi_page(struct domain *d, mfn_t mfn)
{
	struct frame *f = mfn_to_frame(mfn);
	int ret = 0;
	u64 flags;

	if (!f || !(f->attrs & FRAME_ATTR_RAM) || !get_page_writable(f, d))
		return -EINVAL;
	flags = spin_lock_irqsave(&pirq_lock);
	if (d->pirq_eoi_bits) {
		ret = -EBUSY;
	} else {
		d->pirq_eoi_bits = __va(mfn << PAGE_SHIFT);
		d->pirq_eoi_mfn = mfn;
		for (unsigned int i = 0; i < MAX_PIRQ_MAPS; i++)
			if (pirqs[i].d == d && pirqs[i].in_service)
				eoi_bit(&pirqs[i], true);
	}
	spin_unlock_irqrestore(&pirq_lock, flags);
	if (ret)
		put_page_and_type(f);
	return ret;
}

/* A dying domain's lines are masked, its vectors and mappings freed. */
void pirq_domain_destroy(struct domain *d)
{
	u64 flags = spin_lock_irqsave(&pirq_lock);
	mfn_t mfn = 0;

	for (unsigned int i = 0; i < MAX_PIRQ_MAPS; i++) {
		struct pirq *p = &pirqs[i];

		if (p->d != d)
			continue;
		unbind_locked(p);
		gsi_pirq[p->gsi] = NULL;
		p->d = NULL;
	}
	if (d->pirq_eoi_bits) {
		mfn = d->pirq_eoi_mfn;
		d->pirq_eoi_bits = NULL;
	}
	spin_unlock_irqrestore(&pirq_lock, flags);
	if (mfn)
		put_page_and_type(mfn_to_frame(mfn));
}
