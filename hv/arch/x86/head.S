/*
 * Boot entry. A Multiboot 1 loader (QEMU -kernel) or a Multiboot 2 loader
 * (GRUB) drops us here in 32-bit protected mode with paging off. We check
 * for long mode, switch to it on static page tables that map the low 4 GiB
 * 1:1 (needed while paging is switched on) and the image at HV_VIRT_START,
 * then continue at the high address and call start_boot(magic, info).
 *
 * Both headers use the "address" form, so loaders copy the image flat from
 * the file without reading the ELF64 headers (QEMU cannot load ELF64).
 */
#include "layout.h"

#define PA(x) ((x) - HV_VIRT_START)

#define MB1_MAGIC 0x1BADB002
#define MB1_FLAGS ((1 << 0) | (1 << 1) | (1 << 16))
#define MB2_MAGIC 0xE85250D6

#define PTE_P 0x1
#define PTE_RW 0x2
#define PTE_PS 0x80
#define TABLE (PTE_P | PTE_RW)

	.section .text.head, "ax"
	.code32
	.globl _start
_start:
	jmp start32

	.align 4
mb1_header:
	.long MB1_MAGIC
	.long MB1_FLAGS
	.long -(MB1_MAGIC + MB1_FLAGS)
	.long PA(mb1_header)	/* header_addr */
	.long PA(_start)	/* load_addr */
	.long PA(_edata)	/* load_end_addr */
	.long PA(_end)		/* bss_end_addr */
	.long PA(start32)	/* entry_addr */

	.align 8
mb2_header:
	.long MB2_MAGIC
	.long 0			/* i386 protected mode */
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + 0 + (mb2_header_end - mb2_header))
	/* address tag */
	.short 2, 0
	.long 24
	.long PA(mb2_header)
	.long PA(_start)
	.long PA(_edata)
	.long PA(_end)
	/* entry address tag */
	.short 3, 0
	.long 12
	.long PA(start32)
	.long 0			/* pad to 8 */
	/* modules page aligned */
	.short 6, 0
	.long 8
	/* end tag */
	.short 0, 0
	.long 8
mb2_header_end:

start32:
	cli
	cld
	movl %eax, %edi			/* loader magic */
	movl %ebx, %esi			/* loader info (physical) */
	/* The boot stack's top must be STACK_SIZE aligned (see percpu.h). */
	movl $PA(cpu0_stack_area) + BOOT_STACK_SIZE + STACK_SIZE - 1, %esp
	andl $~(STACK_SIZE - 1), %esp
	subl $64, %esp
	rdtsc
	movl %eax, PA(boot_tsc)
	movl %edx, PA(boot_tsc) + 4

	/* Long mode available? */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc no_long_mode
	/* Use NX if the CPU has it. */
	xorl %ebp, %ebp
	btl $20, %edx
	jnc 1f
	movl $(1 << 11), %ebp
	movl $1, PA(cpu_has_nx)
1:
	movl %cr4, %eax
	orl $0x20, %eax			/* PAE */
	movl %eax, %cr4
	movl $PA(idle_l4), %eax
	movl %eax, %cr3
	movl $0xC0000080, %ecx
	rdmsr
	orl $(1 << 8), %eax		/* LME */
	orl %ebp, %eax			/* NXE */
	wrmsr
	lgdt PA(boot_gdtr)
	movl %cr0, %eax
	orl $0x80010001, %eax		/* PG | WP | PE */
	movl %eax, %cr0
	ljmp $0x08, $PA(start64_low)

no_long_mode:
	movl $PA(msg_no_lm), %esi
	movw $0x3f8, %dx
2:	lodsb
	testb %al, %al
	jz 3f
	outb %al, %dx
	jmp 2b
3:	hlt
	jmp 3b

	.code64
start64_low:
	movabsq $start64, %rax
	jmp *%rax

	.text
start64:
	lgdt boot_gdtr_high(%rip)
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	leaq cpu0_stack_area + BOOT_STACK_SIZE + STACK_SIZE - 1(%rip), %rsp
	andq $~(STACK_SIZE - 1), %rsp
	subq $CPU_INFO_SIZE, %rsp
	andq $~15, %rsp
	xorl %ebp, %ebp
	/* edi = magic, esi = info: already the first two arguments. */
	call start_boot
4:	cli
	hlt
	jmp 4b

	.section .rodata
msg_no_lm:
	.asciz "Xenolith: this CPU has no long mode (x86-64); halting.\r\n"

	.data
	.align 16
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
boot_gdt_end:
boot_gdtr:
	.short boot_gdt_end - boot_gdt - 1
	.long PA(boot_gdt)
	.align 8
boot_gdtr_high:
	.short boot_gdt_end - boot_gdt - 1
	.quad boot_gdt

	.globl boot_tsc, cpu_has_nx, cpu0_stack_area
	.align 8
boot_tsc:
	.quad 0
cpu_has_nx:
	.long 0

/*
 * The idle page table. Slot 0 maps the low 4 GiB 1:1 with 2 MiB pages for
 * the switch to long mode and AP start-up; it is removed once all CPUs are
 * up. Slot 261 maps HV_VIRT_START to physical 0 through the same first L2.
 */
	.section .data.page_aligned, "aw"
	.align 4096
	.globl idle_l4
idle_l4:
	.quad PA(boot_l3_ident) + TABLE
	.fill 260, 8, 0
	.quad PA(boot_l3_hv) + TABLE
	.fill 250, 8, 0
boot_l3_ident:
	.quad PA(boot_l2_ident) + TABLE
	.quad PA(boot_l2_ident) + 0x1000 + TABLE
	.quad PA(boot_l2_ident) + 0x2000 + TABLE
	.quad PA(boot_l2_ident) + 0x3000 + TABLE
	.fill 508, 8, 0
	.globl boot_l3_hv
boot_l3_hv:
	.fill 321, 8, 0
	.quad PA(boot_l2_ident) + TABLE
	.fill 190, 8, 0
boot_l2_ident:
	.set i, 0
	.rept 2048
	.quad (i << 21) + PTE_P + PTE_RW + PTE_PS
	.set i, i + 1
	.endr


/*
 * The boot CPU's stack until its guarded block is mapped (start_boot).
 * Aligning it here would force the whole image segment to that alignment
 * and push the multiboot headers beyond where loaders look, so its top is
 * aligned at run time: somewhere in this area a STACK_SIZE boundary has at
 * least BOOT_STACK_SIZE below it. Only the stack's top BOOT_STACK_SIZE
 * bytes are ever used.
 */
	.bss
	.align 16
cpu0_stack_area:
	.skip BOOT_STACK_SIZE + STACK_SIZE
