/* Numbers from xenstore nodes (see xbparse.h). */
#include "xbparse.h"

#define EINVAL 22

int xb_parse_uint(const char *s, uint64_t max, uint64_t *val)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		uint64_t digit = (uint64_t)(*s - '0');

		/* v * 10 + digit <= max, without wrapping below zero */
		if (*s < '0' || *s > '9' || digit > max ||
		    v > (max - digit) / 10)
			return -EINVAL;
		v = v * 10 + digit;
	}
	*val = v;
	return 0;
}
