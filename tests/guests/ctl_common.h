/*
 * Helpers for the control-interface test guests (ctl_*.c): domctl,
 * sysctl and hvm_op with the interface versions filled in.
 */
#ifndef CTL_COMMON_H
#define CTL_COMMON_H

#include <xen/domctl.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/sysctl.h>
#include "ev_common.h"

#define E2BIG 7
#define EACCES 13
#define EBUSY 16
#define ENODATA 61
#define EOVERFLOW 75

static inline long domctl(uint32_t cmd, domid_t dom, struct xen_domctl *op)
{
	op->cmd = cmd;
	op->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
	op->domain = dom;
	return HYPERCALL1(__HYPERVISOR_domctl, op);
}

static inline long sysctl(uint32_t cmd, struct xen_sysctl *op)
{
	op->cmd = cmd;
	op->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
	return HYPERCALL1(__HYPERVISOR_sysctl, op);
}

static inline long hvm_get_param(domid_t dom, uint32_t index, uint64_t *value)
{
	struct xen_hvm_param p = { .domid = dom, .index = index };
	long rc = HYPERCALL2(__HYPERVISOR_hvm_op, HVMOP_get_param, &p);

	if (value)
		*value = rc ? 0 : p.value;
	return rc;
}

/* What this domain's start_info says of its xenstore and console rings. */
static inline void print_rings(void)
{
	printf("rings: store %#lx port %u console %#lx port %u\n",
	       (unsigned long)start_info->store_mfn, start_info->store_evtchn,
	       (unsigned long)start_info->console.domU.mfn,
	       start_info->console.domU.evtchn);
}

#endif
