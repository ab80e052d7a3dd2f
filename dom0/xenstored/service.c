/*
 * xenstored as a domain 0 service. One thread serves every domain's ring
 * (ring.c) in round-robin passes, taking at most XS_RING_BUDGET request
 * bytes from each ring per pass, so a domain flooding its ring delays the
 * others by one ring's worth of requests at most. Domain 0's own requests
 * (xs_read, xs_write, ...) are served in the caller's thread through an
 * in-process connection with domain 0's rights: threads are cooperative
 * and the store never waits, so no lock is needed.
 *
 * Misbehaviour of a domain is logged with its id, a few lines per domain
 * at most, so a guest cannot flood domain 0's console either.
 *
 * Test hook: with the domain 0 option "xs_echo", a write of V to
 * /local/domain/N/data/ping is answered by domain 0 writing V to
 * /local/domain/N/data/pong, so a guest can watch a node change that
 * another domain made; and @introduceDomain and @releaseDomain firings
 * are logged.
 */
#include "kernel.h"
#include "services.h"
#include "xenstored.h"
#include "xs.h"
#include "xs_alloc.h"
#include "xs_ring.h"

#define LOG_LINES_PER_DOMAIN 16
#define XS_MAX_PERMS 8 /* entries xs_set_perms takes */

/* An in-process client of domain 0 that receives watch events. */
struct xs_watcher {
	struct xs_watcher *next;
	struct xs_conn *conn;
	struct waitq *wq; /* woken when an event is queued */
	bool dropped; /* events were dropped: report one "" event */
};

struct xs_domain {
	struct xs_domain *next;
	uint16_t domid;
	void *page;
	uint32_t port; /* ours, bound to the domain's store port */
	unsigned int log_lines;
	struct xs_ring ring;
};

static struct xs_store *store;
static struct xs_conn *dom0_conn; /* domain 0's requests */
static struct xs_conn *echo_conn; /* the xs_echo hook's watch */
static bool echo_kicked;
static struct xs_domain *domains;
static struct xs_watcher *watchers; /* in-process watch clients */
static struct waitq xs_wq = WAITQ_INIT(xs_wq);
static uint8_t msg_buf[XS_MSG_MAX]; /* in-process requests and replies */

void *xs_alloc(size_t size)
{
	return malloc(size);
}

void xs_free(void *p)
{
	free(p);
}

/* --- Logging ------------------------------------------------------------ */

static void domain_log(struct xs_domain *d, const char *msg)
{
	if (d->log_lines < LOG_LINES_PER_DOMAIN)
		printf("%s\n", msg);
	else if (d->log_lines == LOG_LINES_PER_DOMAIN)
		printf("xenstored: domain %u: further messages suppressed\n",
		       d->domid);
	d->log_lines++;
}

static void op_log(void *priv, struct xs_conn *conn, const char *msg)
{
	struct xs_domain *d = conn ? xs_conn_priv(conn) : NULL;

	(void)priv;
	if (d)
		domain_log(d, msg);
	else
		printf("%s\n", msg);
}

/* --- The store's environment: ring pages and event channels -------------- */

static int op_introduce(void *priv, struct xs_conn *conn, uint64_t mfn,
			uint32_t remote_port, bool rebind)
{
	uint16_t domid = xs_conn_domid(conn);
	struct xs_domain *d;
	uint32_t port;
	int err = 0;

	(void)priv;
	if (rebind) {
		d = xs_conn_priv(conn);
		err = evtchn_bind_interdomain(domid, remote_port, &port);
		if (err)
			return err;
		evtchn_close(d->port);
		d->port = port;
		evtchn_attach(port, &xs_wq);
		d->ring.kicked = true;
		return 0;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -XS_ENOMEM;
	d->domid = domid;
	d->page = map_foreign_page(domid, mfn, true, &err);
	if (!d->page)
		goto fail;
	err = evtchn_bind_interdomain(domid, remote_port, &d->port);
	if (err) {
		unmap_window(d->page, PAGE_SIZE);
		goto fail;
	}
	xs_ring_attach(&d->ring, d->page, conn);
	xs_conn_set_priv(conn, d);
	d->next = domains;
	domains = d;
	evtchn_attach(d->port, &xs_wq);
	waitq_wake(&xs_wq);
	return 0;
fail:
	printf("xenstored: domain %u: cannot connect its ring (mfn %#lx, "
	       "port %u): error %d\n",
	       domid, mfn, remote_port, err);
	free(d);
	return err;
}

static void op_release(void *priv, struct xs_conn *conn)
{
	struct xs_domain *d = xs_conn_priv(conn), **pp;

	(void)priv;
	if (!d)
		return;
	for (pp = &domains; *pp; pp = &(*pp)->next)
		if (*pp == d) {
			*pp = d->next;
			break;
		}
	evtchn_close(d->port);
	unmap_window(d->page, PAGE_SIZE);
	xs_conn_set_priv(conn, NULL);
	free(d);
}

static void op_kick(void *priv, struct xs_conn *conn)
{
	struct xs_domain *d = xs_conn_priv(conn);

	(void)priv;
	for (struct xs_watcher *w = watchers; w; w = w->next)
		if (w->conn == conn) {
			waitq_wake(w->wq);
			return;
		}
	if (d)
		d->ring.kicked = true;
	else if (conn == echo_conn)
		echo_kicked = true;
	else
		return; /* domain 0's replies are popped by the requester */
	waitq_wake(&xs_wq);
}

static const struct xs_ops ops = {
	.introduce = op_introduce,
	.release = op_release,
	.kick = op_kick,
	.log = op_log,
};

/* --- Domain 0's own requests --------------------------------------------- */

static int error_number(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(xsd_errors); i++)
		if (strlen(xsd_errors[i].errstring) + 1 == len &&
		    !memcmp(xsd_errors[i].errstring, name, len))
			return -xsd_errors[i].errnum;
	return -XS_EIO;
}

/*
 * Serve one request of domain 0 made of `nparts` strings, each sent with
 * its NUL except the last when `last_raw` (a WRITE's value). On success
 * the reply payload is at msg_buf + header and its length is returned.
 */
static long request(uint32_t type, const char *const *parts, int nparts,
		    bool last_raw)
{
	struct xsd_sockmsg hdr = { .type = type };
	size_t len = 0, n;

	if (!store)
		return -XS_ENOSYS;
	for (int i = 0; i < nparts; i++) {
		n = strlen(parts[i]) + !(last_raw && i == nparts - 1);
		if (len + n > XENSTORE_PAYLOAD_MAX)
			return -XS_E2BIG;
		memcpy(msg_buf + sizeof(hdr) + len, parts[i], n);
		len += n;
	}
	hdr.len = (uint32_t)len;
	memcpy(msg_buf, &hdr, sizeof(hdr));
	if (xs_process(dom0_conn, msg_buf, sizeof(hdr) + len))
		return -XS_ENOMEM;
	n = xs_conn_pop(dom0_conn, msg_buf, sizeof(msg_buf));
	if (n < sizeof(hdr))
		return -XS_EIO;
	memcpy(&hdr, msg_buf, sizeof(hdr));
	if (hdr.type == XS_ERROR)
		return error_number((char *)msg_buf + sizeof(hdr), hdr.len);
	return hdr.len;
}

int xs_read(const char *path, char *buf, size_t n)
{
	long len = request(XS_READ, &path, 1, false);

	if (len < 0)
		return (int)len;
	if (n) {
		size_t c = (size_t)len < n - 1 ? (size_t)len : n - 1;

		memcpy(buf, msg_buf + sizeof(struct xsd_sockmsg), c);
		buf[c] = '\0';
	}
	return 0;
}

int xs_write(const char *path, const char *value)
{
	const char *parts[] = { path, value };
	long rc = request(XS_WRITE, parts, 2, true);

	return rc < 0 ? (int)rc : 0;
}

int xs_mkdir(const char *path)
{
	long rc = request(XS_MKDIR, &path, 1, false);

	return rc < 0 ? (int)rc : 0;
}

int xs_rm(const char *path)
{
	long rc = request(XS_RM, &path, 1, false);

	return rc < 0 ? (int)rc : 0;
}

int xs_set_perms(const char *path, const char *perms)
{
	const char *parts[1 + XS_MAX_PERMS];
	char copy[16 * XS_MAX_PERMS];
	int n = 1;
	long rc;

	if (strlcpy(copy, perms, sizeof(copy)) >= sizeof(copy))
		return -XS_EINVAL;
	parts[0] = path;
	for (char *p = copy; *p && n < 1 + XS_MAX_PERMS;) {
		parts[n++] = p;
		while (*p && *p != ' ')
			p++;
		if (*p)
			*p++ = '\0';
	}
	rc = request(XS_SET_PERMS, parts, n, false);
	return rc < 0 ? (int)rc : 0;
}

int xs_directory(const char *path, char *buf, size_t n)
{
	long len = request(XS_DIRECTORY, &path, 1, false);
	int count = 0;

	if (len < 0)
		return (int)len;
	if ((size_t)len > n || (len && msg_buf[sizeof(struct xsd_sockmsg) +
					     len - 1]))
		return -XS_E2BIG;
	memcpy(buf, msg_buf + sizeof(struct xsd_sockmsg), (size_t)len);
	for (long i = 0; i < len; i++)
		count += !buf[i];
	return count;
}

/* --- Domain 0's watches --------------------------------------------------- */

struct xs_watcher *xs_watcher_new(struct waitq *wq)
{
	struct xs_watcher *w;

	if (!store)
		return NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->conn = xs_conn_new(store, 0);
	if (!w->conn) {
		free(w);
		return NULL;
	}
	w->wq = wq;
	w->next = watchers;
	watchers = w;
	return w;
}

/* WATCH or UNWATCH on the watcher's own connection; the reply is read
 * back at once, so only events stay queued on it. */
static int watch_request(struct xs_watcher *w, uint32_t type,
			 const char *path, const char *token)
{
	struct xsd_sockmsg hdr = { .type = type };
	size_t plen = strlen(path) + 1, tlen = strlen(token) + 1;
	static uint8_t buf[XS_MSG_MAX];
	size_t n;
	int err = 0;

	if (plen + tlen > XENSTORE_PAYLOAD_MAX)
		return -XS_E2BIG;
	hdr.len = (uint32_t)(plen + tlen);
	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + sizeof(hdr), path, plen);
	memcpy(buf + sizeof(hdr) + plen, token, tlen);
	if (xs_process(w->conn, buf, sizeof(hdr) + hdr.len))
		return -XS_ENOMEM;
	/* The reply is the first message that is not an event. */
	while ((n = xs_conn_pop(w->conn, buf, sizeof(buf))) >= sizeof(hdr)) {
		memcpy(&hdr, buf, sizeof(hdr));
		if (hdr.type == XS_WATCH_EVENT) {
			w->dropped = true; /* the owner rescans for it */
			continue;
		}
		if (hdr.type == XS_ERROR)
			err = error_number((char *)buf + sizeof(hdr), hdr.len);
		break;
	}
	if (w->dropped)
		waitq_wake(w->wq);
	return err;
}

int xs_watch(struct xs_watcher *w, const char *path, const char *token)
{
	return watch_request(w, XS_WATCH, path, token);
}

int xs_unwatch(struct xs_watcher *w, const char *path, const char *token)
{
	return watch_request(w, XS_UNWATCH, path, token);
}

int xs_watcher_next(struct xs_watcher *w, char *path, size_t plen,
		    char *token, size_t tlen)
{
	static char buf[XS_MSG_MAX + 1];
	struct xsd_sockmsg hdr;
	size_t n, p;

	if (w->dropped) {
		w->dropped = false;
		strlcpy(path, "", plen);
		strlcpy(token, "", tlen);
		return 1;
	}
	while ((n = xs_conn_pop(w->conn, buf, sizeof(buf) - 1)) >=
	       sizeof(hdr)) {
		memcpy(&hdr, buf, sizeof(hdr));
		if (hdr.type != XS_WATCH_EVENT)
			continue;
		buf[n] = '\0';
		p = strlen(buf + sizeof(hdr)) + 1;
		strlcpy(path, buf + sizeof(hdr), plen);
		strlcpy(token, sizeof(hdr) + p < n ? buf + sizeof(hdr) + p : "",
			tlen);
		return 1;
	}
	return 0;
}

bool xs_watcher_pending(const struct xs_watcher *w)
{
	return w->dropped || xs_conn_output_pending(w->conn) != 0;
}

/* --- Domains -------------------------------------------------------------- */

/*
 * What a toolstack writes for a new domain before xenstored introduces
 * it: its home, owned by the domain and private to it, and the names
 * domain 0 keeps there, readable but not writable by the domain.
 */
static int make_home(uint16_t domid)
{
	char home[32], path[64], val[16], perms[16];
	int err;

	snprintf(home, sizeof(home), "/local/domain/%u", domid);
	snprintf(perms, sizeof(perms), "n%u", domid);
	err = xs_mkdir(home);
	if (!err)
		err = xs_set_perms(home, perms);
	snprintf(perms, sizeof(perms), "n0 r%u", domid);
	snprintf(val, sizeof(val), "%u", domid);
	snprintf(path, sizeof(path), "%s/domid", home);
	if (!err)
		err = xs_write(path, val);
	if (!err)
		err = xs_set_perms(path, perms);
	snprintf(val, sizeof(val), "dom%u", domid);
	snprintf(path, sizeof(path), "%s/name", home);
	if (!err)
		err = xs_write(path, val);
	if (!err)
		err = xs_set_perms(path, perms);
	return err;
}

int xenstored_introduce(uint16_t domid, uint64_t mfn, uint32_t remote_port)
{
	int err;

	if (!store)
		return -XS_ENOSYS;
	err = make_home(domid);
	if (!err)
		err = xs_domain_introduce(store, domid, mfn, remote_port);
	if (err)
		printf("xenstored: cannot introduce domain %u: error %d\n",
		       domid, err);
	else
		printf("xenstored: domain %u introduced (ring mfn %#lx, "
		       "port %u)\n",
		       domid, mfn, remote_port);
	return err;
}

void xenstored_shutdown(uint16_t domid)
{
	if (store)
		xs_domain_shutdown(store, domid);
}

void xenstored_release(uint16_t domid)
{
	char home[32];

	if (!store)
		return;
	xs_domain_destroyed(store, domid);
	snprintf(home, sizeof(home), "/local/domain/%u", domid);
	xs_rm(home);
	printf("xenstored: domain %u released\n", domid);
}

/* --- The service thread --------------------------------------------------- */

static bool work_pending(void)
{
	if (echo_kicked)
		return true;
	for (struct xs_domain *d = domains; d; d = d->next)
		if (xs_ring_pending(&d->ring))
			return true;
	return false;
}

static void serve_one(struct xs_domain *d)
{
	unsigned int res = xs_ring_serve(&d->ring, XS_RING_BUDGET);
	char msg[120];

	if (res & XS_RING_STOPPED) {
		snprintf(msg, sizeof(msg),
			 "xenstored: domain %u: %s on its ring: connection "
			 "stopped until it reconnects",
			 d->domid, xs_ring_error_name(d->ring.error));
		domain_log(d, msg);
	}
	if (res & XS_RING_RESET) {
		snprintf(msg, sizeof(msg),
			 "xenstored: domain %u: ring reconnected", d->domid);
		domain_log(d, msg);
	}
	if (res & XS_RING_MORE)
		d->ring.kicked = true; /* the next pass goes on */
	if (res & XS_RING_NOTIFY)
		evtchn_notify(d->port);
}

/* xs_echo: answer data/ping writes (see the top of the file). */
static void echo_serve(void)
{
	struct xsd_sockmsg hdr;
	static char path[XS_MSG_MAX + 1], val[256];
	size_t n, plen;

	echo_kicked = false;
	while ((n = xs_conn_pop(echo_conn, path, sizeof(path) - 1))) {
		memcpy(&hdr, path, sizeof(hdr));
		path[n] = '\0';
		if (hdr.type != XS_WATCH_EVENT)
			continue;
		memmove(path, path + sizeof(hdr), n - sizeof(hdr) + 1);
		plen = strlen(path);
		if (path[0] == '@') {
			printf("xenstored: %s fired\n", path);
			continue;
		}
		if (plen < 10 || strcmp(path + plen - 10, "/data/ping") ||
		    xs_read(path, val, sizeof(val)) < 0)
			continue;
		memcpy(path + plen - 4, "pong", 4);
		xs_write(path, val);
	}
}

static void echo_watch(const char *path)
{
	struct xsd_sockmsg hdr = { .type = XS_WATCH };
	size_t plen = strlen(path) + 1;

	hdr.len = (uint32_t)(plen + sizeof("echo"));
	memcpy(msg_buf, &hdr, sizeof(hdr));
	memcpy(msg_buf + sizeof(hdr), path, plen);
	memcpy(msg_buf + sizeof(hdr) + plen, "echo", sizeof("echo"));
	xs_process(echo_conn, msg_buf, sizeof(hdr) + hdr.len);
}

static void echo_start(void)
{
	echo_conn = xs_conn_new(store, 0);
	if (!echo_conn)
		return;
	echo_watch("/local/domain");
	echo_watch("@introduceDomain");
	echo_watch("@releaseDomain");
	/* The replies and the first firings: not news. */
	while (xs_conn_pop(echo_conn, msg_buf, sizeof(msg_buf)))
		;
	echo_kicked = false;
}

static void xenstored_thread(void *arg)
{
	(void)arg;
	for (;;) {
		wait_event(&xs_wq, work_pending());
		for (struct xs_domain *d = domains; d; d = d->next)
			if (xs_ring_pending(&d->ring))
				serve_one(d);
		if (echo_kicked)
			echo_serve();
		thread_yield(); /* other services run between passes */
	}
}

void xenstored_start(void)
{
	store = xs_store_new(&ops, NULL);
	dom0_conn = store ? xs_conn_new(store, 0) : NULL;
	if (!dom0_conn) {
		printf("xenstored: out of memory\n");
		return;
	}
	if (xs_mkdir("/local/domain/0") ||
	    xs_write("/local/domain/0/name", "Domain-0") ||
	    xs_write("/local/domain/0/domid", "0"))
		printf("xenstored: cannot create /local/domain/0\n");
	if (cmdline_has("xs_echo"))
		echo_start();
	if (!thread_create("xenstored", xenstored_thread, NULL))
		printf("xenstored: cannot start its thread\n");
}
