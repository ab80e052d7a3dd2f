/*
 * Boot loader information (Multiboot 1 and Multiboot 2), normalised into one
 * struct boot_info. Pure logic: all memory is reached through the caller's
 * phys_to_ptr callback, so the same code runs on the host in unit tests.
 *
 * Policy for a hostile or buggy information block:
 *  - Every length is checked before it is used; nothing outside the mapped
 *    ranges is read, and nothing past the Multiboot 2 total_size.
 *  - Structural damage (bad magic, truncated or overlong tags, a missing end
 *    tag, mmap entry_size < 24, a module string with no NUL inside its tag,
 *    a region or module whose end wraps or precedes its start, ...) fails
 *    the whole parse with a negative errno and a message in err.
 *  - Running out of room is not fatal: regions past BOOT_MAX_MEM and modules
 *    past BOOT_MAX_MOD are dropped (counted in nr_mem_dropped/nr_mod_dropped)
 *    and over-long strings are truncated. bootinfo_parse() then still returns
 *    0, sets bits in bi->warn and leaves a message in err. On a clean parse
 *    err is the empty string.
 *
 * Errors: -EINVAL bad magic or arguments, -EFAULT phys_to_ptr refused a
 * range, -EBADMSG malformed information.
 */
#ifndef XENOLITH_BOOTINFO_H
#define XENOLITH_BOOTINFO_H

#include "types.h"

#define MULTIBOOT1_BOOTLOADER_MAGIC 0x2BADB002U
#define MULTIBOOT2_BOOTLOADER_MAGIC 0x36d76289U

/* Region types, as in the e820 map. Unknown types are stored as reserved. */
#define BOOT_MEM_RAM 1
#define BOOT_MEM_RESERVED 2
#define BOOT_MEM_ACPI 3 /* ACPI reclaimable */
#define BOOT_MEM_NVS 4 /* ACPI NVS */
#define BOOT_MEM_BAD 5 /* unusable */

#define BOOT_MAX_MEM 64
#define BOOT_MAX_MOD 16

/* boot_info.warn bits */
#define BOOTINFO_WARN_MEM_DROPPED (1U << 0)
#define BOOTINFO_WARN_MOD_DROPPED (1U << 1)
#define BOOTINFO_WARN_TRUNCATED (1U << 2) /* a string was cut short */

struct boot_mem_region {
	u64 start, len;
	u32 type; /* BOOT_MEM_* */
};

struct boot_module {
	u64 start, end; /* end is exclusive, as loaders give it */
	char cmdline[128];
};

struct boot_info {
	char cmdline[1024];
	char loader[64];
	struct boot_mem_region mem[BOOT_MAX_MEM];
	unsigned int nr_mem;
	struct boot_module mod[BOOT_MAX_MOD];
	unsigned int nr_mod;
	/*
	 * Physical address of the ACPI RSDP copy if the loader gave one (mb2
	 * tags 14/15; 15 is preferred), else 0. rsdp_copy holds rsdp_len
	 * bytes of it (20 for an ACPI 1.0 RSDP, 36 for 2.0+). Not validated.
	 */
	u64 rsdp;
	u8 rsdp_copy[36];
	unsigned int rsdp_len;
	unsigned int multiboot; /* 1 or 2 */
	unsigned int warn; /* BOOTINFO_WARN_* */
	unsigned int nr_mem_dropped, nr_mod_dropped;
};

/*
 * Map [paddr, paddr + len) for reading, or return NULL if it is not
 * accessible. bootinfo_parse() only uses the most recently returned
 * pointer, so a single temporary mapping slot is enough.
 */
typedef const void *(*bootinfo_map_fn)(u64 paddr, u64 len, void *ctx);

/*
 * Parse the information block at info_paddr that the loader handed over
 * with magic (the loader's EAX). Fills *bi from scratch (regions are kept
 * in loader order; adjacent regions of equal type are coalesced as they are
 * added). err (errlen bytes, may be NULL/0) receives an error or warning
 * message. Returns 0 or a negative errno; see the policy above.
 *
 * Multiboot 1: flags bit 0 mem_lower/mem_upper (used only if there is no
 * usable mmap), 2 cmdline, 3 modules, 6 mmap, 9 boot loader name.
 * Multiboot 2: tags 1 cmdline, 2 loader name, 3 module, 4 basic meminfo
 * (used only without a mmap tag), 6 mmap, 14/15 ACPI RSDP, 0 end; other tags
 * are skipped. Tags are 8-byte aligned relative to the block start.
 */
int bootinfo_parse(u32 magic, u64 info_paddr, bootinfo_map_fn phys_to_ptr,
		   void *ctx, struct boot_info *bi, char *err, size_t errlen);

/*
 * Sort the regions by start, resolve overlaps and merge neighbours.
 *
 * Where regions overlap the winner is, strongest first: bad > ACPI NVS >
 * reserved > ACPI reclaimable > RAM (unknown types count as reserved). So
 * RAM always loses, reclaimable memory never takes over firmware-reserved
 * memory, and NVS (which the OS must save across sleep) is not hidden by a
 * reserved range. Adjacent regions of the same type are merged; zero-length
 * regions vanish; a region running past 2^64 - 1 is cut there.
 *
 * If the result needs more than BOOT_MAX_MEM entries the highest ones are
 * dropped (counted in nr_mem_dropped, BOOTINFO_WARN_MEM_DROPPED set).
 * Returns the number of entries dropped.
 */
unsigned int bootinfo_sanitize_mem(struct boot_info *bi);

/* Total bytes of RAM regions (saturating). Meaningful after sanitising. */
u64 bootinfo_ram_bytes(const struct boot_info *bi);

#endif
