/*
 * xl.cfg disk specifications (dom0/lib/xldisk.c), in Xen's syntax
 * (docs/misc/xl-disk-configuration.txt): comma-separated key=value
 * items, or positional ones in the order target, format, vdev, access,
 * or the old three-item form target, vdev, access.
 *
 *   'format=raw, vdev=xvda, access=rw, target=vblk0'
 *   'vblk0,raw,xvda,rw'        'phy:vblk0:2048+204800,xvdb,r'
 *
 * Xenolith's targets are domain 0's virtio disks: "vblkN" is the whole
 * disk N (as `xl blk-info` numbers them), "vblkN:START+LENGTH" an extent
 * of it; START and LENGTH are 512-byte sectors, or bytes with a K, M or
 * G suffix (whole sectors). A "phy:" prefix is accepted, as xl does.
 * format=cow makes the target a copy-on-write overlay, made beforehand
 * with `xl cow-create OVERLAY BASE` (it names its base itself):
 *
 *   'format=cow, vdev=xvda, access=rw, target=vblk1:0+80M'
 *
 * Keys: target, format (raw or cow), vdev (xvdX, xvdXN, or a number),
 * access (r, ro, w, rw), devtype (disk only), backend (0 or Domain-0);
 * the flags discard (the default) and no-discard.
 * Anything else (script=, cdrom, qcow2, ...) is refused with the reason.
 * Pure code, shared by domain 0, the host xl and the unit test.
 */
#ifndef XENOLITH_XLDISK_H
#define XENOLITH_XLDISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XLDISK_VDEV_MAX 16

struct xl_disk {
	unsigned int disk; /* domain 0's virtio disk number */
	uint64_t start; /* first sector of the extent */
	uint64_t sectors; /* 0: to the end of the disk */
	char vdev[XLDISK_VDEV_MAX]; /* as written, e.g. "xvda" */
	uint32_t devid; /* the virtual-device number (51712 for xvda) */
	bool readonly;
	bool cow; /* format=cow: the target is a copy-on-write overlay */
	bool no_discard; /* the no-discard flag (discard is the default) */
};

/* Parse one list item. 0, or -22 with err saying why. */
int xldisk_parse(const char *spec, struct xl_disk *d, char *err, size_t errlen);
/* The device number of a vdev name (Xen's vbd-interface rules), or 0. */
uint32_t xldisk_vdev_number(const char *vdev);
/* A target alone ("vblk1:0+80M"), as xl cow-create takes it. */
int xldisk_parse_target(const char *target, struct xl_disk *d, char *err,
			size_t errlen);
/* The target back as text: "vblk0" or "vblk0:2048+204800". */
void xldisk_target(const struct xl_disk *d, char *buf, size_t n);

#endif
