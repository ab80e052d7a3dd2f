/*
 * String helpers shared by the xl.cfg parsers (host libc may lack strlcpy).
 */
#ifndef XENOLITH_DOM0_XLSTR_H
#define XENOLITH_DOM0_XLSTR_H

#include <stddef.h>
#include <stdint.h>

/* Copy s into d (room bytes, always terminated), cutting it short. */
void xl_str_copy(char *d, const char *s, size_t room);
/* s without leading and trailing blanks (the end is cut in place). */
char *xl_trim(char *s);
/*
 * A memory size as xl takes one: digits and an optional suffix b, k, m,
 * g or t (either case); no suffix means MiB. 0 and *kb in KiB, or -22.
 */
int xl_parse_mem_kb(const char *s, uint64_t *kb);

#endif
