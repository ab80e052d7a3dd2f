/*
 * Event counters for profiling the hypervisor's hot paths (Xen's perfc
 * in spirit): per-CPU, no atomics, shown and reset by keyhandler 'p'.
 */
#ifndef XENOLITH_PERFC_H
#define XENOLITH_PERFC_H

#include "percpu.h"

#define PERFC_LIST(X)                                                     \
	X(cr3_load, "CR3 loads (each empties the TLB)")                   \
	X(mode_switch, "guest kernel<->user switches")                    \
	X(ctx_switch, "context switches")                                 \
	X(flush_ipi, "TLB flushes that had to interrupt another CPU")     \
	X(flush_no_ipi, "TLB flushes done on this CPU alone")             \
	X(flush_filtered, "TLB flushes skipped (clock: already flushed)") \
	X(alloc_flush, "allocations of used frames (stale-TLB check)")    \
	X(bounce_exception, "exceptions bounced to a guest")              \
	X(bounce_syscall, "system calls bounced to a guest kernel")

enum perfc_id {
#define PERFC_ENUM(name, what) PERFC_##name,
	PERFC_LIST(PERFC_ENUM)
#undef PERFC_ENUM
	    NR_PERFC
};

extern u64 perfc[NR_CPUS][NR_PERFC];

static inline void perfc_incr(enum perfc_id id)
{
	perfc[smp_processor_id()][id]++;
}

void perfc_show(void);

#endif
