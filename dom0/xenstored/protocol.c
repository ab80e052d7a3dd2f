/*
 * The wire: requests in, replies out. Each request is checked in the
 * order xenstored checks it (payload length, known type, privilege,
 * transaction id), then served by one do_* function working on a
 * request layer (xs_core.h). If it succeeds the layer is committed, the
 * reply queued, then the watch events it caused; if anything fails the
 * layer is dropped and the client gets "E<NAME>\0".
 *
 * Payloads are untrusted bytes: nothing here reads past `len`, and a
 * string is only used once a NUL inside the payload has been found.
 *
 * A request that changes something outside its layer (watches,
 * transactions, domains, the special nodes' permissions) prepares its
 * reply first: once that change is made nothing may fail.
 */
#include "xs_core.h"

#define F_PRIV 1 /* domain 0 only */
#define F_NOTID 2 /* tx_id is ignored */

/* ---- output ---- */

struct xs_msg *xs_msg_new(u32 type, u32 req_id, u32 tx_id, u32 len)
{
	struct xs_msg *m = xs_alloc(sizeof(*m) + XS_HDR_SIZE + len);
	struct xsd_sockmsg hdr = {
		.type = type, .req_id = req_id, .tx_id = tx_id, .len = len
	};

	if (!m)
		return NULL;
	m->next = NULL;
	m->size = XS_HDR_SIZE + len;
	m->event = false;
	memcpy(m->data, &hdr, XS_HDR_SIZE);
	return m;
}

void xs_queue(struct xs_conn *conn, struct xs_msg *m)
{
	struct xs_store *st = conn->st;

	*conn->out_tail = m;
	conn->out_tail = &m->next;
	conn->out_bytes += m->size;
	if (st->ops && st->ops->kick)
		st->ops->kick(st->priv, conn);
}

static void out_pop(struct xs_conn *conn)
{
	struct xs_msg *m = conn->out_head;

	conn->out_head = m->next;
	if (!conn->out_head)
		conn->out_tail = &conn->out_head;
	conn->out_bytes -= m->size;
	conn->out_off = 0;
	xs_free(m);
	if (conn->out_bytes < conn->st->quota.out_drop && conn->dropped) {
		xs_log(conn->st, conn,
		       "xenstored: domain %u: %u watch events were dropped",
		       conn->domid, conn->dropped);
		conn->dropped = 0;
	}
}

void xs_out_free_all(struct xs_conn *conn)
{
	struct xs_msg *m, *next;

	for (m = conn->out_head; m; m = next) {
		next = m->next;
		xs_free(m);
	}
	conn->out_head = NULL;
	conn->out_tail = &conn->out_head;
	conn->out_bytes = 0;
	conn->out_off = 0;
}

size_t xs_conn_output_pending(const struct xs_conn *conn)
{
	return conn->out_bytes - conn->out_off;
}

size_t xs_conn_read_output(struct xs_conn *conn, void *buf, size_t max)
{
	size_t done = 0;

	while (done < max && conn->out_head) {
		struct xs_msg *m = conn->out_head;
		size_t n = m->size - conn->out_off;

		if (n > max - done)
			n = max - done;
		memcpy((u8 *)buf + done, m->data + conn->out_off, n);
		done += n;
		conn->out_off += n;
		if (conn->out_off == m->size)
			out_pop(conn);
	}
	return done;
}

size_t xs_conn_pop(struct xs_conn *conn, void *buf, size_t max)
{
	struct xs_msg *m = conn->out_head;
	size_t size;

	if (!m || conn->out_off || m->size > max)
		return 0;
	size = m->size;
	memcpy(buf, m->data, size);
	out_pop(conn);
	return size;
}

/* ---- replies ---- */

static const char *error_name(int err)
{
	size_t i;

	for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
		if (xsd_errors[i].errnum == err)
			return xsd_errors[i].errstring;
	return xsd_errors[0].errstring;
}

static int send_error(struct xs_conn *conn, const struct xsd_sockmsg *req,
		      int err)
{
	const char *name = error_name(err < 0 ? -err : err);
	u32 len = strlen(name) + 1;
	struct xs_msg *m = xs_msg_new(XS_ERROR, req->req_id, req->tx_id, len);

	if (!m) {
		xs_log(conn->st, conn,
		       "xenstored: no memory to reply to domain %u",
		       conn->domid);
		return -XS_ENOMEM;
	}
	memcpy(m->data + XS_HDR_SIZE, name, len);
	xs_queue(conn, m);
	return 0;
}

/* Prepare the reply: `len` bytes, `extra` more to be filled by the caller. */
static int reply(struct xs_op *op, const void *data, u32 len, u32 extra)
{
	struct xs_msg *m;

	if (len + extra > XENSTORE_PAYLOAD_MAX)
		return -XS_E2BIG;
	m = xs_msg_new(op->hdr->type, op->hdr->req_id, op->hdr->tx_id,
		       len + extra);
	if (!m)
		return -XS_ENOMEM;
	if (len)
		memcpy(m->data + XS_HDR_SIZE, data, len);
	xs_free(op->reply);
	op->reply = m;
	return 0;
}

static char *reply_payload(struct xs_op *op)
{
	return (char *)op->reply->data + XS_HDR_SIZE;
}

static int reply_str(struct xs_op *op, const char *s)
{
	return reply(op, s, strlen(s) + 1, 0);
}

static int reply_ok(struct xs_op *op)
{
	return reply_str(op, "OK");
}

/* ---- payload parsing ---- */

/* The payload as exactly one NUL-terminated string, or NULL. */
static const char *onearg(const char *p, u32 len)
{
	if (!len || strnlen(p, len) != len - 1)
		return NULL;
	return p;
}

/*
 * The first `n` NUL-terminated strings of the payload into v[]; returns
 * how many were found. *rest is the offset after the last one found.
 */
static u32 get_strings(const char *p, u32 len, const char **v, u32 n, u32 *rest)
{
	u32 off = 0, i = 0;

	while (i < n && off < len) {
		u32 slen = strnlen(p + off, len - off);

		if (slen == len - off)
			break;
		v[i++] = p + off;
		off += slen + 1;
	}
	if (rest)
		*rest = off;
	return i;
}

/* ---- lookups ---- */

/*
 * Why a node is missing: ENOENT, or EACCES when the caller may not read
 * the nearest node that exists above it (it must not learn what is
 * there). `path` is the request's own copy; it is restored on return.
 */
static int missing_error(struct xs_op *op, char *path)
{
	u32 len = strlen(path);
	struct xs_node *n;
	int err;

	for (;;) {
		u32 plen = xs_parent_len(path, len);
		char save;

		if (!plen)
			return -XS_ENOENT;
		if (plen == 1) {
			n = xs_peek(op, "/", &err);
		} else {
			save = path[plen];
			path[plen] = '\0';
			n = xs_peek(op, path, &err);
			path[plen] = save;
		}
		if (err)
			return err;
		if (n)
			return (xs_node_perm(op->conn, n) & XS_PERM_READ)
				   ? -XS_ENOENT
				   : -XS_EACCES;
		len = plen;
	}
}

/* The node if it exists and `conn` has `need` on it; else NULL, *err. */
static struct xs_node *get_node(struct xs_op *op, char *path, unsigned int need,
				int *err)
{
	struct xs_node *n = xs_peek(op, path, err);

	if (*err)
		return NULL;
	if (!n) {
		*err = missing_error(op, path);
		return NULL;
	}
	if ((xs_node_perm(op->conn, n) & need) != need) {
		*err = -XS_EACCES;
		return NULL;
	}
	return n;
}

/* The request's path argument, made absolute. */
static int path_arg(struct xs_op *op, const char *p, u32 len, char **abs)
{
	const char *arg = onearg(p, len);

	*abs = NULL;
	if (!arg)
		return -XS_EINVAL;
	return xs_canonical(op->conn, arg, false, abs);
}

static int add_event(struct xs_op *op, const char *path, bool exact,
		     const struct xs_node *n)
{
	return xs_event_add(&op->events, path, exact, n->perms, n->nperms);
}

/* ---- creating and removing ---- */

/*
 * Create the missing node at `path` and any missing parents, each with
 * its parent's permissions, owned by the creator if it is unprivileged.
 * The caller needs write access to the nearest existing node above.
 */
static struct xs_node *create_node(struct xs_op *op, char *path, int *err)
{
	u32 len = strlen(path), alen = len, sep;
	struct xs_node *anc, *parent, *child = NULL;
	char save;

	/* The nearest existing ancestor ("/" always exists). */
	do {
		alen = xs_parent_len(path, alen);
		if (!alen) {
			*err = -XS_EIO;
			return NULL;
		}
		save = path[alen];
		if (alen == 1) {
			anc = xs_peek(op, "/", err);
		} else {
			path[alen] = '\0';
			anc = xs_peek(op, path, err);
			path[alen] = save;
		}
		if (*err)
			return NULL;
	} while (!anc);
	if (!(xs_node_perm(op->conn, anc) & XS_PERM_WRITE)) {
		*err = -XS_EACCES;
		return NULL;
	}

	/* Each missing level, top down; sep is the '/' before its name. */
	parent = anc;
	for (sep = alen == 1 ? 0 : alen; sep < len;) {
		u32 end = sep + 1;
		struct xs_node *pm;

		while (end < len && path[end] != '/')
			end++;
		save = path[end];
		path[end] = '\0';
		child = xs_modify(op, path, err);
		if (child) {
			*err = xs_node_set_perms(child, parent->perms,
						 parent->nperms);
			if (!*err && !xs_privileged(op->conn))
				child->perms[0].id = op->conn->domid;
		}
		if (!*err) {
			child->absent = false;
			xs_dirty(op, child);
			/* Record the new name in the parent. */
			if (sep == 0) {
				pm = xs_modify(op, "/", err);
			} else {
				path[sep] = '\0';
				pm = xs_modify(op, path, err);
				path[sep] = '/';
			}
			if (pm)
				*err = xs_node_add_child(pm, path + sep + 1);
			if (!*err)
				xs_dirty(op, pm);
		}
		path[end] = save;
		if (*err)
			return NULL;
		parent = child;
		sep = end;
	}
	return child;
}

struct pending {
	struct pending *next;
	char path[];
};

static struct pending *pending_new(const char *dir, const char *name)
{
	u32 dlen = strlen(dir), nlen = strlen(name);
	struct pending *p;

	if (dlen == 1)
		dlen = 0; /* "/" + name */
	p = xs_alloc(sizeof(*p) + dlen + 1 + nlen + 1);
	if (!p)
		return NULL;
	p->next = NULL;
	memcpy(p->path, dir, dlen);
	p->path[dlen] = '/';
	memcpy(p->path + dlen + 1, name, nlen + 1);
	return p;
}

/*
 * Delete the subtree at `path` (which exists), without recursion: a list
 * of nodes still to visit. Each node below `path` gets an exact event.
 */
static int delete_tree(struct xs_op *op, const char *path)
{
	struct pending *todo = NULL, *p;
	struct xs_node *n;
	int err = 0;
	u32 off;

	n = xs_modify(op, path, &err);
	while (n) {
		for (off = 0; off < n->clen && !err;
		     off += strlen(n->children + off) + 1) {
			p = pending_new(n->path, n->children + off);
			if (!p) {
				err = -XS_ENOMEM;
				break;
			}
			p->next = todo;
			todo = p;
		}
		if (!err && strcmp(n->path, path))
			err = add_event(op, n->path, true, n);
		if (err)
			break;
		xs_node_clear(n);
		n->absent = true;
		xs_dirty(op, n);
		n = NULL;
		if (todo) {
			p = todo;
			todo = p->next;
			n = xs_modify(op, p->path, &err);
			if (n && n->absent) {
				err = -XS_EIO; /* listed but missing */
				xs_log(op->st, op->conn,
				       "xenstored: %s is listed but missing",
				       p->path);
			}
			xs_free(p);
			if (err)
				break;
		}
	}
	while (todo) {
		p = todo;
		todo = p->next;
		xs_free(p);
	}
	return err;
}

/* ---- the requests ---- */

/* READ and DIRECTORY: reply with a readable node's value or child list. */
static int reply_node(struct xs_op *op, const char *p, u32 len, bool children)
{
	struct xs_node *n;
	char *path;
	int err = path_arg(op, p, len, &path);

	if (!err) {
		n = get_node(op, path, XS_PERM_READ, &err);
		if (n)
			err = children ? reply(op, n->children, n->clen, 0) :
					 reply(op, n->value, n->vlen, 0);
	}
	xs_free(path);
	return err;
}

static int do_read(struct xs_op *op, const char *p, u32 len)
{
	return reply_node(op, p, len, false);
}

static int do_write(struct xs_op *op, const char *p, u32 len)
{
	const char *v[1];
	struct xs_node *n;
	char *path;
	u32 off;
	int err;

	if (get_strings(p, len, v, 1, &off) != 1)
		return -XS_EINVAL;
	err = xs_canonical(op->conn, v[0], false, &path);
	if (err)
		return err;
	n = xs_peek(op, path, &err);
	if (n) {
		if (!(xs_node_perm(op->conn, n) & XS_PERM_WRITE))
			err = -XS_EACCES;
		else
			n = xs_modify(op, path, &err);
	} else if (!err) {
		n = create_node(op, path, &err);
	}
	if (!err)
		err = xs_node_set_value(n, p + off, len - off);
	if (!err) {
		xs_dirty(op, n);
		err = add_event(op, path, false, n);
	}
	if (!err)
		err = reply_ok(op);
	xs_free(path);
	return err;
}

static int do_mkdir(struct xs_op *op, const char *p, u32 len)
{
	struct xs_node *n;
	char *path;
	int err = path_arg(op, p, len, &path);

	if (err)
		return err;
	n = xs_peek(op, path, &err);
	if (n) {
		/* Exists already: fine, if the caller could have made it. */
		if (!(xs_node_perm(op->conn, n) & XS_PERM_WRITE))
			err = -XS_EACCES;
	} else if (!err) {
		n = create_node(op, path, &err);
		if (n)
			err = add_event(op, path, false, n);
	}
	if (!err)
		err = reply_ok(op);
	xs_free(path);
	return err;
}

static int do_rm(struct xs_op *op, const char *p, u32 len)
{
	struct xs_node *n, *parent;
	u32 plen;
	char save;
	char *path;
	int err = path_arg(op, p, len, &path);

	if (err)
		return err;
	n = get_node(op, path, XS_PERM_WRITE, &err);
	if (!n) {
		/* Not there: fine if its parent is (spec: only then). */
		if (err == -XS_ENOENT) {
			plen = xs_parent_len(path, strlen(path));
			save = path[plen];
			path[plen] = '\0';
			parent = xs_peek(op, plen == 1 ? "/" : path, &err);
			path[plen] = save;
			if (!err)
				err = parent ? reply_ok(op) : -XS_ENOENT;
		}
		goto out;
	}
	if (!strcmp(path, "/")) {
		err = -XS_EINVAL;
		goto out;
	}
	err = add_event(op, path, false, n);
	if (!err)
		err = delete_tree(op, path);
	if (err)
		goto out;
	plen = xs_parent_len(path, strlen(path));
	save = path[plen];
	path[plen] = '\0';
	parent = xs_modify(op, plen == 1 ? "/" : path, &err);
	path[plen] = save;
	if (parent) {
		xs_node_del_child(parent, path + plen + (plen > 1));
		xs_dirty(op, parent);
		err = reply_ok(op);
	}
out:
	xs_free(path);
	return err;
}

static int do_directory(struct xs_op *op, const char *p, u32 len)
{
	return reply_node(op, p, len, true);
}

/*
 * DIRECTORY_PART "path\0offset": "<gen>\0" then the child names that fit,
 * whole, starting at byte `offset` of the list; an extra "\0" (an empty
 * name) once the list's end is included. The generation changes with
 * the node, so a client can tell a list that changed between parts.
 */
static int do_directory_part(struct xs_op *op, const char *p, u32 len)
{
	const char *v[1];
	char num[12], gen[24];
	struct xs_node *n;
	u32 off, nlen, glen, start, take, room;
	u64 offset;
	char *path;
	int err;

	if (get_strings(p, len, v, 1, &off) != 1)
		return -XS_EINVAL;
	nlen = len - off;
	if (nlen && p[len - 1] == '\0')
		nlen--; /* the offset's NUL is optional */
	if (!nlen || nlen >= sizeof(num))
		return -XS_EINVAL;
	memcpy(num, p + off, nlen);
	num[nlen] = '\0';
	if (strnlen(num, nlen) != nlen ||
	    xs_parse_u64(num, 0xffffffffu, &offset))
		return -XS_EINVAL;
	err = xs_canonical(op->conn, v[0], false, &path);
	if (err)
		return err;
	n = get_node(op, path, XS_PERM_READ, &err);
	xs_free(path);
	if (!n)
		return err;

	glen =
	    snprintf(gen, sizeof(gen), "%llu", (unsigned long long)n->gen) + 1;
	start = offset < n->clen ? (u32)offset : n->clen;
	room = XENSTORE_PAYLOAD_MAX - glen - 1;
	take = 0;
	while (start + take < n->clen) {
		u32 clen = strlen(n->children + start + take) + 1;

		if (take + clen > room)
			break;
		take += clen;
	}
	err = reply(op, gen, glen, take + (start + take == n->clen));
	if (err)
		return err;
	if (take)
		memcpy(reply_payload(op) + glen, n->children + start, take);
	if (start + take == n->clen)
		reply_payload(op)[glen + take] = '\0';
	return 0;
}

static int perms_reply(struct xs_op *op, const struct xs_perm *perms, u32 num)
{
	u32 size = xs_perms_format(perms, num, NULL, 0);
	int err = reply(op, NULL, 0, size);

	if (!err)
		xs_perms_format(perms, num, reply_payload(op), size);
	return err;
}

static int do_get_perms(struct xs_op *op, const char *p, u32 len)
{
	struct xs_store *st = op->st;
	const char *arg = onearg(p, len);
	struct xs_node *n;
	char *path;
	int err, sp;

	if (!arg)
		return -XS_EINVAL;
	if (arg[0] == '@') {
		sp = xs_special_index(arg);
		if (sp < 0)
			return xs_path_valid(arg, true) ? -XS_ENOENT
							: -XS_EINVAL;
		if (!(xs_perm_for(op->conn, st->special_perms[sp],
				  st->special_nperms[sp]) &
		      XS_PERM_READ))
			return -XS_EACCES;
		return perms_reply(op, st->special_perms[sp],
				   st->special_nperms[sp]);
	}
	err = xs_canonical(op->conn, arg, false, &path);
	if (err)
		return err;
	n = get_node(op, path, XS_PERM_READ, &err);
	if (n)
		err = perms_reply(op, n->perms, n->nperms);
	xs_free(path);
	return err;
}

/* SET_PERMS on @introduceDomain / @releaseDomain (not transactional). */
static int set_special_perms(struct xs_op *op, int sp, struct xs_perm *perms,
			     u32 num)
{
	struct xs_store *st = op->st;

	if (!(xs_perm_for(op->conn, st->special_perms[sp],
			  st->special_nperms[sp]) &
	      XS_PERM_OWNER))
		return -XS_EACCES;
	if (!xs_privileged(op->conn) &&
	    perms[0].id != st->special_perms[sp][0].id)
		return -XS_EPERM;
	if (reply_ok(op))
		return -XS_ENOMEM;
	xs_free(st->special_perms[sp]);
	st->special_perms[sp] = perms;
	st->special_nperms[sp] = num;
	return 0;
}

static int do_set_perms(struct xs_op *op, const char *p, u32 len)
{
	struct xs_perm *perms;
	const char *v[1];
	struct xs_node *n;
	u32 off, num;
	char *path;
	int err, sp;

	if (get_strings(p, len, v, 1, &off) != 1)
		return -XS_EINVAL;
	err = xs_perms_parse(p + off, len - off, &perms, &num);
	if (err)
		return err;
	if (!xs_privileged(op->conn) && num > op->st->quota.perms) {
		err = -XS_ENOSPC;
		goto out;
	}
	if (v[0][0] == '@') {
		sp = xs_special_index(v[0]);
		if (sp < 0) {
			err =
			    xs_path_valid(v[0], true) ? -XS_ENOENT : -XS_EINVAL;
			goto out;
		}
		err = set_special_perms(op, sp, perms, num);
		if (!err)
			return 0; /* perms now belong to the store */
		goto out;
	}
	err = xs_canonical(op->conn, v[0], false, &path);
	if (err)
		goto out;
	n = get_node(op, path, XS_PERM_WRITE | XS_PERM_OWNER, &err);
	/* Only domain 0 gives a node away. */
	if (n && !xs_privileged(op->conn) && perms[0].id != n->perms[0].id)
		err = -XS_EPERM;
	if (!err)
		n = xs_modify(op, path, &err);
	if (!err)
		err = xs_node_set_perms(n, perms, num);
	if (!err) {
		xs_dirty(op, n);
		err = add_event(op, path, false, n);
	}
	if (!err)
		err = reply_ok(op);
	xs_free(path);
out:
	xs_free(perms);
	return err;
}

static int do_watch(struct xs_op *op, const char *p, u32 len)
{
	const char *v[2];
	int err;

	if (get_strings(p, len, v, 2, NULL) != 2)
		return -XS_EINVAL;
	err = reply_ok(op);
	if (!err)
		err = xs_watch_add(op, v[0], v[1]);
	return err;
}

static int do_unwatch(struct xs_op *op, const char *p, u32 len)
{
	const char *v[2];
	int err;

	if (get_strings(p, len, v, 2, NULL) != 2)
		return -XS_EINVAL;
	err = reply_ok(op);
	if (!err)
		err = xs_watch_del(op->conn, v[0], v[1]);
	return err;
}

static int do_transaction_start(struct xs_op *op, const char *p, u32 len)
{
	char buf[12];
	u32 id;
	int err;

	(void)p;
	(void)len;
	if (op->tx)
		return -XS_EBUSY;
	err = xs_tx_start(op->conn, &id);
	if (err)
		return err;
	snprintf(buf, sizeof(buf), "%u", id);
	err = reply_str(op, buf);
	if (err) {
		/* No reply, no transaction. */
		op->tx = xs_tx_find(op->conn, id);
		xs_tx_end(op, false);
	}
	return err;
}

static int do_transaction_end(struct xs_op *op, const char *p, u32 len)
{
	const char *arg = onearg(p, len);
	int err;

	if (!arg || (strcmp(arg, "T") && strcmp(arg, "F")))
		return -XS_EINVAL;
	if (!op->tx)
		return -XS_ENOENT;
	/* Prepare the reply first: after the commit nothing may fail. */
	err = reply_ok(op);
	if (!err)
		err = xs_tx_end(op, arg[0] == 'T');
	return err;
}

static int domid_arg(const char *p, u32 len, u16 *domid)
{
	const char *arg = onearg(p, len);

	if (!arg)
		return -XS_EINVAL;
	return xs_parse_domid(arg, domid);
}

static int do_introduce(struct xs_op *op, const char *p, u32 len)
{
	const char *v[3];
	u64 mfn, port;
	u16 domid;
	int err;

	if (get_strings(p, len, v, 3, NULL) != 3 ||
	    xs_parse_domid(v[0], &domid) || xs_parse_u64(v[1], ~0ull, &mfn) ||
	    xs_parse_u64(v[2], 0xffffffffu, &port))
		return -XS_EINVAL;
	err = reply_ok(op);
	if (!err)
		err = xs_domain_introduce(op->st, domid, mfn, (u32)port);
	return err;
}

static int do_release(struct xs_op *op, const char *p, u32 len)
{
	u16 domid;
	int err = domid_arg(p, len, &domid);

	if (!err)
		err = reply_ok(op);
	if (!err)
		err = xs_domain_release(op->st, domid);
	return err;
}

static int do_is_domain_introduced(struct xs_op *op, const char *p, u32 len)
{
	u16 domid;
	int err = domid_arg(p, len, &domid);

	if (err)
		return err;
	return reply_str(op, domid == 0 || xs_domain_conn(op->st, domid) ? "T"
									 : "F");
}

static int do_get_domain_path(struct xs_op *op, const char *p, u32 len)
{
	char home[24];
	u16 domid;
	int err = domid_arg(p, len, &domid);

	if (err)
		return err;
	xs_home(domid, home, sizeof(home));
	return reply_str(op, home);
}

static int do_resume(struct xs_op *op, const char *p, u32 len)
{
	struct xs_conn *c;
	u16 domid;
	int err = domid_arg(p, len, &domid);

	if (err)
		return err;
	c = xs_domain_conn(op->st, domid);
	if (!c)
		return -XS_ENOENT;
	err = reply_ok(op);
	if (!err)
		c->shutdown = false;
	return err;
}

static int do_set_target(struct xs_op *op, const char *p, u32 len)
{
	const char *v[2];
	struct xs_conn *c;
	u16 domid, target;
	int err;

	if (get_strings(p, len, v, 2, NULL) != 2 ||
	    xs_parse_domid(v[0], &domid) || xs_parse_domid(v[1], &target))
		return -XS_EINVAL;
	c = xs_domain_conn(op->st, domid);
	if (!c || !xs_domain_conn(op->st, target))
		return -XS_ENOENT;
	err = reply_ok(op);
	if (!err)
		c->target = target;
	return err;
}

static int do_reset_watches(struct xs_op *op, const char *p, u32 len)
{
	int err = reply_ok(op);

	(void)p;
	(void)len;
	if (err)
		return err;
	op->tx = NULL; /* it may be one of those going */
	xs_watch_free_all(op->conn);
	xs_tx_free_all(op->conn);
	return 0;
}

/* CONTROL: "check" (the store's invariants), "print\0text", "help". */
static int do_control(struct xs_op *op, const char *p, u32 len)
{
	const char *v[2];
	char why[160];
	u32 n = get_strings(p, len, v, 2, NULL);

	if (n >= 1 && !strcmp(v[0], "check")) {
		if (xs_store_check(op->st, why, sizeof(why))) {
			xs_log(op->st, op->conn, "xenstored: check: %s", why);
			return -XS_EIO;
		}
		return reply_ok(op);
	}
	if (n == 2 && !strcmp(v[0], "print")) {
		xs_log(op->st, op->conn, "%s", v[1]);
		return reply_ok(op);
	}
	if (n >= 1 && !strcmp(v[0], "help"))
		return reply_str(op, "check\nprint <text>\nhelp\n");
	return -XS_EINVAL;
}

static const struct {
	int (*fn)(struct xs_op *op, const char *p, u32 len);
	u8 flags;
} handlers[XS_TYPE_COUNT] = {
	[XS_CONTROL] = { do_control, F_PRIV },
	[XS_DIRECTORY] = { do_directory, 0 },
	[XS_READ] = { do_read, 0 },
	[XS_GET_PERMS] = { do_get_perms, 0 },
	[XS_WATCH] = { do_watch, F_NOTID },
	[XS_UNWATCH] = { do_unwatch, F_NOTID },
	[XS_TRANSACTION_START] = { do_transaction_start, 0 },
	[XS_TRANSACTION_END] = { do_transaction_end, 0 },
	[XS_INTRODUCE] = { do_introduce, F_PRIV },
	[XS_RELEASE] = { do_release, F_PRIV },
	[XS_GET_DOMAIN_PATH] = { do_get_domain_path, 0 },
	[XS_WRITE] = { do_write, 0 },
	[XS_MKDIR] = { do_mkdir, 0 },
	[XS_RM] = { do_rm, 0 },
	[XS_SET_PERMS] = { do_set_perms, 0 },
	[XS_IS_DOMAIN_INTRODUCED] = { do_is_domain_introduced, F_PRIV },
	[XS_RESUME] = { do_resume, F_PRIV },
	[XS_SET_TARGET] = { do_set_target, F_PRIV },
	[XS_RESET_WATCHES] = { do_reset_watches, 0 },
	[XS_DIRECTORY_PART] = { do_directory_part, 0 },
};

/* Serve a request whose length has been checked. */
static int serve(struct xs_conn *conn, const struct xsd_sockmsg *hdr,
		 const char *payload)
{
	struct xs_tx *tx = NULL;
	struct xs_op op;
	int err;

	if (hdr->type >= XS_TYPE_COUNT || !handlers[hdr->type].fn) {
		xs_log(conn->st, conn,
		       "xenstored: domain %u: unknown request type %u",
		       conn->domid, hdr->type);
		return send_error(conn, hdr, XS_ENOSYS);
	}
	if ((handlers[hdr->type].flags & F_PRIV) && !xs_privileged(conn))
		return send_error(conn, hdr, XS_EACCES);
	if (!(handlers[hdr->type].flags & F_NOTID) && hdr->tx_id) {
		tx = xs_tx_find(conn, hdr->tx_id);
		if (!tx)
			return send_error(conn, hdr, XS_ENOENT);
	}

	xs_op_init(&op, conn, tx);
	op.hdr = hdr;
	err = handlers[hdr->type].fn(&op, payload, hdr->len);
	if (!err && !op.reply)
		err = -XS_EIO; /* every success has a reply */
	if (!err)
		err = xs_op_commit(&op);
	if (err) {
		xs_op_discard(&op);
		return send_error(conn, hdr, err);
	}
	xs_queue(conn, op.reply);
	op.reply = NULL;
	if (op.new_watch)
		xs_watch_fire_new(&op);
	xs_fire(conn->st, &op.events);
	xs_op_discard(&op);
	return 0;
}

int xs_process(struct xs_conn *conn, const void *msg, size_t len)
{
	struct xsd_sockmsg hdr;

	if (len < XS_HDR_SIZE)
		return -XS_EINVAL;
	memcpy(&hdr, msg, XS_HDR_SIZE);
	if (hdr.len > XENSTORE_PAYLOAD_MAX)
		return send_error(conn, &hdr, XS_E2BIG);
	if (len - XS_HDR_SIZE != hdr.len) {
		xs_log(conn->st, conn,
		       "xenstored: domain %u: message of %zu bytes says %u",
		       conn->domid, len - XS_HDR_SIZE, hdr.len);
		return send_error(conn, &hdr, XS_EINVAL);
	}
	if (!xs_privileged(conn) && hdr.len > conn->st->quota.request)
		return send_error(conn, &hdr, XS_E2BIG);
	return serve(conn, &hdr, (const char *)msg + XS_HDR_SIZE);
}

long xs_conn_feed(struct xs_conn *conn, const void *data, size_t len)
{
	const u8 *src = data;
	size_t used = 0;

	if (conn->broken)
		return -XS_EPROTO;
	while (used < len) {
		struct xsd_sockmsg hdr;
		size_t want, n;

		/* Between messages: wait while the client is not reading. */
		if (conn->in_used == 0 &&
		    xs_conn_output_pending(conn) >= conn->st->quota.out_stall)
			break;
		if (conn->in_used < XS_HDR_SIZE) {
			want = XS_HDR_SIZE - conn->in_used;
		} else {
			memcpy(&hdr, conn->in, XS_HDR_SIZE);
			want = XS_HDR_SIZE + hdr.len - conn->in_used;
		}
		n = len - used < want ? len - used : want;
		memcpy(conn->in + conn->in_used, src + used, n);
		conn->in_used += n;
		used += n;
		if (conn->in_used < XS_HDR_SIZE)
			continue;
		memcpy(&hdr, conn->in, XS_HDR_SIZE);
		if (hdr.len > XENSTORE_PAYLOAD_MAX) {
			xs_log(conn->st, conn,
			       "xenstored: domain %u sent a %u-byte payload: "
			       "connection dropped",
			       conn->domid, hdr.len);
			conn->broken = true;
			conn->in_used = 0;
			return -XS_EPROTO;
		}
		if (conn->in_used < XS_HDR_SIZE + hdr.len)
			continue;
		conn->in_used = 0;
		xs_process(conn, conn->in, XS_HDR_SIZE + hdr.len);
	}
	return used;
}
