/*
 * Host unit tests for xenstored (dom0/xenstored/): the store driven
 * through its wire protocol exactly as domain 0 will drive it, with whole
 * messages (xs_process) and byte streams (xs_conn_feed), by domain 0 and
 * by unprivileged domains. Covers every request type with good and bad
 * arguments, permissions, watches, transactions, quotas, malformed and
 * random messages, allocation failure at every point of a request, and
 * a random operation sequence checked against a reference model.
 *
 * The allocator (xs_alloc/xs_free) is malloc with a failure budget and a
 * count of live blocks, so every test also checks for leaks.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

#include "../../dom0/xenstored/xenstored.h"
#include "../../dom0/xenstored/xs_alloc.h"

/* ---- the allocator: malloc, a failure budget, a live count ---- */

static long alloc_budget = -1; /* allocations left; -1: unlimited */
static bool alloc_fail_once; /* fail only the one, then go on */
static long live_allocs;

void *xs_alloc(size_t size)
{
	void *p;

	if (alloc_budget == 0) {
		if (alloc_fail_once)
			alloc_budget = -1;
		return NULL;
	}
	if (alloc_budget > 0)
		alloc_budget--;
	p = malloc(size ? size : 1);
	if (p)
		live_allocs++;
	return p;
}

void xs_free(void *p)
{
	if (p) {
		live_allocs--;
		free(p);
	}
}

/* ---- the environment ---- */

static int n_introduced, n_rebound, n_released, n_kicks, n_logs;
static int introduce_error;
static char last_log[256];
static bool verbose;

static int t_introduce(void *priv, struct xs_conn *conn, uint64_t mfn,
		       uint32_t port, bool rebind)
{
	(void)priv;
	(void)mfn;
	(void)port;
	if (introduce_error)
		return introduce_error;
	if (rebind)
		n_rebound++;
	else
		n_introduced++;
	xs_conn_set_priv(conn, (void *)(uintptr_t)xs_conn_domid(conn));
	return 0;
}

static void t_release(void *priv, struct xs_conn *conn)
{
	(void)priv;
	(void)conn;
	n_released++;
}

static void t_kick(void *priv, struct xs_conn *conn)
{
	(void)priv;
	(void)conn;
	n_kicks++;
}

static void t_log(void *priv, struct xs_conn *conn, const char *msg)
{
	(void)priv;
	(void)conn;
	n_logs++;
	snprintf(last_log, sizeof(last_log), "%s", msg);
	if (verbose)
		printf("  log: %s\n", msg);
}

static const struct xs_ops ops = {
	.introduce = t_introduce,
	.release = t_release,
	.kick = t_kick,
	.log = t_log,
};

/* ---- the client side ---- */

struct msg {
	struct xsd_sockmsg h;
	char data[XENSTORE_PAYLOAD_MAX + 1];
};

static struct msg last; /* the last reply */
static uint32_t next_req = 1;

/* Watch events received, in order. */
struct ev {
	struct xs_conn *c;
	char *path;
	char *token;
};

#define MAX_EVS 100000
static struct ev evs[MAX_EVS];
static int nevs;

/* Take the next whole message queued on c; checks its framing. */
static bool pop(struct xs_conn *c, struct msg *m)
{
	uint8_t buf[XS_MSG_MAX];
	size_t n = xs_conn_pop(c, buf, sizeof(buf));

	if (!n)
		return false;
	memcpy(&m->h, buf, sizeof(m->h));
	CHECK(m->h.len <= XENSTORE_PAYLOAD_MAX && n == sizeof(m->h) + m->h.len,
	      "bad framing: %zu bytes, len %u", n, m->h.len);
	memcpy(m->data, buf + sizeof(m->h), m->h.len);
	m->data[m->h.len] = '\0';
	return true;
}

static void stash_event(struct xs_conn *c, const struct msg *m)
{
	size_t plen = strnlen(m->data, m->h.len);
	size_t tlen;

	CHECK(m->h.req_id == 0 && m->h.tx_id == 0, "event ids %u %u",
	      m->h.req_id, m->h.tx_id);
	CHECK(plen < m->h.len, "event without NUL after path");
	if (plen >= m->h.len)
		return;
	tlen = strnlen(m->data + plen + 1, m->h.len - plen - 1);
	CHECK(plen + 1 + tlen + 1 == m->h.len, "event payload %u bytes",
	      m->h.len);
	if (nevs == MAX_EVS)
		return;
	evs[nevs].c = c;
	evs[nevs].path = strdup(m->data);
	evs[nevs].token = strdup(m->data + plen + 1);
	nevs++;
}

/* Move c's queued watch events into evs[]. */
static void drain(struct xs_conn *c)
{
	struct msg m;

	while (pop(c, &m)) {
		CHECK(m.h.type == XS_WATCH_EVENT, "unexpected message type %u",
		      m.h.type);
		if (m.h.type == XS_WATCH_EVENT)
			stash_event(c, &m);
	}
}

static void ev_drop(int i)
{
	free(evs[i].path);
	free(evs[i].token);
	memmove(&evs[i], &evs[i + 1], (nevs - i - 1) * sizeof(evs[0]));
	nevs--;
}

static void ev_clear_all(void)
{
	while (nevs)
		ev_drop(nevs - 1);
}

static void ev_clear(struct xs_conn *c)
{
	int i;

	drain(c);
	for (i = nevs - 1; i >= 0; i--)
		if (evs[i].c == c)
			ev_drop(i);
}

static int ev_count(struct xs_conn *c)
{
	int i, n = 0;

	drain(c);
	for (i = 0; i < nevs; i++)
		n += evs[i].c == c;
	return n;
}

/* Is c's next event (path, token)? Consumes it if so. */
static bool ev_next(struct xs_conn *c, const char *path, const char *token)
{
	int i;

	drain(c);
	for (i = 0; i < nevs; i++) {
		if (evs[i].c != c)
			continue;
		if (strcmp(evs[i].path, path) || strcmp(evs[i].token, token)) {
			printf("  next event is %s/%s, not %s/%s\n",
			       evs[i].path, evs[i].token, path, token);
			return false;
		}
		ev_drop(i);
		return true;
	}
	printf("  no event, wanted %s/%s\n", path, token);
	return false;
}

/*
 * Send a request, take its reply into `last` (stashing events queued
 * before it). Returns NULL on success, else the error name.
 */
static const char *rq(struct xs_conn *c, uint32_t type, uint32_t tx,
		      const void *payload, uint32_t len)
{
	static uint8_t buf[XS_MSG_MAX + 64];
	struct xsd_sockmsg h = {
		.type = type, .req_id = next_req++, .tx_id = tx, .len = len
	};

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), payload, len);
	xs_process(c, buf, sizeof(h) + len);
	while (pop(c, &last)) {
		if (last.h.type == XS_WATCH_EVENT) {
			stash_event(c, &last);
			continue;
		}
		CHECK(last.h.req_id == h.req_id && last.h.tx_id == tx,
		      "reply ids %u/%u for %u/%u", last.h.req_id, last.h.tx_id,
		      h.req_id, tx);
		if (last.h.type == XS_ERROR) {
			CHECK(last.h.len > 1 && last.data[last.h.len - 1] == 0,
			      "error reply not a string");
			return last.data;
		}
		CHECK(last.h.type == type, "reply type %u to %u", last.h.type,
		      type);
		return NULL;
	}
	return "NOREPLY";
}

static char pbuf[2 * XS_MSG_MAX];

/* pbuf = the strings, each NUL-terminated; returns the length. */
static uint32_t args_v(const char *first, va_list ap)
{
	uint32_t n = 0;
	const char *s;

	for (s = first; s; s = va_arg(ap, const char *)) {
		size_t l = strlen(s) + 1;

		memcpy(pbuf + n, s, l);
		n += l;
	}
	return n;
}

static uint32_t args(const char *first, ...)
{
	va_list ap;
	uint32_t n;

	va_start(ap, first);
	n = args_v(first, ap);
	va_end(ap);
	return n;
}

static const char *op1(struct xs_conn *c, uint32_t type, uint32_t tx,
		       const char *arg)
{
	return rq(c, type, tx, pbuf, args(arg, NULL));
}

static const char *opn(struct xs_conn *c, uint32_t type, uint32_t tx,
		       const char *first, ...)
{
	va_list ap;
	uint32_t n;

	va_start(ap, first);
	n = args_v(first, ap);
	va_end(ap);
	return rq(c, type, tx, pbuf, n);
}

#define xread(c, tx, p) op1(c, XS_READ, tx, p)
#define xmkdir(c, tx, p) op1(c, XS_MKDIR, tx, p)
#define xrm(c, tx, p) op1(c, XS_RM, tx, p)
#define xdir(c, tx, p) op1(c, XS_DIRECTORY, tx, p)
#define xgetperms(c, tx, p) op1(c, XS_GET_PERMS, tx, p)
#define xsetperms(c, tx, p, ...) opn(c, XS_SET_PERMS, tx, p, __VA_ARGS__, NULL)
#define xwatch(c, p, t) opn(c, XS_WATCH, 0, p, t, NULL)
#define xunwatch(c, p, t) opn(c, XS_UNWATCH, 0, p, t, NULL)

static const char *xwriten(struct xs_conn *c, uint32_t tx, const char *path,
			   const void *value, uint32_t vlen)
{
	uint32_t n = args(path, NULL);

	memcpy(pbuf + n, value, vlen);
	return rq(c, XS_WRITE, tx, pbuf, n + vlen);
}

static const char *xwrite(struct xs_conn *c, uint32_t tx, const char *path,
			  const char *value)
{
	return xwriten(c, tx, path, value, strlen(value));
}

static const char *xtxstart(struct xs_conn *c, uint32_t *id)
{
	const char *e = rq(c, XS_TRANSACTION_START, 0, "", 1);

	*id = 0;
	if (!e)
		*id = strtoul(last.data, NULL, 10);
	return e;
}

static const char *xtxend(struct xs_conn *c, uint32_t id, bool commit)
{
	return op1(c, XS_TRANSACTION_END, id, commit ? "T" : "F");
}

static const char *xintroduce(struct xs_conn *c, unsigned int domid,
			      unsigned long mfn, unsigned int port)
{
	char a[16], b[24], p[16];

	snprintf(a, sizeof(a), "%u", domid);
	snprintf(b, sizeof(b), "%lu", mfn);
	snprintf(p, sizeof(p), "%u", port);
	return opn(c, XS_INTRODUCE, 0, a, b, p, NULL);
}

static const char *xdomop(struct xs_conn *c, uint32_t type, unsigned int d)
{
	char a[16];

	snprintf(a, sizeof(a), "%u", d);
	return op1(c, type, 0, a);
}

/* The last reply's payload is exactly these bytes. */
static bool reply_is(const void *s, size_t len)
{
	return last.h.len == len && !memcmp(last.data, s, len);
}

/* ... is the value s (no NUL). */
static bool reply_val(const char *s)
{
	return reply_is(s, strlen(s));
}

/* ... is the string s with its NUL. */
static bool reply_str(const char *s)
{
	return reply_is(s, strlen(s) + 1);
}

/* ... is the list of strings given space-separated ("a b" = "a\0b\0"). */
static bool reply_list(const char *spaced)
{
	char buf[8192];
	size_t n = strlen(spaced), i;

	memcpy(buf, spaced, n);
	for (i = 0; i < n; i++)
		if (buf[i] == ' ')
			buf[i] = '\0';
	if (n)
		buf[n++] = '\0';
	return reply_is(buf, n);
}

#define OK(call)                                        \
	do {                                            \
		const char *e_ = (call);                \
		CHECK(!e_, "%s failed: %s", #call, e_); \
	} while (0)

#define FAILS(call, name)                                                    \
	do {                                                                 \
		const char *e_ = (call);                                     \
		CHECK(e_ && !strcmp(e_, name), "%s: got %s, want %s", #call, \
		      e_ ? e_ : "success", name);                            \
	} while (0)

/* ---- fixtures ---- */

static struct xs_store *st;
static struct xs_conn *d0, *d5, *d6;

static void check_store(const char *where)
{
	char why[256];
	int r = xs_store_check(st, why, sizeof(why));

	CHECK(r == 0, "store check after %s: %s", where, why);
}

/*
 * A store with domain 0's client and domains 5 and 6 introduced, each
 * owning its home /local/domain/N (as a toolstack sets it up).
 */
static void setup(void)
{
	st = xs_store_new(&ops, NULL);
	d0 = xs_conn_new(st, 0);
	OK(xintroduce(d0, 5, 0x1005, 15));
	OK(xintroduce(d0, 6, 0x1006, 16));
	d5 = xs_domain_conn(st, 5);
	d6 = xs_domain_conn(st, 6);
	CHECK(d5 && d6, "domains not introduced");
	OK(xmkdir(d0, 0, "/local/domain/5"));
	OK(xsetperms(d0, 0, "/local/domain/5", "n5"));
	OK(xmkdir(d0, 0, "/local/domain/6"));
	OK(xsetperms(d0, 0, "/local/domain/6", "n6"));
	ev_clear_all();
}

static void teardown(void)
{
	check_store("test");
	xs_store_free(st);
	st = NULL;
	ev_clear_all();
	CHECK(live_allocs == 0, "%ld blocks leaked", live_allocs);
	live_allocs = 0;
}

/* ---- read, write, mkdir, rm, directory ---- */

static void test_basic(void)
{
	static char big[XENSTORE_PAYLOAD_MAX];
	uint32_t n;

	TEST_GROUP("read/write/mkdir/rm/directory (domain 0)");
	setup();
	FAILS(xread(d0, 0, "/a"), "ENOENT");
	OK(xwrite(d0, 0, "/a/b/c", "hello"));
	OK(xread(d0, 0, "/a/b/c"));
	CHECK(reply_val("hello"), "read back %.*s", last.h.len, last.data);
	/* Parents made by WRITE are empty. */
	OK(xread(d0, 0, "/a/b"));
	CHECK(reply_val(""), "parent value %u bytes", last.h.len);
	OK(xwrite(d0, 0, "/a/b/c", "x"));
	OK(xread(d0, 0, "/a/b/c"));
	CHECK(reply_val("x"), "overwrite");
	/* Values are bytes: NULs and emptiness survive. */
	OK(xwriten(d0, 0, "/a/bin", "1\0002\0", 4));
	OK(xread(d0, 0, "/a/bin"));
	CHECK(reply_is("1\0002\0", 4), "binary value");
	OK(xwrite(d0, 0, "/a/empty", ""));
	OK(xread(d0, 0, "/a/empty"));
	CHECK(reply_val(""), "empty value");

	/* Children in creation order; a leaf lists none. */
	OK(xdir(d0, 0, "/a"));
	CHECK(reply_list("b bin empty"), "directory /a");
	OK(xdir(d0, 0, "/a/b/c"));
	CHECK(reply_list(""), "directory of a leaf");
	FAILS(xdir(d0, 0, "/nope"), "ENOENT");
	OK(xdir(d0, 0, "/"));
	CHECK(reply_list("local a"), "directory /");

	/* MKDIR: creates parents, keeps existing values. */
	OK(xmkdir(d0, 0, "/m/n/o"));
	OK(xread(d0, 0, "/m/n/o"));
	CHECK(reply_val(""), "mkdir value");
	OK(xmkdir(d0, 0, "/a/b/c"));
	OK(xread(d0, 0, "/a/b/c"));
	CHECK(reply_val("x"), "mkdir kept value");

	/* RM: whole subtree; missing node fine if the parent exists. */
	OK(xrm(d0, 0, "/a/b"));
	FAILS(xread(d0, 0, "/a/b/c"), "ENOENT");
	FAILS(xread(d0, 0, "/a/b"), "ENOENT");
	OK(xdir(d0, 0, "/a"));
	CHECK(reply_list("bin empty"), "directory after rm");
	OK(xrm(d0, 0, "/a/b"));
	FAILS(xrm(d0, 0, "/a/b/c"), "ENOENT");
	FAILS(xrm(d0, 0, "/"), "EINVAL");
	OK(xrm(d0, 0, "/a"));
	OK(xdir(d0, 0, "/"));
	CHECK(reply_list("local m"), "directory / after rm");

	/* Relative paths are under the caller's home. */
	OK(xwrite(d0, 0, "rel/x", "r"));
	OK(xread(d0, 0, "/local/domain/0/rel/x"));
	CHECK(reply_val("r"), "dom0 relative write");
	OK(xwrite(d5, 0, "data", "five"));
	OK(xread(d0, 0, "/local/domain/5/data"));
	CHECK(reply_val("five"), "domU relative write");
	OK(xread(d5, 0, "data"));

	/* The largest value that fits a request. */
	n = XENSTORE_PAYLOAD_MAX - strlen("/big") - 1;
	memset(big, 'v', n);
	OK(xwriten(d0, 0, "/big", big, n));
	OK(xread(d0, 0, "/big"));
	CHECK(reply_is(big, n), "big value");

	/* GET_DOMAIN_PATH. */
	OK(xdomop(d5, XS_GET_DOMAIN_PATH, 7));
	CHECK(reply_str("/local/domain/7"), "domain path %s", last.data);
	OK(xdomop(d0, XS_GET_DOMAIN_PATH, 0));
	CHECK(reply_str("/local/domain/0"), "domain path 0");
	FAILS(op1(d0, XS_GET_DOMAIN_PATH, 0, "x"), "EINVAL");
	FAILS(op1(d0, XS_GET_DOMAIN_PATH, 0, "70000"), "EINVAL");
	FAILS(op1(d0, XS_GET_DOMAIN_PATH, 0, ""), "EINVAL");
	CHECK(xs_store_nodes(st) > 5, "node count");
	teardown();
}

/* ---- paths ---- */

static void test_paths(void)
{
	static char p[XENSTORE_ABS_PATH_MAX + 16];
	static const char *const bad[] = {
		"/a b", "/a*", "/a//b", "/a/", "//",	    "/a/./b", "/\x01",
		"@foo", "a b", "x/",	"",    "/\xc3\xa9", "/a\\b",
	};
	size_t i;

	TEST_GROUP("path syntax and limits");
	setup();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		FAILS(xwrite(d0, 0, bad[i], "v"), "EINVAL");
		FAILS(xread(d0, 0, bad[i]), "EINVAL");
		FAILS(xmkdir(d0, 0, bad[i]), "EINVAL");
		FAILS(xrm(d0, 0, bad[i]), "EINVAL");
		FAILS(xdir(d0, 0, bad[i]), "EINVAL");
	}
	OK(xwrite(d0, 0, "/ok-_@9Z/x", "v"));

	/* Absolute: 3072 bytes fine, 3073 not. */
	memset(p, 'a', sizeof(p));
	p[0] = '/';
	p[XENSTORE_ABS_PATH_MAX] = '\0';
	OK(xwrite(d0, 0, p, ""));
	OK(xread(d0, 0, p));
	p[XENSTORE_ABS_PATH_MAX] = 'a';
	p[XENSTORE_ABS_PATH_MAX + 1] = '\0';
	FAILS(xwrite(d0, 0, p, ""), "EINVAL");
	FAILS(xread(d0, 0, p), "EINVAL");
	/*
	 * Relative: 2048 fine, 2049 not. (Short components: one name of
	 * 2048 bytes would overflow the parent's node size quota.)
	 */
	memset(p, 'b', sizeof(p));
	for (i = 64; i < XENSTORE_REL_PATH_MAX; i += 64)
		p[i] = '/';
	p[XENSTORE_REL_PATH_MAX] = '\0';
	OK(xwrite(d5, 0, p, ""));
	p[XENSTORE_REL_PATH_MAX] = 'b';
	p[XENSTORE_REL_PATH_MAX + 1] = '\0';
	FAILS(xwrite(d5, 0, p, ""), "EINVAL");
	FAILS(xread(d5, 0, p), "EINVAL");

	/* Arguments that are not exactly one string. */
	FAILS(rq(d0, XS_READ, 0, "/local", 6), "EINVAL"); /* no NUL */
	FAILS(rq(d0, XS_READ, 0, "", 0), "EINVAL");
	FAILS(rq(d0, XS_READ, 0, "/local\0/x", 10), "EINVAL");
	FAILS(rq(d0, XS_DIRECTORY, 0, "/local", 6), "EINVAL");
	FAILS(rq(d0, XS_MKDIR, 0, "/local\0\0", 8), "EINVAL");
	FAILS(rq(d0, XS_RM, 0, "/q", 2), "EINVAL");
	FAILS(rq(d0, XS_GET_PERMS, 0, "/local", 6), "EINVAL");
	FAILS(rq(d0, XS_WRITE, 0, "/nonul", 6), "EINVAL");
	FAILS(rq(d0, XS_WRITE, 0, "", 0), "EINVAL");
	/* A write's value may be empty, with or without anything after. */
	OK(rq(d0, XS_WRITE, 0, "/w\0", 3));
	teardown();
}

/* ---- permissions ---- */

static void test_perms(void)
{
	struct xs_conn *d7;

	TEST_GROUP("permissions");
	setup();
	OK(xwrite(d0, 0, "/local/domain/6/private", "six"));
	OK(xwrite(d0, 0, "/tool/secret", "dom0 only"));

	/* A domain's own home: everything; its nodes are its own. */
	OK(xwrite(d5, 0, "/local/domain/5/a/b", "v"));
	OK(xgetperms(d5, 0, "/local/domain/5/a"));
	CHECK(reply_list("n5"), "created node perms %s", last.data);
	OK(xgetperms(d0, 0, "/"));
	CHECK(reply_list("n0"), "root perms");
	FAILS(xread(d5, 0, "/local/domain/5/missing"), "ENOENT");

	/* Others' nodes: refused, and their absence too. */
	FAILS(xread(d5, 0, "/local/domain/6/private"), "EACCES");
	FAILS(xread(d5, 0, "/local/domain/6/missing"), "EACCES");
	FAILS(xread(d5, 0, "/local/domain/6/missing/deeper"), "EACCES");
	FAILS(xread(d5, 0, "/tool/secret"), "EACCES");
	FAILS(xdir(d5, 0, "/local/domain/6"), "EACCES");
	FAILS(xgetperms(d5, 0, "/local/domain/6"), "EACCES");
	FAILS(xwrite(d5, 0, "/local/domain/6/private", "x"), "EACCES");
	FAILS(xwrite(d5, 0, "/local/domain/6/new", "x"), "EACCES");
	FAILS(xwrite(d5, 0, "/local/domain/6/new/deep", "x"), "EACCES");
	FAILS(xmkdir(d5, 0, "/local/domain/6/new"), "EACCES");
	FAILS(xmkdir(d5, 0, "/local/domain/6"), "EACCES");
	FAILS(xrm(d5, 0, "/local/domain/6/private"), "EACCES");
	FAILS(xrm(d5, 0, "/local/domain/6"), "EACCES");
	FAILS(xrm(d5, 0, "/local/domain/6/missing"), "EACCES");
	FAILS(xwrite(d5, 0, "/top", "x"), "EACCES");
	FAILS(xrm(d5, 0, "/"), "EACCES");
	FAILS(xsetperms(d5, 0, "/local/domain/6/private", "b5"), "EACCES");
	OK(xread(d0, 0, "/local/domain/6/private"));
	CHECK(reply_val("six"), "untouched");

	/* ACL entries. */
	OK(xwrite(d0, 0, "/local/domain/6/shared", "s"));
	OK(xsetperms(d0, 0, "/local/domain/6/shared", "n6", "r5"));
	OK(xread(d5, 0, "/local/domain/6/shared"));
	CHECK(reply_val("s"), "ACL read");
	FAILS(xwrite(d5, 0, "/local/domain/6/shared", "x"), "EACCES");
	FAILS(xwrite(d5, 0, "/local/domain/6/shared/kid", "x"), "EACCES");
	OK(xsetperms(d0, 0, "/local/domain/6/shared", "n6", "w5"));
	FAILS(xread(d5, 0, "/local/domain/6/shared"), "EACCES");
	OK(xwrite(d5, 0, "/local/domain/6/shared", "by5"));
	OK(xsetperms(d0, 0, "/local/domain/6/shared", "n6", "b5"));
	OK(xread(d5, 0, "/local/domain/6/shared"));
	CHECK(reply_val("by5"), "ACL write");
	/* A child created by 5 under 6's node is 5's, with the ACL. */
	OK(xwrite(d5, 0, "/local/domain/6/shared/kid", "k"));
	OK(xgetperms(d0, 0, "/local/domain/6/shared/kid"));
	CHECK(reply_list("n5 b5"), "inherited %s", last.data);
	/* The first entry naming the domain decides. */
	OK(xsetperms(d0, 0, "/local/domain/6/shared", "n6", "r5", "b5"));
	FAILS(xwrite(d5, 0, "/local/domain/6/shared", "x"), "EACCES");
	/* The default entry applies to everyone unlisted. */
	OK(xsetperms(d0, 0, "/local/domain/6/shared", "r6"));
	OK(xread(d5, 0, "/local/domain/6/shared"));
	/* Only the owner (or domain 0) sets permissions. */
	OK(xsetperms(d0, 0, "/local/domain/6/shared", "n6", "b5"));
	FAILS(xsetperms(d5, 0, "/local/domain/6/shared", "n6", "b5", "r7"),
	      "EACCES");
	OK(xsetperms(d6, 0, "/local/domain/6/shared", "n6"));
	FAILS(xread(d5, 0, "/local/domain/6/shared"), "EACCES");
	/* The owner may share but not give away. */
	OK(xsetperms(d5, 0, "/local/domain/5/a", "n5", "r6"));
	FAILS(xread(d6, 0, "/local/domain/5/a/b"), "EACCES"); /* b: n5 */
	OK(xread(d6, 0, "/local/domain/5/a"));
	FAILS(xsetperms(d5, 0, "/local/domain/5/a", "n6"), "EPERM");
	FAILS(xsetperms(d5, 0, "/local/domain/5/a", "b6"), "EPERM");
	/* Domain 0 may. */
	OK(xsetperms(d0, 0, "/local/domain/5/a", "n6"));
	FAILS(xread(d5, 0, "/local/domain/5/a"), "EACCES");
	OK(xread(d6, 0, "/local/domain/5/a"));
	CHECK(xs_store_owned(st, 6) >= 2, "ownership accounted");
	/* Domain 0 creating inside a home keeps the home's owner. */
	OK(xwrite(d0, 0, "/local/domain/5/fromdom0", "z"));
	OK(xgetperms(d0, 0, "/local/domain/5/fromdom0"));
	CHECK(reply_list("n5"), "dom0-created perms %s", last.data);

	/* Malformed permission lists. */
	FAILS(xsetperms(d0, 0, "/tool/secret", "x5"), "EINVAL");
	FAILS(xsetperms(d0, 0, "/tool/secret", "r"), "EINVAL");
	FAILS(xsetperms(d0, 0, "/tool/secret", "r70000"), "EINVAL");
	FAILS(xsetperms(d0, 0, "/tool/secret", "r5x"), "EINVAL");
	FAILS(xsetperms(d0, 0, "/tool/secret", "r-1"), "EINVAL");
	FAILS(xsetperms(d0, 0, "/tool/secret", ""), "EINVAL");
	FAILS(opn(d0, XS_SET_PERMS, 0, "/tool/secret", NULL), "EINVAL");
	FAILS(rq(d0, XS_SET_PERMS, 0, "/tool/secret\0r5", 15), "EINVAL");
	FAILS(rq(d0, XS_SET_PERMS, 0, "/tool/secret", 12), "EINVAL");
	FAILS(xsetperms(d0, 0, "/missing", "n0"), "ENOENT");
	FAILS(xsetperms(d0, 0, "/bad//path", "n0"), "EINVAL");
	OK(xgetperms(d0, 0, "/tool/secret"));
	CHECK(reply_list("n0"), "unchanged perms");
	/* A reserved tail after the last NUL is ignored. */
	OK(rq(d0, XS_SET_PERMS, 0, "/tool/secret\0r0\0b5\0zz", 21));
	OK(xgetperms(d0, 0, "/tool/secret"));
	CHECK(reply_list("r0 b5"), "perms with tail %s", last.data);
	/* Up to five entries for a domain, any number for domain 0. */
	FAILS(xsetperms(d5, 0, "/local/domain/5/data", "n5"), "ENOENT");
	OK(xwrite(d5, 0, "/local/domain/5/data", ""));
	OK(xsetperms(d5, 0, "/local/domain/5/data", "n5", "r1", "r2", "r3",
		     "r4"));
	FAILS(xsetperms(d5, 0, "/local/domain/5/data", "n5", "r1", "r2", "r3",
			"r4", "r6"),
	      "ENOSPC");
	OK(xsetperms(d0, 0, "/local/domain/5/data", "n5", "r1", "r2", "r3",
		     "r4", "r6", "r7"));

	/* Requests for domain 0 only. */
	FAILS(xintroduce(d5, 9, 1, 1), "EACCES");
	FAILS(xdomop(d5, XS_RELEASE, 6), "EACCES");
	FAILS(xdomop(d5, XS_IS_DOMAIN_INTRODUCED, 6), "EACCES");
	FAILS(xdomop(d5, XS_RESUME, 6), "EACCES");
	FAILS(opn(d5, XS_SET_TARGET, 0, "5", "6", NULL), "EACCES");
	FAILS(opn(d5, XS_CONTROL, 0, "check", NULL), "EACCES");
	CHECK(xs_domain_conn(st, 6) != NULL, "6 still introduced");

	/* SET_TARGET: 7 acts for 6 (a device model), nothing more. */
	OK(xintroduce(d0, 7, 0x1007, 17));
	d7 = xs_domain_conn(st, 7);
	OK(xwrite(d0, 0, "/local/domain/6/private", "six"));
	FAILS(xread(d7, 0, "/local/domain/6/private"), "EACCES");
	FAILS(opn(d0, XS_SET_TARGET, 0, "7", "8", NULL), "ENOENT");
	FAILS(opn(d0, XS_SET_TARGET, 0, "8", "6", NULL), "ENOENT");
	FAILS(opn(d0, XS_SET_TARGET, 0, "7", NULL), "EINVAL");
	FAILS(opn(d0, XS_SET_TARGET, 0, "7", "x", NULL), "EINVAL");
	OK(opn(d0, XS_SET_TARGET, 0, "7", "6", NULL));
	OK(xread(d7, 0, "/local/domain/6/private"));
	OK(xwrite(d7, 0, "/local/domain/6/dm", "x"));
	OK(xsetperms(d7, 0, "/local/domain/6/private", "n6", "r5"));
	FAILS(xread(d7, 0, "/local/domain/5/fromdom0"), "EACCES");
	FAILS(xwrite(d7, 0, "/local/domain/5/x", "x"), "EACCES");
	/* Its own home still works relative to itself. */
	OK(xmkdir(d0, 0, "/local/domain/7"));
	OK(xsetperms(d0, 0, "/local/domain/7", "n7"));
	OK(xwrite(d7, 0, "own", "x"));
	OK(xread(d0, 0, "/local/domain/7/own"));
	teardown();
}

/* ---- watches ---- */

static void test_watches(void)
{
	char tok[16];
	int i;

	TEST_GROUP("watches");
	setup();
	/* Registration fires once, with the path as given. */
	OK(xwatch(d0, "/w", "tok1"));
	CHECK(reply_str("OK"), "watch reply");
	CHECK(ev_next(d0, "/w", "tok1"), "registration event");
	CHECK(ev_count(d0) == 0, "one registration event");
	/* The node and its subtree, nothing else. */
	OK(xwrite(d0, 0, "/w", "1"));
	CHECK(ev_next(d0, "/w", "tok1"), "event on the node");
	OK(xwrite(d0, 0, "/w/x/y", "2"));
	CHECK(ev_next(d0, "/w/x/y", "tok1"), "event below");
	OK(xwrite(d0, 0, "/wx", "3"));
	OK(xwrite(d0, 0, "/other", "3"));
	CHECK(ev_count(d0) == 0, "no event for /wx or /other");
	/* MKDIR of an existing node changes nothing: no event. */
	OK(xmkdir(d0, 0, "/w/x"));
	CHECK(ev_count(d0) == 0, "no event for existing mkdir");
	OK(xmkdir(d0, 0, "/w/m"));
	CHECK(ev_next(d0, "/w/m", "tok1"), "mkdir event");
	OK(xsetperms(d0, 0, "/w/m", "r0"));
	CHECK(ev_next(d0, "/w/m", "tok1"), "set_perms event");
	/* Failed requests fire nothing. */
	FAILS(xwrite(d0, 0, "/w//z", "4"), "EINVAL");
	CHECK(ev_count(d0) == 0, "no event for a failed write");

	/* Duplicates, more tokens, unwatch. */
	FAILS(xwatch(d0, "/w", "tok1"), "EEXIST");
	OK(xwatch(d0, "/w", "tok2"));
	CHECK(ev_next(d0, "/w", "tok2"), "second token registration");
	OK(xwrite(d0, 0, "/w", "5"));
	CHECK(ev_next(d0, "/w", "tok1"), "first token");
	CHECK(ev_next(d0, "/w", "tok2"), "second token");
	OK(xunwatch(d0, "/w", "tok1"));
	FAILS(xunwatch(d0, "/w", "tok1"), "ENOENT");
	FAILS(xunwatch(d0, "/w", "nope"), "ENOENT");
	FAILS(xunwatch(d0, "/w//", "tok2"), "EINVAL");
	OK(xwrite(d0, 0, "/w", "6"));
	CHECK(ev_next(d0, "/w", "tok2"), "remaining token");
	CHECK(ev_count(d0) == 0, "unwatched token silent");
	OK(xunwatch(d0, "/w", "tok2"));

	/* A nonexistent path may be watched; creation fires. */
	OK(xwatch(d0, "/later/node", "t"));
	CHECK(ev_next(d0, "/later/node", "t"), "registration for missing");
	OK(xwrite(d0, 0, "/later/node/deeper", "x"));
	CHECK(ev_next(d0, "/later/node/deeper", "t"), "fires on creation");

	/* RM: watchers above see the removed path, watchers below their own. */
	OK(xwrite(d0, 0, "/r/a/b/c", "x"));
	OK(xwatch(d0, "/", "root"));
	OK(xwatch(d0, "/r", "r"));
	OK(xwatch(d0, "/r/a/b", "b"));
	OK(xwatch(d0, "/r/a/b/c", "c"));
	OK(xwatch(d0, "/r/a/missing", "m"));
	ev_clear(d0);
	OK(xrm(d0, 0, "/r/a"));
	drain(d0);
	CHECK(ev_next(d0, "/r/a", "root"), "rm: root watch");
	CHECK(ev_next(d0, "/r/a", "r"), "rm: parent watch");
	/* Order below follows the deletion walk; take them in any order. */
	CHECK(ev_count(d0) == 2, "rm: %d events below", ev_count(d0));
	{
		bool b = false, c = false;

		for (i = 0; i < nevs; i++) {
			b |= !strcmp(evs[i].path, "/r/a/b") &&
			     !strcmp(evs[i].token, "b");
			c |= !strcmp(evs[i].path, "/r/a/b/c") &&
			     !strcmp(evs[i].token, "c");
		}
		CHECK(b && c, "rm: exact events for the watched nodes");
	}
	ev_clear(d0);
	/* rm of a missing node with its parent present: no change, no event. */
	OK(xrm(d0, 0, "/r/zz"));
	CHECK(ev_count(d0) == 0, "rm missing: no event");
	OK(xunwatch(d0, "/", "root"));

	/* Relative watches get relative event paths. */
	OK(xwatch(d5, "dev", "rel"));
	CHECK(ev_next(d5, "dev", "rel"), "relative registration");
	OK(xwrite(d0, 0, "/local/domain/5/dev/vbd/state", "1"));
	CHECK(ev_next(d5, "dev/vbd/state", "rel"), "relative event");
	OK(xwatch(d5, "/local/domain/5/dev", "abs"));
	CHECK(ev_next(d5, "/local/domain/5/dev", "abs"), "absolute reg");
	OK(xwrite(d5, 0, "dev/x", "1"));
	CHECK(ev_next(d5, "dev/x", "rel"), "relative again");
	CHECK(ev_next(d5, "/local/domain/5/dev/x", "abs"), "absolute form");
	/* Unwatch takes either form of the path. */
	OK(xunwatch(d5, "/local/domain/5/dev", "rel"));
	OK(xunwatch(d5, "dev", "abs"));
	OK(xrm(d0, 0, "/local/domain/5/dev"));
	CHECK(ev_count(d5) == 0, "no watches left");

	/* Unreadable nodes do not reach unprivileged watchers. */
	OK(xwatch(d5, "/local/domain/6", "spy"));
	CHECK(ev_next(d5, "/local/domain/6", "spy"), "registration anyway");
	OK(xwrite(d0, 0, "/local/domain/6/secret", "x"));
	OK(xwrite(d6, 0, "/local/domain/6/secret", "y"));
	OK(xrm(d6, 0, "/local/domain/6/secret"));
	CHECK(ev_count(d5) == 0, "no events for unreadable nodes");
	/* ... until an ACL lets it read. */
	OK(xwrite(d6, 0, "/local/domain/6/pub", "x"));
	OK(xsetperms(d6, 0, "/local/domain/6/pub", "n6", "r5"));
	CHECK(ev_next(d5, "/local/domain/6/pub", "spy"), "readable: event");
	OK(xwrite(d6, 0, "/local/domain/6/pub", "y"));
	CHECK(ev_next(d5, "/local/domain/6/pub", "spy"), "readable: again");
	OK(xwatch(d5, "/", "everything"));
	CHECK(ev_next(d5, "/", "everything"), "root registration");
	OK(xwrite(d0, 0, "/tool/private", "p"));
	CHECK(ev_count(d5) == 0, "domain 0's nodes stay private");
	/* Domain 0 sees everything. */
	OK(xwatch(d0, "/local", "all"));
	CHECK(ev_next(d0, "/local", "all"), "dom0 registration");
	OK(xwrite(d6, 0, "/local/domain/6/z", "z"));
	CHECK(ev_next(d0, "/local/domain/6/z", "all"), "dom0 sees all");
	OK(xunwatch(d0, "/local", "all"));
	OK(xunwatch(d5, "/", "everything"));
	OK(xunwatch(d5, "/local/domain/6", "spy"));

	/* Bad WATCH requests. */
	FAILS(xwatch(d5, "/a//b", "t"), "EINVAL");
	FAILS(opn(d5, XS_WATCH, 0, "/a", NULL), "EINVAL");
	FAILS(rq(d5, XS_WATCH, 0, "/a\0tok", 6), "EINVAL");
	FAILS(rq(d5, XS_UNWATCH, 0, "/a", 2), "EINVAL");
	/* The transaction id of a WATCH is ignored. */
	OK(rq(d5, XS_WATCH, 999, "/ign\0t\0", 7));
	CHECK(ev_next(d5, "/ign", "t"), "watch with a tx id");
	/* A reserved tail after the token is ignored. */
	OK(rq(d5, XS_WATCH, 0, "/ign2\0t\0xx", 10));
	CHECK(ev_next(d5, "/ign2", "t"), "watch with a tail");

	/* Quota: 128 watches, then E2BIG; RESET_WATCHES clears them. */
	OK(xrm(d0, 0, "/ign"));
	OK(rq(d5, XS_RESET_WATCHES, 0, "", 1));
	CHECK(xs_conn_watches(d5) == 0, "reset");
	for (i = 0; i < 128; i++) {
		snprintf(tok, sizeof(tok), "q%d", i);
		OK(xwatch(d5, "q", tok));
	}
	FAILS(xwatch(d5, "q", "one-more"), "E2BIG");
	ev_clear(d5);
	OK(xwrite(d5, 0, "q", ""));
	CHECK(ev_count(d5) == 128, "all 128 fire: %d", ev_count(d5));
	ev_clear(d5);
	OK(rq(d5, XS_RESET_WATCHES, 0, "", 1));
	OK(xwrite(d5, 0, "q", ""));
	CHECK(ev_count(d5) == 0, "no watches after reset");
	OK(xwatch(d5, "q", "again"));
	/* Domain 0 has no watch quota. */
	for (i = 0; i < 200; i++) {
		snprintf(tok, sizeof(tok), "z%d", i);
		OK(xwatch(d0, "/z", tok));
	}
	ev_clear_all();
	teardown();
}

static void test_special_watches(void)
{
	TEST_GROUP("@introduceDomain and @releaseDomain");
	setup();
	OK(xwatch(d0, "@introduceDomain", "in"));
	CHECK(ev_next(d0, "@introduceDomain", "in"), "registration");
	OK(xwatch(d0, "@releaseDomain", "out"));
	CHECK(ev_next(d0, "@releaseDomain", "out"), "registration");
	/* A domain may watch them but hears nothing by default. */
	OK(xwatch(d5, "@releaseDomain", "r5"));
	CHECK(ev_next(d5, "@releaseDomain", "r5"), "domU registration");
	OK(xwatch(d5, "@introduceDomain", "i5"));
	CHECK(ev_next(d5, "@introduceDomain", "i5"), "domU registration");
	/* Special paths only match exactly, and no tree change matches them. */
	OK(xwatch(d0, "@other", "o"));
	CHECK(ev_next(d0, "@other", "o"), "any @name may be watched");
	OK(xwrite(d0, 0, "/x", ""));
	CHECK(ev_count(d0) == 0, "tree changes do not fire specials");

	OK(xintroduce(d0, 8, 0x1008, 18));
	CHECK(ev_next(d0, "@introduceDomain", "in"), "introduce fires");
	CHECK(ev_count(d0) == 0, "only the introduce watch");
	CHECK(ev_count(d5) == 0, "domain 5 not told");
	/* Introducing again (same page) rebinds: no new event. */
	OK(xintroduce(d0, 8, 0x1008, 19));
	CHECK(ev_count(d0) == 0, "re-introduce is silent");

	xs_domain_shutdown(st, 8);
	CHECK(ev_next(d0, "@releaseDomain", "out"), "shutdown fires");
	xs_domain_shutdown(st, 8);
	CHECK(ev_count(d0) == 0, "only once per shutdown");
	OK(xdomop(d0, XS_RESUME, 8));
	xs_domain_shutdown(st, 8);
	CHECK(ev_next(d0, "@releaseDomain", "out"), "again after RESUME");
	OK(xdomop(d0, XS_RELEASE, 8));
	CHECK(ev_next(d0, "@releaseDomain", "out"), "release fires");
	CHECK(ev_count(d5) == 0, "domain 5 not told");

	/* Domain 0 can let a domain hear them. */
	FAILS(xgetperms(d5, 0, "@releaseDomain"), "EACCES");
	OK(xgetperms(d0, 0, "@releaseDomain"));
	CHECK(reply_list("n0"), "special perms");
	FAILS(xsetperms(d5, 0, "@releaseDomain", "r5"), "EACCES");
	OK(xsetperms(d0, 0, "@releaseDomain", "n0", "r5"));
	OK(xgetperms(d5, 0, "@releaseDomain"));
	CHECK(reply_list("n0 r5"), "special perms set");
	FAILS(xgetperms(d0, 0, "@nosuch"), "ENOENT");
	FAILS(xsetperms(d0, 0, "@nosuch", "n0"), "ENOENT");
	FAILS(xgetperms(d0, 0, "@"), "EINVAL");
	OK(xintroduce(d0, 9, 0x1009, 19));
	CHECK(ev_next(d0, "@introduceDomain", "in"), "introduce 9");
	CHECK(ev_count(d5) == 0, "introduce still private");
	xs_domain_destroyed(st, 9);
	CHECK(ev_next(d0, "@releaseDomain", "out"), "death fires");
	CHECK(ev_next(d5, "@releaseDomain", "r5"), "domain 5 told now");
	CHECK(xs_domain_conn(st, 9) == NULL, "dead domain gone");
	ev_clear_all();
	teardown();
}

/* ---- transactions ---- */

static void test_transactions(void)
{
	uint32_t t1, t2, ids[12];
	int i;

	TEST_GROUP("transactions");
	setup();
	OK(xwrite(d0, 0, "/t/base", "0"));
	OK(xwatch(d0, "/t", "w"));
	ev_clear(d0);

	/* Own writes visible inside, invisible outside until commit. */
	OK(xtxstart(d0, &t1));
	CHECK(t1 != 0, "transaction id");
	OK(xwrite(d0, t1, "/t/new/leaf", "in-tx"));
	OK(xread(d0, t1, "/t/new/leaf"));
	CHECK(reply_val("in-tx"), "read own write");
	OK(xdir(d0, t1, "/t"));
	CHECK(reply_list("base new"), "directory in tx");
	FAILS(xread(d0, 0, "/t/new/leaf"), "ENOENT");
	OK(xdir(d0, 0, "/t"));
	CHECK(reply_list("base"), "directory outside");
	OK(xrm(d0, t1, "/t/base"));
	FAILS(xread(d0, t1, "/t/base"), "ENOENT");
	OK(xread(d0, 0, "/t/base"));
	OK(xsetperms(d0, t1, "/t/new", "r0"));
	OK(xgetperms(d0, t1, "/t/new"));
	CHECK(reply_list("r0"), "perms in tx");
	CHECK(ev_count(d0) == 0, "no events before commit");
	OK(xtxend(d0, t1, true));
	CHECK(reply_str("OK"), "commit reply");
	OK(xread(d0, 0, "/t/new/leaf"));
	CHECK(reply_val("in-tx"), "committed");
	FAILS(xread(d0, 0, "/t/base"), "ENOENT");
	CHECK(ev_count(d0) == 3, "events at commit: %d", ev_count(d0));
	ev_clear(d0);
	FAILS(xread(d0, t1, "/t/new/leaf"), "ENOENT"); /* tx gone */
	FAILS(xtxend(d0, t1, true), "ENOENT");

	/* Abort discards. */
	OK(xtxstart(d0, &t1));
	OK(xwrite(d0, t1, "/t/aborted", "x"));
	OK(xtxend(d0, t1, false));
	FAILS(xread(d0, 0, "/t/aborted"), "ENOENT");
	CHECK(ev_count(d0) == 0, "no events for abort");

	/* Conflict: a node the transaction read changed. */
	OK(xwrite(d0, 0, "/t/c", "1"));
	OK(xtxstart(d0, &t1));
	OK(xread(d0, t1, "/t/c"));
	OK(xwrite(d6, 0, "/local/domain/6/unrelated", "u"));
	OK(xwrite(d0, 0, "/t/c", "2"));
	OK(xwrite(d0, t1, "/t/d", "from tx"));
	FAILS(xtxend(d0, t1, true), "EAGAIN");
	FAILS(xread(d0, 0, "/t/d"), "ENOENT");
	ev_clear(d0);

	/* Conflict: a node the transaction found absent appeared. */
	OK(xtxstart(d0, &t1));
	FAILS(xread(d0, t1, "/t/phantom"), "ENOENT");
	OK(xwrite(d0, 0, "/t/phantom", "boo"));
	OK(xwrite(d0, t1, "/t/other", "x"));
	FAILS(xtxend(d0, t1, true), "EAGAIN");

	/* Conflict: two transactions write the same node; first wins. */
	OK(xtxstart(d0, &t1));
	OK(xtxstart(d5, &t2));
	OK(xwrite(d0, t1, "/local/domain/5/shared", "a"));
	OK(xwrite(d5, t2, "shared", "b"));
	OK(xtxend(d0, t1, true));
	FAILS(xtxend(d5, t2, true), "EAGAIN");
	OK(xread(d0, 0, "/local/domain/5/shared"));
	CHECK(reply_val("a"), "first commit wins");
	/* The retry succeeds. */
	OK(xtxstart(d5, &t2));
	OK(xread(d5, t2, "shared"));
	OK(xwrite(d5, t2, "shared", "b"));
	OK(xtxend(d5, t2, true));
	OK(xread(d0, 0, "/local/domain/5/shared"));
	CHECK(reply_val("b"), "retry committed");

	/* Concurrent transactions on unrelated nodes both commit. */
	OK(xtxstart(d5, &t1));
	OK(xtxstart(d6, &t2));
	OK(xwrite(d5, t1, "dev/state", "1"));
	OK(xwrite(d6, t2, "dev/state", "2"));
	OK(xread(d5, t1, "shared"));
	OK(xtxend(d6, t2, true));
	OK(xtxend(d5, t1, true));
	OK(xread(d0, 0, "/local/domain/5/dev/state"));
	OK(xread(d0, 0, "/local/domain/6/dev/state"));

	/* A read-only transaction that saw nothing change commits. */
	OK(xtxstart(d5, &t1));
	OK(xread(d5, t1, "shared"));
	OK(xtxend(d5, t1, true));

	/* Transaction ids are per connection. */
	OK(xtxstart(d5, &t1));
	FAILS(xread(d6, t1, "/local/domain/6"), "ENOENT");
	FAILS(xtxend(d6, t1, false), "ENOENT");
	OK(xtxend(d5, t1, false));

	/* Bad ids and arguments. */
	FAILS(xread(d0, 12345, "/t/c"), "ENOENT");
	FAILS(xwrite(d0, 12345, "/t/c", "x"), "ENOENT");
	FAILS(xtxend(d0, 0, true), "ENOENT");
	OK(xtxstart(d0, &t1));
	FAILS(rq(d0, XS_TRANSACTION_START, t1, "", 1), "EBUSY");
	FAILS(rq(d0, XS_TRANSACTION_START, 999, "", 1), "ENOENT");
	FAILS(op1(d0, XS_TRANSACTION_END, t1, "X"), "EINVAL");
	FAILS(op1(d0, XS_TRANSACTION_END, t1, "TF"), "EINVAL");
	FAILS(rq(d0, XS_TRANSACTION_END, t1, "T", 1), "EINVAL");
	OK(xtxend(d0, t1, false)); /* still there after bad ENDs */

	/* A failed request leaves the transaction as it was. */
	OK(xtxstart(d5, &t1));
	OK(xwrite(d5, t1, "keep", "before"));
	{
		static char big[3000];

		memset(big, 'x', sizeof(big));
		FAILS(xwriten(d5, t1, "keep", big, sizeof(big)), "ENOSPC");
		FAILS(xwriten(d5, t1, "keep2/a/b", big, sizeof(big)), "ENOSPC");
	}
	OK(xread(d5, t1, "keep"));
	CHECK(reply_val("before"), "failed write left no trace");
	FAILS(xread(d5, t1, "keep2"), "ENOENT");
	OK(xtxend(d5, t1, true));
	OK(xread(d0, 0, "/local/domain/5/keep"));
	FAILS(xread(d0, 0, "/local/domain/5/keep2"), "ENOENT");

	/* Quota: ten open transactions per domain. */
	for (i = 0; i < 10; i++)
		OK(xtxstart(d5, &ids[i]));
	CHECK(xs_conn_transactions(d5) == 10, "ten open");
	FAILS(xtxstart(d5, &ids[10]), "ENOSPC");
	OK(xtxend(d5, ids[3], false));
	OK(xtxstart(d5, &ids[3]));
	for (i = 0; i < 10; i++)
		CHECK(ids[i] != 0, "id %d", i);
	/* RESET_WATCHES ends them all. */
	OK(rq(d5, XS_RESET_WATCHES, ids[0], "", 1));
	CHECK(xs_conn_transactions(d5) == 0, "reset ends transactions");
	FAILS(xread(d5, ids[1], "keep"), "ENOENT");
	/* Domain 0 has no such limit. */
	for (i = 0; i < 12; i++)
		OK(xtxstart(d0, &ids[i % 12]));

	/* Quota: nodes touched by one transaction. */
	xs_store_quota(st)->trans_nodes = 6;
	OK(xtxstart(d5, &t1));
	OK(xread(d5, t1, "keep"));
	OK(xwrite(d5, t1, "n1", ""));
	FAILS(xwrite(d5, t1, "n2/a/b/c/d", ""), "ENOSPC");
	OK(xtxend(d5, t1, true));
	OK(xread(d0, 0, "/local/domain/5/n1"));
	xs_store_quota(st)->trans_nodes = 1024;

	/* Quota: memory held by a domain's transactions. */
	xs_store_quota(st)->trans_bytes = 8192;
	{
		static char big[2000];
		char p[64];
		const char *e = NULL;

		OK(xtxstart(d5, &t1));
		for (i = 0; i < 1000 && !e; i++) {
			snprintf(p, sizeof(p), "absent-%d", i);
			e = xread(d5, t1, p);
			if (e && !strcmp(e, "ENOENT"))
				e = NULL;
		}
		CHECK(e && !strcmp(e, "ENOSPC") && i > 10, "stopped at %d: %s",
		      i, e);
		OK(xtxend(d5, t1, false));
		/* Freed with the transaction. */
		OK(xtxstart(d5, &t1));
		FAILS(xread(d5, t1, "absent-0"), "ENOENT");
		memset(big, 'b', sizeof(big));
		OK(xwriten(d5, t1, "b1", big, sizeof(big)));
		OK(xwriten(d5, t1, "b2", big, sizeof(big)));
		OK(xwriten(d5, t1, "b3", big, sizeof(big)));
		FAILS(xwriten(d5, t1, "b4", big, sizeof(big)), "ENOSPC");
		OK(xtxend(d5, t1, true));
		OK(xread(d0, 0, "/local/domain/5/b3"));
		FAILS(xread(d0, 0, "/local/domain/5/b4"), "ENOENT");
	}
	xs_store_quota(st)->trans_bytes = 512 * 1024;

	/* Events of a transaction: at commit, after the reply. */
	OK(xwatch(d6, "dev", "d6"));
	CHECK(ev_next(d6, "dev", "d6"), "registration");
	OK(xtxstart(d6, &t1));
	OK(xwrite(d6, t1, "dev/a", "1"));
	OK(xwrite(d6, t1, "dev/b", "2"));
	CHECK(ev_count(d6) == 0, "held back");
	OK(xtxend(d6, t1, true));
	CHECK(ev_next(d6, "dev/a", "d6"), "first at commit");
	CHECK(ev_next(d6, "dev/b", "d6"), "second at commit");
	OK(xtxstart(d6, &t1));
	OK(xwrite(d6, t1, "dev/c", "3"));
	OK(xwrite(d0, 0, "/local/domain/6/dev", "conflict"));
	CHECK(ev_next(d6, "dev", "d6"), "outside write");
	FAILS(xtxend(d6, t1, true), "EAGAIN");
	CHECK(ev_count(d6) == 0, "no events from a failed commit");
	ev_clear_all();
	teardown();
}

/* ---- quotas ---- */

static void test_quotas(void)
{
	static char big[XENSTORE_PAYLOAD_MAX + 64];
	char path[64];
	uint32_t owned, nfill = 0;
	int i;

	TEST_GROUP("quotas: nodes, node size, request size");
	setup();
	/*
	 * A hostile domain creates nodes until refused (30 to a directory,
	 * so no child list reaches the node size limit first).
	 */
	owned = xs_store_owned(st, 5);
	CHECK(owned == 1, "home owned: %u", owned);
	for (i = 0; i < 2000; i++) {
		const char *e;

		snprintf(path, sizeof(path), "flood/%d/%d", i / 30, i % 30);
		e = xwrite(d5, 0, path, "x");
		if (e) {
			CHECK(!strcmp(e, "ENOSPC"), "flood error %s", e);
			break;
		}
	}
	owned = xs_store_owned(st, 5);
	CHECK(i < 2000 && owned >= 999 && owned <= 1000, "flood: owned %u",
	      owned);
	/* Fill to exactly the quota. */
	while (xs_store_owned(st, 5) < 1000) {
		snprintf(path, sizeof(path), "fill%u", nfill++);
		OK(xmkdir(d5, 0, path));
	}
	FAILS(xmkdir(d5, 0, "more"), "ENOSPC");
	FAILS(xwrite(d5, 0, "a/b/c", ""), "ENOSPC");
	CHECK(xs_store_owned(st, 5) == 1000, "at the quota");
	/* Rewriting existing nodes still works; so does removing. */
	OK(xwrite(d5, 0, "flood/0/0", "y"));
	OK(xrm(d5, 0, "flood/0/1"));
	OK(xwrite(d5, 0, "one-more", ""));
	FAILS(xwrite(d5, 0, "two-more", ""), "ENOSPC");
	/* Other domains and domain 0 are unaffected. */
	OK(xwrite(d6, 0, "fine", ""));
	OK(xwrite(d0, 0, "/local/domain/5/by-dom0", ""));
	CHECK(xs_store_owned(st, 5) == 1001, "dom0 may exceed for 5");
	/* A transaction that would go over fails at commit. */
	{
		uint32_t t;

		OK(xrm(d5, 0, "flood/0/2"));
		OK(xrm(d5, 0, "flood/0/3"));
		OK(xtxstart(d5, &t));
		OK(xwrite(d5, t, "t1", ""));
		OK(xwrite(d5, t, "t2", ""));
		OK(xwrite(d5, t, "t3", ""));
		FAILS(xtxend(d5, t, true), "ENOSPC");
		FAILS(xread(d5, 0, "t1"), "ENOENT");
	}
	OK(xrm(d5, 0, "flood"));
	/* home, fill*, one-more, by-dom0 */
	CHECK(xs_store_owned(st, 5) == 3 + nfill, "after rm: %u",
	      xs_store_owned(st, 5));
	check_store("flood");

	/* Node size: value, child names and permissions count. */
	memset(big, 'v', sizeof(big));
	OK(xwriten(d5, 0, "sized", big, 2000));
	FAILS(xwriten(d5, 0, "sized", big, 2048), "ENOSPC");
	OK(xread(d5, 0, "sized"));
	CHECK(last.h.len == 2000, "old value kept");
	OK(xwriten(d0, 0, "/local/domain/5/sized", big, 3000));
	/* Shrinking a node domain 0 made oversized is allowed. */
	OK(xwriten(d5, 0, "sized", big, 2500));
	FAILS(xwriten(d5, 0, "sized", big, 2600), "ENOSPC");
	/* A parent whose child list would grow too big. */
	OK(xmkdir(d5, 0, "wide"));
	for (i = 0; i < 100; i++) {
		const char *e;

		snprintf(path, sizeof(path), "wide/child-with-long-name-%03d",
			 i);
		e = xmkdir(d5, 0, path);
		if (e) {
			CHECK(!strcmp(e, "ENOSPC"), "wide error %s", e);
			break;
		}
	}
	CHECK(i > 50 && i < 100, "wide stopped at %d", i);

	/* Request size: over the domain's limit, E2BIG. */
	xs_store_quota(st)->request = 100;
	FAILS(xwriten(d5, 0, "r", big, 200), "E2BIG");
	OK(xwriten(d0, 0, "/r", big, 200));
	xs_store_quota(st)->request = XENSTORE_PAYLOAD_MAX;
	/* Over XENSTORE_PAYLOAD_MAX, for anyone. */
	memcpy(big, "/x\0", 3);
	FAILS(rq(d0, XS_WRITE, 0, big, XENSTORE_PAYLOAD_MAX + 1), "E2BIG");
	FAILS(rq(d5, XS_WRITE, 0, big, XENSTORE_PAYLOAD_MAX + 1), "E2BIG");
	teardown();
}

/* ---- malformed messages ---- */

static void send_msg(struct xs_conn *c, uint32_t type, uint32_t req,
		     uint32_t tx, uint32_t hdrlen, const void *p, size_t plen)
{
	static uint8_t buf[2 * XS_MSG_MAX];
	struct xsd_sockmsg h = {
		.type = type, .req_id = req, .tx_id = tx, .len = hdrlen
	};

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), p, plen);
	xs_process(c, buf, sizeof(h) + plen);
}

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static void test_malformed(void)
{
	static const uint32_t unknown[] = {
		20, 23, 24, 100, 0xffff, 0xffffffff, XS_WATCH_EVENT, XS_ERROR
	};
	static uint8_t junk[XENSTORE_PAYLOAD_MAX + 32];
	struct msg m;
	size_t i;
	int k;

	TEST_GROUP("malformed messages");
	setup();
	/* Unknown and reply-only types: ENOSYS, as xenstored. */
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		FAILS(rq(d5, unknown[i], 0, "/x\0", 3), "ENOSYS");
	/* The header's length disagrees with the message. */
	send_msg(d5, XS_READ, 77, 0, 10, "/local\0", 7);
	CHECK(pop(d5, &m) && m.h.type == XS_ERROR && m.h.req_id == 77 &&
		  !strcmp(m.data, "EINVAL"),
	      "short message");
	send_msg(d5, XS_READ, 78, 0, 3, "/local\0", 7);
	CHECK(pop(d5, &m) && m.h.type == XS_ERROR && !strcmp(m.data, "EINVAL"),
	      "long message");
	/* Too short for a header: nothing to answer. */
	CHECK(xs_process(d5, "abc", 3) == -XS_EINVAL, "tiny message");
	CHECK(xs_conn_output_pending(d5) == 0, "no reply to a tiny message");
	/* CONTROL from domain 0. */
	OK(opn(d0, XS_CONTROL, 0, "check", NULL));
	OK(opn(d0, XS_CONTROL, 0, "help", NULL));
	OK(opn(d0, XS_CONTROL, 0, "print", "hello", NULL));
	CHECK(!strcmp(last_log, "hello"), "print logged");
	FAILS(opn(d0, XS_CONTROL, 0, "bogus", NULL), "EINVAL");
	FAILS(rq(d0, XS_CONTROL, 0, "", 0), "EINVAL");

	/* Random garbage: every request answered, nothing breaks. */
	for (k = 0; k < 20000; k++) {
		uint32_t len = rnd() % 64;
		uint32_t type = rnd() % 26;
		uint32_t tx = rnd() % 4 ? 0 : rnd() % 3;
		struct xs_conn *c = (rnd() % 4) ? d5 : d0;
		uint32_t j;

		for (j = 0; j < len; j++) {
			static const char alpha[] = "/ab@0\0\0rwnb5T";

			junk[j] = rnd() % 3 ? (uint8_t)alpha[rnd() % 14]
					    : (uint8_t)rnd();
		}
		/* Keep domain 0 from releasing the test's domains. */
		if (c == d0 && (type == XS_RELEASE || type == XS_SET_TARGET ||
				type == XS_RM || type == XS_SET_PERMS))
			c = d5;
		if (rnd() % 8 == 0)
			len = rnd() % (XENSTORE_PAYLOAD_MAX + 10);
		send_msg(c, type, k, tx, len, junk, len);
		CHECK(pop(c, &m), "no reply to garbage %d", k);
		while (pop(c, &m))
			;
		while (pop(d0, &m))
			;
		while (pop(d6, &m))
			;
		if (k % 1000 == 0)
			check_store("garbage");
	}
	CHECK(xs_domain_conn(st, 5) == d5 && xs_domain_conn(st, 6) == d6,
	      "domains survive");
	OK(xwrite(d5, 0, "still", "works"));
	teardown();
}

/* ---- the byte-stream interface ---- */

static size_t build(uint8_t *buf, uint32_t type, uint32_t req, uint32_t tx,
		    const void *p, uint32_t len)
{
	struct xsd_sockmsg h = {
		.type = type, .req_id = req, .tx_id = tx, .len = len
	};

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), p, len);
	return sizeof(h) + len;
}

static void test_stream(void)
{
	static uint8_t in[64 * 1024], out[256 * 1024];
	struct xsd_sockmsg h;
	size_t n = 0, i, got, o;
	long r;
	int k, kicks;

	TEST_GROUP("byte streams (rings)");
	setup();
	/* Three requests fed one byte at a time. */
	n += build(in + n, XS_WRITE, 1, 0, "s/a\0one", 7);
	n += build(in + n, XS_READ, 2, 0, "s/a\0", 4);
	n += build(in + n, XS_DIRECTORY, 3, 0, "s\0", 2);
	kicks = n_kicks;
	for (i = 0; i < n; i++) {
		r = xs_conn_feed(d5, in + i, 1);
		CHECK(r == 1, "byte %zu consumed %ld", i, r);
	}
	CHECK(n_kicks >= kicks + 3, "kicked for output");
	/* Read the replies back in odd-sized pieces. */
	got = 0;
	while (xs_conn_output_pending(d5)) {
		size_t step = 1 + rnd() % 7;

		got += xs_conn_read_output(d5, out + got, step);
	}
	o = 0;
	memcpy(&h, out + o, sizeof(h));
	CHECK(h.type == XS_WRITE && h.req_id == 1 && h.len == 3 &&
		  !memcmp(out + o + sizeof(h), "OK", 3),
	      "stream reply 1");
	o += sizeof(h) + h.len;
	memcpy(&h, out + o, sizeof(h));
	CHECK(h.type == XS_READ && h.req_id == 2 && h.len == 3 &&
		  !memcmp(out + o + sizeof(h), "one", 3),
	      "stream reply 2");
	o += sizeof(h) + h.len;
	memcpy(&h, out + o, sizeof(h));
	CHECK(h.type == XS_DIRECTORY && h.req_id == 3 && h.len == 2 &&
		  !memcmp(out + o + sizeof(h), "a", 2),
	      "stream reply 3");
	o += sizeof(h) + h.len;
	CHECK(o == got, "stream output %zu of %zu", o, got);
	/* pop refuses a message already partly read as bytes. */
	OK(xwrite(d5, 0, "s/b", "two"));
	n = build(in, XS_READ, 9, 0, "s/b\0", 4);
	CHECK(xs_conn_feed(d5, in, n) == (long)n, "feed read");
	CHECK(xs_conn_read_output(d5, out, 5) == 5, "partial read");
	{
		struct msg m;

		CHECK(!pop(d5, &m), "pop after a partial read");
	}
	got = xs_conn_read_output(d5, out + 5, sizeof(out) - 5);
	CHECK(got + 5 == sizeof(h) + 3, "rest of the reply");

	/* Back-pressure: a client that does not read stops being served. */
	n = 0;
	for (k = 0; k < 2000; k++)
		n += build(in + n, XS_READ, 100 + k, 0, "s/b\0", 4);
	r = xs_conn_feed(d5, in, n);
	CHECK(r > 0 && (size_t)r < n, "stalled after %ld of %zu", r, n);
	CHECK(xs_conn_output_pending(d5) >= xs_store_quota(st)->out_stall,
	      "stalled with a full queue");
	CHECK(xs_conn_feed(d5, in + r, n - r) == 0, "still stalled");
	got = xs_conn_read_output(d5, out, sizeof(out));
	i = r;
	while (i < n) {
		r = xs_conn_feed(d5, in + i, n - i);
		CHECK(r > 0, "resumes after reading");
		if (r <= 0)
			break;
		i += r;
		got += xs_conn_read_output(d5, out, sizeof(out));
	}
	got += xs_conn_read_output(d5, out, sizeof(out));
	CHECK(got == 2000 * (sizeof(h) + 3), "all 2000 answered: %zu", got);

	/* Watch events for a client that does not read are dropped. */
	OK(xwatch(d6, "ev", "t"));
	n = n_logs;
	for (k = 0; k < 20000; k++) {
		char v[16];

		snprintf(v, sizeof(v), "%d", k);
		OK(xwrite(d0, 0, "/local/domain/6/ev", v));
	}
	CHECK(xs_conn_output_pending(d6) <
		  xs_store_quota(st)->out_drop + XS_MSG_MAX,
	      "queue bounded: %zu", xs_conn_output_pending(d6));
	CHECK(n_logs > (int)n, "dropping logged");
	while (xs_conn_read_output(d6, out, sizeof(out)))
		;

	/* A payload length over the maximum breaks the connection. */
	{
		struct xsd_sockmsg bad = { XS_READ, 1, 0,
					   XENSTORE_PAYLOAD_MAX + 1 };

		r = xs_conn_feed(d6, &bad, 10);
		CHECK(r == 10, "partial header consumed");
		r = xs_conn_feed(d6, (uint8_t *)&bad + 10, sizeof(bad) - 10);
		CHECK(r == -XS_EPROTO, "oversized header: %ld", r);
		CHECK(xs_conn_broken(d6), "broken");
		n = build(in, XS_READ, 2, 0, "ev\0", 3);
		CHECK(xs_conn_feed(d6, in, n) == -XS_EPROTO, "stays broken");
		CHECK(xs_conn_output_pending(d6) == 0, "no replies");
	}
	/* The others carry on. */
	OK(xread(d5, 0, "s/b"));
	teardown();
}

/* ---- domains ---- */

static void test_domains(void)
{
	TEST_GROUP("introduce, release, is_domain_introduced, resume");
	setup();
	n_introduced = n_rebound = n_released = 0;
	OK(xdomop(d0, XS_IS_DOMAIN_INTRODUCED, 5));
	CHECK(reply_str("T"), "5 introduced");
	OK(xdomop(d0, XS_IS_DOMAIN_INTRODUCED, 0));
	CHECK(reply_str("T"), "0 always");
	OK(xdomop(d0, XS_IS_DOMAIN_INTRODUCED, 11));
	CHECK(reply_str("F"), "11 not");
	FAILS(op1(d0, XS_IS_DOMAIN_INTRODUCED, 0, "eleven"), "EINVAL");

	/* Arguments. */
	FAILS(xintroduce(d0, 0, 1, 1), "EINVAL");
	FAILS(xintroduce(d0, 0x7ff0, 1, 1), "EINVAL");
	FAILS(xintroduce(d0, 0xffff, 1, 1), "EINVAL");
	FAILS(opn(d0, XS_INTRODUCE, 0, "11", "1", NULL), "EINVAL");
	FAILS(opn(d0, XS_INTRODUCE, 0, "11", "x", "1", NULL), "EINVAL");
	FAILS(opn(d0, XS_INTRODUCE, 0, "11", "1", "4294967296", NULL),
	      "EINVAL");
	FAILS(rq(d0, XS_INTRODUCE, 0, "11\0001\0001", 6), "EINVAL");
	CHECK(n_introduced == 0, "nothing introduced");

	/* The environment may refuse. */
	introduce_error = -XS_ENOMEM;
	FAILS(xintroduce(d0, 11, 0x2000, 3), "ENOMEM");
	introduce_error = 0;
	CHECK(!xs_domain_conn(st, 11), "refused introduction leaves nothing");
	OK(xintroduce(d0, 11, 0x2000, 3));
	CHECK(n_introduced == 1 && xs_domain_conn(st, 11), "introduced");
	CHECK(xs_conn_priv(xs_domain_conn(st, 11)) == (void *)11, "priv");
	/* Again with the same page: rebind; another page: refused. */
	OK(xintroduce(d0, 11, 0x2000, 4));
	CHECK(n_rebound == 1 && n_introduced == 1, "rebound");
	FAILS(xintroduce(d0, 11, 0x3000, 4), "EINVAL");
	/* A reserved tail after the port is ignored. */
	OK(rq(d0, XS_INTRODUCE, 0, "12\0004096\0005\0zz", 12));
	CHECK(xs_domain_conn(st, 12) != NULL, "introduced with a tail");

	/* RELEASE. */
	OK(xdomop(d0, XS_RELEASE, 11));
	CHECK(n_released == 1 && !xs_domain_conn(st, 11), "released");
	FAILS(xdomop(d0, XS_RELEASE, 11), "ENOENT");
	FAILS(xdomop(d0, XS_RELEASE, 0), "EINVAL");
	FAILS(op1(d0, XS_RELEASE, 0, "x"), "EINVAL");
	OK(xdomop(d0, XS_IS_DOMAIN_INTRODUCED, 11));
	CHECK(reply_str("F"), "11 gone");
	FAILS(xdomop(d0, XS_RESUME, 11), "ENOENT");
	OK(xdomop(d0, XS_RESUME, 12));
	/* In-process calls. */
	CHECK(xs_domain_introduce(st, 13, 1, 1) == 0, "in-process introduce");
	CHECK(xs_domain_release(st, 13) == 0, "in-process release");
	CHECK(xs_domain_release(st, 13) == -XS_ENOENT, "twice");
	CHECK(xs_domain_introduce(st, 0, 1, 1) == -XS_EINVAL, "not 0");

	/* A released domain's connection state is gone with it. */
	{
		struct xs_conn *d12 = xs_domain_conn(st, 12);
		uint32_t t;

		OK(xmkdir(d0, 0, "/local/domain/12"));
		OK(xsetperms(d0, 0, "/local/domain/12", "n12"));
		OK(xwatch(d12, "x", "t"));
		OK(xtxstart(d12, &t));
		OK(xwrite(d12, t, "x", "1"));
		OK(xdomop(d0, XS_RELEASE, 12));
		/* The nodes stay until the toolstack removes them. */
		OK(xgetperms(d0, 0, "/local/domain/12"));
		CHECK(reply_list("n12"), "perms kept after release");
		FAILS(xread(d0, 0, "/local/domain/12/x"), "ENOENT");
	}

	/* Death: the domain's nodes and ACL entries do not outlive it. */
	OK(xwrite(d5, 0, "mine", "5"));
	OK(xwrite(d0, 0, "/shared", "s"));
	OK(xsetperms(d0, 0, "/shared", "n0", "r5", "b6"));
	OK(xwatch(d0, "@releaseDomain", "r"));
	ev_clear(d0);
	xs_domain_destroyed(st, 5);
	CHECK(ev_next(d0, "@releaseDomain", "r"), "death event");
	CHECK(!xs_domain_conn(st, 5), "5 gone");
	OK(xgetperms(d0, 0, "/local/domain/5/mine"));
	CHECK(reply_list("n0"), "orphan now dom0's: %s", last.data);
	OK(xgetperms(d0, 0, "/shared"));
	CHECK(reply_list("n0 b6"), "ACL entry dropped: %s", last.data);
	CHECK(xs_store_owned(st, 5) == 0, "5 owns nothing");
	/* A new domain 5 has no rights there. */
	OK(xintroduce(d0, 5, 0x5555, 5));
	d5 = xs_domain_conn(st, 5);
	FAILS(xread(d5, 0, "mine"), "EACCES");
	FAILS(xread(d5, 0, "/shared"), "EACCES");
	teardown();
}

/* ---- DIRECTORY_PART ---- */

static const char *xdirpart(struct xs_conn *c, const char *path,
			    unsigned int off)
{
	char o[16];

	snprintf(o, sizeof(o), "%u", off);
	return opn(c, XS_DIRECTORY_PART, 0, path, o, NULL);
}

static void test_directory_part(void)
{
	static char full[32768], parts[32768];
	char path[64], gen[32], gen2[32];
	size_t flen = 0, plen = 0, glen;
	unsigned int off = 0;
	int i, rounds = 0;
	bool end = false;

	TEST_GROUP("directory_part");
	setup();
	for (i = 0; i < 400; i++) {
		int n = snprintf(path, sizeof(path), "/big/child-%04d", i);

		OK(xmkdir(d0, 0, path));
		memcpy(full + flen, path + 5, n - 5 + 1);
		flen += n - 5 + 1;
	}
	CHECK(flen > XENSTORE_PAYLOAD_MAX, "list of %zu bytes", flen);
	FAILS(xdir(d0, 0, "/big"), "E2BIG");

	/* Walk the list in parts; same generation throughout. */
	gen[0] = '\0';
	while (!end && rounds++ < 10) {
		size_t len;

		OK(xdirpart(d0, "/big", off));
		glen = strnlen(last.data, last.h.len);
		CHECK(glen > 0 && glen < last.h.len, "generation first");
		if (!gen[0])
			memcpy(gen, last.data, glen + 1);
		CHECK(!strcmp(gen, last.data), "generation stable");
		len = last.h.len - glen - 1;
		CHECK(len == 0 || last.data[last.h.len - 1] == '\0',
		      "whole names");
		/* The end: an empty name after the last child. */
		if (len >= 1 &&
		    (len == 1 || last.data[last.h.len - 2] == '\0') &&
		    plen + len - 1 == flen) {
			end = true;
			len--;
		}
		memcpy(parts + plen, last.data + glen + 1, len);
		plen += len;
		off += len;
	}
	CHECK(end && plen == flen && !memcmp(parts, full, flen),
	      "parts make the list: %zu of %zu in %d rounds", plen, flen,
	      rounds);
	CHECK(rounds >= 2, "needed several parts");
	/* Past the end: just the generation and the empty name. */
	OK(xdirpart(d0, "/big", 100000));
	CHECK(last.h.len == strlen(gen) + 2 && !strcmp(last.data, gen) &&
		  last.data[last.h.len - 1] == '\0',
	      "past the end");
	/* A change to the node changes the generation. */
	OK(xmkdir(d0, 0, "/big/one-more"));
	OK(xdirpart(d0, "/big", 0));
	snprintf(gen2, sizeof(gen2), "%.31s", last.data);
	CHECK(strcmp(gen, gen2), "generation changed: %s %s", gen, gen2);
	/* A small list comes whole, with its end marker. */
	OK(xwrite(d0, 0, "/small/a", ""));
	OK(xwrite(d0, 0, "/small/b", ""));
	OK(xdirpart(d0, "/small", 0));
	glen = strlen(last.data);
	CHECK(last.h.len == glen + 1 + 5 &&
		  !memcmp(last.data + glen + 1, "a\0b\0\0", 5),
	      "small list");
	OK(xdirpart(d0, "/small/a", 0));
	glen = strlen(last.data);
	CHECK(last.h.len == glen + 2 && !last.data[glen + 1], "leaf");
	OK(rq(d0, XS_DIRECTORY_PART, 0, "/small\0002", 8)); /* no NUL */
	CHECK(!memcmp(last.data + strlen(last.data) + 1, "b\0\0", 3),
	      "offset 2");
	/* Bad requests. */
	FAILS(opn(d0, XS_DIRECTORY_PART, 0, "/small", NULL), "EINVAL");
	FAILS(opn(d0, XS_DIRECTORY_PART, 0, "/small", "x", NULL), "EINVAL");
	FAILS(opn(d0, XS_DIRECTORY_PART, 0, "/small", "", NULL), "EINVAL");
	FAILS(opn(d0, XS_DIRECTORY_PART, 0, "/small", "-1", NULL), "EINVAL");
	FAILS(opn(d0, XS_DIRECTORY_PART, 0, "/small", "99999999999", NULL),
	      "EINVAL");
	FAILS(rq(d0, XS_DIRECTORY_PART, 0, "/small\0001\0002", 10), "EINVAL");
	FAILS(xdirpart(d0, "/none", 0), "ENOENT");
	FAILS(xdirpart(d5, "/big", 0), "EACCES");
	FAILS(xdirpart(d0, "/bad/", 0), "EINVAL");
	teardown();
}

/* ---- allocation failure at every point ---- */

struct dump {
	char *buf;
	size_t len, cap;
};

static void dump_add(struct dump *d, const void *p, size_t n)
{
	if (d->len + n + 1 > d->cap) {
		d->cap = (d->len + n + 1) * 2;
		d->buf = realloc(d->buf, d->cap);
	}
	memcpy(d->buf + d->len, p, n);
	d->len += n;
	d->buf[d->len] = '\0';
}

/* Every node: path, value, permissions; depth first, in child order. */
static void dump_node(struct dump *d, const char *path)
{
	char *kids, *k;
	size_t klen;

	OK(xread(d0, 0, path));
	dump_add(d, path, strlen(path));
	dump_add(d, "=", 1);
	dump_add(d, last.data, last.h.len);
	OK(xgetperms(d0, 0, path));
	dump_add(d, " [", 2);
	dump_add(d, last.data, last.h.len);
	dump_add(d, "]\n", 2);
	OK(xdir(d0, 0, path));
	klen = last.h.len;
	kids = malloc(klen + 1);
	memcpy(kids, last.data, klen);
	for (k = kids; k < kids + klen; k += strlen(k) + 1) {
		char child[XENSTORE_ABS_PATH_MAX + 8];

		snprintf(child, sizeof(child), "%s/%s",
			 strcmp(path, "/") ? path : "", k);
		dump_node(d, child);
	}
	free(kids);
}

static char *dump_tree(void)
{
	struct dump d = { 0 };
	long budget = alloc_budget;
	char extra[128];

	alloc_budget = -1;
	/* Connection state too: watches, transactions, domains. */
	snprintf(extra, sizeof(extra),
		 "watches %u/%u, transactions %u, domain 20 %s\n",
		 xs_conn_watches(d0), xs_conn_watches(d5),
		 xs_conn_transactions(d5),
		 xs_domain_conn(st, 20) ? "in" : "out");
	dump_add(&d, extra, strlen(extra));
	OK(xgetperms(d0, 0, "@releaseDomain"));
	dump_add(&d, last.data, last.h.len);
	dump_node(&d, "/");
	alloc_budget = budget;
	return d.buf;
}

static uint32_t fail_tx;

static void prep_watchers(void)
{
	OK(xwatch(d0, "/", "all"));
	OK(xwatch(d5, "a", "mine"));
	OK(xwrite(d5, 0, "old/x", "1"));
	OK(xwrite(d5, 0, "old/y", "2"));
	OK(xwrite(d0, 0, "/local/domain/5/old/x/z", "3"));
}

static const char *act_write(void)
{
	return xwrite(d5, 0, "a/b/c", "value");
}

static const char *act_rm(void)
{
	return xrm(d5, 0, "old");
}

static const char *act_setperms(void)
{
	return xsetperms(d5, 0, "old/x", "n5", "r6", "b0");
}

static const char *act_mkdir(void)
{
	return xmkdir(d0, 0, "/local/domain/6/m/n");
}

static void prep_tx(void)
{
	prep_watchers();
	OK(xtxstart(d5, &fail_tx));
	OK(xwrite(d5, fail_tx, "a/in/tx", "t"));
	OK(xrm(d5, fail_tx, "old/y"));
	OK(xsetperms(d5, fail_tx, "old", "n5", "r6"));
}

static const char *act_commit(void)
{
	return xtxend(d5, fail_tx, true);
}

static void prep_tx_open(void)
{
	prep_watchers();
	OK(xtxstart(d5, &fail_tx));
}

static const char *act_tx_write(void)
{
	return xwrite(d5, fail_tx, "a/b", "in tx");
}

static const char *act_tx_rm(void)
{
	return xrm(d5, fail_tx, "old");
}

static void post_commit(void)
{
	OK(xtxend(d5, fail_tx, true));
}

static const char *act_introduce(void)
{
	return xintroduce(d0, 20, 0x2020, 20);
}

static const char *act_watch(void)
{
	return xwatch(d5, "old", "tok");
}

static const char *act_unwatch(void)
{
	return xunwatch(d5, "a", "mine");
}

static const char *act_txstart(void)
{
	return xtxstart(d5, &fail_tx);
}

static const char *act_special(void)
{
	return xsetperms(d0, 0, "@releaseDomain", "n0", "r5");
}

static void prep_none(void)
{
}

static void post_none(void)
{
}

static void test_enomem(void)
{
	static const struct {
		const char *name;
		void (*prep)(void);
		const char *(*act)(void);
		void (*post)(void);
	} cases[] = {
		{ "write", prep_watchers, act_write, post_none },
		{ "rm", prep_watchers, act_rm, post_none },
		{ "set_perms", prep_watchers, act_setperms, post_none },
		{ "mkdir", prep_none, act_mkdir, post_none },
		{ "commit", prep_tx, act_commit, post_none },
		{ "write in tx", prep_tx_open, act_tx_write, post_commit },
		{ "rm in tx", prep_tx_open, act_tx_rm, post_commit },
		{ "introduce", prep_watchers, act_introduce, post_none },
		{ "watch", prep_watchers, act_watch, post_none },
		{ "unwatch", prep_watchers, act_unwatch, post_none },
		{ "transaction start", prep_watchers, act_txstart, post_none },
		{ "set_perms @releaseDomain", prep_none, act_special,
		  post_none },
	};
	size_t i;

	TEST_GROUP("allocation failure at every point of a request");
	for (i = 0; i < 2 * sizeof(cases) / sizeof(cases[0]); i++) {
		size_t c = i / 2;
		char *before, *after, *now, err[32];
		const char *e;
		long k, left;
		int fails = 0;

		/* Odd rounds fail one allocation; even ones all from then on. */
		alloc_fail_once = i & 1;
		setup();
		cases[c].prep();
		cases[c].post();
		before = dump_tree();
		teardown();
		setup();
		cases[c].prep();
		e = cases[c].act();
		CHECK(!e, "%s: reference run failed: %s", cases[c].name, e);
		cases[c].post();
		after = dump_tree();
		teardown();
		for (k = 0; k < 100000; k++) {
			setup();
			cases[c].prep();
			alloc_budget = k;
			e = cases[c].act();
			left = alloc_budget;
			alloc_budget = -1;
			if (e) { /* it may point into `last` */
				snprintf(err, sizeof(err), "%s", e);
				e = err;
			}
			cases[c].post();
			now = dump_tree();
			if (e) {
				fails++;
				/* Exhausted, not even an error reply fits. */
				CHECK(!strcmp(e, "ENOMEM") ||
					  (!alloc_fail_once &&
					   !strcmp(e, "NOREPLY")),
				      "%s at %ld: %s", cases[c].name, k, e);
			}
			CHECK(!strcmp(now, e ? before : after),
			      "%s: tree after failing at allocation %ld "
			      "(%s):\n%s\nwant:\n%s",
			      cases[c].name, k, e ? e : "OK", now,
			      e ? before : after);
			free(now);
			teardown();
			if (!e && left > 0)
				break;
		}
		CHECK(fails > 0, "%s never failed", cases[c].name);
		if (verbose)
			printf("  %s (%s): %ld allocation points\n",
			       cases[c].name, alloc_fail_once ? "one" : "all",
			       k);
		free(before);
		free(after);
	}
	alloc_fail_once = false;
}

/* ---- a random sequence against a reference model ---- */

#define MODEL_MAX 256

struct mnode {
	char path[32]; /* relative to the test root */
	char value[8];
};

struct model {
	struct mnode n[MODEL_MAX]; /* in creation order */
	int count;
};

static int m_find(const struct model *m, const char *path)
{
	int i;

	for (i = 0; i < m->count; i++)
		if (!strcmp(m->n[i].path, path))
			return i;
	return -1;
}

/* "a/b" -> "a"; "a" -> "" (the root of the test, always there). */
static void m_parent(const char *path, char *out)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;

	memcpy(out, path, n);
	out[n] = '\0';
}

static bool m_exists(const struct model *m, const char *path)
{
	return !path[0] || m_find(m, path) >= 0;
}

static void m_create(struct model *m, const char *path)
{
	char parent[32];

	if (m_exists(m, path))
		return;
	m_parent(path, parent);
	m_create(m, parent);
	snprintf(m->n[m->count].path, sizeof(m->n[0].path), "%s", path);
	m->n[m->count].value[0] = '\0';
	m->count++;
}

static bool m_below(const char *path, const char *top)
{
	size_t n = strlen(top);

	return !strncmp(path, top, n) && (path[n] == '\0' || path[n] == '/');
}

/* RM: 0 done, -1 ENOENT. */
static int m_rm(struct model *m, const char *path)
{
	char parent[32];
	int i, j;

	if (!m_exists(m, path)) {
		m_parent(path, parent);
		return m_exists(m, parent) ? 0 : -1;
	}
	for (i = j = 0; i < m->count; i++)
		if (!m_below(m->n[i].path, path))
			m->n[j++] = m->n[i];
	m->count = j;
	return 0;
}

/* The children list, as DIRECTORY returns it. */
static size_t m_dir(const struct model *m, const char *path, char *out)
{
	size_t len = 0;
	char parent[32];
	int i;

	for (i = 0; i < m->count; i++) {
		const char *name;

		m_parent(m->n[i].path, parent);
		if (strcmp(parent, path))
			continue;
		name = strrchr(m->n[i].path, '/');
		name = name ? name + 1 : m->n[i].path;
		memcpy(out + len, name, strlen(name) + 1);
		len += strlen(name) + 1;
	}
	return len;
}

static void random_path(char *out)
{
	static const char *const parts[] = { "a", "b", "c", "d" };
	int depth = 1 + rnd() % 3, i;

	out[0] = '\0';
	for (i = 0; i < depth; i++) {
		if (i)
			strcat(out, "/");
		strcat(out, parts[rnd() % 4]);
	}
}

/* The store's /local/domain/5/t equals the model (read as domain 0). */
static bool m_matches(const struct model *m)
{
	char full[64], buf[4096];
	size_t len;
	int i;

	OK(xdir(d0, 0, "/local/domain/5/t"));
	len = m_dir(m, "", buf);
	if (!reply_is(buf, len))
		return false;
	for (i = 0; i < m->count; i++) {
		snprintf(full, sizeof(full), "/local/domain/5/t/%s",
			 m->n[i].path);
		if (xread(d0, 0, full) || !reply_val(m->n[i].value))
			return false;
		OK(xdir(d0, 0, full));
		len = m_dir(m, m->n[i].path, buf);
		if (!reply_is(buf, len))
			return false;
	}
	return true;
}

static void test_random_model(void)
{
	static struct model committed, in_tx;
	char path[32], full[64], buf[4096], v[8];
	uint32_t tx = 0;
	int k, commits = 0, aborts = 0;

	TEST_GROUP("random operations against a reference model");
	setup();
	OK(xmkdir(d5, 0, "t"));
	committed.count = 0;
	for (k = 0; k < 30000; k++) {
		struct model *m = tx ? &in_tx : &committed;
		uint32_t r = rnd() % 100;
		const char *e;
		size_t len;
		int i;

		random_path(path);
		snprintf(full, sizeof(full), "t/%s", path);
		if (r < 30) {
			snprintf(v, sizeof(v), "%u", rnd() % 1000);
			OK(xwrite(d5, tx, full, v));
			m_create(m, path);
			snprintf(m->n[m_find(m, path)].value, sizeof(v), "%s",
				 v);
		} else if (r < 38) {
			OK(xmkdir(d5, tx, full));
			m_create(m, path);
		} else if (r < 52) {
			e = xrm(d5, tx, full);
			i = m_rm(m, path);
			CHECK(i ? e && !strcmp(e, "ENOENT") : !e, "rm %s: %s",
			      path, e ? e : "OK");
		} else if (r < 70) {
			e = xread(d5, tx, full);
			i = m_find(m, path);
			CHECK(i < 0 ? e && !strcmp(e, "ENOENT")
				    : !e && reply_val(m->n[i].value),
			      "read %s: %s", path, e ? e : "OK");
		} else if (r < 80) {
			e = xdir(d5, tx, full);
			if (m_find(m, path) < 0) {
				CHECK(e && !strcmp(e, "ENOENT"), "dir %s: %s",
				      path, e ? e : "OK");
			} else {
				len = m_dir(m, path, buf);
				CHECK(!e && reply_is(buf, len), "dir %s", path);
			}
		} else if (r < 85) {
			/* An unrelated writer never makes commits fail. */
			snprintf(full, sizeof(full), "u/%s", path);
			OK(xwrite(d6, 0, full, "u"));
			if (rnd() % 4 == 0)
				OK(xrm(d6, 0, "u"));
		} else if (r < 90) {
			/* Others see only what is committed. */
			snprintf(full, sizeof(full), "/local/domain/5/t/%s",
				 path);
			e = xread(d0, 0, full);
			i = m_find(&committed, path);
			CHECK(i < 0 ? e && !strcmp(e, "ENOENT")
				    : !e && reply_val(committed.n[i].value),
			      "outside read %s: %s", path, e ? e : "OK");
		} else if (!tx) {
			OK(xtxstart(d5, &tx));
			in_tx = committed;
		} else {
			bool commit = rnd() % 4 != 0;

			OK(xtxend(d5, tx, commit));
			if (commit) {
				committed = in_tx;
				commits++;
			} else {
				aborts++;
			}
			tx = 0;
		}
		if (k % 1000 == 0) {
			check_store("random step");
			CHECK(m_matches(&committed), "tree differs at step %d",
			      k);
		}
	}
	if (tx) {
		OK(xtxend(d5, tx, true));
		committed = in_tx;
	}
	CHECK(m_matches(&committed), "final tree differs");
	CHECK(commits > 50 && aborts > 10, "%d commits, %d aborts", commits,
	      aborts);
	teardown();
}

int main(void)
{
	verbose = getenv("XS_VERBOSE") != NULL;
	/* XS_SEED=n runs the random parts with another sequence. */
	if (getenv("XS_SEED"))
		rng += strtoull(getenv("XS_SEED"), NULL, 0) *
		       0x9e3779b97f4a7c15ULL;
	test_basic();
	test_paths();
	test_perms();
	test_watches();
	test_special_watches();
	test_transactions();
	test_quotas();
	test_malformed();
	test_stream();
	test_domains();
	test_directory_part();
	test_enomem();
	test_random_model();
	return test_summary("test_xenstore");
}
