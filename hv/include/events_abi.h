/*
 * The two event-channel ABIs behind one table of port operations: the
 * 2-level bitmaps in shared_info (events_2l.c) and the FIFO queues
 * (events_fifo.c). events.c owns the channels and calls these with the
 * domain's evtchn_abi_lock held; waking and kicking vCPUs happens after
 * the lock is dropped, as the returned flags say.
 */
#ifndef XENOLITH_EVENTS_ABI_H
#define XENOLITH_EVENTS_ABI_H

#include <xen/event_channel.h>
#include "domain.h"

/* What raising a port did. */
#define EVTCHN_NEW 1U /* it was not pending: wake vCPUs polling it */
#define EVTCHN_KICK 2U /* the upcall became pending: kick the vCPU */

struct evtchn_port_ops {
	unsigned int (*set_pending)(struct vcpu *v, u32 port);
	void (*clear_pending)(struct domain *d, u32 port);
	/* v: the port's notify vCPU. */
	unsigned int (*unmask)(struct vcpu *v, u32 port);
	bool (*is_pending)(struct domain *d, u32 port);
	/* Still on a queue (FIFO): the port is not reused yet. */
	bool (*is_busy)(struct domain *d, u32 port);
	int (*set_priority)(struct domain *d, u32 port, u32 priority);
};

extern const struct evtchn_port_ops evtchn_ops_2l;
extern const struct evtchn_port_ops evtchn_ops_fifo;

/* FIFO hypercalls; d->event_lock is taken inside. */
long evtchn_fifo_init_control(struct evtchn_init_control *ic);
long evtchn_fifo_expand_array(const struct evtchn_expand_array *ea);
/* Back to 2-level (EVTCHNOP_reset, teardown); d->event_lock held. */
void evtchn_fifo_destroy(struct domain *d);

/* events.c: wake and kick after raising ports under the lock. */
void evtchn_notify(struct vcpu *v, u32 port, unsigned int flags);
void evtchn_wake_all_pollers(struct domain *d);

#endif
