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
	CRASH_STACK_OVERFLOW,
	CRASH_NMI_STACK_OVERFLOW,
};

/* Set by crash_test=nmi_stack_overflow: the next NMI recurses forever. */
extern bool crash_nmi_recurse;
void crash_recurse(void);

extern const char *const crash_test_names[];

void selftest_timers(void);
void crash_test(unsigned int which);

#endif
