/* The control services: the xl server on the virtio console and the serial prompt. */
#include "kernel.h"
#include "pci.h"
#include "ctl.h"

static void log_device(void *ctx, const char *line)
{
	(void)ctx;
	printf("dom0: pci %s\n", line);
}

void ctl_start(void)
{
	pci_list(log_device, NULL);
	ctl_server_start();
	ctl_shell_start();
}
