/*
 * memory_op (12): what a PV guest may ask about and change in its memory
 * reservation. Reservation changes arrive with the balloon work; the
 * queries and the M2P description are here.
 */
#include <xen/memory.h>
#include "domain.h"
#include "guest_access.h"
#include "hypercall.h"
#include "lib.h"
#include "m2p.h"
#include "mm.h"
#include "page.h"

static struct domain *target(domid_t id)
{
	struct domain *d = current->domain;

	if (id == DOMID_SELF || id == d->id)
		return d;
	return d->privileged ? domain_lookup(id) : NULL;
}

static long reservation_query(int cmd, u64 arg)
{
	domid_t id;
	struct domain *d;

	if (get_guest(id, arg))
		return -EFAULT;
	d = target(id);
	if (!d)
		return current->domain->privileged ? -ESRCH : -EPERM;
	return cmd == XENMEM_current_reservation ? (long)d->tot_pages :
						   (long)d->max_pages;
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

/* Hand 2^order fresh frames to d (zeroed), below 2^bits if bits != 0. */
static int alloc_extent(struct domain *d, unsigned int order,
			unsigned int bits, mfn_t *out)
{
	mfn_t mfn, limit = bits && bits < 52 ? 1UL << (bits - PAGE_SHIFT) : 0;
	u64 n = 1UL << order;

	if (d->tot_pages + n > d->max_pages)
		return -ENOMEM;
	mfn = limit ? alloc_frames_below(order, limit) : alloc_frames(order);
	if (mfn == INVALID_MFN)
		return -ENOMEM;
	spin_lock(&d->lock);
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

/* Can d give these frames back? Only if nothing references them. */
static bool extent_free_ok(struct domain *d, mfn_t mfn, unsigned int order)
{
	for (u64 i = 0; i < (1UL << order); i++) {
		struct frame *f = mfn_to_frame(mfn + i);
		if (!f || f->owner != d->id || f->count ||
		    (f->type_info & PGT_COUNT_MASK) ||
		    mfn + i == d->shared_info_mfn)
			return false;
	}
	return true;
}

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

static struct domain *reservation_target(const struct xen_memory_reservation *r)
{
	return target(r->domid);
}

/*
 * increase_reservation / populate_physmap: returns the number of extents
 * done (a short count means out of memory or over the domain's maximum).
 */
static long grow(int cmd, u64 arg)
{
	struct xen_memory_reservation r;
	struct domain *d;
	u64 i;

	if (get_guest(r, arg))
		return -EFAULT;
	if (!(d = reservation_target(&r)))
		return current->domain->privileged ? -ESRCH : -EPERM;
	if (r.extent_order > MAX_EXTENT_ORDER)
		return -EINVAL;
	for (i = 0; i < r.nr_extents; i++) {
		u64 slot = r.extent_start + i * 8, gpfn = 0;
		mfn_t mfn;

		if (i && !(i % 64) && hypercall_preempt_check())
			break; /* partial: the guest asks again for the rest */
		if (cmd == XENMEM_populate_physmap && get_guest(gpfn, slot))
			return i ? (long)i : -EFAULT;
		if (alloc_extent(d, r.extent_order,
				 MEMF_ADDRESS_BITS(r.mem_flags), &mfn))
			break;
		for (u64 j = 0; j < (1UL << r.extent_order); j++)
			set_gpfn_from_mfn(mfn + j, cmd == XENMEM_populate_physmap ?
							   gpfn + j :
							   M2P_INVALID);
		if (put_guest(mfn, slot)) {
			release_extent(d, mfn, r.extent_order);
			return i ? (long)i : -EFAULT;
		}
	}
	return (long)i;
}

/* decrease_reservation: give back frames (PV names them by MFN). */
static long shrink(u64 arg)
{
	struct xen_memory_reservation r;
	struct domain *d;
	u64 i;

	if (get_guest(r, arg))
		return -EFAULT;
	if (!(d = reservation_target(&r)))
		return current->domain->privileged ? -ESRCH : -EPERM;
	if (r.extent_order > MAX_EXTENT_ORDER)
		return -EINVAL;
	for (i = 0; i < r.nr_extents; i++) {
		mfn_t mfn;

		if (i && !(i % 64) && hypercall_preempt_check())
			break;
		if (get_guest(mfn, r.extent_start + i * 8))
			return i ? (long)i : -EFAULT;
		if ((mfn & ((1UL << r.extent_order) - 1)) ||
		    !extent_free_ok(d, mfn, r.extent_order)) {
			pr_debug("d%u: decrease_reservation: frame %#lx in use or not ours\n",
				 d->id, mfn);
			break;
		}
		release_extent(d, mfn, r.extent_order);
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
	u64 in_per_out, done;

	if (get_guest(x, arg))
		return -EFAULT;
	if ((x.in.domid != DOMID_SELF && x.in.domid != d->id) ||
	    x.in.domid != x.out.domid)
		return -EPERM;
	if (x.in.extent_order > MAX_EXTENT_ORDER ||
	    x.out.extent_order > MAX_EXTENT_ORDER)
		return -EINVAL;
	/* Whole chunks only: equal amounts of memory in and out. */
	if ((x.in.nr_extents << x.in.extent_order) !=
	    (x.out.nr_extents << x.out.extent_order))
		return -EINVAL;
	if (x.in.extent_order > x.out.extent_order)
		return -EINVAL; /* many small for few large (defragment) */
	in_per_out = 1UL << (x.out.extent_order - x.in.extent_order);
	for (done = x.nr_exchanged; done < x.out.nr_extents; done++) {
		mfn_t in[1 << MAX_EXTENT_ORDER], out;
		u64 gpfn;

		for (u64 k = 0; k < in_per_out; k++) {
			u64 slot = x.in.extent_start +
				   (done * in_per_out + k) * 8;
			if (get_guest(in[k], slot) ||
			    (in[k] & ((1UL << x.in.extent_order) - 1)) ||
			    !extent_free_ok(d, in[k], x.in.extent_order))
				goto stop;
		}
		if (get_guest(gpfn, x.out.extent_start + done * 8))
			goto stop;
		/* Room for the new extent first, so nothing is lost. */
		d->max_pages += 1UL << x.out.extent_order;
		if (alloc_extent(d, x.out.extent_order,
				 MEMF_ADDRESS_BITS(x.out.mem_flags), &out)) {
			d->max_pages -= 1UL << x.out.extent_order;
			goto stop;
		}
		for (u64 k = 0; k < in_per_out; k++)
			release_extent(d, in[k], x.in.extent_order);
		d->max_pages -= 1UL << x.out.extent_order;
		for (u64 j = 0; j < (1UL << x.out.extent_order); j++)
			set_gpfn_from_mfn(out + j, gpfn + j);
		if (put_guest(out, x.out.extent_start + done * 8))
			goto stop;
	}
stop:
	x.nr_exchanged = done;
	if (put_guest(x.nr_exchanged, arg + offsetof(struct memory_exchange,
						     nr_exchanged)))
		return -EFAULT;
	return done == x.out.nr_extents ? 0 : -ENOMEM;
}

long do_memory_op(int cmd, u64 arg)
{
	switch (cmd & 0xf) {
	case XENMEM_maximum_ram_page:
		return (long)max_mfn - 1;
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
		return -ENOSYS; /* Linux then assumes nr_pages of RAM */
	case XENMEM_increase_reservation:
	case XENMEM_populate_physmap:
		return grow(cmd & 0xf, arg);
	case XENMEM_decrease_reservation:
		return shrink(arg);
	case XENMEM_exchange:
		return exchange(arg);
	}
	return -ENOSYS;
}
