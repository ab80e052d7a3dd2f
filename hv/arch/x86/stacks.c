/*
 * Per-CPU stacks in their own virtual area, with an unmapped guard page
 * below each stack: an overflow of the primary stack or of an IST stack
 * faults on the guard, the #PF cannot be delivered on that stack, and the
 * #DF handler (on its own IST stack) reports the machine instead of the
 * overflow silently overwriting whatever lay below.
 */
#include "lib.h"
#include "mm.h"
#include "page.h"
#include "percpu.h"
#include "stacks.h"

#define PAGE_STACK (PAGE_HYPERVISOR | _PAGE_GLOBAL | _PAGE_NX)

static const char *const ist_names[NR_IST_STACKS] = {
	[IST_DF] = "#DF IST",
	[IST_NMI] = "NMI IST",
	[IST_MC] = "#MC IST",
	[IST_DB] = "#DB IST",
};

static bool page_is_mapped(unsigned int page)
{
	if (page >= STACK_PAGES - PRIMARY_STACK_PAGES)
		return true;
	for (unsigned int n = 0; n < NR_IST_STACKS; n++)
		if (page >= IST_FIRST_PAGE(n) &&
		    page < IST_FIRST_PAGE(n) + IST_STACK_PAGES)
			return true;
	return false;
}

static void unmap_block(u64 block)
{
	for (unsigned int i = 0; i < STACK_PAGES; i++) {
		u64 *pte = hv_pte(block + i * PAGE_SIZE);

		if (!pte || !(*pte & _PAGE_PRESENT))
			continue;
		free_page(__va(*pte & PTE_ADDR_MASK));
		*pte = 0;
	}
	flush_tlb_local();
}

/* Map cpu's block (zeroed pages); returns its base or NULL. */
void *stack_alloc(unsigned int cpu)
{
	u64 block = stack_block(cpu);

	for (unsigned int i = 0; i < STACK_PAGES; i++) {
		void *p;

		if (!page_is_mapped(i))
			continue;
		p = alloc_page();
		if (!p || map_pages(block + i * PAGE_SIZE, __pa(p), PAGE_SIZE,
				    PAGE_STACK)) {
			if (p)
				free_page(p);
			unmap_block(block);
			return NULL;
		}
		memset(p, 0, PAGE_SIZE);
	}
	return (void *)block;
}

void stack_free(unsigned int cpu)
{
	unmap_block(stack_block(cpu));
}

/*
 * Which stack addr belongs to. An address in unmapped pages is attributed
 * to the stack right above them (the one that overflowed into them).
 */
bool stack_place(u64 addr, struct stack_place *where)
{
	u64 block = addr & ~(STACK_SIZE - 1);
	unsigned int page = (addr - block) >> PAGE_SHIFT;

	if (addr < STACKS_VIRT_START || addr >= stack_block(NR_CPUS))
		return false;
	where->cpu = (addr - STACKS_VIRT_START) / STACK_SIZE;
	where->guard = !page_is_mapped(page);
	for (unsigned int n = 0; n < NR_IST_STACKS; n++) {
		u64 top = ist_stack_top(block, n);

		if (addr < top) {
			where->stack = ist_names[n];
			where->lo = top - IST_STACK_SIZE;
			where->hi = top;
			return true;
		}
	}
	where->stack = "primary";
	where->lo = block + STACK_SIZE - PRIMARY_STACK_SIZE;
	where->hi = block + STACK_SIZE;
	return true;
}
