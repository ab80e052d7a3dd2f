/*
 * Exception and interrupt entry. Every one of the 256 vectors has a stub
 * that makes the frame uniform (an error code slot whose upper half holds
 * the vector), then common_entry saves the registers in the order of
 * struct cpu_regs (Xen's cpu_user_regs) and calls do_entry(regs).
 */
#include "layout.h"

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERRCODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || \
			(v) == 21 || (v) == 29 || (v) == 30)

	.text
	.align 16
	.globl entry_stubs_start
entry_stubs_start:
	.set vec, 0
	.rept 256
	.align 16
	.if HAS_ERRCODE(vec) == 0
	pushq $0
	.endif
	movl $vec, 4(%rsp)
	jmp common_entry
	.set vec, vec + 1
	.endr

common_entry:
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
	cld
	movq %rsp, %rdi
	/* The hardware frame left %rsp 8 off 16-byte alignment. */
	subq $8, %rsp
	call do_entry
	addq $8, %rsp
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
	addq $8, %rsp		/* error code and vector */
	iretq

/* Reload %cs after lgdt: a far return to the next instruction. */
	.globl reload_segments
reload_segments:
	pushq $HV_CS
	leaq 1f(%rip), %rax
	pushq %rax
	lretq
1:	movl $HV_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	ret

/* Secondary CPUs arrive here from the trampoline with %rsp set. */
	.globl ap_start64
ap_start64:
	xorl %ebp, %ebp
	call start_secondary
2:	cli
	hlt
	jmp 2b

