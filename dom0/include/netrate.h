/*
 * A VIF's transmit rate limiter (dom0/lib/netrate.c), with the semantics
 * of Xen's netback for a vif's rate= (credit_bytes per credit_usec):
 * the guest may send credit_bytes per window; a packet larger than the
 * credit left waits for the next window, when the window's credit is
 * added to what is left, up to a burst of max(128 KiB, credit_bytes), so
 * a packet larger than one window's credit still goes once enough has
 * built up. Pure code, driven by the host unit test.
 */
#ifndef DOM0_NETRATE_H
#define DOM0_NETRATE_H

#include <stdbool.h>
#include <stdint.h>

#define NETRATE_MIN_BURST 131072u /* a 64 KiB packet always gets through */

struct netrate {
	uint64_t credit_bytes; /* per window; 0: not limited */
	uint64_t window_ns;
	uint64_t remaining;
	uint64_t window_start;
	uint64_t refill_at; /* a packet waits: credit comes then (0: none) */
};

void netrate_init(struct netrate *r, uint64_t bytes, uint32_t usec,
		  uint64_t now);
/*
 * May a packet of size bytes go at now? If so it is charged. If not,
 * *retry is when to ask again.
 */
bool netrate_take(struct netrate *r, uint32_t size, uint64_t now,
		  uint64_t *retry);

#endif
