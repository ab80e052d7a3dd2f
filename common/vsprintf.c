/*
 * vsnprintf for the hypervisor: %d %i %u %x %X %o %c %s %p %%, with the
 * flags '-', '0', '#' (0x prefix), width (a negative '*' width means '-'),
 * precision (for strings) and the l/ll/z/h/hh length modifiers. Always
 * NUL-terminates when size > 0; returns the length the full output would
 * have had, like C99.
 */
#include "klib.h"
#include <stdbool.h>

typedef uint64_t u64;
typedef int64_t s64;
typedef uint8_t u8;
typedef uint16_t u16;
typedef int16_t s16;
typedef int8_t s8;

struct outbuf {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct outbuf *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_padded(struct outbuf *o, const char *s, size_t n, int width,
		       bool left, char pad)
{
	int fill = width > (int)n ? width - (int)n : 0;

	if (!left)
		while (fill-- > 0)
			put(o, pad);
	while (n--)
		put(o, *s++);
	if (left)
		while (fill-- > 0)
			put(o, ' ');
}

/* prefix is the sign or the 0x of '#', or "". */
static void put_number(struct outbuf *o, u64 v, const char *prefix,
		       unsigned int base, bool upper, int width, bool left,
		       bool zero)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, plen = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (zero && !left) {
		/* The prefix goes before zero padding: -0042, 0x002a. */
		for (; *prefix; prefix++, width--)
			put(o, *prefix);
	}
	/* Otherwise after space padding: "  -42", "  0x2a". */
	while (prefix[plen])
		plen++;
	while (plen--)
		tmp[n++] = prefix[plen];
	/* Reverse in place, then emit with padding. */
	for (int i = 0; i < n / 2; i++) {
		char t = tmp[i];
		tmp[i] = tmp[n - 1 - i];
		tmp[n - 1 - i] = t;
	}
	put_padded(o, tmp, (size_t)n, width, left, zero && !left ? '0' : ' ');
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct outbuf o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		bool left = false, zero = false, alt = false;
		int width = 0, prec = -1, lng = 0, shrt = 0;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				zero = true;
			else if (*fmt == '#')
				alt = true;
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			fmt++;
			if (width < 0) {
				left = true;
				width = -width;
			}
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		if (*fmt == '.') {
			prec = 0;
			fmt++;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			}
			while (*fmt >= '0' && *fmt <= '9')
				prec = prec * 10 + (*fmt++ - '0');
		}
		while (*fmt == 'l' || *fmt == 'z' || *fmt == 'h') {
			if (*fmt == 'h')
				shrt++;
			else
				lng++;
			fmt++;
		}

		switch (*fmt) {
		case 'd':
		case 'i': {
			s64 v = lng ? va_arg(ap, s64) : va_arg(ap, int);
			u64 mag;
			if (!lng && shrt)
				v = shrt == 1 ? (s16)v : (s8)v;
			mag = v < 0 ? (u64)0 - (u64)v : (u64)v;
			put_number(&o, mag, v < 0 ? "-" : "", 10, false, width,
				   left, zero);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o': {
			u64 v =
			    lng ? va_arg(ap, u64) : va_arg(ap, unsigned int);
			unsigned int base = *fmt == 'u'	  ? 10
					    : *fmt == 'o' ? 8
							  : 16;
			const char *prefix = "";
			if (!lng && shrt)
				v = shrt == 1 ? (u16)v : (u8)v;
			if (alt && base == 16)
				prefix = *fmt == 'X' ? "0X" : "0x";
			put_number(&o, v, prefix, base, *fmt == 'X', width,
				   left, zero);
			break;
		}
		case 'p': {
			u64 v = (u64)(uintptr_t)va_arg(ap, void *);
			put(&o, '0');
			put(&o, 'x');
			put_number(&o, v, "", 16, false, 16, false, true);
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);
			put_padded(&o, &c, 1, width, left, ' ');
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			size_t n;
			if (!s)
				s = "(null)";
			n = prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s);
			put_padded(&o, s, n, width, left, ' ');
			break;
		}
		case '%':
			put(&o, '%');
			break;
		case '\0':
			fmt--; /* a lone '%' at the end: stop cleanly */
			break;
		default:
			put(&o, '%');
			put(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
