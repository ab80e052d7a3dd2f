/*
 * A grantee's maptrack: one entry per grant mapping it holds, named by a
 * handle (the index). Entries live in pages added on demand, up to a
 * per-domain limit (Xen's default max_maptrack_frames), so a back end
 * can map thousands of grants while an idle domain keeps one page.
 * Free entries form a list threaded through their ref fields. The
 * owner's grant-table lock protects it all.
 */
#ifndef XENOLITH_MAPTRACK_H
#define XENOLITH_MAPTRACK_H

#include "types.h"
#include <xen/grant_table.h>

#define MAPTRACK_MAX_FRAMES 1024 /* Xen 4.17's max_maptrack_frames */
#define MAPTRACK_NONE 0xffffffffU

struct maptrack_entry {
	u64 serial; /* the granter's table instance (grant.c) */
	u64 mfn; /* granted frame */
	u64 l1; /* where the host PTE is, if host_map */
	grant_ref_t ref; /* the granter's ref; next free handle if free */
	u16 l1_index;
	domid_t dom; /* the granter */
	u8 flags; /* GNTMAP_* still mapped; 0 while free */
};

#define MAPTRACK_PER_PAGE (PAGE_SIZE / sizeof(struct maptrack_entry))

struct maptrack {
	struct maptrack_entry **pages; /* max_pages slots */
	unsigned int nr_pages, max_pages;
	u32 free_head; /* MAPTRACK_NONE: every entry in use */
};

int maptrack_init(struct maptrack *mt, unsigned int max_pages);
void maptrack_destroy(struct maptrack *mt);
/* Handles below this may name an entry (used or free). */
static inline u32 maptrack_limit(const struct maptrack *mt)
{
	return mt->nr_pages * MAPTRACK_PER_PAGE;
}
/* The entry of handle h, or NULL beyond the limit. */
struct maptrack_entry *maptrack_entry(struct maptrack *mt, u32 h);
/* A free handle (its entry zeroed), growing by a page if need be;
 * MAPTRACK_NONE at the limit or out of memory. */
u32 maptrack_alloc(struct maptrack *mt);
void maptrack_free(struct maptrack *mt, u32 h);

#endif
