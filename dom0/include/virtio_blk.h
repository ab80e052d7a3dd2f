/*
 * Virtio block devices for domain 0 (dom0/drivers/virtio_blk.c): every
 * modern virtio-blk PCI device found at boot, numbered from 0 in PCI scan
 * order. The future block backend reads and writes them through this.
 *
 * Sectors are 512 bytes (virtio's unit, and Xen's blkif's) whatever the
 * device's logical block size; I/O should be aligned to that block size.
 * Calls block the calling thread (never from event handlers); any number
 * of threads may have requests in flight on one device at once.
 */
#ifndef DOM0_VIRTIO_BLK_H
#define DOM0_VIRTIO_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VBLK_SECTOR 512

/* Find and start every device (at boot); returns how many started. */
int vblk_start(void);
int vblk_count(void);
/*
 * Size in 512-byte sectors and the logical block size (512 unless the
 * device offers another); 0, or -ENODEV for no such device.
 */
int vblk_info(int dev, uint64_t *sectors, uint32_t *sector_size);
bool vblk_readonly(int dev);
/*
 * Read or write nsectors from sector on, into or from buf (any kernel
 * memory; it is split at page boundaries for the device). 0, or -ENODEV,
 * -ERANGE (beyond the end: nothing is done), -EACCES (write to a
 * read-only disk), -EIO (the device failed the request).
 */
int vblk_rw(int dev, bool write, uint64_t sector, void *buf, size_t nsectors);
/* Make completed writes durable (no-op if the device has no cache). */
int vblk_flush(int dev);
/*
 * Tell the device nsectors from sector on are unused (VIRTIO_BLK_F_DISCARD;
 * QEMU punches a hole with -drive discard=unmap). 0, -EOPNOTSUPP if the
 * device does not discard, -ERANGE, -EACCES, -EIO.
 */
int vblk_discard(int dev, uint64_t sector, uint64_t nsectors);
/* Does it discard? 0 and its alignment in sectors, or -EOPNOTSUPP. */
int vblk_discard_info(int dev, uint32_t *align);

/* Counters for inspection (xl blk-info). */
struct vblk_stats {
	uint64_t reads, writes, flushes, errors; /* requests */
	uint64_t sectors_read, sectors_written;
	unsigned int max_inflight; /* most requests the device held at once */
};
int vblk_stats(int dev, struct vblk_stats *st);
/* Where it is on the PCI bus and whether it has an interrupt line. */
int vblk_describe(int dev, char *buf, size_t n);

#endif
