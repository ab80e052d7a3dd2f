/* Which services domain 0 starts, in order. */
#include "kernel.h"
#include "blkback.h"
#include "consoled.h"
#include "netback.h"
#include "services.h"
#include "virtio_blk.h"
#include "virtio_net.h"
#include "xenbus_be.h"
#include "xs.h"

void services_start(void)
{
	xenstored_start();
	consoled_start();
	domains_start(); /* after both: it connects domains to them */
	vblk_start(); /* the disks and network cards, for the backends */
	vnet_start();
	xbe_start(); /* the split-device back ends, on xenstore watches */
	blkback_start();
	netback_start();
	ctl_start(); /* xl server (virtio console) and serial prompt */
}
