/*
 * Domain 0's RAM file store (files.c): named files held as lists of
 * pages, filled by `xl put` and listed by `ls`. No directories. A file is
 * visible only once complete; a new file replaces an old one of the same
 * name when it is complete.
 */
#ifndef DOM0_FILES_H
#define DOM0_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FILE_NAME_MAX 63
#define FILES_RESERVE_PAGES 2048 /* 8 MiB kept for domain 0 itself */

struct file {
	char name[FILE_NAME_MAX + 1];
	uint64_t size;
	size_t npages;
	char **pages;
	uint32_t crc;
	bool crc_valid;
	struct file *next;
};

/* A new, unlisted file with room for size bytes; NULL and *err if not. */
struct file *file_new(const char *name, uint64_t size, int *err);
/* List it (replacing a file of the same name), or throw it away. */
void file_commit(struct file *f);
void file_discard(struct file *f);
struct file *file_find(const char *name);
int file_remove(const char *name);
struct file *file_first(void);
/* CRC-32 (IEEE 802.3, as zlib and `gzip -l` compute it) of the contents. */
uint32_t file_crc32(struct file *f);
/* Bytes the store could still take. */
uint64_t files_room(void);

#endif
