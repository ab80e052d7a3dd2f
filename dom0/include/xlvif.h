/*
 * xl.cfg vif specifications (dom0/lib/xlvif.c), in Xen's syntax
 * (docs/misc/xl-network-configuration): comma-separated key=value items.
 *
 *   'mac=00:16:3e:01:02:03,bridge=xenbr0,ip=10.0.0.2'
 *
 * Keys: mac (a unicast address; default 00:16:3e followed by three bytes
 * made from the domain and device numbers), bridge (the VFR's bridge to
 * join; default xenbr0), ip (space-separated IPv4 addresses the guest may
 * send from: anti-spoofing), type (vif only), backend (0 or Domain-0).
 * Anything else (script=, rate=, model=, ...) is refused with the reason.
 * Pure code, shared by domain 0, the host xl and the unit test.
 */
#ifndef XENOLITH_XLVIF_H
#define XENOLITH_XLVIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XLVIF_BRIDGE_MAX 16
#define XLVIF_IP_MAX 4

struct xl_vif {
	uint8_t mac[6];
	bool has_mac; /* given; otherwise xlvif_default_mac fills it */
	char bridge[XLVIF_BRIDGE_MAX];
	uint32_t ip[XLVIF_IP_MAX]; /* a.b.c.d as (a << 24) | ... */
	unsigned int nip;
};

/* Parse one list item. 0, or -22 with err saying why. */
int xlvif_parse(const char *spec, struct xl_vif *v, char *err, size_t errlen);
/* The MAC a vif without mac= gets: 00:16:3e (Xen's OUI), domid, devid. */
void xlvif_default_mac(struct xl_vif *v, uint16_t domid, uint32_t devid);
/* "aa:bb:cc:dd:ee:ff" (18 bytes with the NUL). */
void xlvif_mac_str(const uint8_t mac[6], char *buf, size_t n);
/* Parse "aa:bb:cc:dd:ee:ff": 0 or -22. */
int xlvif_parse_mac(const char *s, uint8_t mac[6]);
/* Parse a dotted IPv4 address: 0 or -22. */
int xlvif_parse_ip(const char *s, uint32_t *ip);

#endif
