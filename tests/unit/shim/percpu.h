/*
 * Host shim for hv/include/percpu.h: the layout is the real one, but the
 * tests run on one host thread, not on a hypervisor stack whose top holds
 * struct cpu_info, so they are CPU 0.
 */
#ifndef XENOLITH_SHIM_PERCPU_H
#define XENOLITH_SHIM_PERCPU_H

#define smp_processor_id real_smp_processor_id
#include_next <percpu.h>
#undef smp_processor_id

static inline unsigned int smp_processor_id(void)
{
	return 0;
}

#endif
