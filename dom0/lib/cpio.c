/*
 * cpio "newc" archives (magic 070701): a 110-byte header of hex fields,
 * the NUL-terminated name, then the data, each padded to 4 bytes; the
 * entry named TRAILER!!! ends the archive. The archive comes from outside
 * domain 0, so every length is checked against what is left.
 */
#include <stdint.h>
#include "bundle.h"
#include "klib.h"

#define HDR_LEN 110
#define FIELD(i) (6 + 8 * (i))
#define F_MODE 1
#define F_FILESIZE 6
#define F_NAMESIZE 11
#define S_IFMT 0170000
#define S_IFREG 0100000

static int hex8(const char *p, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		char c = p[i];
		int d = c >= '0' && c <= '9' ? c - '0' :
			c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 0;
}

static size_t pad4(size_t x)
{
	return (x + 3) & ~(size_t)3;
}

int cpio_parse(const void *buf, size_t len,
	       int (*each)(void *ctx, const char *name, const void *data,
			   size_t len),
	       void *ctx)
{
	const char *base = buf;
	size_t off = 0;

	for (;;) {
		uint32_t mode, fsize, nsize;
		const char *h = base + off, *name;

		if (len - off < HDR_LEN || memcmp(h, "070701", 6) ||
		    hex8(h + FIELD(F_MODE), &mode) ||
		    hex8(h + FIELD(F_FILESIZE), &fsize) ||
		    hex8(h + FIELD(F_NAMESIZE), &nsize))
			return -22; /* EINVAL: not newc, or truncated */
		name = h + HDR_LEN;
		if (nsize == 0 || nsize > len - off - HDR_LEN ||
		    name[nsize - 1] != '\0')
			return -22;
		off = pad4(off + HDR_LEN + nsize);
		if (!strcmp(name, "TRAILER!!!"))
			return 0;
		if (off > len || fsize > len - off)
			return -22;
		if ((mode & S_IFMT) == S_IFREG) {
			int rc = each(ctx, name, base + off, fsize);
			if (rc)
				return rc;
		}
		off = pad4(off + fsize);
		if (off > len)
			return -22;
	}
}
