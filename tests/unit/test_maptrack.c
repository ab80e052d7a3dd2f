/*
 * Host unit tests for the growable maptrack (hv/core/maptrack.c): handles
 * stay unique and in range, the table grows a page at a time up to its
 * limit, freed handles come back, and running out of memory leaves it
 * intact. Pages come from the host heap, so AddressSanitizer catches any
 * access beyond an entry page and LeakSanitizer a page never freed.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

#include <maptrack.h>

static unsigned int pages_out;
static bool fail_alloc;

void *alloc_page(void)
{
	void *p;

	if (fail_alloc)
		return NULL;
	p = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	if (p) {
		memset(p, 0xa5, PAGE_SIZE); /* not zeroed, like the real one */
		pages_out++;
	}
	return p;
}

void free_page(void *va)
{
	pages_out--;
	free(va);
}

void *xzalloc(size_t size)
{
	return calloc(1, size);
}

void xfree(void *p)
{
	free(p);
}

#define MAX_PAGES 3
#define CAP (MAX_PAGES * MAPTRACK_PER_PAGE)

static void test_growth(void)
{
	struct maptrack mt;
	static bool seen[CAP];
	unsigned int bad = 0;

	TEST_GROUP("growth up to the limit");
	CHECK(maptrack_init(&mt, MAX_PAGES) == 0, "init");
	CHECK(maptrack_limit(&mt) == 0, "limit %u before any map",
	      maptrack_limit(&mt));
	CHECK(maptrack_entry(&mt, 0) == NULL, "entry 0 before any page");
	for (u32 i = 0; i < CAP; i++) {
		u32 h = maptrack_alloc(&mt);
		struct maptrack_entry *e = maptrack_entry(&mt, h);

		if (h >= CAP || seen[h] || !e || e->flags || e->serial) {
			bad++;
			continue;
		}
		seen[h] = true;
		e->flags = GNTMAP_host_map;
		if (mt.nr_pages != i / MAPTRACK_PER_PAGE + 1)
			bad++; /* grew before it had to */
	}
	CHECK(bad == 0, "%u bad handles or early growth", bad);
	CHECK(mt.nr_pages == MAX_PAGES, "%u pages", mt.nr_pages);
	CHECK(pages_out == MAX_PAGES, "%u pages allocated", pages_out);
	CHECK(maptrack_alloc(&mt) == MAPTRACK_NONE,
	      "a handle beyond the limit");
	CHECK(maptrack_entry(&mt, CAP) == NULL, "entry at the limit");
	CHECK(maptrack_entry(&mt, MAPTRACK_NONE) == NULL, "entry ~0");
	CHECK(maptrack_entry(&mt, CAP - 1) != NULL, "the last entry");

	TEST_GROUP("freed handles come back");
	maptrack_free(&mt, 7);
	maptrack_free(&mt, CAP - 1);
	CHECK(maptrack_alloc(&mt) == CAP - 1, "last freed first");
	CHECK(maptrack_alloc(&mt) == 7, "then the one before");
	CHECK(maptrack_alloc(&mt) == MAPTRACK_NONE, "full again");
	maptrack_free(&mt, CAP); /* beyond: ignored */
	CHECK(maptrack_alloc(&mt) == MAPTRACK_NONE, "a bad free added none");
	maptrack_destroy(&mt);
	CHECK(pages_out == 0, "%u pages left after destroy", pages_out);
}

static void test_out_of_memory(void)
{
	struct maptrack mt;
	u32 h;

	TEST_GROUP("out of memory");
	CHECK(maptrack_init(&mt, MAX_PAGES) == 0, "init");
	for (u32 i = 0; i < MAPTRACK_PER_PAGE; i++)
		maptrack_alloc(&mt);
	fail_alloc = true;
	CHECK(maptrack_alloc(&mt) == MAPTRACK_NONE, "no page, no handle");
	CHECK(mt.nr_pages == 1, "%u pages", mt.nr_pages);
	fail_alloc = false;
	h = maptrack_alloc(&mt);
	CHECK(h == MAPTRACK_PER_PAGE, "first handle of page 2: %u", h);
	maptrack_destroy(&mt);
	CHECK(pages_out == 0, "%u pages left", pages_out);
}

/* Random maps and unmaps against a model: no handle is ever doubled. */
static void test_random(void)
{
	struct maptrack mt;
	static bool used[CAP];
	static u32 live[CAP];
	unsigned int n = 0, bad = 0;

	TEST_GROUP("random maps and unmaps");
	test_seed(42);
	CHECK(maptrack_init(&mt, MAX_PAGES) == 0, "init");
	for (int step = 0; step < 100000; step++) {
		if (n && test_rand() % 3 == 0) {
			unsigned int k = test_rand() % n;

			used[live[k]] = false;
			maptrack_free(&mt, live[k]);
			live[k] = live[--n];
		} else {
			u32 h = maptrack_alloc(&mt);

			if (h == MAPTRACK_NONE) {
				bad += n != CAP;
				continue;
			}
			bad += h >= CAP || used[h];
			if (h < CAP) {
				used[h] = true;
				live[n++] = h;
			}
		}
	}
	CHECK(bad == 0, "%u doubled or lost handles", bad);
	maptrack_destroy(&mt);
	CHECK(pages_out == 0, "%u pages left", pages_out);
}

int main(void)
{
	test_growth();
	test_out_of_memory();
	test_random();
	return test_summary("test_maptrack");
}
