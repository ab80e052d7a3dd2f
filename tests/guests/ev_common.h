/*
 * Helpers shared by the event, time and scheduling test guests (ev_*.c):
 * thin wrappers around event_channel_op, vcpu_op and sched_op, Xen's
 * errno values, and the guest's command-line arguments.
 */
#ifndef EV_COMMON_H
#define EV_COMMON_H

#include <pv/hypercall.h>
#include <pv/libpv.h>
#include <xen/event_channel.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include "klib.h"

/* Xen's errno values are Linux's. */
#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EFAULT 14
#define EEXIST 17
#define EINVAL 22
#define ENOSPC 28
#define ENOSYS 38
#define ETIME 62

#define NS_PER_MS 1000000UL
#define NS_PER_US 1000UL

/* An address no guest may pass: inside the hypervisor's reserved slots. */
#define HV_ADDR ((void *)0xffff830000000000UL)

static inline long evtchn_op(int cmd, void *arg)
{
	return HYPERVISOR_event_channel_op(cmd, arg);
}

static inline long ev_bind_ipi(uint32_t vcpu, uint32_t *port)
{
	struct evtchn_bind_ipi b = { .vcpu = vcpu };
	long rc = evtchn_op(EVTCHNOP_bind_ipi, &b);

	if (port)
		*port = rc ? 0 : b.port;
	return rc;
}

static inline long ev_bind_virq(uint32_t virq, uint32_t vcpu, uint32_t *port)
{
	struct evtchn_bind_virq b = { .virq = virq, .vcpu = vcpu };
	long rc = evtchn_op(EVTCHNOP_bind_virq, &b);

	if (port)
		*port = rc ? 0 : b.port;
	return rc;
}

static inline long ev_alloc_unbound(domid_t dom, domid_t remote, uint32_t *port)
{
	struct evtchn_alloc_unbound a = { .dom = dom, .remote_dom = remote };
	long rc = evtchn_op(EVTCHNOP_alloc_unbound, &a);

	if (port)
		*port = rc ? 0 : a.port;
	return rc;
}

static inline long ev_bind_interdomain(domid_t remote, uint32_t rport,
				       uint32_t *lport)
{
	struct evtchn_bind_interdomain b = { .remote_dom = remote,
					     .remote_port = rport };
	long rc = evtchn_op(EVTCHNOP_bind_interdomain, &b);

	if (lport)
		*lport = rc ? 0 : b.local_port;
	return rc;
}

static inline long ev_send(uint32_t port)
{
	struct evtchn_send s = { .port = port };

	return evtchn_op(EVTCHNOP_send, &s);
}

static inline long ev_close(uint32_t port)
{
	struct evtchn_close c = { .port = port };

	return evtchn_op(EVTCHNOP_close, &c);
}

static inline long ev_unmask_op(uint32_t port)
{
	struct evtchn_unmask u = { .port = port };

	return evtchn_op(EVTCHNOP_unmask, &u);
}

static inline long ev_bind_vcpu(uint32_t port, uint32_t vcpu)
{
	struct evtchn_bind_vcpu b = { .port = port, .vcpu = vcpu };

	return evtchn_op(EVTCHNOP_bind_vcpu, &b);
}

/* EVTCHNOP_status of (dom, port); the result is left in *st. */
static inline long ev_status(domid_t dom, uint32_t port,
			     struct evtchn_status *st)
{
	memset(st, 0, sizeof(*st));
	st->dom = dom;
	st->port = port;
	return evtchn_op(EVTCHNOP_status, st);
}

/* The status code of one of our ports, or the (negative) error. */
static inline long ev_state(uint32_t port)
{
	struct evtchn_status st;
	long rc = ev_status(DOMID_SELF, port, &st);

	return rc ? rc : (long)st.status;
}

static inline long sched_poll(const uint32_t *ports, uint32_t n,
			      uint64_t timeout)
{
	struct sched_poll p = { .ports = (uint64_t)ports,
				.nr_ports = n,
				.timeout = timeout };

	return HYPERVISOR_sched_op(SCHEDOP_poll, &p);
}

static inline long sched_yield(void)
{
	return HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
}

static inline long set_singleshot(uint64_t deadline, uint32_t flags)
{
	struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = deadline,
					       .flags = flags };

	return HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &t);
}

static inline long set_periodic(uint64_t period)
{
	struct vcpu_set_periodic_timer t = { .period_ns = period };

	return HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &t);
}

/* Busy-wait (events still arrive) until system time reaches t. */
static inline void spin_until(uint64_t t)
{
	while (pv_now() < t)
		cpu_relax();
}

/* The value of "key=" in the command line, or NULL. */
static inline const char *ev_arg(const char *key)
{
	const char *p = (const char *)start_info->cmd_line;
	size_t n = strlen(key);

	while (*p) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, key, n) && p[n] == '=')
			return p + n + 1;
		while (*p && *p != ' ')
			p++;
	}
	return NULL;
}

static inline bool ev_arg_is(const char *key, const char *val)
{
	const char *v = ev_arg(key);
	size_t n = strlen(val);

	return v && !strncmp(v, val, n) && (v[n] == ' ' || !v[n]);
}

static inline unsigned long ev_arg_num(const char *key, unsigned long def)
{
	const char *v = ev_arg(key);
	unsigned long x = 0;

	if (!v || *v < '0' || *v > '9')
		return def;
	while (*v >= '0' && *v <= '9')
		x = x * 10 + (unsigned long)(*v++ - '0');
	return x;
}

#endif
