/*
 * Page types and reference counts: the rules that let guests own their
 * page tables without ever being able to write them directly.
 *
 * Every frame has a general reference count (anything that may touch it:
 * a mapping, a pin, a vCPU's CR3, a GDT) and a type with its own count.
 * A frame's type can change only while its type count is zero; a page
 * table type (L1..L4) is taken only after every entry has been validated,
 * and a frame with writable mappings holds type WRITABLE, so a frame is
 * never both writable and a page table (or a descriptor table).
 */
#ifndef XENOLITH_PTVAL_H
#define XENOLITH_PTVAL_H

#include "domain.h"
#include "frame.h"

/* Present-bit and the bits Xen's PV guests may set in entries. */
#define PTE_FLAG_MASK 0xFFF0000000000FFFUL

bool get_page(struct frame *f, struct domain *d);
void put_page(struct frame *f);
bool orphan_frame(struct frame *f);
bool get_page_type(struct frame *f, u32 type);
void put_page_type(struct frame *f);
bool get_page_and_type(struct frame *f, struct domain *d, u32 type);
void put_page_and_type(struct frame *f);
bool get_page_writable(struct frame *f, struct domain *d);

/* Preemption of long validations and teardowns (memory hypercalls). */
bool mm_preemptible(bool on); /* returns the old setting */
int mm_finish_pending(struct vcpu *v);
int get_page_and_type_preemptible(struct frame *f, struct domain *d,
				  u32 type);
void put_page_and_type_preemptible(struct frame *f);

int pin_table(struct domain *d, mfn_t mfn, u32 type);
int unpin_table(struct domain *d, mfn_t mfn);

/* Change one entry of a validated table (mmu_update and friends). */
enum pt_update_op { PTU_MMU_UPDATE, PTU_UPDATE_VA_MAPPING, PTU_PTWR };
int update_pt_entry(struct domain *d, struct domain *pg_owner, mfn_t table,
		    unsigned int index, u64 new, bool preserve_ad,
		    enum pt_update_op op);
/* The same, only if the entry still holds expect (else -EAGAIN). */
int update_pt_entry_if(struct domain *d, mfn_t table, unsigned int index,
		       u64 expect, u64 new);

/* The L1 entry that maps va in the given L4, or -EINVAL. */
int find_l1_slot(mfn_t l4, u64 va, mfn_t *l1, unsigned int *index);

u32 frame_level_type(unsigned int level);
bool frame_is_page_table(struct frame *f);
int grant_pte_install(struct domain *d, mfn_t table, unsigned int idx,
		      u64 pte);
void grant_pte_remove(struct domain *d, mfn_t table, unsigned int idx,
		      mfn_t mfn);
int grant_pte_replace(struct domain *d, mfn_t table, unsigned int idx,
		      mfn_t mfn, mfn_t new_table, unsigned int new_idx);
/* Is entry idx of table a grant mapping (the hypervisor's record)? */
bool is_grant_pte(mfn_t table, unsigned int idx);
enum { RELQ_MARK, RELQ_EMPTY, RELQ_RESET }; /* teardown stages */
int domain_relinquish_page_tables(struct domain *d, unsigned int stage);

/*
 * Frames of the hypervisor that a guest may map (shared_info, grant-table
 * frames): the domain "owns" them for mapping, and a permanent writable
 * type reference keeps them from ever becoming page tables or descriptor
 * pages (the hypervisor writes them) or being given away.
 */
void share_frame_with_guest(struct frame *f, struct domain *d);

/* Frames leaving d (decrease_reservation, exchange, grant transfer). */
bool take_unused_frames(struct domain *d, mfn_t mfn, unsigned int order);
void return_frames(struct domain *d, mfn_t mfn, unsigned int order);
void release_shared_frame(struct frame *f);

/* Why the hypervisor refused a guest's memory operation (for the log). */
enum mm_refusal {
	MMR_NONE,
	MMR_FOREIGN_FRAME, /* an entry names another domain's frame */
	MMR_XEN_FRAME,     /* ... a frame of the hypervisor */
	MMR_IO_FRAME,      /* ... I/O memory, unprivileged */
	MMR_PT_WRITABLE,   /* a writable mapping of a page table */
	MMR_TYPE,          /* a frame in use with another type */
	MMR_SUPERPAGE,
	MMR_HV_SLOT,       /* L4 slots 256..271 */
	MMR_LINEAR_RW,     /* writable linear page-table entry */
	MMR_LINEAR_DEPTH,  /* linear entry that would be a chain */
	MMR_GRANT_PTE,     /* an update over a grant mapping */
	MMR_NOT_TABLE,     /* update of a frame that is not a table in use */
	MMR_NOT_OWNER,     /* pin/unpin/page op on a frame not its own */
	MMR_PIN,           /* pinned twice, or unpinned when not pinned */
	MMR_BASEPTR,
	MMR_PAGE_OP,       /* clear_page/copy_page */
	MMR_MACHPHYS,
	MMR_RESERVATION,   /* decrease/exchange of a frame in use */
	MMR_GRANT_REF,     /* grant ref not granted to us */
	MMR_GRANT_RO,      /* writable use of a read-only grant */
	MMR_GRANT_FRAME,   /* granted frame not the granter's, or a table */
	MMR_GRANT_COPY,    /* copy arguments beyond a page */
	MMR_GRANT_TRANSFER,
	MMR_GRANT_HANDLE,
	MMR_GRANT_ADDR,    /* host address without an L1 slot of ours */
	MMR_GRANT_RANGE,   /* grant ref beyond the granter's table */
	MMR_GRANT_BUSY,    /* grant ref pinned by another domain */
	MMR_GRANT_TABLE,   /* writable map or copy of a page table */
};

/*
 * Log refusal `kind` of d: once at warning level, then at debug level.
 * A class ORed into the kind keeps the same reason seen by different
 * operations apart (so each is named once).
 */
#define MMR_CLASS_PTWR (1U << 5)
#define MMR_CLASS_PIN (2U << 5)
#define MMR_CLASS_COPY (3U << 5)
void mm_refused(struct domain *d, unsigned int kind, const char *fmt, ...)
	__printf(3, 4);

#endif
