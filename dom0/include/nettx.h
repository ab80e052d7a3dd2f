/*
 * The netif transmit ring's requests, checked (dom0/lib/nettx.c): pure
 * code the host unit test drives. netback copies each ring slot once
 * into a nettx_pkt (nettx_add) and acts only on what the copy says.
 *
 * A packet is one data slot, then the extra-info slots its first slot
 * announces, then more data slots while NETTXF_more_data is set. Faults
 * that leave the ring in step (a bad offset or size, an unsupported
 * extra) drop the packet; faults that mean the front end is broken (more
 * slots than we advertise, extras in a chain) disconnect the VIF.
 */
#ifndef DOM0_NETTX_H
#define DOM0_NETTX_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/io/netif.h>

#define NETTX_MAX_SLOTS XEN_NETIF_NR_SLOTS_MIN /* data slots a packet uses */
#define NETTX_MAX_EXTRAS 4
#define NETTX_PAGE 4096u
#define NETTX_ETH_HLEN 14

enum nettx_fault {
	NETTX_OK,
	/* Dropped: the ring stays in step. */
	NETTX_RUNT, /* first size below an Ethernet header (or 0) */
	NETTX_BEYOND_PAGE, /* offset + size beyond the granted page */
	NETTX_FRAG_EMPTY, /* a later slot of size 0 */
	NETTX_FRAGS_TOO_BIG, /* the later slots hold more than the packet */
	NETTX_GSO, /* segmentation offload, not advertised */
	/* Fatal: disconnect the VIF. */
	NETTX_FATAL,
	NETTX_TOO_MANY_SLOTS = NETTX_FATAL, /* more than advertised */
	NETTX_TOO_MANY_EXTRAS,
	NETTX_BAD_EXTRA, /* extra type 0 or unknown */
	NETTX_EXTRA_LATE, /* extra_info on a slot after the first */
	NETTX_NFAULTS
};

struct nettx_pkt {
	struct netif_tx_request req[NETTX_MAX_SLOTS]; /* data slots */
	unsigned int nreq;
	/* Every slot in ring order, for the responses: id, or -1 (extra). */
	int32_t resp_id[NETTX_MAX_SLOTS + NETTX_MAX_EXTRAS];
	unsigned int nslots;
	unsigned int extras_pending; /* extra slots still to come */
	bool more; /* the last data slot said more_data */
	enum nettx_fault fault; /* the first */
};

enum nettx_step { NETTX_NEED_MORE, NETTX_DONE, NETTX_BROKEN };

void nettx_begin(struct nettx_pkt *p);
/* Add the next slot (its 12 bytes, already in our memory). */
enum nettx_step nettx_add(struct nettx_pkt *p, const void *slot);
/* Bytes of data slot i (slot 0: what the later slots do not hold). */
uint32_t nettx_len(const struct nettx_pkt *p, unsigned int i);
const char *nettx_fault_name(enum nettx_fault f);

#endif
