/*
 * `list [DOMAIN]`: every domain (or one) from sysctl getdomaininfolist,
 * as xl list prints them (Name ID Mem VCPUs State Time(s)). Names are
 * the toolstack's, else xenstore's (/local/domain/N/name).
 */
#include <xen/sched.h>
#include "errno.h"
#include "hvctl.h"
#include "kernel.h"
#include "toolstack.h"
#include "xs.h"
#include "ctl.h"

#define BATCH 32

/* xenstored may not be part of this build yet. */
#pragma weak xs_read

void domain_name(uint16_t domid, char *buf, size_t n)
{
	char path[40];

	if (domid == 0 || tk_lookup(domid)) {
		tk_name(domid, buf, n);
		return;
	}
	snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
	if (xs_read && xs_read(path, buf, n) == 0 && buf[0])
		return;
	snprintf(buf, n, "dom%u", domid);
}

/* xl's six state letters: running, blocked, paused, shutdown, crashed, dying. */
static void state_string(uint32_t flags, char *s)
{
	unsigned int reason =
	    (flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask;
	bool shut = flags & XEN_DOMINF_shutdown;

	s[0] = flags & XEN_DOMINF_running ? 'r' : '-';
	s[1] = flags & XEN_DOMINF_blocked ? 'b' : '-';
	s[2] = flags & XEN_DOMINF_paused ? 'p' : '-';
	s[3] = shut && reason != SHUTDOWN_crash ? 's' : '-';
	s[4] = shut && reason == SHUTDOWN_crash ? 'c' : '-';
	s[5] = flags & XEN_DOMINF_dying ? 'd' : '-';
	s[6] = '\0';
}

static void print_domain(struct ctl_io *io,
			 const struct xen_domctl_getdomaininfo *di)
{
	char name[64], state[8];
	uint64_t tenths = di->cpu_time / 100000000ULL;

	domain_name(di->domain, name, sizeof(name));
	state_string(di->flags, state);
	io_printf(io, "%-32s %5u %5lu %5u     %s %6lu.%lu\n", name, di->domain,
		  di->tot_pages >> 8, di->nr_online_vcpus, state, tenths / 10,
		  tenths % 10);
}

int xl_list(struct ctl_io *io, int argc, char **argv)
{
	struct xen_domctl_getdomaininfo *info = calloc(BATCH, sizeof(*info));
	uint32_t next = 0;
	uint16_t only;
	long n;

	if (argc >= 2 && !strcmp(argv[1], "-l")) {
		free(info);
		return xl_list_long(io, argc - 1, argv + 1);
	}
	if (!info) {
		io_errorf(io, "list: out of memory\n");
		return 1;
	}
	if (argc > 2 ||
	    (argc == 2 && ctl_domain_arg(io, "list", argv[1], &only))) {
		free(info);
		return argc > 2 ? CTL_STATUS_USAGE : 1;
	}
	io_printf(io, "%-32s %5s %5s %5s %10s %8s\n", "Name", "ID", "Mem",
		  "VCPUs", "State", "Time(s)");
	if (argc == 2) {
		n = hv_domain_info(only, info);
		if (!n)
			print_domain(io, info);
		free(info);
		return n ? 1 : 0;
	}
	do {
		n = hv_domain_list((uint16_t)next, info, BATCH);
		for (long i = 0; i < n; i++) {
			print_domain(io, &info[i]);
			next = info[i].domain + 1U;
		}
	} while (n == BATCH && next < DOMID_FIRST_RESERVED);
	free(info);
	if (n < 0) {
		io_errorf(io, "list: getdomaininfolist: %s (%ld)\n",
			  strerror((int)n), n);
		return 1;
	}
	return 0;
}
