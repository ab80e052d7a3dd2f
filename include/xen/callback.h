/* callback_op (hypercall 30): entry points the hypervisor calls in a guest. */
#ifndef XENOLITH_PUBLIC_CALLBACK_H
#define XENOLITH_PUBLIC_CALLBACK_H

#include "xen.h"

#define CALLBACKTYPE_event 0
#define CALLBACKTYPE_failsafe 1
#define CALLBACKTYPE_syscall 2
#define CALLBACKTYPE_sysenter_deprecated 3
#define CALLBACKTYPE_nmi 4
#define CALLBACKTYPE_sysenter 5
#define CALLBACKTYPE_syscall32 7

#define CALLBACKF_mask_events (1 << 0)

#define CALLBACKOP_register 0
#define CALLBACKOP_unregister 1

struct callback_register {
	uint16_t type;
	uint16_t flags;
	unsigned long address;
};

struct callback_unregister {
	uint16_t type;
	uint16_t _unused;
};

#endif
