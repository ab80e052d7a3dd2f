/*
 * The control interface: domctl, sysctl and hvm_op, for the privileged
 * domain only. control_lock serialises them (so that a domain being
 * destroyed by one is not read by another); it is only ever tried, and a
 * caller that finds it taken re-issues its hypercall (control_busy).
 */
#ifndef XENOLITH_CONTROL_H
#define XENOLITH_CONTROL_H

#include <xen/domctl.h>
#include "domain.h"
#include "spinlock.h"

extern spinlock_t control_lock;

long control_busy(unsigned int hypercall, u64 a1, u64 a2);
void getdomaininfo(struct domain *d, struct xen_domctl_getdomaininfo *info);

long do_domctl(u64 arg);
long do_sysctl(u64 arg);
long do_hvm_op(u64 op, u64 arg);

#endif
