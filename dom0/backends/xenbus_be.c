/*
 * The xenbus back-end library (see xenbus_be.h): device discovery, the
 * state machine against a front end, its rings and event channel.
 *
 * The thread is level-triggered: any watch event makes it look at every
 * device directory under backend/<type> and at every device it knows,
 * and bring each to where its nodes say it should be. Steps are
 * idempotent, so a missed or repeated event costs a pass, nothing more.
 */
#include <xen/io/xenbus.h>
#include "errno.h"
#include "kernel.h"
#include "xbparse.h"
#include "xenbus_be.h"
#include "xs.h"

#define MAX_TYPES 4
#define DIR_BUF 4096 /* a DIRECTORY reply's names */

static const struct xbe_type *types[MAX_TYPES];
static unsigned int ntypes;
static struct xbe_dev *devs;
static struct xs_watcher *watcher;
static struct waitq xbe_wq = WAITQ_INIT(xbe_wq);

/* The lock: one change of a device at a time (callbacks may block). */
static bool locked;
static struct waitq lock_wq = WAITQ_INIT(lock_wq);

static void lock(void)
{
	wait_event(&lock_wq, !locked);
	locked = true;
}

static void unlock(void)
{
	locked = false;
	waitq_wake(&lock_wq);
}

struct xbe_dev *xbe_first(void)
{
	return devs;
}

static int read_uint(const char *path, uint64_t max, uint64_t *val)
{
	char buf[24];
	int err = xs_read(path, buf, sizeof(buf));

	return err ? err : xb_parse_uint(buf, max, val);
}

static int read_at(const char *dir, const char *key, char *buf, size_t n)
{
	char path[XBE_PATH_MAX + 40];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	return xs_read(path, buf, n);
}

static int read_uint_at(const char *dir, const char *key, uint64_t max,
			uint64_t *val)
{
	char path[XBE_PATH_MAX + 40];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	return read_uint(path, max, val);
}

int xbe_read_fe(struct xbe_dev *d, const char *key, char *buf, size_t n)
{
	return read_at(d->fe, key, buf, n);
}

int xbe_read_fe_uint(struct xbe_dev *d, const char *key, uint64_t max,
		     uint64_t *val)
{
	return read_uint_at(d->fe, key, max, val);
}

int xbe_write_be(struct xbe_dev *d, const char *key, const char *value)
{
	char path[XBE_PATH_MAX + 40];

	snprintf(path, sizeof(path), "%s/%s", d->be, key);
	return xs_write(path, value);
}

static void switch_state(struct xbe_dev *d, int state)
{
	char v[4];

	if (d->state == state)
		return;
	d->state = state;
	snprintf(v, sizeof(v), "%d", state);
	xbe_write_be(d, "state", v);
}

void xbe_fatal(struct xbe_dev *d, int err, const char *why)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "%d %s", err < 0 ? -err : err, why);
	if (!d->fatal)
		printf("xenbus: domain %u %s %u: %s (error %d): closing it\n",
		       d->domid, d->type->name, d->devid, why, err);
	d->fatal = true;
	xbe_write_be(d, "error", msg);
	switch_state(d, XenbusStateClosing);
}

/* --- Rings and ports ----------------------------------------------------- */

int xbe_map_ring(struct xbe_dev *d, const char *name, unsigned int max_order,
		 bool writable, struct xbe_ring *r)
{
	uint32_t refs[GNTTAB_MAP_MAX];
	char key[48];
	uint64_t order = 0, v;
	int err;

	if (max_order > 4)
		max_order = 4; /* GNTTAB_MAP_MAX pages */
	snprintf(key, sizeof(key), "%s-page-order", name);
	err = xbe_read_fe_uint(d, key, max_order, &order);
	if (err == -ENOENT) {
		order = 0;
		err = 0;
	}
	if (!err && order > max_order)
		err = -EINVAL; /* xb_parse_uint's bound, checked again */
	if (err) {
		xbe_fatal(d, err, "bad ring page order");
		return err;
	}
	for (unsigned int i = 0; i < (1u << order); i++) {
		if (order)
			snprintf(key, sizeof(key), "%s-ref%u", name, i);
		else
			snprintf(key, sizeof(key), "%s-ref", name);
		err = xbe_read_fe_uint(d, key, UINT32_MAX, &v);
		if (err) {
			xbe_fatal(d, err, "missing or bad ring reference");
			return err;
		}
		refs[i] = (uint32_t)v;
	}
	r->pages = 1u << order;
	r->va = gnttab_map_pages(d->domid, refs, r->pages, writable, r->handles,
				 &err);
	if (!r->va) {
		xbe_fatal(d, err, "cannot map the ring's grants");
		return err ? err : -EINVAL;
	}
	return 0;
}

void xbe_unmap_ring(struct xbe_ring *r)
{
	if (r->va)
		gnttab_unmap_pages(r->va, r->pages, r->handles);
	r->va = NULL;
}

int xbe_bind_port(struct xbe_dev *d, const char *key, uint32_t *port)
{
	uint64_t remote;
	int err = xbe_read_fe_uint(d, key, UINT32_MAX, &remote);

	if (!err)
		err = evtchn_bind_interdomain(d->domid, (uint32_t)remote, port);
	if (err)
		xbe_fatal(d, err, "cannot bind the front end's event channel");
	return err;
}

/* --- Writing a device (the toolstack's part) ----------------------------- */

static int write_nodes(const char *dir, const struct xbe_node *n, size_t count)
{
	char path[XBE_PATH_MAX + 40];
	int err = 0;

	for (size_t i = 0; i < count && !err; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, n[i].key);
		err = xs_write(path, n[i].value);
	}
	return err;
}

int xbe_device_write(const char *type, uint16_t domid, uint32_t devid,
		     const struct xbe_node *be_extra, size_t n_be,
		     const struct xbe_node *fe_extra, size_t n_fe)
{
	char be[XBE_PATH_MAX], fe[XBE_PATH_MAX], id[12], perms[24];
	int err;

	snprintf(be, sizeof(be), "/local/domain/0/backend/%s/%u/%u", type,
		 domid, devid);
	snprintf(fe, sizeof(fe), "/local/domain/%u/device/%s/%u", domid, type,
		 devid);
	snprintf(id, sizeof(id), "%u", domid);
	/* The back end's first, so the front end's names a complete one. */
	struct xbe_node be_common[] = {
		{ "frontend", fe },
		{ "frontend-id", id },
		{ "online", "1" },
		{ "state", "1" },
	};
	struct xbe_node fe_common[] = {
		{ "backend", be },
		{ "backend-id", "0" },
		{ "state", "1" },
	};
	snprintf(perms, sizeof(perms), "n0 r%u", domid);
	err = xs_mkdir(be);
	if (!err)
		err = xs_set_perms(be, perms);
	if (!err)
		err = write_nodes(be, be_extra, n_be);
	if (!err)
		err = write_nodes(be, be_common, ARRAY_SIZE(be_common));
	snprintf(perms, sizeof(perms), "n%u r0", domid);
	if (!err)
		err = xs_mkdir(fe);
	if (!err)
		err = xs_set_perms(fe, perms);
	if (!err)
		err = write_nodes(fe, fe_extra, n_fe);
	if (!err)
		err = write_nodes(fe, fe_common, ARRAY_SIZE(fe_common));
	if (err) {
		xs_rm(be);
		xs_rm(fe);
	}
	waitq_wake(&xbe_wq);
	return err;
}

/* --- The state machine ---------------------------------------------------- */

static struct xbe_dev *find(const struct xbe_type *t, uint16_t domid,
			    uint32_t devid)
{
	struct xbe_dev *d;

	for (d = devs; d; d = d->next)
		if (d->type == t && d->domid == domid && d->devid == devid)
			break;
	return d;
}

static void disconnect(struct xbe_dev *d)
{
	if (!d->connected)
		return;
	d->connected = false;
	d->type->disconnect(d);
}

static void remove(struct xbe_dev *d)
{
	struct xbe_dev **pp;
	char path[XBE_PATH_MAX + 8];

	disconnect(d);
	for (pp = &devs; *pp != d; pp = &(*pp)->next)
		;
	*pp = d->next;
	snprintf(path, sizeof(path), "%s/state", d->fe);
	if (watcher)
		xs_unwatch(watcher, path, "fe");
	d->type->remove(d);
	xs_rm(d->be);
	free(d);
}

/* A new directory backend/<type>/<domid>/<devid>: probe it. */
static void found(const struct xbe_type *t, uint16_t domid, uint32_t devid)
{
	struct xbe_dev *d = calloc(1, sizeof(*d));
	char path[XBE_PATH_MAX + 8];
	uint64_t online = 0, feid = 0;
	int err;

	if (!d)
		return;
	d->type = t;
	d->domid = domid;
	d->devid = devid;
	d->state = XenbusStateInitialising;
	snprintf(d->be, sizeof(d->be), "/local/domain/0/backend/%s/%u/%u",
		 t->name, domid, devid);
	/* Not all written yet (or taken offline): look again later. */
	if (read_uint_at(d->be, "online", 1, &online) || !online ||
	    read_uint_at(d->be, "frontend-id", UINT16_MAX, &feid) ||
	    read_at(d->be, "frontend", d->fe, sizeof(d->fe)) || feid != domid) {
		free(d);
		return;
	}
	d->next = devs;
	devs = d;
	snprintf(path, sizeof(path), "%s/state", d->fe);
	if (watcher)
		xs_watch(watcher, path, "fe");
	err = t->probe(d);
	if (err) {
		xbe_fatal(d, err, "cannot set up the device");
		return;
	}
	switch_state(d, XenbusStateInitWait);
}

static void connect(struct xbe_dev *d)
{
	int err;

	if (d->connected || d->fatal || d->state != XenbusStateInitWait)
		return;
	err = d->type->connect(d);
	if (err) {
		if (!d->fatal)
			xbe_fatal(d, err, "cannot connect");
		return;
	}
	d->connected = true;
	switch_state(d, XenbusStateConnected);
}

/* Bring d to where the front end's state and its own nodes say. */
static void step(struct xbe_dev *d)
{
	char path[XBE_PATH_MAX + 8];
	uint64_t fe = XenbusStateUnknown, online = 0;
	bool gone = read_uint_at(d->be, "online", 1, &online) != 0;

	snprintf(path, sizeof(path), "%s/state", d->fe);
	if (read_uint(path, XenbusStateReconfigured, &fe))
		fe = XenbusStateUnknown; /* missing or garbage */
	switch (fe) {
	case XenbusStateInitialising:
		if (d->state == XenbusStateClosed && online && !d->fatal)
			switch_state(d, XenbusStateInitWait); /* reconnect */
		break;
	case XenbusStateInitialised:
	case XenbusStateConnected:
		connect(d);
		break;
	case XenbusStateClosing:
		disconnect(d);
		switch_state(d, XenbusStateClosing);
		break;
	default: /* Closed, Unknown (its directory went), nonsense */
		disconnect(d);
		switch_state(d, XenbusStateClosed);
		if (!online || fe == XenbusStateUnknown)
			gone = true;
		break;
	}
	if (gone)
		remove(d);
}

/* Every device directory of type t: probe the new ones. */
static void scan_type(const struct xbe_type *t, char *names, char *sub)
{
	char path[XBE_PATH_MAX];
	uint64_t domid, devid;
	int n, m;

	snprintf(path, sizeof(path), "/local/domain/0/backend/%s", t->name);
	n = xs_directory(path, names, DIR_BUF);
	for (char *a = names; n > 0; n--, a += strlen(a) + 1) {
		if (xb_parse_uint(a, UINT16_MAX - 1, &domid))
			continue;
		snprintf(path, sizeof(path), "/local/domain/0/backend/%s/%s",
			 t->name, a);
		m = xs_directory(path, sub, DIR_BUF);
		for (char *b = sub; m > 0; m--, b += strlen(b) + 1)
			if (!xb_parse_uint(b, UINT32_MAX, &devid) &&
			    !find(t, (uint16_t)domid, (uint32_t)devid))
				found(t, (uint16_t)domid, (uint32_t)devid);
	}
}

static void pass(void)
{
	static char names[DIR_BUF], sub[DIR_BUF];
	struct xbe_dev *d, *next;

	lock();
	for (unsigned int i = 0; i < ntypes; i++)
		scan_type(types[i], names, sub);
	for (d = devs; d; d = next) {
		next = d->next; /* step may remove d */
		step(d);
	}
	unlock();
}

static void xbe_thread(void *arg)
{
	char path[XBE_PATH_MAX + 8], token[8];

	(void)arg;
	for (;;) {
		wait_event(&xbe_wq, xs_watcher_pending(watcher));
		while (xs_watcher_next(watcher, path, sizeof(path), token,
				       sizeof(token)))
			;
		pass();
		thread_yield();
	}
}

void xbe_start(void)
{
	watcher = xs_watcher_new(&xbe_wq);
	if (!watcher || !thread_create("xenbus-be", xbe_thread, NULL))
		printf("xenbus: cannot start the back-end thread\n");
}

int xbe_register(const struct xbe_type *t)
{
	char path[XBE_PATH_MAX];

	if (ntypes == MAX_TYPES || !watcher)
		return -ENOSPC;
	types[ntypes++] = t;
	snprintf(path, sizeof(path), "/local/domain/0/backend/%s", t->name);
	return xs_watch(watcher, path, "be");
}

/* --- Removal (the toolstack's part) --------------------------------------- */

void xbe_remove_domain(uint16_t domid)
{
	struct xbe_dev *d, *next;
	char fe[XBE_PATH_MAX];

	lock();
	for (d = devs; d; d = next) {
		next = d->next;
		if (d->domid != domid)
			continue;
		strlcpy(fe, d->fe, sizeof(fe));
		remove(d);
		xs_rm(fe);
	}
	unlock();
}

int xbe_detach(const char *type, uint16_t domid, uint32_t devid,
	       uint64_t timeout_ns)
{
	const struct xbe_type *t = NULL;
	uint64_t deadline = pv_now() + timeout_ns;
	char fe[XBE_PATH_MAX], path[XBE_PATH_MAX + 8];
	struct xbe_dev *d;
	uint64_t st;
	int rc = 0;

	for (unsigned int i = 0; i < ntypes; i++)
		if (!strcmp(types[i]->name, type))
			t = types[i];
	lock();
	d = t ? find(t, domid, devid) : NULL;
	if (!d) {
		unlock();
		return -ENOENT;
	}
	strlcpy(fe, d->fe, sizeof(fe));
	xbe_write_be(d, "online", "0");
	switch_state(d, XenbusStateClosing);
	unlock();
	/* The front end closes; the thread then removes the device. */
	snprintf(path, sizeof(path), "%s/state", fe);
	while (find(t, domid, devid) && pv_now() < deadline) {
		if (!read_uint(path, XenbusStateReconfigured, &st) &&
		    st == XenbusStateClosed)
			waitq_wake(&xbe_wq);
		thread_sleep(10 * MS);
	}
	lock();
	d = find(t, domid, devid);
	if (d) {
		printf("xenbus: domain %u %s %u: the front end did not close "
		       "in time: removed by force\n",
		       domid, type, devid);
		remove(d);
		rc = -ETIMEDOUT;
	}
	xs_rm(fe);
	unlock();
	return rc;
}
