/*
 * The machine-to-physical table: for every machine frame, the guest
 * pseudo-physical frame it backs (or M2P_INVALID). Guests read it at
 * RO_MPT_VIRT_START; only the hypervisor writes it.
 */
#ifndef XENOLITH_M2P_H
#define XENOLITH_M2P_H

#include "types.h"

#define M2P_INVALID (~0UL)

void m2p_init(void);
void set_gpfn_from_mfn(mfn_t mfn, u64 pfn);
u64 get_gpfn_from_mfn(mfn_t mfn);
u64 m2p_nr_entries(void);
mfn_t m2p_first_mfn(void);

#endif
