/*
 * Copy-on-write overlays (dom0/lib/cowfmt.c): the layout, the header
 * checks (every field that can lie is refused), and the read/write/discard
 * logic against a plain model disk over 100,000 random operations, with
 * the base checked unchanged after every one.
 */
#include <stdlib.h>
#include <string.h>
#include "test.h"
#include "cowfmt.h"

static void test_layout(void)
{
	struct cow_layout l;

	TEST_GROUP("cow: layout from size and block size");
	CHECK(!cow_layout_compute(131072, 4096, &l), "64 MiB, 4 KiB blocks");
	CHECK(l.block_sectors == 8 && l.nblocks == 16384, "%lu blocks",
	      (unsigned long)l.nblocks);
	CHECK(l.bitmap_start == 8 && l.bitmap_sectors == 8 &&
		  l.data_start == 2048 && l.need == 2048 + 131072,
	      "bitmap 8+%lu, data at %lu", (unsigned long)l.bitmap_sectors,
	      (unsigned long)l.data_start);
	CHECK(!cow_layout_compute(1001, 4096, &l) && l.nblocks == 126,
	      "a short last block counts: %lu", (unsigned long)l.nblocks);
	CHECK(!cow_layout_compute(1ULL << 31, 512, &l) &&
		  l.bitmap_sectors == (1ULL << 31) / 8 / 512 &&
		  l.data_start % 2048 == 0 &&
		  l.data_start >= 8 + l.bitmap_sectors,
	      "1 TiB in 512-byte blocks: bitmap of %lu sectors",
	      (unsigned long)l.bitmap_sectors);
	CHECK(cow_layout_compute(0, 4096, &l), "size 0 refused");
	CHECK(cow_layout_compute(100, 3000, &l), "block not a power of 2");
	CHECK(cow_layout_compute(100, 256, &l), "block below 512");
	CHECK(cow_layout_compute(100, 131072, &l), "block above 64 KiB");
}

static int check(const struct cow_header *h, uint64_t ovl, char *err, size_t n)
{
	uint8_t sec[512] = { 0 };
	struct cow_header out;
	struct cow_layout l;

	memcpy(sec, h, sizeof(*h));
	return cow_header_check(sec, ovl, &out, &l, err, n);
}

static void test_header(void)
{
	struct cow_header good, h;
	uint8_t zero[512] = { 0 };
	struct cow_layout l;
	char err[200] = "";
	int refused = 0;

	TEST_GROUP("cow: header checks");
	CHECK(!cow_header_init(&good, 0, 2048, 131072, 4096, 0x1234, 1),
	      "init");
	CHECK(!check(&good, 133120, err, sizeof(err)), "valid: %s", err);
	CHECK(check(&good, 133119, err, sizeof(err)) &&
		  strstr(err, "needs 133120"),
	      "one sector too small: %s", err);
	CHECK(cow_header_check(zero, 1 << 20, &h, &l, err, sizeof(err)) &&
		  strstr(err, "cow-create"),
	      "all zeros: %s", err);
	h = good;
	h.magic[0] = 'Y';
	CHECK(check(&h, 1 << 20, err, sizeof(err)) && strstr(err, "magic"),
	      "magic: %s", err);
	h = good;
	h.version = 2;
	cow_header_seal(&h);
	CHECK(check(&h, 1 << 20, err, sizeof(err)) && strstr(err, "version"),
	      "version: %s", err);
	h = good;
	h.base_start++;
	CHECK(check(&h, 1 << 20, err, sizeof(err)) && strstr(err, "CRC"),
	      "a field changed without its CRC: %s", err);
	h = good;
	h.data_start = 8 + 8; /* bitmap and data overlapping the header */
	cow_header_seal(&h);
	CHECK(check(&h, 1 << 20, err, sizeof(err)) && strstr(err, "layout"),
	      "sealed lie about the layout: %s", err);
	h = good;
	h.block_size = 4095;
	cow_header_seal(&h);
	CHECK(check(&h, 1 << 20, err, sizeof(err)), "sealed bad block size");
	h = good;
	h.base_start = ~0ULL - 10;
	cow_header_seal(&h);
	CHECK(check(&h, 1 << 20, err, sizeof(err)), "base wraps around");
	h = good;
	h.flags = 1;
	cow_header_seal(&h);
	CHECK(check(&h, 1 << 20, err, sizeof(err)), "unknown flag");
	/* Any one byte changed, CRC left alone: refused. */
	for (size_t i = 0; i < sizeof(good); i++) {
		for (int bit = 0; bit < 8; bit++) {
			h = good;
			((uint8_t *)&h)[i] ^= (uint8_t)(1u << bit);
			refused += check(&h, 1 << 20, err, sizeof(err)) != 0;
		}
	}
	CHECK(refused == (int)sizeof(good) * 8,
	      "every single-bit flip refused (%d of %d)", refused,
	      (int)sizeof(good) * 8);
}

static void test_plan(void)
{
	struct cow_layout l;
	struct cow_wplan p;
	uint8_t bm[8] = { 0 };

	TEST_GROUP("cow: write plans");
	cow_layout_compute(64, 4096, &l); /* 8 blocks of 8 sectors */
	cow_write_plan(&l, bm, 8, 16, &p);
	CHECK(p.alloc && !p.head_fill && !p.tail_fill && p.lo == 8 &&
		  p.hi == 24 && p.b0 == 1 && p.b1 == 3,
	      "whole blocks: no fill");
	cow_write_plan(&l, bm, 10, 20, &p); /* 10..29: blocks 1..3 */
	CHECK(p.head_fill && p.head == 1 && p.tail_fill && p.tail == 3 &&
		  p.lo == 16 && p.hi == 24,
	      "partial head and tail: fill both, lo %lu hi %lu",
	      (unsigned long)p.lo, (unsigned long)p.hi);
	cow_write_plan(&l, bm, 9, 2, &p);
	CHECK(p.head_fill && !p.tail_fill && p.lo == 11 && p.hi == 11,
	      "inside one block: one fill, nothing direct");
	cow_bits_set(bm, 1, 2);
	cow_write_plan(&l, bm, 10, 20, &p);
	CHECK(p.alloc && !p.head_fill && p.tail_fill && p.lo == 10 &&
		  p.hi == 24,
	      "head already in the overlay: written in place");
	cow_bits_set(bm, 2, 4);
	cow_write_plan(&l, bm, 10, 20, &p);
	CHECK(!p.alloc && p.lo == 10 && p.hi == 30, "all in the overlay");
}

/* The model: a base, an overlay data area, and what the VBD should hold. */
#define M_SECTORS 1000 /* not a multiple of the block: a short last one */
static uint8_t m_base[M_SECTORS * 512], m_base0[M_SECTORS * 512];
static uint8_t m_data[M_SECTORS * 512], m_ref[M_SECTORS * 512];
static bool m_data_written[M_SECTORS];

static int m_rw(void *ctx, enum cow_where where, bool write, uint64_t sector,
		void *buf, uint64_t n)
{
	uint8_t *d = where == COW_BASE ? m_base : m_data;

	(void)ctx;
	if (sector > M_SECTORS || n > M_SECTORS - sector || !n)
		return -34;
	if (write && where == COW_BASE)
		return -13;
	if (write) {
		memcpy(d + sector * 512, buf, n * 512);
		for (uint64_t i = 0; i < n; i++)
			m_data_written[sector + i] = true;
	} else {
		memcpy(buf, d + sector * 512, n * 512);
	}
	return 0;
}

static void fill_random(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)test_rand();
}

static void test_model(uint32_t block_size)
{
	static uint8_t buf[64 * 512], tmp[65536], bm[4096], dirty[64];
	struct cow_io io = { m_rw, NULL, tmp };
	struct cow_layout l;
	uint64_t used = 0, added;
	int bad_read = 0, bad_base = 0, bad_bits = 0, errors = 0;

	printf("checking: cow: model, %u-byte blocks, 100000 random ops\n",
	       block_size);
	test_seed(block_size);
	fill_random(m_base, sizeof(m_base));
	memcpy(m_base0, m_base, sizeof(m_base));
	memcpy(m_ref, m_base, sizeof(m_base));
	memset(m_data, 0xEE, sizeof(m_data));
	memset(m_data_written, 0, sizeof(m_data_written));
	memset(bm, 0, sizeof(bm));
	cow_layout_compute(M_SECTORS, block_size, &l);
	for (int i = 0; i < 100000; i++) {
		uint64_t n = 1 + test_rand() % 64;
		uint64_t s = test_rand() % (M_SECTORS - n + 1);
		unsigned int op = test_rand() % 8;

		if (op < 3) {
			fill_random(buf, n * 512);
			errors += cow_write_sectors(&l, bm, dirty, &io, s, buf,
						    n, &added) != 0;
			used += added;
			memcpy(m_ref + s * 512, buf, n * 512);
		} else if (op == 3) {
			uint64_t b0, b1;

			cow_discard_blocks(&l, s, n, &b0, &b1);
			used -= cow_count_range(bm, b0, b1);
			cow_bits_clear(bm, b0, b1);
			/* Dropped blocks read as the base again. */
			for (uint64_t b = b0; b < b1; b++) {
				uint64_t f, c;

				cow_block_sectors(&l, b, &f, &c);
				memcpy(m_ref + f * 512, m_base + f * 512,
				       c * 512);
			}
		} else {
			errors += cow_read_sectors(&l, bm, &io, s, buf, n) != 0;
			bad_read += memcmp(buf, m_ref + s * 512, n * 512) != 0;
		}
		if (i % 997 == 0) {
			bad_base +=
			    memcmp(m_base, m_base0, sizeof(m_base)) != 0;
			bad_bits += cow_count_range(bm, 0, l.nblocks) != used;
			/* A set bit means every sector of it was written. */
			for (uint64_t b = 0; b < l.nblocks; b++) {
				uint64_t f, c;

				cow_block_sectors(&l, b, &f, &c);
				for (uint64_t k = 0; k < c && cow_bit(bm, b);
				     k++)
					bad_bits += !m_data_written[f + k];
			}
		}
	}
	errors += cow_read_sectors(&l, bm, &io, 0, buf, 64) != 0;
	CHECK(!errors, "%d I/O errors", errors);
	CHECK(!bad_read, "%d reads differ from the model", bad_read);
	CHECK(!bad_base, "the base changed %d times", bad_base);
	CHECK(!bad_bits, "%d bitmap inconsistencies", bad_bits);
	CHECK(cow_padding_clear(bm, l.nblocks, sizeof(bm)),
	      "no bit beyond the last block");
	CHECK(cow_count_range(dirty, 0, 64) > 0, "bitmap sectors marked dirty");
}

static void test_discard_blocks(void)
{
	struct cow_layout l;
	uint64_t b0, b1;

	TEST_GROUP("cow: discard takes whole blocks only");
	cow_layout_compute(100, 4096, &l); /* 13 blocks, the last 4 sectors */
	cow_discard_blocks(&l, 4, 8, &b0, &b1);
	CHECK(b0 == b1, "no whole block in 4..11");
	cow_discard_blocks(&l, 4, 20, &b0, &b1);
	CHECK(b0 == 1 && b1 == 3, "4..23: blocks 1-2 (%lu-%lu)",
	      (unsigned long)b0, (unsigned long)b1);
	cow_discard_blocks(&l, 96, 4, &b0, &b1);
	CHECK(b0 == 12 && b1 == 13, "the short last block, to the end");
	cow_discard_blocks(&l, 0, 100, &b0, &b1);
	CHECK(b0 == 0 && b1 == 13, "everything");
}

int main(void)
{
	test_layout();
	test_header();
	test_plan();
	test_discard_blocks();
	test_model(512);
	test_model(4096);
	test_model(65536);
	return test_summary("test_cowfmt");
}
