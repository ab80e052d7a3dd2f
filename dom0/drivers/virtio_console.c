/*
 * The virtio console driver: queue 0 receives, queue 1 transmits (port 0,
 * no multiport). Every receive descriptor is a whole page of its own;
 * many are kept posted so that QEMU can move a burst from the socket into
 * domain 0 without waiting for the reader. A filled page is consumed by
 * vcon_read and then posted again.
 *
 * A service thread waits for the device's interrupt (or polls) and wakes
 * the reader and writers; they look at the used rings themselves.
 */
#include "errno.h"
#include "virtio.h"
#include "virtio_console.h"

#define VIRTIO_ID_CONSOLE 3
#define RX_QUEUE 0
#define TX_QUEUE 1
#define RX_BUFFERS 256
#define TX_BUFFERS 32
#define KICK_BATCH 32 /* reposted pages between doorbells while busy */
#define SPIN_NS 200000 /* poll this long for more data before sleeping */

static struct virtio_dev vdev;
static struct virtqueue rx, tx;
static bool present;
static struct waitq rx_q = WAITQ_INIT(rx_q), tx_q = WAITQ_INIT(tx_q);

/* Reader state: the page being consumed. */
static char *rx_page;
static uint32_t rx_len, rx_off;
static unsigned int rx_unkicked;

/* Writer state: free pages, the page being filled, the writers' lock. */
static char *tx_free[TX_BUFFERS];
static unsigned int tx_nfree;
static char *tx_fill;
static uint32_t tx_fill_len;
static bool tx_busy;
static struct waitq tx_lock_q = WAITQ_INIT(tx_lock_q);

static void service(void *arg)
{
	(void)arg;
	for (;;) {
		virtio_wait_irq(&vdev);
		waitq_wake(&rx_q);
		waitq_wake(&tx_q);
	}
}

static int post_rx_buffers(void)
{
	for (unsigned int i = 0; i < RX_BUFFERS && i < rx.size; i++) {
		void *page = page_alloc();
		if (!page)
			return -ENOMEM;
		vq_add(&rx, page, PAGE_SIZE, true, page);
	}
	return 0;
}

static int alloc_tx_buffers(void)
{
	while (tx_nfree < TX_BUFFERS && tx_nfree < tx.size) {
		tx_free[tx_nfree] = page_alloc();
		if (!tx_free[tx_nfree])
			return -ENOMEM;
		tx_nfree++;
	}
	return 0;
}

static struct pci_dev *find_device(void)
{
	for (struct pci_dev *d = pci_scan(); d; d = d->next)
		if (virtio_pci_type(d) == VIRTIO_ID_CONSOLE)
			return d;
	return NULL;
}

int vcon_start(void)
{
	struct pci_dev *pci = find_device();
	int rc;

	if (!pci)
		return -ENODEV;
	rc = virtio_init(&vdev, pci, 0, 0);
	if (!rc)
		rc = virtio_setup_queue(&vdev, &rx, RX_QUEUE, RX_BUFFERS);
	if (!rc)
		rc = virtio_setup_queue(&vdev, &tx, TX_QUEUE, TX_BUFFERS);
	if (!rc)
		rc = post_rx_buffers();
	if (!rc)
		rc = alloc_tx_buffers();
	if (rc) {
		printf("dom0: virtio console %02x:%02x.%x: setup failed (%d)\n",
		       pci->bus, pci->dev, pci->fn, rc);
		return rc;
	}
	vq_interrupts_off(&rx);
	vq_interrupts_off(&tx);
	virtio_driver_ok(&vdev);
	vq_kick(&rx);
	present = true;
	thread_create("vcon-irq", service, NULL);
	printf("dom0: virtio console %02x:%02x.%x: %u receive pages posted\n",
	       pci->bus, pci->dev, pci->fn, rx.size);
	return 0;
}

bool vcon_present(void)
{
	return present;
}

/* Give the consumed page back to the device. */
static void repost(void)
{
	vq_add(&rx, rx_page, PAGE_SIZE, true, rx_page);
	rx_page = NULL;
	/* Ring the doorbell in batches while data streams in, and always
	 * before the reader could wait: QEMU stops reading the socket while
	 * it has no buffer and must learn there are new ones. */
	if (++rx_unkicked >= KICK_BATCH || !vq_has_used(&rx)) {
		vq_kick(&rx);
		rx_unkicked = 0;
	}
}

/*
 * Wait for a filled receive buffer. While data streams in, polling the
 * ring for a moment is much cheaper than an interrupt per page (each
 * goes through the IO-APIC, the hypervisor and an event upcall), so
 * interrupts are off while the reader is busy and on only while it
 * sleeps.
 */
static void wait_rx(void)
{
	uint64_t until = pv_now() + SPIN_NS;

	while (!vq_has_used(&rx)) {
		if (pv_now() > until) {
			if (!vq_interrupts_on(&rx))
				wait_event(&rx_q, vq_has_used(&rx));
			vq_interrupts_off(&rx);
			return;
		}
		cpu_relax();
	}
}

size_t vcon_read(void *buf, size_t n)
{
	size_t done = 0;
	uint32_t chunk;

	while (done < n) {
		if (!rx_page) {
			if (!vq_has_used(&rx)) {
				if (done)
					break;
				wait_rx();
			}
			rx_page = vq_get_used(&rx, &rx_len);
			rx_off = 0;
			if (rx_len > PAGE_SIZE)
				rx_len = PAGE_SIZE;
		}
		chunk = rx_len - rx_off;
		if (chunk > n - done)
			chunk = (uint32_t)(n - done);
		memcpy((char *)buf + done, rx_page + rx_off, chunk);
		done += chunk;
		rx_off += chunk;
		if (rx_off == rx_len)
			repost();
	}
	return done;
}

static void reclaim_tx(void)
{
	uint32_t len;
	void *page;

	while ((page = vq_get_used(&tx, &len)))
		tx_free[tx_nfree++] = page;
}

static char *get_tx_page(void)
{
	reclaim_tx();
	while (!tx_nfree) {
		if (!vq_interrupts_on(&tx))
			wait_event(&tx_q, vq_has_used(&tx));
		vq_interrupts_off(&tx);
		reclaim_tx();
	}
	return tx_free[--tx_nfree];
}

static void submit_fill(void)
{
	vq_add(&tx, tx_fill, tx_fill_len, false, tx_fill);
	vq_kick(&tx);
	tx_fill = NULL;
	tx_fill_len = 0;
}

static void tx_lock(void)
{
	wait_event(&tx_lock_q, !tx_busy);
	tx_busy = true;
}

static void tx_unlock(void)
{
	tx_busy = false;
	waitq_wake(&tx_lock_q);
}

void vcon_write(const void *buf, size_t n)
{
	if (!present)
		return;
	tx_lock();
	while (n) {
		size_t chunk;

		if (!tx_fill)
			tx_fill = get_tx_page();
		chunk = PAGE_SIZE - tx_fill_len;
		if (chunk > n)
			chunk = n;
		memcpy(tx_fill + tx_fill_len, buf, chunk);
		tx_fill_len += (uint32_t)chunk;
		buf = (const char *)buf + chunk;
		n -= chunk;
		if (tx_fill_len == PAGE_SIZE)
			submit_fill();
	}
	tx_unlock();
}

void vcon_flush(void)
{
	if (!present)
		return;
	tx_lock();
	if (tx_fill && tx_fill_len)
		submit_fill();
	tx_unlock();
}
