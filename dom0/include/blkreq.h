/*
 * blkif requests as the block back end sees them (dom0/lib/blkreq.c):
 * copied once out of the shared ring into private memory, then checked
 * against the VBD. Pure code, exercised by the host unit test
 * (tests/unit/test_blkreq.c).
 */
#ifndef DOM0_BLKREQ_H
#define DOM0_BLKREQ_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/io/blkif.h>

#define BLK_SECTORS_PER_PAGE 8
/*
 * Segments of an indirect request we take (feature-max-indirect-segments,
 * Linux blkfront's own default): their descriptors fit in the first
 * indirect page, so only indirect_grefs[0] is ever read.
 */
#define BLK_MAX_INDIRECT_SEGS 32

/*
 * A request in our memory; the fields as the front end wrote them. For
 * BLKIF_OP_DISCARD, nseg is 0 and the range is sector and
 * discard_sectors (0 sectors: nothing to do, as Xen's blkback takes it). For
 * BLKIF_OP_INDIRECT, op is the indirect_op (READ or WRITE), indirect is
 * set, and seg[] is filled by blkreq_set_segments from the descriptors
 * the back end copied out of the indirect page.
 */
struct blkreq {
	uint8_t wire_op; /* operation as on the ring */
	uint8_t op; /* what to do: wire_op, or the indirect_op */
	bool indirect;
	uint16_t nseg;
	uint64_t id;
	uint64_t sector; /* in the VBD, 512-byte units */
	uint32_t indirect_gref; /* indirect_grefs[0] */
	struct blkif_request_segment seg[BLK_MAX_INDIRECT_SEGS];
	uint32_t nsectors; /* set by blkreq_check: the segments' total */
	/* BLKIF_OP_DISCARD's own fields (struct blkif_request_discard). */
	uint8_t discard_flag;
	uint64_t discard_sectors;
};

/* What a VBD is: an extent of one of domain 0's disks. */
struct blkvbd {
	uint64_t start; /* first sector on the disk */
	uint64_t sectors; /* length */
	bool readonly;
	bool discard; /* BLKIF_OP_DISCARD served (feature-discard) */
};

/* Why a request was refused (each is logged once per device). */
enum blkreq_fault {
	BLKREQ_OK,
	BLKREQ_BAD_OP, /* unknown or unsupported operation */
	BLKREQ_BAD_NSEG, /* 0 or too many segments for a read/write */
	BLKREQ_BAD_SECT, /* first_sect > last_sect, or beyond the page */
	BLKREQ_RANGE, /* sectors beyond the end of the VBD */
	BLKREQ_READONLY, /* a write to a read-only VBD */
	BLKREQ_NFAULTS
};

/*
 * Copy the slot's 112 bytes once (the front end may change them while we
 * look) and take the fields from our copy only.
 */
void blkreq_fetch(struct blkreq *r, const volatile void *slot);

/*
 * An indirect request's header: indirect_op READ or WRITE and 1 to
 * BLK_MAX_INDIRECT_SEGS segments. BLKREQ_OK before its descriptors may be
 * fetched (nseg * 8 bytes from indirect_gref).
 */
enum blkreq_fault blkreq_check_indirect(const struct blkreq *r);
/* Take r->nseg descriptors from the back end's private copy. */
void blkreq_set_segments(struct blkreq *r, const void *descs);

/*
 * Check r against vbd; set r->nsectors. Returns BLKREQ_OK or the fault;
 * blkreq_status maps that to the response's status.
 */
enum blkreq_fault blkreq_check(struct blkreq *r, const struct blkvbd *vbd);
int16_t blkreq_status(enum blkreq_fault f);
const char *blkreq_fault_name(enum blkreq_fault f);

/*
 * May the back end take requests up to prod, having answered up to
 * rsp_prod_pvt, in a ring of `size` slots? A front end whose producer
 * runs more than a ring ahead is broken (or hostile).
 */
static inline bool blkring_prod_ok(uint32_t prod, uint32_t rsp_prod_pvt,
				   uint32_t size)
{
	return prod - rsp_prod_pvt <= size;
}

/* Slots in a ring of `pages` pages (a power of two, as ring.h says). */
uint32_t blkring_size(unsigned int pages);

#endif
