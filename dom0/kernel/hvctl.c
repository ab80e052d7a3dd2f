/* Domain 0's wrappers for sysctl (35), domctl (36) and hvm_op (34). */
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include "hvctl.h"
#include "kernel.h"

long hv_sysctl(struct xen_sysctl *op)
{
	op->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
	return HYPERCALL1(__HYPERVISOR_sysctl, op);
}

long hv_domctl(struct xen_domctl *op)
{
	op->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
	return HYPERCALL1(__HYPERVISOR_domctl, op);
}

long hv_domain_list(uint16_t first, struct xen_domctl_getdomaininfo *out,
		    unsigned int max)
{
	struct xen_sysctl op = { .cmd = XEN_SYSCTL_getdomaininfolist };
	long rc;

	op.u.getdomaininfolist.first_domain = first;
	op.u.getdomaininfolist.max_domains = max;
	op.u.getdomaininfolist.buffer = (uint64_t)out;
	rc = hv_sysctl(&op);
	return rc ? rc : (long)op.u.getdomaininfolist.num_domains;
}

long hv_domain_info(uint16_t domid, struct xen_domctl_getdomaininfo *out)
{
	struct xen_domctl op = { .cmd = XEN_DOMCTL_getdomaininfo,
				 .domain = domid };
	long rc = hv_domctl(&op);

	if (!rc)
		*out = op.u.getdomaininfo;
	return rc;
}

long hv_physinfo(struct xen_sysctl_physinfo *out)
{
	struct xen_sysctl op = { .cmd = XEN_SYSCTL_physinfo };
	long rc = hv_sysctl(&op);

	if (!rc)
		*out = op.u.physinfo;
	return rc;
}

long hv_sched_id(uint32_t *id)
{
	struct xen_sysctl op = { .cmd = XEN_SYSCTL_sched_id };
	long rc = hv_sysctl(&op);

	if (!rc)
		*id = op.u.sched_id.sched_id;
	return rc;
}

static long sched_credit_op(uint16_t domid, uint32_t cmd,
			    struct xen_domctl_sched_credit *c)
{
	struct xen_domctl op = { .cmd = XEN_DOMCTL_scheduler_op,
				 .domain = domid };
	long rc;

	op.u.scheduler_op.sched_id = XEN_SCHEDULER_CREDIT;
	op.u.scheduler_op.cmd = cmd;
	op.u.scheduler_op.u.credit = *c;
	rc = hv_domctl(&op);
	if (!rc)
		*c = op.u.scheduler_op.u.credit;
	return rc;
}

long hv_sched_credit_get(uint16_t domid, uint16_t *weight, uint16_t *cap)
{
	struct xen_domctl_sched_credit c = { 0, 0 };
	long rc = sched_credit_op(domid, XEN_DOMCTL_SCHEDOP_getinfo, &c);

	*weight = c.weight;
	*cap = c.cap;
	return rc;
}

long hv_sched_credit_set(uint16_t domid, uint16_t weight, uint16_t cap)
{
	struct xen_domctl_sched_credit c = { weight, cap };

	return sched_credit_op(domid, XEN_DOMCTL_SCHEDOP_putinfo, &c);
}

long hv_readconsole(char *buf, uint32_t len, uint32_t *index)
{
	struct xen_sysctl op = { .cmd = XEN_SYSCTL_readconsole };
	long rc;

	op.u.readconsole.incremental = 1;
	op.u.readconsole.index = *index;
	op.u.readconsole.buffer = (uint64_t)buf;
	op.u.readconsole.count = len;
	rc = hv_sysctl(&op);
	if (rc)
		return rc;
	*index = op.u.readconsole.index;
	return op.u.readconsole.count;
}

long hv_debug_keys(const char *keys, uint32_t n)
{
	struct xen_sysctl op = { .cmd = XEN_SYSCTL_debug_keys };

	op.u.debug_keys.keys = (uint64_t)keys;
	op.u.debug_keys.nr_keys = n;
	return hv_sysctl(&op);
}

static long get_param(uint16_t domid, uint32_t index, uint64_t *value)
{
	struct xen_hvm_param p = { .domid = domid, .index = index };
	long rc = HYPERCALL2(__HYPERVISOR_hvm_op, HVMOP_get_param, &p);

	if (!rc)
		*value = p.value;
	return rc;
}

static long ring_info(uint16_t domid, uint32_t pfn_param, uint32_t port_param,
		      uint64_t *mfn, uint32_t *port)
{
	uint64_t p;
	long rc = get_param(domid, pfn_param, mfn);

	if (!rc)
		rc = get_param(domid, port_param, &p);
	if (!rc)
		*port = (uint32_t)p;
	return rc;
}

long hv_store_info(uint16_t domid, uint64_t *mfn, uint32_t *port)
{
	return ring_info(domid, HVM_PARAM_STORE_PFN, HVM_PARAM_STORE_EVTCHN,
			 mfn, port);
}

long hv_console_info(uint16_t domid, uint64_t *mfn, uint32_t *port)
{
	return ring_info(domid, HVM_PARAM_CONSOLE_PFN,
			 HVM_PARAM_CONSOLE_EVTCHN, mfn, port);
}
