/*
 * xenstored: the store of Xen's xenstore protocol (include/xen/io/xs_wire.h),
 * as pure code. It knows nothing of rings, pages or event channels; the
 * code that links it (domain 0, or the host unit test) moves bytes.
 *
 * The model:
 *  - A store holds the tree, the per-domain accounting and the connections.
 *  - A connection is one client: a domain's ring (created by INTRODUCE,
 *    gone at RELEASE or domain death) or an in-process client of domain 0
 *    (xs_conn_new). Watches and transactions belong to a connection.
 *    Connections of domain 0 are privileged; all others are not.
 *  - Requests go in as whole messages (xs_process) or as a byte stream
 *    (xs_conn_feed, for a ring). Replies and watch events come out of the
 *    connection they are meant for, as a byte stream
 *    (xs_conn_read_output, for a ring) or whole messages (xs_conn_pop).
 *    Queuing output on a connection calls ops->kick for it.
 *
 * Driving it from domain 0, per domain ring:
 *    on the event channel:  copy req[cons..prod) into xs_conn_feed(), advance
 *                           req_cons by what it consumed; then copy
 *                           xs_conn_read_output() into rsp while space
 *                           remains; notify. A negative return from
 *                           xs_conn_feed() means the guest broke the
 *                           protocol: set the ring's error field and stop
 *                           serving it (the connection stays until RELEASE).
 *    on ops->kick(conn):    the same output step for that connection.
 *    on VIRQ_DOM_EXC:       xs_domain_shutdown() / xs_domain_destroyed().
 * All calls are made from one thread; the store takes no locks.
 *
 * Errors are Linux errno values (as in xsd_errors), returned negated.
 */
#ifndef XENOLITH_XENSTORED_H
#define XENOLITH_XENSTORED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/io/xs_wire.h>

struct xs_store;
struct xs_conn;

/* Error numbers used by the store (Linux numbering, as xsd_errors). */
#define XS_EPERM 1
#define XS_ENOENT 2
#define XS_EIO 5
#define XS_E2BIG 7
#define XS_EAGAIN 11
#define XS_ENOMEM 12
#define XS_EACCES 13
#define XS_EBUSY 16
#define XS_EEXIST 17
#define XS_EINVAL 22
#define XS_ENOSPC 28
#define XS_ENOSYS 38
#define XS_EPROTO 71

/* Largest message, header included. */
#define XS_MSG_MAX (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX)

/*
 * Limits for unprivileged domains (domain 0 has none). The defaults are
 * C xenstored's; a limit hit answers ENOSPC (nodes, node size, permissions,
 * transactions, nodes touched by a transaction) or E2BIG (watches, request
 * size), the error names xenstored uses. trans_bytes (ours, 512 KiB, also
 * ENOSPC) bounds the snapshots a domain's open transactions hold.
 */
struct xs_quota {
	uint32_t nodes; /* nodes owned by the domain (1000) */
	uint32_t watches; /* watches of one connection (128) */
	uint32_t transactions; /* open transactions of one connection (10) */
	uint32_t node_size; /* value + child names + permissions (2048) */
	uint32_t perms; /* permission entries per node (5) */
	uint32_t trans_nodes; /* nodes one transaction may touch (1024) */
	uint32_t trans_bytes; /* memory of a connection's transactions */
	uint32_t request; /* request payload bytes (XENSTORE_PAYLOAD_MAX) */
	/*
	 * Output backlog of a connection, in bytes. At out_stall the
	 * connection's input is not consumed until it reads its replies; at
	 * out_drop its watch events are dropped (and logged). These apply to
	 * every connection.
	 */
	uint32_t out_stall;
	uint32_t out_drop;
};

/* What the store asks of its environment. Any member may be NULL. */
struct xs_ops {
	/*
	 * INTRODUCE for a new domain (rebind false): map its ring page `mfn`
	 * and bind `port`, remembering `conn` for it. For a domain already
	 * introduced with the same mfn (rebind true): bind `port` afresh.
	 * Returns 0 or a negative errno, which fails the INTRODUCE.
	 * NULL: introduction always succeeds (tests).
	 */
	int (*introduce)(void *priv, struct xs_conn *conn, uint64_t mfn,
			 uint32_t port, bool rebind);
	/* A domain connection is going away: unmap and unbind. */
	void (*release)(void *priv, struct xs_conn *conn);
	/*
	 * Output was queued on `conn`. It may read the output at once but
	 * must not serve requests or free connections from inside the call.
	 */
	void (*kick)(void *priv, struct xs_conn *conn);
	/* A misbehaving client or an internal problem; `conn` may be NULL. */
	void (*log)(void *priv, struct xs_conn *conn, const char *msg);
};

/* ---- the store ---- */

/*
 * A store holding "/" (owner 0, no access for others) and the special
 * nodes @introduceDomain and @releaseDomain (the same). NULL on ENOMEM.
 */
struct xs_store *xs_store_new(const struct xs_ops *ops, void *priv);
/* Free everything, connections included (ops->release is not called). */
void xs_store_free(struct xs_store *st);
/* The limits in force; change them in place. */
struct xs_quota *xs_store_quota(struct xs_store *st);
/*
 * Check the store's invariants (every node listed by its parent and vice
 * versa, the per-domain node counts). 0 if sound, else -XS_EIO with the
 * first problem in `why`.
 */
int xs_store_check(struct xs_store *st, char *why, size_t size);
/* Number of nodes in the store. */
uint32_t xs_store_nodes(const struct xs_store *st);
/* Nodes owned by `domid`. */
uint32_t xs_store_owned(const struct xs_store *st, uint16_t domid);

/* ---- connections ---- */

/* A new in-process client acting as `domid` (privileged iff 0). */
struct xs_conn *xs_conn_new(struct xs_store *st, uint16_t domid);
/* Close an in-process client: its watches and transactions go too. */
void xs_conn_free(struct xs_conn *conn);
/*
 * Drop the connection's watches, transactions, partial input and queued
 * output, and clear its broken mark: the ring reconnection of
 * docs/misc/xenstore-ring.txt. The connection itself stays.
 */
void xs_conn_reset(struct xs_conn *conn);
/* The introduced domain's connection, or NULL. */
struct xs_conn *xs_domain_conn(struct xs_store *st, uint16_t domid);
uint16_t xs_conn_domid(const struct xs_conn *conn);
void xs_conn_set_priv(struct xs_conn *conn, void *priv);
void *xs_conn_priv(const struct xs_conn *conn);
/* The connection broke the protocol (oversized payload): serve it no more. */
bool xs_conn_broken(const struct xs_conn *conn);
/* Number of watches and open transactions of the connection. */
uint32_t xs_conn_watches(const struct xs_conn *conn);
uint32_t xs_conn_transactions(const struct xs_conn *conn);

/* ---- requests in ---- */

/**
 * xs_process - serve one whole request
 * @conn: the client it came from
 * @msg: struct xsd_sockmsg header followed by its payload
 * @len: bytes at @msg; must be sizeof(header) + header.len
 *
 * The reply (or an XS_ERROR reply naming the error) is queued on @conn;
 * watch events it causes are queued on the connections that watch. A
 * length mismatch is answered with EINVAL, a payload over
 * XENSTORE_PAYLOAD_MAX with E2BIG.
 *
 * Return: 0 when a reply was queued (whether success or error reply),
 * -XS_EINVAL if @len is too short to hold a header (nothing is queued),
 * -XS_ENOMEM if not even the error reply could be queued.
 */
int xs_process(struct xs_conn *conn, const void *msg, size_t len);

/**
 * xs_conn_feed - take request bytes from a byte stream (a ring)
 * @conn: the client
 * @data: bytes, in order, continuing whatever was fed before
 * @len: number of bytes
 *
 * Messages are reassembled and served as they complete. Before starting
 * on a new message, feeding stops if the connection's output backlog has
 * reached quota.out_stall: read its output, then feed the rest.
 *
 * Return: bytes consumed (0..@len), or -XS_EPROTO if the client sent a
 * header with a payload length over XENSTORE_PAYLOAD_MAX: the connection
 * is then broken for good and consumes nothing more.
 */
long xs_conn_feed(struct xs_conn *conn, const void *data, size_t len);

/* ---- replies and events out ---- */

/* Bytes of output queued on the connection. */
size_t xs_conn_output_pending(const struct xs_conn *conn);
/* Copy up to `max` bytes of output into `buf` and consume them. */
size_t xs_conn_read_output(struct xs_conn *conn, void *buf, size_t max);
/*
 * Copy the next whole message (header and payload) into `buf` and consume
 * it. Returns its size, or 0 if there is none, if `max` is too small
 * (XS_MSG_MAX always suffices) or if part of it was already read as bytes.
 */
size_t xs_conn_pop(struct xs_conn *conn, void *buf, size_t max);

/* ---- domains (the INTRODUCE family, callable in-process) ---- */

/* As INTRODUCE from domain 0: 0 or a negative errno. */
int xs_domain_introduce(struct xs_store *st, uint16_t domid, uint64_t mfn,
			uint32_t port);
/* As RELEASE from domain 0: fires @releaseDomain, frees the connection. */
int xs_domain_release(struct xs_store *st, uint16_t domid);
/* The domain has shut down: fire @releaseDomain once (until RESUME). */
void xs_domain_shutdown(struct xs_store *st, uint16_t domid);
/* The domain is dying: fire @releaseDomain and drop its connection. */
void xs_domain_destroyed(struct xs_store *st, uint16_t domid);

#endif
