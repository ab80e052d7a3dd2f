/*
 * A netif front end that cannot take blank checksums (issue 14): it
 * connects vif 0 saying feature-no-csum-offload=1, posts receive
 * buffers and checks every IPv4 TCP frame it receives: the TCP checksum
 * must be whole (Linux senders leave it blank for netback to pass on)
 * and no frame may say NETRXF_csum_blank. The scenario (sc_net.py,
 * net_csum) has a Linux guest send it TCP SYNs.
 */
#include <xen/io/netif.h>
#include <xen/io/xenbus.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include "fe_net.h"

#define REF_TX 8
#define REF_RX 9
#define REF_DATA 16
#define REF_BUF 32 /* rx buffer i at REF_BUF + i */
#define NBUF 32
#define RX_SIZE 256
#define WANT_TCP 2

static uint8_t tx_page[4096] __attribute__((aligned(4096)));
static uint8_t rx_page[4096] __attribute__((aligned(4096)));
static uint8_t data[4096] __attribute__((aligned(4096)));
static uint8_t bufs[NBUF][4096] __attribute__((aligned(4096)));
static const char fe[] = "device/vif/0";
static char be[96];
static struct netif_rx_sring *rx;
static uint32_t rx_prod, rx_cons, port;

static void post(uint16_t id)
{
	rx->ring[rx_prod % RX_SIZE].req =
	    (struct netif_rx_request){ .id = id, .gref = REF_BUF + id };
	rx_prod++;
}

static bool connect(void)
{
	struct evtchn_alloc_unbound a = { DOMID_SELF, 0, 0 };
	char val[16];

	if (xsc_read(0, "device/vif/0/backend", be, sizeof(be)) < 0 ||
	    !fe_wait_be_state(be, XenbusStateInitWait, 20000 * XSC_MS))
		return false;
	rx = (struct netif_rx_sring *)rx_page;
	SHARED_RING_INIT((struct netif_tx_sring *)tx_page);
	SHARED_RING_INIT(rx);
	fe_grant(REF_TX, tx_page, 0, false);
	fe_grant(REF_RX, rx_page, 0, false);
	for (uint16_t i = 0; i < NBUF; i++) {
		fe_grant(REF_BUF + i, bufs[i], 0, false);
		post(i);
	}
	xsc_set(&rx->req_prod, rx_prod);
	if (HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a))
		return false;
	port = a.port;
	pv_bind_handler(port, xsc_nop_handler);
	pv_unmask(port);
	snprintf(val, sizeof(val), "%u", port);
	return fe_write(fe, "tx-ring-ref", "8") &&
	       fe_write(fe, "rx-ring-ref", "9") &&
	       fe_write(fe, "event-channel", val) &&
	       fe_write(fe, "request-rx-copy", "1") &&
	       fe_write(fe, "feature-no-csum-offload", "1") &&
	       fe_write(fe, "state", "4") &&
	       fe_wait_be_state(be, XenbusStateConnected, 20000 * XSC_MS);
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	for (; n > 1; p += 2, n -= 2)
		s += (uint32_t)(p[0] << 8 | p[1]);
	if (n)
		s += (uint32_t)p[0] << 8;
	return s;
}

/* An IPv4 TCP frame's checksum over its pseudo-header: whole or not. */
static int tcp_csum_ok(const uint8_t *f, size_t len)
{
	size_t ihl, tot;
	uint32_t s;

	if (len < 34 || f[12] != 8 || f[13] != 0 || f[23] != 6)
		return -1; /* not IPv4 TCP */
	ihl = (size_t)(f[14] & 15) * 4;
	tot = (size_t)(f[16] << 8 | f[17]);
	if (ihl < 20 || tot < ihl + 20 || 14 + tot > len)
		return 0;
	s = sum16(f + 26, 8, 0) + 6 + (uint32_t)(tot - ihl);
	s = sum16(f + 14 + ihl, tot - ihl, s);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s == 0xffff;
}

void pv_main(void)
{
	unsigned int tcp = 0, bad = 0, blank = 0, frames = 0;
	uint64_t until;

	xsc_init();
	pv_test_group("a front end without checksum offload");
	CHECK(grant_table_init(), "grant table set up");
	CHECK(fe_read_mac(fe, data + 6), "our MAC from device/vif/0/mac");
	CHECK(connect(), "vif 0 connected, feature-no-csum-offload=1");
	CHECK(fe_announce((struct netif_tx_sring *)tx_page, data, REF_DATA,
			  port) == NETIF_RSP_OKAY,
	      "one frame sent (learned)");
	printf("net_csum: receiving\n");
	until = pv_now() + 60000 * XSC_MS;
	while (tcp < WANT_TCP && pv_now() < until) {
		struct netif_rx_response r;
		int ok;

		if (xsc_get(&rx->rsp_prod) == rx_cons) {
			xsc_sleep(5 * XSC_MS);
			continue;
		}
		xsc_mb();
		r = rx->ring[rx_cons++ % RX_SIZE].rsp;
		frames++;
		if (r.id >= NBUF || r.status <= 0 || r.offset + r.status > 4096)
			continue;
		blank += !!(r.flags & NETRXF_csum_blank);
		ok = tcp_csum_ok(bufs[r.id] + r.offset, (size_t)r.status);
		tcp += ok >= 0;
		bad += ok == 0;
		post(r.id);
		xsc_mb();
		xsc_set(&rx->req_prod, rx_prod);
		xsc_evtchn_send(port);
	}
	CHECK(tcp >= WANT_TCP, "TCP frames received: %u (of %u frames)", tcp,
	      frames);
	CHECK(!bad, "every TCP checksum whole (%u were not)", bad);
	CHECK(!blank, "no frame flagged csum_blank (%u were)", blank);
	pv_test_summary();
	pv_shutdown(SHUTDOWN_poweroff);
}
