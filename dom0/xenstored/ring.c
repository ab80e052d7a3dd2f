/*
 * The xenstore ring transport: one pass moves a bounded amount of request
 * bytes from a domain's ring into its connection and as much output as
 * fits back. See xs_ring.h for the rules the guest's page is held to.
 *
 * Ordering: we read the guest's producer index, then (after a barrier) the
 * bytes it covers; we write bytes, then (after a barrier) our producer
 * index. The guest's indices are read once per use through volatile
 * accesses, so a guest changing them mid-pass cannot make us see two
 * different values.
 */
#include <klib.h>
#include "xs_ring.h"

#define RING_MASK(i) ((i) & (XENSTORE_RING_SIZE - 1))

static inline void ring_mb(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static inline uint32_t read_once(const uint32_t *p)
{
	return *(const volatile uint32_t *)p;
}

static inline void write_once(uint32_t *p, uint32_t v)
{
	*(volatile uint32_t *)p = v;
}

static void stop(struct xs_ring *r, uint32_t error)
{
	r->error = error;
	write_once(&r->intf->error, error);
}

void xs_ring_attach(struct xs_ring *r, struct xenstore_domain_interface *intf,
		    struct xs_conn *conn)
{
	r->intf = intf;
	r->conn = conn;
	r->error = XENSTORE_ERROR_NONE;
	r->resets = 0;
	r->kicked = true; /* requests queued before we came */
	r->req_cons = read_once(&intf->req_cons);
	r->rsp_prod = read_once(&intf->rsp_prod);
	write_once(&intf->error, XENSTORE_ERROR_NONE);
	ring_mb();
	write_once(&intf->server_features,
		   XENSTORE_SERVER_FEATURE_RECONNECTION |
		       XENSTORE_SERVER_FEATURE_ERROR);
}

const char *xs_ring_error_name(uint32_t error)
{
	switch (error) {
	case XENSTORE_ERROR_NONE:
		return "none";
	case XENSTORE_ERROR_COMM:
		return "communication";
	case XENSTORE_ERROR_RINGIDX:
		return "ring index out of range";
	case XENSTORE_ERROR_PROTO:
		return "protocol violation";
	}
	return "unknown";
}

/*
 * Reconnection (docs/misc/xenstore-ring.txt): empty both queues, forget
 * the connection's requests, watches and transactions, then report the
 * ring connected again. Indices restart at 0, as C xenstored does.
 */
static void reconnect(struct xs_ring *r)
{
	struct xenstore_domain_interface *intf = r->intf;

	xs_conn_reset(r->conn);
	r->req_cons = r->rsp_prod = 0;
	r->seen_req_prod = r->seen_rsp_cons = 0;
	r->error = XENSTORE_ERROR_NONE;
	r->resets++;
	write_once(&intf->req_cons, 0);
	write_once(&intf->req_prod, 0);
	write_once(&intf->rsp_cons, 0);
	write_once(&intf->rsp_prod, 0);
	write_once(&intf->error, XENSTORE_ERROR_NONE);
	ring_mb();
	write_once(&intf->connection, XENSTORE_CONNECTED);
}

/* Queued output into rsp while it fits. Returns bytes written, or -1. */
static long push_output(struct xs_ring *r)
{
	struct xenstore_domain_interface *intf = r->intf;
	uint32_t cons = read_once(&intf->rsp_cons);
	uint32_t used = r->rsp_prod - cons;
	long done = 0;

	if (used > XENSTORE_RING_SIZE)
		return -1;
	ring_mb(); /* the guest's consumption before our overwrite */
	while (used < XENSTORE_RING_SIZE && xs_conn_output_pending(r->conn)) {
		uint32_t off = RING_MASK(r->rsp_prod);
		size_t room = XENSTORE_RING_SIZE - used;
		size_t n;

		if (room > XENSTORE_RING_SIZE - off)
			room = XENSTORE_RING_SIZE - off; /* up to the wrap */
		n = xs_conn_read_output(r->conn, intf->rsp + off, room);
		if (!n)
			break;
		r->rsp_prod += (uint32_t)n;
		used += (uint32_t)n;
		done += (long)n;
	}
	if (done) {
		ring_mb(); /* bytes before the index that covers them */
		write_once(&intf->rsp_prod, r->rsp_prod);
	}
	return done;
}

/*
 * Up to budget request bytes into the store. Returns bytes consumed,
 * -1 for impossible indices, -2 for a protocol violation. *left says
 * whether input remains that only the budget held back.
 */
static long pull_input(struct xs_ring *r, size_t budget, bool *left)
{
	struct xenstore_domain_interface *intf = r->intf;
	char buf[XENSTORE_RING_SIZE];
	uint32_t prod = read_once(&intf->req_prod);
	uint32_t avail = prod - r->req_cons;
	uint32_t off = RING_MASK(r->req_cons);
	size_t n, first;
	long used;

	*left = false;
	if (avail > XENSTORE_RING_SIZE)
		return -1;
	n = avail < budget ? avail : budget;
	if (!n)
		return 0;
	ring_mb(); /* the index before the bytes it covers */
	first = n < XENSTORE_RING_SIZE - off ? n : XENSTORE_RING_SIZE - off;
	memcpy(buf, intf->req + off, first);
	memcpy(buf + first, intf->req, n - first);
	used = xs_conn_feed(r->conn, buf, n);
	if (used < 0)
		return -2;
	if (used) {
		r->req_cons += (uint32_t)used;
		ring_mb(); /* done reading the bytes before releasing them */
		write_once(&intf->req_cons, r->req_cons);
	}
	/* All taken but the budget stopped us short of prod: come back. */
	*left = (size_t)used == n && n < avail;
	return used;
}

unsigned int xs_ring_serve(struct xs_ring *r, size_t budget)
{
	struct xenstore_domain_interface *intf = r->intf;
	unsigned int res = 0;
	bool left = false;
	long out1, in, out2;

	r->kicked = false;
	r->seen_req_prod = read_once(&intf->req_prod);
	r->seen_rsp_cons = read_once(&intf->rsp_cons);
	if (read_once(&intf->connection) == XENSTORE_RECONNECT) {
		reconnect(r);
		return XS_RING_RESET | XS_RING_NOTIFY;
	}
	if (r->error != XENSTORE_ERROR_NONE)
		return 0;
	out1 = push_output(r);
	in = out1 < 0 ? 0 : pull_input(r, budget, &left);
	out2 = (out1 < 0 || in < 0) ? 0 : push_output(r);
	if (out1 < 0 || in == -1 || out2 < 0) {
		stop(r, XENSTORE_ERROR_RINGIDX);
		return XS_RING_STOPPED | XS_RING_NOTIFY;
	}
	if (in == -2) {
		stop(r, XENSTORE_ERROR_PROTO);
		return XS_RING_STOPPED | XS_RING_NOTIFY;
	}
	if (out1 || in || out2)
		res |= XS_RING_NOTIFY;
	/*
	 * Input the store held back while its output was stalled may fit
	 * now that this pass pushed replies out: any progress with input
	 * still waiting means another pass, or nothing would wake one.
	 */
	if (left || ((out1 || in || out2) &&
		     read_once(&intf->req_prod) != r->req_cons))
		res |= XS_RING_MORE;
	return res;
}

bool xs_ring_pending(const struct xs_ring *r)
{
	const struct xenstore_domain_interface *intf = r->intf;

	if (read_once(&intf->connection) == XENSTORE_RECONNECT)
		return true;
	if (r->error != XENSTORE_ERROR_NONE)
		return false;
	/*
	 * Unchanged indices mean nothing new: input the store held back (its
	 * output is stalled) waits until the guest reads some replies, and
	 * replies read matter only if more output waits for the room.
	 */
	return r->kicked || read_once(&intf->req_prod) != r->seen_req_prod ||
	       (read_once(&intf->rsp_cons) != r->seen_rsp_cons &&
		xs_conn_output_pending(r->conn));
}
