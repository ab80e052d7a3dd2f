/*
 * The PV block protocol. The frontend (guest) posts requests on a shared
 * ring (DEFINE_RING_TYPES(blkif) below) and the backend answers each with
 * one response, in any order, matched by `id`. Ring references, the
 * event channel and the protocol name ("x86_64-abi") are exchanged through
 * xenstore. So are the disk's size, sector size and VDISK_* info.
 *
 * A read or write request names up to BLKIF_MAX_SEGMENTS_PER_REQUEST
 * granted pages. Each segment covers the 512-byte sectors first_sect to
 * last_sect (inclusive, 0..7 in a 4 KiB page) of its page. sector_number
 * is where the transfer starts on the disk, always in 512-byte units
 * whatever the disk's sector-size. The transfer is the segments' sectors,
 * back to back.
 *
 * Layout (x86_64): request 112 bytes, with id at 8, sector_number at 16 and
 * seg[] at 24 (8 bytes each). Response 16 bytes: id, operation at 8,
 * status at 10. 32 slots fit in a one-page ring.
 */
#ifndef XENOLITH_PUBLIC_IO_BLKIF_H
#define XENOLITH_PUBLIC_IO_BLKIF_H

#include "../grant_table.h"
#include "ring.h"

typedef uint16_t blkif_vdev_t; /* virtual device handle */
typedef uint64_t blkif_sector_t; /* 512-byte sector index */

/* Operations (request.operation). */
#define BLKIF_OP_READ 0
#define BLKIF_OP_WRITE 1
#define BLKIF_OP_WRITE_BARRIER 2 /* write ordered against all others */
#define BLKIF_OP_FLUSH_DISKCACHE \
	3 /* flush the write cache (segments optional) */
#define BLKIF_OP_RESERVED_1 4 /* reserved; not a valid request */
#define BLKIF_OP_DISCARD 5 /* struct blkif_request_discard */
#define BLKIF_OP_INDIRECT 6 /* struct blkif_request_indirect */

#define BLKIF_MAX_SEGMENTS_PER_REQUEST 11
/* Pages of segment descriptors an indirect request may name. */
#define BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST 8

struct blkif_request_segment {
	grant_ref_t gref; /* granted page */
	uint8_t first_sect; /* first 512-byte sector used, inclusive */
	uint8_t last_sect; /* last, inclusive */
	uint16_t _pad;
};

struct blkif_request {
	uint8_t operation; /* BLKIF_OP_* */
	uint8_t nr_segments; /* entries of seg[] used */
	blkif_vdev_t handle; /* device (reads and writes) */
	uint32_t _pad;
	uint64_t id; /* frontend's tag, echoed in the response */
	blkif_sector_t sector_number;
	struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};
typedef struct blkif_request blkif_request_t;

/* BLKIF_OP_DISCARD: drop nr_sectors from sector_number on. */
struct blkif_request_discard {
	uint8_t operation; /* BLKIF_OP_DISCARD */
	uint8_t flag; /* BLKIF_DISCARD_* */
	blkif_vdev_t handle;
	uint32_t _pad;
	uint64_t id;
	blkif_sector_t sector_number;
	uint64_t nr_sectors;
};
typedef struct blkif_request_discard blkif_request_discard_t;

/* Secure erase (only if the backend offers discard-secure). */
#define BLKIF_DISCARD_SECURE (1 << 0)

/*
 * BLKIF_OP_INDIRECT: a read or write whose segments (struct
 * blkif_request_segment, 512 per page) live in granted pages rather than
 * in the request. Only if the backend advertises
 * feature-max-indirect-segments.
 */
struct blkif_request_indirect {
	uint8_t operation; /* BLKIF_OP_INDIRECT */
	uint8_t indirect_op; /* BLKIF_OP_READ or BLKIF_OP_WRITE */
	uint16_t nr_segments; /* total segments */
	uint32_t _pad0;
	uint64_t id;
	blkif_sector_t sector_number;
	blkif_vdev_t handle;
	uint16_t _pad1;
	grant_ref_t indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
	uint32_t _pad2;
};
typedef struct blkif_request_indirect blkif_request_indirect_t;

struct blkif_response {
	uint64_t id; /* the request's id */
	uint8_t operation; /* the request's operation */
	uint8_t _pad0;
	int16_t status; /* BLKIF_RSP_* */
	uint32_t _pad1;
};
typedef struct blkif_response blkif_response_t;

#define BLKIF_RSP_EOPNOTSUPP (-2) /* operation not supported */
#define BLKIF_RSP_ERROR (-1)
#define BLKIF_RSP_OKAY 0

DEFINE_RING_TYPES(blkif, struct blkif_request, struct blkif_response);

/* The backend's "info" node: a bitwise OR of these. */
#define VDISK_CDROM 0x1
#define VDISK_REMOVABLE 0x2
#define VDISK_READONLY 0x4

#endif
