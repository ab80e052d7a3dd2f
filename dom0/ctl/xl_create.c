/*
 * `create FILE [KEY=VALUE...]`: a domain from an xl.cfg. FILE names a
 * file in domain 0's file store or boot bundle, or is "-": the config
 * comes as the request's data (the host's xl sends it so, after sending
 * the kernel and ramdisk the config names). Each KEY=VALUE is one more
 * config line after the file's, as with xl, so it overrides the file
 * (the host's xl rewrites kernel= and ramdisk= this way); line numbers
 * in errors stay those of the file.
 *
 * `cycle [-w] N FILE [KEY=VALUE...]`: create and destroy FILE's domain N
 * times in domain 0, without a round trip to the host each time (the
 * leak test and the benchmark). With -w, each time wait for the guest's
 * first console line "up at <ns>" (tests/guests/tk_guest.c) and report
 * the time from the start of the create to the guest's first
 * instruction, both read on the hypervisor's system time.
 */
#include "errno.h"
#include "files.h"
#include "hvctl.h"
#include "consoled.h"
#include "kernel.h"
#include "toolstack.h"
#include "xlcfg.h"
#include "ctl.h"

#define CONFIG_MAX (64 * 1024)
#define FIRST_LINE_TIMEOUT (10 * SEC)

/* The config text: FILE's, then one line per override; free() it. */
static char *load_config(struct ctl_io *io, const char *cmd, const char *file,
			 int nover, char **over, size_t *len)
{
	struct tk_image img;
	size_t n = 0, size;
	char *text;
	long got;

	if (!strcmp(file, "-")) {
		if (!io->read_data || io->data_len > CONFIG_MAX) {
			io_errorf(io,
				  "%s: -: the config must come as the "
				  "request's data (host xl), at most %u "
				  "bytes\n",
				  cmd, CONFIG_MAX);
			return NULL;
		}
		size = io->data_len;
		img.data = NULL;
	} else {
		int rc = tk_image_get(file, &img);

		if (rc) {
			io_errorf(io, "%s: %s: %s\n", cmd, file,
				  rc == -ENOENT ? "no such file in domain 0's "
						  "file store or boot bundle"
						: strerror(rc));
			return NULL;
		}
		size = img.len;
	}
	for (int i = 0; i < nover; i++)
		size += strlen(over[i]) + 1;
	text = malloc(size + 2);
	if (!text) {
		io_errorf(io, "%s: out of memory\n", cmd);
		if (img.data)
			tk_image_put(&img);
		return NULL;
	}
	if (img.data) {
		memcpy(text, img.data, img.len);
		n = img.len;
		tk_image_put(&img);
	} else {
		while (n < io->data_len) {
			got = io->read_data(io, text + n, io->data_len - n);
			if (got <= 0) {
				io_errorf(io, "%s: the config did not arrive\n",
					  cmd);
				free(text);
				return NULL;
			}
			n += (size_t)got;
		}
	}
	if (n && text[n - 1] != '\n')
		text[n++] = '\n';
	for (int i = 0; i < nover; i++) {
		size_t k = strlen(over[i]);

		memcpy(text + n, over[i], k);
		n += k;
		text[n++] = '\n';
	}
	*len = n;
	return text;
}

/* Parse FILE and the overrides into cfg; false after telling the user. */
static bool read_config(struct ctl_io *io, const char *cmd, const char *file,
			int nover, char **over, struct xl_config *cfg)
{
	char err[160];
	size_t len;
	char *text = load_config(io, cmd, file, nover, over, &len);
	int rc;

	if (!text)
		return false;
	rc = xlcfg_parse(text, len, cfg, err, sizeof(err));
	free(text);
	if (rc) {
		io_errorf(io, "%s: %s: %s\n", cmd, file, err);
		return false;
	}
	return true;
}

int xl_create(struct ctl_io *io, int argc, char **argv)
{
	static struct xl_config cfg;
	uint64_t t0 = pv_now(), ms;
	char err[256];
	uint16_t domid;

	if (argc < 2) {
		io_errorf(io, "usage: create FILE [KEY=VALUE...]\n");
		return CTL_STATUS_USAGE;
	}
	if (strcmp(argv[1], "-")) /* else the host's xl said it */
		io_printf(io, "Parsing config from %s\n", argv[1]);
	if (!read_config(io, "create", argv[1], argc - 2, argv + 2, &cfg))
		return 1;
	if (tk_create(&cfg, &domid, err, sizeof(err))) {
		io_errorf(io, "create: %s\n", err);
		return 1;
	}
	ms = (pv_now() - t0) / MS;
	io_printf(io, "Domain %u (%s) created in %lu.%03lu s\n", domid,
		  cfg.name, (unsigned long)(ms / 1000),
		  (unsigned long)(ms % 1000));
	return 0;
}

/* The guest's "up at <ns>" line in its console output, or 0. */
static uint64_t first_line_time(uint16_t domid)
{
	static char buf[512];
	size_t n = console_history(domid, buf, sizeof(buf) - 1);
	const char *p;
	uint64_t t = 0;

	buf[n] = '\0';
	for (p = buf; *p; p++)
		if (!strncmp(p, "up at ", 6))
			break;
	if (!*p)
		return 0;
	for (p += 6; *p >= '0' && *p <= '9'; p++)
		t = t * 10 + (uint64_t)(*p - '0');
	return t;
}

struct cycle_stats {
	unsigned int done, timed;
	uint64_t sum, min, max; /* create to first instruction, ns */
};

static int one_cycle(struct ctl_io *io, const struct xl_config *cfg,
		     bool wait_first, struct cycle_stats *s)
{
	uint64_t t0 = pv_now(), t = 0, deadline = t0 + FIRST_LINE_TIMEOUT;
	char err[256];
	uint16_t domid;

	if (tk_create(cfg, &domid, err, sizeof(err))) {
		io_errorf(io, "cycle %u: create: %s\n", s->done + 1, err);
		return 1;
	}
	while (wait_first && !(t = first_line_time(domid)) &&
	       pv_now() < deadline)
		thread_sleep(MS / 2);
	if (wait_first && !t) {
		io_errorf(io,
			  "cycle %u: domain %u printed no \"up at\" line "
			  "within %llu s\n",
			  s->done + 1, domid, FIRST_LINE_TIMEOUT / SEC);
	} else if (t) {
		t -= t0;
		s->sum += t;
		s->min = s->timed && s->min < t ? s->min : t;
		s->max = s->max > t ? s->max : t;
		s->timed++;
	}
	if (tk_destroy(domid, err, sizeof(err))) {
		io_errorf(io, "cycle %u: destroy: %s\n", s->done + 1, err);
		return 1;
	}
	s->done++;
	thread_yield(); /* let the other services keep up */
	return 0;
}

int xl_cycle(struct ctl_io *io, int argc, char **argv)
{
	static struct xl_config cfg;
	struct xen_sysctl_physinfo before = { 0 }, after = { 0 };
	struct cycle_stats s = { 0 };
	bool wait_first = argc > 1 && !strcmp(argv[1], "-w");
	unsigned long n = 0;
	uint64_t t0, ns;
	int first = wait_first ? 2 : 1;

	if (argc < first + 2) {
		io_errorf(io, "usage: cycle [-w] N FILE [KEY=VALUE...]\n");
		return CTL_STATUS_USAGE;
	}
	for (const char *p = argv[first]; *p && n <= 100000; p++)
		n = *p >= '0' && *p <= '9' ? n * 10 + (unsigned long)(*p - '0')
					   : 100001;
	if (!n || n > 100000) {
		io_errorf(io, "cycle: N must be 1 to 100000\n");
		return CTL_STATUS_USAGE;
	}
	if (!read_config(io, "cycle", argv[first + 1], argc - first - 2,
			 argv + first + 2, &cfg))
		return 1;
	hv_physinfo(&before);
	t0 = pv_now();
	while (s.done < n)
		if (one_cycle(io, &cfg, wait_first, &s))
			break;
	ns = pv_now() - t0;
	hv_physinfo(&after);
	io_printf(io,
		  "cycle: %u create+destroy cycles in %lu.%03lu s: %lu.%01lu "
		  "per second\n",
		  s.done, (unsigned long)(ns / SEC),
		  (unsigned long)(ns / MS % 1000),
		  ns ? (unsigned long)(s.done * SEC / ns) : 0,
		  ns ? (unsigned long)(s.done * SEC * 10 / ns % 10) : 0);
	/* The leak check: every frame of every domain is back. */
	io_printf(io, "cycle: free frames %lu before, %lu after\n",
		  before.free_pages, after.free_pages);
	if (s.timed)
		io_printf(io,
			  "cycle: create to first instruction: avg %lu us, "
			  "min %lu us, max %lu us (%u samples)\n",
			  (unsigned long)(s.sum / s.timed / 1000),
			  (unsigned long)(s.min / 1000),
			  (unsigned long)(s.max / 1000), s.timed);
	return s.done == n ? 0 : 1;
}
