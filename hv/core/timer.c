/*
 * Per-CPU timer lists. Invariant: a CPU's APIC timer is armed for the head
 * of its list (or stopped when the list is empty). Setting a timer for
 * another CPU kicks that CPU with an interrupt so it re-arms itself.
 */
#include "apic.h"
#include "lib.h"
#include "percpu.h"
#include "spinlock.h"
#include "time.h"
#include "timer.h"
#include "traps.h"

static spinlock_t timer_lock[NR_CPUS];

void timer_init(struct timer *t, void (*fn)(void *), void *data,
		unsigned int cpu)
{
	list_init(&t->link);
	t->fn = fn;
	t->data = data;
	t->cpu = cpu;
	t->pending = false;
}

/* Arm this CPU's APIC timer for its earliest timer. Lock held. */
static void reprogram(struct percpu *pc)
{
	u64 deadline = 0;

	if (!list_empty(&pc->timers))
		deadline = ns_to_tsc_abs(
		    list_first_entry(&pc->timers, struct timer, link)->expires);
	pc->timer_deadline = deadline;
	apic_timer_arm(deadline);
}

static void insert_sorted(struct percpu *pc, struct timer *t)
{
	struct list_head *pos;

	list_for_each (pos, &pc->timers)
		if (list_entry(pos, struct timer, link)->expires > t->expires)
			break;
	list_add_tail(&t->link, pos);
}

/* Lock t's CPU's list; t->cpu changes only under it (migrate_timer). */
static unsigned int lock_timer(struct timer *t, u64 *flags)
{
	for (;;) {
		unsigned int cpu = READ_ONCE(t->cpu);

		*flags = spin_lock_irqsave(&timer_lock[cpu]);
		if (cpu == READ_ONCE(t->cpu))
			return cpu;
		spin_unlock_irqrestore(&timer_lock[cpu], *flags);
	}
}

void set_timer(struct timer *t, u64 expires)
{
	u64 f;
	struct percpu *pc = &percpu[lock_timer(t, &f)];
	bool first;

	if (t->pending)
		list_del(&t->link);
	t->expires = expires;
	t->pending = true;
	insert_sorted(pc, t);
	first = pc->timers.next == &t->link;
	if (first && t->cpu == smp_processor_id())
		reprogram(pc);
	spin_unlock_irqrestore(&timer_lock[t->cpu], f);
	if (first && t->cpu != smp_processor_id())
		apic_send_ipi(pc->apic_id, VEC_TIMER);
}

void stop_timer(struct timer *t)
{
	u64 f;
	unsigned int cpu = lock_timer(t, &f);

	if (t->pending) {
		list_del(&t->link);
		t->pending = false;
	}
	spin_unlock_irqrestore(&timer_lock[cpu], f);
}

/* Move t to another CPU's list, keeping its expiry if it is pending. */
void migrate_timer(struct timer *t, unsigned int cpu)
{
	u64 f;
	unsigned int old = lock_timer(t, &f);
	bool pending = t->pending;

	if (pending) {
		list_del(&t->link);
		t->pending = false;
	}
	WRITE_ONCE(t->cpu, cpu);
	spin_unlock_irqrestore(&timer_lock[old], f);
	if (pending)
		set_timer(t, t->expires);
}

extern bool opt_hcstats;

/* With hcstats: say when a timer fired more than 1 ms late (a CPU that
 * kept interrupts off, or QEMU's thread that the host did not run). */
static void note_timer_late(struct percpu *pc, u64 late,
			    const struct cpu_user_regs *regs)
{
	static u64 worst[NR_CPUS];

	if (!opt_hcstats || late <= MILLISECS(1) || late <= worst[pc->id])
		return;
	worst[pc->id] = late;
	printk("cpu%u: a timer fired %lu us late (at %#lx, cs %#x)\n", pc->id,
	       late / 1000, regs->rip, (unsigned int)regs->cs);
}

static void timer_interrupt(struct cpu_user_regs *regs)
{
	struct percpu *pc = this_cpu();
	unsigned int cpu = pc->id;
	u64 now;

	apic_eoi();
	pc->ticks++;
	spin_lock(&timer_lock[cpu]);
	now = NOW();
	while (!list_empty(&pc->timers)) {
		struct timer *t =
		    list_first_entry(&pc->timers, struct timer, link);
		if (t->expires > now)
			break;
		list_del(&t->link);
		t->pending = false;
		note_timer_late(pc, now - t->expires, regs);
		/* The handler may set timers on this CPU: drop the lock. */
		spin_unlock(&timer_lock[cpu]);
		t->fn(t->data);
		spin_lock(&timer_lock[cpu]);
		now = NOW();
	}
	reprogram(pc);
	spin_unlock(&timer_lock[cpu]);
}

void timers_init_cpu(void)
{
	struct percpu *pc = this_cpu();

	list_init(&pc->timers);
	timer_lock[pc->id] = (spinlock_t)SPIN_LOCK_UNLOCKED;
	set_vector_handler(VEC_TIMER, timer_interrupt);
}
