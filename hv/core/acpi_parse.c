/*
 * Parsers for the ACPI tables the hypervisor needs. They trust nothing in
 * the table: every length is checked against the bytes actually mapped.
 */
#include "acpi.h"
#include "errno.h"

#define MADT_FLAGS_OFF 40 /* after header: u32 lapic address, u32 flags */
#define MADT_ENTRIES_OFF 44
#define MADT_PCAT_COMPAT 1

enum {
	MADT_LAPIC = 0,
	MADT_IOAPIC = 1,
	MADT_OVERRIDE = 2,
	MADT_LAPIC_ADDR = 5,
	MADT_X2APIC = 9,
};

static u32 get32(const u8 *p)
{
	return p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static u64 get64(const u8 *p)
{
	return get32(p) | (u64)get32(p + 4) << 32;
}

bool acpi_checksum_ok(const void *p, size_t len)
{
	const u8 *b = p;
	u8 sum = 0;

	while (len--)
		sum += *b++;
	return sum == 0;
}

int acpi_rsdp_check(const struct acpi_rsdp *r, size_t avail)
{
	if (avail < 20 || __builtin_memcmp(r->sig, "RSD PTR ", 8))
		return -EINVAL;
	if (!acpi_checksum_ok(r, 20))
		return -EINVAL;
	if (r->revision >= 2) {
		if (avail < sizeof(*r) || r->length < sizeof(*r) ||
		    r->length > avail || !acpi_checksum_ok(r, r->length))
			return -EINVAL;
	}
	return 0;
}

static void add_cpu(struct acpi_info *ai, u32 apic_id, u32 flags)
{
	/* bit 0: enabled; bit 1: online capable (hot-plug), not used. */
	if (!(flags & 1))
		return;
	for (unsigned int i = 0; i < ai->nr_cpus; i++)
		if (ai->cpu_apic_id[i] == apic_id)
			return;
	if (ai->nr_cpus == ACPI_MAX_CPUS) {
		ai->nr_cpus_ignored++;
		return;
	}
	ai->cpu_apic_id[ai->nr_cpus++] = apic_id;
}

static void madt_entry(struct acpi_info *ai, const u8 *e, u8 len)
{
	switch (e[0]) {
	case MADT_LAPIC:
		if (len >= 8)
			add_cpu(ai, e[3], get32(e + 4));
		break;
	case MADT_X2APIC:
		if (len >= 16)
			add_cpu(ai, get32(e + 4), get32(e + 8));
		break;
	case MADT_IOAPIC:
		if (len >= 12 && ai->nr_ioapics < ACPI_MAX_IOAPICS) {
			struct acpi_ioapic *io = &ai->ioapic[ai->nr_ioapics++];
			io->id = e[2];
			io->addr = get32(e + 4);
			io->gsi_base = get32(e + 8);
		}
		break;
	case MADT_OVERRIDE:
		if (len >= 10 && ai->nr_overrides < ACPI_MAX_OVERRIDES) {
			struct acpi_override *o =
			    &ai->override[ai->nr_overrides++];
			o->irq = e[3];
			o->gsi = get32(e + 4);
			o->flags = e[8] | (u16)e[9] << 8;
		}
		break;
	case MADT_LAPIC_ADDR:
		if (len >= 12)
			ai->lapic_base = get64(e + 4);
		break;
	}
}

int acpi_parse_madt(const void *tbl, size_t len, struct acpi_info *ai)
{
	const u8 *t = tbl;
	const struct acpi_header *h = tbl;
	size_t off;

	if (len < MADT_ENTRIES_OFF || __builtin_memcmp(h->sig, "APIC", 4) ||
	    h->length < MADT_ENTRIES_OFF || h->length > len ||
	    !acpi_checksum_ok(tbl, h->length))
		return -EINVAL;
	ai->lapic_base = get32(t + 36);
	ai->pic_present = get32(t + MADT_FLAGS_OFF) & MADT_PCAT_COMPAT;
	for (off = MADT_ENTRIES_OFF; off + 2 <= h->length;) {
		u8 elen = t[off + 1];
		if (elen < 2 || off + elen > h->length)
			return -EINVAL;
		madt_entry(ai, t + off, elen);
		off += elen;
	}
	return 0;
}

int acpi_parse_hpet(const void *tbl, size_t len, struct acpi_info *ai)
{
	const u8 *t = tbl;
	const struct acpi_header *h = tbl;

	if (len < 56 || __builtin_memcmp(h->sig, "HPET", 4) || h->length < 56 ||
	    h->length > len || !acpi_checksum_ok(tbl, h->length))
		return -EINVAL;
	/* Generic address structure at 40: space id 0 is system memory. */
	if (t[40] != 0)
		return -EINVAL;
	ai->hpet_base = get64(t + 44);
	return 0;
}
