/*
 * Numbers from a front end's xenstore nodes (dom0/lib/xbparse.c): the
 * bound holds for every value, single digits too (a '9' against a bound
 * of 4 once passed, letting ring-page-order 9 through).
 */
#include <stdio.h>
#include "test.h"
#include "xbparse.h"

int main(void)
{
	static const struct {
		const char *s;
		uint64_t max;
		int ok;
		uint64_t want;
	} cases[] = {
		{ "0", 4, 1, 0 },
		{ "4", 4, 1, 4 },
		{ "5", 4, 0, 0 },
		{ "9", 4, 0, 0 },
		{ "10", 4, 0, 0 },
		{ "04", 4, 1, 4 },
		{ "", 4, 0, 0 },
		{ "-1", 4, 0, 0 },
		{ " 1", 4, 0, 0 },
		{ "1 ", 4, 0, 0 },
		{ "1x", 4, 0, 0 },
		{ "+1", 4, 0, 0 },
		{ "65535", 65535, 1, 65535 },
		{ "65536", 65535, 0, 0 },
		{ "4294967295", 4294967295u, 1, 4294967295u },
		{ "4294967296", 4294967295u, 0, 0 },
		{ "18446744073709551615", UINT64_MAX, 1, UINT64_MAX },
		{ "18446744073709551616", UINT64_MAX, 0, 0 },
		{ "99999999999999999999999", UINT64_MAX, 0, 0 },
		{ "8", 8, 1, 8 },
		{ "9", 8, 0, 0 },
	};
	unsigned int bad = 0;
	char buf[8];

	TEST_GROUP("xb_parse_uint: digits only, never above the bound");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 12345;
		int rc = xb_parse_uint(cases[i].s, cases[i].max, &v);

		CHECK(cases[i].ok ? rc == 0 && v == cases[i].want
				  : rc == -22 && v == 12345,
		      "'%s' max %llu: rc %d v %llu", cases[i].s,
		      (unsigned long long)cases[i].max, rc,
		      (unsigned long long)v);
	}
	TEST_GROUP("xb_parse_uint: every value 0..999 against bounds 0..20");
	for (uint64_t max = 0; max <= 20; max++)
		for (unsigned int n = 0; n < 1000; n++) {
			uint64_t v = 0;
			int rc;

			snprintf(buf, sizeof(buf), "%u", n);
			rc = xb_parse_uint(buf, max, &v);
			if ((rc == 0) != (n <= max) || (!rc && v != n))
				bad++;
		}
	CHECK(bad == 0, "%u of 21000 values parsed wrong", bad);
	return test_summary("test_xbparse");
}
