/*
 * Event channels between boot-time domains. There is no xenstore yet, so
 * the peers find each other by convention:
 *
 *   - The domain builder allocates ports 1 (xenstore) and 2 (console) of
 *     every domain, so a domain's first free port is 3. Each role checks
 *     that with EVTCHNOP_status before relying on it.
 *   - role=ctl (domain 0) runs only when the builder has finished, and
 *     then allocates port 3 of domain 1 (offered to itself): the go.
 *   - role=offer (domain 1) waits for the go, closes that port, waits
 *     delay=MS (so that domain 2 is already trying), and allocates
 *     port 3 offered to domain 2 (the ping-pong channel), port 4
 *     offered to domain 2 (never bound: bait for the intruder) and
 *     port 5 offered to domain 3.
 *   - role=bind (domain 2) retries bind_interdomain(1, 3), yielding
 *     between tries, until domain 1 has offered it. It then signals
 *     "ready", and the two ping-pong rounds=N times; domain 2 closes its
 *     end and domain 1 sees its port fall back to unbound.
 *   - role=intruder (domain 3) offers its port 3 to domain 0, binds
 *     domain 1's port 5, and tries what it must not: ports offered to
 *     someone else, ports already bound, other domains' channels, and
 *     remote_shutdown. When domain 0 says "go" on its port 3 it answers
 *     there and waits.
 *   - role=ctl (domain 0, privileged) also binds domain 3's port 3,
 *     looks at other domains' channels, says "go" to domain 3, allocates
 *     a port in it, and on domain 3's answer shuts it down remotely with
 *     reason reboot.
 *
 * Each side starts sending only after the other's bind has returned: the
 * bind marks the binder's new port pending, and a send racing with that
 * would be merged into the same event.
 */
#include "ev_common.h"

#define NPORTS 64
#define WAIT_NS (20000 * NS_PER_MS)

static volatile unsigned int hits[NPORTS];
static uint32_t timer_port;

static void on_event(uint32_t port)
{
	if (port < NPORTS)
		hits[port]++;
}

static void bind_timer(void)
{
	CHECK_EQ(ev_bind_virq(VIRQ_TIMER, 0, &timer_port), 0);
}

/* Sleep until hits[port] reaches n (the timer bounds each nap). */
static bool wait_hits(uint32_t port, unsigned int n)
{
	uint64_t end = pv_now() + WAIT_NS;

	while (hits[port] < n) {
		uint64_t now = pv_now();

		if (now > end)
			return false;
		pv_block_timeout(now + 100 * NS_PER_MS);
	}
	return true;
}

/* Yield until our port reaches the given status. */
static bool wait_status(uint32_t port, uint32_t status)
{
	uint64_t end = pv_now() + WAIT_NS;

	while (ev_state(port) != (long)status) {
		if (pv_now() > end)
			return false;
		sched_yield();
	}
	return true;
}

static void check_first_free(void)
{
	CHECK_EQ(ev_state(1), EVTCHNSTAT_unbound);
	CHECK_EQ(ev_state(2), EVTCHNSTAT_unbound);
	CHECK_EQ(ev_state(3), EVTCHNSTAT_closed);
}

static unsigned long rounds;

static void role_offer(void)
{
	struct evtchn_status st;
	uint32_t ping, bait, door;
	uint64_t t0, t1;

	pv_test_group("offer: wait for domain 0's go");
	/*
	 * Domain 0 runs only once the builder is done with every domain.
	 * It then allocates our port 3 (offered to itself): that is the go.
	 * We free the port again and give domain 2 delay=MS to start trying
	 * (and failing) to bind.
	 */
	CHECK(wait_status(3, EVTCHNSTAT_unbound), "no go from domain 0");
	CHECK_EQ(ev_status(DOMID_SELF, 3, &st), 0);
	CHECK_EQ(st.u.unbound.dom, 0);
	CHECK_EQ(ev_close(3), 0);
	t0 = pv_now() + ev_arg_num("delay", 50) * NS_PER_MS;
	while (pv_now() < t0)
		sched_yield();

	pv_test_group("offer: ports 3 and 4 for domain 2, 5 for domain 3");
	check_first_free();
	CHECK_EQ(ev_alloc_unbound(DOMID_SELF, 2, &ping), 0);
	CHECK_EQ(ping, 3);
	CHECK_EQ(ev_alloc_unbound(DOMID_SELF, 2, &bait), 0);
	CHECK_EQ(bait, 4);
	CHECK_EQ(ev_alloc_unbound(DOMID_SELF, 3, &door), 0);
	CHECK_EQ(door, 5);
	/* Domain 2 may have bound it already (unbound.dom and
	 * interdomain.dom are the same field). */
	CHECK_EQ(ev_status(DOMID_SELF, ping, &st), 0);
	CHECK(st.status == EVTCHNSTAT_unbound ||
		  st.status == EVTCHNSTAT_interdomain,
	      "status %u", st.status);
	CHECK_EQ(st.u.unbound.dom, 2);
	bind_timer();

	pv_test_group("offer: domain 2 binds, ping-pong");
	CHECK(wait_status(ping, EVTCHNSTAT_interdomain),
	      "domain 2 never bound");
	CHECK_EQ(ev_status(DOMID_SELF, ping, &st), 0);
	CHECK_EQ(st.u.interdomain.dom, 2);
	CHECK_EQ(st.u.interdomain.port, 3); /* domain 2's first free port */
	CHECK(wait_hits(ping, 1), "no ready signal");
	t0 = pv_now();
	for (unsigned long i = 1; i <= rounds; i++) {
		if (ev_send(ping) || !wait_hits(ping, 1 + i)) {
			CHECK(false, "round %lu: no pong", i);
			break;
		}
	}
	t1 = pv_now();
	CHECK_EQ(hits[ping], 1 + rounds);
	printf("ping-pong: %lu round trips, %lu us each\n", rounds,
	       (t1 - t0) / 1000 / (rounds ? rounds : 1));

	pv_test_group("offer: domain 2 closes, our end is unbound again");
	CHECK(wait_status(ping, EVTCHNSTAT_unbound), "still bound");
	CHECK_EQ(ev_status(DOMID_SELF, ping, &st), 0);
	CHECK_EQ(st.u.unbound.dom, 2);
	CHECK_EQ(ev_send(ping), 0); /* nobody listens: dropped */

	pv_test_group("offer: domain 3 gets only what it was offered");
	CHECK(wait_status(door, EVTCHNSTAT_interdomain),
	      "domain 3 never bound");
	CHECK_EQ(ev_status(DOMID_SELF, door, &st), 0);
	CHECK_EQ(st.u.interdomain.dom, 3);
	CHECK(wait_hits(door, 1), "no event from domain 3");
	CHECK_EQ(ev_status(DOMID_SELF, bait, &st), 0);
	CHECK_EQ(st.status, EVTCHNSTAT_unbound);
	CHECK_EQ(st.u.unbound.dom, 2);
	CHECK_EQ(ev_close(door), 0);
	CHECK_EQ(ev_close(bait), 0);
}

/* Wait for the next ping with SCHEDOP_poll on the masked port. */
static bool poll_ping(uint32_t port)
{
	uint64_t end = pv_now() + WAIT_NS;

	while (!pv_pending(port)) {
		if (pv_now() > end)
			return false;
		sched_poll(&port, 1, pv_now() + 100 * NS_PER_MS);
	}
	pv_clear(port);
	return true;
}

static void role_bind(void)
{
	struct evtchn_status st;
	uint64_t end = pv_now() + WAIT_NS;
	uint32_t port = 0;
	unsigned long tries = 0;
	long rc;

	pv_test_group("bind: retry until domain 1 offers port 3");
	check_first_free();
	while ((rc = ev_bind_interdomain(1, 3, &port)) != 0) {
		tries++;
		if (rc != -EINVAL || pv_now() > end)
			break;
		sched_yield();
	}
	CHECK_EQ(rc, 0);
	printf("bound after %lu failed tries\n", tries);
	CHECK_EQ(port, 3);
	CHECK_EQ(ev_status(DOMID_SELF, port, &st), 0);
	CHECK_EQ(st.status, EVTCHNSTAT_interdomain);
	CHECK_EQ(st.u.interdomain.dom, 1);
	CHECK_EQ(st.u.interdomain.port, 3);
	/* Already bound: a second bind fails. */
	CHECK_EQ(ev_bind_interdomain(1, 3, NULL), -EINVAL);
	/* Port 4 is offered to us too; leave it for the intruder test. */
	bind_timer();

	pv_test_group("bind: ping-pong (block, then poll on a masked port)");
	hits[port] = 0; /* the bind itself marks the new port pending */
	CHECK_EQ(ev_send(port), 0); /* ready */
	for (unsigned long i = 1; i <= rounds; i++) {
		bool got;

		if (i <= rounds / 2)
			got = wait_hits(port, (unsigned int)i);
		else
			got = poll_ping(port);
		/* Switch to polling before the pong that lets the next ping
		 * come: from then on it must only mark the port pending. */
		if (i == rounds / 2)
			pv_mask(port);
		if (!got || ev_send(port)) {
			CHECK(false, "round %lu: no ping", i);
			break;
		}
	}
	CHECK_EQ(hits[port], rounds / 2);
	pv_unmask(port);

	pv_test_group("bind: close our end");
	CHECK_EQ(ev_close(port), 0);
	CHECK_EQ(ev_state(port), EVTCHNSTAT_closed);
	CHECK_EQ(ev_send(port), -EINVAL);
}

static void role_intruder(void)
{
	struct evtchn_status st;
	struct evtchn_reset r = { .dom = 1 };
	struct sched_remote_shutdown rs = { .domain_id = 1, .reason = 0 };
	uint64_t end = pv_now() + WAIT_NS;
	uint32_t mine, door = 0;
	long rc;

	pv_test_group("intruder: a channel for domain 0, domain 1's port 5");
	check_first_free();
	CHECK_EQ(ev_alloc_unbound(DOMID_SELF, 0, &mine), 0);
	CHECK_EQ(mine, 3);
	while ((rc = ev_bind_interdomain(1, 5, &door)) == -EINVAL &&
	       pv_now() < end)
		sched_yield();
	CHECK_EQ(rc, 0);
	CHECK_EQ(door, 4);
	bind_timer();

	pv_test_group("intruder: ports not offered to us");
	/* Xen answers -EINVAL for all of these (not -EPERM). */
	CHECK_EQ(ev_bind_interdomain(1, 4, NULL), -EINVAL); /* for d2 */
	CHECK_EQ(ev_bind_interdomain(1, 3, NULL), -EINVAL); /* d2's */
	CHECK_EQ(ev_bind_interdomain(1, 1, NULL), -EINVAL); /* for d0 */
	CHECK_EQ(ev_bind_interdomain(1, 5, NULL), -EINVAL); /* ours now */
	CHECK_EQ(ev_bind_interdomain(1, 4095, NULL), -EINVAL); /* free */
	CHECK_EQ(ev_bind_interdomain(1, 4096, NULL), -EINVAL);
	CHECK_EQ(ev_bind_interdomain(1, 0, NULL), -EINVAL);
	CHECK_EQ(ev_bind_interdomain(62, 3, NULL), -ESRCH);

	pv_test_group("intruder: other domains' channels and shutdown");
	CHECK_EQ(ev_alloc_unbound(1, 3, NULL), -EPERM);
	CHECK_EQ(ev_alloc_unbound(2, DOMID_SELF, NULL), -EPERM);
	CHECK_EQ(ev_alloc_unbound(0, 0, NULL), -EPERM);
	CHECK_EQ(ev_status(1, 3, &st), -EPERM);
	CHECK_EQ(ev_status(0, 1, &st), -EPERM);
	CHECK_EQ(evtchn_op(EVTCHNOP_reset, &r), -EPERM);
	CHECK_EQ(HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, &rs), -EPERM);
	rs.domain_id = 0;
	CHECK_EQ(HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, &rs), -EPERM);

	pv_test_group("intruder: the legitimate channels work");
	CHECK_EQ(ev_send(door), 0);
	/* Domain 0 binds our port 3 and says "go" on it. */
	CHECK(wait_hits(mine, 1), "no go from domain 0");
	CHECK_EQ(ev_status(DOMID_SELF, mine, &st), 0);
	CHECK_EQ(st.status, EVTCHNSTAT_interdomain);
	CHECK_EQ(st.u.interdomain.dom, 0);
	pv_test_summary();
	/* Tell domain 0 we are done; it shuts us down with "reboot". */
	CHECK_EQ(ev_send(mine), 0);
	end = pv_now() + WAIT_NS;
	while (pv_now() < end) {
		pv_block_timeout(pv_now() + 100 * NS_PER_MS);
	}
	pv_panic("domain 0 did not shut us down");
}

static void role_ctl(void)
{
	struct evtchn_status st;
	struct sched_remote_shutdown rs = { .domain_id = 3,
					    .reason = SHUTDOWN_reboot };
	uint64_t end = pv_now() + WAIT_NS;
	uint32_t port = 0, p3, exc;
	long rc;

	pv_test_group("ctl: the go for domain 1: a port in it");
	/* A privileged domain may allocate in another domain. */
	CHECK_EQ(ev_alloc_unbound(1, 0, &p3), 0);
	CHECK_EQ(p3, 3); /* domain 1's first free port */

	pv_test_group("ctl: bind domain 3's port 3");
	while ((rc = ev_bind_interdomain(3, 3, &port)) == -EINVAL &&
	       pv_now() < end)
		sched_yield();
	CHECK_EQ(rc, 0);
	bind_timer();

	pv_test_group("ctl: a privileged domain sees others' channels");
	CHECK_EQ(ev_status(3, 3, &st), 0);
	CHECK_EQ(st.status, EVTCHNSTAT_interdomain);
	CHECK_EQ(st.u.interdomain.dom, 0);
	CHECK_EQ(st.u.interdomain.port, port);
	CHECK_EQ(ev_status(1, 1, &st), 0);
	CHECK_EQ(st.status, EVTCHNSTAT_unbound);
	CHECK_EQ(st.u.unbound.dom, 0);
	CHECK_EQ(ev_status(62, 1, &st), -ESRCH);

	pv_test_group("ctl: domain 3 signals, we shut it down");
	/* The bind marked our port pending; that was handled on return. */
	CHECK_EQ(hits[port], 1);
	CHECK_EQ(ev_send(port), 0); /* go */
	CHECK(wait_hits(port, 2), "no signal from domain 3");
	CHECK_EQ(ev_alloc_unbound(3, 0, &p3), 0);
	CHECK_EQ(ev_status(3, p3, &st), 0);
	CHECK_EQ(st.status, EVTCHNSTAT_unbound);
	CHECK_EQ(st.u.unbound.dom, 0);
	rs.domain_id = 62;
	CHECK_EQ(HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, &rs), -ESRCH);
	rs.domain_id = 3;
	rs.reason = 99;
	CHECK_EQ(HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, &rs), -EINVAL);
	/* A shutdown raises the global VIRQ_DOM_EXC in domain 0. */
	CHECK_EQ(ev_bind_virq(VIRQ_DOM_EXC, 0, &exc), 0);
	rs.reason = SHUTDOWN_reboot;
	CHECK_EQ(HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, &rs), 0);
	CHECK(wait_hits(exc, 1), "no VIRQ_DOM_EXC");
	/* Its channels stay until it is destroyed. */
	CHECK_EQ(ev_status(3, 3, &st), 0);
	CHECK_EQ(st.status, EVTCHNSTAT_interdomain);
}

void pv_main(void)
{
	for (uint32_t p = 1; p < NPORTS; p++)
		pv_bind_handler(p, on_event);
	pv_events_enable();
	rounds = ev_arg_num("rounds", 200);
	printf("started at %lu ms\n", pv_now() / NS_PER_MS);

	if (ev_arg_is("role", "offer"))
		role_offer();
	else if (ev_arg_is("role", "bind"))
		role_bind();
	else if (ev_arg_is("role", "intruder"))
		role_intruder();
	else if (ev_arg_is("role", "ctl"))
		role_ctl();
	else
		CHECK(false, "no role= on the command line '%s'",
		      start_info->cmd_line);
	pv_test_summary();
}
