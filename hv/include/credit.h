/*
 * The credit scheduler's arithmetic (credit.c), apart from its mechanism
 * (sched.c) so that the host unit tests can drive it: how an accounting
 * period's CPU time is shared out by weight and cap, and a vCPU's
 * priority from its credit.
 */
#ifndef XENOLITH_CREDIT_H
#define XENOLITH_CREDIT_H

#include "types.h"

#define CREDIT_DEFAULT_WEIGHT 256
/* Credit is CPU time in ns. A period's worth, as Xen's 30 ms tslice. */
#define CREDIT_PERIOD_NS 30000000ULL

/* Priorities, best first as numbers go up (Xen's BOOST, UNDER, OVER). */
enum credit_prio { PRIO_OVER = 0, PRIO_UNDER = 1, PRIO_BOOST = 2 };

/* One domain with vCPUs that wanted the CPU in the period just ended. */
struct credit_dom {
	u16 id;
	u16 weight; /* 1..65535 */
	u16 cap; /* percent of one CPU; 0: none */
	u16 active; /* its vCPUs that were runnable or ran */
	u64 share; /* out: ns of CPU for the next period */
};

void credit_shares(struct credit_dom *doms, unsigned int n, u64 total,
		   u64 period);
s64 credit_clip(s64 credit, u64 period);
enum credit_prio credit_prio(bool boosted, s64 credit);

#endif
