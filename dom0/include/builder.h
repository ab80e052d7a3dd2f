/*
 * Domain 0's domain builder: from a PV ELF kernel (and optional ramdisk)
 * in domain 0's memory to a new, paused domain ready to run, through
 * domctl, memory_op and foreign mappings. The image, layout, start_info
 * and page tables come from common/pvbuild.c, the code the hypervisor's
 * boot-time builder uses too.
 */
#ifndef DOM0_BUILDER_H
#define DOM0_BUILDER_H

#include <stddef.h>
#include <stdint.h>

/* The hypervisor's limit on vCPUs per domain (MAX_VIRT_CPUS). */
#define BUILDER_MAX_VCPUS 32

struct build_request {
	const char *name; /* for messages; may be NULL */
	const void *kernel;
	size_t kernel_len;
	const void *ramdisk; /* NULL: none */
	size_t ramdisk_len;
	const char *cmdline; /* NULL: empty */
	uint64_t mem_kb, maxmem_kb; /* maxmem below mem counts as mem */
	unsigned int vcpus;
};

struct built_domain {
	uint16_t domid;
	uint64_t store_mfn, console_mfn;
	/* The domU's unbound ports, remote domain 0. */
	uint32_t store_port, console_port;
};

/*
 * Build a domain and leave it paused (the caller unpauses it once its
 * xenstore and console are wired). Returns 0, or a negative errno with
 * err saying what a user can do about it; on error nothing is left: the
 * half-built domain is destroyed.
 */
int build_domain(const struct build_request *r, struct built_domain *out,
		 char *err, size_t errlen);
void unpause_domain(uint16_t domid);

/* For tests: fail on purpose right after a step (0: never). */
enum builder_step {
	BUILD_POPULATED = 1,
	BUILD_LOADED,
	BUILD_PINNED,
	BUILD_STARTED,
};
extern int builder_fail_after;
int destroy_domain(uint16_t domid);

#endif
