/*
 * The hypervisor heap. Objects up to 2 KiB come from per-size-class free
 * lists carved out of whole frames; larger ones get their own power-of-two
 * block of frames. Every object is preceded by a 16-byte header naming its
 * class (or block order) so xfree needs no size.
 */
#include "lib.h"
#include "mm.h"
#include "page.h"
#include "spinlock.h"
#include "xmalloc.h"

#define HDR 16
#define MIN_CLASS 5  /* 32 bytes */
#define MAX_CLASS 11 /* 2048 bytes */
#define MAGIC_SMALL 0x5ea1UL
#define MAGIC_LARGE 0x1a46eUL

struct header {
	u64 magic;
	u64 class_or_order;
};

struct free_obj {
	struct free_obj *next;
};

static struct free_obj *free_lists[MAX_CLASS + 1];
static DEFINE_SPINLOCK(heap_lock);

static unsigned int class_for(size_t total)
{
	unsigned int c = MIN_CLASS;
	while ((1UL << c) < total)
		c++;
	return c;
}

/*
 * Carve a fresh frame into objects of one class. Lock held; the frame was
 * allocated before taking it (the allocator may wait for other CPUs to
 * flush their TLBs, which needs interrupts on).
 */
static void refill(unsigned int c, u8 *page)
{
	for (size_t off = 0; off + (1UL << c) <= PAGE_SIZE; off += 1UL << c) {
		struct free_obj *o = (struct free_obj *)(page + off);
		o->next = free_lists[c];
		free_lists[c] = o;
	}
}

static void *alloc_small(unsigned int c)
{
	struct header *h = NULL;
	u8 *spare = NULL;
	u64 f = spin_lock_irqsave(&heap_lock);

	while (!free_lists[c]) {
		if (spare) {
			refill(c, spare);
			spare = NULL;
			break;
		}
		spin_unlock_irqrestore(&heap_lock, f);
		spare = alloc_page();
		if (!spare)
			return NULL;
		f = spin_lock_irqsave(&heap_lock);
	}
	h = (struct header *)free_lists[c];
	free_lists[c] = free_lists[c]->next;
	spin_unlock_irqrestore(&heap_lock, f);
	if (spare) /* another CPU refilled the class meanwhile */
		free_page(spare);
	h->magic = MAGIC_SMALL;
	h->class_or_order = c;
	return (u8 *)h + HDR;
}

static void *alloc_large(size_t total)
{
	unsigned int order = 0;
	struct header *h;
	mfn_t mfn;

	while ((PAGE_SIZE << order) < total)
		order++;
	mfn = alloc_frames(order);
	if (mfn == INVALID_MFN)
		return NULL;
	h = __va(mfn << PAGE_SHIFT);
	h->magic = MAGIC_LARGE;
	h->class_or_order = order;
	return (u8 *)h + HDR;
}

void *xmalloc(size_t size)
{
	size_t total = size + HDR;

	if (size > GiB(1))
		return NULL;
	if (total <= (1UL << MAX_CLASS))
		return alloc_small(class_for(total));
	return alloc_large(total);
}

void *xzalloc(size_t size)
{
	void *p = xmalloc(size);
	if (p)
		memset(p, 0, size);
	return p;
}

void xfree(void *p)
{
	struct header *h;
	u64 f;

	if (!p)
		return;
	h = (struct header *)((u8 *)p - HDR);
	if (h->magic == MAGIC_LARGE) {
		h->magic = 0;
		free_frames(__pa(h) >> PAGE_SHIFT, h->class_or_order);
		return;
	}
	if (h->magic != MAGIC_SMALL || h->class_or_order > MAX_CLASS)
		panic("xfree: bad pointer %p", p);
	h->magic = 0;
	f = spin_lock_irqsave(&heap_lock);
	((struct free_obj *)h)->next = free_lists[h->class_or_order];
	free_lists[h->class_or_order] = (struct free_obj *)h;
	spin_unlock_irqrestore(&heap_lock, f);
}
