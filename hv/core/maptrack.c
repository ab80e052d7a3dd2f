/* Growable maptrack (see maptrack.h). */
#include "lib.h"
#include "maptrack.h"
#include "mm.h"
#include "xmalloc.h"

int maptrack_init(struct maptrack *mt, unsigned int max_pages)
{
	mt->pages = xzalloc(max_pages * sizeof(*mt->pages));
	mt->nr_pages = 0;
	mt->max_pages = max_pages;
	mt->free_head = MAPTRACK_NONE;
	return mt->pages ? 0 : -ENOMEM;
}

void maptrack_destroy(struct maptrack *mt)
{
	for (unsigned int i = 0; i < mt->nr_pages; i++)
		free_page(mt->pages[i]);
	xfree(mt->pages);
	mt->pages = NULL;
	mt->nr_pages = 0;
	mt->free_head = MAPTRACK_NONE;
}

struct maptrack_entry *maptrack_entry(struct maptrack *mt, u32 h)
{
	if (h >= maptrack_limit(mt))
		return NULL;
	return &mt->pages[h / MAPTRACK_PER_PAGE][h % MAPTRACK_PER_PAGE];
}

/* Add a page of free entries, threaded in handle order. */
static bool grow(struct maptrack *mt)
{
	struct maptrack_entry *p;
	u32 base = maptrack_limit(mt);

	if (mt->nr_pages >= mt->max_pages || !(p = alloc_page()))
		return false;
	memset(p, 0, PAGE_SIZE);
	for (u32 i = 0; i < MAPTRACK_PER_PAGE; i++)
		p[i].ref =
		    i + 1 < MAPTRACK_PER_PAGE ? base + i + 1 : mt->free_head;
	mt->pages[mt->nr_pages++] = p;
	mt->free_head = base;
	return true;
}

u32 maptrack_alloc(struct maptrack *mt)
{
	struct maptrack_entry *e;
	u32 h;

	if (mt->free_head == MAPTRACK_NONE && !grow(mt))
		return MAPTRACK_NONE;
	h = mt->free_head;
	e = maptrack_entry(mt, h);
	mt->free_head = e->ref;
	memset(e, 0, sizeof(*e));
	return h;
}

void maptrack_free(struct maptrack *mt, u32 h)
{
	struct maptrack_entry *e = maptrack_entry(mt, h);

	if (!e)
		return;
	memset(e, 0, sizeof(*e));
	e->ref = mt->free_head;
	mt->free_head = h;
}
