/*
 * The 2-level event ABI: port p's pending and mask bits are bit p of
 * shared_info's evtchn_pending and evtchn_mask; a vCPU's selector word
 * says which 64-bit words to scan. The guest writes the same words
 * concurrently, so every change is atomic.
 *
 * Raising p for vCPU v: set pending[p]; if it was clear and p is not
 * masked, set bit p/64 in v's selector and evtchn_upcall_pending.
 */
#include "domain.h"
#include "events_abi.h"

#define WORD(p) ((p) / 64)
#define BIT(p) (1UL << ((p) % 64))

static bool test(const unsigned long *w, unsigned long bit)
{
	return __atomic_load_n(w, __ATOMIC_SEQ_CST) & bit;
}

/* Select p's word and raise the upcall; EVTCHN_KICK if it was clear. */
static unsigned int upcall(struct vcpu *v, u32 port)
{
	struct vcpu_info *vi = v->vcpu_info;

	__atomic_fetch_or(&vi->evtchn_pending_sel, BIT(WORD(port)),
			  __ATOMIC_SEQ_CST);
	if (__atomic_exchange_n(&vi->evtchn_upcall_pending, 1,
				__ATOMIC_SEQ_CST))
		return 0;
	return EVTCHN_KICK;
}

static unsigned int l2_set_pending(struct vcpu *v, u32 port)
{
	struct shared_info *s = v->domain->shared_info;

	if (__atomic_fetch_or(&s->evtchn_pending[WORD(port)], BIT(port),
			      __ATOMIC_SEQ_CST) &
	    BIT(port))
		return 0;
	if (test(&s->evtchn_mask[WORD(port)], BIT(port)))
		return EVTCHN_NEW;
	return EVTCHN_NEW | upcall(v, port);
}

static void l2_clear_pending(struct domain *d, u32 port)
{
	__atomic_fetch_and(&d->shared_info->evtchn_pending[WORD(port)],
			   ~BIT(port), __ATOMIC_SEQ_CST);
}

static unsigned int l2_unmask(struct vcpu *v, u32 port)
{
	struct shared_info *s = v->domain->shared_info;

	__atomic_fetch_and(&s->evtchn_mask[WORD(port)], ~BIT(port),
			   __ATOMIC_SEQ_CST);
	if (!test(&s->evtchn_pending[WORD(port)], BIT(port)))
		return 0;
	return upcall(v, port);
}

static bool l2_is_pending(struct domain *d, u32 port)
{
	return test(&d->shared_info->evtchn_pending[WORD(port)], BIT(port));
}

static bool l2_is_busy(struct domain *d, u32 port)
{
	(void)d;
	(void)port;
	return false;
}

/* No set_priority: Xen answers -ENOSYS for 2-level domains. */
const struct evtchn_port_ops evtchn_ops_2l = {
	.set_pending = l2_set_pending,
	.clear_pending = l2_clear_pending,
	.unmask = l2_unmask,
	.is_pending = l2_is_pending,
	.is_busy = l2_is_busy,
};
