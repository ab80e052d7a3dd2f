/*
 * A netif front end that never posts a receive buffer (issue 14): it
 * connects vif 0 to domain 0's netback as xen-netfront would, sends one
 * broadcast frame from its MAC so the bridge learns where it is, says
 * so, and then idles until it is destroyed. Frames sent to it can only
 * queue in netback and be dropped there; the scenario (sc_net.py,
 * net_starved) checks that nobody else loses anything meanwhile.
 */
#include <xen/io/netif.h>
#include <xen/io/xenbus.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include "fe_net.h"

#define REF_TX 8
#define REF_RX 9
#define REF_DATA 16

static uint8_t tx_page[4096] __attribute__((aligned(4096)));
static uint8_t rx_page[4096] __attribute__((aligned(4096)));
static uint8_t data[4096] __attribute__((aligned(4096)));
static const char fe[] = "device/vif/0";
static char be[96];

/* Rings granted, one event channel, receive by copy, Connected. */
static bool connect(uint32_t *port)
{
	struct evtchn_alloc_unbound a = { DOMID_SELF, 0, 0 };
	char val[16];

	if (xsc_read(0, "device/vif/0/backend", be, sizeof(be)) < 0 ||
	    !fe_wait_be_state(be, XenbusStateInitWait, 20000 * XSC_MS))
		return false;
	SHARED_RING_INIT((struct netif_tx_sring *)tx_page);
	SHARED_RING_INIT((struct netif_rx_sring *)rx_page);
	fe_grant(REF_TX, tx_page, 0, false);
	fe_grant(REF_RX, rx_page, 0, false);
	if (HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a))
		return false;
	*port = a.port;
	pv_bind_handler(a.port, xsc_nop_handler);
	pv_unmask(a.port);
	snprintf(val, sizeof(val), "%u", a.port);
	return fe_write(fe, "tx-ring-ref", "8") &&
	       fe_write(fe, "rx-ring-ref", "9") &&
	       fe_write(fe, "event-channel", val) &&
	       fe_write(fe, "request-rx-copy", "1") &&
	       fe_write(fe, "state", "4") &&
	       fe_wait_be_state(be, XenbusStateConnected, 20000 * XSC_MS);
}

void pv_main(void)
{
	uint32_t port = 0;

	xsc_init();
	pv_test_group("a front end that posts no receive buffers");
	CHECK(grant_table_init(), "grant table set up");
	CHECK(fe_read_mac(fe, data + 6), "our MAC from device/vif/0/mac");
	CHECK(connect(&port), "vif 0 connected, no rx request posted");
	CHECK(fe_announce((struct netif_tx_sring *)tx_page, data, REF_DATA,
			  port) == NETIF_RSP_OKAY,
	      "one frame sent (learned)");
	pv_test_summary();
	printf("net_starve: idle, posting no receive buffers\n");
	for (;;)
		xsc_sleep(1000 * XSC_MS);
}
