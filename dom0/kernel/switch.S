/*
 * thread_switch(uint64_t *save_sp, uint64_t next_sp): save the callee-
 * saved registers on the current stack, record its top in *save_sp, and
 * resume the thread whose stack top is next_sp. A new thread's stack is
 * laid out so that this "returns" into thread_entry.
 */
	.text
	.globl thread_switch
thread_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
