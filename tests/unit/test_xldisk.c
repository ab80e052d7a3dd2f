/*
 * xl.cfg disk specifications (dom0/lib/xldisk.c): Xen's key=value and
 * positional forms, Xenolith's targets (whole disks and extents), vdev
 * numbers as Xen's vbd-interface document gives them, and refusals with
 * their reason.
 */
#include <stdlib.h>
#include <string.h>
#include "test.h"
#include "xldisk.h"

static void test_forms(void)
{
	struct xl_disk d;
	char err[160] = "";

	TEST_GROUP("xl disk: key=value, positional and old forms");
	CHECK(!xldisk_parse("format=raw, vdev=xvda, access=rw, target=vblk0",
			    &d, err, sizeof(err)),
	      "%s", err);
	CHECK(d.disk == 0 && d.devid == 51712 && !d.readonly && !d.sectors &&
		  !strcmp(d.vdev, "xvda"),
	      "key=value: whole vblk0 as xvda rw");
	CHECK(!xldisk_parse("vblk2,raw,xvdb,r", &d, err, sizeof(err)), "%s",
	      err);
	CHECK(d.disk == 2 && d.devid == 51728 && d.readonly,
	      "positional: vblk2 as xvdb ro");
	CHECK(!xldisk_parse("phy:vblk1:100+50,xvdc,w", &d, err, sizeof(err)),
	      "%s", err);
	CHECK(d.disk == 1 && d.start == 100 && d.sectors == 50 &&
		  d.devid == 51744 && !d.readonly,
	      "old form with phy: and an extent in sectors");
	CHECK(!xldisk_parse("vblk0:1M+64M,,xvdd", &d, err, sizeof(err)), "%s",
	      err);
	CHECK(d.start == 2048 && d.sectors == 131072 && !d.readonly,
	      "byte suffixes, empty format, default access rw");
	CHECK(!xldisk_parse("vdev=xvda,target=vblk0,access=ro,devtype=disk,"
			    "backend=0",
			    &d, err, sizeof(err)),
	      "%s", err);
	CHECK(d.readonly, "ro, devtype=disk, backend=0 accepted");
	CHECK(!xldisk_parse("format=cow, vdev=xvda, access=rw, "
			    "target=vblk1:0+80M",
			    &d, err, sizeof(err)),
	      "%s", err);
	CHECK(d.cow && d.disk == 1 && d.sectors == 163840 && !d.readonly,
	      "format=cow: the target is the overlay");
	CHECK(!xldisk_parse("vblk1,cow,xvdb,r", &d, err, sizeof(err)) &&
		  d.cow && d.readonly,
	      "positional cow, read-only");
	CHECK(!xldisk_parse("vblk1,raw,xvdb", &d, err, sizeof(err)) && !d.cow &&
		  !d.no_discard,
	      "raw is not cow; discard by default");
	CHECK(!xldisk_parse("vblk1,raw,xvdb,w,no-discard", &d, err,
			    sizeof(err)) &&
		  d.no_discard && !d.readonly,
	      "the no-discard flag after the positional items: %s", err);
	CHECK(!xldisk_parse("discard, target=vblk1, vdev=xvdb", &d, err,
			    sizeof(err)) &&
		  !d.no_discard,
	      "the discard flag: %s", err);
	CHECK(!xldisk_parse_target("vblk2:1M+2M", &d, err, sizeof(err)) &&
		  d.disk == 2 && d.start == 2048 && d.sectors == 4096,
	      "a target alone (xl cow-create)");
	CHECK(xldisk_parse_target("vblk2:1M+", &d, err, sizeof(err)),
	      "a bad target alone refused");
}

static void test_vdev(void)
{
	static const struct {
		const char *name;
		uint32_t num;
	} v[] = {
		{ "xvda", 51712 },
		{ "xvdb", 51728 },
		{ "xvda1", 51713 },
		{ "xvdp", 51952 },
		{ "xvdq", (1u << 28) | (16 << 8) },
		{ "xvdaa", (1u << 28) | (26 << 8) },
		{ "xvda16", (1u << 28) | 16 },
		{ "51712", 51712 },
		{ "xvd", 0 },
		{ "sda", 0 },
		{ "xvda1x", 0 },
		{ "0", 0 },
		{ "xvda256", 0 },
	};

	TEST_GROUP("xl disk: vdev names to device numbers");
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		CHECK(xldisk_vdev_number(v[i].name) == v[i].num,
		      "%s: %u, want %u", v[i].name,
		      xldisk_vdev_number(v[i].name), v[i].num);
}

static void test_refused(void)
{
	static const struct {
		const char *spec, *want;
	} bad[] = {
		{ "vblk0,qcow2,xvda,rw", "only format=raw" },
		{ "target=vblk0,vdev=xvda,script=block", "unsupported key" },
		{ "vblk0,raw,xvda:cdrom,r", "unsupported device type" },
		{ "vblk0,raw,xvda,rx", "access must be" },
		{ "/dev/sda,raw,xvda", "target must name" },
		{ "vblk0:5,raw,xvda", "bad extent" },
		{ "vblk0:5+0,raw,xvda", "bad extent" },
		{ "vblk0:100+1000x,raw,xvda", "bad extent" },
		{ "vblk0:1+,raw,xvda", "bad extent" },
		{ "vblk0:18446744073709551000+1000,raw,xvda", "extent wraps" },
		{ "vblk0,raw,sda", "vdev must be" },
		{ "vblk0", "no vdev" },
		{ "vdev=xvda", "no target" },
		{ "devtype=cdrom,vblk0,raw,xvda", "only devtype=disk" },
		{ "backend=3,vblk0,raw,xvda", "the back end is always" },
		{ "a,b,c,d,e", "too many positional" },
	};
	struct xl_disk d;

	TEST_GROUP("xl disk: refusals name the reason");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[160] = "";

		memset(&d, 0xa5, sizeof(d));
		int rc = xldisk_parse(bad[i].spec, &d, err, sizeof(err));
		CHECK(rc == -22 && strstr(err, bad[i].want),
		      "'%s': rc %d err '%s', want '%s'", bad[i].spec, rc, err,
		      bad[i].want);
		CHECK(((unsigned char *)&d)[0] == 0xa5, "'%s' changed d",
		      bad[i].spec);
	}
}

static void test_fuzz(void)
{
	const char *base =
	    "format=raw, vdev=xvda1, access=rw, target=vblk3:8K+1G";
	size_t n = strlen(base);
	char buf[80], err[160];
	struct xl_disk d;

	TEST_GROUP("xl disk: random corruptions stay within bounds");
	test_seed(11);
	for (int i = 0; i < 20000; i++) {
		memcpy(buf, base, n + 1);
		for (int k = 0; k < 3; k++)
			buf[test_rand() % n] = (char)(1 + test_rand() % 127);
		buf[test_rand() % (n + 1)] = '\0';
		(void)xldisk_parse(buf, &d, err, sizeof(err));
	}
	CHECK(1, "no crash or sanitizer report");
}

int main(void)
{
	test_forms();
	test_vdev();
	test_refused();
	test_fuzz();
	return test_summary("test_xldisk");
}
