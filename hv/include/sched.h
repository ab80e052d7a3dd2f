/*
 * The scheduler: Xen's credit scheduler (sched.c, credit.c): per-CPU run
 * queues of runnable vCPUs, weights and caps, a time slice, blocking,
 * waking and work stealing.
 */
#ifndef XENOLITH_SCHED_H
#define XENOLITH_SCHED_H

#include "domain.h"

#define SCHED_SLICE_NS MILLISECS(10)
/* A woken vCPU's boost: the budget's cap; it refills at 1/SHARE of a CPU. */
#define SCHED_BOOST_CAP_NS MILLISECS(2)
#define SCHED_BOOST_SHARE 4

void sched_init_cpu(void);
void __noreturn schedule(void);
void sched_maybe_preempt(void);
void vcpu_wake(struct vcpu *v);
void sched_wait_not_running(struct vcpu *v);
void sched_kick(unsigned int cpu);
void __noreturn reset_stack_and_jump(void (*fn)(void));
void sched_start_vcpu(struct vcpu *v);
void vcpu_pause_sync(struct vcpu *v, u32 reason);
u64 vcpu_cpu_time(struct vcpu *v);
void vcpu_runstate_get(struct vcpu *v, struct vcpu_runstate_info *r);
int vcpu_set_affinity(struct vcpu *v, u64 hard, u64 soft);
u64 sched_online_mask(void);
void quiesce_snapshot(u32 *since);
bool quiesce_passed(const u32 *since);

long do_sched_op(int cmd, u64 arg);
long do_set_timer_op(u64 timeout);

void sched_kick_events(unsigned int cpu);

/* Guest time and vcpu timers (vtime.c) */
void vtime_init(u64 wall_sec);
void vcpu_timers_init(struct vcpu *v);
void vcpu_timers_stop(struct vcpu *v);
void migrate_vcpu_timers(struct vcpu *v);
void update_vcpu_system_time(struct vcpu *v);
void update_domain_wallclock(struct domain *d);
void update_runstate_area(struct vcpu *v);
u64 guest_timer_deadline(u64 t); /* a guest's deadline, capped */
long vcpu_initialise(struct vcpu *v, u64 arg);
struct vcpu_guest_context;
long vcpu_set_context(struct vcpu *v, const struct vcpu_guest_context *c);
void sched_credit_get(struct domain *d, u16 *weight, u16 *cap);
void sched_credit_set(struct domain *d, u16 weight, u16 cap);
void sched_latency_show(const char *const *hc_names, unsigned int nr_hc);

#endif
