/*
 * Host unit tests for the ACPI table parsers (hv/core/acpi_parse.c). Tables
 * are built in host memory with correct checksums, then copied into
 * buffers malloc'd at exactly the size handed to the parser, so
 * AddressSanitizer catches any read past what the firmware mapped. Hostile
 * tables must be refused with -EINVAL (or parsed correctly), never read
 * out of bounds.
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"

#include <acpi.h>
#include <errno.h>

/* ---- table builder ---- */

#define TBL_MAX 4096

struct tbl {
	u8 b[TBL_MAX];
	size_t len;
};

static void put8(struct tbl *t, u8 v)
{
	if (t->len < TBL_MAX)
		t->b[t->len] = v;
	t->len++;
}

static void put16(struct tbl *t, u16 v)
{
	put8(t, (u8)v);
	put8(t, (u8)(v >> 8));
}

static void put32(struct tbl *t, u32 v)
{
	put16(t, (u16)v);
	put16(t, (u16)(v >> 16));
}

static void put64(struct tbl *t, u64 v)
{
	put32(t, (u32)v);
	put32(t, (u32)(v >> 32));
}

static void set32(struct tbl *t, size_t off, u32 v)
{
	for (int i = 0; i < 4; i++)
		t->b[off + i] = (u8)(v >> (8 * i));
}

static u8 sum(const u8 *p, size_t n)
{
	u8 s = 0;

	while (n--)
		s += *p++;
	return s;
}

/* A 36-byte SDT header; acpi_finish() fills in length and checksum. */
static void acpi_start(struct tbl *t, const char *sig)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->b, sig, 4);
	t->len = 8;
	put8(t, 1); /* revision */
	put8(t, 0); /* checksum */
	memcpy(t->b + t->len, "XENOLT", 6);
	t->len += 6;
	memcpy(t->b + t->len, "UNITTEST", 8);
	t->len += 8;
	put32(t, 1); /* OEM revision */
	put32(t, 0x4c4e4558); /* creator id */
	put32(t, 1); /* creator revision */
}

static void acpi_finish(struct tbl *t)
{
	set32(t, 4, (u32)t->len);
	t->b[9] = 0;
	t->b[9] = (u8)-sum(t->b, t->len);
}

/* An exactly sized copy of the first n bytes of the table. */
static void *exact(const struct tbl *t, size_t n)
{
	void *p = malloc(n ? n : 1);

	memcpy(p, t->b, n);
	return p;
}

static void madt_start(struct tbl *t, u32 lapic, u32 flags)
{
	acpi_start(t, "APIC");
	put32(t, lapic);
	put32(t, flags);
}

static void madt_lapic(struct tbl *t, u8 uid, u8 apic_id, u32 flags)
{
	put8(t, 0);
	put8(t, 8);
	put8(t, uid);
	put8(t, apic_id);
	put32(t, flags);
}

static void madt_x2apic(struct tbl *t, u32 apic_id, u32 flags, u32 uid)
{
	put8(t, 9);
	put8(t, 16);
	put16(t, 0);
	put32(t, apic_id);
	put32(t, flags);
	put32(t, uid);
}

static void madt_ioapic(struct tbl *t, u8 id, u32 addr, u32 gsi_base)
{
	put8(t, 1);
	put8(t, 12);
	put8(t, id);
	put8(t, 0);
	put32(t, addr);
	put32(t, gsi_base);
}

static void madt_override(struct tbl *t, u8 irq, u32 gsi, u16 flags)
{
	put8(t, 2);
	put8(t, 10);
	put8(t, 0); /* bus: ISA */
	put8(t, irq);
	put32(t, gsi);
	put16(t, flags);
}

static void madt_lapic_addr(struct tbl *t, u64 addr)
{
	put8(t, 5);
	put8(t, 12);
	put16(t, 0);
	put64(t, addr);
}

/* Parse the first len bytes of t from an exactly sized buffer. */
static int parse_madt(const struct tbl *t, size_t len, struct acpi_info *ai)
{
	void *p = exact(t, len);
	int rc;

	memset(ai, 0, sizeof(*ai));
	rc = acpi_parse_madt(p, len, ai);
	free(p);
	return rc;
}

static int parse_hpet(const struct tbl *t, size_t len, struct acpi_info *ai)
{
	void *p = exact(t, len);
	int rc;

	memset(ai, 0, sizeof(*ai));
	rc = acpi_parse_hpet(p, len, ai);
	free(p);
	return rc;
}

static int check_rsdp(const struct tbl *t, size_t avail)
{
	void *p = exact(t, avail);
	int rc = acpi_rsdp_check(p, avail);

	free(p);
	return rc;
}

static bool has_cpu(const struct acpi_info *ai, u32 apic_id)
{
	for (unsigned int i = 0; i < ai->nr_cpus; i++)
		if (ai->cpu_apic_id[i] == apic_id)
			return true;
	return false;
}

/* ---- RSDP ---- */

/* rev 0: 20 bytes; rev 2: 36 bytes with length and extended checksum. */
static void rsdp_build(struct tbl *t, u8 rev)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->b, "RSD PTR ", 8);
	memcpy(t->b + 9, "XENOLT", 6);
	t->b[15] = rev;
	set32(t, 16, 0x7ffe0000);
	t->b[8] = (u8)-sum(t->b, 20);
	t->len = 20;
	if (rev >= 2) {
		set32(t, 20, 36);
		for (int i = 0; i < 8; i++)
			t->b[24 + i] = (u8)(0x7ffe1000ull >> (8 * i));
		t->b[32] = (u8)-sum(t->b, 36);
		t->len = 36;
	}
}

static void test_rsdp(void)
{
	struct tbl t;

	TEST_GROUP("RSDP revision 0 and 2");
	CHECK(sizeof(struct acpi_rsdp) == 36, "RSDP is %zu bytes",
	      sizeof(struct acpi_rsdp));

	rsdp_build(&t, 0);
	CHECK(check_rsdp(&t, 20) == 0, "rev 0 RSDP");
	CHECK(check_rsdp(&t, 36) == 0, "rev 0 RSDP with bytes after it");
	for (size_t avail = 0; avail < 20; avail++)
		CHECK(check_rsdp(&t, avail) == -EINVAL, "rev 0, avail %zu",
		      avail);
	t.b[3] = 'X';
	CHECK(check_rsdp(&t, 20) == -EINVAL, "rev 0 bad signature");
	rsdp_build(&t, 0);
	t.b[17]++;
	CHECK(check_rsdp(&t, 20) == -EINVAL, "rev 0 bad checksum");

	rsdp_build(&t, 2);
	CHECK(check_rsdp(&t, 36) == 0, "rev 2 RSDP");
	CHECK(check_rsdp(&t, 64) == 0, "rev 2 RSDP with bytes after it");
	/* The 20-byte part is fine but the rest is not mapped. */
	for (size_t avail = 0; avail < 36; avail++)
		CHECK(check_rsdp(&t, avail) == -EINVAL, "rev 2, avail %zu",
		      avail);

	rsdp_build(&t, 2);
	t.b[30]++; /* xsdt, covered only by the extended checksum */
	CHECK(check_rsdp(&t, 36) == -EINVAL, "rev 2 bad extended checksum");

	rsdp_build(&t, 2);
	t.b[17]++; /* rsdt: both checksums wrong; fix the extended one */
	t.b[32] = 0;
	t.b[32] = (u8)-sum(t.b, 36);
	CHECK(check_rsdp(&t, 36) == -EINVAL, "rev 2 bad first checksum");

	/* A length field that is too short or beyond what is mapped. */
	rsdp_build(&t, 2);
	set32(&t, 20, 35);
	t.b[32] = 0;
	t.b[32] = (u8)-sum(t.b, 36);
	CHECK(check_rsdp(&t, 36) == -EINVAL, "rev 2 length 35");
	set32(&t, 20, 37);
	t.b[32] = 0;
	t.b[32] = (u8)-sum(t.b, 37);
	CHECK(check_rsdp(&t, 36) == -EINVAL, "rev 2 length 37, 36 mapped");
	CHECK(check_rsdp(&t, 37) == 0, "rev 2 length 37, 37 mapped");
	set32(&t, 20, 0xffffffff);
	CHECK(check_rsdp(&t, 64) == -EINVAL, "rev 2 length 4 GiB");

	/* Later revisions are checked like revision 2. */
	rsdp_build(&t, 3);
	CHECK(check_rsdp(&t, 36) == 0, "rev 3 RSDP");
	CHECK(check_rsdp(&t, 20) == -EINVAL, "rev 3 RSDP, 20 mapped");
}

/* ---- MADT ---- */

static void test_madt_basic(void)
{
	struct acpi_info ai;
	struct tbl t;

	TEST_GROUP("MADT: CPUs, IO-APICs, overrides, PCAT_COMPAT");
	madt_start(&t, 0xfee00000, 1);
	madt_lapic(&t, 0, 0, 1);
	madt_lapic(&t, 1, 2, 1);
	madt_lapic(&t, 2, 4, 0); /* disabled */
	madt_lapic(&t, 3, 6, 2); /* online capable only: not used */
	madt_ioapic(&t, 8, 0xfec00000, 0);
	madt_lapic(&t, 4, 2, 1); /* duplicate APIC id */
	madt_override(&t, 0, 2, 0);
	madt_override(&t, 9, 9, 0x000d);
	madt_x2apic(&t, 0x100, 1, 10);
	madt_x2apic(&t, 0x101, 0, 11); /* disabled */
	madt_x2apic(&t, 0, 1, 12); /* same CPU as the LAPIC entry */
	madt_x2apic(&t, 0xfffffffe, 3, 13);
	madt_ioapic(&t, 9, 0xfec01000, 24);
	madt_lapic(&t, 5, 0xff, 1);
	acpi_finish(&t);

	CHECK(parse_madt(&t, t.len, &ai) == 0, "valid MADT refused");
	CHECK(ai.lapic_base == 0xfee00000, "lapic_base %#llx",
	      (unsigned long long)ai.lapic_base);
	CHECK(ai.pic_present, "PCAT_COMPAT not seen");
	CHECK(ai.nr_cpus == 5 && ai.nr_cpus_ignored == 0,
	      "nr_cpus %u ignored %u", ai.nr_cpus, ai.nr_cpus_ignored);
	CHECK(ai.cpu_apic_id[0] == 0 && ai.cpu_apic_id[1] == 2 &&
		  ai.cpu_apic_id[2] == 0x100 &&
		  ai.cpu_apic_id[3] == 0xfffffffe && ai.cpu_apic_id[4] == 0xff,
	      "CPU APIC ids %#x %#x %#x %#x %#x", ai.cpu_apic_id[0],
	      ai.cpu_apic_id[1], ai.cpu_apic_id[2], ai.cpu_apic_id[3],
	      ai.cpu_apic_id[4]);
	CHECK(!has_cpu(&ai, 4) && !has_cpu(&ai, 6) && !has_cpu(&ai, 0x101),
	      "a disabled CPU was counted");
	CHECK(ai.nr_ioapics == 2, "nr_ioapics %u", ai.nr_ioapics);
	CHECK(ai.ioapic[0].id == 8 && ai.ioapic[0].addr == 0xfec00000 &&
		  ai.ioapic[0].gsi_base == 0,
	      "IO-APIC 0: id %u addr %#x gsi %u", ai.ioapic[0].id,
	      ai.ioapic[0].addr, ai.ioapic[0].gsi_base);
	CHECK(ai.ioapic[1].id == 9 && ai.ioapic[1].addr == 0xfec01000 &&
		  ai.ioapic[1].gsi_base == 24,
	      "IO-APIC 1: id %u addr %#x gsi %u", ai.ioapic[1].id,
	      ai.ioapic[1].addr, ai.ioapic[1].gsi_base);
	CHECK(ai.nr_overrides == 2, "nr_overrides %u", ai.nr_overrides);
	CHECK(ai.override[0].irq == 0 && ai.override[0].gsi == 2 &&
		  ai.override[0].flags == 0,
	      "override 0: irq %u gsi %u flags %#x", ai.override[0].irq,
	      ai.override[0].gsi, ai.override[0].flags);
	CHECK(ai.override[1].irq == 9 && ai.override[1].gsi == 9 &&
		  ai.override[1].flags == 0x000d,
	      "override 1: irq %u gsi %u flags %#x", ai.override[1].irq,
	      ai.override[1].gsi, ai.override[1].flags);
	CHECK(ai.hpet_base == 0, "MADT touched hpet_base");

	/* Buffer larger than the table: only the table is parsed. */
	t.b[t.len] = 0; /* an entry of length 0 just past the table */
	t.b[t.len + 1] = 0;
	CHECK(parse_madt(&t, t.len + 2, &ai) == 0 && ai.nr_cpus == 5,
	      "bytes after the table were parsed");

	/* No PCAT_COMPAT (other flag bits set), no entries at all. */
	madt_start(&t, 0xfee00000, 0xfffffffe);
	acpi_finish(&t);
	CHECK(parse_madt(&t, t.len, &ai) == 0, "empty MADT refused");
	CHECK(!ai.pic_present, "PCAT_COMPAT wrongly seen");
	CHECK(ai.nr_cpus == 0 && ai.nr_ioapics == 0 && ai.nr_overrides == 0,
	      "empty MADT gave %u CPUs %u IO-APICs %u overrides", ai.nr_cpus,
	      ai.nr_ioapics, ai.nr_overrides);

	/* A trailing single byte cannot hold an entry header: ignored. */
	madt_start(&t, 0xfee00000, 1);
	madt_lapic(&t, 0, 1, 1);
	put8(&t, 0);
	acpi_finish(&t);
	CHECK(parse_madt(&t, t.len, &ai) == 0 && ai.nr_cpus == 1,
	      "trailing byte: nr_cpus %u", ai.nr_cpus);
}

static void test_madt_lapic_addr(void)
{
	struct acpi_info ai;
	struct tbl t;

	TEST_GROUP("MADT: local APIC address override (type 5)");
	madt_start(&t, 0xfee00000, 0);
	madt_lapic(&t, 0, 0, 1);
	madt_lapic_addr(&t, 0x0000001234567000ull);
	acpi_finish(&t);
	CHECK(parse_madt(&t, t.len, &ai) == 0, "MADT with type 5 refused");
	CHECK(ai.lapic_base == 0x0000001234567000ull, "lapic_base %#llx",
	      (unsigned long long)ai.lapic_base);

	/* Too short to hold the address: ignored, table still valid. */
	madt_start(&t, 0xfee00000, 0);
	put8(&t, 5);
	put8(&t, 8);
	put16(&t, 0);
	put32(&t, 0xdead0000);
	acpi_finish(&t);
	CHECK(parse_madt(&t, t.len, &ai) == 0, "short type 5 refused");
	CHECK(ai.lapic_base == 0xfee00000, "short type 5 used: %#llx",
	      (unsigned long long)ai.lapic_base);
}

static void test_madt_limits(void)
{
	struct acpi_info ai;
	struct tbl t;
	unsigned int i;

	TEST_GROUP("MADT: more CPUs, IO-APICs, overrides than the tables hold");
	madt_start(&t, 0xfee00000, 1);
	for (i = 0; i < 200; i++)
		madt_lapic(&t, (u8)i, (u8)i, 1);
	for (i = 0; i < 10; i++)
		madt_x2apic(&t, 0x1000 + i, 1, 1000 + i);
	for (i = 0; i < 10; i++)
		madt_lapic(&t, 0, (u8)i, 1); /* duplicates of stored CPUs */
	acpi_finish(&t);
	CHECK(t.len < TBL_MAX, "table builder overflow");
	CHECK(parse_madt(&t, t.len, &ai) == 0, "big MADT refused");
	CHECK(ai.nr_cpus == ACPI_MAX_CPUS, "nr_cpus %u", ai.nr_cpus);
	CHECK(ai.nr_cpus_ignored == 210 - ACPI_MAX_CPUS, "nr_cpus_ignored %u",
	      ai.nr_cpus_ignored);
	for (i = 0; i < ACPI_MAX_CPUS; i++)
		if (ai.cpu_apic_id[i] != i)
			break;
	CHECK(i == ACPI_MAX_CPUS, "CPU %u has APIC id %u", i,
	      ai.cpu_apic_id[i]);

	madt_start(&t, 0xfee00000, 1);
	for (i = 0; i < ACPI_MAX_IOAPICS + 3; i++)
		madt_ioapic(&t, (u8)i, 0xfec00000 + 0x1000 * i, 24 * i);
	for (i = 0; i < ACPI_MAX_OVERRIDES + 5; i++)
		madt_override(&t, (u8)i, 100 + i, (u16)i);
	acpi_finish(&t);
	CHECK(parse_madt(&t, t.len, &ai) == 0, "MADT refused");
	CHECK(ai.nr_ioapics == ACPI_MAX_IOAPICS, "nr_ioapics %u",
	      ai.nr_ioapics);
	CHECK(ai.ioapic[ACPI_MAX_IOAPICS - 1].id == ACPI_MAX_IOAPICS - 1,
	      "last IO-APIC id %u", ai.ioapic[ACPI_MAX_IOAPICS - 1].id);
	CHECK(ai.nr_overrides == ACPI_MAX_OVERRIDES, "nr_overrides %u",
	      ai.nr_overrides);
	CHECK(ai.override[ACPI_MAX_OVERRIDES - 1].gsi ==
		  100 + ACPI_MAX_OVERRIDES - 1,
	      "last override gsi %u", ai.override[ACPI_MAX_OVERRIDES - 1].gsi);
}

static void test_madt_short_entries(void)
{
	static const u8 types[] = { 0, 1, 2, 5, 9, 0x7f, 0xff };
	struct acpi_info ai;
	struct tbl t;

	TEST_GROUP("MADT: entries too short for their type, unknown types");
	/*
	 * Each type with every length from 2 up to one short of its real
	 * size, as the last entry so a read past it leaves the buffer.
	 */
	for (size_t i = 0; i < sizeof(types); i++) {
		for (u8 elen = 2; elen < 16; elen++) {
			madt_start(&t, 0xfee00000, 0);
			put8(&t, types[i]);
			put8(&t, elen);
			for (u8 k = 2; k < elen; k++)
				put8(&t, 0x01); /* enabled, if read */
			acpi_finish(&t);
			CHECK(parse_madt(&t, t.len, &ai) == 0,
			      "type %u length %u refused", types[i], elen);
			if (types[i] == 0)
				CHECK(ai.nr_cpus == (elen >= 8),
				      "LAPIC length %u: %u CPUs", elen,
				      ai.nr_cpus);
			if (types[i] == 9)
				CHECK(ai.nr_cpus == 0, "x2APIC length %u: %u",
				      elen, ai.nr_cpus);
			if (types[i] == 1)
				CHECK(ai.nr_ioapics == (elen >= 12),
				      "IO-APIC length %u: %u", elen,
				      ai.nr_ioapics);
			if (types[i] == 2)
				CHECK(ai.nr_overrides == (elen >= 10),
				      "override length %u: %u", elen,
				      ai.nr_overrides);
		}
	}
}

static void test_madt_hostile(void)
{
	struct acpi_info ai;
	struct tbl t, good;

	TEST_GROUP("MADT: hostile tables");
	madt_start(&good, 0xfee00000, 1);
	madt_lapic(&good, 0, 0, 1);
	madt_ioapic(&good, 1, 0xfec00000, 0);
	acpi_finish(&good);

	t = good;
	t.b[40] ^= 0x80;
	CHECK(parse_madt(&t, t.len, &ai) == -EINVAL, "bad checksum");

	t = good;
	memcpy(t.b, "APIX", 4);
	acpi_finish(&t);
	CHECK(parse_madt(&t, t.len, &ai) == -EINVAL, "bad signature");

	t = good;
	memcpy(t.b, "HPET", 4);
	acpi_finish(&t);
	CHECK(parse_madt(&t, t.len, &ai) == -EINVAL, "HPET as MADT");

	/* Every truncation of the table: the length field exceeds it. */
	for (size_t len = 0; len < good.len; len++)
		CHECK(parse_madt(&good, len, &ai) == -EINVAL,
		      "truncated to %zu bytes", len);

	/* Length fields that lie. */
	t = good;
	set32(&t, 4, (u32)t.len + 1);
	t.b[9] -= 1; /* keep the sum over t.len + 1 bytes (one 0) at 0 */
	CHECK(parse_madt(&t, t.len, &ai) == -EINVAL, "length one too big");
	CHECK(parse_madt(&t, t.len + 1, &ai) == 0, "same, with byte mapped");
	t = good;
	set32(&t, 4, 0xffffffff);
	CHECK(parse_madt(&t, t.len, &ai) == -EINVAL, "length 4 GiB");
	for (u32 hl = 0; hl < 44; hl++) {
		t = good;
		t.len = hl < 36 ? 36 : hl;
		set32(&t, 4, hl);
		t.b[9] = 0;
		t.b[9] = (u8)-sum(t.b, hl < 36 ? 36 : hl);
		CHECK(parse_madt(&t, good.len, &ai) == -EINVAL,
		      "header length %u", hl);
	}

	/* An entry of length 0 or 1 (would loop forever or misparse). */
	for (u8 elen = 0; elen < 2; elen++) {
		madt_start(&t, 0xfee00000, 1);
		madt_lapic(&t, 0, 0, 1);
		put8(&t, 0);
		put8(&t, elen);
		madt_lapic(&t, 1, 1, 1);
		acpi_finish(&t);
		CHECK(parse_madt(&t, t.len, &ai) == -EINVAL, "entry length %u",
		      elen);
	}

	/* An entry running past the end of the table, last or not. */
	for (u8 over = 1; over < 20; over++) {
		madt_start(&t, 0xfee00000, 1);
		madt_lapic(&t, 0, 0, 1);
		put8(&t, 1);
		put8(&t, (u8)(12 + over));
		put8(&t, 1);
		put8(&t, 0);
		put32(&t, 0xfec00000);
		put32(&t, 0);
		acpi_finish(&t);
		CHECK(parse_madt(&t, t.len, &ai) == -EINVAL,
		      "entry %u bytes past the end", over);
	}
	madt_start(&t, 0xfee00000, 1);
	put8(&t, 0);
	put8(&t, 255);
	acpi_finish(&t);
	CHECK(parse_madt(&t, t.len, &ai) == -EINVAL, "entry length 255");
}

/* Random tables: anything goes but a sanitizer report. */
static void test_madt_random(void)
{
	u64 x = 0x243f6a8885a308d3ull;
	struct acpi_info ai;
	struct tbl t;
	unsigned int ok = 0;

	TEST_GROUP("MADT: random entries");
	for (int round = 0; round < 20000; round++) {
		size_t body;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		madt_start(&t, (u32)x, (u32)(x >> 32));
		body = x % 200;
		for (size_t i = 0; i < body; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			/* Mostly plausible entry types and lengths. */
			if (i % 12 == 0)
				put8(&t, (u8)(x % 11));
			else if (i % 12 == 1)
				put8(&t, (u8)(x % 4 ? 8 + (x >> 8) % 9 : x));
			else
				put8(&t, (u8)x);
		}
		acpi_finish(&t);
		{
			int rc = parse_madt(&t, t.len, &ai);

			CHECK(rc == 0 || rc == -EINVAL, "rc %d", rc);
			CHECK(ai.nr_cpus <= ACPI_MAX_CPUS &&
				  ai.nr_ioapics <= ACPI_MAX_IOAPICS &&
				  ai.nr_overrides <= ACPI_MAX_OVERRIDES,
			      "counts out of range");
			ok += rc == 0;
		}
	}
	printf("  %u of 20000 random tables accepted\n", ok);
}

/* ---- HPET ---- */

static void hpet_build(struct tbl *t, u8 space, u64 addr)
{
	acpi_start(t, "HPET");
	put32(t, 0x8086a201); /* event timer block id */
	put8(t, space); /* generic address: space id */
	put8(t, 64); /* bit width */
	put8(t, 0); /* bit offset */
	put8(t, 0); /* access size */
	put64(t, addr);
	put8(t, 0); /* HPET number */
	put16(t, 128); /* minimum tick */
	put8(t, 0); /* page protection */
	acpi_finish(t);
}

static void test_hpet(void)
{
	struct acpi_info ai;
	struct tbl t;

	TEST_GROUP("HPET");
	hpet_build(&t, 0, 0xfed00000);
	CHECK(t.len == 56, "HPET built as %zu bytes", t.len);
	CHECK(parse_hpet(&t, t.len, &ai) == 0, "valid HPET refused");
	CHECK(ai.hpet_base == 0xfed00000, "hpet_base %#llx",
	      (unsigned long long)ai.hpet_base);
	hpet_build(&t, 0, 0x0000004000001000ull);
	CHECK(parse_hpet(&t, t.len, &ai) == 0 &&
		  ai.hpet_base == 0x0000004000001000ull,
	      "64-bit hpet_base %#llx", (unsigned long long)ai.hpet_base);

	/* A longer table (newer revision) is fine. */
	acpi_start(&t, "HPET");
	put32(&t, 0x8086a201);
	put8(&t, 0);
	put8(&t, 64);
	put16(&t, 0);
	put64(&t, 0xfed00000);
	for (int i = 0; i < 12; i++)
		put8(&t, 0);
	acpi_finish(&t);
	CHECK(parse_hpet(&t, t.len, &ai) == 0 && ai.hpet_base == 0xfed00000,
	      "64-byte HPET");

	for (u8 space = 1; space < 4; space++) {
		hpet_build(&t, space, 0xfed00000);
		CHECK(parse_hpet(&t, t.len, &ai) == -EINVAL && !ai.hpet_base,
		      "HPET in address space %u accepted", space);
	}
	hpet_build(&t, 0x7f, 0xfed00000);
	CHECK(parse_hpet(&t, t.len, &ai) == -EINVAL, "address space 0x7f");

	hpet_build(&t, 0, 0xfed00000);
	t.b[50]++;
	CHECK(parse_hpet(&t, t.len, &ai) == -EINVAL, "bad checksum");

	hpet_build(&t, 0, 0xfed00000);
	memcpy(t.b, "HPEU", 4);
	acpi_finish(&t);
	CHECK(parse_hpet(&t, t.len, &ai) == -EINVAL, "bad signature");

	hpet_build(&t, 0, 0xfed00000);
	for (size_t len = 0; len < t.len; len++)
		CHECK(parse_hpet(&t, len, &ai) == -EINVAL,
		      "truncated to %zu bytes", len);

	hpet_build(&t, 0, 0xfed00000);
	set32(&t, 4, 57);
	t.b[9] -= 57 - 56;
	CHECK(parse_hpet(&t, 56, &ai) == -EINVAL, "length past the buffer");
	hpet_build(&t, 0, 0xfed00000);
	set32(&t, 4, 0xffffffff);
	CHECK(parse_hpet(&t, 56, &ai) == -EINVAL, "length 4 GiB");

	/* A header claiming less than a full HPET table. */
	for (u32 hl = 0; hl < 56; hl++) {
		hpet_build(&t, 0, 0xfed00000);
		set32(&t, 4, hl);
		t.b[9] = 0;
		t.b[9] = (u8)-sum(t.b, hl < 36 ? 36 : hl);
		CHECK(parse_hpet(&t, 56, &ai) == -EINVAL, "header length %u",
		      hl);
	}
}

static void test_checksum(void)
{
	static const u8 z[1] = { 0 };
	u8 *p = malloc(3);

	TEST_GROUP("acpi_checksum_ok");
	p[0] = 0x10;
	p[1] = 0xf0;
	p[2] = 0x01;
	CHECK(acpi_checksum_ok(p, 2), "0x10 + 0xf0");
	CHECK(!acpi_checksum_ok(p, 3), "0x10 + 0xf0 + 1");
	CHECK(acpi_checksum_ok(z, 0), "empty");
	CHECK(acpi_checksum_ok(z, 1), "one zero byte");
	free(p);
}

int main(void)
{
	test_checksum();
	test_rsdp();
	test_madt_basic();
	test_madt_lapic_addr();
	test_madt_limits();
	test_madt_short_entries();
	test_madt_hostile();
	test_madt_random();
	test_hpet();
	return test_summary("test_acpi");
}
