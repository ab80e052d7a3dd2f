/*
 * `vcpu-list [DOMAIN]` and `vcpu-pin DOMAIN VCPU|all HARD [SOFT]`: each
 * vCPU's CPU, state (r running, b blocked, p paused), time and affinity
 * (domctl getvcpuinfo, get/setvcpuaffinity). CPU sets are written as xl
 * writes them: "all", or a list of CPUs and ranges ("0,2-3"); "-" in
 * vcpu-pin leaves that affinity as it is.
 */
#include <xen/domctl.h>
#include "errno.h"
#include "hvctl.h"
#include "kernel.h"
#include "toolstack.h"
#include "ctl.h"

#define MAP_BITS 64 /* CPUs a set can name */
#define BATCH 16

static unsigned int nr_cpus(void)
{
	struct xen_sysctl_physinfo pi;

	if (hv_physinfo(&pi) || !pi.nr_cpus || pi.nr_cpus > MAP_BITS)
		return MAP_BITS;
	return pi.nr_cpus;
}

static void format_set(uint64_t set, unsigned int ncpus, char *buf, size_t n)
{
	uint64_t all = ncpus >= 64 ? ~0ULL : (1ULL << ncpus) - 1;
	size_t len = 0;

	if ((set & all) == all) {
		strlcpy(buf, "all", n);
		return;
	}
	buf[0] = '\0';
	for (unsigned int c = 0; c < MAP_BITS && len < n; c++) {
		unsigned int end = c;

		if (!(set >> c & 1))
			continue;
		while (end + 1 < MAP_BITS && (set >> (end + 1) & 1))
			end++;
		len += (size_t)snprintf(buf + len, n - len,
					end > c ? "%s%u-%u" : "%s%u",
					len ? "," : "", c, end);
		c = end;
	}
	if (!buf[0])
		strlcpy(buf, "none", n);
}

/* "all", or CPUs and ranges; false if s is not one. */
static bool parse_set(const char *s, unsigned int ncpus, uint64_t *set)
{
	*set = 0;
	if (!strcmp(s, "all")) {
		*set = ncpus >= 64 ? ~0ULL : (1ULL << ncpus) - 1;
		return true;
	}
	while (*s) {
		unsigned int a = 0, b;
		const char *start = s;

		while (*s >= '0' && *s <= '9')
			a = a * 10 + (unsigned int)(*s++ - '0');
		if (s == start || a >= MAP_BITS)
			return false;
		b = a;
		if (*s == '-') {
			start = ++s;
			b = 0;
			while (*s >= '0' && *s <= '9')
				b = b * 10 + (unsigned int)(*s++ - '0');
			if (s == start || b >= MAP_BITS || b < a)
				return false;
		}
		for (unsigned int c = a; c <= b; c++)
			*set |= 1ULL << c;
		if (*s == ',')
			s++;
		else if (*s)
			return false;
	}
	return *set != 0;
}

static long affinity(uint16_t domid, uint32_t vcpu, uint32_t cmd,
		     uint64_t *hard, uint64_t *soft)
{
	struct xen_domctl op = { .cmd = cmd, .domain = domid };
	struct xen_domctl_vcpuaffinity *a = &op.u.vcpuaffinity;

	a->vcpu = vcpu;
	a->flags = (hard ? XEN_VCPUAFFINITY_HARD : 0) |
		   (soft ? XEN_VCPUAFFINITY_SOFT : 0);
	a->cpumap_hard.bitmap = (uint64_t)hard;
	a->cpumap_hard.nr_bits = hard ? MAP_BITS : 0;
	a->cpumap_soft.bitmap = (uint64_t)soft;
	a->cpumap_soft.nr_bits = soft ? MAP_BITS : 0;
	return hv_domctl(&op);
}

static void list_domain(struct ctl_io *io,
			const struct xen_domctl_getdomaininfo *di,
			unsigned int ncpus)
{
	char name[64], hs[64], ss[64], state[4];
	bool paused = di->flags & XEN_DOMINF_paused;

	domain_name(di->domain, name, sizeof(name));
	for (uint32_t v = 0; v <= di->max_vcpu_id && v < 4096; v++) {
		struct xen_domctl op = { .cmd = XEN_DOMCTL_getvcpuinfo,
					 .domain = di->domain };
		struct xen_domctl_getvcpuinfo *vi = &op.u.getvcpuinfo;
		uint64_t hard = 0, soft = 0, tenths;

		vi->vcpu = v;
		if (hv_domctl(&op))
			continue;
		state[0] = vi->running ? 'r' : '-';
		state[1] = vi->blocked ? 'b' : '-';
		state[2] = paused ? 'p' : '-';
		state[3] = '\0';
		if (affinity(di->domain, v, XEN_DOMCTL_getvcpuaffinity, &hard,
			     &soft)) {
			strlcpy(hs, "?", sizeof(hs));
			strlcpy(ss, "?", sizeof(ss));
		} else {
			format_set(hard, ncpus, hs, sizeof(hs));
			format_set(soft, ncpus, ss, sizeof(ss));
		}
		tenths = vi->cpu_time / 100000000ULL;
		if (vi->online)
			io_printf(io,
				  "%-32s %5u %5u %5u   %s %9lu.%lu  %s / %s\n",
				  name, di->domain, v, vi->cpu, state,
				  tenths / 10, tenths % 10, hs, ss);
		else
			io_printf(io,
				  "%-32s %5u %5u     -   --- %9lu.%lu  %s / "
				  "%s\n",
				  name, di->domain, v, tenths / 10, tenths % 10,
				  hs, ss);
	}
}

int xl_vcpu_list(struct ctl_io *io, int argc, char **argv)
{
	struct xen_domctl_getdomaininfo *info = calloc(BATCH, sizeof(*info));
	unsigned int ncpus = nr_cpus();
	uint16_t only = 0;
	uint32_t next = 0;
	long n = 0;

	if (!info) {
		io_errorf(io, "vcpu-list: out of memory\n");
		return 1;
	}
	if (argc > 2 ||
	    (argc == 2 && ctl_domain_arg(io, "vcpu-list", argv[1], &only))) {
		free(info);
		return argc > 2 ? CTL_STATUS_USAGE : 1;
	}
	io_printf(io, "%-32s %5s %5s %5s %5s %10s  %s\n", "Name", "ID", "VCPU",
		  "CPU", "State", "Time(s)", "Affinity (Hard / Soft)");
	if (argc == 2) {
		n = hv_domain_info(only, info);
		if (!n)
			list_domain(io, info, ncpus);
		free(info);
		return n ? 1 : 0;
	}
	do {
		n = hv_domain_list((uint16_t)next, info, BATCH);
		for (long i = 0; i < n; i++) {
			list_domain(io, &info[i], ncpus);
			next = info[i].domain + 1U;
		}
	} while (n == BATCH && next < DOMID_FIRST_RESERVED);
	free(info);
	return n < 0 ? 1 : 0;
}

int xl_vcpu_pin(struct ctl_io *io, int argc, char **argv)
{
	struct xen_domctl_getdomaininfo di;
	unsigned int ncpus = nr_cpus();
	uint64_t hard = 0, soft = 0;
	bool set_hard, set_soft;
	uint32_t first = 0, last;
	uint16_t domid;
	long rc = 0;

	if (argc < 4 || argc > 5) {
		io_errorf(io, "usage: vcpu-pin DOMAIN VCPU|all CPUS|- "
			      "[SOFT-CPUS|-]\n");
		return CTL_STATUS_USAGE;
	}
	if (ctl_domain_arg(io, "vcpu-pin", argv[1], &domid))
		return 1;
	set_hard = strcmp(argv[3], "-");
	set_soft = argc == 5 && strcmp(argv[4], "-");
	if ((set_hard && !parse_set(argv[3], ncpus, &hard)) ||
	    (set_soft && !parse_set(argv[4], ncpus, &soft))) {
		io_errorf(io,
			  "vcpu-pin: CPUs are \"all\" or a list like "
			  "0,2-3 (this machine has %u)\n",
			  ncpus);
		return CTL_STATUS_USAGE;
	}
	if (!set_hard && !set_soft)
		return 0;
	if (hv_domain_info(domid, &di) || di.domain != domid) {
		io_errorf(io, "vcpu-pin: domain %u is gone\n", domid);
		return 1;
	}
	last = di.max_vcpu_id;
	if (strcmp(argv[2], "all")) {
		first = 0;
		for (const char *p = argv[2]; *p; p++)
			first = *p >= '0' && *p <= '9'
				    ? first * 10 + (uint32_t)(*p - '0')
				    : UINT32_MAX / 2;
		if (!argv[2][0] || first > di.max_vcpu_id) {
			io_errorf(io, "vcpu-pin: domain %u has vCPUs 0 to %u\n",
				  domid, di.max_vcpu_id);
			return 1;
		}
		last = first;
	}
	for (uint32_t v = first; v <= last && !rc; v++)
		rc = affinity(domid, v, XEN_DOMCTL_setvcpuaffinity,
			      set_hard ? &hard : NULL, set_soft ? &soft : NULL);
	if (rc)
		io_errorf(io, "vcpu-pin: %s\n", strerror((int)rc));
	return rc ? 1 : 0;
}
