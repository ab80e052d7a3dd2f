/*
 * Host unit tests for the hypervisor's string and memory functions
 * (hv/core/string.c). The hv source is built with every function renamed
 * to hv_<name> (see the Makefile), so libc's versions serve as the
 * reference. Buffers are malloc'd at their exact size so AddressSanitizer
 * catches any access past them.
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"

/* The hv prototypes, under the names the hv object is built with. */
#define memset hv_memset
#define memcpy hv_memcpy
#define memmove hv_memmove
#define memcmp hv_memcmp
#define strlen hv_strlen
#define strnlen hv_strnlen
#define strcmp hv_strcmp
#define strncmp hv_strncmp
#define strlcpy hv_strlcpy
#define strchr hv_strchr
#include <lib.h>
#undef memset
#undef memcpy
#undef memmove
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strlcpy
#undef strchr

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

/* An exactly sized copy of the first n bytes of s. */
static char *dup_exact(const char *s, size_t n)
{
	char *p = malloc(n ? n : 1);

	memcpy(p, s, n);
	return p;
}

static void fill_pattern(unsigned char *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 31 + seed);
}

static void test_memset(void)
{
	TEST_GROUP("memset");
	for (size_t n = 0; n <= 70; n++) {
		unsigned char *p = malloc(n + 2), *q = malloc(n + 2);
		void *r;

		fill_pattern(p, n + 2, 1);
		memcpy(q, p, n + 2);
		r = hv_memset(p + 1, 0x1ab, n); /* only the low byte counts */
		memset(q + 1, 0xab, n);
		CHECK(r == p + 1, "memset returned %p, not %p", r, p + 1);
		CHECK(!memcmp(p, q, n + 2), "memset of %zu bytes", n);
		free(p);
		free(q);
	}
	{
		unsigned char *p = malloc(16);

		hv_memset(p, -1, 16);
		CHECK(p[0] == 0xff && p[15] == 0xff, "memset -1");
		free(p);
	}
}

static void test_memcpy(void)
{
	TEST_GROUP("memcpy");
	for (size_t n = 0; n <= 70; n++) {
		unsigned char *src = malloc(n ? n : 1), *dst = malloc(n + 2);
		unsigned char *want = malloc(n + 2);
		void *r;

		fill_pattern(src, n, 7);
		fill_pattern(dst, n + 2, 99);
		memcpy(want, dst, n + 2);
		memcpy(want + 1, src, n);
		r = hv_memcpy(dst + 1, src, n);
		CHECK(r == dst + 1, "memcpy returned %p", r);
		CHECK(!memcmp(dst, want, n + 2), "memcpy of %zu bytes", n);
		free(src);
		free(dst);
		free(want);
	}
	/* n = 0 with pointers one past the end must touch nothing. */
	{
		char *a = malloc(4), *b = malloc(4);

		CHECK(hv_memcpy(a + 4, b + 4, 0) == a + 4, "memcpy n=0");
		free(a);
		free(b);
	}
}

static void test_memmove(void)
{
	enum { LEN = 64 };
	unsigned char *buf = malloc(LEN), *ref = malloc(LEN);

	TEST_GROUP("memmove, overlapping both ways");
	for (size_t d = 0; d < LEN; d++) {
		for (size_t s = 0; s < LEN; s++) {
			size_t max = LEN - (d > s ? d : s);

			for (size_t n = 0; n <= max; n += 1 + n / 8) {
				void *r;

				fill_pattern(buf, LEN, 3);
				fill_pattern(ref, LEN, 3);
				r = hv_memmove(buf + d, buf + s, n);
				memmove(ref + d, ref + s, n);
				CHECK(r == buf + d, "memmove returned %p", r);
				if (memcmp(buf, ref, LEN)) {
					CHECK(0,
					      "memmove dst %zu src %zu n %zu",
					      d, s, n);
					goto out;
				}
			}
		}
	}
	/* The classic cases, spelled out. */
	{
		char *p = dup_exact("abcdefgh", 9);

		hv_memmove(p + 2, p, 6); /* forwards, overlapping */
		CHECK(!strcmp(p, "ababcdef"), "move up: \"%s\"", p);
		hv_memmove(p, p + 3, 6); /* backwards, overlapping */
		CHECK(!strcmp(p, "bcdef"), "move down: \"%s\"", p);
		free(p);
	}
out:
	free(buf);
	free(ref);
}

static void test_memcmp(void)
{
	static const struct {
		const char *a, *b;
		size_t n;
		int want;
	} t[] = {
		{ "", "", 0, 0 },
		{ "abc", "abd", 0, 0 },
		{ "abc", "abd", 2, 0 },
		{ "abc", "abd", 3, -1 },
		{ "abd", "abc", 3, 1 },
		{ "\x80", "\x7f", 1, 1 }, /* bytes compare as unsigned */
		{ "\x7f", "\x80", 1, -1 },
		{ "\xff\x00", "\x01\x00", 2, 1 },
		{ "a\0b", "a\0c", 3, -1 }, /* NULs do not stop memcmp */
		{ "same bytes", "same bytes", 10, 0 },
	};

	TEST_GROUP("memcmp sign");
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *a = dup_exact(t[i].a, t[i].n);
		char *b = dup_exact(t[i].b, t[i].n);
		int r = hv_memcmp(a, b, t[i].n);

		CHECK(sign(r) == t[i].want, "memcmp case %zu: %d, want sign %d",
		      i, r, t[i].want);
		CHECK(sign(r) == sign(memcmp(a, b, t[i].n)),
		      "memcmp case %zu differs from libc", i);
		free(a);
		free(b);
	}
}

static void test_strlen(void)
{
	static const char *const strs[] = { "", "a", "ab", "hello, world",
					    "0123456789abcdef0123456789" };

	TEST_GROUP("strlen, strnlen");
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		size_t len = strlen(strs[i]);
		char *s = dup_exact(strs[i], len + 1);

		CHECK(hv_strlen(s) == len, "strlen(\"%s\") = %zu", s,
		      hv_strlen(s));
		for (size_t max = 0; max <= len + 2; max++) {
			size_t want = len < max ? len : max;

			CHECK(hv_strnlen(s, max) == want,
			      "strnlen(\"%s\", %zu) = %zu", s, max,
			      hv_strnlen(s, max));
		}
		free(s);
		/* strnlen must not read past max on an unterminated array. */
		s = dup_exact(strs[i], len);
		CHECK(hv_strnlen(s, len) == len, "strnlen unterminated %zu",
		      len);
		free(s);
	}
	CHECK(hv_strnlen(NULL, 0) == 0, "strnlen(NULL, 0)");
}

static void test_strcmp(void)
{
	static const struct {
		const char *a, *b;
		size_t n;
		int want, want_n;
	} t[] = {
		{ "", "", 5, 0, 0 },
		{ "a", "", 5, 1, 1 },
		{ "", "a", 5, -1, -1 },
		{ "abc", "abc", 3, 0, 0 },
		{ "abc", "abd", 3, -1, -1 },
		{ "abc", "abd", 2, -1, 0 },
		{ "abd", "abc", 9, 1, 1 },
		{ "abc", "abcd", 3, -1, 0 },
		{ "abc", "abcd", 4, -1, -1 },
		{ "abcd", "abc", 4, 1, 1 },
		{ "x", "y", 0, -1, 0 },
		{ "\x80", "\x7f", 1, 1, 1 }, /* unsigned char, as in C */
		{ "a\xff", "a\x01", 2, 1, 1 },
		{ "same", "same", 100, 0, 0 },
	};

	TEST_GROUP("strcmp, strncmp: sign and n = 0");
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *a = dup_exact(t[i].a, strlen(t[i].a) + 1);
		char *b = dup_exact(t[i].b, strlen(t[i].b) + 1);
		int r = hv_strcmp(a, b), rn = hv_strncmp(a, b, t[i].n);

		CHECK(sign(r) == t[i].want, "strcmp case %zu: %d", i, r);
		CHECK(sign(rn) == t[i].want_n, "strncmp case %zu: %d", i, rn);
		CHECK(sign(r) == sign(strcmp(a, b)) &&
			  sign(rn) == sign(strncmp(a, b, t[i].n)),
		      "strcmp/strncmp case %zu differs from libc", i);
		free(a);
		free(b);
	}
	/* strncmp stops at n: unterminated arrays are fine. */
	{
		char *a = dup_exact("abcX", 4), *b = dup_exact("abcY", 4);

		CHECK(hv_strncmp(a, b, 3) == 0, "strncmp unterminated");
		CHECK(hv_strncmp(a, b, 4) < 0, "strncmp unterminated, n=4");
		CHECK(hv_strncmp(NULL, NULL, 0) == 0, "strncmp n=0");
		free(a);
		free(b);
	}
}

static void test_strlcpy(void)
{
	static const char *const strs[] = { "", "a", "hello",
					    "a longer string of text" };

	TEST_GROUP("strlcpy: truncation and return value");
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		const char *s = strs[i];
		size_t len = strlen(s);
		char *src = dup_exact(s, len + 1);

		for (size_t size = 0; size <= len + 3; size++) {
			char *d = size ? malloc(size) : NULL;
			size_t keep = len < size ? len : size - 1;
			size_t r;

			if (size)
				memset(d, 0x5a, size);
			r = hv_strlcpy(d, src, size);
			CHECK(r == len, "strlcpy(\"%s\", %zu) returned %zu", s,
			      size, r);
			if (size)
				CHECK(!memcmp(d, s, keep) && d[keep] == '\0',
				      "strlcpy(\"%s\", %zu) gave \"%s\"", s,
				      size, d);
			free(d);
		}
		free(src);
	}
}

static void test_strchr(void)
{
	char *s = dup_exact("hello, world", 13);

	TEST_GROUP("strchr, including '\\0'");
	CHECK(hv_strchr(s, 'h') == s, "first char");
	CHECK(hv_strchr(s, 'o') == s + 4, "first of several");
	CHECK(hv_strchr(s, 'd') == s + 11, "last char");
	CHECK(hv_strchr(s, 'z') == NULL, "absent");
	CHECK(hv_strchr(s, '\0') == s + 12, "'\\0' finds the terminator");
	CHECK(hv_strchr(s, 'o' + 256) == s + 4, "c converts to char");
	free(s);

	s = dup_exact("", 1);
	CHECK(hv_strchr(s, '\0') == s, "'\\0' in \"\"");
	CHECK(hv_strchr(s, 'a') == NULL, "absent in \"\"");
	free(s);

	s = dup_exact("a\xe9z", 4);
	CHECK(hv_strchr(s, 0xe9) == s + 1, "byte >= 0x80 as int");
	CHECK(hv_strchr(s, (char)0xe9) == s + 1, "byte >= 0x80 as char");
	free(s);
}

int main(void)
{
	test_memset();
	test_memcpy();
	test_memmove();
	test_memcmp();
	test_strlen();
	test_strcmp();
	test_strlcpy();
	test_strchr();
	return test_summary("test_string");
}
