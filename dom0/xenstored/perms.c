/*
 * Node permissions. A node's first entry names its owner and the default
 * access of every other domain; further entries grant a listed domain its
 * own access. The owner may do anything to the node (including
 * SET_PERMS); so may domain 0, whatever the entries say. A connection
 * SET_TARGET'ed at a domain also acts with that domain's rights.
 *
 * On the wire an entry is a letter and a decimal domid: n (none),
 * r (read), w (write), b (both): "n0", "r5", "b12".
 */
#include "xs_core.h"

bool xs_privileged(const struct xs_conn *conn)
{
	return conn->domid == 0;
}

static bool is_me(const struct xs_conn *conn, u16 id)
{
	return id == conn->domid || id == conn->target;
}

/* What `conn` may do to a node with these entries: XS_PERM_* bits. */
unsigned int xs_perm_for(const struct xs_conn *conn, const struct xs_perm *p,
			 u32 num)
{
	const unsigned int all = XS_PERM_READ | XS_PERM_WRITE | XS_PERM_OWNER;
	u32 i;

	if (xs_privileged(conn) || is_me(conn, p[0].id))
		return all;
	/* The first entry naming this domain wins. */
	for (i = 1; i < num; i++)
		if (is_me(conn, p[i].id))
			return p[i].perm;
	return p[0].perm;
}

unsigned int xs_node_perm(const struct xs_conn *conn, const struct xs_node *n)
{
	return xs_perm_for(conn, n->perms, n->nperms);
}

/*
 * A decimal number, digits only, at most `max`. 0 or -XS_EINVAL. The
 * string must end at its NUL.
 */
int xs_parse_u64(const char *s, u64 max, u64 *out)
{
	u64 v = 0;

	if (!*s)
		return -XS_EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -XS_EINVAL;
		if ((u64)(*s - '0') > max || v > (max - (u64)(*s - '0')) / 10)
			return -XS_EINVAL;
		v = v * 10 + (u64)(*s - '0');
	}
	*out = v;
	return 0;
}

int xs_parse_domid(const char *s, u16 *out)
{
	u64 v;
	int ret = xs_parse_u64(s, 0xffff, &v);

	if (!ret)
		*out = (u16)v;
	return ret;
}

static int perm_letter(char c)
{
	switch (c) {
	case 'n':
		return XS_PERM_NONE;
	case 'r':
		return XS_PERM_READ;
	case 'w':
		return XS_PERM_WRITE;
	case 'b':
		return XS_PERM_READ | XS_PERM_WRITE;
	default:
		return -1;
	}
}

/*
 * Parse `len` bytes of NUL-terminated entries ("r0\0b5\0"). Anything
 * after the last NUL is ignored (the protocol's reserved tail). At least
 * one entry. Returns 0 with an allocated array, -XS_EINVAL, -XS_ENOMEM.
 */
int xs_perms_parse(const char *text, u32 len, struct xs_perm **out, u32 *num)
{
	struct xs_perm *p;
	u32 n = 0, i, off;

	for (i = 0; i < len; i++)
		n += text[i] == '\0';
	if (!n)
		return -XS_EINVAL;
	p = xs_alloc(n * sizeof(*p));
	if (!p)
		return -XS_ENOMEM;
	for (i = 0, off = 0; i < n; i++) {
		const char *e = text + off;
		int bits = perm_letter(e[0]);
		u16 id;

		if (bits < 0 || xs_parse_domid(e + 1, &id)) {
			xs_free(p);
			return -XS_EINVAL;
		}
		p[i].id = id;
		p[i].perm = bits;
		off += strlen(e) + 1;
	}
	*out = p;
	*num = n;
	return 0;
}

/* Write the entries as "r0\0b5\0" into buf; returns the bytes needed. */
u32 xs_perms_format(const struct xs_perm *p, u32 num, char *buf, u32 size)
{
	static const char letters[4] = { 'n', 'r', 'w', 'b' };
	char one[8];
	u32 i, used = 0;

	for (i = 0; i < num; i++) {
		int len = snprintf(one, sizeof(one), "%c%u",
				   letters[p[i].perm & 3], p[i].id);

		if (used + len + 1 <= size)
			memcpy(buf + used, one, len + 1);
		used += len + 1;
	}
	return used;
}
