/*
 * Event channels. Each domain has NR_EVTCHN_PORTS ports; port 0 is never
 * allocated. Channel state is protected by the domain's event_lock;
 * operations on two domains take both locks in domain-id order.
 *
 * Where a port's pending and mask state lives depends on the ABI the
 * domain uses (events_abi.h): shared_info's bitmaps (2-level, from the
 * start) or the guest's FIFO event words (after EVTCHNOP_init_control).
 * Raising a port makes it pending there and, if the guest should look,
 * raises evtchn_upcall_pending and kicks the vCPU (wake it if blocked;
 * make its CPU check on the way back to the guest). A vCPU polling the
 * port is woken whether or not the port is masked.
 */
#include <xen/event_channel.h>
#include <xen/sched.h>
#include "domain.h"
#include "events.h"
#include "events_abi.h"
#include "guest_access.h"
#include "hypercall.h"
#include "irq.h"
#include "lib.h"
#include "percpu.h"
#include "sched.h"
#include "time.h"
#include "xmalloc.h"

/*
 * Xen allocates ports in buckets of 64 and calls a port valid once its
 * bucket exists: bucket 0 (with the reserved port 0) from the start, the
 * next one when a port is first allocated in it, never freed. Operations
 * on a port outside (send, close, unmask, status, bind_vcpu, poll, ...)
 * are -EINVAL; inside, a free port answers as its state says.
 */
#define EVTCHNS_PER_BUCKET 64

/* 4096 of them per domain: the FIFO fields fit in the old 12 bytes. */
_Static_assert(sizeof(struct evtchn) == 12, "struct evtchn grew");

int evtchn_domain_init(struct domain *d)
{
	d->evtchn = xzalloc(NR_EVTCHN_PORTS * sizeof(struct evtchn));
	d->valid_evtchns = EVTCHNS_PER_BUCKET;
	d->evtchn_ops = &evtchn_ops_2l;
	d->evtchn_abi_lock = (spinlock_t)SPIN_LOCK_UNLOCKED;
	return d->evtchn ? 0 : -ENOMEM;
}

/* A port the hypervisor itself may raise. */
static bool port_valid(struct domain *d, u32 port)
{
	(void)d; /* all domains have the same number of ports */
	return port && port < NR_EVTCHN_PORTS;
}

/* Xen's port_is_valid: the port's bucket was allocated. */
static bool port_is_valid(struct domain *d, u32 port)
{
	return port < __atomic_load_n(&d->valid_evtchns, __ATOMIC_ACQUIRE);
}

/* A poll of more ports than poll_ports holds wakes on any port. */
#define POLL_ANY_PORT ((u32)-1)
#define POLL_MAX_PORTS 128 /* Xen's limit */

/* End v's SCHEDOP_poll (if it is in one). */
static void poll_wake(struct vcpu *v)
{
	if (!(v->pause_flags & PAUSE_POLL))
		return;
	stop_timer(&v->poll_timer);
	vcpu_unpause(v, PAUSE_POLL);
}

/*
 * Make v notice pending events: wake it, or interrupt its CPU. As on Xen,
 * a new upcall also ends a SCHEDOP_poll, whatever ports it polls: a guest
 * polling for a spinlock must still get its IPIs (and its timer).
 */
void vcpu_kick(struct vcpu *v)
{
	if (v->pause_flags & PAUSE_BLOCKED)
		vcpu_unpause(v, PAUSE_BLOCKED);
	else if (v->pause_flags & PAUSE_POLL)
		poll_wake(v);
	else if (v->running && v->processor != smp_processor_id())
		sched_kick_events(v->processor);
}

static void wake_pollers(struct domain *d, u32 port)
{
	struct vcpu *v;

	for_each_vcpu(d, v) {
		if (!(v->pause_flags & PAUSE_POLL))
			continue;
		if (v->poll_nr == POLL_ANY_PORT) {
			poll_wake(v);
			continue;
		}
		for (u32 i = 0; i < v->poll_nr; i++)
			if (v->poll_ports[i] == port) {
				poll_wake(v);
				break;
			}
	}
}

void evtchn_wake_all_pollers(struct domain *d)
{
	struct vcpu *v;

	for_each_vcpu(d, v)
		poll_wake(v);
}

void evtchn_notify(struct vcpu *v, u32 port, unsigned int flags)
{
	if (flags & EVTCHN_NEW)
		wake_pollers(v->domain, port);
	if (flags & EVTCHN_KICK)
		vcpu_kick(v);
}

static void evtchn_set_pending(struct vcpu *v, u32 port)
{
	struct domain *d = v->domain;
	u64 flags = spin_lock_irqsave(&d->evtchn_abi_lock);
	unsigned int r = d->evtchn_ops->set_pending(v, port);

	spin_unlock_irqrestore(&d->evtchn_abi_lock, flags);
	evtchn_notify(v, port, r);
}

static bool port_pending(struct domain *d, u32 port)
{
	u64 flags = spin_lock_irqsave(&d->evtchn_abi_lock);
	bool pending = d->evtchn_ops->is_pending(d, port);

	spin_unlock_irqrestore(&d->evtchn_abi_lock, flags);
	return pending;
}

/*
 * Take a free port that is (FIFO) no longer on a queue, as Xen's
 * get_free_port does, with the default priority for its new life.
 */
static bool claim_port(struct domain *d, u32 port)
{
	u64 flags;
	bool busy;

	if (d->evtchn[port].state != ECS_FREE)
		return false;
	flags = spin_lock_irqsave(&d->evtchn_abi_lock);
	busy = d->evtchn_ops->is_busy(d, port);
	if (!busy)
		d->evtchn[port].priority = EVTCHN_FIFO_PRIORITY_DEFAULT;
	spin_unlock_irqrestore(&d->evtchn_abi_lock, flags);
	return !busy;
}

static struct vcpu *notify_vcpu(struct domain *d, struct evtchn *c)
{
	struct vcpu *v = c->notify_vcpu < d->max_vcpus ?
				 d->vcpu[c->notify_vcpu] :
				 NULL;
	return v ? v : d->vcpu[0];
}

/* The lowest free port; its bucket becomes valid. d->event_lock held. */
static int alloc_port(struct domain *d)
{
	for (u32 p = 1; p < NR_EVTCHN_PORTS; p++) {
		if (!claim_port(d, p))
			continue;
		if (p >= d->valid_evtchns)
			__atomic_store_n(&d->valid_evtchns,
					 (p / EVTCHNS_PER_BUCKET + 1) *
						 EVTCHNS_PER_BUCKET,
					 __ATOMIC_RELEASE);
		return (int)p;
	}
	return -ENOSPC;
}

/*
 * Resolve DOMID_SELF; only a privileged domain may name another. As on
 * Xen, a domain that does not exist is -ESRCH for everyone, and only then
 * does privilege matter (-EPERM).
 */
static struct domain *resolve_domain(domid_t id, long *err)
{
	struct domain *self = current->domain, *d;

	if (id == DOMID_SELF || id == self->id)
		return self;
	d = domain_lookup(id);
	if (!d || d->is_dying) { /* a dying domain's ports may be freed */
		*err = -ESRCH;
		return NULL;
	}
	if (!self->privileged) {
		*err = -EPERM;
		return NULL;
	}
	return d;
}

static void lock_two(struct domain *a, struct domain *b)
{
	if (a == b) {
		spin_lock(&a->event_lock);
	} else if (a->id < b->id) {
		spin_lock(&a->event_lock);
		spin_lock(&b->event_lock);
	} else {
		spin_lock(&b->event_lock);
		spin_lock(&a->event_lock);
	}
}

static void unlock_two(struct domain *a, struct domain *b)
{
	spin_unlock(&a->event_lock);
	if (a != b)
		spin_unlock(&b->event_lock);
}

int evtchn_alloc_unbound_port(struct domain *d, domid_t remote)
{
	int port;

	spin_lock(&d->event_lock);
	port = alloc_port(d);
	if (port > 0) {
		d->evtchn[port].state = ECS_UNBOUND;
		d->evtchn[port].remote_domid = remote;
		d->evtchn[port].notify_vcpu = 0;
	}
	spin_unlock(&d->event_lock);
	return port;
}

static long op_alloc_unbound(struct evtchn_alloc_unbound *a)
{
	long err = 0;
	struct domain *d = resolve_domain(a->dom, &err);
	domid_t remote = a->remote_dom == DOMID_SELF ? current->domain->id :
						      a->remote_dom;
	int port;

	if (!d)
		return err;
	if (remote >= MAX_DOMAINS)
		return -ESRCH;
	port = evtchn_alloc_unbound_port(d, remote);
	if (port < 0)
		return port;
	a->port = (u32)port;
	return 0;
}

static long op_bind_interdomain(struct evtchn_bind_interdomain *b)
{
	struct domain *ld = current->domain, *rd;
	struct evtchn *lc, *rc;
	int lport;
	long ret = 0;

	rd = b->remote_dom == DOMID_SELF ? ld : domain_lookup(b->remote_dom);
	if (!rd)
		return -ESRCH;
	if (!port_is_valid(rd, b->remote_port))
		return -EINVAL;
	lock_two(ld, rd);
	rc = &rd->evtchn[b->remote_port];
	/*
	 * The remote end must be unbound and offered to us. Xen answers
	 * -EINVAL whether the port is taken or offered to someone else.
	 */
	if (rd->is_dying) {
		/* Its ports are being closed and freed: bind no new one. */
		ret = -ESRCH;
	} else if (rc->state != ECS_UNBOUND || rc->remote_domid != ld->id) {
		ret = -EINVAL;
	} else if ((lport = alloc_port(ld)) < 0) {
		ret = lport;
	} else {
		lc = &ld->evtchn[lport];
		lc->state = ECS_INTERDOMAIN;
		lc->remote_domid = rd->id;
		lc->remote_port = b->remote_port;
		lc->notify_vcpu = 0;
		rc->state = ECS_INTERDOMAIN;
		rc->remote_domid = ld->id;
		rc->remote_port = (u32)lport;
		b->local_port = (u32)lport;
	}
	unlock_two(ld, rd);
	if (!ret) /* the peer may have sent before we bound: show it */
		evtchn_set_pending(notify_vcpu(ld, &ld->evtchn[b->local_port]),
				   b->local_port);
	return ret;
}

static bool virq_is_per_vcpu(u32 virq)
{
	return virq == VIRQ_TIMER || virq == VIRQ_DEBUG ||
	       virq == VIRQ_XENOPROF || virq == VIRQ_XENPMU;
}

static long op_bind_virq(struct evtchn_bind_virq *b)
{
	struct domain *d = current->domain;
	struct vcpu *v;
	int port;

	if (b->virq >= NR_VIRQS)
		return -EINVAL;
	if (!virq_is_per_vcpu(b->virq) && b->vcpu != 0)
		return -EINVAL;
	if (b->vcpu >= d->max_vcpus || !(v = d->vcpu[b->vcpu]))
		return -ENOENT;
	spin_lock(&d->event_lock);
	if (v->virq_port[b->virq]) {
		spin_unlock(&d->event_lock);
		return -EEXIST;
	}
	port = alloc_port(d);
	if (port > 0) {
		d->evtchn[port].state = ECS_VIRQ;
		d->evtchn[port].virq = (u16)b->virq;
		d->evtchn[port].notify_vcpu = (u8)b->vcpu;
		v->virq_port[b->virq] = (u32)port;
		b->port = (u32)port;
	}
	spin_unlock(&d->event_lock);
	return port < 0 ? port : 0;
}

static long op_bind_ipi(struct evtchn_bind_ipi *b)
{
	struct domain *d = current->domain;
	int port;

	if (b->vcpu >= d->max_vcpus || !d->vcpu[b->vcpu])
		return -ENOENT;
	spin_lock(&d->event_lock);
	port = alloc_port(d);
	if (port > 0) {
		d->evtchn[port].state = ECS_IPI;
		d->evtchn[port].notify_vcpu = (u8)b->vcpu;
		b->port = (u32)port;
	}
	spin_unlock(&d->event_lock);
	return port < 0 ? port : 0;
}

/*
 * A physical interrupt (see pirq.c): only the privileged domain binds
 * one; the pirq must be mapped (PHYSDEVOP_map_pirq) and not bound yet.
 * BIND_PIRQ__WILL_SHARE is accepted: only one domain has pirqs.
 */
static long op_bind_pirq(struct evtchn_bind_pirq *b)
{
	struct domain *d = current->domain;
	int port, rc;

	if (!d->privileged) {
		printk_level(LOG_DEBUG, "d%u: bind_pirq refused\n", d->id);
		return -EPERM;
	}
	if (b->pirq >= NR_PIRQS)
		return -EINVAL;
	spin_lock(&d->event_lock);
	port = alloc_port(d);
	if (port > 0) {
		rc = pirq_bind(d, b->pirq, (u32)port);
		if (rc) {
			port = rc;
		} else {
			d->evtchn[port].state = ECS_PIRQ;
			d->evtchn[port].virq = (u16)b->pirq;
			d->evtchn[port].notify_vcpu = 0;
			b->port = (u32)port;
		}
	}
	spin_unlock(&d->event_lock);
	return port < 0 ? port : 0;
}

/* Raise a port of d from interrupt context (pirq.c; no event_lock). */
void evtchn_raise(struct domain *d, u32 port)
{
	if (port_valid(d, port))
		evtchn_set_pending(notify_vcpu(d, &d->evtchn[port]), port);
}

/* Close a port; d->event_lock (and the peer's, if any) held. */
static void close_port_locked(struct domain *d, u32 port)
{
	struct evtchn *c = &d->evtchn[port];
	u64 flags;

	if (c->state == ECS_VIRQ) {
		struct vcpu *v = notify_vcpu(d, c);
		if (v->virq_port[c->virq] == port)
			v->virq_port[c->virq] = 0;
	}
	if (c->state == ECS_PIRQ)
		pirq_unbind(d, c->virq); /* masks the line, frees its vector */
	if (c->state == ECS_INTERDOMAIN) {
		struct domain *rd = domain_lookup(c->remote_domid);
		if (rd) {
			struct evtchn *rc = &rd->evtchn[c->remote_port];
			rc->state = ECS_UNBOUND;
			rc->remote_domid = d->id;
		}
	}
	c->state = ECS_FREE;
	c->notify_vcpu = 0;
	c->remote_domid = 0;
	c->remote_port = 0;
	c->virq = 0;
	/* A stale pending bit must not fire on the port's next user. */
	flags = spin_lock_irqsave(&d->evtchn_abi_lock);
	d->evtchn_ops->clear_pending(d, port);
	spin_unlock_irqrestore(&d->evtchn_abi_lock, flags);
}

static long close_port(struct domain *d, u32 port)
{
	struct evtchn *c;
	struct domain *rd;
	long ret = 0;

	if (!port_is_valid(d, port))
		return -EINVAL;
	c = &d->evtchn[port];
	for (;;) {
		/* Find the peer, then lock both in order and look again:
		 * another vCPU may have closed or rebound the port. */
		rd = NULL;
		spin_lock(&d->event_lock);
		if (c->state == ECS_INTERDOMAIN)
			rd = domain_lookup(c->remote_domid);
		spin_unlock(&d->event_lock);
		if (!rd)
			rd = d;
		lock_two(d, rd);
		if (c->state == ECS_INTERDOMAIN && c->remote_domid != rd->id) {
			unlock_two(d, rd);
			continue;
		}
		if (c->state == ECS_FREE)
			ret = -EINVAL;
		else
			close_port_locked(d, port);
		unlock_two(d, rd);
		return ret;
	}
}

/* Notify the other end of a port. */
static long evtchn_send(struct domain *d, u32 port)
{
	struct evtchn *c;
	struct domain *rd;
	long ret = 0;

	if (!port_is_valid(d, port))
		return -EINVAL;
	spin_lock(&d->event_lock);
	c = &d->evtchn[port];
	switch (c->state) {
	case ECS_INTERDOMAIN:
		rd = domain_lookup(c->remote_domid);
		if (rd)
			evtchn_set_pending(
				notify_vcpu(rd, &rd->evtchn[c->remote_port]),
				c->remote_port);
		break;
	case ECS_IPI:
		evtchn_set_pending(notify_vcpu(d, c), port);
		break;
	case ECS_UNBOUND:
		break; /* nobody listening yet: dropped, as on Xen */
	default:
		ret = -EINVAL;
	}
	spin_unlock(&d->event_lock);
	return ret;
}

static long op_status(struct evtchn_status *st)
{
	long err = 0;
	struct domain *d = resolve_domain(st->dom, &err);
	struct evtchn *c;

	if (!d)
		return err;
	if (!port_is_valid(d, st->port))
		return -EINVAL;
	spin_lock(&d->event_lock);
	c = &d->evtchn[st->port];
	memset(&st->u, 0, sizeof(st->u));
	st->vcpu = c->notify_vcpu;
	switch (c->state) {
	case ECS_FREE:
		st->status = EVTCHNSTAT_closed;
		break;
	case ECS_UNBOUND:
		st->status = EVTCHNSTAT_unbound;
		st->u.unbound.dom = c->remote_domid;
		break;
	case ECS_INTERDOMAIN:
		st->status = EVTCHNSTAT_interdomain;
		st->u.interdomain.dom = c->remote_domid;
		st->u.interdomain.port = c->remote_port;
		break;
	case ECS_VIRQ:
		st->status = EVTCHNSTAT_virq;
		st->u.virq = c->virq;
		break;
	case ECS_IPI:
		st->status = EVTCHNSTAT_ipi;
		break;
	case ECS_PIRQ:
		st->status = EVTCHNSTAT_pirq;
		st->u.pirq = c->virq;
		break;
	}
	spin_unlock(&d->event_lock);
	return 0;
}

static long op_bind_vcpu(struct evtchn_bind_vcpu *b)
{
	struct domain *d = current->domain;
	struct evtchn *c;
	long ret = 0;

	if (b->vcpu >= d->max_vcpus || !d->vcpu[b->vcpu])
		return -ENOENT; /* checked first, as on Xen */
	if (!port_is_valid(d, b->port))
		return -EINVAL;
	spin_lock(&d->event_lock);
	c = &d->evtchn[b->port];
	switch (c->state) {
	case ECS_UNBOUND:
	case ECS_INTERDOMAIN:
	case ECS_PIRQ:
		c->notify_vcpu = (u8)b->vcpu;
		break;
	case ECS_VIRQ:
		if (virq_is_per_vcpu(c->virq))
			ret = -EINVAL;
		else
			c->notify_vcpu = (u8)b->vcpu;
		break;
	default:
		ret = -EINVAL;
	}
	spin_unlock(&d->event_lock);
	return ret;
}

/* Unmask; a pending port raises the upcall (FIFO: is linked again). */
static long op_unmask(u32 port)
{
	struct domain *d = current->domain;
	struct vcpu *v;
	unsigned int r;
	u64 flags;

	if (!port_is_valid(d, port))
		return -EINVAL;
	spin_lock(&d->event_lock);
	v = notify_vcpu(d, &d->evtchn[port]);
	flags = spin_lock_irqsave(&d->evtchn_abi_lock);
	r = d->evtchn_ops->unmask(v, port);
	spin_unlock_irqrestore(&d->evtchn_abi_lock, flags);
	spin_unlock(&d->event_lock);
	evtchn_notify(v, port, r);
	return 0;
}

/* Xen checks the port, then the ABI (-ENOSYS for 2-level). */
static long op_set_priority(const struct evtchn_set_priority *sp)
{
	struct domain *d = current->domain;
	long ret = -ENOSYS;
	u64 flags;

	if (!port_is_valid(d, sp->port))
		return -EINVAL;
	flags = spin_lock_irqsave(&d->evtchn_abi_lock);
	if (d->evtchn_ops->set_priority)
		ret = d->evtchn_ops->set_priority(d, sp->port, sp->priority);
	spin_unlock_irqrestore(&d->evtchn_abi_lock, flags);
	return ret;
}

static long op_reset(struct evtchn_reset *r)
{
	long err = 0;
	struct domain *d = resolve_domain(r->dom, &err);

	if (!d)
		return err;
	for (u32 p = 1; p < NR_EVTCHN_PORTS; p++)
		if (d->evtchn[p].state != ECS_FREE)
			close_port(d, p);
	/* As on Xen, a reset domain is back on the 2-level ABI. */
	spin_lock(&d->event_lock);
	evtchn_fifo_destroy(d);
	spin_unlock(&d->event_lock);
	return 0;
}

void evtchn_domain_destroy(struct domain *d)
{
	if (!d->evtchn)
		return;
	for (u32 p = 1; p < NR_EVTCHN_PORTS; p++)
		if (d->evtchn[p].state != ECS_FREE)
			close_port(d, p);
	spin_lock(&d->event_lock);
	evtchn_fifo_destroy(d);
	spin_unlock(&d->event_lock);
	xfree(d->evtchn_fifo);
	d->evtchn_fifo = NULL;
	xfree(d->evtchn);
	d->evtchn = NULL;
}

void send_guest_vcpu_virq(struct vcpu *v, unsigned int virq)
{
	u32 port = v->virq_port[virq];

	if (port)
		evtchn_set_pending(v, port);
}

/* Global VIRQs go to the control domain. */
void send_global_virq(unsigned int virq)
{
	struct domain *d0 = domain_lookup(0);

	if (d0 && d0->vcpu[0] && !d0->is_dying) {
		u32 port = d0->vcpu[0]->virq_port[virq];
		if (port)
			evtchn_set_pending(
				notify_vcpu(d0, &d0->evtchn[port]), port);
	}
}

/* Argument sizes per op, for the copy in and out. */
static size_t op_size(int cmd)
{
	switch (cmd) {
	case EVTCHNOP_alloc_unbound:
		return sizeof(struct evtchn_alloc_unbound);
	case EVTCHNOP_bind_interdomain:
		return sizeof(struct evtchn_bind_interdomain);
	case EVTCHNOP_bind_virq:
		return sizeof(struct evtchn_bind_virq);
	case EVTCHNOP_bind_ipi:
		return sizeof(struct evtchn_bind_ipi);
	case EVTCHNOP_bind_pirq:
		return sizeof(struct evtchn_bind_pirq);
	case EVTCHNOP_close:
	case EVTCHNOP_send:
	case EVTCHNOP_unmask:
		return sizeof(u32);
	case EVTCHNOP_status:
		return sizeof(struct evtchn_status);
	case EVTCHNOP_bind_vcpu:
		return sizeof(struct evtchn_bind_vcpu);
	case EVTCHNOP_reset:
		return sizeof(struct evtchn_reset);
	case EVTCHNOP_init_control:
		return sizeof(struct evtchn_init_control);
	case EVTCHNOP_expand_array:
		return sizeof(struct evtchn_expand_array);
	case EVTCHNOP_set_priority:
		return sizeof(struct evtchn_set_priority);
	}
	return 0;
}

long do_event_channel_op(int cmd, u64 arg)
{
	union {
		struct evtchn_alloc_unbound alloc;
		struct evtchn_bind_interdomain inter;
		struct evtchn_bind_virq virq;
		struct evtchn_bind_ipi ipi;
		struct evtchn_bind_pirq pirq;
		struct evtchn_status status;
		struct evtchn_bind_vcpu vcpu;
		struct evtchn_reset reset;
		struct evtchn_init_control init;
		struct evtchn_expand_array expand;
		struct evtchn_set_priority prio;
		u32 port;
	} a;
	size_t size = op_size(cmd);
	long ret;

	if (!size)
		return -ENOSYS;
	if (copy_from_guest(&a, arg, size))
		return -EFAULT;
	switch (cmd) {
	case EVTCHNOP_alloc_unbound:
		ret = op_alloc_unbound(&a.alloc);
		break;
	case EVTCHNOP_bind_interdomain:
		ret = op_bind_interdomain(&a.inter);
		break;
	case EVTCHNOP_bind_virq:
		ret = op_bind_virq(&a.virq);
		break;
	case EVTCHNOP_bind_ipi:
		ret = op_bind_ipi(&a.ipi);
		break;
	case EVTCHNOP_bind_pirq:
		ret = op_bind_pirq(&a.pirq);
		break;
	case EVTCHNOP_close:
		return close_port(current->domain, a.port);
	case EVTCHNOP_send:
		return evtchn_send(current->domain, a.port);
	case EVTCHNOP_unmask:
		return op_unmask(a.port);
	case EVTCHNOP_status:
		ret = op_status(&a.status);
		break;
	case EVTCHNOP_bind_vcpu:
		return op_bind_vcpu(&a.vcpu);
	case EVTCHNOP_reset:
		return op_reset(&a.reset);
	case EVTCHNOP_init_control:
		ret = evtchn_fifo_init_control(&a.init);
		break;
	case EVTCHNOP_expand_array:
		return evtchn_fifo_expand_array(&a.expand);
	case EVTCHNOP_set_priority:
		return op_set_priority(&a.prio);
	default:
		return -ENOSYS;
	}
	if (!ret && copy_to_guest(arg, &a, size))
		ret = -EFAULT;
	return ret;
}

static void poll_timeout(void *data)
{
	struct vcpu *v = data;

	v->poll_timed_out = true;
	vcpu_unpause(v, PAUSE_POLL);
}

static bool any_polled_pending(struct vcpu *v)
{
	for (u32 i = 0; i < v->poll_nr; i++)
		if (port_pending(v->domain, v->poll_ports[i]))
			return true;
	return false;
}

/*
 * Check the guest's list of ports (more than poll_ports holds): all must
 * be valid; returns 1 if one is pending already.
 */
static long check_long_poll_list(struct vcpu *v, u64 ports, u32 nr)
{
	u32 chunk[16];

	for (u32 i = 0; i < nr; i += ARRAY_SIZE(chunk)) {
		u32 n = MIN(nr - i, (u32)ARRAY_SIZE(chunk));

		if (copy_from_guest(chunk, ports + i * sizeof(u32),
				    n * sizeof(u32)))
			return -EFAULT;
		for (u32 j = 0; j < n; j++) {
			if (!port_is_valid(v->domain, chunk[j]))
				return -EINVAL;
			if (port_pending(v->domain, chunk[j]))
				return 1;
		}
	}
	return 0;
}

/*
 * SCHEDOP_poll: block until one of the ports is pending, an upcall is
 * raised, or the timeout (absolute system time; 0 = none) passes.
 */
long sched_poll(u64 arg)
{
	struct vcpu *v = current;
	struct vcpu_info *vi = v->vcpu_info;
	struct sched_poll p;
	bool pending = false;

	if (get_guest(p, arg))
		return -EFAULT;
	if (p.nr_ports > POLL_MAX_PORTS)
		return -EINVAL;
	if (p.nr_ports > ARRAY_SIZE(v->poll_ports)) {
		long rc = check_long_poll_list(v, p.ports, p.nr_ports);

		if (rc < 0)
			return rc;
		pending = rc;
		v->poll_nr = POLL_ANY_PORT;
	} else {
		if (copy_from_guest(v->poll_ports, p.ports,
				    p.nr_ports * sizeof(u32)))
			return -EFAULT;
		for (u32 i = 0; i < p.nr_ports; i++)
			if (!port_is_valid(v->domain, v->poll_ports[i]))
				return -EINVAL;
		v->poll_nr = p.nr_ports;
	}
	v->poll_timed_out = false;
	stop_timer(&v->poll_timer);
	if (p.timeout) {
		timer_init(&v->poll_timer, poll_timeout, v, v->processor);
		set_timer(&v->poll_timer, guest_timer_deadline(p.timeout));
	}
	vcpu_pause(v, PAUSE_POLL);
	/* Look /after/ pausing: any event from now on wakes us. */
	if (pending || (v->poll_nr != POLL_ANY_PORT && any_polled_pending(v)) ||
	    (vi->evtchn_upcall_pending && !vi->evtchn_upcall_mask) ||
	    (p.timeout && p.timeout <= NOW()))
		poll_wake(v);
	return 0;
}
