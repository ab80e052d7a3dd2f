/*
 * Saved registers on entry to the hypervisor: Xen's cpu_user_regs, so the
 * frame a guest trap leaves at the top of the stack is exactly the guest's
 * register state as the ABI defines it. Hypervisor-internal frames use the
 * same layout and leave es..gs unused.
 */
#ifndef XENOLITH_REGS_H
#define XENOLITH_REGS_H

#include <xen/arch-x86_64.h>
#include "layout.h"
#include "types.h"

static inline bool regs_from_guest(const struct cpu_user_regs *r)
{
	return (r->cs & 3) == 3;
}

#endif
