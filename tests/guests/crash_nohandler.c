/*
 * Kernels whose fault has nowhere to go: the hypervisor must crash the
 * domain alone (the crash isolation scenario checks the others go on).
 * The command line picks the fault:
 *   (empty)   no trap table, then a #PF
 *   ldt       no trap table, then an iret hypercall to CS 0x17, an LDT
 *             selector with no LDT: the return itself faults
 * If it comes back, it powers off, which the scenario reports.
 */
#include <pv/hypercall.h>
#include <pv/libpv.h>
#include <xen/sched.h>
#include "klib.h"

#define UNMAPPED 0x00007f0000000000UL

static uint64_t stack[512] __attribute__((aligned(16)));

static void iret_to_ldt_selector(void)
{
	struct iret_context c = { 0, 0, 0, 0, (uint64_t)pv_main, 0x14, 0x2,
				  (uint64_t)&stack[400], FLAT_KERNEL_SS };

	const struct iret_context *p = &c;

	asm volatile("sub $72, %%rsp; mov %%rsp, %%rdi; mov $9, %%ecx;"
		     "rep movsq; mov $23, %%eax; syscall"
		     : "+S"(p)
		     :
		     : "rax", "rcx", "rdi", "r11", "memory");
}

void pv_main(void)
{
	const char *how = (const char *)start_info->cmd_line;

	printf("no trap table, then %s\n",
	       *how ? how : "a #PF at 0x7f0000000000");
	if (HYPERVISOR_set_trap_table(NULL))
		printf("FAIL: set_trap_table(NULL)\n");
	if (!strcmp(how, "ldt"))
		iret_to_ldt_selector();
	else
		(void)*(volatile uint64_t *)UNMAPPED;
	printf("FAIL: survived a fault with no handler\n");
	pv_shutdown(SHUTDOWN_poweroff);
}
