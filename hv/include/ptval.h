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
bool get_page_type(struct frame *f, u32 type);
void put_page_type(struct frame *f);
bool get_page_and_type(struct frame *f, struct domain *d, u32 type);
void put_page_and_type(struct frame *f);
bool get_page_writable(struct frame *f, struct domain *d);

int pin_table(struct domain *d, mfn_t mfn, u32 type);
int unpin_table(struct domain *d, mfn_t mfn);

/* Change one entry of a validated table (mmu_update and friends). */
int update_pt_entry(struct domain *d, struct domain *pg_owner, mfn_t table,
		    unsigned int index, u64 new, bool preserve_ad);
void flush_guest_tlbs(void);

/* The L1 entry that maps va in the given L4, or -EINVAL. */
int find_l1_slot(mfn_t l4, u64 va, mfn_t *l1, unsigned int *index);

u32 frame_level_type(unsigned int level);
bool frame_is_page_table(struct frame *f);
int grant_pte_install(struct domain *d, mfn_t table, unsigned int idx,
		      u64 pte);
void grant_pte_remove(struct domain *d, mfn_t table, unsigned int idx,
		      mfn_t mfn);
void domain_relinquish_page_tables(struct domain *d);

#endif
