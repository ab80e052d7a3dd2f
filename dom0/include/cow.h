/*
 * Copy-on-write VBDs (dom0/backends/cow.c): reads and writes of a VBD
 * whose written blocks live in an overlay (an extent of a domain 0 disk,
 * format in cowfmt.h) and whose other blocks are read from a read-only
 * base extent shared by any number of overlays.
 *
 * Durability: a block's data is written before its bit is set; bits
 * reach the disk at cow_flush (and cow_close): the data is flushed
 * first, then the changed bitmap sectors are written and flushed. So an
 * answered FLUSH means data and metadata are on the disk, and a crash at
 * any moment never leaves a bit set over data that is not there.
 */
#ifndef DOM0_COW_H
#define DOM0_COW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cowfmt.h"
#include "xldisk.h"

struct cow;

/*
 * Open the overlay d names (its target) for a VBD: the header is read
 * and checked, the base must exist, fit, keep its fingerprint and not
 * overlap the overlay, and the bitmap must be sane. 0, or a negative
 * errno with err saying why.
 */
int cow_open(const struct xl_disk *d, struct cow **out, char *err,
	     size_t errlen);
/* Only check it (cow_open without keeping anything). */
int cow_probe(const struct xl_disk *d, struct cow_header *h, char *err,
	      size_t errlen);
/* Make metadata durable and free it (no I/O may be in flight). */
void cow_close(struct cow *c);

const struct cow_header *cow_header(const struct cow *c);
uint64_t cow_blocks_used(const struct cow *c);

/* The VBD's sectors [sector, sector + n): n > 0, inside the VBD. */
int cow_rw(struct cow *c, bool write, uint64_t sector, void *buf, size_t n);
int cow_flush(struct cow *c);
/* Drop the whole blocks of [sector, sector + n): they read as the base. */
int cow_discard(struct cow *c, uint64_t sector, uint64_t n);

/*
 * xl cow-create / cow-reset: make an empty overlay on ovl for base, or
 * empty an existing one (its base kept). The caller makes sure no VBD
 * uses ovl. force: cow-create over a valid overlay.
 */
int cow_create(const struct xl_disk *ovl, const struct xl_disk *base,
	       uint32_t block_size, bool force, char *err, size_t errlen);
int cow_reset(const struct xl_disk *ovl, char *err, size_t errlen);

#endif
