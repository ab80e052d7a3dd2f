/*
 * Host tests of the xl.cfg parser (dom0/lib/xlcfg.c): a typical Xen PV
 * config, defaults, xl's cmdline composition from root/extra, lists over
 * several lines, and every malformed line reported with its number while
 * the caller's config stays untouched.
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "xlcfg.h"
#include "xlstr.h"

static int parse(const char *text, struct xl_config *c, char *err)
{
	return xlcfg_parse(text, strlen(text), c, err, 160);
}

static void test_typical(void)
{
	struct xl_config c;
	char err[160] = "";
	const char *cfg =
		"# a Debian guest\n"
		"name = \"deb1\"\n"
		"memory = 256\n"
		"maxmem=512  # balloon room\n"
		"vcpus = 2\n"
		"maxvcpus = 4\n"
		"kernel = '/boot/vmlinuz'\n"
		"ramdisk = \"/boot/initrd.img\"\n"
		"root = '/dev/xvda1 ro'\n"
		"extra = 'console=hvc0'\n"
		"on_crash = 'restart'\n"
		"on_reboot = \"preserve\"\n"
		"disk = [ 'phy:vblk0,xvda,w',\n"
		"         'vblk1:2048+1M,raw,xvdb,r', ]\n"
		"vif = ['bridge=xenbr0']\n"
		"type = \"pv\"\n"
		"cpu_weight = 512\n"
		"cap = 50\n";

	TEST_GROUP("xl.cfg: a typical PV guest config");
	CHECK(parse(cfg, &c, err) == 0, "refused: %s", err);
	CHECK(!strcmp(c.name, "deb1"), "name %s", c.name);
	CHECK(c.memory_mb == 256 && c.maxmem_mb == 512, "memory");
	CHECK(c.vcpus == 2 && c.maxvcpus == 4, "vcpus 2 of maxvcpus 4");
	CHECK(c.cpu_weight == 512 && c.cap == 50, "cpu_weight %u cap %u",
	      c.cpu_weight, c.cap);
	CHECK(!strcmp(c.kernel, "/boot/vmlinuz"), "kernel");
	CHECK(!strcmp(c.ramdisk, "/boot/initrd.img"), "ramdisk");
	CHECK(!strcmp(c.cmdline, "root=/dev/xvda1 ro console=hvc0"),
	      "cmdline '%s'", c.cmdline);
	CHECK(c.on_crash == XL_ACTION_RESTART, "on_crash");
	CHECK(c.on_reboot == XL_ACTION_PRESERVE, "on_reboot");
	CHECK(c.on_poweroff == XL_ACTION_DESTROY, "on_poweroff default");
	CHECK(c.ndisks == 2 && !strcmp(c.disks[1], "vblk1:2048+1M,raw,xvdb,r"),
	      "disks");
	CHECK(c.disk[0].disk == 0 && c.disk[0].devid == 51712 &&
		      !c.disk[0].readonly && !c.disk[0].sectors,
	      "disk 0 parsed: whole vblk0 as xvda (51712), read-write");
	CHECK(c.disk[1].disk == 1 && c.disk[1].devid == 51728 &&
		      c.disk[1].readonly && c.disk[1].start == 2048 &&
		      c.disk[1].sectors == 2048,
	      "disk 1 parsed: vblk1 sectors 2048+2048 as xvdb, read-only");
	CHECK(c.nvifs == 1 && !strcmp(c.vifs[0], "bridge=xenbr0") &&
		  !strcmp(c.vif[0].bridge, "xenbr0"),
	      "vifs");
}

static void test_defaults(void)
{
	struct xl_config c;
	char err[160] = "";

	TEST_GROUP("xl.cfg: defaults and cmdline precedence");
	CHECK(parse("name='a'\nkernel='k'\ncmdline='x y'\nextra='z'\n", &c,
		    err) == 0,
	      "%s", err);
	CHECK(c.memory_mb == 128 && c.maxmem_mb == 128 && c.vcpus == 1 &&
		      c.maxvcpus == 1,
	      "defaults");
	CHECK(!strcmp(c.cmdline, "x y"), "cmdline wins over extra");
	CHECK(c.on_reboot == XL_ACTION_RESTART, "on_reboot default");
	CHECK(parse("name='a'\r\nkernel='k'\r\nextra=\"q\\\"s\"", &c, err) == 0,
	      "CRLF, escaped quote, no final newline: %s", err);
	CHECK(!strcmp(c.cmdline, "q\"s"), "cmdline '%s'", c.cmdline);
	CHECK(parse("name='a'\nkernel='k'\nvcpus=3\n", &c, err) == 0 &&
		      c.maxvcpus == 3,
	      "maxvcpus defaults to vcpus: %s", err);
}

static void test_errors(void)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "name='a'\nkernel='k'\nmemory = lots\n", "line 3: expected a value" },
		{ "name='a'\nmemory = 0\nkernel='k'\n", "line 2: memory out of range" },
		{ "name='a'\nkernel='k'\nvcpus = 999\n", "line 3: vcpus out of range" },
		{ "name='a'\nkernel='k'\ncpu_weight = 0\n", "line 3: cpu_weight out of range" },
		{ "name='a'\ncap = 65535\nkernel='k'\n", "line 2: cap out of range" },
		{ "name='a'\ncap = 'half'\nkernel='k'\n", "line 2: wrong type" },
		{ "name='a\nkernel='k'\n", "line 1: unterminated string" },
		{ "name='a'\n\n\nkernel 'k'\n", "line 4: expected '=' after" },
		{ "name='a'\nkernel='k'\non_crash='explode'\n", "line 3: unknown action" },
		{ "name='a'\nkernel='k'\ndisk=['a',\n'b'\n", "line 5: unterminated list" },
		{ "name='a'\nkernel='k'\ndisk=['a' 'b']\n", "line 3: expected ',' or ']'" },
		{ "name='a'\nkernel='k'\nvif=[1]\n", "line 3: list items must be quoted" },
		{ "name='a'\nkernel='k'\nvif=['',\n'rate=1Mbit/s']\n", "line 4: vif: rate: must be a number" },
		{ "name='a'\nkernel=5\n", "line 2: wrong type" },
		{ "name='a' junk\nkernel='k'\n", "line 1: unexpected text" },
		{ "= 3\n", "line 1: expected a setting name" },
		{ "name='a'\nkernel='k'\ntype='hvm'\n", "line 3: only type" },
		{ "name='a'\nkernel='k'\nmemory=99999999999999999999999\n", "line 3: number too large" },
		{ "kernel='k'\n", "no name" },
		{ "name='a'\n", "no kernel" },
		{ "name='a'\nkernel='k'\nmemory=512\nmaxmem=256\n", "maxmem is below memory" },
		{ "name='a'\nkernel='k'\nvcpus=4\nmaxvcpus=2\n", "maxvcpus is below vcpus" },
		{ "name='a'\nkernel='k'\nmaxvcpus=0\n", "line 3: vcpus out of range" },
		{ "name=''\nkernel='k'\n", "line 1: name is empty" },
		{ "name='a'\nkernel='k'\ndisk=['vblk0,raw,xvda,rw',\n\n 'vblk0,qcow2,xvdb']\n",
		  "line 5: disk: only format=raw" },
		{ "name='a'\nkernel='k'\ndisk=['target=vblk0,vdev=xvda,script=block']\n",
		  "line 3: disk: unsupported key: script" },
		{ "name='a'\nkernel='k'\ndisk=['vblk0,xvda,rw',\n'vblk1,xvda,r']\n",
		  "line 4: disk: vdev xvda is given twice" },
		{ "name='a'\nkernel='k'\n\nserial='pty'\n",
		  "line 4: unsupported setting (Xenolith does not implement it): serial" },
		{ "name='a'\nkernel='k'\ndisk=['/dev/sda,xvda,w']\n",
		  "line 3: disk: target must name a disk" },
	};
	struct xl_config c;

	TEST_GROUP("xl.cfg: malformed lines reported with their number");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[160] = "";
		memset(&c, 0xa5, sizeof(c));
		int rc = parse(bad[i].text, &c, err);
		CHECK(rc == -22 && !strncmp(err, bad[i].want, strlen(bad[i].want)),
		      "case %zu: rc %d, err '%s', want '%s'", i, rc, err,
		      bad[i].want);
		CHECK(((unsigned char *)&c)[0] == 0xa5, "case %zu changed cfg", i);
	}
}

static void test_fuzz(void)
{
	const char *base = "name='a'\nkernel='k'\ndisk=['vblk0:8+8,xvda,r',"
			   "'format=raw,vdev=xvdb,target=vblk1']\nmemory=64\n";
	size_t n = strlen(base);

	TEST_GROUP("xl.cfg: random corruptions stay within bounds");
	test_seed(7);
	for (int i = 0; i < 20000; i++) {
		char *t = malloc(n);
		struct xl_config c;
		char err[160];
		memcpy(t, base, n);
		for (int k = 0; k < 3; k++)
			t[test_rand() % n] = (char)(test_rand() % 128);
		size_t len = test_rand() % (n + 1);
		(void)xlcfg_parse(t, len, &c, err, sizeof(err));
		free(t);
	}
	CHECK(1, "no crash");
}

/* xl mem-set's sizes: MiB by default, suffixes as xl's. */
static void test_mem_size(void)
{
	static const struct {
		const char *s;
		int rc;
		uint64_t kb;
	} cases[] = {
		{ "256", 0, 262144 },	  { "256m", 0, 262144 },
		{ "256M", 0, 262144 },	  { "1g", 0, 1048576 },
		{ "4096k", 0, 4096 },	  { "1048576b", 0, 1024 },
		{ "1t", 0, 1ULL << 30 },  { "", -22, 0 },
		{ "m", -22, 0 },	  { "12x", -22, 0 },
		{ "12mb", -22, 0 },	  { "-5", -22, 0 },
		{ "256 ", -22, 0 },	  { "99999999999999999999", -22, 0 },
		{ "18014398509481984m", -22, 0 },
	};

	TEST_GROUP("xl mem-set sizes (xl_parse_mem_kb)");
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t kb = 0;
		int rc = xl_parse_mem_kb(cases[i].s, &kb);

		CHECK(rc == cases[i].rc && (rc || kb == cases[i].kb),
		      "\"%s\": rc %d, %lu KiB", cases[i].s, rc,
		      (unsigned long)kb);
	}
}

int main(void)
{
	test_mem_size();
	test_typical();
	test_defaults();
	test_errors();
	test_fuzz();
	return test_summary("test_xlcfg");
}
