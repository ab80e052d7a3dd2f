/*
 * Memory for xenstored. The store is pure code with no allocator of its
 * own: whoever links it supplies these two functions. Domain 0 backs them
 * with its heap; the host unit test with malloc (and injected failures).
 *
 * xs_alloc() returns uninitialised memory or NULL. Every caller handles
 * NULL: a failed allocation fails the one request being served (ENOMEM)
 * and leaves the store unchanged.
 */
#ifndef XENOLITH_XENSTORED_ALLOC_H
#define XENOLITH_XENSTORED_ALLOC_H

#include <stddef.h>

void *xs_alloc(size_t size);
void xs_free(void *p);

#endif
