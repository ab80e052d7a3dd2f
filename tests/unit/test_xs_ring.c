/*
 * Host test of xenstored's ring transport (dom0/xenstored/ring.c) on a
 * page in ordinary memory: a guest side written here puts requests on
 * the ring and reads replies, with indices near the 32-bit wrap; then
 * the hostile cases: impossible request and response indices, an
 * oversized payload, a flood held to the per-pass budget, a client that
 * does not read its replies (no busy loop), and reconnection after each.
 */
#include <stdlib.h>
#include <string.h>

#include "../../dom0/xenstored/xs_alloc.h"
#include "../../dom0/xenstored/xs_ring.h"
#include "test.h"

void *xs_alloc(size_t size)
{
	return malloc(size);
}

void xs_free(void *p)
{
	free(p);
}

static struct xenstore_domain_interface page;
static struct xs_store *st;
static struct xs_conn *conn;
static struct xs_ring ring;

/* ---- the guest's side ---- */

static size_t guest_put(const void *data, size_t n)
{
	uint32_t room = XENSTORE_RING_SIZE - (page.req_prod - page.req_cons);
	const char *p = data;

	if (n > room)
		n = room;
	for (size_t i = 0; i < n; i++)
		page.req[MASK_XENSTORE_IDX(page.req_prod + i)] = p[i];
	page.req_prod += (uint32_t)n;
	return n;
}

static void guest_request(uint32_t type, uint32_t id, const char *a,
			  const char *b)
{
	char buf[256];
	struct xsd_sockmsg h = { type, id, 0, 0 };
	size_t la = strlen(a) + 1, lb = b ? strlen(b) : 0;

	memcpy(buf, a, la);
	if (b)
		memcpy(buf + la, b, lb);
	h.len = (uint32_t)(la + lb);
	CHECK(guest_put(&h, sizeof(h)) == sizeof(h), "no room for a header");
	CHECK(guest_put(buf, h.len) == h.len, "no room for a payload");
}

/* The next reply, or type XS_INVALID if none is there in full. */
static struct xsd_sockmsg guest_reply(char *payload, size_t max)
{
	struct xsd_sockmsg h = { XS_INVALID, 0, 0, 0 };
	uint32_t avail = page.rsp_prod - page.rsp_cons;
	char *hp = (char *)&h;

	if (avail < sizeof(h))
		return h;
	for (size_t i = 0; i < sizeof(h); i++)
		hp[i] = page.rsp[MASK_XENSTORE_IDX(page.rsp_cons + i)];
	if (avail < sizeof(h) + h.len || h.len >= max) {
		h.type = XS_INVALID;
		return h;
	}
	for (size_t i = 0; i < h.len; i++)
		payload[i] =
		    page.rsp[MASK_XENSTORE_IDX(page.rsp_cons + sizeof(h) + i)];
	payload[h.len] = '\0';
	page.rsp_cons += (uint32_t)(sizeof(h) + h.len);
	return h;
}

/* ---- fixtures ---- */

static void setup(uint32_t start)
{
	memset(&page, 0, sizeof(page));
	page.req_cons = page.req_prod = start;
	page.rsp_cons = page.rsp_prod = start;
	st = xs_store_new(NULL, NULL);
	CHECK(xs_domain_introduce(st, 5, 0x1005, 1) == 0, "introduce");
	conn = xs_domain_conn(st, 5);
	xs_ring_attach(&ring, &page, conn);
}

static void teardown(void)
{
	xs_store_free(st);
}

static void reconnect(void)
{
	char buf[64];
	struct xsd_sockmsg h;

	page.connection = XENSTORE_RECONNECT;
	CHECK(xs_ring_pending(&ring), "reconnection not noticed");
	CHECK(xs_ring_serve(&ring, XS_RING_BUDGET) & XS_RING_RESET,
	      "not reset");
	CHECK(page.connection == XENSTORE_CONNECTED && !page.error &&
		  !page.req_prod && !page.req_cons && !page.rsp_prod &&
		  !page.rsp_cons,
	      "ring not reset");
	guest_request(XS_GET_DOMAIN_PATH, 9, "5", NULL);
	xs_ring_serve(&ring, XS_RING_BUDGET);
	h = guest_reply(buf, sizeof(buf));
	CHECK(h.type == XS_GET_DOMAIN_PATH && h.req_id == 9 &&
		  !strcmp(buf, "/local/domain/5"),
	      "not served after reconnecting: type %u", h.type);
}

/* ---- tests ---- */

static void test_basic(void)
{
	char buf[64];
	struct xsd_sockmsg h;

	TEST_GROUP("requests and replies across the index wrap");
	setup(0xfffffff0u);
	CHECK(page.server_features == (XENSTORE_SERVER_FEATURE_RECONNECTION |
				       XENSTORE_SERVER_FEATURE_ERROR),
	      "features %u", page.server_features);
	for (int i = 0; i < 200; i++) {
		unsigned int res;

		guest_request(XS_GET_DOMAIN_PATH, (uint32_t)i, "5", NULL);
		CHECK(xs_ring_pending(&ring), "request %d not pending", i);
		res = xs_ring_serve(&ring, XS_RING_BUDGET);
		CHECK(res == XS_RING_NOTIFY, "pass result %u", res);
		h = guest_reply(buf, sizeof(buf));
		CHECK(h.type == XS_GET_DOMAIN_PATH && h.req_id == (uint32_t)i &&
			  !strcmp(buf, "/local/domain/5"),
		      "reply %d: type %u", i, h.type);
		CHECK(page.req_cons == page.req_prod, "request left");
	}
	CHECK(!xs_ring_pending(&ring), "pending with nothing to do");
	/* Requests queued before the ring was attached are served too. */
	teardown();
	memset(&page, 0, sizeof(page));
	st = xs_store_new(NULL, NULL);
	xs_domain_introduce(st, 5, 0x1005, 1);
	conn = xs_domain_conn(st, 5);
	guest_request(XS_GET_DOMAIN_PATH, 1, "5", NULL);
	xs_ring_attach(&ring, &page, conn);
	CHECK(xs_ring_pending(&ring), "early request not pending");
	xs_ring_serve(&ring, XS_RING_BUDGET);
	h = guest_reply(buf, sizeof(buf));
	CHECK(h.type == XS_GET_DOMAIN_PATH, "early request: type %u", h.type);
	teardown();
}

static void test_bad_indices(void)
{
	unsigned int res;

	TEST_GROUP("impossible indices stop the ring until it reconnects");
	setup(100);
	page.req_prod = page.req_cons + XENSTORE_RING_SIZE + 1;
	res = xs_ring_serve(&ring, XS_RING_BUDGET);
	CHECK(res & XS_RING_STOPPED, "req_prod ahead: %u", res);
	CHECK(page.error == XENSTORE_ERROR_RINGIDX, "error %u", page.error);
	/* Ignored from now on, whatever it does. */
	page.req_prod = page.req_cons;
	CHECK(!xs_ring_pending(&ring), "a stopped ring is pending");
	CHECK(xs_ring_serve(&ring, XS_RING_BUDGET) == 0, "served");
	reconnect();

	/* A consumer index beyond what we produced. */
	page.rsp_cons = page.rsp_prod + 2000;
	guest_request(XS_GET_DOMAIN_PATH, 1, "5", NULL);
	res = xs_ring_serve(&ring, XS_RING_BUDGET);
	CHECK(res & XS_RING_STOPPED, "rsp_cons ahead: %u", res);
	CHECK(page.error == XENSTORE_ERROR_RINGIDX, "error %u", page.error);
	reconnect();

	/* Our own indices on the page are not trusted back. */
	guest_request(XS_GET_DOMAIN_PATH, 2, "5", NULL);
	page.req_cons = 12345;
	page.rsp_prod = 999999;
	res = xs_ring_serve(&ring, XS_RING_BUDGET);
	CHECK(!(res & XS_RING_STOPPED) && page.req_cons == page.req_prod,
	      "scribbled indices: %u", res);
	teardown();
}

static void test_bad_length(void)
{
	struct xsd_sockmsg h = { XS_WRITE, 1, 0, XENSTORE_PAYLOAD_MAX + 1 };
	unsigned int res;

	TEST_GROUP("a payload over XENSTORE_PAYLOAD_MAX is a protocol error");
	setup(0);
	guest_put(&h, sizeof(h));
	res = xs_ring_serve(&ring, XS_RING_BUDGET);
	CHECK(res & XS_RING_STOPPED, "result %u", res);
	CHECK(page.error == XENSTORE_ERROR_PROTO, "error %u", page.error);
	CHECK(xs_conn_broken(conn), "connection not broken");
	reconnect();
	CHECK(!xs_conn_broken(conn), "still broken after reconnecting");
	teardown();
}

static void test_budget_and_stall(void)
{
	char buf[64];
	unsigned int res;
	int replies = 0, passes = 0;

	TEST_GROUP("a flood is served a budget at a time; no busy loop");
	setup(0);
	/* Fill the request ring; serve 64 bytes a pass. */
	while (page.req_prod - page.req_cons + 18 <= XENSTORE_RING_SIZE)
		guest_request(XS_READ, 1, "", NULL); /* 16 + 1 + ... */
	res = xs_ring_serve(&ring, 64);
	CHECK(res & XS_RING_MORE, "budget not reported: %u", res);
	CHECK(page.req_cons == 64, "took %u bytes", page.req_cons);
	/* The guest does not read its replies: input stops being taken. */
	while (passes < 1000 && xs_ring_pending(&ring)) {
		res = xs_ring_serve(&ring, 64);
		if (res & XS_RING_MORE)
			ring.kicked = true; /* as the service does */
		passes++;
	}
	CHECK(passes < 1000, "busy loop on a stalled client");
	CHECK(page.req_cons != page.req_prod,
	      "all taken although replies are unread");
	/* Reading the replies lets it go on, to the end. */
	for (passes = 0; passes < 10000 && page.req_cons != page.req_prod;
	     passes++) {
		while (guest_reply(buf, sizeof(buf)).type != XS_INVALID)
			replies++;
		xs_ring_serve(&ring, 64);
	}
	while (guest_reply(buf, sizeof(buf)).type != XS_INVALID)
		replies++;
	xs_ring_serve(&ring, 64);
	while (guest_reply(buf, sizeof(buf)).type != XS_INVALID)
		replies++;
	CHECK(page.req_cons == page.req_prod, "requests left");
	CHECK(replies > 50, "%d replies", replies);
	teardown();
}

static void test_random_garbage(void)
{
	TEST_GROUP("random bytes and indices never break the server");
	test_seed(42);
	for (int round = 0; round < 2000; round++) {
		setup((uint32_t)test_rand());
		for (int step = 0; step < 20; step++) {
			unsigned long long r = test_rand();

			switch (r % 5) {
			case 0:
				for (size_t i = 0; i < sizeof(page.req); i++)
					page.req[i] = (char)test_rand();
				break;
			case 1:
				page.req_prod += (uint32_t)(test_rand() % 1100);
				break;
			case 2:
				page.rsp_cons += (uint32_t)(test_rand() % 1100);
				break;
			case 3:
				page.connection = (uint32_t)(test_rand() % 3);
				break;
			default:
				page.req_prod = (uint32_t)test_rand();
			}
			xs_ring_serve(&ring, (size_t)(test_rand() % 2048));
		}
		teardown();
	}
	CHECK(1, "survived");
}

int main(void)
{
	test_basic();
	test_bad_indices();
	test_bad_length();
	test_budget_and_stall();
	test_random_garbage();
	return test_summary("test_xs_ring");
}
