/*
 * Domain 0's view of the hypervisor's control interface (sysctl, domctl,
 * hvm_op get_param): thin wrappers that fill Xen's structures. Each
 * returns 0 or a negative errno from the hypervisor.
 */
#ifndef DOM0_HVCTL_H
#define DOM0_HVCTL_H

#include <stddef.h>
#include <stdint.h>
#include <xen/domctl.h>
#include <xen/sysctl.h>

long hv_sysctl(struct xen_sysctl *op);
long hv_domctl(struct xen_domctl *op);

/* Up to max domains from first (getdomaininfolist); returns the count. */
long hv_domain_list(uint16_t first, struct xen_domctl_getdomaininfo *out,
		    unsigned int max);
long hv_domain_info(uint16_t domid, struct xen_domctl_getdomaininfo *out);
long hv_physinfo(struct xen_sysctl_physinfo *out);
long hv_sched_id(uint32_t *id); /* XEN_SCHEDULER_* */
/* The credit scheduler's weight and cap of a domain (scheduler_op). */
long hv_sched_credit_get(uint16_t domid, uint16_t *weight, uint16_t *cap);
/* Weight 0 or cap 0xffff: leave that one as it is. */
long hv_sched_credit_set(uint16_t domid, uint16_t weight, uint16_t cap);
/* Hypervisor log from *index on (incremental); returns bytes copied. */
long hv_readconsole(char *buf, uint32_t len, uint32_t *index);
long hv_debug_keys(const char *keys, uint32_t n);
/* Where a boot-time domain's xenstore and console rings are. */
long hv_store_info(uint16_t domid, uint64_t *mfn, uint32_t *port);
long hv_console_info(uint16_t domid, uint64_t *mfn, uint32_t *port);

#endif
