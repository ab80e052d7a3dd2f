/*
 * Domain 0's memory: every pseudo-physical frame is mapped at
 * virt_base + pfn * 4 KiB, as the builder maps the start-of-day region, so
 * a kernel address and its pfn convert by subtraction. The builder maps
 * only that region; mem_init extends the same mapping over the rest with
 * new L1 tables taken from the top of memory, plus a window of empty
 * slots for foreign and MMIO mappings.
 *
 * Invariant: a frame used as a page table is never mapped writable (the
 * hypervisor would refuse the table), so the new L1s are mapped read-only.
 */
#include <xen/memory.h>
#include "kernel.h"

#define PTE_P 0x001ULL
#define PTE_RW 0x002ULL
#define PTE_U 0x004ULL
#define PTE_PWT 0x008ULL
#define PTE_PCD 0x010ULL
#define PTE_A 0x020ULL
#define PTE_D 0x040ULL
#define PTE_NX (1ULL << 63)
#define PTE_ADDR 0x000ffffffffff000ULL
#define PTE_PAGE (PTE_P | PTE_RW | PTE_A | PTE_D)
#define PTE_TABLE (PTE_P | PTE_RW | PTE_U | PTE_A | PTE_D)

#define M2P ((const uint64_t *)0xffff800000000000UL)
#define ENTRIES 512
#define SPAN_PAGES 512 /* pages one L1 maps */
#define MAX_PAGES (1UL << 18) /* one L2: 1 GiB from virt_base */
#define WINDOW_PAGES 4096     /* 16 MiB of foreign/MMIO slots */
/*
 * Window entries changed per hypercall. The request arrays are static:
 * threads are cooperative and nothing here waits, and event handlers
 * never map.
 */
#define BATCH 256
static struct mmu_update batch_u[BATCH];
static struct mmuext_op batch_op[BATCH];

static uint64_t nr_pages;   /* frames mapped at virt_base + pfn */
static uint64_t first_free; /* first pfn after the start-of-day data */
static uint64_t window_pfn; /* first window slot, as a pfn-like index */
static uint64_t *l2_table;  /* the kernel's L2 (read-only view) */
static uint64_t l2_maddr;
static uint64_t window_l1_mfn[WINDOW_PAGES / SPAN_PAGES];
static uint8_t *used;	    /* one byte per pfn: allocated or reserved */
static uint8_t *window_used; /* one byte per window slot */
static size_t free_count;

static uint8_t scratch[4096] __attribute__((aligned(4096)));

static void *pfn_to_virt(uint64_t pfn)
{
	return (void *)(pv_virt_base() + pfn * PAGE_SIZE);
}

static uint64_t pfn_to_mfn(uint64_t pfn)
{
	return pv_p2m[pfn];
}

uint64_t virt_to_maddr(const void *va)
{
	uint64_t off = (uint64_t)va - pv_virt_base();

	return (pfn_to_mfn(off >> 12) << 12) | (off & 4095);
}

/* A table the builder made: mapped read-only inside the start region. */
static uint64_t *table_at(uint64_t entry)
{
	return pfn_to_virt(M2P[(entry & PTE_ADDR) >> 12]);
}

static void find_kernel_l2(void)
{
	uint64_t va = pv_virt_base();
	uint64_t *l4 = (uint64_t *)start_info->pt_base;
	uint64_t *l3 = table_at(l4[(va >> 39) & 511]);
	uint64_t l3e = l3[(va >> 30) & 511];

	l2_table = table_at(l3e);
	l2_maddr = l3e & PTE_ADDR;
}

static void must(long rc, const char *what)
{
	if (rc)
		pv_panic("dom0 memory: %s failed: %ld", what, rc);
}

/* Fill the frame mfn with entries[] through the scratch mapping. */
static void write_frame(uint64_t mfn, const uint64_t *entries)
{
	uint64_t self = virt_to_maddr(scratch) | PTE_PAGE | PTE_NX;

	must(HYPERVISOR_update_va_mapping((uint64_t)scratch,
					  (mfn << 12) | PTE_PAGE | PTE_NX,
					  UVMF_INVLPG),
	     "scratch map");
	memcpy(scratch, entries, PAGE_SIZE);
	must(HYPERVISOR_update_va_mapping((uint64_t)scratch, self,
					  UVMF_INVLPG),
	     "scratch unmap");
}

static void set_l2_entry(unsigned int idx, uint64_t l1_mfn)
{
	struct mmu_update u = { l2_maddr + idx * 8,
				(l1_mfn << 12) | PTE_TABLE };

	must(HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF), "L2 update");
}

/* One new L1 for 512 slots from first; table frames are read-only. */
static void install_l1(uint64_t l1_pfn, uint64_t first, uint64_t ro_from,
		       bool empty)
{
	static uint64_t e[ENTRIES];

	for (unsigned int i = 0; i < ENTRIES; i++) {
		uint64_t pfn = first + i;
		e[i] = 0;
		if (empty || pfn >= nr_pages)
			continue;
		e[i] = (pfn_to_mfn(pfn) << 12) | PTE_PAGE;
		if (pfn >= ro_from)
			e[i] &= ~PTE_RW;
	}
	write_frame(pfn_to_mfn(l1_pfn), e);
	set_l2_entry((unsigned int)(first / SPAN_PAGES), pfn_to_mfn(l1_pfn));
}

static uint64_t mapped_pages(void)
{
	unsigned int n = 0;

	while (n < ENTRIES && (l2_table[n] & PTE_P))
		n++;
	return (uint64_t)n * SPAN_PAGES;
}

static void mark_used(uint64_t from, uint64_t to)
{
	for (uint64_t p = from; p < to; p++)
		if (!used[p]) {
			used[p] = 1;
			free_count--;
		}
}

/*
 * The start-of-day data ends with the page tables and one stack page
 * (Xen's builder order); everything after it in the region is free.
 */
static uint64_t start_of_free(void)
{
	uint64_t pt_pfn = (start_info->pt_base - pv_virt_base()) >> 12;

	return pt_pfn + start_info->nr_pt_frames + 1;
}

void mem_init(void)
{
	uint64_t mapped, tables, ro_from, pfn;
	unsigned int nwin = WINDOW_PAGES / SPAN_PAGES;

	find_kernel_l2();
	mapped = mapped_pages();
	nr_pages = start_info->nr_pages;
	window_pfn = MAX_PAGES - WINDOW_PAGES;
	if (nr_pages > window_pfn) {
		printf("dom0: using %lu of %lu MiB (kernel map limit)\n",
		       window_pfn >> 8, nr_pages >> 8);
		nr_pages = window_pfn;
	}
	tables = (nr_pages > mapped ?
			  (nr_pages - mapped + SPAN_PAGES - 1) / SPAN_PAGES :
			  0) +
		 nwin;
	ro_from = nr_pages - tables;
	for (pfn = ro_from; pfn < mapped && pfn < nr_pages; pfn++)
		must(HYPERVISOR_update_va_mapping(
			     (uint64_t)pfn_to_virt(pfn),
			     (pfn_to_mfn(pfn) << 12) | PTE_P | PTE_A | PTE_NX,
			     UVMF_INVLPG),
		     "read-only table map");
	for (uint64_t first = mapped; first < nr_pages; first += SPAN_PAGES)
		install_l1(ro_from + (first - mapped) / SPAN_PAGES, first,
			   ro_from, false);
	for (unsigned int i = 0; i < nwin; i++) {
		pfn = nr_pages - nwin + i;
		window_l1_mfn[i] = pfn_to_mfn(pfn);
		install_l1(pfn, window_pfn + (uint64_t)i * SPAN_PAGES, 0, true);
	}
	/* Bookkeeping lives in the first free frames. */
	first_free = start_of_free();
	used = pfn_to_virt(first_free);
	window_used = used + nr_pages;
	free_count = nr_pages;
	memset(used, 0, nr_pages + WINDOW_PAGES);
	mark_used(0, first_free +
			     (nr_pages + WINDOW_PAGES + PAGE_SIZE - 1) /
				     PAGE_SIZE);
	mark_used(ro_from, nr_pages);
	/* The initrd (boot bundle) stays where the builder put it. */
	if (start_info->mod_len) {
		uint64_t s = (start_info->mod_start - pv_virt_base()) >> 12;
		mark_used(s, s + (start_info->mod_len + PAGE_SIZE - 1) /
					 PAGE_SIZE);
	}
}

size_t mem_free_pages(void)
{
	return free_count;
}

size_t mem_total_pages(void)
{
	return nr_pages;
}

/* First fit from a rotating hint; callers are threads (no locking). */
void *pages_alloc(size_t n)
{
	static uint64_t hint;
	uint64_t run = 0;

	if (!n || n > free_count)
		return NULL;
	for (uint64_t i = 0; i < 2 * nr_pages; i++) {
		uint64_t p = (hint + i) % nr_pages;
		if (p == 0)
			run = 0;
		if (used[p]) {
			run = 0;
			continue;
		}
		if (++run == n) {
			uint64_t first = p + 1 - n;
			mark_used(first, p + 1);
			hint = p + 1;
			memset(pfn_to_virt(first), 0, n * PAGE_SIZE);
			return pfn_to_virt(first);
		}
	}
	return NULL;
}

void pages_free(void *va, size_t n)
{
	uint64_t pfn = ((uint64_t)va - pv_virt_base()) >> 12;

	for (size_t i = 0; i < n; i++) {
		if (pfn + i >= nr_pages || !used[pfn + i])
			pv_panic("pages_free: bad page %p", va);
		used[pfn + i] = 0;
		free_count++;
	}
}

void *page_alloc(void)
{
	return pages_alloc(1);
}

void page_free(void *p)
{
	pages_free(p, 1);
}

/* --- The window ------------------------------------------------------ */

static long window_alloc(size_t n)
{
	size_t run = 0;

	for (size_t i = 0; i < WINDOW_PAGES; i++) {
		run = window_used[i] ? 0 : run + 1;
		if (run == n) {
			memset(window_used + i + 1 - n, 1, n);
			return (long)(i + 1 - n);
		}
	}
	return -1;
}

static void *slot_va(size_t slot)
{
	return pfn_to_virt(window_pfn + slot);
}

/* Machine address of the window entry for slot. */
static uint64_t slot_pte(size_t slot)
{
	return (window_l1_mfn[slot / SPAN_PAGES] << 12) +
	       (slot % SPAN_PAGES) * 8;
}

static long set_slot(size_t slot, uint64_t pte, uint16_t dom)
{
	struct mmu_update u = { slot_pte(slot), pte };
	long rc = HYPERVISOR_mmu_update(&u, 1, NULL, dom);
	struct mmuext_op op = { .cmd = MMUEXT_INVLPG_LOCAL };

	op.arg1.linear_addr = (uint64_t)slot_va(slot);
	if (!rc && !pte)
		rc = HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
	return rc;
}

void *map_foreign_page(uint16_t domid, uint64_t mfn, bool writable, int *err)
{
	long slot = window_alloc(1);
	uint64_t pte = (mfn << 12) | PTE_P | PTE_A | PTE_NX |
		       (writable ? PTE_RW | PTE_D : 0);
	long rc;

	if (slot < 0) {
		*err = -12; /* ENOMEM */
		return NULL;
	}
	rc = set_slot((size_t)slot, pte, domid);
	if (rc) {
		window_used[slot] = 0;
		*err = (int)rc;
		return NULL;
	}
	return slot_va((size_t)slot);
}

void *map_mmio(uint64_t maddr, size_t len, int *err)
{
	size_t n = ((maddr & 4095) + len + PAGE_SIZE - 1) / PAGE_SIZE;
	long slot = window_alloc(n);

	if (slot < 0) {
		*err = -12;
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t pte = ((maddr & PTE_ADDR) + i * PAGE_SIZE) | PTE_PAGE |
			       PTE_PCD | PTE_PWT | PTE_NX;
		long rc = set_slot((size_t)slot + i, pte, DOMID_SELF);
		if (rc) {
			unmap_window(slot_va((size_t)slot), i * PAGE_SIZE);
			memset(window_used + slot + i, 0, n - i);
			*err = (int)rc;
			return NULL;
		}
	}
	return (char *)slot_va((size_t)slot) + (maddr & 4095);
}

/* Clear n slots from slot with one mmu_update per batch, then flush. */
static long clear_slots(size_t slot, size_t n)
{
	struct mmu_update *u = batch_u;
	struct mmuext_op *op = batch_op;
	long rc = 0;

	for (size_t done = 0; done < n && !rc;) {
		size_t k = n - done < BATCH ? n - done : BATCH;

		for (size_t i = 0; i < k; i++)
			u[i] = (struct mmu_update){ slot_pte(slot + done + i),
						    0 };
		rc = HYPERVISOR_mmu_update(u, (unsigned int)k, NULL,
					   DOMID_SELF);
		done += k;
	}
	if (rc)
		return rc;
	/* A few pages: invalidate each; more: the whole TLB is cheaper. */
	if (n > BATCH) {
		op[0] = (struct mmuext_op){ .cmd = MMUEXT_TLB_FLUSH_LOCAL };
		return HYPERVISOR_mmuext_op(op, 1, NULL, DOMID_SELF);
	}
	for (size_t i = 0; i < n; i++) {
		op[i] = (struct mmuext_op){ .cmd = MMUEXT_INVLPG_LOCAL };
		op[i].arg1.linear_addr = (uint64_t)slot_va(slot + i);
	}
	return HYPERVISOR_mmuext_op(op, (unsigned int)n, NULL, DOMID_SELF);
}

void unmap_window(void *va, size_t len)
{
	uint64_t base = (uint64_t)va & ~4095UL;
	size_t n = (((uint64_t)va & 4095) + len + PAGE_SIZE - 1) / PAGE_SIZE;
	size_t slot = (base - (uint64_t)slot_va(0)) / PAGE_SIZE;

	if (slot >= WINDOW_PAGES)
		pv_panic("unmap_window: %p is not in the window", va);
	if (n > WINDOW_PAGES - slot)
		n = WINDOW_PAGES - slot;
	if (clear_slots(slot, n))
		pv_panic("unmap_window: cannot clear slots %lu+%lu", slot, n);
	memset(window_used + slot, 0, n);
}

/*
 * Slots for the hypervisor to fill (grant mappings, gnttab.c): reserved
 * here, their entries written by GNTTABOP_map_grant_ref and cleared by
 * the unmap, so releasing them only marks them free.
 */
void *window_reserve(size_t n, int *err)
{
	long slot = n ? window_alloc(n) : -1;

	if (slot < 0) {
		*err = -12; /* ENOMEM */
		return NULL;
	}
	return slot_va((size_t)slot);
}

void window_release(void *va, size_t n)
{
	size_t slot = ((uint64_t)va - (uint64_t)slot_va(0)) / PAGE_SIZE;

	if (slot >= WINDOW_PAGES || n > WINDOW_PAGES - slot)
		pv_panic("window_release: %p+%lu is not in the window", va, n);
	memset(window_used + slot, 0, n);
}

/*
 * n frames of domain domid at consecutive slots: one mmu_update per
 * batch of frames instead of one per frame (the builder maps hundreds).
 */
void *map_foreign_pages(uint16_t domid, const uint64_t *mfns, size_t n,
			bool writable, int *err)
{
	struct mmu_update *u = batch_u;
	uint64_t flags = PTE_P | PTE_A | PTE_NX | (writable ? PTE_RW | PTE_D : 0);
	long slot = n ? window_alloc(n) : -1;
	size_t done = 0;
	long rc = 0;

	if (slot < 0) {
		*err = -12; /* ENOMEM */
		return NULL;
	}
	while (done < n && !rc) {
		size_t k = n - done < BATCH ? n - done : BATCH;

		for (size_t i = 0; i < k; i++)
			u[i] = (struct mmu_update){
				slot_pte((size_t)slot + done + i),
				(mfns[done + i] << 12) | flags
			};
		rc = HYPERVISOR_mmu_update(u, (unsigned int)k, NULL, domid);
		if (!rc)
			done += k;
	}
	if (rc) {
		/* Entries before the refused one were installed. */
		unmap_window(slot_va((size_t)slot), n * PAGE_SIZE);
		*err = (int)rc;
		return NULL;
	}
	return slot_va((size_t)slot);
}
