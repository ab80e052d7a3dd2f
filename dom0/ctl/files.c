/*
 * The RAM file store. A file's pages are allocated in full before any
 * data arrives, so running out of memory is found (and reported as
 * ENOSPC) at the start of a transfer, never in the middle; a reserve is
 * left for domain 0's own needs. The page list itself is an array in
 * whole pages (it can be large: 16384 entries for 64 MiB).
 */
#include "errno.h"
#include "kernel.h"
#include "files.h"

static struct file *files;

uint64_t files_room(void)
{
	size_t free = mem_free_pages();

	return free > FILES_RESERVE_PAGES
		   ? (uint64_t)(free - FILES_RESERVE_PAGES) * PAGE_SIZE
		   : 0;
}

static size_t list_pages(size_t npages)
{
	return (npages * sizeof(char *) + PAGE_SIZE - 1) / PAGE_SIZE;
}

static void free_file(struct file *f)
{
	for (size_t i = 0; i < f->npages; i++)
		if (f->pages[i])
			page_free(f->pages[i]);
	if (f->pages)
		pages_free(f->pages, list_pages(f->npages) ?: 1);
	free(f);
}

static bool valid_name(const char *name)
{
	size_t n = strlen(name);

	if (!n || n > FILE_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (name[i] <= ' ' || name[i] == '/' || name[i] == 0x7f)
			return false;
	return true;
}

struct file *file_new(const char *name, uint64_t size, int *err)
{
	size_t npages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
	struct file *f;

	if (!valid_name(name)) {
		*err = strlen(name) > FILE_NAME_MAX ? -ENAMETOOLONG : -EINVAL;
		return NULL;
	}
	/* The page list and the file, against what may be taken. */
	if ((npages + list_pages(npages) + 1) * PAGE_SIZE > files_room()) {
		*err = -ENOSPC;
		return NULL;
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		*err = -ENOMEM;
		return NULL;
	}
	strlcpy(f->name, name, sizeof(f->name));
	f->size = size;
	f->npages = npages;
	f->pages = pages_alloc(list_pages(npages) ?: 1);
	if (!f->pages) {
		free_file(f);
		*err = -ENOSPC;
		return NULL;
	}
	for (size_t i = 0; i < npages; i++) {
		f->pages[i] = page_alloc();
		if (!f->pages[i]) {
			free_file(f);
			*err = -ENOSPC;
			return NULL;
		}
	}
	return f;
}

void file_commit(struct file *f)
{
	file_remove(f->name);
	f->next = files;
	files = f;
}

void file_discard(struct file *f)
{
	free_file(f);
}

struct file *file_find(const char *name)
{
	for (struct file *f = files; f; f = f->next)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}

int file_remove(const char *name)
{
	for (struct file **pp = &files; *pp; pp = &(*pp)->next)
		if (!strcmp((*pp)->name, name)) {
			struct file *f = *pp;
			*pp = f->next;
			free_file(f);
			return 0;
		}
	return -ENOENT;
}

struct file *file_first(void)
{
	return files;
}

static uint32_t crc_table[256];

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320U ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

/* Computed when first asked for: a transfer should not pay for it. */
uint32_t file_crc32(struct file *f)
{
	uint32_t c = 0xffffffffU;
	uint64_t left = f->size;

	if (f->crc_valid)
		return f->crc;
	if (!crc_table[1])
		crc_init();
	for (size_t i = 0; i < f->npages && left; i++) {
		size_t n = left < PAGE_SIZE ? left : PAGE_SIZE;
		const uint8_t *p = (const uint8_t *)f->pages[i];
		for (size_t k = 0; k < n; k++)
			c = crc_table[(c ^ p[k]) & 0xff] ^ (c >> 8);
		left -= n;
	}
	f->crc = c ^ 0xffffffffU;
	f->crc_valid = true;
	return f->crc;
}
