/*
 * Domain discovery: keeps xenstored and the console backend in step with
 * the domains the hypervisor has. At start, and each time VIRQ_DOM_EXC
 * says a domain shut down or died, domain 0 lists the domains and
 *  - connects each new one's xenstore ring (xenstored_introduce) and
 *    console ring (console_connect), where the hypervisor reports them
 *    (boot-time domains; HVMOP_get_param, see hv/core/hvm_op.c);
 *  - tells xenstored once when a domain has shut down (@releaseDomain);
 *  - releases and disconnects a domain that is dying or gone.
 * A shut-down domain keeps its console connection, so its last output is
 * still read; the connection goes with the domain.
 */
#include <xen/domctl.h>
#include "consoled.h"
#include "hvctl.h"
#include "kernel.h"
#include "xs.h"

#define LIST_BATCH 32
#define RESCAN (2 * SEC)

struct known {
	struct known *next;
	uint16_t domid;
	bool shutdown, store, console, seen;
};

static struct known *known;
static struct waitq exc_wq = WAITQ_INIT(exc_wq);
static volatile bool exc_pending = true; /* the first scan */

static struct known *lookup(uint16_t domid)
{
	struct known *k;

	for (k = known; k && k->domid != domid; k = k->next)
		;
	return k;
}

static void connect(uint16_t domid)
{
	struct known *k = calloc(1, sizeof(*k));
	uint64_t mfn;
	uint32_t port;

	if (!k)
		return;
	k->domid = domid;
	k->next = known;
	known = k;
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

static void forget(struct known *k)
{
	struct known **pp;

	if (k->store)
		xenstored_release(k->domid);
	if (k->console)
		console_disconnect(k->domid);
	for (pp = &known; *pp != k; pp = &(*pp)->next)
		;
	*pp = k->next;
	free(k);
}

static void scan(void)
{
	static struct xen_domctl_getdomaininfo info[LIST_BATCH];
	static bool warned;
	struct known *k, *next;
	uint16_t first = 1;
	long n;

	for (k = known; k; k = k->next)
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
			k = lookup(domid);
			if (!k) {
				connect(domid);
				k = lookup(domid);
			}
			if (!k)
				continue;
			k->seen = true;
			if ((flags & XEN_DOMINF_shutdown) && !k->shutdown) {
				k->shutdown = true;
				if (k->store)
					xenstored_shutdown(domid);
			}
		}
	} while (n == LIST_BATCH);
	for (k = known; k; k = next) {
		next = k->next;
		if (!k->seen)
			forget(k);
	}
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
	(void)arg;
	for (;;) {
		/*
		 * Also rescan now and then: domains built later by the
		 * toolstack, and a hypervisor that does not (yet) send
		 * VIRQ_DOM_EXC on every change.
		 */
		wait_event_until(&exc_wq, exc_pending, pv_now() + RESCAN);
		exc_pending = false;
		scan();
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
