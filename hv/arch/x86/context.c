/*
 * vCPU context on x86-64: per-CPU SYSCALL entry, the switch between vCPUs
 * (registers, page tables, segment state, GDT window, FPU), and the last
 * steps before returning to a guest (rescheduling and event upcalls).
 */
#include "apic.h"
#include "context.h"
#include "debugreg.h"
#include "events.h"
#include "lib.h"
#include "mm.h"
#include "page.h"
#include "perfc.h"
#include "pv.h"
#include "sched.h"
#include "tlbflush.h"
#include "traps.h"
#include "x86.h"

#define STUB_SIZE 64
#define SYSCALL_FMASK 0x47700UL /* TF DF IF NT AC IOPL cleared on entry */

extern char syscall_stub_start[], syscall_stub_end[];
extern u64 syscall_stub_stack, syscall_stub_target;
extern char syscall_stub_save_disp[], syscall_stub_push_disp[];
void syscall_enter(void);
void __noreturn reset_stack_and_jump_asm(u64 sp, void (*fn)(void));

/*
 * Part of the text (mapped read-only and executable), written once per CPU
 * at setup through the direct map's alias (writable, not executable). One
 * stub per CPU, alone in their pages; each CPU's saved guest RSP lives in
 * ordinary data.
 */
static u8 syscall_stubs[NR_CPUS][STUB_SIZE] __aligned(4096)
	__section(".stubs");
static u64 syscall_saved_rsp[NR_CPUS];
_Static_assert(sizeof(syscall_stubs) % 4096 == 0, "stubs fill their pages");

static void *stub_var(u8 *stub, void *sym)
{
	return stub + ((char *)sym - syscall_stub_start);
}

/*
 * Point the rel32 field at sym in the stub at target (RIP-relative to
 * where the stub runs, exec; written through its writable alias w).
 */
static void patch_rel32(u8 *exec, u8 *w, void *sym, void *target)
{
	s64 disp = (s64)((u64)target - (u64)((u8 *)stub_var(exec, sym) + 4));

	BUG_ON(disp != (s32)disp);
	*(s32 *)stub_var(w, sym) = (s32)disp;
}

/* SYSCALL goes to this CPU's stub, which moves to this CPU's stack. */
static void setup_syscall(struct percpu *pc)
{
	u8 *stub = syscall_stubs[pc->id], *w = __va(__pa(stub));
	struct cpu_info *ci = get_cpu_info_of(pc);

	BUG_ON(syscall_stub_end - syscall_stub_start > STUB_SIZE);
	memcpy(w, syscall_stub_start, syscall_stub_end - syscall_stub_start);
	*(u64 *)stub_var(w, &syscall_stub_stack) = guest_frame_top(ci);
	*(u64 *)stub_var(w, &syscall_stub_target) = (u64)syscall_enter;
	patch_rel32(stub, w, syscall_stub_save_disp,
		    &syscall_saved_rsp[pc->id]);
	patch_rel32(stub, w, syscall_stub_push_disp,
		    &syscall_saved_rsp[pc->id]);
	wrmsr(MSR_STAR, ((u64)FLAT_RING3_CS32 << 48) | ((u64)HV_CS << 32));
	wrmsr(MSR_LSTAR, (u64)stub);
	wrmsr(MSR_CSTAR, (u64)stub); /* 32-bit callers: refused in do_syscall */
	wrmsr(MSR_FMASK, SYSCALL_FMASK);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}

void context_init_cpu(void)
{
	struct percpu *pc = this_cpu();

	setup_syscall(pc);
	fpu_init_cpu();
	gdt_window_init(pc);
	ldt_window_init(pc);
}

void __noreturn reset_stack_and_jump(void (*fn)(void))
{
	struct cpu_info *ci = get_cpu_info();
	u64 sp = fn == return_to_guest ? (u64)&ci->guest_regs : (u64)ci;

	reset_stack_and_jump_asm(sp, fn);
}

void write_guest_cr3(struct vcpu *v)
{
	mfn_t mfn = v->guest_table;

	if (!v->kernel_mode && v->guest_table_user)
		mfn = v->guest_table_user;
	tlb_load_cr3(mfn << PAGE_SHIFT, v->domain);
}

/* Kernel <-> user: page tables and the kernel/user GS bases swap. */
void toggle_guest_mode(struct vcpu *v)
{
	perfc_incr(PERFC_mode_switch);
	v->kernel_mode = !v->kernel_mode;
	asm volatile("swapgs");
	write_guest_cr3(v);
}

static void save_segments(struct vcpu *v)
{
	struct cpu_user_regs *r = &v->regs;

	asm volatile("mov %%ds, %0" : "=m"(r->ds));
	asm volatile("mov %%es, %0" : "=m"(r->es));
	asm volatile("mov %%fs, %0" : "=m"(r->fs));
	asm volatile("mov %%gs, %0" : "=m"(r->gs));
	v->fs_base = rdmsr(MSR_FS_BASE);
	/* In kernel mode GS_BASE holds the kernel's; the shadow the user's. */
	if (v->kernel_mode) {
		v->gs_base_kernel = rdmsr(MSR_GS_BASE);
		v->gs_base_user = rdmsr(MSR_SHADOW_GS_BASE);
	} else {
		v->gs_base_user = rdmsr(MSR_GS_BASE);
		v->gs_base_kernel = rdmsr(MSR_SHADOW_GS_BASE);
	}
}

static void load_segments(struct vcpu *v)
{
	const struct cpu_user_regs *r = &v->regs;

	load_data_segment_safe(0, r->ds);
	load_data_segment_safe(1, r->es);
	load_data_segment_safe(2, r->fs);
	load_data_segment_safe(3, r->gs);
	wrmsr(MSR_FS_BASE, v->fs_base);
	wrmsr(MSR_GS_BASE, v->kernel_mode ? v->gs_base_kernel : v->gs_base_user);
	wrmsr(MSR_SHADOW_GS_BASE,
	      v->kernel_mode ? v->gs_base_user : v->gs_base_kernel);
}

/**
 * context_switch - move this CPU from prev to next (either may be NULL,
 * the idle context). The running vCPU's frame at the stack top is saved
 * into prev and next's loaded into it.
 */
void context_switch(struct vcpu *prev, struct vcpu *next)
{
	struct cpu_info *ci = get_cpu_info();

	if (prev) {
		prev->regs = ci->guest_regs;
		save_segments(prev);
	}
	perfc_incr(PERFC_ctx_switch);
	debugregs_switch(prev, next);
	this_cpu()->curr = next;
	if (next) {
		ci->guest_regs = next->regs;
		write_guest_cr3(next);
		load_guest_gdt(next);
		load_guest_ldt(next);
		load_segments(next);
		pv_cpuid_faulting_switch(next);
	} else {
		tlb_load_cr3(__pa(idle_l4), NULL);
	}
	fpu_context_switch(prev, next);
}

struct vcpu *current_vcpu(void)
{
	return this_cpu()->curr;
}

void __noreturn idle_loop_entry(void)
{
	struct percpu *pc = this_cpu();

	for (;;) {
		local_irq_disable();
		pc->quiesce_count++; /* a quiescent point (see sched.c) */
		/* Queued vCPUs may all be parked (capped): only a kick
		 * (a wake-up, or new credit) makes them worth a look. */
		if (pc->need_resched ||
		    (!list_empty(&pc->runq) && !pc->runq_parked))
			schedule();
		safe_halt();
	}
}

/* Interrupts are off from here to the iretq. */
void prepare_return_to_guest(struct cpu_user_regs *regs)
{
	struct vcpu *v;

	local_irq_disable();
	this_cpu()->quiesce_count++; /* a quiescent point (see sched.c) */
	if (this_cpu()->need_resched)
		schedule();
	v = current;
	if (v->vcpu_info->evtchn_upcall_pending &&
	    !v->vcpu_info->evtchn_upcall_mask)
		pv_deliver_event_upcall(v, regs);
}
