/*
 * `info`: the hypervisor's version (xen_version) and the machine
 * (sysctl physinfo), in xl info's "key : value" form.
 */
#include <xen/domctl.h>
#include <xen/version.h>
#include "errno.h"
#include "hvctl.h"
#include "kernel.h"
#include "ctl.h"

static void field(struct ctl_io *io, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void field(struct ctl_io *io, const char *key, const char *fmt, ...)
{
	char val[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	io_printf(io, "%-22s : %s\n", key, val);
}

/* xl's names for the schedulers sysctl sched_id reports. */
static const char *scheduler_name(void)
{
	uint32_t id;

	if (hv_sched_id(&id))
		return "?";
	switch (id) {
	case XEN_SCHEDULER_CREDIT:
		return "credit";
	case XEN_SCHEDULER_CREDIT2:
		return "credit2";
	case XEN_SCHEDULER_NULL:
		return "null";
	}
	return "unknown";
}

int xl_info(struct ctl_io *io, int argc, char **argv)
{
	static xen_capabilities_info_t caps;
	xen_extraversion_t extra = "";
	struct xen_sysctl_physinfo pi;
	long ver = HYPERVISOR_xen_version(XENVER_version, NULL);
	long rc;

	(void)argc;
	(void)argv;
	HYPERVISOR_xen_version(XENVER_extraversion, extra);
	extra[sizeof(extra) - 1] = '\0';
	caps[0] = '\0';
	HYPERVISOR_xen_version(XENVER_capabilities, caps);
	caps[sizeof(caps) - 1] = '\0';
	field(io, "host", "xenolith");
	field(io, "xen_major", "%ld", ver >> 16);
	field(io, "xen_minor", "%ld", ver & 0xffff);
	field(io, "xen_extra", "%s", extra);
	field(io, "xen_version", "%ld.%ld%s", ver >> 16, ver & 0xffff, extra);
	field(io, "xen_caps", "%s", caps);
	rc = hv_physinfo(&pi);
	if (rc) {
		io_errorf(io, "info: physinfo: %s (%ld)\n", strerror((int)rc),
			  rc);
	} else {
		field(io, "nr_cpus", "%u", pi.nr_cpus);
		field(io, "max_cpu_id", "%u", pi.max_cpu_id);
		field(io, "threads_per_core", "%u", pi.threads_per_core);
		field(io, "cores_per_socket", "%u", pi.cores_per_socket);
		field(io, "cpu_mhz", "%u", pi.cpu_khz / 1000);
		field(io, "total_memory", "%lu", pi.total_pages >> 8);
		field(io, "free_memory", "%lu", pi.free_pages >> 8);
	}
	field(io, "xen_scheduler", "%s", scheduler_name());
	field(io, "dom0_memory", "%lu", mem_total_pages() >> 8);
	field(io, "dom0_free_memory", "%lu", mem_free_pages() >> 8);
	return rc ? 1 : 0;
}
