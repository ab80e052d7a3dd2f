/*
 * The block back end: serves a front end's blkif ring (the native x86_64
 * layout, one to 16 pages) from the VBD's extent of a virtio disk.
 *
 * Reads and writes come with up to 11 segments in the request, or up to
 * BLK_MAX_INDIRECT_SEGS (feature-max-indirect-segments) in an indirect
 * page, which is copied into our memory before its descriptors are read.
 *
 * Each connected ring has BLK_WORKERS threads. A worker takes one request
 * off the ring (copied once into its own memory, then checked: blkreq.c),
 * does it, answers it and yields, so requests of one ring overlap at the
 * disk, and the rings of all domains take turns, a few requests each, in
 * the cooperative scheduler's round robin: no domain starves another.
 *
 * Data moves by grant copy between the front end's granted pages and the
 * worker's buffer: the hypervisor checks each reference (granted to
 * domain 0, in use, writable for a read). Grant maps would save a copy
 * but cost a map, an unmap and a TLB flush per page; under TCG a copy of
 * a page is cheaper than those. Persistent grants (blkpgnt.c, only with
 * the "blkpersist" option) map each page once, but then the front end
 * copies into its persistent pages and we copy out of them: slower here. A flush (or barrier) is answered only
 * after the disk's own flush completed, so an OKAY means durable.
 *
 * A request that fails a check gets BLKIF_RSP_ERROR (EOPNOTSUPP for an
 * unknown operation), logged once per kind and VBD (across reconnections)
 * with the domain id.
 * A producer index more than a ring ahead means the front end is broken:
 * the ring is no longer served and the device is closed.
 */
#include <xen/io/xenbus.h>
#include "blkback.h"
#include "blkpgnt.h"
#include "cow.h"
#include "errno.h"
#include "kernel.h"
#include "services.h"
#include "virtio_blk.h"
#include "xenbus_be.h"

#define BLK_WORKERS 4
#define MAX_RING_ORDER 4
#define SEG_PIECES (2 * BLK_MAX_INDIRECT_SEGS)
#define BUF_PAGES BLK_MAX_INDIRECT_SEGS
#define PGNT_MAX 512 /* persistent grants mapped per ring, at most */

/*
 * Persistent grants are offered only with domain 0's "blkpersist" option:
 * measured side by side under TCG (docs/performance.md), the front end's
 * copy into its persistent pages plus ours out of them lose to one grant
 * copy by the hypervisor.
 */
static bool offer_persistent;

enum { LOG_GRANT = BLKREQ_NFAULTS, LOG_IO, LOG_ID, LOG_KINDS };

struct blkif {
	struct vbd *vbd;
	struct xbe_dev *dev;
	struct xbe_ring ring;
	struct blkif_sring *sring;
	uint32_t size; /* slots */
	uint32_t port;
	struct pgnt_table *pg; /* feature-persistent: mapped grants, or NULL */
	uint32_t req_cons, rsp_prod_pvt; /* ours */
	unsigned int workers, inflight;
	unsigned int barrier_waiters; /* in flight, waiting to drain */
	bool stopping, broken, draining;
	uint64_t ids[BLK_WORKERS]; /* in flight, per worker */
	bool id_busy[BLK_WORKERS];
	struct waitq wq; /* requests came, or stop */
	struct waitq idle_wq; /* a worker finished or exited */
};

struct worker {
	struct blkif *b;
	unsigned int idx;
	uint8_t *buf; /* BUF_PAGES pages */
	void *descs; /* a page: an indirect request's descriptors */
	struct gnttab_copy ops[SEG_PIECES];
	struct blkreq req;
};

static inline uint32_t read_once(const volatile uint32_t *p)
{
	return *p;
}

static inline void mb(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void log_once(struct blkif *b, unsigned int kind, const char *why,
		     const struct blkreq *r)
{
	if (b->vbd->logged & (1u << kind))
		return;
	b->vbd->logged |= 1u << kind;
	printf("blkback: domain %u vbd %u: %s (op %u, id %#lx, sector %lu, "
	       "%u segments): answered with an error; this kind is not "
	       "logged again for the device\n",
	       b->vbd->domid, b->vbd->cfg.devid, why, r->op, r->id, r->sector,
	       r->nseg);
}

/* --- The ring ------------------------------------------------------------- */

static void ring_broken(struct blkif *b, const char *why)
{
	if (b->broken)
		return;
	b->broken = true;
	xbe_fatal(b->dev, -EPROTO, why);
}

/* Is there a request to take? Sets req_event before saying no. */
static bool ring_has_work(struct blkif *b)
{
	uint32_t prod;

	if (b->stopping)
		return true;
	if (b->broken || b->draining)
		return false;
	if (read_once(&b->sring->req_prod) != b->req_cons)
		return true;
	b->sring->req_event = b->req_cons + 1;
	mb(); /* the front end's next push sees req_event, or we see it */
	prod = read_once(&b->sring->req_prod);
	return prod != b->req_cons;
}

/* Copy out the next request; false if none (or the ring is broken). */
static bool ring_take(struct blkif *b, struct blkreq *r)
{
	uint32_t prod = read_once(&b->sring->req_prod);

	if (b->broken || b->draining || prod == b->req_cons)
		return false;
	if (!blkring_prod_ok(prod, b->rsp_prod_pvt, b->size)) {
		ring_broken(b, "request producer more than a ring ahead");
		return false;
	}
	if (b->req_cons - b->rsp_prod_pvt >= b->size)
		return false; /* every slot awaits its response */
	mb(); /* the index before the request it covers */
	blkreq_fetch(r, &b->sring->ring[b->req_cons & (b->size - 1)].req);
	b->req_cons++;
	return true;
}

static void ring_respond(struct blkif *b, uint64_t id, uint8_t op,
			 int16_t status)
{
	struct blkif_response *rsp;
	uint32_t old = b->rsp_prod_pvt, event;

	rsp = &b->sring->ring[b->rsp_prod_pvt & (b->size - 1)].rsp;
	rsp->id = id;
	rsp->operation = op;
	rsp->status = status;
	b->rsp_prod_pvt++;
	mb(); /* the response before the index that covers it */
	b->sring->rsp_prod = b->rsp_prod_pvt;
	mb();
	event = read_once(&b->sring->rsp_event);
	if ((uint32_t)(b->rsp_prod_pvt - event) <
	    (uint32_t)(b->rsp_prod_pvt - old))
		evtchn_notify(b->port);
}

/* --- Data ------------------------------------------------------------------ */

/*
 * Copy the request's segments between the front end's pages and our
 * buffer, where they lie back to back. A piece never crosses one of our
 * pages (they are not machine-contiguous). 0, or -EPERM if the
 * hypervisor refused a grant.
 */
static int copy_segments(struct worker *w, bool to_us)
{
	struct blkreq *r = &w->req;
	struct blkif *b = w->b;
	size_t n = 0, off = 0;

	for (unsigned int i = 0; i < r->nseg; i++) {
		uint32_t goff = r->seg[i].first_sect * 512u;
		uint32_t len =
		    (r->seg[i].last_sect - r->seg[i].first_sect + 1) * 512u;
		uint8_t *page = b->pg ? pgnt_get(b->pg, r->seg[i].gref) : NULL;

		if (page) { /* persistently mapped: no hypercall */
			if (to_us)
				memcpy(w->buf + off, page + goff, len);
			else
				memcpy(page + goff, w->buf + off, len);
			off += len;
			continue;
		}
		while (len) {
			uint32_t room = (uint32_t)(PAGE_SIZE - off % PAGE_SIZE);
			uint32_t piece = len < room ? len : room;
			struct gnttab_copy_ptr guest = {
				.u.ref = r->seg[i].gref,
				.domid = b->vbd->domid,
				.offset = (uint16_t)goff,
			};
			struct gnttab_copy_ptr ours = {
				.u.gmfn = virt_to_maddr(w->buf + off) >> 12,
				.domid = DOMID_SELF,
				.offset = (uint16_t)(off % PAGE_SIZE),
			};

			w->ops[n++] = (struct gnttab_copy){
				.source = to_us ? guest : ours,
				.dest = to_us ? ours : guest,
				.len = (uint16_t)piece,
				.flags = to_us ? GNTCOPY_source_gref
					       : GNTCOPY_dest_gref,
			};
			goff += piece;
			off += piece;
			len -= piece;
		}
	}
	if (n && gnttab_copy(w->ops, n))
		return -EPERM;
	for (size_t i = 0; i < n; i++)
		if (w->ops[i].status != GNTST_okay)
			return -EPERM;
	return 0;
}

/*
 * An indirect request's segment descriptors, copied from its first
 * indirect page into our own: read once, like the request itself.
 */
static int fetch_descriptors(struct worker *w)
{
	struct blkreq *r = &w->req;
	struct gnttab_copy op = {
		.source = { .u.ref = r->indirect_gref,
			    .domid = w->b->vbd->domid },
		.dest = { .u.gmfn = virt_to_maddr(w->descs) >> 12,
			  .domid = DOMID_SELF },
		.len = (uint16_t)(r->nseg * sizeof(r->seg[0])),
		.flags = GNTCOPY_source_gref,
	};

	if (gnttab_copy(&op, 1) || op.status != GNTST_okay)
		return -EPERM;
	blkreq_set_segments(r, w->descs);
	return 0;
}

/* The VBD's sectors: an extent of a disk, or a COW overlay on a base. */
static int disk_rw(struct vbd *v, bool write, uint64_t sector, void *buf,
		   uint32_t n)
{
	if (v->cow)
		return cow_rw(v->cow, write, sector, buf, n);
	return vblk_rw((int)v->cfg.disk, write, v->ext.start + sector, buf, n);
}

/*
 * A discard checked by blkreq_check: a COW VBD drops the overlay's
 * blocks, a raw one tells the virtio disk. A disk that stopped
 * discarding answers EOPNOTSUPP, and Linux's blkfront stops sending.
 */
static int16_t do_discard(struct worker *w)
{
	struct blkreq *r = &w->req;
	struct vbd *v = w->b->vbd;
	int rc;

	if (!r->discard_sectors)
		return BLKIF_RSP_OKAY;
	if (v->cow)
		rc = cow_discard(v->cow, r->sector, r->discard_sectors);
	else
		rc = vblk_discard((int)v->cfg.disk, v->ext.start + r->sector,
				  r->discard_sectors);
	if (rc == -EOPNOTSUPP)
		return BLKIF_RSP_EOPNOTSUPP;
	if (rc) {
		log_once(w->b, LOG_IO, "the disk failed a discard", r);
		return BLKIF_RSP_ERROR;
	}
	v->discards++;
	return BLKIF_RSP_OKAY;
}

static int16_t do_request(struct worker *w)
{
	struct blkreq *r = &w->req;
	struct vbd *v = w->b->vbd;
	bool write = r->op != BLKIF_OP_READ;
	int disk = (int)v->cfg.disk;

	if (r->op == BLKIF_OP_DISCARD)
		return do_discard(w);
	if (r->nsectors && write && copy_segments(w, true)) {
		log_once(w->b, LOG_GRANT, "a grant domain 0 may not read", r);
		return BLKIF_RSP_ERROR;
	}
	if (r->nsectors && disk_rw(v, write, r->sector, w->buf, r->nsectors)) {
		log_once(w->b, LOG_IO, "the disk failed the request", r);
		return BLKIF_RSP_ERROR;
	}
	if (r->nsectors && !write && copy_segments(w, false)) {
		log_once(w->b, LOG_GRANT,
			 "a grant domain 0 may not write (read-only, not "
			 "granted, or not its own)",
			 r);
		return BLKIF_RSP_ERROR;
	}
	if ((r->op == BLKIF_OP_FLUSH_DISKCACHE ||
	     r->op == BLKIF_OP_WRITE_BARRIER) &&
	    (v->cow ? cow_flush(v->cow) : vblk_flush(disk))) {
		log_once(w->b, LOG_IO, "the disk failed a flush", r);
		return BLKIF_RSP_ERROR;
	}
	if (write)
		v->sectors_written += r->nsectors;
	else
		v->sectors_read += r->nsectors;
	v->flushes += r->op == BLKIF_OP_FLUSH_DISKCACHE ||
		      r->op == BLKIF_OP_WRITE_BARRIER;
	return BLKIF_RSP_OKAY;
}

/* An id the front end already has in flight: its own tracking is broken. */
static bool id_in_flight(struct blkif *b, uint64_t id)
{
	for (unsigned int i = 0; i < BLK_WORKERS; i++)
		if (b->id_busy[i] && b->ids[i] == id)
			return true;
	return false;
}

static int16_t serve(struct worker *w, bool dup)
{
	struct blkif *b = w->b;
	struct blkreq *r = &w->req;
	enum blkreq_fault f = BLKREQ_OK;
	int16_t st;

	b->vbd->reqs++;
	if (r->indirect) {
		f = blkreq_check_indirect(r);
		if (f == BLKREQ_OK && fetch_descriptors(w)) {
			log_once(b, LOG_GRANT,
				 "an indirect page domain 0 may "
				 "not read",
				 r);
			return BLKIF_RSP_ERROR;
		}
	}
	if (f == BLKREQ_OK)
		f = blkreq_check(r, &b->vbd->ext);
	if (f != BLKREQ_OK) {
		log_once(b, f, blkreq_fault_name(f), r);
		return blkreq_status(f);
	}
	if (dup) {
		log_once(b, LOG_ID, "request id reused while in flight", r);
		return BLKIF_RSP_ERROR;
	}
	if (r->op == BLKIF_OP_WRITE_BARRIER) {
		/*
		 * Ordered against everything: one barrier at a time, after
		 * every other request in flight is done (barriers waiting
		 * their turn do not count: they have not started).
		 */
		b->barrier_waiters++;
		waitq_wake(&b->idle_wq); /* the draining one may go now */
		wait_event(&b->idle_wq, !b->draining);
		b->barrier_waiters--;
		b->draining = true;
		wait_event(&b->idle_wq, b->inflight - b->barrier_waiters == 1);
	}
	st = do_request(w);
	if (r->op == BLKIF_OP_WRITE_BARRIER) {
		b->draining = false;
		waitq_wake(&b->idle_wq);
		waitq_wake(&b->wq);
	}
	return st;
}

static void worker_thread(void *arg)
{
	struct worker *w = arg;
	struct blkif *b = w->b;
	int16_t st;
	bool dup;

	for (;;) {
		wait_event(&b->wq, ring_has_work(b));
		if (b->stopping)
			break;
		if (!ring_take(b, &w->req))
			continue;
		b->inflight++;
		dup = id_in_flight(b, w->req.id);
		b->ids[w->idx] = w->req.id;
		b->id_busy[w->idx] = !dup;
		/*
		 * Let the other workers take theirs before any I/O starts:
		 * the requests of a ring then overlap at the disk, and an id
		 * given twice is seen in flight, whatever the disk's speed.
		 */
		thread_yield();
		st = serve(w, dup);
		b->id_busy[w->idx] = false;
		if (st != BLKIF_RSP_OKAY)
			b->vbd->errors++;
		b->inflight--;
		if (!b->stopping)
			ring_respond(b, w->req.id, w->req.op, st);
		waitq_wake(&b->idle_wq);
		thread_yield(); /* the other rings' turn */
	}
	pages_free(w->buf, BUF_PAGES);
	page_free(w->descs);
	free(w);
	b->workers--;
	waitq_wake(&b->idle_wq);
}

/* --- Connection ----------------------------------------------------------- */

static int check_protocol(struct xbe_dev *d)
{
	char proto[24];
	uint64_t queues;

	if (!xbe_read_fe(d, "protocol", proto, sizeof(proto)) &&
	    strcmp(proto, "x86_64-abi")) {
		xbe_fatal(d, -EINVAL, "only the x86_64-abi protocol is served");
		return -EINVAL;
	}
	if (!xbe_read_fe_uint(d, "multi-queue-num-queues", 1000, &queues) &&
	    queues != 1) {
		xbe_fatal(d, -EINVAL, "one queue only (none offered)");
		return -EINVAL;
	}
	return 0;
}

static int start_workers(struct blkif *b)
{
	for (unsigned int i = 0; i < BLK_WORKERS; i++) {
		struct worker *w = calloc(1, sizeof(*w));

		if (w) {
			w->buf = pages_alloc(BUF_PAGES);
			w->descs = page_alloc();
		}
		if (!w || !w->buf || !w->descs) {
			if (w && w->buf)
				pages_free(w->buf, BUF_PAGES);
			if (w && w->descs)
				page_free(w->descs);
			free(w);
			return -ENOMEM;
		}
		w->b = b;
		w->idx = i;
		if (!thread_create("blkback", worker_thread, w)) {
			pages_free(w->buf, BUF_PAGES);
			page_free(w->descs);
			free(w);
			return -ENOMEM;
		}
		b->workers++;
	}
	return 0;
}

static void stop(struct blkif *b)
{
	b->stopping = true;
	waitq_wake(&b->wq);
	wait_event(&b->idle_wq, b->workers == 0);
	if (b->port)
		evtchn_close(b->port);
	pgnt_free(b->pg);
	xbe_unmap_ring(&b->ring);
	free(b);
}

int blkif_connect(struct vbd *v, struct xbe_dev *d)
{
	uint64_t persistent = 0;
	struct blkif *b;
	int err = check_protocol(d);

	if (err)
		return err;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->vbd = v;
	b->dev = d;
	waitq_init(&b->wq);
	waitq_init(&b->idle_wq);
	err = xbe_map_ring(d, "ring", MAX_RING_ORDER, true, &b->ring);
	if (err) {
		free(b);
		return err;
	}
	b->sring = b->ring.va;
	b->size = blkring_size(b->ring.pages);
	err = xbe_bind_port(d, "event-channel", &b->port);
	if (!err && offer_persistent &&
	    !xbe_read_fe_uint(d, "feature-persistent", 1, &persistent) &&
	    persistent && !(b->pg = pgnt_new(v->domid, PGNT_MAX)))
		err = -ENOMEM;
	if (!err)
		err = start_workers(b);
	if (err) {
		stop(b);
		return err;
	}
	evtchn_attach(b->port, &b->wq);
	v->blkif = b;
	/* A front end reconnecting in a loop must not flood the log. */
	if (v->connects++ < 4)
		printf("blkback: domain %u vbd %u (%s) connected: %u-page "
		       "ring, event channel %u, %s\n",
		       v->domid, v->cfg.devid, v->cfg.vdev, b->ring.pages,
		       b->port, b->pg ? "persistent grants" : "grant copy");
	waitq_wake(&b->wq); /* requests may be there already */
	return 0;
}

void blkif_disconnect(struct vbd *v)
{
	struct blkif *b = v->blkif;

	if (!b)
		return;
	v->blkif = NULL;
	stop(b);
}

/* --- The xenbus type ------------------------------------------------------ */

static int be_printf(struct xbe_dev *d, const char *key, uint64_t val)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%lu", val);
	return xbe_write_be(d, key, buf);
}

/* The discard nodes as Xen's blkback writes them (no discard-secure). */
static int write_discard(struct xbe_dev *d, const struct vbd *v)
{
	int err = 0;

	if (v->ext.discard) {
		err = be_printf(d, "discard-granularity", v->discard_gran);
		if (!err)
			err =
			    be_printf(d, "discard-alignment", v->discard_align);
	}
	if (!err)
		err = xbe_write_be(d, "feature-discard",
				   v->ext.discard ? "1" : "0");
	return err;
}

/* What Linux's blkback advertises, less what we do not serve. */
static int vbd_probe(struct xbe_dev *d)
{
	struct vbd *v = vbd_find(d->domid, d->devid);
	int err;

	if (!v)
		return -ENOENT;
	d->priv = v;
	err = be_printf(d, "sectors", v->ext.sectors);
	if (!err)
		err =
		    be_printf(d, "info", v->ext.readonly ? VDISK_READONLY : 0);
	if (!err)
		err = be_printf(d, "sector-size", v->sector_size);
	if (!err)
		err = be_printf(d, "physical-sector-size", v->sector_size);
	if (!err)
		err = xbe_write_be(d, "feature-flush-cache", "1");
	if (!err)
		err = xbe_write_be(d, "feature-barrier", "1");
	if (!err)
		err = write_discard(d, v);
	if (!err && offer_persistent)
		err = xbe_write_be(d, "feature-persistent", "1");
	if (!err)
		err = be_printf(d, "max-ring-page-order", MAX_RING_ORDER);
	if (!err)
		err = be_printf(d, "feature-max-indirect-segments",
				BLK_MAX_INDIRECT_SEGS);
	return err;
}

static int vbd_connect(struct xbe_dev *d)
{
	return d->priv ? blkif_connect(d->priv, d) : -ENOENT;
}

static void vbd_disconnect(struct xbe_dev *d)
{
	if (d->priv)
		blkif_disconnect(d->priv);
}

static void vbd_remove(struct xbe_dev *d)
{
	d->priv = NULL; /* the record is vbd.c's */
}

static const struct xbe_type vbd_type = {
	.name = "vbd",
	.probe = vbd_probe,
	.connect = vbd_connect,
	.disconnect = vbd_disconnect,
	.remove = vbd_remove,
};

void blkback_start(void)
{
	offer_persistent = cmdline_has("blkpersist");
	if (xbe_register(&vbd_type))
		printf("blkback: cannot watch backend/vbd\n");
}
