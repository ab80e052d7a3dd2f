/*
 * Long grant batches continue instead of holding the CPU: one
 * GNTTABOP_copy of 50,000 page copies between two of our own frames
 * (more than the 4096 ops a call once took) completes, every op says
 * okay, and our own 1 ms timer keeps firing while it runs (the call
 * stops between ops for the event and continues). A count that does not
 * fit an int is refused as on Xen.
 */
#include "mmtest.h"

#define EINVAL 22
#define NR_COPIES 50000

static struct gnttab_copy ops[NR_COPIES];
static volatile uint64_t ticks;

static void on_timer(uint32_t port)
{
	(void)port;
	ticks++;
	HYPERVISOR_set_timer_op(pv_now() + 1000000);
}

void pv_main(void)
{
	struct evtchn_bind_virq bv = { VIRQ_TIMER, 0, 0 };
	uint64_t src, dst, t0, ms, n0;
	unsigned int bad = 0;

	mm_init(1);
	src = mm_alloc();
	dst = mm_alloc();
	for (unsigned int i = 0; i < NR_COPIES; i++) {
		ops[i].source.u.gmfn = src;
		ops[i].source.domid = DOMID_SELF;
		ops[i].dest.u.gmfn = dst;
		ops[i].dest.domid = DOMID_SELF;
		ops[i].len = 4096;
		ops[i].status = 99;
	}
	CHECK_EQ(HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bv), 0);
	pv_bind_handler(bv.port, on_timer);
	pv_unmask(bv.port);
	HYPERVISOR_set_timer_op(pv_now() + 1000000);
	pv_events_enable();

	pv_test_group("a 50,000-op grant copy continues while our timer runs");
	t0 = pv_now();
	n0 = ticks;
	CHECK_EQ(HYPERVISOR_grant_table_op(GNTTABOP_copy, ops, NR_COPIES), 0);
	ms = (pv_now() - t0) / 1000000;
	n0 = ticks - n0;
	for (unsigned int i = 0; i < NR_COPIES; i++)
		bad += ops[i].status != GNTST_okay;
	CHECK(!bad, "%u copies not okay", bad);
	printf("grant batch: %u copies in %lu ms, %lu timer ticks meanwhile\n",
	       NR_COPIES, ms, n0);
	CHECK(ms < 20 || n0 >= ms / 20, "%lu ticks in %lu ms", n0, ms);

	pv_test_group("a count that is not a positive int is refused");
	CHECK_EQ(HYPERVISOR_grant_table_op(GNTTABOP_copy, ops, 0x80000000U),
		 -EINVAL);
	pv_test_summary();
}
