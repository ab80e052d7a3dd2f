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

static long machphys_mfn_list(u64 arg)
{
	struct {
		unsigned int max_extents;
		u64 extent_start;
		unsigned int nr_extents;
	} __packed x;
	/* Layout: u32 max_extents; (pad) handle; u32 nr_extents. */
	struct {
		unsigned int max_extents;
		unsigned int pad;
		u64 extent_start;
		unsigned int nr_extents;
	} a;
	u64 chunks = ALIGN_UP(m2p_nr_entries() * 8, MiB(2)) / MiB(2);
	unsigned int n = 0;

	(void)x;
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
	}
	return -ENOSYS;
}
