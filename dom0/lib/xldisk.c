/*
 * xl.cfg disk specifications (see xldisk.h). An item is split at commas;
 * each piece is key=value or positional. Nothing is written to the
 * caller's struct unless the whole item is valid.
 */
#include "xldisk.h"
#include "xlstr.h"
#include "klib.h"

#define EINVAL 22
#define ITEM_MAX 256
#define PIECES 8

struct parse {
	char *err;
	size_t errlen;
};

static int fail(struct parse *p, const char *what, const char *detail)
{
	snprintf(p->err, p->errlen, "disk: %s%s%s", what, detail ? ": " : "",
		 detail ? detail : "");
	return -EINVAL;
}

/* Decimal digits only, no overflow. */
static int parse_u64(const char *s, const char **end, uint64_t *v)
{
	uint64_t x = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (x > (UINT64_MAX - 9) / 10)
			return -EINVAL;
		x = x * 10 + (uint64_t)(*p - '0');
	}
	*end = p;
	*v = x;
	return p == s ? -EINVAL : 0;
}

/* A count of sectors, or of bytes with K/M/G (whole sectors). */
static int parse_sectors(const char *s, const char **end, uint64_t *v)
{
	uint64_t x, mult = 0;

	if (parse_u64(s, &s, &x))
		return -EINVAL;
	if (*s == 'K' || *s == 'k')
		mult = 1ULL << 10;
	else if (*s == 'M' || *s == 'm')
		mult = 1ULL << 20;
	else if (*s == 'G' || *s == 'g')
		mult = 1ULL << 30;
	if (mult) {
		s++;
		if (x > UINT64_MAX / mult || (x * mult) % 512)
			return -EINVAL;
		x = x * mult / 512;
	}
	*end = s;
	*v = x;
	return 0;
}

static int parse_target(struct parse *p, const char *t, struct xl_disk *d)
{
	uint64_t n;
	const char *s = t;

	if (!strncmp(s, "phy:", 4))
		s += 4;
	if (strncmp(s, "vblk", 4) || parse_u64(s + 4, &s, &n) || n > 255)
		return fail(p,
			    "target must name a disk of domain 0 as vblkN "
			    "or vblkN:START+LENGTH",
			    t);
	d->disk = (unsigned int)n;
	d->start = d->sectors = 0;
	if (!*s)
		return 0;
	if (*s != ':' || parse_sectors(s + 1, &s, &d->start) || *s != '+' ||
	    parse_sectors(s + 1, &s, &d->sectors) || *s || !d->sectors)
		return fail(p,
			    "bad extent (START+LENGTH, 512-byte sectors or "
			    "K/M/G bytes, length above 0)",
			    t);
	if (d->start + d->sectors < d->start)
		return fail(p, "extent wraps around", t);
	return 0;
}

/* xvda..xvdz, xvdaa.., with an optional partition number. */
uint32_t xldisk_vdev_number(const char *v)
{
	uint64_t disk = 0, part = 0;
	const char *s;

	if (*v >= '0' && *v <= '9')
		return parse_u64(v, &s, &disk) || *s || !disk ||
			       disk > UINT32_MAX
			   ? 0
			   : (uint32_t)disk;
	if (strncmp(v, "xvd", 3) || v[3] < 'a' || v[3] > 'z')
		return 0;
	for (s = v + 3; *s >= 'a' && *s <= 'z'; s++) {
		disk = disk * 26 + (uint64_t)(*s - 'a' + 1);
		if (disk > (1 << 20))
			return 0;
	}
	disk--; /* bijective base 26: a is 0, aa is 26 */
	if (*s && (parse_u64(s, &s, &part) || *s || part > 255))
		return 0;
	if (disk < 16 && part < 16)
		return (202u << 8) | (uint32_t)(disk << 4) | (uint32_t)part;
	return (1u << 28) | (uint32_t)(disk << 8) | (uint32_t)part;
}

static int set_vdev(struct parse *p, const char *v, struct xl_disk *d)
{
	if (strlen(v) >= sizeof(d->vdev) || !(d->devid = xldisk_vdev_number(v)))
		return fail(p, "vdev must be xvdX, xvdXN or a device number",
			    v);
	xl_str_copy(d->vdev, v, sizeof(d->vdev));
	return 0;
}

static int set_access(struct parse *p, const char *v, struct xl_disk *d)
{
	if (!strcmp(v, "r") || !strcmp(v, "ro"))
		d->readonly = true;
	else if (!strcmp(v, "w") || !strcmp(v, "rw"))
		d->readonly = false;
	else
		return fail(p, "access must be r, ro, w or rw", v);
	return 0;
}

/* raw: the target is the disk; cow: the target is an overlay (cow.h). */
static int set_format(struct parse *p, const char *v, struct xl_disk *d)
{
	if (strcmp(v, "raw") && strcmp(v, "cow"))
		return fail(p, "only format=raw and format=cow are supported",
			    v);
	d->cow = !strcmp(v, "cow");
	return 0;
}

static int apply_key(struct parse *p, const char *k, const char *v,
		     struct xl_disk *d, unsigned int *have)
{
	static const char *const keys[] = { "target", "format", "vdev",
					    "access" };

	for (unsigned int i = 0; i < 4; i++) {
		if (strcmp(k, keys[i]))
			continue;
		*have |= 1u << i;
		switch (i) {
		case 0:
			return parse_target(p, v, d);
		case 1:
			return set_format(p, v, d);
		case 2:
			return set_vdev(p, v, d);
		default:
			return set_access(p, v, d);
		}
	}
	if (!strcmp(k, "devtype"))
		return strcmp(v, "disk") ? fail(p,
						"only devtype=disk is "
						"supported",
						v)
					 : 0;
	if (!strcmp(k, "backend"))
		return strcmp(v, "0") && strcmp(v, "Domain-0")
			   ? fail(p, "the back end is always domain 0", v)
			   : 0;
	return fail(p, "unsupported key", k);
}

/* Positional pieces in xl's order, or the old target,vdev,access. */
static int apply_positional(struct parse *p, char **pos, unsigned int n,
			    struct xl_disk *d, unsigned int *have)
{
	static const char *const order4[] = { "target", "format", "vdev",
					      "access" };
	static const char *const order3[] = { "target", "vdev", "access" };
	const char *const *order = order4;
	int rc;

	if (n > 4)
		return fail(p, "too many positional items", NULL);
	if (n == 3 && xldisk_vdev_number(pos[1]))
		order = order3; /* target, vdev, access */
	for (unsigned int i = 0; i < n; i++) {
		if (!*pos[i])
			continue; /* an empty position: not given */
		if (strchr(pos[i], ':') && strcmp(order[i], "target"))
			return fail(p, "unsupported device type suffix",
				    pos[i]);
		rc = apply_key(p, order[i], pos[i], d, have);
		if (rc)
			return rc;
	}
	return 0;
}

int xldisk_parse(const char *spec, struct xl_disk *out, char *err,
		 size_t errlen)
{
	struct parse p = { err, errlen };
	char item[ITEM_MAX], *pos[PIECES], *s, *piece, *eq;
	struct xl_disk d = { 0 };
	unsigned int npos = 0, have = 0;
	int rc;

	if (strlen(spec) >= sizeof(item))
		return fail(&p, "specification too long", NULL);
	xl_str_copy(item, spec, sizeof(item));
	for (s = item; s;) {
		piece = s;
		s = strchr(s, ',');
		if (s)
			*s++ = '\0';
		piece = xl_trim(piece);
		eq = strchr(piece, '=');
		if (!strcmp(piece, "discard") || !strcmp(piece, "no-discard")) {
			d.no_discard = piece[0] == 'n';
			continue;
		}
		if (!eq) {
			if (npos == PIECES)
				return fail(&p, "too many items", NULL);
			pos[npos++] = piece;
			continue;
		}
		*eq = '\0';
		rc = apply_key(&p, xl_trim(piece), xl_trim(eq + 1), &d, &have);
		if (rc)
			return rc;
	}
	rc = apply_positional(&p, pos, npos, &d, &have);
	if (rc)
		return rc;
	if (!(have & 1))
		return fail(&p, "no target", spec);
	if (!(have & 4))
		return fail(&p, "no vdev", spec);
	*out = d;
	return 0;
}

int xldisk_parse_target(const char *target, struct xl_disk *d, char *err,
			size_t errlen)
{
	struct parse p = { err, errlen };
	struct xl_disk t = { 0 };
	int rc = parse_target(&p, target, &t);

	if (!rc)
		*d = t;
	return rc;
}

void xldisk_target(const struct xl_disk *d, char *buf, size_t n)
{
	if (d->sectors)
		snprintf(buf, n, "vblk%u:%lu+%lu", d->disk,
			 (unsigned long)d->start, (unsigned long)d->sectors);
	else
		snprintf(buf, n, "vblk%u", d->disk);
}
