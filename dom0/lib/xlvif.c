/*
 * xl.cfg vif specifications (see xlvif.h). Nothing is written to the
 * caller's struct unless the whole item is valid.
 */
#include "xlvif.h"
#include "xlstr.h"
#include "klib.h"

#define EINVAL 22
#define ITEM_MAX 256
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static int fail(char *err, size_t errlen, const char *what, const char *v)
{
	snprintf(err, errlen, "vif: %s%s%s", what, v ? ": " : "", v ? v : "");
	return -EINVAL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int xlvif_parse_mac(const char *s, uint8_t mac[6])
{
	uint8_t m[6];

	for (int i = 0; i < 6; i++, s += 3) {
		int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);

		if (lo < 0 || s[2] != (i == 5 ? '\0' : ':'))
			return -EINVAL;
		m[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(mac, m, 6);
	return 0;
}

int xlvif_parse_ip(const char *s, uint32_t *ip)
{
	uint32_t a = 0;

	for (int i = 0; i < 4; i++) {
		unsigned int n = 0, digits = 0;

		for (; *s >= '0' && *s <= '9' && digits < 4; s++, digits++)
			n = n * 10 + (unsigned int)(*s - '0');
		if (!digits || digits > 3 || n > 255 ||
		    *s != (i == 3 ? '\0' : '.'))
			return -EINVAL;
		a = a << 8 | n;
		s++;
	}
	*ip = a;
	return 0;
}

void xlvif_mac_str(const uint8_t m[6], char *buf, size_t n)
{
	snprintf(buf, n, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
}

void xlvif_default_mac(struct xl_vif *v, uint16_t domid, uint32_t devid)
{
	const uint8_t m[6] = { 0x00,	       0x16,
			       0x3e,	       (uint8_t)(domid >> 8),
			       (uint8_t)domid, (uint8_t)devid };

	memcpy(v->mac, m, 6);
}

/* ip= holds addresses separated by spaces, as Xen's vif-bridge reads it. */
static int set_ips(char *v, struct xl_vif *out, char *err, size_t errlen)
{
	char *tok = v;

	out->nip = 0;
	while (*tok) {
		char *end = tok;
		char save;

		while (*end && *end != ' ')
			end++;
		save = *end;
		*end = '\0';
		if (*tok && (out->nip == XLVIF_IP_MAX ||
			     xlvif_parse_ip(tok, &out->ip[out->nip++])))
			return fail(err, errlen,
				    "ip must be up to 4 IPv4 addresses "
				    "separated by spaces",
				    tok);
		if (!save)
			break;
		tok = end + 1;
	}
	return out->nip ? 0 : fail(err, errlen, "ip= without an address", NULL);
}

/* Digits to a number of at most UINT32_MAX: the digits' end, or NULL. */
static const char *number(const char *s, uint64_t *out)
{
	uint64_t n = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (uint64_t)(*p - '0');
		if (n > UINT32_MAX)
			return NULL;
	}
	*out = n;
	return p == s ? NULL : p;
}

static int rate_fail(char *err, size_t errlen, const char *why, const char *v)
{
	snprintf(err, errlen, "vif: rate: %s: %s", why, v);
	return -EINVAL;
}

/* RATE: digits, K/M/G (powers of 1000), then B/s or b/s (bits). */
static int bytes_per_sec(const char *s, uint64_t *bps, char *err, size_t errlen)
{
	static const char *const form =
	    "must be a number, K, M or G, then B/s or b/s (e.g. 10Mb/s)";
	uint64_t n;
	const char *p = number(s, &n);

	if (!p)
		return rate_fail(
		    err, errlen,
		    *s >= '0' && *s <= '9' ? "a number above 4294967295" : form,
		    s);
	if (*p == 'K' || *p == 'M' || *p == 'G') {
		n *= *p == 'K' ? 1000 : *p == 'M' ? 1000000 : 1000000000;
		p++;
	}
	if ((*p != 'B' && *p != 'b') || strcmp(p + 1, "/s"))
		return rate_fail(err, errlen, form, s);
	if (!n)
		return rate_fail(err, errlen, "a rate of 0", s);
	*bps = *p == 'b' ? n / 8 : n;
	return 0;
}

/* INTERVAL: digits, then s (or nothing), ms (m) or us (u). */
static int interval(const char *s, uint32_t *usec, char *err, size_t errlen)
{
	static const char *const form =
	    "the interval must be a number and s, ms or us (e.g. 20ms)";
	uint64_t n, unit = 1000000;
	const char *p = number(s, &n);

	if (!p)
		return rate_fail(err, errlen, form, s);
	if (*p == 'm' || *p == 'u') {
		unit = *p == 'm' ? 1000 : 1;
		p++;
	}
	if (*p == 's')
		p++;
	if (*p)
		return rate_fail(err, errlen, form, s);
	if (!n || n * unit > UINT32_MAX)
		return rate_fail(err, errlen,
				 "the interval must be 1 us to 4294 s", s);
	*usec = (uint32_t)(n * unit);
	return 0;
}

int xlvif_parse_rate(const char *s, uint64_t *bytes, uint32_t *usec, char *err,
		     size_t errlen)
{
	char buf[64], *at;
	uint64_t bps;
	uint32_t us = 50000; /* Xen's default window: 50 ms */

	if (strlen(s) >= sizeof(buf))
		return rate_fail(err, errlen, "too long", s);
	memcpy(buf, s, strlen(s) + 1);
	at = strchr(buf, '@');
	if (at)
		*at++ = '\0';
	if (!buf[0])
		return rate_fail(err, errlen, "no rate given", s);
	if (bytes_per_sec(buf, &bps, err, errlen) ||
	    (at && interval(at, &us, err, errlen)))
		return -EINVAL;
	if (bps > UINT64_MAX / us)
		return rate_fail(err, errlen, "too large", s);
	if (bps * us / 1000000 == 0)
		return rate_fail(err, errlen, "less than one byte per interval",
				 s);
	*bytes = bps * us / 1000000;
	*usec = us;
	return 0;
}

/* --- VFR rules ---------------------------------------------------------- */

static const char *const protos[] = {
	[XLVIF_ALL] = "all", [XLVIF_IP] = "ip",	    [XLVIF_TCP] = "tcp",
	[XLVIF_UDP] = "udp", [XLVIF_ICMP] = "icmp",
};

static int rule_fail(char *err, size_t errlen, const char *why, const char *v)
{
	snprintf(err, errlen, "vif: vfr rule '%s': %s", v, why);
	return -EINVAL;
}

/* PORT or LO-HI into r; false if malformed. */
static bool ports(const char *s, struct xlvif_rule *r)
{
	uint64_t lo, hi;
	const char *p = number(s, &lo);

	if (!p || lo > 65535)
		return false;
	hi = lo;
	if (*p == '-' && !(p = number(p + 1, &hi)))
		return false;
	if (*p || hi > 65535 || hi < lo)
		return false;
	r->port_lo = (uint16_t)lo;
	r->port_hi = (uint16_t)hi;
	return true;
}

/* The fields after ACTION:PROTO: a port range and/or a direction. */
static int rule_rest(char *f, struct xlvif_rule *r, const char *s, char *err,
		     size_t errlen)
{
	bool have_port = false;

	while (f) {
		char *next = strchr(f, ':');

		if (next)
			*next++ = '\0';
		if (!strcmp(f, "in") || !strcmp(f, "out")) {
			if (r->dir != (XLVIF_IN | XLVIF_OUT) || next)
				return rule_fail(err, errlen,
						 "the direction comes last, "
						 "once",
						 s);
			r->dir = f[0] == 'i' ? XLVIF_IN : XLVIF_OUT;
		} else if (!have_port && ports(f, r)) {
			have_port = true;
		} else {
			return rule_fail(err, errlen,
					 "expected a port 0-65535, a range "
					 "LO-HI, in or out",
					 s);
		}
		f = next;
	}
	if (have_port && r->proto != XLVIF_TCP && r->proto != XLVIF_UDP)
		return rule_fail(err, errlen, "a port needs tcp or udp", s);
	return 0;
}

int xlvif_parse_rule(const char *s, struct xlvif_rule *out, char *err,
		     size_t errlen)
{
	char buf[XLVIF_RULE_STR], *proto, *rest;
	struct xlvif_rule r = { .dir = XLVIF_IN | XLVIF_OUT, .port_hi = 65535 };
	unsigned int i;

	if (strlen(s) >= sizeof(buf))
		return rule_fail(err, errlen, "too long", s);
	memcpy(buf, s, strlen(s) + 1);
	proto = strchr(buf, ':');
	if (!proto)
		return rule_fail(err, errlen,
				 "expected ACTION:PROTO[:PORT[-PORT]][:in|out]",
				 s);
	*proto++ = '\0';
	rest = strchr(proto, ':');
	if (rest)
		*rest++ = '\0';
	if (strcmp(buf, "accept") && strcmp(buf, "drop"))
		return rule_fail(err, errlen, "the action is accept or drop",
				 s);
	r.action = buf[0] == 'a' ? XLVIF_ACCEPT : XLVIF_DROP;
	for (i = 0; i < ARRAY_LEN(protos) && strcmp(proto, protos[i]); i++)
		;
	if (i == ARRAY_LEN(protos))
		return rule_fail(err, errlen,
				 "the protocol is tcp, udp, icmp, ip or all",
				 s);
	r.proto = (uint8_t)i;
	if (rule_rest(rest, &r, s, err, errlen))
		return -EINVAL;
	*out = r;
	return 0;
}

void xlvif_rule_str(const struct xlvif_rule *r, char *buf, size_t n)
{
	char p[16] = "", d[8] = "";

	if (r->port_lo != 0 || r->port_hi != 65535)
		snprintf(p, sizeof(p),
			 r->port_lo == r->port_hi ? ":%u" : ":%u-%u",
			 r->port_lo, r->port_hi);
	if (r->dir != (XLVIF_IN | XLVIF_OUT))
		snprintf(d, sizeof(d), ":%s",
			 r->dir == XLVIF_IN ? "in" : "out");
	snprintf(buf, n, "%s:%s%s%s",
		 r->action == XLVIF_ACCEPT ? "accept" : "drop",
		 r->proto < ARRAY_LEN(protos) ? protos[r->proto] : "?", p, d);
}

/* vfr= holds rules separated by spaces. */
static int set_rules(char *v, struct xl_vif *out, char *err, size_t errlen)
{
	char *tok = v;

	out->nrules = 0;
	while (*tok) {
		char *end = strchr(tok, ' ');

		if (end)
			*end = '\0';
		if (*tok && out->nrules == XLVIF_RULES_MAX)
			return fail(err, errlen, "vfr= holds up to 8 rules",
				    NULL);
		if (*tok && xlvif_parse_rule(tok, &out->rule[out->nrules++],
					     err, errlen))
			return -EINVAL;
		if (!end)
			break;
		tok = end + 1;
	}
	return out->nrules ? 0 : fail(err, errlen, "vfr= without a rule", NULL);
}

static int bridge_ok(const char *v)
{
	size_t n = strlen(v);

	if (!n || n >= XLVIF_BRIDGE_MAX)
		return 0;
	for (; *v; v++)
		if (!((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') ||
		      (*v >= '0' && *v <= '9') || *v == '_' || *v == '-'))
			return 0;
	return 1;
}

static int apply(char *k, char *v, struct xl_vif *o, char *err, size_t errlen)
{
	if (!strcmp(k, "mac")) {
		if (xlvif_parse_mac(v, o->mac))
			return fail(err, errlen,
				    "mac must be six hex bytes "
				    "separated by colons",
				    v);
		if (o->mac[0] & 1)
			return fail(err, errlen,
				    "mac must be unicast (the first "
				    "byte's low bit clear)",
				    v);
		o->has_mac = true;
		return 0;
	}
	if (!strcmp(k, "bridge")) {
		if (!bridge_ok(v))
			return fail(err, errlen,
				    "bridge must be 1-15 letters, digits, "
				    "'-' or '_'",
				    v);
		memcpy(o->bridge, v, strlen(v) + 1);
		return 0;
	}
	if (!strcmp(k, "ip"))
		return set_ips(v, o, err, errlen);
	if (!strcmp(k, "type"))
		return strcmp(v, "vif") ? fail(err, errlen,
					       "only type=vif (a PV "
					       "interface) is supported",
					       v)
					: 0;
	if (!strcmp(k, "backend"))
		return strcmp(v, "0") && strcmp(v, "Domain-0")
			   ? fail(err, errlen,
				  "the back end is always domain 0", v)
			   : 0;
	if (!strcmp(k, "rate"))
		return xlvif_parse_rate(v, &o->rate_bytes, &o->rate_usec, err,
					errlen);
	if (!strcmp(k, "vfr"))
		return set_rules(v, o, err, errlen);
	return fail(err, errlen, "unsupported key", k);
}

int xlvif_parse(const char *spec, struct xl_vif *out, char *err, size_t errlen)
{
	char buf[ITEM_MAX], *p;
	struct xl_vif v = { .bridge = "xenbr0" };

	if (strlen(spec) >= sizeof(buf))
		return fail(err, errlen, "item too long", NULL);
	memcpy(buf, spec, strlen(spec) + 1);
	for (p = buf; p;) {
		char *comma = strchr(p, ',');
		char *eq, *item;

		if (comma)
			*comma = '\0';
		item = xl_trim(p);
		p = comma ? comma + 1 : NULL;
		if (!*item)
			continue;
		eq = strchr(item, '=');
		if (!eq)
			return fail(err, errlen, "expected key=value", item);
		*eq = '\0';
		if (apply(xl_trim(item), xl_trim(eq + 1), &v, err, errlen))
			return -EINVAL;
	}
	*out = v;
	return 0;
}
