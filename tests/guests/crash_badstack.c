/*
 * Kernels whose exception frame cannot be written, or whose iret frame
 * cannot be read: each must crash alone. The command line picks how:
 *   kernel    RSP unmapped, then int3
 *   hvrange   RSP inside the hypervisor's range, then int3
 *   noncanon  RSP non-canonical, then int3
 *   user      kernel_sp (stack_switch) unmapped, then int3 in user mode
 *   nested    a #PF handler that faults again, on a stack with an
 *             unmapped guard page below it: the frames run into it
 *   iret      the iret hypercall with RSP unmapped
 * Surviving prints FAIL and powers off, which the scenario reports.
 */
#include <pv/hypercall.h>
#include <pv/libpv.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include "klib.h"

#define UNMAPPED 0x00007f0000000000UL
#define HV_ADDR 0xffff800000200000UL
#define NONCANON 0x8000000000000000UL

static void __attribute__((noreturn)) int3_on_stack(uint64_t sp)
{
	asm volatile("mov %0, %%rsp; int3" : : "r"(sp) : "memory");
	__builtin_unreachable();
}

static void __attribute__((noreturn)) iret_on_stack(uint64_t sp)
{
	asm volatile("mov %0, %%rsp; mov $23, %%eax; syscall"
		     :
		     : "r"(sp)
		     : "rax", "rcx", "r11", "memory");
	__builtin_unreachable();
}

static uint8_t user_stack[4096] __attribute__((aligned(16)));

static void user_code(void)
{
	asm volatile("int3" ::: "memory");
	for (;;)
		;
}

static void __attribute__((noreturn)) user_fault_bad_kernel_sp(void)
{
	struct mmuext_op op;

	op.cmd = MMUEXT_NEW_USER_BASEPTR;
	op.arg1.mfn = pv_virt_to_mfn((void *)start_info->pt_base);
	if (HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF))
		printf("FAIL: NEW_USER_BASEPTR\n");
	if (HYPERVISOR_stack_switch(FLAT_KERNEL_SS, UNMAPPED))
		printf("FAIL: stack_switch\n");
	pv_enter_user((uint64_t)user_code,
		      (uint64_t)user_stack + sizeof(user_stack));
	__builtin_unreachable();
}

/* Two pages of stack; the lower one is unmapped as a guard. */
static uint8_t guarded[2 * 4096] __attribute__((aligned(4096)));
static volatile unsigned long depth;

static void refault(struct pv_frame *f)
{
	(void)f;
	depth++;
	(void)*(volatile uint64_t *)UNMAPPED;
}

static void __attribute__((noreturn)) nested_faults(void)
{
	if (HYPERVISOR_update_va_mapping((unsigned long)guarded, 0,
					 UVMF_INVLPG))
		printf("FAIL: cannot unmap the guard page\n");
	pv_set_trap_handler(14, refault);
	asm volatile("mov %0, %%rsp; movq (%1), %%rax"
		     :
		     : "r"((uint64_t)guarded + sizeof(guarded)),
		       "r"(UNMAPPED)
		     : "rax", "memory");
	__builtin_unreachable();
}

void pv_main(void)
{
	const char *how = (const char *)start_info->cmd_line;

	printf("crash_badstack: %s\n", how);
	if (!strcmp(how, "kernel"))
		int3_on_stack(UNMAPPED);
	else if (!strcmp(how, "hvrange"))
		int3_on_stack(HV_ADDR);
	else if (!strcmp(how, "noncanon"))
		int3_on_stack(NONCANON);
	else if (!strcmp(how, "user"))
		user_fault_bad_kernel_sp();
	else if (!strcmp(how, "nested"))
		nested_faults();
	else if (!strcmp(how, "iret"))
		iret_on_stack(UNMAPPED);
	printf("FAIL: unknown mode '%s'\n", how);
	pv_shutdown(SHUTDOWN_poweroff);
}
