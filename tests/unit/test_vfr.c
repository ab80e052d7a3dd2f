/*
 * The VFR's pure logic (dom0/lib/fdb.c, vfr.c): learning, aging and
 * eviction in the forwarding table; the anti-spoofing rule on MAC, IPv4
 * and ARP sources; the checksum filled for a blank TCP/UDP frame, against
 * one computed from scratch.
 */
#include <string.h>
#include "test.h"
#include "vfr.h"

static const uint8_t A[6] = { 0, 0x16, 0x3e, 0, 1, 0 };
static const uint8_t B[6] = { 0, 0x16, 0x3e, 0, 2, 0 };

static void test_fdb(void)
{
	static struct fdb f;
	uint8_t m[6] = { 2, 0, 0, 0, 0, 0 };
	const uint8_t group[6] = { 1, 0, 0x5e, 0, 0, 1 };
	int bad = 0;

	TEST_GROUP("fdb: learn, move, age, evict, forget");
	CHECK(fdb_lookup(&f, A, 1) == -1, "empty table knows nothing");
	fdb_learn(&f, A, 3, 10);
	fdb_learn(&f, B, 4, 10);
	CHECK(fdb_lookup(&f, A, 20) == 3 && fdb_lookup(&f, B, 20) == 4,
	      "learned");
	fdb_learn(&f, A, 5, 30);
	CHECK(fdb_lookup(&f, A, 40) == 5, "a station that moved");
	CHECK(fdb_lookup(&f, B, 10 + FDB_AGE_NS) == -1, "aged out");
	fdb_learn(&f, group, 1, 50);
	CHECK(fdb_lookup(&f, group, 60) == -1, "group sources not learned");
	for (int i = 0; i < FDB_SIZE + 10; i++) {
		m[5] = (uint8_t)i;
		m[4] = (uint8_t)(i >> 8);
		fdb_learn(&f, m, i, 100 + (uint64_t)i);
	}
	for (int i = 10; i < FDB_SIZE + 10; i++) {
		m[5] = (uint8_t)i;
		m[4] = (uint8_t)(i >> 8);
		bad += fdb_lookup(&f, m, 1000) != i;
	}
	CHECK(!bad, "full table keeps the newest %d (%d wrong)", FDB_SIZE, bad);
	fdb_forget_port(&f, 20);
	m[4] = 0;
	m[5] = 20;
	CHECK(fdb_lookup(&f, m, 1000) == -1, "a port's entries forgotten");
}

static size_t frame(uint8_t *f, const uint8_t src[6], uint16_t type,
		    uint32_t ip)
{
	memset(f, 0, 128);
	memset(f, 0xff, 6);
	memcpy(f + 6, src, 6);
	f[12] = (uint8_t)(type >> 8);
	f[13] = (uint8_t)type;
	if (type == 0x0800) {
		f[14] = 0x45;
		f[26] = (uint8_t)(ip >> 24);
		f[27] = (uint8_t)(ip >> 16);
		f[28] = (uint8_t)(ip >> 8);
		f[29] = (uint8_t)ip;
	} else if (type == 0x0806) {
		memcpy(f + 22, src, 6);
		f[28] = (uint8_t)(ip >> 24);
		f[29] = (uint8_t)(ip >> 16);
		f[30] = (uint8_t)(ip >> 8);
		f[31] = (uint8_t)ip;
	}
	return 60;
}

static void test_rules(void)
{
	struct vfr_rule r = { .nip = 1, .ip = { 0x0a000002 } };
	uint8_t f[128];
	size_t n;

	TEST_GROUP("vfr: anti-spoofing by MAC, IPv4 and ARP");
	memcpy(r.mac, A, 6);
	n = frame(f, A, 0x0800, 0x0a000002);
	CHECK(vfr_check(&r, f, n) == VFR_ACCEPT, "own MAC and IP");
	CHECK(vfr_check(&r, f, 13) == VFR_RUNT, "runt");
	CHECK(vfr_check(&r, f, 30) == VFR_RUNT, "IPv4 header cut");
	n = frame(f, B, 0x0800, 0x0a000002);
	CHECK(vfr_check(&r, f, n) == VFR_SPOOF_MAC, "another's MAC");
	n = frame(f, A, 0x0800, 0x0a000003);
	CHECK(vfr_check(&r, f, n) == VFR_SPOOF_IP, "another's IP");
	n = frame(f, A, 0x0800, 0);
	CHECK(vfr_check(&r, f, n) == VFR_ACCEPT, "0.0.0.0 (DHCP)");
	n = frame(f, A, 0x0806, 0x0a000003);
	CHECK(vfr_check(&r, f, n) == VFR_SPOOF_IP, "ARP for another's IP");
	n = frame(f, A, 0x0806, 0x0a000002);
	memcpy(f + 22, B, 6);
	CHECK(vfr_check(&r, f, n) == VFR_SPOOF_MAC, "ARP sender MAC forged");
	r.nip = 0;
	n = frame(f, A, 0x0800, 0x0a000009);
	CHECK(vfr_check(&r, f, n) == VFR_ACCEPT, "no ip=: any address");
	n = frame(f, A, 0x86dd, 0);
	CHECK(vfr_check(&r, f, n) == VFR_ACCEPT, "IPv6 passes");
}

/* The checksum of an IPv4 UDP/TCP segment, from its definition. */
static uint16_t ref_csum(const uint8_t *f, size_t l4len, uint8_t proto)
{
	uint32_t s = 0;
	uint8_t buf[2048];

	memcpy(buf, f + 34, l4len);
	buf[proto == 6 ? 16 : 6] = buf[proto == 6 ? 17 : 7] = 0;
	for (int i = 26; i < 34; i += 2)
		s += (uint32_t)(f[i] << 8 | f[i + 1]);
	s += proto + (uint32_t)l4len;
	for (size_t i = 0; i < l4len; i += 2)
		s += (uint32_t)(buf[i] << 8 | (i + 1 < l4len ? buf[i + 1] : 0));
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void test_csum(void)
{
	uint8_t f[1600];
	int bad = 0;

	TEST_GROUP("vfr: blank checksums filled (TCP and UDP, odd lengths)");
	test_seed(7);
	for (int t = 0; t < 2000; t++) {
		uint8_t proto = t & 1 ? 6 : 17;
		size_t l4 = 20 + (size_t)(test_rand() % 1400);
		size_t field = 34 + (proto == 6 ? 16 : 6);
		uint32_t ps = 0;
		uint16_t want, got;

		for (size_t i = 0; i < sizeof(f); i++)
			f[i] = (uint8_t)test_rand();
		f[12] = 8;
		f[13] = 0;
		f[14] = 0x45;
		f[16] = (uint8_t)((20 + l4) >> 8);
		f[17] = (uint8_t)(20 + l4);
		f[20] = f[21] = 0;
		f[23] = proto;
		want = ref_csum(f, l4, proto);
		/* What Linux leaves: the pseudo-header's folded sum. */
		for (int i = 26; i < 34; i += 2)
			ps += (uint32_t)(f[i] << 8 | f[i + 1]);
		ps += proto + (uint32_t)l4;
		while (ps >> 16)
			ps = (ps & 0xffff) + (ps >> 16);
		f[field] = (uint8_t)(ps >> 8);
		f[field + 1] = (uint8_t)ps;
		if (!vfr_csum_fill(f, 14 + 20 + l4)) {
			bad++;
			continue;
		}
		got = (uint16_t)(f[field] << 8 | f[field + 1]);
		if (proto == 17 && !want)
			want = 0xffff;
		bad += got != want;
	}
	CHECK(!bad, "%d of 2000 wrong", bad);
	f[23] = 1;
	CHECK(!vfr_csum_fill(f, 200), "ICMP left alone");
	f[23] = 6;
	f[16] = 0x10;
	CHECK(!vfr_csum_fill(f, 200), "IP length beyond the frame refused");
}

/* An IPv4 frame of proto with ports sport, dport (one VLAN tag if vlan). */
static size_t l4frame(uint8_t *f, uint8_t proto, uint16_t sport, uint16_t dport,
		      bool vlan)
{
	size_t o = vlan ? 4 : 0;

	memset(f, 0, 128);
	if (vlan) {
		f[12] = 0x81;
		f[13] = 0;
	}
	f[12 + o] = 8;
	f[14 + o] = 0x45;
	f[23 + o] = proto;
	f[34 + o] = (uint8_t)(sport >> 8);
	f[35 + o] = (uint8_t)sport;
	f[36 + o] = (uint8_t)(dport >> 8);
	f[37 + o] = (uint8_t)dport;
	return 60 + o;
}

static int match(const struct vfr_acl *a, uint8_t proto, uint16_t sp,
		 uint16_t dp, unsigned int dir)
{
	uint8_t f[128];

	return vfr_acl_match(a, f, l4frame(f, proto, sp, dp, false), dir);
}

static void test_acl(void)
{
	struct vfr_acl a = { .n = 4 };
	char err[160] = "";
	uint8_t f[128];
	size_t n;
	const char *const rules[] = { "drop:tcp:5001", "accept:udp:53:out",
				      "drop:udp:50-60:in", "drop:icmp" };

	TEST_GROUP("vfr: rules by protocol, port and direction");
	for (int i = 0; i < 4; i++)
		CHECK(!xlvif_parse_rule(rules[i], &a.rule[i], err, sizeof(err)),
		      "%s", err);
	CHECK(match(&a, 6, 40000, 5001, XLVIF_OUT) == 0, "tcp to 5001, out");
	CHECK(match(&a, 6, 5001, 40000, XLVIF_IN) == 0, "tcp from 5001, in");
	CHECK(match(&a, 6, 40000, 5002, XLVIF_IN) == -1, "tcp 5002 passes");
	CHECK(match(&a, 17, 1000, 53, XLVIF_OUT) == 1, "udp 53 out: accept");
	CHECK(match(&a, 17, 1000, 53, XLVIF_IN) == 2, "udp 53 in: the range");
	CHECK(match(&a, 17, 1000, 61, XLVIF_IN) == -1, "udp 61 passes");
	CHECK(match(&a, 1, 0, 0, XLVIF_IN) == 3, "icmp");
	n = l4frame(f, 6, 1, 5001, true);
	CHECK(vfr_acl_match(&a, f, n, XLVIF_OUT) == 0, "through a VLAN tag");
	n = l4frame(f, 6, 1, 5001, false);
	f[20] = 0x01; /* a later fragment: no ports in it */
	CHECK(vfr_acl_match(&a, f, n, XLVIF_OUT) == -1,
	      "a later fragment matches no port rule");
	CHECK(vfr_acl_match(&a, f, 36, XLVIF_OUT) == -1,
	      "ports cut off: no port rule");
	f[12] = 0x86;
	f[13] = 0xdd;
	CHECK(vfr_acl_match(&a, f, n, XLVIF_OUT) == -1, "IPv6: no IPv4 rule");
	CHECK(!xlvif_parse_rule("drop:all:in", &a.rule[0], err, sizeof(err)) &&
		  vfr_acl_match(&a, f, n, XLVIF_IN) == 0 &&
		  vfr_acl_match(&a, f, n, XLVIF_OUT) == -1,
	      "all: any frame, one way");
	a.n = 0;
	CHECK(match(&a, 1, 0, 0, XLVIF_IN) == -1, "no rules: nothing matches");
}

int main(void)
{
	test_fdb();
	test_acl();
	test_rules();
	test_csum();
	return test_summary("test_vfr");
}
