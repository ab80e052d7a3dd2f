/*
 * Domains and virtual CPUs.
 *
 * A domain owns memory (frames whose frame.owner is its id, on its page
 * list), event channels, and up to MAX_VIRT_CPUS vCPUs. A vCPU is either
 * running on one physical CPU, runnable in that CPU's run queue, or
 * blocked/paused (in no queue). A running vCPU's registers live in the
 * frame at the top of its physical CPU's stack; otherwise in vcpu.regs.
 */
#ifndef XENOLITH_DOMAIN_H
#define XENOLITH_DOMAIN_H

#include <xen/arch-x86_64.h>
#include <xen/vcpu.h>
#include "list.h"
#include "percpu.h"
#include "spinlock.h"
#include "timer.h"
#include "types.h"

/* Xen's ids: 0 to DOMID_FIRST_RESERVED - 1 (32752 domains). */
#define MAX_DOMAINS DOMID_FIRST_RESERVED
#define MAX_VIRT_CPUS 32 /* XEN_LEGACY_MAX_VCPUS: vcpu_info in shared_info */
#define NR_EVTCHN_PORTS 4096
#define MAX_GDT_FRAMES 14

struct domain;
struct grant_table;
struct evtchn_fifo;
struct evtchn_port_ops;

/* Guest callbacks (set_callbacks / callback_op). */
struct pv_callback {
	u64 address;
	bool mask_events;
};

/* Pause reasons: a vCPU runs only when none is set. */
#define PAUSE_BLOCKED (1U << 0)  /* SCHEDOP_block, waiting for an event */
#define PAUSE_DOWN (1U << 1)     /* not brought up (VCPUOP_up) */
#define PAUSE_SHUTDOWN (1U << 2) /* domain shut down or crashed */
#define PAUSE_CTRL (1U << 3)     /* paused by the toolstack */
#define PAUSE_POLL (1U << 4)     /* SCHEDOP_poll */
#define PAUSE_DOMCTL (1U << 5)   /* held briefly by a domctl (context, move) */

struct vcpu {
	unsigned int id;
	struct domain *domain;
	struct cpu_user_regs regs; /* saved while not running */

	/* Scheduling. */
	unsigned int processor;
	u64 hard_affinity; /* CPUs it may run on (bit n = CPU n) */
	u64 soft_affinity; /* CPUs it prefers, within the hard ones */
	bool running;
	u32 pause_flags;
	struct list_head runq_link;
	bool on_runq;
	/* Wake-up boost (sched.c): a vCPU woken from blocking runs first,
	 * paid from a budget that refills at a quarter of a CPU. */
	bool boosted;
	u64 boost_budget; /* ns */
	u64 boost_refilled; /* when the budget was last topped up */
	u64 slice_left; /* what a boost preempted it with; 0: a whole slice */
	/* Credit (sched.c, credit.h): ns of CPU it may still use this
	 * period; burnt as it runs, given out each period by weight. */
	s64 credit;
	bool ran;     /* picked since the last accounting: it is active */
	bool yielded; /* SCHEDOP_yield: behind its equals, once */
	bool acct_active; /* wanted the CPU in the last period */
	u64 runstate_entry; /* ns */
	struct vcpu_runstate_info runstate;
	u64 runstate_guest; /* guest VA of a registered copy, or 0 */

	/* PV CPU state. */
	bool kernel_mode;
	u8 iopl; /* virtual IOPL 0-3 (set_iopl, or iret: architectural_iopl) */
	bool cpuid_faulting; /* virtual MISC_FEATURES_ENABLES.CPUID_FAULTING */
	u64 iobmp;     /* PHYSDEVOP_set_iobitmap: guest (kernel) address */
	u32 iobmp_nr;  /* ports it covers */
	bool initialising; /* VCPUOP_initialise in progress */
	mfn_t guest_table;      /* kernel L4 */
	mfn_t guest_table_user; /* user L4, 0 = none */
	struct frame *pending_teardown; /* ptval.c: finished before more */
	bool mm_preemptible;            /* in a memory call that can stop */
	struct trap_info traps[256];
	struct pv_callback event_cb, failsafe_cb, syscall_cb, syscall32_cb,
		sysenter_cb, nmi_cb;
	u64 kernel_ss, kernel_sp;
	u64 fs_base, gs_base_kernel, gs_base_user;
	u16 gs_sel_user;
	mfn_t gdt_frames[MAX_GDT_FRAMES];
	unsigned int gdt_ents;
	u64 ldt_base, ldt_ents;
	mfn_t ldt_frames[16]; /* typed as descriptor pages while in use */
	u64 debugreg[8]; /* 4, 5 unused; 6, 7 as the guest reads them */
	u32 dr7_emul;    /* DR7 I/O breakpoint enables (CR4.DE), not loaded */
	bool cr4_de;     /* virtual CR4.DE */
	u8 io_bp_hits;   /* I/O breakpoints the emulated instruction met */
	bool fpu_dirty;      /* FPU state is live in the CPU */
	bool fpu_initialised;
	bool guest_cr0_ts;   /* virtual CR0.TS (fpu_taskswitch) */
	void *fpu_area;      /* xsave/fxsave image, 64-byte aligned */

	/* Events. */
	struct vcpu_info *vcpu_info; /* in shared_info or a registered page */
	mfn_t vcpu_info_mfn;         /* registered page, or 0 */
	u32 virq_port[32];           /* per-vCPU VIRQ bindings */
	u32 poll_nr;                 /* ports polled, for SCHEDOP_poll */
	u32 poll_ports[16];
	bool poll_timed_out;

	/* Timers (ns system time). */
	struct timer singleshot;
	struct timer periodic;
	struct timer poll_timer;
	u64 periodic_period;
	u64 periodic_next;
	bool nmi_pending;
};

/* Event channel states. */
enum { ECS_FREE, ECS_UNBOUND, ECS_INTERDOMAIN, ECS_PIRQ, ECS_VIRQ, ECS_IPI };

struct evtchn {
	u8 state;
	u8 notify_vcpu;
	u16 remote_domid;    /* unbound: who may bind; interdomain: peer */
	u32 remote_port;     /* interdomain peer's port */
	u16 virq;            /* VIRQ number or PIRQ (< NR_PIRQS) */
	/* FIFO ABI (events_fifo.c), under the domain's evtchn_abi_lock. */
	u8 priority : 4;      /* queue for new events, 0 (highest) .. 15 */
	u8 last_priority : 4; /* queue it was last linked on: priority, */
	u8 last_vcpu : 7;     /* and vCPU */
	u8 fifo_pending : 1;  /* raised while its event word was not mapped */
};

struct domain {
	domid_t id;
	bool privileged;
	bool cr4_noted; /* a CR4 write was ignored (logged once) */
	bool db_noted;  /* a #DB hit the hypervisor (logged once) */
	bool m2p_strict_noted; /* vm_assist m2p_strict refused (logged once) */
	bool rdmsr_fake_noted; /* an early RDMSR read as 0 (logged once) */
	char name[32];
	spinlock_t lock;       /* pages, vCPU state changes */
	spinlock_t event_lock; /* event channels */

	/* Memory. */
	struct list_head pages;
	struct list_head relinquished; /* pages a teardown stage has done */
	u64 tot_pages, max_pages;
	u8 *e820; /* set_memory_map's entries, or NULL (memory_map.c) */
	unsigned int nr_e820;
	struct shared_info *shared_info;
	mfn_t shared_info_mfn;
	u64 vm_assist;

	/* vCPUs. */
	struct vcpu *vcpu[MAX_VIRT_CPUS];
	unsigned int max_vcpus;

	/* Events. */
	struct evtchn *evtchn; /* NR_EVTCHN_PORTS entries */
	u32 valid_evtchns; /* ports below are "allocated" (Xen's buckets) */
	/*
	 * The ABI in use: 2-level, or FIFO once EVTCHNOP_init_control has
	 * succeeded. The ops, the FIFO state and the guest's pending/mask
	 * bits are changed under evtchn_abi_lock (interrupts off: pirqs and
	 * timers raise events); evtchn_fifo stays allocated until the
	 * domain is destroyed.
	 */
	const struct evtchn_port_ops *evtchn_ops;
	spinlock_t evtchn_abi_lock;
	struct evtchn_fifo *evtchn_fifo;
	bool fifo_refusal_noted; /* a refused FIFO op was logged */
	bool fifo_hostile_noted; /* lost FIFO links were logged */
	struct grant_table *grant;

	/* Life cycle. */
	bool is_shutdown;
	bool shutdown_claimed; /* domain_shutdown's once-only claim */
	bool has_target;  /* set_target: may map and populate target's memory */
	domid_t target;
	bool is_dying;
	u8 dying_stage;         /* domain_kill's progress */
	/* Per-CPU quiesce counts when unlinked (their low half: only a
	 * change matters, and a domain record stays under 1 KiB). */
	u32 dying_since[NR_CPUS];
	unsigned int ctrl_pause_count; /* pausedomain minus unpausedomain */
	u8 shutdown_code;  /* SHUTDOWN_*, or 0xff if not set */
	/* Credit scheduler (sched.c): weight 1..65535 (default 256), cap in
	 * percent of one CPU (0: none), as Xen's scheduler_op sets them. */
	u16 weight, cap;
	/* Refusals already logged once: ptval.c's kinds, physdev_op's. */
	u32 mm_refusals_logged[4];
	u64 physdev_refusals_logged;
	/* pirq.c: the guest's PHYSDEVOP_pirq_eoi_gmfn page, if registered. */
	unsigned long *pirq_eoi_bits;
	mfn_t pirq_eoi_mfn;
	u8 shutdown_reason;
	u64 start_ns;

	/* Emulated port latches: PCI config address, CMOS index. */
	u32 pci_cf8;
	u8 cmos_idx;

	/* Control (domctl): the toolstack's handle, wall clock offset. */
	u8 handle[16];
	s64 time_offset;

	/*
	 * Rings the boot-time builder set up, offered to domain 0 through
	 * HVMOP_get_param: frames (MFNs) and this domain's unbound ports.
	 */
	u64 store_mfn, console_mfn;
	u32 store_port, console_port;

	/*
	 * Console output (console_io): line buffer and rate, shared by all
	 * of the domain's vCPUs, under con_lock.
	 */
	spinlock_t con_lock;
	char con_buf[128];
	unsigned int con_len;
	u64 con_tokens, con_refill;
};

extern struct domain *domains[MAX_DOMAINS];
extern spinlock_t domlist_lock;
/* Above the highest id in use (live or dying): loops stop there. */
extern unsigned int domid_limit;

#define for_each_domain(d)                                              \
	for (unsigned int __i = 0, __n = READ_ONCE(domid_limit); __i < __n; \
	     __i++)                                                     \
		if (((d) = domains[__i]) != NULL)
#define for_each_vcpu(d, v)                                            \
	for (unsigned int __j = 0; __j < (d)->max_vcpus; __j++)        \
		if (((v) = (d)->vcpu[__j]) != NULL)

struct domain *domain_create(domid_t id, bool privileged,
			     unsigned int max_vcpus, u64 max_pages);
struct domain *domain_lookup(domid_t id);
struct domain *domain_lookup_any(domid_t id); /* also one being destroyed */
int domain_alloc_pages(struct domain *d, u64 nr, mfn_t *mfns);
void domain_shutdown(struct domain *d, unsigned int reason);
void domain_resume(struct domain *d); /* undo a shutdown (resumedomain) */
/* May d act on domain id's memory (privileged, or id is its target)? */
bool domain_controls(const struct domain *d, domid_t id);
void domain_crash(struct domain *d, const char *why);
int domain_kill(struct domain *d); /* -ERESTART: call again */
void domain_move_page(struct domain *from, struct domain *to, mfn_t mfn);
void vcpu_pause(struct vcpu *v, u32 reason);
void vcpu_unpause(struct vcpu *v, u32 reason);

/* The vCPU this physical CPU runs, or NULL in the idle loop. */
struct vcpu *current_vcpu(void);
#define current current_vcpu()

#endif
