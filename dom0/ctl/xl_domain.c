/*
 * Commands on one domain, named by name or id as xl takes them:
 * `destroy`, `pause`, `unpause`, `domid`, `domname`, `rename`.
 */
#include <xen/domctl.h>
#include "errno.h"
#include "hvctl.h"
#include "kernel.h"
#include "toolstack.h"
#include "ctl.h"

static bool usage_if(struct ctl_io *io, bool bad, const char *usage)
{
	if (bad)
		io_errorf(io, "usage: %s\n", usage);
	return bad;
}

int xl_destroy(struct ctl_io *io, int argc, char **argv)
{
	char err[160];
	uint16_t domid;

	if (usage_if(io, argc != 2, "destroy DOMAIN"))
		return CTL_STATUS_USAGE;
	if (ctl_domain_arg(io, "destroy", argv[1], &domid))
		return 1;
	if (tk_destroy(domid, err, sizeof(err))) {
		io_errorf(io, "destroy: %s\n", err);
		return 1;
	}
	return 0;
}

/* `pause` and `unpause` (argv[0] says which). */
int xl_pause(struct ctl_io *io, int argc, char **argv)
{
	bool pause = !strcmp(argv[0], "pause");
	struct xen_domctl op = { .cmd = pause ? XEN_DOMCTL_pausedomain
					      : XEN_DOMCTL_unpausedomain };
	uint16_t domid;
	long rc;

	if (usage_if(io, argc != 2, pause ? "pause DOMAIN" : "unpause DOMAIN"))
		return CTL_STATUS_USAGE;
	if (ctl_domain_arg(io, argv[0], argv[1], &domid))
		return 1;
	op.domain = domid;
	rc = hv_domctl(&op);
	if (rc == -EINVAL && domid == 0)
		io_errorf(io, "%s: domain 0 cannot pause itself\n", argv[0]);
	else if (rc)
		io_errorf(io, "%s: domain %u: %s\n", argv[0], domid,
			  strerror((int)rc));
	return rc ? 1 : 0;
}

int xl_domid(struct ctl_io *io, int argc, char **argv)
{
	uint16_t domid;

	if (usage_if(io, argc != 2, "domid NAME"))
		return CTL_STATUS_USAGE;
	if (ctl_domain_arg(io, "domid", argv[1], &domid))
		return 1;
	io_printf(io, "%u\n", domid);
	return 0;
}

int xl_domname(struct ctl_io *io, int argc, char **argv)
{
	char name[64];
	uint16_t domid;

	if (usage_if(io, argc != 2, "domname ID"))
		return CTL_STATUS_USAGE;
	if (ctl_domain_arg(io, "domname", argv[1], &domid))
		return 1;
	domain_name(domid, name, sizeof(name));
	io_printf(io, "%s\n", name);
	return 0;
}

int xl_rename(struct ctl_io *io, int argc, char **argv)
{
	char err[160];
	uint16_t domid;

	if (usage_if(io, argc != 3, "rename DOMAIN NEWNAME"))
		return CTL_STATUS_USAGE;
	if (ctl_domain_arg(io, "rename", argv[1], &domid))
		return 1;
	if (domid == 0) {
		io_errorf(io, "rename: Domain-0 keeps its name\n");
		return 1;
	}
	if (tk_rename(domid, argv[2], err, sizeof(err))) {
		io_errorf(io, "rename: %s\n", err);
		return 1;
	}
	return 0;
}
