/*
 * A VIF's transmit limiter (dom0/lib/netrate.c): the credit per window,
 * its refill, the burst cap, a packet larger than a window's credit, and
 * the rate a busy sender gets over many windows.
 */
#include "test.h"
#include "netrate.h"

#define MSEC 1000000ull

static void test_window(void)
{
	struct netrate r;
	uint64_t retry = 0;

	TEST_GROUP("netrate: credit per window, refill, unlimited");
	netrate_init(&r, 0, 0, 0);
	CHECK(netrate_take(&r, 65535, 0, &retry), "no rate: anything goes");
	netrate_init(&r, 10000, 50000, 1000);
	CHECK(netrate_take(&r, 6000, 1000, &retry), "within the credit");
	CHECK(!netrate_take(&r, 6000, 2000, &retry) &&
		  retry == 1000 + 50 * MSEC,
	      "beyond it: wait for the next window (retry %lu)",
	      (unsigned long)retry);
	CHECK(!netrate_take(&r, 100, 10 * MSEC, &retry) &&
		  retry == 1000 + 50 * MSEC,
	      "a waiting VIF sends nothing, small packets either");
	CHECK(netrate_take(&r, 6000, 1000 + 50 * MSEC, &retry),
	      "next window: the leftover plus one window's credit");
	CHECK(r.remaining == 14000 - 6000, "remaining %lu",
	      (unsigned long)r.remaining);
	CHECK(netrate_take(&r, 8000, 1000 + 60 * MSEC, &retry) &&
		  !netrate_take(&r, 1, 1000 + 60 * MSEC, &retry),
	      "credit spent");
}

static void test_big(void)
{
	struct netrate r;
	uint64_t retry = 0, now = 0;
	int waits = 0;

	TEST_GROUP("netrate: a packet above a window's credit, the burst cap");
	netrate_init(&r, 1000, 10000, 0);
	while (!netrate_take(&r, 65535, now, &retry) && waits < 1000) {
		CHECK(retry > now, "retry moves forward");
		now = retry;
		waits++;
	}
	CHECK(waits == 65, "a 64 KiB packet goes after 65 windows of 1000 (%d)",
	      waits);
	netrate_init(&r, 1000, 10000, 0);
	CHECK(netrate_take(&r, 1000, 0, &retry), "first window");
	now = 10 * 1000 * 10000 * 1000ull; /* idle for a long time */
	CHECK(netrate_take(&r, 1000, now, &retry) && r.remaining == 0,
	      "an idle VIF gets one window's credit, not all it missed");
	netrate_init(&r, 1000, 10000, 0);
	for (int i = 0; i < 200; i++) {
		r.refill_at = 0;
		netrate_take(&r, 1, (uint64_t)i * 10 * MSEC, &retry);
	}
	CHECK(r.remaining <= NETRATE_MIN_BURST, "credit capped at the burst");
}

/* A sender with packets always waiting gets credit_bytes per window. */
static void test_rate(void)
{
	struct netrate r;
	uint64_t now = 0, retry = 0, sent = 0, end = 10000 * MSEC;

	TEST_GROUP("netrate: a busy sender's rate over 10 s");
	netrate_init(&r, 62500, 50000, 0); /* 10Mb/s */
	while (now < end) {
		if (netrate_take(&r, 1514, now, &retry))
			sent += 1514;
		else
			now = retry;
	}
	CHECK(sent >= 1250000 * 10 - 2000 && sent <= 1250000 * 10 + 62500,
	      "10Mb/s for 10 s: %lu bytes (want 12500000 + one window)",
	      (unsigned long)sent);
}

int main(void)
{
	test_window();
	test_big();
	test_rate();
	return test_summary("test_netrate");
}
