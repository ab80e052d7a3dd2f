/*
 * The boot bundle: a cpio (newc) archive the hypervisor hands domain 0 as
 * its ramdisk, holding guest kernels, initramfs images and xl.cfg files.
 */
#ifndef DOM0_BUNDLE_H
#define DOM0_BUNDLE_H

#include <stddef.h>

struct bundle_file {
	const char *name;
	const void *data;
	size_t len;
};

/* Parse the ramdisk; returns the number of files or a negative errno. */
int bundle_init(void);
unsigned int bundle_count(void);
const struct bundle_file *bundle_get(unsigned int i);
const struct bundle_file *bundle_lookup(const char *name);
/* Parse an archive in memory (also used by the unit test). */
int cpio_parse(const void *buf, size_t len,
	       int (*each)(void *ctx, const char *name, const void *data,
			   size_t len),
	       void *ctx);

#endif
