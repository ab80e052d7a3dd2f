/*
 * The control server: the host's xl client talks to domain 0 over the
 * virtio console, in the framed protocol of ctlproto.h. One request at a
 * time; a command's output is gathered into frames of up to a page.
 *
 * Invariant: `synced` is true only while the next byte read is the start
 * of a frame header. Anything unexpected clears it, and the server then
 * reads byte by byte until it sees a client's HELLO.
 */
#include "ctlproto.h"
#include "consoled.h"
#include "errno.h"
#include "kernel.h"
#include "virtio_console.h"
#include "ctl.h"

/* The console backend may not be part of this build yet. */
#pragma weak console_attach
#pragma weak console_detach
#pragma weak console_send

struct session {
	struct ctl_io io;
	uint64_t data_left; /* request data not yet read */
	uint32_t frame_left; /* of the current DATA frame */
	bool continued; /* CONTINUE sent: the data is coming */
	bool broken; /* the stream is out of step */
	enum ctl_stream out_stream;
	size_t out_len;
	char out[CTL_MAX_PAYLOAD];
};

static bool synced;
static bool frame_busy;
static struct waitq frame_q = WAITQ_INIT(frame_q);

static void read_full(void *buf, size_t n)
{
	for (size_t done = 0; done < n;)
		done += vcon_read((char *)buf + done, n - done);
}

static void skip(size_t n)
{
	char buf[256];

	while (n) {
		size_t k = n < sizeof(buf) ? n : sizeof(buf);
		read_full(buf, k);
		n -= k;
	}
}

/* One whole frame; frames from several threads never interleave. */
static void send_frame(uint8_t type, const void *payload, uint32_t len)
{
	struct ctl_header h = { CTL_MAGIC, type, 0, len };

	wait_event(&frame_q, !frame_busy);
	frame_busy = true;
	vcon_write(&h, sizeof(h));
	if (len)
		vcon_write(payload, len);
	vcon_flush();
	frame_busy = false;
	waitq_wake(&frame_q);
}

/* A valid header, or false (and out of step). */
static bool read_header(struct ctl_header *h)
{
	read_full(h, sizeof(*h));
	if (h->magic != CTL_MAGIC || h->flags || !h->type ||
	    h->len > CTL_MAX_PAYLOAD) {
		synced = false;
		return false;
	}
	return true;
}

/* Read until the bytes of a client's HELLO frame have gone by. */
static void find_hello(void)
{
	static const size_t text_len = sizeof(CTL_HELLO_TEXT) - 1;
	struct ctl_header h = { CTL_MAGIC, CTL_HELLO, 0, (uint32_t)text_len };
	char want[sizeof(h) + sizeof(CTL_HELLO_TEXT)];
	char win[sizeof(want)];
	size_t n = sizeof(h) + text_len, have = 0;

	memcpy(want, &h, sizeof(h));
	memcpy(want + sizeof(h), CTL_HELLO_TEXT, text_len);
	for (;;) {
		if (have == n) {
			memmove(win, win + 1, n - 1);
			have--;
		}
		read_full(win + have, 1);
		have++;
		if (have == n && !memcmp(win, want, n))
			return;
	}
}

static void send_hello(void)
{
	send_frame(CTL_HELLO, CTL_HELLO_TEXT, sizeof(CTL_HELLO_TEXT) - 1);
	synced = true;
}

static void flush_out(struct session *s)
{
	if (s->out_len)
		send_frame(s->out_stream == CTL_STDERR ? CTL_ERR : CTL_OUT,
			   s->out, (uint32_t)s->out_len);
	s->out_len = 0;
}

static void session_write(struct ctl_io *io, enum ctl_stream st,
			  const char *buf, size_t n)
{
	struct session *s = (struct session *)io;

	if (s->out_len && s->out_stream != st)
		flush_out(s);
	s->out_stream = st;
	while (n) {
		size_t k = sizeof(s->out) - s->out_len;
		if (k > n)
			k = n;
		memcpy(s->out + s->out_len, buf, k);
		s->out_len += k;
		buf += k;
		n -= k;
		if (s->out_len == sizeof(s->out))
			flush_out(s);
	}
}

static long session_read_data(struct ctl_io *io, void *buf, size_t n)
{
	struct session *s = (struct session *)io;
	struct ctl_header h;

	if (s->broken)
		return -ECONNRESET;
	if (!s->continued) {
		flush_out(s);
		send_frame(CTL_CONTINUE, NULL, 0);
		s->continued = true;
	}
	if (!s->data_left)
		return 0;
	while (!s->frame_left) {
		if (!read_header(&h) || h.type != CTL_DATA) {
			s->broken = true;
			synced = false;
			return -ECONNRESET;
		}
		s->frame_left = h.len;
	}
	if (n > s->frame_left)
		n = s->frame_left;
	if (n > s->data_left)
		n = s->data_left;
	n = vcon_read(buf, n);
	s->frame_left -= (uint32_t)n;
	s->data_left -= n;
	return (long)n;
}

/* A domain's console output, from the console backend's thread. */
static void console_out(void *ctx, const char *buf, size_t n)
{
	(void)ctx;
	while (n) {
		uint32_t k =
		    n < CTL_MAX_PAYLOAD ? (uint32_t)n : CTL_MAX_PAYLOAD;
		send_frame(CTL_OUT, buf, k);
		buf += k;
		n -= k;
	}
}

static int session_console(struct ctl_io *io, uint16_t domid)
{
	struct session *s = (struct session *)io;
	static char input[CTL_MAX_PAYLOAD];
	struct ctl_header h;
	int rc;

	if (!console_attach)
		return -ENOSYS;
	flush_out(s);
	rc = console_attach(domid, console_out, s);
	if (rc)
		return rc;
	send_frame(CTL_ATTACHED, NULL, 0);
	for (;;) {
		if (!read_header(&h)) {
			s->broken = true;
			break;
		}
		if (h.type == CTL_DETACH) {
			skip(h.len);
			break;
		}
		read_full(input, h.len);
		if (h.type != CTL_DATA) {
			s->broken = true;
			synced = false;
			break;
		}
		if (console_send)
			console_send(domid, input, h.len);
	}
	if (console_detach)
		console_detach(domid);
	return 0;
}

static void handle_request(const struct ctl_header *h)
{
	static struct session s;
	static char line[CTL_MAX_CMDLINE + 1];
	struct ctl_request req;
	size_t len;
	int32_t status;

	if (h->len < sizeof(req) || h->len - sizeof(req) > CTL_MAX_CMDLINE) {
		skip(h->len);
		status = CTL_STATUS_USAGE;
		send_frame(CTL_EXIT, &status, sizeof(status));
		return;
	}
	read_full(&req, sizeof(req));
	len = h->len - sizeof(req);
	read_full(line, len);
	line[len] = '\0';
	memset(&s, 0, offsetof(struct session, out));
	s.io.write = session_write;
	s.io.read_data = session_read_data;
	s.io.console = session_console;
	s.io.data_len = req.data_len;
	s.data_left = req.data_len;
	status = ctl_run(&s.io, line);
	flush_out(&s);
	if (s.broken)
		return; /* the client is gone or confused: resynchronise */
	/* Data the command started taking but left: consume it. */
	if (s.continued) {
		char sink[256];
		while (s.data_left && !s.broken)
			if (session_read_data(&s.io, sink, sizeof(sink)) <= 0)
				break;
		if (s.broken)
			return;
	}
	send_frame(CTL_EXIT, &status, sizeof(status));
}

static void server(void *arg)
{
	struct ctl_header h;

	(void)arg;
	for (;;) {
		if (!synced) {
			find_hello();
			send_hello();
		}
		if (!read_header(&h))
			continue;
		switch (h.type) {
		case CTL_HELLO: /* a new client while we were in step */
			skip(h.len);
			send_hello();
			break;
		case CTL_REQUEST:
			handle_request(&h);
			break;
		default: /* stale input of an ended request */
			skip(h.len);
		}
	}
}

void ctl_server_start(void)
{
	if (vcon_start()) {
		printf("dom0: no virtio console: the host xl client cannot "
		       "connect\n");
		return;
	}
	thread_create("xl-server", server, NULL);
}
