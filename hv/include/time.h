/*
 * Time: the TSC, calibrated against the PIT at boot, is the hypervisor's
 * clock. System time is nanoseconds since the hypervisor was entered.
 */
#ifndef XENOLITH_TIME_H
#define XENOLITH_TIME_H

#include "types.h"

extern u64 tsc_hz;
extern u64 boot_tsc; /* TSC at the first instruction (head.S) */

void time_calibrate(void);
u64 NOW(void); /* ns since boot */
u64 ns_to_tsc(u64 ns); /* a duration */
u64 tsc_to_ns(u64 ticks); /* a duration */
u64 ns_to_tsc_abs(u64 ns); /* a system time to an absolute TSC */
u64 tsc_delta_to_apic(u64 ticks);
void udelay(u64 us);
u64 div_shift32(u64 num, u64 den); /* (num << 32) / den */

#define MILLISECS(ms) ((u64)(ms)*1000000ULL)
#define MICROSECS(us) ((u64)(us)*1000ULL)
#define SECONDS(s) ((u64)(s)*1000000000ULL)

#endif
