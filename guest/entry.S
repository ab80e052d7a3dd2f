/*
 * Trap, event and system-call entry for libpv kernels. The hypervisor
 * leaves RCX, R11, [error code], RIP, CS, RFLAGS, RSP, SS at RSP; each stub
 * makes that a struct pv_frame and calls pv_trap_dispatch(frame), then
 * returns with the iret hypercall (to kernel or user mode, by CS's RPL).
 */
#include "saveregs.h"
#define VEC_EVENT 0x100
#define VEC_SYSCALL 0x101
#define VEC_FAILSAFE 0x102

.macro STUB vec, has_err
	.globl pv_trap_\vec
pv_trap_\vec:
	popq %rcx
	popq %r11
	.if \has_err == 0
	pushq $0
	.endif
	pushq $\vec
	jmp pv_common_entry
.endm

	.text
	STUB 0, 0
	STUB 1, 0
	STUB 2, 0
	STUB 3, 0
	STUB 4, 0
	STUB 5, 0
	STUB 6, 0
	STUB 7, 0
	STUB 8, 1
	STUB 9, 0
	STUB 10, 1
	STUB 11, 1
	STUB 12, 1
	STUB 13, 1
	STUB 14, 1
	STUB 15, 0
	STUB 16, 0
	STUB 17, 1
	STUB 18, 0
	STUB 19, 0
	STUB 20, 0
	STUB 21, 1
	STUB 0x20, 0
	STUB 0x80, 0
	STUB 0xf0, 0
	STUB 0x100, 0
	STUB 0x101, 0

	.globl pv_event_entry, pv_syscall_entry, pv_failsafe_entry
pv_event_entry = pv_trap_0x100
pv_syscall_entry = pv_trap_0x101

/* Failsafe: RCX, R11, DS, ES, FS, GS, then the iret frame. */
pv_failsafe_entry:
	popq %rcx
	popq %r11
	addq $32, %rsp
	pushq $0
	pushq $VEC_FAILSAFE
	jmp pv_common_entry

pv_common_entry:
	cld			/* the C code expects DF clear */
	SAVE_ALL_GPRS
	movq %rsp, %rdi
	movq %rsp, %rbx
	andq $~15, %rsp
	call pv_trap_dispatch
	movq %rbx, %rsp
	RESTORE_ALL_GPRS
	addq $16, %rsp		/* vector, error code */
	.globl pv_iret
pv_iret:
	/* iret hypercall: RAX R11 RCX flags RIP CS RFLAGS RSP SS. */
	pushq $0
	cmpl $0, pv_use_hypercall_page(%rip)
	jne 1f
	pushq %rcx
	pushq %r11
	pushq %rax
	movl $23, %eax
	syscall
	ud2
1:	jmp hypercall_page + 23 * 32	/* the stub pushes the rest */

/*
 * u64 pv_run_user(u64 rip, u64 rsp): run user mode at rip on stack rsp
 * until the kernel calls pv_return_from_user(value), which makes
 * pv_run_user return value. Kernel entries from user mode use the
 * separate kernel_sp stack, so this stack frame survives meanwhile.
 */
	.globl pv_run_user, pv_return_from_user
pv_run_user:
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, user_saved_rsp(%rip)
	jmp pv_enter_user

pv_return_from_user:
	movq user_saved_rsp(%rip), %rsp
	movq %rdi, %rax
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	ret

	.data
	.balign 8
user_saved_rsp:
	.quad 0
	.text

/*
 * void pv_enter_user(u64 rip, u64 rsp): start user mode at rip with a
 * fresh iret frame (FLAT_USER_CS64/SS64, RFLAGS pv_user_rflags: IF set).
 */
	.data
	.balign 8
	.globl pv_user_rflags
pv_user_rflags:
	.quad 0x200
	.text

	.globl pv_enter_user
pv_enter_user:
	pushq $0xe02b		/* ss */
	pushq %rsi		/* rsp */
	pushq pv_user_rflags(%rip) /* rflags */
	pushq $0xe033		/* cs, RPL 3: user mode */
	pushq %rdi		/* rip */
	jmp pv_iret
