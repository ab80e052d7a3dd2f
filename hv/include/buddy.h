/*
 * Machine-frame buddy allocator. Pure logic: it only touches the frame
 * records and the struct buddy it is handed, so the same code runs in the
 * hypervisor and in the host unit tests. Callers provide the locking.
 */
#ifndef XENOLITH_BUDDY_H
#define XENOLITH_BUDDY_H

#include "frame.h"
#include "list.h"
#include "types.h"

/* Largest block: 2^18 frames of 4 KiB = 1 GiB. */
#define BUDDY_MAX_ORDER 18

struct buddy {
	struct frame *frames; /* frames[i] describes mfn base + i */
	mfn_t base;
	u64 nr;
	struct list_head free[BUDDY_MAX_ORDER + 1];
	u64 nr_free; /* free frames (not blocks) */
};

/* Cover [base, base + nr); every frame starts reserved, nothing is free. */
void buddy_init(struct buddy *b, struct frame *frames, mfn_t base, u64 nr);

/*
 * Give frames [start, start + count) to the allocator, clamped to the
 * covered range. Frames already free are skipped; any other frame in the
 * range (reserved or allocated) becomes free.
 */
void buddy_add_range(struct buddy *b, mfn_t start, u64 count);

/* Allocate 2^order naturally aligned frames: 0, -ENOMEM or -EINVAL. */
int buddy_alloc(struct buddy *b, unsigned int order, mfn_t *mfn_out);

/* As buddy_alloc, but the whole block lies below mfn @limit. */
int buddy_alloc_below(struct buddy *b, unsigned int order, mfn_t limit,
		      mfn_t *mfn_out);

/*
 * Return a block from buddy_alloc*. -EINVAL (and no change) if the block is
 * out of range, misaligned, or holds a reserved or already free frame.
 */
int buddy_free(struct buddy *b, mfn_t mfn, unsigned int order);

/* Verify all invariants: 0, or -EINVAL with a short reason in @why. */
int buddy_check(const struct buddy *b, char *why, size_t len);

#endif
