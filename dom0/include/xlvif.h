/*
 * xl.cfg vif specifications (dom0/lib/xlvif.c), in Xen's syntax
 * (docs/misc/xl-network-configuration): comma-separated key=value items.
 *
 *   'mac=00:16:3e:01:02:03,bridge=xenbr0,ip=10.0.0.2'
 *
 * Keys: mac (a unicast address; default 00:16:3e followed by three bytes
 * made from the domain and device numbers), bridge (the VFR's bridge to
 * join; default xenbr0), ip (space-separated IPv4 addresses the guest may
 * send from: anti-spoofing), type (vif only), backend (0 or Domain-0),
 * rate (Xen's: RATE[@INTERVAL], RATE a number, an optional K, M or G
 * (powers of 1000) and B/s or b/s; INTERVAL a number and s, ms or us,
 * 50ms by default: the guest's transmit credit per interval), vfr (our
 * own: the VFR's rules for this VIF, space-separated, first match wins,
 * unmatched frames pass):
 *
 *   vfr=drop:tcp:5001 accept:udp:53:out drop:icmp:in
 *
 * each ACTION:PROTO[:PORT[-PORT]][:in|out], ACTION accept or drop, PROTO
 * tcp, udp, icmp, ip (any IPv4) or all (any frame); a port matches the
 * TCP or UDP source or destination port; in is to the guest, out from
 * it, both if not given.
 * Anything else (script=, model=, ...) is refused with the reason.
 * Pure code, shared by domain 0, the host xl and the unit test.
 */
#ifndef XENOLITH_XLVIF_H
#define XENOLITH_XLVIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XLVIF_BRIDGE_MAX 16
#define XLVIF_IP_MAX 4
#define XLVIF_RULES_MAX 8
#define XLVIF_RULE_STR 40 /* room for a rule as text */

enum xlvif_action { XLVIF_DROP, XLVIF_ACCEPT };
enum xlvif_proto { XLVIF_ALL, XLVIF_IP, XLVIF_TCP, XLVIF_UDP, XLVIF_ICMP };
#define XLVIF_IN 1u /* frames to the guest */
#define XLVIF_OUT 2u /* frames from the guest */

struct xlvif_rule {
	uint8_t action, proto, dir; /* dir: XLVIF_IN, _OUT or both */
	uint16_t port_lo, port_hi; /* 0-65535: any port */
};

struct xl_vif {
	uint8_t mac[6];
	bool has_mac; /* given; otherwise xlvif_default_mac fills it */
	char bridge[XLVIF_BRIDGE_MAX];
	uint32_t ip[XLVIF_IP_MAX]; /* a.b.c.d as (a << 24) | ... */
	unsigned int nip;
	/* rate=: bytes per interval; 0 (and rate_usec 0) is unlimited. */
	uint64_t rate_bytes;
	uint32_t rate_usec;
	struct xlvif_rule rule[XLVIF_RULES_MAX]; /* vfr= */
	unsigned int nrules;
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
/* Parse rate='s value into bytes per interval and the interval. */
int xlvif_parse_rate(const char *s, uint64_t *bytes, uint32_t *usec, char *err,
		     size_t errlen);
/* Parse one VFR rule (ACTION:PROTO[:PORTS][:DIR]): 0, or -22 and err. */
int xlvif_parse_rule(const char *s, struct xlvif_rule *r, char *err,
		     size_t errlen);
/* A rule as text, in the form it is parsed from. */
void xlvif_rule_str(const struct xlvif_rule *r, char *buf, size_t n);

#endif
