/*
 * The network back end: serves a front end's netif tx and rx rings (the
 * native x86_64 layout, one page each, one queue) and joins the VIF to
 * its bridge.
 *
 * One thread per connected VIF does both directions. Transmit: each slot
 * is copied once into our memory and checked (nettx.c); a packet's data
 * is grant-copied into our buffer (the hypervisor checks every grant)
 * and handed to the bridge. Receive: the bridge's frames wait in a short
 * queue of our own pages; each goes by grant copy into a page the front
 * end posted, and when the queue is full because none are posted, that
 * VIF's new frames are dropped (and counted), nobody else's.
 * A pass serves at most TX_BUDGET packets, then the thread yields, so the
 * VIFs' transmit rings take turns in the scheduler's round robin. Events
 * are sent once per pass, when the front end asked for one.
 *
 * A dropped packet is answered NETIF_RSP_ERROR; a broken front end (more
 * slots than advertised, a producer more than a ring ahead) has its VIF
 * closed. Each kind is logged once per VIF with the domain id.
 */
#include <xen/io/netif.h>
#include <xen/io/xenbus.h>
#include "bridge.h"
#include "errno.h"
#include "kernel.h"
#include "netback.h"
#include "netrate.h"
#include "nettx.h"
#include "xenbus_be.h"

#define RING_PAGE 4096
#define TX_SIZE __CONST_RING_SIZE(netif_tx, RING_PAGE)
#define RX_SIZE __CONST_RING_SIZE(netif_rx, RING_PAGE)
#define TX_BUF_PAGES 16 /* a 64 KiB packet */
#define TX_OPS (2 * NETTX_MAX_SLOTS)
#define TX_BUDGET 32
#define RXQ 64 /* frames waiting for the front end's buffers */

enum { LOG_GRANT_TX = NETTX_NFAULTS, LOG_GRANT_RX, LOG_KINDS };

struct netif {
	struct vif *vif;
	struct xbe_dev *dev;
	struct xbe_ring txr, rxr;
	struct netif_tx_sring *tx;
	struct netif_rx_sring *rx;
	uint32_t port;
	uint32_t tx_cons, tx_rsp, tx_stalled; /* stalled: prod of a cut chain */
	uint32_t rx_cons, rx_rsp;
	bool stopping, broken, running, notify;
	struct waitq wq, idle_wq;
	struct nettx_pkt pkt;
	struct netrate rate; /* rate= of the vif line */
	uint64_t rate_wait; /* tx waits for credit until then (0: no) */
	uint8_t *txbuf;
	struct gnttab_copy ops[TX_OPS];
	uint8_t *rxq; /* RXQ pages */
	uint16_t rxq_len[RXQ];
	uint8_t rxq_flags[RXQ];
	unsigned int rxq_head, rxq_count;
};

static inline uint32_t read_once(const volatile uint32_t *p)
{
	return *p;
}

static inline void mb(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void log_once(struct netif *n, unsigned int kind, const char *why)
{
	struct vif *v = n->vif;

	if (v->logged & (1u << kind))
		return;
	v->logged |= 1u << kind;
	printf("netback: domain %u vif %u: %s; this kind is not logged "
	       "again for the device\n",
	       v->domid, v->devid, why);
}

static void broken(struct netif *n, const char *why)
{
	if (n->broken)
		return;
	n->broken = true;
	printf("netback: domain %u vif %u: %s: the VIF is closed\n",
	       n->vif->domid, n->vif->devid, why);
	xbe_fatal(n->dev, -EPROTO, why);
}

/* --- Transmit (guest to bridge) ------------------------------------------- */

static void tx_respond(struct netif *n, int32_t id, int16_t status)
{
	struct netif_tx_response *r = &n->tx->ring[n->tx_rsp % TX_SIZE].rsp;

	r->id = id < 0 ? 0 : (uint16_t)id;
	r->status = id < 0 ? NETIF_RSP_NULL : status;
	n->tx_rsp++;
}

static void tx_push(struct netif *n, uint32_t old)
{
	uint32_t event;

	mb(); /* the responses before the index that covers them */
	n->tx->rsp_prod = n->tx_rsp;
	mb();
	event = read_once(&n->tx->rsp_event);
	if ((uint32_t)(n->tx_rsp - event) < (uint32_t)(n->tx_rsp - old))
		n->notify = true;
}

/* Grant-copy the packet into txbuf; pieces never cross our pages. */
static int tx_copy(struct netif *n, uint32_t *total)
{
	struct nettx_pkt *p = &n->pkt;
	size_t k = 0;
	uint32_t off = 0;

	for (unsigned int i = 0; i < p->nreq; i++) {
		uint32_t len = nettx_len(p, i), goff = p->req[i].offset;

		while (len) {
			uint32_t room = PAGE_SIZE - off % PAGE_SIZE;
			uint32_t piece = len < room ? len : room;

			n->ops[k++] = (struct gnttab_copy){
				.source.u.ref = p->req[i].gref,
				.source.domid = n->vif->domid,
				.source.offset = (uint16_t)goff,
				.dest.u.gmfn =
				    virt_to_maddr(n->txbuf + off) >> 12,
				.dest.domid = DOMID_SELF,
				.dest.offset = (uint16_t)(off % PAGE_SIZE),
				.len = (uint16_t)piece,
				.flags = GNTCOPY_source_gref,
			};
			goff += piece;
			off += piece;
			len -= piece;
		}
	}
	*total = off;
	if (gnttab_copy(n->ops, k))
		return -EPERM;
	for (size_t i = 0; i < k; i++)
		if (n->ops[i].status != GNTST_okay)
			return -EPERM;
	return 0;
}

static unsigned int tx_flags(const struct nettx_pkt *p)
{
	unsigned int f = 0;

	if (p->req[0].flags & NETTXF_csum_blank)
		f |= BR_CSUM_BLANK | BR_DATA_VALIDATED;
	if (p->req[0].flags & NETTXF_data_validated)
		f |= BR_DATA_VALIDATED;
	return f;
}

/* The packet is complete and in step: send it on or drop it. */
static void tx_finish(struct netif *n)
{
	struct nettx_pkt *p = &n->pkt;
	struct vif *v = n->vif;
	int16_t st = NETIF_RSP_OKAY;
	uint32_t len = 0;

	if (p->fault != NETTX_OK) {
		log_once(n, p->fault, nettx_fault_name(p->fault));
		st = NETIF_RSP_ERROR;
	} else if (tx_copy(n, &len)) {
		log_once(n, LOG_GRANT_TX,
			 "a tx grant domain 0 may not read (not granted to "
			 "it, or not in use)");
		st = NETIF_RSP_ERROR;
	}
	/* Answered before the bridge runs: the front end's pages are free. */
	for (unsigned int i = 0; i < p->nslots; i++)
		tx_respond(n, p->resp_id[i], st);
	if (st != NETIF_RSP_OKAY) {
		v->tx_errors++;
		return;
	}
	v->tx_packets++;
	v->tx_bytes += len;
	v->tx_sg += p->nreq > 1;
	if (v->port)
		br_input(v->port, n->txbuf, len, tx_flags(p));
}

/* Take one packet: false if none complete is there (or broken). */
static bool tx_one(struct netif *n)
{
	uint32_t prod = read_once(&n->tx->req_prod), cons = n->tx_cons;
	enum nettx_step s = NETTX_NEED_MORE;
	union {
		struct netif_tx_request r;
		uint8_t raw[sizeof(union netif_tx_sring_entry)];
	} slot;

	if (n->broken || prod == cons || prod == n->tx_stalled)
		return false;
	if (prod - n->tx_rsp > TX_SIZE) {
		broken(n, "tx request producer more than a ring ahead");
		return false;
	}
	mb(); /* the index before the requests it covers */
	nettx_begin(&n->pkt);
	while (s == NETTX_NEED_MORE && cons != prod) {
		memcpy(&slot, (const void *)&n->tx->ring[cons % TX_SIZE],
		       sizeof(slot));
		cons++;
		s = nettx_add(&n->pkt, &slot);
	}
	if (s == NETTX_BROKEN) {
		log_once(n, n->pkt.fault, nettx_fault_name(n->pkt.fault));
		broken(n, nettx_fault_name(n->pkt.fault));
		return false;
	}
	if (s == NETTX_NEED_MORE) {
		n->tx_stalled = prod; /* wait for the rest of the chain */
		return false;
	}
	/* Slot 0's size is the packet's: charged before it is taken. */
	if (!netrate_take(&n->rate, n->pkt.req[0].size, pv_now(),
			  &n->rate_wait))
		return false; /* left on the ring, read again then */
	n->rate_wait = 0;
	n->tx_cons = cons;
	tx_finish(n);
	return true;
}

static bool tx_pending(struct netif *n)
{
	uint32_t prod = read_once(&n->tx->req_prod);

	if (n->broken || (n->rate_wait && pv_now() < n->rate_wait))
		return false;
	if (prod != n->tx_cons && prod != n->tx_stalled)
		return true;
	n->tx->req_event = (prod == n->tx_cons ? n->tx_cons : prod) + 1;
	mb(); /* the front end's next push sees req_event, or we see it */
	prod = read_once(&n->tx->req_prod);
	return prod != n->tx_cons && prod != n->tx_stalled;
}

static void tx_serve(struct netif *n)
{
	uint32_t old = n->tx_rsp;
	unsigned int done = 0;

	while (done < TX_BUDGET && tx_one(n))
		done++;
	if (n->tx_rsp != old)
		tx_push(n, old);
}

/* --- Receive (bridge to guest) -------------------------------------------- */

/* The bridge's delivery: queue a copy, or drop it if the queue is full. */
static void rx_deliver(void *ctx, const uint8_t *f, size_t len,
		       unsigned int flags)
{
	struct netif *n = ctx;
	unsigned int slot;

	if (n->stopping || n->broken || n->rxq_count == RXQ ||
	    len > PAGE_SIZE) {
		n->vif->rx_dropped++;
		return;
	}
	slot = (n->rxq_head + n->rxq_count++) % RXQ;
	memcpy(n->rxq + (size_t)slot * PAGE_SIZE, f, len);
	n->rxq_len[slot] = (uint16_t)len;
	n->rxq_flags[slot] = (uint8_t)flags;
	waitq_wake(&n->wq);
}

static bool rx_buffers(struct netif *n)
{
	uint32_t prod = read_once(&n->rx->req_prod);

	if (n->broken)
		return false;
	if (prod == n->rx_cons) {
		n->rx->req_event = n->rx_cons + 1;
		mb();
		prod = read_once(&n->rx->req_prod);
	}
	/* Buffers we have not answered can fill the ring, never more:
	 * beyond that we would answer over requests not yet read. */
	if (prod - n->rx_rsp > RX_SIZE) {
		broken(n, "rx request producer more than a ring ahead");
		return false;
	}
	return prod != n->rx_cons;
}

static uint16_t rx_flags(unsigned int f)
{
	if (f & BR_CSUM_BLANK)
		return NETRXF_csum_blank | NETRXF_data_validated;
	return f & BR_DATA_VALIDATED ? NETRXF_data_validated : 0;
}

/* One queued frame into the front end's next buffer. */
static void rx_one(struct netif *n)
{
	unsigned int q = n->rxq_head;
	struct netif_rx_request req;
	struct netif_rx_response *r;
	struct gnttab_copy op;

	memcpy(&req, (const void *)&n->rx->ring[n->rx_cons % RX_SIZE].req,
	       sizeof(req));
	n->rx_cons++;
	op = (struct gnttab_copy){
		.source.u.gmfn =
		    virt_to_maddr(n->rxq + (size_t)q * PAGE_SIZE) >> 12,
		.source.domid = DOMID_SELF,
		.dest.u.ref = req.gref,
		.dest.domid = n->vif->domid,
		.len = n->rxq_len[q],
		.flags = GNTCOPY_dest_gref,
	};
	r = &n->rx->ring[n->rx_rsp % RX_SIZE].rsp;
	r->id = req.id;
	r->offset = 0;
	r->flags = rx_flags(n->rxq_flags[q]);
	if (gnttab_copy(&op, 1) || op.status != GNTST_okay) {
		log_once(n, LOG_GRANT_RX, "an rx grant domain 0 may not write");
		r->status = NETIF_RSP_ERROR;
		n->vif->rx_dropped++;
	} else {
		r->status = (int16_t)n->rxq_len[q];
		n->vif->rx_packets++;
		n->vif->rx_bytes += n->rxq_len[q];
	}
	n->rx_rsp++;
	n->rxq_head = (q + 1) % RXQ;
	n->rxq_count--;
}

static void rx_serve(struct netif *n)
{
	uint32_t old = n->rx_rsp, event;

	while (n->rxq_count && !n->broken) {
		uint32_t prod = read_once(&n->rx->req_prod);

		if (prod == n->rx_cons)
			break;
		if (prod - n->rx_rsp > RX_SIZE) {
			broken(n, "rx request producer more than a ring ahead");
			return;
		}
		mb();
		rx_one(n);
	}
	if (n->rx_rsp == old)
		return;
	mb();
	n->rx->rsp_prod = n->rx_rsp;
	mb();
	event = read_once(&n->rx->rsp_event);
	if ((uint32_t)(n->rx_rsp - event) < (uint32_t)(n->rx_rsp - old))
		n->notify = true;
}

/* --- The VIF's thread ----------------------------------------------------- */

static bool has_work(struct netif *n)
{
	bool tx, rx;

	if (n->stopping)
		return true;
	tx = tx_pending(n);
	rx = n->rxq_count && rx_buffers(n);
	return tx || rx;
}

static void netif_thread(void *arg)
{
	struct netif *n = arg;

	for (;;) {
		/* Credit comes at rate_wait: no event says so. */
		wait_event_until(&n->wq, has_work(n), n->rate_wait);
		if (n->stopping)
			break;

		tx_serve(n);
		rx_serve(n);
		if (n->notify) {
			n->notify = false;
			evtchn_notify(n->port);
		}
		thread_yield(); /* the other VIFs' turn */
	}
	n->running = false;
	waitq_wake(&n->idle_wq);
}

/* --- Connection ----------------------------------------------------------- */

static int check_frontend(struct xbe_dev *d)
{
	uint64_t copy = 0, split = 0, queues = 1;

	xbe_read_fe_uint(d, "request-rx-copy", 1, &copy);
	if (copy != 1) {
		xbe_fatal(d, -EINVAL, "only receive by copy is served");
		return -EINVAL;
	}
	xbe_read_fe_uint(d, "feature-split-event-channels", 1, &split);
	xbe_read_fe_uint(d, "multi-queue-num-queues", 1000, &queues);
	if (split || queues != 1) {
		xbe_fatal(d, -EINVAL,
			  "one queue and one event channel only (offered)");
		return -EINVAL;
	}
	return 0;
}

static void netif_free(struct netif *n)
{
	if (n->running) {
		n->stopping = true;
		waitq_wake(&n->wq);
		wait_event(&n->idle_wq, !n->running);
	}
	if (n->port)
		evtchn_close(n->port);
	xbe_unmap_ring(&n->txr);
	xbe_unmap_ring(&n->rxr);
	if (n->txbuf)
		pages_free(n->txbuf, TX_BUF_PAGES);
	if (n->rxq)
		pages_free(n->rxq, RXQ);
	free(n);
}

static int map_rings(struct netif *n, struct xbe_dev *d)
{
	int err = xbe_map_ring(d, "tx-ring", 0, true, &n->txr);

	if (!err)
		err = xbe_map_ring(d, "rx-ring", 0, true, &n->rxr);
	if (err)
		return err;
	n->tx = n->txr.va;
	n->rx = n->rxr.va;
	/* The front end initialised them; we start where it says. */
	n->tx_cons = n->tx_rsp = read_once(&n->tx->rsp_prod);
	n->rx_cons = n->rx_rsp = read_once(&n->rx->rsp_prod);
	n->tx_stalled = n->tx_cons - 1;
	netrate_init(&n->rate, n->vif->cfg.rate_bytes, n->vif->cfg.rate_usec,
		     pv_now());
	return xbe_bind_port(d, "event-channel", &n->port);
}

static struct vfr_rule rule_of(const struct vif *v)
{
	struct vfr_rule r = { .nip = v->cfg.nip };

	memcpy(r.mac, v->cfg.mac, 6);
	memcpy(r.ip, v->cfg.ip, sizeof(r.ip));
	return r;
}

int netif_connect(struct vif *v, struct xbe_dev *d)
{
	struct netif *n;
	struct vfr_rule rule = rule_of(v);
	char name[24];
	uint64_t no_csum = 0;
	int err = check_frontend(d);

	if (err)
		return err;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->vif = v;
	n->dev = d;
	waitq_init(&n->wq);
	waitq_init(&n->idle_wq);
	n->txbuf = pages_alloc(TX_BUF_PAGES);
	n->rxq = pages_alloc(RXQ);
	err = n->txbuf && n->rxq ? map_rings(n, d) : -ENOMEM;
	if (!err) {
		n->running = thread_create("netback", netif_thread, n) != NULL;
		err = n->running ? 0 : -ENOMEM;
	}
	snprintf(name, sizeof(name), "vif%u.%u", v->domid, v->devid);
	/* A front end that cannot take blank checksums gets them filled. */
	xbe_read_fe_uint(d, "feature-no-csum-offload", 1, &no_csum);
	if (!err && !(v->port = br_join(v->cfg.bridge, name, &rule, no_csum,
					rx_deliver, n)))
		err = -ENOSPC;
	if (err) {
		netif_free(n);
		return err;
	}
	br_set_acl(v->port, &v->acl);
	evtchn_attach(n->port, &n->wq);
	v->netif = n;
	if (v->connects++ < 4)
		printf("netback: domain %u vif %u connected: bridge %s, event "
		       "channel %u\n",
		       v->domid, v->devid, v->cfg.bridge, n->port);
	waitq_wake(&n->wq);
	return 0;
}

void netif_disconnect(struct vif *v)
{
	struct netif *n = v->netif;

	if (!n)
		return;
	br_leave(v->port); /* no more deliveries to our queue */
	v->port = NULL;
	v->netif = NULL;
	netif_free(n);
}
