/* `lspci`: the devices domain 0's PCI scan found. */
#include "kernel.h"
#include "pci.h"
#include "ctl.h"

static void print_line(void *ctx, const char *line)
{
	io_printf(ctx, "%s\n", line);
}

int xl_lspci(struct ctl_io *io, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	pci_list(print_line, io);
	return 0;
}
