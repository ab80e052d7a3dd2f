/*
 * Round-robin scheduling of vCPUs on physical CPUs.
 *
 * Each vCPU belongs to one CPU (v->processor). It is on that CPU's run
 * queue iff it is runnable (no pause flags) and not running. schedule()
 * never returns: it switches to the next vCPU (or idle) and restarts the
 * stack at the guest-exit path or the idle loop, so hypervisor code never
 * sleeps in the middle of something (hypercalls finish or continue).
 */
#include <xen/sched.h>
#include "apic.h"
#include "context.h"
#include "events.h"
#include "guest_access.h"
#include "lib.h"
#include "percpu.h"
#include "sched.h"
#include "smp.h"
#include "time.h"
#include "traps.h"
#include "x86.h"

static spinlock_t runq_lock[NR_CPUS];
static struct timer slice_timers[NR_CPUS];

extern bool opt_hcstats;

/* need_resched is being set on pc: remember since when it is wanted. */
static void resched_asked(struct percpu *pc)
{
	if (!READ_ONCE(pc->need_resched) && !READ_ONCE(pc->resched_asked))
		WRITE_ONCE(pc->resched_asked, NOW());
}

/* schedule() runs on pc: how long did the request wait, doing what? */
static void resched_answered(struct percpu *pc)
{
	u64 asked = READ_ONCE(pc->resched_asked), late;

	if (!asked)
		return;
	WRITE_ONCE(pc->resched_asked, 0);
	late = NOW() - asked;
	if ((s64)late <= (s64)pc->resched_worst)
		return;
	pc->resched_worst = late;
	pc->resched_worst_dom = pc->curr ? pc->curr->domain->id : DOMID_IDLE;
	pc->resched_worst_hc = pc->hc_nr;
	if (opt_hcstats && late > MILLISECS(1))
		printk("cpu%u: a reschedule waited %lu us (d%u, hypercall "
		       "%ld)\n",
		       pc->id, late / 1000, pc->resched_worst_dom,
		       (long)pc->hc_nr - 1);
}

/* Keyhandler 'p' (with hcstats): the worst wait for schedule() per CPU. */
void sched_latency_show(const char *const *hc_names, unsigned int nr_hc)
{
	for (unsigned int c = 0; c < NR_CPUS; c++) {
		struct percpu *pc = &percpu[c];
		u64 hc = pc->resched_worst_hc - 1; /* 0: none */

		if (!pc->online || !pc->resched_worst)
			continue;
		printk("  cpu%u: worst wait for a reschedule %lu us (d%u in "
		       "%s)\n",
		       c, pc->resched_worst / 1000, pc->resched_worst_dom,
		       hc < nr_hc && hc_names[hc] ? hc_names[hc]
						  : "no hypercall");
		pc->resched_worst = 0;
	}
}

static void slice_expired(void *data)
{
	struct percpu *pc = data;
	resched_asked(pc);
	pc->slice_over = true;
	pc->need_resched = true;
}

static void event_check_interrupt(struct cpu_user_regs *regs)
{
	(void)regs;
	apic_eoi(); /* the exit path does the work */
}

void sched_kick_events(unsigned int cpu)
{
	apic_send_ipi(percpu[cpu].apic_id, VEC_EVENT_CHECK);
}

void sched_init_cpu(void)
{
	struct percpu *pc = this_cpu();

	list_init(&pc->runq);
	runq_lock[pc->id] = (spinlock_t)SPIN_LOCK_UNLOCKED;
	timer_init(&slice_timers[pc->id], slice_expired, pc, pc->id);
	pc->slice_timer = &slice_timers[pc->id];
	set_vector_handler(VEC_EVENT_CHECK, event_check_interrupt);
}

void sched_kick(unsigned int cpu)
{
	resched_asked(&percpu[cpu]);
	percpu[cpu].need_resched = true;
	if (cpu != smp_processor_id())
		apic_send_ipi(percpu[cpu].apic_id, VEC_EVENT_CHECK);
}

static void runstate_change(struct vcpu *v, int state)
{
	u64 now = NOW();

	v->runstate.time[v->runstate.state] +=
	    now - v->runstate.state_entry_time;
	v->runstate.state = state;
	v->runstate.state_entry_time = now;
}

/*
 * Lock the run queue of v's CPU. v->processor changes only under the old
 * CPU's lock (vcpu_set_affinity), so look again once the lock is held.
 */
static unsigned int lock_vcpu_runq(struct vcpu *v, u64 *flags)
{
	for (;;) {
		unsigned int cpu = READ_ONCE(v->processor);

		*flags = spin_lock_irqsave(&runq_lock[cpu]);
		if (cpu == READ_ONCE(v->processor))
			return cpu;
		spin_unlock_irqrestore(&runq_lock[cpu], *flags);
	}
}

/* Top up v's boost budget for the time since the last top-up. */
static void boost_refill(struct vcpu *v, u64 now)
{
	u64 budget =
	    v->boost_budget + (now - v->boost_refilled) / SCHED_BOOST_SHARE;

	v->boost_budget =
	    budget < SCHED_BOOST_CAP_NS ? budget : SCHED_BOOST_CAP_NS;
	v->boost_refilled = now;
}

/*
 * Queue a waking v: at the head if it was blocked and has boost budget
 * left (an interactive or I/O vCPU runs at once, as Xen's BOOST
 * priority), otherwise at the tail. The budget bounds what a vCPU that
 * blocks and wakes all the time can take from the others. Lock held.
 */
static void queue_woken(struct vcpu *v, struct percpu *pc)
{
	v->slice_left = 0;
	if (v->runstate.state == RUNSTATE_blocked) {
		boost_refill(v, NOW());
		v->boosted = v->boost_budget > 0;
	}
	if (v->boosted)
		list_add(&v->runq_link, &pc->runq);
	else
		list_add_tail(&v->runq_link, &pc->runq);
}

/* Charge prev's run to its boost, which lasts one run. Lock held. */
static void boost_charge(struct vcpu *prev, struct percpu *pc, u64 now)
{
	u64 ran = now - pc->run_start;

	if (!prev->boosted)
		return;
	prev->boost_budget =
	    prev->boost_budget > ran ? prev->boost_budget - ran : 0;
	prev->boosted = false;
}

/*
 * v's runstate as of now, as Xen's VCPUOP_get_runstate_info gives it: the
 * current state's time so far is included.
 */
void vcpu_runstate_get(struct vcpu *v, struct vcpu_runstate_info *r)
{
	u64 f, now;
	unsigned int cpu = lock_vcpu_runq(v, &f);

	*r = v->runstate;
	now = NOW();
	if (now > r->state_entry_time &&
	    (unsigned int)r->state < ARRAY_SIZE(r->time))
		r->time[r->state] += now - r->state_entry_time;
	spin_unlock_irqrestore(&runq_lock[cpu], f);
}

/* Make v runnable if nothing holds it; lock-free callers use vcpu_wake. */
void vcpu_wake(struct vcpu *v)
{
	u64 f;
	unsigned int cpu = lock_vcpu_runq(v, &f);
	bool kick = false;

	if (!v->pause_flags && !v->running && !v->on_runq) {
		queue_woken(v, &percpu[cpu]);
		v->on_runq = true;
		runstate_change(v, RUNSTATE_runnable);
		kick = true;
	}
	spin_unlock_irqrestore(&runq_lock[cpu], f);
	if (kick)
		sched_kick(cpu);
}

void vcpu_pause(struct vcpu *v, u32 reason)
{
	u64 f;
	unsigned int cpu = lock_vcpu_runq(v, &f);

	__atomic_fetch_or(&v->pause_flags, reason, __ATOMIC_SEQ_CST);
	if (v->on_runq) {
		list_del(&v->runq_link);
		v->on_runq = false;
	}
	runstate_change(v, reason & PAUSE_DOWN ? RUNSTATE_offline
					       : RUNSTATE_blocked);
	spin_unlock_irqrestore(&runq_lock[cpu], f);
	if (v->running)
		sched_kick(cpu);
}

void vcpu_unpause(struct vcpu *v, u32 reason)
{
	__atomic_fetch_and(&v->pause_flags, ~reason, __ATOMIC_SEQ_CST);
	vcpu_wake(v);
}

void sched_start_vcpu(struct vcpu *v)
{
	vcpu_wake(v);
}

/* For destruction: v must be off every CPU. */
void sched_wait_not_running(struct vcpu *v)
{
	while (READ_ONCE(v->running))
		cpu_relax();
}

/* Pause v and wait until its state is saved (v must not be current). */
void vcpu_pause_sync(struct vcpu *v, u32 reason)
{
	vcpu_pause(v, reason);
	sched_wait_not_running(v);
}

/* Nanoseconds v has run, including the stint it is in now. */
u64 vcpu_cpu_time(struct vcpu *v)
{
	struct vcpu_runstate_info r;

	vcpu_runstate_get(v, &r);
	return r.time[RUNSTATE_running];
}

/* The CPU v should belong to under its affinities: keep its own if allowed. */
static unsigned int affinity_cpu(const struct vcpu *v, u64 hard, u64 soft)
{
	u64 prefer = hard & soft;

	if (!prefer)
		prefer = hard;
	if (prefer & (1ULL << v->processor))
		return v->processor;
	return (unsigned int)__builtin_ctzll(prefer);
}

/* The online CPUs as a mask. */
u64 sched_online_mask(void)
{
	u64 m = 0;

	for_each_online_cpu(pc)
		m |= 1ULL << pc->id;
	return m;
}

/*
 * Set v's hard and soft affinity (CPU masks). The scheduler keeps each
 * vCPU on one CPU, so a hard affinity is honoured by moving v to a CPU
 * in it (one also in the soft affinity if there is one); -EINVAL if it
 * names no online CPU. v must not be current.
 */
int vcpu_set_affinity(struct vcpu *v, u64 hard, u64 soft)
{
	unsigned int to;
	u64 f;

	hard &= sched_online_mask();
	if (!hard)
		return -EINVAL;
	vcpu_pause_sync(v, PAUSE_DOMCTL);
	v->hard_affinity = hard;
	v->soft_affinity = soft;
	to = affinity_cpu(v, hard, soft);
	if (to != v->processor) {
		unsigned int from = lock_vcpu_runq(v, &f);

		/* Paused and saved: on no run queue, on no CPU. */
		WRITE_ONCE(v->processor, to);
		spin_unlock_irqrestore(&runq_lock[from], f);
		migrate_vcpu_timers(v);
	}
	vcpu_unpause(v, PAUSE_DOMCTL);
	return 0;
}

/*
 * Quiescence, for freeing what other CPUs may still point to: each CPU
 * counts the times it holds no pointer into guest state, on every exit
 * to a guest and every turn of the idle loop (context.c). Once every
 * other online CPU's count has moved past a snapshot, no CPU still uses
 * a pointer it took before the snapshot.
 */
void quiesce_snapshot(u64 *since)
{
	for_each_online_cpu(pc)
		since[pc->id] = READ_ONCE(pc->quiesce_count);
}

/* Has every other CPU passed a quiescent point? Nudges those that lag. */
bool quiesce_passed(const u64 *since)
{
	bool passed = true;

	for_each_online_cpu(pc) {
		if (pc->id == smp_processor_id() ||
		    READ_ONCE(pc->quiesce_count) != since[pc->id])
			continue;
		passed = false;
		sched_kick_events(pc->id); /* wakes an idle CPU */
	}
	return passed;
}

/*
 * Pick the next vCPU for this CPU: round robin, boosted vCPUs first. A
 * prev that a boosted vCPU preempts keeps its place and what was left of
 * its slice: it runs next. Lock held.
 */
static struct vcpu *pick_next(struct percpu *pc, struct vcpu *prev, u64 now)
{
	struct vcpu *next = NULL;
	bool slice_over = pc->slice_over;

	pc->slice_over = false;
	if (!list_empty(&pc->runq))
		next = list_first_entry(&pc->runq, struct vcpu, runq_link);
	if (prev && !prev->pause_flags && !prev->on_runq) {
		if (next && next->boosted && !slice_over &&
		    pc->slice_end > now) {
			list_add(&prev->runq_link, &next->runq_link);
			prev->slice_left = pc->slice_end - now;
		} else {
			list_add_tail(&prev->runq_link, &pc->runq);
		}
		prev->on_runq = true;
	}
	if (list_empty(&pc->runq))
		return NULL;
	next = list_first_entry(&pc->runq, struct vcpu, runq_link);
	list_del(&next->runq_link);
	next->on_runq = false;
	return next;
}

/* A boosted vCPU's run ends when its budget does; a preempted one's
 * when the rest of its slice does. */
static u64 slice_for(struct vcpu *next)
{
	u64 left = next->slice_left;

	next->slice_left = 0;
	if (next->boosted && next->boost_budget < SCHED_SLICE_NS)
		return next->boost_budget;
	return left ? left : SCHED_SLICE_NS;
}

/*
 * prev's state is saved: only now may it count as not running (a domain
 * being destroyed waits for that). A wake-up that came meanwhile found it
 * "running" and did not queue it, so queue it here.
 */
static void finish_switch_out(struct percpu *pc, struct vcpu *prev)
{
	spin_lock(&runq_lock[pc->id]);
	WRITE_ONCE(prev->running, false);
	if (!prev->pause_flags && !prev->on_runq) {
		list_add_tail(&prev->runq_link, &pc->runq);
		prev->on_runq = true;
		pc->need_resched = true;
	}
	spin_unlock(&runq_lock[pc->id]);
}

void __noreturn schedule(void)
{
	struct percpu *pc = this_cpu();
	struct vcpu *prev = pc->curr, *next;
	u64 now;

	local_irq_disable();
	resched_answered(pc);
	pc->need_resched = false;
	spin_lock(&runq_lock[pc->id]);
	now = NOW();
	if (prev)
		boost_charge(prev, pc, now);
	next = pick_next(pc, prev, now);
	pc->run_start = now;
	if (next)
		pc->slice_end = now + slice_for(next);
	if (prev && next != prev && !prev->pause_flags)
		runstate_change(prev, RUNSTATE_runnable);
	if (next && next != prev) {
		next->running = true;
		runstate_change(next, RUNSTATE_running);
	} else if (next && next->runstate.state != RUNSTATE_running) {
		/* It blocked, and an event woke it before it was switched
		 * out: it runs on, and so does its runstate. */
		runstate_change(next, RUNSTATE_running);
	}
	spin_unlock(&runq_lock[pc->id]);

	if (next)
		set_timer(pc->slice_timer, pc->slice_end);
	else
		stop_timer(pc->slice_timer);
	if (next != prev) {
		/* Each side's registered runstate area is written while its
		 * own page tables are loaded. */
		if (prev)
			update_runstate_area(prev);
		context_switch(prev, next);
		if (next)
			update_runstate_area(next);
		if (prev)
			finish_switch_out(pc, prev);
	}
	if (next)
		reset_stack_and_jump(return_to_guest);
	reset_stack_and_jump(idle_loop_entry);
}

/* On the way out to a guest: switch if this CPU was asked to. */
void sched_maybe_preempt(void)
{
	if (this_cpu()->need_resched)
		schedule();
}

/* sched_op (hypercall 29). */
static long sched_block(void)
{
	struct vcpu *v = current;

	/* Enable event delivery, then block unless something is pending. */
	v->vcpu_info->evtchn_upcall_mask = 0;
	smp_mb();
	if (v->vcpu_info->evtchn_upcall_pending)
		return 0;
	vcpu_pause(v, PAUSE_BLOCKED);
	/* An event may have raced in before we were marked. */
	if (v->vcpu_info->evtchn_upcall_pending)
		vcpu_unpause(v, PAUSE_BLOCKED);
	return 0;
}

/*
 * Shut d down. As on Xen, a code set earlier with SCHEDOP_shutdown_code
 * is the reason reported, whatever reason the shutdown itself gives.
 */
static void shutdown_with_code(struct domain *d, unsigned int reason)
{
	u8 code = READ_ONCE(d->shutdown_code);

	domain_shutdown(d, code <= SHUTDOWN_MAX ? code : reason);
}

static long sched_shutdown(u64 arg)
{
	struct sched_shutdown s;

	if (get_guest(s, arg))
		return -EFAULT;
	if (s.reason > SHUTDOWN_MAX)
		return -EINVAL;
	shutdown_with_code(current->domain, s.reason);
	return 0;
}

/* Only the first code counts (Xen: "if not yet set"). */
static long sched_shutdown_code(u64 arg)
{
	struct sched_shutdown s;

	if (get_guest(s, arg))
		return -EFAULT;
	if (s.reason > SHUTDOWN_MAX)
		return -EINVAL;
	__atomic_compare_exchange_n(&current->domain->shutdown_code,
				    &(u8){ 0xff }, (u8)s.reason, false,
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	return 0;
}

/* As on Xen: -ESRCH for a domain that does not exist, then -EPERM. */
static long sched_remote_shutdown(u64 arg)
{
	struct sched_remote_shutdown s;
	struct domain *d;

	if (get_guest(s, arg))
		return -EFAULT;
	d = domain_lookup(s.domain_id);
	if (!d)
		return -ESRCH;
	if (!current->domain->privileged)
		return -EPERM;
	if (s.reason > SHUTDOWN_MAX)
		return -EINVAL;
	shutdown_with_code(d, s.reason);
	return 0;
}

long do_sched_op(int cmd, u64 arg)
{
	switch (cmd) {
	case SCHEDOP_yield:
		this_cpu()->need_resched = true;
		return 0;
	case SCHEDOP_block:
		return sched_block();
	case SCHEDOP_shutdown:
		return sched_shutdown(arg);
	case SCHEDOP_poll:
		return sched_poll(arg);
	case SCHEDOP_remote_shutdown:
		return sched_remote_shutdown(arg);
	case SCHEDOP_shutdown_code:
		return sched_shutdown_code(arg);
	}
	return -ENOSYS;
}
