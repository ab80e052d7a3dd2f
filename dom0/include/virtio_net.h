/*
 * Virtio network devices for domain 0 (dom0/drivers/virtio_net.c): every
 * modern virtio-net PCI device found at boot, numbered from 0 in PCI scan
 * order, moving whole Ethernet frames (no FCS, no offloads). The future
 * network backend sends and receives through this.
 *
 * Frames arrive either by vnet_recv (a thread asks for the next one) or,
 * once a receive handler is set, by that handler, called in the device's
 * service thread for each frame. Calls block the calling thread.
 */
#ifndef DOM0_VIRTIO_NET_H
#define DOM0_VIRTIO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VNET_MAX_FRAME 1518 /* 1500-byte MTU, Ethernet and a VLAN tag */

/* Find and start every device (at boot); returns how many started. */
int vnet_start(void);
int vnet_count(void);
/* The device's MAC address (from its configuration): 0 or -ENODEV. */
int vnet_mac(int dev, uint8_t mac[6]);
/* Link up (always true if the device does not report the state). */
bool vnet_link_up(int dev);
/*
 * Queue one frame (len bytes, at most VNET_MAX_FRAME) for sending; the
 * data is copied, so buf may be reused at once. 0, -ENODEV, -E2BIG.
 */
int vnet_send(int dev, const void *frame, size_t len);
/*
 * The next frame received, copied into buf (cut to len bytes): returns
 * its full length, or -ETIMEDOUT once pv_now() passes deadline (0: wait
 * for ever), -ENODEV, -EBUSY while a receive handler is set.
 */
int vnet_recv(int dev, void *buf, size_t len, uint64_t deadline);
/*
 * Deliver every received frame to fn instead (NULL: back to vnet_recv).
 * fn runs in thread context and must not keep frame after it returns.
 */
typedef void (*vnet_rx_fn)(void *ctx, int dev, const void *frame, size_t len);
int vnet_set_rx_handler(int dev, vnet_rx_fn fn, void *ctx);

struct vnet_stats {
	uint64_t rx_frames, rx_bytes, tx_frames, tx_bytes;
	uint64_t rx_dropped; /* runt buffers from the device */
};
int vnet_stats(int dev, struct vnet_stats *st);
int vnet_describe(int dev, char *buf, size_t n);

#endif
