/*
 * Event channels for domain 0's threads: a port is attached to a wait
 * queue, and its upcall wakes the queue. The waiting thread then looks at
 * its rings; the event itself carries no data.
 */
#include <xen/event_channel.h>
#include "kernel.h"

static struct waitq *port_waitq[EVTCHN_2L_NR_CHANNELS];

static void port_event(uint32_t port)
{
	if (port_waitq[port])
		waitq_wake(port_waitq[port]);
}

void evtchn_attach(uint32_t port, struct waitq *q)
{
	if (port >= EVTCHN_2L_NR_CHANNELS)
		return;
	port_waitq[port] = q;
	pv_bind_handler(port, q ? port_event : NULL);
	if (q)
		pv_unmask(port);
	else
		pv_mask(port);
}

int evtchn_bind_interdomain(uint16_t remote_dom, uint32_t remote_port,
			    uint32_t *local_port)
{
	struct evtchn_bind_interdomain b = { remote_dom, remote_port, 0 };
	int rc = (int)HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain,
						  &b);

	if (!rc)
		*local_port = b.local_port;
	return rc;
}

int evtchn_alloc_unbound(uint16_t dom, uint16_t remote_dom, uint32_t *port)
{
	struct evtchn_alloc_unbound a = { dom, remote_dom, 0 };
	int rc = (int)HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a);

	if (!rc)
		*port = a.port;
	return rc;
}

int evtchn_bind_virq(uint32_t virq, uint32_t *port)
{
	struct evtchn_bind_virq b = { virq, 0, 0 };
	int rc = (int)HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &b);

	if (!rc)
		*port = b.port;
	return rc;
}

void evtchn_notify(uint32_t port)
{
	struct evtchn_send s = { port };

	HYPERVISOR_event_channel_op(EVTCHNOP_send, &s);
}

void evtchn_close(uint32_t port)
{
	struct evtchn_close c = { port };

	evtchn_attach(port, NULL);
	HYPERVISOR_event_channel_op(EVTCHNOP_close, &c);
}
