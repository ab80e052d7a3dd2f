/*
 * Transactions. A transaction is a layer of node copies over the store
 * (see xs_core.h): a snapshot of every node it has looked at, present or
 * absent, with the store generation seen then (base_gen), and its own
 * changes on top. Other clients do not see its changes until it commits.
 *
 * Commit succeeds only if none of the nodes it looked at or changed has
 * changed in the store since it first looked (same generation, or still
 * absent); otherwise the client gets EAGAIN and retries, as with
 * xenstored. Checking per node rather than "any write since start" keeps
 * unrelated writers (other domains' devices) from forcing retries, while
 * everything a committed transaction read is still true at commit.
 *
 * Watch events of a transaction are held back and fired at commit.
 */
#include "xs_core.h"

struct xs_tx *xs_tx_find(struct xs_conn *conn, u32 id)
{
	struct xs_tx *tx;

	for (tx = conn->txs; tx; tx = tx->next)
		if (tx->id == id)
			return tx;
	return NULL;
}

int xs_tx_start(struct xs_conn *conn, u32 *id)
{
	struct xs_tx *tx;

	if (!xs_privileged(conn) && conn->ntxs >= conn->st->quota.transactions)
		return -XS_ENOSPC;
	tx = xs_zalloc(sizeof(*tx));
	if (!tx)
		return -XS_ENOMEM;
	xs_event_list_init(&tx->events);
	/* Ids are never 0 (no transaction) and never in use. */
	do {
		tx->id = conn->next_txid++;
	} while (tx->id == 0 || xs_tx_find(conn, tx->id));
	tx->next = conn->txs;
	conn->txs = tx;
	conn->ntxs++;
	*id = tx->id;
	return 0;
}

static void tx_free(struct xs_conn *conn, struct xs_tx *tx)
{
	struct xs_tx **pp = &conn->txs;

	while (*pp && *pp != tx)
		pp = &(*pp)->next;
	if (*pp) {
		*pp = tx->next;
		conn->ntxs--;
	}
	conn->tx_bytes -= tx->bytes;
	xs_htab_destroy(&tx->layer);
	xs_event_list_free(&tx->events);
	xs_free(tx);
}

void xs_tx_free_all(struct xs_conn *conn)
{
	while (conn->txs)
		tx_free(conn, conn->txs);
}

static int tx_commit(struct xs_conn *conn, struct xs_tx *tx,
		     struct xs_event_list *events)
{
	struct xs_store *st = conn->st;
	struct xs_node *n, *cur;
	u32 i;
	int ret;

	xs_htab_for_each(&tx->layer, i, n) {
		cur = xs_htab_find(&st->nodes, n->path);
		if ((cur ? cur->gen : 0) != n->base_gen)
			return -XS_EAGAIN;
	}
	ret = xs_apply(st, conn, &tx->layer);
	if (ret)
		return ret;
	xs_event_list_splice(events, &tx->events);
	return 0;
}

/*
 * TRANSACTION_END for op->tx: commit (its events move to op->events, to
 * be fired after the reply) or abort. Either way the transaction is gone.
 */
int xs_tx_end(struct xs_op *op, bool commit)
{
	struct xs_tx *tx = op->tx;
	int ret = 0;

	op->tx = NULL;
	if (commit)
		ret = tx_commit(op->conn, tx, &op->events);
	tx_free(op->conn, tx);
	return ret;
}

/*
 * A request in a transaction succeeded: move its changes into the
 * transaction's layer. Every node the request changed was looked at
 * through xs_peek() first, so the transaction has an entry for it, and
 * merging swaps contents without allocating.
 */
int xs_tx_merge(struct xs_op *op)
{
	struct xs_node *e, *t;
	long grow = 0;
	u32 i;

	xs_htab_for_each(&op->layer, i, e) {
		if (!e->dirty)
			continue;
		t = xs_htab_find(&op->tx->layer, e->path);
		if (!t) {
			xs_log(op->st, op->conn,
			       "xenstored: %s missing from its transaction",
			       e->path);
			return -XS_EIO;
		}
		grow += (long)xs_node_mem(e) - (long)xs_node_mem(t);
	}
	if (!xs_privileged(op->conn) && grow > 0 &&
	    op->conn->tx_bytes + grow > op->st->quota.trans_bytes)
		return -XS_ENOSPC;
	xs_htab_for_each(&op->layer, i, e) {
		struct xs_node tmp;

		if (!e->dirty)
			continue;
		t = xs_htab_find(&op->tx->layer, e->path);
		tmp = *t;
		t->absent = e->absent;
		t->perms = e->perms;
		t->nperms = e->nperms;
		t->value = e->value;
		t->vlen = e->vlen;
		t->children = e->children;
		t->clen = e->clen;
		t->gen = e->gen;
		t->dirty = true;
		e->perms = tmp.perms;
		e->nperms = tmp.nperms;
		e->value = tmp.value;
		e->vlen = tmp.vlen;
		e->children = tmp.children;
		e->clen = tmp.clen;
	}
	op->tx->bytes += grow;
	op->conn->tx_bytes += grow;
	xs_event_list_splice(&op->tx->events, &op->events);
	return 0;
}
