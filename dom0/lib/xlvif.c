/*
 * xl.cfg vif specifications (see xlvif.h). Nothing is written to the
 * caller's struct unless the whole item is valid.
 */
#include "xlvif.h"
#include "xlstr.h"
#include "klib.h"

#define EINVAL 22
#define ITEM_MAX 256

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
