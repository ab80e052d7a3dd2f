/*
 * A hostile netif front end (issue 14): it connects two VIFs to domain
 * 0's netback as xen-netfront would, but posts no receive buffers. On
 * vif 0 it sends a well-formed frame, then each kind of malformed tx
 * request (size 0, a runt, offset + size beyond the page, a grant never
 * given or given to another domain, a chain holding more than its packet,
 * a zero-size slot, an unadvertised GSO extra), each of which must be
 * answered NETIF_RSP_ERROR with the ring in step; a request rewritten
 * while netback reads it; then a chain that never ends, after which
 * netback must close vif 0. On vif 1, a producer index far ahead must
 * close vif 1 too. The scenario (sc_net.py) checks domain 0's log.
 */
#include <xen/io/netif.h>
#include <xen/io/xenbus.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include "fe_net.h"

#define REF_RING 8 /* vif i's tx ring at 8 + 2i, rx ring at 9 + 2i */
#define REF_DATA 16
#define REF_OTHER 17 /* data page 1, granted to domain 7 */
#define REF_NONE 300 /* never granted */
#define TX_SIZE 256
#define RSP_TIMEOUT (10000 * XSC_MS)

static uint8_t ring_pages[4][4096] __attribute__((aligned(4096)));
static uint8_t data[2][4096] __attribute__((aligned(4096)));

struct vif {
	unsigned int devid;
	char be[96], fe[64];
	uint8_t mac[6];
	struct netif_tx_sring *tx;
	uint32_t port, prod, cons;
	bool up;
};

static struct vif vifs[2] = { { .devid = 0 }, { .devid = 1 } };

/* The netfront handshake: rings, one channel, rx by copy, Connected. */
static bool connect(struct vif *v)
{
	struct evtchn_alloc_unbound a = { DOMID_SELF, 0, 0 };
	unsigned int t = REF_RING + 2 * v->devid;
	char path[96], val[16];

	snprintf(v->fe, sizeof(v->fe), "device/vif/%u", v->devid);
	snprintf(path, sizeof(path), "%s/backend", v->fe);
	if (xsc_read(0, path, v->be, sizeof(v->be)) < 0 ||
	    !fe_read_mac(v->fe, v->mac) ||
	    !fe_wait_be_state(v->be, XenbusStateInitWait, 20000 * XSC_MS))
		return false;
	v->tx = (struct netif_tx_sring *)ring_pages[2 * v->devid];
	SHARED_RING_INIT(v->tx);
	SHARED_RING_INIT((struct netif_rx_sring *)ring_pages[2 * v->devid + 1]);
	fe_grant(t, ring_pages[2 * v->devid], 0, false);
	fe_grant(t + 1, ring_pages[2 * v->devid + 1], 0, false);
	if (HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a))
		return false;
	v->port = a.port;
	pv_bind_handler(v->port, xsc_nop_handler);
	pv_unmask(v->port);
	snprintf(val, sizeof(val), "%u", t);
	fe_write(v->fe, "tx-ring-ref", val);
	snprintf(val, sizeof(val), "%u", t + 1);
	fe_write(v->fe, "rx-ring-ref", val);
	snprintf(val, sizeof(val), "%u", v->port);
	if (!fe_write(v->fe, "event-channel", val) ||
	    !fe_write(v->fe, "request-rx-copy", "1") ||
	    !fe_write(v->fe, "feature-rx-notify", "1") ||
	    !fe_write(v->fe, "state", "4"))
		return false;
	v->up = fe_wait_be_state(v->be, XenbusStateConnected, 20000 * XSC_MS);
	return v->up;
}

/* --- Requests ------------------------------------------------------------ */

static struct netif_tx_request *slot(struct vif *v, uint32_t i)
{
	return &v->tx->ring[i % TX_SIZE].req;
}

static void put(struct vif *v, uint32_t gref, uint16_t off, uint16_t flags,
		uint16_t size)
{
	*slot(v, v->prod) = (struct netif_tx_request){
		.gref = gref,
		.offset = off,
		.flags = flags,
		.id = (uint16_t)(v->prod & 0xffff),
		.size = size,
	};
	v->prod++;
}

static void push(struct vif *v)
{
	xsc_mb();
	xsc_set(&v->tx->req_prod, v->prod);
	xsc_evtchn_send(v->port);
}

/* The next response's status (id checked against want_id), 99 if none. */
static int wait_rsp(struct vif *v, int want_id)
{
	uint64_t until = pv_now() + RSP_TIMEOUT;
	struct netif_tx_response r;

	while (xsc_get(&v->tx->rsp_prod) == v->cons) {
		if (pv_now() > until)
			return 99;
		v->tx->rsp_event = v->cons + 1;
		xsc_mb();
		if (xsc_get(&v->tx->rsp_prod) != v->cons)
			break;
		xsc_pause();
	}
	xsc_mb();
	r = v->tx->ring[v->cons % TX_SIZE].rsp;
	v->cons++;
	if (want_id >= 0 && r.id != want_id)
		return 98;
	return r.status;
}

/* A broadcast frame of len bytes from our MAC in data page 0. */
static void frame(struct vif *v, uint16_t off, size_t len)
{
	memset(data[0] + off, 0xa5, len);
	memset(data[0] + off, 0xff, 6);
	memcpy(data[0] + off + 6, v->mac, 6);
	data[0][off + 12] = 0x88; /* a local experimental ethertype */
	data[0][off + 13] = 0xb5;
}

/* Send a packet of n slots put by the caller; every status. */
static bool all_status(struct vif *v, uint32_t first, unsigned int n, int want)
{
	bool ok = true;

	push(v);
	for (unsigned int i = 0; i < n; i++) {
		int st = wait_rsp(v, (int)((first + i) & 0xffff));

		ok &= st == want;
		if (st != want)
			printf("net_hostile: slot %u of %u: status %d\n", i, n,
			       st);
	}
	return ok;
}

static bool one(struct vif *v, uint32_t gref, uint16_t off, uint16_t size,
		int want)
{
	uint32_t first = v->prod;

	put(v, gref, off, 0, size);
	return all_status(v, first, 1, want);
}

/* --- The checks ------------------------------------------------------------ */

static void good(struct vif *v)
{
	uint32_t first;

	pv_test_group("well-formed packets are accepted");
	frame(v, 0, 60);
	CHECK(one(v, REF_DATA, 0, 60, NETIF_RSP_OKAY), "one 60-byte slot");
	frame(v, 4000, 96);
	first = v->prod;
	put(v, REF_DATA, 4000, NETTXF_more_data, 300);
	put(v, REF_DATA, 0, 0, 204);
	CHECK(all_status(v, first, 2, NETIF_RSP_OKAY),
	      "a chain across a page end");
}

static void bad(struct vif *v)
{
	struct netif_extra_info x = { .type = XEN_NETIF_EXTRA_TYPE_GSO };
	uint32_t first;

	pv_test_group("malformed tx requests are dropped, ring in step");
	CHECK(one(v, REF_DATA, 0, 0, NETIF_RSP_ERROR), "size 0");
	CHECK(one(v, REF_DATA, 0, 13, NETIF_RSP_ERROR), "13 bytes");
	CHECK(one(v, REF_DATA, 4000, 200, NETIF_RSP_ERROR),
	      "offset + size beyond the page");
	CHECK(one(v, REF_NONE, 0, 60, NETIF_RSP_ERROR), "a grant never given");
	CHECK(one(v, REF_OTHER, 0, 60, NETIF_RSP_ERROR),
	      "a grant given to another domain");
	first = v->prod;
	put(v, REF_DATA, 0, NETTXF_more_data, 100);
	put(v, REF_DATA, 0, 0, 200);
	CHECK(all_status(v, first, 2, NETIF_RSP_ERROR),
	      "a chain holding more than its packet");
	first = v->prod;
	put(v, REF_DATA, 0, NETTXF_more_data, 100);
	put(v, REF_DATA, 0, NETTXF_more_data, 0);
	put(v, REF_DATA, 0, 0, 50);
	CHECK(all_status(v, first, 3, NETIF_RSP_ERROR),
	      "a zero-size slot in a chain");
	first = v->prod;
	put(v, REF_DATA, 0, NETTXF_extra_info, 100);
	memcpy(slot(v, v->prod), &x, sizeof(x));
	v->prod++;
	push(v);
	CHECK(wait_rsp(v, (int)(first & 0xffff)) == NETIF_RSP_ERROR &&
		  wait_rsp(v, -1) == NETIF_RSP_NULL,
	      "GSO (not advertised): error, and a null answer for the extra");
	frame(v, 0, 60);
	CHECK(one(v, REF_DATA, 0, 60, NETIF_RSP_OKAY),
	      "and a good packet after them all");
}

/* The slot changes under netback: it must act on one reading only. */
static void rewritten(struct vif *v)
{
	volatile struct netif_tx_request *r = slot(v, v->prod);
	uint64_t until = pv_now() + RSP_TIMEOUT;
	uint32_t first = v->prod;
	int st;

	pv_test_group("a request rewritten while netback reads it");
	frame(v, 0, 60);
	put(v, REF_DATA, 0, 0, 60);
	push(v);
	while (xsc_get(&v->tx->rsp_prod) == v->cons && pv_now() < until) {
		r->size = 0;
		r->offset = 4090;
		r->gref = REF_NONE;
		r->size = 60;
		r->offset = 0;
		r->gref = REF_DATA;
	}
	st = wait_rsp(v, (int)(first & 0xffff));
	CHECK(st == NETIF_RSP_OKAY || st == NETIF_RSP_ERROR,
	      "answered OKAY or ERROR (%d)", st);
}

static void closed(struct vif *v, const char *what)
{
	char path[128], err[96] = "";

	CHECK(fe_wait_be_state(v->be, XenbusStateClosing, 10000 * XSC_MS),
	      "%s: vif %u's back end went to Closing (state %ld)", what,
	      v->devid, fe_be_state(v->be));
	snprintf(path, sizeof(path), "%s/error", v->be);
	CHECK(xsc_read(0, path, err, sizeof(err)) > 0, "with an error node");
	printf("net_hostile: vif %u's error node: %s\n", v->devid, err);
	fe_write(v->fe, "state", "6");
	CHECK(fe_wait_be_state(v->be, XenbusStateClosed, 10000 * XSC_MS),
	      "Closed after the front end closed (state %ld)",
	      fe_be_state(v->be));
}

static void fatal(struct vif *a, struct vif *b)
{
	pv_test_group("broken front ends are disconnected");
	for (int i = 0; i < 40; i++)
		put(a, REF_DATA, 0, NETTXF_more_data, 60);
	push(a);
	closed(a, "a chain that never ends");
	frame(b, 0, 60);
	CHECK(one(b, REF_DATA, 0, 60, NETIF_RSP_OKAY), "vif 1 still served");
	b->prod += 1000;
	push(b);
	closed(b, "a producer index far ahead");
}

void pv_main(void)
{
	xsc_init();
	pv_test_group("connecting to netback as netfront does");
	CHECK(grant_table_init(), "grant table set up");
	fe_grant(REF_DATA, data[0], 0, false);
	fe_grant(REF_OTHER, data[1], 7, false);
	for (unsigned int i = 0; i < 2; i++)
		CHECK(connect(&vifs[i]), "vif %u connected", i);
	if (!vifs[0].up || !vifs[1].up) {
		pv_test_summary();
		pv_shutdown(SHUTDOWN_poweroff);
	}
	good(&vifs[0]);
	bad(&vifs[0]);
	rewritten(&vifs[0]);
	fatal(&vifs[0], &vifs[1]);
	pv_test_summary();
	pv_shutdown(SHUTDOWN_poweroff);
}
