/*
 * Commands to look at and exercise domain 0's own devices: the virtio
 * disks (blk-info, blk-read, blk-write, blk-flush) and network cards
 * (net-info, net-ping). The block commands print a CRC-32 of the data so
 * a test on the host can compare it with the disk image, and the time
 * taken, which doubles as a throughput figure.
 *
 * net-ping talks only to QEMU's user-mode network: it claims 10.0.2.15,
 * asks for 10.0.2.2 (the emulated gateway, answered inside QEMU) by ARP,
 * then sends it ICMP echo requests. Nothing leaves the emulator.
 */
#include "errno.h"
#include "kernel.h"
#include "virtio_blk.h"
#include "virtio_net.h"
#include "ctl.h"

#define BUF_PAGES 256 /* 1 MiB per pass: eight requests in flight */

static uint32_t crc_table[256];

/* CRC-32 as zlib computes it (reflected, polynomial 0xedb88320). */
static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
	if (!crc_table[1])
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;

			for (int k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320U ^ (c >> 1) : c >> 1;
			crc_table[i] = c;
		}
	crc = ~crc;
	while (n--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* A decimal or 0x-prefixed hexadecimal number, all of s. */
static bool parse_u64(const char *s, uint64_t *out)
{
	unsigned int base = 10;
	uint64_t v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned int dgt;

		if (*s >= '0' && *s <= '9')
			dgt = (unsigned int)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			dgt = (unsigned int)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			dgt = (unsigned int)(*s - 'A' + 10);
		else
			return false;
		if (v > (~0ULL - dgt) / base)
			return false;
		v = v * base + dgt;
	}
	*out = v;
	return true;
}

static int dev_arg(struct ctl_io *io, const char *cmd, const char *s, int count)
{
	uint64_t v;

	if (!parse_u64(s, &v) || v >= (uint64_t)count) {
		io_errorf(io, "%s: no device '%s' (%d present)\n", cmd, s,
			  count);
		return -1;
	}
	return (int)v;
}

/* "12.3 MiB/s" for bytes moved in ns. */
static void rate(char *buf, size_t n, uint64_t bytes, uint64_t ns)
{
	uint64_t tenths = ns ? bytes * 10 * SEC / ns / (1 << 20) : 0;

	snprintf(buf, n, "%lu.%lu MiB/s", tenths / 10, tenths % 10);
}

int xl_blk_info(struct ctl_io *io, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (!vblk_count()) {
		io_printf(io, "no virtio block devices\n");
		return 0;
	}
	for (int i = 0; i < vblk_count(); i++) {
		struct vblk_stats st;
		uint64_t sectors;
		uint32_t bs;
		char desc[128];

		vblk_info(i, &sectors, &bs);
		vblk_stats(i, &st);
		vblk_describe(i, desc, sizeof(desc));
		io_printf(io,
			  "vblk%d: sectors %lu bytes %lu block %u (%s)\n"
			  "  requests: %lu read (%lu sectors), %lu written "
			  "(%lu sectors), %lu flushes, %lu errors; "
			  "%u in flight at most\n",
			  i, sectors, sectors * VBLK_SECTOR, bs, desc, st.reads,
			  st.sectors_read, st.writes, st.sectors_written,
			  st.flushes, st.errors, st.max_inflight);
	}
	return 0;
}

/* The arguments blk-read and blk-write share: device, start, count. */
static int blk_args(struct ctl_io *io, const char *cmd, const char *dev_s,
		    const char *sector_s, const char *count_s, int *dev,
		    uint64_t *sector, uint64_t *count)
{
	uint64_t cap;

	*dev = dev_arg(io, cmd, dev_s, vblk_count());
	if (*dev < 0)
		return -ENODEV;
	if (!parse_u64(sector_s, sector) || !parse_u64(count_s, count)) {
		io_errorf(io, "%s: SECTOR and COUNT are numbers\n", cmd);
		return -EINVAL;
	}
	vblk_info(*dev, &cap, NULL);
	if (*sector > cap || *count > cap - *sector) {
		io_errorf(io,
			  "%s: sectors %lu+%lu are beyond the end of vblk%d "
			  "(%lu sectors)\n",
			  cmd, *sector, *count, *dev, cap);
		return -ERANGE;
	}
	return 0;
}

int xl_blk_read(struct ctl_io *io, int argc, char **argv)
{
	uint64_t sector, count, done = 0, t0;
	uint32_t crc = 0;
	char *buf;
	int dev, rc;

	if (argc != 4) {
		io_errorf(io, "usage: blk-read DEV SECTOR COUNT\n");
		return CTL_STATUS_USAGE;
	}
	if (blk_args(io, argv[0], argv[1], argv[2], argv[3], &dev, &sector,
		     &count))
		return 1;
	buf = pages_alloc(BUF_PAGES);
	if (!buf) {
		io_errorf(io, "blk-read: out of memory\n");
		return 1;
	}
	t0 = pv_now();
	while (done < count) {
		uint64_t n = count - done;

		if (n > BUF_PAGES * PAGE_SIZE / VBLK_SECTOR)
			n = BUF_PAGES * PAGE_SIZE / VBLK_SECTOR;
		rc = vblk_rw(dev, false, sector + done, buf, n);
		if (rc) {
			io_errorf(io, "blk-read: sector %lu: %s\n",
				  sector + done, strerror(rc));
			pages_free(buf, BUF_PAGES);
			return 1;
		}
		crc = crc32_update(crc, (uint8_t *)buf, n * VBLK_SECTOR);
		done += n;
	}
	t0 = pv_now() - t0;
	pages_free(buf, BUF_PAGES);
	{
		char r[32];

		rate(r, sizeof(r), count * VBLK_SECTOR, t0);
		io_printf(io,
			  "vblk%d: read %lu sectors from %lu: crc32 %08x "
			  "(%lu us, %s)\n",
			  dev, count, sector, crc, t0 / 1000, r);
	}
	return 0;
}

int xl_blk_write(struct ctl_io *io, int argc, char **argv)
{
	uint64_t sector, count, done = 0, t0;
	uint32_t crc = 0;
	size_t plen;
	char *buf;
	int dev, rc;

	if (argc != 5) {
		io_errorf(io, "usage: blk-write DEV SECTOR PATTERN COUNT\n");
		return CTL_STATUS_USAGE;
	}
	if (blk_args(io, argv[0], argv[1], argv[2], argv[4], &dev, &sector,
		     &count))
		return 1;
	if (vblk_readonly(dev)) {
		io_errorf(io, "blk-write: vblk%d is read-only\n", dev);
		return 1;
	}
	plen = strlen(argv[3]);
	buf = pages_alloc(BUF_PAGES);
	if (!buf) {
		io_errorf(io, "blk-write: out of memory\n");
		return 1;
	}
	t0 = pv_now();
	while (done < count) {
		uint64_t n = count - done;
		uint64_t off = done * VBLK_SECTOR;

		if (n > BUF_PAGES * PAGE_SIZE / VBLK_SECTOR)
			n = BUF_PAGES * PAGE_SIZE / VBLK_SECTOR;
		/* The pattern runs on across passes as if written at once. */
		for (uint64_t i = 0; i < n * VBLK_SECTOR; i++)
			buf[i] = argv[3][(off + i) % plen];
		crc = crc32_update(crc, (uint8_t *)buf, n * VBLK_SECTOR);
		rc = vblk_rw(dev, true, sector + done, buf, n);
		if (rc) {
			io_errorf(io, "blk-write: sector %lu: %s\n",
				  sector + done, strerror(rc));
			pages_free(buf, BUF_PAGES);
			return 1;
		}
		done += n;
	}
	rc = vblk_flush(dev);
	t0 = pv_now() - t0;
	pages_free(buf, BUF_PAGES);
	if (rc) {
		io_errorf(io, "blk-write: flush: %s\n", strerror(rc));
		return 1;
	}
	{
		char r[32];

		rate(r, sizeof(r), count * VBLK_SECTOR, t0);
		io_printf(io,
			  "vblk%d: wrote %lu sectors at %lu and flushed: "
			  "crc32 %08x (%lu us, %s)\n",
			  dev, count, sector, crc, t0 / 1000, r);
	}
	return 0;
}

int xl_blk_flush(struct ctl_io *io, int argc, char **argv)
{
	int dev, rc;

	if (argc != 2) {
		io_errorf(io, "usage: blk-flush DEV\n");
		return CTL_STATUS_USAGE;
	}
	dev = dev_arg(io, argv[0], argv[1], vblk_count());
	if (dev < 0)
		return 1;
	rc = vblk_flush(dev);
	if (rc) {
		io_errorf(io, "blk-flush: %s\n", strerror(rc));
		return 1;
	}
	io_printf(io, "vblk%d: flushed\n", dev);
	return 0;
}

static void fmt_mac(char *buf, size_t n, const uint8_t *m)
{
	snprintf(buf, n, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
}

int xl_net_info(struct ctl_io *io, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (!vnet_count()) {
		io_printf(io, "no virtio network devices\n");
		return 0;
	}
	for (int i = 0; i < vnet_count(); i++) {
		struct vnet_stats st;
		uint8_t mac[6];
		char m[20], desc[96];

		vnet_mac(i, mac);
		vnet_stats(i, &st);
		vnet_describe(i, desc, sizeof(desc));
		fmt_mac(m, sizeof(m), mac);
		io_printf(io,
			  "vnet%d: mac %s link %s (%s)\n"
			  "  rx %lu frames %lu bytes (%lu dropped), "
			  "tx %lu frames %lu bytes\n",
			  i, m, vnet_link_up(i) ? "up" : "down", desc,
			  st.rx_frames, st.rx_bytes, st.rx_dropped,
			  st.tx_frames, st.tx_bytes);
	}
	return 0;
}

/* --- net-ping: ARP and ICMP echo to QEMU's user-mode gateway ----------- */

#define ETH_ARP 0x0806
#define ETH_IP 0x0800
#define PING_WAIT (2 * SEC)
#define PING_DATA 32

static const uint8_t my_ip[4] = { 10, 0, 2, 15 };
static const uint8_t gw_ip[4] = { 10, 0, 2, 2 };

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The Internet checksum (ones' complement sum of 16-bit words). */
static uint16_t inet_csum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += get16(p + i);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void eth_header(uint8_t *f, const uint8_t *dst, const uint8_t *src,
		       uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	put16(f + 12, type);
}

/* Wait for the gateway's ARP reply; 0 and its MAC, or -ETIMEDOUT. */
static int arp_gateway(int dev, const uint8_t *mac, uint8_t *gw_mac)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t f[60] = { 0 }, r[VNET_MAX_FRAME];
	uint64_t deadline;
	int len, rc;

	eth_header(f, bcast, mac, ETH_ARP);
	put16(f + 14, 1); /* Ethernet */
	put16(f + 16, ETH_IP);
	f[18] = 6;
	f[19] = 4;
	put16(f + 20, 1); /* request */
	memcpy(f + 22, mac, 6);
	memcpy(f + 28, my_ip, 4);
	memcpy(f + 38, gw_ip, 4);
	rc = vnet_send(dev, f, sizeof(f));
	if (rc)
		return rc;
	deadline = pv_now() + PING_WAIT;
	while ((len = vnet_recv(dev, r, sizeof(r), deadline)) >= 0) {
		if (len >= 42 && get16(r + 12) == ETH_ARP &&
		    get16(r + 20) == 2 && !memcmp(r + 28, gw_ip, 4)) {
			memcpy(gw_mac, r + 22, 6);
			return 0;
		}
	}
	return len;
}

/* One echo request and its reply: the round trip in ns, or an error. */
static int64_t echo(int dev, const uint8_t *mac, const uint8_t *gw_mac,
		    uint16_t seq)
{
	uint8_t f[14 + 20 + 8 + PING_DATA], r[VNET_MAX_FRAME];
	uint8_t *ip = f + 14, *icmp = ip + 20;
	uint64_t t0, deadline;
	int len, rc;

	eth_header(f, gw_mac, mac, ETH_IP);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, 20 + 8 + PING_DATA);
	put16(ip + 4, seq);
	ip[8] = 64; /* TTL */
	ip[9] = 1; /* ICMP */
	memcpy(ip + 12, my_ip, 4);
	memcpy(ip + 16, gw_ip, 4);
	put16(ip + 10, inet_csum(ip, 20));
	icmp[0] = 8; /* echo request */
	icmp[1] = 0;
	put16(icmp + 2, 0);
	put16(icmp + 4, 0x584c); /* identifier */
	put16(icmp + 6, seq);
	for (int i = 0; i < PING_DATA; i++)
		icmp[8 + i] = (uint8_t)('a' + i % 26);
	put16(icmp + 2, inet_csum(icmp, 8 + PING_DATA));
	t0 = pv_now();
	rc = vnet_send(dev, f, sizeof(f));
	if (rc)
		return rc;
	deadline = t0 + PING_WAIT;
	while ((len = vnet_recv(dev, r, sizeof(r), deadline)) >= 0) {
		const uint8_t *rip = r + 14, *ric;

		if (len < 14 + 20 + 8 || get16(r + 12) != ETH_IP ||
		    (rip[0] >> 4) != 4 || rip[9] != 1 ||
		    memcmp(rip + 12, gw_ip, 4))
			continue;
		ric = rip + (rip[0] & 15) * 4;
		if (ric + 8 > r + len)
			continue;
		if (ric[0] == 0 && get16(ric + 4) == 0x584c &&
		    get16(ric + 6) == seq)
			return (int64_t)(pv_now() - t0);
	}
	return len;
}

int xl_net_ping(struct ctl_io *io, int argc, char **argv)
{
	uint8_t mac[6], gw_mac[6];
	uint64_t count = 3;
	unsigned int got = 0;
	char m[20];
	int dev = 0, rc;

	if (argc > 3) {
		io_errorf(io, "usage: net-ping [DEV [COUNT]]\n");
		return CTL_STATUS_USAGE;
	}
	if (!vnet_count()) {
		io_errorf(io, "net-ping: no virtio network device\n");
		return 1;
	}
	if (argc > 1) {
		dev = dev_arg(io, argv[0], argv[1], vnet_count());
		if (dev < 0)
			return 1;
	}
	if (argc > 2 &&
	    (!parse_u64(argv[2], &count) || !count || count > 100)) {
		io_errorf(io, "net-ping: COUNT is 1 to 100\n");
		return CTL_STATUS_USAGE;
	}
	vnet_mac(dev, mac);
	rc = arp_gateway(dev, mac, gw_mac);
	if (rc) {
		io_errorf(io, "net-ping: no ARP reply from 10.0.2.2: %s\n",
			  strerror(rc));
		return 1;
	}
	fmt_mac(m, sizeof(m), gw_mac);
	io_printf(io, "vnet%d: ARP reply: 10.0.2.2 is at %s\n", dev, m);
	for (uint16_t seq = 1; seq <= count; seq++) {
		int64_t ns = echo(dev, mac, gw_mac, seq);

		if (ns < 0) {
			io_printf(io, "icmp_seq=%u: no reply (%s)\n", seq,
				  strerror((int)ns));
			continue;
		}
		got++;
		io_printf(io,
			  "%d bytes from 10.0.2.2: icmp_seq=%u time=%lu.%03lu "
			  "ms\n",
			  8 + PING_DATA, seq, (unsigned long)(ns / 1000000),
			  (unsigned long)(ns % 1000000 / 1000));
	}
	io_printf(io, "%lu sent, %u echo replies\n", count, got);
	return got ? 0 : 1;
}
