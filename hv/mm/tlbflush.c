/*
 * Guest TLB flushes (see tlbflush.h). Under TCG every flush empties
 * QEMU's whole software TLB, and an IPI stalls the caller until the
 * other CPU takes it, so the flushes that cannot matter are skipped:
 * CPUs running no guest, CPUs running another domain (for a domain's
 * own flush requests), and CPUs that reloaded CR3 since the frame in
 * question lost its last writable mapping.
 */
#include "domain.h"
#include "lib.h"
#include "percpu.h"
#include "perfc.h"
#include "smp.h"
#include "tlbflush.h"
#include "x86.h"

static u64 tlb_clock = 1; /* 0: a frame never mapped since boot */

u64 tlb_clock_now(void)
{
	return __atomic_load_n(&tlb_clock, __ATOMIC_SEQ_CST);
}

/*
 * The clock ticks before the load: a CPU that records time t has, by the
 * time anybody reads t, either loaded CR3 or is about to with nothing in
 * between, so it holds no entry that was stale at any stamp below t.
 */
void tlb_load_cr3(u64 cr3, const struct domain *owner)
{
	struct percpu *pc = this_cpu();

	WRITE_ONCE(pc->tlb_domain, owner);
	WRITE_ONCE(pc->tlb_flushed_at,
		   __atomic_add_fetch(&tlb_clock, 1, __ATOMIC_SEQ_CST));
	write_cr3(cr3);
	perfc_incr(PERFC_cr3_load);
}

static void reload_cr3(void *arg)
{
	(void)arg;
	tlb_load_cr3(read_cr3(), this_cpu()->tlb_domain);
}

static void invlpg_here(void *arg)
{
	invlpg(arg);
}

/* Run fn here (if wanted) and on the other CPUs in mask. */
static void run_on(u64 mask, void (*fn)(void *), void *arg)
{
	u64 me = 1UL << smp_processor_id();

	if (mask & me)
		fn(arg);
	mask &= ~me;
	if (!mask) {
		perfc_incr(PERFC_flush_no_ipi);
		return;
	}
	perfc_incr(PERFC_flush_ipi);
	smp_call_function_mask(mask, fn, arg);
}

void flush_tlbs_since(u64 stamp)
{
	u64 mask = 0;

	for_each_online_cpu (pc)
		if (READ_ONCE(pc->tlb_domain) &&
		    READ_ONCE(pc->tlb_flushed_at) <= stamp)
			mask |= 1UL << pc->id;
	if (!mask)
		perfc_incr(PERFC_flush_filtered);
	else
		run_on(mask, reload_cr3, NULL);
}

void flush_guest_tlbs(void)
{
	flush_tlbs_since(~0UL);
}

static u64 cpus_running(const struct domain *d)
{
	u64 mask = 0;

	for_each_online_cpu (pc)
		if (READ_ONCE(pc->tlb_domain) == d)
			mask |= 1UL << pc->id;
	return mask;
}

void flush_domain_tlbs(const struct domain *d)
{
	run_on(cpus_running(d), reload_cr3, NULL);
}

void invlpg_domain(const struct domain *d, u64 va)
{
	run_on(cpus_running(d), invlpg_here, (void *)va);
}
