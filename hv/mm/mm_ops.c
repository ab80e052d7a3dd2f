/*
 * The PV memory hypercalls: mmu_update, update_va_mapping, mmuext_op
 * (the writable-page-table fault path is in ptwr.c). Each works on guest page tables
 * only through update_pt_entry/pin_table, which validate everything.
 *
 * Batches are preemptible: after each group of requests we check whether
 * this CPU must reschedule and, if so, make the guest re-issue the call
 * for the rest (hypercall_continue), so a million-entry batch cannot hold
 * a CPU.
 */
#include <xen/memory.h>
#include "context.h"
#include "guest_access.h"
#include "hypercall.h"
#include "lib.h"
#include "m2p.h"
#include "mm.h"
#include "page.h"
#include "percpu.h"
#include "ptval.h"
#include "pv.h"
#include "smp.h"
#include "tlbflush.h"
#include "x86.h"

#define MMU_UPDATE_PREEMPTED (1U << 31)
#define PREEMPT_EVERY 64

/* The domain whose frames a privileged caller names with foreigndom. */
static struct domain *pg_owner_of(struct domain *d, unsigned int fd)
{
	if (fd == DOMID_SELF || fd == d->id)
		return d;
	if (!domain_controls(d, (domid_t)fd))
		return NULL;
	return domain_lookup((domid_t)fd);
}

/* Re-read the count already done if this is a continuation. */
static int start_batch(u64 pdone, unsigned int *count, unsigned int *done)
{
	*done = 0;
	if (*count & MMU_UPDATE_PREEMPTED) {
		*count &= ~MMU_UPDATE_PREEMPTED;
		if (pdone && get_guest(*done, pdone))
			return -EFAULT;
	}
	return 0;
}

static int finish_batch(u64 pdone, unsigned int done)
{
	return pdone ? put_guest(done, pdone) : 0;
}

static int mmu_update_one(struct domain *d, struct domain *pg_owner,
			  const struct mmu_update *req)
{
	unsigned int cmd = req->ptr & 3;
	mfn_t mfn = req->ptr >> PAGE_SHIFT;
	struct frame *f;

	switch (cmd) {
	case MMU_NORMAL_PT_UPDATE:
	case MMU_PT_UPDATE_PRESERVE_AD:
		if (req->ptr & 7 & ~3UL)
			return -EINVAL;
		return update_pt_entry(
		    d, pg_owner, mfn, (req->ptr & ~PAGE_MASK) >> 3, req->val,
		    cmd == MMU_PT_UPDATE_PRESERVE_AD, PTU_MMU_UPDATE);
	case MMU_MACHPHYS_UPDATE:
		f = mfn_to_frame(mfn);
		if (!f || f->owner != pg_owner->id) {
			mm_refused(
			    d, MMR_MACHPHYS,
			    "mmu_update: M2P entry of frame %#lx: not its own",
			    mfn);
			return -EINVAL;
		}
		set_gpfn_from_mfn(mfn, req->val);
		return 0;
	}
	return -ENOSYS;
}

/*
 * Continue a batch at request i of count (of size bytes each): what is
 * done so far goes to *pdone, the rest is re-issued.
 */
static long continue_batch(unsigned int nr, u64 reqs, size_t size,
			   unsigned int i, unsigned int count,
			   unsigned int done, u64 pdone, unsigned int fd)
{
	if (finish_batch(pdone, done + i))
		return -EFAULT;
	return hypercall_continue(
	    nr, reqs + i * size, (count - i) | MMU_UPDATE_PREEMPTED, pdone, fd);
}

/*
 * After request i: stop for the CPU, for a validation that stopped
 * part-way (request i again), or for a teardown request i left that
 * did not finish (request i + 1): the number of the request to continue
 * at, or -1 to go on.
 */
static int batch_stop(unsigned int i, int rc)
{
	if (rc == -ERESTART)
		return (int)i;
	if (!rc && current->pending_teardown && mm_finish_pending(current))
		return (int)i + 1;
	return -1;
}

static long mmu_update_batch(u64 reqs, unsigned int count, u64 pdone,
			     unsigned int fd)
{
	struct domain *d = current->domain, *pg_owner = pg_owner_of(d, fd);
	unsigned int done, i;
	int rc = 0, stop;

	if (!pg_owner)
		return d->privileged ? -ESRCH : -EPERM;
	if (mm_finish_pending(current)) /* an earlier teardown first */
		return hypercall_continue(__HYPERVISOR_mmu_update, reqs, count,
					  pdone, fd);
	if (start_batch(pdone, &count, &done))
		return -EFAULT;
	for (i = 0; i < count; i++) {
		struct mmu_update req;

		if (i && !(i % PREEMPT_EVERY) && hypercall_preempt_check())
			return continue_batch(__HYPERVISOR_mmu_update, reqs,
					      sizeof(req), i, count, done,
					      pdone, fd);
		if (copy_from_guest(&req, reqs + i * sizeof(req),
				    sizeof(req))) {
			rc = -EFAULT;
			break;
		}
		rc = mmu_update_one(d, pg_owner, &req);
		stop = batch_stop(i, rc);
		if (stop >= 0)
			return continue_batch(__HYPERVISOR_mmu_update, reqs,
					      sizeof(req), (unsigned int)stop,
					      count, done, pdone, fd);
		if (rc) {
			pr_debug("d%u: mmu_update %#lx <- %#lx refused (%d)\n",
				 d->id, req.ptr, req.val, rc);
			mm_finish_pending(current); /* as far as it goes now */
			break;
		}
	}
	if (finish_batch(pdone, done + i))
		return -EFAULT;
	return rc;
}

/* A batch whose page-table walks may stop part-way (see ptval.c). */
static long preemptible(long (*batch)(u64, unsigned int, u64, unsigned int),
			u64 reqs, unsigned int count, u64 pdone,
			unsigned int fd)
{
	long rc;

	mm_preemptible(true);
	rc = batch(reqs, count, pdone, fd);
	mm_preemptible(false);
	return rc;
}

long do_mmu_update(u64 reqs, unsigned int count, u64 pdone, unsigned int fd)
{
	return preemptible(mmu_update_batch, reqs, count, pdone, fd);
}

/*
 * The flush an update_va_mapping asks for. The entry is in the caller's
 * own tables, so "all" (or a vCPU mask) means the CPUs running them.
 */
static void do_flush(u64 flags, u64 va)
{
	bool all = (flags & ~UVMF_FLUSHTYPE_MASK) != UVMF_LOCAL;
	struct domain *d = current->domain;

	switch (flags & UVMF_FLUSHTYPE_MASK) {
	case UVMF_TLB_FLUSH:
		if (all)
			flush_domain_tlbs(d);
		else
			write_guest_cr3(current);
		break;
	case UVMF_INVLPG:
		if (all)
			invlpg_domain(d, va);
		else
			invlpg((void *)va);
		break;
	}
}

static long update_va_mapping_in(struct domain *pg_owner, u64 va, u64 val,
				 u64 flags)
{
	struct vcpu *v = current;
	mfn_t l1;
	unsigned int index;
	int rc;

	if (!guest_range_ok(va, 1) ||
	    find_l1_slot(v->guest_table, va, &l1, &index)) {
		mm_refused(v->domain, MMR_NOT_TABLE,
			   "update_va_mapping: no L1 entry maps %#lx", va);
		return -EINVAL;
	}
	rc = update_pt_entry(v->domain, pg_owner, l1, index, val, false,
			     PTU_UPDATE_VA_MAPPING);
	if (!rc)
		do_flush(flags, va);
	return rc;
}

/* Before an L1 update: finish an earlier teardown (true: continue). */
static bool teardown_first(void)
{
	int rc;

	if (!current->pending_teardown)
		return false;
	mm_preemptible(true);
	rc = mm_finish_pending(current);
	mm_preemptible(false);
	return rc != 0;
}

long do_update_va_mapping(u64 va, u64 val, u64 flags)
{
	if (teardown_first())
		return hypercall_continue(__HYPERVISOR_update_va_mapping, va,
					  val, flags, 0);
	return update_va_mapping_in(current->domain, va, val, flags);
}

long do_update_va_mapping_otherdomain(u64 va, u64 val, u64 flags,
				      unsigned int fd)
{
	struct domain *pg_owner = pg_owner_of(current->domain, fd);

	if (!pg_owner)
		return current->domain->privileged ? -ESRCH : -EPERM;
	if (teardown_first())
		return hypercall_continue(
		    __HYPERVISOR_update_va_mapping_otherdomain, va, val, flags,
		    fd);
	return update_va_mapping_in(pg_owner, va, val, flags);
}

/* Load a new kernel or user root table (refs move from old to new). */
int new_baseptr(struct vcpu *v, mfn_t mfn, bool user)
{
	mfn_t *slot = user ? &v->guest_table_user : &v->guest_table;
	struct frame *f = mfn_to_frame(mfn);
	mfn_t old = *slot;
	int rc = -EINVAL;

	if (user && !mfn) {
		*slot = 0;
	} else if (!f ||
		   (rc = get_page_and_type_preemptible(f, v->domain, PGT_L4))) {
		if (rc == -ERESTART)
			return rc; /* validating it continues */
		mm_refused(
		    v->domain, MMR_BASEPTR,
		    "new_%sbaseptr: frame %#lx is not an L4 table of its own",
		    user ? "user_" : "", mfn);
		return -EINVAL;
	} else {
		*slot = mfn;
	}
	/*
	 * Reload CR3 only if the table the vCPU runs on changed: a new user
	 * table while in kernel mode (Linux sets one at every process
	 * switch) is loaded at the next switch to user mode, and the old
	 * one's entries went with the CR3 load that entered kernel mode.
	 */
	if (!user || !v->kernel_mode)
		write_guest_cr3(v);
	if (old)
		put_page_and_type_preemptible(mfn_to_frame(old));
	return 0;
}

static int page_op(struct domain *d, const struct mmuext_op *op)
{
	struct frame *dst = mfn_to_frame(op->arg1.mfn), *src;
	void *dva;

	if (!dst || !get_page_writable(dst, d)) {
		mm_refused(
		    d, MMR_PAGE_OP,
		    "%s: destination %#lx is not a writable frame of its own",
		    op->cmd == MMUEXT_CLEAR_PAGE ? "clear_page" : "copy_page",
		    op->arg1.mfn);
		return -EINVAL;
	}
	dva = __va(op->arg1.mfn << PAGE_SHIFT);
	if (op->cmd == MMUEXT_CLEAR_PAGE) {
		memset(dva, 0, PAGE_SIZE);
	} else {
		src = mfn_to_frame(op->arg2.src_mfn);
		if (!src || !get_page(src, d)) {
			mm_refused(d, MMR_PAGE_OP,
				   "copy_page: source %#lx is not its own",
				   op->arg2.src_mfn);
			put_page_and_type(dst);
			return -EINVAL;
		}
		memcpy(dva, __va(op->arg2.src_mfn << PAGE_SHIFT), PAGE_SIZE);
		put_page(src);
	}
	put_page_and_type(dst);
	return 0;
}

static int mmuext_one(struct vcpu *v, struct domain *pg_owner,
		      const struct mmuext_op *op)
{
	struct domain *d = v->domain;

	switch (op->cmd) {
	case MMUEXT_PIN_L1_TABLE:
	case MMUEXT_PIN_L2_TABLE:
	case MMUEXT_PIN_L3_TABLE:
	case MMUEXT_PIN_L4_TABLE:
		return pin_table(pg_owner, op->arg1.mfn,
				 frame_level_type(op->cmd + 1));
	case MMUEXT_UNPIN_TABLE:
		return unpin_table(pg_owner, op->arg1.mfn);
	case MMUEXT_NEW_BASEPTR:
		return new_baseptr(v, op->arg1.mfn, false);
	case MMUEXT_NEW_USER_BASEPTR:
		return new_baseptr(v, op->arg1.mfn, true);
	case MMUEXT_TLB_FLUSH_LOCAL:
		write_guest_cr3(v);
		return 0;
	case MMUEXT_INVLPG_LOCAL:
		invlpg((void *)op->arg1.linear_addr);
		return 0;
	case MMUEXT_TLB_FLUSH_MULTI:
	case MMUEXT_TLB_FLUSH_ALL:
		flush_domain_tlbs(d); /* a superset of any vCPU mask */
		return 0;
	case MMUEXT_INVLPG_MULTI:
	case MMUEXT_INVLPG_ALL:
		invlpg_domain(d, op->arg1.linear_addr);
		return 0;
	case MMUEXT_FLUSH_CACHE:
	case MMUEXT_FLUSH_CACHE_GLOBAL:
		return d->privileged ? 0 : -EPERM; /* nothing cached to flush */
	case MMUEXT_SET_LDT:
		return set_ldt(v, op->arg1.linear_addr, op->arg2.nr_ents);
	case MMUEXT_CLEAR_PAGE:
	case MMUEXT_COPY_PAGE:
		return page_op(d, op);
	}
	return -ENOSYS;
}

static long mmuext_batch(u64 ops, unsigned int count, u64 pdone,
			 unsigned int fd)
{
	struct vcpu *v = current;
	struct domain *pg_owner = pg_owner_of(v->domain, fd);
	unsigned int done, i;
	int rc = 0, stop;

	if (!pg_owner)
		return v->domain->privileged ? -ESRCH : -EPERM;
	if (mm_finish_pending(v)) /* an earlier teardown first */
		return hypercall_continue(__HYPERVISOR_mmuext_op, ops, count,
					  pdone, fd);
	if (start_batch(pdone, &count, &done))
		return -EFAULT;
	for (i = 0; i < count; i++) {
		struct mmuext_op op;

		if (i && !(i % PREEMPT_EVERY) && hypercall_preempt_check())
			return continue_batch(__HYPERVISOR_mmuext_op, ops,
					      sizeof(op), i, count, done, pdone,
					      fd);
		if (copy_from_guest(&op, ops + i * sizeof(op), sizeof(op))) {
			rc = -EFAULT;
			break;
		}
		if (opt_hcstats) {
			u64 t0 = rdtsc();

			rc = mmuext_one(v, pg_owner, &op);
			mmuext_stats_add(op.cmd, rdtsc() - t0);
		} else {
			rc = mmuext_one(v, pg_owner, &op);
		}
		stop = batch_stop(i, rc);
		if (stop >= 0)
			return continue_batch(__HYPERVISOR_mmuext_op, ops,
					      sizeof(op), (unsigned int)stop,
					      count, done, pdone, fd);
		if (rc) {
			pr_debug("d%u: mmuext_op %u (%#lx) refused (%d)\n",
				 v->domain->id, op.cmd, op.arg1.mfn, rc);
			mm_finish_pending(v); /* as far as it goes now */
			break;
		}
	}
	if (finish_batch(pdone, done + i))
		return -EFAULT;
	return rc;
}

long do_mmuext_op(u64 ops, unsigned int count, u64 pdone, unsigned int fd)
{
	return preemptible(mmuext_batch, ops, count, pdone, fd);
}
