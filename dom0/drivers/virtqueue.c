/*
 * Split virtqueues (virtio 1.x): a descriptor table, the driver's avail
 * ring and the device's used ring, each in a page of its own, so that the
 * device sees each part machine-contiguous. Free descriptors form a
 * chain through their next fields starting at free_head.
 *
 * A buffer is one descriptor or a chain of them (vq_add_chain); a used
 * entry's id is the chain's head, and the whole chain goes back to the
 * free list.
 */
#include "errno.h"
#include "virtio.h"

int vq_init(struct virtqueue *vq, uint16_t index, uint16_t size)
{
	if (!size || size > VQ_MAX_SIZE || (size & (size - 1)))
		return -EINVAL;
	vq->index = index;
	vq->size = size;
	vq->desc = page_alloc();
	vq->avail = page_alloc();
	vq->used = page_alloc();
	vq->cookie = calloc(size, sizeof(void *));
	if (!vq->desc || !vq->avail || !vq->used || !vq->cookie)
		return -ENOMEM;
	for (uint16_t i = 0; i < size; i++)
		vq->desc[i].next = (uint16_t)(i + 1);
	vq->free_head = 0;
	vq->num_free = size;
	vq->last_used = 0;
	return 0;
}

int vq_add(struct virtqueue *vq, void *va, uint32_t len, bool writable,
	   void *cookie)
{
	uint16_t head = vq->free_head;
	struct vring_desc *d;

	if (!vq->num_free)
		return -ENOSPC;
	d = &vq->desc[head];
	vq->free_head = d->next;
	vq->num_free--;
	d->addr = virt_to_maddr(va);
	d->len = len;
	d->flags = writable ? VRING_DESC_F_WRITE : 0;
	vq->cookie[head] = cookie;
	vq->avail->ring[vq->avail->idx & (vq->size - 1)] = head;
	/* The entry must be visible before the index that publishes it. */
	barrier();
	vq->avail->idx++;
	return 0;
}

int vq_add_chain(struct virtqueue *vq, const struct vq_piece *pieces,
		 unsigned int n, void *cookie)
{
	uint16_t head = vq->free_head, i = head, last = head;

	if (!n || n > vq->num_free)
		return -ENOSPC;
	for (unsigned int k = 0; k < n; k++) {
		struct vring_desc *d = &vq->desc[i];

		d->addr = virt_to_maddr(pieces[k].va);
		d->len = pieces[k].len;
		d->flags =
		    (uint16_t)((pieces[k].writable ? VRING_DESC_F_WRITE : 0) |
			       (k + 1 < n ? VRING_DESC_F_NEXT : 0));
		last = i;
		/* The free list already links the descriptors we take. */
		i = d->next;
	}
	vq->free_head = vq->desc[last].next;
	vq->num_free = (uint16_t)(vq->num_free - n);
	vq->cookie[head] = cookie;
	vq->avail->ring[vq->avail->idx & (vq->size - 1)] = head;
	barrier();
	vq->avail->idx++;
	return 0;
}

void vq_kick(struct virtqueue *vq)
{
	/* The device may stop looking at avail->idx and set NO_NOTIFY: the
	 * index store has to be globally visible before we read the flag. */
	__sync_synchronize();
	if (!(vq->used->flags & VRING_USED_F_NO_NOTIFY))
		*vq->notify = vq->index;
}

bool vq_has_used(const struct virtqueue *vq)
{
	return vq->used->idx != vq->last_used;
}

bool vq_interrupts_on(struct virtqueue *vq)
{
	vq->avail->flags &= (uint16_t)~VRING_AVAIL_F_NO_INTERRUPT;
	/* The flag must be visible before we look at the index again, or
	 * a buffer used in between would raise no interrupt. */
	__sync_synchronize();
	return vq_has_used(vq);
}

void vq_interrupts_off(struct virtqueue *vq)
{
	vq->avail->flags |= VRING_AVAIL_F_NO_INTERRUPT;
}

void *vq_get_used(struct virtqueue *vq, uint32_t *len)
{
	volatile struct vring_used_elem *e;
	uint16_t id, tail;
	unsigned int n = 1;
	void *cookie;

	if (!vq_has_used(vq))
		return NULL;
	/* Read the entry only after seeing the index that covers it. */
	barrier();
	e = &vq->used->ring[vq->last_used & (vq->size - 1)];
	id = (uint16_t)e->id;
	*len = e->len;
	vq->last_used++;
	if (id >= vq->size)
		pv_panic("virtqueue %u: device used bad id %u", vq->index, id);
	cookie = vq->cookie[id];
	vq->cookie[id] = NULL;
	/* The chain's last descriptor links it in front of the free list. */
	for (tail = id; vq->desc[tail].flags & VRING_DESC_F_NEXT; n++) {
		tail = vq->desc[tail].next;
		if (n >= vq->size || tail >= vq->size)
			pv_panic("virtqueue %u: broken chain at %u", vq->index,
				 id);
	}
	vq->desc[tail].next = vq->free_head;
	vq->free_head = id;
	vq->num_free = (uint16_t)(vq->num_free + n);
	return cookie;
}
