/*
 * Copy-on-write overlays: header, layout, bitmap and write plans (see
 * cowfmt.h). Nothing here trusts a header it did not check.
 */
#include "cowfmt.h"
#include "klib.h"

#define EINVAL 22

_Static_assert(sizeof(struct cow_header) == 88, "cow_header layout");

uint32_t cow_crc32(uint32_t crc, const void *p, size_t n)
{
	const uint8_t *b = p;

	crc = ~crc;
	while (n--) {
		crc ^= *b++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1));
	}
	return ~crc;
}

static uint64_t round_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) / a * a;
}

int cow_layout_compute(uint64_t sectors, uint32_t block_size,
		       struct cow_layout *l)
{
	uint64_t bytes;

	if (block_size < COW_BLOCK_MIN || block_size > COW_BLOCK_MAX ||
	    (block_size & (block_size - 1)) || !sectors ||
	    sectors > (1ULL << 48))
		return -EINVAL;
	l->sectors = sectors;
	l->block_sectors = block_size / 512;
	l->nblocks = round_up(sectors, l->block_sectors) / l->block_sectors;
	bytes = round_up(l->nblocks, 8) / 8;
	l->bitmap_start = COW_HDR_SECTORS;
	l->bitmap_sectors = round_up(bytes, 4096) / 512;
	l->data_start =
	    round_up(l->bitmap_start + l->bitmap_sectors, COW_DATA_ALIGN);
	l->need = l->data_start + sectors;
	return 0;
}

void cow_header_seal(struct cow_header *h)
{
	h->crc = cow_crc32(0, h, offsetof(struct cow_header, crc));
}

int cow_header_init(struct cow_header *h, uint32_t base_disk,
		    uint64_t base_start, uint64_t base_sectors,
		    uint32_t block_size, uint32_t base_fp, uint64_t generation)
{
	struct cow_layout l;

	if (cow_layout_compute(base_sectors, block_size, &l))
		return -EINVAL;
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, COW_MAGIC, sizeof(h->magic));
	h->version = COW_VERSION;
	h->header_bytes = sizeof(*h);
	h->block_size = block_size;
	h->base_disk = base_disk;
	h->base_start = base_start;
	h->base_sectors = base_sectors;
	h->base_fp = base_fp;
	h->bitmap_start = l.bitmap_start;
	h->bitmap_sectors = l.bitmap_sectors;
	h->data_start = l.data_start;
	h->generation = generation;
	cow_header_seal(h);
	return 0;
}

static int bad(char *err, size_t errlen, const char *why)
{
	snprintf(err, errlen, "%s", why);
	return -EINVAL;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

int cow_header_check(const void *sector0, uint64_t overlay_sectors,
		     struct cow_header *h, struct cow_layout *l, char *err,
		     size_t errlen)
{
	struct cow_header c;

	memcpy(&c, sector0, sizeof(c)); /* ours now: checked as used */
	if (all_zero(sector0, 512))
		return bad(err, errlen,
			   "not a COW overlay (all zeros: make one with `xl "
			   "cow-create OVERLAY BASE`)");
	if (memcmp(c.magic, COW_MAGIC, sizeof(c.magic)))
		return bad(err, errlen, "not a COW overlay (no magic)");
	if (c.version != COW_VERSION)
		return bad(err, errlen, "COW overlay of an unknown version");
	if (c.header_bytes != sizeof(c) ||
	    c.crc != cow_crc32(0, &c, offsetof(struct cow_header, crc)))
		return bad(err, errlen, "corrupt COW overlay header (CRC)");
	if (c.flags || c.reserved ||
	    cow_layout_compute(c.base_sectors, c.block_size, l))
		return bad(err, errlen,
			   "corrupt COW overlay header (flags, block size or "
			   "base size)");
	if (c.bitmap_start != l->bitmap_start ||
	    c.bitmap_sectors != l->bitmap_sectors ||
	    c.data_start != l->data_start)
		return bad(err, errlen,
			   "corrupt COW overlay header (layout does not "
			   "follow from the size)");
	if (c.base_start + c.base_sectors < c.base_start)
		return bad(err, errlen, "corrupt COW overlay header (base)");
	if (l->need > overlay_sectors) {
		snprintf(err, errlen,
			 "the COW overlay needs %lu sectors, its extent has "
			 "%lu",
			 (unsigned long)l->need,
			 (unsigned long)overlay_sectors);
		return -EINVAL;
	}
	*h = c;
	return 0;
}

void cow_bits_set(uint8_t *bm, uint64_t b0, uint64_t b1)
{
	for (uint64_t b = b0; b < b1; b++)
		bm[b >> 3] |= (uint8_t)(1u << (b & 7));
}

void cow_bits_clear(uint8_t *bm, uint64_t b0, uint64_t b1)
{
	for (uint64_t b = b0; b < b1; b++)
		bm[b >> 3] &= (uint8_t) ~(1u << (b & 7));
}

uint64_t cow_run(const uint8_t *bm, uint64_t b, uint64_t end)
{
	bool v = cow_bit(bm, b);
	uint64_t n = 0;

	while (b + n < end && cow_bit(bm, b + n) == v)
		n++;
	return n;
}

uint64_t cow_count_range(const uint8_t *bm, uint64_t b0, uint64_t b1)
{
	uint64_t n = 0;

	for (uint64_t b = b0; b < b1; b++)
		n += cow_bit(bm, b);
	return n;
}

bool cow_padding_clear(const uint8_t *bm, uint64_t nblocks, size_t bytes)
{
	for (uint64_t b = nblocks; b < (uint64_t)bytes * 8; b++)
		if (cow_bit(bm, b))
			return false;
	return true;
}

void cow_mark_dirty(uint8_t *dirty, uint64_t b0, uint64_t b1)
{
	if (b0 >= b1)
		return;
	cow_bits_set(dirty, b0 / COW_BITS_PER_SECTOR,
		     (b1 - 1) / COW_BITS_PER_SECTOR + 1);
}

void cow_blocks(const struct cow_layout *l, uint64_t sector, uint64_t n,
		uint64_t *b0, uint64_t *b1)
{
	*b0 = sector / l->block_sectors;
	*b1 = n ? (sector + n - 1) / l->block_sectors + 1 : *b0;
}

void cow_block_sectors(const struct cow_layout *l, uint64_t b, uint64_t *first,
		       uint64_t *count)
{
	*first = b * l->block_sectors;
	*count = l->sectors - *first < l->block_sectors ? l->sectors - *first
							: l->block_sectors;
}

/* Does [sector, end) cover block b only in part? */
static bool partial(const struct cow_layout *l, uint64_t b, uint64_t sector,
		    uint64_t end)
{
	uint64_t first, count;

	cow_block_sectors(l, b, &first, &count);
	return sector > first || end < first + count;
}

void cow_write_plan(const struct cow_layout *l, const uint8_t *bm,
		    uint64_t sector, uint64_t n, struct cow_wplan *p)
{
	uint64_t end = sector + n, first, count;

	memset(p, 0, sizeof(*p));
	cow_blocks(l, sector, n, &p->b0, &p->b1);
	for (uint64_t b = p->b0; b < p->b1 && !p->alloc; b++)
		p->alloc = !cow_bit(bm, b);
	p->lo = sector;
	p->hi = end;
	if (!p->alloc)
		return;
	p->head = p->b0;
	p->tail = p->b1 - 1;
	p->head_fill =
	    !cow_bit(bm, p->head) && partial(l, p->head, sector, end);
	p->tail_fill = p->tail != p->head && !cow_bit(bm, p->tail) &&
		       partial(l, p->tail, sector, end);
	if (p->head_fill) {
		cow_block_sectors(l, p->head, &first, &count);
		p->lo = first + count < end ? first + count : end;
	}
	if (p->tail_fill) {
		cow_block_sectors(l, p->tail, &first, &count);
		p->hi = first;
	}
	if (p->hi < p->lo)
		p->hi = p->lo;
}

void cow_discard_blocks(const struct cow_layout *l, uint64_t sector, uint64_t n,
			uint64_t *b0, uint64_t *b1)
{
	uint64_t bs = l->block_sectors, end = sector + n;

	*b0 = (sector + bs - 1) / bs;
	/* The VBD's last block may be short: its end counts as a boundary. */
	*b1 = end >= l->sectors ? l->nblocks : end / bs;
	if (*b1 < *b0)
		*b1 = *b0;
}

int cow_read_sectors(const struct cow_layout *l, const uint8_t *bm,
		     const struct cow_io *io, uint64_t sector, uint8_t *buf,
		     uint64_t n)
{
	uint64_t b0, b1, end = sector + n;
	int rc = 0;

	cow_blocks(l, sector, n, &b0, &b1);
	for (uint64_t b = b0; b < b1 && !rc;) {
		uint64_t run = cow_run(bm, b, b1);
		uint64_t lo = b * l->block_sectors;
		uint64_t hi = (b + run) * l->block_sectors;

		lo = lo < sector ? sector : lo;
		hi = hi > end ? end : hi;
		rc = io->rw(io->ctx, cow_bit(bm, b) ? COW_DATA : COW_BASE,
			    false, lo, buf + (lo - sector) * 512, hi - lo);
		b += run;
	}
	return rc;
}

/* Block b into the overlay: the base's sectors, the write's over them. */
static int fill(const struct cow_layout *l, const struct cow_io *io, uint64_t b,
		uint64_t sector, const uint8_t *buf, uint64_t n)
{
	uint64_t first, count, lo, hi;
	int rc;

	cow_block_sectors(l, b, &first, &count);
	rc = io->rw(io->ctx, COW_BASE, false, first, io->tmp, count);
	if (rc)
		return rc;
	lo = sector > first ? sector : first;
	hi = sector + n < first + count ? sector + n : first + count;
	memcpy(io->tmp + (lo - first) * 512, buf + (lo - sector) * 512,
	       (hi - lo) * 512);
	return io->rw(io->ctx, COW_DATA, true, first, io->tmp, count);
}

int cow_write_sectors(const struct cow_layout *l, uint8_t *bm, uint8_t *dirty,
		      const struct cow_io *io, uint64_t sector,
		      const uint8_t *buf, uint64_t n, uint64_t *added)
{
	struct cow_wplan p;
	int rc = 0;

	*added = 0;
	cow_write_plan(l, bm, sector, n, &p);
	if (p.head_fill)
		rc = fill(l, io, p.head, sector, buf, n);
	if (!rc && p.tail_fill)
		rc = fill(l, io, p.tail, sector, buf, n);
	if (!rc && p.hi > p.lo)
		rc = io->rw(io->ctx, COW_DATA, true, p.lo,
			    (void *)(buf + (p.lo - sector) * 512), p.hi - p.lo);
	if (rc || !p.alloc)
		return rc;
	/* The data is written: only now may the bits say so. */
	*added = (p.b1 - p.b0) - cow_count_range(bm, p.b0, p.b1);
	cow_bits_set(bm, p.b0, p.b1);
	cow_mark_dirty(dirty, p.b0, p.b1);
	return 0;
}
