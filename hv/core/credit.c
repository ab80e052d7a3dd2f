/*
 * The credit scheduler's arithmetic (see credit.h).
 *
 * Each accounting period, the CPU time of all online CPUs is shared out
 * among the domains that wanted it, in proportion to their weights. A
 * domain cannot use more than its active vCPUs can run (one CPU each),
 * nor more than its cap; what such a domain cannot take goes to the
 * others, by weight again (water-filling), so that the weights decide
 * how the CPUs are really used, not how they would be if everyone could
 * take its whole share.
 */
#include "credit.h"

/* The most domain i can use in a period. */
static u64 limit_of(const struct credit_dom *d, u64 period)
{
	u64 lim = (u64)d->active * period;
	u64 cap = (u64)d->cap * period / 100;

	return d->cap && cap < lim ? cap : lim;
}

/* A domain that weight 0 would leave out still counts as weight 1. */
static u64 weight_of(const struct credit_dom *d)
{
	return d->weight ? d->weight : 1;
}

#define SETTLED (~0ULL) /* share's marker while sharing out */

/*
 * Set doms[i].share for a period with `total` ns of CPU. Each round
 * gives every unsettled domain its weighted part of what is left; one
 * whose part reaches its limit is settled at the limit and the rest is
 * shared again (a settled domain took no more than its part, so the
 * others' parts only grow). At most n rounds: each settles one domain
 * or is the last.
 */
void credit_shares(struct credit_dom *doms, unsigned int n, u64 total,
		   u64 period)
{
	u64 left = total, weight = 0;
	bool settling = true;

	for (unsigned int i = 0; i < n; i++) {
		doms[i].share = 0;
		weight += weight_of(&doms[i]);
	}
	while (settling && left && weight) {
		settling = false;
		for (unsigned int i = 0; i < n; i++) {
			struct credit_dom *d = &doms[i];
			u64 lim = limit_of(d, period);

			/* No overflow: ns of 64 CPUs' period times 65535. */
			if (d->share == SETTLED ||
			    left * weight_of(d) / weight < lim)
				continue;
			left -= lim;
			weight -= weight_of(d);
			d->share = SETTLED;
			settling = true;
			if (!weight)
				break;
		}
	}
	for (unsigned int i = 0; i < n; i++) {
		struct credit_dom *d = &doms[i];

		if (d->share == SETTLED)
			d->share = limit_of(d, period);
		else
			d->share = weight ? left * weight_of(d) / weight : 0;
	}
}

/*
 * Keep a vCPU's credit within two periods of debt and one of savings, so
 * that neither grows without end: a vCPU with savings runs (UNDER) ahead
 * of those without for at most a period, and one that overran (a long
 * slice, or the host stalling the CPU under it) pays back up to two.
 */
s64 credit_clip(s64 credit, u64 period)
{
	s64 hi = (s64)period, lo = -2 * (s64)period;

	return credit > hi ? hi : credit < lo ? lo : credit;
}

enum credit_prio credit_prio(bool boosted, s64 credit)
{
	if (boosted)
		return PRIO_BOOST;
	return credit > 0 ? PRIO_UNDER : PRIO_OVER;
}
