/*
 * memory_op (12): what a PV guest may ask about and change in its memory
 * reservation: queries, the M2P description, and the reservation changes
 * (increase/decrease/populate, exchange) that ballooning uses.
 *
 * As in Xen, the command's bits above MEMOP_EXTENT_SHIFT say where a
 * preempted reservation op resumes; those ops return how many extents
 * were done (never an error code), and a long one continues itself.
 */
#include <xen/memory.h>
#include "domain.h"
#include "guest_access.h"
#include "hypercall.h"
#include "lib.h"
#include "m2p.h"
#include "memory_map.h"
#include "mm.h"
#include "page.h"
#include "ptval.h"
#include "xmalloc.h"

static struct domain *target(domid_t id)
{
	struct domain *d = current->domain;

	if (id == DOMID_SELF || id == d->id)
		return d;
	return domain_controls(d, id) ? domain_lookup(id) : NULL;
}

/*
 * The domain named by the domid at the start of the guest's argument:
 * itself, or one it controls. NULL with *rc set otherwise.
 */
static struct domain *arg_target(u64 arg, long *rc)
{
	domid_t id;
	struct domain *d;

	if (get_guest(id, arg)) {
		*rc = -EFAULT;
		return NULL;
	}
	d = target(id);
	if (!d)
		*rc = current->domain->privileged ? -ESRCH : -EPERM;
	return d;
}

static long reservation_query(int cmd, u64 arg)
{
	long rc;
	struct domain *d = arg_target(arg, &rc);

	if (!d)
		return rc;
	return cmd == XENMEM_current_reservation ? (long)d->tot_pages :
						   (long)d->max_pages;
}

/* set_memory_map: for itself, or by its toolstack (Xen's XSM_TARGET). */
static long set_map(u64 arg)
{
	long rc;
	struct domain *d = arg_target(arg, &rc);

	return d ? set_memory_map(d, arg) : rc;
}

/* machphys_mfn_list: the frames backing the M2P, in 2 MiB chunks. */
struct machphys_mfn_list {
	unsigned int max_extents;
	unsigned int pad;
	u64 extent_start;
	unsigned int nr_extents;
};

static long machphys_mfn_list(u64 arg)
{
	struct machphys_mfn_list a;
	u64 chunks = ALIGN_UP(m2p_nr_entries() * 8, MiB(2)) / MiB(2);
	unsigned int n = 0;

	if (get_guest(a, arg))
		return -EFAULT;
	for (; n < a.max_extents && n < chunks; n++) {
		u64 mfn = m2p_first_mfn() + n * (MiB(2) >> PAGE_SHIFT);
		if (put_guest(mfn, a.extent_start + n * 8))
			return -EFAULT;
	}
	a.nr_extents = n;
	return put_guest(a, arg);
}

/* --- Reservations ------------------------------------------------------- */

#define MEMF_ADDRESS_BITS(f) ((f) & 0xff)
#define MAX_EXTENT_ORDER 9 /* 2 MiB: keeps each step bounded */
#define MEMOP_EXTENT_SHIFT 6
#define MEMOP_CMD_MASK ((1U << MEMOP_EXTENT_SHIFT) - 1)

/*
 * Hand 2^order fresh frames to d (zeroed), below 2^bits if bits != 0,
 * allowing d up to extra pages over its maximum (exchange's headroom).
 */
static int alloc_extent(struct domain *d, unsigned int order,
			unsigned int bits, u64 extra, mfn_t *out)
{
	mfn_t mfn, limit;
	u64 n = 1UL << order;

	if (bits && bits <= PAGE_SHIFT)
		return -ENOMEM; /* no frame lies below 2^bits */
	limit = bits && bits < 52 ? 1UL << (bits - PAGE_SHIFT) : 0;
	mfn = limit ? alloc_frames_below(order, limit) : alloc_frames(order);
	if (mfn == INVALID_MFN)
		return -ENOMEM;
	spin_lock(&d->lock);
	/*
	 * Checked under the lock, so racing vCPUs cannot pass the maximum,
	 * and a dying domain (whose frames are being freed) gets none.
	 */
	if (d->is_dying || d->tot_pages + n > d->max_pages + extra) {
		spin_unlock(&d->lock);
		free_frames(mfn, order);
		return -ENOMEM;
	}
	for (u64 i = 0; i < n; i++) {
		struct frame *f = mfn_to_frame(mfn + i);
		memset(__va((mfn + i) << PAGE_SHIFT), 0, PAGE_SIZE);
		f->owner = d->id;
		f->count = 0;
		f->type_info = 0;
		list_add_tail(&f->link, &d->pages);
	}
	d->tot_pages += n;
	spin_unlock(&d->lock);
	*out = mfn;
	return 0;
}

/*
 * Can d give this extent back? Only if it is aligned and nothing
 * references it; then it is taken from d at once (take_unused_frames), so
 * no mapping can appear before release_extent frees it.
 */
static bool take_extent(struct domain *d, mfn_t mfn, unsigned int order)
{
	return !(mfn & ((1UL << order) - 1)) &&
	       take_unused_frames(d, mfn, order);
}

/* Free an extent taken with take_extent. */
static void release_extent(struct domain *d, mfn_t mfn, unsigned int order)
{
	spin_lock(&d->lock);
	for (u64 i = 0; i < (1UL << order); i++) {
		struct frame *f = mfn_to_frame(mfn + i);
		list_del(&f->link);
		f->owner = DOMID_XEN;
		f->type_info = 0;
		set_gpfn_from_mfn(mfn + i, M2P_INVALID);
		free_frames(mfn + i, 0);
	}
	d->tot_pages -= 1UL << order;
	spin_unlock(&d->lock);
}

/* increase_reservation / populate_physmap: extent i. */
static bool grow_one(struct domain *d, unsigned int op,
		     const struct xen_memory_reservation *r, u64 i)
{
	u64 slot = r->extent_start + i * 8, gpfn = 0;
	mfn_t mfn;

	if (op == XENMEM_populate_physmap && get_guest(gpfn, slot))
		return false;
	if (alloc_extent(d, r->extent_order, MEMF_ADDRESS_BITS(r->mem_flags), 0,
			 &mfn))
		return false; /* out of memory, or at the domain's maximum */
	for (u64 j = 0; j < (1UL << r->extent_order); j++)
		set_gpfn_from_mfn(mfn + j, op == XENMEM_populate_physmap ?
						   gpfn + j :
						   M2P_INVALID);
	/* increase_reservation may pass no list (the caller needs no MFNs). */
	if ((r->extent_start || op == XENMEM_populate_physmap) &&
	    put_guest(mfn, slot)) {
		if (take_extent(d, mfn, r->extent_order))
			release_extent(d, mfn, r->extent_order);
		return false;
	}
	return true;
}

/* decrease_reservation: give back extent i (PV names frames by MFN). */
static bool shrink_one(struct domain *d, const struct xen_memory_reservation *r,
		       u64 i)
{
	mfn_t mfn;

	if (get_guest(mfn, r->extent_start + i * 8))
		return false;
	if (!take_extent(d, mfn, r->extent_order)) {
		mm_refused(current->domain, MMR_RESERVATION,
			   "decrease_reservation: frame %#lx of order %u is in use or not d%u's",
			   mfn, r->extent_order, d->id);
		return false;
	}
	release_extent(d, mfn, r->extent_order);
	return true;
}

/*
 * increase_reservation, decrease_reservation, populate_physmap from
 * extent start on. Returns the extents done; a short count means an
 * extent was refused (out of memory, over the maximum, in use).
 */
static long reservation_op(unsigned int op, u64 start, u64 arg)
{
	struct xen_memory_reservation r;
	struct domain *d;
	u64 i;

	if (get_guest(r, arg))
		return (long)start;
	/* Sizes we cannot encode in a continuation are refused. */
	if (r.nr_extents > (0xffffffffUL >> MEMOP_EXTENT_SHIFT) ||
	    start >= r.nr_extents || r.extent_order > MAX_EXTENT_ORDER)
		return (long)start;
	d = target(r.domid);
	if (!d)
		return (long)start;
	for (i = start; i < r.nr_extents; i++) {
		if (i != start && hypercall_preempt_check())
			return hypercall_continue(
				__HYPERVISOR_memory_op,
				op | (i << MEMOP_EXTENT_SHIFT), arg, 0, 0);
		if (op == XENMEM_decrease_reservation ? !shrink_one(d, &r, i) :
							!grow_one(d, op, &r, i))
			break;
	}
	return (long)i;
}

/* exchange: trade frames for others (e.g. contiguous or below 4 GiB). */
struct memory_exchange {
	struct xen_memory_reservation in, out;
	xen_ulong_t nr_exchanged;
};

static long exchange(u64 arg)
{
	struct memory_exchange x;
	struct domain *d = current->domain;
	mfn_t *in;
	u64 in_per_out, done;
	long rc = 0;

	if (get_guest(x, arg))
		return -EFAULT;
	if ((x.in.domid != DOMID_SELF && x.in.domid != d->id) ||
	    x.in.domid != x.out.domid)
		return -EPERM;
	if (x.in.extent_order > MAX_EXTENT_ORDER ||
	    x.out.extent_order > MAX_EXTENT_ORDER ||
	    x.nr_exchanged > x.out.nr_extents)
		return -EINVAL;
	/* Whole chunks only: equal amounts of memory in and out. */
	if ((~0UL >> x.in.extent_order) < x.in.nr_extents ||
	    (~0UL >> x.out.extent_order) < x.out.nr_extents ||
	    (x.in.nr_extents << x.in.extent_order) !=
		    (x.out.nr_extents << x.out.extent_order))
		return -EINVAL;
	if (x.in.extent_order > x.out.extent_order)
		return -EINVAL; /* many small for few large (defragment) */
	in_per_out = 1UL << (x.out.extent_order - x.in.extent_order);
	/* Up to 4 KiB of input frames: on the heap, not the stack. */
	in = xmalloc(in_per_out * sizeof(*in));
	if (!in)
		return -ENOMEM;
	for (done = x.nr_exchanged; done < x.out.nr_extents; done++) {
		mfn_t out;
		u64 gpfn, k, taken = 0;

		if (done > x.nr_exchanged && hypercall_preempt_check()) {
			/* Continue with the same argument, from here. */
			x.nr_exchanged = done;
			rc = put_guest(x.nr_exchanged,
				       arg + offsetof(struct memory_exchange,
						      nr_exchanged))
				     ? -EFAULT
				     : hypercall_continue(__HYPERVISOR_memory_op,
							  XENMEM_exchange, arg,
							  0, 0);
			goto out;
		}
		if (get_guest(gpfn, x.out.extent_start + done * 8)) {
			rc = -EFAULT;
			goto stop;
		}
		for (k = 0; k < in_per_out; k++, taken++) {
			u64 slot = x.in.extent_start +
				   (done * in_per_out + k) * 8;
			if (get_guest(in[k], slot)) {
				rc = -EFAULT;
				break;
			}
			if (!take_extent(d, in[k], x.in.extent_order)) {
				mm_refused(d, MMR_RESERVATION,
					   "exchange: frame %#lx is in use or not its own",
					   in[k]);
				rc = -EINVAL;
				break;
			}
		}
		/*
		 * The new extent may exceed the maximum by its own size while
		 * the old ones still count, so nothing is lost on failure.
		 */
		if (!rc && alloc_extent(d, x.out.extent_order,
					MEMF_ADDRESS_BITS(x.out.mem_flags),
					1UL << x.out.extent_order, &out))
			rc = -ENOMEM;
		if (rc) {
			while (taken-- > 0)
				return_frames(d, in[taken], x.in.extent_order);
			goto stop;
		}
		for (k = 0; k < in_per_out; k++)
			release_extent(d, in[k], x.in.extent_order);
		for (u64 j = 0; j < (1UL << x.out.extent_order); j++)
			set_gpfn_from_mfn(out + j, gpfn + j);
		if (put_guest(out, x.out.extent_start + done * 8)) {
			done++; /* it is the guest's now, wherever it lost it */
			rc = -EFAULT;
			goto stop;
		}
	}
stop:
	x.nr_exchanged = done;
	if (put_guest(x.nr_exchanged, arg + offsetof(struct memory_exchange,
						     nr_exchanged)))
		rc = -EFAULT;
out:
	xfree(in);
	return rc;
}

long do_memory_op(int cmd, u64 arg)
{
	unsigned int op = (unsigned int)cmd & MEMOP_CMD_MASK;
	u64 start = (unsigned int)cmd >> MEMOP_EXTENT_SHIFT;

	switch (op) {
	case XENMEM_increase_reservation:
	case XENMEM_populate_physmap:
	case XENMEM_decrease_reservation:
		return reservation_op(op, start, arg);
	}
	if (start)
		return -EINVAL; /* only the ops above continue */
	switch (op) {
	case XENMEM_maximum_ram_page:
		/* Xen's max_page: one past the highest RAM frame (a count). */
		return (long)max_mfn;
	case XENMEM_current_reservation:
	case XENMEM_maximum_reservation:
		return reservation_query(cmd, arg);
	case XENMEM_machphys_mapping: {
		struct xen_machphys_mapping m = {
			RO_MPT_VIRT_START,
			RO_MPT_VIRT_START + m2p_nr_entries() * 8,
			m2p_nr_entries() - 1
		};
		return put_guest(m, arg);
	}
	case XENMEM_machphys_mfn_list:
		return machphys_mfn_list(arg);
	case XENMEM_memory_map:
		return get_memory_map(current->domain, arg);
	case XENMEM_set_memory_map:
		return set_map(arg);
	case XENMEM_exchange:
		return exchange(arg);
	}
	return -ENOSYS;
}
