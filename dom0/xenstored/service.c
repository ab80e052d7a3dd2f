/*
 * xenstored as a domain 0 service: the store's memory comes from domain
 * 0's heap. (Ring transport and connections: see ring.c.)
 */
#include "kernel.h"
#include "xs_alloc.h"

void *xs_alloc(size_t size)
{
	return malloc(size);
}

void xs_free(void *p)
{
	free(p);
}
