/*
 * The credit scheduler: vCPUs on physical CPUs, shared by weight and cap.
 *
 * Each vCPU belongs to one CPU (v->processor). It is on that CPU's run
 * queue iff it is runnable (no pause flags) and not running. schedule()
 * never returns: it switches to the next vCPU (or idle) and restarts the
 * stack at the guest-exit path or the idle loop, so hypervisor code never
 * sleeps in the middle of something (hypercalls finish or continue).
 *
 * Policy, as Xen's credit scheduler: every 30 ms (CREDIT_PERIOD_NS) the
 * online CPUs' time is shared out as credit among the domains whose
 * vCPUs wanted it, by weight, within caps (credit.c). A running vCPU
 * burns its credit. A CPU runs the best of its queue: a vCPU woken from
 * blocking (BOOST, within its budget) first, then those with credit left
 * (UNDER), then those without (OVER); among equals the queue's order
 * (round robin). A capped domain's vCPU that has spent its
 * credit is parked until the next period even if the CPU would idle. A
 * CPU that would idle, or run only OVER work, takes better work from
 * another CPU's queue (never waiting for that queue's lock), and a
 * waking vCPU whose CPU is busy wakes an idle CPU that may run it.
 */
#include <xen/sched.h>
#include "apic.h"
#include "context.h"
#include "credit.h"
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
static struct timer acct_timer; /* on CPU 0 */
static struct vcpu *stolen[NR_CPUS]; /* its timers follow after the switch */

static void credit_account(void *data);

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
	if (pc->id == 0) {
		timer_init(&acct_timer, credit_account, NULL, 0);
		set_timer(&acct_timer, NOW() + CREDIT_PERIOD_NS);
	}
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

/*
 * Charge prev's run to its credit, and to its boost, which lasts one run.
 * Lock held.
 */
static void charge(struct vcpu *prev, struct percpu *pc, u64 now)
{
	u64 ran = now - pc->run_start;

	__atomic_fetch_sub(&prev->credit, (s64)ran, __ATOMIC_RELAXED);
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

/*
 * v was queued on busy CPU `busy`: wake an idle CPU it may run on, which
 * then takes it (steal). Racy reads: at worst a CPU wakes for nothing.
 */
static void tickle_idler(const struct vcpu *v, unsigned int busy)
{
	if (!READ_ONCE(percpu[busy].curr))
		return; /* its own CPU idles: it runs v itself */
	for_each_online_cpu(pc) {
		if (pc->id != busy && !READ_ONCE(pc->curr) &&
		    (v->hard_affinity & (1ULL << pc->id))) {
			sched_kick(pc->id);
			return;
		}
	}
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
	if (kick) {
		sched_kick(cpu);
		tickle_idler(v, cpu);
	}
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
void quiesce_snapshot(u32 *since)
{
	for_each_online_cpu(pc)
		since[pc->id] = (u32)READ_ONCE(pc->quiesce_count);
}

/* Has every other CPU passed a quiescent point? Nudges those that lag. */
bool quiesce_passed(const u32 *since)
{
	bool passed = true;

	for_each_online_cpu(pc) {
		if (pc->id == smp_processor_id() ||
		    (u32)READ_ONCE(pc->quiesce_count) != since[pc->id])
			continue;
		passed = false;
		sched_kick_events(pc->id); /* wakes an idle CPU */
	}
	return passed;
}

/* --- Choosing ----------------------------------------------------------- */

static enum credit_prio prio_of(const struct vcpu *v)
{
	return credit_prio(v->boosted, READ_ONCE(v->credit));
}

/* A capped domain's vCPU that spent its credit waits for the next period. */
static bool parked(const struct vcpu *v)
{
	return v->domain->cap && READ_ONCE(v->credit) <= 0;
}

/*
 * Should a run before b (met later in the queue)? Priority first; among
 * equals a vCPU that yielded goes last, and otherwise the queue's order
 * decides (round robin): ordering equals by credit instead would starve
 * a vCPU in debt behind one pinned beside it for as long as the debt
 * lasts.
 */
static bool better(const struct vcpu *a, const struct vcpu *b)
{
	enum credit_prio pa = prio_of(a), pb = prio_of(b);

	if (pa != pb)
		return pa > pb;
	return b->yielded && !a->yielded;
}

/*
 * The best vCPU on pc's queue that CPU cpu may run, or NULL. From another
 * CPU's queue (remote), only one that is switched out and whose hard
 * affinity allows cpu. pc's lock held.
 */
static struct vcpu *best_queued(struct percpu *pc, unsigned int cpu,
				bool remote)
{
	struct vcpu *best = NULL;
	struct list_head *pos;

	list_for_each(pos, &pc->runq) {
		struct vcpu *v = list_entry(pos, struct vcpu, runq_link);

		if (parked(v))
			continue;
		if (remote && (READ_ONCE(v->running) ||
			       !(v->hard_affinity & (1ULL << cpu))))
			continue;
		if (!best || better(v, best))
			best = v;
	}
	return best;
}

/*
 * Work for pc from another CPU's queue: anything runnable if pc would
 * idle (than == NULL), else only work of a better priority than `than`.
 * Another queue's lock is only tried, never waited for (ours is held).
 */
static struct vcpu *steal(struct percpu *pc, const struct vcpu *than)
{
	for_each_online_cpu(o) {
		struct vcpu *v;

		if (o == pc || list_empty(&o->runq) ||
		    !spin_trylock(&runq_lock[o->id]))
			continue;
		v = best_queued(o, pc->id, true);
		if (v && (!than || prio_of(v) > prio_of(than))) {
			list_del(&v->runq_link);
			v->on_runq = false;
			/* Under its old CPU's lock, as lock_vcpu_runq expects. */
			WRITE_ONCE(v->processor, pc->id);
			spin_unlock(&runq_lock[o->id]);
			stolen[pc->id] = v;
			return v;
		}
		spin_unlock(&runq_lock[o->id]);
	}
	return NULL;
}

/*
 * Pick the next vCPU for this CPU (see the top of this file). A prev that
 * a boosted vCPU preempts keeps its place and what was left of its
 * slice. Lock held.
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
	next = best_queued(pc, pc->id, false);
	if (!next || prio_of(next) == PRIO_OVER) {
		struct vcpu *s = steal(pc, next);

		if (s)
			next = s;
	}
	if (!next)
		return NULL;
	if (next->on_runq) {
		list_del(&next->runq_link);
		next->on_runq = false;
	}
	next->yielded = false;
	next->ran = true;
	return next;
}

/*
 * A boosted vCPU's run ends when its budget does; a preempted one's when
 * the rest of its slice does; a capped one's when its credit does.
 */
static u64 slice_for(struct vcpu *next)
{
	u64 left = next->slice_left, slice;
	s64 credit = READ_ONCE(next->credit);

	next->slice_left = 0;
	if (next->boosted && next->boost_budget < SCHED_SLICE_NS)
		return next->boost_budget;
	slice = left ? left : SCHED_SLICE_NS;
	if (next->domain->cap && credit > 0 && (u64)credit < slice)
		slice = (u64)credit > MICROSECS(100) ? (u64)credit
						     : MICROSECS(100);
	return slice;
}

/* --- Accounting ------------------------------------------------------- */

static struct credit_dom acct_doms[MAX_DOMAINS];

/* Did v want the CPU in the period just ended? Starts the next one. */
static bool vcpu_was_active(struct vcpu *v)
{
	bool ran = __atomic_exchange_n(&v->ran, false, __ATOMIC_RELAXED);

	return ran || READ_ONCE(v->on_runq) || READ_ONCE(v->running);
}

/* Give v its part of the period, keeping it within credit_clip. */
static void credit_give(struct vcpu *v, s64 part)
{
	s64 old = READ_ONCE(v->credit), new;

	do {
		new = credit_clip(old + part, CREDIT_PERIOD_NS);
	} while (!__atomic_compare_exchange_n(&v->credit, &old, new, false,
					      __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
}

/* The domains that wanted the CPU, for credit_shares; marks their vCPUs. */
static unsigned int gather_active(void)
{
	unsigned int n = 0;
	struct domain *d;
	struct vcpu *v;

	for_each_domain(d) {
		unsigned int active = 0;

		for_each_vcpu(d, v) {
			v->acct_active = vcpu_was_active(v);
			active += v->acct_active;
		}
		if (!active || n == ARRAY_SIZE(acct_doms))
			continue;
		acct_doms[n++] = (struct credit_dom){
			.id = d->id,
			.weight = READ_ONCE(d->weight),
			.cap = READ_ONCE(d->cap),
			.active = (u16)active,
		};
	}
	return n;
}

/*
 * Every period, on CPU 0 (a timer, so no domain it looks at is freed
 * meanwhile: freeing waits for every CPU to pass a quiescent point):
 * share the online CPUs' next period out, and wake idle CPUs whose
 * queues may hold vCPUs the credit unparks.
 */
static void credit_account(void *data)
{
	static u64 last;
	u64 now = NOW(), period = last ? now - last : CREDIT_PERIOD_NS;
	unsigned int n, ncpus = 0;
	struct domain *d;
	struct vcpu *v;

	(void)data;
	/*
	 * Share out the time that really passed: a late timer (a busy host)
	 * must not leave everyone in debt, which the clip would then forgive
	 * alike, flattening the weights. The clip bounds what a long gap
	 * can give.
	 */
	if (period > 1000 * CREDIT_PERIOD_NS / 30)
		period = 1000 * CREDIT_PERIOD_NS / 30; /* a second */
	last = now;
	for_each_online_cpu(pc)
		ncpus++;
	n = gather_active();
	credit_shares(acct_doms, n, ncpus * period, period);
	for (unsigned int i = 0; i < n; i++) {
		s64 part = (s64)(acct_doms[i].share / acct_doms[i].active);

		d = domain_lookup(acct_doms[i].id);
		if (!d)
			continue;
		for_each_vcpu(d, v)
			if (v->acct_active)
				credit_give(v, part);
	}
	for_each_online_cpu(pc)
		if (!READ_ONCE(pc->curr) && !list_empty(&pc->runq))
			sched_kick(pc->id);
	set_timer(&acct_timer, NOW() + CREDIT_PERIOD_NS);
}

/* Xen's scheduler_op for the credit scheduler: a domain's weight and cap. */
void sched_credit_get(struct domain *d, u16 *weight, u16 *cap)
{
	*weight = READ_ONCE(d->weight);
	*cap = READ_ONCE(d->cap);
}

/* As Xen: weight 0 and cap 0xffff leave the value as it is. */
void sched_credit_set(struct domain *d, u16 weight, u16 cap)
{
	if (weight)
		WRITE_ONCE(d->weight, weight);
	if (cap != 0xffff)
		WRITE_ONCE(d->cap, cap);
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
		charge(prev, pc, now);
	next = pick_next(pc, prev, now);
	pc->runq_parked = !next && !list_empty(&pc->runq);
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
	if (stolen[pc->id]) {
		migrate_vcpu_timers(stolen[pc->id]);
		stolen[pc->id] = NULL;
	}
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
		current->yielded = true;
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
