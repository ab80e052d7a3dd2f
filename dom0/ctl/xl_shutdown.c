/*
 * `shutdown` and `reboot`: ask the guest's kernel through xenstore
 * (control/shutdown = "poweroff" or "reboot", which a PV kernel watches),
 * then wait for the domain to shut down and for its on_poweroff /
 * on_reboot action to be applied. A guest that has not shut down when
 * the time is up (30 s, or -t S) is destroyed: a user who asked for a
 * shutdown gets one. -t 0 only asks, as xl does without -w.
 */
#include <xen/domctl.h>
#include <xen/sched.h>
#include "errno.h"
#include "hvctl.h"
#include "kernel.h"
#include "toolstack.h"
#include "ctl.h"

#define DEFAULT_TIMEOUT 30
#define POLL (100 * MS)

enum outcome { STILL_UP, SHUT_DOWN, GONE };

static enum outcome check(uint16_t domid, unsigned int *reason)
{
	struct xen_domctl_getdomaininfo info;
	struct tk_domain *k;
	bool handled;

	if (hv_domain_info(domid, &info) || info.domain != domid ||
	    (info.flags & XEN_DOMINF_dying))
		return GONE;
	if (!(info.flags & XEN_DOMINF_shutdown))
		return STILL_UP;
	*reason =
	    (info.flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask;
	/* The domains thread notices and acts in one locked step. */
	tk_lock();
	k = tk_lookup(domid);
	handled = !k || k->shutdown_seen;
	tk_unlock();
	return handled ? SHUT_DOWN : STILL_UP;
}

static void report(struct ctl_io *io, uint16_t domid, const char *name,
		   enum outcome o, unsigned int reason)
{
	static const char *reasons[] = { "poweroff", "reboot",	 "suspend",
					 "crash",    "watchdog", "soft_reset" };
	uint16_t now;

	if (o == SHUT_DOWN) {
		io_printf(io, "Domain %u (%s) has shut down (%s) and is kept\n",
			  domid, name,
			  reason < ARRAY_SIZE(reasons) ? reasons[reason] : "?");
		return;
	}
	io_printf(io, "Domain %u (%s) has shut down and is gone\n", domid,
		  name);
	tk_lock(); /* a restart in progress ends first */
	tk_unlock();
	if (!tk_resolve(name, &now) && now != domid)
		io_printf(io, "%s restarted as domain %u\n", name, now);
}

int xl_shutdown(struct ctl_io *io, int argc, char **argv)
{
	bool reboot = !strcmp(argv[0], "reboot");
	unsigned long timeout = DEFAULT_TIMEOUT;
	unsigned int reason = 0;
	const char *spec = NULL;
	uint64_t deadline;
	enum outcome o;
	char name[64], err[160];
	uint16_t domid;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-t") && i + 1 < argc) {
			timeout = 0;
			for (const char *p = argv[++i]; *p; p++)
				timeout =
				    timeout * 10 + (unsigned long)(*p - '0');
		} else if (!spec && argv[i][0] != '-') {
			spec = argv[i];
		} else {
			spec = NULL;
			break;
		}
	}
	if (!spec || timeout > 3600) {
		io_errorf(io,
			  "usage: %s [-t SECONDS] DOMAIN (-t 0: only ask; "
			  "at most 3600)\n",
			  argv[0]);
		return CTL_STATUS_USAGE;
	}
	if (ctl_domain_arg(io, argv[0], spec, &domid))
		return 1;
	if (domid == 0) {
		io_errorf(io,
			  "%s: domain 0 runs the toolstack; it does not "
			  "%s here\n",
			  argv[0], reboot ? "reboot" : "shut down");
		return 1;
	}
	domain_name(domid, name, sizeof(name));
	if (check(domid, &reason) != STILL_UP) {
		io_errorf(io, "%s: domain %u (%s) has already shut down\n",
			  argv[0], domid, name);
		return 1;
	}
	rc = tk_request_shutdown(domid, reboot ? "reboot" : "poweroff");
	if (rc) {
		io_errorf(io,
			  "%s: cannot write control/shutdown of domain %u: "
			  "%s (use destroy)\n",
			  argv[0], domid, strerror(rc));
		return 1;
	}
	io_printf(io, "%s domain %u (%s)\n",
		  reboot ? "Rebooting" : "Shutting down", domid, name);
	if (!timeout)
		return 0;
	deadline = pv_now() + timeout * SEC;
	while ((o = check(domid, &reason)) == STILL_UP && pv_now() < deadline)
		thread_sleep(POLL);
	if (o != STILL_UP) {
		report(io, domid, name, o, reason);
		return 0;
	}
	io_printf(io,
		  "Domain %u (%s) did not shut down within %lu s: "
		  "destroying it\n",
		  domid, name, timeout);
	if (tk_destroy(domid, err, sizeof(err))) {
		io_errorf(io, "%s: %s\n", argv[0], err);
		return 1;
	}
	io_printf(io, "Domain %u (%s) destroyed\n", domid, name);
	return 0;
}
