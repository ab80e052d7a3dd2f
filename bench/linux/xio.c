// SPDX-License-Identifier: MIT
/*
 * xio: block and network benchmarks for a Linux guest, the same static
 * binary natively, on Xenolith and on Xen 4.17 (make bench-io).
 *
 * Build: gcc -std=gnu11 -O2 -static -Wall -Wextra -Werror
 *
 * Usage: xio blk DEVICE [-t SECONDS]
 *          seq_write, seq_read: 1 MiB requests, O_DIRECT, queue depth 1,
 *          sweeping the device from its start (wrapping); MB/s.
 *          rand_read, rand_write: 4 KiB O_DIRECT at random 4 KiB-aligned
 *          offsets, queue depth 1; IOPS, mean and p99 latency in us.
 *        xio net HOST PORT [-t SECONDS]
 *          against bench/iopeer.py: tcp_tx (guest sends), tcp_rx (guest
 *          receives), MB/s; tcp_rr (1-byte request, 1-byte answer), mean
 *          and p99 round trip in us and transactions per second.
 *   -t: time per test (default 3 s).
 *   -s HOST:PORT: before each test, wait at the peer's barrier (mode B),
 *      so that several guests start their tests together (fairness).
 *
 * Output lines: "IOBENCH <metric> <value> <unit>"; "IOBENCH error ..." on
 * failure. Rates use 10^6 bytes per MB.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <netinet/in.h>
#include <linux/tcp.h> /* tcp_info with the peer's window */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024 * 1024)
#define BLK 4096
#define MAX_SAMPLES (1 << 20)

static double budget = 3.0;
static const char *sync_host;
static int sync_port;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	printf("IOBENCH error %s: %s\n", what, strerror(errno));
	fflush(stdout);
	exit(1);
}

static void report(const char *metric, double value, const char *unit)
{
	printf("IOBENCH %s %.2f %s\n", metric, value, unit);
	fflush(stdout);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Mean and 99th percentile of n latencies (seconds), reported in us. */
static void report_lat(const char *name, double *lat, long n, double total)
{
	char m[64];
	double sum = 0;

	if (n == 0)
		return;
	for (long i = 0; i < n; i++)
		sum += lat[i];
	qsort(lat, n, sizeof(*lat), cmp_double);
	snprintf(m, sizeof(m), "%s_iops", name);
	report(m, n / total, "ops/s");
	snprintf(m, sizeof(m), "%s_lat", name);
	report(m, sum / n * 1e6, "us");
	snprintf(m, sizeof(m), "%s_p99", name);
	report(m, lat[(n * 99) / 100] * 1e6, "us");
}

/* xorshift: random offsets without libc's state or locks. */
static uint64_t rnd_state = 88172645463325252ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static void barrier(void);

static void blk_seq(int fd, uint64_t size, int write, char *buf)
{
	uint64_t off = 0, bytes = 0;
	double t0, t;

	barrier();
	t0 = now();

	do {
		ssize_t r = write ? pwrite(fd, buf, MIB, off)
				  : pread(fd, buf, MIB, off);
		if (r != MIB)
			die(write ? "seq write" : "seq read");
		bytes += MIB;
		off = (off + MIB) % size;
		t = now();
	} while (t - t0 < budget);
	if (write && fdatasync(fd))
		die("fdatasync");
	t = now();
	report(write ? "seq_write" : "seq_read", bytes / (t - t0) / 1e6,
	       "MB/s");
}

static void blk_rand(int fd, uint64_t size, int write, char *buf, double *lat)
{
	uint64_t blocks = size / BLK;
	double t0, t;
	long n = 0;

	barrier();
	t0 = t = now();

	while (t - t0 < budget && n < MAX_SAMPLES) {
		off_t off = (off_t)(rnd() % blocks) * BLK;
		double a = t;
		ssize_t r = write ? pwrite(fd, buf, BLK, off)
				  : pread(fd, buf, BLK, off);
		if (r != BLK)
			die(write ? "rand write" : "rand read");
		t = now();
		lat[n++] = t - a;
	}
	report_lat(write ? "rand_write" : "rand_read", lat, n, t - t0);
}

static int cmd_blk(const char *dev)
{
	uint64_t size;
	char *buf;
	double *lat = malloc(sizeof(double) * MAX_SAMPLES);
	int fd = open(dev, O_RDWR | O_DIRECT);

	if (fd < 0)
		die(dev);
	if (ioctl(fd, BLKGETSIZE64, &size))
		die("BLKGETSIZE64");
	size &= ~(uint64_t)(MIB - 1);
	if (size < MIB || !lat || posix_memalign((void **)&buf, BLK, MIB))
		die("device too small or no memory");
	for (int i = 0; i < MIB; i++)
		buf[i] = (char)(i * 131 + 7);
	printf("# xio: %s, %llu MiB, %.1f s per test\n", dev,
	       (unsigned long long)(size / MIB), budget);
	/* Written first so that every later read finds written blocks. */
	blk_seq(fd, size, 1, buf);
	blk_seq(fd, size, 0, buf);
	blk_rand(fd, size, 0, buf, lat);
	blk_rand(fd, size, 1, buf, lat);
	if (fdatasync(fd))
		die("fdatasync");
	close(fd);
	free(lat);
	return 0;
}

static int peer_connect(const char *host, int port, char mode)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	int fd, one = 1;

	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		errno = EINVAL;
		die("address");
	}
	for (int tries = 0;; tries++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0)
			die("socket");
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			break;
		close(fd);
		if (tries == 20)
			die("connect");
		sleep(1);
	}
	if (mode == 'R')
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (write(fd, &mode, 1) != 1)
		die("mode");
	return fd;
}

static void read_full(int fd, void *p, size_t n)
{
	while (n) {
		ssize_t r = read(fd, p, n);

		if (r <= 0) {
			if (r == 0)
				errno = ECONNRESET;
			die("read");
		}
		p = (char *)p + r;
		n -= r;
	}
}

/* The peer answers a B once every guest of the group has sent one. */
static void barrier(void)
{
	char c;
	int fd;

	if (!sync_host)
		return;
	fd = peer_connect(sync_host, sync_port, 'B');
	read_full(fd, &c, 1);
	close(fd);
}

/*
 * TCP segments this guest retransmitted so far (/proc/net/snmp's Tcp
 * RetransSegs), or -1: a flow that lost segments slows down, which tells
 * a share decided by losses from one decided by the CPUs.
 */
static long tcp_retrans(void)
{
	char hdr[512], val[512];
	FILE *f = fopen("/proc/net/snmp", "r");
	long n = -1;

	while (f && fgets(hdr, sizeof(hdr), f) && fgets(val, sizeof(val), f)) {
		char *sh, *sv, *h = strtok_r(hdr, " \n", &sh);
		char *v = strtok_r(val, " \n", &sv);

		if (!h || strcmp(h, "Tcp:"))
			continue;
		while ((h = strtok_r(NULL, " \n", &sh)) &&
		       (v = strtok_r(NULL, " \n", &sv)))
			if (!strcmp(h, "RetransSegs"))
				n = atol(v);
	}
	if (f)
		fclose(f);
	return n;
}

/* /proc/stat's first line: ticks busy, idle (with iowait) and stolen. */
static int cpu_ticks(unsigned long long t[3])
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	int n = f ? fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
			   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
			   &v[7])
		  : 0;

	if (f)
		fclose(f);
	t[0] = v[0] + v[1] + v[2] + v[5] + v[6];
	t[1] = v[3] + v[4];
	t[2] = v[7];
	return n == 8 ? 0 : -1;
}

/*
 * Where the guest's time went during a test, in percent: busy, idle
 * (waiting for the network or the disk) and stolen (runnable while the
 * hypervisor ran another vCPU: Xen's runstate, as Linux reads it).
 */
static void report_cpu(const char *test, const unsigned long long a[3])
{
	unsigned long long b[3], sum;
	static const char *const what[3] = { "busy", "idle", "steal" };
	char m[64];

	if (cpu_ticks(b))
		return;
	sum = (b[0] - a[0]) + (b[1] - a[1]) + (b[2] - a[2]);
	for (int i = 0; sum && i < 3; i++) {
		snprintf(m, sizeof(m), "%s_%s", test, what[i]);
		report(m, 100.0 * (double)(b[i] - a[i]) / (double)sum, "%");
	}
}

/* Guest to peer: send for the budget, then wait for the peer's count. */
static void net_tx(const char *host, int port, char *buf)
{
	int fd;
	uint64_t sent = 0, acked;
	long retrans = tcp_retrans();
	unsigned long long ticks[3];
	double cwnd = 0, rtt = 0, unacked = 0, notsent = 0, wnd = 0;
	long nti = 0;
	double t0, t;

	barrier();
	fd = peer_connect(host, port, 'S');
	t0 = now();
	cpu_ticks(ticks);

	do {
		ssize_t r = write(fd, buf, 256 * 1024);
		struct tcp_info ti;
		socklen_t tl = sizeof(ti);

		if (r <= 0)
			die("send");
		sent += r;
		t = now();
		/* The flow's window and round trip, for telling apart a
		 * share set by TCP from one set by the path's delay. */
		if (!getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tl)) {
			cwnd += ti.tcpi_snd_cwnd;
			rtt += ti.tcpi_rtt;
			unacked += ti.tcpi_unacked;
			/* Not sent for want of window (0 if the kernel is
			 * older than the field: tl says). */
			if (tl >= offsetof(struct tcp_info, tcpi_snd_wnd) +
					  sizeof(ti.tcpi_snd_wnd)) {
				notsent += ti.tcpi_notsent_bytes;
				wnd += ti.tcpi_snd_wnd;
			}
			nti++;
		}
	} while (t - t0 < budget);
	shutdown(fd, SHUT_WR);
	read_full(fd, &acked, sizeof(acked));
	t = now();
	close(fd);
	if (acked != sent) {
		errno = EIO;
		die("peer count differs");
	}
	report("tcp_tx", sent / (t - t0) / 1e6, "MB/s");
	report_cpu("tcp_tx", ticks);
	if (nti) {
		report("tcp_tx_cwnd", cwnd / nti, "segments");
		report("tcp_tx_unacked", unacked / nti, "segments");
		report("tcp_tx_rtt", rtt / nti, "us");
		report("tcp_tx_notsent", notsent / nti, "bytes");
		report("tcp_tx_peer_wnd", wnd / nti, "bytes");
	}
	if (retrans >= 0 && tcp_retrans() >= 0)
		report("tcp_tx_retrans", (double)(tcp_retrans() - retrans),
		       "segments");
}

/* Peer to guest: the peer sends for the budget, then closes. */
static void net_rx(const char *host, int port, char *buf)
{
	int fd;
	uint32_t ms = (uint32_t)(budget * 1000);
	uint64_t got = 0;
	double t0, t;
	ssize_t r;

	barrier();
	fd = peer_connect(host, port, 'G');
	if (write(fd, &ms, sizeof(ms)) != sizeof(ms))
		die("send budget");
	t0 = now();
	while ((r = read(fd, buf, 256 * 1024)) > 0)
		got += r;
	if (r < 0)
		die("receive");
	t = now();
	close(fd);
	report("tcp_rx", got / (t - t0) / 1e6, "MB/s");
}

static void net_rr(const char *host, int port, double *lat)
{
	int fd;
	double t0, t;
	long n = 0;
	char c = 'x';

	barrier();
	fd = peer_connect(host, port, 'R');
	t0 = t = now();

	while (t - t0 < budget && n < MAX_SAMPLES) {
		double a = t;

		if (write(fd, &c, 1) != 1)
			die("rr send");
		read_full(fd, &c, 1);
		t = now();
		lat[n++] = t - a;
	}
	close(fd);
	report_lat("tcp_rr", lat, n, t - t0);
}

static int cmd_net(const char *host, int port)
{
	char *buf = malloc(256 * 1024);
	double *lat = malloc(sizeof(double) * MAX_SAMPLES);

	if (!buf || !lat)
		die("no memory");
	memset(buf, 0x5a, 256 * 1024);
	printf("# xio: peer %s:%d, %.1f s per test\n", host, port, budget);
	net_tx(host, port, buf);
	net_rx(host, port, buf);
	net_rr(host, port, lat);
	free(buf);
	free(lat);
	return 0;
}

int main(int argc, char **argv)
{
	int opt;

	while ((opt = getopt(argc, argv, "t:s:")) != -1) {
		char *colon;

		if (opt == 't') {
			budget = atof(optarg);
		} else if (opt == 's' && (colon = strchr(optarg, ':'))) {
			*colon = 0;
			sync_host = optarg;
			sync_port = atoi(colon + 1);
		} else {
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 2 && !strcmp(argv[0], "blk"))
		return cmd_blk(argv[1]);
	if (argc == 3 && !strcmp(argv[0], "net"))
		return cmd_net(argv[1], atoi(argv[2]));
usage:
	fprintf(stderr, "usage: xio [-t S] [-s HOST:PORT] blk DEVICE | "
			"net HOST PORT\n");
	return 2;
}
