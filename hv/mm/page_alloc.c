/*
 * Boot-time memory setup and the frame allocator. At boot we map all RAM
 * into the direct map, place the frame table in RAM that nothing else
 * uses, and hand every usable frame to the buddy allocator: RAM from the
 * memory map minus low memory (firmware, AP trampoline), the hypervisor
 * image, the boot modules and the frame table itself.
 */
#include "bootinfo.h"
#include "buddy.h"
#include "lib.h"
#include "mm.h"
#include "page.h"
#include "perfc.h"
#include "spinlock.h"
#include "tlbflush.h"

#define LOW_MEMORY_END MiB(1)
#define MAX_RESERVED 24
#define SELFTEST_MARK 0x5e1fU

struct range {
	paddr_t start, end;
};

struct frame *frame_table;
mfn_t max_mfn;

static struct buddy buddy;
static DEFINE_SPINLOCK(buddy_lock);
static bool mm_up;
static struct range reserved[MAX_RESERVED];
static unsigned int nr_reserved;
static u64 frames_given; /* frames handed to the allocator at boot */
static const struct boot_info *boot_map;
static u64 usable_limit;

bool mm_ready(void)
{
	return mm_up;
}

static void reserve(paddr_t start, paddr_t end)
{
	BUG_ON(nr_reserved == MAX_RESERVED);
	reserved[nr_reserved].start = ALIGN_DOWN(start, PAGE_SIZE);
	reserved[nr_reserved].end = ALIGN_UP(end, PAGE_SIZE);
	nr_reserved++;
}

static bool overlaps_reserved(paddr_t start, paddr_t end)
{
	for (unsigned int i = 0; i < nr_reserved; i++)
		if (start < reserved[i].end && reserved[i].start < end)
			return true;
	return false;
}

static bool in_reserved(paddr_t pa)
{
	return overlaps_reserved(pa, pa + 1);
}

/* End of the reserved range containing pa, or 0 if pa is not reserved. */
static paddr_t reserved_end(paddr_t pa)
{
	for (unsigned int i = 0; i < nr_reserved; i++)
		if (pa >= reserved[i].start && pa < reserved[i].end)
			return reserved[i].end;
	return 0;
}

/* Start of the first reserved range above pa, or limit. */
static paddr_t next_reserved(paddr_t pa, paddr_t limit)
{
	for (unsigned int i = 0; i < nr_reserved; i++)
		if (reserved[i].start > pa && reserved[i].start < limit)
			limit = reserved[i].start;
	return limit;
}

/* Usable RAM regions, clipped to mem=. Returns false past the last one. */
static bool ram_region(unsigned int i, paddr_t *start, paddr_t *end)
{
	const struct boot_mem_region *r = &boot_map->mem[i];

	if (r->type != 1)
		return false;
	*start = ALIGN_UP(r->start, PAGE_SIZE);
	*end = ALIGN_DOWN(MIN(r->start + r->len, usable_limit), PAGE_SIZE);
	return *end > *start;
}

/* Lowest page-aligned RAM range of size bytes that overlaps nothing. */
static paddr_t find_free_ram(u64 size)
{
	for (unsigned int i = 0; i < boot_map->nr_mem; i++) {
		paddr_t s, e;
		if (!ram_region(i, &s, &e))
			continue;
		for (paddr_t p = MAX(s, LOW_MEMORY_END); p + size <= e;
		     p += PAGE_SIZE) {
			if (!overlaps_reserved(p, p + size))
				return p;
		}
	}
	return 0;
}

/* Give [start, end) minus the reserved ranges to the allocator. */
static void add_free_range(paddr_t start, paddr_t end)
{
	paddr_t p = start;

	while (p < end) {
		paddr_t q, skip = reserved_end(p);
		if (skip) {
			p = skip;
			continue;
		}
		q = next_reserved(p, end);
		buddy_add_range(&buddy, p >> PAGE_SHIFT, (q - p) >> PAGE_SHIFT);
		frames_given += (q - p) >> PAGE_SHIFT;
		p = q;
	}
}

static void map_all_ram(void)
{
	paddr_t top = 0;

	for (unsigned int i = 0; i < boot_map->nr_mem; i++) {
		paddr_t s, e;
		if (!ram_region(i, &s, &e))
			continue;
		if (directmap_add(s, e))
			panic(
			    "cannot map RAM %#lx-%#lx: out of boot page tables",
			    s, e);
		top = MAX(top, e);
	}
	directmap_done();
	max_mfn = top >> PAGE_SHIFT;
}

void mm_init(const struct boot_info *bi, u64 mem_limit)
{
	u64 ft_bytes;
	paddr_t ft;

	boot_map = bi;
	usable_limit = mem_limit ? mem_limit : ~0UL;
	map_all_ram();

	reserve(0, LOW_MEMORY_END);
	reserve(image_start_paddr(), image_end_paddr());
	for (unsigned int i = 0; i < bi->nr_mod; i++)
		reserve(bi->mod[i].start, bi->mod[i].end);

	ft_bytes = ALIGN_UP(max_mfn * sizeof(struct frame), PAGE_SIZE);
	ft = find_free_ram(ft_bytes);
	if (!ft)
		panic("no room for a %lu KiB frame table", ft_bytes >> 10);
	reserve(ft, ft + ft_bytes);
	frame_table = __va(ft);

	buddy_init(&buddy, frame_table, 0, max_mfn);
	for (unsigned int i = 0; i < bi->nr_mem; i++) {
		paddr_t s, e;
		if (!ram_region(i, &s, &e))
			continue;
		for (paddr_t p = s; p < e; p += PAGE_SIZE)
			frame_table[p >> PAGE_SHIFT].attrs |= FRAME_ATTR_RAM;
		add_free_range(s, e);
	}
	mm_up = true;
	printk("mm: %lu MiB RAM in the frame allocator, frame table %lu KiB at "
	       "%#lx\n",
	       frames_given >> 8, ft_bytes >> 10, ft);
}

/*
 * A freed frame may still be reachable through stale TLB entries on a CPU
 * that mapped it (a guest can unmap without asking for a flush): free
 * stamps it with the flush clock, and a block is handed out again only
 * once every CPU that may hold such an entry has reloaded CR3. That may
 * wait for other CPUs: do not allocate under a lock that others take with
 * interrupts off (xmalloc allocates outside its heap lock; map_pages runs
 * under one only at boot, before any CPU runs a guest and needs a flush).
 */
static mfn_t flushed_block(int rc, mfn_t mfn, unsigned int order)
{
	u64 stamp = 0;

	if (rc)
		return INVALID_MFN;
	for (u64 i = 0; i < (1UL << order); i++) {
		u64 s = mfn_to_frame(mfn + i)->tlb_stamp;

		stamp = s > stamp ? s : stamp;
	}
	if (stamp) {
		perfc_incr(PERFC_alloc_flush);
		flush_tlbs_since(stamp);
	}
	return mfn;
}

mfn_t alloc_frames(unsigned int order)
{
	mfn_t mfn;
	u64 f = spin_lock_irqsave(&buddy_lock);
	int rc = buddy_alloc(&buddy, order, &mfn);

	spin_unlock_irqrestore(&buddy_lock, f);
	return flushed_block(rc, mfn, order);
}

mfn_t alloc_frames_below(unsigned int order, mfn_t limit)
{
	mfn_t mfn;
	u64 f = spin_lock_irqsave(&buddy_lock);
	int rc = buddy_alloc_below(&buddy, order, limit, &mfn);

	spin_unlock_irqrestore(&buddy_lock, f);
	return flushed_block(rc, mfn, order);
}

void free_frames(mfn_t mfn, unsigned int order)
{
	u64 now = tlb_clock_now();

	for (u64 i = 0; i < (1UL << order); i++)
		mfn_to_frame(mfn + i)->tlb_stamp = now;
	u64 f = spin_lock_irqsave(&buddy_lock);
	int rc = buddy_free(&buddy, mfn, order);

	spin_unlock_irqrestore(&buddy_lock, f);
	if (rc)
		panic("free of frame %#lx order %u refused (%d)", mfn, order,
		      rc);
}

void *alloc_page(void)
{
	mfn_t mfn = alloc_frames(0);
	return mfn == INVALID_MFN ? NULL : __va(mfn << PAGE_SHIFT);
}

void free_page(void *va)
{
	free_frames(__pa(va) >> PAGE_SHIFT, 0);
}

u64 mm_free_frames(void)
{
	return buddy.nr_free;
}

u64 mm_total_frames(void)
{
	return frames_given;
}

static bool frame_is_usable_ram(mfn_t mfn)
{
	paddr_t pa = mfn << PAGE_SHIFT;

	for (unsigned int i = 0; i < boot_map->nr_mem; i++) {
		paddr_t s, e;
		if (ram_region(i, &s, &e) && pa >= s && pa < e)
			return !in_reserved(pa);
	}
	return false;
}

/*
 * Take every free frame one at a time and check each is usable RAM, handed
 * out once, and that the count matches what boot gave the allocator; then
 * return them and check the allocator's invariants.
 */
static void selftest_exhaustive(void)
{
	u64 got = 0, bad = 0, dup = 0, before = buddy.nr_free, expected = 0;
	mfn_t mfn;
	char why[96] = "";

	/* What the memory map says is free, counted frame by frame. */
	for (mfn = 0; mfn < max_mfn; mfn++)
		expected += frame_is_usable_ram(mfn);

	while ((mfn = alloc_frames(0)) != INVALID_MFN) {
		struct frame *fr = &frame_table[mfn];
		if (fr->mark == SELFTEST_MARK)
			dup++;
		if (!frame_is_usable_ram(mfn))
			bad++;
		fr->mark = SELFTEST_MARK;
		got++;
	}
	for (mfn = 0; mfn < max_mfn; mfn++) {
		if (frame_table[mfn].mark == SELFTEST_MARK) {
			frame_table[mfn].mark = 0;
			free_frames(mfn, 0);
		}
	}
	printk("selftest: allocator gave %lu frames, memory map has %lu free, "
	       "%lu duplicate, %lu outside usable RAM\n",
	       got, expected, dup, bad);
	if (got != expected || dup || bad || buddy.nr_free != before ||
	    buddy_check(&buddy, why, sizeof(why)))
		panic("selftest: allocator FAILED (%s)", why);
	printk("selftest: allocator exhaustive: ok\n");
}

/* Quick check run at every boot: blocks of each order, aligned, returned. */
static void selftest_quick(void)
{
	mfn_t got[8];
	u64 before = buddy.nr_free;
	char why[96] = "";

	for (unsigned int o = 0; o < ARRAY_SIZE(got); o++) {
		got[o] = alloc_frames(o);
		if (got[o] == INVALID_MFN || (got[o] & ((1UL << o) - 1)) ||
		    !frame_is_usable_ram(got[o]))
			panic("selftest: bad block %#lx of order %u", got[o],
			      o);
	}
	for (unsigned int o = 0; o < ARRAY_SIZE(got); o++)
		free_frames(got[o], o);
	if (buddy.nr_free != before || buddy_check(&buddy, why, sizeof(why)))
		panic("selftest: allocator inconsistent (%s)", why);
}

void mm_selftest(bool exhaustive)
{
	selftest_quick();
	if (exhaustive)
		selftest_exhaustive();
}
