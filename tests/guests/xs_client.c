/*
 * A well-behaved xenstore client (a domU): over its own ring it finds its
 * home, reads and writes under it, is refused outside it, watches nodes
 * change (by itself and by domain 0, with dom0's xs_echo option), runs
 * transactions into a conflict, lists directories and sets permissions.
 * It also writes a line on its console ring for domain 0's backend to
 * show. Meant to run beside xs_hostile: it repeats its requests for a
 * while (rounds=N) so they overlap the other domain's attacks.
 *
 * Arguments: peer=D (another domain, whose nodes it must not reach),
 * rounds=N.
 */
#include "xs_common.h"

#define EPERM 1
#define EACCES 13
#define ENOENT 2
#define EAGAIN 11

static char home[64];
static unsigned int domid;

static void check_home(void)
{
	char buf[128], want[64];
	long r;

	pv_test_group("home");
	/* The first request also waits for domain 0 to connect us. */
	r = xsc_read(0, "domid", buf, sizeof(buf));
	CHECK(r > 0, "read domid: %ld", r);
	for (const char *p = buf; *p >= '0' && *p <= '9'; p++)
		domid = domid * 10 + (unsigned int)(*p - '0');
	CHECK(domid > 0, "domid %s", buf);
	r = xsc_request(XS_GET_DOMAIN_PATH, 0, buf, NULL, false);
	snprintf(want, sizeof(want), "/local/domain/%u", domid);
	CHECK(r > 0 && !strcmp(xsc_msg, want), "domain path %ld '%s'", r,
	      r > 0 ? xsc_msg : "");
	strlcpy(home, want, sizeof(home));
	snprintf(want, sizeof(want), "dom%u", domid);
	CHECK_EQ(xsc_read(0, "name", buf, sizeof(buf)), (long)strlen(want));
	CHECK(!strcmp(buf, want), "name %s", buf);
	/* Domain 0 keeps these: readable, not writable. */
	CHECK_EQ(xsc_write(0, "domid", "7"), -EACCES);
	CHECK_EQ(xsc_write(0, "name", "evil"), -EACCES);
}

static void check_read_write(void)
{
	char buf[128], path[128];

	pv_test_group("read and write");
	CHECK_EQ(xsc_write(0, "data/x", "hello"), 0);
	CHECK_EQ(xsc_read(0, "data/x", buf, sizeof(buf)), 5);
	CHECK(!strcmp(buf, "hello"), "data/x = %s", buf);
	snprintf(path, sizeof(path), "%s/data/y", home);
	CHECK_EQ(xsc_write(0, path, "absolute"), 0);
	CHECK_EQ(xsc_read(0, "data/y", buf, sizeof(buf)), 8);
	CHECK_EQ(xsc_write(0, "data/empty", ""), 0);
	CHECK_EQ(xsc_read(0, "data/empty", buf, sizeof(buf)), 0);
	CHECK_EQ(xsc_read(0, "data/nothing", buf, sizeof(buf)), -ENOENT);
	CHECK_EQ(xsc_simple(XS_MKDIR, 0, "data/dir", NULL), 0);
	CHECK_EQ(xsc_simple(XS_RM, 0, "data/dir", NULL), 0);
	CHECK_EQ(xsc_read(0, "data/dir", buf, sizeof(buf)), -ENOENT);
}

static void check_refused(void)
{
	char buf[128], path[96];
	long peer = xsc_arg("peer", 0);

	pv_test_group("other domains' nodes are refused");
	CHECK_EQ(xsc_read(0, "/local/domain/0/name", buf, sizeof(buf)),
		 -EACCES);
	CHECK_EQ(xsc_write(0, "/local/domain/0/evil", "1"), -EACCES);
	CHECK_EQ(xsc_request(XS_DIRECTORY, 0, "/local/domain/0", NULL, false),
		 -EACCES);
	CHECK_EQ(xsc_simple(XS_RM, 0, "/local/domain/0", NULL), -EACCES);
	CHECK_EQ(xsc_simple(XS_SET_PERMS, 0, "/local/domain/0", "b1"), -EACCES);
	CHECK_EQ(xsc_simple(XS_INTRODUCE, 0, "5", NULL), -EACCES);
	if (peer) {
		snprintf(path, sizeof(path), "/local/domain/%ld/name", peer);
		CHECK_EQ(xsc_read(0, path, buf, sizeof(buf)), -EACCES);
		snprintf(path, sizeof(path), "/local/domain/%ld/evil", peer);
		CHECK_EQ(xsc_write(0, path, "1"), -EACCES);
		snprintf(path, sizeof(path), "/local/domain/%ld", peer);
		CHECK_EQ(xsc_request(XS_DIRECTORY, 0, path, NULL, false),
			 -EACCES);
	}
}

static void check_directory_perms(void)
{
	char owner[16], both[48];
	size_t n;
	long r;

	pv_test_group("directory and permissions");
	r = xsc_request(XS_DIRECTORY, 0, "data", NULL, false);
	CHECK(r > 0 && xsc_listed(r, "x") && xsc_listed(r, "y") &&
		  xsc_listed(r, "empty") && !xsc_listed(r, "dir"),
	      "directory of data: %ld bytes", r);
	r = xsc_request(XS_DIRECTORY, 0, home, NULL, false);
	CHECK(r > 0 && xsc_listed(r, "data") && xsc_listed(r, "name"),
	      "directory of home: %ld bytes", r);
	snprintf(owner, sizeof(owner), "n%u", domid);
	r = xsc_request(XS_GET_PERMS, 0, "data/x", NULL, false);
	CHECK(r == (long)strlen(owner) + 1 && !strcmp(xsc_msg, owner),
	      "perms of data/x: %ld '%s'", r, r > 0 ? xsc_msg : "");
	/* An owner may grant access: "nN r0" lets domain 0 read. */
	memcpy(both, "data/x", 7);
	n = 7 + strlen(owner) + 1;
	memcpy(both + 7, owner, n - 7);
	memcpy(both + n, "r0", 3);
	n += 3;
	r = xsc_raw(XS_SET_PERMS, 0, both, (uint32_t)n);
	CHECK(r > 0 && !strcmp(xsc_msg, "OK"), "set perms: %ld", r);
	r = xsc_request(XS_GET_PERMS, 0, "data/x", NULL, false);
	CHECK(r == (long)strlen(owner) + 4 && !strcmp(xsc_msg, owner) &&
		  !strcmp(xsc_msg + strlen(owner) + 1, "r0"),
	      "perms now %ld", r);
	/* ... but not give the node away: only domain 0 may. */
	CHECK_EQ(xsc_simple(XS_SET_PERMS, 0, "data/x", "r0"), -EPERM);
	CHECK_EQ(xsc_simple(XS_SET_PERMS, 0, "data/y", owner), 0);
}

static void check_watches(void)
{
	char buf[32];

	pv_test_group("watches");
	CHECK_EQ(xsc_simple(XS_WATCH, 0, "data/w", "tok"), 0);
	CHECK(xsc_wait_watch("data/w", "tok", XSC_TIMEOUT),
	      "no event on registration");
	CHECK_EQ(xsc_write(0, "data/w", "1"), 0);
	CHECK(xsc_wait_watch("data/w", "tok", XSC_TIMEOUT),
	      "no event for our own write");
	CHECK_EQ(xsc_write(0, "data/w/child", "1"), 0);
	CHECK(xsc_wait_watch("data/w/child", "tok", XSC_TIMEOUT),
	      "no event for a child");
	CHECK_EQ(xsc_simple(XS_UNWATCH, 0, "data/w", "tok"), 0);
	CHECK_EQ(xsc_write(0, "data/w", "2"), 0);
	CHECK(!xsc_wait_watch("data/w", "tok", 200 * XSC_MS),
	      "event after unwatch");

	/* Domain 0 (option xs_echo) copies data/ping to data/pong. */
	CHECK_EQ(xsc_simple(XS_WATCH, 0, "data/pong", "pong"), 0);
	CHECK(xsc_wait_watch("data/pong", "pong", XSC_TIMEOUT),
	      "no event on registration");
	CHECK_EQ(xsc_write(0, "data/ping", "42"), 0);
	CHECK(xsc_wait_watch("data/pong", "pong", XSC_TIMEOUT),
	      "no event for domain 0's write");
	CHECK_EQ(xsc_read(0, "data/pong", buf, sizeof(buf)), 2);
	CHECK(!strcmp(buf, "42"), "pong = %s", buf);
	CHECK_EQ(xsc_simple(XS_UNWATCH, 0, "data/pong", "pong"), 0);
}

static void check_transactions(void)
{
	uint32_t t1 = 0, t2 = 0, t3 = 0;
	char buf[32];

	pv_test_group("transactions");
	CHECK_EQ(xsc_tx_start(&t3), 0);
	CHECK_EQ(xsc_write(t3, "tx/a", "1"), 0);
	CHECK_EQ(xsc_write(t3, "tx/b", "2"), 0);
	CHECK_EQ(xsc_read(0, "tx/a", buf, sizeof(buf)), -ENOENT);
	CHECK_EQ(xsc_read(t3, "tx/a", buf, sizeof(buf)), 1);
	CHECK_EQ(xsc_tx_end(t3, true), 0);
	CHECK_EQ(xsc_read(0, "tx/b", buf, sizeof(buf)), 1);

	/* Two transactions write the same node: the second commit fails. */
	CHECK_EQ(xsc_tx_start(&t1), 0);
	CHECK_EQ(xsc_tx_start(&t2), 0);
	CHECK(t1 != t2, "ids %u %u", t1, t2);
	CHECK_EQ(xsc_read(t1, "tx/a", buf, sizeof(buf)), 1);
	CHECK_EQ(xsc_read(t2, "tx/a", buf, sizeof(buf)), 1);
	CHECK_EQ(xsc_write(t1, "tx/a", "t1"), 0);
	CHECK_EQ(xsc_write(t2, "tx/a", "t2"), 0);
	CHECK_EQ(xsc_tx_end(t1, true), 0);
	CHECK_EQ(xsc_tx_end(t2, true), -EAGAIN);
	CHECK_EQ(xsc_read(0, "tx/a", buf, sizeof(buf)), 2);
	CHECK(!strcmp(buf, "t1"), "tx/a = %s", buf);
	/* Ended transactions are gone; an abort changes nothing. */
	CHECK_EQ(xsc_write(t2, "tx/a", "x"), -ENOENT);
	CHECK_EQ(xsc_tx_start(&t1), 0);
	CHECK_EQ(xsc_write(t1, "tx/a", "aborted"), 0);
	CHECK_EQ(xsc_tx_end(t1, false), 0);
	CHECK_EQ(xsc_read(0, "tx/a", buf, sizeof(buf)), 2);
}

/* Keep busy beside the hostile domain: every reply must still come. */
static void check_rounds(long rounds)
{
	char val[16], buf[16];
	long bad = 0;
	uint64_t t0 = pv_now();

	pv_test_group("rounds beside a hostile domain");
	for (long i = 0; i < rounds; i++) {
		snprintf(val, sizeof(val), "%ld", i);
		if (xsc_write(0, "data/round", val) ||
		    xsc_read(0, "data/round", buf, sizeof(buf)) !=
			(long)strlen(val) ||
		    strcmp(buf, val))
			bad++;
	}
	CHECK_EQ(bad, 0);
	printf("%ld write/read rounds in %lu ms\n", rounds,
	       (unsigned long)((pv_now() - t0) / XSC_MS));
}

static void check_console(void)
{
	char line[96];

	pv_test_group("console ring");
	snprintf(line, sizeof(line),
		 "xs_client: hello on the console ring of domain %u\n", domid);
	CHECK(xsc_console_write(line), "console ring stayed full");
}

void pv_main(void)
{
	xsc_init();
	check_home();
	check_read_write();
	check_refused();
	check_directory_perms();
	check_watches();
	check_transactions();
	check_rounds(xsc_arg("rounds", 500));
	check_console();
	pv_test_summary();
}
