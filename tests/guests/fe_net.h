/*
 * Netfront pieces shared by the netif test guests (net_hostile, net_csum,
 * net_starve), on fe_common.h.
 */
#ifndef FE_NET_H
#define FE_NET_H

#include <xen/io/netif.h>
#include "fe_common.h"

/* The MAC the toolstack wrote in <fe>/mac ("aa:bb:..."), into mac[6]. */
static inline bool fe_read_mac(const char *fe, uint8_t *mac)
{
	char path[96], buf[24];

	snprintf(path, sizeof(path), "%s/mac", fe);
	if (xsc_read(0, path, buf, sizeof(buf)) < 17)
		return false;
	for (int i = 0; i < 6; i++) {
		unsigned int b = 0;

		for (int j = 0; j < 2; j++) {
			char c = buf[i * 3 + j];

			b = b * 16 +
			    (unsigned int)(c <= '9' ? c - '0' : c - 'a' + 10);
		}
		mac[i] = (uint8_t)b;
	}
	return true;
}

/*
 * One broadcast frame of a local experimental ethertype (0x88b5) from
 * page (its source MAC already in bytes 6..11), granted as ref, on the
 * tx ring's first slot, so that the bridge learns our MAC: its status,
 * or 99 if no answer came in 10 s.
 */
static inline int fe_announce(struct netif_tx_sring *tx, uint8_t *page,
			      grant_ref_t ref, uint32_t port)
{
	uint64_t until = pv_now() + 10000 * XSC_MS;

	memset(page, 0xff, 6);
	page[12] = 0x88;
	page[13] = 0xb5;
	fe_grant(ref, page, 0, true);
	tx->ring[0].req = (struct netif_tx_request){ .gref = ref, .size = 60 };
	xsc_mb();
	xsc_set(&tx->req_prod, 1);
	xsc_evtchn_send(port);
	while (xsc_get(&tx->rsp_prod) == 0 && pv_now() < until)
		xsc_sleep(10 * XSC_MS);
	return xsc_get(&tx->rsp_prod) ? tx->ring[0].rsp.status : 99;
}

#endif
