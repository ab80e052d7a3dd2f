/*
 * Start of a libpv kernel: the Xen ELF notes that describe it to the
 * domain builder, and the entry point. The builder enters at _start in
 * 64-bit mode on its boot stack with RSI = start_info (virtual).
 */
#define XEN_ELFNOTE_ENTRY 1
#define XEN_ELFNOTE_VIRT_BASE 3
#define XEN_ELFNOTE_PADDR_OFFSET 4
#define XEN_ELFNOTE_XEN_VERSION 5
#define XEN_ELFNOTE_GUEST_OS 6
#define XEN_ELFNOTE_LOADER 8

#define ELFNOTE(type, desc)			\
	.pushsection .note.Xen, "a";		\
	.balign 4;				\
	.long 2f - 1f;				\
	.long 4f - 3f;				\
	.long type;				\
1:	.asciz "Xen";				\
2:	.balign 4;				\
3:	desc;					\
4:	.balign 4;				\
	.popsection

	ELFNOTE(XEN_ELFNOTE_GUEST_OS, .asciz "libpv")
	ELFNOTE(XEN_ELFNOTE_XEN_VERSION, .asciz "xen-3.0")
	ELFNOTE(XEN_ELFNOTE_LOADER, .asciz "generic")
	ELFNOTE(XEN_ELFNOTE_VIRT_BASE, .quad 0xffffffff80000000)
	ELFNOTE(XEN_ELFNOTE_PADDR_OFFSET, .quad 0)
	ELFNOTE(XEN_ELFNOTE_ENTRY, .quad _start)

	.section .text.head, "ax"
	.globl _start
_start:
	cld
	leaq boot_stack_top(%rip), %rsp
	movq %rsi, start_info(%rip)
	xorl %ebp, %ebp
	call pv_start
1:	hlt			/* not reached: pv_start shuts down */
	jmp 1b

	.bss
	.balign 4096
	.globl boot_stack
boot_stack:
	.skip 16384
boot_stack_top:
