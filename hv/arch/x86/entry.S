/*
 * Exception and interrupt entry. Every one of the 256 vectors has a stub
 * that makes the frame uniform (an error code slot whose upper half holds
 * the vector), then common_entry saves the registers in the order of
 * struct cpu_user_regs (Xen's cpu_user_regs) and calls do_entry(regs).
 */
#include "saveregs.h"
#include "layout.h"
#include "smap.h"

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
	SAVE_ALL_GPRS
	cld
	CLAC_IF_SMAP		/* the CPU keeps AC: a guest could set it */
	movq %rsp, %rdi
	/* The hardware frame left %rsp 8 off 16-byte alignment. */
	subq $8, %rsp
	call do_entry
	addq $8, %rsp
	/* Back to a guest (not from an IST stack): the full exit path. */
	testb $3, UREGS_cs(%rsp)
	jz restore_regs
	cmpl $2, UREGS_entry_vector(%rsp)	/* NMI */
	je restore_regs
	cmpl $18, UREGS_entry_vector(%rsp)	/* #MC */
	je restore_regs
	jmp return_to_guest

restore_regs:
	RESTORE_ALL_GPRS
	addq $8, %rsp		/* error code and vector */
	iretq

/*
 * Leave the hypervisor for the current vCPU. %rsp points at its frame (the
 * cpu_user_regs at the top of the stack). prepare_return_to_guest runs
 * softirqs, the scheduler (which may switch vCPUs and reset the stack) and
 * event delivery, and returns with interrupts off.
 */
	.globl return_to_guest
return_to_guest:
	cli
	movq %rsp, %rdi
	subq $8, %rsp
	call prepare_return_to_guest
	addq $8, %rsp
	/*
	 * A frame the syscall entry built, going back to flat 64-bit guest
	 * segments at a canonical RIP, leaves by SYSRET (far cheaper than
	 * IRET, above all under emulation). A non-canonical RCX would make
	 * SYSRET fault in ring 0 on the guest's stack: never let one by.
	 */
	cmpl $TRAP_SYSCALL, UREGS_entry_vector(%rsp)
	jne 1f
	cmpw $FLAT_RING3_CS64, UREGS_cs(%rsp)
	jne 1f
	cmpw $FLAT_RING3_SS64, UREGS_ss(%rsp)
	jne 1f
	movq UREGS_rip(%rsp), %rcx
	sarq $47, %rcx			/* canonical: 0 or -1 */
	incq %rcx
	cmpq $1, %rcx
	ja 1f
	RESTORE_ALL_GPRS
	addq $8, %rsp			/* error code, entry vector */
	movq (%rsp), %rcx		/* RIP */
	movq 16(%rsp), %r11		/* RFLAGS */
	movq 24(%rsp), %rsp		/* the guest's RSP; IRQs stay off */
	sysretq
1:	RESTORE_ALL_GPRS
	addq $8, %rsp
	iretq

/*
 * SYSCALL from a guest (kernel mode: a hypercall; user mode: a system call
 * to bounce). Each CPU enters through its own copy of syscall_stub, which
 * switches to this CPU's stack top and pushes SS:RSP; we complete the frame
 * so that it looks like any other entry from the guest.
 */
	.globl syscall_enter
syscall_enter:
	pushq %r11			/* rflags */
	pushq $FLAT_RING3_CS64
	pushq %rcx			/* rip */
	pushq $0
	movl $TRAP_SYSCALL, 4(%rsp)
	SAVE_ALL_GPRS
	cld
	movq %rsp, %rdi
	subq $8, %rsp
	call do_syscall
	addq $8, %rsp
	jmp return_to_guest

/*
 * The per-CPU copy of this reads its own data words, but writes the
 * guest's RSP to a slot outside the code page (context.c patches the two
 * rel32 fields): under binary translation a store into a page of code
 * throws away that page's translations, on every system call.
 */
	.globl syscall_stub_start, syscall_stub_end
	.globl syscall_stub_stack, syscall_stub_target
	.globl syscall_stub_save_disp, syscall_stub_push_disp
syscall_stub_start:
	.byte 0x48, 0x89, 0x25		/* movq %rsp, slot(%rip) */
syscall_stub_save_disp:
	.long 0
	movq syscall_stub_stack(%rip), %rsp
	pushq $FLAT_RING3_SS64
	.byte 0xff, 0x35		/* pushq slot(%rip) */
syscall_stub_push_disp:
	.long 0
	jmp *syscall_stub_target(%rip)
	.balign 8
syscall_stub_stack:
	.quad 0
syscall_stub_target:
	.quad 0
syscall_stub_end:

/* 32-bit SYSCALL (compat mode) is not supported: same stub, other target. */

/* Run fn on a fresh stack from sp down: the first frame of a CPU's stack. */
	.globl switch_stack_and_call
switch_stack_and_call:
	movq %rdi, %rsp
	xorl %ebp, %ebp
	call *%rsi
	ud2

/* Discard the stack and continue at fn (never returns). */
	.globl reset_stack_and_jump_asm
reset_stack_and_jump_asm:
	movq %rdi, %rsp
	jmp *%rsi

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

