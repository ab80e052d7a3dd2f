/* Grant tables, v1 (see include/xen/grant_table.h). */
#ifndef XENOLITH_GRANT_H
#define XENOLITH_GRANT_H

#include "domain.h"

#define GNTTAB_MAX_FRAMES 32
#define GNTTAB_ENTRIES_PER_FRAME 512

/* Marks a PTE as a grant mapping: only unmap_grant_ref may change it. */
#define PTE_GRANT_MAPPING (1UL << 62)

int grant_domain_init(struct domain *d);
void grant_domain_destroy(struct domain *d);
void grant_domain_free(struct domain *d); /* after the page tables go */
void grant_domain_put(struct domain *d);  /* with the domain struct */
long do_grant_table_op(unsigned int cmd, u64 uop, unsigned int count);

#endif
