/*
 * Finding the ACPI tables: the RSDP from the boot loader or the BIOS areas,
 * then RSDT/XSDT to the MADT and HPET tables, each mapped read-only.
 */
#include "acpi.h"
#include "lib.h"
#include "page.h"

struct acpi_info acpi;

static const void *map_table(paddr_t pa, size_t len)
{
	return vmap_phys(pa, len, _PAGE_PRESENT | _PAGE_NX);
}

/* Map a whole table, reading its length from the header first. */
static const struct acpi_header *map_sdt(paddr_t pa)
{
	const struct acpi_header *h = map_table(pa, sizeof(*h));

	if (!h || h->length < sizeof(*h) || h->length > MiB(1))
		return NULL;
	return map_table(pa, h->length);
}

static paddr_t scan_for_rsdp(paddr_t start, size_t len)
{
	const u8 *p = map_table(start, len);

	for (size_t off = 0; p && off + 36 <= len; off += 16)
		if (!acpi_rsdp_check((const void *)(p + off), len - off))
			return start + off;
	return 0;
}

static paddr_t find_rsdp(void)
{
	const u16 *ebda_seg = map_table(0x40e, 2);
	paddr_t pa = 0;

	if (ebda_seg && *ebda_seg)
		pa = scan_for_rsdp((paddr_t)*ebda_seg << 4, 1024);
	if (!pa)
		pa = scan_for_rsdp(0xe0000, 0x20000);
	return pa;
}

static void parse_table(const struct acpi_header *h)
{
	if (!__builtin_memcmp(h->sig, "APIC", 4)) {
		if (acpi_parse_madt(h, h->length, &acpi))
			pr_warn("ACPI: MADT is malformed, ignored\n");
	} else if (!__builtin_memcmp(h->sig, "HPET", 4)) {
		if (acpi_parse_hpet(h, h->length, &acpi))
			pr_warn("ACPI: HPET table is malformed, ignored\n");
	}
}

/**
 * acpi_init - find and parse the tables.
 * @rsdp_hint: physical address of an RSDP the loader gave, or 0.
 * Returns 0, or -ENOENT when there are no usable tables.
 */
int acpi_init(u64 rsdp_hint)
{
	const struct acpi_rsdp *r;
	const struct acpi_header *root;
	paddr_t pa = rsdp_hint ? rsdp_hint : find_rsdp();
	bool xsdt;
	size_t entry, n;

	if (!pa || !(r = map_table(pa, sizeof(*r))) ||
	    acpi_rsdp_check(r, sizeof(*r)))
		return -ENOENT;
	xsdt = r->revision >= 2 && r->xsdt;
	root = map_sdt(xsdt ? r->xsdt : r->rsdt);
	if (!root || !acpi_checksum_ok(root, root->length))
		return -ENOENT;
	printk("ACPI: RSDP %#lx rev %u, %s at %#lx, OEM '%.6s'\n", pa,
	       r->revision, xsdt ? "XSDT" : "RSDT",
	       xsdt ? r->xsdt : (u64)r->rsdt, r->oem_id);
	entry = xsdt ? 8 : 4;
	n = (root->length - sizeof(*root)) / entry;
	for (size_t i = 0; i < n; i++) {
		const u8 *e = (const u8 *)(root + 1) + i * entry;
		u64 tpa = 0;
		memcpy(&tpa, e, entry);
		const struct acpi_header *h = map_sdt(tpa);
		if (h && acpi_checksum_ok(h, h->length))
			parse_table(h);
	}
	return 0;
}
