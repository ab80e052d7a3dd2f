/* Grant tables, v1 and v2 (see include/xen/grant_table.h). */
#ifndef XENOLITH_GRANT_H
#define XENOLITH_GRANT_H

#include "domain.h"

#define GNTTAB_MAX_FRAMES 32
#define GNTTAB_ENTRIES_PER_FRAME 512   /* version 1 */
#define GNTTAB_V2_ENTRIES_PER_FRAME 256
#define GNTTAB_STATUS_PER_FRAME 2048 /* grant_status_t */
#define GNTTAB_MAX_STATUS_FRAMES                                     \
	((GNTTAB_MAX_FRAMES * GNTTAB_V2_ENTRIES_PER_FRAME +          \
	  GNTTAB_STATUS_PER_FRAME - 1) / GNTTAB_STATUS_PER_FRAME)

/*
 * Marks a present PTE as a grant mapping: only unmap_grant_ref may change
 * it. In a non-present PTE bit 62 is the guest's data (Linux keeps swap
 * and migration entries' inverted offsets there): no marker.
 */
#define PTE_GRANT_MAPPING (1UL << 62)
#define pte_is_grant(e)                                               \
	(((e) & (PTE_GRANT_MAPPING | _PAGE_PRESENT)) ==               \
	 (PTE_GRANT_MAPPING | _PAGE_PRESENT))

int grant_domain_init(struct domain *d);
void grant_domain_destroy(struct domain *d);
void grant_domain_free(struct domain *d); /* after the page tables go */
void grant_domain_put(struct domain *d);  /* with the domain struct */
long do_grant_table_op(unsigned int cmd, u64 uop, unsigned int count);

#endif
