/*
 * netif transmit request checks (dom0/lib/nettx.c): valid chains with
 * and without extras, each malformed kind dropped or fatal, and random
 * slots never pass an offset or size outside the page.
 */
#include <string.h>
#include "nettx.h"
#include "test.h"

static struct netif_tx_request rq(uint16_t off, uint16_t flags, uint16_t id,
				  uint16_t size)
{
	return (struct netif_tx_request){
		.gref = 8, .offset = off, .flags = flags, .id = id, .size = size
	};
}

/* Feed n slots; the step of the last. */
static enum nettx_step feed(struct nettx_pkt *p, const void *slots,
			    unsigned int n, unsigned int *used)
{
	enum nettx_step s = NETTX_NEED_MORE;

	nettx_begin(p);
	for (*used = 0; *used < n && s == NETTX_NEED_MORE; (*used)++)
		s = nettx_add(p, (const char *)slots + *used * 12);
	return s;
}

static void test_valid(void)
{
	struct netif_tx_request s[4];
	struct netif_extra_info x = { .type = XEN_NETIF_EXTRA_TYPE_MCAST_ADD };
	struct nettx_pkt p;
	unsigned int used;

	TEST_GROUP("nettx: valid packets");
	s[0] = rq(100, 0, 5, 60);
	CHECK(feed(&p, s, 1, &used) == NETTX_DONE && p.fault == NETTX_OK &&
		  nettx_len(&p, 0) == 60,
	      "one slot, 60 bytes");
	s[0] = rq(4000, NETTXF_more_data, 1, 1514);
	s[1] = rq(0, NETTXF_more_data, 2, 1000);
	s[2] = rq(0, 0, 3, 418);
	CHECK(feed(&p, s, 3, &used) == NETTX_DONE && p.fault == NETTX_OK &&
		  used == 3 && nettx_len(&p, 0) == 96 && p.nslots == 3,
	      "a chain across a page end: slot 0 holds 96 bytes");
	CHECK(feed(&p, s, 2, &used) == NETTX_NEED_MORE,
	      "a chain cut at the producer waits for more");
	s[0] = rq(0, NETTXF_extra_info, 9, 100);
	memcpy(&s[1], &x, sizeof(x));
	CHECK(feed(&p, s, 2, &used) == NETTX_DONE && p.fault == NETTX_OK &&
		  p.nslots == 2 && p.resp_id[1] == -1 && p.resp_id[0] == 9,
	      "a multicast extra is answered with a null response");
}

static void dropped(const char *what, const void *slots, unsigned int n,
		    enum nettx_fault want)
{
	struct nettx_pkt p;
	unsigned int used;
	enum nettx_step s = feed(&p, slots, n, &used);

	CHECK(s == NETTX_DONE && used == n && p.fault == want,
	      "%s: step %d used %u fault %s", what, s, used,
	      nettx_fault_name(p.fault));
}

static void test_dropped(void)
{
	struct netif_tx_request s[3];
	struct netif_extra_info x = { .type = XEN_NETIF_EXTRA_TYPE_GSO };

	TEST_GROUP("nettx: malformed packets are dropped, ring in step");
	s[0] = rq(0, 0, 1, 0);
	dropped("size 0", s, 1, NETTX_RUNT);
	s[0] = rq(0, 0, 1, 13);
	dropped("size 13", s, 1, NETTX_RUNT);
	s[0] = rq(4000, 0, 1, 200);
	dropped("offset+size beyond the page", s, 1, NETTX_BEYOND_PAGE);
	s[0] = rq(65535, 0, 1, 60);
	dropped("offset 65535", s, 1, NETTX_BEYOND_PAGE);
	s[0] = rq(0, NETTXF_more_data, 1, 100);
	s[1] = rq(4000, 0, 2, 97);
	dropped("a later slot beyond its page", s, 2, NETTX_BEYOND_PAGE);
	s[1] = rq(0, 0, 2, 101);
	dropped("later slots larger than the packet", s, 2,
		NETTX_FRAGS_TOO_BIG);
	s[0] = rq(0, NETTXF_more_data, 1, 65535);
	s[1] = rq(0, 0, 2, 100);
	dropped("65435 bytes claimed in slot 0's page", s, 2,
		NETTX_BEYOND_PAGE);
	s[0] = rq(0, NETTXF_more_data, 1, 100);
	s[1] = rq(0, NETTXF_more_data, 2, 0);
	s[2] = rq(0, 0, 3, 50);
	dropped("a slot of size 0 in a chain", s, 3, NETTX_FRAG_EMPTY);
	s[0] = rq(0, NETTXF_extra_info, 1, 100);
	memcpy(&s[1], &x, sizeof(x));
	dropped("GSO, not advertised", s, 2, NETTX_GSO);
}

static void test_fatal(void)
{
	struct netif_tx_request s[NETTX_MAX_SLOTS + 8];
	struct netif_extra_info x = { .type = XEN_NETIF_EXTRA_TYPE_MCAST_ADD,
				      .flags = XEN_NETIF_EXTRA_FLAG_MORE };
	struct nettx_pkt p;
	unsigned int used;

	TEST_GROUP("nettx: broken front ends are disconnected");
	for (unsigned int i = 0; i < NETTX_MAX_SLOTS + 8; i++)
		s[i] = rq(0, NETTXF_more_data, (uint16_t)i, 60);
	CHECK(feed(&p, s, NETTX_MAX_SLOTS + 8, &used) == NETTX_BROKEN &&
		  used == NETTX_MAX_SLOTS + 1 &&
		  p.fault == NETTX_TOO_MANY_SLOTS,
	      "a chain that never ends stops at slot %u", used);
	s[0] = rq(0, NETTXF_extra_info, 1, 100);
	for (unsigned int i = 1; i < 8; i++)
		memcpy(&s[i], &x, sizeof(x));
	CHECK(feed(&p, s, 8, &used) == NETTX_BROKEN &&
		  p.fault == NETTX_TOO_MANY_EXTRAS,
	      "endless extras: %s", nettx_fault_name(p.fault));
	x.type = 0;
	memcpy(&s[1], &x, sizeof(x));
	CHECK(feed(&p, s, 2, &used) == NETTX_BROKEN &&
		  p.fault == NETTX_BAD_EXTRA,
	      "extra of type 0");
	s[0] = rq(0, NETTXF_more_data, 1, 100);
	s[1] = rq(0, NETTXF_extra_info, 2, 10);
	CHECK(feed(&p, s, 2, &used) == NETTX_BROKEN &&
		  p.fault == NETTX_EXTRA_LATE,
	      "extra_info on a later slot");
}

/* Whatever the slots, an accepted packet's pieces lie inside pages. */
static void test_random(void)
{
	struct netif_tx_request s[NETTX_MAX_SLOTS + 2];
	unsigned int accepted = 0, outside = 0;

	TEST_GROUP("nettx: 200000 random chains, accepted ones in bounds");
	test_seed(14);
	for (int t = 0; t < 200000; t++) {
		unsigned int n = (unsigned int)(test_rand() % 5) + 1, used;
		struct nettx_pkt p;

		for (unsigned int i = 0; i < n; i++) {
			uint64_t r = test_rand();

			s[i] = rq((uint16_t)(r & 0x1fff),
				  (uint16_t)(i + 1 < n ? NETTXF_more_data : 0),
				  (uint16_t)i, (uint16_t)(r >> 16));
		}
		if (feed(&p, s, n, &used) != NETTX_DONE || p.fault != NETTX_OK)
			continue;
		accepted++;
		for (unsigned int i = 0; i < p.nreq; i++)
			outside += p.req[i].offset + nettx_len(&p, i) > 4096;
	}
	CHECK(!outside, "%u accepted pieces outside their page", outside);
	CHECK(accepted > 100, "%u accepted", accepted);
}

int main(void)
{
	test_valid();
	test_dropped();
	test_fatal();
	test_random();
	return test_summary("test_nettx");
}
