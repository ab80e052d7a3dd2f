/*
 * Copy-on-write overlays (dom0/lib/cowfmt.c): the on-disk format and the
 * pure logic behind a COW VBD (dom0/backends/cow.c). Pure code, shared
 * with the host unit test (tests/unit/test_cowfmt.c).
 *
 * An overlay is an extent of one of domain 0's disks:
 *
 *   sector 0        the header (struct cow_header, CRC-32 protected)
 *   bitmap_start    one bit per block of the VBD: 1 = the block is in
 *                   the overlay, 0 = read it from the base
 *   data_start      the VBD's blocks, each at its own offset (identity
 *                   placement: block b at data_start + b * block sectors)
 *
 * Identity placement needs no allocator and no map that could point two
 * blocks at one place; an overlay is as long as its base plus a little,
 * and on a sparse image file the blocks never written take no room.
 * The base is named by its extent (disk, start, length) and a
 * fingerprint of its first bytes, so an overlay is never laid over
 * another base than its own.
 */
#ifndef DOM0_COWFMT_H
#define DOM0_COWFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COW_MAGIC "XLNCOW\r\n" /* 8 bytes, no NUL */
#define COW_VERSION 1
#define COW_HDR_SECTORS 8 /* the header's 4 KiB */
#define COW_BLOCK_MIN 512
#define COW_BLOCK_MAX 65536
#define COW_BLOCK_DEFAULT 4096
#define COW_DATA_ALIGN 2048 /* data_start on a 1 MiB boundary */
#define COW_FP_BYTES 65536 /* the base's bytes the fingerprint covers */
#define COW_BITS_PER_SECTOR 4096 /* bitmap bits in one 512-byte sector */

/* Sector 0 of an overlay; little-endian, as x86 stores it. */
struct cow_header {
	char magic[8];
	uint32_t version;
	uint32_t header_bytes; /* sizeof(struct cow_header) */
	uint32_t block_size; /* bytes, a power of two */
	uint32_t base_disk; /* domain 0's disk number (vblkN) */
	uint64_t base_start; /* the base extent, 512-byte sectors */
	uint64_t base_sectors; /* = the VBD's size */
	uint32_t base_fp; /* CRC-32 of the base's first COW_FP_BYTES */
	uint32_t flags; /* none defined: 0 */
	uint64_t bitmap_start; /* overlay-relative sectors */
	uint64_t bitmap_sectors;
	uint64_t data_start;
	uint64_t generation; /* bumped by every reset */
	uint32_t reserved;
	uint32_t crc; /* CRC-32 of the bytes before it */
};

/* Where things are, computed from the size and block size. */
struct cow_layout {
	uint64_t sectors; /* the VBD (= the base) */
	uint32_t block_sectors;
	uint64_t nblocks;
	uint64_t bitmap_start, bitmap_sectors, data_start;
	uint64_t need; /* overlay sectors needed: data_start + sectors */
};

uint32_t cow_crc32(uint32_t crc, const void *p, size_t n);

/* 0, or -EINVAL for a size of 0 or a block size out of range. */
int cow_layout_compute(uint64_t sectors, uint32_t block_size,
		       struct cow_layout *l);

/* A fresh header for a new (empty) overlay; 0 or -EINVAL. */
int cow_header_init(struct cow_header *h, uint32_t base_disk,
		    uint64_t base_start, uint64_t base_sectors,
		    uint32_t block_size, uint32_t base_fp, uint64_t generation);
/* Recompute h->crc (after changing a field). */
void cow_header_seal(struct cow_header *h);

/*
 * Check sector 0 of an overlay of overlay_sectors sectors (512 bytes,
 * read once by the caller). On success the header is copied to *h and
 * its layout to *l. -EINVAL with err saying why: not an overlay, a
 * newer version, a bad CRC, fields that do not agree, too small.
 */
int cow_header_check(const void *sector0, uint64_t overlay_sectors,
		     struct cow_header *h, struct cow_layout *l, char *err,
		     size_t errlen);

/* The bitmap, nblocks bits (LSB first in each byte). */
static inline bool cow_bit(const uint8_t *bm, uint64_t b)
{
	return bm[b >> 3] >> (b & 7) & 1;
}
void cow_bits_set(uint8_t *bm, uint64_t b0, uint64_t b1); /* [b0, b1) */
void cow_bits_clear(uint8_t *bm, uint64_t b0, uint64_t b1);
/* Blocks from b on (below end) in the same state as b. */
uint64_t cow_run(const uint8_t *bm, uint64_t b, uint64_t end);
/* Bits set in [b0, b1). */
uint64_t cow_count_range(const uint8_t *bm, uint64_t b0, uint64_t b1);
/* Are the bits from nblocks to the end of bytes bytes all 0? */
bool cow_padding_clear(const uint8_t *bm, uint64_t nblocks, size_t bytes);
/* Mark in dirty (one bit per bitmap sector) the sectors of [b0, b1). */
void cow_mark_dirty(uint8_t *dirty, uint64_t b0, uint64_t b1);

/* The blocks [*b0, *b1) that sectors [sector, sector + n) touch. */
void cow_blocks(const struct cow_layout *l, uint64_t sector, uint64_t n,
		uint64_t *b0, uint64_t *b1);
/* Block b's sectors: [first, first + count), the last block may be short. */
void cow_block_sectors(const struct cow_layout *l, uint64_t b, uint64_t *first,
		       uint64_t *count);

/*
 * How to write sectors [sector, sector + n) (inside the VBD). A block
 * the write covers only in part and that is not in the overlay yet must
 * first be filled from the base (head and/or tail); the rest, [lo, hi),
 * goes to the overlay as the guest gave it. alloc: some block of
 * [b0, b1) is not in the overlay (its bits are set afterwards).
 */
struct cow_wplan {
	uint64_t b0, b1;
	bool alloc;
	bool head_fill, tail_fill;
	uint64_t head, tail; /* the blocks to fill */
	uint64_t lo, hi; /* sectors written straight from the guest's data */
};
void cow_write_plan(const struct cow_layout *l, const uint8_t *bm,
		    uint64_t sector, uint64_t n, struct cow_wplan *p);

/*
 * The I/O of a COW VBD over callbacks (cow.c gives the disks, the unit
 * test memory): rw reads or writes n sectors of the base or of the
 * overlay's data area (both numbered like the VBD); tmp is one block.
 */
enum cow_where { COW_BASE, COW_DATA };
struct cow_io {
	int (*rw)(void *ctx, enum cow_where where, bool write, uint64_t sector,
		  void *buf, uint64_t n);
	void *ctx;
	uint8_t *tmp;
};

/* Sectors [sector, sector + n) of the VBD into buf, run by run. */
int cow_read_sectors(const struct cow_layout *l, const uint8_t *bm,
		     const struct cow_io *io, uint64_t sector, uint8_t *buf,
		     uint64_t n);
/*
 * Write them (cow_write_plan, then the fills and the rest); only when
 * all data is written are the blocks' bits set and their bitmap sectors
 * marked in dirty. *added: blocks newly in the overlay. The caller
 * serialises this against other allocating writes, discards and flushes.
 */
int cow_write_sectors(const struct cow_layout *l, uint8_t *bm, uint8_t *dirty,
		      const struct cow_io *io, uint64_t sector,
		      const uint8_t *buf, uint64_t n, uint64_t *added);

/*
 * The whole blocks inside [sector, sector + n): a discard drops only
 * those (a part of a block keeps its data). *b0 == *b1 if none.
 */
void cow_discard_blocks(const struct cow_layout *l, uint64_t sector, uint64_t n,
			uint64_t *b0, uint64_t *b1);

#endif
