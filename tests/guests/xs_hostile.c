/*
 * A hostile xenstore and console client (a domU). It floods its
 * xenstore ring, sends requests of unknown types, a header announcing a
 * payload over XENSTORE_PAYLOAD_MAX, and moves the indices to where they
 * cannot be; it pushes its console ring's out_prod far ahead of out_cons.
 * After each attack that stops its connection it checks the error domain
 * 0 set on the ring, asks for a reconnection and checks that it is served
 * again. Domain 0 must log each misbehaviour with this domain's id, and
 * keep serving the other domains meanwhile (xs_client, the scenario's
 * other domain, must still pass).
 *
 * Arguments: flood=N (pipelined requests in the flood).
 */
#include "xs_common.h"

#define ENOENT 2

static const char domid_req[] = "domid";

/* Requests without waiting for replies, with replies read as they come. */
static void flood(long count)
{
	struct xsd_sockmsg hdr = { XS_READ, 0, 0, sizeof(domid_req) };
	long sent = 0, replies = 0, errors = 0;
	uint64_t deadline = pv_now() + 60000 * XSC_MS;

	pv_test_group("request flood");
	while (replies < count && pv_now() < deadline) {
		uint32_t used =
		    xsc_get(&xsc_intf->req_prod) - xsc_get(&xsc_intf->req_cons);
		struct xsd_sockmsg r;

		/* Keep the request ring as full as it will go. */
		while (sent < count && used + sizeof(hdr) + sizeof(domid_req) <=
					   XENSTORE_RING_SIZE) {
			hdr.req_id = (uint32_t)(1000000 + sent++);
			xsc_put(&hdr, sizeof(hdr));
			xsc_put(domid_req, sizeof(domid_req));
			used += sizeof(hdr) + sizeof(domid_req);
		}
		if (!xsc_take_msg(&r, pv_now() + XSC_TIMEOUT))
			break;
		replies++;
		if (r.type != XS_READ)
			errors++;
	}
	CHECK_EQ(replies, count);
	CHECK_EQ(errors, 0);
	xsc_req_id = 1;
}

static bool wait_error(uint32_t want)
{
	uint64_t deadline = pv_now() + XSC_TIMEOUT;

	while (xsc_get(&xsc_intf->error) != want && pv_now() < deadline)
		xsc_pause();
	return xsc_get(&xsc_intf->error) == want;
}

/* Ask domain 0 for a fresh connection and check it serves us again. */
static void reconnect(void)
{
	uint64_t deadline = pv_now() + XSC_TIMEOUT;
	char buf[16];

	CHECK(xsc_get(&xsc_intf->server_features) &
		  XENSTORE_SERVER_FEATURE_RECONNECTION,
	      "features %#x", xsc_get(&xsc_intf->server_features));
	xsc_set(&xsc_intf->connection, XENSTORE_RECONNECT);
	xsc_evtchn_send(xsc_port);
	while (xsc_get(&xsc_intf->connection) != XENSTORE_CONNECTED &&
	       pv_now() < deadline)
		xsc_pause();
	CHECK_EQ(xsc_get(&xsc_intf->connection), XENSTORE_CONNECTED);
	CHECK_EQ(xsc_get(&xsc_intf->error), XENSTORE_ERROR_NONE);
	CHECK_EQ(xsc_get(&xsc_intf->req_prod) - xsc_get(&xsc_intf->req_cons),
		 0);
	CHECK_EQ(xsc_get(&xsc_intf->rsp_prod) - xsc_get(&xsc_intf->rsp_cons),
		 0);
	CHECK(xsc_read(0, "domid", buf, sizeof(buf)) > 0,
	      "not served after reconnecting");
}

static void bad_types(void)
{
	static const uint32_t types[] = {
		20, XS_TYPE_COUNT, 999, XS_INVALID, XS_WATCH_EVENT, XS_ERROR
	};
	char buf[16];

	pv_test_group("unknown and reserved request types");
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		long r = xsc_raw(types[i], 0, domid_req, sizeof(domid_req));

		CHECK(r < 0 && r != -1000, "type %u: %ld", types[i], r);
	}
	/* Malformed payloads are refused one by one. */
	CHECK(xsc_raw(XS_READ, 0, "no-nul", 6) < 0, "READ without NUL");
	CHECK(xsc_raw(XS_WRITE, 0, "", 0) < 0, "empty WRITE");
	CHECK(xsc_raw(XS_READ, 0, "bad\x01path", 9) < 0, "bad characters");
	CHECK(xsc_raw(XS_TRANSACTION_END, 4242, "T", 2) == -ENOENT,
	      "unknown transaction");
	CHECK(xsc_read(0, "domid", buf, sizeof(buf)) > 0, "still served");
}

static void bad_length(void)
{
	struct xsd_sockmsg hdr = { XS_WRITE, 77, 0, 100000 };

	pv_test_group("payload over XENSTORE_PAYLOAD_MAX");
	xsc_put(&hdr, sizeof(hdr));
	xsc_put("junk", 4);
	CHECK(wait_error(XENSTORE_ERROR_PROTO), "error %u",
	      xsc_get(&xsc_intf->error));
	reconnect();
}

static void prod_ahead(void)
{
	pv_test_group("req_prod far ahead of req_cons");
	xsc_set(&xsc_intf->req_prod, xsc_get(&xsc_intf->req_cons) + 100000);
	xsc_evtchn_send(xsc_port);
	CHECK(wait_error(XENSTORE_ERROR_RINGIDX), "error %u",
	      xsc_get(&xsc_intf->error));
	reconnect();

	pv_test_group("rsp_cons beyond rsp_prod");
	xsc_set(&xsc_intf->rsp_cons, xsc_get(&xsc_intf->rsp_prod) + 3000);
	{
		struct xsd_sockmsg hdr = { XS_READ, 5, 0, sizeof(domid_req) };

		xsc_put(&hdr, sizeof(hdr));
		xsc_put(domid_req, sizeof(domid_req));
	}
	CHECK(wait_error(XENSTORE_ERROR_RINGIDX), "error %u",
	      xsc_get(&xsc_intf->error));
	reconnect();
}

static void console_attack(void)
{
	pv_test_group("console: out_prod far ahead of out_cons");
	xsc_set(&xsc_cons->out_prod, xsc_get(&xsc_cons->out_cons) + 1000000);
	xsc_evtchn_send(xsc_cons_port);
	xsc_sleep(300 * XSC_MS);
	/* Domain 0 resynchronises: the ring takes output again. */
	CHECK(xsc_console_write("xs_hostile: console still works\n"),
	      "console ring stuck");
}

void pv_main(void)
{
	char buf[16];

	xsc_init();
	pv_test_group("connect");
	CHECK(xsc_read(0, "domid", buf, sizeof(buf)) > 0, "no reply");
	flood(xsc_arg("flood", 5000));
	bad_types();
	bad_length();
	prod_ahead();
	console_attack();
	flood(200);
	pv_test_summary();
}
