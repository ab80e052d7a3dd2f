/*
 * Per-CPU state. Each CPU runs on a STACK_SIZE-aligned stack block whose top
 * holds struct cpu_info, so the current CPU is found by masking %rsp; this
 * also works on the IST stacks, which are pages of the same block (the
 * layout and its guard pages: layout.h, stacks.c).
 */
#ifndef XENOLITH_PERCPU_H
#define XENOLITH_PERCPU_H

#include "layout.h"
#include "list.h"
#include "regs.h"
#include "types.h"

struct vcpu;
struct domain;

#define NR_CPUS 64

struct tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;

struct percpu {
	unsigned int id;
	u32 apic_id;
	bool online;
	void *stack;             /* base of the STACK_SIZE block */
	u64 *gdt;                /* the page of hypervisor GDT entries */
	struct tss64 tss __aligned(16);
	struct list_head timers; /* pending timers, earliest first */
	u64 timer_deadline;      /* what the APIC timer is programmed for */
	u64 irqs;                /* interrupts taken, for the keyhandler */
	u64 ticks;               /* timer interrupts taken */
	u64 quiesce_count; /* times it held no domain pointers (see sched.c) */

	/* Scheduler. */
	struct list_head runq;
	struct vcpu *curr;      /* NULL: idle */
	struct vcpu *fpu_owner; /* whose state is in the FPU registers */
	bool need_resched;
	bool runq_parked; /* schedule() found only parked vCPUs queued */
	bool slice_over;  /* the slice timer fired since the last schedule */
	u64 run_start;    /* when curr was last picked */
	u64 slice_end;    /* when curr's slice ends */
	struct timer *slice_timer;
	/* Scheduling latency (sched.c): when need_resched was first asked
	 * for, the worst wait for schedule() since the last 'p', and what
	 * this CPU ran meanwhile (domain, hypercall + 1; 0: none). */
	u64 resched_asked;
	u64 resched_worst;
	u16 resched_worst_dom;
	u64 resched_worst_hc;
	u64 hc_nr;
	u64 gdt_va; /* per-CPU GDT window (16 pages) */
	u64 ldt_va; /* per-CPU LDT window (16 pages) */
	u64 *ldt_l1; /* the L1 entries that map it */
	u64 *gdt_l1; /* the L1 table entries that map that window */

	/* TLB (tlbflush.c): whose tables are loaded, and since when. */
	const struct domain *tlb_domain; /* NULL: the idle tables */
	u64 tlb_flushed_at;
	bool call_pending; /* smp_call_function_mask asks this CPU */
};

/*
 * At the top of each stack. A trap from a guest writes the guest's
 * registers into guest_regs (TSS.rsp0 and the syscall entry point at its
 * end, see desc.c), so the frame is the vCPU's full cpu_user_regs.
 */
struct cpu_info {
	struct cpu_user_regs guest_regs;
	struct percpu *percpu;
	unsigned int id;
	u32 magic;
};

static inline u64 guest_frame_top(struct cpu_info *ci)
{
	return (u64)&ci->guest_regs.es;
}
#define CPU_INFO_MAGIC 0x58454e4fU /* "XENO": sanity check of the stack */

static inline struct cpu_info *get_cpu_info(void)
{
	unsigned long sp;
	asm volatile("mov %%rsp, %0" : "=r"(sp));
	return (struct cpu_info *)((sp | (STACK_SIZE - 1)) + 1 -
				   sizeof(struct cpu_info));
}

/* The cpu_info at the top of another CPU's primary stack. */
static inline struct cpu_info *get_cpu_info_of(const struct percpu *pc)
{
	return (struct cpu_info *)((u8 *)pc->stack + STACK_SIZE) - 1;
}

static inline struct percpu *this_cpu(void)
{
	return get_cpu_info()->percpu;
}

static inline unsigned int smp_processor_id(void)
{
	return get_cpu_info()->id;
}

extern struct percpu percpu[NR_CPUS];
extern unsigned int nr_cpus_online;
extern unsigned int nr_cpus_present;

#define for_each_online_cpu(c)                                     \
	for (struct percpu *c = percpu; c < percpu + NR_CPUS; c++) \
		if (c->online)

#endif
