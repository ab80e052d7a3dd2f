/*
 * A running domain's memory and vCPUs:
 *
 *   mem-set DOMAIN SIZE           the balloon target (xl's sizes: MiB by
 *                                 default, or b/k/m/g/t), at most maxmem
 *   vcpu-set [-i] DOMAIN N        N vCPUs online; more vCPUs than the
 *                                 host has CPUs needs --ignore-host (-i)
 *   list -l [DOMAIN]              each domain as xl list -l prints it
 *                                 (JSON), with what it actually holds
 *                                 beside its target
 */
#include <xen/domctl.h>
#include "errno.h"
#include "hvctl.h"
#include "kernel.h"
#include "toolstack.h"
#include "xbparse.h"
#include "xlstr.h"
#include "xs.h"
#include "ctl.h"

int xl_mem_set(struct ctl_io *io, int argc, char **argv)
{
	char err[200];
	uint64_t kb;
	uint16_t domid;
	int rc;

	if (argc != 3) {
		io_errorf(io, "usage: mem-set DOMAIN SIZE\n");
		return CTL_STATUS_USAGE;
	}
	if (ctl_domain_arg(io, "mem-set", argv[1], &domid))
		return 1;
	if (xl_parse_mem_kb(argv[2], &kb)) {
		io_errorf(io, "mem-set: invalid memory size: %s\n", argv[2]);
		return 1;
	}
	rc = tk_set_memory(domid, kb, err, sizeof(err));
	if (rc) {
		io_errorf(io, "mem-set: %s: %s\n", argv[1], err);
		return 1;
	}
	return 0;
}

int xl_vcpu_set(struct ctl_io *io, int argc, char **argv)
{
	struct xen_sysctl_physinfo pi;
	struct xen_domctl_getdomaininfo di;
	bool check_host = true;
	char err[200];
	uint64_t n;
	uint16_t domid;

	if (argc == 4 &&
	    (!strcmp(argv[1], "-i") || !strcmp(argv[1], "--ignore-host"))) {
		check_host = false;
		argc--;
		argv++;
	}
	if (argc != 3) {
		io_errorf(io, "usage: vcpu-set [--ignore-host] DOMAIN N\n");
		return CTL_STATUS_USAGE;
	}
	if (ctl_domain_arg(io, "vcpu-set", argv[1], &domid))
		return 1;
	if (xb_parse_uint(argv[2], 4096, &n)) {
		io_errorf(io, "vcpu-set: invalid vCPU count: %s\n", argv[2]);
		return 1;
	}
	/* As xl: more online vCPUs than host CPUs only when asked for. */
	if (check_host && !hv_physinfo(&pi) && !hv_domain_info(domid, &di) &&
	    n > di.nr_online_vcpus && n > pi.nr_cpus) {
		io_errorf(io,
			  "vcpu-set: you are overcommitting: the host has %u "
			  "CPUs and %s would get %lu vCPUs; use --ignore-host "
			  "to do it anyway\n",
			  pi.nr_cpus, argv[1], (unsigned long)n);
		return 1;
	}
	if (tk_set_vcpus(domid, (unsigned int)n, err, sizeof(err))) {
		io_errorf(io, "vcpu-set: %s: %s\n", argv[1], err);
		return 1;
	}
	return 0;
}

/* The online vCPUs as libxl's avail_vcpus: a JSON list of numbers. */
static void avail_vcpus(struct ctl_io *io, uint16_t domid, unsigned int max)
{
	char path[64], val[16];
	bool first = true;

	io_printf(io, "[");
	for (unsigned int i = 0; i < max; i++) {
		snprintf(path, sizeof(path),
			 "/local/domain/%u/cpu/%u/availability", domid, i);
		if (xs_read(path, val, sizeof(val)) || strcmp(val, "online"))
			continue;
		io_printf(io, "%s%u", first ? "" : ", ", i);
		first = false;
	}
	io_printf(io, "]");
}

static void list_long_one(struct ctl_io *io,
			  const struct xen_domctl_getdomaininfo *di, bool first)
{
	uint64_t target = 0, smax = 0;
	unsigned int max = di->max_vcpu_id + 1;
	char name[64];

	domain_name(di->domain, name, sizeof(name));
	if (tk_get_memory(di->domain, &target, &smax))
		target = smax = di->tot_pages << 2; /* no balloon: as it is */
	io_printf(io,
		  "%s    {\n        \"domid\": %u,\n        \"config\": {\n"
		  "            \"c_info\": { \"name\": \"%s\" },\n"
		  "            \"b_info\": {\n"
		  "                \"max_vcpus\": %u,\n"
		  "                \"avail_vcpus\": ",
		  first ? "" : ",\n", di->domain, name, max);
	avail_vcpus(io, di->domain, max);
	io_printf(io,
		  ",\n                \"max_memkb\": %lu,\n"
		  "                \"target_memkb\": %lu\n            }\n"
		  "        },\n"
		  "        \"xenolith\": {\n"
		  "            \"actual_memkb\": %lu,\n"
		  "            \"hypervisor_max_memkb\": %lu,\n"
		  "            \"online_vcpus\": %u\n        }\n    }",
		  smax, target, di->tot_pages << 2, di->max_pages << 2,
		  di->nr_online_vcpus);
}

int xl_list_long(struct ctl_io *io, int argc, char **argv)
{
	struct xen_domctl_getdomaininfo *info = calloc(32, sizeof(*info));
	uint32_t next = 0;
	uint16_t only;
	bool first = true;
	long n;

	if (!info) {
		io_errorf(io, "list: out of memory\n");
		return 1;
	}
	if (argc > 2 ||
	    (argc == 2 && ctl_domain_arg(io, "list", argv[1], &only))) {
		free(info);
		return argc > 2 ? CTL_STATUS_USAGE : 1;
	}
	io_printf(io, "[\n");
	if (argc == 2) {
		n = hv_domain_info(only, info);
		if (!n)
			list_long_one(io, info, true);
		first = n != 0;
	} else {
		do {
			n = hv_domain_list((uint16_t)next, info, 32);
			for (long i = 0; i < n; i++) {
				list_long_one(io, &info[i], first);
				first = false;
				next = info[i].domain + 1U;
			}
		} while (n == 32 && next < DOMID_FIRST_RESERVED);
	}
	io_printf(io, "%s]\n", first ? "" : "\n");
	free(info);
	return n < 0 ? 1 : 0;
}
