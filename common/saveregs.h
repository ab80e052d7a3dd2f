/*
 * Assembly macros that save and restore the general registers in the
 * order of Xen's cpu_user_regs (r15 at the lowest address), shared by the
 * hypervisor's entry code and libpv's.
 */
#ifndef XENOLITH_SAVEREGS_H
#define XENOLITH_SAVEREGS_H

#ifdef __ASSEMBLER__
.macro SAVE_ALL_GPRS
	pushq %rdi
	pushq %rsi
	pushq %rdx
	pushq %rcx
	pushq %rax
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
.endm

.macro RESTORE_ALL_GPRS
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rax
	popq %rcx
	popq %rdx
	popq %rsi
	popq %rdi
.endm
#endif

#endif
