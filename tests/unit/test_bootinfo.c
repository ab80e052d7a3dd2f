/*
 * Host unit tests for the Multiboot information parser (hv/core/bootinfo.c).
 *
 * Fake physical memory is a buffer standing at FAKE_BASE. phys_to_ptr hands
 * out a fresh malloc'd copy of exactly the requested range and frees the
 * previous one, so AddressSanitizer catches any read past a mapped range and
 * any use of a stale mapping; outside the buffer it returns NULL.
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"

#include <bootinfo.h>
#include <errno.h>

#define FAKE_BASE 0x200000ULL
#define FAKE_SIZE 0x10000U
#define P(off) ((u32)(FAKE_BASE + (off)))

#define MB1 MULTIBOOT1_BOOTLOADER_MAGIC
#define MB2 MULTIBOOT2_BOOTLOADER_MAGIC

static u8 *fake;
static u8 *last_map;
static unsigned long nr_maps;

static const void *phys_to_ptr(u64 paddr, u64 len, void *ctx)
{
	u64 off;

	(void)ctx;
	free(last_map);
	last_map = NULL;
	nr_maps++;
	if (paddr < FAKE_BASE)
		return NULL;
	off = paddr - FAKE_BASE;
	if (off > FAKE_SIZE || len > FAKE_SIZE - off)
		return NULL;
	last_map = malloc(len ? len : 1);
	memcpy(last_map, fake + off, len);
	return last_map;
}

static void w32(u32 off, u32 v)
{
	memcpy(fake + off, &v, 4);
}

static void w64(u32 off, u64 v)
{
	memcpy(fake + off, &v, 8);
}

static void wstr(u32 off, const char *s)
{
	memcpy(fake + off, s, strlen(s) + 1);
}

static struct boot_info bi;
static char err[160];

static int parse(u32 magic, u64 paddr)
{
	memset(&bi, 0xa5, sizeof(bi));
	memset(err, 'x', sizeof(err));
	return bootinfo_parse(magic, paddr, phys_to_ptr, NULL, &bi, err,
			      sizeof(err));
}

static bool bi_zero(void)
{
	static const struct boot_info zero;

	return !memcmp(&bi, &zero, sizeof(bi));
}

/* Expect a failure with rc, a zeroed boot_info and a message naming what. */
#define EXPECT_FAIL(magic, paddr, want, what)                              \
	do {                                                               \
		int rc_ = parse((magic), (paddr));                         \
		CHECK(rc_ == (want), "%s: rc %d, want %d (%s)", (what), rc_, \
		      (want), err);                                        \
		CHECK(err[0] && strlen(err) < sizeof(err) && bi_zero(),    \
		      "%s: message/zeroing (%s)", (what), err);            \
	} while (0)

static bool region_is(unsigned int i, u64 start, u64 len, u32 type)
{
	return i < bi.nr_mem && bi.mem[i].start == start &&
	       bi.mem[i].len == len && bi.mem[i].type == type;
}

/* ---- Multiboot 1 ---- */

#define MB1_INFO 0x100
#define MB1_MODS 0x500
#define MB1_MMAP 0x800

static u32 mb1_mmap_len;

static void mb1_mmap_entry(u32 size, u64 base, u64 len, u32 type)
{
	u32 at = MB1_MMAP + mb1_mmap_len;

	w32(at, size);
	w64(at + 4, base);
	w64(at + 12, len);
	w32(at + 20, type);
	mb1_mmap_len += 4 + size;
	w32(MB1_INFO + 44, mb1_mmap_len);
}

static void mb1_build(void)
{
	memset(fake, 0, FAKE_SIZE);
	w32(MB1_INFO, (1 << 0) | (1 << 2) | (1 << 3) | (1 << 6) | (1 << 9));
	w32(MB1_INFO + 4, 639);
	w32(MB1_INFO + 8, 0x7fc00);
	w32(MB1_INFO + 16, P(0x400));
	wstr(0x400, "/boot/xen.gz loglvl=all");
	w32(MB1_INFO + 20, 2);
	w32(MB1_INFO + 24, P(MB1_MODS));
	w32(MB1_MODS + 0, 0x1000000);
	w32(MB1_MODS + 4, 0x1400000);
	w32(MB1_MODS + 8, P(0x600));
	w32(MB1_MODS + 16, 0x2000000);
	w32(MB1_MODS + 20, 0x2000800);
	w32(MB1_MODS + 24, P(0x640));
	wstr(0x600, "vmlinuz root=/dev/sda1");
	wstr(0x640, "initrd.img");
	w32(MB1_INFO + 48, P(MB1_MMAP));
	mb1_mmap_len = 0;
	mb1_mmap_entry(20, 0, 0x9fc00, 1);
	mb1_mmap_entry(20, 0x9fc00, 0x400, 2);
	mb1_mmap_entry(28, 0xf0000, 0x10000, 2); /* padded entry */
	mb1_mmap_entry(20, 0x100000, 0x7ff00000, 1);
	mb1_mmap_entry(20, 0xfec00000, 0x1000, 12); /* unknown type */
	mb1_mmap_entry(20, 0x100000000ULL, 0x40000000, 1);
	w32(MB1_INFO + 64, P(0x700));
	wstr(0x700, "GRUB 0.97");
}

static void test_mb1(void)
{
	int rc, i;

	TEST_GROUP("multiboot1: full information block");
	mb1_build();
	rc = parse(MB1, P(MB1_INFO));
	CHECK(rc == 0 && err[0] == '\0', "rc %d (%s)", rc, err);
	CHECK(bi.multiboot == 1 && bi.warn == 0, "kind/warn");
	CHECK(!strcmp(bi.cmdline, "/boot/xen.gz loglvl=all"), "cmdline '%s'",
	      bi.cmdline);
	CHECK(!strcmp(bi.loader, "GRUB 0.97"), "loader '%s'", bi.loader);
	CHECK(bi.nr_mod == 2, "nr_mod %u", bi.nr_mod);
	CHECK(bi.mod[0].start == 0x1000000 && bi.mod[0].end == 0x1400000 &&
		      !strcmp(bi.mod[0].cmdline, "vmlinuz root=/dev/sda1"),
	      "mod 0");
	CHECK(bi.mod[1].start == 0x2000000 && bi.mod[1].end == 0x2000800 &&
		      !strcmp(bi.mod[1].cmdline, "initrd.img"),
	      "mod 1");
	CHECK(bi.nr_mem == 6, "nr_mem %u", bi.nr_mem);
	CHECK(region_is(0, 0, 0x9fc00, 1) && region_is(1, 0x9fc00, 0x400, 2) &&
		      region_is(2, 0xf0000, 0x10000, 2) &&
		      region_is(3, 0x100000, 0x7ff00000, 1) &&
		      region_is(4, 0xfec00000, 0x1000, 2) &&
		      region_is(5, 0x100000000ULL, 0x40000000, 1),
	      "regions (unknown type -> reserved, padded entry honoured)");
	CHECK(bi.rsdp == 0 && bi.rsdp_len == 0, "no RSDP from multiboot1");
	CHECK(bootinfo_ram_bytes(&bi) == 0x9fc00 + 0x7ff00000ULL + 0x40000000,
	      "ram bytes");

	TEST_GROUP("multiboot1: optional parts");
	mb1_build();
	w32(MB1_INFO, 1 << 0);
	CHECK(parse(MB1, P(MB1_INFO)) == 0, "mem only (%s)", err);
	CHECK(bi.nr_mem == 2 && region_is(0, 0, 639 * 1024, 1) &&
		      region_is(1, MiB(1), 0x7fc00ULL * 1024, 1) &&
		      bi.nr_mod == 0 && !bi.cmdline[0] && !bi.loader[0],
	      "mem_lower/mem_upper fallback");
	w32(MB1_INFO, (1 << 0) | (1 << 6));
	w32(MB1_INFO + 44, 0);
	CHECK(parse(MB1, P(MB1_INFO)) == 0 && bi.nr_mem == 2,
	      "empty mmap falls back to mem_lower/upper");
	w32(MB1_INFO, 0);
	CHECK(parse(MB1, P(MB1_INFO)) == 0 && bi.nr_mem == 0 &&
		      bi.nr_mod == 0,
	      "no flags at all");

	/* Without bit 9 only 52 bytes are read: place info at the very end. */
	mb1_build();
	memcpy(fake + FAKE_SIZE - 52, fake + MB1_INFO, 52);
	w32(FAKE_SIZE - 52, 1 << 6);
	CHECK(parse(MB1, P(FAKE_SIZE - 52)) == 0 && bi.nr_mem == 6,
	      "info block of 52 bytes at the end of memory (%s)", err);
	w32(FAKE_SIZE - 52, (1 << 6) | (1 << 9));
	EXPECT_FAIL(MB1, P(FAKE_SIZE - 52), -EFAULT,
		    "loader name field past the end of memory");

	TEST_GROUP("multiboot1: coalescing and limits");
	mb1_build();
	mb1_mmap_len = 0;
	for (i = 0; i < 100; i++)
		mb1_mmap_entry(20, (u64)i * 0x1000, 0x1000, 1);
	CHECK(parse(MB1, P(MB1_INFO)) == 0 && bi.nr_mem == 1 &&
		      region_is(0, 0, 100 * 0x1000, 1),
	      "100 adjacent RAM entries coalesce");
	mb1_mmap_len = 0;
	for (i = 0; i < 70; i++)
		mb1_mmap_entry(20, (u64)i * 0x2000, 0x1000, 1);
	rc = parse(MB1, P(MB1_INFO));
	CHECK(rc == 0 && bi.nr_mem == BOOT_MAX_MEM && bi.nr_mem_dropped == 6 &&
		      (bi.warn & BOOTINFO_WARN_MEM_DROPPED) && err[0] &&
		      region_is(63, 63 * 0x2000, 0x1000, 1),
	      "70 regions: first 64 kept, 6 dropped, warning '%s'", err);

	mb1_build();
	w32(MB1_INFO + 20, 20);
	for (i = 0; i < 20; i++) {
		w32(0x3000 + i * 16, 0x100000 * i);
		w32(0x3000 + i * 16 + 4, 0x100000 * i + 0x1000);
		w32(0x3000 + i * 16 + 8, P(0x400));
	}
	w32(MB1_INFO + 24, P(0x3000));
	rc = parse(MB1, P(MB1_INFO));
	CHECK(rc == 0 && bi.nr_mod == BOOT_MAX_MOD && bi.nr_mod_dropped == 4 &&
		      (bi.warn & BOOTINFO_WARN_MOD_DROPPED) &&
		      bi.mod[15].start == 0x100000 * 15,
	      "20 modules: 16 kept, 4 dropped (%s)", err);
	w32(MB1_INFO + 20, 0xffffffff);
	rc = parse(MB1, P(MB1_INFO));
	CHECK(rc == 0 && bi.nr_mod == BOOT_MAX_MOD &&
		      bi.nr_mod_dropped == 0xffffffffU - 16,
	      "huge mods_count stops after 16 (%s)", err);

	mb1_build();
	memset(fake + 0x2000, 'a', 2000);
	fake[0x2000 + 2000] = '\0';
	w32(MB1_INFO + 16, P(0x2000));
	rc = parse(MB1, P(MB1_INFO));
	CHECK(rc == 0 && strlen(bi.cmdline) == sizeof(bi.cmdline) - 1 &&
		      (bi.warn & BOOTINFO_WARN_TRUNCATED) &&
		      strstr(err, "truncated"),
	      "long cmdline truncated with a warning (%s)", err);
	memset(fake + 0x2000, 'b', 1023);
	fake[0x2000 + 1023] = '\0';
	rc = parse(MB1, P(MB1_INFO));
	CHECK(rc == 0 && strlen(bi.cmdline) == 1023 && bi.warn == 0,
	      "1023-char cmdline fits exactly");
	/* A string that crosses a page boundary. */
	memset(fake + 0x2ff0, 'c', 0x20);
	fake[0x3010] = '\0';
	w32(MB1_INFO + 16, P(0x2ff0));
	CHECK(parse(MB1, P(MB1_INFO)) == 0 && strlen(bi.cmdline) == 0x20,
	      "string across a page boundary");
	/* A string that ends right at the end of memory. */
	memset(fake + FAKE_SIZE - 10, 'd', 9);
	fake[FAKE_SIZE - 1] = '\0';
	w32(MB1_INFO + 16, P(FAKE_SIZE - 10));
	CHECK(parse(MB1, P(MB1_INFO)) == 0 && strlen(bi.cmdline) == 9,
	      "string ending at the last byte (%s)", err);
}

static void test_mb1_hostile(void)
{
	TEST_GROUP("multiboot1: hostile blocks");
	mb1_build();
	EXPECT_FAIL(MB1, 0x1000, -EFAULT, "info not mapped");
	EXPECT_FAIL(MB1, P(FAKE_SIZE - 2), -EFAULT, "info straddles the end");

	mb1_build();
	memset(fake + FAKE_SIZE - 10, 'd', 10);
	w32(MB1_INFO + 16, P(FAKE_SIZE - 10));
	EXPECT_FAIL(MB1, P(MB1_INFO), -EFAULT,
		    "cmdline not terminated before the end of memory");
	CHECK(strstr(err, "command line") != NULL, "message: %s", err);

	mb1_build();
	w32(MB1_INFO + 16, 0);
	EXPECT_FAIL(MB1, P(MB1_INFO), -EFAULT, "cmdline at unmapped address");

	mb1_build();
	w32(MB1_MODS + 24, 0x10);
	EXPECT_FAIL(MB1, P(MB1_INFO), -EFAULT, "module string unmapped");

	mb1_build();
	w32(MB1_INFO + 24, P(FAKE_SIZE - 24));
	EXPECT_FAIL(MB1, P(MB1_INFO), -EFAULT, "module array runs off memory");

	mb1_build();
	w32(MB1_MODS + 4, 0xfff);
	EXPECT_FAIL(MB1, P(MB1_INFO), -EBADMSG, "module end before start");

	mb1_build();
	w32(MB1_MMAP, 8);
	EXPECT_FAIL(MB1, P(MB1_INFO), -EBADMSG, "mmap entry size 8");
	w32(MB1_MMAP, 0);
	EXPECT_FAIL(MB1, P(MB1_INFO), -EBADMSG, "mmap entry size 0");
	w32(MB1_MMAP, 0xfffffff0);
	EXPECT_FAIL(MB1, P(MB1_INFO), -EBADMSG, "mmap entry size huge");

	mb1_build();
	w32(MB1_INFO + 44, mb1_mmap_len - 4);
	EXPECT_FAIL(MB1, P(MB1_INFO), -EBADMSG,
		    "last mmap entry runs past mmap_length");
	w32(MB1_INFO + 44, mb1_mmap_len + 2);
	EXPECT_FAIL(MB1, P(MB1_INFO), -EBADMSG, "2 stray bytes after the mmap");
	w32(MB1_INFO + 44, 0x7fffffff);
	EXPECT_FAIL(MB1, P(MB1_INFO), -EBADMSG, "mmap_length implausible");
	w32(MB1_INFO + 44, 0x8000);
	w32(MB1_INFO + 48, P(FAKE_SIZE - 0x100));
	EXPECT_FAIL(MB1, P(MB1_INFO), -EFAULT, "mmap runs off memory");

	mb1_build();
	w64(MB1_MMAP + 4, 0xfffffffffffff000ULL);
	w64(MB1_MMAP + 12, 0x2000);
	EXPECT_FAIL(MB1, P(MB1_INFO), -EBADMSG, "region wraps");
	w64(MB1_MMAP + 12, 0x1000);
	CHECK(parse(MB1, P(MB1_INFO)) == 0 &&
		      region_is(0, 0xfffffffffffff000ULL, 0x1000, 1),
	      "region ending exactly at 2^64 (%s)", err);
}

/* ---- Multiboot 2 ---- */

#define MB2_INFO 0x1000

static u32 mb2_off;

static void mb2_begin(void)
{
	memset(fake, 0, FAKE_SIZE);
	mb2_off = 8;
}

/* Append a tag; size is 8 + len, padded to 8. Returns its offset. */
static u32 mb2_tag(u32 type, const void *body, u32 len)
{
	u32 at = mb2_off;

	w32(MB2_INFO + at, type);
	w32(MB2_INFO + at + 4, 8 + len);
	if (len)
		memcpy(fake + MB2_INFO + at + 8, body, len);
	mb2_off += (8 + len + 7) & ~7U;
	return at;
}

static void mb2_finish(void)
{
	mb2_tag(0, NULL, 0);
	w32(MB2_INFO, mb2_off);
	w32(MB2_INFO + 4, 0);
}

static u32 mb2_str(u32 type, const char *s)
{
	return mb2_tag(type, s, (u32)strlen(s) + 1);
}

static u32 mb2_module(u32 start, u32 end, const char *s)
{
	u8 body[512];
	size_t n = strlen(s) + 1;

	memcpy(body, &start, 4);
	memcpy(body + 4, &end, 4);
	memcpy(body + 8, s, n);
	return mb2_tag(3, body, (u32)(8 + n));
}

struct mmap_ent {
	u64 base, len;
	u32 type;
};

static u32 mb2_mmap(u32 esize, const struct mmap_ent *e, unsigned int n)
{
	static u8 body[8 + 128 * 64];
	unsigned int i;
	u32 zero = 0;

	memset(body, 0, sizeof(body));
	memcpy(body, &esize, 4);
	memcpy(body + 4, &zero, 4);
	for (i = 0; i < n; i++) {
		memcpy(body + 8 + i * esize, &e[i].base, 8);
		memcpy(body + 8 + i * esize + 8, &e[i].len, 8);
		memcpy(body + 8 + i * esize + 16, &e[i].type, 4);
	}
	return mb2_tag(6, body, 8 + n * esize);
}

static const struct mmap_ent std_map[] = {
	{ 0, 0x9fc00, 1 },
	{ 0x9fc00, 0x400, 2 },
	{ 0x100000, 0x7fe00000, 1 },
	{ 0x7ff00000, 0x100000, 3 },
	{ 0xfee00000, 0x1000, 4 },
	{ 0x100000000ULL, 0x80000000ULL, 1 },
	{ 0x180000000ULL, 0x1000, 5 },
};

static u8 rsdp_old[20], rsdp_new[36];
static u32 new_tag_off;

static void mb2_build(void)
{
	u32 meminfo[2] = { 639, 0x7fc00 };
	u8 fb[24];
	unsigned int i;

	for (i = 0; i < sizeof(rsdp_new); i++)
		rsdp_new[i] = (u8)(0x40 + i);
	for (i = 0; i < sizeof(rsdp_old); i++)
		rsdp_old[i] = (u8)(0x10 + i);
	memset(fb, 0x77, sizeof(fb));

	mb2_begin();
	mb2_str(1, "xen.gz dom0_mem=1G");
	mb2_str(2, "GRUB 2.06");
	mb2_module(0x1000000, 0x1800000, "vmlinuz console=hvc0");
	mb2_tag(8, fb, sizeof(fb)); /* framebuffer: skipped */
	mb2_module(0x2000000, 0x2000001, "");
	mb2_tag(4, meminfo, sizeof(meminfo));
	mb2_mmap(24, std_map, ARRAY_SIZE(std_map));
	mb2_tag(14, rsdp_old, sizeof(rsdp_old));
	new_tag_off = mb2_tag(15, rsdp_new, sizeof(rsdp_new));
	mb2_tag(21, fb, 5); /* odd size, padded */
	mb2_finish();
}

static void test_mb2(void)
{
	struct mmap_ent big[80];
	u32 meminfo[2] = { 600, 0x1000 };
	char name[300];
	unsigned long maps;
	int rc, i;

	TEST_GROUP("multiboot2: full information block");
	mb2_build();
	maps = nr_maps;
	rc = parse(MB2, P(MB2_INFO));
	CHECK(rc == 0 && err[0] == '\0' && bi.warn == 0, "rc %d (%s)", rc,
	      err);
	CHECK(nr_maps - maps == 2, "header + whole block mapped (%lu maps)",
	      nr_maps - maps);
	CHECK(bi.multiboot == 2, "kind");
	CHECK(!strcmp(bi.cmdline, "xen.gz dom0_mem=1G"), "cmdline '%s'",
	      bi.cmdline);
	CHECK(!strcmp(bi.loader, "GRUB 2.06"), "loader '%s'", bi.loader);
	CHECK(bi.nr_mod == 2 && bi.mod[0].start == 0x1000000 &&
		      bi.mod[0].end == 0x1800000 &&
		      !strcmp(bi.mod[0].cmdline, "vmlinuz console=hvc0") &&
		      bi.mod[1].start == 0x2000000 &&
		      bi.mod[1].end == 0x2000001 && !bi.mod[1].cmdline[0],
	      "modules");
	CHECK(bi.nr_mem == ARRAY_SIZE(std_map), "nr_mem %u", bi.nr_mem);
	for (i = 0; i < (int)ARRAY_SIZE(std_map); i++)
		CHECK(region_is(i, std_map[i].base, std_map[i].len,
				std_map[i].type),
		      "region %d", i);
	CHECK(bi.rsdp == P(MB2_INFO) + new_tag_off + 8 && bi.rsdp_len == 36 &&
		      !memcmp(bi.rsdp_copy, rsdp_new, 36),
	      "new RSDP preferred (rsdp %#llx)", (unsigned long long)bi.rsdp);

	TEST_GROUP("multiboot2: variants");
	mb2_begin();
	mb2_tag(15, rsdp_new, sizeof(rsdp_new));
	mb2_tag(14, rsdp_old, sizeof(rsdp_old));
	mb2_finish();
	CHECK(parse(MB2, P(MB2_INFO)) == 0 && bi.rsdp_len == 36 &&
		      bi.rsdp == P(MB2_INFO) + 16 &&
		      !memcmp(bi.rsdp_copy, rsdp_new, 36),
	      "new RSDP kept when old follows");
	mb2_begin();
	mb2_tag(14, rsdp_old, sizeof(rsdp_old));
	mb2_finish();
	CHECK(parse(MB2, P(MB2_INFO)) == 0 && bi.rsdp_len == 20 &&
		      bi.rsdp == P(MB2_INFO) + 16 &&
		      !memcmp(bi.rsdp_copy, rsdp_old, 20),
	      "old RSDP only");

	mb2_begin();
	mb2_finish();
	CHECK(parse(MB2, P(MB2_INFO)) == 0 && bi.nr_mem == 0 &&
		      bi.nr_mod == 0 && !bi.cmdline[0] && bi.rsdp == 0,
	      "end tag only (%s)", err);

	mb2_begin();
	mb2_tag(4, meminfo, sizeof(meminfo));
	mb2_finish();
	CHECK(parse(MB2, P(MB2_INFO)) == 0 && bi.nr_mem == 2 &&
		      region_is(0, 0, 600 * 1024, 1) &&
		      region_is(1, MiB(1), 0x1000 * 1024, 1),
	      "basic meminfo fallback");

	mb2_begin();
	mb2_mmap(40, std_map, 3);
	mb2_str(1, "first");
	mb2_str(1, "second");
	mb2_finish();
	CHECK(parse(MB2, P(MB2_INFO)) == 0 && bi.nr_mem == 3 &&
		      region_is(2, 0x100000, 0x7fe00000, 1) &&
		      !strcmp(bi.cmdline, "first"),
	      "entry_size 40 honoured; first cmdline tag wins (%s)", err);

	TEST_GROUP("multiboot2: limits");
	mb2_begin();
	for (i = 0; i < 80; i++) {
		big[i].base = (u64)i * 0x3000;
		big[i].len = 0x1000;
		big[i].type = 1 + i % 2;
	}
	mb2_mmap(24, big, 80);
	for (i = 0; i < 18; i++)
		mb2_module(0x100000 * i, 0x100000 * i + 0x10, "m");
	mb2_finish();
	rc = parse(MB2, P(MB2_INFO));
	CHECK(rc == 0 && bi.nr_mem == 64 && bi.nr_mem_dropped == 16 &&
		      bi.nr_mod == 16 && bi.nr_mod_dropped == 2 &&
		      (bi.warn & BOOTINFO_WARN_MEM_DROPPED) &&
		      (bi.warn & BOOTINFO_WARN_MOD_DROPPED) &&
		      !(bi.warn & BOOTINFO_WARN_TRUNCATED) && err[0],
	      "too many regions and modules: kept, counted, warned (%s)", err);
	/* last module tag: 24 bytes before the end tag, string at +16 */
	fake[MB2_INFO + mb2_off - 8 - 24 + 16] = 'x';
	fake[MB2_INFO + mb2_off - 8 - 24 + 17] = 'x';
	EXPECT_FAIL(MB2, P(MB2_INFO), -EBADMSG,
		    "a dropped module's string is still checked");

	mb2_begin();
	memset(name, 'L', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	mb2_str(2, name);
	mb2_module(0, 0, name);
	mb2_finish();
	rc = parse(MB2, P(MB2_INFO));
	CHECK(rc == 0 && strlen(bi.loader) == 63 &&
		      strlen(bi.mod[0].cmdline) == 127 &&
		      bi.warn == BOOTINFO_WARN_TRUNCATED &&
		      strstr(err, "truncated"),
	      "long strings truncated with a warning (%s)", err);

	/* err is optional */
	mb2_build();
	CHECK(bootinfo_parse(MB2, P(MB2_INFO), phys_to_ptr, NULL, &bi, NULL,
			     0) == 0 &&
		      bi.nr_mod == 2,
	      "NULL err buffer");
	CHECK(bootinfo_parse(0x12345678, P(MB2_INFO), phys_to_ptr, NULL, &bi,
			     err, 8) == -EINVAL &&
		      strlen(err) == 7,
	      "tiny err buffer truncates the message");
	CHECK(bootinfo_parse(MB2, P(MB2_INFO), NULL, NULL, &bi, err,
			     sizeof(err)) == -EINVAL,
	      "no phys_to_ptr");
}

static void test_mb2_hostile(void)
{
	struct mmap_ent e = { 0xfffffffffffff000ULL, 0x1001, 1 };
	u8 body[64];
	u32 at;

	TEST_GROUP("bad magic");
	mb2_build();
	EXPECT_FAIL(0x12345678, P(MB2_INFO), -EINVAL, "bad magic");
	CHECK(strstr(err, "magic") != NULL, "message: %s", err);
	EXPECT_FAIL(0, P(MB2_INFO), -EINVAL, "zero magic");

	TEST_GROUP("multiboot2: hostile blocks");
	EXPECT_FAIL(MB2, 0x1000, -EFAULT, "info not mapped");
	EXPECT_FAIL(MB2, P(FAKE_SIZE - 4), -EFAULT, "header straddles the end");

	mb2_build();
	w32(MB2_INFO, 8);
	EXPECT_FAIL(MB2, P(MB2_INFO), -EBADMSG, "total_size 8");
	w32(MB2_INFO, 0);
	EXPECT_FAIL(MB2, P(MB2_INFO), -EBADMSG, "total_size 0");
	w32(MB2_INFO, 0x40000000);
	EXPECT_FAIL(MB2, P(MB2_INFO), -EBADMSG, "total_size implausible");
	w32(MB2_INFO, FAKE_SIZE);
	EXPECT_FAIL(MB2, P(MB2_INFO), -EFAULT, "total_size past memory");

	/* total_size cuts the block before the end tag */
	mb2_build();
	w32(MB2_INFO, mb2_off - 8);
	EXPECT_FAIL(MB2, P(MB2_INFO), -EBADMSG, "no end tag");
	CHECK(strstr(err, "end tag") != NULL, "message: %s", err);
	/* total_size in the middle of a tag */
	w32(MB2_INFO, 8 + 12);
	EXPECT_FAIL(MB2, P(MB2_INFO), -EBADMSG, "tag runs past total_size");
	CHECK(strstr(err, "runs past total_size") != NULL, "message: %s", err);
	/* total_size not a multiple of 8 */
	w32(MB2_INFO, mb2_off - 3);
	EXPECT_FAIL(MB2, P(MB2_INFO), -EBADMSG, "end tag cut short");

	mb2_begin();
	mb2_str(1, "abc");
	mb2_finish();
	w32(MB2_INFO + 8 + 4, 4);
	EXPECT_FAIL(MB2, P(MB2_INFO), -EBADMSG, "tag size 4");
	w32(MB2_INFO + 8 + 4, 0);
	EXPECT_FAIL(MB2, P(MB2_INFO), -EBADMSG, "tag size 0");
	w32(MB2_INFO + 8 + 4, 0xfffffff8);
	EXPECT_FAIL(MB2, P(MB2_INFO), -EBADMSG, "tag size huge");

	/* The last tag's padding must also fit in total_size. */
	mb2_begin();
	mb2_tag(21, body, 4); /* size 12 */
	w32(MB2_INFO, 8 + 12);
	EXPECT_FAIL(MB2, P(MB2_INFO), -EBADMSG, "padding past total_size");

	mb2_begin();
	mb2_mmap(0, NULL, 0);
	mb2_finish();
	EXPECT_FAIL(MB2, P(MB2_INFO), -EBADMSG, "mmap entry_size 0");
	mb2_begin();
	mb2_mmap(20, std_map, 2);
	mb2_finish();
	EXPECT_FAIL(MB2, P(MB2_INFO), -EBADMSG, "mmap entry_size 20");
	mb2_begin();
	at = mb2_mmap(24, std_map, 2);
	mb2_finish();
	w32(MB2_INFO + at + 4, 8 + 8 + 40); /* one entry and 16 bytes */
	EXPECT_FAIL(MB2, P(MB2_INFO), -EBADMSG, "mmap partial entry");
	mb2_begin();
	mb2_tag(6, body, 4);
	mb2_finish();
	EXPECT_FAIL(MB2, P(MB2_INFO), -EBADMSG, "mmap tag without header");
	mb2_begin();
	mb2_mmap(24, &e, 1);
	mb2_finish();
	EXPECT_FAIL(MB2, P(MB2_INFO), -EBADMSG, "mmap region wraps");

	/* Module string not NUL-terminated within its tag; memory after it
	 * (the next tag) has no NUL either until well past. */
	mb2_begin();
	at = mb2_module(0x1000, 0x2000, "abcdefg"); /* 8 + 8 = size 24 */
	mb2_finish();
	fake[MB2_INFO + at + 8 + 8 + 7] = 'h';
	EXPECT_FAIL(MB2, P(MB2_INFO), -EBADMSG, "module string unterminated");
	CHECK(strstr(err, "NUL") != NULL, "message: %s", err);
	mb2_begin();
	memset(body, 0, sizeof(body));
	mb2_tag(3, body, 8);
	mb2_finish();
	EXPECT_FAIL(MB2, P(MB2_INFO), -EBADMSG, "module tag without string");
	mb2_begin();
	mb2_module(0x2000, 0x1000, "x");
	mb2_finish();
	EXPECT_FAIL(MB2, P(MB2_INFO), -EBADMSG, "module end before start");

	mb2_begin();
	at = mb2_str(1, "abc");
	mb2_finish();
	w32(MB2_INFO + at + 4, 8 + 3);
	fake[MB2_INFO + at + 8 + 3] = 'd';
	EXPECT_FAIL(MB2, P(MB2_INFO), -EBADMSG, "cmdline unterminated");
	mb2_begin();
	mb2_tag(1, body, 0);
	mb2_finish();
	EXPECT_FAIL(MB2, P(MB2_INFO), -EBADMSG, "empty cmdline tag body");

	mb2_begin();
	mb2_tag(15, rsdp_new, 20);
	mb2_finish();
	EXPECT_FAIL(MB2, P(MB2_INFO), -EBADMSG, "new RSDP tag too short");
	mb2_begin();
	mb2_tag(14, rsdp_old, 12);
	mb2_finish();
	EXPECT_FAIL(MB2, P(MB2_INFO), -EBADMSG, "old RSDP tag too short");
	mb2_begin();
	mb2_tag(4, body, 4);
	mb2_finish();
	EXPECT_FAIL(MB2, P(MB2_INFO), -EBADMSG, "meminfo tag too short");
}

/* ---- random mutation of valid blocks ---- */

static u64 rnd(void)
{
	return test_rand();
}

/* Properties every successful parse must have. */
static bool bi_sane(void)
{
	unsigned int i;

	if (bi.nr_mem > BOOT_MAX_MEM || bi.nr_mod > BOOT_MAX_MOD ||
	    bi.rsdp_len > sizeof(bi.rsdp_copy))
		return false;
	if (!memchr(bi.cmdline, 0, sizeof(bi.cmdline)) ||
	    !memchr(bi.loader, 0, sizeof(bi.loader)))
		return false;
	for (i = 0; i < bi.nr_mem; i++)
		if (!bi.mem[i].len || bi.mem[i].type < 1 ||
		    bi.mem[i].type > 5 ||
		    bi.mem[i].len - 1 > UINT64_MAX - bi.mem[i].start)
			return false;
	for (i = 0; i < bi.nr_mod; i++)
		if (bi.mod[i].end < bi.mod[i].start ||
		    !memchr(bi.mod[i].cmdline, 0, sizeof(bi.mod[i].cmdline)))
			return false;
	return true;
}

static bool sanitized_ok(void);

static void test_fuzz(void)
{
	int it, k, bad_rc = 0, insane = 0, ok = 0;
	u32 span;

	TEST_GROUP("random mutations of valid blocks");
	for (it = 0; it < 40000; it++) {
		bool mb2 = it & 1;
		int rc;

		if (mb2)
			mb2_build();
		else
			mb1_build();
		span = mb2 ? mb2_off : 0xa00;
		for (k = 1 + (int)(rnd() % 4); k > 0; k--) {
			u32 at = (mb2 ? MB2_INFO : MB1_INFO) +
				 (u32)(rnd() % span);

			switch (rnd() % 4) {
			case 0:
				fake[at] ^= (u8)(1 << (rnd() % 8));
				break;
			case 1:
				fake[at] = (u8)rnd();
				break;
			case 2:
				if (at + 4 <= FAKE_SIZE)
					w32(at & ~3U, (u32)rnd() % 0x80);
				break;
			default:
				if (at + 4 <= FAKE_SIZE)
					w32(at & ~3U, (u32)rnd());
				break;
			}
		}
		rc = parse(mb2 ? MB2 : MB1, P(mb2 ? MB2_INFO : MB1_INFO));
		if (rc == 0) {
			ok++;
			if (!bi_sane())
				insane++;
			bootinfo_sanitize_mem(&bi);
			if (!sanitized_ok())
				insane++;
		} else if ((rc != -EBADMSG && rc != -EFAULT) || !bi_zero() ||
			   !err[0]) {
			bad_rc++;
		}
	}
	CHECK(bad_rc == 0, "%d unexpected failures", bad_rc);
	CHECK(insane == 0, "%d insane results", insane);
	CHECK(ok > 1000 && ok < 40000, "%d of 40000 mutated blocks parsed", ok);
}

/* ---- sanitising ---- */

/* The overlap winner order the parser documents. */
static unsigned int rank(u32 t)
{
	static const unsigned int r[] = { 0, 1, 3, 2, 4, 5 };

	return r[t];
}

static void set_mem(const struct boot_mem_region *r, unsigned int n)
{
	memset(&bi, 0, sizeof(bi));
	if (n)
		memcpy(bi.mem, r, n * sizeof(*r));
	bi.nr_mem = n;
}

static bool mem_is(const struct boot_mem_region *r, unsigned int n)
{
	unsigned int i;

	if (bi.nr_mem != n)
		return false;
	for (i = 0; i < n; i++)
		if (!region_is(i, r[i].start, r[i].len, r[i].type))
			return false;
	return true;
}

static void dump_mem(void)
{
	unsigned int i;

	for (i = 0; i < bi.nr_mem && i < 10; i++)
		printf("  [%#llx, +%#llx) type %u\n",
		       (unsigned long long)bi.mem[i].start,
		       (unsigned long long)bi.mem[i].len, bi.mem[i].type);
}

/* Sorted, non-empty, non-overlapping, no mergeable neighbours. */
static bool sanitized_ok(void)
{
	unsigned int i;

	if (bi.nr_mem > BOOT_MAX_MEM)
		return false;
	for (i = 0; i < bi.nr_mem; i++) {
		const struct boot_mem_region *r = &bi.mem[i];

		if (!r->len || r->len > UINT64_MAX - r->start || r->type < 1 ||
		    r->type > 5)
			return false;
		if (i && (r->start < r[-1].start + r[-1].len ||
			  (r->start == r[-1].start + r[-1].len &&
			   r->type == r[-1].type)))
			return false;
	}
	return true;
}

#define SAN(in, out)                                                      \
	do {                                                              \
		unsigned int d_;                                          \
		set_mem((in), ARRAY_SIZE(in));                            \
		d_ = bootinfo_sanitize_mem(&bi);                          \
		CHECK(d_ == 0 && mem_is((out), ARRAY_SIZE(out)) &&        \
			      sanitized_ok(),                             \
		      "sanitize %s -> %s", #in, #out);                    \
		if (!mem_is((out), ARRAY_SIZE(out)))                      \
			dump_mem();                                       \
	} while (0)

static void test_sanitize(void)
{
	static const struct boot_mem_region unsorted[] = {
		{ 0x100000, 0x100000, 1 },
		{ 0x300000, 0x1000, 2 },
		{ 0, 0x9f000, 1 },
	};
	static const struct boot_mem_region unsorted_out[] = {
		{ 0, 0x9f000, 1 },
		{ 0x100000, 0x100000, 1 },
		{ 0x300000, 0x1000, 2 },
	};
	static const struct boot_mem_region hole[] = {
		{ 0, MiB(16), 1 },
		{ MiB(1), MiB(1), 2 },
	};
	static const struct boot_mem_region hole_out[] = {
		{ 0, MiB(1), 1 },
		{ MiB(1), MiB(1), 2 },
		{ MiB(2), MiB(14), 1 },
	};
	static const struct boot_mem_region res_first[] = {
		{ MiB(1), MiB(1), 2 },
		{ 0, MiB(16), 1 },
	};
	static const struct boot_mem_region partial[] = {
		{ 0, 10000, 1 },
		{ 5000, 10000, 3 },
		{ 12000, 8000, 1 },
	};
	static const struct boot_mem_region partial_out[] = {
		{ 0, 5000, 1 },
		{ 5000, 10000, 3 },
		{ 15000, 5000, 1 },
	};
	static const struct boot_mem_region adjacent[] = {
		{ 0x2000, 0x1000, 1 },
		{ 0, 0x1000, 1 },
		{ 0x1000, 0x1000, 1 },
		{ 0x4000, 0x1000, 1 }, /* gap: not merged */
		{ 0x5000, 0x1000, 2 }, /* other type: not merged */
		{ 0x6000, 0x1000, 2 },
	};
	static const struct boot_mem_region adjacent_out[] = {
		{ 0, 0x3000, 1 },
		{ 0x4000, 0x1000, 1 },
		{ 0x5000, 0x2000, 2 },
	};
	static const struct boot_mem_region dup[] = {
		{ 0x1000, 0x1000, 1 }, { 0x1000, 0x1000, 1 }, { 0x1000, 0, 2 },
		{ 0x1800, 0x100, 1 },
	};
	static const struct boot_mem_region dup_out[] = {
		{ 0x1000, 0x1000, 1 },
	};
	static const struct boot_mem_region prio[] = {
		{ 0, 100, 1 }, { 10, 30, 2 }, { 20, 30, 4 },
		{ 30, 5, 5 },  { 60, 10, 3 }, { 65, 10, 2 },
	};
	static const struct boot_mem_region prio_out[] = {
		{ 0, 10, 1 },  { 10, 10, 2 }, { 20, 10, 4 }, { 30, 5, 5 },
		{ 35, 15, 4 }, { 50, 10, 1 }, { 60, 5, 3 },  { 65, 10, 2 },
		{ 75, 25, 1 }, /* reserved beats ACPI reclaimable */
	};
	static const struct boot_mem_region odd_types[] = {
		{ 0, 100, 1 }, { 10, 10, 0 }, { 50, 10, 99 }, { 55, 10, 2 },
	};
	static const struct boot_mem_region odd_types_out[] = {
		{ 0, 10, 1 }, { 10, 10, 2 }, { 20, 30, 1 }, { 50, 15, 2 },
		{ 65, 35, 1 },
	};
	static const struct boot_mem_region top[] = {
		{ UINT64_MAX - 0xfff, 0x2000, 1 },
		{ UINT64_MAX - 0x1fff, 0x1000, 1 },
	};
	static const struct boot_mem_region top_out[] = {
		{ UINT64_MAX - 0x1fff, 0x1fff, 1 },
	};
	struct boot_mem_region many[BOOT_MAX_MEM];
	unsigned int i, d, j;
	u64 x;

	TEST_GROUP("sanitize: sort, overlaps, merging");
	SAN(unsorted, unsorted_out);
	SAN(hole, hole_out);
	SAN(res_first, hole_out);
	SAN(partial, partial_out);
	SAN(adjacent, adjacent_out);
	SAN(dup, dup_out);
	SAN(prio, prio_out);
	SAN(odd_types, odd_types_out);
	SAN(top, top_out);

	set_mem(NULL, 0);
	CHECK(bootinfo_sanitize_mem(&bi) == 0 && bi.nr_mem == 0, "empty");
	set_mem(dup + 2, 1);
	CHECK(bootinfo_sanitize_mem(&bi) == 0 && bi.nr_mem == 0,
	      "only a zero-length region");

	set_mem(hole, ARRAY_SIZE(hole));
	bootinfo_sanitize_mem(&bi);
	CHECK(bootinfo_ram_bytes(&bi) == MiB(15), "ram bytes after hole");

	TEST_GROUP("sanitize: more pieces than slots");
	many[0].start = 0;
	many[0].len = MiB(64);
	many[0].type = 1;
	for (i = 1; i < BOOT_MAX_MEM; i++) {
		many[i].start = MiB(i);
		many[i].len = 1;
		many[i].type = 2;
	}
	set_mem(many, BOOT_MAX_MEM);
	d = bootinfo_sanitize_mem(&bi);
	CHECK(d == 127 - 64 && bi.nr_mem == 64 && bi.nr_mem_dropped == d &&
		      (bi.warn & BOOTINFO_WARN_MEM_DROPPED) && sanitized_ok() &&
		      region_is(0, 0, MiB(1), 1) && region_is(1, MiB(1), 1, 2) &&
		      region_is(63, MiB(32), 1, 2),
	      "127 pieces: lowest 64 kept, %u dropped", d);

	TEST_GROUP("sanitize: random regions against a reference");
	for (j = 0; j < 3000; j++) {
		struct boot_mem_region in[BOOT_MAX_MEM];
		unsigned int n = (unsigned int)(rnd() % (BOOT_MAX_MEM + 1));
		bool good = true;

		for (i = 0; i < n; i++) {
			in[i].start = rnd() % 200;
			in[i].len = rnd() % 40;
			in[i].type = (u32)(rnd() % 7);
		}
		set_mem(in, n);
		d = bootinfo_sanitize_mem(&bi);
		good = d == 0 && sanitized_ok();
		for (x = 0; good && x < 260; x++) {
			u32 want = 0, got = 0, t;

			for (i = 0; i < n; i++) {
				t = in[i].type >= 1 && in[i].type <= 5 ?
					    in[i].type :
					    2;
				if (x >= in[i].start &&
				    x < in[i].start + in[i].len &&
				    (!want || rank(t) > rank(want)))
					want = t;
			}
			for (i = 0; i < bi.nr_mem; i++)
				if (x >= bi.mem[i].start &&
				    x < bi.mem[i].start + bi.mem[i].len)
					got = bi.mem[i].type;
			good = want == got;
		}
		if (!good) {
			CHECK(good, "random case %u (n %u, dropped %u)", j, n,
			      d);
			dump_mem();
			break;
		}
	}
	CHECK(j == 3000, "all random cases matched");

	TEST_GROUP("ram bytes");
	memset(&bi, 0, sizeof(bi));
	bi.nr_mem = 3;
	bi.mem[0] = (struct boot_mem_region){ 0, UINT64_MAX - 5, 1 };
	bi.mem[1] = (struct boot_mem_region){ 0, 100, 2 };
	bi.mem[2] = (struct boot_mem_region){ 0, 10, 1 };
	CHECK(bootinfo_ram_bytes(&bi) == UINT64_MAX, "saturates");
	bi.nr_mem = 2;
	CHECK(bootinfo_ram_bytes(&bi) == UINT64_MAX - 5, "reserved ignored");
}

int main(void)
{
	fake = calloc(1, FAKE_SIZE);
	test_mb1();
	test_mb1_hostile();
	test_mb2();
	test_mb2_hostile();
	test_fuzz();
	test_sanitize();
	free(last_map);
	free(fake);
	return test_summary("test_bootinfo");
}
