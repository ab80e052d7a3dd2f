/*
 * Domain 0's prompt on the serial console. The hypervisor passes serial
 * input to domain 0 (after Ctrl-A three times switches it there) and
 * raises VIRQ_CONSOLE; CONSOLEIO_read takes what has arrived. Lines are
 * edited here and run as the same commands the host's xl client uses.
 *
 * The hypervisor prints domain 0's output a line at a time, so typed
 * characters cannot be echoed as they come: each entered line is shown
 * after the prompt when it is run.
 */
#include "consoled.h"
#include "errno.h"
#include "kernel.h"
#include "ctl.h"

#pragma weak console_attach
#pragma weak console_detach
#pragma weak console_send

#define LINE_MAX 256
#define CTRL_C 0x03
#define CTRL_U 0x15
#define CTRL_RBRACKET 0x1d /* leaves console mode */
#define BACKSPACE 0x08
#define DELETE 0x7f

static struct waitq input_q = WAITQ_INIT(input_q);
static volatile bool input_event;
static uint32_t input_port;
static int attached_domid = -1;

static void input_handler(uint32_t port)
{
	(void)port;
	input_event = true;
	waitq_wake(&input_q);
}

static void shell_write(struct ctl_io *io, enum ctl_stream s, const char *buf,
			size_t n)
{
	(void)io;
	(void)s;
	while (n) {
		unsigned int k = n > 2048 ? 2048 : (unsigned int)n;
		/* 0 once all k bytes are written (as on Xen), or an error. */
		if (HYPERVISOR_console_io(CONSOLEIO_write, k, (void *)buf))
			return;
		buf += k;
		n -= k;
	}
}

static void console_out(void *ctx, const char *buf, size_t n)
{
	shell_write(ctx, CTL_STDOUT, buf, n);
}

static int shell_console(struct ctl_io *io, uint16_t domid)
{
	int rc;

	if (!console_attach)
		return -ENOSYS;
	rc = console_attach(domid, console_out, io);
	if (rc)
		return rc;
	io_printf(io, "attached to domain %u's console; Ctrl-] detaches\n",
		  domid);
	attached_domid = domid;
	return 0; /* the input loop relays until Ctrl-] */
}

static struct ctl_io shell_io = {
	.write = shell_write,
	.console = shell_console,
};

/* Take one typed character; returns true when line holds a command. */
static bool edit(char c, char *line, size_t *len)
{
	switch (c) {
	case '\r':
	case '\n':
		line[*len] = '\0';
		return true;
	case BACKSPACE:
	case DELETE:
		if (*len)
			(*len)--;
		break;
	case CTRL_U:
		*len = 0;
		break;
	case CTRL_C:
		*len = 0;
		printf("xl> ^C\n");
		break;
	default:
		if ((unsigned char)c >= ' ' && *len < LINE_MAX - 1)
			line[(*len)++] = c;
	}
	return false;
}

static void relay(const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (buf[i] == CTRL_RBRACKET) {
			if (console_detach)
				console_detach((uint16_t)attached_domid);
			printf("detached from domain %d's console\n",
			       attached_domid);
			attached_domid = -1;
			return;
		}
	if (console_send)
		console_send((uint16_t)attached_domid, buf, n);
}

static void run_line(char *line)
{
	int status;

	printf("xl> %s\n", line);
	status = ctl_run(&shell_io, line);
	if (status)
		printf("(exit status %d)\n", status);
}

/*
 * attach=NAME (make run): once the autostarted domain NAME exists, the
 * serial console becomes its console; Ctrl-] gives the xl> prompt.
 */
static void auto_attach(void)
{
	char name[64], line[80];
	uint64_t deadline = pv_now() + 60 * SEC;

	if (!pv_arg_str("attach", name, sizeof(name)) || !name[0])
		return;
	snprintf(line, sizeof(line), "console %s", name);
	while (pv_now() < deadline) {
		if (!ctl_run(&shell_io, line)) {
			printf("dom0: serial console attached to %s "
			       "(Ctrl-] for domain 0's xl> prompt, "
			       "'console %s' to come back)\n", name, name);
			return;
		}
		thread_sleep(500 * MS);
	}
}

static void shell(void *arg)
{
	static char line[LINE_MAX];
	char buf[64];
	size_t len = 0;

	(void)arg;
	printf("dom0: serial prompt ready (Ctrl-A x3 to reach it; 'help')\n");
	auto_attach();
	for (;;) {
		long n =
		    HYPERVISOR_console_io(CONSOLEIO_read, sizeof(buf), buf);
		if (n <= 0) {
			wait_event(&input_q, input_event);
			input_event = false;
			continue;
		}
		if (attached_domid >= 0) {
			relay(buf, (size_t)n);
			continue;
		}
		for (long i = 0; i < n; i++) {
			if (!edit(buf[i], line, &len))
				continue;
			if (len || buf[i] == '\r')
				run_line(line);
			/* CR LF counts once: the LF after a CR is empty. */
			len = 0;
		}
	}
}

void ctl_shell_start(void)
{
	if (evtchn_bind_virq(VIRQ_CONSOLE, &input_port)) {
		printf("dom0: cannot bind VIRQ_CONSOLE: no serial prompt\n");
		return;
	}
	pv_bind_handler(input_port, input_handler);
	pv_unmask(input_port);
	thread_create("xl-shell", shell, NULL);
}
