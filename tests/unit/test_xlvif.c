/*
 * xl.cfg vif specifications (dom0/lib/xlvif.c): Xen's key=value form,
 * defaults, and refusals with their reason.
 */
#include <string.h>
#include "test.h"
#include "xlvif.h"

static void test_accepts(void)
{
	struct xl_vif v;
	char err[160] = "";

	TEST_GROUP("xl vif: mac, bridge, ip and defaults");
	CHECK(!xlvif_parse("mac=00:16:3e:01:02:0A, bridge=br1,ip=10.0.0.2", &v,
			   err, sizeof(err)),
	      "%s", err);
	CHECK(v.has_mac && v.mac[0] == 0 && v.mac[2] == 0x3e &&
		  v.mac[5] == 0x0a,
	      "mac parsed");
	CHECK(!strcmp(v.bridge, "br1"), "bridge %s", v.bridge);
	CHECK(v.nip == 1 && v.ip[0] == 0x0a000002, "ip %#x", v.ip[0]);
	CHECK(!xlvif_parse("", &v, err, sizeof(err)), "%s", err);
	CHECK(!v.has_mac && !strcmp(v.bridge, "xenbr0") && !v.nip,
	      "empty item: defaults (xenbr0, no mac, any ip)");
	CHECK(!xlvif_parse("ip=10.0.0.2 10.0.1.3,type=vif,backend=Domain-0", &v,
			   err, sizeof(err)),
	      "%s", err);
	CHECK(v.nip == 2 && v.ip[1] == 0x0a000103, "two addresses");
	xlvif_default_mac(&v, 0x0102, 3);
	xlvif_mac_str(v.mac, err, sizeof(err));
	CHECK(!strcmp(err, "00:16:3e:01:02:03"), "default mac %s", err);
}

static void refused(const char *spec, const char *why)
{
	struct xl_vif v = { .nip = 7 };
	char err[160] = "";

	CHECK(xlvif_parse(spec, &v, err, sizeof(err)) == -22 &&
		  strstr(err, why) && v.nip == 7,
	      "'%s' -> '%s' (want '%s'), struct untouched", spec, err, why);
}

static void test_refuses(void)
{
	TEST_GROUP("xl vif: refusals name the reason");
	refused("mac=00:16:3e:01:02", "six hex bytes");
	refused("mac=00:16:3e:01:02:03:04", "six hex bytes");
	refused("mac=0g:16:3e:01:02:03", "six hex bytes");
	refused("mac=01:16:3e:01:02:03", "unicast");
	refused("bridge=", "bridge must");
	refused("bridge=averyveryverylongname", "bridge must");
	refused("bridge=a/b", "bridge must");
	refused("ip=10.0.0.256", "IPv4");
	refused("ip=10.0.0", "IPv4");
	refused("ip=1.2.3.4 5.6.7.8 9.10.11.12 13.14.15.16 17.18.19.20",
		"up to 4");
	refused("ip=", "without an address");
	refused("script=vif-route", "unsupported key: script");
	refused("rate=", "rate: no rate given");
	refused("rate=10Mbit/s", "rate: must be a number");
	refused("rate=10 Mb/s", "rate: must be a number");
	refused("rate=0Mb/s", "a rate of 0");
	refused("rate=4294967296B/s", "above 4294967295");
	refused("rate=10Mb/s@", "the interval must be");
	refused("rate=10Mb/s@20ns", "the interval must be");
	refused("rate=10Mb/s@0ms", "1 us to 4294 s");
	refused("rate=10Mb/s@5000s", "1 us to 4294 s");
	refused("rate=@20ms", "no rate given");
	refused("rate=7b/s@1ms", "less than one byte");
	refused("vfr=", "without a rule");
	refused("vfr=drop", "expected ACTION:PROTO");
	refused("vfr=deny:tcp", "accept or drop");
	refused("vfr=drop:sctp", "tcp, udp, icmp, ip or all");
	refused("vfr=drop:tcp:65536", "expected a port");
	refused("vfr=drop:tcp:90-80", "expected a port");
	refused("vfr=drop:tcp:in:80", "direction comes last");
	refused("vfr=drop:icmp:7", "a port needs tcp or udp");
	refused("vfr=drop:ip:1 drop:ip:2 drop:ip:3 drop:ip:4 drop:ip:5 "
		"drop:ip:6 drop:ip:7 drop:ip:8 drop:ip:9",
		"a port needs");
	refused("vfr=drop:all drop:all drop:all drop:all drop:all drop:all "
		"drop:all drop:all drop:all",
		"up to 8 rules");
	refused("model=e1000", "unsupported key: model");
	refused("type=ioemu", "only type=vif");
	refused("backend=1", "always domain 0");
	refused("bridge", "expected key=value");
}

static void rate(const char *spec, uint64_t bytes, uint32_t usec)
{
	struct xl_vif v;
	char err[160] = "";
	int rc = xlvif_parse(spec, &v, err, sizeof(err));

	CHECK(!rc && v.rate_bytes == bytes && v.rate_usec == usec,
	      "'%s' -> %d %s: %lu bytes per %u us (want %lu per %u)", spec, rc,
	      err, (unsigned long)v.rate_bytes, v.rate_usec,
	      (unsigned long)bytes, usec);
}

static void test_rate(void)
{
	TEST_GROUP("xl vif: rate= in Xen's syntax (bytes per interval)");
	rate("rate=10Mb/s", 62500, 50000);
	rate("rate=1MB/s@20ms", 20000, 20000);
	rate("rate=100KB/s@1s", 100000, 1000000);
	rate("rate=100KB/s@1", 100000, 1000000);
	rate("rate=1GB/s@10us", 10000, 10);
	rate("rate=8000b/s@125m", 125, 125000);
	rate("mac=00:16:3e:00:00:01", 0, 0);
}

static void test_rules(void)
{
	struct xl_vif v;
	struct xlvif_rule r;
	char err[160] = "", s[XLVIF_RULE_STR];

	TEST_GROUP("xl vif: vfr= rules, parsed and printed back");
	CHECK(!xlvif_parse("vfr=drop:tcp:5001 accept:udp:53-60:out "
			   "drop:icmp:in accept:all",
			   &v, err, sizeof(err)),
	      "%s", err);
	CHECK(v.nrules == 4, "four rules (%u)", v.nrules);
	CHECK(v.rule[0].action == XLVIF_DROP && v.rule[0].proto == XLVIF_TCP &&
		  v.rule[0].port_lo == 5001 && v.rule[0].port_hi == 5001 &&
		  v.rule[0].dir == (XLVIF_IN | XLVIF_OUT),
	      "drop tcp port 5001 both ways");
	CHECK(v.rule[1].port_lo == 53 && v.rule[1].port_hi == 60 &&
		  v.rule[1].dir == XLVIF_OUT &&
		  v.rule[1].action == XLVIF_ACCEPT,
	      "accept udp 53-60 out");
	CHECK(v.rule[2].dir == XLVIF_IN && v.rule[2].port_lo == 0 &&
		  v.rule[2].port_hi == 65535,
	      "icmp in, any port");
	const char *const round[] = { "drop:tcp:5001", "accept:udp:53-60:out",
				      "drop:icmp:in", "accept:all" };
	for (int i = 0; i < 4; i++) {
		xlvif_rule_str(&v.rule[i], s, sizeof(s));
		CHECK(!strcmp(s, round[i]), "rule %d printed '%s'", i, s);
	}
	CHECK(!xlvif_parse_rule("drop:udp:0-65535:out", &r, err, sizeof(err)),
	      "%s", err);
	xlvif_rule_str(&r, s, sizeof(s));
	CHECK(!strcmp(s, "drop:udp:out"), "full range printed as none: %s", s);
}

int main(void)
{
	test_rate();
	test_rules();
	test_accepts();
	test_refuses();
	return test_summary("test_xlvif");
}
