/*
 * Numbers a front end writes in xenstore (dom0/lib/xbparse.c), for the
 * back ends: pure code, exercised by the host unit test test_xbparse.
 */
#ifndef DOM0_XBPARSE_H
#define DOM0_XBPARSE_H

#include <stdint.h>

/*
 * s holds a decimal number, digits only (no sign, space or suffix), at
 * most max: 0 and *val, or -22 (EINVAL, *val untouched).
 */
int xb_parse_uint(const char *s, uint64_t max, uint64_t *val);

#endif
