/*
 * A domain's vCPUs share its console line buffer: two vCPUs writing
 * whole lines through console_io at the same time (vCPU 0 lines of 'A',
 * vCPU 1 lines of 'B', one call each) must come out as whole lines,
 * never mixed, and never overrun the buffer (the scenario reads them).
 * Boot with domu_vcpus=2 guest_loglvl=all.
 */
#include "mmtest.h"

#define LINES 80
#define WIDTH 60

static struct vcpu_guest_context ctx;
static uint8_t stack1[16384] __attribute__((aligned(16)));
static volatile uint32_t go, done1;

static void write_lines(char c)
{
	char line[WIDTH + 1];

	memset(line, c, WIDTH);
	line[WIDTH] = '\n';
	for (unsigned int i = 0; i < LINES; i++)
		HYPERVISOR_console_io(CONSOLEIO_write, sizeof(line), line);
}

static void __attribute__((noreturn)) second_vcpu(void)
{
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		;
	write_lines('B');
	__atomic_store_n(&done1, 1, __ATOMIC_RELEASE);
	for (;;)
		HYPERVISOR_sched_op(SCHEDOP_block, NULL);
}

static void start_second_vcpu(void)
{
	mm_vcpu_context(&ctx, second_vcpu, stack1, sizeof(stack1),
			pv_virt_to_mfn((void *)start_info->pt_base));
	CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_initialise, 1, &ctx), 0);
	CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_up, 1, NULL), 0);
}

void pv_main(void)
{
	uint64_t deadline;

	pv_test_group("two vCPUs write whole console lines at once");
	start_second_vcpu();
	mm_spin_ms(20);
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	write_lines('A');
	deadline = pv_now() + 30000000000UL;
	while (!__atomic_load_n(&done1, __ATOMIC_ACQUIRE) &&
	       pv_now() < deadline)
		;
	CHECK(done1, "vCPU 1 did not finish");
	printf("con_race: %u lines from each vCPU written\n", LINES);
	pv_test_summary();
}
