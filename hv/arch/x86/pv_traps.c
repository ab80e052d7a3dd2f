/*
 * Entering a PV guest kernel from the hypervisor: exceptions, events and
 * system calls are "bounced" to the handlers the guest registered, by
 * building an exception frame on the guest kernel stack, as the CPU would
 * for a native kernel (Xen's frame: RCX, R11, [error code], RIP, CS,
 * RFLAGS, RSP, SS). The iret hypercall is the way back.
 *
 * A guest can break only itself: a fault while writing its frame, a
 * missing handler or a stack inside the hypervisor's range crashes the
 * domain, never the hypervisor.
 */
#include <xen/xen.h>
#include "context.h"
#include "debugreg.h"
#include "events.h"
#include "guest_access.h"
#include "hypercall.h"
#include "lib.h"
#include "perfc.h"
#include "selftest.h"
#include "pv.h"
#include "traps.h"
#include "x86.h"

#define EFLAGS_TF (1UL << 8)
#define EFLAGS_IF (1UL << 9)
#define EFLAGS_DF (1UL << 10)
#define EFLAGS_IOPL (3UL << 12)
#define EFLAGS_NT (1UL << 14)
#define EFLAGS_RF (1UL << 16)
#define EFLAGS_VM (1UL << 17)
#define EFLAGS_AC (1UL << 18)


struct bounce {
	u64 handler;
	bool has_error;
	u32 error;
	bool mask_events;
};

static bool stack_in_hypervisor(u64 sp, u64 len)
{
	return sp - len < HV_RESERVED_END && sp > HV_RESERVED_START;
}

static bool architectural_iopl(const struct vcpu *v)
{
	return v->domain->vm_assist & (1UL << VMASST_TYPE_architectural_iopl);
}

/* With architectural_iopl, frames carry the virtual IOPL, as on Xen. */
static u64 frame_iopl(const struct vcpu *v)
{
	return architectural_iopl(v) ? (u64)v->iopl << 12 : 0;
}

/*
 * Build the frame and point the vCPU at the handler. Returns false if the
 * domain had to be crashed.
 */
static bool create_bounce_frame(struct vcpu *v, struct cpu_user_regs *regs,
				const struct bounce *tb)
{
	struct vcpu_info *vi = v->vcpu_info;
	u8 saved_mask = vi->evtchn_upcall_mask;
	u64 frame[8], sp, cs = regs->cs;
	unsigned int n = 0;

	if (!tb->handler) {
		domain_crash(v->domain, "no handler for a bounce");
		return false;
	}
	if (!v->kernel_mode) {
		toggle_guest_mode(v);
		sp = v->kernel_sp;
	} else {
		sp = regs->rsp;
		cs &= ~3UL; /* the guest sees ring 0 for its kernel */
	}
	sp &= ~0xfUL;
	frame[n++] = regs->rcx;
	frame[n++] = regs->r11;
	if (tb->has_error)
		frame[n++] = tb->error;
	frame[n++] = regs->rip;
	frame[n++] = cs | ((u64)saved_mask << 32);
	frame[n++] = (regs->rflags & ~(EFLAGS_IF | EFLAGS_IOPL)) |
		     (saved_mask ? 0 : EFLAGS_IF) | frame_iopl(v);
	frame[n++] = regs->rsp;
	frame[n++] = regs->ss;
	sp -= n * 8;
	if (stack_in_hypervisor(sp + n * 8, n * 8) ||
	    copy_to_guest(sp, frame, n * 8)) {
		pr_warn("d%u v%u: cannot write a trap frame at %#lx\n",
			v->domain->id, v->id, sp);
		domain_crash(v->domain, "fault while building a trap frame");
		return false;
	}
	if (tb->mask_events)
		vi->evtchn_upcall_mask = 1;
	regs->rsp = sp;
	regs->rip = tb->handler;
	regs->cs = FLAT_KERNEL_CS;
	regs->ss = FLAT_KERNEL_SS;
	regs->rflags &= ~(EFLAGS_AC | EFLAGS_VM | EFLAGS_RF | EFLAGS_NT |
			  EFLAGS_TF);
	return true;
}

static bool vector_pushes_error(unsigned int vec)
{
	return vec == TRAP_DF || (vec >= TRAP_TS && vec <= TRAP_PF) ||
	       vec == TRAP_AC || vec == TRAP_CP;
}

/**
 * pv_inject_trap - deliver exception @vector to the guest's handler.
 * #PF takes its address from vcpu_info.arch.cr2, which the caller sets.
 */
void pv_inject_trap(struct vcpu *v, struct cpu_user_regs *regs,
		    unsigned int vector, bool has_error, u32 error)
{
	const struct trap_info *ti = &v->traps[vector & 255];
	struct bounce tb = { ti->address, has_error, error, TI_GET_IF(ti) };

	perfc_incr(PERFC_bounce_exception);
	if (!ti->address) {
		printk("d%u v%u: unhandled %s (vector %u) at %#lx\n",
		       v->domain->id, v->id, trap_name(vector), vector,
		       regs->rip);
		domain_crash(v->domain, "exception with no handler");
		return;
	}
	create_bounce_frame(v, regs, &tb);
}

void pv_deliver_event_upcall(struct vcpu *v, struct cpu_user_regs *regs)
{
	struct bounce tb = { v->event_cb.address, false, 0, true };

	create_bounce_frame(v, regs, &tb);
}

/* SYSCALL from guest user mode: into the kernel's syscall entry. */
static void bounce_syscall(struct vcpu *v, struct cpu_user_regs *regs)
{
	bool compat = regs->cs == FLAT_RING3_CS32;
	const struct pv_callback *cb = compat ? &v->syscall32_cb :
						&v->syscall_cb;
	struct bounce tb = { cb->address, false, 0, cb->mask_events };

	perfc_incr(PERFC_bounce_syscall);
	if (!cb->address) {
		regs->rip -= 2; /* #UD at the syscall instruction */
		pv_inject_trap(v, regs, TRAP_UD, false, 0);
		return;
	}
	if (create_bounce_frame(v, regs, &tb))
		regs->rflags &= ~EFLAGS_DF;
}

void do_syscall(struct cpu_user_regs *regs)
{
	struct vcpu *v = current;

	if (!v->kernel_mode) {
		bounce_syscall(v, regs);
		return;
	}
	local_irq_enable();
	if (unlikely(crash_probe_armed) &&
	    regs->rax == __HYPERVISOR_xen_version && regs->rdi == CRASH_PROBE_CMD)
		crash_guest_probe(regs);
	hypercall_dispatch(v, regs);
}

/*
 * `int n` from the guest raises #GP with the IDT bit: all our gates but
 * #BP and #OF are DPL 0. Deliver it if the guest's own gate allows it.
 * The vector comes from the instruction, not the error code (QEMU's TCG
 * reports vector * 16 + 2); a refused one gets #GP with the error code
 * the CPU defines, vector * 8 + 2.
 */
static bool emulate_int_n(struct vcpu *v, struct cpu_user_regs *regs)
{
	u8 insn[2];
	const struct trap_info *ti;

	if (copy_from_guest(insn, regs->rip, 2) || insn[0] != 0xcd)
		return false;
	ti = &v->traps[insn[1]];
	if (!ti->address || TI_GET_DPL(ti) < (v->kernel_mode ? 1 : 3)) {
		regs->error_code = ((u32)insn[1] << 3) | 2;
		return false;
	}
	regs->rip += 2;
	pv_inject_trap(v, regs, insn[1], false, 0);
	return true;
}

/*
 * An emulated instruction retires like a real one: if TF was set, the
 * single-step trap follows it, with DR6.BS (as Xen does after emulation).
 */
static void emulation_done(struct vcpu *v, struct cpu_user_regs *regs)
{
	u32 io = v->io_bp_hits;

	regs->rflags &= ~EFLAGS_RF;
	v->io_bp_hits = 0;
	if ((regs->rflags & EFLAGS_TF) || io) {
		/* One #DB after the instruction, as the CPU raises for a
		 * single step or an I/O breakpoint (B0-B3, BS). */
		v->debugreg[6] |= io | (regs->rflags & EFLAGS_TF ? DR6_BS : 0);
		pv_inject_trap(v, regs, TRAP_DB, false, 0);
	}
}

/* After an emulation attempt: false if the original fault stands. */
static bool emulated(struct vcpu *v, struct cpu_user_regs *regs, int rc)
{
	if (rc == EMUL_DONE)
		emulation_done(v, regs);
	else
		v->io_bp_hits = 0; /* not retired: no trap for it */
	return rc != EMUL_REFUSED;
}

static void guest_page_fault(struct vcpu *v, struct cpu_user_regs *regs)
{
	u64 cr2 = read_cr2();
	u32 err = regs->error_code;

	local_irq_enable(); /* CR2 is read; page-type work may take IPIs */
	if (pv_emulate_far_return(v, regs, cr2)) {
		emulation_done(v, regs);
		return;
	}
	if (pv_handle_page_fault(v, regs, cr2))
		return;
	/* The user bit reflects the guest's mode, not the CPU's ring. */
	err = v->kernel_mode ? err & ~4U : err | 4U;
	v->vcpu_info->arch.cr2 = cr2;
	pv_inject_trap(v, regs, TRAP_PF, true, err);
}

/* An exception taken while the guest ran (regs at the stack top). */
void pv_handle_guest_trap(struct cpu_user_regs *regs)
{
	struct vcpu *v = current;
	unsigned int vec = regs->entry_vector;

	switch (vec) {
	case TRAP_PF:
		guest_page_fault(v, regs);
		return;
	case TRAP_GP:
		if (regs->error_code == 0 &&
		    emulated(v, regs, pv_emulate_privileged(v, regs)))
			return;
		if ((regs->error_code & 3) == 2 && emulate_int_n(v, regs))
			return;
		break;
	case TRAP_UD:
		if (emulated(v, regs, pv_emulate_forced_cpuid(v, regs)))
			return;
		break;
	case TRAP_NM:
		fpu_handle_nm(v);
		return;
	case TRAP_BP:
		if (unlikely(crash_probe_armed))
			crash_guest_probe(regs);
		break;
	}
	pv_inject_trap(v, regs, vec, vector_pushes_error(vec),
		       regs->error_code);
}

/* iret (hypercall 23): the frame is at the guest's stack pointer. */
long do_iret(void)
{
	struct vcpu *v = current;
	struct cpu_user_regs *regs = guest_regs();
	struct iret_context ctx;

	if (copy_from_guest(&ctx, regs->rsp, sizeof(ctx))) {
		domain_crash(v->domain, "fault while reading an iret frame");
		return -EFAULT;
	}
	if ((ctx.cs & 3) == 3) {
		if (!v->guest_table_user) {
			domain_crash(v->domain,
				     "iret to user mode without user page tables");
			return -EFAULT;
		}
		toggle_guest_mode(v);
	}
	/* architectural_iopl: the frame's IOPL is the new virtual IOPL. */
	if (architectural_iopl(v))
		v->iopl = (ctx.rflags & EFLAGS_IOPL) >> 12;
	regs->rip = ctx.rip;
	regs->cs = ctx.cs | 3;
	regs->rflags = (ctx.rflags & ~(EFLAGS_IOPL | EFLAGS_VM)) | EFLAGS_IF;
	regs->rsp = ctx.rsp;
	regs->ss = ctx.ss | 3;
	if (!(ctx.flags & VGCF_in_syscall)) {
		regs->r11 = ctx.r11;
		regs->rcx = ctx.rcx;
		regs->entry_vector = TRAP_FULL_FRAME; /* RCX/R11 matter */
	} else {
		/* Xen leaves by SYSRET: RCX = RIP, R11 = RFLAGS, flat CS/SS. */
		regs->cs = FLAT_USER_CS64;
		regs->ss = FLAT_USER_SS64;
		regs->rcx = regs->rip;
		regs->r11 = regs->rflags;
	}
	v->vcpu_info->evtchn_upcall_mask = !(ctx.rflags & EFLAGS_IF);
	return (long)ctx.rax;
}
