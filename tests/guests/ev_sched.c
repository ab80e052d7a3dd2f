/*
 * sched_op: yield; block (re-enables event delivery, returns at once when
 * an event is already waiting, wakes on the timer); poll (times out, never
 * early; wakes when a polled port becomes pending even if masked, and on
 * any new upcall; long port lists; bad arguments). Timing checks allow
 * slack= us (default 1000), re-measuring a late one like ev_time does.
 */
#include "ev_common.h"

#define TRIES 3

static uint32_t timer_port, ipi_port;
static volatile unsigned int timer_hits, ipi_hits;
static volatile uint64_t fired_at;
static uint64_t slack;

static void on_timer(uint32_t port)
{
	(void)port;
	fired_at = pv_now();
	timer_hits++;
}

static void on_ipi(uint32_t port)
{
	(void)port;
	ipi_hits++;
}

static bool within(uint64_t t, uint64_t deadline)
{
	return t >= deadline && t - deadline <= slack;
}

static void check_yield(void)
{
	uint64_t t0 = pv_now();

	pv_test_group("yield");
	for (int i = 0; i < 100; i++)
		CHECK_EQ(sched_yield(), 0);
	/* Alone on its CPU, a yield comes straight back. */
	CHECK(pv_now() - t0 < 100 * NS_PER_MS, "100 yields took %lu us",
	      (pv_now() - t0) / 1000);
}

static void check_block(void)
{
	struct vcpu_info *vi = pv_vcpu_info();
	unsigned int before;
	uint64_t t0, d;
	bool ok = false;

	pv_test_group("block");
	/* Block with delivery disabled: it enables it and sleeps until the
	 * timer; the upcall runs on the way out. */
	for (int try = 0; try < TRIES && !ok; try++) {
		before = timer_hits;
		pv_events_disable();
		d = pv_now() + 2 * NS_PER_MS;
		CHECK_EQ(HYPERVISOR_set_timer_op(d), 0);
		CHECK_EQ(HYPERVISOR_sched_op(SCHEDOP_block, NULL), 0);
		CHECK_EQ(vi->evtchn_upcall_mask, 0);
		CHECK_EQ(timer_hits, before + 1);
		ok = within(fired_at, d);
	}
	CHECK(ok, "timer woke block %+ld us off the deadline",
	      (long)(fired_at - d) / 1000);

	/* An event already waiting: block returns at once and delivers. */
	before = ipi_hits;
	pv_events_disable();
	ev_send(ipi_port);
	CHECK_EQ(ipi_hits, before);
	t0 = pv_now();
	CHECK_EQ(HYPERVISOR_sched_op(SCHEDOP_block, NULL), 0);
	CHECK_EQ(ipi_hits, before + 1);
	CHECK(pv_now() - t0 < slack, "block with an event waiting slept %lu us",
	      (pv_now() - t0) / 1000);
}

/* Poll ports until timeout; returns when it woke, sets *rc. */
static uint64_t timed_poll(const uint32_t *ports, uint32_t n, uint64_t to,
			   long *rc)
{
	*rc = sched_poll(ports, n, to);
	return pv_now();
}

static void check_poll(void)
{
	uint32_t ports[20], two[2];
	uint64_t t, to, d;
	unsigned int before;
	long rc;
	bool ok;

	pv_test_group("poll: timeout");
	ok = false;
	for (int try = 0; try < TRIES && !ok; try++) {
		to = pv_now() + 3 * NS_PER_MS;
		t = timed_poll(&ipi_port, 1, to, &rc);
		CHECK_EQ(rc, 0);
		ok = within(t, to);
	}
	CHECK(ok, "poll timed out %+ld us off", (long)(t - to) / 1000);
	/* No ports at all: a plain sleep. */
	to = pv_now() + 2 * NS_PER_MS;
	t = timed_poll(NULL, 0, to, &rc);
	CHECK_EQ(rc, 0);
	CHECK(t >= to, "woke %lu us early", (to - t) / 1000);
	/* A timeout already past returns at once. */
	t = pv_now();
	CHECK_EQ(sched_poll(&ipi_port, 1, t - NS_PER_MS), 0);
	CHECK(pv_now() - t < slack, "past timeout slept");

	pv_test_group("poll: a masked port becoming pending wakes it");
	ok = false;
	for (int try = 0; try < TRIES && !ok; try++) {
		before = timer_hits;
		pv_mask(timer_port);
		d = pv_now() + 2 * NS_PER_MS;
		set_singleshot(d, 0);
		t = timed_poll(&timer_port, 1, d + 1000 * NS_PER_MS, &rc);
		CHECK_EQ(rc, 0);
		CHECK(pv_pending(timer_port), "woke without the port pending");
		CHECK_EQ(timer_hits, before); /* masked: no upcall */
		pv_unmask(timer_port);
		CHECK_EQ(timer_hits, before + 1);
		ok = within(t, d);
	}
	CHECK(ok, "woke %+ld us off the timer", (long)(t - d) / 1000);
	/* Already pending: no sleep. */
	pv_mask(ipi_port);
	ev_send(ipi_port);
	t = pv_now();
	CHECK_EQ(sched_poll(&ipi_port, 1, t + 1000 * NS_PER_MS), 0);
	CHECK(pv_now() - t < slack, "slept with the port pending");
	pv_clear(ipi_port);
	pv_unmask(ipi_port);

	pv_test_group("poll: any new upcall wakes it (as on Xen)");
	ok = false;
	for (int try = 0; try < TRIES && !ok; try++) {
		before = timer_hits;
		d = pv_now() + 2 * NS_PER_MS;
		set_singleshot(d, 0);
		/* Polls the IPI port; the timer port is unmasked. */
		t = timed_poll(&ipi_port, 1, d + 1000 * NS_PER_MS, &rc);
		CHECK_EQ(rc, 0);
		CHECK_EQ(timer_hits, before + 1);
		ok = within(t, d);
	}
	CHECK(ok, "woke %+ld us off the timer", (long)(t - d) / 1000);

	pv_test_group("poll: long port lists");
	for (unsigned int i = 0; i < ARRAY_SIZE(ports); i++)
		ports[i] = 40 + i; /* free (bucket 0, valid): never pending */
	to = pv_now() + 2 * NS_PER_MS;
	t = timed_poll(ports, ARRAY_SIZE(ports), to, &rc);
	CHECK_EQ(rc, 0);
	CHECK(t >= to, "20-port poll woke %lu us early", (to - t) / 1000);
	/* One of 20 ports pending already. */
	ports[17] = ipi_port;
	pv_mask(ipi_port);
	ev_send(ipi_port);
	t = pv_now();
	CHECK_EQ(sched_poll(ports, ARRAY_SIZE(ports), t + 1000 * NS_PER_MS), 0);
	CHECK(pv_now() - t < slack, "slept with a port pending");
	pv_clear(ipi_port);
	pv_unmask(ipi_port);
	/* One of 20 ports becoming pending (masked) wakes it. */
	ports[17] = timer_port;
	before = timer_hits;
	pv_mask(timer_port);
	d = pv_now() + 2 * NS_PER_MS;
	set_singleshot(d, 0);
	t = timed_poll(ports, ARRAY_SIZE(ports), d + 1000 * NS_PER_MS, &rc);
	CHECK_EQ(rc, 0);
	CHECK(t >= d && t < d + 500 * NS_PER_MS, "woke %+ld us off the timer",
	      (long)(t - d) / 1000);
	pv_unmask(timer_port);
	CHECK_EQ(timer_hits, before + 1);

	pv_test_group("poll: bad arguments");
	two[0] = ipi_port;
	two[1] = 4096;
	CHECK_EQ(sched_poll(two, 2, pv_now() + NS_PER_MS), -EINVAL);
	ports[5] = 5000;
	CHECK_EQ(sched_poll(ports, ARRAY_SIZE(ports), pv_now() + NS_PER_MS),
		 -EINVAL);
	CHECK_EQ(sched_poll(ports, 129, pv_now() + NS_PER_MS), -EINVAL);
	CHECK_EQ(sched_poll(HV_ADDR, 1, pv_now() + NS_PER_MS), -EFAULT);
	CHECK_EQ(sched_poll(HV_ADDR, 40, pv_now() + NS_PER_MS), -EFAULT);
	CHECK_EQ(HYPERVISOR_sched_op(SCHEDOP_poll, HV_ADDR), -EFAULT);
	CHECK_EQ(HYPERVISOR_sched_op(SCHEDOP_poll, NULL), -EFAULT);
	CHECK_EQ(HYPERVISOR_sched_op(99, NULL), -ENOSYS);
	/* Hostile timeout: far in the future, woken by the port. */
	pv_mask(timer_port);
	before = timer_hits;
	d = pv_now() + 2 * NS_PER_MS;
	set_singleshot(d, 0);
	t = timed_poll(&timer_port, 1, ~0ULL, &rc);
	CHECK_EQ(rc, 0);
	CHECK(t >= d, "woke %lu us early", (d - t) / 1000);
	pv_unmask(timer_port);
	CHECK_EQ(timer_hits, before + 1);
}

void pv_main(void)
{
	slack = ev_arg_num("slack", 1000) * NS_PER_US;
	CHECK_EQ(ev_bind_virq(VIRQ_TIMER, 0, &timer_port), 0);
	CHECK_EQ(ev_bind_ipi(0, &ipi_port), 0);
	pv_bind_handler(timer_port, on_timer);
	pv_bind_handler(ipi_port, on_ipi);
	pv_events_enable();

	check_yield();
	check_block();
	check_poll();
	pv_test_summary();
}
