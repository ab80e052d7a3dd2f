/* Boot-time self-tests, enabled by the `selftest` and `crash_test` options. */
#ifndef XENOLITH_SELFTEST_H
#define XENOLITH_SELFTEST_H

enum {
	CRASH_NONE,
	CRASH_DE,
	CRASH_UD,
	CRASH_GP,
	CRASH_PF,
	CRASH_DF,
	CRASH_BUG,
	CRASH_EARLY_PF,
};

extern const char *const crash_test_names[];

void selftest_timers(void);
void selftest_orphans(void);
void crash_test(unsigned int which);

#endif
