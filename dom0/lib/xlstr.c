/*
 * String helpers of the xl.cfg parsers (xlcfg.c, xldisk.c, xlvif.c),
 * built into domain 0, the host's xl and the unit tests alike.
 */
#include "xlstr.h"
#include "klib.h"

void xl_str_copy(char *d, const char *s, size_t room)
{
	size_t n = strlen(s);

	if (!room)
		return;
	if (n >= room)
		n = room - 1;
	memcpy(d, s, n);
	d[n] = '\0';
}

char *xl_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

int xl_parse_mem_kb(const char *s, uint64_t *kb)
{
	uint64_t n = 0;
	unsigned int shift;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (UINT64_MAX - 9) / 10)
			return -22;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (p == s || (p[0] && p[1]))
		return -22;
	switch (*p ? *p | 0x20 : 'm') { /* lower case; none is MiB */
	case 'm':
		shift = 10;
		break;
	case 'k':
		shift = 0;
		break;
	case 'g':
		shift = 20;
		break;
	case 't':
		shift = 30;
		break;
	case 'b':
		*kb = n >> 10;
		return 0;
	default:
		return -22;
	}
	if (n > UINT64_MAX >> (shift + 10))
		return -22; /* keep KiB and bytes representable */
	*kb = n << shift;
	return 0;
}
