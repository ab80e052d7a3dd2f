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
	refused("rate=10Mb/s", "unsupported key: rate");
	refused("model=e1000", "unsupported key: model");
	refused("type=ioemu", "only type=vif");
	refused("backend=1", "always domain 0");
	refused("bridge", "expected key=value");
}

int main(void)
{
	test_accepts();
	test_refuses();
	return test_summary("test_xlvif");
}
