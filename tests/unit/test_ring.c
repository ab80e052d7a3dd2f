/*
 * Host tests of the shared-ring logic in include/xen/io/ring.h and of the
 * byte-ring arithmetic of the console and xenstore pages: ring sizing,
 * initialisation, producing and consuming across 32-bit index wraparound,
 * full and empty detection, the notify rule (exhaustively, against a
 * reference that counts the indices pushed past), the final check before
 * sleeping, and a two-thread producer/consumer run with emulated event
 * channels, where a lost wake-up shows up as a timeout.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "test.h"

#include <xen/io/blkif.h>
#include <xen/io/console.h>
#include <xen/io/netif.h>
#include <xen/io/ring.h>
#include <xen/io/xs_wire.h>

#define PAGE 4096

/* A test protocol: a request and a response of 8 bytes each. */
struct t_req {
	uint32_t id;
	uint32_t val;
};
struct t_rsp {
	uint32_t id;
	uint32_t val;
};
DEFINE_RING_TYPES(t, struct t_req, struct t_rsp);

/* One slot of 24 bytes, so that rounding down to a power of two shows. */
struct t24 {
	uint64_t a, b, c;
};
DEFINE_RING_TYPES(t24, struct t24, struct t24);

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x;
}

static void *page_alloc(size_t bytes, int fill)
{
	void *p = aligned_alloc(PAGE, bytes);

	if (!p)
		abort();
	memset(p, fill, bytes);
	return p;
}

/* Largest power of two <= n, the obvious way (0 for 0). */
static unsigned long ref_floor_pow2(unsigned long n)
{
	unsigned long p = 0;

	for (unsigned long q = 1; q && q <= n; q <<= 1)
		p = q;
	return p;
}

/* ---------------------------------------------------------------- sizes */

static void test_sizes(void)
{
	TEST_GROUP("ring sizes: header, slot counts, power-of-two rounding");

	CHECK(offsetof(struct t_sring, ring) == 64, "%zu",
	      offsetof(struct t_sring, ring));
	CHECK(sizeof(struct t_sring) == 64, "flexible array: %zu",
	      sizeof(struct t_sring));
	CHECK(offsetof(struct t_sring, req_event) == 4 &&
		  offsetof(struct t_sring, rsp_prod) == 8 &&
		  offsetof(struct t_sring, rsp_event) == 12,
	      "header offsets");
	CHECK(sizeof(union t_sring_entry) == 8, "%zu",
	      sizeof(union t_sring_entry));

	/* The protocols' one-page rings. */
	CHECK(__CONST_RING_SIZE(blkif, PAGE) == 32, "%u",
	      __CONST_RING_SIZE(blkif, PAGE));
	CHECK(__CONST_RING_SIZE(netif_tx, PAGE) == 256, "%u",
	      __CONST_RING_SIZE(netif_tx, PAGE));
	CHECK(__CONST_RING_SIZE(netif_rx, PAGE) == 256, "%u",
	      __CONST_RING_SIZE(netif_rx, PAGE));
	CHECK(__CONST_RING_SIZE(t, PAGE) == 256, "%u",
	      __CONST_RING_SIZE(t, PAGE));
	/* (4096 - 64) / 24 = 168 -> 128. */
	CHECK(__CONST_RING_SIZE(t24, PAGE) == 128, "%u",
	      __CONST_RING_SIZE(t24, PAGE));
	CHECK(__CONST_RING_SIZE(blkif, 4 * PAGE) == 128, "%u",
	      __CONST_RING_SIZE(blkif, 4 * PAGE));

	/* Usable where a constant expression is required. */
	{
		static char arr[__CONST_RING_SIZE(blkif, PAGE)];
		_Static_assert(__CONST_RING_SIZE(netif_tx, PAGE) == 256, "");

		CHECK(sizeof(arr) == 32, "%zu", sizeof(arr));
	}

	/* The run-time form against the reference, for many byte counts. */
	{
		int bad = 0;

		for (size_t bytes = 0; bytes < 3 * PAGE; bytes += 7) {
			unsigned long want =
			    bytes > 64 ? ref_floor_pow2((bytes - 64) / 24) : 0;
			unsigned int got =
			    __RING_SIZE((struct t24_sring *)NULL, bytes);

			if (got != want) {
				if (!bad++)
					printf("  bytes %zu: got %u want %lu\n",
					       bytes, got, want);
			}
		}
		CHECK(bad == 0, "%d byte counts sized wrongly", bad);
	}
	CHECK(xen_ring_entries(64, 64, 8) == 0, "no room for a slot");
	CHECK(xen_ring_entries(71, 64, 8) == 0, "7 bytes, 8-byte slot");
	CHECK(xen_ring_entries(72, 64, 8) == 1, "exactly one slot");
	CHECK(xen_ring_entries(10, 64, 8) == 0, "smaller than the header");
	CHECK(xen_ring_entries((size_t)1 << 40, 64, 1) == 0x80000000u,
	      "capped at 2^31: %u", xen_ring_entries((size_t)1 << 40, 64, 1));
}

/* --------------------------------------------------------------- init */

static void test_init(void)
{
	unsigned char *pg = page_alloc(PAGE, 0xee);
	struct t_sring *s = (struct t_sring *)pg;
	struct t_front_ring f;
	struct t_back_ring b;
	int pad_clear = 1;

	TEST_GROUP("initialisation: SHARED_RING_INIT, FRONT/BACK_RING_INIT");

	SHARED_RING_INIT(s);
	CHECK(s->req_prod == 0 && s->rsp_prod == 0, "producers %u %u",
	      s->req_prod, s->rsp_prod);
	CHECK(s->req_event == 1 && s->rsp_event == 1, "events %u %u",
	      s->req_event, s->rsp_event);
	for (int i = 16; i < 64; i++)
		pad_clear &= pg[i] == 0;
	CHECK(pad_clear, "header padding zeroed");
	CHECK(pg[64] == 0xee && pg[PAGE - 1] == 0xee, "slots untouched");

	memset(&f, 0xcc, sizeof(f));
	memset(&b, 0xcc, sizeof(b));
	FRONT_RING_INIT(&f, s, PAGE);
	BACK_RING_INIT(&b, s, PAGE);
	CHECK(f.req_prod_pvt == 0 && f.rsp_cons == 0 && f.sring == s,
	      "front state");
	CHECK(b.rsp_prod_pvt == 0 && b.req_cons == 0 && b.sring == s,
	      "back state");
	CHECK(RING_SIZE(&f) == 256 && RING_SIZE(&b) == 256, "%u %u",
	      RING_SIZE(&f), RING_SIZE(&b));
	CHECK(RING_FREE_REQUESTS(&f) == 256 && !RING_FULL(&f), "empty ring");
	CHECK(RING_HAS_UNCONSUMED_REQUESTS(&b) == 0, "no requests");
	CHECK(RING_HAS_UNCONSUMED_RESPONSES(&f) == 0, "no responses");

	/* XEN_FRONT_RING_INIT does both, on a dirty page. */
	memset(pg, 0x77, PAGE);
	XEN_FRONT_RING_INIT(&f, s, PAGE);
	CHECK(s->req_prod == 0 && s->req_event == 1 && s->rsp_event == 1 &&
		  pg[63] == 0 && f.nr_ents == 256,
	      "XEN_FRONT_RING_INIT");

	/* Attaching at a non-zero index (e.g. after a reconnect). */
	FRONT_RING_ATTACH(&f, s, 0xfffffff0u, 2 * PAGE);
	BACK_RING_ATTACH(&b, s, 0xfffffff0u, PAGE);
	CHECK(f.req_prod_pvt == 0xfffffff0u && f.rsp_cons == 0xfffffff0u &&
		  f.nr_ents == 512,
	      "front attach");
	CHECK(b.rsp_prod_pvt == 0xfffffff0u && b.req_cons == 0xfffffff0u &&
		  b.nr_ents == 256,
	      "back attach");
	free(pg);
}

/* -------------------------------------------- single-threaded traffic */

/*
 * Requests and responses through one ring, starting at `start` (all four
 * shared indices and both sides' cursors), with random batch sizes. A
 * 64-bit model of every counter checks each macro's answer; payloads
 * check that slot i & (n - 1) is the one used.
 */
static int64_t traffic(RING_IDX start, unsigned int bytes, int rounds)
{
	unsigned char *pg = page_alloc(bytes, 0);
	struct t_sring *s = (struct t_sring *)pg;
	struct t_front_ring f;
	struct t_back_ring b;
	uint64_t sent = 0, taken = 0, answered = 0, done = 0; /* model */
	unsigned int n;
	int bad = 0;

#define T_EXPECT(cond)                                                         \
	do {                                                                   \
		if (!(cond) && !bad++)                                         \
			printf("  start %#x round %d: %s\n", start, r, #cond); \
	} while (0)

	SHARED_RING_INIT(s);
	s->req_prod = s->rsp_prod = start;
	s->req_event = s->rsp_event = start + 1;
	FRONT_RING_ATTACH(&f, s, start, bytes);
	BACK_RING_ATTACH(&b, s, start, bytes);
	n = RING_SIZE(&f);

	for (int r = 0; r < rounds && !bad; r++) {
		unsigned int k, free_slots = RING_FREE_REQUESTS(&f);

		/* Frontend: fill some of the free slots, then push. */
		T_EXPECT(free_slots == n - (sent - done));
		T_EXPECT(RING_FULL(&f) == (sent - done == n));
		k = free_slots ? rnd() % (free_slots + 1) : 0;
		if (rnd() % 4 == 0)
			k = free_slots; /* fill it up */
		for (unsigned int i = 0; i < k; i++) {
			struct t_req *q = RING_GET_REQUEST(&f, f.req_prod_pvt);

			T_EXPECT((char *)q ==
				 (char *)s->ring + 8 * ((start + sent) % n));
			q->id = (uint32_t)sent;
			q->val = (uint32_t)(sent * 2654435761u);
			f.req_prod_pvt++;
			sent++;
		}
		if (rnd() & 1) {
			RING_PUSH_REQUESTS(&f);
		} else {
			int notify;

			RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f, notify);
			(void)notify;
		}
		T_EXPECT(s->req_prod == (RING_IDX)(start + sent));
		T_EXPECT(RING_FULL(&f) == (sent - done == n));

		/* Backend: consume some requests, answer some of those. */
		T_EXPECT(RING_HAS_UNCONSUMED_REQUESTS(&b) == sent - taken);
		T_EXPECT(!RING_REQUEST_PROD_OVERFLOW(&b, s->req_prod));
		k = rnd() % (sent - taken + 1);
		for (unsigned int i = 0; i < k; i++) {
			struct t_req q;

			T_EXPECT(!RING_REQUEST_CONS_OVERFLOW(&b, b.req_cons));
			RING_COPY_REQUEST(&b, b.req_cons, &q);
			T_EXPECT(q.id == (uint32_t)taken &&
				 q.val == (uint32_t)(taken * 2654435761u));
			b.req_cons++;
			taken++;
		}
		k = rnd() % (taken - answered + 1);
		for (unsigned int i = 0; i < k; i++) {
			struct t_rsp *p = RING_GET_RESPONSE(&b, b.rsp_prod_pvt);

			p->id = (uint32_t)answered;
			p->val = ~(uint32_t)answered;
			b.rsp_prod_pvt++;
			answered++;
		}
		RING_PUSH_RESPONSES(&b);

		/* Frontend: take some of the responses. */
		T_EXPECT(RING_HAS_UNCONSUMED_RESPONSES(&f) == answered - done);
		T_EXPECT(!RING_RESPONSE_PROD_OVERFLOW(&f, s->rsp_prod));
		k = rnd() % (answered - done + 1);
		for (unsigned int i = 0; i < k; i++) {
			struct t_rsp p;

			RING_COPY_RESPONSE(&f, f.rsp_cons, &p);
			T_EXPECT(p.id == (uint32_t)done &&
				 p.val == ~(uint32_t)done);
			f.rsp_cons++;
			done++;
		}
	}
	free(pg);
#undef T_EXPECT
	return bad ? -1 : (int64_t)sent;
}

static void test_traffic(void)
{
	static const RING_IDX starts[] = {
		0,	     1,		  1000,	       0x7fffffffu,
		0xffffffffu, 0xfffffffeu, 0xffffff00u, 0xffffff01u,
		0u - 256,    0u - 255,	  0u - 100,
	};

	TEST_GROUP("producer/consumer traffic across index wraparound");
	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
		for (unsigned int pages = 1; pages <= 2; pages++) {
			int64_t sent = traffic(starts[i], pages * PAGE, 400);

			CHECK(sent > 0, "start %#x, %u pages", starts[i],
			      pages);
			/* Those within reach of 2^32 must have crossed it. */
			if (starts[i] >= 0xffffff00u)
				CHECK((uint64_t)starts[i] + sent > 0xffffffffu,
				      "start %#x: only %lld sent", starts[i],
				      (long long)sent);
		}
	}
}

/* ---------------------------------------------------- full and empty */

static void test_full_empty(void)
{
	unsigned char *pg = page_alloc(PAGE, 0);
	struct blkif_sring *s = (struct blkif_sring *)pg;
	struct blkif_front_ring f;
	struct blkif_back_ring b;
	RING_IDX start = 0xfffffff0u;
	int notify;

	TEST_GROUP("full and empty detection (blkif, 32 slots)");
	SHARED_RING_INIT(s);
	s->req_prod = s->rsp_prod = start;
	FRONT_RING_ATTACH(&f, s, start, PAGE);
	BACK_RING_ATTACH(&b, s, start, PAGE);
	CHECK(RING_SIZE(&f) == 32, "%u", RING_SIZE(&f));

	for (int i = 0; i < 32; i++) {
		CHECK(!RING_FULL(&f), "full after %d", i);
		RING_GET_REQUEST(&f, f.req_prod_pvt)->id = (uint64_t)i;
		f.req_prod_pvt++;
	}
	CHECK(RING_FULL(&f) && RING_FREE_REQUESTS(&f) == 0, "full at 32");
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f, notify);
	CHECK(notify, "first push notifies");
	CHECK(s->req_prod == start + 32 && s->req_prod < start, "wrapped");
	CHECK(RING_HAS_UNCONSUMED_REQUESTS(&b) == 32, "%u",
	      RING_HAS_UNCONSUMED_REQUESTS(&b));

	/* The backend consumes all 32 and answers only one: still full. */
	for (int i = 0; i < 32; i++) {
		CHECK(!RING_REQUEST_CONS_OVERFLOW(&b, b.req_cons), "%d", i);
		CHECK(RING_GET_REQUEST(&b, b.req_cons)->id == (uint64_t)i,
		      "slot order at %d", i);
		b.req_cons++;
	}
	CHECK(RING_REQUEST_CONS_OVERFLOW(&b, b.req_cons),
	      "33rd request overruns the unanswered ones");
	CHECK(RING_HAS_UNCONSUMED_REQUESTS(&b) == 0, "all consumed");
	RING_GET_RESPONSE(&b, b.rsp_prod_pvt)->id = 0;
	b.rsp_prod_pvt++;
	RING_PUSH_RESPONSES(&b);
	CHECK(RING_FULL(&f), "a response not yet taken frees nothing");
	CHECK(RING_HAS_UNCONSUMED_RESPONSES(&f) == 1, "one response");
	f.rsp_cons++;
	CHECK(!RING_FULL(&f) && RING_FREE_REQUESTS(&f) == 1, "one free");

	/*
	 * A frontend claiming more requests than can exist: the count the
	 * backend sees is capped by the free room, and the overflow check
	 * flags the producer.
	 */
	s->req_prod = f.req_prod_pvt + 1000;
	CHECK(RING_REQUEST_PROD_OVERFLOW(&b, s->req_prod), "bogus producer");
	CHECK(RING_HAS_UNCONSUMED_REQUESTS(&b) == 1, "capped at %u",
	      RING_HAS_UNCONSUMED_REQUESTS(&b));
	CHECK(!RING_REQUEST_PROD_OVERFLOW(&b, b.rsp_prod_pvt + 32),
	      "exactly a ring's worth is fine");
	CHECK(RING_REQUEST_PROD_OVERFLOW(&b, b.rsp_prod_pvt + 33), "one more");
	/* Same for a backend claiming too many responses. */
	CHECK(!RING_RESPONSE_PROD_OVERFLOW(&f, f.rsp_cons + 32), "32 fine");
	CHECK(RING_RESPONSE_PROD_OVERFLOW(&f, f.rsp_cons + 33), "33 too many");
	free(pg);
}

/* -------------------------------------------------------- notify rule */

/* Reference: is `event` one of the indices old+1 .. new (mod 2^32)? */
static int ref_notify(RING_IDX old, RING_IDX new, RING_IDX event)
{
	for (RING_IDX k = old; k != new;) {
		k++;
		if (k == event)
			return 1;
	}
	return 0;
}

static void test_notify_rule(void)
{
	static const RING_IDX bases[] = { 0, 0x80000000u - 20, 0u - 20, 0u - 7,
					  12345 };
	unsigned char *pg = page_alloc(PAGE, 0);
	struct t_sring *s = (struct t_sring *)pg;
	struct t_front_ring f;
	struct t_back_ring b;
	long cases = 0;
	int bad = 0, bad_ring = 0;

	TEST_GROUP("notify rule, exhaustive around 0, 2^31 and 2^32");

	for (size_t bi = 0; bi < sizeof(bases) / sizeof(bases[0]); bi++) {
		for (RING_IDX o = 0; o < 40; o++) {
			for (RING_IDX d = 0; d <= 40; d++) {
				for (RING_IDX e = 0; e < 100; e++) {
					RING_IDX old = bases[bi] + o;
					RING_IDX new = old + d;
					RING_IDX ev = bases[bi] + e - 10;
					int want = ref_notify(old, new, ev);
					int got = xen_ring_notify_needed(
					    old, new, ev);

					cases++;
					if (got != want && !bad++)
						printf("  old %#x new %#x "
						       "event %#x: %d\n",
						       old, new, ev, got);
				}
			}
		}
	}
	CHECK(bad == 0, "%d of %ld cases wrong", bad, cases);

	/* The same through the ring macros, both directions. */
	SHARED_RING_INIT(s);
	FRONT_RING_INIT(&f, s, PAGE);
	BACK_RING_INIT(&b, s, PAGE);
	for (RING_IDX o = 0; o < 24; o++) {
		for (RING_IDX d = 0; d <= 24; d++) {
			for (RING_IDX e = 0; e < 60; e++) {
				RING_IDX old = 0u - 12 + o, ev = 0u - 20 + e;
				int nq, np;

				s->req_prod = s->rsp_prod = old;
				s->req_event = s->rsp_event = ev;
				f.req_prod_pvt = old + d;
				b.rsp_prod_pvt = old + d;
				RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f, nq);
				RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&b, np);
				if (nq != ref_notify(old, old + d, ev) ||
				    np != nq || s->req_prod != old + d ||
				    s->rsp_prod != old + d)
					bad_ring++;
			}
		}
	}
	CHECK(bad_ring == 0, "%d macro cases wrong", bad_ring);

	/* The classic cases, spelled out. */
	CHECK(xen_ring_notify_needed(0, 1, 1), "first message after init");
	CHECK(!xen_ring_notify_needed(1, 2, 1), "already told about 1");
	CHECK(!xen_ring_notify_needed(5, 5, 6), "nothing pushed");
	CHECK(xen_ring_notify_needed(0xffffffffu, 1, 0), "across the wrap");
	CHECK(!xen_ring_notify_needed(0xffffffffu, 1, 2), "not yet");
	free(pg);
}

/* -------------------------------------------------------- final check */

static void test_final_check(void)
{
	unsigned char *pg = page_alloc(PAGE, 0);
	struct t_sring *s = (struct t_sring *)pg;
	struct t_front_ring f;
	struct t_back_ring b;
	RING_IDX start = 0xfffffffdu;
	unsigned int work;
	int notify;

	TEST_GROUP("final check before sleeping");
	SHARED_RING_INIT(s);
	s->req_prod = s->rsp_prod = start;
	s->req_event = s->rsp_event = 0x1234;
	FRONT_RING_ATTACH(&f, s, start, PAGE);
	BACK_RING_ATTACH(&b, s, start, PAGE);

	/* Nothing pending: arm the event at cons + 1, report no work. */
	RING_FINAL_CHECK_FOR_REQUESTS(&b, work);
	CHECK(work == 0 && s->req_event == start + 1, "work %u event %#x", work,
	      s->req_event);
	RING_FINAL_CHECK_FOR_RESPONSES(&f, work);
	CHECK(work == 0 && s->rsp_event == start + 1, "work %u event %#x", work,
	      s->rsp_event);

	/* The next push after arming notifies, and the one after does not. */
	RING_GET_REQUEST(&f, f.req_prod_pvt)->id = 1;
	f.req_prod_pvt++;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f, notify);
	CHECK(notify, "armed event fires");
	f.req_prod_pvt++;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f, notify);
	CHECK(!notify, "held off until the consumer re-arms");

	/* Work pending: report it and leave the event alone. */
	s->req_event = 0x4321;
	RING_FINAL_CHECK_FOR_REQUESTS(&b, work);
	CHECK(work == 2 && s->req_event == 0x4321, "work %u event %#x", work,
	      s->req_event);

	/*
	 * The race the second look exists for: the consumer drains the ring,
	 * then the producer pushes while the stale event (already passed)
	 * holds off the notification. The final check must still see it.
	 */
	b.req_cons += 2;
	s->req_event = b.req_cons; /* stale: already passed */
	f.req_prod_pvt++;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f, notify);
	CHECK(!notify, "stale event: no notification");
	RING_FINAL_CHECK_FOR_REQUESTS(&b, work);
	CHECK(work == 1, "final check sees the silent push (%u)", work);

	/* Responses, across the wrap. */
	b.req_cons++;
	RING_FINAL_CHECK_FOR_REQUESTS(&b, work);
	CHECK(work == 0 && s->req_event == b.req_cons + 1, "re-armed");
	for (int i = 0; i < 3; i++) {
		RING_GET_RESPONSE(&b, b.rsp_prod_pvt)->id = (uint32_t)i;
		b.rsp_prod_pvt++;
	}
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&b, notify);
	CHECK(notify, "response push past the armed rsp_event");
	CHECK(s->rsp_prod == start + 3 && s->rsp_prod < start, "wrapped");
	RING_FINAL_CHECK_FOR_RESPONSES(&f, work);
	CHECK(work == 3 && s->rsp_event == start + 1, "work %u", work);
	f.rsp_cons += 3;
	RING_FINAL_CHECK_FOR_RESPONSES(&f, work);
	CHECK(work == 0 && s->rsp_event == f.rsp_cons + 1 && s->rsp_event == 1,
	      "armed just past the wrap: %#x", s->rsp_event);
	free(pg);
}

/* ------------------------------------------------ console / xenstore */

/* Guest side of the console's out ring, as hvc_xen does it. */
static unsigned int cons_write(struct xencons_interface *c, const char *buf,
			       unsigned int len)
{
	XENCONS_RING_IDX cons = __atomic_load_n(&c->out_cons, __ATOMIC_ACQUIRE);
	XENCONS_RING_IDX prod = c->out_prod;
	unsigned int n = 0;

	while (n < len && (XENCONS_RING_IDX)(prod - cons) < sizeof(c->out))
		c->out[MASK_XENCONS_IDX(prod++, c->out)] = buf[n++];
	__atomic_store_n(&c->out_prod, prod, __ATOMIC_RELEASE);
	return n;
}

/* Backend side: drain up to len bytes. */
static unsigned int cons_read(struct xencons_interface *c, char *buf,
			      unsigned int len)
{
	XENCONS_RING_IDX prod = __atomic_load_n(&c->out_prod, __ATOMIC_ACQUIRE);
	XENCONS_RING_IDX cons = c->out_cons;
	unsigned int n = 0;

	while (n < len && cons != prod)
		buf[n++] = c->out[MASK_XENCONS_IDX(cons++, c->out)];
	__atomic_store_n(&c->out_cons, cons, __ATOMIC_RELEASE);
	return n;
}

/* The byte at position p of the console's output stream. */
static char stream_byte(uint64_t p)
{
	return (char)(p * 131 + 7 + (p >> 8));
}

static void test_console(void)
{
	struct xencons_interface *c = page_alloc(PAGE, 0);
	static char in[4096], out[4096];
	const XENCONS_RING_IDX start = 0xffffffffu - 100;
	uint64_t wrote = 0, read = 0;
	int bad = 0;

	TEST_GROUP("console ring: free-running indices, masking, full/empty");

	CHECK(sizeof(*c) == 0xc10 &&
		  offsetof(struct xencons_interface, out_prod) == 0xc0c,
	      "layout");
	CHECK(MASK_XENCONS_IDX(0xffffffffu, c->in) == 1023 &&
		  MASK_XENCONS_IDX(0xffffffffu, c->out) == 2047 &&
		  MASK_XENCONS_IDX(2048u, c->out) == 0 &&
		  MASK_XENCONS_IDX(2048u, c->in) == 0,
	      "masks");

	/* Random writes and reads, starting 100 bytes short of the wrap. */
	c->out_prod = c->out_cons = start;
	for (int r = 0; r < 2000 && !bad; r++) {
		unsigned int want = rnd() % 3000, got, room;

		room = 2048 - (XENCONS_RING_IDX)(c->out_prod - c->out_cons);
		for (unsigned int i = 0; i < want; i++)
			in[i] = stream_byte(wrote + i);
		got = cons_write(c, in, want);
		if (got != (want < room ? want : room))
			bad++;
		wrote += got;
		if ((XENCONS_RING_IDX)(c->out_prod - c->out_cons) > 2048)
			bad++;
		got = cons_read(c, out, rnd() % 3000);
		for (unsigned int i = 0; i < got; i++)
			if (out[i] != stream_byte(read + i))
				bad++;
		read += got;
	}
	CHECK(bad == 0, "%d errors", bad);
	CHECK(wrote == read + (XENCONS_RING_IDX)(c->out_prod - c->out_cons),
	      "byte count");
	CHECK(c->out_prod < start && wrote > 101, "the run crossed the wrap");

	/* Exactly full, then exactly empty, across the wrap. */
	for (unsigned int i = 0; i < sizeof(in); i++)
		in[i] = stream_byte(i);
	c->out_prod = c->out_cons = 0xfffffc00u;
	CHECK(cons_write(c, in, 4000) == 2048, "fills to 2048");
	CHECK(c->out_prod == 0x400 && cons_write(c, in, 1) == 0, "full");
	CHECK(cons_read(c, out, 4000) == 2048 && memcmp(out, in, 2048) == 0,
	      "drains in order");
	CHECK(cons_read(c, out, 1) == 0, "empty");
	free(c);
}

static void test_xenstore_ring(void)
{
	struct xenstore_domain_interface *x = page_alloc(PAGE, 0);
	struct xsd_sockmsg m = { XS_READ, 7, 0, 6 }, h;
	const char *payload = "a/b/c";
	char buf[64];
	XENSTORE_RING_IDX p;

	TEST_GROUP("xenstore ring: a message split across the ring's end");
	CHECK(offsetof(struct xenstore_domain_interface, rsp_prod) == 0x80c &&
		  offsetof(struct xenstore_domain_interface, error) == 0x818,
	      "layout");
	CHECK(MASK_XENSTORE_IDX(1023u) == 1023 && MASK_XENSTORE_IDX(1024u) == 0,
	      "mask");

	/* Header + payload written 10 bytes before the ring's end. */
	x->req_prod = x->req_cons = 0xfffffff6u;
	p = x->req_prod;
	for (size_t i = 0; i < sizeof(m); i++)
		x->req[MASK_XENSTORE_IDX(p++)] = ((char *)&m)[i];
	for (size_t i = 0; i < m.len; i++)
		x->req[MASK_XENSTORE_IDX(p++)] = payload[i];
	x->req_prod = p;
	CHECK((XENSTORE_RING_IDX)(x->req_prod - x->req_cons) == 22 &&
		  x->req_prod == 12,
	      "22 bytes queued across the 2^32 wrap");
	for (size_t i = 0; i < sizeof(h); i++)
		((char *)&h)[i] = x->req[MASK_XENSTORE_IDX(x->req_cons++)];
	for (size_t i = 0; i < h.len; i++)
		buf[i] = x->req[MASK_XENSTORE_IDX(x->req_cons++)];
	CHECK(h.type == XS_READ && h.req_id == 7 && h.len == 6 &&
		  strcmp(buf, payload) == 0 && x->req_cons == x->req_prod,
	      "read back");

	/* The error table: the wire names, with EINVAL first. */
	CHECK(strcmp(xsd_errors[0].errstring, "EINVAL") == 0 &&
		  xsd_errors[0].errnum == EINVAL,
	      "EINVAL first");
	{
		int ok = 1;

		for (size_t i = 0;
		     i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
			ok &= xsd_errors[i].errstring[0] == 'E';
		CHECK(ok, "names");
		CHECK(xsd_errors[4].errnum == ENOENT &&
			  xsd_errors[12].errnum == EAGAIN &&
			  xsd_errors[13].errnum == EISCONN,
		      "errno values as on Linux");
	}
	free(x);
}

/* ---------------------------------------------------- threaded stress */

/*
 * An emulated event channel: a pending bit, coalescing like the real one.
 * A waiter that is never signalled times out, so a lost wake-up fails the
 * test instead of hanging it.
 */
struct evt {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int pending;
	long sent;
};

static void evt_send(struct evt *e)
{
	pthread_mutex_lock(&e->lock);
	e->pending = 1;
	e->sent++;
	pthread_cond_signal(&e->cond);
	pthread_mutex_unlock(&e->lock);
}

/* 0 when woken, -1 on timeout. */
static int evt_wait(struct evt *e)
{
	struct timespec ts;
	int rc = 0, woken;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 10;
	pthread_mutex_lock(&e->lock);
	while (!e->pending && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&e->cond, &e->lock, &ts);
	woken = e->pending;
	e->pending = 0;
	pthread_mutex_unlock(&e->lock);
	return woken ? 0 : -1;
}

#define STRESS_N 300000u

struct stress {
	struct t_sring *s;
	struct evt to_back, to_front; /* back's and front's event channels */
	int timeouts, bad_back, bad_front;
	RING_IDX start;
	unsigned int n; /* messages to send */
	int trickle; /* one at a time with pauses: many sleeps */
	long back_sleeps, front_sleeps;
};

static void *back_thread(void *arg)
{
	struct stress *st = arg;
	struct t_back_ring b;
	uint32_t next = 0;

	BACK_RING_ATTACH(&b, st->s, st->start, PAGE);
	while (next < st->n) {
		unsigned int work;
		int notify;

		while (RING_HAS_UNCONSUMED_REQUESTS(&b)) {
			struct t_req q;
			struct t_rsp *p;

			if (RING_REQUEST_CONS_OVERFLOW(&b, b.req_cons))
				break;
			RING_COPY_REQUEST(&b, b.req_cons, &q);
			b.req_cons++;
			if (q.id != next || q.val != next * 3u)
				st->bad_back++;
			next++;
			p = RING_GET_RESPONSE(&b, b.rsp_prod_pvt);
			p->id = q.id;
			p->val = q.val + 1;
			b.rsp_prod_pvt++;
			/* Publish in small batches, at random. */
			if ((q.id & 7) == 0) {
				RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&b,
								     notify);
				if (notify)
					evt_send(&st->to_front);
			}
		}
		RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&b, notify);
		if (notify)
			evt_send(&st->to_front);
		if (next >= st->n)
			break;
		RING_FINAL_CHECK_FOR_REQUESTS(&b, work);
		if (!work) {
			st->back_sleeps++;
			if (evt_wait(&st->to_back)) {
				st->timeouts++;
				break;
			}
		}
	}
	return NULL;
}

static void *front_thread(void *arg)
{
	struct stress *st = arg;
	struct t_front_ring f;
	uint32_t sent = 0, got = 0, lcg = 1;

	FRONT_RING_ATTACH(&f, st->s, st->start, PAGE);
	while (got < st->n) {
		unsigned int work;
		int notify;

		/* Queue as much as fits, up to a random batch. */
		unsigned int batch = 1 + (sent * 2654435761u >> 24) % 64;

		if (st->trickle) {
			/*
			 * Pause for a random while so that the backend often
			 * drains the ring and goes to sleep just as the next
			 * request arrives: the window a lost wake-up needs.
			 */
			lcg = lcg * 1664525u + 1013904223u;
			for (volatile unsigned int i = 0; i < (lcg >> 22); i++)
				;
			batch = 1;
		}
		while (sent < st->n && !RING_FULL(&f) && batch--) {
			struct t_req *q = RING_GET_REQUEST(&f, f.req_prod_pvt);

			q->id = sent;
			q->val = sent * 3u;
			f.req_prod_pvt++;
			sent++;
		}
		RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f, notify);
		if (notify)
			evt_send(&st->to_back);

		while (RING_HAS_UNCONSUMED_RESPONSES(&f)) {
			struct t_rsp p;

			RING_COPY_RESPONSE(&f, f.rsp_cons, &p);
			f.rsp_cons++;
			if (p.id != got || p.val != got * 3u + 1)
				st->bad_front++;
			got++;
		}
		if (got >= st->n)
			break;
		/* Sleep only when the ring is full or all has been sent. */
		if (sent < st->n && !RING_FULL(&f))
			continue;
		RING_FINAL_CHECK_FOR_RESPONSES(&f, work);
		if (!work) {
			st->front_sleeps++;
			if (evt_wait(&st->to_front)) {
				st->timeouts++;
				break;
			}
		}
	}
	return NULL;
}

static void stress_once(RING_IDX start, unsigned int n, int trickle)
{
	struct stress st = { .start = start, .n = n, .trickle = trickle };
	pthread_t tb, tf;

	st.s = page_alloc(PAGE, 0);
	pthread_mutex_init(&st.to_back.lock, NULL);
	pthread_cond_init(&st.to_back.cond, NULL);
	pthread_mutex_init(&st.to_front.lock, NULL);
	pthread_cond_init(&st.to_front.cond, NULL);
	SHARED_RING_INIT(st.s);
	st.s->req_prod = st.s->rsp_prod = start;
	st.s->req_event = st.s->rsp_event = start + 1;

	pthread_create(&tb, NULL, back_thread, &st);
	pthread_create(&tf, NULL, front_thread, &st);
	pthread_join(tf, NULL);
	if (st.timeouts)
		evt_send(&st.to_back); /* unblock a sleeping backend */
	pthread_join(tb, NULL);

	CHECK(st.timeouts == 0, "start %#x: lost wake-up (%d timeouts)", start,
	      st.timeouts);
	CHECK(st.bad_back == 0 && st.bad_front == 0,
	      "start %#x: %d bad requests, %d bad responses", start,
	      st.bad_back, st.bad_front);
	CHECK(st.s->req_prod == start + n && st.s->rsp_prod == start + n,
	      "start %#x: final producers %#x %#x", start, st.s->req_prod,
	      st.s->rsp_prod);
	printf("  start %#x%s: %u messages, backend slept %ld times "
	       "(%ld events to it), frontend %ld (%ld events)\n",
	       start, trickle ? " trickle" : "", n, st.back_sleeps,
	       st.to_back.sent, st.front_sleeps, st.to_front.sent);
	pthread_cond_destroy(&st.to_back.cond);
	pthread_mutex_destroy(&st.to_back.lock);
	pthread_cond_destroy(&st.to_front.cond);
	pthread_mutex_destroy(&st.to_front.lock);
	free(st.s);
}

static void test_stress(void)
{
	TEST_GROUP(
	    "two threads, emulated event channels (lost wake-ups time out)");
	stress_once(0, STRESS_N, 0);
	stress_once(0u - STRESS_N / 2, STRESS_N, 0);
	stress_once(0u - 20000, 60000, 1);
}

int main(void)
{
	test_sizes();
	test_init();
	test_traffic();
	test_full_empty();
	test_notify_rule();
	test_final_check();
	test_console();
	test_xenstore_ring();
	test_stress();
	return test_summary("test_ring");
}
