/*
 * The domain that has to keep running while others are crashed (run as
 * domain 0 beside the crash_* guests): it keeps taking timer events and
 * traps, and waits until the hypervisor has told it, with VIRQ_DOM_EXC,
 * that domains shut down. It then goes on for a while before reporting,
 * so that its result line follows every crash.
 */
#include <pv/hypercall.h>
#include <pv/libpv.h>
#include <xen/event_channel.h>

#define MS 1000000ULL

static volatile unsigned long timer_hits, exc_hits, bp_hits;

static void on_timer(uint32_t port)
{
	(void)port;
	timer_hits++;
}

static void on_dom_exc(uint32_t port)
{
	(void)port;
	exc_hits++;
}

static void on_bp(struct pv_frame *f)
{
	(void)f;
	bp_hits++;
}

static uint32_t bind_virq(uint32_t virq, pv_event_handler h)
{
	struct evtchn_bind_virq bv = { virq, 0, 0 };

	CHECK_EQ(HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bv), 0);
	pv_bind_handler(bv.port, h);
	pv_unmask(bv.port);
	return bv.port;
}

void pv_main(void)
{
	uint64_t start, first_exc = 0;
	unsigned long rounds = 0;

	bind_virq(VIRQ_TIMER, on_timer);
	bind_virq(VIRQ_DOM_EXC, on_dom_exc);
	pv_set_trap_handler(3, on_bp);
	pv_events_enable();
	start = pv_now();
	while (pv_now() - start < 60000 * MS) {
		unsigned long t = timer_hits;

		CHECK_EQ(HYPERVISOR_set_timer_op(pv_now() + 20 * MS), 0);
		pv_block_until(timer_hits != t);
		asm volatile("int3" ::: "memory");
		rounds++;
		if (exc_hits && !first_exc) {
			first_exc = pv_now();
			printf("domain exception VIRQ after %lu ms\n",
			       (unsigned long)((first_exc - start) / MS));
		}
		if (first_exc && pv_now() - first_exc > 2000 * MS)
			break;
	}
	CHECK(exc_hits > 0, "no VIRQ_DOM_EXC in 60 s");
	CHECK_EQ(bp_hits, rounds);
	CHECK(rounds >= 50, "only %lu rounds", rounds);
	printf("still running after the crashes: %lu rounds\n", rounds);
	pv_test_summary();
}
