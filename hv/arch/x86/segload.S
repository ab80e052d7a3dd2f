/*
 * void load_data_segment_safe(int which, u16 sel): load a guest selector
 * into DS (0), ES (1), FS (2) or GS (3); a bad selector loads NULL instead
 * of faulting the hypervisor.
 */
	.text
	.globl load_data_segment_safe
load_data_segment_safe:
	cmpl $1, %edi
	je 2f
	jb 1f
	cmpl $2, %edi
	je 3f
4:	movl %esi, %gs
	ret
1:	movl %esi, %ds
	ret
2:	movl %esi, %es
	ret
3:	movl %esi, %fs
	ret
9:	xorl %esi, %esi
	cmpl $1, %edi
	je 2b
	jb 1b
	cmpl $2, %edi
	je 3b
	jmp 4b

	.section __ex_table, "a"
	.balign 8
	.quad 1b, 9b
	.quad 2b, 9b
	.quad 3b, 9b
	.quad 4b, 9b
	.previous
