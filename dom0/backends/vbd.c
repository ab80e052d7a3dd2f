/*
 * Virtual block devices: the translation table from (domain, virtual
 * device) to an extent of a domain 0 disk, the sharing rules, and the
 * xenstore nodes Xen's toolstack writes for a vbd (see blkback.h).
 */
#include <xen/io/xenbus.h>
#include "blkback.h"
#include "errno.h"
#include "kernel.h"
#include "virtio_blk.h"
#include "xenbus_be.h"

static struct vbd *vbds;

struct vbd *vbd_first(void)
{
	return vbds;
}

struct vbd *vbd_find(uint16_t domid, uint32_t devid)
{
	struct vbd *v;

	for (v = vbds; v; v = v->next)
		if (v->domid == domid && v->cfg.devid == devid)
			break;
	return v;
}

/* The extent a disk line names, checked against the disk itself. */
static int resolve(const struct xl_disk *d, struct blkvbd *ext, uint32_t *ssize,
		   char *err, size_t errlen)
{
	char t[48];
	uint64_t total;
	int rc = vblk_info((int)d->disk, &total, ssize);

	xldisk_target(d, t, sizeof(t));
	if (rc) {
		snprintf(err, errlen,
			 "disk %s: domain 0 has no disk vblk%u (`xl "
			 "blk-info` lists its disks)",
			 t, d->disk);
		return -ENODEV;
	}
	ext->start = d->start;
	ext->sectors = d->sectors ? d->sectors : total - d->start;
	ext->readonly = d->readonly;
	if (d->start >= total || ext->sectors > total - d->start) {
		snprintf(err, errlen,
			 "disk %s: the extent ends beyond vblk%u's %lu "
			 "sectors",
			 t, d->disk, total);
		return -ERANGE;
	}
	if (!d->readonly && vblk_readonly((int)d->disk)) {
		snprintf(err, errlen,
			 "disk %s: vblk%u is read-only: give access=r", t,
			 d->disk);
		return -EACCES;
	}
	return 0;
}

static bool overlap(unsigned int disk_a, const struct blkvbd *a,
		    unsigned int disk_b, const struct blkvbd *b)
{
	return disk_a == disk_b && a->start < b->start + b->sectors &&
	       b->start < a->start + a->sectors;
}

/* A writer shares its sectors with nobody; readers share with readers. */
static int conflicts(const struct xl_disk *d, const struct blkvbd *ext,
		     char *err, size_t errlen)
{
	char t[48];

	for (struct vbd *v = vbds; v; v = v->next) {
		if (!overlap(d->disk, ext, v->cfg.disk, &v->ext) ||
		    (ext->readonly && v->ext.readonly))
			continue;
		xldisk_target(d, t, sizeof(t));
		snprintf(err, errlen,
			 "disk %s: vblk%u sectors %lu-%lu are in use by "
			 "domain %u as %s (%s); a read-write VBD cannot share "
			 "its sectors",
			 t, d->disk, v->ext.start,
			 v->ext.start + v->ext.sectors - 1, v->domid,
			 v->cfg.vdev,
			 v->ext.readonly ? "read-only" : "read-write");
		return -EBUSY;
	}
	return 0;
}

int vbd_check(const struct xl_disk *disks, unsigned int n, char *err,
	      size_t errlen)
{
	struct blkvbd ext[XLDISK_CHECK_MAX];
	uint32_t ssize;
	char t[48];
	int rc;

	if (n > XLDISK_CHECK_MAX)
		return -E2BIG;
	for (unsigned int i = 0; i < n; i++) {
		if ((rc = resolve(&disks[i], &ext[i], &ssize, err, errlen)) ||
		    (rc = conflicts(&disks[i], &ext[i], err, errlen)))
			return rc;
		for (unsigned int j = 0; j < i; j++) {
			if (!overlap(disks[i].disk, &ext[i], disks[j].disk,
				     &ext[j]) ||
			    (ext[i].readonly && ext[j].readonly))
				continue;
			xldisk_target(&disks[i], t, sizeof(t));
			snprintf(err, errlen,
				 "disk %s (%s) overlaps %s of the same "
				 "config, and one of them is read-write",
				 t, disks[i].vdev, disks[j].vdev);
			return -EBUSY;
		}
	}
	return 0;
}

static int write_nodes(const struct vbd *v)
{
	char params[48], devid[12];

	xldisk_target(&v->cfg, params, sizeof(params));
	snprintf(devid, sizeof(devid), "%u", v->cfg.devid);
	/* What libxl writes for a phy vbd, with our target as params. */
	const struct xbe_node be[] = {
		{ "params", params },
		{ "mode", v->ext.readonly ? "r" : "w" },
		{ "type", "phy" },
		{ "dev", v->cfg.vdev },
		{ "device-type", "disk" },
		{ "removable", "0" },
		{ "bootable", "1" },
	};
	const struct xbe_node fe[] = {
		{ "virtual-device", devid },
		{ "device-type", "disk" },
	};
	return xbe_device_write("vbd", v->domid, v->cfg.devid, be,
				ARRAY_SIZE(be), fe, ARRAY_SIZE(fe));
}

int vbd_add(uint16_t domid, const struct xl_disk *disk, char *err,
	    size_t errlen)
{
	struct vbd *v;
	struct blkvbd ext;
	uint32_t ssize;
	int rc;

	if (vbd_find(domid, disk->devid)) {
		snprintf(err, errlen, "domain %u already has a disk %s", domid,
			 disk->vdev);
		return -EEXIST;
	}
	if ((rc = resolve(disk, &ext, &ssize, err, errlen)) ||
	    (rc = conflicts(disk, &ext, err, errlen)))
		return rc;
	v = calloc(1, sizeof(*v));
	if (!v) {
		snprintf(err, errlen, "domain 0 is out of memory");
		return -ENOMEM;
	}
	v->domid = domid;
	v->cfg = *disk;
	v->ext = ext;
	v->sector_size = ssize;
	v->next = vbds;
	vbds = v;
	rc = write_nodes(v);
	if (rc) {
		snprintf(err, errlen,
			 "cannot write the xenstore nodes of %s: "
			 "%s",
			 disk->vdev, strerror(rc));
		vbds = v->next;
		free(v);
	}
	return rc;
}

static void forget(struct vbd *v)
{
	struct vbd **pp;

	for (pp = &vbds; *pp != v; pp = &(*pp)->next)
		;
	*pp = v->next;
	free(v);
}

void vbd_remove_domain(uint16_t domid)
{
	struct vbd *v, *next;

	xbe_remove_domain(domid); /* disconnects: no I/O is left after */
	for (v = vbds; v; v = next) {
		next = v->next;
		if (v->domid == domid)
			forget(v);
	}
}

int vbd_detach(uint16_t domid, uint32_t devid, char *err, size_t errlen)
{
	struct vbd *v = vbd_find(domid, devid);
	int rc;

	if (!v) {
		snprintf(err, errlen, "domain %u has no disk %u", domid, devid);
		return -ENOENT;
	}
	rc = xbe_detach("vbd", domid, devid, 10 * SEC);
	if (rc == -ETIMEDOUT)
		snprintf(err, errlen,
			 "the guest did not close the disk "
			 "within 10 s: detached by force");
	v = vbd_find(domid, devid); /* it may have waited */
	if (v)
		forget(v);
	return rc == -ETIMEDOUT ? 0 : rc;
}
