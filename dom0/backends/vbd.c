/*
 * Virtual block devices: the translation table from (domain, virtual
 * device) to an extent of a domain 0 disk, the sharing rules, and the
 * xenstore nodes Xen's toolstack writes for a vbd (see blkback.h).
 */
#include <xen/io/xenbus.h>
#include "blkback.h"
#include "cow.h"
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
static int resolve_raw(const struct xl_disk *d, struct blkvbd *ext,
		       uint32_t *ssize, char *err, size_t errlen)
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
	ext->discard = false; /* set_discard's, once the VBD is made */
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

/*
 * What a disk line gives the guest (ext: for a COW VBD start 0 and the
 * base's length) and which sectors of domain 0's disks it holds.
 */
static int resolve(const struct xl_disk *d, struct blkvbd *ext,
		   struct vbd_area *area, unsigned int *nareas, uint32_t *ssize,
		   char *err, size_t errlen)
{
	struct cow_header h;
	char t[48], why[160];
	int rc = resolve_raw(d, ext, ssize, err, errlen);

	if (rc)
		return rc;
	area[0] = (struct vbd_area){ d->disk, *ext };
	*nareas = 1;
	if (!d->cow)
		return 0;
	rc = cow_probe(d, &h, why, sizeof(why));
	if (rc) {
		xldisk_target(d, t, sizeof(t));
		snprintf(err, errlen, "disk %s (format=cow): %s", t, why);
		return rc;
	}
	*ext = (struct blkvbd){ .sectors = h.base_sectors,
				.readonly = d->readonly };
	area[1] = (struct vbd_area){ h.base_disk,
				     { .start = h.base_start,
				       .sectors = h.base_sectors,
				       .readonly = true } };
	*nareas = 2;
	return 0;
}

static bool overlap(const struct vbd_area *a, const struct vbd_area *b)
{
	return a->disk == b->disk &&
	       a->ext.start < b->ext.start + b->ext.sectors &&
	       b->ext.start < a->ext.start + a->ext.sectors;
}

/* Two areas in conflict: shared sectors, one of them written. */
static bool clash(const struct vbd_area *a, const struct vbd_area *b)
{
	return overlap(a, b) && !(a->ext.readonly && b->ext.readonly);
}

/* A writer shares its sectors with nobody; readers share with readers. */
static int conflicts(const struct xl_disk *d, const struct vbd_area *area,
		     unsigned int nareas, char *err, size_t errlen)
{
	char t[48];

	for (struct vbd *v = vbds; v; v = v->next) {
		for (unsigned int i = 0; i < nareas; i++) {
			for (unsigned int j = 0; j < v->nareas; j++) {
				const struct vbd_area *o = &v->area[j];

				if (!clash(&area[i], o))
					continue;
				xldisk_target(d, t, sizeof(t));
				snprintf(err, errlen,
					 "disk %s: vblk%u sectors %lu-%lu are "
					 "in use by domain %u as %s (%s%s); a "
					 "read-write VBD cannot share its "
					 "sectors",
					 t, o->disk, o->ext.start,
					 o->ext.start + o->ext.sectors - 1,
					 v->domid, v->cfg.vdev,
					 o->ext.readonly ? "read-only"
							 : "read-write",
					 j ? ", the base of a COW VBD" : "");
				return -EBUSY;
			}
		}
	}
	return 0;
}

struct vbd *vbd_user(const struct xl_disk *target)
{
	struct vbd_area a;
	struct blkvbd ext;
	uint32_t ssize;
	char err[8];

	if (resolve_raw(target, &ext, &ssize, err, sizeof(err)))
		return NULL;
	a = (struct vbd_area){ target->disk, ext };
	for (struct vbd *v = vbds; v; v = v->next)
		for (unsigned int j = 0; j < v->nareas; j++)
			if (overlap(&a, &v->area[j]))
				return v;
	return NULL;
}

struct check_disk {
	struct vbd_area area[VBD_AREAS];
	unsigned int nareas;
};

/* Disk i of a config against the disks before it. */
static int conflicts_within(const struct xl_disk *disks,
			    const struct check_disk *c, unsigned int i,
			    char *err, size_t errlen)
{
	char t[48];

	for (unsigned int j = 0; j < i; j++)
		for (unsigned int a = 0; a < c[i].nareas; a++)
			for (unsigned int b = 0; b < c[j].nareas; b++) {
				if (!clash(&c[i].area[a], &c[j].area[b]))
					continue;
				xldisk_target(&disks[i], t, sizeof(t));
				snprintf(err, errlen,
					 "disk %s (%s) overlaps %s of the "
					 "same config, and one of them is "
					 "read-write",
					 t, disks[i].vdev, disks[j].vdev);
				return -EBUSY;
			}
	return 0;
}

int vbd_check(const struct xl_disk *disks, unsigned int n, char *err,
	      size_t errlen)
{
	struct check_disk *c;
	struct blkvbd ext;
	uint32_t ssize;
	int rc = 0;

	if (n > XLDISK_CHECK_MAX)
		return -E2BIG;
	c = calloc(n ? n : 1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "domain 0 is out of memory");
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < n && !rc; i++) {
		rc = resolve(&disks[i], &ext, c[i].area, &c[i].nareas, &ssize,
			     err, errlen);
		if (!rc)
			rc = conflicts(&disks[i], c[i].area, c[i].nareas, err,
				       errlen);
		if (!rc)
			rc = conflicts_within(disks, c, i, err, errlen);
	}
	free(c);
	return rc;
}

static int write_nodes(const struct vbd *v)
{
	char params[56], devid[12];

	/* As libxl prefixes a qdisk's format ("qcow2:..."). */
	strlcpy(params, v->cow ? "cow:" : "", sizeof(params));
	xldisk_target(&v->cfg, params + strlen(params),
		      sizeof(params) - strlen(params));
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
		{ "discard-enable", v->cfg.no_discard ? "0" : "1" },
	};
	const struct xbe_node fe[] = {
		{ "virtual-device", devid },
		{ "device-type", "disk" },
	};
	return xbe_device_write("vbd", v->domid, v->cfg.devid, be,
				ARRAY_SIZE(be), fe, ARRAY_SIZE(fe));
}

/*
 * Discard, as Xen's blkback offers it: a COW VBD drops overlay blocks
 * (granularity one block); a raw one passes it to a virtio disk that
 * discards (granularity its alignment; the extent's start may shift the
 * alignment). Not for read-only VBDs, nor with no-discard.
 */
static void set_discard(struct vbd *v)
{
	uint32_t align;
	uint64_t off;

	v->ext.discard = false;
	if (v->ext.readonly || v->cfg.no_discard)
		return;
	if (v->cow) {
		v->discard_gran = cow_header(v->cow)->block_size;
	} else if (!vblk_discard_info((int)v->cfg.disk, &align)) {
		v->discard_gran = align * 512;
		off = v->ext.start * 512 % v->discard_gran;
		v->discard_align =
		    (uint32_t)((v->discard_gran - off) % v->discard_gran);
	}
	v->ext.discard = v->discard_gran != 0;
}

int vbd_add(uint16_t domid, const struct xl_disk *disk, char *err,
	    size_t errlen)
{
	struct vbd *v;
	struct blkvbd ext;
	struct vbd_area area[VBD_AREAS];
	unsigned int nareas;
	uint32_t ssize;
	char t[48], why[160];
	int rc;

	if (vbd_find(domid, disk->devid)) {
		snprintf(err, errlen, "domain %u already has a disk %s", domid,
			 disk->vdev);
		return -EEXIST;
	}
	if ((rc = resolve(disk, &ext, area, &nareas, &ssize, err, errlen)) ||
	    (rc = conflicts(disk, area, nareas, err, errlen)))
		return rc;
	v = calloc(1, sizeof(*v));
	if (!v) {
		snprintf(err, errlen, "domain 0 is out of memory");
		return -ENOMEM;
	}
	if (disk->cow && (rc = cow_open(disk, &v->cow, why, sizeof(why)))) {
		xldisk_target(disk, t, sizeof(t));
		snprintf(err, errlen, "disk %s (format=cow): %s", t, why);
		free(v);
		return rc;
	}
	v->domid = domid;
	v->cfg = *disk;
	v->ext = ext;
	set_discard(v);
	memcpy(v->area, area, sizeof(area));
	v->nareas = nareas;
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
		if (v->cow)
			cow_close(v->cow);
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
	if (v->cow)
		cow_close(v->cow); /* its bitmap to the disk: it outlives us */
	free(v);
}

void vbd_remove_domain(uint16_t domid)
{
	struct vbd *v;

	xbe_remove_domain(domid); /* disconnects: no I/O is left after */
	/* From the head each time: forget may wait (a COW overlay's sync). */
	do {
		for (v = vbds; v && v->domid != domid; v = v->next)
			;
		if (v)
			forget(v);
	} while (v);
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
