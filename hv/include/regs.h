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

/* General register n as encoded in ModRM/REX (0 = rax ... 15 = r15). */
static inline u64 *regs_gpr(struct cpu_user_regs *r, unsigned int n)
{
	u64 *regs[16] = { &r->rax, &r->rcx, &r->rdx, &r->rbx,
			  &r->rsp, &r->rbp, &r->rsi, &r->rdi,
			  &r->r8,  &r->r9,  &r->r10, &r->r11,
			  &r->r12, &r->r13, &r->r14, &r->r15 };
	return regs[n & 15];
}

static inline bool regs_from_guest(const struct cpu_user_regs *r)
{
	return (r->cs & 3) == 3;
}

#endif
