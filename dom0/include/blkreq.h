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

/* A request in our memory; the fields as the front end wrote them. */
struct blkreq {
	uint8_t op;
	uint8_t nseg;
	uint64_t id;
	uint64_t sector; /* in the VBD, 512-byte units */
	struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
	uint32_t nsectors; /* set by blkreq_check: the segments' total */
};

/* What a VBD is: an extent of one of domain 0's disks. */
struct blkvbd {
	uint64_t start; /* first sector on the disk */
	uint64_t sectors; /* length */
	bool readonly;
};

/* Why a request was refused (each is logged once per device). */
enum blkreq_fault {
	BLKREQ_OK,
	BLKREQ_BAD_OP, /* unknown or unsupported operation */
	BLKREQ_BAD_NSEG, /* 0 or more than 11 segments for a read/write */
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
