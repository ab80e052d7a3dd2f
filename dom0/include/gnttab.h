/*
 * Grant tables from domain 0's side (dom0/kernel/gnttab.c): mapping the
 * pages a front end granted us (its rings) into the window, and copying
 * between its granted pages and our own memory (the data of its I/O).
 * The hypervisor checks every reference: that the granter gave it to
 * domain 0, that it is in use, and read-only versus writable.
 */
#ifndef DOM0_GNTTAB_H
#define DOM0_GNTTAB_H

#include <xen/grant_table.h>
#include "kernel.h"

static inline long HYPERVISOR_grant_table_op(unsigned int cmd, void *uop,
					     unsigned int count)
{
	return HYPERCALL3(__HYPERVISOR_grant_table_op, cmd, uop, count);
}

/* Most pages gnttab_map_pages maps at once (a 16-page ring). */
#define GNTTAB_MAP_MAX 16

/*
 * Map n (1..GNTTAB_MAP_MAX) grants of domid at consecutive addresses;
 * handles[] receives what gnttab_unmap_pages needs. NULL with *err set
 * (the first failing grant's GNTST_* turned into -EINVAL/-EPERM/...).
 */
void *gnttab_map_pages(uint16_t domid, const uint32_t *refs, size_t n,
		       bool writable, uint32_t *handles, int *err);
void gnttab_unmap_pages(void *va, size_t n, const uint32_t *handles);

/*
 * Run n copy operations (any n; batched). Each op's own status says how
 * it went; the return is 0 or the hypercall's error.
 */
long gnttab_copy(struct gnttab_copy *ops, size_t n);

#endif
