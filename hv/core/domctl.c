/*
 * domctl (hypercall 36): the control domain's operations on one domain,
 * with Xen 4.17's layouts. Each call: copy struct xen_domctl in, check
 * the interface version (-EACCES), find the domain (-ESRCH), check the
 * caller is privileged (-EPERM), then under control_lock validate the
 * operation's fields, act, and copy the struct back if the operation
 * returns something.
 *
 * Pausing another domain's vCPU waits until its state is saved
 * (vcpu_pause_sync). That is safe under control_lock because nobody
 * spins on the lock: a caller that finds it taken re-issues the
 * hypercall, so its vCPU leaves the hypervisor and can be descheduled.
 */
#include <xen/domctl.h>
#include <xen/sched.h>
#include "control.h"
#include "debugreg.h"
#include "guest_access.h"
#include "hypercall.h"
#include "lib.h"
#include "mm.h"
#include "page.h"
#include "ptval.h"
#include "pv.h"
#include "percpu.h"
#include "sched.h"
#include "x86.h"

DEFINE_SPINLOCK(control_lock);

#define MAX_PAUSE_COUNT 255 /* as Xen: repeated pauses cannot overflow */
#define PFINFO3_MAX 1024 /* frames per getpageframeinfo3 */
#define BITMAP_BYTES (NR_CPUS / 8)

/* The lock is taken: have the guest issue the same call again. */
long control_busy(unsigned int hypercall, u64 a1, u64 a2)
{
	return hypercall_continue(hypercall, a1, a2, 0, 0);
}

static u8 paddr_bits(void)
{
	u32 a, b, c, d;

	cpuid(0x80000000, &a, &b, &c, &d);
	if (a < 0x80000008)
		return 36;
	cpuid(0x80000008, &a, &b, &c, &d);
	return (u8)a;
}

/* One domain's state as getdomaininfo and getdomaininfolist report it. */
void getdomaininfo(struct domain *d, struct xen_domctl_getdomaininfo *info)
{
	u32 flags = XEN_DOMINF_blocked;
	struct vcpu *v;

	memset(info, 0, sizeof(*info));
	info->domain = d->id;
	info->max_vcpu_id = XEN_INVALID_MAX_VCPU_ID;
	for_each_vcpu(d, v)
	{
		u32 pf = READ_ONCE(v->pause_flags);

		info->cpu_time += vcpu_cpu_time(v);
		info->max_vcpu_id = v->id;
		if (pf & PAUSE_DOWN)
			continue;
		info->nr_online_vcpus++;
		if (!(pf & PAUSE_BLOCKED))
			flags &= ~XEN_DOMINF_blocked;
		if (READ_ONCE(v->running))
			flags |= XEN_DOMINF_running;
	}
	if (!info->nr_online_vcpus)
		flags = 0;
	if (d->is_dying)
		flags |= XEN_DOMINF_dying;
	if (d->is_shutdown)
		flags |= XEN_DOMINF_shutdown |
			 (d->shutdown_reason & XEN_DOMINF_shutdownmask)
			     << XEN_DOMINF_shutdownshift;
	if (d->ctrl_pause_count)
		flags |= XEN_DOMINF_paused;
	info->flags = flags;
	info->tot_pages = d->tot_pages;
	info->max_pages = d->max_pages;
	info->shared_info_frame = d->shared_info_mfn;
	memcpy(info->handle, d->handle, sizeof(info->handle));
	info->gpaddr_bits = paddr_bits();
}

static long getdomaininfo_op(struct domain *d, struct xen_domctl *op)
{
	/* As Xen 4.17: the first domain whose id is at least the one asked. */
	for (unsigned int id = op->domain; id < READ_ONCE(domid_limit); id++) {
		d = domain_lookup_any((domid_t)id);
		if (d) {
			getdomaininfo(d, &op->u.getdomaininfo);
			op->domain = d->id;
			return 0;
		}
	}
	return -ESRCH;
}

/* --- Pausing -------------------------------------------------------------- */

static long pausedomain(struct domain *d, struct xen_domctl *op)
{
	struct vcpu *v;

	(void)op;
	if (d == current->domain)
		return -EINVAL;
	if (d->ctrl_pause_count >= MAX_PAUSE_COUNT)
		return -EOVERFLOW;
	if (d->ctrl_pause_count++ == 0)
		for_each_vcpu(d, v) vcpu_pause_sync(v, PAUSE_CTRL);
	return 0;
}

static long unpausedomain(struct domain *d, struct xen_domctl *op)
{
	struct vcpu *v;

	(void)op;
	if (!d->ctrl_pause_count)
		return -EINVAL;
	if (--d->ctrl_pause_count == 0)
		for_each_vcpu(d, v) vcpu_unpause(v, PAUSE_CTRL);
	return 0;
}

/* --- Memory, time, handle -------------------------------------------------- */

/* As Xen: tot_pages may stay above the new maximum; it only stops growth. */
static long max_mem(struct domain *d, struct xen_domctl *op)
{
	spin_lock(&d->lock);
	d->max_pages = op->u.max_mem.max_memkb >> (PAGE_SHIFT - 10);
	spin_unlock(&d->lock);
	return 0;
}

static long settimeoffset(struct domain *d, struct xen_domctl *op)
{
	d->time_offset = op->u.settimeoffset.time_offset_seconds;
	update_domain_wallclock(d);
	return 0;
}

static long setdomainhandle(struct domain *d, struct xen_domctl *op)
{
	memcpy(d->handle, op->u.setdomainhandle.handle, sizeof(d->handle));
	return 0;
}

/* The control domain and the caller itself cannot be destroyed. */
static long destroydomain(struct domain *d, struct xen_domctl *op)
{
	(void)op;
	if (d == current->domain || d->id == 0)
		return -EINVAL;
	return domain_kill(d);
}

/* --- vCPUs ------------------------------------------------------------------ */

static struct vcpu *op_vcpu(struct domain *d, u32 id, long *rc)
{
	if (id >= d->max_vcpus) {
		*rc = -EINVAL;
		return NULL;
	}
	if (!d->vcpu[id])
		*rc = -ESRCH;
	return d->vcpu[id];
}

static long getvcpuinfo(struct domain *d, struct xen_domctl *op)
{
	struct xen_domctl_getvcpuinfo *i = &op->u.getvcpuinfo;
	long rc = 0;
	struct vcpu *v = op_vcpu(d, i->vcpu, &rc);
	u32 pf;

	if (!v)
		return rc;
	pf = READ_ONCE(v->pause_flags);
	i->online = !(pf & PAUSE_DOWN);
	i->blocked = !!(pf & PAUSE_BLOCKED);
	i->running = READ_ONCE(v->running);
	i->cpu_time = vcpu_cpu_time(v);
	i->cpu = READ_ONCE(v->processor);
	return 0;
}

/* A guest bitmap of CPUs to a mask; bits past nr_bits or NR_CPUS dropped. */
static int bitmap_from_guest(u64 *mask, const struct xenctl_bitmap *b)
{
	u8 bytes[BITMAP_BYTES] = { 0 };
	u64 n = ((u64)b->nr_bits + 7) / 8;

	if (n > BITMAP_BYTES)
		n = BITMAP_BYTES;
	if (copy_from_guest(bytes, b->bitmap, n))
		return -EFAULT;
	if ((b->nr_bits & 7) && n == ((u64)b->nr_bits + 7) / 8)
		bytes[n - 1] &= (u8)((1U << (b->nr_bits & 7)) - 1);
	memcpy(mask, bytes, sizeof(*mask));
	return 0;
}

/* A mask to a guest bitmap of nr_bits; the guest's bytes past ours zeroed. */
static int bitmap_to_guest(const struct xenctl_bitmap *b, u64 mask)
{
	static const u8 zeros[64];
	u64 n = ((u64)b->nr_bits + 7) / 8, done;
	u8 bytes[BITMAP_BYTES];

	memcpy(bytes, &mask, sizeof(bytes));
	done = n < BITMAP_BYTES ? n : BITMAP_BYTES;
	if ((b->nr_bits & 7) && done == n)
		bytes[n - 1] &= (u8)((1U << (b->nr_bits & 7)) - 1);
	if (copy_to_guest(b->bitmap, bytes, done))
		return -EFAULT;
	while (done < n) {
		u64 chunk = n - done < sizeof(zeros) ? n - done : sizeof(zeros);

		if (copy_to_guest(b->bitmap + done, zeros, chunk))
			return -EFAULT;
		done += chunk;
	}
	return 0;
}

static long vcpuaffinity(struct domain *d, struct xen_domctl *op)
{
	struct xen_domctl_vcpuaffinity *a = &op->u.vcpuaffinity;
	bool hard = a->flags & XEN_VCPUAFFINITY_HARD;
	bool soft = a->flags & XEN_VCPUAFFINITY_SOFT;
	long rc = 0;
	struct vcpu *v = op_vcpu(d, a->vcpu, &rc);
	u64 hmask, smask;

	if (!v)
		return rc;
	if ((!hard && !soft) || (hard && !a->cpumap_hard.bitmap) ||
	    (soft && !a->cpumap_soft.bitmap))
		return -EINVAL;
	if (op->cmd == XEN_DOMCTL_getvcpuaffinity) {
		if (hard &&
		    (rc = bitmap_to_guest(&a->cpumap_hard, v->hard_affinity)))
			return rc;
		return soft ? bitmap_to_guest(&a->cpumap_soft, v->soft_affinity)
			    : 0;
	}
	hmask = v->hard_affinity;
	smask = v->soft_affinity;
	if ((hard && (rc = bitmap_from_guest(&hmask, &a->cpumap_hard))) ||
	    (soft && (rc = bitmap_from_guest(&smask, &a->cpumap_soft))))
		return rc;
	if (v == current) {
		/* It cannot stop itself to move: only what keeps its CPU. */
		if (!(hmask & (1ULL << v->processor)))
			return -EBUSY;
		v->hard_affinity = hmask & sched_online_mask();
		v->soft_affinity = smask;
	} else if ((rc = vcpu_set_affinity(v, hmask, smask))) {
		return rc;
	}
	/* Report back what is in effect, as Xen does. */
	if (hard && (rc = bitmap_to_guest(&a->cpumap_hard, v->hard_affinity)))
		return rc;
	return soft ? bitmap_to_guest(&a->cpumap_soft, smask & v->hard_affinity)
		    : 0;
}

/* Is v's FPU state in its save area (not live in some CPU's registers)? */
static bool fpu_state_saved(const struct vcpu *v)
{
	for_each_online_cpu (pc)
		if (READ_ONCE(pc->fpu_owner) == v)
			return false;
	return true;
}

/* v's state as a vcpu_guest_context (v paused, its registers saved). */
static void get_vcpu_context(struct vcpu *v, struct vcpu_guest_context *c)
{
	memset(c, 0, sizeof(*c));
	if (v->fpu_initialised && fpu_state_saved(v)) {
		memcpy(&c->fpu_ctxt, v->fpu_area, sizeof(c->fpu_ctxt));
		c->flags |= VGCF_I387_VALID;
	}
	if (v->kernel_mode)
		c->flags |= VGCF_IN_KERNEL;
	if (!(v->pause_flags & PAUSE_DOWN))
		c->flags |= VGCF_online;
	if (v->failsafe_cb.mask_events)
		c->flags |= VGCF_failsafe_disables_events;
	if (v->syscall_cb.mask_events)
		c->flags |= VGCF_syscall_disables_events;
	c->user_regs = v->regs;
	c->user_regs.saved_upcall_mask = v->vcpu_info->evtchn_upcall_mask;
	c->user_regs.rflags |= (u64)v->iopl << 12; /* virtual IOPL, as Xen */
	memcpy(c->trap_ctxt, v->traps, sizeof(c->trap_ctxt));
	c->ldt_base = v->ldt_base;
	c->ldt_ents = v->ldt_ents;
	for (unsigned int i = 0; i < MAX_GDT_FRAMES; i++)
		c->gdt_frames[i] = v->gdt_frames[i];
	c->gdt_ents = v->gdt_ents;
	c->kernel_ss = v->kernel_ss;
	c->kernel_sp = v->kernel_sp;
	c->ctrlreg[0] = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE |
			X86_CR0_WP | X86_CR0_PG |
			(v->guest_cr0_ts ? X86_CR0_TS : 0);
	c->ctrlreg[1] = v->guest_table_user << PAGE_SHIFT;
	c->ctrlreg[3] = v->guest_table << PAGE_SHIFT;
	memcpy(c->debugreg, v->debugreg, sizeof(c->debugreg));
	c->debugreg[7] |= v->dr7_emul; /* as the guest reads DR7 */
	c->event_callback_eip = v->event_cb.address;
	c->failsafe_callback_eip = v->failsafe_cb.address;
	c->syscall_callback_eip = v->syscall_cb.address;
	c->vm_assist = v->domain->vm_assist;
	c->fs_base = v->fs_base;
	c->gs_base_kernel = v->gs_base_kernel;
	c->gs_base_user = v->gs_base_user;
}

static long getvcpucontext(struct domain *d, struct xen_domctl *op)
{
	static struct vcpu_guest_context ctxt; /* 5 KiB: under control_lock */
	long rc = -EINVAL;
	struct vcpu *v = op_vcpu(d, op->u.vcpucontext.vcpu, &rc);

	if (!v || v == current)
		return -EINVAL;
	if (!v->guest_table)
		return -ENODATA; /* never given a context */
	vcpu_pause_sync(v, PAUSE_DOMCTL);
	get_vcpu_context(v, &ctxt);
	vcpu_unpause(v, PAUSE_DOMCTL);
	return copy_to_guest(op->u.vcpucontext.ctxt, &ctxt, sizeof(ctxt));
}

/*
 * A never-started vCPU's context from the builder: validated as
 * VCPUOP_initialise validates it (vcpu_set_context); the vCPU comes up
 * with VGCF_online but still waits for the domain's unpause.
 */
static long setvcpucontext(struct domain *d, struct xen_domctl *op)
{
	static struct vcpu_guest_context ctxt; /* 5 KiB: under control_lock */
	long rc = -EINVAL;
	struct vcpu *v = op_vcpu(d, op->u.vcpucontext.vcpu, &rc);

	if (!v)
		return rc;
	if (d == current->domain || !op->u.vcpucontext.ctxt)
		return -EINVAL;
	if (!(v->pause_flags & PAUSE_DOWN))
		return -EBUSY; /* running: only a down vCPU may be set */
	if (copy_from_guest(&ctxt, op->u.vcpucontext.ctxt, sizeof(ctxt)))
		return -EFAULT;
	/* A PV vCPU starts in its kernel: a user start has no user table. */
	if (!(ctxt.flags & VGCF_IN_KERNEL))
		return -EINVAL;
	/* Racing the domain's own VCPUOP_initialise: one of us sets it. */
	if (__atomic_exchange_n(&v->initialising, true, __ATOMIC_ACQUIRE))
		return -EBUSY;
	rc = vcpu_set_context(v, &ctxt);
	__atomic_store_n(&v->initialising, false, __ATOMIC_RELEASE);
	if (rc)
		return rc;
	update_domain_wallclock(d);
	update_vcpu_system_time(v);
	if (ctxt.flags & VGCF_online)
		vcpu_unpause(v, PAUSE_DOWN);
	return 0;
}

/* --- Frames ------------------------------------------------------------------ */

static u64 frame_type_info(struct domain *d, u64 mfn)
{
	struct frame *f = mfn_to_frame(mfn);
	u32 ti;
	u64 type;

	if (!f || READ_ONCE(f->owner) != d->id || mfn == d->shared_info_mfn)
		return XEN_DOMCTL_PFINFO_XTAB;
	ti = READ_ONCE(f->type_info);
	switch (ti & PGT_TYPE_MASK) {
	case PGT_L1:
		type = XEN_DOMCTL_PFINFO_L1TAB;
		break;
	case PGT_L2:
		type = XEN_DOMCTL_PFINFO_L2TAB;
		break;
	case PGT_L3:
		type = XEN_DOMCTL_PFINFO_L3TAB;
		break;
	case PGT_L4:
		type = XEN_DOMCTL_PFINFO_L4TAB;
		break;
	default:
		type = XEN_DOMCTL_PFINFO_NOTAB;
	}
	if (ti & PGT_PINNED)
		type |= XEN_DOMCTL_PFINFO_LPINTAB;
	return type;
}

/* The hypercall page into a frame of d that may be written (PV: an MFN). */
static long hypercall_init(struct domain *d, struct xen_domctl *op)
{
	mfn_t mfn = op->u.hypercall_init.gmfn;
	struct frame *f = mfn_to_frame(mfn);

	if (!f || READ_ONCE(f->owner) != d->id || mfn == d->shared_info_mfn)
		return -EINVAL;
	if (!get_page_writable(f, d))
		return -EINVAL; /* a page or descriptor table */
	pv_write_hypercall_page(__va(mfn << PAGE_SHIFT));
	put_page_and_type(f);
	return 0;
}

/* Each frame number (an MFN: the domain is PV) becomes its type. */
static long getpageframeinfo3(struct domain *d, struct xen_domctl *op)
{
	u64 num = op->u.getpageframeinfo3.num;
	u64 array = op->u.getpageframeinfo3.array;

	if (num > PFINFO3_MAX)
		return -E2BIG;
	for (u64 i = 0; i < num; i++) {
		u64 mfn, type;

		if (get_guest(mfn, array + i * 8))
			return -EFAULT;
		type = frame_type_info(d, mfn);
		if (put_guest(type, array + i * 8))
			return -EFAULT;
	}
	return 0;
}

/* --- Creation ------------------------------------------------------------- */

static domid_t free_domid(void)
{
	static domid_t rover;

	for (unsigned int i = 1; i < MAX_DOMAINS; i++) {
		domid_t id = (domid_t)((rover + i) % MAX_DOMAINS);

		if (id && !domain_lookup_any(id))
			return rover = id;
	}
	return DOMID_INVALID;
}

/*
 * A new PV domain with no memory (max_pages 0: max_mem sets it) and every
 * vCPU down, paused once by the control domain. The builder (domain 0)
 * then populates it, gives vCPU 0 a context and unpauses it.
 */
static long createdomain(struct domain *unused, struct xen_domctl *op)
{
	struct xen_domctl_createdomain *c = &op->u.createdomain;
	domid_t id = op->domain;
	struct domain *d;
	struct vcpu *v;

	(void)unused;
	if (c->flags & ~XEN_DOMCTL_CDF_xs_domain)
		return -EINVAL; /* no HVM, HAP, IOMMU, nested, vPMU */
	if (!c->max_vcpus || c->max_vcpus > MAX_VIRT_CPUS)
		return -EINVAL;
	if (id > 0 && id < DOMID_FIRST_RESERVED) {
		if (id >= MAX_DOMAINS || domain_lookup_any(id))
			return -EINVAL;
	} else if ((id = free_domid()) == DOMID_INVALID) {
		return -ENOMEM;
	}
	d = domain_create(id, false, c->max_vcpus, 0);
	if (!d)
		return -ENOMEM;
	memcpy(d->handle, c->handle, sizeof(d->handle));
	d->ctrl_pause_count = 1;
	for_each_vcpu(d, v) vcpu_pause(v, PAUSE_CTRL | PAUSE_DOWN);
	op->domain = id;
	printk("d%u: created by d%u, %u vCPUs\n", id, current->domain->id,
	       c->max_vcpus);
	return 0;
}

/* vCPUs come with createdomain (as in Xen 4.17): only that count fits. */
static long max_vcpus(struct domain *d, struct xen_domctl *op)
{
	return op->u.max_vcpus.max == d->max_vcpus ? 0 : -EINVAL;
}

/* Undo a shutdown (e.g. a suspend the toolstack cancelled). */
static long resumedomain(struct domain *d, struct xen_domctl *op)
{
	(void)op;
	if (!d->is_shutdown)
		return -EINVAL;
	domain_resume(d);
	return 0;
}

/*
 * d may map and populate the target's memory (a device model or
 * builder domain for it), as a privileged domain may for any.
 */
static long set_target(struct domain *d, struct xen_domctl *op)
{
	domid_t t = op->u.set_target.target;
	struct domain *td = domain_lookup(t);

	if (!td)
		return -ESRCH;
	if (td == d || td->privileged)
		return -EINVAL; /* no target of itself, nor of a control domain */
	d->target = t;
	d->has_target = true;
	return 0;
}

/*
 * The credit scheduler's weight and cap of d, as Xen's: the id must name
 * the scheduler that runs, and only the domain-wide put and get exist
 * (the per-vCPU ones are for other schedulers). Weight 0 and cap 0xffff
 * in a put leave the value unchanged.
 */
static long scheduler_op(struct domain *d, struct xen_domctl *op)
{
	struct xen_domctl_scheduler_op *s = &op->u.scheduler_op;

	if (s->sched_id != XEN_SCHEDULER_CREDIT)
		return -EINVAL;
	switch (s->cmd) {
	case XEN_DOMCTL_SCHEDOP_getinfo:
		sched_credit_get(d, &s->u.credit.weight, &s->u.credit.cap);
		return 0;
	case XEN_DOMCTL_SCHEDOP_putinfo:
		sched_credit_set(d, s->u.credit.weight, s->u.credit.cap);
		return 0;
	}
	return -EINVAL;
}

/* --- Dispatch ------------------------------------------------------------- */

struct domctl_op {
	long (*fn)(struct domain *d, struct xen_domctl *op);
	u8 target; /* which domain the op needs (below) */
	bool copyback; /* the struct goes back to the caller */
};

enum { LIVE = 1, ANY, NONE }; /* domain_lookup, domain_lookup_any, none */

static const struct domctl_op ops[] = {
	[XEN_DOMCTL_createdomain] = { createdomain, NONE, true },
	[XEN_DOMCTL_destroydomain] = { destroydomain, ANY, false },
	[XEN_DOMCTL_pausedomain] = { pausedomain, LIVE, false },
	[XEN_DOMCTL_unpausedomain] = { unpausedomain, LIVE, false },
	[XEN_DOMCTL_getdomaininfo] = { getdomaininfo_op, NONE, true },
	[XEN_DOMCTL_setvcpuaffinity] = { vcpuaffinity, LIVE, true },
	[XEN_DOMCTL_max_mem] = { max_mem, LIVE, false },
	[XEN_DOMCTL_setvcpucontext] = { setvcpucontext, LIVE, false },
	[XEN_DOMCTL_getvcpucontext] = { getvcpucontext, LIVE, false },
	[XEN_DOMCTL_getvcpuinfo] = { getvcpuinfo, LIVE, true },
	[XEN_DOMCTL_max_vcpus] = { max_vcpus, LIVE, false },
	[XEN_DOMCTL_scheduler_op] = { scheduler_op, LIVE, true },
	[XEN_DOMCTL_setdomainhandle] = { setdomainhandle, LIVE, false },
	[XEN_DOMCTL_hypercall_init] = { hypercall_init, LIVE, false },
	[XEN_DOMCTL_settimeoffset] = { settimeoffset, LIVE, false },
	[XEN_DOMCTL_getvcpuaffinity] = { vcpuaffinity, LIVE, true },
	[XEN_DOMCTL_getpageframeinfo3] = { getpageframeinfo3, LIVE, false },
	[XEN_DOMCTL_resumedomain] = { resumedomain, LIVE, false },
	[XEN_DOMCTL_set_target] = { set_target, LIVE, false },
};

static struct domain *op_domain(const struct domctl_op *o, domid_t id)
{
	return o->target == ANY ? domain_lookup_any(id) : domain_lookup(id);
}

/**
 * do_domctl - hypercall 36.
 * @arg: guest address of a struct xen_domctl.
 * Returns 0 or an operation's result, -EFAULT (the struct), -EACCES (the
 * interface version), -ENOSYS (an operation not implemented), -ESRCH (no
 * such domain), -EPERM (an unprivileged caller), or the operation's error.
 */
long do_domctl(u64 arg)
{
	struct domain *caller = current->domain, *d = NULL;
	const struct domctl_op *o;
	struct xen_domctl op;
	long rc;

	if (copy_from_guest(&op, arg, sizeof(op)))
		return -EFAULT;
	if (op.interface_version != XEN_DOMCTL_INTERFACE_VERSION)
		return -EACCES;
	if (op.cmd >= ARRAY_SIZE(ops) || !ops[op.cmd].fn)
		return caller->privileged ? -ENOSYS : -EPERM;
	o = &ops[op.cmd];
	if (!caller->privileged) /* the lookup only answers, as on Xen */
		return o->target != NONE && !op_domain(o, op.domain) ? -ESRCH
								     : -EPERM;
	if (!spin_trylock(&control_lock))
		return control_busy(__HYPERVISOR_domctl, arg, 0);
	if (o->target != NONE && !(d = op_domain(o, op.domain))) {
		rc = -ESRCH;
		goto out;
	}
	rc = o->fn(d, &op);
	if (rc == -ERESTART) {
		rc = hypercall_continue(__HYPERVISOR_domctl, arg, 0, 0, 0);
		goto out;
	}
	if (o->copyback && rc == 0 && copy_to_guest(arg, &op, sizeof(op)))
		rc = -EFAULT;
out:
	spin_unlock(&control_lock);
	if (rc < 0)
		pr_debug("d%u: domctl %u on d%u: error %ld\n", caller->id,
			 op.cmd, op.domain, rc);
	return rc;
}
