/*
 * The block back end's request checks (dom0/lib/blkreq.c): each kind of
 * malformed request is refused with the status Xen's blkback gives, good
 * ones pass with the right sector count, discards with their own layout, the ring-index check, and a
 * request copied once is not changed by later writes to the slot.
 */
#include <stdlib.h>
#include <string.h>
#include "blkreq.h"
#include "test.h"

static struct blkif_request slot;

static void one_seg(uint8_t op, uint64_t sector, uint8_t first, uint8_t last)
{
	memset(&slot, 0, sizeof(slot));
	slot.operation = op;
	slot.nr_segments = 1;
	slot.id = 0x1234;
	slot.sector_number = sector;
	slot.seg[0].gref = 9;
	slot.seg[0].first_sect = first;
	slot.seg[0].last_sect = last;
}

static enum blkreq_fault check(const struct blkvbd *v, struct blkreq *r)
{
	blkreq_fetch(r, &slot);
	return blkreq_check(r, v);
}

static void test_good(void)
{
	struct blkvbd v = { .start = 100, .sectors = 64, .readonly = false };
	struct blkreq r;

	TEST_GROUP("blkreq: well-formed requests pass");
	one_seg(BLKIF_OP_READ, 0, 0, 7);
	CHECK(check(&v, &r) == BLKREQ_OK && r.nsectors == 8 && r.id == 0x1234,
	      "read of one page");
	slot.nr_segments = 11;
	for (int i = 0; i < 11; i++)
		slot.seg[i] = (struct blkif_request_segment){ 1, 2, 3, 0 };
	CHECK(check(&v, &r) == BLKREQ_OK && r.nsectors == 22,
	      "11 segments of 2 sectors: %u", r.nsectors);
	one_seg(BLKIF_OP_WRITE, 56, 0, 7);
	CHECK(check(&v, &r) == BLKREQ_OK, "write of the VBD's last 8 sectors");
	one_seg(BLKIF_OP_FLUSH_DISKCACHE, 0, 0, 0);
	slot.nr_segments = 0;
	CHECK(check(&v, &r) == BLKREQ_OK && !r.nsectors, "flush without data");
	slot.operation = BLKIF_OP_WRITE_BARRIER;
	CHECK(check(&v, &r) == BLKREQ_OK, "barrier without data");
	v.readonly = true;
	one_seg(BLKIF_OP_READ, 63, 7, 7);
	CHECK(check(&v, &r) == BLKREQ_OK,
	      "read of a read-only VBD's last sector");
	one_seg(BLKIF_OP_FLUSH_DISKCACHE, 0, 0, 0);
	slot.nr_segments = 0;
	CHECK(check(&v, &r) == BLKREQ_OK, "flush of a read-only VBD");
}

static void test_bad(void)
{
	struct blkvbd v = { .start = 0, .sectors = 64, .readonly = false };
	struct blkvbd ro = { .start = 0, .sectors = 64, .readonly = true };
	struct blkreq r;

	TEST_GROUP("blkreq: each malformed request refused");
	unsigned int accepted = 0;

	for (int op = 4; op < 256; op++) {
		if (op == BLKIF_OP_INDIRECT)
			continue; /* below */
		one_seg((uint8_t)op, 0, 0, 7);
		accepted += check(&v, &r) != BLKREQ_BAD_OP;
	}
	CHECK(!accepted, "%u of the unknown ops 4..255 accepted", accepted);
	CHECK(blkreq_status(BLKREQ_BAD_OP) == BLKIF_RSP_EOPNOTSUPP,
	      "unknown ops (discard too): EOPNOTSUPP");
	one_seg(BLKIF_OP_READ, 0, 0, 7);
	slot.nr_segments = 0;
	CHECK(check(&v, &r) == BLKREQ_BAD_NSEG, "read with 0 segments");
	slot.operation = BLKIF_OP_WRITE;
	CHECK(check(&v, &r) == BLKREQ_BAD_NSEG, "write with 0 segments");
	slot.nr_segments = 12;
	CHECK(check(&v, &r) == BLKREQ_BAD_NSEG, "12 segments");
	slot.nr_segments = 255;
	CHECK(check(&v, &r) == BLKREQ_BAD_NSEG, "255 segments");
	one_seg(BLKIF_OP_READ, 0, 5, 4);
	CHECK(check(&v, &r) == BLKREQ_BAD_SECT, "first_sect > last_sect");
	one_seg(BLKIF_OP_READ, 0, 0, 8);
	CHECK(check(&v, &r) == BLKREQ_BAD_SECT,
	      "last_sect 8 (beyond the page)");
	one_seg(BLKIF_OP_READ, 0, 255, 255);
	CHECK(check(&v, &r) == BLKREQ_BAD_SECT, "first = last = 255");
	one_seg(BLKIF_OP_READ, 57, 0, 7);
	CHECK(check(&v, &r) == BLKREQ_RANGE, "one sector past the end");
	one_seg(BLKIF_OP_WRITE, 64, 0, 0);
	CHECK(check(&v, &r) == BLKREQ_RANGE, "first sector after the end");
	one_seg(BLKIF_OP_READ, UINT64_MAX - 3, 0, 7);
	CHECK(check(&v, &r) == BLKREQ_RANGE, "sector + count wraps around");
	one_seg(BLKIF_OP_WRITE, 0, 0, 7);
	CHECK(check(&ro, &r) == BLKREQ_READONLY, "write to a read-only VBD");
	slot.operation = BLKIF_OP_FLUSH_DISKCACHE;
	CHECK(check(&ro, &r) == BLKREQ_READONLY,
	      "flush with data to a read-only VBD");
	slot.operation = BLKIF_OP_WRITE_BARRIER;
	CHECK(check(&ro, &r) == BLKREQ_READONLY,
	      "barrier with data to a read-only VBD");
	for (int f = BLKREQ_BAD_NSEG; f < BLKREQ_NFAULTS; f++)
		CHECK(blkreq_status((enum blkreq_fault)f) == BLKIF_RSP_ERROR,
		      "fault %d (%s) answers BLKIF_RSP_ERROR", f,
		      blkreq_fault_name((enum blkreq_fault)f));
}

static void indirect(uint8_t iop, uint16_t nseg, uint64_t sector)
{
	struct blkif_request_indirect *ind = (void *)&slot;

	memset(&slot, 0, sizeof(slot));
	ind->operation = BLKIF_OP_INDIRECT;
	ind->indirect_op = iop;
	ind->nr_segments = nseg;
	ind->id = 0x4321;
	ind->sector_number = sector;
	ind->indirect_grefs[0] = 77;
}

static void test_indirect(void)
{
	struct blkif_request_segment descs[BLK_MAX_INDIRECT_SEGS];
	struct blkvbd v = { .start = 0, .sectors = 1024 };
	struct blkvbd ro = { .start = 0, .sectors = 1024, .readonly = true };
	struct blkreq r;

	TEST_GROUP("blkreq: indirect requests");
	for (int i = 0; i < BLK_MAX_INDIRECT_SEGS; i++)
		descs[i] = (struct blkif_request_segment){ 100 + i, 0, 7, 0 };
	indirect(BLKIF_OP_READ, 32, 0);
	blkreq_fetch(&r, &slot);
	CHECK(r.indirect && r.op == BLKIF_OP_READ &&
		  r.wire_op == BLKIF_OP_INDIRECT && r.nseg == 32 &&
		  r.id == 0x4321 && r.indirect_gref == 77,
	      "header decoded: op %u nseg %u gref %u", r.op, r.nseg,
	      r.indirect_gref);
	CHECK(blkreq_check_indirect(&r) == BLKREQ_OK, "32 segments: ok");
	blkreq_set_segments(&r, descs);
	CHECK(blkreq_check(&r, &v) == BLKREQ_OK && r.nsectors == 256 &&
		  r.seg[31].gref == 131,
	      "checked with its descriptors: %u sectors", r.nsectors);
	indirect(BLKIF_OP_WRITE, 32, 0);
	blkreq_fetch(&r, &slot);
	blkreq_set_segments(&r, descs);
	CHECK(blkreq_check(&r, &ro) == BLKREQ_READONLY,
	      "an indirect write to a read-only VBD");
	indirect(BLKIF_OP_READ, 32, 1024 - 255);
	blkreq_fetch(&r, &slot);
	blkreq_set_segments(&r, descs);
	CHECK(blkreq_check(&r, &v) == BLKREQ_RANGE, "past the VBD's end");
	descs[5].last_sect = 8;
	indirect(BLKIF_OP_READ, 32, 0);
	blkreq_fetch(&r, &slot);
	blkreq_set_segments(&r, descs);
	CHECK(blkreq_check(&r, &v) == BLKREQ_BAD_SECT,
	      "a bad descriptor in the indirect page");
	indirect(BLKIF_OP_READ, 33, 0);
	blkreq_fetch(&r, &slot);
	CHECK(blkreq_check_indirect(&r) == BLKREQ_BAD_NSEG, "33 segments");
	blkreq_set_segments(&r, descs); /* must not copy 33 */
	CHECK(blkreq_check(&r, &v) == BLKREQ_BAD_NSEG, "and still refused");
	indirect(BLKIF_OP_READ, 0, 0);
	blkreq_fetch(&r, &slot);
	CHECK(blkreq_check_indirect(&r) == BLKREQ_BAD_NSEG, "0 segments");
	indirect(BLKIF_OP_READ, 0xffff, 0);
	blkreq_fetch(&r, &slot);
	CHECK(blkreq_check_indirect(&r) == BLKREQ_BAD_NSEG, "65535 segments");
	indirect(BLKIF_OP_FLUSH_DISKCACHE, 1, 0);
	blkreq_fetch(&r, &slot);
	CHECK(blkreq_check_indirect(&r) == BLKREQ_BAD_OP, "an indirect flush");
	indirect(BLKIF_OP_INDIRECT, 1, 0);
	blkreq_fetch(&r, &slot);
	CHECK(blkreq_check_indirect(&r) == BLKREQ_BAD_OP &&
		  blkreq_check(&r, &v) == BLKREQ_BAD_OP,
	      "indirect within indirect");
}

static void test_once(void)
{
	struct blkvbd v = { .start = 0, .sectors = 64 };
	struct blkreq r;

	TEST_GROUP("blkreq: the private copy is what gets checked and used");
	one_seg(BLKIF_OP_READ, 0, 0, 7);
	blkreq_fetch(&r, &slot);
	/* The front end rewrites the slot after the copy. */
	slot.nr_segments = 200;
	slot.seg[0].last_sect = 200;
	slot.sector_number = 1ULL << 60;
	CHECK(blkreq_check(&r, &v) == BLKREQ_OK && r.nseg == 1 &&
		  r.seg[0].last_sect == 7 && r.sector == 0,
	      "later writes to the slot change nothing");
}

static void test_ring(void)
{
	TEST_GROUP("blkreq: ring sizes and the producer check");
	CHECK(blkring_size(1) == 32, "one page: %u slots", blkring_size(1));
	CHECK(blkring_size(2) == 64, "two pages: %u", blkring_size(2));
	CHECK(blkring_size(4) == 128, "four pages: %u", blkring_size(4));
	CHECK(blkring_size(16) == 512, "sixteen pages: %u", blkring_size(16));
	CHECK(blkring_prod_ok(32, 0, 32), "a full ring is fine");
	CHECK(!blkring_prod_ok(33, 0, 32), "one more than a ring: refused");
	CHECK(blkring_prod_ok(5, 0xfffffffe, 32), "across the wrap");
	CHECK(!blkring_prod_ok(0xfffffff0, 5, 32), "producer behind: refused");
}

static void discard(uint64_t sector, uint64_t n, uint8_t flag)
{
	struct blkif_request_discard *d = (void *)&slot;

	memset(&slot, 0xA5, sizeof(slot)); /* the rest is not discard's */
	d->operation = BLKIF_OP_DISCARD;
	d->flag = flag;
	d->handle = 0;
	d->id = 0x5151;
	d->sector_number = sector;
	d->nr_sectors = n;
}

static void test_discard(void)
{
	struct blkvbd v = { .sectors = 64, .discard = true };
	struct blkvbd ro = { .sectors = 64, .readonly = true, .discard = true };
	struct blkvbd none = { .sectors = 64 };
	struct blkreq r;

	TEST_GROUP("blkreq: discard requests (their own layout)");
	discard(8, 56, 0);
	CHECK(check(&v, &r) == BLKREQ_OK && r.discard_sectors == 56 &&
		  r.sector == 8 && r.id == 0x5151 && !r.nseg && !r.nsectors,
	      "8+56 of 64, fields from the discard layout (nseg %u)", r.nseg);
	discard(8, 56, BLKIF_DISCARD_SECURE);
	CHECK(check(&v, &r) == BLKREQ_OK &&
		  r.discard_flag == BLKIF_DISCARD_SECURE,
	      "secure flag taken as a plain discard");
	discard(64, 0, 0);
	CHECK(check(&v, &r) == BLKREQ_OK, "0 sectors at the end: nothing");
	discard(8, 57, 0);
	CHECK(check(&v, &r) == BLKREQ_RANGE, "one sector past the end");
	discard(65, 0, 0);
	CHECK(check(&v, &r) == BLKREQ_RANGE, "starts past the end");
	discard(8, UINT64_MAX - 4, 0);
	CHECK(check(&v, &r) == BLKREQ_RANGE, "sector + count wraps around");
	discard(0, 8, 0);
	CHECK(check(&ro, &r) == BLKREQ_READONLY, "read-only VBD refused");
	CHECK(check(&none, &r) == BLKREQ_BAD_OP &&
		  blkreq_status(BLKREQ_BAD_OP) == BLKIF_RSP_EOPNOTSUPP,
	      "not offered: EOPNOTSUPP");
}

int main(void)
{
	test_discard();
	test_good();
	test_bad();
	test_indirect();
	test_once();
	test_ring();
	return test_summary("test_blkreq");
}
