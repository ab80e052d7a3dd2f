/*
 * The xenstore ring transport (ring.c): moves bytes between a domain's
 * shared ring page (struct xenstore_domain_interface) and its connection
 * in the store. Pure code, like the store: the caller maps the page,
 * binds the event channel and notifies when told to, so the host unit
 * test can drive it on an ordinary buffer.
 *
 * The page is the guest's and may change under us at any time. So:
 *  - our own indices (req_cons, rsp_prod) are kept here and only written
 *    to the page, never read back from it;
 *  - the guest's indices (req_prod, rsp_cons) are read once per pass and
 *    checked: a distance over the ring size means the guest broke the
 *    ring, and the connection is stopped with error RINGIDX;
 *  - request bytes are copied out of the page before the store sees them;
 *  - a payload over XENSTORE_PAYLOAD_MAX stops the connection with PROTO.
 * A stopped ("bad") connection is ignored, as C xenstored ignores one,
 * until the guest asks for a reconnection (connection = RECONNECT).
 */
#ifndef XENOLITH_XS_RING_H
#define XENOLITH_XS_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/io/xs_wire.h>
#include "xenstored.h"

/* Request bytes taken from one ring in one pass (fairness). */
#define XS_RING_BUDGET XENSTORE_RING_SIZE

struct xs_ring {
	struct xenstore_domain_interface *intf;
	struct xs_conn *conn;
	uint32_t req_cons; /* ours: next request byte to take */
	uint32_t rsp_prod; /* ours: next response byte to write */
	uint32_t seen_req_prod; /* the guest's indices at the last pass */
	uint32_t seen_rsp_cons;
	bool kicked; /* output was queued for it since the last pass */
	uint32_t error; /* XENSTORE_ERROR_* while stopped, else NONE */
	unsigned int resets; /* reconnections served */
};

/* What a pass did (bits of xs_ring_serve's result). */
#define XS_RING_NOTIFY 1u /* indices moved: signal the event channel */
#define XS_RING_MORE 2u /* input left over for lack of budget */
#define XS_RING_STOPPED 4u /* this pass found the guest misbehaving */
#define XS_RING_RESET 8u /* the guest's reconnection was served */

/*
 * Start serving the ring: advertise our features and take the indices
 * as the guest left them (it may have queued requests already).
 */
void xs_ring_attach(struct xs_ring *r, struct xenstore_domain_interface *intf,
		    struct xs_conn *conn);

/**
 * xs_ring_serve - one pass over a ring
 * @r: the ring
 * @budget: request bytes to take at most
 *
 * Serves a reconnection request, writes queued output, feeds up to
 * @budget request bytes to the store, and writes the replies.
 * Return: XS_RING_* bits.
 */
unsigned int xs_ring_serve(struct xs_ring *r, size_t budget);

/*
 * True if a pass may have something to do: the guest moved an index since
 * the last pass, asked for a reconnection, or output was kicked.
 */
bool xs_ring_pending(const struct xs_ring *r);

/* A short name for r->error, for the log. */
const char *xs_ring_error_name(uint32_t error);

#endif
