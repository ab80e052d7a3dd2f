/*
 * The FIFO event ABI (Xen's EVTCHNOP_init_control, expand_array,
 * set_priority). Each port has a 32-bit event word in pages the guest
 * gives us (expand_array, 1024 words a page): PENDING, MASKED, LINKED,
 * BUSY and a 17-bit LINK to the next port of its queue. Each vCPU has a
 * control block (init_control) with a ready bit and a head port for each
 * of 16 priority queues.
 *
 * The hypervisor only ever appends: it links a new event after the tail
 * it remembers (q_tail, its own copy) or, if that tail was consumed,
 * makes it the head. It never follows LINK fields: walking the queues is
 * the guest's business, so a guest that corrupts its words (a LINK to
 * itself, to a huge port, a cycle) only confuses itself. Every word is
 * read once per decision and changed with atomics; ports and priorities
 * used as indices are our own, bounded when they were stored.
 *
 * Everything here runs under d->evtchn_abi_lock (interrupts off); the
 * setup calls also hold d->event_lock, which serialises them.
 */
#include "domain.h"
#include "events_abi.h"
#include "frame.h"
#include "lib.h"
#include "mm.h"
#include "page.h"
#include "ptval.h"
#include "xmalloc.h"

#define WORDS_PER_PAGE (PAGE_SIZE / sizeof(event_word_t))
#define MAX_ARRAY_PAGES (EVTCHN_FIFO_NR_CHANNELS / WORDS_PER_PAGE)

#define F_PENDING (1U << EVTCHN_FIFO_PENDING)
#define F_MASKED (1U << EVTCHN_FIFO_MASKED)
#define F_LINKED (1U << EVTCHN_FIFO_LINKED)
#define F_BUSY (1U << EVTCHN_FIFO_BUSY)

/* A guest that keeps changing a tail word loses the link after this. */
#define LINK_TRIES 4

struct fifo_vcpu {
	struct evtchn_fifo_control_block *cb; /* NULL until init_control */
	u32 q_tail[EVTCHN_FIFO_MAX_QUEUES]; /* last port linked; 0: none */
};

struct evtchn_fifo {
	u32 nr_words; /* ports with an event word */
	event_word_t *array[MAX_ARRAY_PAGES];
	struct fifo_vcpu vcpu[MAX_VIRT_CPUS];
};

/* Logged once per domain: a tail word that kept changing. */
static void note_hostile(struct domain *d, u32 port)
{
	if (d->fifo_hostile_noted)
		return;
	d->fifo_hostile_noted = true;
	pr_warn("d%u: FIFO events: port %u's word kept changing; "
		"its own events may be lost\n",
		d->id, port);
}

static event_word_t *word_of(struct evtchn_fifo *f, u32 port)
{
	if (port >= f->nr_words)
		return NULL;
	return f->array[port / WORDS_PER_PAGE] + port % WORDS_PER_PAGE;
}

static u32 load(event_word_t *w)
{
	return __atomic_load_n(w, __ATOMIC_SEQ_CST);
}

static bool test_and_set(u32 *w, u32 bit)
{
	return __atomic_fetch_or(w, bit, __ATOMIC_SEQ_CST) & bit;
}

static void clear(u32 *w, u32 bit)
{
	__atomic_fetch_and(w, ~bit, __ATOMIC_SEQ_CST);
}

/*
 * Point the LINK of @w (the queue's tail) at @port, if @w is still
 * LINKED: 1 done, 0 the guest has consumed it (the queue is empty),
 * -1 the word changed under us.
 */
static int try_link(event_word_t *w, u32 *old, u32 port)
{
	u32 new;

	if (!(*old & F_LINKED))
		return 0;
	new = (*old & ~(F_BUSY | EVTCHN_FIFO_LINK_MASK)) | port;
	if (__atomic_compare_exchange_n(w, old, new, false, __ATOMIC_SEQ_CST,
					__ATOMIC_SEQ_CST))
		return 1;
	return -1;
}

/*
 * The guest may mask, unmask, clear PENDING or unlink a linked word at any
 * time. BUSY asks it not to unmask, so an honest guest lets a few tries
 * succeed; a hostile one loses the event (true: do not touch the head).
 */
static bool link_after(struct domain *d, event_word_t *w, u32 port)
{
	u32 old = load(w);
	int r = try_link(w, &old, port);

	if (r >= 0)
		return r;
	test_and_set(w, F_BUSY);
	old = load(w);
	for (unsigned int i = 0; i < LINK_TRIES; i++) {
		r = try_link(w, &old, port);
		if (r == 1)
			return true;
		if (r == 0) {
			clear(w, F_BUSY);
			return false;
		}
	}
	clear(w, F_BUSY);
	note_hostile(d, port);
	return true;
}

/* Queue @port on @v's queue of its priority; the word is LINKED now. */
static bool link_port(struct vcpu *v, struct evtchn *c, u32 port)
{
	struct domain *d = v->domain;
	struct evtchn_fifo *f = d->evtchn_fifo;
	struct fifo_vcpu *fv = &f->vcpu[v->id];
	struct fifo_vcpu *old = &f->vcpu[c->last_vcpu];
	u32 prio = c->priority;
	bool linked = false;
	event_word_t *tail;

	/* Its old queue must not append to it any more. */
	if (old->q_tail[c->last_priority] == port)
		old->q_tail[c->last_priority] = 0;
	c->last_vcpu = (u8)v->id;
	c->last_priority = (u8)prio;
	tail = fv->q_tail[prio] ? word_of(f, fv->q_tail[prio]) : NULL;
	if (tail)
		linked = link_after(d, tail, port);
	if (!linked)
		__atomic_store_n(&fv->cb->head[prio], port, __ATOMIC_SEQ_CST);
	fv->q_tail[prio] = port;
	return linked;
}

static unsigned int fifo_set_pending(struct vcpu *v, u32 port)
{
	struct domain *d = v->domain;
	struct evtchn_fifo *f = d->evtchn_fifo;
	struct evtchn *c = &d->evtchn[port];
	struct fifo_vcpu *fv = &f->vcpu[v->id];
	event_word_t *w = word_of(f, port);
	unsigned int ret = EVTCHN_NEW;
	u32 prio = c->priority;

	if (!w) { /* no word yet: raised when its page comes */
		c->fifo_pending = true;
		return 0;
	}
	if (test_and_set(w, F_PENDING))
		ret = 0;
	/* Without a control block the guest may not unmask yet: dropped. */
	if (!fv->cb)
		return ret;
	if (load(w) & F_MASKED || test_and_set(w, F_LINKED))
		return ret;
	if (link_port(v, c, port))
		return ret;
	if (test_and_set(&fv->cb->ready, 1U << prio))
		return ret;
	if (__atomic_exchange_n(&v->vcpu_info->evtchn_upcall_pending, 1,
				__ATOMIC_SEQ_CST))
		return ret;
	return ret | EVTCHN_KICK;
}

static void fifo_clear_pending(struct domain *d, u32 port)
{
	event_word_t *w = word_of(d->evtchn_fifo, port);

	d->evtchn[port].fifo_pending = false;
	/* A linked word stays queued: the guest skips it when not pending. */
	if (w)
		clear(w, F_PENDING);
}

static unsigned int fifo_unmask(struct vcpu *v, u32 port)
{
	event_word_t *w = word_of(v->domain->evtchn_fifo, port);

	if (!w)
		return 0;
	clear(w, F_MASKED);
	if (!(load(w) & F_PENDING))
		return 0;
	return fifo_set_pending(v, port); /* links it if it is not */
}

static bool fifo_is_pending(struct domain *d, u32 port)
{
	event_word_t *w = word_of(d->evtchn_fifo, port);

	return w && load(w) & F_PENDING;
}

static bool fifo_is_busy(struct domain *d, u32 port)
{
	event_word_t *w = word_of(d->evtchn_fifo, port);

	return w && load(w) & F_LINKED;
}

/* Only future events use the new queue, as on Xen. */
static int fifo_set_priority(struct domain *d, u32 port, u32 priority)
{
	if (priority > EVTCHN_FIFO_PRIORITY_MIN)
		return -EINVAL;
	d->evtchn[port].priority = (u8)priority;
	return 0;
}

const struct evtchn_port_ops evtchn_ops_fifo = {
	.set_pending = fifo_set_pending,
	.clear_pending = fifo_clear_pending,
	.unmask = fifo_unmask,
	.is_pending = fifo_is_pending,
	.is_busy = fifo_is_busy,
	.set_priority = fifo_set_priority,
};

/*
 * A PV guest names machine frames (gfn == mfn). The frame must be RAM the
 * domain owns, and it keeps a writable type reference while mapped, so
 * it can never become a page table or descriptor page. Not shared_info:
 * the hypervisor writes that itself (as vcpu_info registration refuses).
 */
static void *map_guest_frame(struct domain *d, u64 gfn)
{
	struct frame *f = mfn_to_frame(gfn);

	if (!f || gfn == d->shared_info_mfn || !(f->attrs & FRAME_ATTR_RAM) ||
	    !get_page_writable(f, d))
		return NULL;
	return __va(gfn << PAGE_SHIFT);
}

static void unmap_guest_frame(void *va)
{
	if (va)
		put_page_and_type(mfn_to_frame(__pa(va) >> PAGE_SHIFT));
}

/*
 * The switch from 2-level: ports bound now keep working. Their pending
 * bits move to fifo_pending (raised when the guest maps their words),
 * and they take the default priority.
 */
static void switch_to_fifo(struct domain *d)
{
	for (u32 p = 1; p < d->valid_evtchns; p++) {
		struct evtchn *c = &d->evtchn[p];

		c->fifo_pending = evtchn_ops_2l.is_pending(d, p);
		c->priority = EVTCHN_FIFO_PRIORITY_DEFAULT;
		c->last_vcpu = 0;
		c->last_priority = 0;
	}
	d->evtchn_ops = &evtchn_ops_fifo;
}

/* Register @cb as @v's control block; d->event_lock held. */
static long attach_control_block(struct domain *d, unsigned int vcpu, void *cb)
{
	struct evtchn_fifo *f = d->evtchn_fifo;
	u64 flags = spin_lock_irqsave(&d->evtchn_abi_lock);

	f->vcpu[vcpu].cb = cb;
	memset(f->vcpu[vcpu].q_tail, 0, sizeof(f->vcpu[vcpu].q_tail));
	if (d->evtchn_ops != &evtchn_ops_fifo)
		switch_to_fifo(d);
	spin_unlock_irqrestore(&d->evtchn_abi_lock, flags);
	return 0;
}

/*
 * EVTCHNOP_init_control, with Xen's checks in Xen's order: the vCPU
 * (-ENOENT), the offset (inside the page, 8-byte aligned: -EINVAL), a
 * second block for the vCPU (-EINVAL), the frame (-EINVAL).
 */
long evtchn_fifo_init_control(struct evtchn_init_control *ic)
{
	struct domain *d = current->domain;
	u32 vcpu = ic->vcpu, offset = ic->offset;
	long ret = -EINVAL;
	u8 *page;

	ic->link_bits = EVTCHN_FIFO_LINK_BITS;
	if (vcpu >= d->max_vcpus || !d->vcpu[vcpu])
		return -ENOENT;
	if (offset > PAGE_SIZE - sizeof(struct evtchn_fifo_control_block) ||
	    offset & 7)
		return -EINVAL;
	spin_lock(&d->event_lock);
	if (!d->evtchn_fifo)
		d->evtchn_fifo = xzalloc(sizeof(struct evtchn_fifo));
	if (!d->evtchn_fifo)
		ret = -ENOMEM;
	else if (d->evtchn_fifo->vcpu[vcpu].cb)
		ret = -EINVAL;
	else if ((page = map_guest_frame(d, ic->control_gfn)))
		ret = attach_control_block(d, vcpu, page + offset);
	spin_unlock(&d->event_lock);
	if (ret && !d->fifo_refusal_noted) {
		d->fifo_refusal_noted = true; /* once per domain */
		pr_info("d%u: init_control vcpu %u gfn %#lx offset %u: %ld\n",
			d->id, vcpu, (unsigned long)ic->control_gfn, offset,
			ret);
	}
	return ret;
}

/* Raise what was pending while ports [from, to) had no word. */
static void raise_saved(struct domain *d, u32 from, u32 to, u32 *kick,
			bool *wake)
{
	to = MIN(to, d->valid_evtchns);
	for (u32 p = from; p < to; p++) {
		struct evtchn *c = &d->evtchn[p];
		struct vcpu *v;
		unsigned int r;

		if (!c->fifo_pending)
			continue;
		c->fifo_pending = false;
		v = c->notify_vcpu < d->max_vcpus ? d->vcpu[c->notify_vcpu]
						  : NULL;
		if (!v)
			v = d->vcpu[0];
		r = fifo_set_pending(v, p);
		if (r & EVTCHN_KICK)
			*kick |= 1U << v->id;
		if (r & EVTCHN_NEW)
			*wake = true;
	}
}

/* Add @page as the next page of words; d->event_lock held. */
static void add_array_page(struct domain *d, event_word_t *page)
{
	struct evtchn_fifo *f = d->evtchn_fifo;
	u64 flags = spin_lock_irqsave(&d->evtchn_abi_lock);
	u32 from = f->nr_words, kick = 0;
	bool wake = false;
	struct vcpu *v;

	f->array[from / WORDS_PER_PAGE] = page;
	f->nr_words = from + WORDS_PER_PAGE;
	raise_saved(d, from, f->nr_words, &kick, &wake);
	spin_unlock_irqrestore(&d->evtchn_abi_lock, flags);
	for (unsigned int i = 0; i < d->max_vcpus; i++)
		if ((kick & (1U << i)) && (v = d->vcpu[i]))
			evtchn_notify(v, 0, EVTCHN_KICK);
	if (wake)
		evtchn_wake_all_pollers(d);
}

/*
 * EVTCHNOP_expand_array: -EOPNOTSUPP before init_control, -ENOSPC once
 * all 2^17 ports have words (128 pages, Xen's limit whatever the port
 * count), -EINVAL for a bad frame.
 */
long evtchn_fifo_expand_array(const struct evtchn_expand_array *ea)
{
	struct domain *d = current->domain;
	long ret = 0;
	void *page;

	spin_lock(&d->event_lock);
	if (d->evtchn_ops != &evtchn_ops_fifo)
		ret = -EOPNOTSUPP;
	else if (d->evtchn_fifo->nr_words / WORDS_PER_PAGE >= MAX_ARRAY_PAGES)
		ret = -ENOSPC;
	else if (!(page = map_guest_frame(d, ea->array_gfn)))
		ret = -EINVAL;
	else
		add_array_page(d, page);
	spin_unlock(&d->event_lock);
	return ret;
}

/*
 * Drop the FIFO state and go back to 2-level (EVTCHNOP_reset, domain
 * teardown). Once the ops are switched under the ABI lock nobody else
 * looks at evtchn_fifo, so the frames are released after it.
 */
void evtchn_fifo_destroy(struct domain *d)
{
	struct evtchn_fifo *f = d->evtchn_fifo;
	u64 flags;

	if (!f)
		return;
	flags = spin_lock_irqsave(&d->evtchn_abi_lock);
	d->evtchn_ops = &evtchn_ops_2l;
	spin_unlock_irqrestore(&d->evtchn_abi_lock, flags);
	for (unsigned int i = 0; i < MAX_VIRT_CPUS; i++)
		unmap_guest_frame(f->vcpu[i].cb);
	for (unsigned int i = 0; i < f->nr_words / WORDS_PER_PAGE; i++)
		unmap_guest_frame(f->array[i]);
	memset(f, 0, sizeof(*f));
}
