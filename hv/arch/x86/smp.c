/*
 * Cross-CPU function calls: one request at a time (call_lock), sent by
 * IPI to the CPUs asked for; the caller waits until all have run it.
 * Each target has a pending flag, so a CPU that waits for call_lock with
 * interrupts off (the allocator's stale-TLB flush may) still serves a
 * request aimed at it instead of deadlocking against its sender.
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

/*
 * Run the request if it is for this CPU; true if it was. Claimed with one
 * exchange: the IPI handler may interrupt a CPU serving from its wait for
 * call_lock, and only one of them may run the request (a second would
 * drive call.remaining below zero and leave the caller waiting forever).
 */
static bool serve_call(void)
{
	struct percpu *pc = this_cpu();

	if (!__atomic_exchange_n(&pc->call_pending, false, __ATOMIC_ACQUIRE))
		return false;
	call.fn(call.arg);
	__atomic_fetch_sub(&call.remaining, 1, __ATOMIC_RELEASE);
	return true;
}

static void call_function_interrupt(struct cpu_user_regs *regs)
{
	(void)regs;
	apic_eoi();
	serve_call();
}

void smp_call_function_mask(u64 mask, void (*fn)(void *), void *arg)
{
	int n = 0;

	mask &= ~(1UL << smp_processor_id());
	while (!spin_trylock(&call_lock))
		if (!serve_call())
			cpu_relax();
	call.fn = fn;
	call.arg = arg;
	for_each_online_cpu(pc)
		if (mask & (1UL << pc->id))
			n++;
	__atomic_store_n(&call.remaining, n, __ATOMIC_RELEASE);
	for_each_online_cpu(pc)
		if (mask & (1UL << pc->id)) {
			__atomic_store_n(&pc->call_pending, true,
					 __ATOMIC_RELEASE);
			apic_send_ipi(pc->apic_id, VEC_CALL_FUNCTION);
		}
	while (__atomic_load_n(&call.remaining, __ATOMIC_ACQUIRE))
		cpu_relax();
	spin_unlock(&call_lock);
}

void smp_call_function(void (*fn)(void *), void *arg, bool wait)
{
	(void)wait; /* always waits: the slot is reused only once all ran */
	smp_call_function_mask(~0UL, fn, arg);
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
