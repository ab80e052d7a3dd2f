/*
 * Per-CPU stack blocks with guard pages (layout in layout.h). Each CPU's
 * block lives at a fixed address in the stack area, so any address there
 * names a CPU, a stack and whether it is mapped.
 */
#ifndef XENOLITH_STACKS_H
#define XENOLITH_STACKS_H

#include "layout.h"
#include "types.h"

struct stack_place {
	unsigned int cpu;
	const char *stack; /* "primary", "#DF IST", ... */
	u64 lo, hi; /* that stack's mapped range */
	bool guard; /* the address is in the guard pages below it */
};

static inline u64 stack_block(unsigned int cpu)
{
	return STACKS_VIRT_START + (u64)cpu * STACK_SIZE;
}

static inline u64 ist_stack_top(u64 block, unsigned int n)
{
	return block + (IST_FIRST_PAGE(n) + IST_STACK_PAGES) * _UL(4096);
}

void *stack_alloc(unsigned int cpu);
void stack_free(unsigned int cpu);
bool stack_place(u64 addr, struct stack_place *where);
void __noreturn switch_stack_and_call(u64 sp, void (*fn)(void));

#endif
