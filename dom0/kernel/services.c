/* Which services domain 0 starts, in order. */
#include "kernel.h"
#include "services.h"

void services_start(void)
{
	ctl_start(); /* xl server (virtio console) and serial prompt */
}
