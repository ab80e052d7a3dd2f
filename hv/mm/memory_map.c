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
#define E820_ENTRY_SIZE 20 /* u64 addr, u64 size, u32 type; packed */

static DEFINE_SPINLOCK(e820_lock); /* all domains' maps: rarely taken */

long set_memory_map(struct domain *d, u64 arg)
{
	struct xen_foreign_memory_map f;
	u8 *map, *old;
	size_t len;

	if (get_guest(f, arg))
		return -EFAULT;
	if (f.map.nr_entries > E820_MAX_ENTRIES)
		return -EINVAL;
	len = (size_t)f.map.nr_entries * E820_ENTRY_SIZE;
	map = len ? xmalloc(len) : NULL;
	if (len && !map)
		return -ENOMEM;
	if (map && copy_from_guest(map, f.map.buffer, len)) {
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
				  (size_t)m.nr_entries * E820_ENTRY_SIZE))
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
