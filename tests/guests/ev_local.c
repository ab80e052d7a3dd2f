/*
 * Event channels within one domain (run it as an unprivileged domain):
 * a refused FIFO probe and the 2-level ABI, the builder's ports,
 * IPIs, VIRQs, masking, loopback interdomain channels, close, status of
 * every kind of channel, bind_vcpu, bad ports and bad arguments, and
 * EVTCHNOP_reset.
 */
#include "ev_common.h"

#define NPORTS 64

static volatile unsigned int hits[NPORTS];

static void on_event(uint32_t port)
{
	if (port < NPORTS)
		hits[port]++;
}

static void check_fifo_probe(void)
{
	uint64_t ctl[4] = { 0 };

	pv_test_group("FIFO ABI probe");
	/*
	 * A control block in frame 0 (not ours) is refused, so the 2-level
	 * ABI stays: no array to expand, no priorities (tests/guests/ev_fifo.c
	 * uses FIFO).
	 */
	CHECK_EQ(evtchn_op(EVTCHNOP_init_control, ctl), -EINVAL);
	CHECK_EQ(evtchn_op(EVTCHNOP_expand_array, ctl), -95 /* EOPNOTSUPP */);
	CHECK_EQ(evtchn_op(EVTCHNOP_set_priority, ctl), -ENOSYS);
	CHECK_EQ(evtchn_op(99, ctl), -ENOSYS);
}

static void check_builder_ports(void)
{
	struct evtchn_status st;

	pv_test_group("ports from the domain builder");
	CHECK_EQ(start_info->store_evtchn, 1);
	CHECK_EQ(start_info->console.domU.evtchn, 2);
	CHECK_EQ(ev_status(DOMID_SELF, 1, &st), 0);
	CHECK_EQ(st.status, EVTCHNSTAT_unbound);
	CHECK_EQ(st.u.unbound.dom, 0);
	CHECK_EQ(ev_status(DOMID_SELF, 2, &st), 0);
	CHECK_EQ(st.status, EVTCHNSTAT_unbound);
	CHECK_EQ(st.u.unbound.dom, 0);
	CHECK_EQ(ev_state(3), EVTCHNSTAT_closed);
}

static uint32_t ipi;

static void check_ipi(void)
{
	struct evtchn_status st;
	unsigned int before;

	pv_test_group("IPI: bind, status, send, receive");
	CHECK_EQ(ev_bind_ipi(0, &ipi), 0);
	CHECK_EQ(ipi, 3); /* the lowest free port */
	CHECK_EQ(ev_status(DOMID_SELF, ipi, &st), 0);
	CHECK_EQ(st.status, EVTCHNSTAT_ipi);
	CHECK_EQ(st.vcpu, 0);
	before = hits[ipi];
	CHECK_EQ(ev_send(ipi), 0);
	/* Delivered on the way back from the hypercall. */
	CHECK_EQ(hits[ipi], before + 1);
	CHECK(!pv_pending(ipi), "handled port still pending");
	for (int i = 0; i < 10; i++)
		ev_send(ipi);
	CHECK_EQ(hits[ipi], before + 11);
	CHECK_EQ(ev_bind_ipi(1, NULL), -ENOENT);
	CHECK_EQ(ev_bind_ipi(0xffffffff, NULL), -ENOENT);
}

static uint32_t timer_port;

static void check_virq(void)
{
	struct evtchn_status st;
	uint32_t dbg, again = 0;
	unsigned int before;

	pv_test_group("VIRQs: bind, status, EEXIST, bad numbers");
	CHECK_EQ(ev_bind_virq(VIRQ_TIMER, 0, &timer_port), 0);
	CHECK_EQ(ev_status(DOMID_SELF, timer_port, &st), 0);
	CHECK_EQ(st.status, EVTCHNSTAT_virq);
	CHECK_EQ(st.u.virq, VIRQ_TIMER);
	CHECK_EQ(st.vcpu, 0);
	CHECK_EQ(ev_bind_virq(VIRQ_TIMER, 0, &again), -EEXIST);
	CHECK_EQ(ev_bind_virq(VIRQ_DEBUG, 0, &dbg), 0);
	CHECK_EQ(ev_status(DOMID_SELF, dbg, &st), 0);
	CHECK_EQ(st.status, EVTCHNSTAT_virq);
	CHECK_EQ(st.u.virq, VIRQ_DEBUG);
	CHECK_EQ(ev_bind_virq(24 /* NR_VIRQS */, 0, NULL), -EINVAL);
	CHECK_EQ(ev_bind_virq(0xffffffff, 0, NULL), -EINVAL);
	CHECK_EQ(ev_bind_virq(VIRQ_TIMER, 1, NULL), -ENOENT);
	CHECK_EQ(ev_bind_virq(VIRQ_TIMER, 0xffffffff, NULL), -ENOENT);
	/* A global VIRQ is bound on vCPU 0 only. */
	CHECK_EQ(ev_bind_virq(VIRQ_DOM_EXC, 1, NULL), -EINVAL);
	/* Sending on a VIRQ port is not allowed. */
	CHECK_EQ(ev_send(timer_port), -EINVAL);

	/* The timer VIRQ arrives on its port. */
	before = hits[timer_port];
	CHECK_EQ(HYPERVISOR_set_timer_op(pv_now() + NS_PER_MS), 0);
	pv_block_until(hits[timer_port] != before);
	CHECK_EQ(hits[timer_port], before + 1);

	/* Closing the VIRQ frees it for a new binding, on the same port. */
	CHECK_EQ(ev_close(dbg), 0);
	CHECK_EQ(ev_state(dbg), EVTCHNSTAT_closed);
	CHECK_EQ(ev_bind_virq(VIRQ_DEBUG, 0, &again), 0);
	CHECK_EQ(again, dbg);
	CHECK_EQ(ev_close(again), 0);
}

static void check_bind_vcpu(void)
{
	uint32_t ub;

	pv_test_group("bind_vcpu");
	/* A per-vCPU VIRQ and an IPI cannot move. */
	CHECK_EQ(ev_bind_vcpu(timer_port, 0), -EINVAL);
	CHECK_EQ(ev_bind_vcpu(ipi, 0), -EINVAL);
	CHECK_EQ(ev_alloc_unbound(DOMID_SELF, 0, &ub), 0);
	CHECK_EQ(ev_bind_vcpu(ub, 0), 0);
	CHECK_EQ(ev_bind_vcpu(ub, 1), -ENOENT);
	CHECK_EQ(ev_bind_vcpu(ub, 0xffffffff), -ENOENT);
	CHECK_EQ(ev_bind_vcpu(4095, 0), -EINVAL); /* a free port */
	CHECK_EQ(ev_close(ub), 0);
}

static void check_masking(void)
{
	struct vcpu_info *vi = pv_vcpu_info();
	unsigned int before = hits[ipi];

	pv_test_group("masking");
	/* Masked: the send marks the port pending but raises no upcall. */
	pv_mask(ipi);
	CHECK_EQ(ev_send(ipi), 0);
	CHECK_EQ(hits[ipi], before);
	CHECK(pv_pending(ipi), "masked send left the port clear");
	CHECK_EQ(vi->evtchn_upcall_pending, 0);
	/* A second send while pending changes nothing. */
	CHECK_EQ(ev_send(ipi), 0);
	CHECK_EQ(hits[ipi], before);
	/* Unmasking (locally, then EVTCHNOP_unmask) delivers it, once. */
	pv_unmask(ipi);
	CHECK_EQ(hits[ipi], before + 1);
	CHECK(!pv_pending(ipi), "still pending after delivery");

	/* EVTCHNOP_unmask alone clears the mask bit and delivers. */
	pv_mask(ipi);
	ev_send(ipi);
	CHECK_EQ(hits[ipi], before + 1);
	CHECK_EQ(ev_unmask_op(ipi), 0);
	CHECK_EQ(hits[ipi], before + 2);
	CHECK(!(shared_info->evtchn_mask[ipi / 64] & (1UL << (ipi % 64))),
	      "EVTCHNOP_unmask left the mask bit set");

	/* The vCPU's upcall mask holds every port back. */
	pv_events_disable();
	ev_send(ipi);
	CHECK_EQ(hits[ipi], before + 2);
	CHECK_EQ(vi->evtchn_upcall_pending, 1);
	pv_events_enable();
	CHECK_EQ(hits[ipi], before + 3);
}

static void check_loopback(void)
{
	struct evtchn_status st;
	uint32_t a, b, me;
	unsigned int ha, hb;

	pv_test_group("loopback interdomain channel");
	CHECK_EQ(ev_alloc_unbound(DOMID_SELF, DOMID_SELF, &a), 0);
	CHECK_EQ(ev_status(DOMID_SELF, a, &st), 0);
	CHECK_EQ(st.status, EVTCHNSTAT_unbound);
	me = st.u.unbound.dom; /* DOMID_SELF resolves to our id */
	CHECK_EQ(me, ev_arg_num("domid", 0xffff));
	CHECK_EQ(ev_bind_interdomain(DOMID_SELF, a, &b), 0);
	CHECK(b != a, "bound to itself");
	CHECK_EQ(ev_status(DOMID_SELF, a, &st), 0);
	CHECK_EQ(st.status, EVTCHNSTAT_interdomain);
	CHECK_EQ(st.u.interdomain.dom, me);
	CHECK_EQ(st.u.interdomain.port, b);
	CHECK_EQ(ev_status(me, b, &st), 0); /* our own id works like SELF */
	CHECK_EQ(st.status, EVTCHNSTAT_interdomain);
	CHECK_EQ(st.u.interdomain.port, a);
	/* Binding an already-bound port fails. */
	CHECK_EQ(ev_bind_interdomain(DOMID_SELF, a, NULL), -EINVAL);
	ha = hits[a];
	hb = hits[b];
	CHECK_EQ(ev_send(a), 0);
	CHECK_EQ(hits[b], hb + 1);
	CHECK_EQ(hits[a], ha);
	CHECK_EQ(ev_send(b), 0);
	CHECK_EQ(hits[a], ha + 1);
	/* Closing one end leaves the other unbound, offered to us again. */
	CHECK_EQ(ev_close(a), 0);
	CHECK_EQ(ev_state(a), EVTCHNSTAT_closed);
	CHECK_EQ(ev_status(DOMID_SELF, b, &st), 0);
	CHECK_EQ(st.status, EVTCHNSTAT_unbound);
	CHECK_EQ(st.u.unbound.dom, me);
	/* A send on an unbound port is dropped without error. */
	hb = hits[b];
	CHECK_EQ(ev_send(b), 0);
	CHECK_EQ(hits[b], hb);
	CHECK_EQ(ev_close(b), 0);
	/* Allocating in our own domain by id is allowed. */
	CHECK_EQ(ev_alloc_unbound(me, 0, &a), 0);
	CHECK_EQ(ev_close(a), 0);
}

static void check_close(void)
{
	uint32_t p;

	pv_test_group("close");
	CHECK_EQ(ev_bind_ipi(0, &p), 0);
	/* A pending event does not survive the close. */
	pv_mask(p);
	ev_send(p);
	CHECK(pv_pending(p), "not pending");
	CHECK_EQ(ev_close(p), 0);
	CHECK(!pv_pending(p), "closed port still pending");
	pv_unmask(p);
	CHECK_EQ(ev_state(p), EVTCHNSTAT_closed);
	CHECK_EQ(ev_send(p), -EINVAL);
	CHECK_EQ(ev_close(p), -EINVAL);
	/* The port is reused by the next binding. */
	CHECK_EQ(ev_bind_ipi(0, &ipi), 0);
	CHECK_EQ(ipi, p);
}

static const uint32_t bad_ports[] = { 4096, 4097, 0x10000, 0x7fffffff,
				      0xffffffff };

/* A port that was never allocated: -EINVAL for every operation. */
static void check_unallocated_ports(uint32_t p)
{
	struct evtchn_status st;

	CHECK(ev_send(p) == -EINVAL, "send %u", p);
	CHECK(ev_close(p) == -EINVAL, "close %u", p);
	CHECK(ev_unmask_op(p) == -EINVAL, "unmask %u", p);
	CHECK(ev_status(DOMID_SELF, p, &st) == -EINVAL, "status %u", p);
	CHECK(ev_bind_vcpu(p, 0) == -EINVAL, "bind_vcpu %u", p);
	CHECK(ev_bind_interdomain(DOMID_SELF, p, NULL) == -EINVAL,
	      "bind_interdomain %u", p);
	CHECK(sched_poll(&p, 1, pv_now() + NS_PER_MS) == -EINVAL, "poll %u",
	      p);
}

/* Allocating port 64 makes ports 64-127 valid, and they stay valid. */
static void check_bucket_growth(void)
{
	uint32_t ports[NPORTS + 1], n = 0, p = 0;

	while (n < ARRAY_SIZE(ports) && p < NPORTS &&
	       !ev_alloc_unbound(DOMID_SELF, 0, &p))
		ports[n++] = p;
	CHECK_EQ(p, 64);
	CHECK_EQ(ev_state(64), EVTCHNSTAT_unbound);
	CHECK_EQ(ev_state(127), EVTCHNSTAT_closed);
	CHECK_EQ(ev_unmask_op(127), 0);
	CHECK_EQ(ev_state(128), -EINVAL);
	for (uint32_t i = 0; i < n; i++)
		ev_close(ports[i]);
	CHECK_EQ(ev_state(64), EVTCHNSTAT_closed);
	CHECK_EQ(ev_state(100), EVTCHNSTAT_closed);
	check_unallocated_ports(128);
}

static void check_bad_ports(void)
{
	struct evtchn_status st;

	pv_test_group("bad ports");
	for (unsigned int i = 0; i < ARRAY_SIZE(bad_ports); i++) {
		uint32_t p = bad_ports[i];

		CHECK(ev_send(p) == -EINVAL, "send %#x", p);
		CHECK(ev_close(p) == -EINVAL, "close %#x", p);
		CHECK(ev_unmask_op(p) == -EINVAL, "unmask %#x", p);
		CHECK(ev_status(DOMID_SELF, p, &st) == -EINVAL, "status %#x",
		      p);
		CHECK(ev_bind_vcpu(p, 0) == -EINVAL, "bind_vcpu %#x", p);
		CHECK(ev_bind_interdomain(DOMID_SELF, p, NULL) == -EINVAL,
		      "bind_interdomain %#x", p);
		CHECK(sched_poll(&p, 1, pv_now() + NS_PER_MS) == -EINVAL,
		      "poll %#x", p);
	}
	/*
	 * Xen allocates ports in buckets of 64: port 0 is reserved, but its
	 * bucket exists, so its status is closed and unmask does nothing.
	 */
	CHECK_EQ(ev_send(0), -EINVAL);
	CHECK_EQ(ev_close(0), -EINVAL);
	CHECK_EQ(ev_bind_vcpu(0, 0), -EINVAL);
	CHECK_EQ(ev_bind_interdomain(DOMID_SELF, 0, NULL), -EINVAL);
	CHECK_EQ(ev_state(0), EVTCHNSTAT_closed);
	CHECK_EQ(ev_unmask_op(0), 0);
	/* A free port in an allocated bucket: closed, nothing else. */
	CHECK_EQ(ev_state(60), EVTCHNSTAT_closed);
	CHECK_EQ(ev_unmask_op(60), 0);
	CHECK_EQ(ev_send(60), -EINVAL);
	CHECK_EQ(ev_close(60), -EINVAL);
	CHECK_EQ(ev_bind_vcpu(60, 0), -EINVAL);
	check_unallocated_ports(64);
	check_unallocated_ports(1000);
	check_unallocated_ports(4095);
	check_bucket_growth();
	/* Bad argument pointers. */
	CHECK_EQ(evtchn_op(EVTCHNOP_send, NULL), -EFAULT);
	CHECK_EQ(evtchn_op(EVTCHNOP_status, HV_ADDR), -EFAULT);
	CHECK_EQ(evtchn_op(EVTCHNOP_bind_ipi, (void *)0x800000000000UL),
		 -EFAULT);
}

static void check_privilege(void)
{
	struct evtchn_status st;
	struct evtchn_reset r = { .dom = 0 };

	pv_test_group("other domains' channels are off limits");
	CHECK_EQ(ev_alloc_unbound(0, DOMID_SELF, NULL), -EPERM);
	CHECK_EQ(ev_status(0, 1, &st), -EPERM);
	CHECK_EQ(evtchn_op(EVTCHNOP_reset, &r), -EPERM);
	/* A domain that does not exist. */
	CHECK_EQ(ev_alloc_unbound(63, DOMID_SELF, NULL), -ESRCH);
	CHECK_EQ(ev_bind_interdomain(63, 1, NULL), -ESRCH);
	CHECK_EQ(ev_bind_interdomain(DOMID_IO, 1, NULL), -ESRCH);
}

static void check_reset(void)
{
	struct evtchn_reset r = { .dom = DOMID_SELF };
	uint32_t p;
	bool all_closed = true;

	pv_test_group("EVTCHNOP_reset");
	CHECK(ev_state(ipi) == EVTCHNSTAT_ipi, "no IPI before reset");
	CHECK_EQ(evtchn_op(EVTCHNOP_reset, &r), 0);
	for (p = 1; p < NPORTS; p++)
		if (ev_state(p) != EVTCHNSTAT_closed) {
			printf("port %u still open: status %ld\n", p,
			       ev_state(p));
			all_closed = false;
		}
	CHECK(all_closed, "ports left open");
	/* Everything is free again: the VIRQ can be bound anew, on port 1. */
	CHECK_EQ(ev_bind_virq(VIRQ_TIMER, 0, &p), 0);
	CHECK_EQ(p, 1);
	CHECK_EQ(evtchn_op(EVTCHNOP_reset, &r), 0);
	CHECK_EQ(ev_state(1), EVTCHNSTAT_closed);
}

void pv_main(void)
{
	for (uint32_t p = 1; p < NPORTS; p++)
		pv_bind_handler(p, on_event);
	pv_events_enable();

	check_fifo_probe();
	check_builder_ports();
	check_ipi();
	check_virq();
	check_bind_vcpu();
	check_masking();
	check_loopback();
	check_close();
	check_bad_ports();
	check_privilege();
	check_reset();
	pv_test_summary();
}
