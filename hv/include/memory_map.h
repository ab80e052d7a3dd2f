/*
 * A domain's pseudo-physical memory map (memory_map.c): set by its
 * toolstack, read by the domain (XENMEM_set_memory_map, XENMEM_memory_map).
 */
#ifndef XENOLITH_MEMORY_MAP_H
#define XENOLITH_MEMORY_MAP_H

#include "types.h"

struct domain;

long set_memory_map(struct domain *d, u64 arg);
long get_memory_map(struct domain *d, u64 arg);
void free_memory_map(struct domain *d);

#endif
