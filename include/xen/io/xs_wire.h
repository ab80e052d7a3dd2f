/*
 * The xenstore wire protocol: what a client and the store daemon exchange,
 * either over a socket (dom0 tools) or over the shared ring page a guest is
 * given at boot (start_info.store_mfn, signalled on start_info.store_evtchn).
 *
 * A message is a 16-byte header (struct xsd_sockmsg) followed by `len`
 * payload bytes, at most XENSTORE_PAYLOAD_MAX. Payloads are NUL-separated
 * strings; a failed request is answered with type XS_ERROR and the errno
 * *name* ("ENOENT") plus a NUL as payload, never a number. The reply echoes
 * the request's req_id and tx_id; watch events arrive unsolicited as
 * XS_WATCH_EVENT with both ids 0.
 *
 * On the ring page each direction is a 1024-byte byte ring with free-running
 * 32-bit indices (taken modulo the ring size). A message may wrap around
 * the end of the ring and may arrive in several pieces; each side signals
 * the event channel after producing or consuming. The guest produces on req
 * and consumes rsp; the daemon does the reverse.
 */
#ifndef XENOLITH_PUBLIC_IO_XS_WIRE_H
#define XENOLITH_PUBLIC_IO_XS_WIRE_H

#include <stdint.h>

/* Message types (xsd_sockmsg.type). */
enum xsd_sockmsg_type {
	XS_CONTROL = 0, /* also XS_DEBUG */
	XS_DIRECTORY = 1,
	XS_READ = 2,
	XS_GET_PERMS = 3,
	XS_WATCH = 4,
	XS_UNWATCH = 5,
	XS_TRANSACTION_START = 6,
	XS_TRANSACTION_END = 7,
	XS_INTRODUCE = 8,
	XS_RELEASE = 9,
	XS_GET_DOMAIN_PATH = 10,
	XS_WRITE = 11,
	XS_MKDIR = 12,
	XS_RM = 13,
	XS_SET_PERMS = 14,
	XS_WATCH_EVENT = 15,
	XS_ERROR = 16,
	XS_IS_DOMAIN_INTRODUCED = 17,
	XS_RESUME = 18,
	XS_SET_TARGET = 19,
	/* 20 was XS_RESTRICT; retired, never reuse. */
	XS_RESET_WATCHES = 21,
	XS_DIRECTORY_PART = 22,
	XS_TYPE_COUNT = 23, /* one past the last valid type */
	XS_INVALID = 0xffff /* never a valid type */
};
#define XS_DEBUG XS_CONTROL

/* Legacy XS_WRITE mode words (old protocol; no longer sent). */
#define XS_WRITE_NONE "NONE"
#define XS_WRITE_CREATE "CREATE"
#define XS_WRITE_CREATE_EXCL "CREATE|EXCL"

/*
 * Error replies: the wire carries the name; errnum is the matching errno
 * value (Linux numbering, which Xen's errno.h shares).
 */
struct xsd_errors {
	int errnum;
	const char *errstring;
};

/* Every name a reply may carry, in Xen's order. */
/* clang-format off */
static const struct xsd_errors xsd_errors[] __attribute__((unused)) = {
	{ 22, "EINVAL" },
	{ 13, "EACCES" },
	{ 17, "EEXIST" },
	{ 21, "EISDIR" },
	{ 2, "ENOENT" },
	{ 12, "ENOMEM" },
	{ 28, "ENOSPC" },
	{ 5, "EIO" },
	{ 39, "ENOTEMPTY" },
	{ 38, "ENOSYS" },
	{ 30, "EROFS" },
	{ 16, "EBUSY" },
	{ 11, "EAGAIN" },
	{ 106, "EISCONN" },
	{ 7, "E2BIG" },
	{ 1, "EPERM" },
};
/* clang-format on */

/* Header of every message; `len` payload bytes follow. */
struct xsd_sockmsg {
	uint32_t type; /* enum xsd_sockmsg_type */
	uint32_t req_id; /* chosen by the client, echoed in the reply */
	uint32_t tx_id; /* transaction, or 0 for none */
	uint32_t len; /* payload bytes after the header */
};

/* Field order of an XS_WATCH_EVENT payload: "path\0token\0". */
enum xs_watch_type { XS_WATCH_PATH = 0, XS_WATCH_TOKEN = 1 };

/* The shared ring page. */
#define XENSTORE_RING_SIZE 1024
typedef uint32_t XENSTORE_RING_IDX;
#define MASK_XENSTORE_IDX(idx) ((idx) & (XENSTORE_RING_SIZE - 1))

struct xenstore_domain_interface {
	char req[XENSTORE_RING_SIZE]; /* guest -> daemon */
	char rsp[XENSTORE_RING_SIZE]; /* daemon -> guest, incl. watch events */
	XENSTORE_RING_IDX req_cons, req_prod;
	XENSTORE_RING_IDX rsp_cons, rsp_prod;
	uint32_t server_features; /* XENSTORE_SERVER_FEATURE_* the daemon has */
	uint32_t connection; /* XENSTORE_CONNECTED / XENSTORE_RECONNECT */
	uint32_t error; /* XENSTORE_ERROR_* */
};

/* Largest payload; a bigger one is a protocol violation. */
#define XENSTORE_PAYLOAD_MAX 4096

/* Longest path accepted: absolute, and relative to the domain's home. */
#define XENSTORE_ABS_PATH_MAX 3072
#define XENSTORE_REL_PATH_MAX 2048

/* server_features bits. */
#define XENSTORE_SERVER_FEATURE_RECONNECTION 1 /* connection field works */
#define XENSTORE_SERVER_FEATURE_ERROR 2 /* error field works */

/* connection values. */
#define XENSTORE_CONNECTED 0 /* normal operation */
#define XENSTORE_RECONNECT 1 /* guest asks for a reset; daemon clears it */

/* error values (set by the daemon when it gives up on the connection). */
#define XENSTORE_ERROR_NONE 0
#define XENSTORE_ERROR_COMM 1 /* communication problem */
#define XENSTORE_ERROR_RINGIDX 2 /* a ring index was impossible */
#define XENSTORE_ERROR_PROTO 3 /* protocol violation, e.g. oversized payload */

#endif
