/*
 * physdev_op (33): physical devices. Any domain may set its virtual IOPL,
 * register a pirq EOI bitmap and ask whether a pirq needs an EOI (none of
 * a domain U's do); mapping, unmapping, GSI setup and EOI belong to the
 * privileged domain alone (any other gets -EPERM and nothing changes). The pirq objects they work on
 * are in core/pirq.c, the lines themselves in irq.c.
 *
 * How domain 0 gets a device's interrupt as an event:
 *   PHYSDEVOP_setup_gsi (trigger, polarity; optional for ISA lines)
 *   PHYSDEVOP_map_pirq (MAP_PIRQ_TYPE_GSI, index = GSI) -> pirq
 *   EVTCHNOP_bind_pirq (pirq) -> port; the line is unmasked
 *   EVTCHNOP_unmask (port), then on each event: handle the device, and
 *   PHYSDEVOP_eoi (pirq) if XENIRQSTAT_needs_eoi (level lines).
 */
#include <xen/physdev.h>
#include "domain.h"
#include "guest_access.h"
#include "hypercall.h"
#include "irq.h"
#include "lib.h"

/* Log a refusal the first time a domain meets it. */
static long refused(struct domain *d, int cmd, long err)
{
	u64 bit = 1UL << (cmd & 63);

	if (!(__atomic_fetch_or(&d->physdev_refusals_logged, bit,
				__ATOMIC_RELAXED) &
	      bit))
		pr_warn("d%u: physdev_op %d refused (%ld)\n", d->id, cmd, err);
	return err;
}

/* A GSI a domain may name: on an IO-APIC, and not one of ours. */
static long check_gsi(int gsi)
{
	if (gsi < 0 || !irq_gsi_valid((u32)gsi))
		return -EINVAL;
	return irq_gsi_reserved((u32)gsi) ? -EPERM : 0;
}

static bool self(struct domain *d, domid_t id)
{
	return id == DOMID_SELF || id == d->id;
}

static long op_map_pirq(struct domain *d, u64 arg)
{
	struct physdev_map_pirq m;
	long rc;

	if (get_guest(m, arg))
		return -EFAULT;
	if (!self(d, m.domid)) /* no pass-through to other domains */
		return -EINVAL;
	if (m.type != MAP_PIRQ_TYPE_GSI) /* no MSI: drivers fall back */
		return -EINVAL;
	if ((rc = check_gsi(m.index)))
		return rc;
	if (m.pirq < -1 || m.pirq >= NR_PIRQS)
		return -EINVAL;
	rc = pirq_map(d, (u32)m.index, m.pirq);
	if (rc < 0)
		return rc;
	m.pirq = (int)rc;
	return put_guest(m, arg) ? -EFAULT : 0;
}

static long op_unmap_pirq(struct domain *d, u64 arg)
{
	struct physdev_unmap_pirq u;

	if (get_guest(u, arg))
		return -EFAULT;
	if (!self(d, u.domid))
		return -EINVAL;
	if (u.pirq < 0 || u.pirq >= NR_PIRQS)
		return -EINVAL;
	return pirq_unmap(d, (u32)u.pirq);
}

static long op_setup_gsi(u64 arg)
{
	struct physdev_setup_gsi s;
	long rc;

	if (get_guest(s, arg))
		return -EFAULT;
	if ((rc = check_gsi(s.gsi)))
		return rc;
	if (s.triggering > 1 || s.polarity > 1)
		return -EINVAL;
	return pirq_setup_gsi((u32)s.gsi, s.triggering, s.polarity);
}

static long op_eoi(struct domain *d, u64 arg)
{
	struct physdev_eoi e;

	if (get_guest(e, arg))
		return -EFAULT;
	if (e.irq >= NR_PIRQS)
		return -EINVAL;
	return pirq_eoi(d, e.irq);
}

static long op_irq_status_query(struct domain *d, u64 arg)
{
	struct physdev_irq_status_query q;

	if (get_guest(q, arg))
		return -EFAULT;
	if (q.irq >= NR_PIRQS)
		return -EINVAL;
	q.flags = pirq_needs_eoi(d, q.irq) ? XENIRQSTAT_needs_eoi : 0;
	return put_guest(q, arg) ? -EFAULT : 0;
}

static long op_get_free_pirq(struct domain *d, u64 arg)
{
	struct physdev_get_free_pirq g;
	int rc;

	if (get_guest(g, arg))
		return -EFAULT;
	if (g.type != MAP_PIRQ_TYPE_GSI && g.type != MAP_PIRQ_TYPE_MSI)
		return -EINVAL;
	rc = pirq_get_free(d, g.type);
	if (rc < 0)
		return rc;
	g.pirq = (u32)rc;
	return put_guest(g, arg) ? -EFAULT : 0;
}

/* Legacy: the "vector" of an IRQ is the IRQ itself, as on Xen today. */
static long op_alloc_irq_vector(u64 arg)
{
	struct physdev_irq i;

	if (get_guest(i, arg))
		return -EFAULT;
	if (i.irq >= NR_PIRQS)
		return -EINVAL;
	i.vector = i.irq;
	return put_guest(i, arg) ? -EFAULT : 0;
}

static long op_pirq_eoi_gmfn(struct domain *d, u64 arg)
{
	struct physdev_pirq_eoi_gmfn g;

	if (get_guest(g, arg))
		return -EFAULT;
	return pirq_set_eoi_page(d, g.gmfn); /* a PV guest names the MFN */
}

/* The operations only the privileged domain may use. */
static bool privileged_op(int cmd)
{
	switch (cmd) {
	case PHYSDEVOP_map_pirq:
	case PHYSDEVOP_unmap_pirq:
	case PHYSDEVOP_setup_gsi:
	case PHYSDEVOP_eoi:
	case PHYSDEVOP_get_free_pirq:
	case PHYSDEVOP_alloc_irq_vector:
	case PHYSDEVOP_free_irq_vector:
		return true;
	}
	return false;
}

/*
 * An I/O bitmap as the TSS has: ports the virtual IOPL refuses are
 * allowed where its bit is clear (pv_ioport.c reads it at each access).
 */
#define IOBMP_BYTES 8192 /* one bit per port */

static long op_set_iobitmap(struct vcpu *v, u64 arg)
{
	struct physdev_set_iobitmap b;

	if (get_guest(b, arg))
		return -EFAULT;
	if (!guest_range_ok(b.bitmap, IOBMP_BYTES) || b.nr_ports > 65536)
		return -EINVAL;
	v->iobmp = b.bitmap;
	v->iobmp_nr = b.nr_ports;
	return 0;
}

static long dispatch(struct domain *d, int cmd, u64 arg)
{
	switch (cmd) {
	case PHYSDEVOP_set_iopl: {
		struct physdev_set_iopl s;

		if (get_guest(s, arg))
			return -EFAULT;
		/* Virtual IOPL: it lets the kernel use CLI/STI (emulated);
		 * I/O is checked per port whatever it says. */
		if (s.iopl > 3)
			return -EINVAL;
		current->iopl = (u8)s.iopl;
		return 0;
	}
	case PHYSDEVOP_set_iobitmap:
		return op_set_iobitmap(current, arg);
	case PHYSDEVOP_map_pirq:
		return op_map_pirq(d, arg);
	case PHYSDEVOP_unmap_pirq:
		return op_unmap_pirq(d, arg);
	case PHYSDEVOP_setup_gsi:
		return op_setup_gsi(arg);
	case PHYSDEVOP_eoi:
		return op_eoi(d, arg);
	case PHYSDEVOP_irq_status_query:
		return op_irq_status_query(d, arg);
	case PHYSDEVOP_get_free_pirq:
		return op_get_free_pirq(d, arg);
	case PHYSDEVOP_alloc_irq_vector:
		return op_alloc_irq_vector(arg);
	case PHYSDEVOP_free_irq_vector:
		return 0;
	case PHYSDEVOP_pirq_eoi_gmfn_v2:
		return op_pirq_eoi_gmfn(d, arg);
	}
	return -ENOSYS;
}

long do_physdev_op(int cmd, u64 arg)
{
	struct domain *d = current->domain;
	long rc;

	if (privileged_op(cmd) && !d->privileged)
		return refused(d, cmd, -EPERM);
	rc = dispatch(d, cmd, arg);
	if (rc < 0 && rc != -EFAULT && rc != -ENOSYS)
		refused(d, cmd, rc);
	return rc;
}
