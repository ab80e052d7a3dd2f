/*
 * Checks on netif transmit requests (see nettx.h). Each slot is judged
 * from our copy only; the sizes of a chain are summed as they come, so
 * the first slot's total is checked against the rest once the chain is
 * complete.
 */
#include "nettx.h"
#include "klib.h"

static const char *const names[NETTX_NFAULTS] = {
	[NETTX_OK] = "ok",
	[NETTX_RUNT] = "packet shorter than an Ethernet header",
	[NETTX_BEYOND_PAGE] = "offset + size beyond the granted page",
	[NETTX_FRAG_EMPTY] = "a slot of size 0 in a chain",
	[NETTX_FRAGS_TOO_BIG] = "the chain holds more than the packet's size",
	[NETTX_GSO] = "segmentation offload (not advertised)",
	[NETTX_TOO_MANY_SLOTS] = "more slots than the 18 advertised",
	[NETTX_TOO_MANY_EXTRAS] = "more than 4 extra-info slots",
	[NETTX_BAD_EXTRA] = "an extra-info slot of unknown type",
	[NETTX_EXTRA_LATE] = "extra-info on a slot after the first",
};

const char *nettx_fault_name(enum nettx_fault f)
{
	return f < NETTX_NFAULTS ? names[f] : "?";
}

void nettx_begin(struct nettx_pkt *p)
{
	p->nreq = p->nslots = p->extras_pending = 0;
	p->more = false;
	p->fault = NETTX_OK;
}

static void fault(struct nettx_pkt *p, enum nettx_fault f)
{
	if (p->fault == NETTX_OK)
		p->fault = f;
}

static void check_total(struct nettx_pkt *p);

static enum nettx_step add_extra(struct nettx_pkt *p, const void *slot)
{
	struct netif_extra_info x;

	memcpy(&x, slot, sizeof(x));
	if (p->nslots - p->nreq >= NETTX_MAX_EXTRAS) {
		fault(p, NETTX_TOO_MANY_EXTRAS);
		return NETTX_BROKEN;
	}
	p->resp_id[p->nslots++] = -1;
	if (x.type == XEN_NETIF_EXTRA_TYPE_NONE ||
	    x.type >= XEN_NETIF_EXTRA_TYPE_MAX) {
		fault(p, NETTX_BAD_EXTRA);
		return NETTX_BROKEN;
	}
	if (x.type == XEN_NETIF_EXTRA_TYPE_GSO)
		fault(p, NETTX_GSO);
	/* Multicast and hash extras are hints: nothing to do with them. */
	p->extras_pending = x.flags & XEN_NETIF_EXTRA_FLAG_MORE ? 1 : 0;
	if (p->extras_pending || p->more)
		return NETTX_NEED_MORE;
	check_total(p);
	return NETTX_DONE;
}

static void check_data(struct nettx_pkt *p, const struct netif_tx_request *r)
{
	/* Slot 0's size is the packet's: its own part is known at the end. */
	if (p->nreq > 0 && (uint32_t)r->offset + r->size > NETTX_PAGE)
		fault(p, NETTX_BEYOND_PAGE);
	if (p->nreq == 0 && r->size < NETTX_ETH_HLEN)
		fault(p, NETTX_RUNT);
	if (p->nreq > 0 && r->size == 0)
		fault(p, NETTX_FRAG_EMPTY);
}

/* The complete chain: slot 0 holds what the others do not, in its page. */
static void check_total(struct nettx_pkt *p)
{
	uint32_t rest = 0;

	for (unsigned int i = 1; i < p->nreq; i++)
		rest += p->req[i].size;
	if (rest > p->req[0].size)
		fault(p, NETTX_FRAGS_TOO_BIG);
	else if ((uint32_t)p->req[0].offset + p->req[0].size - rest >
		 NETTX_PAGE)
		fault(p, NETTX_BEYOND_PAGE);
}

enum nettx_step nettx_add(struct nettx_pkt *p, const void *slot)
{
	struct netif_tx_request r;

	if (p->extras_pending)
		return add_extra(p, slot);
	memcpy(&r, slot, sizeof(r));
	if (p->nreq == NETTX_MAX_SLOTS) {
		fault(p, NETTX_TOO_MANY_SLOTS);
		return NETTX_BROKEN;
	}
	if (p->nreq > 0 && (r.flags & NETTXF_extra_info)) {
		fault(p, NETTX_EXTRA_LATE);
		return NETTX_BROKEN;
	}
	check_data(p, &r);
	p->req[p->nreq++] = r;
	p->resp_id[p->nslots++] = r.id;
	p->more = r.flags & NETTXF_more_data;
	p->extras_pending = r.flags & NETTXF_extra_info ? 1 : 0;
	if (p->extras_pending || p->more)
		return NETTX_NEED_MORE;
	check_total(p);
	return NETTX_DONE;
}

uint32_t nettx_len(const struct nettx_pkt *p, unsigned int i)
{
	uint32_t rest = 0;

	if (i)
		return p->req[i].size;
	for (unsigned int j = 1; j < p->nreq; j++)
		rest += p->req[j].size;
	return p->req[0].size - rest;
}
