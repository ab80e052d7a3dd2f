/* Bringing up secondary CPUs and running functions on other CPUs. */
#ifndef XENOLITH_SMP_H
#define XENOLITH_SMP_H

#include "types.h"

void __noreturn smp_prepare_boot_cpu(void (*fn)(void));
void smp_boot_cpus(unsigned int max_cpus);
void smp_call_function(void (*fn)(void *), void *arg, bool wait);
void smp_call_function_mask(u64 mask, void (*fn)(void *), void *arg);
void smp_init_ipis(void);
void __noreturn idle_loop(void);

#endif
