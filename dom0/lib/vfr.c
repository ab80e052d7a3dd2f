/*
 * The VFR's per-VIF source rule and the checksum a front end left blank
 * (see vfr.h). Frames are read with bounds checked against len: they
 * come from guests.
 */
#include "vfr.h"
#include "klib.h"

#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define ETH_P_ARP 0x0806
#define ETH_P_8021Q 0x8100
#define IPPROTO_ICMP 1
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static bool ip_allowed(const struct vfr_rule *r, uint32_t ip)
{
	if (!r->nip || ip == 0)
		return true;
	for (unsigned int i = 0; i < r->nip; i++)
		if (r->ip[i] == ip)
			return true;
	return false;
}

enum vfr_verdict vfr_check(const struct vfr_rule *r, const uint8_t *f,
			   size_t len)
{
	uint16_t type;

	if (len < ETH_HLEN)
		return VFR_RUNT;
	if (memcmp(f + 6, r->mac, 6))
		return VFR_SPOOF_MAC;
	type = be16(f + 12);
	if (type == ETH_P_IP) {
		if (len < ETH_HLEN + 20)
			return VFR_RUNT;
		return ip_allowed(r, be32(f + ETH_HLEN + 12)) ? VFR_ACCEPT
							      : VFR_SPOOF_IP;
	}
	if (type == ETH_P_ARP) {
		/* Sender hardware address at 8, sender IPv4 at 14. */
		if (len < ETH_HLEN + 28)
			return VFR_RUNT;
		if (memcmp(f + ETH_HLEN + 8, r->mac, 6))
			return VFR_SPOOF_MAC;
		return ip_allowed(r, be32(f + ETH_HLEN + 14)) ? VFR_ACCEPT
							      : VFR_SPOOF_IP;
	}
	return VFR_ACCEPT;
}

/* The ones' complement sum of len bytes, big-endian words. */
static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	for (; len > 1; p += 2, len -= 2)
		sum += be16(p);
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

/*
 * The front end stored the pseudo-header's sum in the checksum field
 * (Linux's partial checksum); summing the segment with it gives the
 * whole.
 */
bool vfr_csum_fill(uint8_t *f, size_t len)
{
	size_t ihl, tot, l4, field;
	uint32_t sum;
	uint16_t c;

	if (len < ETH_HLEN + 20 || be16(f + 12) != ETH_P_IP)
		return false;
	ihl = (size_t)(f[ETH_HLEN] & 15) * 4;
	tot = be16(f + ETH_HLEN + 2);
	if (ihl < 20 || tot < ihl || ETH_HLEN + tot > len ||
	    (be16(f + ETH_HLEN + 6) & 0x3fff)) /* fragments: not ours */
		return false;
	l4 = ETH_HLEN + ihl;
	if (f[ETH_HLEN + 9] == IPPROTO_TCP)
		field = l4 + 16;
	else if (f[ETH_HLEN + 9] == IPPROTO_UDP)
		field = l4 + 6;
	else
		return false;
	if (field + 2 > ETH_HLEN + tot)
		return false;
	sum = sum16(f + l4, ETH_HLEN + tot - l4, 0);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	c = (uint16_t)~sum;
	if (!c && f[ETH_HLEN + 9] == IPPROTO_UDP)
		c = 0xffff;
	f[field] = (uint8_t)(c >> 8);
	f[field + 1] = (uint8_t)c;
	return true;
}

/* What a frame is, for the rules: IPv4 protocol and ports if known. */
struct flow {
	bool ip, ports;
	uint8_t proto;
	uint16_t sport, dport;
};

static struct flow classify(const uint8_t *f, size_t len)
{
	struct flow fl = { 0 };
	size_t l3 = ETH_HLEN, ihl;
	uint16_t type;

	if (len < ETH_HLEN)
		return fl;
	type = be16(f + 12);
	if (type == ETH_P_8021Q && len >= ETH_HLEN + 4) {
		type = be16(f + 16);
		l3 += 4;
	}
	if (type != ETH_P_IP || len < l3 + 20)
		return fl;
	ihl = (size_t)(f[l3] & 15) * 4;
	fl.ip = true;
	fl.proto = f[l3 + 9];
	if (ihl < 20 || (be16(f + l3 + 6) & 0x1fff) || len < l3 + ihl + 4)
		return fl; /* no ports to read: only port-less rules match */
	fl.ports = fl.proto == IPPROTO_TCP || fl.proto == IPPROTO_UDP;
	fl.sport = be16(f + l3 + ihl);
	fl.dport = be16(f + l3 + ihl + 2);
	return fl;
}

static bool in_range(const struct xlvif_rule *r, uint16_t port)
{
	return port >= r->port_lo && port <= r->port_hi;
}

static bool rule_matches(const struct xlvif_rule *r, const struct flow *fl)
{
	static const uint8_t proto[] = { [XLVIF_TCP] = IPPROTO_TCP,
					 [XLVIF_UDP] = IPPROTO_UDP,
					 [XLVIF_ICMP] = IPPROTO_ICMP };
	bool any_port = r->port_lo == 0 && r->port_hi == 65535;

	if (r->proto == XLVIF_ALL)
		return true;
	if (!fl->ip)
		return false;
	if (r->proto == XLVIF_IP)
		return true;
	if (r->proto >= sizeof(proto) || fl->proto != proto[r->proto])
		return false;
	if (any_port)
		return true;
	return fl->ports && (in_range(r, fl->sport) || in_range(r, fl->dport));
}

int vfr_acl_match(const struct vfr_acl *a, const uint8_t *f, size_t len,
		  unsigned int dir)
{
	struct flow fl;

	if (!a->n)
		return -1;
	fl = classify(f, len);
	for (unsigned int i = 0; i < a->n && i < XLVIF_RULES_MAX; i++)
		if ((a->rule[i].dir & dir) && rule_matches(&a->rule[i], &fl))
			return (int)i;
	return -1;
}
