/*
 * Changing a running domain's resources as Xen's toolstack does:
 *
 * Memory (`xl mem-set`): the new target may not exceed the domain's
 * memory/static-max (its maxmem); the hypervisor's maximum becomes the
 * target plus 1 MiB (as libxl enforces it), then memory/target (KiB) is
 * written. The guest's balloon driver watches that node and gives pages
 * back (decrease_reservation) or takes them again (populate_physmap).
 *
 * vCPUs (`xl vcpu-set`): cpu/N/availability is "online" for N below the
 * new count and "offline" for the rest of the domain's vCPUs; the
 * guest's CPU hotplug code watches cpu/ and takes vCPUs on or offline.
 */
#include <xen/domctl.h>
#include "errno.h"
#include "hvctl.h"
#include "kernel.h"
#include "toolstack.h"
#include "xbparse.h"
#include "xs.h"

#define MAXMEM_SLACK_KB 1024 /* LIBXL_MAXMEM_CONSTANT */

static int read_kb(uint16_t domid, const char *node, uint64_t *kb)
{
	char path[64], val[24];
	int rc;

	snprintf(path, sizeof(path), "/local/domain/%u/memory/%s", domid, node);
	rc = xs_read(path, val, sizeof(val));
	return rc ? rc : xb_parse_uint(val, UINT64_MAX >> 10, kb);
}

int tk_get_memory(uint16_t domid, uint64_t *target_kb, uint64_t *static_max_kb)
{
	int rc = read_kb(domid, "target", target_kb);

	return rc ? rc : read_kb(domid, "static-max", static_max_kb);
}

int tk_set_memory(uint16_t domid, uint64_t target_kb, char *err, size_t errlen)
{
	struct xen_domctl op = { .cmd = XEN_DOMCTL_max_mem, .domain = domid };
	char path[64], val[24];
	uint64_t smax, old;
	long rc;

	if (domid == 0) {
		snprintf(err, errlen, "domain 0 has no balloon driver");
		return -EINVAL;
	}
	if (tk_get_memory(domid, &old, &smax)) {
		snprintf(err, errlen,
			 "domain %u has no memory/target and static-max in "
			 "xenstore (not made by xl create)",
			 domid);
		return -ENOENT;
	}
	if (target_kb > smax) {
		snprintf(err, errlen,
			 "%lu KiB is above the domain's maxmem (memory/"
			 "static-max) of %lu KiB (%lu MiB): raise maxmem= in "
			 "its config",
			 target_kb, smax, smax >> 10);
		return -EINVAL;
	}
	op.u.max_mem.max_memkb = target_kb + MAXMEM_SLACK_KB;
	rc = hv_domctl(&op);
	if (rc) {
		snprintf(err, errlen, "the hypervisor refused max_mem: %s",
			 strerror((int)rc));
		return (int)rc;
	}
	snprintf(path, sizeof(path), "/local/domain/%u/memory/target", domid);
	snprintf(val, sizeof(val), "%lu", target_kb);
	rc = xs_write(path, val);
	if (rc)
		snprintf(err, errlen, "cannot write memory/target: %s",
			 strerror((int)rc));
	return (int)rc;
}

int tk_set_vcpus(uint16_t domid, unsigned int n, char *err, size_t errlen)
{
	struct xen_domctl_getdomaininfo di;
	char path[64];
	unsigned int max;
	long rc = hv_domain_info(domid, &di);

	if (rc) {
		snprintf(err, errlen, "no domain %u: %s", domid,
			 strerror((int)rc));
		return (int)rc;
	}
	max = di.max_vcpu_id + 1;
	if (domid == 0) {
		snprintf(err, errlen, "domain 0 does not take vCPUs offline");
		return -EINVAL;
	}
	if (n < 1 || n > max) {
		snprintf(err, errlen,
			 "domain %u has %u vCPUs (its maxvcpus): 1 to %u can "
			 "be online, not %u",
			 domid, max, max, n);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < max && !rc; i++) {
		snprintf(path, sizeof(path),
			 "/local/domain/%u/cpu/%u/availability", domid, i);
		rc = xs_write(path, i < n ? "online" : "offline");
	}
	if (rc)
		snprintf(err, errlen, "cannot write cpu/N/availability: %s",
			 strerror((int)rc));
	return (int)rc;
}
