/*
 * Binding physical interrupt lines to event channels: setup_gsi (trigger
 * and polarity), map_pirq (GSI to pirq number), bind_pirq (pirq to port).
 * The event handler runs in upcall context and only records and wakes.
 */
#include <xen/event_channel.h>
#include <xen/physdev.h>
#include "errno.h"
#include "pirq.h"

#define MAX_LINES 16

static struct pirq_line *lines[MAX_LINES];

static long physdev_op(int cmd, void *arg)
{
	return HYPERCALL2(__HYPERVISOR_physdev_op, cmd, arg);
}

static void line_event(uint32_t port)
{
	for (unsigned int i = 0; i < MAX_LINES; i++)
		if (lines[i] && lines[i]->port == port) {
			lines[i]->fired = true;
			waitq_wake(lines[i]->q);
		}
}

int pirq_bind(struct pirq_line *line, uint32_t gsi, bool level, bool active_low,
	      struct waitq *q)
{
	struct physdev_setup_gsi setup = { (int)gsi, level, active_low };
	struct physdev_map_pirq map = { .domid = DOMID_SELF,
					.type = MAP_PIRQ_TYPE_GSI,
					.index = (int)gsi,
					.pirq = -1 };
	struct evtchn_bind_pirq bind = { 0, BIND_PIRQ__WILL_SHARE, 0 };
	struct physdev_irq_status_query query = { 0, 0 };
	unsigned int slot = 0;
	long rc;

	while (slot < MAX_LINES && lines[slot])
		slot++;
	if (slot == MAX_LINES)
		return -ENOSPC;
	/*
	 * PCI devices share INTx lines, and the hypervisor binds a GSI to one
	 * port only: a second device on a bound line listens on that port
	 * too (line_event wakes every device there; each driver reads its own
	 * ISR before its EOI, so a line still held by the other one fires
	 * again).
	 */
	for (unsigned int i = 0; i < MAX_LINES; i++)
		if (lines[i] && lines[i]->gsi == gsi) {
			*line = *lines[i];
			line->fired = false;
			line->q = q;
			lines[slot] = line;
			return 0;
		}
	/* Another device on the same line set it up already: not an error. */
	rc = physdev_op(PHYSDEVOP_setup_gsi, &setup);
	if (rc && rc != -EEXIST)
		return (int)rc;
	rc = physdev_op(PHYSDEVOP_map_pirq, &map);
	if (rc)
		return (int)rc;
	bind.pirq = (uint32_t)map.pirq;
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_pirq, &bind);
	if (rc)
		return (int)rc;
	query.irq = bind.pirq;
	line->needs_eoi = physdev_op(PHYSDEVOP_irq_status_query, &query) ||
			  (query.flags & XENIRQSTAT_needs_eoi);
	line->gsi = gsi;
	line->pirq = bind.pirq;
	line->port = bind.port;
	line->fired = false;
	line->q = q;
	lines[slot] = line;
	pv_bind_handler(line->port, line_event);
	pv_unmask(line->port);
	return 0;
}

void pirq_eoi(struct pirq_line *line)
{
	struct physdev_eoi eoi = { line->pirq };

	if (line->needs_eoi)
		physdev_op(PHYSDEVOP_eoi, &eoi);
}
