/*
 * hvm_op (hypercall 34). Xenolith implements only HVMOP_get_param, for
 * domain 0 to learn where a boot-time PV domain's xenstore and console
 * rings and event channels are (see params.h). Other callers get -EPERM.
 */
#ifndef XENOLITH_PUBLIC_HVM_HVM_OP_H
#define XENOLITH_PUBLIC_HVM_HVM_OP_H

#include "../xen.h"

#define HVMOP_set_param 0
#define HVMOP_get_param 1

struct xen_hvm_param {
	domid_t domid;
	uint16_t pad;
	uint32_t index; /* HVM_PARAM_* */
	uint64_t value; /* out */
};

#endif
