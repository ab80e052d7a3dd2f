/*
 * The ACPI tables the hypervisor reads: RSDP, RSDT/XSDT, MADT (CPUs and
 * IO-APICs) and HPET. The table parsers are pure and unit-tested; finding
 * and mapping the tables is in arch/x86/acpi.c.
 */
#ifndef XENOLITH_ACPI_H
#define XENOLITH_ACPI_H

#include "types.h"

#define ACPI_MAX_CPUS 64
#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_OVERRIDES 16

struct acpi_header {
	char sig[4];
	u32 length;
	u8 revision;
	u8 checksum;
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	u32 creator_id;
	u32 creator_revision;
} __packed;

struct acpi_rsdp {
	char sig[8];
	u8 checksum;
	char oem_id[6];
	u8 revision;
	u32 rsdt;
	/* ACPI 2.0+ */
	u32 length;
	u64 xsdt;
	u8 ext_checksum;
	u8 reserved[3];
} __packed;

struct acpi_ioapic {
	u8 id;
	u32 addr;
	u32 gsi_base;
};

struct acpi_override {
	u8 irq; /* ISA IRQ */
	u32 gsi;
	u16 flags; /* MPS INTI polarity and trigger */
};

struct acpi_info {
	u64 lapic_base;
	u32 cpu_apic_id[ACPI_MAX_CPUS];
	unsigned int nr_cpus;
	unsigned int nr_cpus_ignored; /* beyond ACPI_MAX_CPUS */
	struct acpi_ioapic ioapic[ACPI_MAX_IOAPICS];
	unsigned int nr_ioapics;
	struct acpi_override override[ACPI_MAX_OVERRIDES];
	unsigned int nr_overrides;
	bool pic_present; /* MADT PCAT_COMPAT: legacy 8259s to mask */
	u64 hpet_base;
};

/* acpi_parse.c (pure) */
bool acpi_checksum_ok(const void *p, size_t len);
int acpi_rsdp_check(const struct acpi_rsdp *r, size_t avail);
int acpi_parse_madt(const void *tbl, size_t len, struct acpi_info *ai);
int acpi_parse_hpet(const void *tbl, size_t len, struct acpi_info *ai);

/* arch/x86/acpi.c */
extern struct acpi_info acpi;
int acpi_init(u64 rsdp_hint);

#endif
