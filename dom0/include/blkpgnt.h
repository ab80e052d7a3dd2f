/*
 * Persistent grants for blkback (dom0/backends/blkpgnt.c): with
 * feature-persistent, a front end keeps granting the same pages, so the
 * back end maps each once, keeps the mapping for the ring's life, and
 * moves data with memcpy instead of a grant copy per request.
 *
 * At most `max` grants per ring are mapped (domain 0's mapping window
 * is shared by every ring); any other grant, or one the hypervisor
 * would not map writable, goes by grant copy as before.
 */
#ifndef DOM0_BLKPGNT_H
#define DOM0_BLKPGNT_H

#include <stdint.h>

struct pgnt_table;

struct pgnt_table *pgnt_new(uint16_t domid, unsigned int max);
/* Unmap everything (no request may be using a mapping). */
void pgnt_free(struct pgnt_table *t);
/* The page gref maps, mapping it now if there is room; NULL: copy it. */
void *pgnt_get(struct pgnt_table *t, uint32_t gref);
unsigned int pgnt_mapped(const struct pgnt_table *t);

#endif
