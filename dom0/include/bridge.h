/*
 * The virtual firewall-router's bridges (dom0/backends/bridge.c): each a
 * learning bridge, named as a vif line's bridge= names it, joining VIFs
 * and domain 0's network card. A frame entering from a port is checked
 * against that port's rule (anti-spoofing; a VIF's, none for the card),
 * its source learned, and it goes to the port its destination was
 * learned on, or to every other port if unknown, broadcast or multicast.
 * Domain 0's card 0 joins xenbr0 with the first VIF that does.
 * Callers are threads of domain 0's cooperative scheduler.
 */
#ifndef DOM0_BRIDGE_H
#define DOM0_BRIDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vfr.h"

#define BR_MAX_FRAME 1518 /* a 1500-byte MTU, Ethernet and a VLAN tag */

/* Frame flags, as a VIF's front end gave them (NETTXF_ meanings). */
#define BR_CSUM_BLANK 1u /* the TCP/UDP checksum is still to be filled */
#define BR_DATA_VALIDATED 2u

struct br_port;
/* Take a copy of frame: it is only valid during the call. */
typedef void (*br_deliver_fn)(void *ctx, const uint8_t *frame, size_t len,
			      unsigned int flags);

struct br_counters {
	uint64_t in, out; /* frames accepted from it, delivered to it */
	uint64_t drop_mac, drop_ip, drop_runt, drop_big; /* its, dropped */
	uint64_t drop_rule; /* by its VIF's rules, either way */
};

/*
 * Join bridge (created if new). rule: the port's anti-spoofing rule, or
 * NULL for none (the card); it is copied. fill_csum: the port cannot
 * take blank checksums (a real card). NULL if the bridge is full.
 */
struct br_port *br_join(const char *bridge, const char *name,
			const struct vfr_rule *rule, bool fill_csum,
			br_deliver_fn fn, void *ctx);
/* Leave: no delivery to it after this returns. */
void br_leave(struct br_port *p);
/* A frame from port p (our own copy: a blank checksum may be filled). */
void br_input(struct br_port *p, uint8_t *frame, size_t len,
	      unsigned int flags);
void br_counters(const struct br_port *p, struct br_counters *c);
/*
 * The port's accept/drop rules (its VIF's: they may change while it is
 * on the bridge, and count into acl), checked on frames from it and to
 * it; NULL for none.
 */
void br_set_acl(struct br_port *p, struct vfr_acl *acl);

#endif
