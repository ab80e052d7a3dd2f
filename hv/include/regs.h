/*
 * Saved registers on entry to the hypervisor. The layout is Xen's
 * cpu_user_regs for x86-64, so guest frames can later be exposed as is.
 */
#ifndef XENOLITH_REGS_H
#define XENOLITH_REGS_H

#include "types.h"

struct cpu_regs {
	u64 r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	u64 rax, rcx, rdx, rsi, rdi;
	u32 error_code;
	u32 entry_vector;
	/* Pushed by the CPU. */
	u64 rip, cs, rflags, rsp, ss;
};

#endif
