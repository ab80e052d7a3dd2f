/*
 * Reading a PV kernel: an ELF64 image with Xen's ELF notes. Pure code,
 * shared by the hypervisor's boot-time builder and domain 0's builder; it
 * trusts nothing in the image (every offset and size is checked against
 * the image length).
 *
 * Addresses follow Xen's libelf rules: segments are placed by p_paddr,
 * pstart/pend span the PT_LOAD segments, and the kernel's virtual range is
 * [pstart, pend) + (virt_base - paddr_offset).
 */
#ifndef XENOLITH_XENELF_H
#define XENOLITH_XENELF_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define XENELF_MAX_SEGS 16

struct xenelf_seg {
	uint64_t offset, filesz, memsz, paddr;
};

struct xenelf_info {
	/* From the notes (or defaults). */
	uint64_t entry;
	uint64_t virt_base;
	uint64_t paddr_offset;
	uint64_t hypercall_page; /* VA, valid if has_hypercall_page */
	uint64_t init_p2m;       /* VA, valid if has_init_p2m */
	uint64_t hv_start_low;
	bool has_hypercall_page;
	bool has_init_p2m;
	bool mod_start_pfn;
	char guest_os[32];
	char xen_version[16];
	char loader[16];
	char features[128];
	bool requires_writable_pt; /* FEATURES has !writable_page_tables */
	/* Derived. */
	uint64_t pstart, pend;         /* physical span of the segments */
	uint64_t virt_kstart, virt_kend;
	struct xenelf_seg seg[XENELF_MAX_SEGS];
	unsigned int nr_segs;
};

/*
 * Parse and check an image. Returns 0, or a negative errno with a reason
 * in err: -ENOEXEC (not an x86-64 ELF executable, no Xen notes, entry or
 * VIRT_BASE inconsistent), -EINVAL (malformed headers).
 */
int xenelf_parse(const void *img, size_t len, struct xenelf_info *info,
		 char *err, size_t errlen);

/*
 * Copy the segments. write(ctx, off, src, n) stores n bytes (src NULL:
 * zeroes) at byte offset off from pstart. Returns 0 or write's error.
 */
typedef int (*xenelf_write_fn)(void *ctx, uint64_t off, const void *src,
			       uint64_t n);
int xenelf_load(const void *img, const struct xenelf_info *info,
		xenelf_write_fn write, void *ctx);

#endif
