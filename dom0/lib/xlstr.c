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
