/*
 * The credit scheduler from the guests' side.
 *
 * role=ctl (domain 0): checks scheduler_op's rules (Xen's: the id of the
 *   scheduler that runs, put/getinfo only, weight 0 and cap 0xffff keep
 *   the value) and sets the weights and caps given as wN=WEIGHT and
 *   cN=CAP for domain N (N = 1..7).
 * role=hog: spins; from start=MS of system time on, for win=MS, measures
 *   the time it ran (runstate) and prints "hog: ran R of W ms (P.P%)";
 *   the scenario compares the hogs. It spins on for a second after its
 *   window, so that no hog has the CPU to itself in another's window.
 * role=quick: ends at once (a domain whose CPU then idles).
 */
#include "ctl_common.h"

#define NS_PER_MS_ 1000000UL

static long sched_op(domid_t dom, uint32_t id, uint32_t cmd, uint16_t weight,
		     uint16_t cap, struct xen_domctl_sched_credit *out)
{
	struct xen_domctl op = { 0 };
	long rc;

	op.u.scheduler_op.sched_id = id;
	op.u.scheduler_op.cmd = cmd;
	op.u.scheduler_op.u.credit.weight = weight;
	op.u.scheduler_op.u.credit.cap = cap;
	rc = domctl(XEN_DOMCTL_scheduler_op, dom, &op);
	if (out)
		*out = op.u.scheduler_op.u.credit;
	return rc;
}

static void rules(void)
{
	struct xen_domctl_sched_credit c;

	pv_test_group("ctl: scheduler_op's rules");
	CHECK_EQ(sched_op(1, XEN_SCHEDULER_CREDIT, XEN_DOMCTL_SCHEDOP_getinfo,
			  0, 0, &c),
		 0);
	CHECK_EQ(c.weight, 256); /* Xen's default */
	CHECK_EQ(c.cap, 0);
	CHECK_EQ(sched_op(1, XEN_SCHEDULER_CREDIT2, XEN_DOMCTL_SCHEDOP_getinfo,
			  0, 0, NULL),
		 -EINVAL); /* not the scheduler that runs */
	CHECK_EQ(sched_op(1, XEN_SCHEDULER_CREDIT,
			  XEN_DOMCTL_SCHEDOP_putvcpuinfo, 0, 0, NULL),
		 -EINVAL);
	CHECK_EQ(sched_op(1, XEN_SCHEDULER_CREDIT, 7, 0, 0, NULL), -EINVAL);
	CHECK_EQ(sched_op(60, XEN_SCHEDULER_CREDIT, XEN_DOMCTL_SCHEDOP_getinfo,
			  0, 0, NULL),
		 -ESRCH);
	/* Weight 0 and cap 0xffff change nothing; the rest is taken. */
	CHECK_EQ(sched_op(1, XEN_SCHEDULER_CREDIT, XEN_DOMCTL_SCHEDOP_putinfo,
			  300, 20, NULL),
		 0);
	CHECK_EQ(sched_op(1, XEN_SCHEDULER_CREDIT, XEN_DOMCTL_SCHEDOP_putinfo,
			  0, 0xffff, NULL),
		 0);
	CHECK_EQ(sched_op(1, XEN_SCHEDULER_CREDIT, XEN_DOMCTL_SCHEDOP_getinfo,
			  0, 0, &c),
		 0);
	CHECK_EQ(c.weight, 300);
	CHECK_EQ(c.cap, 20);
	CHECK_EQ(sched_op(1, XEN_SCHEDULER_CREDIT, XEN_DOMCTL_SCHEDOP_putinfo,
			  256, 0, NULL),
		 0);
}

static void role_ctl(void)
{
	char key[4] = "w1";

	rules();
	pv_test_group("ctl: the weights and caps asked for");
	for (char n = '1'; n <= '7'; n++) {
		long w, c;

		key[1] = n;
		key[0] = 'w';
		w = pv_arg(key, 0);
		key[0] = 'c';
		c = pv_arg(key, 0xffff);
		if (!w && c == 0xffff)
			continue;
		CHECK_EQ(sched_op((domid_t)(n - '0'), XEN_SCHEDULER_CREDIT,
				  XEN_DOMCTL_SCHEDOP_putinfo, (uint16_t)w,
				  (uint16_t)c, NULL),
			 0);
		printf("ctl: d%c weight %ld cap %ld\n", n, w, c);
	}
}

static uint64_t ran_ns(void)
{
	struct vcpu_runstate_info r;

	if (HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, &r))
		pv_panic("no runstate");
	return r.time[RUNSTATE_running];
}

static void role_hog(void)
{
	uint64_t start = (uint64_t)pv_arg("start", 1000) * NS_PER_MS_;
	uint64_t win = (uint64_t)pv_arg("win", 3000) * NS_PER_MS_;
	uint64_t r0, r1, t0, t1;

	pv_test_group("hog: spin and count what it ran");
	while (pv_now() < start)
		cpu_relax();
	/* From `start`, which all hogs share: what we ran since, we ran
	 * just now (it is running time from before that is left out). */
	t0 = start;
	r0 = ran_ns();
	while (pv_now() < t0 + win)
		cpu_relax();
	t1 = pv_now();
	r1 = ran_ns();
	while (pv_now() < t0 + win + 1000 * NS_PER_MS_)
		cpu_relax();
	CHECK(r1 > r0 && r1 - r0 <= t1 - t0 + NS_PER_MS_, "ran %lu ns of %lu",
	      r1 - r0, t1 - t0);
	printf("hog: ran %lu of %lu ms (%lu.%lu%%)\n", (r1 - r0) / NS_PER_MS_,
	       (t1 - t0) / NS_PER_MS_, (r1 - r0) * 100 / (t1 - t0),
	       (r1 - r0) * 1000 / (t1 - t0) % 10);
}

void pv_main(void)
{
	if (ev_arg_is("role", "ctl"))
		role_ctl();
	else if (ev_arg_is("role", "hog"))
		role_hog();
	else {
		pv_test_group("quick: end at once");
		CHECK(ev_arg_is("role", "quick"), "role=ctl|hog|quick");
	}
	pv_test_summary();
}
