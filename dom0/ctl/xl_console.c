/*
 * `console DOMAIN`: attach to a domain's console through the console backend;
 * the side serving the user (server.c or shell.c) relays input and output
 * until the user detaches with Ctrl-].
 */
#include "errno.h"
#include "kernel.h"
#include "ctl.h"

int xl_console(struct ctl_io *io, int argc, char **argv)
{
	uint16_t domid;
	int rc;

	if (argc != 2) {
		io_errorf(io, "usage: console DOMAIN\n");
		return CTL_STATUS_USAGE;
	}
	if (ctl_domain_arg(io, "console", argv[1], &domid))
		return 1;
	if (!io->console) {
		io_errorf(io, "console: not available here\n");
		return 1;
	}
	rc = io->console(io, domid);
	if (rc == -ENOSYS) {
		io_errorf(io,
			  "console: this domain 0 has no console backend\n");
		return 1;
	}
	if (rc == -ENOENT) {
		io_errorf(io,
			  "console: domain %u: no such domain, or its console "
			  "is not connected to the backend\n",
			  domid);
		return 1;
	}
	if (rc) {
		io_errorf(io, "console: domain %u: %s\n", domid, strerror(rc));
		return 1;
	}
	return 0;
}
