/*
 * The virtual firewall-router's pure logic (dom0/lib/fdb.c, vfr.c), which
 * the host unit test drives; dom0/backends/bridge.c moves the frames.
 *
 * fdb: a learning bridge's forwarding table, MAC address -> port, with
 * entries aging out after FDB_AGE_NS; when full, the oldest goes.
 * vfr_check: a VIF's anti-spoofing rule: frames must come from its MAC
 * and, if it has addresses, IPv4 and ARP must come from one of them
 * (0.0.0.0 is allowed for a DHCP client; other protocols pass).
 * vfr_csum_fill: a frame whose front end left the TCP or UDP checksum to
 * us (NETTXF_csum_blank) gets it before it leaves for a real card.
 * vfr_acl_match: a VIF's accept/drop rules (vif line vfr=, xl vfr-add),
 * first match wins; the caller counts and acts.
 */
#ifndef DOM0_VFR_H
#define DOM0_VFR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "xlvif.h"

#define FDB_SIZE 256
#define FDB_AGE_NS (300ULL * 1000000000ULL)
#define VFR_IP_MAX 4

struct fdb_entry {
	uint8_t mac[6];
	bool used;
	int port;
	uint64_t seen;
};

struct fdb {
	struct fdb_entry e[FDB_SIZE];
};

void fdb_learn(struct fdb *f, const uint8_t mac[6], int port, uint64_t now);
/* The port that has mac, or -1 (unknown, aged out). */
int fdb_lookup(const struct fdb *f, const uint8_t mac[6], uint64_t now);
void fdb_forget_port(struct fdb *f, int port);

struct vfr_rule {
	uint8_t mac[6];
	uint32_t ip[VFR_IP_MAX];
	unsigned int nip; /* 0: any address */
};

enum vfr_verdict {
	VFR_ACCEPT,
	VFR_RUNT, /* shorter than its headers say */
	VFR_SPOOF_MAC,
	VFR_SPOOF_IP,
};

enum vfr_verdict vfr_check(const struct vfr_rule *r, const uint8_t *frame,
			   size_t len);
/* A VIF's rules and a count per rule of the frames each matched. */
struct vfr_acl {
	struct xlvif_rule rule[XLVIF_RULES_MAX];
	unsigned int n;
	uint64_t packets[XLVIF_RULES_MAX], bytes[XLVIF_RULES_MAX];
};

/*
 * The first rule matching a frame going dir (XLVIF_IN: to the guest,
 * XLVIF_OUT: from it): its index, or -1. One 802.1Q tag is looked
 * through; a port rule never matches a non-first IPv4 fragment (the
 * first, which has the ports, is matched, so the packet is whole or
 * lost).
 */
int vfr_acl_match(const struct vfr_acl *a, const uint8_t *frame, size_t len,
		  unsigned int dir);

/* Fill a blank TCP/UDP-over-IPv4 checksum; false if not such a frame. */
bool vfr_csum_fill(uint8_t *frame, size_t len);

#endif
