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

/*
 * `debug-keys KEYS`: the hypervisor runs its keyhandler on each key (as if
 * typed on its serial console); what it prints goes to its log, which
 * `dmesg` shows.
 */
int xl_debug_keys(struct ctl_io *io, int argc, char **argv)
{
	long rc;

	if (argc != 2 || !argv[1][0]) {
		io_errorf(io, "usage: debug-keys KEYS (h lists them)\n");
		return 2;
	}
	rc = hv_debug_keys(argv[1], (uint32_t)strlen(argv[1]));
	if (rc) {
		io_errorf(io, "debug-keys: %s (%ld)\n", strerror((int)rc), rc);
		return 1;
	}
	return 0;
}
