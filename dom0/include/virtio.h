/*
 * Virtio 1.x devices on PCI for domain 0 (dom0/drivers/virtio_pci.c,
 * virtqueue.c): the modern transport (vendor capabilities locate the
 * common, notify, ISR and device-specific regions in the BARs) and split
 * virtqueues whose descriptors hold machine addresses, since the device
 * (QEMU) reads and writes domain 0's frames directly.
 *
 * A buffer given to a queue is one piece within one page: domain 0's
 * pseudo-physically contiguous pages are not machine-contiguous.
 */
#ifndef DOM0_VIRTIO_H
#define DOM0_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>
#include "kernel.h"
#include "pci.h"
#include "pirq.h"

#define VIRTIO_VENDOR 0x1af4

/* Feature bits this code knows. */
#define VIRTIO_F_VERSION_1 32

/* Device status bits. */
#define VIRTIO_STATUS_ACK 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_FAILED 128

/* --- Split virtqueue (virtqueue.c) ------------------------------------ */
struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2 /* the device writes this buffer */

struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};
#define VRING_AVAIL_F_NO_INTERRUPT 1

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};
struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vring_used_elem ring[];
};
#define VRING_USED_F_NO_NOTIFY 1

#define VQ_MAX_SIZE 256 /* so each part fits in its own page */

struct virtqueue {
	uint16_t index, size;
	struct vring_desc *desc;
	volatile struct vring_avail *avail;
	volatile struct vring_used *used;
	uint16_t free_head, num_free;
	uint16_t last_used; /* next used entry to look at */
	void **cookie; /* per head descriptor: the caller's */
	volatile uint16_t *notify; /* where to write index to kick */
};

/* Allocate rings for size entries (a power of two <= VQ_MAX_SIZE). */
int vq_init(struct virtqueue *vq, uint16_t index, uint16_t size);
/*
 * Queue one buffer (va, len within one page), device-writable or not.
 * Returns 0 or -ENOSPC when the ring is full; kicks are separate.
 */
int vq_add(struct virtqueue *vq, void *va, uint32_t len, bool writable,
	   void *cookie);
/*
 * Queue one buffer made of n pieces (each within one page) as a chain of
 * descriptors: a request with its header, data and status together.
 * Returns 0 or -ENOSPC when fewer than n descriptors are free.
 */
struct vq_piece {
	void *va;
	uint32_t len;
	bool writable;
};
int vq_add_chain(struct virtqueue *vq, const struct vq_piece *pieces,
		 unsigned int n, void *cookie);
/* Tell the device about new buffers unless it asked not to be told. */
void vq_kick(struct virtqueue *vq);
bool vq_has_used(const struct virtqueue *vq);
/*
 * Ask the device for an interrupt when it uses a buffer (on), or not
 * (off: the driver is looking at the ring anyway). Turning them on
 * returns true if buffers were used meanwhile, so the caller need not
 * wait for an interrupt that will not come.
 */
bool vq_interrupts_on(struct virtqueue *vq);
void vq_interrupts_off(struct virtqueue *vq);
/* Take one finished buffer: its cookie (NULL if none) and length. */
void *vq_get_used(struct virtqueue *vq, uint32_t *len);

/* --- Modern PCI transport (virtio_pci.c) ------------------------------- */
struct virtio_dev {
	struct pci_dev *pci;
	volatile uint8_t *common, *isr, *device;
	volatile uint8_t *notify_base;
	uint32_t notify_mult;
	uint64_t features; /* negotiated */
	struct waitq irq_q; /* woken when the device may have work */
	struct pirq_line irq; /* its INTx line, if bound */
	bool irq_bound; /* false: the service thread polls */
};

/* The type of a virtio PCI device (1 net, 2 block, 3 console), or 0. */
unsigned int virtio_pci_type(const struct pci_dev *pci);
/*
 * Reset, map the regions, acknowledge and negotiate: the device must
 * offer VERSION_1 and every bit in want_required; want_optional bits
 * are taken when offered.
 */
int virtio_init(struct virtio_dev *vd, struct pci_dev *pci,
		uint64_t want_required, uint64_t want_optional);
/* Set up queue index with at most max entries and enable it. */
int virtio_setup_queue(struct virtio_dev *vd, struct virtqueue *vq,
		       uint16_t index, uint16_t max);
/* Set DRIVER_OK and route the device's INTx line (polling if none). */
void virtio_driver_ok(struct virtio_dev *vd);
/*
 * Wait for the device's interrupt (or a poll interval without one) and
 * acknowledge it: the driver's service thread calls this in a loop and
 * then looks at its queues. Returns the ISR bits (0 when polled).
 */
uint8_t virtio_wait_irq(struct virtio_dev *vd);

#endif
