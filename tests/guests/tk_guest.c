/*
 * The toolstack's test guest: a minimal PV kernel that behaves as a
 * Xen guest does towards xl. Its first act is to note the system time
 * and print "tk_guest: up at <ns>" on its console ring (the benchmark's
 * "first instruction"). Then, by its command line:
 *   (default)  watch control/shutdown and obey "poweroff" and "reboot",
 *              as a PV kernel does;
 *   deaf       never answer (xl shutdown must fall back to destroy);
 *   crash=MS   crash (SCHEDOP_shutdown, SHUTDOWN_crash) after MS ms;
 *   idle       no xenstore at all: block for ever (create/destroy loops);
 *   treecheck  first check the xenstore entries the toolstack wrote and
 *              their permissions, print "N passed, N failed", then obey.
 * Idle waits are long blocks ended by events, so that many of these
 * guests at once cost the machine little.
 */
#include <xen/sched.h>
#include "xs_common.h"

#define IDLE_TIMER (1000 * XSC_MS)

static bool has_word(const char *word)
{
	const char *p = (const char *)start_info->cmd_line;
	size_t n = strlen(word);

	while (*p) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, word, n) &&
		    (p[n] == ' ' || p[n] == '\0' || p[n] == '='))
			return true;
		while (*p && *p != ' ')
			p++;
	}
	return false;
}

/* A decimal number in s (0 if none). */
static long xsc_arg_value(const char *s)
{
	long v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (*s++ - '0');
	return v;
}

/* Sleep until an event (or a second passes). */
static void idle(void)
{
	pv_block_timeout(pv_now() + IDLE_TIMER);
}

static bool reply_waiting(void)
{
	return xsc_get(&xsc_intf->rsp_prod) != xsc_get(&xsc_intf->rsp_cons);
}

static void obey_shutdown(void)
{
	char val[32];

	if (xsc_simple(XS_WATCH, 0, "control/shutdown", "sd")) {
		xsc_console_write("tk_guest: cannot watch control/shutdown\n");
		return;
	}
	xsc_console_write("tk_guest: watching control/shutdown\n");
	for (;;) {
		/* The watch fires once when set, then on each change. */
		if (!xsc_nevents && !reply_waiting()) {
			idle();
			continue;
		}
		if (!xsc_wait_watch("control/shutdown", "sd", 100 * XSC_MS))
			continue;
		if (xsc_read(0, "control/shutdown", val, sizeof(val)) < 0)
			continue;
		if (!strcmp(val, "poweroff") || !strcmp(val, "reboot")) {
			bool reboot = val[0] == 'r';

			xsc_console_write(reboot ? "tk_guest: rebooting\n"
						 : "tk_guest: powering off\n");
			/* Acknowledge, as Linux does, then go. */
			xsc_write(0, "control/shutdown", "");
			pv_shutdown(reboot ? SHUTDOWN_reboot
					   : SHUTDOWN_poweroff);
		}
	}
}

#define EACCES 13

static void read_check(const char *path, char *val, size_t n)
{
	long r = xsc_read(0, path, val, n);

	CHECK(r >= 0, "read %s: %ld", path, r);
	if (r < 0)
		val[0] = '\0';
}

/* What Xen's toolstack gives a PV guest, as xen-pv-abi.md 5.3 says. */
static void check_tree(void)
{
	char val[128], path[64];
	long pages = (long)start_info->nr_pages;

	pv_test_group("toolstack entries");
	read_check("domid", val, sizeof(val));
	CHECK(val[0] >= '1' && val[0] <= '9', "domid %s", val);
	read_check("name", val, sizeof(val));
	CHECK(val[0], "empty name");
	read_check("vm", val, sizeof(val));
	CHECK(!strncmp(val, "/vm/", 4) && strlen(val) == 40, "vm %s", val);
	strlcpy(path, val, sizeof(path));
	strlcpy(path + strlen(path), "/uuid", sizeof(path) - strlen(path));
	read_check(path, val, sizeof(val));
	CHECK(strlen(val) == 36 && val[14] == '4', "uuid %s", val);
	read_check("memory/target", val, sizeof(val));
	CHECK_EQ(xsc_arg_value(val), pages * 4);
	read_check("memory/static-max", val, sizeof(val));
	CHECK(xsc_arg_value(val) >= pages * 4, "static-max %s", val);
	read_check("cpu/0/availability", val, sizeof(val));
	CHECK(!strcmp(val, "online"), "cpu/0 %s", val);
	read_check("store/port", val, sizeof(val));
	CHECK_EQ(xsc_arg_value(val), (long)start_info->store_evtchn);
	read_check("store/ring-ref", val, sizeof(val));
	CHECK_EQ(xsc_arg_value(val), (long)start_info->store_mfn);
	read_check("console/port", val, sizeof(val));
	CHECK_EQ(xsc_arg_value(val), (long)start_info->console.domU.evtchn);
	read_check("console/ring-ref", val, sizeof(val));
	CHECK_EQ(xsc_arg_value(val), (long)start_info->console.domU.mfn);
	read_check("console/type", val, sizeof(val));
	CHECK(!strcmp(val, "xenconsoled"), "console/type %s", val);

	pv_test_group("toolstack permissions");
	/* Domain 0's: readable, never writable by the guest. */
	CHECK_EQ(xsc_write(0, "name", "evil"), -EACCES);
	CHECK_EQ(xsc_write(0, "memory/target", "1"), -EACCES);
	CHECK_EQ(xsc_write(0, "console/port", "1"), -EACCES);
	CHECK_EQ(xsc_write(0, "made-up-node", "1"), -EACCES);
	CHECK_EQ(xsc_write(0, "control/made-up", "1"), -EACCES);
	/* The guest's own: where it answers and keeps its data. */
	CHECK_EQ(xsc_write(0, "control/feature-poweroff", "1"), 0);
	CHECK_EQ(xsc_write(0, "data/note", "hello"), 0);
	CHECK_EQ(xsc_write(0, "device/probe", "1"), 0);
	pv_test_summary();
}

void pv_main(void)
{
	uint64_t up = pv_now();
	char line[96];
	long crash_ms = xsc_arg("crash", -1);

	xsc_init();
	snprintf(line, sizeof(line), "tk_guest: up at %lu ns\n", up);
	xsc_console_write(line);
	if (crash_ms >= 0) {
		xsc_sleep((uint64_t)crash_ms * XSC_MS);
		xsc_console_write("tk_guest: crashing on purpose\n");
		pv_shutdown(SHUTDOWN_crash);
	}
	if (has_word("treecheck"))
		check_tree();
	if (!has_word("deaf") && !has_word("idle"))
		obey_shutdown();
	for (;;)
		idle();
}
