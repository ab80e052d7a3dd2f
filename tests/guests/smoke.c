/*
 * Quick end-to-end check of the main paths: a timer event, an IPI event,
 * blocking, a #BP trap, and a system call from user mode.
 */
#include <pv/hypercall.h>
#include <pv/libpv.h>
#include <xen/event_channel.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/vcpu.h>

static volatile int timer_hits, ipi_hits, bp_hits, sys_hits;
static volatile uint64_t sys_rax;

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

static void on_bp(struct pv_frame *f)
{
	(void)f;
	bp_hits++;
}

static uint8_t user_stack[4096] __attribute__((aligned(16)));

/* User mode: make a "system call" with number 42, then one to return. */
static void user_code(void)
{
	asm volatile("mov $42, %%eax; syscall" ::: "rax", "rcx", "r11", "memory");
	asm volatile("mov $60, %%eax; syscall" ::: "rax", "rcx", "r11", "memory");
	for (;;)
		;
}

static void on_syscall(struct pv_frame *f)
{
	sys_hits++;
	if (f->rax == 60)
		pv_return_from_user(0);
	sys_rax = f->rax;
}


void pv_main(void)
{
	struct evtchn_bind_virq bv = { VIRQ_TIMER, 0, 0 };
	struct evtchn_bind_ipi bi = { 0, 0 };
	struct evtchn_send send;
	struct mmuext_op op;

	pv_test_group("events");
	CHECK_EQ(HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bv), 0);
	CHECK_EQ(HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &bi), 0);
	pv_bind_handler(bv.port, on_timer);
	pv_bind_handler(bi.port, on_ipi);
	pv_unmask(bv.port);
	pv_unmask(bi.port);
	pv_events_enable();
	send.port = bi.port;
	CHECK_EQ(HYPERVISOR_event_channel_op(EVTCHNOP_send, &send), 0);
	CHECK_EQ(ipi_hits, 1);
	CHECK_EQ(HYPERVISOR_set_timer_op(pv_now() + 2000000), 0);
	pv_block_until(timer_hits);
	CHECK_EQ(timer_hits, 1);

	pv_test_group("traps");
	pv_set_trap_handler(3, on_bp);
	asm volatile("int3");
	CHECK_EQ(bp_hits, 1);

	pv_test_group("user mode");
	op.cmd = MMUEXT_NEW_USER_BASEPTR;
	op.arg1.mfn = pv_virt_to_mfn((void *)start_info->pt_base);
	CHECK_EQ(HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF), 0);
	pv_set_trap_handler(0x101, on_syscall);
	pv_run_user((uint64_t)user_code, (uint64_t)user_stack + sizeof(user_stack));
	CHECK_EQ(sys_hits, 2);
	CHECK_EQ(sys_rax, 42);
	pv_test_summary();
}
