/* Event channels, 2-level or FIFO (events_abi.h, xen/event_channel.h). */
#ifndef XENOLITH_EVENTS_H
#define XENOLITH_EVENTS_H

#include "domain.h"

int evtchn_domain_init(struct domain *d);
void evtchn_domain_destroy(struct domain *d);
int evtchn_alloc_unbound_port(struct domain *d, domid_t remote);
void send_guest_vcpu_virq(struct vcpu *v, unsigned int virq);
void send_global_virq(unsigned int virq);
void evtchn_raise(struct domain *d, u32 port); /* from interrupts */
long sched_poll(u64 arg);
void vcpu_kick(struct vcpu *v);

#endif
