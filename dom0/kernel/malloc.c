/*
 * malloc for domain 0: power-of-two size classes carved from pages for
 * small blocks, whole pages for large ones. Each block is preceded by a
 * 16-byte header naming its class (or its page count) so free() needs no
 * size and can catch a pointer it never handed out.
 */
#include "kernel.h"

#define HDR 16
#define MIN_SHIFT 5 /* 32 bytes */
#define MAX_SHIFT 11 /* 2 KiB: larger goes to whole pages */
#define NCLASS (MAX_SHIFT - MIN_SHIFT + 1)
#define MAGIC_SMALL 0x5a11b10cU
#define MAGIC_LARGE 0x1a26eb10U

struct header {
	uint32_t magic;
	uint32_t size; /* class shift, or number of pages */
	uint64_t pad;
};

struct free_block {
	struct free_block *next;
};

static struct free_block *free_list[NCLASS];

static unsigned int class_of(size_t total)
{
	unsigned int s = MIN_SHIFT;

	while ((1UL << s) < total)
		s++;
	return s;
}

static bool refill(unsigned int shift)
{
	char *page = page_alloc();
	size_t sz = 1UL << shift;

	if (!page)
		return false;
	for (size_t off = 0; off + sz <= PAGE_SIZE; off += sz) {
		struct free_block *b = (struct free_block *)(page + off);
		b->next = free_list[shift - MIN_SHIFT];
		free_list[shift - MIN_SHIFT] = b;
	}
	return true;
}

void *malloc(size_t n)
{
	struct header *h;

	if (n > (1UL << 30))
		return NULL;
	if (n + HDR <= (1UL << MAX_SHIFT)) {
		unsigned int s = class_of(n + HDR);
		struct free_block **fl = &free_list[s - MIN_SHIFT];
		if (!*fl && !refill(s))
			return NULL;
		h = (struct header *)*fl;
		*fl = (*fl)->next;
		*h = (struct header){ MAGIC_SMALL, s, 0 };
	} else {
		size_t pages = (n + HDR + PAGE_SIZE - 1) / PAGE_SIZE;
		h = pages_alloc(pages);
		if (!h)
			return NULL;
		*h = (struct header){ MAGIC_LARGE, (uint32_t)pages, 0 };
	}
	return (char *)h + HDR;
}

static struct header *header_of(void *p)
{
	struct header *h = (struct header *)((char *)p - HDR);

	if (h->magic != MAGIC_SMALL && h->magic != MAGIC_LARGE)
		pv_panic("free/realloc of a bad pointer %p", p);
	return h;
}

static size_t usable(struct header *h)
{
	if (h->magic == MAGIC_SMALL)
		return (1UL << h->size) - HDR;
	return h->size * PAGE_SIZE - HDR;
}

void free(void *p)
{
	struct header *h;

	if (!p)
		return;
	h = header_of(p);
	if (h->magic == MAGIC_LARGE) {
		h->magic = 0;
		pages_free(h, h->size);
		return;
	}
	h->magic = 0;
	((struct free_block *)h)->next = free_list[h->size - MIN_SHIFT];
	free_list[h->size - MIN_SHIFT] = (struct free_block *)h;
}

void *calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > (1UL << 30) / size)
		return NULL;
	p = malloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void *realloc(void *p, size_t n)
{
	void *q;
	size_t have;

	if (!p)
		return malloc(n);
	have = usable(header_of(p));
	if (n <= have)
		return p;
	q = malloc(n);
	if (!q)
		return NULL;
	memcpy(q, p, have);
	free(p);
	return q;
}

char *strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);

	if (d)
		memcpy(d, s, n);
	return d;
}
