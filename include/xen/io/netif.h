/*
 * The PV network protocol: two one-page rings per queue, both driven by
 * the frontend's requests.
 *
 *  - tx (guest sends): the frontend posts a packet as one request per
 *    granted buffer. The first request's `size` is the whole packet length,
 *    later ones give their fragment's length, and NETTXF_more_data on a
 *    request says another follows. NETTXF_extra_info says the next slot
 *    holds a struct netif_extra_info (GSO, multicast, hash), which can
 *    chain further extras with XEN_NETIF_EXTRA_FLAG_MORE. The backend
 *    answers every slot with a netif_tx_response. Extra-info slots get
 *    NETIF_RSP_NULL.
 *  - rx (guest receives): the frontend posts empty granted pages, and the
 *    backend copies a packet into them. It answers with netif_rx_response,
 *    whose status is the byte count (or a negative NETIF_RSP_*) and whose
 *    flags mirror the tx ones.
 *
 * Ring references, event channels and features are exchanged through
 * xenstore (Linux netfront requires the backend's feature-rx-copy).
 * A backend must accept packets of up to XEN_NETIF_NR_SLOTS_MIN tx slots.
 * Both one-page rings hold 256 slots.
 */
#ifndef XENOLITH_PUBLIC_IO_NETIF_H
#define XENOLITH_PUBLIC_IO_NETIF_H

#include "../grant_table.h"
#include "ring.h"

#define XEN_NETIF_NR_SLOTS_MIN 18

/* ---- tx ---------------------------------------------------------------- */

/* netif_tx_request.flags: bit numbers, then masks. */
#define _NETTXF_csum_blank 0 /* checksum field not yet filled in */
#define NETTXF_csum_blank (1U << _NETTXF_csum_blank)
#define _NETTXF_data_validated 1 /* checksum already verified */
#define NETTXF_data_validated (1U << _NETTXF_data_validated)
#define _NETTXF_more_data 2 /* another slot of this packet follows */
#define NETTXF_more_data (1U << _NETTXF_more_data)
#define _NETTXF_extra_info 3 /* next slot is a struct netif_extra_info */
#define NETTXF_extra_info (1U << _NETTXF_extra_info)

/* Largest packet a tx request chain may describe. */
#define XEN_NETIF_MAX_TX_SIZE 0xFFFF

struct netif_tx_request {
	grant_ref_t gref; /* buffer page */
	uint16_t offset; /* data offset in the page */
	uint16_t flags; /* NETTXF_* */
	uint16_t id; /* echoed in the response */
	uint16_t size; /* packet length (first slot) or fragment length */
};
typedef struct netif_tx_request netif_tx_request_t;

/* netif_extra_info.type */
#define XEN_NETIF_EXTRA_TYPE_NONE 0 /* invalid */
#define XEN_NETIF_EXTRA_TYPE_GSO 1
#define XEN_NETIF_EXTRA_TYPE_MCAST_ADD 2
#define XEN_NETIF_EXTRA_TYPE_MCAST_DEL 3
#define XEN_NETIF_EXTRA_TYPE_HASH 4
#define XEN_NETIF_EXTRA_TYPE_MAX 5

/* netif_extra_info.flags */
#define _XEN_NETIF_EXTRA_FLAG_MORE 0 /* another extra slot follows */
#define XEN_NETIF_EXTRA_FLAG_MORE (1U << _XEN_NETIF_EXTRA_FLAG_MORE)

/* netif_extra_info.u.gso.type */
#define XEN_NETIF_GSO_TYPE_NONE 0
#define XEN_NETIF_GSO_TYPE_TCPV4 1
#define XEN_NETIF_GSO_TYPE_TCPV6 2

/* An extra slot, in place of a tx request or rx response (8 bytes). */
struct netif_extra_info {
	uint8_t type; /* XEN_NETIF_EXTRA_TYPE_* */
	uint8_t flags; /* XEN_NETIF_EXTRA_FLAG_* */
	union {
		struct {
			uint16_t size; /* segment payload size (MSS) */
			uint8_t type; /* XEN_NETIF_GSO_TYPE_* */
			uint8_t pad;
			uint16_t features; /* none defined; 0 */
		} gso;
		struct {
			uint8_t addr[6]; /* multicast MAC address */
		} mcast;
		struct {
			uint8_t type; /* hash type (netif control protocol) */
			uint8_t algorithm; /* hash algorithm */
			uint8_t value[4]; /* hash value */
		} hash;
		uint16_t pad[3];
	} u;
};
typedef struct netif_extra_info netif_extra_info_t;

struct netif_tx_response {
	uint16_t id; /* the request's id */
	int16_t status; /* NETIF_RSP_* */
};
typedef struct netif_tx_response netif_tx_response_t;

/* ---- rx ---------------------------------------------------------------- */

struct netif_rx_request {
	uint16_t id; /* echoed in the response */
	uint16_t pad;
	grant_ref_t gref; /* empty page for the backend to fill */
};
typedef struct netif_rx_request netif_rx_request_t;

/* netif_rx_response.flags: bit numbers, then masks. */
#define _NETRXF_data_validated 0 /* checksum already verified */
#define NETRXF_data_validated (1U << _NETRXF_data_validated)
#define _NETRXF_csum_blank 1 /* checksum field not filled in */
#define NETRXF_csum_blank (1U << _NETRXF_csum_blank)
#define _NETRXF_more_data 2 /* the packet continues in the next slot */
#define NETRXF_more_data (1U << _NETRXF_more_data)
#define _NETRXF_extra_info 3 /* next slot is a struct netif_extra_info */
#define NETRXF_extra_info (1U << _NETRXF_extra_info)
#define _NETRXF_gso_prefix 4 /* slot is a GSO prefix, not packet data */
#define NETRXF_gso_prefix (1U << _NETRXF_gso_prefix)

struct netif_rx_response {
	uint16_t id; /* the request's id */
	uint16_t offset; /* data offset in the page */
	uint16_t flags; /* NETRXF_* */
	int16_t status; /* bytes received (>= 0) or NETIF_RSP_* */
};
typedef struct netif_rx_response netif_rx_response_t;

DEFINE_RING_TYPES(netif_tx, struct netif_tx_request, struct netif_tx_response);
DEFINE_RING_TYPES(netif_rx, struct netif_rx_request, struct netif_rx_response);

/* Response status. */
#define NETIF_RSP_DROPPED (-2)
#define NETIF_RSP_ERROR (-1)
#define NETIF_RSP_OKAY 0
#define NETIF_RSP_NULL 1 /* answer to an extra-info slot */

#endif
