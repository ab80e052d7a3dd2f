/*
 * Two vCPUs of one domain shut it down at the same instant with
 * different reasons (vCPU 0 poweroff, vCPU 1 reboot): exactly one of
 * them may win, so the hypervisor logs one "dN: shut down:" line with
 * one reason, pauses both vCPUs once and tells domain 0 once.
 * Boot with domu_vcpus=2; the scenario reads the log.
 */
#include "mmtest.h"

static struct vcpu_guest_context ctx;
static uint8_t stack1[16384] __attribute__((aligned(16)));
static volatile uint32_t ready1;
static volatile uint64_t start; /* both call at this time (pv_now) */

static void shut_down(unsigned int reason)
{
	struct sched_shutdown s = { .reason = reason };

	HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
}

static void __attribute__((noreturn)) second_vcpu(void)
{
	__atomic_store_n(&ready1, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&start, __ATOMIC_ACQUIRE))
		;
	while (pv_now() < start)
		;
	shut_down(SHUTDOWN_reboot);
	for (;;) /* the loser, or the winner: paused either way */
		HYPERVISOR_sched_op(SCHEDOP_block, NULL);
}

void pv_main(void)
{
	uint64_t deadline = pv_now() + 30000000000UL;

	pv_test_group("two vCPUs race to shut their domain down");
	mm_vcpu_context(&ctx, second_vcpu, stack1, sizeof(stack1),
			pv_virt_to_mfn((void *)start_info->pt_base));
	CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_initialise, 1, &ctx), 0);
	CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_up, 1, NULL), 0);
	while (!__atomic_load_n(&ready1, __ATOMIC_ACQUIRE) &&
	       pv_now() < deadline)
		;
	CHECK(ready1, "vCPU 1 never ran");
	pv_test_summary();
	/* A common instant, not a flag: a flag's cache line reaches the
	 * other CPU late, and vCPU 0 would always win. */
	__atomic_store_n(&start, pv_now() + 5000000, __ATOMIC_RELEASE);
	while (pv_now() < start)
		;
	shut_down(SHUTDOWN_poweroff);
	for (;;)
		HYPERVISOR_sched_op(SCHEDOP_block, NULL);
}
