/*
 * Event channels (hypercall 32): the 2-level ABI. A port is a bit in
 * shared_info's pending and mask arrays; raising it sets the selector bit in
 * the bound vCPU's vcpu_info and evtchn_upcall_pending.
 */
#ifndef XENOLITH_PUBLIC_EVENT_CHANNEL_H
#define XENOLITH_PUBLIC_EVENT_CHANNEL_H

#include "xen.h"

typedef uint32_t evtchn_port_t;

#define EVTCHNOP_bind_interdomain 0
#define EVTCHNOP_bind_virq 1
#define EVTCHNOP_bind_pirq 2
#define EVTCHNOP_close 3
#define EVTCHNOP_send 4
#define EVTCHNOP_status 5
#define EVTCHNOP_alloc_unbound 6
#define EVTCHNOP_bind_ipi 7
#define EVTCHNOP_bind_vcpu 8
#define EVTCHNOP_unmask 9
#define EVTCHNOP_reset 10
#define EVTCHNOP_init_control 11
#define EVTCHNOP_expand_array 12
#define EVTCHNOP_set_priority 13

struct evtchn_alloc_unbound {
	domid_t dom, remote_dom;
	evtchn_port_t port; /* out */
};

struct evtchn_bind_interdomain {
	domid_t remote_dom;
	evtchn_port_t remote_port;
	evtchn_port_t local_port; /* out */
};

struct evtchn_bind_virq {
	uint32_t virq;
	uint32_t vcpu;
	evtchn_port_t port; /* out */
};

/* Only the privileged domain binds pirqs (see physdev.h). */
struct evtchn_bind_pirq {
	uint32_t pirq;
#define BIND_PIRQ__WILL_SHARE 1 /* others may share the line */
	uint32_t flags;
	evtchn_port_t port; /* out */
};

struct evtchn_bind_ipi {
	uint32_t vcpu;
	evtchn_port_t port; /* out */
};

struct evtchn_close {
	evtchn_port_t port;
};

struct evtchn_send {
	evtchn_port_t port;
};

#define EVTCHNSTAT_closed 0
#define EVTCHNSTAT_unbound 1
#define EVTCHNSTAT_interdomain 2
#define EVTCHNSTAT_pirq 3
#define EVTCHNSTAT_virq 4
#define EVTCHNSTAT_ipi 5

struct evtchn_status {
	domid_t dom;
	evtchn_port_t port;
	uint32_t status; /* out: EVTCHNSTAT_* */
	uint32_t vcpu;   /* out */
	union {
		struct {
			domid_t dom;
		} unbound;
		struct {
			domid_t dom;
			evtchn_port_t port;
		} interdomain;
		uint32_t pirq;
		uint32_t virq;
	} u;
};

struct evtchn_bind_vcpu {
	evtchn_port_t port;
	uint32_t vcpu;
};

struct evtchn_unmask {
	evtchn_port_t port;
};

struct evtchn_reset {
	domid_t dom;
};

/* EVTCHNOP_init_control: vcpu's FIFO control block at offset in a frame. */
struct evtchn_init_control {
	uint64_t control_gfn;
	uint32_t offset;
	uint32_t vcpu;
	uint8_t link_bits; /* out */
	uint8_t _pad[7];
};

/* EVTCHNOP_expand_array: one more page of event words. */
struct evtchn_expand_array {
	uint64_t array_gfn;
};

/* EVTCHNOP_set_priority: 0 (highest) .. 15 (lowest). */
struct evtchn_set_priority {
	evtchn_port_t port;
	uint32_t priority;
};

/* The FIFO ABI: one 32-bit event word per port, queues per priority. */
#define EVTCHN_FIFO_PRIORITY_MAX 0
#define EVTCHN_FIFO_PRIORITY_DEFAULT 7
#define EVTCHN_FIFO_PRIORITY_MIN 15
#define EVTCHN_FIFO_MAX_QUEUES (EVTCHN_FIFO_PRIORITY_MIN + 1)

typedef uint32_t event_word_t;

#define EVTCHN_FIFO_PENDING 31
#define EVTCHN_FIFO_MASKED 30
#define EVTCHN_FIFO_LINKED 29
#define EVTCHN_FIFO_BUSY 28
#define EVTCHN_FIFO_LINK_BITS 17
#define EVTCHN_FIFO_LINK_MASK ((1U << EVTCHN_FIFO_LINK_BITS) - 1)
#define EVTCHN_FIFO_NR_CHANNELS (1U << EVTCHN_FIFO_LINK_BITS)

struct evtchn_fifo_control_block {
	uint32_t ready; /* bit q: queue q may be non-empty */
	uint32_t _rsvd;
	event_word_t head[EVTCHN_FIFO_MAX_QUEUES];
};

#endif
