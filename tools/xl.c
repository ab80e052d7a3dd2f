/*
 * xl: the host's client for Xenolith's domain 0. It connects to the unix
 * socket that QEMU joins to domain 0's virtio console (XENOLITH_CTL,
 * default build/xenolith.sock) and speaks the framed protocol of
 * dom0/include/ctlproto.h: one command per connection, its output copied
 * to stdout/stderr and its exit status returned as ours.
 *
 *   xl info | list | dmesg | ls | rm NAME | lspci | help
 *   xl put FILE [NAME]     copy a host file into domain 0's memory
 *   xl console DOMAIN      attach to a domain's console (Ctrl-] detaches)
 *   xl create [-c] FILE [KEY=VALUE...]
 *                          a domain from a host xl.cfg: the kernel and
 *                          ramdisk it names are sent from this host
 * Other commands (destroy, shutdown, pause, vcpu-list, ...) are domain
 * 0's own, passed as they are.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "ctlproto.h"
#include "xlcfg.h"

#define DEFAULT_SOCKET "build/xenolith.sock"
#define CTRL_RBRACKET 0x1d
#define HELLO_RETRY_MS 1000
#define HELLO_TRIES 30

static int sock = -1;
static const char *sock_path;
static struct termios saved_tty;
static bool tty_raw;

static void restore_tty(void)
{
	if (tty_raw)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
	tty_raw = false;
}

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	restore_tty();
	fputs("xl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --- The socket ------------------------------------------------------ */

static void connect_socket(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	sock_path = getenv("XENOLITH_CTL");
	if (!sock_path || !*sock_path)
		sock_path = DEFAULT_SOCKET;
	if (strlen(sock_path) >= sizeof(sa.sun_path))
		die("socket path too long: %s", sock_path);
	strcpy(sa.sun_path, sock_path);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		die("socket: %s", strerror(errno));
	if (connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("cannot connect to domain 0's control socket %s: %s\n"
		    "    Is Xenolith running with the control channel? Start "
		    "it with\n"
		    "    `make run` or tools/run-qemu.sh, or set XENOLITH_CTL "
		    "to its socket.",
		    sock_path, strerror(errno));
}

static void write_all(const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t k = write(sock, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			die("lost the connection to domain 0 (%s)",
			    k < 0 ? strerror(errno) : "closed");
		p += k;
		n -= (size_t)k;
	}
}

static void send_frame(uint8_t type, const void *payload, uint32_t len)
{
	char buf[sizeof(struct ctl_header) + CTL_MAX_PAYLOAD];
	struct ctl_header h = { CTL_MAGIC, type, 0, len };

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), payload, len);
	write_all(buf, sizeof(h) + len);
}

/* Buffered reading; timeout_ms < 0 waits for ever. False on timeout. */
static char rbuf[65536];
static size_t rhead, rtail;

static bool fill(int timeout_ms)
{
	struct pollfd p = { sock, POLLIN, 0 };
	ssize_t k;

	if (rhead == rtail)
		rhead = rtail = 0;
	if (poll(&p, 1, timeout_ms) == 0)
		return false;
	k = read(sock, rbuf + rtail, sizeof(rbuf) - rtail);
	if (k <= 0)
		die("domain 0 closed the connection (%s)",
		    k < 0 ? strerror(errno) : "QEMU exited?");
	rtail += (size_t)k;
	return true;
}

static bool read_exact(void *buf, size_t n, int timeout_ms)
{
	char *p = buf;

	while (n) {
		if (rhead == rtail && !fill(timeout_ms))
			return false;
		size_t k = rtail - rhead < n ? rtail - rhead : n;
		memcpy(p, rbuf + rhead, k);
		rhead += k;
		p += k;
		n -= k;
	}
	return true;
}

static void read_frame(struct ctl_header *h, char *payload)
{
	read_exact(h, sizeof(*h), -1);
	if (h->magic != CTL_MAGIC || h->len > CTL_MAX_PAYLOAD)
		die("garbled reply from domain 0 (magic %#x, length %u)",
		    h->magic, h->len);
	read_exact(payload, h->len, -1);
}

/* Skip anything before the server's HELLO (output of an old session). */
static bool await_hello(int timeout_ms)
{
	const size_t tl = sizeof(CTL_HELLO_TEXT) - 1;
	struct ctl_header h = { CTL_MAGIC, CTL_HELLO, 0, (uint32_t)tl };
	char want[sizeof(h) + sizeof(CTL_HELLO_TEXT)], win[sizeof(want)];
	size_t n = sizeof(h) + tl, have = 0;
	double end = now() + timeout_ms / 1000.0;

	memcpy(want, &h, sizeof(h));
	memcpy(want + sizeof(h), CTL_HELLO_TEXT, tl);
	for (;;) {
		int left = (int)((end - now()) * 1000);
		if (left <= 0)
			return false;
		if (have == n) {
			memmove(win, win + 1, n - 1);
			have--;
		}
		if (!read_exact(win + have, 1, left))
			return false;
		if (++have == n && !memcmp(win, want, n))
			return true;
	}
}

static void handshake(void)
{
	static char zeros[CTL_BREAK_LEN];

	for (int i = 0; i < HELLO_TRIES; i++) {
		write_all(zeros, sizeof(zeros));
		send_frame(CTL_HELLO, CTL_HELLO_TEXT,
			   sizeof(CTL_HELLO_TEXT) - 1);
		if (await_hello(HELLO_RETRY_MS))
			return;
	}
	die("domain 0 does not answer on %s (still booting, or its control "
	    "server is not running)",
	    sock_path);
}

static void send_request(const char *line, uint64_t data_len)
{
	char buf[sizeof(struct ctl_request) + CTL_MAX_CMDLINE];
	struct ctl_request r = { data_len };
	size_t n = strlen(line);

	if (n > CTL_MAX_CMDLINE)
		die("command line too long");
	memcpy(buf, &r, sizeof(r));
	memcpy(buf + sizeof(r), line, n);
	send_frame(CTL_REQUEST, buf, (uint32_t)(sizeof(r) + n));
}

/* --- Replies --------------------------------------------------------- */

static bool quiet_stdout;

static void out(FILE *f, const char *buf, size_t n)
{
	if (quiet_stdout && f == stdout)
		return;
	fwrite(buf, 1, n, f);
	fflush(f);
}

/*
 * Copy output until EXIT (return its status) or another frame type the
 * caller asked to stop at (return -type).
 */
static int relay_until(uint8_t stop)
{
	static char payload[CTL_MAX_PAYLOAD];
	struct ctl_header h;
	int32_t status;

	for (;;) {
		read_frame(&h, payload);
		switch (h.type) {
		case CTL_OUT:
			out(stdout, payload, h.len);
			break;
		case CTL_ERR:
			out(stderr, payload, h.len);
			break;
		case CTL_EXIT:
			if (h.len < sizeof(status))
				die("short exit frame");
			memcpy(&status, payload, sizeof(status));
			return status;
		case CTL_HELLO: /* an answer to a repeated HELLO */
			break;
		default:
			if (h.type == stop)
				return -(int)h.type;
			die("unexpected frame type %u from domain 0", h.type);
		}
	}
}

/* --- Commands --------------------------------------------------------- */

static int cmd_generic(int argc, char **argv);
static int cmd_console(int argc, char **argv);

static uint32_t crc_table[256];

static uint32_t crc32_update(uint32_t c, const unsigned char *p, size_t n)
{
	if (!crc_table[1])
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t v = i;
			for (int k = 0; k < 8; k++)
				v = v & 1 ? 0xedb88320U ^ (v >> 1) : v >> 1;
			crc_table[i] = v;
		}
	while (n--)
		c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return c;
}

/* Send a host file into domain 0's file store as name; exit status. */
static int put_file(const char *file, const char *name, bool quiet)
{
	static unsigned char buf[CTL_MAX_PAYLOAD];
	char line[CTL_MAX_CMDLINE];
	struct stat st;
	uint32_t crc = 0xffffffffU;
	uint64_t sent = 0;
	double t0, t;
	int fd, status;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		die("%s: %s", file, strerror(errno));
	if (!S_ISREG(st.st_mode))
		die("%s: not a regular file", file);
	snprintf(line, sizeof(line), "put %s", name);
	connect_socket();
	handshake();
	send_request(line, (uint64_t)st.st_size);
	status = relay_until(CTL_CONTINUE);
	if (status >= 0) {
		close(fd);
		close(sock);
		return status; /* refused before the data */
	}
	t0 = now();
	while (sent < (uint64_t)st.st_size) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			die("%s: read failed or file shrank", file);
		if (sent + (uint64_t)n > (uint64_t)st.st_size)
			n = (ssize_t)((uint64_t)st.st_size - sent);
		crc = crc32_update(crc, buf, (size_t)n);
		send_frame(CTL_DATA, buf, (uint32_t)n);
		sent += (uint64_t)n;
	}
	close(fd);
	quiet_stdout = quiet; /* keep the server's "put ..." line off */
	status = relay_until(0);
	quiet_stdout = false;
	close(sock);
	sock = -1;
	rhead = rtail = 0;
	t = now() - t0;
	if (status == 0 && !quiet)
		fprintf(
		    stderr,
		    "xl: put %s: %llu bytes, crc32 %08x, %.3f s, %.1f MB/s\n",
		    name, (unsigned long long)sent, crc ^ 0xffffffffU, t,
		    t > 0 ? sent / t / 1e6 : 0.0);
	return status;
}

static int cmd_put(int argc, char **argv)
{
	const char *file, *name;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: xl put FILE [NAME]\n");
		return 2;
	}
	file = argv[2];
	name = argc == 4	    ? argv[3]
	       : strrchr(file, '/') ? strrchr(file, '/') + 1
				    : file;
	return put_file(file, name, false);
}

/* A whole host file, NUL-terminated, in malloc'ed memory. */
static char *slurp(const char *file, size_t *len)
{
	FILE *f = fopen(file, "rb");
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);

	if (!f || !buf)
		die("%s: %s", file, strerror(errno));
	for (;;) {
		size_t k = fread(buf + n, 1, cap - n - 1, f);
		n += k;
		if (n < cap - 1)
			break;
		cap *= 2;
		if (!(buf = realloc(buf, cap)))
			die("out of memory");
	}
	if (ferror(f))
		die("%s: read error", file);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/*
 * A path from the config as xl finds it: as written (relative to the
 * current directory), else beside the config. NULL if not on this host.
 */
static char *host_path(const char *path, const char *cfg_file)
{
	const char *slash = strrchr(cfg_file, '/');
	struct stat st;
	char *p;

	if (!stat(path, &st) && S_ISREG(st.st_mode))
		return strdup(path);
	if (path[0] == '/' || !slash)
		return NULL;
	if (asprintf(&p, "%.*s/%s", (int)(slash - cfg_file), cfg_file, path) <
	    0)
		die("out of memory");
	if (!stat(p, &st) && S_ISREG(st.st_mode))
		return p;
	free(p);
	return NULL;
}

/* True if path is a Linux bzImage (the boot protocol's "HdrS"). */
static bool is_bzimage(const char *path)
{
	char magic[4];
	FILE *f = fopen(path, "rb");
	bool yes = f && !fseek(f, 0x202, SEEK_SET) &&
		   fread(magic, 1, 4, f) == 4 && !memcmp(magic, "HdrS", 4);

	if (f)
		fclose(f);
	return yes;
}

/*
 * As Xen's xl does, accept a bzImage as the kernel: unpack its ELF with
 * bzimage2elf (beside this program) into a temporary file to send.
 */
static char *unpack_bzimage(const char *path)
{
	char self[4096], *dir, *cmd, *tmp;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int fd;

	if (n <= 0)
		die("cannot find bzimage2elf: /proc/self/exe unreadable");
	self[n] = '\0';
	dir = strrchr(self, '/');
	*dir = '\0';
	tmp = strdup("/tmp/xl-vmlinux-XXXXXX");
	fd = mkstemp(tmp);
	if (fd < 0)
		die("cannot make a temporary file: %s", strerror(errno));
	close(fd);
	if (asprintf(&cmd, "'%s/bzimage2elf' '%s' '%s'", self, path, tmp) < 0)
		die("out of memory");
	if (system(cmd) != 0) {
		unlink(tmp);
		die("%s: cannot unpack this bzImage", path);
	}
	free(cmd);
	return tmp;
}

/* Send the file a config names, if it is on this host; its new name. */
static bool send_named_file(const char *key, const char *path,
			    const char *cfg_file, char *stored, size_t n)
{
	char *hp = host_path(path, cfg_file);
	const char *base;

	if (!hp) {
		fprintf(stderr,
			"xl: %s \"%s\" is not a file on this host: domain 0 "
			"looks for it in its file store and boot bundle\n",
			key, path);
		return false;
	}
	base = strrchr(hp, '/') ? strrchr(hp, '/') + 1 : hp;
	if (strlen(base) > 63 || strchr(base, ' ') || strchr(base, '"'))
		die("%s: the file name must be a plain name of at most 63 "
		    "characters",
		    hp);
	snprintf(stored, n, "%s", base);
	if (!strcmp(key, "kernel") && is_bzimage(hp)) {
		char *elf = unpack_bzimage(hp);
		snprintf(stored, n, "%.58s.elf", base);
		if (put_file(elf, stored, true))
			die("could not send %s %s to domain 0", key, hp);
		unlink(elf);
		free(elf);
		free(hp);
		return true;
	}
	if (put_file(hp, stored, true))
		die("could not send %s %s to domain 0", key, hp);
	free(hp);
	return true;
}

/*
 * `xl create FILE [KEY=VALUE...]` with FILE on this host: check the
 * config here (errors with line numbers, before anything moves), send
 * the kernel and ramdisk it names into domain 0's file store, then the
 * config itself, with kernel= and ramdisk= pointing at the sent files
 * (extra lines at its end, so line numbers stay the file's). A FILE that
 * is not on this host names one in domain 0 (file store or boot bundle).
 */
static int cmd_create(int argc, char **argv)
{
	static struct xl_config cfg;
	char err[256], kname[64], rname[64];
	bool console = false;
	struct stat st;
	const char *file;
	char *text, *full;
	size_t len;
	int first = 2, status;

	if (argc > 2 && !strcmp(argv[2], "-c")) {
		console = true;
		first = 3;
	}
	if (argc <= first) {
		fprintf(stderr, "usage: xl create [-c] FILE [KEY=VALUE...]\n");
		return 2;
	}
	file = argv[first];
	if (stat(file, &st) || !S_ISREG(st.st_mode)) {
		if (console)
			die("-c needs a config file on this host");
		return cmd_generic(argc, argv);
	}
	text = slurp(file, &len);
	for (int i = first + 1; i < argc; i++) {
		if (!strchr(argv[i], '='))
			die("%s: expected KEY=VALUE", argv[i]);
		if (asprintf(&full, "%s%s%s\n", text,
			     len && text[len - 1] != '\n' ? "\n" : "",
			     argv[i]) < 0)
			die("out of memory");
		free(text);
		text = full;
		len = strlen(text);
	}
	printf("Parsing config from %s\n", file);
	if (xlcfg_parse(text, len, &cfg, err, sizeof(err))) {
		fprintf(stderr, "xl: %s: %s\n", file, err);
		return 1;
	}
	if (send_named_file("kernel", cfg.kernel, file, kname, sizeof(kname))) {
		if (asprintf(&full, "%s%skernel = \"%s\"\n", text,
			     len && text[len - 1] != '\n' ? "\n" : "",
			     kname) < 0)
			die("out of memory");
		free(text);
		text = full;
		len = strlen(text);
	}
	if (cfg.ramdisk[0] && send_named_file("ramdisk", cfg.ramdisk, file,
					      rname, sizeof(rname))) {
		if (asprintf(&full, "%sramdisk = \"%s\"\n", text, rname) < 0)
			die("out of memory");
		free(text);
		text = full;
		len = strlen(text);
	}
	connect_socket();
	handshake();
	send_request("create -", len);
	status = relay_until(CTL_CONTINUE);
	if (status < 0) {
		for (size_t off = 0; off < len; off += CTL_MAX_PAYLOAD) {
			size_t k = len - off < CTL_MAX_PAYLOAD
				       ? len - off
				       : CTL_MAX_PAYLOAD;
			send_frame(CTL_DATA, text + off, (uint32_t)k);
		}
		status = relay_until(0);
	}
	free(text);
	if (status || !console)
		return status;
	close(sock);
	rhead = rtail = 0;
	{
		char *cargv[] = { argv[0], "console", cfg.name, NULL };
		return cmd_console(3, cargv);
	}
}

static void set_raw(void)
{
	struct termios raw;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tty))
		return;
	raw = saved_tty;
	cfmakeraw(&raw);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
	tty_raw = true;
	atexit(restore_tty);
}

/* Relay keys and output until Ctrl-] (or end of input) and the EXIT. */
static int console_loop(void)
{
	static char payload[CTL_MAX_PAYLOAD];
	struct pollfd p[2] = { { sock, POLLIN, 0 },
			       { STDIN_FILENO, POLLIN, 0 } };
	bool detaching = false;
	struct ctl_header h;

	set_raw();
	for (;;) {
		while (rhead != rtail ||
		       (poll(p, detaching ? 1 : 2, -1) > 0 &&
			(p[0].revents & (POLLIN | POLLHUP)))) {
			read_frame(&h, payload);
			if (h.type == CTL_OUT || h.type == CTL_ERR)
				out(stdout, payload, h.len);
			else if (h.type == CTL_EXIT) {
				restore_tty();
				fprintf(stderr, "\nxl: detached\n");
				return 0;
			}
			if (rhead == rtail)
				break;
		}
		if (!detaching && (p[1].revents & (POLLIN | POLLHUP))) {
			char keys[256];
			ssize_t n = read(STDIN_FILENO, keys, sizeof(keys));
			char *end = n > 0
					? memchr(keys, CTRL_RBRACKET, (size_t)n)
					: NULL;
			if (end)
				n = end - keys;
			if (n > 0)
				send_frame(CTL_DATA, keys, (uint32_t)n);
			if (end || n <= 0) {
				send_frame(CTL_DETACH, NULL, 0);
				detaching = true;
			}
		}
		p[0].revents = p[1].revents = 0;
	}
}

static int cmd_console(int argc, char **argv)
{
	char line[64];
	int status;

	if (argc != 3) {
		fprintf(stderr, "usage: xl console DOMID\n");
		return 2;
	}
	snprintf(line, sizeof(line), "console %s", argv[2]);
	connect_socket();
	handshake();
	send_request(line, 0);
	status = relay_until(CTL_ATTACHED);
	if (status >= 0)
		return status;
	return console_loop();
}

static int cmd_generic(int argc, char **argv)
{
	char line[CTL_MAX_CMDLINE] = "";
	size_t n = 0;

	for (int i = 1; i < argc; i++) {
		int k = snprintf(line + n, sizeof(line) - n, "%s%s",
				 i > 1 ? " " : "", argv[i]);
		if (k < 0 || (size_t)k >= sizeof(line) - n)
			die("command line too long");
		n += (size_t)k;
	}
	connect_socket();
	handshake();
	send_request(line, 0);
	return relay_until(0);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: xl COMMAND [ARGS]\n"
		"  info              hypervisor version, CPUs, memory\n"
		"  list [-l]         domains (-l: JSON with target and actual "
		"memory)\n"
		"  dmesg             the hypervisor's log\n"
		"  create [-c] FILE  create a domain from an xl.cfg on this "
		"host (-c: then attach\n"
		"                    to its console)\n"
		"  destroy, shutdown, reboot, pause, unpause DOMAIN\n"
		"  vcpu-list, vcpu-pin, domid, domname, rename\n"
		"  mem-set DOMAIN SIZE, vcpu-set [--ignore-host] DOMAIN N\n"
		"  console DOMAIN    attach to a domain's console (Ctrl-] "
		"detaches)\n"
		"  put FILE [NAME]   copy FILE into domain 0's memory\n"
		"  ls, rm NAME       files in domain 0's memory\n"
		"  help              domain 0's own list of commands\n"
		"The socket is $XENOLITH_CTL, default %s.\n",
		DEFAULT_SOCKET);
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage();
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "put"))
		return cmd_put(argc, argv);
	if (!strcmp(argv[1], "console"))
		return cmd_console(argc, argv);
	if (!strcmp(argv[1], "create"))
		return cmd_create(argc, argv);
	return cmd_generic(argc, argv);
}
