/* `dmesg`: the hypervisor's console ring, oldest first (sysctl readconsole). */
#include "errno.h"
#include "hvctl.h"
#include "kernel.h"
#include "ctl.h"

#define CHUNK 2048
#define MAX_ROUNDS 1024 /* the ring is finite; never loop forever */

int xl_dmesg(struct ctl_io *io, int argc, char **argv)
{
	char *buf = malloc(CHUNK);
	uint32_t index = 0;
	long n = 0;

	(void)argc;
	(void)argv;
	if (!buf) {
		io_errorf(io, "dmesg: out of memory\n");
		return 1;
	}
	for (int round = 0; round < MAX_ROUNDS; round++) {
		n = hv_readconsole(buf, CHUNK, &index);
		if (n <= 0)
			break;
		io->write(io, CTL_STDOUT, buf, (size_t)n);
	}
	free(buf);
	if (n < 0) {
		io_errorf(io, "dmesg: readconsole: %s (%ld)\n",
			  strerror((int)n), n);
		return 1;
	}
	return 0;
}
