/*
 * Virtual block devices (dom0/backends/vbd.c) and the block back end
 * that serves them to Linux's xen-blkfront (dom0/backends/blkback.c).
 *
 * A VBD is an extent of one of domain 0's virtio disks given to one
 * domain as one virtual device (xvda, ...). The toolstack adds a
 * domain's VBDs from its xl.cfg disk lines before the domain runs;
 * read-only VBDs may overlap each other, a read-write one overlaps
 * nothing (a second writer is refused, naming the first).
 * A copy-on-write VBD (format=cow) holds its overlay as its access says
 * and its base read-only, so any number of them share one base.
 */
#ifndef DOM0_BLKBACK_H
#define DOM0_BLKBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "blkreq.h"
#include "xldisk.h"

struct blkif;
struct cow;
struct xbe_dev;

/* Sectors of a domain 0 disk a VBD uses (for the sharing rule). */
struct vbd_area {
	unsigned int disk;
	struct blkvbd ext;
};
#define VBD_AREAS 2 /* a raw VBD: its extent; a COW one: overlay, base */

#define XLDISK_CHECK_MAX 8 /* disks vbd_check takes (an xl.cfg's most) */

struct vbd {
	struct vbd *next;
	uint16_t domid;
	struct xl_disk cfg; /* as configured (vdev, devid, target) */
	struct blkvbd ext; /* resolved: start and length on the disk */
	struct vbd_area area[VBD_AREAS]; /* what it holds of domain 0's disks */
	unsigned int nareas;
	struct cow *cow; /* format=cow: the open overlay (ext.start is 0) */
	uint32_t sector_size; /* the disk's logical block size */
	uint32_t discard_gran, discard_align; /* bytes; 0: no discard */
	struct blkif *blkif; /* the connected ring, if any (blkback.c) */
	/* blkback's: faults already logged (once per kind), connections. */
	uint32_t logged;
	unsigned int connects;
	/* Counters for xl block-list. */
	uint64_t reqs, sectors_read, sectors_written, flushes, discards, errors;
};

/* Register blkback with the xenbus library (at start). */
void blkback_start(void);

/*
 * Check a config's disks before its domain is built: the disks exist,
 * extents fit, access is possible and nothing conflicts with VBDs in use
 * or with each other. 0, or a negative errno with err in words.
 */
int vbd_check(const struct xl_disk *disks, unsigned int n, char *err,
	      size_t errlen);
/* Add one VBD of domid and write its xenstore nodes (checks again). */
int vbd_add(uint16_t domid, const struct xl_disk *disk, char *err,
	    size_t errlen);
/* Every VBD of domid goes (the domain is being destroyed). */
void vbd_remove_domain(uint16_t domid);
/* Detach one VBD from a running domain (clean close, forced on timeout). */
int vbd_detach(uint16_t domid, uint32_t devid, char *err, size_t errlen);
struct vbd *vbd_find(uint16_t domid, uint32_t devid);
/* The VBD using sectors of target's extent, if any (xl cow-create). */
struct vbd *vbd_user(const struct xl_disk *target);
struct vbd *vbd_first(void);

/* blkback.c's part of a device's life, called by the xenbus callbacks. */
int blkif_connect(struct vbd *v, struct xbe_dev *d);
void blkif_disconnect(struct vbd *v);

#endif
