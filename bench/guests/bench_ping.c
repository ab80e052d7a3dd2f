/*
 * Event-channel ping-pong between two domains (run as domains 1 and 2,
 * which the hypervisor places on different CPUs). Domain 1 allocates an
 * unbound port for domain 2; domain 2 finds it (the first port domain 1
 * allocates after the builder's two) and binds to it. Domain 1 then
 * measures round trips: send, wait for the reply.
 *
 * The waiting side spins on its pending bit ("poll" rows) or blocks in
 * the hypervisor until the event arrives ("block" rows).
 */
#include <pv/hypercall.h>
#include <pv/libpv.h>
#include <xen/event_channel.h>
#include <xen/sched.h>

#define ROUNDS 2000
#define PEER_PORT 3

static uint32_t port;
static volatile unsigned long arrived; /* events seen by the upcall */

static void on_event(uint32_t p)
{
	(void)p;
	arrived++;
}

static void send(void)
{
	struct evtchn_send s = { port };
	HYPERVISOR_event_channel_op(EVTCHNOP_send, &s);
}

/*
 * Wait for our port: spin on the pending bit (port masked, no upcall), or
 * block until the upcall has counted the event.
 */
static void wait_event(bool block)
{
	if (block) {
		static unsigned long seen;
		pv_block_until(arrived != seen);
		seen++;
		return;
	}
	while (!pv_pending(port))
		cpu_relax();
	pv_clear(port);
}

static void setup(bool initiator)
{
	if (initiator) {
		struct evtchn_alloc_unbound a = { DOMID_SELF, 2, 0 };
		if (HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a))
			pv_panic("alloc_unbound");
		port = a.port;
		if (port != PEER_PORT)
			pv_panic("expected port %u, got %u", PEER_PORT, port);
	} else {
		struct evtchn_bind_interdomain b = { 1, PEER_PORT, 0 };
		while (HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain,
						   &b))
			HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
		port = b.local_port;
	}
	/* Delivery is by polling the pending bit; no upcall handler. */
	pv_mask(port);
	pv_events_disable();
}

static void run(bool initiator, bool block)
{
	uint64_t best = ~0UL;

	if (block) { /* blocking needs upcalls */
		pv_bind_handler(port, on_event);
		pv_unmask(port);
		pv_events_enable();
	}
	for (int rep = 0; rep < 5; rep++) {
		uint64_t t0 = pv_now();
		for (int i = 0; i < ROUNDS; i++) {
			if (initiator) {
				send();
				wait_event(block);
			} else {
				wait_event(block);
				send();
			}
		}
		if (initiator && (pv_now() - t0) / ROUNDS < best)
			best = (pv_now() - t0) / ROUNDS;
	}
	if (initiator)
		printf("bench: evtchn_pingpong_%s = %lu ns\n",
		       block ? "block" : "poll", best);
}

void pv_main(void)
{
	bool initiator = start_info->cmd_line[0] == 'A';

	setup(initiator);
	run(initiator, false);
	run(initiator, true);
}
