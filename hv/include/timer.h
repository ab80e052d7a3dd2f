/*
 * Software timers: each CPU keeps its pending timers sorted by expiry and
 * programs its APIC timer for the earliest. A timer runs on the CPU it was
 * set for, in interrupt context, with interrupts disabled.
 */
#ifndef XENOLITH_TIMER_H
#define XENOLITH_TIMER_H

#include "list.h"
#include "types.h"

struct timer {
	struct list_head link;
	u64 expires; /* system time, ns */
	void (*fn)(void *data);
	void *data;
	unsigned int cpu;
	bool pending;
};

void timer_init(struct timer *t, void (*fn)(void *), void *data,
		unsigned int cpu);
void set_timer(struct timer *t, u64 expires);
void stop_timer(struct timer *t);
void migrate_timer(struct timer *t, unsigned int cpu);
void timers_init_cpu(void);

#endif
