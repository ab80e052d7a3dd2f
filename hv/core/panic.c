/*
 * panic: report, stop the other CPUs with an NMI, and halt. Only the first
 * CPU to panic reports; any other that gets here parks itself quietly.
 */
#include "apic.h"
#include "console.h"
#include "lib.h"
#include "panic.h"
#include "percpu.h"
#include "traps.h"
#include "x86.h"

static int panic_cpu = -1;

bool panic_in_progress(void)
{
	return READ_ONCE(panic_cpu) >= 0;
}

void __noreturn panic_park_cpu(void)
{
	local_irq_disable();
	for (;;)
		asm volatile("hlt");
}

/* Claim the panic; a second panicking CPU parks, a nested one stops. */
void panic_begin(void)
{
	int me = (int)smp_processor_id(), none = -1;

	local_irq_disable();
	if (!__atomic_compare_exchange_n(&panic_cpu, &none, me, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
		if (panic_cpu != me)
			panic_park_cpu();
		serial_putc('!'); /* recursive panic: say so and stop */
		panic_park_cpu();
	}
	/* Whoever held the console lock will never release it now. */
	console_force_unlock();
}

void __noreturn panic_end(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	apic_nmi_others();
	printk("\n****************************************\n");
	printk("Panic on CPU %u:\n%s\n", smp_processor_id(), buf);
	printk("****************************************\n");
	printk("System halted.\n");
	panic_park_cpu();
}

void __noreturn panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	panic_begin();
	show_stack_trace((u64)__builtin_frame_address(0));
	panic_end("%s", buf);
}
