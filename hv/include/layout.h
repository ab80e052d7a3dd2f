/*
 * The hypervisor's virtual address layout. It lives in the range Xen keeps
 * for itself on x86-64 (L4 slots 256..271, 0xFFFF800000000000 up to
 * 0xFFFF87FFFFFFFFFF), so that guests, which own every other slot, can never
 * reach it. The values follow Xen 4.17 where guests can observe them.
 *
 * This header is included from assembly too: keep it to plain defines.
 */
#ifndef XENOLITH_LAYOUT_H
#define XENOLITH_LAYOUT_H

#ifdef __ASSEMBLER__
#define _UL(x) x
#else
#define _UL(x) x##UL
#endif

#define HV_RESERVED_START _UL(0xFFFF800000000000)
#define HV_RESERVED_END _UL(0xFFFF880000000000)
#define HV_FIRST_L4_SLOT 256
#define HV_LAST_L4_SLOT 271

/* Read-only machine-to-physical table, visible to guests. */
#define RO_MPT_VIRT_START _UL(0xFFFF800000000000)
#define RO_MPT_VIRT_END _UL(0xFFFF808000000000)

/* vmap/ioremap area: device registers and other non-RAM mappings. */
#define VMAP_VIRT_START _UL(0xFFFF82C000000000)
#define VMAP_VIRT_END _UL(0xFFFF82C800000000)

/* Per-CPU GDT windows: 16 pages each (see pv_descriptors.c). */
#define GDT_WINDOW_START _UL(0xFFFF82C800000000)
/* Per-CPU LDT windows: 16 pages each (8192 descriptors). */
#define LDT_WINDOW_START _UL(0xFFFF82CA00000000)
#define MAX_LDT_ENTS 8192

/* The hypervisor image: virtual HV_VIRT_START + x is physical x. */
#define HV_VIRT_START _UL(0xFFFF82D040000000)
#define HV_LOAD_PADDR _UL(0x200000)
#define HV_IMAGE_MAP_SIZE _UL(0x40000000) /* boot maps 1 GiB */

/* A 1:1 map of all RAM. */
#define DIRECTMAP_VIRT_START _UL(0xFFFF830000000000)
#define DIRECTMAP_VIRT_END _UL(0xFFFF880000000000)

/*
 * Per-CPU stacks live in their own area, one STACK_SIZE block per CPU,
 * aligned to STACK_SIZE so that the cpu_info block at the top is found by
 * masking %rsp (as Xen does), from the primary stack and the IST stacks
 * alike. Blocks are mapped with 4 KiB pages and every stack has unmapped
 * pages below it, so an overflow faults (and ends in #DF on its own IST
 * stack) instead of overwriting a neighbour. Pages of a block, from its
 * base:
 *   0 guard, 1-2 #DF, 3 guard, 4-5 NMI, 6 guard, 7-8 #MC, 9 guard,
 *   10-11 #DB, 12-23 guard, 24-31 the primary stack (cpu_info at its top).
 * Blocks of neighbouring CPUs touch: the primary stack's top page is
 * followed by the next block's guard page 0.
 */
#define STACKS_VIRT_START _UL(0xFFFF82CC00000000)
#define STACK_ORDER 5
#define STACK_SIZE (_UL(4096) << STACK_ORDER)
#define STACK_PAGES (1 << STACK_ORDER)
#define PRIMARY_STACK_PAGES 8
#define PRIMARY_STACK_SIZE (PRIMARY_STACK_PAGES * _UL(4096))
#define IST_STACK_PAGES 2
#define IST_STACK_SIZE (IST_STACK_PAGES * _UL(4096))
/* IST stacks in block order; IDT gates use the index + 1. */
#define IST_DF 0
#define IST_NMI 1
#define IST_MC 2
#define IST_DB 3
#define NR_IST_STACKS 4
/* First page of IST stack n within the block. */
#define IST_FIRST_PAGE(n) (1 + (n) * (IST_STACK_PAGES + 1))
/* The boot CPU's first stack (head.S), before its block is mapped. */
#define BOOT_STACK_SIZE _UL(0x8000)

/* Hypervisor selectors live in Xen's reserved GDT page (entries 7168+). */
#define FIRST_RESERVED_GDT_PAGE 14
#define FIRST_RESERVED_GDT_BYTE (FIRST_RESERVED_GDT_PAGE * 4096)
#define FIRST_RESERVED_GDT_ENTRY (FIRST_RESERVED_GDT_BYTE / 8)
#define HV_CS 0xe008
#define HV_DS 0xe010
#define FLAT_RING3_CS32 0xe023
#define FLAT_RING3_DS32 0xe02b
#define FLAT_RING3_CS64 0xe033
#define FLAT_RING3_DS64 0x0000
#define FLAT_RING3_SS64 0xe02b
#define TSS_SEL 0xe040
#define LDT_SEL 0xe050

/*
 * entry_vector of frames built by the syscall entry (not a real vector):
 * such a frame may leave by SYSRET, as RCX and R11 hold nothing the guest
 * needs. Whatever loads real RCX/R11 into it (the iret hypercall) marks
 * it TRAP_FULL_FRAME, which leaves by IRET.
 */
#define TRAP_SYSCALL 0x100
#define TRAP_FULL_FRAME 0x101

/* Where the AP start-up code is copied (below 1 MiB, page aligned). */
#define TRAMPOLINE_PADDR 0x8000

#endif
