/* Machine memory: the frame table and the frame allocator. */
#ifndef XENOLITH_MM_H
#define XENOLITH_MM_H

#include "frame.h"
#include "types.h"

struct boot_info;

#define INVALID_MFN (~0UL)

extern struct frame *frame_table;
extern mfn_t max_mfn; /* one past the highest frame in the frame table */

void mm_init(const struct boot_info *bi, u64 mem_limit);
bool mm_ready(void);
void mm_selftest(bool exhaustive);

mfn_t alloc_frames(unsigned int order);
mfn_t alloc_frames_below(unsigned int order, mfn_t limit);
void free_frames(mfn_t mfn, unsigned int order);
void *alloc_page(void); /* one frame, via the direct map; NULL if none */
void free_page(void *va);
u64 mm_free_frames(void);
u64 mm_total_frames(void);

/* iomem.c */
bool mmio_allowed(mfn_t mfn); /* may domain 0 map this device frame? */
void iomem_reserve(paddr_t pa, u64 size); /* the hypervisor's own MMIO */

static inline struct frame *mfn_to_frame(mfn_t mfn)
{
	return mfn < max_mfn ? &frame_table[mfn] : NULL;
}

#endif
