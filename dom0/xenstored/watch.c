/*
 * Watches. A connection watches a path with a token; a change to that
 * path or anything below it sends the connection an XS_WATCH_EVENT
 * "path\0token\0" naming the changed path. A new watch fires once at
 * once, naming the watched path as given. Relative watches get relative
 * event paths.
 *
 * A change makes one event (the changed path). Removing a subtree also
 * makes an "exact" event for every node removed below it, matched only by
 * a watch on exactly that node: a watch inside the subtree hears about
 * its own node, not the subtree's root. "@introduceDomain" and
 * "@releaseDomain" are special events, matched only by watches on
 * exactly those names.
 *
 * An event reaches an unprivileged connection only if it may read the
 * node (with the node's permissions at the change) or the node's parent;
 * special events if it may read the special node.
 */
#include "xs_core.h"

static const char *const special_names[XS_NR_SPECIAL] = {
	[XS_SPECIAL_INTRODUCE] = "@introduceDomain",
	[XS_SPECIAL_RELEASE] = "@releaseDomain",
};

int xs_special_index(const char *path)
{
	int i;

	for (i = 0; i < XS_NR_SPECIAL; i++)
		if (!strcmp(path, special_names[i]))
			return i;
	return -1;
}

/* ---- event lists ---- */

void xs_event_list_init(struct xs_event_list *l)
{
	l->head = NULL;
	l->tail = &l->head;
}

void xs_event_list_free(struct xs_event_list *l)
{
	struct xs_event *ev, *next;

	for (ev = l->head; ev; ev = next) {
		next = ev->next;
		xs_free(ev);
	}
	xs_event_list_init(l);
}

/* Move all of `from` to the end of `to`. */
void xs_event_list_splice(struct xs_event_list *to, struct xs_event_list *from)
{
	if (!from->head)
		return;
	*to->tail = from->head;
	to->tail = from->tail;
	xs_event_list_init(from);
}

int xs_event_add(struct xs_event_list *l, const char *path, bool exact,
		 const struct xs_perm *p, u32 nperms)
{
	u32 plen = strlen(path) + 1;
	u32 off = (sizeof(struct xs_event) + plen + 3) & ~3u;
	struct xs_event *ev = xs_alloc(off + nperms * sizeof(*p));

	if (!ev)
		return -XS_ENOMEM;
	ev->next = NULL;
	ev->exact = exact;
	ev->nperms = nperms;
	ev->perms = (struct xs_perm *)((char *)ev + off);
	memcpy(ev->perms, p, nperms * sizeof(*p));
	memcpy(ev->path, path, plen);
	*l->tail = ev;
	l->tail = &ev->next;
	return 0;
}

/* ---- firing ---- */

static bool matches(const struct xs_watch *w, const struct xs_event *ev)
{
	if (ev->exact || ev->path[0] == '@' || w->path[0] == '@')
		return !strcmp(w->path, ev->path);
	return xs_is_child(ev->path, w->path);
}

static bool may_see(struct xs_store *st, const struct xs_conn *c,
		    const struct xs_event *ev)
{
	const struct xs_node *parent;
	u32 plen;

	if (xs_privileged(c))
		return true;
	if (ev->nperms &&
	    (xs_perm_for(c, ev->perms, ev->nperms) & XS_PERM_READ))
		return true;
	if (ev->path[0] == '@')
		return false;
	/* A node gone or made unreadable: its parent decides. */
	plen = xs_parent_len(ev->path, strlen(ev->path));
	if (!plen)
		return false;
	if (plen == 1) {
		parent = xs_htab_find(&st->nodes, "/");
	} else {
		char *p = xs_alloc(plen + 1);

		if (!p)
			return false;
		memcpy(p, ev->path, plen);
		p[plen] = '\0';
		parent = xs_htab_find(&st->nodes, p);
		xs_free(p);
	}
	return parent && (xs_node_perm(c, parent) & XS_PERM_READ);
}

/* Queue "path\0token\0" on c, unless its output is full. */
static void send_event(struct xs_conn *c, const char *path, const char *token)
{
	u32 plen = strlen(path) + 1, tlen = strlen(token) + 1;
	struct xs_msg *m;

	if (plen + tlen > XENSTORE_PAYLOAD_MAX) {
		xs_log(c->st, c,
		       "xenstored: domain %u: watch event for %s too long, "
		       "dropped",
		       c->domid, path);
		return;
	}
	if (c->out_bytes >= c->st->quota.out_drop) {
		if (!c->dropped++)
			xs_log(c->st, c,
			       "xenstored: domain %u does not read its watch "
			       "events: dropping them",
			       c->domid);
		return;
	}
	m = xs_msg_new(XS_WATCH_EVENT, 0, 0, plen + tlen);
	if (!m) {
		xs_log(c->st, c, "xenstored: no memory for a watch event");
		return;
	}
	m->event = true;
	memcpy(m->data + XS_HDR_SIZE, path, plen);
	memcpy(m->data + XS_HDR_SIZE + plen, token, tlen);
	xs_queue(c, m);
}

/* Send every event of the list to the watches it matches; free it. */
void xs_fire(struct xs_store *st, struct xs_event_list *l)
{
	struct xs_event *ev;
	struct xs_conn *c;
	struct xs_watch *w;

	for (ev = l->head; ev; ev = ev->next) {
		for (c = st->conns; c; c = c->next) {
			bool checked = false, visible = false;

			for (w = c->watches; w; w = w->next) {
				if (!matches(w, ev))
					continue;
				if (!checked) {
					visible = may_see(st, c, ev);
					checked = true;
				}
				if (visible)
					send_event(c, ev->path + w->strip,
						   w->token);
			}
		}
	}
	xs_event_list_free(l);
}

void xs_fire_special(struct xs_store *st, int which)
{
	struct xs_event_list l;

	xs_event_list_init(&l);
	if (xs_event_add(&l, special_names[which], true,
			 st->special_perms[which], st->special_nperms[which])) {
		xs_log(st, NULL, "xenstored: no memory to fire %s",
		       special_names[which]);
		return;
	}
	xs_fire(st, &l);
}

/* ---- watches ---- */

/* WATCH: path as the client sent it (relative, absolute or @special). */
int xs_watch_add(struct xs_op *op, const char *path, const char *token)
{
	struct xs_conn *conn = op->conn;
	struct xs_watch *w, **pp;
	u32 plen, tlen;
	char *abs;
	int ret;

	ret = xs_canonical(conn, path, true, &abs);
	if (ret)
		return ret;
	for (pp = &conn->watches; *pp; pp = &(*pp)->next) {
		if (!strcmp((*pp)->path, abs) && !strcmp((*pp)->token, token)) {
			xs_free(abs);
			return -XS_EEXIST;
		}
	}
	if (!xs_privileged(conn) && conn->nwatches >= conn->st->quota.watches) {
		xs_free(abs);
		return -XS_E2BIG;
	}
	plen = strlen(abs) + 1;
	tlen = strlen(token) + 1;
	w = xs_alloc(sizeof(*w) + plen + tlen);
	if (!w) {
		xs_free(abs);
		return -XS_ENOMEM;
	}
	w->next = NULL;
	memcpy(w->path, abs, plen);
	w->token = w->path + plen;
	memcpy(w->token, token, tlen);
	xs_free(abs);
	w->strip = 0;
	if (path[0] != '/' && path[0] != '@')
		w->strip = xs_home_len(conn->domid) + 1;
	*pp = w; /* at the end: events come in registration order */
	conn->nwatches++;
	op->new_watch = w;
	op->new_watch_path = path;
	return 0;
}

int xs_watch_del(struct xs_conn *conn, const char *path, const char *token)
{
	struct xs_watch *w, **pp;
	char *abs;
	int ret;

	ret = xs_canonical(conn, path, true, &abs);
	if (ret)
		return ret;
	for (pp = &conn->watches; (w = *pp); pp = &w->next) {
		if (!strcmp(w->path, abs) && !strcmp(w->token, token)) {
			*pp = w->next;
			conn->nwatches--;
			xs_free(w);
			xs_free(abs);
			return 0;
		}
	}
	xs_free(abs);
	return -XS_ENOENT;
}

/* The first firing of a new watch, with the path as the client gave it. */
void xs_watch_fire_new(struct xs_op *op)
{
	send_event(op->conn, op->new_watch_path, op->new_watch->token);
}

void xs_watch_free_all(struct xs_conn *conn)
{
	struct xs_watch *w, *next;

	for (w = conn->watches; w; w = next) {
		next = w->next;
		xs_free(w);
	}
	conn->watches = NULL;
	conn->nwatches = 0;
}
