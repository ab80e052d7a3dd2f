/*
 * vcpu_op beyond timers: is_up, get_runstate_info, a registered runstate
 * area that the hypervisor keeps up to date (state, accumulated times,
 * the runstate_update_flag protocol), and VCPUOP_register_vcpu_info
 * (refusals, the move itself, and events and time working afterwards).
 *
 * With steal=1 the guest first spins for 300 ms: run two such guests on
 * the same CPU and each must see time spent runnable (stolen).
 */
#include "ev_common.h"

static uint32_t timer_port, ipi_port;
static volatile unsigned int timer_hits, ipi_hits;

static struct vcpu_runstate_info runstate __attribute__((aligned(64)));
/* A page for the vcpu_info, which goes at an offset inside it. */
static uint8_t vi_page[4096] __attribute__((aligned(4096)));

static void on_timer(uint32_t port)
{
	(void)port;
	timer_hits++;
}

static void on_ipi(uint32_t port)
{
	(void)port;
	ipi_hits++;
}

static void sleep_ms(uint64_t ms)
{
	unsigned int before = timer_hits;
	uint64_t d = pv_now() + ms * NS_PER_MS;

	HYPERVISOR_set_timer_op(d);
	pv_block_until(timer_hits != before && pv_now() >= d);
}

static uint64_t total(const struct vcpu_runstate_info *r)
{
	return r->time[0] + r->time[1] + r->time[2] + r->time[3];
}

static void check_is_up(void)
{
	pv_test_group("VCPUOP_is_up");
	CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_is_up, 0, NULL), 1);
	CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, NULL), -ENOENT);
	CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_is_up, 7, NULL), -ENOENT);
	CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_is_up, 8192, NULL), -ENOENT);
	CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_is_up, 0xffffffff, NULL), -ENOENT);
	CHECK_EQ(HYPERVISOR_vcpu_op(99, 0, NULL), -ENOSYS);
}

static void check_get_runstate(void)
{
	struct vcpu_runstate_info r, r2;
	uint64_t now;

	pv_test_group("VCPUOP_get_runstate_info");
	CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, &r), 0);
	now = pv_now();
	CHECK_EQ(r.state, RUNSTATE_running);
	CHECK(r.state_entry_time <= now, "entered the state in the future");
	CHECK(r.time[RUNSTATE_offline] == 0, "offline for %lu ns",
	      r.time[RUNSTATE_offline]);
	/* The times count from the vCPU's creation, after the hypervisor's
	 * boot: less than the system time at the last state change. */
	CHECK(total(&r) < r.state_entry_time, "%lu ns in states by %lu",
	      total(&r), r.state_entry_time);
	/* A busy host may stop QEMU's thread for longer than the sleep
	 * before we block (the timer is then due at once): a few tries. */
	for (unsigned int try = 0; try < 5; try++) {
		if (try)
			r = r2;
		sleep_ms(5);
		CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, &r2),
			 0);
		if (r2.time[RUNSTATE_blocked] >=
		    r.time[RUNSTATE_blocked] + 4 * NS_PER_MS)
			break;
	}
	CHECK(r2.time[RUNSTATE_blocked] >=
		  r.time[RUNSTATE_blocked] + 4 * NS_PER_MS,
	      "blocked time grew by %lu ns in a 5 ms sleep",
	      r2.time[RUNSTATE_blocked] - r.time[RUNSTATE_blocked]);
	CHECK(r2.state_entry_time > r.state_entry_time, "no state change");
	CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 1, &r), -ENOENT);
	CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, HV_ADDR),
		 -EFAULT);
}

static void check_runstate_area(void)
{
	struct vcpu_register_runstate_memory_area a;
	struct vcpu_runstate_info r0;
	uint64_t entry;

	pv_test_group("VCPUOP_register_runstate_memory_area");
	a.addr.h = (uint64_t)HV_ADDR;
	CHECK_EQ(
	    HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &a),
	    -EFAULT);
	a.addr.h = (uint64_t)&runstate;
	CHECK_EQ(
	    HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 1, &a),
	    -ENOENT);
	memset(&runstate, 0xff, sizeof(runstate));
	CHECK_EQ(
	    HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &a), 0);
	/* Filled in at once. */
	CHECK_EQ(runstate.state, RUNSTATE_running);
	CHECK(runstate.state_entry_time <= pv_now(), "entry in the future");
	r0 = runstate;

	/* Blocking and waking: updated on each switch. */
	sleep_ms(10);
	CHECK_EQ(runstate.state, RUNSTATE_running);
	CHECK(runstate.state_entry_time > r0.state_entry_time,
	      "state_entry_time did not move");
	CHECK(runstate.time[RUNSTATE_blocked] >=
		  r0.time[RUNSTATE_blocked] + 9 * NS_PER_MS,
	      "blocked time grew by %lu ns in a 10 ms sleep",
	      runstate.time[RUNSTATE_blocked] - r0.time[RUNSTATE_blocked]);
	CHECK(runstate.time[RUNSTATE_running] > r0.time[RUNSTATE_running],
	      "running time did not grow");

	/* runstate_update_flag: the flag is never left set. */
	CHECK_EQ(
	    HYPERVISOR_vm_assist(0 /* enable */, 5 /* runstate_update_flag */),
	    0);
	sleep_ms(2);
	entry = runstate.state_entry_time;
	CHECK(!(entry & XEN_RUNSTATE_UPDATE), "update flag left set");
	CHECK(entry > r0.state_entry_time, "not updated with the flag on");
	HYPERVISOR_vm_assist(1 /* disable */, 5);

	/* Unregistering (address 0) stops the updates. */
	a.addr.h = 0;
	CHECK_EQ(
	    HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &a), 0);
	r0 = runstate;
	sleep_ms(2);
	CHECK(runstate.state_entry_time == r0.state_entry_time,
	      "updated after unregistering");
	a.addr.h = (uint64_t)&runstate;
	CHECK_EQ(
	    HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &a), 0);
}

/*
 * The twins start a few hundred ms apart. Spin in 100 ms windows until
 * one in which the twin took 30 ms from us (seen in the runstate area,
 * updated when it preempts us): then it is spinning too, and we go on
 * for 300 ms more so that it sees the same.
 */
static void check_steal(void)
{
	struct vcpu_runstate_info r0 = runstate;
	uint64_t t0 = pv_now(), stolen, end = t0 + 5000 * NS_PER_MS;
	uint64_t window = t0, before = r0.time[RUNSTATE_runnable];

	pv_test_group("steal time (a twin spins on the same CPU)");
	while (pv_now() < end) {
		uint64_t now = pv_now(), runnable;

		cpu_relax();
		if (now < window + 100 * NS_PER_MS)
			continue;
		runnable = runstate.time[RUNSTATE_runnable];
		if (runnable - before >= 30 * NS_PER_MS &&
		    end > now + 300 * NS_PER_MS)
			end = now + 300 * NS_PER_MS;
		window = now;
		before = runnable;
	}
	stolen = runstate.time[RUNSTATE_runnable] - r0.time[RUNSTATE_runnable];
	printf("stolen %lu ms of %lu\n", stolen / NS_PER_MS,
	       (pv_now() - t0) / NS_PER_MS);
	CHECK(stolen >= 20 * NS_PER_MS, "only %lu us runnable", stolen / 1000);
	/* The area says runnable time only for time we were preempted. */
	CHECK(stolen < pv_now() - t0, "more stolen than passed");
}

static void check_vcpu_info(void)
{
	struct vcpu_register_vcpu_info r;
	struct vcpu_info *old = &shared_info->vcpu_info[0];
	struct vcpu_info *vi = (struct vcpu_info *)(vi_page + 128);
	uint64_t t0, t1;
	unsigned int before;
	uint32_t version;

	pv_test_group("VCPUOP_register_vcpu_info: refusals");
	memset(&r, 0, sizeof(r));
	r.mfn = pv_virt_to_mfn(vi_page);
	r.offset = 4096 - sizeof(struct vcpu_info) + 8; /* crosses the page */
	CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &r), -EINVAL);
	r.offset = 0xffffffff;
	CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &r), -EINVAL);
	r.offset = 128;
	CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 1, &r), -ENOENT);
	/* Not our frame; a page-table frame; the shared_info frame. */
	r.mfn = 1;
	CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &r), -EINVAL);
	r.mfn = pv_virt_to_mfn((void *)start_info->pt_base);
	CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &r), -EINVAL);
	r.mfn = start_info->shared_info >> 12;
	CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &r), -EINVAL);
	r.mfn = ~0ULL;
	CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &r), -EINVAL);
	CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, HV_ADDR),
		 -EFAULT);
	CHECK(pv_vcpu_info() == old, "moved by a refused call");

	pv_test_group("VCPUOP_register_vcpu_info: the move");
	version = old->time.version;
	t0 = pv_now();
	CHECK_EQ(pv_register_vcpu_info(vi), 0);
	t1 = pv_now(); /* read through the new copy */
	CHECK(pv_vcpu_info() == vi, "libpv did not switch");
	CHECK(t1 >= t0, "time went back over the move: %lu -> %lu", t0, t1);
	CHECK(!(vi->time.version & 1), "new time info mid-update");
	CHECK(vi->time.version >= version, "version went back");
	CHECK_EQ(vi->time.tsc_to_system_mul, old->time.tsc_to_system_mul);
	CHECK_EQ(vi->evtchn_upcall_mask, 0);
	/* Only once. */
	r.mfn = pv_virt_to_mfn(vi_page);
	r.offset = 512;
	CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &r), -EINVAL);
	CHECK(pv_vcpu_info() == vi, "second call moved it");

	pv_test_group("VCPUOP_register_vcpu_info: events after the move");
	old->evtchn_upcall_pending = 0;
	old->evtchn_pending_sel = 0;
	before = ipi_hits;
	CHECK_EQ(ev_send(ipi_port), 0);
	CHECK_EQ(ipi_hits, before + 1);
	CHECK_EQ(old->evtchn_upcall_pending, 0); /* the old copy is dead */
	/* Masking through the new copy holds events back. */
	pv_events_disable();
	ev_send(ipi_port);
	CHECK_EQ(ipi_hits, before + 1);
	CHECK_EQ(vi->evtchn_upcall_pending, 1);
	pv_events_enable();
	CHECK_EQ(ipi_hits, before + 2);
	/* The timer, and block, through the new copy. */
	before = timer_hits;
	t0 = pv_now();
	sleep_ms(3);
	CHECK(timer_hits > before, "no timer event");
	CHECK(pv_now() - t0 >= 3 * NS_PER_MS, "woke early");
	CHECK_EQ(old->evtchn_upcall_pending, 0);
}

void pv_main(void)
{
	CHECK_EQ(ev_bind_virq(VIRQ_TIMER, 0, &timer_port), 0);
	CHECK_EQ(ev_bind_ipi(0, &ipi_port), 0);
	pv_bind_handler(timer_port, on_timer);
	pv_bind_handler(ipi_port, on_ipi);
	pv_events_enable();

	check_is_up();
	check_get_runstate();
	check_runstate_area();
	if (ev_arg_is("steal", "1"))
		check_steal();
	check_vcpu_info();
	pv_test_summary();
}
