/*
 * The pseudo-physical memory map a toolstack gives a PV domain
 * (XENMEM_set_memory_map) and the domain reads back (XENMEM_memory_map).
 * libxl sets one RAM entry as large as the domain's maxmem: Linux then
 * treats the RAM above its initial allocation as ballooned out, and its
 * balloon driver can populate it later, up to maxmem. With no map set,
 * memory_map is -ENOSYS, as on Xen (Linux then assumes its initial size
 * plus 8 MiB).
 *
 * The map is copied in once; a new one replaces it whole under
 * e820_lock, which readers hold while they copy it out.
 */
#include <xen/memory.h>
#include "domain.h"
#include "guest_access.h"
#include "lib.h"
#include "memory_map.h"
#include "xmalloc.h"

#define E820_MAX_ENTRIES 1024 /* Xen's E820MAX */

static DEFINE_SPINLOCK(e820_lock); /* all domains' maps: rarely taken */

long set_memory_map(struct domain *d, u64 arg)
{
	struct xen_foreign_memory_map f;
	struct e820entry *map, *old;

	if (get_guest(f, arg))
		return -EFAULT;
	if (f.map.nr_entries > E820_MAX_ENTRIES)
		return -EINVAL;
	map =
	    f.map.nr_entries ? xmalloc(f.map.nr_entries * sizeof(*map)) : NULL;
	if (f.map.nr_entries && !map)
		return -ENOMEM;
	if (map && copy_from_guest(map, f.map.buffer,
				   f.map.nr_entries * sizeof(*map))) {
		xfree(map);
		return -EFAULT;
	}
	spin_lock(&e820_lock);
	old = d->e820;
	d->e820 = map;
	d->nr_e820 = f.map.nr_entries;
	spin_unlock(&e820_lock);
	xfree(old);
	return 0;
}

long get_memory_map(struct domain *d, u64 arg)
{
	struct xen_memory_map m;
	long rc = 0;

	if (get_guest(m, arg))
		return -EFAULT;
	spin_lock(&e820_lock);
	if (!d->e820) {
		rc = -ENOSYS; /* none set: the guest picks its own */
	} else {
		m.nr_entries = MIN(m.nr_entries, d->nr_e820);
		if (copy_to_guest(m.buffer, d->e820,
				  m.nr_entries * sizeof(*d->e820)))
			rc = -EFAULT;
	}
	spin_unlock(&e820_lock);
	if (!rc && put_guest(m, arg))
		rc = -EFAULT;
	return rc;
}

void free_memory_map(struct domain *d)
{
	spin_lock(&e820_lock);
	xfree(d->e820);
	d->e820 = NULL;
	d->nr_e820 = 0;
	spin_unlock(&e820_lock);
}
