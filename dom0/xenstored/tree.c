/*
 * The tree: nodes kept in a hash table by full path, each with its value,
 * its permissions and the names of its children; paths; the layered views
 * through which requests and transactions change the tree (see
 * xs_core.h); and the per-domain count of owned nodes.
 *
 * Invariants of the store: "/" exists; a node other than "/" exists iff
 * its parent exists and lists its name; every node has at least one
 * permission entry, whose id is the owner; acct[d].nodes is the number
 * of nodes owned by d.
 */
#include <stdarg.h>

#include "xs_core.h"

/* ---- small helpers ---- */

void *xs_zalloc(size_t size)
{
	void *p = xs_alloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

char *xs_strdup(const char *s)
{
	size_t len = strlen(s) + 1;
	char *d = xs_alloc(len);

	if (d)
		memcpy(d, s, len);
	return d;
}

void xs_log(struct xs_store *st, struct xs_conn *conn, const char *fmt, ...)
{
	char buf[200];
	va_list ap;

	if (!st->ops || !st->ops->log)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	st->ops->log(st->priv, conn, buf);
}

/* ---- hash tables ---- */

/* FNV-1a. */
u32 xs_hash(const char *path, u32 len)
{
	u32 h = 2166136261u;
	u32 i;

	for (i = 0; i < len; i++) {
		h ^= (u8)path[i];
		h *= 16777619u;
	}
	return h;
}

int xs_htab_init(struct xs_htab *h, u32 buckets)
{
	h->bucket = xs_zalloc(buckets * sizeof(*h->bucket));
	h->mask = buckets - 1;
	h->count = 0;
	return h->bucket ? 0 : -XS_ENOMEM;
}

/* Free the table and every node in it. */
void xs_htab_destroy(struct xs_htab *h)
{
	struct xs_node *n, *next;
	u32 i;

	for (i = 0; h->bucket && i <= h->mask; i++) {
		for (n = h->bucket[i]; n; n = next) {
			next = n->hnext;
			xs_node_free(n);
		}
	}
	xs_free(h->bucket);
	h->bucket = NULL;
	h->mask = 0;
	h->count = 0;
}

struct xs_node *xs_htab_find(const struct xs_htab *h, const char *path)
{
	u32 len = strlen(path);
	u32 hash = xs_hash(path, len);
	struct xs_node *n;

	if (!h->bucket)
		return NULL;
	for (n = h->bucket[hash & h->mask]; n; n = n->hnext)
		if (n->hash == hash && n->plen == len &&
		    !memcmp(n->path, path, len))
			return n;
	return NULL;
}

/* Double the buckets; on ENOMEM keep the old ones (chains just grow). */
static void htab_grow(struct xs_htab *h)
{
	u32 nb = (h->mask + 1) * 2;
	struct xs_node **b = xs_zalloc(nb * sizeof(*b));
	struct xs_node *n, *next;
	u32 i;

	if (!b)
		return;
	for (i = 0; i <= h->mask; i++) {
		for (n = h->bucket[i]; n; n = next) {
			next = n->hnext;
			n->hnext = b[n->hash & (nb - 1)];
			b[n->hash & (nb - 1)] = n;
		}
	}
	xs_free(h->bucket);
	h->bucket = b;
	h->mask = nb - 1;
}

/* The table must have buckets (xs_htab_init). */
void xs_htab_insert(struct xs_htab *h, struct xs_node *n)
{
	struct xs_node **b = &h->bucket[n->hash & h->mask];

	n->hnext = *b;
	*b = n;
	if (++h->count > 2 * (h->mask + 1) && h->mask < (1u << 24))
		htab_grow(h);
}

void xs_htab_remove(struct xs_htab *h, struct xs_node *n)
{
	struct xs_node **pp = &h->bucket[n->hash & h->mask];

	while (*pp && *pp != n)
		pp = &(*pp)->hnext;
	if (*pp) {
		*pp = n->hnext;
		h->count--;
	}
}

/* ---- nodes ---- */

/* A node with no value, children or permissions, present. */
struct xs_node *xs_node_new(const char *path, u32 plen)
{
	struct xs_node *n = xs_zalloc(sizeof(*n) + plen + 1);

	if (!n)
		return NULL;
	memcpy(n->path, path, plen);
	n->path[plen] = '\0';
	n->plen = plen;
	n->hash = xs_hash(path, plen);
	return n;
}

static void *dup_bytes(const void *src, u32 len, bool *fail)
{
	void *d;

	if (!len)
		return NULL;
	d = xs_alloc(len);
	if (!d)
		*fail = true;
	else
		memcpy(d, src, len);
	return d;
}

struct xs_node *xs_node_dup(const struct xs_node *src)
{
	struct xs_node *n = xs_node_new(src->path, src->plen);
	bool fail = false;

	if (!n)
		return NULL;
	n->absent = src->absent;
	n->dirty = src->dirty;
	n->gen = src->gen;
	n->base_gen = src->base_gen;
	n->nperms = src->nperms;
	n->perms =
	    dup_bytes(src->perms, src->nperms * sizeof(*src->perms), &fail);
	n->vlen = src->vlen;
	n->value = dup_bytes(src->value, src->vlen, &fail);
	n->clen = src->clen;
	n->children = dup_bytes(src->children, src->clen, &fail);
	if (fail) {
		xs_node_free(n);
		return NULL;
	}
	return n;
}

/* Drop value, children and permissions (the node is being deleted). */
void xs_node_clear(struct xs_node *n)
{
	xs_free(n->perms);
	xs_free(n->value);
	xs_free(n->children);
	n->perms = NULL;
	n->value = NULL;
	n->children = NULL;
	n->nperms = n->vlen = n->clen = 0;
}

void xs_node_free(struct xs_node *n)
{
	if (!n)
		return;
	xs_node_clear(n);
	xs_free(n);
}

/* What counts against quota.node_size. */
u32 xs_node_size(const struct xs_node *n)
{
	return n->vlen + n->clen + n->nperms * 4;
}

/* Memory the node takes (for the transaction memory quota). */
size_t xs_node_mem(const struct xs_node *n)
{
	return sizeof(*n) + n->plen + 1 + n->vlen + n->clen +
	       n->nperms * sizeof(*n->perms);
}

/* The setters allocate first, so on ENOMEM the node is unchanged. */
int xs_node_set_value(struct xs_node *n, const void *value, u32 vlen)
{
	bool fail = false;
	char *v = dup_bytes(value, vlen, &fail);

	if (fail)
		return -XS_ENOMEM;
	xs_free(n->value);
	n->value = v;
	n->vlen = vlen;
	return 0;
}

int xs_node_set_perms(struct xs_node *n, const struct xs_perm *p, u32 num)
{
	bool fail = false;
	struct xs_perm *np = dup_bytes(p, num * sizeof(*p), &fail);

	if (fail)
		return -XS_ENOMEM;
	xs_free(n->perms);
	n->perms = np;
	n->nperms = num;
	return 0;
}

int xs_node_add_child(struct xs_node *n, const char *name)
{
	u32 len = strlen(name) + 1;
	char *c = xs_alloc(n->clen + len);

	if (!c)
		return -XS_ENOMEM;
	if (n->clen)
		memcpy(c, n->children, n->clen);
	memcpy(c + n->clen, name, len);
	xs_free(n->children);
	n->children = c;
	n->clen += len;
	return 0;
}

void xs_node_del_child(struct xs_node *n, const char *name)
{
	u32 len = strlen(name) + 1;
	u32 off = 0;

	while (off < n->clen) {
		const char *c = n->children + off;
		u32 clen = strlen(c) + 1;

		if (clen == len && !memcmp(c, name, len)) {
			memmove(n->children + off, n->children + off + len,
				n->clen - off - len);
			n->clen -= len;
			return;
		}
		off += clen;
	}
}

/* ---- paths ---- */

static bool valid_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '/' || c == '_' ||
	       c == '@';
}

/*
 * An absolute path: "/" or "/a/b", characters [A-Za-z0-9-/_@], no "//",
 * no trailing '/', at most XENSTORE_ABS_PATH_MAX bytes. With special_ok,
 * also "@name" (the special watch paths).
 */
bool xs_path_valid(const char *path, bool special_ok)
{
	u32 len = strnlen(path, XENSTORE_ABS_PATH_MAX + 1);
	u32 i;

	if (len == 0 || len > XENSTORE_ABS_PATH_MAX)
		return false;
	if (path[0] == '@') {
		if (!special_ok || len < 2)
			return false;
		for (i = 1; i < len; i++)
			if (!valid_char(path[i]) || path[i] == '/')
				return false;
		return true;
	}
	if (path[0] != '/')
		return false;
	for (i = 0; i < len; i++) {
		if (!valid_char(path[i]))
			return false;
		if (path[i] == '/' &&
		    (path[i + 1] == '/' || (path[i + 1] == '\0' && i > 0)))
			return false;
	}
	return true;
}

/* "/local/domain/<domid>" into buf; returns its length. */
int xs_home(u16 domid, char *buf, size_t size)
{
	return snprintf(buf, size, "/local/domain/%u", domid);
}

u32 xs_home_len(u16 domid)
{
	char buf[24];

	return xs_home(domid, buf, sizeof(buf));
}

/*
 * The absolute form of a path a client sent: relative paths are under
 * the connection's home, /local/domain/<domid>. Returns 0 with an
 * allocated path in *out, -XS_EINVAL or -XS_ENOMEM.
 */
int xs_canonical(const struct xs_conn *conn, const char *in, bool special_ok,
		 char **out)
{
	char home[24];
	u32 hlen, len;
	char *p;

	*out = NULL;
	if (in[0] == '/' || in[0] == '@') {
		if (!xs_path_valid(in, special_ok))
			return -XS_EINVAL;
		p = xs_strdup(in);
		if (!p)
			return -XS_ENOMEM;
		*out = p;
		return 0;
	}
	len = strnlen(in, XENSTORE_REL_PATH_MAX + 1);
	if (len == 0 || len > XENSTORE_REL_PATH_MAX)
		return -XS_EINVAL;
	hlen = xs_home(conn->domid, home, sizeof(home));
	p = xs_alloc(hlen + 1 + len + 1);
	if (!p)
		return -XS_ENOMEM;
	memcpy(p, home, hlen);
	p[hlen] = '/';
	memcpy(p + hlen + 1, in, len + 1);
	if (!xs_path_valid(p, false)) {
		xs_free(p);
		return -XS_EINVAL;
	}
	*out = p;
	return 0;
}

/* Length of the parent's path ("/a/b" -> 2, "/a" -> 1); 0 for "/". */
u32 xs_parent_len(const char *path, u32 plen)
{
	u32 i = plen;

	if (plen <= 1)
		return 0;
	while (i > 0 && path[i - 1] != '/')
		i--;
	return i > 1 ? i - 1 : 1;
}

/* Is `child` equal to `parent` or below it? */
bool xs_is_child(const char *child, const char *parent)
{
	size_t len = strlen(parent);

	if (len == 1 && parent[0] == '/')
		return child[0] == '/';
	return !strncmp(child, parent, len) &&
	       (child[len] == '\0' || child[len] == '/');
}

/* ---- views ---- */

void xs_op_init(struct xs_op *op, struct xs_conn *conn, struct xs_tx *tx)
{
	memset(op, 0, sizeof(*op));
	op->st = conn->st;
	op->conn = conn;
	op->tx = tx;
	xs_event_list_init(&op->events);
}

/* Forget the request's changes, events and reply. */
void xs_op_discard(struct xs_op *op)
{
	xs_htab_destroy(&op->layer);
	xs_event_list_free(&op->events);
	xs_free(op->reply);
	op->reply = NULL;
}

static int layer_insert(struct xs_htab *h, struct xs_node *n)
{
	if (!h->bucket && xs_htab_init(h, 16))
		return -XS_ENOMEM;
	xs_htab_insert(h, n);
	return 0;
}

/* Would one more snapshot take an unprivileged transaction over quota? */
static bool snapshot_over_quota(struct xs_op *op, const struct xs_node *base,
				const char *path)
{
	const struct xs_quota *q = &op->st->quota;
	size_t mem =
	    base ? xs_node_mem(base) : sizeof(*base) + strlen(path) + 1;

	if (xs_privileged(op->conn))
		return false;
	return op->tx->layer.count >= q->trans_nodes ||
	       op->conn->tx_bytes + mem > q->trans_bytes;
}

/*
 * The node at `path` as the request sees it: its own changes first, then
 * its transaction's, then the store. In a transaction the first look at
 * a path records a snapshot of it (present or absent) for the conflict
 * check. Returns NULL with *err 0 if the node does not exist, or NULL
 * with *err -XS_ENOMEM / -XS_ENOSPC (transaction quota).
 */
struct xs_node *xs_peek(struct xs_op *op, const char *path, int *err)
{
	struct xs_store *st = op->st;
	struct xs_node *n, *base;

	*err = 0;
	n = xs_htab_find(&op->layer, path);
	if (n)
		return n->absent ? NULL : n;
	if (!op->tx)
		return xs_htab_find(&st->nodes, path);
	n = xs_htab_find(&op->tx->layer, path);
	if (n)
		return n->absent ? NULL : n;

	base = xs_htab_find(&st->nodes, path);
	if (snapshot_over_quota(op, base, path)) {
		*err = -XS_ENOSPC;
		return NULL;
	}
	if (base) {
		n = xs_node_dup(base);
		if (n)
			n->base_gen = base->gen;
	} else {
		n = xs_node_new(path, strlen(path));
		if (n)
			n->absent = true;
	}
	if (!n || layer_insert(&op->tx->layer, n)) {
		xs_node_free(n);
		*err = -XS_ENOMEM;
		return NULL;
	}
	op->tx->bytes += xs_node_mem(n);
	op->conn->tx_bytes += xs_node_mem(n);
	return n->absent ? NULL : n;
}

/*
 * The request's own copy of the node at `path`, to change: present, or
 * absent (check ->absent) for the caller to create. Call xs_dirty() after
 * changing it. NULL with *err on ENOMEM/ENOSPC.
 */
struct xs_node *xs_modify(struct xs_op *op, const char *path, int *err)
{
	struct xs_node *n, *base;

	*err = 0;
	n = xs_htab_find(&op->layer, path);
	if (n)
		return n;
	base = xs_peek(op, path, err);
	if (*err)
		return NULL;
	if (base) {
		n = xs_node_dup(base);
	} else {
		n = xs_node_new(path, strlen(path));
		if (n)
			n->absent = true;
	}
	if (!n || layer_insert(&op->layer, n)) {
		xs_node_free(n);
		*err = -XS_ENOMEM;
		return NULL;
	}
	n->dirty = false;
	return n;
}

void xs_dirty(struct xs_op *op, struct xs_node *n)
{
	n->dirty = true;
	n->gen = ++op->st->gen;
}

/* The node below the request's layer: its transaction's, or the store's. */
static const struct xs_node *below(struct xs_op *op, const char *path)
{
	const struct xs_node *n = NULL;

	if (op->tx)
		n = xs_htab_find(&op->tx->layer, path);
	if (!n)
		n = xs_htab_find(&op->st->nodes, path);
	return n && !n->absent ? n : NULL;
}

/*
 * The request succeeded: check node sizes, then merge its layer into its
 * transaction or apply it to the store. On error nothing has changed.
 */
int xs_op_commit(struct xs_op *op)
{
	struct xs_store *st = op->st;
	struct xs_node *n;
	u32 i;

	if (!xs_privileged(op->conn)) {
		xs_htab_for_each(&op->layer, i, n) {
			const struct xs_node *old;
			u32 size;

			if (!n->dirty || n->absent)
				continue;
			size = xs_node_size(n);
			if (size <= st->quota.node_size)
				continue;
			/* Shrinking an oversized node (dom0 made it) is fine. */
			old = below(op, n->path);
			if (!old || size > xs_node_size(old))
				return -XS_ENOSPC;
		}
	}
	if (op->tx)
		return xs_tx_merge(op);
	return xs_apply(st, op->conn, &op->layer);
}

static u16 owner(const struct xs_node *n)
{
	return n->perms[0].id;
}

/* Records exist for every owner (xs_apply makes them before changing). */
static void acct_add(struct xs_store *st, u16 domid, int delta)
{
	struct xs_acct *a = xs_acct_get(st, domid, false);

	if (a)
		a->nodes += delta;
}

/*
 * Apply the changed nodes of `layer` to the store on behalf of `conn`:
 * first everything that can fail (the node quota of an unprivileged
 * domain, accounting records), then the changes, which cannot fail.
 * Nodes moved into the store leave the layer; the rest are the caller's
 * to free.
 */
int xs_apply(struct xs_store *st, struct xs_conn *conn, struct xs_htab *layer)
{
	struct xs_node *e, *cur, **pp;
	long delta = 0;
	u32 i;

	xs_htab_for_each(layer, i, e) {
		if (!e->dirty)
			continue;
		cur = xs_htab_find(&st->nodes, e->path);
		if (cur && owner(cur) == conn->domid)
			delta--;
		if (e->absent)
			continue;
		if (owner(e) == conn->domid)
			delta++;
		if (!xs_acct_get(st, owner(e), true))
			return -XS_ENOMEM;
	}
	if (!xs_privileged(conn) && delta > 0) {
		struct xs_acct *a = xs_acct_get(st, conn->domid, false);
		u32 have = a ? a->nodes : 0;

		if (have + delta > st->quota.nodes)
			return -XS_ENOSPC;
	}

	for (i = 0; layer->bucket && i <= layer->mask; i++) {
		pp = &layer->bucket[i];
		while ((e = *pp)) {
			if (!e->dirty) {
				pp = &e->hnext;
				continue;
			}
			cur = xs_htab_find(&st->nodes, e->path);
			if (cur)
				acct_add(st, owner(cur), -1);
			if (e->absent) {
				if (cur) {
					xs_htab_remove(&st->nodes, cur);
					xs_node_free(cur);
				}
				pp = &e->hnext;
				continue;
			}
			acct_add(st, owner(e), 1);
			if (cur) {
				struct xs_node tmp = *cur;

				cur->perms = e->perms;
				cur->nperms = e->nperms;
				cur->value = e->value;
				cur->vlen = e->vlen;
				cur->children = e->children;
				cur->clen = e->clen;
				e->perms = tmp.perms;
				e->nperms = tmp.nperms;
				e->value = tmp.value;
				e->vlen = tmp.vlen;
				e->children = tmp.children;
				e->clen = tmp.clen;
				cur->gen = ++st->gen;
				pp = &e->hnext;
			} else {
				*pp = e->hnext;
				layer->count--;
				e->dirty = false;
				e->base_gen = 0;
				e->gen = ++st->gen;
				xs_htab_insert(&st->nodes, e);
			}
		}
	}
	return 0;
}

/* ---- accounting ---- */

struct xs_acct *xs_acct_get(struct xs_store *st, u16 domid, bool create)
{
	struct xs_acct **b = &st->acct[domid % XS_ACCT_BUCKETS];
	struct xs_acct *a;

	for (a = *b; a; a = a->next)
		if (a->domid == domid)
			return a;
	if (!create)
		return NULL;
	a = xs_zalloc(sizeof(*a));
	if (!a)
		return NULL;
	a->domid = domid;
	a->next = *b;
	*b = a;
	return a;
}

static void acct_free(struct xs_store *st, u16 domid)
{
	struct xs_acct **pp = &st->acct[domid % XS_ACCT_BUCKETS];
	struct xs_acct *a;

	while ((a = *pp)) {
		if (a->domid == domid) {
			*pp = a->next;
			xs_free(a);
			return;
		}
		pp = &a->next;
	}
}

/* Remove `domid`'s ACL entries from a permission list; true if changed. */
static bool perms_drop(struct xs_perm *p, u32 *num, u16 domid)
{
	u32 i, j;
	bool changed = false;

	for (i = j = 1; i < *num; i++) {
		if (p[i].id == domid) {
			changed = true;
			continue;
		}
		p[j++] = p[i];
	}
	*num = j;
	return changed;
}

/*
 * A domain is gone: a later domain with the same id must not inherit its
 * rights. Its nodes pass to domain 0 and ACL entries naming it vanish.
 * The nodes' generations change, so transactions that saw them retry.
 */
void xs_forget_domain(struct xs_store *st, u16 domid)
{
	struct xs_acct *a = xs_acct_get(st, domid, false);
	struct xs_acct *a0 = xs_acct_get(st, 0, false);
	struct xs_node *n;
	u32 i;

	if (domid == 0)
		return;
	xs_htab_for_each(&st->nodes, i, n) {
		bool changed = perms_drop(n->perms, &n->nperms, domid);

		if (n->perms[0].id == domid) {
			n->perms[0].id = 0;
			changed = true;
		}
		if (changed)
			n->gen = ++st->gen;
	}
	if (a) {
		a0->nodes += a->nodes;
		acct_free(st, domid);
	}
	for (i = 0; i < XS_NR_SPECIAL; i++) {
		if (st->special_perms[i][0].id == domid)
			st->special_perms[i][0].id = 0;
		perms_drop(st->special_perms[i], &st->special_nperms[i], domid);
	}
}

/* ---- the store ---- */

static const struct xs_quota default_quota = {
	.nodes = 1000,
	.watches = 128,
	.transactions = 10,
	.node_size = 2048,
	.perms = 5,
	.trans_nodes = 1024,
	.trans_bytes = 512 * 1024,
	.request = XENSTORE_PAYLOAD_MAX,
	.out_stall = 16 * 1024,
	.out_drop = 256 * 1024,
};

struct xs_store *xs_store_new(const struct xs_ops *ops, void *priv)
{
	static const struct xs_perm none0 = { .id = 0, .perm = XS_PERM_NONE };
	struct xs_store *st = xs_zalloc(sizeof(*st));
	struct xs_node *root;
	struct xs_acct *a0;
	u32 i;

	if (!st)
		return NULL;
	st->ops = ops;
	st->priv = priv;
	st->quota = default_quota;
	if (xs_htab_init(&st->nodes, 256))
		goto fail;
	a0 = xs_acct_get(st, 0, true);
	root = xs_node_new("/", 1);
	if (!a0 || !root || xs_node_set_perms(root, &none0, 1)) {
		xs_node_free(root);
		goto fail;
	}
	root->gen = ++st->gen;
	xs_htab_insert(&st->nodes, root);
	a0->nodes = 1;
	for (i = 0; i < XS_NR_SPECIAL; i++) {
		st->special_perms[i] = xs_alloc(sizeof(none0));
		if (!st->special_perms[i])
			goto fail;
		st->special_perms[i][0] = none0;
		st->special_nperms[i] = 1;
	}
	return st;
fail:
	xs_store_free(st);
	return NULL;
}

void xs_store_free(struct xs_store *st)
{
	struct xs_acct *a, *next;
	u32 i;

	if (!st)
		return;
	st->ops = NULL; /* no release callbacks, no logging while freeing */
	while (st->conns)
		xs_conn_destroy(st->conns);
	xs_htab_destroy(&st->nodes);
	for (i = 0; i < XS_ACCT_BUCKETS; i++) {
		for (a = st->acct[i]; a; a = next) {
			next = a->next;
			xs_free(a);
		}
	}
	for (i = 0; i < XS_NR_SPECIAL; i++)
		xs_free(st->special_perms[i]);
	xs_free(st);
}

struct xs_quota *xs_store_quota(struct xs_store *st)
{
	return &st->quota;
}

uint32_t xs_store_nodes(const struct xs_store *st)
{
	return st->nodes.count;
}

uint32_t xs_store_owned(const struct xs_store *st, uint16_t domid)
{
	const struct xs_acct *a;

	for (a = st->acct[domid % XS_ACCT_BUCKETS]; a; a = a->next)
		if (a->domid == domid)
			return a->nodes;
	return 0;
}

static bool has_child(const struct xs_node *n, const char *name, u32 len)
{
	u32 off = 0;

	while (off < n->clen) {
		const char *c = n->children + off;
		u32 clen = strlen(c);

		if (clen == len && !memcmp(c, name, len))
			return true;
		off += clen + 1;
	}
	return false;
}

#define CHECK_FAIL(...)                           \
	do {                                      \
		snprintf(why, size, __VA_ARGS__); \
		return -XS_EIO;                   \
	} while (0)

#define CHECK_BUF (XENSTORE_ABS_PATH_MAX + 2)

/* Every child a node lists exists. `path`: CHECK_BUF bytes of scratch. */
static int check_children(struct xs_store *st, const struct xs_node *n,
			  char *path, char *why, size_t size)
{
	u32 off = 0;

	if (n->clen && n->children[n->clen - 1] != '\0')
		CHECK_FAIL("%s: children not NUL-terminated", n->path);
	while (off < n->clen) {
		const char *c = n->children + off;
		u32 clen = strlen(c);

		if (!clen)
			CHECK_FAIL("%s: empty child name", n->path);
		if (snprintf(path, CHECK_BUF, "%s/%s",
			     n->plen == 1 ? "" : n->path, c) >= CHECK_BUF)
			CHECK_FAIL("%s: child path too long", n->path);
		if (!xs_htab_find(&st->nodes, path))
			CHECK_FAIL("%s: lists missing child %s", n->path, c);
		off += clen + 1;
	}
	return 0;
}

static int check_nodes(struct xs_store *st, char *buf, char *why, size_t size)
{
	struct xs_node *n;
	u32 i, count = 0;

	xs_htab_for_each(&st->nodes, i, n) {
		const struct xs_node *parent;
		u32 plen;

		count++;
		if (n->hash != xs_hash(n->path, n->plen) ||
		    (n->hash & st->nodes.mask) != i)
			CHECK_FAIL("%s: bad hash", n->path);
		if (!xs_path_valid(n->path, false))
			CHECK_FAIL("%s: invalid path", n->path);
		if (n->absent || n->dirty || !n->nperms)
			CHECK_FAIL("%s: bad flags or no permissions", n->path);
		if (check_children(st, n, buf, why, size))
			return -XS_EIO;
		plen = xs_parent_len(n->path, n->plen);
		if (!plen)
			continue;
		memcpy(buf, n->path, plen);
		buf[plen] = '\0';
		parent = xs_htab_find(&st->nodes, buf);
		if (!parent)
			CHECK_FAIL("%s: no parent", n->path);
		if (!has_child(parent, n->path + plen + (plen > 1),
			       n->plen - plen - (plen > 1)))
			CHECK_FAIL("%s: not listed by its parent", n->path);
	}
	if (count != st->nodes.count)
		CHECK_FAIL("node count %u, table says %u", count,
			   st->nodes.count);
	return 0;
}

int xs_store_check(struct xs_store *st, char *why, size_t size)
{
	struct xs_acct *a;
	struct xs_node *n;
	char *buf;
	u32 i;
	int ret;

	if (!xs_htab_find(&st->nodes, "/"))
		CHECK_FAIL("no root");
	buf = xs_alloc(CHECK_BUF);
	if (!buf)
		CHECK_FAIL("no memory to check");
	ret = check_nodes(st, buf, why, size);
	xs_free(buf);
	if (ret)
		return ret;
	for (i = 0; i < XS_ACCT_BUCKETS; i++) {
		for (a = st->acct[i]; a; a = a->next) {
			u32 j, owned = 0;

			xs_htab_for_each(&st->nodes, j, n) owned +=
			    owner(n) == a->domid;
			if (owned != a->nodes)
				CHECK_FAIL(
				    "domain %u owns %u nodes, counted %u",
				    a->domid, owned, a->nodes);
		}
	}
	xs_htab_for_each(&st->nodes, i,
			 n) if (!xs_acct_get(st, owner(n), false))
	    CHECK_FAIL("%s: owner %u not counted", n->path, owner(n));
	return 0;
}
