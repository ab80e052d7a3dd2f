/*
 * The hypervisor's own page tables (the "idle" page table). Every mapping
 * lives in L4 slots 256..271; their L3 tables are allocated up front, so a
 * guest L4 that copies those 16 slots sees every later hypervisor mapping.
 *
 * Page-table pages come from a small pool in the image until the frame
 * allocator is up, then from the allocator.
 */
#include "lib.h"
#include "mm.h"
#include "page.h"
#include "spinlock.h"
#include "x86.h"

#define BOOT_PT_POOL_PAGES 64

static u8 boot_pt_pool[BOOT_PT_POOL_PAGES][PAGE_SIZE] __aligned(PAGE_SIZE);
static unsigned int boot_pt_used;
static bool have_directmap;
static bool have_1g_pages;
static DEFINE_SPINLOCK(map_lock);
static u64 vmap_next = VMAP_VIRT_START;

extern u64 boot_l3_hv[512];

void *early_phys_ptr(paddr_t pa)
{
	if (have_directmap)
		return __va(pa);
	return pa < HV_IMAGE_MAP_SIZE ? (void *)(HV_VIRT_START + pa) : NULL;
}

bool directmap_ready(void)
{
	return have_directmap;
}

static void *pt_page_alloc(void)
{
	void *p;

	if (mm_ready()) {
		p = alloc_page();
		if (p)
			memset(p, 0, PAGE_SIZE);
		return p;
	}
	if (boot_pt_used == BOOT_PT_POOL_PAGES)
		return NULL;
	p = boot_pt_pool[boot_pt_used++];
	memset(p, 0, PAGE_SIZE);
	return p;
}

/* Pointer to a page-table page named by an entry. */
static u64 *pt_from_entry(u64 e)
{
	paddr_t pa = e & PTE_ADDR_MASK;
	return have_directmap ? __va(pa) : early_phys_ptr(pa);
}

/*
 * Return the table one level below entry *e, allocating it if needed. A
 * user-accessible leaf needs USER on every level above it too.
 */
static u64 *pt_next(u64 *e, u64 leaf_flags)
{
	void *p;

	if (*e & _PAGE_PRESENT) {
		ASSERT(!(*e & _PAGE_PSE));
		*e |= leaf_flags & _PAGE_USER;
		return pt_from_entry(*e);
	}
	p = pt_page_alloc();
	if (!p)
		return NULL;
	*e = __pa(p) | PAGE_TABLE_FLAGS | (leaf_flags & _PAGE_USER);
	return p;
}

static u64 leaf_flags(u64 flags, bool large)
{
	if (!cpu_has_nx)
		flags &= ~_PAGE_NX;
	return large ? flags | _PAGE_PSE : flags;
}

/* Map one page of the largest size that fits alignment and length. */
static int map_one(u64 va, paddr_t pa, u64 left, u64 flags, u64 *done)
{
	u64 *l3, *l2, *l1;
	bool fit1g =
	    have_1g_pages && !((va | pa) & (GiB(1) - 1)) && left >= GiB(1);
	bool fit2m = !((va | pa) & (MiB(2) - 1)) && left >= MiB(2);

	l3 = pt_next(&idle_l4[PT_INDEX(va, L4_SHIFT)], flags);
	if (fit1g) {
		l3[PT_INDEX(va, L3_SHIFT)] = pa | leaf_flags(flags, true);
		*done = GiB(1);
		return 0;
	}
	l2 = pt_next(&l3[PT_INDEX(va, L3_SHIFT)], flags);
	if (!l2)
		return -ENOMEM;
	if (fit2m) {
		l2[PT_INDEX(va, L2_SHIFT)] = pa | leaf_flags(flags, true);
		*done = MiB(2);
		return 0;
	}
	l1 = pt_next(&l2[PT_INDEX(va, L2_SHIFT)], flags);
	if (!l1)
		return -ENOMEM;
	l1[PT_INDEX(va, L1_SHIFT)] = pa | leaf_flags(flags, false);
	*done = PAGE_SIZE;
	return 0;
}

/**
 * map_pages - map [pa, pa+size) at va in the hypervisor's range.
 * Returns 0 or -ENOMEM when page-table pages run out (the range may then be
 * partly mapped). Only for addresses in L4 slots 256..271.
 */
int map_pages(u64 va, paddr_t pa, u64 size, u64 flags)
{
	u64 f = spin_lock_irqsave(&map_lock);
	int rc = 0;

	ASSERT(va >= HV_RESERVED_START && va + size <= HV_RESERVED_END);
	/* W^X: the image's text (paging_protect_image) is all that runs. */
	ASSERT(flags & _PAGE_NX);
	while (size && !rc) {
		u64 done = 0;
		rc = map_one(va, pa, size, flags, &done);
		va += done;
		pa += done;
		size -= done;
	}
	spin_unlock_irqrestore(&map_lock, f);
	flush_tlb_local();
	return rc;
}

void flush_tlb_local(void)
{
	u64 cr4 = read_cr4();

	/* Toggling PGE flushes global entries too. */
	write_cr4(cr4 & ~X86_CR4_PGE);
	write_cr4(cr4);
	write_cr3(read_cr3());
}

void paging_early_init(void)
{
	u32 a, b, c, d;
	u64 *l3_hv = boot_l3_hv;

	cpuid(0x80000001, &a, &b, &c, &d);
	have_1g_pages = d & (1U << 26);
	/* Pre-allocate the L3 of every hypervisor slot (see above). */
	for (unsigned int s = HV_FIRST_L4_SLOT; s <= HV_LAST_L4_SLOT; s++) {
		if (idle_l4[s] & _PAGE_PRESENT)
			continue;
		void *p = pt_page_alloc();
		BUG_ON(!p);
		idle_l4[s] = __pa(p) | PAGE_TABLE_FLAGS;
	}
	(void)l3_hv;
	if (read_cr4() & X86_CR4_PGE)
		return;
	write_cr4(read_cr4() | X86_CR4_PGE);
}

/* Map RAM [start, end) into the direct map. */
int directmap_add(paddr_t start, paddr_t end)
{
	int rc;

	start = ALIGN_DOWN(start, PAGE_SIZE);
	end = ALIGN_UP(end, PAGE_SIZE);
	if (end <= start)
		return 0;
	if (end > DIRECTMAP_VIRT_END - DIRECTMAP_VIRT_START)
		return -ERANGE;
	rc = map_pages(DIRECTMAP_VIRT_START + start, start, end - start,
		       PAGE_HYPERVISOR | _PAGE_GLOBAL | _PAGE_NX);
	return rc;
}

void directmap_done(void)
{
	have_directmap = true;
}

/* Map physical memory that is not in the direct map (firmware, MMIO). */
void *vmap_phys(paddr_t pa, u64 size, u64 flags)
{
	paddr_t base = ALIGN_DOWN(pa, PAGE_SIZE);
	u64 len = ALIGN_UP(pa + size, PAGE_SIZE) - base;
	u64 va;
	u64 f = spin_lock_irqsave(&map_lock);

	va = vmap_next;
	vmap_next += len + PAGE_SIZE; /* leave an unmapped guard page */
	spin_unlock_irqrestore(&map_lock, f);
	if (vmap_next > VMAP_VIRT_END)
		return NULL;
	/* 4 KiB pages only: keep big pages from covering neighbours. */
	for (u64 off = 0; off < len; off += PAGE_SIZE)
		if (map_pages(va + off, base + off, PAGE_SIZE, flags))
			return NULL;
	return (void *)(va + (pa - base));
}

/* Device memory for the hypervisor's own use: never domain 0's. */
void *ioremap(paddr_t pa, u64 size)
{
	iomem_reserve(pa, size);
	return vmap_phys(pa, size, PAGE_HYPERVISOR_UC | _PAGE_NX);
}

extern char _erodata[], _ssymbols[];

/* The permissions of the image page at va (W^X). */
static u64 image_page_flags(u64 va)
{
	u64 f = _PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_GLOBAL;

	if (va < (u64)_etext)
		return f; /* text: read, execute */
	if (va < (u64)_erodata || (va >= (u64)_ssymbols && va < (u64)_edata))
		return leaf_flags(f | _PAGE_NX, false);
	return leaf_flags(f | _PAGE_RW | _PAGE_DIRTY | _PAGE_NX, false);
}

/*
 * Replace the boot mapping of the image (2 MiB pages, read-write-execute,
 * over the image's first GiB) by 4 KiB pages of the image alone with each
 * part's permissions. Runs on the boot CPU before the others start; the
 * direct map must be up (the image's code and data are reached at their
 * usual addresses throughout: only permissions change).
 */
void paging_protect_image(void)
{
	u64 *l2 = pt_page_alloc(), *l1 = NULL;

	BUG_ON(!l2 || !have_directmap);
	for (u64 va = (u64)_start_image; va < (u64)_end; va += PAGE_SIZE) {
		u64 *l2e = &l2[PT_INDEX(va, L2_SHIFT)];

		if (!(*l2e & _PAGE_PRESENT)) {
			l1 = pt_page_alloc();
			BUG_ON(!l1);
			*l2e = __pa(l1) | PAGE_TABLE_FLAGS;
		}
		l1 = __va(*l2e & PTE_ADDR_MASK);
		l1[PT_INDEX(va, L1_SHIFT)] =
		    __pa((void *)va) | image_page_flags(va);
	}
	boot_l3_hv[PT_INDEX(HV_VIRT_START, L3_SHIFT)] =
	    __pa(l2) | PAGE_TABLE_FLAGS;
	flush_tlb_local();
	if (!cpu_has_nx)
		pr_warn("Image: no NX on this CPU: data stays executable\n");
	printk("Image: text %lu KiB read-only executable, %lu KiB read-only, "
	       "the rest not executable\n",
	       ((u64)_etext - (u64)_start_image) >> 10,
	       ((u64)_erodata - (u64)_etext + (u64)_edata - (u64)_ssymbols) >>
		   10);
}

/*
 * Make *e, a large-page entry (2 MiB or 1 GiB, span bytes), point to a
 * table of the next level mapping the same memory with the same flags.
 */
static int split_large(u64 *e, u64 span)
{
	u64 *t = pt_page_alloc(), sub = span / 512;
	u64 base = *e & PTE_ADDR_MASK & ~(span - 1);
	u64 flags = *e & ~PTE_ADDR_MASK & ~_PAGE_PSE;

	if (!t)
		return -ENOMEM;
	for (unsigned int i = 0; i < 512; i++)
		t[i] = (base + i * sub) | flags |
		       (sub > PAGE_SIZE ? _PAGE_PSE : 0);
	*e = __pa(t) | PAGE_TABLE_FLAGS;
	return 0;
}

/* The 4 KiB entry of the direct map at va, splitting large pages. */
static u64 *directmap_pte(u64 va)
{
	u64 *e = &idle_l4[PT_INDEX(va, L4_SHIFT)];

	for (unsigned int shift = L3_SHIFT; shift >= L1_SHIFT; shift -= 9) {
		/* *e points to the table of this level. */
		if (!(*e & _PAGE_PRESENT))
			return NULL;
		e = &pt_from_entry(*e)[PT_INDEX(va, shift)];
		if (shift > L1_SHIFT && (*e & _PAGE_PSE) &&
		    split_large(e, 1UL << shift))
			return NULL;
	}
	return *e & _PAGE_PRESENT ? e : NULL;
}

/*
 * The direct map's alias of the image's text and read-only data becomes
 * read-only too, so that no mapping of the text is writable. Runs once the
 * last SYSCALL stub has been written through it (all CPUs are up); the
 * caller flushes every CPU's TLB.
 */
void paging_protect_image_alias(void)
{
	u64 f = spin_lock_irqsave(&map_lock);
	paddr_t pa;

	for (pa = __pa(_start_image); pa < __pa(_erodata); pa += PAGE_SIZE) {
		u64 *pte = directmap_pte((u64)__va(pa));

		BUG_ON(!pte);
		*pte &= ~_PAGE_RW;
	}
	spin_unlock_irqrestore(&map_lock, f);
	flush_tlb_local();
}

void paging_drop_identity(void)
{
	idle_l4[0] = 0;
	flush_tlb_local();
}

/* The L1 entry mapping va (4 KiB mapping in the hypervisor's range). */
u64 *hv_pte(u64 va)
{
	u64 e = idle_l4[PT_INDEX(va, L4_SHIFT)];

	for (unsigned int shift = L3_SHIFT; shift >= L2_SHIFT; shift -= 9) {
		if (!(e & _PAGE_PRESENT) || (e & _PAGE_PSE))
			return NULL;
		e = pt_from_entry(e)[PT_INDEX(va, shift)];
	}
	if (!(e & _PAGE_PRESENT) || (e & _PAGE_PSE))
		return NULL;
	return &pt_from_entry(e)[PT_INDEX(va, L1_SHIFT)];
}
