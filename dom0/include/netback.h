/*
 * Virtual network interfaces (dom0/backends/vif.c) and the network back
 * end serving them to Linux's xen-netfront (dom0/backends/netback.c).
 *
 * A VIF is one network interface of one domain, configured by an xl.cfg
 * vif line (xlvif.h). The toolstack adds it before the domain runs; once
 * the front end connects, its rings are served and it joins its bridge
 * (bridge.h) with the anti-spoofing rule from mac= and ip=.
 */
#ifndef DOM0_NETBACK_H
#define DOM0_NETBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vfr.h"
#include "xlvif.h"

struct netif;
struct xbe_dev;
struct br_port;

struct vif {
	struct vif *next;
	uint16_t domid;
	uint32_t devid;
	struct xl_vif cfg; /* mac always set (the default if not given) */
	struct netif *netif; /* connected rings (netback.c) */
	struct br_port *port; /* on the bridge while connected */
	struct vfr_acl acl; /* its VFR rules (vfr=, xl vfr-add), counted */
	/* netback's: faults already logged (once per kind), connections. */
	uint32_t logged;
	unsigned int connects;
	/* Counters for xl network-list, as the guest sees them. */
	uint64_t tx_packets, tx_bytes, tx_errors; /* from the guest */
	uint64_t tx_sg; /* packets that came in more than one slot */
	uint64_t rx_packets, rx_bytes, rx_dropped; /* to the guest */
};

void netback_start(void);

/* Add VIF devid of domid and write its xenstore nodes. 0 or -errno. */
int vif_add(uint16_t domid, uint32_t devid, const struct xl_vif *cfg, char *err,
	    size_t errlen);
/* Detach one VIF from a running domain (clean close, forced on timeout). */
int vif_detach(uint16_t domid, uint32_t devid, char *err, size_t errlen);
/* Every VIF of domid goes (the domain is being destroyed). */
void vif_remove_domain(uint16_t domid);
struct vif *vif_find(uint16_t domid, uint32_t devid);
struct vif *vif_first(void);

/* netback.c's part of a device's life, called by the xenbus callbacks. */
int netif_connect(struct vif *v, struct xbe_dev *d);
void netif_disconnect(struct vif *v);

#endif
