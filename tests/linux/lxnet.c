// SPDX-License-Identifier: MIT
/*
 * lxnet: TCP transfers for the network scenarios, timed and checksummed
 * inside the guest (the console's round trips would blur a rate).
 *
 *   lxnet listen PORT              accept one connection, read to its end
 *   lxnet get HOST PORT [BYTES]    connect, read to the end (or BYTES:
 *                                  QEMU's guestfwd never sends an end)
 *   lxnet put HOST PORT BYTES [-n] connect, send BYTES of pseudo-random
 *                                  data, half-close, wait for the peer's
 *                                  end (-n: do not wait, e.g. guestfwd)
 *   lxnet flood HOST PORT SECS     UDP datagrams of 1000 bytes, as fast
 *                                  as they go, for SECS seconds
 *
 * Each prints one line:
 *   LXNET <mode> bytes=N secs=S MBps=R crc=XXXXXXXX
 * secs runs from the first byte to the last (receivers) or from connect
 * to the peer's end (put); crc is the CRC-32 (zlib's) of the stream.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF (64 * 1024)

static uint32_t crc_table[256];

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc32(uint32_t crc, const unsigned char *p, size_t n)
{
	crc = ~crc;
	while (n--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void report(const char *mode, unsigned long long n, double secs,
		   uint32_t crc)
{
	printf("LXNET %s bytes=%llu secs=%.3f MBps=%.3f crc=%08x\n", mode, n,
	       secs, secs > 0 ? n / secs / 1e6 : 0.0, crc);
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static int connect_to(const char *host, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0 || inet_pton(AF_INET, host, &a.sin_addr) != 1)
		die("address");
	if (connect(s, (struct sockaddr *)&a, sizeof(a)))
		die("connect");
	return s;
}

static int receive(const char *mode, int s, unsigned long long limit)
{
	static unsigned char buf[BUF];
	unsigned long long n = 0;
	uint32_t crc = 0;
	double t0 = 0, t1 = 0;
	ssize_t r = 0;

	while ((!limit || n < limit) &&
	       (r = read(s, buf,
			 limit && limit - n < sizeof(buf) ? limit - n
							  : sizeof(buf))) > 0) {
		t1 = now();
		if (!n)
			t0 = t1;
		n += (unsigned long long)r;
		crc = crc32(crc, buf, (size_t)r);
	}
	if (r < 0)
		die("read");
	report(mode, n, t1 - t0, crc);
	return 0;
}

static int listen_one(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	int one = 1, s = socket(AF_INET, SOCK_STREAM, 0), c;

	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1))
		die("listen");
	printf("LXNET listening on %d\n", port);
	fflush(stdout);
	c = accept(s, NULL, NULL);
	if (c < 0)
		die("accept");
	return receive("listen", c, 0);
}

static int put(const char *host, int port, unsigned long long total,
	       int wait_end)
{
	static unsigned char buf[BUF];
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned long long sent = 0;
	uint32_t crc = 0;
	double t0;
	int s = connect_to(host, port);

	t0 = now();
	while (sent < total) {
		size_t n = total - sent < BUF ? total - sent : BUF;

		for (size_t i = 0; i < n; i += 8) {
			x ^= x << 13; /* xorshift64 */
			x ^= x >> 7;
			x ^= x << 17;
			memcpy(buf + i, &x, 8);
		}
		crc = crc32(crc, buf, n);
		for (size_t off = 0; off < n;) {
			ssize_t w = write(s, buf + off, n - off);

			if (w <= 0)
				die("write");
			off += (size_t)w;
		}
		sent += n;
	}
	shutdown(s, SHUT_WR);
	if (wait_end)
		while (read(s, buf, sizeof(buf)) > 0)
			;
	report("put", sent, now() - t0, crc);
	return 0;
}

static int flood(const char *host, int port, double secs)
{
	static unsigned char buf[1000];
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	unsigned long long sent = 0, failed = 0;
	double end = now() + secs;
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	if (s < 0 || inet_pton(AF_INET, host, &a.sin_addr) != 1)
		die("address");
	while (now() < end) {
		if (sendto(s, buf, sizeof(buf), 0, (struct sockaddr *)&a,
			   sizeof(a)) == (ssize_t)sizeof(buf))
			sent++;
		else
			failed++;
	}
	printf("LXNET flood sent=%llu failed=%llu\n", sent, failed);
	return 0;
}

int main(int argc, char **argv)
{
	crc_init();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "listen"))
		return listen_one(atoi(argv[2]));
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "get"))
		return receive("get", connect_to(argv[2], atoi(argv[3])),
			       argc == 5 ? strtoull(argv[4], NULL, 0) : 0);
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "put"))
		return put(argv[2], atoi(argv[3]), strtoull(argv[4], NULL, 0),
			   !(argc == 6 && !strcmp(argv[5], "-n")));
	if (argc == 5 && !strcmp(argv[1], "flood"))
		return flood(argv[2], atoi(argv[3]), atof(argv[4]));
	fprintf(stderr, "usage: lxnet listen PORT | get HOST PORT | "
			"put HOST PORT BYTES [-n] | flood HOST PORT SECS\n");
	return 2;
}
