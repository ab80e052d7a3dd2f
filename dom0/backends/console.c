/*
 * The console backend (xenconsoled's role): one connection per domain
 * over its console page (struct xencons_interface) and event channel.
 * One thread drains every domain's output ring into that domain's buffer
 * of recent output, hands it to the attached client if any, and, with the
 * domain 0 option "console_echo", prints it on domain 0's console one line
 * at a time as "[dN] line". Input from the attached client goes into the
 * ring's `in` half.
 *
 * The page is the guest's: our indices (out_cons, in_prod) live here and
 * are only written to it; the guest's (out_prod, in_cons) are read once
 * and checked. An impossible distance (more than the ring holds) is
 * logged once per domain and the ring is resynchronised to the guest's
 * index, dropping what it claimed to hold, so a hostile guest loses its
 * own output and nothing else.
 */
#include <xen/io/console.h>
#include "consoled.h"
#include "errno.h"
#include "kernel.h"
#include "services.h"

#define HISTORY_SIZE (16 * 1024) /* recent output kept per domain */
#define LINE_MAX 160 /* console_echo's line length */

struct console {
	struct console *next;
	uint16_t domid;
	struct xencons_interface *intf;
	uint32_t port; /* ours, bound to the domain's console port */
	uint32_t out_cons, in_prod; /* ours */
	uint32_t seen_out_prod; /* the guest's, at the last pass */
	bool bad_out_logged, bad_in_logged;
	uint64_t written; /* bytes ever put in history */
	char history[HISTORY_SIZE];
	console_sink sink;
	void *ctx;
	size_t line_len;
	char line[LINE_MAX + 1];
};

static struct console *consoles;
static struct waitq cons_wq = WAITQ_INIT(cons_wq);
static bool echo;

static inline uint32_t read_once(const uint32_t *p)
{
	return *(const volatile uint32_t *)p;
}

static inline void write_once(uint32_t *p, uint32_t v)
{
	*(volatile uint32_t *)p = v;
}

static inline void mb(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static struct console *find(uint16_t domid)
{
	struct console *c;

	for (c = consoles; c && c->domid != domid; c = c->next)
		;
	return c;
}

/* --- Output: history, the attached client, the echo --------------------- */

static void history_add(struct console *c, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		c->history[(c->written + i) % HISTORY_SIZE] = buf[i];
	c->written += n;
}

static void echo_flush(struct console *c)
{
	c->line[c->line_len] = '\0';
	printf("[d%u] %s\n", c->domid, c->line);
	c->line_len = 0;
}

/* Whole lines only; what is not printable is shown as '.'. */
static void echo_add(struct console *c, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char ch = buf[i];

		if (ch == '\n') {
			echo_flush(c);
			continue;
		}
		if (ch == '\r')
			continue;
		c->line[c->line_len++] = (ch >= ' ' && ch < 127) ? ch : '.';
		if (c->line_len == LINE_MAX)
			echo_flush(c);
	}
}

static void deliver(struct console *c, const char *buf, size_t n)
{
	history_add(c, buf, n);
	if (c->sink)
		c->sink(c->ctx, buf, n);
	if (echo)
		echo_add(c, buf, n);
}

/* Take what the guest has written; true if out_cons moved. */
static bool drain(struct console *c)
{
	struct xencons_interface *intf = c->intf;
	char buf[sizeof(intf->out)];
	uint32_t prod = read_once(&intf->out_prod);
	uint32_t avail = prod - c->out_cons;
	uint32_t off = MASK_XENCONS_IDX(c->out_cons, intf->out);
	uint32_t first;

	c->seen_out_prod = prod;
	if (avail > sizeof(intf->out)) {
		if (!c->bad_out_logged)
			printf(
			    "console: domain %u: out_prod runs %u bytes ahead "
			    "of out_cons (ring holds %zu): output dropped\n",
			    c->domid, avail, sizeof(intf->out));
		c->bad_out_logged = true;
		c->out_cons = prod;
		write_once(&intf->out_cons, prod);
		return true;
	}
	if (!avail)
		return false;
	mb(); /* the index before the bytes it covers */
	first = avail < sizeof(intf->out) - off
		    ? avail
		    : (uint32_t)sizeof(intf->out) - off;
	memcpy(buf, intf->out + off, first);
	memcpy(buf + first, intf->out, avail - first);
	c->out_cons = prod;
	mb(); /* done with the bytes before handing them back */
	write_once(&intf->out_cons, prod);
	deliver(c, buf, avail);
	return true;
}

static bool pending(const struct console *c)
{
	return read_once(&c->intf->out_prod) != c->seen_out_prod;
}

static bool any_pending(void)
{
	for (struct console *c = consoles; c; c = c->next)
		if (pending(c))
			return true;
	return false;
}

static void console_thread(void *arg)
{
	(void)arg;
	for (;;) {
		wait_event(&cons_wq, any_pending());
		for (struct console *c = consoles; c; c = c->next)
			if (pending(c) && drain(c))
				evtchn_notify(c->port);
		thread_yield();
	}
}

/* --- Connections ---------------------------------------------------------- */

void consoled_start(void)
{
	echo = cmdline_has("console_echo");
	if (!thread_create("consoled", console_thread, NULL))
		printf("console: cannot start its thread\n");
}

int console_connect(uint16_t domid, uint64_t mfn, uint32_t remote_port)
{
	struct console *c;
	int err = 0;

	if (find(domid))
		return -EEXIST;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->domid = domid;
	c->intf = map_foreign_page(domid, mfn, true, &err);
	if (!c->intf)
		goto fail;
	err = evtchn_bind_interdomain(domid, remote_port, &c->port);
	if (err) {
		unmap_window(c->intf, PAGE_SIZE);
		goto fail;
	}
	/* The guest may have written before we came: take it from out_cons. */
	c->out_cons = read_once(&c->intf->out_cons);
	c->seen_out_prod = c->out_cons;
	c->in_prod = read_once(&c->intf->in_prod);
	c->next = consoles;
	consoles = c;
	evtchn_attach(c->port, &cons_wq);
	waitq_wake(&cons_wq);
	return 0;
fail:
	printf("console: domain %u: cannot connect (mfn %#lx, port %u): "
	       "error %d\n",
	       domid, mfn, remote_port, err);
	free(c);
	return err;
}

void console_disconnect(uint16_t domid)
{
	struct console **pp, *c;

	for (pp = &consoles; *pp && (*pp)->domid != domid; pp = &(*pp)->next)
		;
	c = *pp;
	if (!c)
		return;
	drain(c); /* its last words */
	if (echo && c->line_len)
		echo_flush(c);
	*pp = c->next;
	evtchn_close(c->port);
	unmap_window(c->intf, PAGE_SIZE);
	free(c);
}

/* --- Clients -------------------------------------------------------------- */

size_t console_history(uint16_t domid, char *buf, size_t n)
{
	struct console *c = find(domid);
	uint64_t have, from;

	if (!c)
		return 0;
	have = c->written < HISTORY_SIZE ? c->written : HISTORY_SIZE;
	if (n > have)
		n = (size_t)have;
	from = c->written - n; /* the newest n bytes, oldest first */
	for (size_t i = 0; i < n; i++)
		buf[i] = c->history[(from + i) % HISTORY_SIZE];
	return n;
}

int console_attach(uint16_t domid, console_sink sink, void *ctx)
{
	struct console *c = find(domid);
	char *replay;
	size_t n;

	if (!c)
		return -ENOENT;
	if (c->sink)
		return -EBUSY;
	replay = malloc(HISTORY_SIZE);
	if (replay) {
		n = console_history(domid, replay, HISTORY_SIZE);
		if (n)
			sink(ctx, replay, n);
		free(replay);
	}
	/* The sink may have waited: look the console up again. */
	c = find(domid);
	if (!c)
		return -ENOENT;
	c->sink = sink;
	c->ctx = ctx;
	return 0;
}

void console_detach(uint16_t domid)
{
	struct console *c = find(domid);

	if (c) {
		c->sink = NULL;
		c->ctx = NULL;
	}
}

long console_send(uint16_t domid, const char *buf, size_t n)
{
	struct console *c = find(domid);
	struct xencons_interface *intf;
	uint32_t used, room, off;
	size_t done = 0;

	if (!c)
		return -ENOENT;
	intf = c->intf;
	used = c->in_prod - read_once(&intf->in_cons);
	if (used > sizeof(intf->in)) {
		if (!c->bad_in_logged)
			printf("console: domain %u: in_cons is %u bytes "
			       "behind in_prod (ring holds %zu): input "
			       "dropped\n",
			       c->domid, used, sizeof(intf->in));
		c->bad_in_logged = true;
		return -EIO;
	}
	mb(); /* the guest's consumption before our overwrite */
	room = (uint32_t)sizeof(intf->in) - used;
	for (; done < n && room; done++, room--) {
		off = MASK_XENCONS_IDX(c->in_prod + (uint32_t)done, intf->in);
		intf->in[off] = buf[done];
	}
	if (done) {
		c->in_prod += (uint32_t)done;
		mb(); /* bytes before the index that covers them */
		write_once(&intf->in_prod, c->in_prod);
		evtchn_notify(c->port);
	}
	return (long)done;
}
