/* Boot-time self-tests, enabled by the `selftest` and `crash_test` options. */
#ifndef XENOLITH_SELFTEST_H
#define XENOLITH_SELFTEST_H

#include "regs.h"

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
	CRASH_SMAP,
	CRASH_SMEP,
	CRASH_WRITE_TEXT,
	CRASH_EXEC_DATA,
	CRASH_WRITE_TEXT_ALIAS,
};

/*
 * crash_test=smap|smep arm a probe that the smap_probe test guest fires
 * (int3, or xen_version(CRASH_PROBE_CMD) by SYSCALL): the hypervisor then
 * reads the guest's stack, or calls the guest's rax, directly.
 */
#define CRASH_PROBE_CMD 0x5a5a
extern unsigned int crash_probe_armed;
void crash_guest_probe(struct cpu_user_regs *regs);

/* Set by crash_test=nmi_stack_overflow: the next NMI recurses forever. */
extern bool crash_nmi_recurse;
void crash_recurse(void);

extern const char *const crash_test_names[];

void selftest_timers(void);
void selftest_orphans(void);
void crash_test(unsigned int which);

#endif
