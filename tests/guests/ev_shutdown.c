/*
 * Shut down with reason=poweroff|reboot|suspend|crash|watchdog|soft_reset
 * (the hypervisor logs "dN: shut down: <reason>"). With code=REASON the
 * guest first sets SCHEDOP_shutdown_code (twice: the first one counts),
 * which then wins over the reason given to SCHEDOP_shutdown. Invalid
 * reasons are refused first.
 */
#include "ev_common.h"

static const char *const names[] = { "poweroff", "reboot",   "suspend",
				     "crash",	 "watchdog", "soft_reset" };

static int reason_arg(const char *key)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(names); i++)
		if (ev_arg_is(key, names[i]))
			return (int)i;
	return -1;
}

void pv_main(void)
{
	struct sched_shutdown s;
	int reason = reason_arg("reason"), code = reason_arg("code");

	pv_test_group("shutdown");
	CHECK(reason >= 0, "no reason= on the command line");
	s.reason = SHUTDOWN_MAX + 1;
	CHECK_EQ(HYPERVISOR_sched_op(SCHEDOP_shutdown, &s), -EINVAL);
	CHECK_EQ(HYPERVISOR_sched_op(SCHEDOP_shutdown_code, &s), -EINVAL);
	s.reason = 0xffffffff;
	CHECK_EQ(HYPERVISOR_sched_op(SCHEDOP_shutdown, &s), -EINVAL);
	CHECK_EQ(HYPERVISOR_sched_op(SCHEDOP_shutdown, NULL), -EFAULT);
	CHECK_EQ(HYPERVISOR_sched_op(SCHEDOP_shutdown, HV_ADDR), -EFAULT);
	CHECK_EQ(HYPERVISOR_sched_op(SCHEDOP_shutdown_code, HV_ADDR), -EFAULT);
	if (code >= 0) {
		s.reason = (uint32_t)code;
		CHECK_EQ(HYPERVISOR_sched_op(SCHEDOP_shutdown_code, &s), 0);
		/* A second code is ignored. */
		s.reason = code == SHUTDOWN_poweroff ? SHUTDOWN_crash
						     : SHUTDOWN_poweroff;
		CHECK_EQ(HYPERVISOR_sched_op(SCHEDOP_shutdown_code, &s), 0);
	}
	pv_test_summary();
	pv_shutdown(reason < 0 ? SHUTDOWN_crash : (unsigned int)reason);
}
