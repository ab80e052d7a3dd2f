/*
 * String and memory functions. The compiler may emit calls to memcpy and
 * memset for structure copies, so these must exist even with -fno-builtin.
 */
#include "klib.h"

typedef uint8_t u8;

/*
 * x86 string instructions: fast on every CPU since "fast strings". Whole
 * aligned quadwords go 8 bytes a step: emulators (QEMU's TCG) run each
 * step separately, and pages are zeroed and copied by the thousand.
 */
void *memset(void *s, int c, size_t n)
{
	void *p = s;

	if (!(((uintptr_t)s | n) & 7)) {
		uint64_t q = 0x0101010101010101ULL * (u8)c;

		n /= 8;
		asm volatile("rep stosq" : "+D"(p), "+c"(n) : "a"(q) : "memory");
		return s;
	}
	asm volatile("rep stosb" : "+D"(p), "+c"(n) : "a"(c) : "memory");
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	void *dp = d;

	if (!(((uintptr_t)d | (uintptr_t)s | n) & 7)) {
		n /= 8;
		asm volatile("rep movsq"
			     : "+D"(dp), "+S"(s), "+c"(n)
			     :
			     : "memory");
		return d;
	}
	asm volatile("rep movsb" : "+D"(dp), "+S"(s), "+c"(n) : : "memory");
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	u8 *dp = d;
	const u8 *sp = s;
	if (dp <= sp || dp >= sp + n)
		return memcpy(d, s, n);
	while (n--)
		dp[n] = sp[n];
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (u8)*a - (u8)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (u8)*a - (u8)*b;
		if (!*a)
			break;
	}
	return 0;
}

size_t strlcpy(char *d, const char *s, size_t size)
{
	size_t len = strlen(s);
	if (size) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return len;
}

char *strchr(const char *s, int c)
{
	for (; *s; s++)
		if (*s == (char)c)
			return (char *)s;
	return c ? NULL : (char *)s;
}
