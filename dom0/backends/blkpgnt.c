/*
 * Persistent grants: a table from grant reference to the page it is
 * mapped at (see blkpgnt.h). Open addressing over twice as many slots
 * as entries; entries are never removed while the ring lives, so no
 * tombstones. A reference the hypervisor refused to map is remembered
 * too (va NULL), so a front end cannot make us retry it on every use.
 */
#include "blkpgnt.h"
#include "errno.h"
#include "gnttab.h"
#include "kernel.h"

struct pgnt {
	uint32_t gref;
	uint32_t handle;
	void *va; /* NULL: refused, copy it */
	bool used;
};

struct pgnt_table {
	uint16_t domid;
	unsigned int max, count, mapped;
	unsigned int nslots; /* a power of two, at least 2 * max */
	struct pgnt slot[];
};

struct pgnt_table *pgnt_new(uint16_t domid, unsigned int max)
{
	unsigned int n = 1;
	struct pgnt_table *t;

	while (n < 2 * max)
		n *= 2;
	t = calloc(1, sizeof(*t) + n * sizeof(t->slot[0]));
	if (!t)
		return NULL;
	t->domid = domid;
	t->max = max;
	t->nslots = n;
	return t;
}

void pgnt_free(struct pgnt_table *t)
{
	if (!t)
		return;
	for (unsigned int i = 0; i < t->nslots; i++)
		if (t->slot[i].used && t->slot[i].va)
			gnttab_unmap_pages(t->slot[i].va, 1,
					   &t->slot[i].handle);
	free(t);
}

static struct pgnt *find(struct pgnt_table *t, uint32_t gref)
{
	unsigned int i = (gref * 2654435761u) & (t->nslots - 1);

	while (t->slot[i].used && t->slot[i].gref != gref)
		i = (i + 1) & (t->nslots - 1);
	return &t->slot[i]; /* the entry, or the free slot for it */
}

void *pgnt_get(struct pgnt_table *t, uint32_t gref)
{
	struct pgnt *e = find(t, gref);
	int err;

	if (e->used)
		return e->va;
	if (t->count == t->max)
		return NULL;
	e->used = true;
	e->gref = gref;
	e->va = gnttab_map_pages(t->domid, &gref, 1, true, &e->handle, &err);
	t->count++;
	t->mapped += e->va != NULL;
	return e->va;
}

unsigned int pgnt_mapped(const struct pgnt_table *t)
{
	return t ? t->mapped : 0;
}
