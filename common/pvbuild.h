/*
 * Loading a PV kernel into a domain's memory: the part of domain building
 * that is the same for the hypervisor's boot-time builder and domain 0's
 * toolstack. Given the parsed image (xenelf.h), the layout (pvlayout.h),
 * the domain's p2m and a way to reach its frames, it writes the kernel
 * segments, the initrd, the p2m list, start_info and the boot page
 * tables. Who owns the frames and how they are reached (the direct map in
 * the hypervisor, foreign mappings in domain 0) is the caller's business.
 *
 * Pure code: no allocation, no hypercalls.
 */
#ifndef XENOLITH_PVBUILD_H
#define XENOLITH_PVBUILD_H

#include "pvlayout.h"

/* Frames reached at once when copying bytes (bounds a mapping window). */
#define PVBUILD_CHUNK 256

/*
 * Access to the domain's frames. map() makes frames [pfn, pfn + n)
 * writable and returns an array of n pointers, frame i's at [i] (NULL on
 * failure); they stay valid until unmap() with the same array. At most
 * two ranges are mapped at once, each at most 1024 frames.
 */
struct pvbuild_mem {
	void **(*map)(void *ctx, uint64_t pfn, uint64_t n);
	void (*unmap)(void *ctx, void **frames, uint64_t n);
	void *ctx;
};

struct pvbuild_params {
	const void *kernel; /* the image xenelf_parse accepted */
	const struct xenelf_info *elf;
	const struct pv_layout *l;
	const uint64_t *p2m; /* MFN of each pfn, l->nr_pages of them */
	const void *initrd;
	uint64_t initrd_len;
	const char *cmdline; /* NULL: empty */
	uint64_t shared_info_mfn;
	uint32_t flags; /* SIF_PRIVILEGED | SIF_INITDOMAIN, or 0 */
	uint64_t store_mfn, console_mfn; /* console 0 for domain 0 */
	uint32_t store_port, console_port;
	const uint64_t *hv_l4; /* slots 256-271, or NULL to leave empty */
};

/* Where vCPU 0 starts (see ../shared/xen-pv-abi.md, 2.1). */
struct pvbuild_entry {
	uint64_t rip, rsp, rsi;
	uint64_t l4_pfn; /* the boot L4, to pin and load as CR3 */
};

/*
 * Parse the kernel and compute its layout in nr_pages. 0, or a negative
 * errno with a reason in err (see xenelf_parse and pvlayout_compute).
 */
int pvbuild_prepare(const void *kernel, size_t kernel_len, uint64_t nr_pages,
		    uint64_t initrd_len, struct xenelf_info *elf,
		    struct pv_layout *l, char *err, size_t errlen);

/*
 * Write everything into the domain's memory, which must be zeroed. 0, or
 * -ENOMEM when map() fails.
 */
int pvbuild_load(const struct pvbuild_params *p, const struct pvbuild_mem *m);

void pvbuild_entry(const struct xenelf_info *elf, const struct pv_layout *l,
		   struct pvbuild_entry *e);

/* The pfn the kernel wants the hypercall page in, or -1 if none. */
int64_t pvbuild_hypercall_pfn(const struct xenelf_info *elf,
			      const struct pv_layout *l);

#endif
