/*
 * The virtio network driver: queue 0 receives, queue 1 transmits (one
 * queue pair, no control queue, no offloads). Every frame in either
 * direction is preceded by a virtio_net_hdr, 12 bytes with VERSION_1
 * (num_buffers is always there); with no offloads it is all zeros on
 * transmit and ignored on receive.
 *
 * Receive buffers are whole pages (header and a full frame fit, so
 * mergeable buffers are not needed), kept posted and reposted as soon as
 * their frame has been copied out. Transmit copies each frame into a
 * page of its own, behind a zeroed header; pages come back from the used
 * ring. A service thread per device waits for the interrupt (or polls)
 * and wakes receivers and senders, or feeds the receive handler.
 */
#include "errno.h"
#include "virtio.h"
#include "virtio_net.h"

#define VIRTIO_ID_NET 1

#define NET_F_MAC 5
#define NET_F_STATUS 16
#define NET_S_LINK_UP 1

#define CFG_MAC 0
#define CFG_STATUS 6

#define HDR_LEN 12
#define RX_QUEUE 0
#define TX_QUEUE 1
#define RX_BUFS 128
#define TX_BUFS 64
#define MAX_DEVS 4

struct vnet {
	struct virtio_dev vd;
	struct virtqueue rx, tx;
	uint8_t mac[6];
	char *tx_free[TX_BUFS];
	unsigned int tx_nfree;
	struct waitq rx_q, tx_q;
	vnet_rx_fn handler;
	void *handler_ctx;
	int index;
	struct vnet_stats st;
};

static struct vnet *devs[MAX_DEVS];
static int ndevs;

static struct vnet *get(int dev)
{
	return dev >= 0 && dev < ndevs ? devs[dev] : NULL;
}

static void reclaim_tx(struct vnet *n)
{
	uint32_t len;
	char *page;

	while ((page = vq_get_used(&n->tx, &len)))
		n->tx_free[n->tx_nfree++] = page;
}

/* Take one filled receive page (NULL if none) and its frame's length. */
static char *take_rx(struct vnet *n, size_t *flen)
{
	uint32_t len;
	char *page;

	while ((page = vq_get_used(&n->rx, &len))) {
		if (len > HDR_LEN && len <= PAGE_SIZE) {
			*flen = len - HDR_LEN;
			n->st.rx_frames++;
			n->st.rx_bytes += *flen;
			return page;
		}
		n->st.rx_dropped++;
		vq_add(&n->rx, page, PAGE_SIZE, true, page);
	}
	return NULL;
}

static void repost(struct vnet *n, char *page)
{
	vq_add(&n->rx, page, PAGE_SIZE, true, page);
	vq_kick(&n->rx);
}

static void service(void *arg)
{
	struct vnet *n = arg;

	for (;;) {
		virtio_wait_irq(&n->vd);
		if (n->handler) {
			size_t flen;
			char *page;

			while ((page = take_rx(n, &flen))) {
				n->handler(n->handler_ctx, n->index,
					   page + HDR_LEN, flen);
				/* Back at once, not in a batch: QEMU drops
				 * frames while it has no buffer. */
				repost(n, page);
			}
		}
		waitq_wake(&n->rx_q);
		waitq_wake(&n->tx_q);
	}
}

int vnet_send(int dev, const void *frame, size_t len)
{
	struct vnet *n = get(dev);
	char *page;

	if (!n)
		return -ENODEV;
	if (len > VNET_MAX_FRAME)
		return -E2BIG;
	reclaim_tx(n);
	if (!n->tx_nfree) {
		wait_event(&n->tx_q, vq_has_used(&n->tx));
		reclaim_tx(n);
	}
	page = n->tx_free[--n->tx_nfree];
	memset(page, 0, HDR_LEN);
	memcpy(page + HDR_LEN, frame, len);
	vq_add(&n->tx, page, (uint32_t)(HDR_LEN + len), false, page);
	vq_kick(&n->tx);
	n->st.tx_frames++;
	n->st.tx_bytes += len;
	return 0;
}

int vnet_recv(int dev, void *buf, size_t len, uint64_t deadline)
{
	struct vnet *n = get(dev);
	size_t flen = 0;
	char *page;

	if (!n)
		return -ENODEV;
	for (;;) {
		if (n->handler)
			return -EBUSY;
		page = take_rx(n, &flen);
		if (page)
			break;
		if (!wait_event_until(
			&n->rx_q, vq_has_used(&n->rx) || n->handler, deadline))
			return -ETIMEDOUT;
	}
	memcpy(buf, page + HDR_LEN, flen < len ? flen : len);
	repost(n, page);
	return (int)flen;
}

int vnet_set_rx_handler(int dev, vnet_rx_fn fn, void *ctx)
{
	struct vnet *n = get(dev);

	if (!n)
		return -ENODEV;
	n->handler_ctx = ctx;
	n->handler = fn;
	/* Frames already waiting go to the handler at the next pass. */
	waitq_wake(&n->rx_q);
	return 0;
}

int vnet_count(void)
{
	return ndevs;
}

int vnet_mac(int dev, uint8_t mac[6])
{
	struct vnet *n = get(dev);

	if (!n)
		return -ENODEV;
	memcpy(mac, n->mac, 6);
	return 0;
}

bool vnet_link_up(int dev)
{
	struct vnet *n = get(dev);

	if (!n)
		return false;
	if (!(n->vd.features & 1ULL << NET_F_STATUS))
		return true;
	return *(volatile uint16_t *)(n->vd.device + CFG_STATUS) &
	       NET_S_LINK_UP;
}

int vnet_stats(int dev, struct vnet_stats *st)
{
	struct vnet *n = get(dev);

	if (!n)
		return -ENODEV;
	*st = n->st;
	return 0;
}

int vnet_describe(int dev, char *buf, size_t len)
{
	struct vnet *n = get(dev);
	struct pci_dev *pci;

	if (!n)
		return -ENODEV;
	pci = n->vd.pci;
	snprintf(buf, len, "pci %02x:%02x.%x, queues %u/%u, %s", pci->bus,
		 pci->dev, pci->fn, n->rx.size, n->tx.size,
		 n->vd.irq_bound ? "interrupt" : "polled");
	return 0;
}

static int setup(struct vnet *n)
{
	int rc = virtio_setup_queue(&n->vd, &n->rx, RX_QUEUE, RX_BUFS);

	if (!rc)
		rc = virtio_setup_queue(&n->vd, &n->tx, TX_QUEUE, TX_BUFS);
	for (unsigned int i = 0; !rc && i < n->rx.size; i++) {
		void *page = page_alloc();

		if (!page)
			return -ENOMEM;
		vq_add(&n->rx, page, PAGE_SIZE, true, page);
	}
	while (!rc && n->tx_nfree < n->tx.size) {
		n->tx_free[n->tx_nfree] = page_alloc();
		if (!n->tx_free[n->tx_nfree])
			return -ENOMEM;
		n->tx_nfree++;
	}
	return rc;
}

static int probe(struct pci_dev *pci)
{
	struct vnet *n = calloc(1, sizeof(*n));
	int rc;

	if (!n)
		return -ENOMEM;
	rc = virtio_init(&n->vd, pci, 0,
			 1ULL << NET_F_MAC | 1ULL << NET_F_STATUS);
	if (!rc)
		rc = setup(n);
	if (rc) {
		free(n); /* pages already posted stay lost: boot-time only */
		return rc;
	}
	waitq_init(&n->rx_q);
	waitq_init(&n->tx_q);
	if (n->vd.device && n->vd.features & 1ULL << NET_F_MAC) {
		for (int i = 0; i < 6; i++)
			n->mac[i] = n->vd.device[CFG_MAC + i];
	} else {
		/* A locally administered address of our own. */
		static const uint8_t local[6] = { 0x02, 0x58, 0x4c, 0, 0, 0 };

		memcpy(n->mac, local, 6);
		n->mac[5] = (uint8_t)ndevs;
	}
	n->index = ndevs;
	virtio_driver_ok(&n->vd);
	vq_kick(&n->rx);
	devs[ndevs++] = n;
	printf("dom0: vnet%d: virtio net %02x:%02x.%x: MAC "
	       "%02x:%02x:%02x:%02x:%02x:%02x, %u receive buffers\n",
	       n->index, pci->bus, pci->dev, pci->fn, n->mac[0], n->mac[1],
	       n->mac[2], n->mac[3], n->mac[4], n->mac[5], n->rx.size);
	thread_create("vnet-irq", service, n);
	return 0;
}

int vnet_start(void)
{
	for (struct pci_dev *pci = pci_scan(); pci && ndevs < MAX_DEVS;
	     pci = pci->next) {
		int rc;

		if (virtio_pci_type(pci) != VIRTIO_ID_NET)
			continue;
		rc = probe(pci);
		if (rc)
			printf("dom0: virtio net %02x:%02x.%x: setup failed "
			       "(%d)\n",
			       pci->bus, pci->dev, pci->fn, rc);
	}
	return ndevs;
}
