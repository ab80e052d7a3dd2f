/*
 * Cross-CPU function calls: one request at a time (call_lock), broadcast
 * to every other online CPU by IPI; the caller may wait until all ran it.
 */
#include "apic.h"
#include "lib.h"
#include "percpu.h"
#include "smp.h"
#include "spinlock.h"
#include "traps.h"
#include "x86.h"

static DEFINE_SPINLOCK(call_lock);
static struct {
	void (*fn)(void *);
	void *arg;
	int remaining;
} call;

static void call_function_interrupt(struct cpu_user_regs *regs)
{
	void (*fn)(void *) = call.fn;
	void *arg = call.arg;

	(void)regs;
	apic_eoi();
	fn(arg);
	__atomic_fetch_sub(&call.remaining, 1, __ATOMIC_RELEASE);
}

void smp_call_function(void (*fn)(void *), void *arg, bool wait)
{
	int others = (int)nr_cpus_online - 1;

	if (others <= 0)
		return;
	ASSERT(local_irq_enabled());
	spin_lock(&call_lock);
	call.fn = fn;
	call.arg = arg;
	__atomic_store_n(&call.remaining, others, __ATOMIC_RELEASE);
	apic_send_ipi_allbutself(VEC_CALL_FUNCTION);
	/* Even without wait, the slot is reused only once all have read it. */
	while (__atomic_load_n(&call.remaining, __ATOMIC_ACQUIRE))
		cpu_relax();
	spin_unlock(&call_lock);
	(void)wait;
}

void smp_init_ipis(void)
{
	set_vector_handler(VEC_CALL_FUNCTION, call_function_interrupt);
}

void __noreturn idle_loop(void)
{
	for (;;) {
		local_irq_disable();
		safe_halt();
	}
}
