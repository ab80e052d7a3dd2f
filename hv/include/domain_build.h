/* Building PV domains at boot from multiboot modules. */
#ifndef XENOLITH_DOMAIN_BUILD_H
#define XENOLITH_DOMAIN_BUILD_H

#include "domain.h"

struct build_params {
	domid_t id;
	bool privileged;
	const void *kernel;
	size_t kernel_len;
	const void *initrd;
	size_t initrd_len;
	const char *cmdline;
	u64 mem_bytes;
	unsigned int vcpus;
};

struct domain *build_boot_domain(const struct build_params *p, char *err,
				 size_t errlen);

#endif
