/*
 * Host unit tests for the hypervisor's vsnprintf (hv/core/vsprintf.c). The
 * hv source is built with vsnprintf/snprintf renamed to hv_vsnprintf and
 * hv_snprintf (see the Makefile), so most formats are compared against the
 * host libc. Where ours deliberately differs (%p, %#x of 0, unknown
 * conversions) the expected text is spelled out.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

/* The hv prototypes, under the names the hv object is built with. */
#define vsnprintf hv_vsnprintf
#define snprintf hv_snprintf
#include <lib.h>
#undef vsnprintf
#undef snprintf

/*
 * Format with ours and with libc into large buffers and compare the return
 * value and every byte up to and including the terminating NUL (%c of '\0'
 * puts a NUL in the middle).
 */
static void __printf(2, 3) cmp(int line, const char *fmt, ...)
{
	char ours[256], ref[256];
	va_list ap, ap2;
	int n, m;

	memset(ours, 0x5a, sizeof(ours));
	memset(ref, 0x5a, sizeof(ref));
	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = hv_vsnprintf(ours, sizeof(ours), fmt, ap);
	m = vsnprintf(ref, sizeof(ref), fmt, ap2);
	va_end(ap2);
	va_end(ap);
	CHECK(n == m && n >= 0 && n < (int)sizeof(ours) &&
		  !memcmp(ours, ref, (size_t)n + 1),
	      "line %d: \"%s\": ours \"%s\" (%d), libc \"%s\" (%d)", line, fmt,
	      ours, n, ref, m);
}

#define CMP(...) cmp(__LINE__, __VA_ARGS__)

/* For formats GCC warns about but C defines, e.g. '-' overriding '0'. */
#define CMP_NOWARN(...)                                         \
	do {                                                    \
		_Pragma("GCC diagnostic push");                 \
		_Pragma("GCC diagnostic ignored \"-Wformat\""); \
		cmp(__LINE__, __VA_ARGS__);                     \
		_Pragma("GCC diagnostic pop");                  \
	} while (0)

/* Format with ours only and compare with the expected text and length. */
static void __printf(3, 4)
    expect(int line, const char *want, const char *fmt, ...)
{
	char ours[256];
	va_list ap;
	int n;

	memset(ours, 0x5a, sizeof(ours));
	va_start(ap, fmt);
	n = hv_vsnprintf(ours, sizeof(ours), fmt, ap);
	va_end(ap);
	CHECK(n == (int)strlen(want) && !strcmp(ours, want),
	      "line %d: \"%s\": got \"%s\" (%d), want \"%s\"", line, fmt, ours,
	      n, want);
}

#define EXPECT(want, ...) expect(__LINE__, want, __VA_ARGS__)

static void test_integers(void)
{
	static const int ints[] = { 0,	 1,	-1,	7,	 -42,	 42,
				    100, 12345, -99999, INT_MAX, INT_MIN };
	static const unsigned int uints[] = { 0,	  1,	   7,	8,
					      15,	  16,	   255, 4096,
					      0xdeadbeef, UINT_MAX };

	TEST_GROUP("%d %i %u %x %X %o with flags and width");
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		int v = ints[i];

		CMP("%d", v);
		CMP("%i", v);
		CMP("[%5d]", v);
		CMP("[%-5d]", v);
		CMP("[%05d]", v);
		CMP_NOWARN("[%-05d]", v);
		CMP("[%012i]", v);
		CMP("[%1d]", v);
		CMP("[%*d]", 8, v);
		CMP("[%-*d]", 8, v);
		CMP("[%0*d]", 8, v);
		CMP("[%*d]", -8, v);
	}
	for (size_t i = 0; i < sizeof(uints) / sizeof(uints[0]); i++) {
		unsigned int v = uints[i];

		CMP("%u %x %X %o", v, v, v, v);
		CMP("[%10u] [%-10x] [%010X] [%12o]", v, v, v, v);
		CMP("[%08x] [%2x] [%*x]", v, v, 9, v);
		CMP_NOWARN("[%-08x]", v);
		if (v) {
			/* '#' is only for hex; ours prints 0x0 for 0. */
			CMP("%#x %#X", v, v);
			CMP("[%#10x] [%#-10x] [%#010x] [%#010X]", v, v, v, v);
			CMP("[%#3x] [%#*x] [%#0*x]", v, 12, v, 12, v);
		}
	}
	CMP("%d%%", 50);
	CMP("%%%d%%%%", 5);
	CMP("a%db%uc%xd", -1, 2u, 3u);
}

static void test_length_modifiers(void)
{
	TEST_GROUP("l, ll, z and h length modifiers");
	CMP("%ld %lld %li", INT64_MIN, (long long)INT64_MIN, INT64_MIN);
	CMP("%ld %lld %li", INT64_MAX, (long long)INT64_MAX, INT64_MAX);
	CMP("[%025ld] [%-25lld] [%25li]", INT64_MIN, (long long)INT64_MIN,
	    INT64_MIN);
	CMP("%lu %llu %lx %llX %lo", UINT64_MAX, (unsigned long long)UINT64_MAX,
	    UINT64_MAX, (unsigned long long)UINT64_MAX, UINT64_MAX);
	CMP("%lu %lx %lo %ld", 0ul, 0ul, 0ul, 0l);
	CMP("[%#018lx] [%#lx] [%#20llX]", 0xffff800000000000ul,
	    0x1234567890abcdeful, 0xfedcba9876543210ull);
	CMP("%zu %zx %zd", SIZE_MAX, SIZE_MAX, (ssize_t)-5);
	CMP("%zu %zd", (size_t)0, (ssize_t)PTRDIFF_MAX);
	/* A 32-bit conversion must not pick up garbage from a 64-bit slot. */
	CMP("%d %ld %u %lu", -1, -1l, 4000000000u, 4000000000ul);

	/* h and hh take an int and convert it to (unsigned) short/char. */
	CMP("%hd %hi %hu %hx %hX %ho", (short)-300, (short)32767,
	    (unsigned short)65535, (unsigned short)0xbeef,
	    (unsigned short)0xbeef, (unsigned short)0777);
	CMP("%hhd %hhu %hhx", (signed char)-5, (unsigned char)200,
	    (unsigned char)0xab);
	CMP("[%6hd] [%-6hu] [%06hx]", (short)-1, (unsigned short)1,
	    (unsigned short)0xf);
	/* Out of range values are converted, like C requires. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
	CMP("%hd %hu %hx %hhd %hhu %hhx", 70000, 70000, -1, 200, 300, -1);
#pragma GCC diagnostic pop
}

static void test_chars_and_strings(void)
{
	static const char *const strs[] = { "", "a", "abc", "hello, world",
					    "0123456789abcdef0123" };

	TEST_GROUP("%c and %s with width and precision");
	CMP("%c%c%c", 'x', '0', '~');
	CMP("[%5c] [%-5c] [%1c] [%*c]", 'a', 'b', 'c', 3, 'd');
	CMP("a%cb", '\0');
	CMP("%c", 0xff);
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		const char *s = strs[i];

		CMP("[%s]", s);
		CMP("[%10s] [%-10s] [%2s]", s, s, s);
		CMP("[%.3s] [%.0s] [%.30s]", s, s, s);
		CMP("[%.*s] [%.*s] [%.*s]", 2, s, 0, s, -1, s);
		CMP("[%8.3s] [%-8.3s] [%*.*s] [%-*.*s]", s, s, 7, 2, s, 7, 2,
		    s);
		CMP("[%*s]", -9, s);
	}
	/* Precision stops the read: the source needs no NUL. */
	{
		char *raw = malloc(4);

		memcpy(raw, "WXYZ", 4);
		CMP("[%.4s] [%.2s] [%.*s]", raw, raw, 3, raw);
		free(raw);
	}
	CMP("%s=%d, %s", "x", 3, "done");

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-overflow"
	EXPECT("(null)", "%s", (char *)NULL);
	EXPECT("[  (null)]", "[%8s]", (char *)NULL);
	EXPECT("[(null)  ]", "[%-8s]", (char *)NULL);
	EXPECT("[(nu]", "[%.3s]", (char *)NULL);
#pragma GCC diagnostic pop
}

static void test_ours_only(void)
{
	TEST_GROUP("%p, %#x of 0, unknown conversions, lone '%'");
	EXPECT("0x0000000000000000", "%p", (void *)NULL);
	EXPECT("0x00000000deadbeef", "%p", (void *)0xdeadbeeful);
	EXPECT("0xffff82d040200000", "%p", (void *)0xffff82d040200000ul);
	EXPECT("<0x0000000000001000>", "<%p>", (void *)0x1000ul);
	EXPECT("0x0 0X0", "%#x %#X", 0u, 0u);

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
	/* An unknown conversion is printed as is and consumes nothing. */
	EXPECT("%q", "%q");
	EXPECT("a%qb7", "a%qb%d", 7);
	EXPECT("%y %w", "%5y %-w");
	/* A lone '%' at the end stops cleanly, even after flags/modifiers. */
	EXPECT("abc", "abc%");
	EXPECT("", "%");
	EXPECT("x", "x%-");
	EXPECT("x", "x%08");
	EXPECT("x", "x%l");
	EXPECT("x", "x%.");
	EXPECT("x", "x%.*", 3);
#pragma GCC diagnostic pop
}

/*
 * Format into a buffer malloc'd at exactly 'size' bytes (NULL for size 0)
 * so ASan catches any write past it; check the return value is the full
 * length and the buffer holds the truncated, NUL-terminated prefix.
 */
static void check_trunc(const char *want, size_t size, const char *fmt, ...)
{
	size_t len = strlen(want);
	char *buf = size ? malloc(size) : NULL;
	va_list ap;
	int n;

	if (size)
		memset(buf, 0x5a, size);
	va_start(ap, fmt);
	n = hv_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	CHECK(n == (int)len, "\"%s\" size %zu: returned %d, want %zu", fmt,
	      size, n, len);
	if (size) {
		size_t keep = len < size ? len : size - 1;

		CHECK(!memcmp(buf, want, keep) && buf[keep] == '\0',
		      "\"%s\" size %zu: got \"%.*s\" + %#x", fmt, size,
		      (int)keep, buf, (unsigned char)buf[keep]);
	}
	free(buf);
}

static void test_truncation(void)
{
	static const char want[] = "[  -42] hello 0xbeef";
	size_t len = strlen(want);
	char small[4];
	int n;

	TEST_GROUP("truncation: size 0, 1, exact fit, one short, ...");
	for (size_t size = 0; size <= len + 3; size++)
		check_trunc(want, size, "[%5d] %s %#x", -42, "hello", 0xbeefu);
	for (size_t size = 0; size <= 20; size++)
		check_trunc("0x00000000000000ab", size, "%p", (void *)0xabul);
	check_trunc("", 0, "");
	check_trunc("", 1, "");
	check_trunc("", 1, "%s", "");

	/* snprintf: same contract, and a NULL buffer is fine with size 0. */
	n = hv_snprintf(NULL, 0, "%d-%s", 12345, "abcdef");
	CHECK(n == 12, "snprintf(NULL, 0) returned %d", n);
	memset(small, 0x5a, sizeof(small));
	n = hv_snprintf(small, sizeof(small), "%ld", INT64_MIN);
	CHECK(n == 20 && !strcmp(small, "-92"),
	      "snprintf into 4 bytes: %d \"%s\"", n, small);
	n = hv_snprintf(small, sizeof(small), "abc");
	CHECK(n == 3 && !strcmp(small, "abc"), "exact fit: %d \"%s\"", n,
	      small);
	n = hv_snprintf(small, sizeof(small), "abcd");
	CHECK(n == 4 && !strcmp(small, "abc"), "one short: %d \"%s\"", n,
	      small);
}

int main(void)
{
	test_integers();
	test_length_modifiers();
	test_chars_and_strings();
	test_ours_only();
	test_truncation();
	return test_summary("test_vsprintf");
}
