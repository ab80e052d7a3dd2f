/* Hypervisor heap: small objects by size class, large ones by pages. */
#ifndef XENOLITH_XMALLOC_H
#define XENOLITH_XMALLOC_H

#include "types.h"

void *xmalloc(size_t size);  /* 16-byte aligned; NULL if out of memory */
void *xzalloc(size_t size);  /* zeroed */
void xfree(void *p);

#endif
