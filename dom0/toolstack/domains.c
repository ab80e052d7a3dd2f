/*
 * The toolstack's domain records and the domains thread. At start, and
 * each time VIRQ_DOM_EXC says a domain shut down or died, the thread
 * lists the domains and
 *  - records each new one the hypervisor built at boot, connecting its
 *    xenstore ring (xenstored_introduce) and console ring
 *    (console_connect) where the hypervisor reports them (HVMOP
 *    get_param, see hv/core/hvm_op.c); domains the toolstack builds are
 *    recorded and connected by create.c before anyone can see them;
 *  - notices a shutdown once: tells xenstored (@releaseDomain), then
 *    applies the domain's on_poweroff / on_reboot / on_crash action:
 *    destroy, restart (destroy, then build again from the kept config:
 *    same name, a new id; a domain whose line restarted
 *    TK_RESTART_BURST times within TK_RESTART_WINDOW is preserved
 *    instead, so a crash loop stops) or preserve. Boot-time domains have no config
 *    and are preserved, so their last state and output stay visible;
 *  - drops the record of a domain that is dying or gone, with its
 *    xenstore and console connections.
 * A shut-down domain keeps its console connection, so its last output is
 * still read; the connection goes with the domain.
 */
#include <xen/domctl.h>
#include <xen/sched.h>
#include "builder.h"
#include "consoled.h"
#include "errno.h"
#include "hvctl.h"
#include "kernel.h"
#include "services.h"
#include "toolstack.h"
#include "xs.h"

#define LIST_BATCH 32
#define RESCAN (2 * SEC)
#define MAX_ACTIONS 64 /* shutdowns handled per scan; the rest next time */

static struct tk_domain *records;
static struct waitq exc_wq = WAITQ_INIT(exc_wq);
static volatile bool exc_pending = true; /* the first scan */
static bool locked;
static struct waitq lock_wq = WAITQ_INIT(lock_wq);

/* --- The lock ------------------------------------------------------------ */

/* Threads are cooperative: nothing runs between the wait and the claim. */
void tk_lock(void)
{
	wait_event(&lock_wq, !locked);
	locked = true;
}

void tk_unlock(void)
{
	locked = false;
	waitq_wake(&lock_wq);
}

/* --- Records ------------------------------------------------------------- */

struct tk_domain *tk_lookup(uint16_t domid)
{
	struct tk_domain *k;

	for (k = records; k && k->domid != domid; k = k->next)
		;
	return k;
}

struct tk_domain *tk_lookup_name(const char *name)
{
	struct tk_domain *k;

	for (k = records; k && strcmp(k->name, name); k = k->next)
		;
	return k;
}

struct tk_domain *tk_first(void)
{
	return records;
}

struct tk_domain *tk_record_new(uint16_t domid)
{
	struct tk_domain *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->domid = domid;
	snprintf(k->name, sizeof(k->name), "dom%u", domid);
	k->seen = true;
	k->next = records;
	records = k;
	return k;
}

void tk_record_free(struct tk_domain *k)
{
	struct tk_domain **pp;

	for (pp = &records; *pp && *pp != k; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = k->next;
	free(k->cfg);
	free(k);
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int tk_resolve(const char *spec, uint16_t *domid)
{
	struct xen_domctl_getdomaininfo info;
	struct tk_domain *k;
	unsigned long v = 0;

	if (all_digits(spec)) {
		for (const char *s = spec; *s; s++) {
			v = v * 10 + (unsigned long)(*s - '0');
			if (v >= DOMID_FIRST_RESERVED)
				return -ENOENT;
		}
		/* getdomaininfo answers for the first id at least v. */
		if (hv_domain_info((uint16_t)v, &info) || info.domain != v)
			return -ENOENT;
		*domid = (uint16_t)v;
		return 0;
	}
	if (!strcmp(spec, "Domain-0")) {
		*domid = 0;
		return 0;
	}
	tk_lock();
	k = tk_lookup_name(spec);
	if (k)
		*domid = k->domid;
	tk_unlock();
	return k ? 0 : -ENOENT;
}

void tk_name(uint16_t domid, char *buf, size_t n)
{
	struct tk_domain *k = tk_lookup(domid);

	if (domid == 0)
		strlcpy(buf, "Domain-0", n);
	else if (k)
		strlcpy(buf, k->name, n);
	else
		snprintf(buf, n, "dom%u", domid);
}

/* --- Discovery ----------------------------------------------------------- */

/* A domain the hypervisor built at boot: connect what it reports. */
static void adopt(uint16_t domid)
{
	struct tk_domain *k = tk_record_new(domid);
	uint64_t mfn;
	uint32_t port;

	if (!k)
		return;
	if (!hv_store_info(domid, &mfn, &port) && mfn)
		k->store = !xenstored_introduce(domid, mfn, port);
	if (!hv_console_info(domid, &mfn, &port) && mfn) {
		k->console = !console_connect(domid, mfn, port);
		if (k->console && k->store) {
			char path[64], val[24];

			/* Where the toolstack says the console is. */
			snprintf(path, sizeof(path),
				 "/local/domain/%u/console/ring-ref", domid);
			snprintf(val, sizeof(val), "%lu", mfn);
			xs_write(path, val);
			snprintf(path, sizeof(path),
				 "/local/domain/%u/console/port", domid);
			snprintf(val, sizeof(val), "%u", port);
			xs_write(path, val);
		}
	}
}

/* The domain is gone: drop its connections, its /vm entry and record. */
static void forget(struct tk_domain *k)
{
	if (k->store)
		xenstored_release(k->domid);
	if (k->console)
		console_disconnect(k->domid);
	if (k->cfg)
		tk_xs_remove_vm(k);
	tk_record_free(k);
}

struct action {
	uint16_t domid;
	unsigned int reason; /* SHUTDOWN_* */
};

static const char *reason_name(unsigned int reason)
{
	static const char *names[] = { "powered off",
				       "rebooted",
				       "suspended",
				       "crashed",
				       "was stopped by its watchdog",
				       "asked for a soft reset" };

	return reason < ARRAY_SIZE(names) ? names[reason]
					  : "shut down (unknown reason)";
}

/* Which of the config's actions a shutdown reason calls for. */
static bool action_for(const struct xl_config *cfg, unsigned int reason,
		       enum xl_action *a)
{
	switch (reason) {
	case SHUTDOWN_poweroff:
		*a = cfg->on_poweroff;
		return true;
	case SHUTDOWN_reboot:
		*a = cfg->on_reboot;
		return true;
	case SHUTDOWN_crash:
	case SHUTDOWN_watchdog:
		*a = cfg->on_crash;
		return true;
	default: /* suspend, soft reset: wait for whoever asked */
		return false;
	}
}

/* Has k's line of domains restarted too often lately? */
static bool restarting_too_fast(const struct tk_domain *k)
{
	uint64_t oldest = k->restarted_at[k->restarts % TK_RESTART_BURST];

	return k->restarts >= TK_RESTART_BURST &&
	       pv_now() - oldest < TK_RESTART_WINDOW;
}

static void restart(struct tk_domain *k)
{
	struct xl_config *cfg = k->cfg;
	uint16_t old = k->domid, domid;
	uint64_t history[TK_RESTART_BURST];
	unsigned int restarts = k->restarts;
	struct tk_domain *n;
	char err[160];
	int rc;

	if (restarting_too_fast(k)) {
		printf("toolstack: %s restarted %u times in %llu s: kept for "
		       "inspection (xl destroy ends it)\n",
		       k->name, TK_RESTART_BURST, TK_RESTART_WINDOW / SEC);
		k->preserved = true;
		return;
	}
	memcpy(history, k->restarted_at, sizeof(history));
	k->cfg = NULL; /* kept for the new domain, not freed with the old */
	rc = tk_destroy_locked(k, err, sizeof(err));
	if (rc) {
		printf("toolstack: cannot destroy domain %u to restart it: "
		       "%s\n",
		       old, err);
		free(cfg);
		return;
	}
	rc = tk_create_locked(cfg, &domid, err, sizeof(err));
	if (rc)
		printf("toolstack: cannot restart %s: %s\n", cfg->name, err);
	else
		printf("toolstack: %s restarted as domain %u\n", cfg->name,
		       domid);
	n = rc ? NULL : tk_lookup(domid);
	if (n) {
		memcpy(n->restarted_at, history, sizeof(history));
		n->restarted_at[restarts % TK_RESTART_BURST] = pv_now();
		n->restarts = restarts + 1;
	}
	free(cfg);
}

static void apply_action(const struct action *act)
{
	struct tk_domain *k = tk_lookup(act->domid);
	enum xl_action a;
	char err[160];

	if (!k)
		return;
	printf("toolstack: domain %u (%s) %s", k->domid, k->name,
	       reason_name(act->reason));
	if (!k->cfg || !action_for(k->cfg, act->reason, &a)) {
		printf(": kept\n");
		k->preserved = true;
		return;
	}
	printf(": %s\n", xl_action_name(a));
	switch (a) {
	case XL_ACTION_DESTROY:
		if (tk_destroy_locked(k, err, sizeof(err)))
			printf("toolstack: %s\n", err);
		break;
	case XL_ACTION_RESTART:
		restart(k);
		break;
	case XL_ACTION_PRESERVE:
		k->preserved = true;
		break;
	}
}

static void scan(void)
{
	static struct xen_domctl_getdomaininfo info[LIST_BATCH];
	static struct action actions[MAX_ACTIONS];
	static bool warned;
	unsigned int nactions = 0;
	struct tk_domain *k, *next;
	uint16_t first = 1;
	long n;

	for (k = records; k; k = k->next)
		k->seen = false;
	do {
		n = hv_domain_list(first, info, LIST_BATCH);
		if (n < 0) {
			if (!warned)
				printf("domains: cannot list domains: error "
				       "%ld\n",
				       n);
			warned = true;
			return; /* keep what we know */
		}
		for (long i = 0; i < n; i++) {
			uint16_t domid = (uint16_t)info[i].domain;
			uint32_t flags = info[i].flags;

			first = domid + 1;
			if (domid == 0 || (flags & XEN_DOMINF_dying))
				continue; /* a dying one is treated as gone */
			k = tk_lookup(domid);
			if (!k) {
				adopt(domid);
				k = tk_lookup(domid);
			}
			if (!k)
				continue;
			k->seen = true;
			if (!(flags & XEN_DOMINF_shutdown) ||
			    k->shutdown_seen || nactions == MAX_ACTIONS)
				continue;
			k->shutdown_seen = true;
			if (k->store)
				xenstored_shutdown(domid);
			actions[nactions].domid = domid;
			actions[nactions++].reason =
			    (flags >> XEN_DOMINF_shutdownshift) &
			    XEN_DOMINF_shutdownmask;
		}
	} while (n == LIST_BATCH);
	for (k = records; k; k = next) {
		next = k->next;
		if (!k->seen)
			forget(k);
	}
	/* After the listing: actions add and remove records. */
	for (unsigned int i = 0; i < nactions; i++)
		apply_action(&actions[i]);
	if (nactions == MAX_ACTIONS)
		exc_pending = true;
}

/* Upcall context: mark a rescan, wake the thread. */
static void dom_exc_event(uint32_t port)
{
	(void)port;
	exc_pending = true;
	waitq_wake(&exc_wq);
}

static void domains_thread(void *arg)
{
	bool started = false;

	(void)arg;
	for (;;) {
		/*
		 * Also rescan now and then, in case a change came without
		 * VIRQ_DOM_EXC.
		 */
		wait_event_until(&exc_wq, exc_pending, pv_now() + RESCAN);
		exc_pending = false;
		tk_lock();
		scan();
		tk_unlock();
		if (!started) {
			/* Boot-time domains are known: their ids are taken. */
			started = true;
			tk_autostart();
		}
	}
}

void domains_start(void)
{
	uint32_t port;

	if (evtchn_bind_virq(VIRQ_DOM_EXC, &port)) {
		printf("domains: cannot bind VIRQ_DOM_EXC\n");
	} else {
		pv_bind_handler(port, dom_exc_event);
		pv_unmask(port);
	}
	if (!thread_create("domains", domains_thread, NULL))
		printf("domains: cannot start its thread\n");
}
