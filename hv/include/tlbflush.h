/*
 * Guest TLB flushes, filtered by a flush clock (the idea of Xen's
 * tlbflush_clock). Guest translations are never global, so every CR3
 * load drops all of them; each CPU records the clock at its last load.
 * A frame records the clock when it stopped being reachable through
 * writable guest mappings (its writable type count reached zero, or it
 * was freed); a CPU whose last CR3 load is newer cannot hold a stale
 * entry for it and needs no flush.
 */
#ifndef XENOLITH_TLBFLUSH_H
#define XENOLITH_TLBFLUSH_H

#include "types.h"

struct domain;

/* The clock now: stamp a frame with it after its last mapping went. */
u64 tlb_clock_now(void);
/* Load a guest's (owner) or the idle page tables (owner NULL). */
void tlb_load_cr3(u64 cr3, const struct domain *owner);
/* Flush every CPU that may hold a translation older than stamp. */
void flush_tlbs_since(u64 stamp);
/* Flush every CPU that holds any guest translation. */
void flush_guest_tlbs(void);
/* Flush, or invalidate one address on, every CPU running d's tables. */
void flush_domain_tlbs(const struct domain *d);
void invlpg_domain(const struct domain *d, u64 va);

#endif
