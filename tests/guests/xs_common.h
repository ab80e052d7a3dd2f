/*
 * A minimal xenstore client over the guest's own ring, shared by the
 * xenstore test guests (xs_client.c, xs_hostile.c), and a writer for the
 * PV console ring.
 *
 * The store and console pages are the domain's own frames in its
 * start-of-day region: start_info gives their MFNs, the M2P their PFNs,
 * and the region maps PFN p at virt_base + p * 4096. Waiting is a block
 * with a 5 ms timer, woken early by the ring's event channel.
 *
 * Requests are synchronous: one in flight at a time (xsc_request).
 * Watch events that arrive meanwhile are kept for xsc_wait_watch. Every
 * wait has a deadline, so a silent domain 0 fails a check, never hangs.
 *
 * Everything is static: each guest is one translation unit.
 */
#ifndef XS_COMMON_H
#define XS_COMMON_H

#include <pv/hypercall.h>
#include <pv/libpv.h>
#include <xen/event_channel.h>
#include <xen/io/console.h>
#include <xen/io/xs_wire.h>
#include "klib.h"

#define __unused __attribute__((unused))

#define XSC_M2P ((const volatile uint64_t *)0xffff800000000000UL)
#define XSC_MS 1000000ULL
#define XSC_TIMEOUT (20000 * XSC_MS) /* for any one reply */
#define XSC_MAX_EVENTS 16

struct xsc_event {
	char path[128], token[32];
};

static struct xenstore_domain_interface *xsc_intf;
static struct xencons_interface *xsc_cons;
static uint32_t xsc_port, xsc_cons_port, xsc_req_id = 1;
static struct xsc_event xsc_events[XSC_MAX_EVENTS];
static unsigned int xsc_nevents;
static char xsc_msg[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX + 1];

static inline void xsc_mb(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static inline uint32_t xsc_get(const uint32_t *p)
{
	return *(const volatile uint32_t *)p;
}

static inline void xsc_set(uint32_t *p, uint32_t v)
{
	*(volatile uint32_t *)p = v;
}

static void xsc_nop_handler(uint32_t port)
{
	(void)port;
}

static long xsc_evtchn_send(uint32_t port)
{
	struct evtchn_send s = { port };

	return HYPERVISOR_event_channel_op(EVTCHNOP_send, &s);
}

static void *xsc_own_frame(uint64_t mfn)
{
	return (void *)(pv_virt_base() + (XSC_M2P[mfn] << 12));
}

/* Map the rings, and arrange for a block to end on their events. */
static __unused void xsc_init(void)
{
	struct evtchn_bind_virq timer = { .virq = VIRQ_TIMER };

	xsc_intf = xsc_own_frame(start_info->store_mfn);
	xsc_port = start_info->store_evtchn;
	xsc_cons = xsc_own_frame(start_info->console.domU.mfn);
	xsc_cons_port = start_info->console.domU.evtchn;
	if (!HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &timer)) {
		pv_bind_handler(timer.port, xsc_nop_handler);
		pv_unmask(timer.port);
	}
	pv_bind_handler(xsc_port, xsc_nop_handler);
	pv_unmask(xsc_port);
	pv_bind_handler(xsc_cons_port, xsc_nop_handler);
	pv_unmask(xsc_cons_port);
	pv_events_enable();
}

/* Sleep until an event or 5 ms have passed. */
static void xsc_pause(void)
{
	pv_block_timeout(pv_now() + 5 * XSC_MS);
}

static __unused void xsc_sleep(uint64_t ns)
{
	uint64_t until = pv_now() + ns;

	while (pv_now() < until)
		xsc_pause();
}

/* --- Raw ring access ------------------------------------------------------ */

/* Put n request bytes on the ring, waiting for room. False on timeout. */
static __unused bool xsc_put(const void *data, size_t n)
{
	const char *p = data;
	uint64_t deadline = pv_now() + XSC_TIMEOUT;

	while (n) {
		uint32_t cons = xsc_get(&xsc_intf->req_cons);
		uint32_t prod = xsc_get(&xsc_intf->req_prod);
		uint32_t room = XENSTORE_RING_SIZE - (prod - cons);

		if (prod - cons >= XENSTORE_RING_SIZE) {
			if (pv_now() > deadline)
				return false;
			xsc_evtchn_send(xsc_port);
			xsc_pause();
			continue;
		}
		if (room > n)
			room = (uint32_t)n;
		for (uint32_t i = 0; i < room; i++)
			xsc_intf->req[MASK_XENSTORE_IDX(prod + i)] = p[i];
		xsc_mb();
		xsc_set(&xsc_intf->req_prod, prod + room);
		p += room;
		n -= room;
	}
	xsc_evtchn_send(xsc_port);
	return true;
}

/* Take exactly n response bytes, waiting for them. False on timeout. */
static bool xsc_take(void *data, size_t n, uint64_t deadline)
{
	char *p = data;

	while (n) {
		uint32_t cons = xsc_get(&xsc_intf->rsp_cons);
		uint32_t prod = xsc_get(&xsc_intf->rsp_prod);
		uint32_t avail = prod - cons;

		if (!avail || avail > XENSTORE_RING_SIZE) {
			if (pv_now() > deadline)
				return false;
			xsc_pause();
			continue;
		}
		xsc_mb();
		if (avail > n)
			avail = (uint32_t)n;
		for (uint32_t i = 0; i < avail; i++)
			p[i] = xsc_intf->rsp[MASK_XENSTORE_IDX(cons + i)];
		xsc_mb();
		xsc_set(&xsc_intf->rsp_cons, cons + avail);
		xsc_evtchn_send(xsc_port);
		p += avail;
		n -= avail;
	}
	return true;
}

/* One whole message into xsc_msg (payload NUL-terminated). */
static bool xsc_take_msg(struct xsd_sockmsg *hdr, uint64_t deadline)
{
	if (!xsc_take(hdr, sizeof(*hdr), deadline) ||
	    hdr->len > XENSTORE_PAYLOAD_MAX ||
	    !xsc_take(xsc_msg, hdr->len, deadline))
		return false;
	xsc_msg[hdr->len] = '\0';
	return true;
}

static void xsc_keep_event(const struct xsd_sockmsg *hdr)
{
	struct xsc_event *e;
	size_t plen = strnlen(xsc_msg, hdr->len);

	if (xsc_nevents == XSC_MAX_EVENTS || plen + 1 >= hdr->len)
		return;
	e = &xsc_events[xsc_nevents++];
	strlcpy(e->path, xsc_msg, sizeof(e->path));
	strlcpy(e->token, xsc_msg + plen + 1, sizeof(e->token));
}

/* --- Requests --------------------------------------------------------------- */

static int xsc_errno(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(xsd_errors); i++)
		if (!strcmp(xsd_errors[i].errstring, name))
			return xsd_errors[i].errnum;
	return 5; /* EIO */
}

/*
 * Send type with a payload of len bytes and wait for its reply, keeping
 * watch events that come first. Returns the reply's payload length (the
 * payload is in xsc_msg), -errno for an error reply, -1000 on timeout.
 */
static __unused long xsc_raw(uint32_t type, uint32_t tx, const void *payload,
			     uint32_t len)
{
	struct xsd_sockmsg hdr = { type, xsc_req_id++, tx, len };
	uint32_t id = hdr.req_id;
	uint64_t deadline = pv_now() + XSC_TIMEOUT;

	if (!xsc_put(&hdr, sizeof(hdr)) || !xsc_put(payload, len))
		return -1000;
	for (;;) {
		if (!xsc_take_msg(&hdr, deadline))
			return -1000;
		if (hdr.type == XS_WATCH_EVENT) {
			xsc_keep_event(&hdr);
			continue;
		}
		if (hdr.req_id != id)
			continue; /* a stale reply */
		if (hdr.type == XS_ERROR)
			return -xsc_errno(xsc_msg);
		return hdr.len;
	}
}

/* Request made of NUL-terminated strings; the last one's NUL omitted if
 * raw_last (a WRITE's value). */
static long xsc_request(uint32_t type, uint32_t tx, const char *a,
			const char *b, bool raw_last)
{
	static char buf[XENSTORE_PAYLOAD_MAX];
	size_t la = strlen(a) + (b || !raw_last);
	size_t lb = b ? strlen(b) + !raw_last : 0;

	if (la + lb > sizeof(buf))
		return -7; /* E2BIG */
	memcpy(buf, a, la);
	if (b)
		memcpy(buf + la, b, lb);
	return xsc_raw(type, tx, buf, (uint32_t)(la + lb));
}

/* READ into out (NUL-terminated); length or -errno. */
static __unused long xsc_read(uint32_t tx, const char *path, char *out,
			      size_t n)
{
	long r = xsc_request(XS_READ, tx, path, NULL, false);

	if (r >= 0 && n) {
		size_t c = (size_t)r < n - 1 ? (size_t)r : n - 1;

		memcpy(out, xsc_msg, c);
		out[c] = '\0';
	}
	return r;
}

static __unused long xsc_write(uint32_t tx, const char *path, const char *v)
{
	long r = xsc_request(XS_WRITE, tx, path, v, true);

	return r < 0 ? r : 0;
}

static __unused long xsc_simple(uint32_t type, uint32_t tx, const char *a,
				const char *b)
{
	long r = xsc_request(type, tx, a, b, false);

	return r < 0 ? r : 0;
}

/* Whether the NUL-separated list in xsc_msg (len bytes) holds name. */
static __unused bool xsc_listed(long len, const char *name)
{
	for (long i = 0; i < len; i += (long)strlen(xsc_msg + i) + 1)
		if (!strcmp(xsc_msg + i, name))
			return true;
	return false;
}

static __unused long xsc_tx_start(uint32_t *tx)
{
	long r = xsc_raw(XS_TRANSACTION_START, 0, "", 1);
	uint32_t id = 0;

	if (r < 0)
		return r;
	for (const char *p = xsc_msg; *p >= '0' && *p <= '9'; p++)
		id = id * 10 + (uint32_t)(*p - '0');
	*tx = id;
	return id ? 0 : -22;
}

static __unused long xsc_tx_end(uint32_t tx, bool commit)
{
	long r = xsc_raw(XS_TRANSACTION_END, tx, commit ? "T" : "F", 2);

	return r < 0 ? r : 0;
}

/*
 * Wait for a watch event with this path and token (kept earlier or new);
 * it is consumed. False if none came within timeout.
 */
static __unused bool xsc_wait_watch(const char *path, const char *token,
				    uint64_t timeout)
{
	uint64_t deadline = pv_now() + timeout;
	struct xsd_sockmsg hdr;

	for (;;) {
		for (unsigned int i = 0; i < xsc_nevents; i++) {
			struct xsc_event *e = &xsc_events[i];

			if (strcmp(e->path, path) || strcmp(e->token, token))
				continue;
			xsc_events[i] = xsc_events[--xsc_nevents];
			return true;
		}
		if (!xsc_take_msg(&hdr, deadline))
			return false;
		if (hdr.type == XS_WATCH_EVENT)
			xsc_keep_event(&hdr);
	}
}

/* --- Console ------------------------------------------------------------------ */

/* Write a string on the console ring (what hvc0 would), waiting for room. */
static __unused bool xsc_console_write(const char *s)
{
	size_t n = strlen(s);
	uint64_t deadline = pv_now() + XSC_TIMEOUT;

	while (n) {
		uint32_t cons = xsc_get(&xsc_cons->out_cons);
		uint32_t prod = xsc_get(&xsc_cons->out_prod);
		uint32_t room = sizeof(xsc_cons->out) - (prod - cons);

		if (prod - cons >= sizeof(xsc_cons->out)) {
			if (pv_now() > deadline)
				return false;
			xsc_evtchn_send(xsc_cons_port);
			xsc_pause();
			continue;
		}
		if (room > n)
			room = (uint32_t)n;
		for (uint32_t i = 0; i < room; i++)
			xsc_cons
			    ->out[MASK_XENCONS_IDX(prod + i, xsc_cons->out)] =
			    s[i];
		xsc_mb();
		xsc_set(&xsc_cons->out_prod, prod + room);
		s += room;
		n -= room;
	}
	xsc_evtchn_send(xsc_cons_port);
	return true;
}

/* "key=value" number from the command line, or def. */
static __unused long xsc_arg(const char *key, long def)
{
	return pv_arg(key, def);
}

#endif
