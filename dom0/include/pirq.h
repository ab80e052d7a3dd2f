/*
 * Physical interrupts for domain 0's drivers (dom0/drivers/pirq.c): a
 * device's interrupt line (GSI) becomes a pirq bound to an event channel;
 * its events set a flag and wake a wait queue. A level-triggered line
 * stays masked in the hypervisor from delivery until pirq_eoi, which the
 * driver calls after the device has dropped the line.
 */
#ifndef DOM0_PIRQ_H
#define DOM0_PIRQ_H

#include <stdbool.h>
#include <stdint.h>
#include "kernel.h"

struct pirq_line {
	uint32_t gsi, pirq, port;
	bool needs_eoi;
	volatile bool fired; /* set by the event, cleared by the driver */
	struct waitq *q;
};

/* Route gsi (level/edge, active low/high) to q; 0 or a negative errno. */
int pirq_bind(struct pirq_line *line, uint32_t gsi, bool level, bool active_low,
	      struct waitq *q);
void pirq_eoi(struct pirq_line *line);

#endif
