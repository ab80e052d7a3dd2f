/*
 * Hypercalls that set up a vCPU's view of the CPU: its trap table, its
 * callbacks, its kernel stack, segment bases, the virtual CR0.TS, debug
 * registers, and the whole context for VCPUOP_initialise.
 */
#include <xen/callback.h>
#include "context.h"
#include "debugreg.h"
#include "guest_access.h"
#include "hypercall.h"
#include "lib.h"
#include "mm.h"
#include "page.h"
#include "ptval.h"
#include "pv.h"
#include "sched.h"
#include "x86.h"
#include "xmalloc.h"

static bool canonical(u64 a)
{
	return (u64)((s64)(a << 16) >> 16) == a;
}

/* A guest code address: canonical and outside the hypervisor. */
static bool guest_code_ok(u64 a)
{
	return canonical(a) && guest_range_ok(a, 1);
}

/*
 * set_trap_table (0): entries up to one with address 0; NULL clears. As
 * on Xen the list may be longer than 256 (later entries win); a long one
 * is continued in steps so it cannot hold the CPU.
 */
long do_set_trap_table(u64 traps)
{
	struct vcpu *v = current;

	if (!traps) {
		memset(v->traps, 0, sizeof(v->traps));
		return 0;
	}
	for (unsigned int i = 0;; i++) {
		struct trap_info t;
		u64 addr = traps + i * sizeof(t);

		if (i && !(i % 256) && hypercall_preempt_check())
			return hypercall_continue(__HYPERVISOR_set_trap_table,
						  addr, 0, 0, 0);
		if (copy_from_guest(&t, addr, sizeof(t)))
			return -EFAULT;
		if (!t.address)
			return 0;
		if (!guest_code_ok(t.address))
			return -EINVAL;
		t.cs |= 3; /* guest selectors run at RPL 3 */
		v->traps[t.vector] = t;
	}
}

static long set_callback(struct vcpu *v, unsigned int type, u64 address,
			 bool mask)
{
	struct pv_callback cb = { address, mask };

	if (address && !guest_code_ok(address))
		return -EINVAL;
	switch (type) {
	case CALLBACKTYPE_event:
		cb.mask_events = true; /* always */
		v->event_cb = cb;
		return 0;
	case CALLBACKTYPE_failsafe:
		v->failsafe_cb = cb;
		return 0;
	case CALLBACKTYPE_syscall:
		v->syscall_cb = cb;
		return 0;
	case CALLBACKTYPE_syscall32:
		v->syscall32_cb = cb;
		return 0;
	case CALLBACKTYPE_sysenter:
		v->sysenter_cb = cb;
		return 0;
	case CALLBACKTYPE_nmi:
		cb.mask_events = true;
		v->nmi_cb = cb;
		return 0;
	}
	return -ENOSYS; /* unknown type, as Xen answers */
}

long do_set_callbacks(u64 event, u64 failsafe, u64 syscall)
{
	struct vcpu *v = current;
	long rc = set_callback(v, CALLBACKTYPE_event, event, true);

	if (!rc)
		rc = set_callback(v, CALLBACKTYPE_failsafe, failsafe, false);
	if (!rc)
		rc = set_callback(v, CALLBACKTYPE_syscall, syscall, false);
	return rc;
}

long do_callback_op(int cmd, u64 arg)
{
	struct vcpu *v = current;

	if (cmd == CALLBACKOP_register) {
		struct callback_register r;
		if (get_guest(r, arg))
			return -EFAULT;
		if (r.flags & ~CALLBACKF_mask_events)
			return -EINVAL;
		return set_callback(v, r.type, r.address,
				    r.flags & CALLBACKF_mask_events);
	}
	if (cmd == CALLBACKOP_unregister) {
		struct callback_unregister u;
		if (get_guest(u, arg))
			return -EFAULT;
		/* As on Xen, only the NMI callback can be removed. */
		if (u.type == CALLBACKTYPE_nmi)
			return set_callback(v, u.type, 0, false);
		return u.type <= CALLBACKTYPE_syscall32 ? -EINVAL : -ENOSYS;
	}
	return -ENOSYS;
}

long do_stack_switch(u64 ss, u64 sp)
{
	struct vcpu *v = current;

	v->kernel_ss = ss | 3;
	v->kernel_sp = sp;
	return 0;
}

static long load_user_gs_selector(u16 sel)
{
	u64 f;

	/*
	 * Load it as ring 3 would (RPL 3), so that only descriptors the
	 * guest could load itself are reachable; a bad one loads NULL.
	 */
	if (sel > 3)
		sel |= 3;
	/* Swap the user GS base in, load the selector, swap back. */
	f = local_irq_save();

	asm volatile("swapgs");
	load_data_segment_safe(3, sel);
	asm volatile("swapgs");
	local_irq_restore(f);
	return 0;
}

long do_set_segment_base(unsigned int which, u64 base)
{
	struct vcpu *v = current;

	if (which != SEGBASE_GS_USER_SEL && !canonical(base))
		return -EINVAL;
	switch (which) {
	case SEGBASE_FS:
		wrmsr(MSR_FS_BASE, base);
		v->fs_base = base;
		return 0;
	case SEGBASE_GS_USER:
		wrmsr(MSR_SHADOW_GS_BASE, base);
		v->gs_base_user = base;
		return 0;
	case SEGBASE_GS_KERNEL:
		wrmsr(MSR_GS_BASE, base);
		v->gs_base_kernel = base;
		return 0;
	case SEGBASE_GS_USER_SEL:
		return load_user_gs_selector((u16)base);
	}
	return -EINVAL;
}

long do_fpu_taskswitch(int set)
{
	fpu_set_guest_ts(current, set != 0);
	return 0;
}

/**
 * vcpu_set_context - give v (down, never initialised) a whole context.
 * Every field is checked before anything is taken: the callbacks and the
 * entry point must be guest code, the GDT must fit below Xen's reserved
 * entries and validate, and ctrlreg[3] must name a frame of v's domain
 * that validates as an L4 (a type reference on it becomes v's CR3).
 * Shared by VCPUOP_initialise and XEN_DOMCTL_setvcpucontext.
 */
long vcpu_set_context(struct vcpu *v, const struct vcpu_guest_context *c)
{
	struct frame *l4;
	int rc;

	if (v->guest_table)
		return -EEXIST;
	if (c->gdt_ents > FIRST_RESERVED_GDT_ENTRY ||
	    !guest_code_ok(c->user_regs.rip) || !canonical(c->kernel_sp) ||
	    (c->event_callback_eip && !guest_code_ok(c->event_callback_eip)) ||
	    (c->failsafe_callback_eip &&
	     !guest_code_ok(c->failsafe_callback_eip)) ||
	    (c->syscall_callback_eip && !guest_code_ok(c->syscall_callback_eip)))
		return -EINVAL;
	l4 = mfn_to_frame(c->ctrlreg[3] >> PAGE_SHIFT);
	if (!l4)
		return -EINVAL;
	/* Stops part-way only where the caller enabled it (VCPUOP). */
	rc = get_page_and_type_preemptible(l4, v->domain, PGT_L4);
	if (rc)
		return rc == -ERESTART ? rc : -EINVAL;
	if (c->gdt_ents && set_vcpu_gdt(v, c->gdt_frames, c->gdt_ents)) {
		put_page_and_type_preemptible(l4);
		return -EINVAL;
	}
	v->guest_table = c->ctrlreg[3] >> PAGE_SHIFT;
	v->regs = c->user_regs;
	v->regs.entry_vector = TRAP_FULL_FRAME; /* all registers matter */
	v->regs.cs |= 3;
	v->regs.ss |= 3;
	/* The frame's IOPL is the virtual IOPL (as on Xen); the real one
	 * is 0, VM clear, IF set, as do_iret leaves them. */
	v->iopl = (v->regs.rflags >> 12) & 3;
	v->regs.rflags = (v->regs.rflags & ~(0x3000UL | (1UL << 17))) | 0x200;
	for (unsigned int i = 0; i < 256; i++)
		if (c->trap_ctxt[i].address &&
		    guest_code_ok(c->trap_ctxt[i].address)) {
			v->traps[c->trap_ctxt[i].vector] = c->trap_ctxt[i];
			v->traps[c->trap_ctxt[i].vector].cs |= 3;
		}
	v->kernel_ss = c->kernel_ss | 3;
	v->kernel_sp = c->kernel_sp;
	v->event_cb.address = c->event_callback_eip;
	v->event_cb.mask_events = true;
	v->failsafe_cb.address = c->failsafe_callback_eip;
	v->failsafe_cb.mask_events = c->flags & VGCF_failsafe_disables_events;
	v->syscall_cb.address = c->syscall_callback_eip;
	v->syscall_cb.mask_events = c->flags & VGCF_syscall_disables_events;
	v->fs_base = canonical(c->fs_base) ? c->fs_base : 0;
	v->gs_base_kernel = canonical(c->gs_base_kernel) ? c->gs_base_kernel : 0;
	v->gs_base_user = canonical(c->gs_base_user) ? c->gs_base_user : 0;
	v->kernel_mode = true;
	/* CR4.DE is the guest's (it allows I/O breakpoints); then the DRs. */
	v->cr4_de = c->ctrlreg[4] & X86_CR4_DE;
	pv_debugregs_from_context(v, c->debugreg);
	return 0;
}

/*
 * VCPUOP_initialise: give a not-yet-running vCPU of the same domain its
 * whole context (Linux starts its secondary vCPUs this way).
 */
long vcpu_initialise(struct vcpu *v, u64 arg)
{
	struct vcpu_guest_context *c;
	long rc;

	if (v == current || !(v->pause_flags & PAUSE_DOWN))
		return -EEXIST;
	/* Two vCPUs may try at once: only one may set it up. */
	if (__atomic_exchange_n(&v->initialising, true, __ATOMIC_ACQUIRE))
		return -EBUSY;
	c = xzalloc(sizeof(*c));
	if (!c)
		rc = -ENOMEM;
	else if (copy_from_guest(c, arg, sizeof(*c)))
		rc = -EFAULT;
	else {
		/* A big root table validates a batch at a time. */
		mm_preemptible(true);
		rc = mm_finish_pending(current);
		if (!rc)
			rc = vcpu_set_context(v, c);
		mm_preemptible(false);
	}
	xfree(c);
	__atomic_store_n(&v->initialising, false, __ATOMIC_RELEASE);
	if (rc == -ERESTART)
		return hypercall_continue(__HYPERVISOR_vcpu_op,
					  VCPUOP_initialise, v->id, arg, 0);
	return rc;
}
