/*
 * The frame table: one record per machine frame (the paper's "frame table").
 *
 * Invariants:
 *  - owner is DOMID_INVALID while the frame sits in the allocator, DOMID_XEN
 *    while the hypervisor uses it, and a domain id once given to a domain.
 *  - FRAME_RESERVED frames (firmware, MMIO holes, the hypervisor image, the
 *    frame table itself) never enter the allocator.
 *  - order is meaningful only on the first frame of a free buddy block.
 *  - type_info holds the page type (PGT_*) in its top bits and the type count
 *    below; the page-type rules that use it arrive with the PV MMU.
 */
#ifndef XENOLITH_FRAME_H
#define XENOLITH_FRAME_H

#include <xen/xen.h> /* DOMID_* */

/* Owner of frames of a dead domain still mapped by others. */
#define DOMID_ORPHAN 0x7FF5U
#include "list.h"
#include "types.h"

/* frame.flags */
#define FRAME_FREE (1U << 0) /* in the buddy allocator */
#define FRAME_RESERVED (1U << 1) /* never allocatable */

/* frame.attrs: fixed at boot, untouched by the allocator. */
#define FRAME_ATTR_RAM (1U << 0) /* RAM in the memory map (not MMIO) */

/* frame.type_info: type in bits 31..28, validated/pinned flags, count below. */
#define PGT_NONE (0U << 28)
#define PGT_L1 (1U << 28)
#define PGT_L2 (2U << 28)
#define PGT_L3 (3U << 28)
#define PGT_L4 (4U << 28)
#define PGT_SEG_DESC (5U << 28)
#define PGT_WRITABLE (7U << 28)
#define PGT_TYPE_MASK (7U << 28)
#define PGT_PINNED (1U << 27)
#define PGT_VALIDATED (1U << 26)
#define PGT_TEARDOWN (1U << 25) /* a dead domain's table, entries held */
#define PGT_PARTIAL (1U << 24) /* validation or teardown stopped part-way */
#define PGT_PARTIAL_CHILD (1U << 23) /* entry nr_done's table is PARTIAL */
#define PGT_COUNT_MASK ((1U << 23) - 1)

struct frame {
	struct list_head link; /* buddy free list, or the owner's page list */
	u32 count; /* general reference count */
	u32 type_info; /* PGT_* type, flags and type count */
	domid_t owner; /* see invariants above */
	u8 order; /* buddy block order (free block heads) */
	u8 flags; /* FRAME_* */
	u16 attrs;             /* FRAME_ATTR_* */
	u16 mark;              /* scratch for boot self-tests */
	/*
	 * Linear page tables (ptval.c): > 0, how many linear entries this
	 * table holds; < 0, how many linear entries point at it. Never
	 * both, so a linear reference is one level deep.
	 */
	s16 linear;
	u16 nr_done; /* PARTIAL or TEARDOWN: entries [0, nr_done) hold refs */
	u64 tlb_stamp; /* tlbflush.h: when its last writable mapping went */
	/*
	 * An L1 table's entries that are grant mappings (ptval.c, "Grant
	 * slots"); NULL while it holds none, as every other frame.
	 */
	struct grant_slots *grant_slots;
};

#endif
