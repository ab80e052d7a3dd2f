/*
 * Copy-on-write VBDs: the I/O of an overlay over a shared base (see
 * cow.h; the format and the pure logic are dom0/lib/cowfmt.c).
 *
 * Reads go block run by block run to the overlay or the base. A write
 * to blocks already in the overlay goes there in place. A write that
 * brings blocks into the overlay (or a discard, or a flush) takes the
 * overlay's lock: one at a time, so two writes into one new block never
 * both fill it from the base, and a flush sees no bit set whose data
 * write has not completed.
 */
#include "cow.h"
#include "errno.h"
#include "kernel.h"
#include "virtio_blk.h"

struct extent {
	unsigned int disk;
	uint64_t start, sectors;
};

struct cow {
	struct extent ovl, base;
	struct cow_header hdr;
	struct cow_layout lay;
	uint8_t *bitmap; /* lay.bitmap_sectors * 512 bytes */
	uint8_t *dirty; /* one bit per bitmap sector not yet on the disk */
	size_t bitmap_pages, dirty_bytes;
	uint8_t *tmp; /* one block, for fills from the base */
	size_t tmp_pages;
	uint64_t used; /* blocks in the overlay */
	bool locked;
	struct waitq lock_q;
};

static size_t pages_of(uint64_t bytes)
{
	return (size_t)((bytes + PAGE_SIZE - 1) / PAGE_SIZE);
}

/* The extent a target names, checked against its disk. */
static int extent_of(const struct xl_disk *d, struct extent *e, char *err,
		     size_t errlen)
{
	uint64_t total;

	if (vblk_info((int)d->disk, &total, NULL)) {
		snprintf(err, errlen, "domain 0 has no disk vblk%u", d->disk);
		return -ENODEV;
	}
	e->disk = d->disk;
	e->start = d->start;
	e->sectors = d->sectors ? d->sectors : total - d->start;
	if (d->start >= total || e->sectors > total - d->start) {
		snprintf(err, errlen,
			 "the extent ends beyond vblk%u's %lu "
			 "sectors",
			 d->disk, total);
		return -ERANGE;
	}
	return 0;
}

static int ext_rw(const struct extent *e, bool write, uint64_t sector,
		  void *buf, uint64_t n)
{
	return vblk_rw((int)e->disk, write, e->start + sector, buf, n);
}

static bool ext_overlap(const struct extent *a, const struct extent *b)
{
	return a->disk == b->disk && a->start < b->start + b->sectors &&
	       b->start < a->start + a->sectors;
}

/* CRC-32 of the base's first COW_FP_BYTES (or all of it if shorter). */
static int fingerprint(const struct extent *base, uint32_t *fp)
{
	uint64_t n = base->sectors < COW_FP_BYTES / 512 ? base->sectors
							: COW_FP_BYTES / 512;
	uint8_t *buf = pages_alloc(COW_FP_BYTES / PAGE_SIZE);
	int rc;

	if (!buf)
		return -ENOMEM;
	rc = ext_rw(base, false, 0, buf, n);
	if (!rc)
		*fp = cow_crc32(0, buf, n * 512);
	pages_free(buf, COW_FP_BYTES / PAGE_SIZE);
	return rc;
}

/* Read and check the header of ovl; fill the base extent too. */
static int read_header(const struct extent *ovl, struct cow_header *h,
		       struct cow_layout *l, struct extent *base, char *err,
		       size_t errlen)
{
	uint8_t *sec = page_alloc();
	uint64_t total;
	uint32_t fp;
	int rc;

	if (!sec)
		return -ENOMEM;
	rc = ext_rw(ovl, false, 0, sec, 1);
	if (rc) {
		page_free(sec);
		snprintf(err, errlen, "cannot read the overlay's header: %s",
			 strerror(rc));
		return rc;
	}
	rc = cow_header_check(sec, ovl->sectors, h, l, err, errlen);
	page_free(sec);
	if (rc)
		return rc;
	base->disk = h->base_disk;
	base->start = h->base_start;
	base->sectors = h->base_sectors;
	if (h->base_disk > 255 || vblk_info((int)h->base_disk, &total, NULL) ||
	    base->start >= total || base->sectors > total - base->start) {
		snprintf(err, errlen,
			 "the overlay's base vblk%u:%lu+%lu is not there "
			 "(no such disk, or too short)",
			 h->base_disk, base->start, base->sectors);
		return -ENODEV;
	}
	if (ext_overlap(ovl, base)) {
		snprintf(err, errlen, "the overlay overlaps its own base");
		return -EINVAL;
	}
	rc = fingerprint(base, &fp);
	if (!rc && fp != h->base_fp) {
		snprintf(err, errlen,
			 "the base vblk%u:%lu+%lu is not the one the overlay "
			 "was made on (fingerprint %08x, want %08x)",
			 base->disk, base->start, base->sectors, fp,
			 h->base_fp);
		return -EINVAL;
	}
	if (rc)
		snprintf(err, errlen, "cannot read the base: %s", strerror(rc));
	return rc;
}

int cow_probe(const struct xl_disk *d, struct cow_header *h, char *err,
	      size_t errlen)
{
	struct extent ovl, base;
	struct cow_layout l;
	int rc = extent_of(d, &ovl, err, errlen);

	return rc ? rc : read_header(&ovl, h, &l, &base, err, errlen);
}

static void cow_free(struct cow *c)
{
	if (c->bitmap)
		pages_free(c->bitmap, c->bitmap_pages);
	if (c->tmp)
		pages_free(c->tmp, c->tmp_pages);
	free(c->dirty);
	free(c);
}

static int load_bitmap(struct cow *c, char *err, size_t errlen)
{
	size_t bytes = c->lay.bitmap_sectors * 512;
	int rc;

	c->bitmap_pages = pages_of(bytes);
	c->tmp_pages = pages_of(c->hdr.block_size);
	c->dirty_bytes = (size_t)(c->lay.bitmap_sectors + 7) / 8;
	c->bitmap = pages_alloc(c->bitmap_pages);
	c->tmp = pages_alloc(c->tmp_pages);
	c->dirty = calloc(1, c->dirty_bytes);
	if (!c->bitmap || !c->tmp || !c->dirty) {
		snprintf(err, errlen, "domain 0 is out of memory");
		return -ENOMEM;
	}
	rc = ext_rw(&c->ovl, false, c->lay.bitmap_start, c->bitmap,
		    c->lay.bitmap_sectors);
	if (rc) {
		snprintf(err, errlen, "cannot read the overlay's bitmap: %s",
			 strerror(rc));
		return rc;
	}
	if (!cow_padding_clear(c->bitmap, c->lay.nblocks, bytes)) {
		snprintf(err, errlen,
			 "corrupt COW overlay (bits set beyond "
			 "the last block)");
		return -EINVAL;
	}
	c->used = cow_count_range(c->bitmap, 0, c->lay.nblocks);
	return 0;
}

int cow_open(const struct xl_disk *d, struct cow **out, char *err,
	     size_t errlen)
{
	struct cow *c = calloc(1, sizeof(*c));
	int rc;

	if (!c) {
		snprintf(err, errlen, "domain 0 is out of memory");
		return -ENOMEM;
	}
	waitq_init(&c->lock_q);
	rc = extent_of(d, &c->ovl, err, errlen);
	if (!rc)
		rc = read_header(&c->ovl, &c->hdr, &c->lay, &c->base, err,
				 errlen);
	if (!rc)
		rc = load_bitmap(c, err, errlen);
	if (rc) {
		cow_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

const struct cow_header *cow_header(const struct cow *c)
{
	return &c->hdr;
}

uint64_t cow_blocks_used(const struct cow *c)
{
	return c->used;
}

static void lock(struct cow *c)
{
	wait_event(&c->lock_q, !c->locked);
	c->locked = true;
}

static void unlock(struct cow *c)
{
	c->locked = false;
	waitq_wake(&c->lock_q);
}

/* --- Data -------------------------------------------------------------- */

static int data_rw(struct cow *c, bool write, uint64_t sector, void *buf,
		   uint64_t n)
{
	return ext_rw(&c->ovl, write, c->lay.data_start + sector, buf, n);
}

static int io_rw(void *ctx, enum cow_where where, bool write, uint64_t sector,
		 void *buf, uint64_t n)
{
	struct cow *c = ctx;

	if (where == COW_BASE)
		return write ? -EACCES
			     : ext_rw(&c->base, false, sector, buf, n);
	return data_rw(c, write, sector, buf, n);
}

static int cow_write(struct cow *c, uint64_t sector, uint8_t *buf, uint64_t n)
{
	struct cow_io io = { io_rw, c, c->tmp };
	struct cow_wplan p;
	uint64_t added;
	int rc;

	cow_write_plan(&c->lay, c->bitmap, sector, n, &p);
	if (!p.alloc)
		return data_rw(c, true, sector, buf, n); /* all in place */
	lock(c);
	/* Planned again inside: others may have brought blocks in. */
	rc = cow_write_sectors(&c->lay, c->bitmap, c->dirty, &io, sector, buf,
			       n, &added);
	c->used += added;
	unlock(c);
	return rc;
}

int cow_rw(struct cow *c, bool write, uint64_t sector, void *buf, size_t n)
{
	if (!n || sector > c->lay.sectors || n > c->lay.sectors - sector)
		return -ERANGE;
	if (write)
		return cow_write(c, sector, buf, n);
	return cow_read_sectors(&c->lay, c->bitmap,
				&(struct cow_io){ io_rw, c, c->tmp }, sector,
				buf, n);
}

/* --- Metadata ------------------------------------------------------------ */

/* Write the dirty bitmap sectors, a run at a time. Locked. */
static int write_dirty(struct cow *c)
{
	uint64_t nsec = c->lay.bitmap_sectors;
	int rc = 0;

	for (uint64_t s = 0; s < nsec && !rc;) {
		uint64_t run = cow_run(c->dirty, s, nsec);

		if (cow_bit(c->dirty, s)) {
			rc = ext_rw(&c->ovl, true, c->lay.bitmap_start + s,
				    c->bitmap + s * 512, run);
			if (!rc)
				cow_bits_clear(c->dirty, s, s + run);
		}
		s += run;
	}
	return rc;
}

static bool any_dirty(const struct cow *c)
{
	for (size_t i = 0; i < c->dirty_bytes; i++)
		if (c->dirty[i])
			return true;
	return false;
}

int cow_flush(struct cow *c)
{
	int rc;

	lock(c);
	rc = vblk_flush((int)c->ovl.disk); /* data first */
	if (!rc && any_dirty(c)) {
		rc = write_dirty(c);
		if (!rc)
			rc = vblk_flush((int)c->ovl.disk);
	}
	unlock(c);
	return rc;
}

int cow_discard(struct cow *c, uint64_t sector, uint64_t n)
{
	uint64_t b0, b1, first, end;
	int rc;

	if (sector > c->lay.sectors || n > c->lay.sectors - sector)
		return -ERANGE;
	cow_discard_blocks(&c->lay, sector, n, &b0, &b1);
	if (b0 == b1)
		return 0;
	lock(c);
	c->used -= cow_count_range(c->bitmap, b0, b1);
	cow_bits_clear(c->bitmap, b0, b1);
	cow_mark_dirty(c->dirty, b0, b1);
	/*
	 * Give the room back to the disk too, if it discards (a sparse
	 * image shrinks). Whatever the data area holds there now is never
	 * read unless a write fills the block again first.
	 */
	first = b0 * c->lay.block_sectors;
	end = b1 * c->lay.block_sectors < c->lay.sectors
		  ? b1 * c->lay.block_sectors
		  : c->lay.sectors;
	rc =
	    vblk_discard((int)c->ovl.disk,
			 c->ovl.start + c->lay.data_start + first, end - first);
	unlock(c);
	return rc == -EOPNOTSUPP ? 0 : rc;
}

void cow_close(struct cow *c)
{
	if (cow_flush(c))
		printf("cow: vblk%u:%lu: the overlay's bitmap could not be "
		       "written: writes since the last flush are lost\n",
		       c->ovl.disk, c->ovl.start);
	cow_free(c);
}

/* --- xl cow-create, cow-reset ---------------------------------------- */

/* Zero the bitmap on the disk, a page of sectors at a time. */
static int zero_bitmap(const struct extent *ovl, const struct cow_layout *l)
{
	uint8_t *z = page_alloc();
	int rc = 0;

	if (!z)
		return -ENOMEM;
	for (uint64_t s = 0; s < l->bitmap_sectors && !rc; s += 8) {
		uint64_t n =
		    l->bitmap_sectors - s < 8 ? l->bitmap_sectors - s : 8;

		rc = ext_rw(ovl, true, l->bitmap_start + s, z, n);
	}
	page_free(z);
	return rc;
}

/* An empty bitmap, flushed, then the header, flushed. */
static int write_fresh(const struct extent *ovl, const struct cow_header *h,
		       const struct cow_layout *l)
{
	uint8_t *sec = page_alloc();
	int rc;

	if (!sec)
		return -ENOMEM;
	rc = zero_bitmap(ovl, l);
	if (!rc)
		rc = vblk_flush((int)ovl->disk);
	memcpy(sec, h, sizeof(*h));
	if (!rc)
		rc = ext_rw(ovl, true, 0, sec, 1);
	if (!rc)
		rc = vblk_flush((int)ovl->disk);
	page_free(sec);
	return rc;
}

int cow_create(const struct xl_disk *ovl_d, const struct xl_disk *base_d,
	       uint32_t block_size, bool force, char *err, size_t errlen)
{
	struct extent ovl, base;
	struct cow_header h;
	struct cow_layout l;
	uint32_t fp;
	int rc;

	if ((rc = extent_of(ovl_d, &ovl, err, errlen)) ||
	    (rc = extent_of(base_d, &base, err, errlen)))
		return rc;
	if (vblk_readonly((int)ovl.disk)) {
		snprintf(err, errlen, "vblk%u is read-only", ovl.disk);
		return -EACCES;
	}
	if (ext_overlap(&ovl, &base)) {
		snprintf(err, errlen, "the overlay overlaps the base");
		return -EINVAL;
	}
	if (!force && !cow_probe(ovl_d, &h, err, errlen)) {
		snprintf(err, errlen,
			 "the extent holds an overlay already (cow-reset "
			 "empties it, -f makes a new one)");
		return -EEXIST;
	}
	rc = fingerprint(&base, &fp);
	if (!rc)
		rc = cow_header_init(&h, base.disk, base.start, base.sectors,
				     block_size, fp, 1);
	if (rc) {
		snprintf(err, errlen, "%s",
			 rc == -EINVAL ? "bad block size (a power of "
					 "two, 512 to 65536)"
				       : strerror(rc));
		return rc;
	}
	cow_layout_compute(base.sectors, block_size, &l);
	if (l.need > ovl.sectors) {
		snprintf(err, errlen,
			 "the overlay needs %lu sectors (the base's %lu and "
			 "%lu of metadata), the extent has %lu",
			 l.need, base.sectors, l.data_start, ovl.sectors);
		return -ENOSPC;
	}
	rc = write_fresh(&ovl, &h, &l);
	if (rc)
		snprintf(err, errlen, "writing the overlay failed: %s",
			 strerror(rc));
	return rc;
}

int cow_reset(const struct xl_disk *ovl_d, char *err, size_t errlen)
{
	struct extent ovl, base;
	struct cow_header h;
	struct cow_layout l;
	int rc;

	if ((rc = extent_of(ovl_d, &ovl, err, errlen)) ||
	    (rc = read_header(&ovl, &h, &l, &base, err, errlen)))
		return rc;
	h.generation++;
	cow_header_seal(&h);
	rc = write_fresh(&ovl, &h, &l);
	if (rc)
		snprintf(err, errlen, "writing the overlay failed: %s",
			 strerror(rc));
	return rc;
}
