/*
 * Helpers shared by the I/O privilege test guests (io_*.c): port I/O
 * (which faults in ring 3 and is emulated by the hypervisor), PCI
 * configuration mechanism #1, and thin physdev_op / pirq wrappers.
 */
#ifndef IO_COMMON_H
#define IO_COMMON_H

#include <xen/physdev.h>
#include "ev_common.h"
#include "portio.h"

#define EBUSY 16
#define PCI_CONF_ADDR 0xcf8
#define PCI_CONF_DATA 0xcfc

static inline uint32_t pci_addr(unsigned int bus, unsigned int dev,
				unsigned int fn, unsigned int reg)
{
	return 0x80000000U | bus << 16 | dev << 11 | fn << 8 | (reg & 0xfc);
}

static inline uint32_t pci_read32(unsigned int dev, unsigned int reg)
{
	outl(PCI_CONF_ADDR, pci_addr(0, dev, 0, reg));
	return inl(PCI_CONF_DATA);
}

static inline uint16_t pci_read16(unsigned int dev, unsigned int reg)
{
	outl(PCI_CONF_ADDR, pci_addr(0, dev, 0, reg));
	return inw(PCI_CONF_DATA + (reg & 2));
}

static inline uint8_t pci_read8(unsigned int dev, unsigned int reg)
{
	outl(PCI_CONF_ADDR, pci_addr(0, dev, 0, reg));
	return inb(PCI_CONF_DATA + (reg & 3));
}

static inline void pci_write8(unsigned int dev, unsigned int reg, uint8_t v)
{
	outl(PCI_CONF_ADDR, pci_addr(0, dev, 0, reg));
	outb(PCI_CONF_DATA + (reg & 3), v);
}

static inline long physdev_op(int cmd, void *arg)
{
	return HYPERCALL2(__HYPERVISOR_physdev_op, cmd, arg);
}

static inline long io_setup_gsi(int gsi, int level, int low)
{
	struct physdev_setup_gsi s = { gsi, (uint8_t)level, (uint8_t)low };

	return physdev_op(PHYSDEVOP_setup_gsi, &s);
}

/* Map a GSI; returns the pirq or a negative error. */
static inline long io_map_gsi(int gsi, int pirq)
{
	struct physdev_map_pirq m = { .domid = DOMID_SELF,
				      .type = MAP_PIRQ_TYPE_GSI,
				      .index = gsi,
				      .pirq = pirq };
	long rc = physdev_op(PHYSDEVOP_map_pirq, &m);

	return rc ? rc : m.pirq;
}

static inline long io_unmap_pirq(int pirq)
{
	struct physdev_unmap_pirq u = { DOMID_SELF, pirq };

	return physdev_op(PHYSDEVOP_unmap_pirq, &u);
}

static inline long io_eoi(uint32_t pirq)
{
	struct physdev_eoi e = { pirq };

	return physdev_op(PHYSDEVOP_eoi, &e);
}

/* Returns the XENIRQSTAT_* flags or a negative error. */
static inline long io_irq_status(uint32_t pirq)
{
	struct physdev_irq_status_query q = { pirq, 0xdead };
	long rc = physdev_op(PHYSDEVOP_irq_status_query, &q);

	return rc ? rc : q.flags;
}

static inline long io_bind_pirq(uint32_t pirq, uint32_t flags, uint32_t *port)
{
	struct evtchn_bind_pirq b = { pirq, flags, 0 };
	long rc = evtchn_op(EVTCHNOP_bind_pirq, &b);

	*port = rc ? 0 : b.port;
	return rc;
}

static inline long io_eoi_page(uint64_t gmfn)
{
	struct physdev_pirq_eoi_gmfn g = { gmfn };

	return physdev_op(PHYSDEVOP_pirq_eoi_gmfn_v2, &g);
}

#endif
