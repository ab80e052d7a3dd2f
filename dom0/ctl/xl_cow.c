/*
 * Copy-on-write overlays from the command line: `cow-create` makes an
 * empty overlay for a base, `cow-reset` empties one (the guest sees the
 * base again), `cow-info` shows one. An overlay in use by a VBD is left
 * alone.
 */
#include "blkback.h"
#include "cow.h"
#include "errno.h"
#include "kernel.h"
#include "toolstack.h"
#include "xbparse.h"
#include "ctl.h"

static int target_arg(struct ctl_io *io, const char *cmd, const char *arg,
		      struct xl_disk *d)
{
	char err[160];

	if (!xldisk_parse_target(arg, d, err, sizeof(err)))
		return 0;
	io_errorf(io, "%s: %s\n", cmd, err);
	return -EINVAL;
}

/* Refuse an overlay some VBD uses (tk_lock held). */
static int not_in_use(struct ctl_io *io, const char *cmd,
		      const struct xl_disk *ovl)
{
	struct vbd *v = vbd_user(ovl);

	if (!v)
		return 0;
	io_errorf(io, "%s: in use by domain %u as %s: detach it first\n", cmd,
		  v->domid, v->cfg.vdev);
	return -EBUSY;
}

int xl_cow_create(struct ctl_io *io, int argc, char **argv)
{
	struct xl_disk ovl, base;
	uint64_t bs = COW_BLOCK_DEFAULT;
	bool force = argc > 1 && !strcmp(argv[1], "-f");
	char err[200];
	int rc;

	argc -= force;
	argv += force;
	if (argc < 3 || argc > 4 ||
	    (argc == 4 && xb_parse_uint(argv[3], COW_BLOCK_MAX, &bs))) {
		io_errorf(io, "usage: cow-create [-f] OVERLAY BASE "
			      "[BLOCK-BYTES]\n");
		return CTL_STATUS_USAGE;
	}
	if (target_arg(io, "cow-create", argv[1], &ovl) ||
	    target_arg(io, "cow-create", argv[2], &base))
		return 1;
	tk_lock();
	rc = not_in_use(io, "cow-create", &ovl);
	if (!rc) {
		rc = cow_create(&ovl, &base, (uint32_t)bs, force, err,
				sizeof(err));
		if (rc)
			io_errorf(io, "cow-create: %s\n", err);
	}
	tk_unlock();
	if (!rc)
		io_printf(io, "overlay %s on base %s, %lu-byte blocks\n",
			  argv[1], argv[2], bs);
	return rc ? 1 : 0;
}

int xl_cow_reset(struct ctl_io *io, int argc, char **argv)
{
	struct xl_disk ovl;
	char err[200];
	int rc;

	if (argc != 2) {
		io_errorf(io, "usage: cow-reset OVERLAY\n");
		return CTL_STATUS_USAGE;
	}
	if (target_arg(io, "cow-reset", argv[1], &ovl))
		return 1;
	tk_lock();
	rc = not_in_use(io, "cow-reset", &ovl);
	if (!rc && (rc = cow_reset(&ovl, err, sizeof(err))))
		io_errorf(io, "cow-reset: %s\n", err);
	tk_unlock();
	if (!rc)
		io_printf(io, "overlay %s emptied: it reads as its base\n",
			  argv[1]);
	return rc ? 1 : 0;
}

int xl_cow_info(struct ctl_io *io, int argc, char **argv)
{
	struct xl_disk ovl;
	struct cow *c;
	char err[200];
	int rc;

	if (argc != 2) {
		io_errorf(io, "usage: cow-info OVERLAY\n");
		return CTL_STATUS_USAGE;
	}
	if (target_arg(io, "cow-info", argv[1], &ovl))
		return 1;
	tk_lock();
	rc = not_in_use(io, "cow-info", &ovl);
	if (!rc && (rc = cow_open(&ovl, &c, err, sizeof(err))))
		io_errorf(io, "cow-info: %s\n", err);
	if (!rc) {
		const struct cow_header *h = cow_header(c);
		uint64_t bsec = h->block_size / 512;

		io_printf(io,
			  "overlay %s: base vblk%u:%lu+%lu (fingerprint "
			  "%08x), %u-byte blocks, %lu of %lu in the overlay, "
			  "generation %lu\n",
			  argv[1], h->base_disk, h->base_start, h->base_sectors,
			  h->base_fp, h->block_size, cow_blocks_used(c),
			  (h->base_sectors + bsec - 1) / bsec, h->generation);
		cow_close(c);
	}
	tk_unlock();
	return rc ? 1 : 0;
}
