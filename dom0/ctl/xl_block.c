/*
 * Virtual block devices of running domains: `block-list`, and hotplug
 * with `block-attach` (a disk spec as in xl.cfg) and `block-detach`
 * (the xenbus close handshake, forced after a timeout).
 */
#include "blkback.h"
#include "errno.h"
#include "kernel.h"
#include "toolstack.h"
#include "xs.h"
#include "ctl.h"

static const char *const state_names[] = {
	"unknown",   "initialising", "initwait", "initialised",
	"connected", "closing",	     "closed",
};

static const char *be_state(const struct vbd *v, char *buf, size_t n)
{
	char path[80];
	unsigned int st;

	snprintf(path, sizeof(path), "/local/domain/0/backend/vbd/%u/%u/state",
		 v->domid, v->cfg.devid);
	if (xs_read(path, buf, n))
		return "gone";
	st = (unsigned int)(buf[0] - '0');
	return !buf[1] && st < ARRAY_SIZE(state_names) ? state_names[st] : buf;
}

int xl_block_list(struct ctl_io *io, int argc, char **argv)
{
	uint16_t domid = 0;
	bool all = argc == 1;
	char target[48], st[16];

	if (argc > 2) {
		io_errorf(io, "usage: block-list [DOMAIN]\n");
		return CTL_STATUS_USAGE;
	}
	if (!all && ctl_domain_arg(io, "block-list", argv[1], &domid))
		return 1;
	io_printf(io, "%-5s %-9s %-6s %-12s %-24s %-4s %10s %8s %6s\n", "Dom",
		  "Vdev", "Name", "State", "Target", "Mode", "Sectors", "Reqs",
		  "Errors");
	for (struct vbd *v = vbd_first(); v; v = v->next) {
		if (!all && v->domid != domid)
			continue;
		strlcpy(target, v->cow ? "cow:" : "", sizeof(target));
		xldisk_target(&v->cfg, target + strlen(target),
			      sizeof(target) - strlen(target));
		io_printf(io,
			  "%-5u %-9u %-6s %-12s %-24s %-4s %10lu %8lu %6lu\n",
			  v->domid, v->cfg.devid, v->cfg.vdev,
			  be_state(v, st, sizeof(st)), target,
			  v->ext.readonly ? "r" : "w", v->ext.sectors, v->reqs,
			  v->errors);
	}
	return 0;
}

int xl_block_attach(struct ctl_io *io, int argc, char **argv)
{
	char spec[XLCFG_PATH_MAX] = "", err[200];
	struct xl_disk disk;
	uint16_t domid;
	int rc;

	if (argc < 3) {
		io_errorf(io, "usage: block-attach DOMAIN DISKSPEC\n");
		return CTL_STATUS_USAGE;
	}
	if (ctl_domain_arg(io, "block-attach", argv[1], &domid))
		return 1;
	for (int i = 2; i < argc; i++) {
		if (strlen(spec) + strlen(argv[i]) + 2 > sizeof(spec)) {
			io_errorf(io, "block-attach: disk spec too long\n");
			return 1;
		}
		if (i > 2)
			strlcpy(spec + strlen(spec), " ",
				sizeof(spec) - strlen(spec));
		strlcpy(spec + strlen(spec), argv[i],
			sizeof(spec) - strlen(spec));
	}
	if (xldisk_parse(spec, &disk, err, sizeof(err))) {
		io_errorf(io, "block-attach: %s\n", err);
		return 1;
	}
	tk_lock();
	rc = domid && tk_lookup(domid) ? vbd_add(domid, &disk, err, sizeof(err))
				       : -EINVAL;
	tk_unlock();
	if (rc == -EINVAL && !domid)
		snprintf(err, sizeof(err),
			 "domain 0 serves disks, it takes "
			 "none");
	if (rc)
		io_errorf(io, "block-attach: %s\n", err);
	return rc ? 1 : 0;
}

int xl_block_detach(struct ctl_io *io, int argc, char **argv)
{
	char err[160] = "";
	uint32_t devid;
	uint16_t domid;
	int rc;

	if (argc != 3) {
		io_errorf(io, "usage: block-detach DOMAIN VDEV\n");
		return CTL_STATUS_USAGE;
	}
	if (ctl_domain_arg(io, "block-detach", argv[1], &domid))
		return 1;
	devid = xldisk_vdev_number(argv[2]);
	if (!devid) {
		io_errorf(io,
			  "block-detach: '%s' is not a vdev (xvdX or a "
			  "number)\n",
			  argv[2]);
		return 1;
	}
	rc = vbd_detach(domid, devid, err, sizeof(err));
	if (err[0])
		io_errorf(io, "block-detach: %s\n", err);
	return rc ? 1 : 0;
}
