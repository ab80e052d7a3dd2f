/*
 * hvm_op (hypercall 34): only HVMOP_get_param, and only for domain 0.
 *
 * Xenolith convention (Xen answers -EINVAL for PV domains): for a PV
 * domain built at boot, domain 0 asks here where to connect xenstored
 * and the console backend, as Xen's dom0less boot does with HVM params.
 * STORE_PFN and CONSOLE_PFN are machine frame numbers (what the domain's
 * start_info holds: store_mfn, console.domU.mfn); STORE_EVTCHN and
 * CONSOLE_EVTCHN are the domain's own ports, unbound and offered to
 * domain 0, which binds them with EVTCHNOP_bind_interdomain. A domain
 * without such a ring (domain 0 has no console ring; one created by
 * domctl has neither) answers 0.
 */
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include "control.h"
#include "guest_access.h"
#include "hypercall.h"
#include "lib.h"

static long get_param(struct domain *d, u32 index, u64 *value)
{
	switch (index) {
	case HVM_PARAM_STORE_PFN:
		*value = d->store_mfn;
		return 0;
	case HVM_PARAM_STORE_EVTCHN:
		*value = d->store_port;
		return 0;
	case HVM_PARAM_CONSOLE_PFN:
		*value = d->console_mfn;
		return 0;
	case HVM_PARAM_CONSOLE_EVTCHN:
		*value = d->console_port;
		return 0;
	}
	return -EINVAL;
}

/**
 * do_hvm_op - hypercall 34.
 * @op: HVMOP_get_param; anything else is -ENOSYS.
 * @arg: guest address of a struct xen_hvm_param.
 * Returns 0, -EFAULT, -EPERM (not domain 0), -ESRCH (no such domain) or
 * -EINVAL (a parameter not kept).
 */
long do_hvm_op(u64 op, u64 arg)
{
	struct domain *caller = current->domain, *d;
	struct xen_hvm_param p;
	long rc;

	if (op != HVMOP_get_param)
		return -ENOSYS;
	if (copy_from_guest(&p, arg, sizeof(p)))
		return -EFAULT;
	if (!caller->privileged)
		return -EPERM;
	if (!spin_trylock(&control_lock))
		return control_busy(__HYPERVISOR_hvm_op, op, arg);
	d = p.domid == DOMID_SELF ? caller : domain_lookup(p.domid);
	rc = d ? get_param(d, p.index, &p.value) : -ESRCH;
	spin_unlock(&control_lock);
	if (rc == 0 && copy_to_guest(arg, &p, sizeof(p)))
		rc = -EFAULT;
	if (rc < 0)
		pr_debug("d%u: hvm_op get_param %u of d%u: error %ld\n",
			 caller->id, p.index, p.domid, rc);
	return rc;
}
