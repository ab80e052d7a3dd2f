/*
 * lxmem: Linux's memory management under pressure, run inside the Linux
 * PV guest (static, as root). Each subcommand prints one line per check,
 * "lxmem: ok" or "lxmem: FAIL", and ends with "lxmem: N passed, N
 * failed":
 *   touch F    touch F times MemTotal in anonymous memory and verify every
 *              page twice (needs swap); says how much went out and in
 *   migrate    compaction (/proc/sys/vm/compact_memory) and soft-offline
 *              (/sys/devices/system/memory/soft_offline_page) of pages in
 *              use: the data stays, the pages move
 *   madvise    MADV_FREE, MADV_PAGEOUT, MADV_DONTNEED
 *   mremap     moving and growing large regions, swapped out in part
 *   mprotect   a storm of protection changes, with faults where due
 *   fork       copy-on-write between a parent and children under pressure
 *   oom        a child that allocates without end is killed by the OOM
 *              killer; the parent lives on with its data
 *   ioperm     IN/OUT on port 0x80 after ioperm(): all-ones and dropped
 *              writes in a domain U; without permission a SIGSEGV
 * Page contents are compressible (zram must hold 3x memory) but differ
 * per page and per run, so a page swapped in from the wrong slot, or
 * lost, shows.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL
#define WORDS (PAGE / 8)
#define MIB (1024UL * 1024)

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

static int passed, failed;
static uint64_t seed;

static void check(int ok, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("lxmem: %s ", ok ? "ok  " : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (ok)
		passed++;
	else
		failed++;
}

/* Word w of page p in generation g: a head unique per page, a body that
 * compresses well but still names the page. */
static uint64_t word(uint64_t p, unsigned int w, uint64_t g)
{
	uint64_t v = (p + 1) * 0x9E3779B97F4A7C15UL ^ seed ^ (g << 56);

	return w < 8 ? v ^ ((uint64_t)w << 48) : v;
}

static void fill_page(uint64_t *pg, uint64_t p, uint64_t g)
{
	for (unsigned int w = 0; w < WORDS; w++)
		pg[w] = word(p, w, g);
}

static int page_ok(const uint64_t *pg, uint64_t p, uint64_t g)
{
	for (unsigned int w = 0; w < WORDS; w++)
		if (pg[w] != word(p, w, g))
			return 0;
	return 1;
}

static int page_zero(const uint64_t *pg)
{
	for (unsigned int w = 0; w < WORDS; w++)
		if (pg[w])
			return 0;
	return 1;
}

static void *region(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		check(0, "mmap of %zu MiB", bytes / MIB);
		return NULL;
	}
	return p;
}

static void fill(void *base, size_t n, uint64_t g)
{
	for (size_t p = 0; p < n; p++)
		fill_page((uint64_t *)((char *)base + p * PAGE), p, g);
}

/* Pages of [base, base + n pages) that are not generation g. */
static size_t bad_pages(const void *base, size_t n, uint64_t g, int reverse)
{
	size_t bad = 0;

	for (size_t i = 0; i < n; i++) {
		size_t p = reverse ? n - 1 - i : i;

		bad += !page_ok(
		    (const uint64_t *)((const char *)base + p * PAGE), p, g);
	}
	return bad;
}

/* A number from /proc/meminfo (kB) or /proc/vmstat, or -1. */
static long proc_value(const char *file, const char *key)
{
	char line[256];
	size_t n = strlen(key);
	long v = -1;
	FILE *f = fopen(file, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) &&
		    (line[n] == ':' || line[n] == ' ')) {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static long vmstat(const char *key)
{
	return proc_value("/proc/vmstat", key);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* The page frame (the guest's pseudo-physical one) backing va, or 0. */
static uint64_t pfn_of(const void *va)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, 8, (off_t)((uintptr_t)va / PAGE * 8)) != 8)
		e = 0;
	close(fd);
	return (e >> 63) ? e & ((1UL << 55) - 1) : 0;
}

/* --- touch -------------------------------------------------------------- */

static void cmd_touch(double factor)
{
	long total_kb = proc_value("/proc/meminfo", "MemTotal");
	long out0 = vmstat("pswpout"), in0 = vmstat("pswpin");
	size_t n = (size_t)(total_kb * 1024.0 * factor / PAGE);
	time_t t0 = time(NULL);
	void *base = region(n * PAGE);
	size_t bad;

	if (!base)
		return;
	fill(base, n, 1);
	bad = bad_pages(base, n, 1, 0);
	check(!bad,
	      "touch: %zu MiB (%.1fx MemTotal) written, read back in "
	      "order: %zu bad pages",
	      n * PAGE / MIB, factor, bad);
	bad = bad_pages(base, n, 1, 1);
	check(!bad, "touch: read back again in reverse: %zu bad pages", bad);
	check(vmstat("pswpout") - out0 > (long)(n / 2),
	      "touch: swapped out %ld and in %ld pages (%ld s)",
	      vmstat("pswpout") - out0, vmstat("pswpin") - in0,
	      (long)(time(NULL) - t0));
	munmap(base, n * PAGE);
}

/* --- migrate ------------------------------------------------------------ */

static void cmd_migrate(void)
{
	size_t n = 16 * MIB / PAGE, tried = 0, moved = 0, refused = 0;
	long mig0 = vmstat("pgmigrate_success");
	char buf[64];
	char *base = region(n * PAGE);

	if (!base)
		return;
	fill(base, n, 2);
	check(!write_file("/proc/sys/vm/compact_memory", "1"),
	      "migrate: compaction of all zones asked for");
	check(!bad_pages(base, n, 2, 0),
	      "migrate: data intact after compaction (%ld pages migrated)",
	      vmstat("pgmigrate_success") - mig0);
	/* Soft-offline every 64th page: its contents move to a new frame. */
	for (size_t p = 0; p < n; p += 64) {
		uint64_t before = pfn_of(base + p * PAGE), after;

		if (!before)
			continue;
		tried++;
		snprintf(buf, sizeof(buf), "0x%lx", before * PAGE);
		if (write_file("/sys/devices/system/memory/soft_offline_page",
			       buf)) {
			refused++;
			continue;
		}
		after = pfn_of(base + p * PAGE);
		moved += after && after != before;
	}
	check(tried > 0 && moved * 4 >= tried * 3,
	      "migrate: soft-offline moved %zu of %zu pages in use (%zu "
	      "refused)",
	      moved, tried, refused);
	check(!bad_pages(base, n, 2, 0),
	      "migrate: data intact after soft-offline");
	fill(base, n, 3);
	check(!bad_pages(base, n, 3, 1),
	      "migrate: the moved pages take new data");
	munmap(base, n * PAGE);
}

/* --- madvise ------------------------------------------------------------ */

/*
 * MADV_DONTNEED goes only over pages that are in memory: over swap
 * entries, Linux 6.1 on Xen PV warns (a WARN_ON_ONCE in
 * pte_install_uffd_wp_if_needed reads back the PTE its lazy-MMU batch has
 * not cleared yet); it does so on Xen 4.17 just the same.
 */
static void cmd_madvise(void)
{
	size_t n = 8 * MIB / PAGE, odd = 0, zero = 0;
	long out0;
	char *base = region(n * PAGE), *fresh = region(n * PAGE);

	if (!base || !fresh)
		return;
	fill(base, n, 4);
	check(!madvise(base, n * PAGE, MADV_FREE), "madvise: MADV_FREE");
	/* Each page is its old self, or zero if reclaim took it. */
	for (size_t p = 0; p < n; p++) {
		uint64_t *pg = (uint64_t *)(base + p * PAGE);

		zero += page_zero(pg);
		odd += !page_zero(pg) && !page_ok(pg, p, 4);
	}
	check(!odd,
	      "madvise: after MADV_FREE each page is old or zero "
	      "(%zu zero, %zu neither)",
	      zero, odd);
	fill(base, n, 5);
	check(!bad_pages(base, n, 5, 0),
	      "madvise: pages written after MADV_FREE keep their data");
	/* Lazily freed pages written again are not paged out: a fresh set. */
	fill(fresh, n, 6);
	out0 = vmstat("pswpout");
	check(!madvise(fresh, n * PAGE, MADV_PAGEOUT), "madvise: MADV_PAGEOUT");
	check(vmstat("pswpout") - out0 >= (long)(n / 2),
	      "madvise: MADV_PAGEOUT swapped out %ld pages",
	      vmstat("pswpout") - out0);
	check(!bad_pages(fresh, n, 6, 1),
	      "madvise: paged-out data comes back intact");
	check(!madvise(fresh, n * PAGE, MADV_DONTNEED),
	      "madvise: MADV_DONTNEED of the pages swapped back in");
	zero = 0;
	for (size_t p = 0; p < n; p++)
		zero += page_zero((uint64_t *)(fresh + p * PAGE));
	check(zero == n, "madvise: after MADV_DONTNEED %zu of %zu pages zero",
	      zero, n);
	munmap(base, n * PAGE);
	munmap(fresh, n * PAGE); /* the lazily freed and swap entries go */
}

/* --- mremap ------------------------------------------------------------- */

static void cmd_mremap(void)
{
	size_t n = 64 * MIB / PAGE;
	char *base = region(n * PAGE), *dst, *moved, *grown;

	if (!base)
		return;
	fill(base, n, 6);
	/* Half of it out in swap: mremap moves swap entries too. */
	madvise(base, n * PAGE / 2, MADV_PAGEOUT);
	dst = mmap(NULL, 2 * n * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		   -1, 0);
	moved = mremap(base, n * PAGE, n * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
		       dst);
	check(moved == dst, "mremap: %zu MiB moved (half swapped out)",
	      n * PAGE / MIB);
	if (moved != dst)
		return;
	check(!bad_pages(moved, n, 6, 0), "mremap: moved data intact");
	madvise(moved, n * PAGE, MADV_PAGEOUT);
	grown = mremap(moved, n * PAGE, 2 * n * PAGE, MREMAP_MAYMOVE);
	check(grown != MAP_FAILED, "mremap: grown to %zu MiB",
	      2 * n * PAGE / MIB);
	if (grown == MAP_FAILED)
		return;
	fill(grown + n * PAGE, n, 7);
	check(!bad_pages(grown, n, 6, 1) &&
		  !bad_pages(grown + n * PAGE, n, 7, 0),
	      "mremap: old half and new half intact");
	/* Shrinking unmaps swap entries: all of it out first. */
	madvise(grown, 2 * n * PAGE, MADV_PAGEOUT);
	moved = mremap(grown, 2 * n * PAGE, n * PAGE, 0);
	check(moved == grown && !bad_pages(moved, n, 6, 0),
	      "mremap: shrunk back, data intact");
	munmap(moved, n * PAGE);
}

/* --- mprotect ----------------------------------------------------------- */

static sigjmp_buf fault_jmp;

static void on_segv(int sig)
{
	siglongjmp(fault_jmp, sig);
}

/* Does a write of one byte to p fault? */
static int write_faults(volatile char *p)
{
	if (sigsetjmp(fault_jmp, 1))
		return 1;
	*p = *p;
	return 0;
}

static void cmd_mprotect(void)
{
	size_t n = 4 * MIB / PAGE, changes = 0, wrong = 0;
	static const int prots[] = { PROT_NONE, PROT_READ,
				     PROT_READ | PROT_WRITE };
	char *base = region(n * PAGE);
	unsigned int r = (unsigned int)seed;

	if (!base)
		return;
	signal(SIGSEGV, on_segv);
	fill(base, n, 8);
	madvise(base, n * PAGE / 4, MADV_PAGEOUT);
	for (int i = 0; i < 20000; i++) {
		size_t first = (r = r * 1103515245 + 12345) % n;
		size_t len = 1 + (r >> 8) % 64;
		int prot = prots[(r >> 20) % 3];

		if (first + len > n)
			len = n - first;
		if (mprotect(base + first * PAGE, len * PAGE, prot))
			continue;
		changes++;
		if (i % 64 == 0)
			wrong += write_faults(base + first * PAGE) !=
				 !(prot & PROT_WRITE);
	}
	check(changes == 20000 && !wrong,
	      "mprotect: %zu changes, writes fault exactly where read-only "
	      "(%zu wrong)",
	      changes, wrong);
	mprotect(base, n * PAGE, PROT_READ);
	check(!bad_pages(base, n, 8, 0),
	      "mprotect: data intact after the storm");
	signal(SIGSEGV, SIG_DFL);
	munmap(base, n * PAGE);
}

/* --- fork --------------------------------------------------------------- */

static void cmd_fork(void)
{
	long total_kb = proc_value("/proc/meminfo", "MemTotal");
	size_t n = (size_t)(total_kb * 1024.0 * 0.75 / PAGE);
	char *base = region(n * PAGE);
	int ok_children = 0;

	if (!base)
		return;
	fill(base, n, 9);
	for (int c = 0; c < 3; c++) {
		pid_t pid = fork();
		int st = 0;

		if (pid == 0) {
			/* Each child writes every other page and checks all. */
			for (size_t p = (size_t)c % 2; p < n; p += 2)
				fill_page((uint64_t *)(base + p * PAGE), p,
					  10 + (uint64_t)c);
			for (size_t p = 0; p < n; p++)
				if (!page_ok((uint64_t *)(base + p * PAGE), p,
					     (p % 2 == (size_t)c % 2)
						 ? 10 + (uint64_t)c
						 : 9))
					_exit(1);
			_exit(0);
		}
		ok_children += pid > 0 && waitpid(pid, &st, 0) == pid &&
			       WIFEXITED(st) && !WEXITSTATUS(st);
	}
	check(ok_children == 3,
	      "fork: 3 children rewrote half of %zu MiB each and saw their own "
	      "and the parent's data",
	      n * PAGE / MIB);
	check(!bad_pages(base, n, 9, 1),
	      "fork: the parent's data unchanged by its children's writes");
	munmap(base, n * PAGE);
}

/* --- oom ---------------------------------------------------------------- */

static void cmd_oom(void)
{
	size_t n = 4 * MIB / PAGE;
	char *mine = region(n * PAGE);
	int st = 0;
	pid_t pid;

	if (!mine)
		return;
	fill(mine, n, 12);
	pid = fork();
	if (pid == 0) {
		uint64_t x = seed | 1;

		write_file("/proc/self/oom_score_adj", "1000");
		for (;;) {
			uint64_t *p = mmap(NULL, MIB, PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p == MAP_FAILED)
				continue;
			/* Incompressible, so swap cannot absorb it. */
			for (size_t w = 0; w < MIB / 8; w++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				p[w] = x;
			}
		}
	}
	if (pid > 0 && waitpid(pid, &st, 0) != pid)
		st = -1;
	check(pid > 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	      "oom: the allocating child was killed (status %#x)", st);
	check(!bad_pages(mine, n, 12, 0), "oom: the parent's data intact");
	munmap(mine, n * PAGE);
}

/* --- ioperm ------------------------------------------------------------- */

/* How a child running fn ended: its exit code, or 128 + signal. */
static int in_child(int (*fn)(void))
{
	int st = 0;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn());
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}

static int port_io(void)
{
	unsigned int v = inb(0x80);

	outb(0x5a, 0x80);
	return v == 0xff ? 0 : 1;
}

/*
 * With the permission, a fault is an error (6); the word at 0x80 needs
 * 0x81 too and must fault; without it again, the last access must kill
 * us with SIGSEGV (the caller's 128 + SIGSEGV).
 */
static int port_io_granted(void)
{
	if (ioperm(0x80, 1, 1))
		return 2;
	signal(SIGSEGV, on_segv);
	if (sigsetjmp(fault_jmp, 1))
		return 6;
	if (port_io())
		return 1;
	if (sigsetjmp(fault_jmp, 1) == 0) {
		(void)inw(0x80);
		return 3;
	}
	signal(SIGSEGV, SIG_DFL);
	if (ioperm(0x80, 1, 0))
		return 2;
	return port_io() ? 4 : 5; /* must not get here: it faults */
}

static void cmd_ioperm(void)
{
	int rc = in_child(port_io);

	check(rc == 128 + SIGSEGV,
	      "ioperm: IN/OUT without permission: SIGSEGV (got %d)", rc);
	rc = in_child(port_io_granted);
	check(rc == 128 + SIGSEGV,
	      "ioperm: after ioperm(0x80) inb reads 0xff and outb is "
	      "dropped without a fault; a word at 0x80 faults; after "
	      "dropping the permission inb faults (got %d)",
	      rc);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	seed = (uint64_t)time(NULL) * 0x100000001b3UL ^ (uint64_t)getpid();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "touch"))
		cmd_touch(argc > 2 ? atof(argv[2]) : 3.0);
	else if (!strcmp(cmd, "migrate"))
		cmd_migrate();
	else if (!strcmp(cmd, "madvise"))
		cmd_madvise();
	else if (!strcmp(cmd, "mremap"))
		cmd_mremap();
	else if (!strcmp(cmd, "mprotect"))
		cmd_mprotect();
	else if (!strcmp(cmd, "fork"))
		cmd_fork();
	else if (!strcmp(cmd, "oom"))
		cmd_oom();
	else if (!strcmp(cmd, "ioperm"))
		cmd_ioperm();
	else {
		fprintf(stderr, "usage: lxmem touch [F] | migrate | madvise | "
				"mremap | mprotect | fork | oom | ioperm\n");
		return 2;
	}
	printf("lxmem: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
