/*
 * xenstored internals, shared by its files:
 *
 *   tree.c         nodes, hash tables, paths, layered views, accounting
 *   perms.c        permission entries: checks and the "r5" text form
 *   transaction.c  transactions: snapshots, conflict check, commit
 *   watch.c        watches and watch events
 *   domain.c       connections, INTRODUCE/RELEASE and friends
 *   protocol.c     the wire: parsing requests, building replies
 *
 * Views. The store is changed only through layers of copied nodes:
 *
 *   request layer (struct xs_op)  ->  transaction layer  ->  store
 *
 * A request copies each node it changes into its own layer (xs_modify),
 * so a request that fails half-way leaves nothing behind. When it succeeds
 * its layer is merged into the transaction it runs in, or applied to the
 * store if it runs in none. A transaction's layer also keeps a snapshot of
 * every node it has looked at (present or absent) with the node's
 * generation at that moment; committing checks that none of those
 * generations changed (else EAGAIN) and applies the changed nodes.
 * Applying a layer never allocates, so it cannot fail half-way.
 */
#ifndef XENOLITH_XENSTORED_CORE_H
#define XENOLITH_XENSTORED_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <klib.h>
#include <xen/io/xs_wire.h>

#include "xenstored.h"
#include "xs_alloc.h"

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define XS_HDR_SIZE sizeof(struct xsd_sockmsg)
#define XS_DOMID_FIRST_RESERVED 0x7ff0
#define XS_NO_TARGET 0xffffffffu

/* Permission bits. OWNER is never on the wire: it means "may set_perms". */
#define XS_PERM_NONE 0
#define XS_PERM_READ 1
#define XS_PERM_WRITE 2
#define XS_PERM_OWNER 4

/* One permission entry. The first entry of a node: owner + default. */
struct xs_perm {
	u16 id;
	u8 perm;
};

/*
 * A node, in the store or in a layer. In a layer `absent` means "does not
 * exist in this view" (deleted, or never was), and `base_gen` (transaction
 * layer) is the store's generation of the node when first looked at, 0 if
 * it did not exist. `gen` changes with every change to the node.
 */
struct xs_node {
	struct xs_node *hnext;
	u32 hash;
	bool absent;
	bool dirty;
	u64 gen;
	u64 base_gen;
	u32 nperms;
	struct xs_perm *perms;
	u32 vlen;
	char *value;
	u32 clen; /* child names, each NUL-terminated, in creation order */
	char *children;
	u32 plen;
	char path[];
};

/* Nodes by full path. Chained; grows, never needs to. */
struct xs_htab {
	struct xs_node **bucket;
	u32 mask;
	u32 count;
};

/* A change to report to watches. Perms: the node's, for read checks. */
struct xs_event {
	struct xs_event *next;
	bool exact; /* only watches on exactly this path (recursive rm) */
	u32 nperms;
	struct xs_perm *perms;
	char path[];
};

struct xs_event_list {
	struct xs_event *head;
	struct xs_event **tail;
};

struct xs_watch {
	struct xs_watch *next;
	u32 strip; /* bytes to cut from event paths (relative watch), or 0 */
	char *token;
	char path[]; /* absolute, or @special */
};

struct xs_tx {
	struct xs_tx *next;
	u32 id;
	size_t bytes; /* memory of the layer's nodes */
	struct xs_htab layer;
	struct xs_event_list events;
};

/* A queued output message: header and payload, as on the wire. */
struct xs_msg {
	struct xs_msg *next;
	u32 size;
	bool event;
	u8 data[];
};

struct xs_conn {
	struct xs_conn *next;
	struct xs_store *st;
	u16 domid;
	u32 target; /* SET_TARGET domain, or XS_NO_TARGET */
	bool domain; /* an introduced domain's ring */
	bool shutdown; /* @releaseDomain sent for its shutdown */
	bool broken;
	u32 dropped; /* watch events dropped for a full output queue */
	u64 mfn;
	u32 port;
	void *priv;
	struct xs_watch *watches;
	u32 nwatches;
	struct xs_tx *txs;
	u32 ntxs;
	u32 next_txid;
	size_t tx_bytes; /* memory held by its transactions' layers */
	struct xs_msg *out_head, **out_tail;
	size_t out_bytes;
	u32 out_off; /* bytes of out_head already read */
	u32 in_used;
	u8 in[XS_MSG_MAX];
};

/* Per-domain count of owned nodes. */
struct xs_acct {
	struct xs_acct *next;
	u16 domid;
	u32 nodes;
};

#define XS_ACCT_BUCKETS 64
#define XS_SPECIAL_INTRODUCE 0
#define XS_SPECIAL_RELEASE 1
#define XS_NR_SPECIAL 2

struct xs_store {
	struct xs_htab nodes;
	u64 gen;
	struct xs_conn *conns;
	struct xs_acct *acct[XS_ACCT_BUCKETS];
	struct xs_quota quota;
	u32 special_nperms[XS_NR_SPECIAL];
	struct xs_perm *special_perms[XS_NR_SPECIAL];
	const struct xs_ops *ops;
	void *priv;
};

/* One request being served: its layer, its events, its reply. */
struct xs_op {
	const struct xsd_sockmsg *hdr; /* the request (NULL in-process) */
	struct xs_store *st;
	struct xs_conn *conn;
	struct xs_tx *tx;
	struct xs_htab layer;
	struct xs_event_list events;
	struct xs_msg *reply;
	struct xs_watch *new_watch; /* WATCH: fire once after the reply */
	const char *new_watch_path; /* the path as the client gave it */
};

/* ---- tree.c ---- */
void *xs_zalloc(size_t size);
char *xs_strdup(const char *s);
void xs_log(struct xs_store *st, struct xs_conn *conn, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

u32 xs_hash(const char *path, u32 len);
int xs_htab_init(struct xs_htab *h, u32 buckets);
void xs_htab_destroy(struct xs_htab *h);
struct xs_node *xs_htab_find(const struct xs_htab *h, const char *path);
void xs_htab_insert(struct xs_htab *h, struct xs_node *n);
void xs_htab_remove(struct xs_htab *h, struct xs_node *n);
#define xs_htab_for_each(h, i, n)                             \
	for ((i) = 0; (h)->bucket && (i) <= (h)->mask; (i)++) \
		for ((n) = (h)->bucket[i]; (n); (n) = (n)->hnext)

struct xs_node *xs_node_new(const char *path, u32 plen);
struct xs_node *xs_node_dup(const struct xs_node *src);
void xs_node_free(struct xs_node *n);
void xs_node_clear(struct xs_node *n);
u32 xs_node_size(const struct xs_node *n);
size_t xs_node_mem(const struct xs_node *n);
int xs_node_set_value(struct xs_node *n, const void *value, u32 vlen);
int xs_node_set_perms(struct xs_node *n, const struct xs_perm *p, u32 num);
int xs_node_add_child(struct xs_node *n, const char *name);
void xs_node_del_child(struct xs_node *n, const char *name);

bool xs_path_valid(const char *path, bool special_ok);
int xs_canonical(const struct xs_conn *conn, const char *in, bool special_ok,
		 char **out);
u32 xs_home_len(u16 domid);
int xs_home(u16 domid, char *buf, size_t size);
u32 xs_parent_len(const char *path, u32 plen);
bool xs_is_child(const char *child, const char *parent);

void xs_op_init(struct xs_op *op, struct xs_conn *conn, struct xs_tx *tx);
void xs_op_discard(struct xs_op *op);
int xs_op_commit(struct xs_op *op);
struct xs_node *xs_peek(struct xs_op *op, const char *path, int *err);
struct xs_node *xs_modify(struct xs_op *op, const char *path, int *err);
void xs_dirty(struct xs_op *op, struct xs_node *n);
int xs_apply(struct xs_store *st, struct xs_conn *conn, struct xs_htab *layer);

struct xs_acct *xs_acct_get(struct xs_store *st, u16 domid, bool create);
void xs_forget_domain(struct xs_store *st, u16 domid);

/* ---- perms.c ---- */
bool xs_privileged(const struct xs_conn *conn);
unsigned int xs_perm_for(const struct xs_conn *conn, const struct xs_perm *p,
			 u32 num);
unsigned int xs_node_perm(const struct xs_conn *conn, const struct xs_node *n);
int xs_perms_parse(const char *text, u32 len, struct xs_perm **out, u32 *num);
u32 xs_perms_format(const struct xs_perm *p, u32 num, char *buf, u32 size);
int xs_parse_u64(const char *s, u64 max, u64 *out);
int xs_parse_domid(const char *s, u16 *out);

/* ---- transaction.c ---- */
struct xs_tx *xs_tx_find(struct xs_conn *conn, u32 id);
int xs_tx_start(struct xs_conn *conn, u32 *id);
int xs_tx_end(struct xs_op *op, bool commit);
void xs_tx_free_all(struct xs_conn *conn);
int xs_tx_merge(struct xs_op *op);

/* ---- watch.c ---- */
int xs_event_add(struct xs_event_list *l, const char *path, bool exact,
		 const struct xs_perm *p, u32 nperms);
void xs_event_list_init(struct xs_event_list *l);
void xs_event_list_free(struct xs_event_list *l);
void xs_event_list_splice(struct xs_event_list *to, struct xs_event_list *from);
void xs_fire(struct xs_store *st, struct xs_event_list *l);
void xs_fire_special(struct xs_store *st, int which);
int xs_watch_add(struct xs_op *op, const char *path, const char *token);
int xs_watch_del(struct xs_conn *conn, const char *path, const char *token);
void xs_watch_fire_new(struct xs_op *op);
void xs_watch_free_all(struct xs_conn *conn);
int xs_special_index(const char *path);

/* ---- domain.c ---- */
void xs_conn_destroy(struct xs_conn *conn);

/* ---- protocol.c ---- */
struct xs_msg *xs_msg_new(u32 type, u32 req_id, u32 tx_id, u32 len);
void xs_queue(struct xs_conn *conn, struct xs_msg *m);
void xs_out_free_all(struct xs_conn *conn);

#endif
