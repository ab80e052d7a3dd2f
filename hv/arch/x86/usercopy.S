/*
 * Copies to and from guest virtual memory. The guest's page tables are
 * loaded while we serve it, so guest addresses are used directly; a fault
 * on a marked instruction resumes at its fixup (see the __ex_table section
 * and search_fixup in traps.c), which returns the bytes left uncopied.
 *
 * These are the only places the hypervisor touches guest memory through
 * guest virtual addresses: SMAP's window (STAC ... CLAC) is open only here.
 *
 * size_t raw_copy(void *dst, const void *src, size_t n)
 */
#include "smap.h"

	.text
	.globl raw_copy_guest
raw_copy_guest:
	movq %rdx, %rcx
	STAC_IF_SMAP
1:	rep movsb
	CLAC_IF_SMAP
	xorl %eax, %eax
	ret
2:	CLAC_IF_SMAP
	movq %rcx, %rax		/* bytes not copied */
	ret

	.section __ex_table, "a"
	.balign 8
	.quad 1b, 2b
	.previous

/*
 * int raw_cmpxchg_guest(u64 *ptr, u64 *old, u64 new): 0 on success
 * (*old holds what was found), -1 on a fault.
 */
	.text
	.globl raw_cmpxchg_guest
raw_cmpxchg_guest:
	movq (%rsi), %rax
	STAC_IF_SMAP
3:	lock cmpxchgq %rdx, (%rdi)
	CLAC_IF_SMAP
	movq %rax, (%rsi)
	xorl %eax, %eax
	ret
4:	CLAC_IF_SMAP
	movl $-1, %eax
	ret

	.section __ex_table, "a"
	.balign 8
	.quad 3b, 4b
	.previous
