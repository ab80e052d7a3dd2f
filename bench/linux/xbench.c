// SPDX-License-Identifier: MIT
/*
 * xbench: an lmbench-style benchmark suite for Linux user space, run
 * natively, as a PV guest on Xenolith and as domain 0 on Xen 4.17, so
 * that the three can be compared row by row. Written from scratch; only
 * the definitions of what lmbench measures were borrowed.
 *
 * Build: gcc -std=gnu11 -O2 -static -pthread -Wall -Wextra -Werror
 *
 * Usage: xbench [-r REPS] [-t SECONDS] [-d DIR] [--quick] [METRIC ...]
 *        xbench --list      metric names, units and groups
 *        xbench --exit      exit at once (the exec target of fork_exec)
 *   -r REPS     repeated measurements per metric (default 5)
 *   -t SECONDS  time budget per metric, all repetitions together
 *               (default 1.0); iteration counts are chosen to fit it
 *   -d DIR      scratch directory (default /tmp); a fresh subdirectory
 *               is made there and removed at the end
 *   --quick     3 repetitions, 0.15 s per metric, macro workloads 1/4
 *   METRIC      a metric name, a group name (null_io, ctx, file, macro,
 *               ...) or a shell pattern (ctx_16p_*); default: all
 *   XBENCH_SH   environment: the shell for fork_sh and build (default
 *               /bin/busybox if present, else /bin/sh); run as "sh -c"
 *
 * OUTPUT FORMAT (stdout; one line per metric, in the order of --list):
 *
 *   XBENCH <metric> <median> <min> <max> <unit> <reps>
 *   ...
 *   XBENCH done
 *
 * fields separated by one space; numbers in plain decimal notation;
 * <unit> is "us" (microseconds per operation, lower is better), "s"
 * (seconds per run, lower is better) or "ops/s" (higher is better);
 * <reps> is the number of measurements the median, min and max are taken
 * over. Lines starting with "#" are informational (settings, batch
 * sizes, elapsed times, the cpu_int checksum). A metric that fails
 * prints "# xbench: <metric>: ..." on stderr and no XBENCH line; the exit
 * status is then 1.
 *
 * METRICS (every per-operation figure is the time of a batch of N
 * operations divided by N; N is chosen so that one batch takes about
 * budget / (reps + 1), after one calibration batch that is not reported):
 *
 *   null_syscall    getppid() by syscall(2)
 *   null_read       read of 1 byte from /dev/zero
 *   null_write      write of 1 byte to /dev/null
 *   stat            stat() of a file in the scratch directory
 *   open_close      open(O_RDONLY) + close() of that file
 *   select_100      select() with a zero timeout on 100 descriptors (all
 *                   /dev/null, so all are ready)
 *   sig_install     sigaction() installing a handler for SIGUSR1
 *   sig_catch       kill(getpid(), SIGUSR1) and the handler's run
 *   fork_exit       fork(); the child _exit(0)s; the parent waitpid()s
 *   fork_exec       fork(); the child execs "xbench --exit"; waitpid()
 *   fork_sh         fork(); the child execs "sh -c true" (XBENCH_SH)
 *   ctx_<P>p_<K>k   P processes (2, 8, 16) in a ring of pipes pass a
 *                   4-byte token; at each hop the receiver sums its own
 *                   K KiB working set (0, 16, 64) before passing it on.
 *                   All ring processes are pinned to one CPU. Reported
 *                   per hop: one context switch plus one pipe read and
 *                   write plus the working-set pass (no overhead is
 *                   subtracted, unlike lmbench's lat_ctx).
 *   file_create_<K>k  per file: open(O_CREAT|O_EXCL) + write K KiB (0, 10)
 *                   + close, in a fresh directory of the scratch dir
 *   file_delete_<K>k  per file: unlink() of such files
 *   mmap_64m        per run: mmap of a 64 MiB anonymous private region
 *                   (MADV_NOHUGEPAGE), a write to one byte of every
 *                   64 KiB (1024 pages faulted in, and the 32 page-table
 *                   pages under them), munmap. Sparse so that one run
 *                   stays well under a second under TCG on every system;
 *                   page_fault gives the cost of each further page.
 *   prot_fault      per fault: mprotect(PROT_READ) of a page, a write
 *                   to it, SIGSEGV, the handler mprotect()s it writable
 *                   and returns, the write completes
 *   page_fault      per page: first write to a page of a fresh
 *                   anonymous mapping (MADV_NOHUGEPAGE; mmap and munmap
 *                   not timed)
 *   cpu_int         seconds for a fixed integer workload (SPEC INT's
 *                   role): LZ77-style compression and decompression of
 *                   a generated 256 KiB text, a quicksort of 128 Ki
 *                   32-bit numbers, word counting in a hash table;
 *                   no system calls in the timed part
 *   build           seconds for a fixed build-like shell script (a Linux
 *                   build's role): 8 "source files", each through a
 *                   pipeline of tr | sort | uniq -c | sort -rn | head,
 *                   plus wc, cat and a final sort, under "sh -c"
 *   kv              ops/s of an in-memory key-value store (OSDB's
 *                   role): hash table, skip-list ordered index and a
 *                   write-ahead log on the scratch directory (write(2)
 *                   every 16 updates); 70% get, 20% put, 10% scans of 16
 *
 * Macro workloads run a fixed amount of work per measurement (so results
 * are comparable between systems) and ignore the time budget.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096

static int reps = 5;
static double budget = 1.0;
static int quick;
static const char *scratch_base = "/tmp";
static char scratch[256];
static char self_path[512];
static const char *shell_path;
static char stat_file[300];
static int failed;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void fail(const char *metric, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "# xbench: %s: ", metric);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	failed = 1;
}

/* A failure inside a timed loop: report it and give up on the metric. */
#define CHECK(cond, m)                                                      \
	do {                                                                \
		if (!(cond)) {                                              \
			fail((m)->name, "%s failed: %s", #cond,             \
			     strerror(errno));                              \
			return -1;                                          \
		}                                                           \
	} while (0)

struct metric;
typedef double (*bench_fn)(const struct metric *m, long n);

enum kind { PER_OP, FIXED };

struct metric {
	const char *name;
	const char *group;
	const char *unit;
	enum kind kind;
	bench_fn fn; /* PER_OP: seconds for n ops; FIXED: the value (n=0) */
	int (*setup)(const struct metric *m); /* optional; 0 = ok */
	void (*teardown)(const struct metric *m); /* optional */
	long a, b; /* parameters */
	long cap; /* most operations in one batch */
};

/* ---- simple system calls ---------------------------------------------- */

static double b_null_syscall(const struct metric *m, long n)
{
	double t = now();

	(void)m;
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	return now() - t;
}

static double b_null_io(const struct metric *m, long n)
{
	int wr = m->a;
	int fd = open(wr ? "/dev/null" : "/dev/zero", wr ? O_WRONLY : O_RDONLY);
	char c = 0;
	double t;

	CHECK(fd >= 0, m);
	t = now();
	for (long i = 0; i < n; i++) {
		if ((wr ? write(fd, &c, 1) : read(fd, &c, 1)) != 1) {
			close(fd);
			CHECK(0, m);
		}
	}
	t = now() - t;
	close(fd);
	return t;
}

static double b_stat(const struct metric *m, long n)
{
	struct stat st;
	double t = now();

	for (long i = 0; i < n; i++)
		CHECK(stat(stat_file, &st) == 0, m);
	return now() - t;
}

static double b_open_close(const struct metric *m, long n)
{
	double t = now();

	for (long i = 0; i < n; i++) {
		int fd = open(stat_file, O_RDONLY);

		CHECK(fd >= 0, m);
		close(fd);
	}
	return now() - t;
}

static int sel_fds[100], sel_n, sel_max;
static fd_set sel_set;

static void sel_teardown(const struct metric *m)
{
	(void)m;
	while (sel_n > 0)
		close(sel_fds[--sel_n]);
}

static int sel_setup(const struct metric *m)
{
	FD_ZERO(&sel_set);
	sel_max = 0;
	for (sel_n = 0; sel_n < m->a; sel_n++) {
		int fd = open("/dev/null", O_RDONLY);

		if (fd < 0 || fd >= FD_SETSIZE) {
			if (fd >= 0)
				close(fd);
			sel_teardown(m);
			return -1;
		}
		sel_fds[sel_n] = fd;
		FD_SET(fd, &sel_set);
		if (fd > sel_max)
			sel_max = fd;
	}
	return 0;
}

static double b_select(const struct metric *m, long n)
{
	double t = now();

	for (long i = 0; i < n; i++) {
		struct timeval tv = { 0, 0 };
		fd_set rd = sel_set;

		CHECK(select(sel_max + 1, &rd, NULL, NULL, &tv) == m->a, m);
	}
	return now() - t;
}

/* ---- signals ------------------------------------------------------------ */

static volatile sig_atomic_t caught;

static void on_usr1(int sig)
{
	(void)sig;
	caught++;
}

static double b_sig_install(const struct metric *m, long n)
{
	struct sigaction sa, old;
	double t;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	t = now();
	for (long i = 0; i < n; i++)
		CHECK(sigaction(SIGUSR1, &sa, &old) == 0, m);
	return now() - t;
}

static double b_sig_catch(const struct metric *m, long n)
{
	struct sigaction sa;
	pid_t me = getpid();
	double t;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0, m);
	caught = 0;
	t = now();
	for (long i = 0; i < n; i++)
		kill(me, SIGUSR1);
	t = now() - t;
	CHECK(caught == n, m);
	return t;
}

/* ---- processes ---------------------------------------------------------- */

static int wait_ok(pid_t pid)
{
	int st;

	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	       WEXITSTATUS(st) == 0;
}

static double b_fork(const struct metric *m, long n)
{
	double t;

	fflush(NULL);
	t = now();
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			if (m->a == 1)
				execl(self_path, "xbench", "--exit", (char *)NULL);
			else if (m->a == 2)
				execl(shell_path, "sh", "-c", "true", (char *)NULL);
			_exit(m->a ? 127 : 0);
		}
		CHECK(wait_ok(pid), m);
	}
	return now() - t;
}

/* ---- context switches: a token ring through pipes ----------------------- */

static long touch_ws(volatile long *ws, long words)
{
	long sum = 0;

	for (long i = 0; i < words; i++)
		sum += ws[i];
	return sum;
}

static volatile long ws_sink;

static void ring_member(int in, int out, long words)
{
	long *ws = NULL;
	int tok;

	if (words) {
		ws = malloc(words * sizeof(long));
		if (!ws)
			_exit(1);
		for (long i = 0; i < words; i++)
			ws[i] = i;
	}
	for (;;) {
		if (read(in, &tok, sizeof(tok)) != sizeof(tok))
			_exit(1);
		if (tok >= 0 && words)
			ws_sink += touch_ws(ws, words);
		if (write(out, &tok, sizeof(tok)) != sizeof(tok))
			_exit(1);
		if (tok < 0)
			_exit(0);
	}
}

static int ring[16][2], ring_np;
static pid_t ring_pids[16];
static long *ring_ws, ring_words;

static void ctx_teardown(const struct metric *m)
{
	cpu_set_t cpus;
	int tok = -1, i;

	(void)m;
	if (ring_np > 1) {
		/* Ends the ring: each member passes -1 on and exits. */
		if (write(ring[0][1], &tok, sizeof(tok)) == sizeof(tok))
			while (read(ring[ring_np - 1][0], &tok, sizeof(tok)) ==
				       sizeof(tok) &&
			       tok >= 0)
				;
	}
	for (i = 1; i < ring_np; i++)
		if (ring_pids[i] > 0)
			waitpid(ring_pids[i], NULL, 0);
	for (i = 0; i < ring_np; i++) {
		if (ring[i][0] >= 0)
			close(ring[i][0]);
		if (ring[i][1] >= 0)
			close(ring[i][1]);
	}
	ring_np = 0;
	free(ring_ws);
	ring_ws = NULL;
	CPU_ZERO(&cpus);
	for (i = 0; i < CPU_SETSIZE; i++)
		CPU_SET(i, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
}

static int ctx_setup(const struct metric *m)
{
	int np = m->a, i, cpu = sched_getcpu();
	cpu_set_t cpus;

	/* Every ring member on one CPU: this measures switches, not
	 * wakeups across CPUs. Children inherit the affinity. */
	CPU_ZERO(&cpus);
	CPU_SET(cpu >= 0 ? cpu : 0, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	ring_words = m->b * 1024 / sizeof(long);
	ring_np = 0;
	memset(ring_pids, 0, sizeof(ring_pids));
	for (i = 0; i < np; i++) {
		if (pipe(ring[i]))
			goto fail;
		ring_np++;
	}
	fflush(NULL);
	/* Process i reads ring[i-1] and writes ring[i]; this one is 0. */
	for (i = 1; i < np; i++) {
		ring_pids[i] = fork();
		if (ring_pids[i] == 0) {
			for (int j = 0; j < np; j++) {
				if (j != i - 1)
					close(ring[j][0]);
				if (j != i)
					close(ring[j][1]);
			}
			ring_member(ring[i - 1][0], ring[i][1], ring_words);
		}
		if (ring_pids[i] < 0)
			goto fail;
	}
	/* Keep only the ends process 0 uses, so that a member's death
	 * shows as end of file rather than a hang. */
	for (i = 0; i < np; i++) {
		if (i != 0) {
			close(ring[i][1]);
			ring[i][1] = -1;
		}
		if (i != np - 1) {
			close(ring[i][0]);
			ring[i][0] = -1;
		}
	}
	if (ring_words) {
		ring_ws = malloc(ring_words * sizeof(long));
		if (!ring_ws)
			goto fail;
		for (long j = 0; j < ring_words; j++)
			ring_ws[j] = j;
	}
	return 0;
fail:
	ctx_teardown(m);
	return -1;
}

static double b_ctx(const struct metric *m, long n)
{
	int np = m->a, tok = 0;
	long rounds = n / np > 0 ? n / np : 1;
	double t = now();

	for (long r = 0; r < rounds; r++) {
		if (ring_words)
			ws_sink += touch_ws(ring_ws, ring_words);
		CHECK(write(ring[0][1], &tok, sizeof(tok)) == sizeof(tok), m);
		CHECK(read(ring[np - 1][0], &tok, sizeof(tok)) == sizeof(tok),
		      m);
	}
	t = now() - t;
	return t * n / (rounds * np);
}

/* ---- file create and delete --------------------------------------------- */

static int fs_seq;

static double b_file(const struct metric *m, long n)
{
	int del = m->a, kb = m->b;
	char dir[320], path[340];
	static char data[10 * 1024];
	double t, tc = 0, td = 0;
	long i;

	snprintf(dir, sizeof(dir), "%s/fs%d", scratch, fs_seq++);
	CHECK(mkdir(dir, 0755) == 0, m);
	t = now();
	for (i = 0; i < n; i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/%ld", dir, i);
		fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
		CHECK(fd >= 0, m);
		if (kb)
			CHECK(write(fd, data, kb * 1024) == kb * 1024, m);
		close(fd);
	}
	tc = now() - t;
	t = now();
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%ld", dir, i);
		CHECK(unlink(path) == 0, m);
	}
	td = now() - t;
	CHECK(rmdir(dir) == 0, m);
	return del ? td : tc;
}

/* ---- memory ------------------------------------------------------------- */

static void *anon_map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	/* Xen PV guests have no huge pages; keep native comparable. */
	madvise(p, len, MADV_NOHUGEPAGE);
	return p;
}

static double b_mmap(const struct metric *m, long n)
{
	size_t len = (size_t)m->a << 20;
	double t = now();

	for (long i = 0; i < n; i++) {
		volatile char *p = anon_map(len);

		CHECK(p != NULL, m);
		for (size_t off = 0; off < len; off += m->b << 10)
			p[off] = 1;
		CHECK(munmap((void *)p, len) == 0, m);
	}
	return now() - t;
}

static double b_page_fault(const struct metric *m, long n)
{
	const long chunk = 4096; /* pages per mapping: 16 MiB */
	double t = 0;

	for (long done = 0; done < n; done += chunk) {
		long pages = n - done < chunk ? n - done : chunk;
		volatile char *p = anon_map(pages * PAGE);
		double t0;

		CHECK(p != NULL, m);
		t0 = now();
		for (long i = 0; i < pages; i++)
			p[i * PAGE] = 1;
		t += now() - t0;
		munmap((void *)p, pages * PAGE);
	}
	return t;
}

static char *prot_page;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if ((char *)si->si_addr != prot_page)
		abort();
	mprotect(prot_page, PAGE, PROT_READ | PROT_WRITE);
	caught++;
}

static double b_prot_fault(const struct metric *m, long n)
{
	struct sigaction sa, old;
	double t;

	prot_page = anon_map(PAGE);
	CHECK(prot_page != NULL, m);
	prot_page[0] = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGSEGV, &sa, &old) == 0, m);
	caught = 0;
	t = now();
	for (long i = 0; i < n; i++) {
		mprotect(prot_page, PAGE, PROT_READ);
		*(volatile char *)prot_page = (char)i;
	}
	t = now() - t;
	sigaction(SIGSEGV, &old, NULL);
	munmap(prot_page, PAGE);
	CHECK(caught == n, m);
	return t;
}

/* ---- macro: CPU-bound integer work -------------------------------------- */

static uint64_t rng_state;

static uint32_t rng(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return (uint32_t)(x >> 16);
}

static const char *const words[] = {
	"the",	   "guest",   "kernel", "page",	  "table", "hypercall", "event",
	"channel", "grant",   "domain", "memory", "xen",   "virtual",	"machine",
	"of",	   "and",     "a",	"to",	  "in",	   "is",	"native",
	"linux",   "process", "fork",	"exec",	  "pipe",  "signal",	"trap",
};
#define NWORDS (sizeof(words) / sizeof(words[0]))

static size_t gen_text(char *buf, size_t len)
{
	size_t pos = 0;

	while (pos + 16 < len) {
		const char *w = words[rng() % NWORDS];
		size_t l = strlen(w);

		memcpy(buf + pos, w, l);
		pos += l;
		buf[pos++] = rng() % 13 ? ' ' : '\n';
		if (rng() % 17 == 0)
			pos += snprintf(buf + pos, 8, "%u ", rng() % 1000);
	}
	return pos;
}

/* LZ77 with a 4-byte hash. A token is a literal count (0-255), the
 * literals, a match length (0 or 4-255) and, for a match, a 16-bit
 * backwards offset. Returns the compressed size. */
static size_t lz_emit(uint8_t *out, const uint8_t *lits, size_t lit,
		      size_t ml, size_t off)
{
	size_t op = 0;

	out[op++] = lit;
	memcpy(out + op, lits, lit);
	op += lit;
	out[op++] = ml;
	if (ml) {
		out[op++] = off & 0xff;
		out[op++] = off >> 8;
	}
	return op;
}

static size_t lz_compress(const uint8_t *in, size_t len, uint8_t *out,
			  uint32_t *head)
{
	size_t ip = 0, op = 0, lit = 0;

	memset(head, 0xff, sizeof(uint32_t) << 14);
	while (ip + 4 <= len) {
		uint32_t v, h, cand;
		size_t ml = 0;

		memcpy(&v, in + ip, 4);
		h = (v * 2654435761u) >> 18;
		cand = head[h];
		head[h] = ip;
		if (cand < ip && ip - cand < 65536)
			while (ip + ml < len && ml < 255 &&
			       in[cand + ml] == in[ip + ml])
				ml++;
		if (ml >= 4) {
			op += lz_emit(out + op, in + ip - lit, lit, ml,
				      ip - cand);
			lit = 0;
			ip += ml;
		} else {
			ip++;
			if (++lit == 255) {
				op += lz_emit(out + op, in + ip - lit, lit, 0,
					      0);
				lit = 0;
			}
		}
	}
	lit += len - ip;
	while (lit) {
		size_t k = lit < 255 ? lit : 255;

		op += lz_emit(out + op, in + len - lit, k, 0, 0);
		lit -= k;
	}
	return op;
}

static size_t lz_decompress(const uint8_t *in, size_t len, uint8_t *out)
{
	size_t ip = 0, op = 0;

	while (ip < len) {
		size_t lit = in[ip++], ml;

		memcpy(out + op, in + ip, lit);
		ip += lit;
		op += lit;
		ml = in[ip++];
		if (ml) {
			size_t off = in[ip] | in[ip + 1] << 8;

			ip += 2;
			for (size_t k = 0; k < ml; k++, op++)
				out[op] = out[op - off];
		}
	}
	return op;
}

static void qsort_u32(uint32_t *a, long lo, long hi)
{
	while (hi - lo > 16) {
		uint32_t x = a[lo + (hi - lo) / 2], t;
		long i = lo, j = hi;

		while (i <= j) {
			while (a[i] < x)
				i++;
			while (a[j] > x)
				j--;
			if (i <= j) {
				t = a[i];
				a[i++] = a[j];
				a[j--] = t;
			}
		}
		if (j - lo < hi - i) {
			qsort_u32(a, lo, j);
			lo = i;
		} else {
			qsort_u32(a, i, hi);
			hi = j;
		}
	}
	for (long i = lo + 1; i <= hi; i++) {
		uint32_t v = a[i];
		long j = i - 1;

		while (j >= lo && a[j] > v) {
			a[j + 1] = a[j];
			j--;
		}
		a[j + 1] = v;
	}
}

static uint64_t word_count(const char *buf, size_t len, uint32_t *keys,
			   uint32_t *counts, uint32_t slots)
{
	uint64_t sum = 0;
	size_t i = 0;

	memset(keys, 0, slots * sizeof(uint32_t));
	memset(counts, 0, slots * sizeof(uint32_t));
	while (i < len) {
		uint32_t h = 2166136261u;

		while (i < len && (buf[i] == ' ' || buf[i] == '\n'))
			i++;
		while (i < len && buf[i] != ' ' && buf[i] != '\n')
			h = (h ^ (uint8_t)buf[i++]) * 16777619u;
		h |= 1;
		for (uint32_t s = h & (slots - 1);; s = (s + 1) & (slots - 1)) {
			if (keys[s] == h || keys[s] == 0) {
				keys[s] = h;
				counts[s]++;
				break;
			}
		}
	}
	for (uint32_t s = 0; s < slots; s++)
		sum = sum * 31 + counts[s] * (uint64_t)keys[s];
	return sum;
}

static uint64_t cpu_checksum;

static double b_cpu_int(const struct metric *m, long n)
{
	size_t tlen = quick ? 64 << 10 : 256 << 10;
	long nsort = quick ? 32 << 10 : 128 << 10;
	int rounds = quick ? 2 : 12;
	char *text = malloc(tlen);
	uint8_t *comp = malloc(tlen * 2 + 64), *back = malloc(tlen + 64);
	uint32_t *head = malloc(sizeof(uint32_t) << 14);
	uint32_t *arr = malloc(nsort * sizeof(uint32_t));
	uint32_t *keys = malloc(4096 * 4), *counts = malloc(4096 * 4);
	uint64_t sum = 0;
	double t;
	int ok = text && comp && back && head && arr && keys && counts;

	(void)n;
	if (ok) {
		t = now();
		rng_state = 88172645463325252ull;
		for (int r = 0; r < rounds && ok; r++) {
			size_t len = gen_text(text, tlen), clen, dlen;

			clen = lz_compress((uint8_t *)text, len, comp, head);
			dlen = lz_decompress(comp, clen, back);
			ok = dlen == len && memcmp(back, text, len) == 0;
			sum = sum * 131 + clen;
			for (long i = 0; i < nsort; i++)
				arr[i] = rng();
			qsort_u32(arr, 0, nsort - 1);
			for (long i = 1; i < nsort; i++)
				ok &= arr[i - 1] <= arr[i];
			sum = sum * 131 + arr[nsort / 2];
			sum = sum * 131 + word_count(text, len, keys, counts, 4096);
		}
		t = now() - t;
	}
	free(text);
	free(comp);
	free(back);
	free(head);
	free(arr);
	free(keys);
	free(counts);
	if (!ok) {
		fail(m->name, "self-check failed (compression or sort)");
		return -1;
	}
	cpu_checksum = sum;
	return t;
}

/* ---- macro: a build-like shell script ----------------------------------- */

static const char build_script[] =
	"set -e\n"
	"cd \"$1\"\n"
	"for f in src*.c; do\n"
	"  tr a-z A-Z < $f | sort | uniq -c | sort -rn | head -5 > ${f%.c}.o\n"
	"  wc -l < $f >> ${f%.c}.o\n"
	"done\n"
	"cat *.o | sort > all.txt\n"
	"wc -l all.txt > result\n";

static int build_seq;

static double b_build(const struct metric *m, long n)
{
	int nfiles = quick ? 3 : 8;
	char dir[320], path[400];
	static char text[4096];
	double t;
	pid_t pid;
	int ok;

	(void)n;
	snprintf(dir, sizeof(dir), "%s/build%d", scratch, build_seq++);
	CHECK(mkdir(dir, 0755) == 0, m);
	rng_state = 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < nfiles; i++) {
		size_t len = gen_text(text, sizeof(text));
		FILE *f;

		snprintf(path, sizeof(path), "%s/src%02d.c", dir, i);
		f = fopen(path, "w");
		CHECK(f != NULL, m);
		for (char *c = text; c < text + len; c++)
			if (*c == ' ')
				*c = '\n';
		fwrite(text, 1, len, f);
		fclose(f);
	}
	fflush(NULL);
	t = now();
	pid = fork();
	if (pid == 0) {
		execl(shell_path, "sh", "-c", build_script, "sh", dir,
		      (char *)NULL);
		_exit(127);
	}
	ok = wait_ok(pid);
	t = now() - t;
	snprintf(path, sizeof(path), "%s/result", dir);
	CHECK(ok && access(path, R_OK) == 0, m);
	return t;
}

/* ---- macro: an in-memory key-value store with a log --------------------- */

#define KV_VAL 64
#define KV_SLOTS (1 << 16)
#define SL_LEVELS 16

struct sl_node {
	uint64_t key;
	uint32_t val;
	int level;
	struct sl_node *next[];
};

struct kv {
	uint64_t *hkeys;
	uint32_t *hvals; /* index into vals, +1 (0 = empty) */
	uint8_t (*vals)[KV_VAL];
	uint32_t nvals;
	struct sl_node *head;
	char *log;
	size_t loglen;
	int logfd;
	size_t logsize;
};

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

static uint32_t *kv_slot(struct kv *kv, uint64_t key)
{
	uint32_t s = mix64(key) & (KV_SLOTS - 1);

	while (kv->hvals[s] && kv->hkeys[s] != key)
		s = (s + 1) & (KV_SLOTS - 1);
	kv->hkeys[s] = key;
	return &kv->hvals[s];
}

static void sl_insert(struct kv *kv, uint64_t key, uint32_t val)
{
	struct sl_node *update[SL_LEVELS], *x = kv->head, *nn;
	int lvl = 1;

	for (int l = SL_LEVELS - 1; l >= 0; l--) {
		while (x->next[l] && x->next[l]->key < key)
			x = x->next[l];
		update[l] = x;
	}
	while (lvl < SL_LEVELS && (rng() & 3) == 0)
		lvl++;
	nn = malloc(sizeof(*nn) + lvl * sizeof(nn->next[0]));
	if (!nn)
		abort();
	nn->key = key;
	nn->val = val;
	nn->level = lvl;
	for (int l = 0; l < lvl; l++) {
		nn->next[l] = update[l]->next[l];
		update[l]->next[l] = nn;
	}
}

static int kv_log(struct kv *kv, uint64_t key, const uint8_t *val, int commit)
{
	memcpy(kv->log + kv->loglen, &key, 8);
	memcpy(kv->log + kv->loglen + 8, val, KV_VAL);
	kv->loglen += 8 + KV_VAL;
	if (!commit)
		return 0;
	if (write(kv->logfd, kv->log, kv->loglen) != (ssize_t)kv->loglen)
		return -1;
	kv->logsize += kv->loglen;
	kv->loglen = 0;
	if (kv->logsize > (4 << 20)) { /* checkpoint: start a new log */
		if (ftruncate(kv->logfd, 0) || lseek(kv->logfd, 0, SEEK_SET))
			return -1;
		kv->logsize = 0;
	}
	return 0;
}

static int kv_put(struct kv *kv, uint64_t key, uint32_t seed, int commit)
{
	uint32_t *slot = kv_slot(kv, key);
	uint8_t *v;

	if (!*slot) {
		*slot = ++kv->nvals;
		sl_insert(kv, key, *slot);
	}
	v = kv->vals[*slot - 1];
	for (int i = 0; i < KV_VAL; i++)
		v[i] = seed + i * 7;
	return kv_log(kv, key, v, commit);
}

static double b_kv(const struct metric *m, long n)
{
	long preload = quick ? 5000 : 20000, ops = quick ? 25000 : 100000;
	long maxkeys = preload + ops;
	struct kv kv;
	char path[320];
	uint64_t sum = 0;
	long nkeys = preload, puts = 0;
	double t = 0;
	int ok = 1;

	(void)n;
	memset(&kv, 0, sizeof(kv));
	kv.hkeys = calloc(KV_SLOTS, sizeof(uint64_t));
	kv.hvals = calloc(KV_SLOTS, sizeof(uint32_t));
	kv.vals = malloc(maxkeys * KV_VAL);
	kv.head = calloc(1, sizeof(struct sl_node) +
				   SL_LEVELS * sizeof(struct sl_node *));
	kv.log = malloc(64 * (8 + KV_VAL));
	snprintf(path, sizeof(path), "%s/kv.log", scratch);
	kv.logfd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (!kv.hkeys || !kv.hvals || !kv.vals || !kv.head || !kv.log ||
	    kv.logfd < 0) {
		ok = 0;
		goto out;
	}
	rng_state = 0x2545f4914f6cdd1dull;
	for (long i = 0; i < preload && ok; i++)
		ok = kv_put(&kv, mix64(i), i, (i & 15) == 15) == 0;
	t = now();
	for (long i = 0; i < ops && ok; i++) {
		uint32_t r = rng() % 100;

		if (r < 70) { /* get */
			uint32_t *slot = kv_slot(&kv, mix64(rng() % nkeys));

			ok = *slot != 0;
			sum += kv.vals[*slot - 1][r % KV_VAL];
		} else if (r < 90) { /* put: update or insert */
			long k = (r & 1) ? nkeys++ : (long)(rng() % nkeys);

			ok = kv_put(&kv, mix64(k), r, (++puts & 15) == 0) == 0;
		} else { /* scan 16 from a random key */
			uint64_t from = mix64(rng());
			struct sl_node *x = kv.head;

			for (int l = SL_LEVELS - 1; l >= 0; l--)
				while (x->next[l] && x->next[l]->key < from)
					x = x->next[l];
			x = x->next[0];
			for (int j = 0; j < 16 && x; j++, x = x->next[0])
				sum += kv.vals[x->val - 1][j];
		}
	}
	t = now() - t;
	ws_sink += sum;
out:
	if (kv.head) {
		struct sl_node *x = kv.head->next[0], *nx;

		for (; x; x = nx) {
			nx = x->next[0];
			free(x);
		}
	}
	if (kv.logfd >= 0)
		close(kv.logfd);
	unlink(path);
	free(kv.hkeys);
	free(kv.hvals);
	free(kv.vals);
	free(kv.head);
	free(kv.log);
	if (!ok || t <= 0) {
		fail(m->name, "key-value workload failed: %s", strerror(errno));
		return -1;
	}
	return ops / t;
}

/* ---- the table of metrics ----------------------------------------------- */

#define OP(nm, grp, f, x, y, c) { nm, grp, "us", PER_OP, f, NULL, NULL, x, y, c }
#define CTX(p, k)                                                           \
	{ "ctx_" #p "p_" #k "k", "ctx", "us", PER_OP, b_ctx, ctx_setup,     \
	  ctx_teardown, p, k, 1L << 30 }

static const struct metric metrics[] = {
	OP("null_syscall", "syscall", b_null_syscall, 0, 0, 1L << 30),
	OP("null_read", "null_io", b_null_io, 0, 0, 1L << 30),
	OP("null_write", "null_io", b_null_io, 1, 0, 1L << 30),
	OP("stat", "fs_ops", b_stat, 0, 0, 1L << 30),
	OP("open_close", "fs_ops", b_open_close, 0, 0, 1L << 30),
	{ "select_100", "select", "us", PER_OP, b_select, sel_setup,
	  sel_teardown, 100, 0, 1L << 30 },
	OP("sig_install", "signal", b_sig_install, 0, 0, 1L << 30),
	OP("sig_catch", "signal", b_sig_catch, 0, 0, 1L << 30),
	OP("fork_exit", "proc", b_fork, 0, 0, 1L << 20),
	OP("fork_exec", "proc", b_fork, 1, 0, 1L << 20),
	OP("fork_sh", "proc", b_fork, 2, 0, 1L << 20),
	CTX(2, 0),
	CTX(2, 16),
	CTX(2, 64),
	CTX(8, 0),
	CTX(8, 16),
	CTX(8, 64),
	CTX(16, 0),
	CTX(16, 16),
	CTX(16, 64),
	OP("file_create_0k", "file", b_file, 0, 0, 20000),
	OP("file_delete_0k", "file", b_file, 1, 0, 20000),
	OP("file_create_10k", "file", b_file, 0, 10, 2000),
	OP("file_delete_10k", "file", b_file, 1, 10, 2000),
	OP("mmap_64m", "memory", b_mmap, 64, 64, 1000),
	OP("prot_fault", "memory", b_prot_fault, 0, 0, 1L << 30),
	OP("page_fault", "memory", b_page_fault, 0, 0, 1L << 30),
	{ "cpu_int", "macro", "s", FIXED, b_cpu_int, NULL, NULL, 0, 0, 0 },
	{ "build", "macro", "s", FIXED, b_build, NULL, NULL, 0, 0, 0 },
	{ "kv", "macro", "ops/s", FIXED, b_kv, NULL, NULL, 0, 0, 0 },
};
#define NMETRICS (sizeof(metrics) / sizeof(metrics[0]))

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void print_value(double v, const char *unit)
{
	if (!strcmp(unit, "ops/s"))
		printf(" %.1f", v);
	else if (v >= 100)
		printf(" %.2f", v);
	else
		printf(" %.4f", v);
}

/* -n N: per-operation metrics do exactly N per repetition (profiles). */
static long fixed_n;

static void run_metric(const struct metric *m)
{
	double vals[reps], t, per_rep = budget / (reps + 1), start = now();
	long n = 1;

	fflush(stdout);
	if (m->setup && m->setup(m)) {
		fail(m->name, "setup failed: %s", strerror(errno));
		return;
	}
	if (m->kind == PER_OP && fixed_n) {
		/* -n: this many per repetition (at most the metric's cap) */
		n = fixed_n < m->cap ? fixed_n : m->cap;
	} else if (m->kind == PER_OP) {
		/* Calibrate: grow n until a batch takes a quarter of the
		 * per-repetition time, then scale it to the whole. Wall
		 * time counts, untimed setup in a batch included. */
		for (;;) {
			double w = now();

			if (m->fn(m, n) < 0)
				goto out;
			t = now() - w;
			if (t >= per_rep / 4 || n >= m->cap)
				break;
			n = t < per_rep / 400 ? n * 16 : n * 4;
			if (n > m->cap)
				n = m->cap;
		}
		if (t > 0 && t < per_rep)
			n = (long)(n * (per_rep / t));
		if (n > m->cap)
			n = m->cap;
		if (n < 1)
			n = 1;
	}
	for (int r = 0; r < reps; r++) {
		fflush(stdout);
		t = m->fn(m, n);
		if (t < 0)
			goto out;
		vals[r] = m->kind == PER_OP ? t / n * 1e6 : t;
	}
	if (m->teardown)
		m->teardown(m);
	qsort(vals, reps, sizeof(double), cmp_double);
	printf("XBENCH %s", m->name);
	print_value(reps & 1 ? vals[reps / 2] :
			       (vals[reps / 2 - 1] + vals[reps / 2]) / 2,
		    m->unit);
	print_value(vals[0], m->unit);
	print_value(vals[reps - 1], m->unit);
	printf(" %s %d\n", m->unit, reps);
	if (m->kind == PER_OP)
		printf("# %s: %ld per batch, %.2f s in all", m->name, n,
		       now() - start);
	else
		printf("# %s: %.2f s in all", m->name, now() - start);
	if (m->fn == b_cpu_int)
		printf(", checksum %016llx", (unsigned long long)cpu_checksum);
	printf("\n");
	fflush(stdout);
	return;
out:
	if (m->teardown)
		m->teardown(m);
}

static int selected(const struct metric *m, int argc, char **argv)
{
	if (argc == 0)
		return 1;
	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], m->group) || !fnmatch(argv[i], m->name, 0))
			return 1;
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: xbench [-r REPS] [-t SECONDS] [-n OPS] [-d DIR] [--quick] "
		"[METRIC|GROUP|PATTERN ...]\n"
		"       xbench --list | --exit\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct utsname u;
	struct stat st;
	ssize_t len;
	int i, fd, any = 0;
	double start = now();

	if (argc > 1 && !strcmp(argv[1], "--exit"))
		_exit(0);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-r") && i + 1 < argc)
			reps = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-t") && i + 1 < argc)
			budget = atof(argv[++i]);
		else if (!strcmp(argv[i], "-n") && i + 1 < argc)
			fixed_n = atol(argv[++i]);
		else if (!strcmp(argv[i], "-d") && i + 1 < argc)
			scratch_base = argv[++i];
		else if (!strcmp(argv[i], "--quick"))
			quick = 1;
		else if (!strcmp(argv[i], "--list")) {
			for (size_t k = 0; k < NMETRICS; k++)
				printf("%-16s %-6s %s\n", metrics[k].name,
				       metrics[k].unit, metrics[k].group);
			return 0;
		} else
			usage();
	}
	if (quick) {
		if (reps == 5)
			reps = 3;
		if (budget == 1.0)
			budget = 0.15;
	}
	if (reps < 1 || reps > 1000 || budget <= 0 || fixed_n < 0)
		usage();
	argc -= i;
	argv += i;
	for (size_t k = 0; k < NMETRICS; k++)
		any |= selected(&metrics[k], argc, argv);
	if (!any) {
		fprintf(stderr, "xbench: no metric matches; see --list\n");
		return 2;
	}

	setvbuf(stdout, NULL, _IOLBF, 0);
	len = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
	if (len <= 0) {
		perror("xbench: /proc/self/exe");
		return 1;
	}
	self_path[len] = 0;
	shell_path = getenv("XBENCH_SH");
	if (!shell_path)
		shell_path = stat("/bin/busybox", &st) == 0 ? "/bin/busybox" :
							       "/bin/sh";
	snprintf(scratch, sizeof(scratch), "%s/xbench.XXXXXX", scratch_base);
	if (!mkdtemp(scratch)) {
		perror("xbench: scratch directory");
		return 1;
	}
	snprintf(stat_file, sizeof(stat_file), "%s/file", scratch);
	fd = open(stat_file, O_CREAT | O_WRONLY, 0644);
	if (fd < 0 || write(fd, "xbench\n", 7) != 7) {
		perror("xbench: scratch file");
		return 1;
	}
	close(fd);
	uname(&u);
	printf("# xbench: reps %d, budget %.2f s per metric%s, %s %s %s, "
	       "%ld cpus, shell %s, scratch %s\n",
	       reps, budget, quick ? ", quick" : "", u.sysname, u.release,
	       u.machine, sysconf(_SC_NPROCESSORS_ONLN), shell_path, scratch);
	for (size_t k = 0; k < NMETRICS; k++)
		if (selected(&metrics[k], argc, argv))
			run_metric(&metrics[k]);
	nftw(scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	printf("# xbench: %.1f s in all\n", now() - start);
	printf("XBENCH done\n");
	return failed;
}
