/*
 * The virtio block driver. One queue per device (queue 0). A request is
 * a descriptor chain: a 16-byte header the device reads (type, sector),
 * the data in pieces of at most a page each (domain 0's pages are not
 * machine-contiguous, so a piece never crosses a page boundary), and a
 * status byte the device writes.
 *
 * A large read or write is cut into requests of a bounded size that are
 * all queued before the caller waits, so the device has several in
 * flight; other threads' requests share the ring. A service thread per
 * device waits for the interrupt (or polls, with no INTx line), takes the
 * finished requests off the used ring and wakes their callers.
 */
#include "errno.h"
#include "virtio.h"
#include "virtio_blk.h"

#define VIRTIO_ID_BLOCK 2

/* Feature bits (virtio 1.x, block device). */
#define BLK_F_SEG_MAX 2
#define BLK_F_RO 5
#define BLK_F_BLK_SIZE 6
#define BLK_F_FLUSH 9
#define BLK_F_DISCARD 13

/* Device configuration offsets. */
#define CFG_CAPACITY 0
#define CFG_SEG_MAX 12
#define CFG_BLK_SIZE 20
#define CFG_MAX_DISCARD_SECTORS 36
#define CFG_DISCARD_ALIGN 44
#define COMMON_CFG_GENERATION 0x15

/* Request types and status values. */
#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define T_DISCARD 11
#define S_OK 0

#define MAX_DEVS 8
#define QUEUE_MAX 256
#define NSLOTS 32 /* requests in flight per device, at most */
#define REQ_MAX_SEGS 33 /* data pieces per request: 128 KiB, unaligned */

/* What the device reads (header, a discard's range) and writes (status). */
struct req_dma {
	uint32_t type;
	uint32_t ioprio;
	uint64_t sector;
	uint8_t status;
	struct {
		uint64_t sector;
		uint32_t num_sectors;
		uint32_t flags;
	} range __attribute__((aligned(8)));
} __attribute__((aligned(64)));

_Static_assert(sizeof(struct req_dma) * NSLOTS <= 4096, "slots in a page");

struct call; /* one vblk_rw or vblk_flush, waiting for its requests */

struct slot {
	struct req_dma *dma;
	struct call *call; /* NULL: the slot is free */
	uint32_t nsectors;
	uint8_t type;
};

struct call {
	unsigned int pending; /* requests queued and not finished */
	int err;
	uint32_t discard_num; /* T_DISCARD: sectors from the sector given */
};

struct vblk {
	struct virtio_dev vd;
	struct virtqueue vq;
	uint64_t capacity; /* 512-byte sectors */
	uint32_t blk_size;
	unsigned int max_segs; /* data pieces per request */
	bool ro, has_flush, has_discard;
	uint32_t max_discard, discard_align; /* sectors */
	struct slot slots[NSLOTS];
	unsigned int inflight;
	struct waitq room_q; /* a slot or descriptors came free */
	struct waitq done_q; /* requests finished */
	struct vblk_stats st;
};

static struct vblk *devs[MAX_DEVS];
static int ndevs;

static uint32_t cfg32(struct vblk *d, unsigned int off)
{
	return *(volatile uint32_t *)(d->vd.device + off);
}

/*
 * The capacity is 64 bits read as two halves; the generation counter
 * tells whether the device changed it in between (a resize).
 */
static uint64_t read_capacity(struct vblk *d)
{
	volatile uint8_t *gen = d->vd.common + COMMON_CFG_GENERATION;
	uint8_t before;
	uint64_t cap;

	do {
		before = *gen;
		cap = cfg32(d, CFG_CAPACITY) |
		      (uint64_t)cfg32(d, CFG_CAPACITY + 4) << 32;
	} while (*gen != before);
	return cap;
}

/* Take finished requests off the used ring (thread context). */
static void reap(struct vblk *d)
{
	struct slot *s;
	uint32_t len;
	bool any = false;

	while ((s = vq_get_used(&d->vq, &len))) {
		struct call *c = s->call;

		if (s->dma->status != S_OK) {
			d->st.errors++;
			if (!c->err)
				c->err = -EIO;
		}
		c->pending--;
		s->call = NULL;
		d->inflight--;
		any = true;
	}
	if (any) {
		waitq_wake(&d->done_q);
		waitq_wake(&d->room_q);
	}
}

static void service(void *arg)
{
	struct vblk *d = arg;

	for (;;) {
		virtio_wait_irq(&d->vd);
		reap(d);
	}
}

static struct slot *free_slot(struct vblk *d)
{
	for (unsigned int i = 0; i < NSLOTS; i++)
		if (!d->slots[i].call)
			return &d->slots[i];
	return NULL;
}

static bool has_room(struct vblk *d, unsigned int ndesc)
{
	return d->vq.num_free >= ndesc && free_slot(d);
}

/*
 * Queue one request on behalf of call: wait for a slot and enough
 * descriptors (kicking first, so that the device works on what is
 * queued meanwhile). data/len may be NULL/0 (a flush).
 */
static int submit(struct vblk *d, struct call *c, uint8_t type, uint64_t sector,
		  char *data, size_t len)
{
	struct vq_piece pieces[REQ_MAX_SEGS + 2];
	unsigned int n = 0;
	struct slot *s;
	int rc;

	/* Pieces first: how many descriptors we need. */
	pieces[n++] = (struct vq_piece){ NULL, 16, false };
	while (len) {
		size_t in_page =
		    PAGE_SIZE - ((uintptr_t)data & (PAGE_SIZE - 1));
		size_t chunk = len < in_page ? len : in_page;

		pieces[n++] =
		    (struct vq_piece){ data, (uint32_t)chunk, type == T_IN };
		data += chunk;
		len -= chunk;
	}
	pieces[n++] = (struct vq_piece){ NULL, 1, true };
	if (n > d->vq.size)
		return -EINVAL; /* a ring too small for one request */

	if (!has_room(d, n)) {
		vq_kick(&d->vq);
		reap(d);
		wait_event(&d->room_q, has_room(d, n));
	}
	s = free_slot(d);
	s->call = c;
	s->type = type;
	s->nsectors = 0;
	s->dma->type = type;
	s->dma->ioprio = 0;
	s->dma->sector = sector;
	s->dma->status = 0xff; /* the device overwrites it */
	if (type == T_DISCARD) { /* the range is the data, in the slot */
		s->dma->sector = 0;
		s->dma->range.sector = sector;
		s->dma->range.num_sectors = c->discard_num;
		s->dma->range.flags = 0;
		pieces[1].va = &s->dma->range;
	}
	pieces[0].va = s->dma;
	pieces[n - 1].va = &s->dma->status;
	rc = vq_add_chain(&d->vq, pieces, n, s);
	if (rc) { /* has_room said there was room */
		s->call = NULL;
		return rc;
	}
	c->pending++;
	if (++d->inflight > d->st.max_inflight)
		d->st.max_inflight = d->inflight;
	return 0;
}

static void wait_call(struct vblk *d, struct call *c)
{
	vq_kick(&d->vq);
	reap(d);
	wait_event(&d->done_q, !c->pending);
}

static struct vblk *get(int dev)
{
	return dev >= 0 && dev < ndevs ? devs[dev] : NULL;
}

int vblk_rw(int dev, bool write, uint64_t sector, void *buf, size_t nsectors)
{
	struct vblk *d = get(dev);
	struct call c = { 0 };
	char *p = buf;
	/* A request's data spans at most max_segs pages, however aligned. */
	size_t per_req = (d ? d->max_segs - 1 : 1) * PAGE_SIZE / VBLK_SECTOR;

	if (!d)
		return -ENODEV;
	if (sector > d->capacity || nsectors > d->capacity - sector)
		return -ERANGE;
	if (write && d->ro)
		return -EACCES;
	while (nsectors && !c.err) {
		size_t n = nsectors < per_req ? nsectors : per_req;
		int rc = submit(d, &c, write ? T_OUT : T_IN, sector, p,
				n * VBLK_SECTOR);

		if (rc) {
			c.err = rc;
			break;
		}
		if (write) {
			d->st.writes++;
			d->st.sectors_written += n;
		} else {
			d->st.reads++;
			d->st.sectors_read += n;
		}
		sector += n;
		p += n * VBLK_SECTOR;
		nsectors -= n;
	}
	/* Even after an error: the device owns the queued pieces of buf. */
	wait_call(d, &c);
	return c.err;
}

int vblk_flush(int dev)
{
	struct vblk *d = get(dev);
	struct call c = { 0 };
	int rc;

	if (!d)
		return -ENODEV;
	if (!d->has_flush)
		return 0; /* no volatile cache: writes are durable at once */
	rc = submit(d, &c, T_FLUSH, 0, NULL, 0);
	if (rc)
		return rc;
	d->st.flushes++;
	wait_call(d, &c);
	return c.err;
}

int vblk_discard(int dev, uint64_t sector, uint64_t nsectors)
{
	struct vblk *d = get(dev);
	struct call c = { 0 };
	int rc = 0;

	if (!d)
		return -ENODEV;
	if (!d->has_discard)
		return -EOPNOTSUPP;
	if (sector > d->capacity || nsectors > d->capacity - sector)
		return -ERANGE;
	if (d->ro)
		return -EACCES;
	while (nsectors && !rc) {
		uint32_t n = nsectors < d->max_discard ? (uint32_t)nsectors
						       : d->max_discard;

		c.discard_num = n;
		/* A range of 16 bytes stands for the data (placed by submit). */
		rc = submit(d, &c, T_DISCARD, sector, (char *)0, 16);
		if (rc)
			break;
		/* One at a time: discard_num is the call's, read at submit. */
		wait_call(d, &c);
		rc = c.err;
		sector += n;
		nsectors -= n;
	}
	if (rc && c.pending)
		wait_call(d, &c);
	return rc;
}

int vblk_discard_info(int dev, uint32_t *align)
{
	struct vblk *d = get(dev);

	if (!d)
		return -ENODEV;
	if (!d->has_discard)
		return -EOPNOTSUPP;
	*align = d->discard_align;
	return 0;
}

int vblk_count(void)
{
	return ndevs;
}

int vblk_info(int dev, uint64_t *sectors, uint32_t *sector_size)
{
	struct vblk *d = get(dev);

	if (!d)
		return -ENODEV;
	if (sectors)
		*sectors = d->capacity;
	if (sector_size)
		*sector_size = d->blk_size;
	return 0;
}

bool vblk_readonly(int dev)
{
	struct vblk *d = get(dev);

	return d && d->ro;
}

int vblk_stats(int dev, struct vblk_stats *st)
{
	struct vblk *d = get(dev);

	if (!d)
		return -ENODEV;
	*st = d->st;
	return 0;
}

int vblk_describe(int dev, char *buf, size_t n)
{
	struct vblk *d = get(dev);
	struct pci_dev *pci;

	if (!d)
		return -ENODEV;
	pci = d->vd.pci;
	snprintf(buf, n, "pci %02x:%02x.%x, queue %u, %s%s%s%s", pci->bus,
		 pci->dev, pci->fn, d->vq.size,
		 d->vd.irq_bound ? "interrupt" : "polled",
		 d->has_flush ? ", write cache (flush)" : "",
		 d->has_discard ? ", discard" : "", d->ro ? ", read-only" : "");
	return 0;
}

static int probe(struct pci_dev *pci)
{
	struct vblk *d = calloc(1, sizeof(*d));
	struct req_dma *dma = page_alloc();
	uint64_t optional = 1ULL << BLK_F_SEG_MAX | 1ULL << BLK_F_RO |
			    1ULL << BLK_F_BLK_SIZE | 1ULL << BLK_F_FLUSH |
			    1ULL << BLK_F_DISCARD;
	int rc;

	if (!d || !dma)
		return -ENOMEM;
	rc = virtio_init(&d->vd, pci, 0, optional);
	if (!rc && !d->vd.device)
		rc = -ENODEV; /* no configuration: no capacity */
	if (!rc)
		rc = virtio_setup_queue(&d->vd, &d->vq, 0, QUEUE_MAX);
	if (rc) {
		free(d);
		page_free(dma);
		return rc;
	}
	for (unsigned int i = 0; i < NSLOTS; i++)
		d->slots[i].dma = &dma[i];
	waitq_init(&d->room_q);
	waitq_init(&d->done_q);
	d->capacity = read_capacity(d);
	d->blk_size = VBLK_SECTOR;
	if (d->vd.features & 1ULL << BLK_F_BLK_SIZE) {
		uint32_t bs = cfg32(d, CFG_BLK_SIZE);

		/* A power of two from 512 up; anything else is ignored. */
		if (bs >= VBLK_SECTOR && bs <= 65536 && !(bs & (bs - 1)))
			d->blk_size = bs;
	}
	d->max_segs = REQ_MAX_SEGS;
	if (d->vd.features & 1ULL << BLK_F_SEG_MAX) {
		uint32_t sm = cfg32(d, CFG_SEG_MAX);

		if (sm >= 2 && sm < d->max_segs)
			d->max_segs = sm;
	}
	/* Header and status take two descriptors of the ring as well. */
	if (d->max_segs + 2u > d->vq.size)
		d->max_segs = d->vq.size > 4 ? d->vq.size - 2u : 2;
	d->ro = d->vd.features & 1ULL << BLK_F_RO;
	d->has_flush = d->vd.features & 1ULL << BLK_F_FLUSH;
	if (d->vd.features & 1ULL << BLK_F_DISCARD) {
		d->max_discard = cfg32(d, CFG_MAX_DISCARD_SECTORS);
		d->discard_align = cfg32(d, CFG_DISCARD_ALIGN);
		if (d->discard_align < d->blk_size / VBLK_SECTOR)
			d->discard_align = d->blk_size / VBLK_SECTOR;
		/* Without a usable limit we do not discard at all. */
		d->has_discard = d->max_discard && d->discard_align &&
				 !(d->discard_align & (d->discard_align - 1));
	}
	virtio_driver_ok(&d->vd);
	devs[ndevs] = d;
	printf("dom0: vblk%d: virtio block %02x:%02x.%x: %llu sectors "
	       "(%llu MiB), block %u bytes%s%s%s\n",
	       ndevs, pci->bus, pci->dev, pci->fn,
	       (unsigned long long)d->capacity,
	       (unsigned long long)(d->capacity >> 11), d->blk_size,
	       d->ro ? ", read-only" : "", d->has_flush ? ", flush" : "",
	       d->has_discard ? ", discard" : "");
	ndevs++;
	thread_create("vblk-irq", service, d);
	return 0;
}

int vblk_start(void)
{
	for (struct pci_dev *pci = pci_scan(); pci && ndevs < MAX_DEVS;
	     pci = pci->next) {
		int rc;

		if (virtio_pci_type(pci) != VIRTIO_ID_BLOCK)
			continue;
		rc = probe(pci);
		if (rc)
			printf("dom0: virtio block %02x:%02x.%x: setup failed "
			       "(%d)\n",
			       pci->bus, pci->dev, pci->fn, rc);
	}
	return ndevs;
}
