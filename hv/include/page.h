/* Page-table entry bits and the hypervisor's address conversions. */
#ifndef XENOLITH_PAGE_H
#define XENOLITH_PAGE_H

#include "layout.h"
#include "types.h"

#define _PAGE_PRESENT (1UL << 0)
#define _PAGE_RW (1UL << 1)
#define _PAGE_USER (1UL << 2)
#define _PAGE_PWT (1UL << 3)
#define _PAGE_PCD (1UL << 4)
#define _PAGE_ACCESSED (1UL << 5)
#define _PAGE_DIRTY (1UL << 6)
#define _PAGE_PSE (1UL << 7)
#define _PAGE_GLOBAL (1UL << 8)
#define _PAGE_NX (1UL << 63)
#define PTE_ADDR_MASK 0x000FFFFFFFFFF000UL

#define PAGE_HYPERVISOR \
	(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)
#define PAGE_HYPERVISOR_UC (PAGE_HYPERVISOR | _PAGE_PCD | _PAGE_PWT)
#define PAGE_TABLE_FLAGS (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED)

#define L1_SHIFT 12
#define L2_SHIFT 21
#define L3_SHIFT 30
#define L4_SHIFT 39
#define PT_INDEX(va, shift) (((va) >> (shift)) & 511)

extern u64 idle_l4[512];
extern char _start_image[], _etext[], _edata[], _end[];
extern u32 cpu_has_nx;

static inline void *__va(paddr_t pa)
{
	return (void *)(DIRECTMAP_VIRT_START + pa);
}

static inline paddr_t __pa(const void *va)
{
	u64 v = (u64)va;
	if (v >= DIRECTMAP_VIRT_START && v < DIRECTMAP_VIRT_END)
		return v - DIRECTMAP_VIRT_START;
	return v - HV_VIRT_START; /* the image */
}

static inline paddr_t image_start_paddr(void)
{
	return __pa(_start_image);
}

static inline paddr_t image_end_paddr(void)
{
	return __pa(_end);
}

/* paging.c */
void paging_early_init(void);
int map_pages(u64 va, paddr_t pa, u64 size, u64 flags);
int directmap_add(paddr_t start, paddr_t end);
void *vmap_phys(paddr_t pa, u64 size, u64 flags);
void *ioremap(paddr_t pa, u64 size);
void paging_drop_identity(void);
void paging_protect_image(void);
void paging_protect_image_alias(void);
void *early_phys_ptr(paddr_t pa); /* valid for pa below 1 GiB, before mm */
bool directmap_ready(void);
void directmap_done(void);
void flush_tlb_local(void);
u64 *hv_pte(u64 va);

#endif
