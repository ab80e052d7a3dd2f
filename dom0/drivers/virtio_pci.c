/*
 * The virtio 1.x PCI transport. Vendor-specific capabilities name a BAR
 * region for each structure: common configuration (features, status,
 * queue setup), notification (one doorbell per queue), ISR status (read to
 * acknowledge an INTx interrupt) and the device-specific configuration.
 * All are mapped uncached with map_mmio. MSI-X stays disabled, so the
 * device interrupts on its INTx line, which the hypervisor delivers as an
 * event channel (pirq.c); without one the service thread polls.
 */
#include "errno.h"
#include "virtio.h"

/* Capability structure types (cfg_type). */
#define CAP_COMMON 1
#define CAP_NOTIFY 2
#define CAP_ISR 3
#define CAP_DEVICE 4

/* Common configuration registers. */
#define C_DFSELECT 0x00
#define C_DF 0x04
#define C_GFSELECT 0x08
#define C_GF 0x0c
#define C_STATUS 0x14
#define C_Q_SELECT 0x16
#define C_Q_SIZE 0x18
#define C_Q_MSIX 0x1a
#define C_Q_ENABLE 0x1c
#define C_Q_NOFF 0x1e
#define C_Q_DESC 0x20
#define C_Q_AVAIL 0x28
#define C_Q_USED 0x30

#define NO_VECTOR 0xffff
#define POLL_NS (1 * MS)
#define IRQ_SAFETY_NS (100 * MS) /* look anyway, should an event be lost */

static uint8_t rd8(volatile uint8_t *base, unsigned int off)
{
	return *(volatile uint8_t *)(base + off);
}

static uint16_t rd16(volatile uint8_t *base, unsigned int off)
{
	return *(volatile uint16_t *)(base + off);
}

static uint32_t rd32(volatile uint8_t *base, unsigned int off)
{
	return *(volatile uint32_t *)(base + off);
}

static void wr8(volatile uint8_t *base, unsigned int off, uint8_t v)
{
	*(volatile uint8_t *)(base + off) = v;
}

static void wr16(volatile uint8_t *base, unsigned int off, uint16_t v)
{
	*(volatile uint16_t *)(base + off) = v;
}

static void wr32(volatile uint8_t *base, unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(base + off) = v;
}

/* 64-bit registers as two 32-bit halves: every device accepts those. */
static void wr64(volatile uint8_t *base, unsigned int off, uint64_t v)
{
	wr32(base, off, (uint32_t)v);
	wr32(base, off + 4, (uint32_t)(v >> 32));
}

unsigned int virtio_pci_type(const struct pci_dev *pci)
{
	if (pci->vendor != VIRTIO_VENDOR)
		return 0;
	if (pci->device >= 0x1040 && pci->device <= 0x107f)
		return pci->device - 0x1040u;
	/* Transitional ids 0x1000-0x103f carry the type in the subsystem. */
	if (pci->device >= 0x1000 && pci->device <= 0x103f)
		return pci->subsys_device;
	return 0;
}

/* Map the region a capability at off describes. */
static volatile uint8_t *map_cap(struct pci_dev *pci, unsigned int off,
				 int *err)
{
	uint8_t bar = pci_read8(pci, off + 4);
	uint32_t offset = pci_read32(pci, off + 8);
	uint32_t length = pci_read32(pci, off + 12);

	if (bar >= PCI_NUM_BARS || !pci->bar[bar].size || pci->bar[bar].io ||
	    (uint64_t)offset + length > pci->bar[bar].size) {
		*err = -ENODEV;
		return NULL;
	}
	return map_mmio(pci->bar[bar].addr + offset, length, err);
}

static int map_regions(struct virtio_dev *vd)
{
	struct pci_dev *pci = vd->pci;
	unsigned int off = 0;
	int err = 0;

	while ((off = pci_find_cap(pci, PCI_CAP_ID_VNDR, off))) {
		uint8_t type = pci_read8(pci, off + 3);
		volatile uint8_t **slot = type == CAP_COMMON ? &vd->common
					  : type == CAP_NOTIFY
					      ? &vd->notify_base
					  : type == CAP_ISR    ? &vd->isr
					  : type == CAP_DEVICE ? &vd->device
							       : NULL;
		/* The first capability of each type is the preferred one. */
		if (!slot || *slot)
			continue;
		*slot = map_cap(pci, off, &err);
		if (!*slot)
			return err;
		if (type == CAP_NOTIFY)
			vd->notify_mult = pci_read32(pci, off + 16);
	}
	if (!vd->common || !vd->notify_base || !vd->isr)
		return -ENODEV; /* a legacy-only device */
	return 0;
}

static uint64_t device_features(struct virtio_dev *vd)
{
	uint64_t f;

	wr32(vd->common, C_DFSELECT, 0);
	f = rd32(vd->common, C_DF);
	wr32(vd->common, C_DFSELECT, 1);
	return f | (uint64_t)rd32(vd->common, C_DF) << 32;
}

static void set_status(struct virtio_dev *vd, uint8_t bits)
{
	wr8(vd->common, C_STATUS, rd8(vd->common, C_STATUS) | bits);
}

int virtio_init(struct virtio_dev *vd, struct pci_dev *pci,
		uint64_t want_required, uint64_t want_optional)
{
	uint64_t offered, required = want_required | 1ULL << VIRTIO_F_VERSION_1;
	int rc;

	memset(vd, 0, sizeof(*vd));
	vd->pci = pci;
	waitq_init(&vd->irq_q);
	pci_enable(pci);
	rc = map_regions(vd);
	if (rc)
		return rc;
	wr8(vd->common, C_STATUS, 0); /* reset; reads 0 once it is done */
	while (rd8(vd->common, C_STATUS))
		cpu_relax();
	set_status(vd, VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER);
	offered = device_features(vd);
	if ((offered & required) != required) {
		set_status(vd, VIRTIO_STATUS_FAILED);
		return -ENODEV;
	}
	vd->features = required | (offered & want_optional);
	wr32(vd->common, C_GFSELECT, 0);
	wr32(vd->common, C_GF, (uint32_t)vd->features);
	wr32(vd->common, C_GFSELECT, 1);
	wr32(vd->common, C_GF, (uint32_t)(vd->features >> 32));
	set_status(vd, VIRTIO_STATUS_FEATURES_OK);
	if (!(rd8(vd->common, C_STATUS) & VIRTIO_STATUS_FEATURES_OK)) {
		set_status(vd, VIRTIO_STATUS_FAILED);
		return -ENODEV;
	}
	return 0;
}

int virtio_setup_queue(struct virtio_dev *vd, struct virtqueue *vq,
		       uint16_t index, uint16_t max)
{
	uint16_t size;
	int rc;

	wr16(vd->common, C_Q_SELECT, index);
	size = rd16(vd->common, C_Q_SIZE);
	if (!size)
		return -ENOENT;
	if (max > VQ_MAX_SIZE)
		max = VQ_MAX_SIZE;
	/* Split-queue sizes are powers of two; halving keeps them so. */
	while (size > max)
		size >>= 1;
	rc = vq_init(vq, index, size);
	if (rc)
		return rc;
	wr16(vd->common, C_Q_SIZE, size);
	wr16(vd->common, C_Q_MSIX, NO_VECTOR);
	wr64(vd->common, C_Q_DESC, virt_to_maddr(vq->desc));
	wr64(vd->common, C_Q_AVAIL, virt_to_maddr((void *)vq->avail));
	wr64(vd->common, C_Q_USED, virt_to_maddr((void *)vq->used));
	vq->notify =
	    (volatile uint16_t *)(vd->notify_base +
				  rd16(vd->common, C_Q_NOFF) * vd->notify_mult);
	wr16(vd->common, C_Q_ENABLE, 1);
	return 0;
}

void virtio_driver_ok(struct virtio_dev *vd)
{
	struct pci_dev *pci = vd->pci;
	int rc = -ENODEV;

	set_status(vd, VIRTIO_STATUS_DRIVER_OK);
	/* PCI INTx lines are level-triggered and active low (shared). */
	if (pci->irq_pin && pci->irq_line && pci->irq_line != 0xff)
		rc = pirq_bind(&vd->irq, pci->irq_line, true, true, &vd->irq_q);
	vd->irq_bound = !rc;
	if (rc)
		printf(
		    "dom0: virtio %02x:%02x.%x: no interrupt (%d), polling\n",
		    pci->bus, pci->dev, pci->fn, rc);
	else
		printf(
		    "dom0: virtio %02x:%02x.%x: GSI %u as pirq %u, port %u\n",
		    pci->bus, pci->dev, pci->fn, vd->irq.gsi, vd->irq.pirq,
		    vd->irq.port);
}

uint8_t virtio_wait_irq(struct virtio_dev *vd)
{
	uint8_t isr;

	if (!vd->irq_bound) {
		thread_sleep(POLL_NS);
		return 0;
	}
	if (!wait_event_until(&vd->irq_q, vd->irq.fired,
			      pv_now() + IRQ_SAFETY_NS))
		return 0;
	vd->irq.fired = false;
	/* Reading ISR drops the line; only then may the hypervisor unmask. */
	isr = *vd->isr;
	pirq_eoi(&vd->irq);
	/*
	 * Not ours: another device holds the shared line, and it fires
	 * again at once after the EOI. Let that device's driver run (and
	 * drop the line) rather than find `fired` set again and spin.
	 */
	if (!isr)
		thread_yield();
	return isr;
}
