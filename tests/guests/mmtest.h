/*
 * Helpers shared by the memory test guests (mm_*.c) and bench_mm.c.
 *
 *  - Page-table walking: boot page tables are mapped read-only in the
 *    initial region, so a table's VA follows from its MFN through the M2P.
 *  - A scratch area at L4 slot 300 (MM_SCRATCH_BASE) with its own L3, L2
 *    and up to MM_MAX_L1 L1 tables, so tests can map any frame at a known
 *    VA (mm_map) and name the PTE that does it (mm_pte_ma). Scratch pages
 *    0..nr_l1+1 map the scratch tables themselves, read-only.
 *  - A frame allocator for the memory beyond the initial mapping, which
 *    the domain owns but the builder left unmapped.
 *  - Fault probes: an access that may fault resumes after itself, and
 *    the probe says whether (and how) it faulted.
 *  - The rendezvous convention with the victim domain (domain 0): it
 *    offers its port 2 + i to domain i (ports 1 and 2 are the builder's
 *    xenstore and console ports); domain i binds it (retrying until the
 *    victim has offered it) and sends one event when its attacks are done.
 *
 * Everything is static: each guest is one translation unit.
 */
#ifndef MMTEST_H
#define MMTEST_H

#include <pv/hypercall.h>
#include <pv/libpv.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/vcpu.h>

#define MM_VIRT_BASE 0xffffffff80000000UL
#define MM_M2P ((const volatile uint64_t *)0xffff800000000000UL)
#define MM_M2P_INVALID (~0UL)
#define MM_HV_PTR 0xffff82d040000000UL /* the hypervisor's image */
#define MM_SCRATCH_SLOT 300
/*
 * mm_grant die=1: the granter's ref its grantee keeps mapped as domain 0
 * destroys the granter; mm_victim reuse=D grants the same ref of the new
 * domain that gets the granter's id to D.
 */
#define MM_REF_REUSE 22
#define MM_SCRATCH_BASE \
	(0xffff000000000000UL | ((uint64_t)MM_SCRATCH_SLOT << 39))
#define MM_MAX_L1 40

#define PTE_P 0x001UL
#define PTE_RW 0x002UL
#define PTE_U 0x004UL
#define PTE_PWT 0x008UL
#define PTE_PCD 0x010UL
#define PTE_A 0x020UL
#define PTE_D 0x040UL
#define PTE_PSE 0x080UL
#define PTE_G 0x100UL
#define PTE_NX (1UL << 63)
#define PTE_ADDR 0x000ffffffffff000UL
#define PTE_TABLE (PTE_P | PTE_RW | PTE_U | PTE_A)
#define PTE_PAGE_RW (PTE_P | PTE_RW | PTE_A | PTE_D)
#define PTE_PAGE_RO (PTE_P | PTE_A)

#define MM_ERR_P 1
#define MM_ERR_W 2

#define __unused __attribute__((unused))

static inline long HYPERVISOR_grant_table_op(unsigned int cmd, void *uop,
					     unsigned int count)
{
	return HYPERCALL3(__HYPERVISOR_grant_table_op, cmd, uop, count);
}

static inline long HYPERVISOR_update_va_mapping_otherdomain(unsigned long va,
							    uint64_t pte,
							    unsigned long flags,
							    unsigned int dom)
{
	return HYPERCALL4(__HYPERVISOR_update_va_mapping_otherdomain, va, pte,
			  flags, dom);
}

/* --- Arguments: "key=value" words on the guest's command line ------------ */

static __unused long mm_arg(const char *key, long def)
{
	return pv_arg(key, def);
}

/* --- Fault probes ---------------------------------------------------------- */

static volatile uint64_t mm_fixup;
static volatile uint64_t mm_fault_addr, mm_fault_err, mm_fault_vec;
static volatile unsigned long mm_faults;

static void mm_on_fault(struct pv_frame *f)
{
	if (!mm_fixup)
		pv_panic("unexpected fault %lu (error %#lx) at %#lx, cr2 %#lx",
			 f->vector, f->error_code, f->rip,
			 shared_info->vcpu_info[0].arch.cr2);
	mm_fault_vec = f->vector;
	mm_fault_err = f->error_code;
	mm_fault_addr =
	    f->vector == 14 ? shared_info->vcpu_info[0].arch.cr2 : 0;
	mm_faults++;
	f->rip = mm_fixup;
	mm_fixup = 0;
}

/* Each probe returns 0 if the access completed, 1 if it faulted. */
#define MM_PROBE(insn, ...)                                           \
	({                                                            \
		int __f = 1;                                          \
		asm volatile("movq $1f, %[fix]\n\t" insn "\n\t"       \
			     "movl $0, %[flt]\n"                      \
			     "1:"                                     \
			     : [flt] "+r"(__f), [fix] "=m"(mm_fixup), \
			       ##__VA_ARGS__                          \
			     :                                        \
			     : "memory");                             \
		mm_fixup = 0;                                         \
		__f;                                                  \
	})

static inline int mm_read64(const volatile uint64_t *p, uint64_t *out)
{
	uint64_t v = 0;
	int f = MM_PROBE("movq (%[p]), %[v]", [v] "+r"(v), [p] "+r"(p));

	*out = v;
	return f;
}

static inline int mm_write64(volatile uint64_t *p, uint64_t v)
{
	return MM_PROBE("movq %[v], (%[p])", [v] "+r"(v), [p] "+r"(p));
}

static inline int mm_write32(volatile uint32_t *p, uint32_t v)
{
	return MM_PROBE("movl %[v], (%[p])", [v] "+r"(v), [p] "+r"(p));
}

/* movq $imm32 (sign-extended): only 0 and small values fit. */
static inline int mm_write_zero(volatile uint64_t *p)
{
	return MM_PROBE("movq $0, (%[p])", [p] "+r"(p));
}

static inline int mm_xchg64(volatile uint64_t *p, uint64_t *v)
{
	uint64_t x = *v;
	int f = MM_PROBE("xchgq %[x], (%[p])", [x] "+r"(x), [p] "+r"(p));

	*v = x;
	return f;
}

/* lock cmpxchg: *old is what was found; returns -1 on a fault. */
static inline int mm_cmpxchg64(volatile uint64_t *p, uint64_t *old,
			       uint64_t new)
{
	uint64_t a = *old;
	uint8_t ok = 0;
	int f =
	    MM_PROBE("lock cmpxchgq %[n], (%[p])\n\tsete %[ok]", [a] "+a"(a),
		     [n] "+r"(new), [p] "+r"(p), [ok] "+r"(ok));

	*old = a;
	return f ? -1 : ok;
}

static __unused void mm_catch_faults(void)
{
	pv_set_trap_handler(13, mm_on_fault);
	pv_set_trap_handler(14, mm_on_fault);
}

/* --- Address space ----------------------------------------------------------- */

struct mm_state {
	uint64_t l4_mfn; /* the boot L4 (our kernel base pointer) */
	uint64_t first_free_pfn; /* after the initial mapping */
	uint64_t next_pfn, end_pfn; /* the allocator's cursor and limit */
	uint64_t l3, l2, l1[MM_MAX_L1];
	unsigned int nr_l1;
	unsigned int next_idx; /* first scratch page free for tests */
};

static struct mm_state mm;

static inline uint64_t *mm_va(unsigned int idx)
{
	return (uint64_t *)(MM_SCRATCH_BASE + (uint64_t)idx * 4096);
}

static inline uint64_t mm_m2p(uint64_t mfn)
{
	return MM_M2P[mfn];
}

/* A boot page table's VA (the initial region maps pfn p at base + p). */
static inline uint64_t *mm_boot_table(uint64_t mfn)
{
	return (uint64_t *)(MM_VIRT_BASE + mm_m2p(mfn) * 4096);
}

/* The boot tables' L1 entry for va (kernel region only), or 0. */
static __unused uint64_t mm_boot_pte(uint64_t va)
{
	uint64_t mfn = mm.l4_mfn;

	for (int level = 4; level > 1; level--) {
		uint64_t e =
		    mm_boot_table(mfn)[(va >> (12 + 9 * (level - 1))) & 511];
		if (!(e & PTE_P))
			return 0;
		mfn = (e & PTE_ADDR) >> 12;
	}
	return mm_boot_table(mfn)[(va >> 12) & 511];
}

/* Machine address of the L1 entry for va in the boot tables (kernel VA). */
static __unused uint64_t mm_boot_pte_ma(uint64_t va)
{
	uint64_t mfn = mm.l4_mfn;

	for (int level = 4; level > 1; level--) {
		uint64_t e =
		    mm_boot_table(mfn)[(va >> (12 + 9 * (level - 1))) & 511];
		mfn = (e & PTE_ADDR) >> 12;
	}
	return (mfn << 12) | (((va >> 12) & 511) * 8);
}

static inline long mm_update(uint64_t ptr, uint64_t val)
{
	struct mmu_update u = { ptr, val };

	return HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF);
}

static inline long mm_ext(unsigned int cmd, uint64_t arg1, uint64_t arg2)
{
	struct mmuext_op op = { .cmd = cmd };

	op.arg1.mfn = arg1;
	op.arg2.src_mfn = arg2;
	return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

static inline uint64_t mm_pte_ma(unsigned int idx)
{
	return (mm.l1[idx / 512] << 12) | ((idx % 512) * 8);
}

/* The scratch L1 entry for page idx (read through its RO mapping). */
static inline volatile uint64_t *mm_pte(unsigned int idx)
{
	return (volatile uint64_t *)mm_va(idx / 512) + idx % 512;
}

static inline long mm_map(unsigned int idx, uint64_t mfn, uint64_t flags)
{
	return HYPERVISOR_update_va_mapping((uint64_t)mm_va(idx),
					    (mfn << 12) | flags, UVMF_INVLPG);
}

static inline long mm_unmap(unsigned int idx)
{
	return HYPERVISOR_update_va_mapping((uint64_t)mm_va(idx), 0,
					    UVMF_INVLPG);
}

/* A frame we own that nothing maps (zeroed by the builder or by us). */
static __unused uint64_t mm_alloc_pfn(void)
{
	if (mm.next_pfn >= mm.end_pfn)
		pv_panic("out of free frames");
	return mm.next_pfn++;
}

static __unused uint64_t mm_alloc(void)
{
	return pv_p2m[mm_alloc_pfn()];
}

static __unused uint64_t mm_alloc_zeroed(void)
{
	uint64_t mfn = mm_alloc();

	if (mm_ext(MMUEXT_CLEAR_PAGE, mfn, 0))
		pv_panic("clear_page %#lx failed", mfn);
	return mfn;
}

static __unused unsigned int mm_alloc_idx(unsigned int n)
{
	unsigned int idx = mm.next_idx;

	if (idx + n > mm.nr_l1 * 512)
		pv_panic("out of scratch pages");
	mm.next_idx += n;
	return idx;
}

/*
 * Find the end of the initial mapping, then build the scratch area with
 * nr_l1 L1 tables (2 MiB each; 0: enough to map all free memory).
 * Installs the fault probes' handlers.
 */
static __unused void mm_init(unsigned int nr_l1)
{
	uint64_t pfn = pv_va_to_pfn((void *)start_info->pt_base);
	unsigned int i;

	mm_catch_faults();
	mm.l4_mfn = pv_virt_to_mfn((void *)start_info->pt_base);
	while (mm_boot_pte(MM_VIRT_BASE + pfn * 4096) & PTE_P)
		pfn++;
	mm.first_free_pfn = mm.next_pfn = pfn;
	mm.end_pfn = start_info->nr_pages;
	if (!nr_l1)
		nr_l1 = (unsigned int)((mm.end_pfn - pfn) / 512 + 2);
	if (nr_l1 > MM_MAX_L1)
		nr_l1 = MM_MAX_L1;
	mm.nr_l1 = nr_l1;
	mm.l3 = mm_alloc_zeroed();
	mm.l2 = mm_alloc_zeroed();
	if (mm_update((mm.l4_mfn << 12) | MM_SCRATCH_SLOT * 8,
		      (mm.l3 << 12) | PTE_TABLE) ||
	    mm_update(mm.l3 << 12, (mm.l2 << 12) | PTE_TABLE))
		pv_panic("cannot build the scratch area");
	for (i = 0; i < nr_l1; i++) {
		mm.l1[i] = mm_alloc_zeroed();
		if (mm_update((mm.l2 << 12) | i * 8,
			      (mm.l1[i] << 12) | PTE_TABLE))
			pv_panic("cannot link scratch L1 %u", i);
	}
	for (i = 0; i < nr_l1; i++)
		if (mm_map(i, mm.l1[i], PTE_PAGE_RO))
			pv_panic("cannot map scratch L1 %u", i);
	if (mm_map(nr_l1, mm.l2, PTE_PAGE_RO) ||
	    mm_map(nr_l1 + 1, mm.l3, PTE_PAGE_RO))
		pv_panic("cannot map scratch tables");
	mm.next_idx = nr_l1 + 2;
}

/* --- Time and rendezvous ------------------------------------------------------ */

static __unused void mm_yield(void)
{
	HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
}

static __unused void mm_spin_ms(unsigned int ms)
{
	uint64_t end = pv_now() + ms * 1000000UL;

	while (pv_now() < end)
		mm_yield();
}

/* Peer side: bind to the port the victim (domain 0) offers us. */
static __unused uint32_t mm_bind_victim(unsigned int my_id)
{
	struct evtchn_bind_interdomain b = { 0, 2 + my_id, 0 };
	uint64_t deadline = pv_now() + 60000000000UL;

	for (;;) {
		b.remote_dom = 0;
		b.remote_port = 2 + my_id;
		if (!HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &b))
			return b.local_port;
		if (pv_now() > deadline)
			pv_panic("victim never offered port %u", 2 + my_id);
		mm_spin_ms(2);
	}
}

static __unused void mm_notify(uint32_t port)
{
	struct evtchn_send s = { port };

	if (HYPERVISOR_event_channel_op(EVTCHNOP_send, &s))
		pv_panic("cannot notify port %u", port);
}

/*
 * The context a second vCPU starts with (VCPUOP_initialise): our trap
 * table, kernel mode at fn on its own stack, the given root table.
 */
static __unused void mm_vcpu_context(struct vcpu_guest_context *c,
				     void (*fn)(void), uint8_t *stack,
				     size_t size, uint64_t l4_mfn)
{
	const struct trap_info *t = pv_trap_table();

	for (unsigned int i = 0; t[i].address; i++)
		c->trap_ctxt[i] = t[i];
	c->flags = VGCF_IN_KERNEL;
	c->user_regs.rip = (uint64_t)fn;
	c->user_regs.rsp = (uint64_t)(stack + size - 8);
	c->user_regs.cs = FLAT_KERNEL_CS;
	c->user_regs.ss = FLAT_KERNEL_SS;
	c->kernel_ss = FLAT_KERNEL_SS;
	c->kernel_sp = (uint64_t)(stack + size);
	c->ctrlreg[3] = l4_mfn << 12;
}

#endif
