/*
 * A fake machine for host tests of hypervisor sources: a frame table and
 * the memory it describes, a few domains, and the hypervisor services the
 * memory-management code calls (domain_lookup, free_frames, mmio_allowed,
 * tlb_clock_now, flush_tlbs_since, validate_descriptor_page, idle_l4, printk, panic,
 * the heap),
 * each recording what it was asked to do.
 *
 * hv_fake_init() gives a clean machine: every frame free RAM
 * (owner DOMID_INVALID, FRAME_FREE), memory zero, domain i privileged
 * only for i == 0, no frames on any domain's page list.
 */
#ifndef XENOLITH_SHIM_HV_FAKE_H
#define XENOLITH_SHIM_HV_FAKE_H

#include "domain.h"
#include "frame.h"
#include "mm.h"

#define HV_FAKE_MAX_DOMAINS 4

extern u8 *hv_fake_mem;
extern u64 hv_fake_mem_bytes;

extern unsigned long hv_fake_flushes; /* flush_tlbs_since() calls */
extern u64 hv_fake_clock;       /* what tlb_clock_now() returns */
extern u64 hv_fake_flush_stamp; /* the last flush_tlbs_since() stamp */
extern unsigned long hv_fake_nr_freed; /* free_frames() calls */
extern mfn_t hv_fake_last_freed;
extern mfn_t hv_fake_mmio_denied; /* the one device frame dom0 may not map */
extern bool hv_fake_verbose; /* print printk/pr_* output */
extern bool hv_fake_preempt; /* hypercall_preempt_check's answer */
extern unsigned long hv_fake_heap_live; /* xmalloc'd blocks not freed */
extern unsigned int hv_fake_heap_fail; /* the next N xmallocs fail */

void hv_fake_init(mfn_t nr_frames, unsigned int nr_domains);
void hv_fake_fini(void);
/* Make d's (only) vCPU current: the domain acting next. */
void hv_fake_run_as(struct domain *d);
void hv_fake_release_vcpus(void);
struct domain *hv_fake_domain(domid_t id);
/* Hand a frame to d (owner and page list), as domain_alloc_pages does. */
void hv_fake_give(mfn_t mfn, struct domain *d);
/* A frame's contents as 512 entries. */
u64 *hv_fake_page(mfn_t mfn);

#endif
