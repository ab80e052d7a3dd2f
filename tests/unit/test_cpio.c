/*
 * Host tests of the boot bundle's cpio (newc) parser, dom0/lib/cpio.c:
 * archives made by the host's own cpio tool parse to the same files, and
 * truncated or corrupted archives (every prefix, every single-byte
 * corruption of the headers) are refused or parsed within bounds, never
 * read past the buffer (ASan watches).
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "bundle.h"

struct seen {
	int n;
	char names[8][64];
	size_t lens[8];
	unsigned sums[8];
};

static int collect(void *ctx, const char *name, const void *data, size_t len)
{
	struct seen *s = ctx;
	unsigned sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = sum * 31 + ((const unsigned char *)data)[i];
	if (s->n < 8) {
		snprintf(s->names[s->n], 64, "%s", name);
		s->lens[s->n] = len;
		s->sums[s->n] = sum;
	}
	s->n++;
	return 0;
}

/* One newc entry (mode, name, data) appended at *off. */
static size_t put_entry(char *buf, size_t off, unsigned mode,
			const char *name, const char *data, size_t len)
{
	size_t nlen = strlen(name) + 1;

	off += (size_t)sprintf(buf + off,
			       "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X"
			       "%08X%08X%08zX%08X",
			       1u, mode, 0u, 0u, 1u, 0u, len, 0u, 0u, 0u, 0u,
			       nlen, 0u);
	memcpy(buf + off, name, nlen);
	off = (off + nlen + 3) & ~(size_t)3;
	memcpy(buf + off, data, len);
	return (off + len + 3) & ~(size_t)3;
}

static size_t make_archive(char *buf)
{
	size_t off = 0;

	off = put_entry(buf, off, 040755, "etc", "", 0);
	off = put_entry(buf, off, 0100644, "etc/xl.cfg", "name='a'\n", 9);
	off = put_entry(buf, off, 0100644, "kernel", "ELF!xyz", 7);
	off = put_entry(buf, off, 0100644, "empty", "", 0);
	off = put_entry(buf, off, 0, "TRAILER!!!", "", 0);
	return off;
}

static void test_valid(void)
{
	static char buf[4096];
	struct seen s = { 0 };
	size_t len = make_archive(buf);

	TEST_GROUP("cpio: a valid archive");
	CHECK(cpio_parse(buf, len, collect, &s) == 0, "parse failed");
	CHECK(s.n == 3, "%d regular files, expected 3 (directory skipped)", s.n);
	CHECK(!strcmp(s.names[0], "etc/xl.cfg") && s.lens[0] == 9, "file 0");
	CHECK(!strcmp(s.names[1], "kernel") && s.lens[1] == 7, "file 1");
	CHECK(!strcmp(s.names[2], "empty") && s.lens[2] == 0, "file 2");
}

static void test_truncated(void)
{
	static char full[4096];
	size_t len = make_archive(full);
	int refused = 0;

	TEST_GROUP("cpio: every truncation refused, within bounds");
	/* Cut anywhere before the trailer's name ends (its padding aside). */
	len -= 3;
	for (size_t n = 0; n < len; n++) {
		char *b = malloc(n ? n : 1);
		struct seen s = { 0 };
		memcpy(b, full, n);
		if (cpio_parse(b, n, collect, &s) != 0)
			refused++;
		free(b);
	}
	CHECK(refused == (int)len, "%d of %zu truncations refused", refused,
	      len);
}

static void test_corrupted(void)
{
	static char full[4096];
	size_t len = make_archive(full);
	const char bytes[] = { 'F', '0', 'z', '\0', '7' };

	TEST_GROUP("cpio: single-byte corruptions stay within bounds");
	for (size_t i = 0; i < len; i++)
		for (size_t k = 0; k < sizeof(bytes); k++) {
			char *b = malloc(len);
			struct seen s = { 0 };
			memcpy(b, full, len);
			b[i] = bytes[k];
			(void)cpio_parse(b, len, collect, &s);
			free(b);
		}
	/* A huge file size must be refused, not trusted. */
	char *b = malloc(len);
	memcpy(b, full, len);
	memcpy(b + 110 + 4 + 54, "FFFFFFF0", 8); /* entry 2's filesize */
	struct seen s = { 0 };
	CHECK(cpio_parse(b, len, collect, &s) != 0, "huge size accepted");
	free(b);
	CHECK(cpio_parse("not an archive", 14, collect, &s) != 0,
	      "garbage accepted");
}

static void test_host_cpio(void)
{
	struct seen s = { 0 };
	static char buf[1 << 16];
	size_t len;
	FILE *f;

	TEST_GROUP("cpio: an archive from the host's cpio tool");
	if (system("rm -rf build/cpio_t && mkdir -p build/cpio_t/d && "
		   "printf hello > build/cpio_t/d/f && "
		   "printf abc > build/cpio_t/g && cd build/cpio_t && "
		   "find . | LC_ALL=C sort | cpio -o -H newc --quiet "
		   "> ../cpio_t.cpio") != 0) {
		CHECK(0, "host cpio failed");
		return;
	}
	f = fopen("build/cpio_t.cpio", "rb");
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	CHECK(cpio_parse(buf, len, collect, &s) == 0, "parse failed");
	CHECK(s.n == 2, "%d files", s.n);
	CHECK(!strcmp(s.names[0], "d/f") && s.lens[0] == 5, "d/f: %s %zu",
	      s.names[0], s.lens[0]);
	CHECK(!strcmp(s.names[1], "g") && s.lens[1] == 3, "g");
}

int main(void)
{
	test_valid();
	test_truncated();
	test_corrupted();
	test_host_cpio();
	return test_summary("test_cpio");
}
