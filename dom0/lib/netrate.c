/*
 * The credit-based transmit limiter (see netrate.h). refill_at stands in
 * for Xen netback's credit timer: once a packet has had to wait, the
 * next window's credit is added when that window starts, not a whole
 * window after the check that found it missing.
 */
#include "netrate.h"

static void add_credit(struct netrate *r)
{
	uint64_t burst = r->credit_bytes > NETRATE_MIN_BURST
			     ? r->credit_bytes
			     : NETRATE_MIN_BURST;
	uint64_t sum = r->remaining + r->credit_bytes;

	if (sum < r->remaining) /* wrapped */
		sum = UINT64_MAX;
	r->remaining = sum < burst ? sum : burst;
}

void netrate_init(struct netrate *r, uint64_t bytes, uint32_t usec,
		  uint64_t now)
{
	r->credit_bytes = usec ? bytes : 0;
	r->window_ns = (uint64_t)usec * 1000;
	r->remaining = r->credit_bytes;
	r->window_start = now;
	r->refill_at = 0;
}

bool netrate_take(struct netrate *r, uint32_t size, uint64_t now,
		  uint64_t *retry)
{
	uint64_t next = r->window_start + r->window_ns;

	if (!r->credit_bytes)
		return true;
	if (r->refill_at) {
		if (now < r->refill_at) {
			*retry = r->refill_at;
			return false;
		}
		r->refill_at = 0;
		add_credit(r);
	} else if (now >= next) {
		r->window_start = now;
		add_credit(r);
	}
	if (size > r->remaining) {
		next = r->window_start + r->window_ns;
		r->window_start = next;
		r->refill_at = next;
		*retry = next;
		return false;
	}
	r->remaining -= size;
	return true;
}
