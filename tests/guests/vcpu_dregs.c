/*
 * A vCPU's debug registers come from the context VCPUOP_initialise (or
 * domctl setvcpucontext) gives it, each as set_debugreg would take it, as
 * on Xen: a valid DR0 and DR7 arm a watchpoint that fires on the new
 * vCPU at once; a non-canonical DR1 is dropped (it stays 0); DR6's fixed
 * bits are forced; an I/O breakpoint in DR7 needs the context's CR4.DE.
 * Boot with domu_vcpus=2.
 */
#include "mmtest.h"

#define DR6_DEFAULT 0xffff0ff0UL
#define DR7_DEFAULT 0x400UL
#define CR4_DE 0x8UL
/* DR7: breakpoint 0 a 4-byte write watchpoint, 2 an I/O breakpoint. */
#define DR7_W0 (1UL | (1UL << 16) | (3UL << 18))
#define DR7_IO2 ((1UL << 4) | (2UL << 24))

static struct vcpu_guest_context ctx;
static uint8_t stack1[16384] __attribute__((aligned(16)));
static volatile uint32_t watched __attribute__((aligned(8)));
static volatile uint64_t seen[8];
static volatile uint32_t db_hits, db_dr6, done1;

static void on_db(struct pv_frame *f)
{
	(void)f;
	db_hits++;
	db_dr6 = (uint32_t)HYPERCALL1(__HYPERVISOR_get_debugreg, 6);
	HYPERCALL2(__HYPERVISOR_set_debugreg, 7, DR7_DEFAULT);
}

static void __attribute__((noreturn)) second_vcpu(void)
{
	for (int i = 0; i < 8; i++)
		if (i != 4 && i != 5)
			seen[i] = (uint64_t)HYPERCALL1(
			    __HYPERVISOR_get_debugreg, i);
	watched = 1; /* DR0's watchpoint */
	__atomic_store_n(&done1, 1, __ATOMIC_RELEASE);
	for (;;)
		HYPERVISOR_sched_op(SCHEDOP_block, NULL);
}

void pv_main(void)
{
	uint64_t deadline;

	pv_test_group("debug registers from VCPUOP_initialise's context");
	pv_set_trap_handler(1, on_db);
	mm_vcpu_context(&ctx, second_vcpu, stack1, sizeof(stack1),
			pv_virt_to_mfn((void *)start_info->pt_base));
	ctx.debugreg[0] = (uint64_t)&watched;
	ctx.debugreg[1] = 0x0000800000000000UL; /* non-canonical */
	ctx.debugreg[2] = 0x80;
	ctx.debugreg[6] = 0;
	ctx.debugreg[7] = DR7_W0 | DR7_IO2;
	ctx.ctrlreg[4] = CR4_DE;
	CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_initialise, 1, &ctx), 0);
	CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_up, 1, NULL), 0);
	deadline = pv_now() + 10000000000UL;
	while (!__atomic_load_n(&done1, __ATOMIC_ACQUIRE) &&
	       pv_now() < deadline)
		;
	CHECK(done1, "vCPU 1 did not run");
	CHECK_EQ(seen[0], (uint64_t)&watched);
	CHECK_EQ(seen[1], 0);
	CHECK_EQ(seen[2], 0x80);
	CHECK_EQ(seen[6], DR6_DEFAULT);
	CHECK_EQ(seen[7], DR7_W0 | DR7_IO2 | DR7_DEFAULT);
	CHECK_EQ(db_hits, 1);
	CHECK_EQ(db_dr6 & 0xf, 0x1);
	pv_test_summary();
}
