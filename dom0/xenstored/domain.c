/*
 * Connections and domains. Every client is a connection; an introduced
 * domain's connection is its ring (ops->introduce maps it), found by
 * domid. Domain 0's in-process clients are connections too, without a
 * ring. A domain connection lives from INTRODUCE to RELEASE or to the
 * domain's death; @introduceDomain and @releaseDomain mark those moments,
 * and @releaseDomain also fires once when the domain shuts down (again
 * only after RESUME).
 */
#include "xs_core.h"

struct xs_conn *xs_conn_new(struct xs_store *st, uint16_t domid)
{
	struct xs_conn *c = xs_zalloc(sizeof(*c)), **pp;

	if (!c)
		return NULL;
	c->st = st;
	c->domid = domid;
	c->target = XS_NO_TARGET;
	c->next_txid = 1;
	c->out_tail = &c->out_head;
	for (pp = &st->conns; *pp; pp = &(*pp)->next)
		;
	*pp = c;
	return c;
}

/* Unlink and free, with its watches, transactions and output. */
void xs_conn_destroy(struct xs_conn *conn)
{
	struct xs_conn **pp = &conn->st->conns;

	while (*pp && *pp != conn)
		pp = &(*pp)->next;
	if (*pp)
		*pp = conn->next;
	xs_watch_free_all(conn);
	xs_tx_free_all(conn);
	xs_out_free_all(conn);
	xs_free(conn);
}

/*
 * The client asked for a fresh start (the ring's reconnection feature):
 * it keeps its identity and place in the store, but loses its watches,
 * transactions, half-received request and unread output, and may be
 * served again if it had broken the protocol.
 */
void xs_conn_reset(struct xs_conn *conn)
{
	xs_watch_free_all(conn);
	xs_tx_free_all(conn);
	xs_out_free_all(conn);
	conn->in_used = 0;
	conn->broken = false;
	conn->dropped = 0;
}

void xs_conn_free(struct xs_conn *conn)
{
	if (conn)
		xs_conn_destroy(conn);
}

struct xs_conn *xs_domain_conn(struct xs_store *st, uint16_t domid)
{
	struct xs_conn *c;

	for (c = st->conns; c; c = c->next)
		if (c->domain && c->domid == domid)
			return c;
	return NULL;
}

uint16_t xs_conn_domid(const struct xs_conn *conn)
{
	return conn->domid;
}

void xs_conn_set_priv(struct xs_conn *conn, void *priv)
{
	conn->priv = priv;
}

void *xs_conn_priv(const struct xs_conn *conn)
{
	return conn->priv;
}

bool xs_conn_broken(const struct xs_conn *conn)
{
	return conn->broken;
}

uint32_t xs_conn_watches(const struct xs_conn *conn)
{
	return conn->nwatches;
}

uint32_t xs_conn_transactions(const struct xs_conn *conn)
{
	return conn->ntxs;
}

static bool real_domid(u16 domid)
{
	return domid != 0 && domid < XS_DOMID_FIRST_RESERVED;
}

int xs_domain_introduce(struct xs_store *st, uint16_t domid, uint64_t mfn,
			uint32_t port)
{
	struct xs_conn *c;
	int ret = 0;

	if (!real_domid(domid))
		return -XS_EINVAL;
	c = xs_domain_conn(st, domid);
	if (c) {
		/* Again: rebind the event channel (resume), same page. */
		if (c->mfn != mfn)
			return -XS_EINVAL;
		if (st->ops && st->ops->introduce)
			ret = st->ops->introduce(st->priv, c, mfn, port, true);
		if (!ret)
			c->port = port;
		return ret;
	}
	c = xs_conn_new(st, domid);
	if (!c)
		return -XS_ENOMEM;
	c->domain = true;
	c->mfn = mfn;
	c->port = port;
	if (st->ops && st->ops->introduce)
		ret = st->ops->introduce(st->priv, c, mfn, port, false);
	if (ret) {
		xs_conn_destroy(c);
		return ret;
	}
	xs_fire_special(st, XS_SPECIAL_INTRODUCE);
	return 0;
}

static void domain_gone(struct xs_store *st, struct xs_conn *c)
{
	if (st->ops && st->ops->release)
		st->ops->release(st->priv, c);
	xs_conn_destroy(c);
}

int xs_domain_release(struct xs_store *st, uint16_t domid)
{
	struct xs_conn *c;

	if (!real_domid(domid))
		return -XS_EINVAL;
	c = xs_domain_conn(st, domid);
	if (!c)
		return -XS_ENOENT;
	domain_gone(st, c);
	xs_fire_special(st, XS_SPECIAL_RELEASE);
	return 0;
}

void xs_domain_shutdown(struct xs_store *st, uint16_t domid)
{
	struct xs_conn *c = xs_domain_conn(st, domid);

	if (!c || c->shutdown)
		return;
	c->shutdown = true;
	xs_fire_special(st, XS_SPECIAL_RELEASE);
}

/*
 * The domain is dead. Besides dropping its connection, its id may be
 * reused: xs_forget_domain() hands its nodes to domain 0 and drops ACL
 * entries naming it, so a new domain with the same id starts with no
 * rights it was not given. (RELEASE alone does not do this: the domain
 * may still live and be introduced again.)
 */
void xs_domain_destroyed(struct xs_store *st, uint16_t domid)
{
	struct xs_conn *c = xs_domain_conn(st, domid);

	if (domid == 0)
		return;
	if (c)
		domain_gone(st, c);
	xs_forget_domain(st, domid);
	if (c)
		xs_fire_special(st, XS_SPECIAL_RELEASE);
}
