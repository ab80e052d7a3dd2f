/*
 * Multiboot 1 and Multiboot 2 information parsing, into struct boot_info.
 * Pure logic; see bootinfo.h for the robustness policy.
 *
 * Every read of the loader's data goes through a range obtained from
 * phys_to_ptr and checked against that range's length first. Multi-byte
 * fields are read with memcpy, because a hostile block need not be aligned.
 * Only the most recent mapping is ever used: anything needed from an older
 * one is copied out before mapping again.
 */
#include "bootinfo.h"
#include "errno.h"

/* Multiboot 1 info flags */
#define MB1_MEM (1U << 0)
#define MB1_CMDLINE (1U << 2)
#define MB1_MODS (1U << 3)
#define MB1_MMAP (1U << 6)
#define MB1_LOADER (1U << 9)

/* Multiboot 1 info field offsets */
#define MB1_OFF_MEM_LOWER 4
#define MB1_OFF_MEM_UPPER 8
#define MB1_OFF_CMDLINE 16
#define MB1_OFF_MODS_COUNT 20
#define MB1_OFF_MODS_ADDR 24
#define MB1_OFF_MMAP_LENGTH 44
#define MB1_OFF_MMAP_ADDR 48
#define MB1_OFF_LOADER 64
#define MB1_INFO_MAX 68 /* bytes up to the last field we read */

#define MB1_MOD_SIZE 16
#define MB1_MMAP_ENTRY 20 /* base, len, type, after the size field */
#define MB1_MMAP_MAX KiB(64)

/* Multiboot 2 tag types */
#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_LOADER 2
#define MB2_TAG_MODULE 3
#define MB2_TAG_MEMINFO 4
#define MB2_TAG_MMAP 6
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15

#define MB2_HDR 8 /* total_size, reserved */
#define MB2_TAG_HDR 8 /* type, size */
#define MB2_MMAP_ENTRY 24
#define MB2_TOTAL_MAX MiB(1)

#define RSDP_V1_LEN 20
#define RSDP_V2_LEN 36

struct bctx {
	bootinfo_map_fn map;
	void *ctx;
	struct boot_info *bi;
	char *err;
	size_t errlen;
};

static u32 rd32(const u8 *p)
{
	u32 v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static u64 rd64(const u8 *p)
{
	u64 v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static const u8 *map(struct bctx *bc, u64 paddr, u64 len)
{
	return bc->map(paddr, len, bc->ctx);
}

/*
 * Write a message into err. fmt knows %u (decimal), %x (0x hex) and %s (a
 * string passed as uintptr_t), each taking the next of args; anything else
 * is copied.
 */
static void say(struct bctx *bc, const char *fmt, const u64 *args)
{
	static const char hex[] = "0123456789abcdef";
	size_t len = 0, cap = bc->errlen;
	char tmp[20];
	size_t n;
	u64 v;

	if (!bc->err || !cap)
		return;
	for (; *fmt; fmt++) {
		if (fmt[0] == '%' && fmt[1] == 's') {
			const char *str = (const char *)(uintptr_t)*args++;

			while (*str && len + 1 < cap)
				bc->err[len++] = *str++;
			fmt++;
		} else if (fmt[0] == '%' && (fmt[1] == 'u' || fmt[1] == 'x')) {
			unsigned int base = fmt[1] == 'u' ? 10 : 16;

			v = *args++;
			n = 0;
			do {
				tmp[n++] = hex[v % base];
				v /= base;
			} while (v);
			if (base == 16) {
				tmp[n++] = 'x';
				tmp[n++] = '0';
			}
			while (n && len + 1 < cap)
				bc->err[len++] = tmp[--n];
			fmt++;
		} else if (len + 1 < cap) {
			bc->err[len++] = *fmt;
		}
	}
	bc->err[len] = '\0';
}

static int fail_(struct bctx *bc, int error, const char *fmt, const u64 *args)
{
	say(bc, fmt, args);
	return error;
}

static void warn_(struct bctx *bc, unsigned int bit, const char *fmt,
		  const u64 *args)
{
	if (!bc->bi->warn && bc->err && bc->errlen)
		say(bc, fmt, args);
	bc->bi->warn |= bit;
}

/* The arguments are converted to u64 (strings via uintptr_t). */
#define fail(bc, error, fmt, ...) \
	fail_(bc, error, fmt, (const u64[]){ __VA_ARGS__ })
#define warn(bc, bit, fmt, ...) \
	warn_(bc, bit, fmt, (const u64[]){ __VA_ARGS__ })

static u32 norm_type(u32 type)
{
	return (type >= BOOT_MEM_RAM && type <= BOOT_MEM_BAD)
		   ? type
		   : BOOT_MEM_RESERVED;
}

static int add_region(struct bctx *bc, u64 start, u64 len, u32 type)
{
	struct boot_info *bi = bc->bi;
	struct boot_mem_region *last;

	if (!len)
		return 0;
	if (len - 1 > UINT64_MAX - start)
		return fail(bc, -EBADMSG,
			    "memory region %x+%x wraps past the top of memory",
			    start, len);
	type = norm_type(type);

	if (bi->nr_mem) {
		last = &bi->mem[bi->nr_mem - 1];
		if (last->type == type && last->start + last->len == start &&
		    last->len <= UINT64_MAX - len) {
			last->len += len;
			return 0;
		}
	}
	if (bi->nr_mem == BOOT_MAX_MEM) {
		bi->nr_mem_dropped++;
		warn(bc, BOOTINFO_WARN_MEM_DROPPED,
		     "more than %u memory regions; extra ones dropped",
		     BOOT_MAX_MEM);
		return 0;
	}
	bi->mem[bi->nr_mem].start = start;
	bi->mem[bi->nr_mem].len = len;
	bi->mem[bi->nr_mem].type = type;
	bi->nr_mem++;
	return 0;
}

/* Mem_lower/mem_upper fallback: RAM below 640K and from 1M up. */
static int add_basic_mem(struct bctx *bc, u32 lower_kb, u32 upper_kb)
{
	int rc = add_region(bc, 0, KiB(lower_kb), BOOT_MEM_RAM);

	return rc ? rc : add_region(bc, MiB(1), KiB(upper_kb), BOOT_MEM_RAM);
}

/* Returns the module slot to fill in, NULL if dropped, ERR via *rc. */
static struct boot_module *add_module(struct bctx *bc, u32 start, u32 end,
				      int *rc)
{
	struct boot_info *bi = bc->bi;
	struct boot_module *m;

	*rc = 0;
	if (end < start) {
		*rc = fail(bc, -EBADMSG,
			   "module %u ends (%x) before it starts (%x)",
			   bi->nr_mod + bi->nr_mod_dropped, end, start);
		return NULL;
	}
	if (bi->nr_mod == BOOT_MAX_MOD) {
		bi->nr_mod_dropped++;
		warn(bc, BOOTINFO_WARN_MOD_DROPPED,
		     "more than %u modules; extra ones dropped", BOOT_MAX_MOD);
		return NULL;
	}
	m = &bi->mod[bi->nr_mod++];
	m->start = start;
	m->end = end;
	return m;
}

/*
 * Read the NUL-terminated string at physical address paddr into dst,
 * mapping it a page at a time (byte by byte where a whole chunk cannot be
 * mapped), and never reading more than dstlen bytes.
 */
static int read_cstr(struct bctx *bc, u64 paddr, char *dst, size_t dstlen,
		     const char *what)
{
	size_t pos = 0;

	while (pos < dstlen) {
		u64 addr = paddr + pos;
		u64 chunk = PAGE_SIZE - (addr & (PAGE_SIZE - 1));
		const u8 *p;
		size_t i;

		chunk = MIN(chunk, (u64)(dstlen - pos));
		p = map(bc, addr, chunk);
		if (!p) {
			chunk = 1;
			p = map(bc, addr, 1);
		}
		if (!p)
			return fail(bc, -EFAULT,
				    "cannot read the %s string at %x (byte %x)",
				    (uintptr_t)what, paddr, addr);
		for (i = 0; i < chunk; i++) {
			dst[pos] = (char)p[i];
			if (!p[i])
				return 0;
			pos++;
		}
	}
	dst[dstlen - 1] = '\0';
	warn(bc, BOOTINFO_WARN_TRUNCATED,
	     "the %s string at %x was truncated to %u chars", (uintptr_t)what,
	     paddr, dstlen - 1);
	return 0;
}

static int parse_mb1(struct bctx *bc, u64 info)
{
	struct boot_info *bi = bc->bi;
	u8 hdr[MB1_INFO_MAX];
	u32 flags, need = 4, i, count, addr, len, off;
	const u8 *p;
	int rc;

	p = map(bc, info, 4);
	if (!p)
		return fail(bc, -EFAULT, "multiboot1 info at %x not accessible",
			    info);
	flags = rd32(p);
	if (flags & MB1_MEM)
		need = MB1_OFF_MEM_UPPER + 4;
	if (flags & MB1_CMDLINE)
		need = MB1_OFF_CMDLINE + 4;
	if (flags & MB1_MODS)
		need = MB1_OFF_MODS_ADDR + 4;
	if (flags & MB1_MMAP)
		need = MB1_OFF_MMAP_ADDR + 4;
	if (flags & MB1_LOADER)
		need = MB1_OFF_LOADER + 4;
	p = map(bc, info, need);
	if (!p)
		return fail(bc, -EFAULT,
			    "multiboot1 info at %x (%u bytes) not accessible",
			    info, need);
	__builtin_memset(hdr, 0, sizeof(hdr));
	__builtin_memcpy(hdr, p, need);

	if (flags & MB1_CMDLINE) {
		rc = read_cstr(bc, rd32(hdr + MB1_OFF_CMDLINE), bi->cmdline,
			       sizeof(bi->cmdline), "command line");
		if (rc)
			return rc;
	}
	if (flags & MB1_LOADER) {
		rc = read_cstr(bc, rd32(hdr + MB1_OFF_LOADER), bi->loader,
			       sizeof(bi->loader), "boot loader name");
		if (rc)
			return rc;
	}

	if (flags & MB1_MODS) {
		count = rd32(hdr + MB1_OFF_MODS_COUNT);
		addr = rd32(hdr + MB1_OFF_MODS_ADDR);
		for (i = 0; i < count; i++) {
			struct boot_module *m;
			u64 ent = (u64)addr + (u64)i * MB1_MOD_SIZE;
			u32 start, end, str;

			if (bi->nr_mod == BOOT_MAX_MOD) {
				bi->nr_mod_dropped += count - i;
				warn(bc, BOOTINFO_WARN_MOD_DROPPED,
				     "more than %u modules; extra ones dropped",
				     BOOT_MAX_MOD);
				break;
			}
			p = map(bc, ent, MB1_MOD_SIZE);
			if (!p)
				return fail(bc, -EFAULT,
					    "multiboot1 module %u entry at %x "
					    "not accessible",
					    i, ent);
			start = rd32(p);
			end = rd32(p + 4);
			str = rd32(p + 8);
			m = add_module(bc, start, end, &rc);
			if (rc)
				return rc;
			rc = read_cstr(bc, str, m->cmdline, sizeof(m->cmdline),
				       "module");
			if (rc)
				return rc;
		}
	}

	if (flags & MB1_MMAP) {
		len = rd32(hdr + MB1_OFF_MMAP_LENGTH);
		addr = rd32(hdr + MB1_OFF_MMAP_ADDR);
		if (len > MB1_MMAP_MAX)
			return fail(
			    bc, -EBADMSG,
			    "multiboot1 mmap_length %u is implausibly large",
			    len);
		p = len ? map(bc, addr, len) : NULL;
		if (len && !p)
			return fail(bc, -EFAULT,
				    "multiboot1 memory map at %x (%u bytes) "
				    "not accessible",
				    addr, len);
		for (off = 0; off < len;) {
			u32 size;

			if (len - off < 4)
				return fail(bc, -EBADMSG,
					    "multiboot1 memory map: truncated "
					    "entry at offset %u",
					    off);
			size = rd32(p + off);
			if (size < MB1_MMAP_ENTRY)
				return fail(bc, -EBADMSG,
					    "multiboot1 memory map: entry size "
					    "%u at offset %u is too small",
					    size, off);
			if (size > len - off - 4)
				return fail(
				    bc, -EBADMSG,
				    "multiboot1 memory map: entry at offset %u "
				    "runs past mmap_length %u",
				    off, len);
			rc = add_region(bc, rd64(p + off + 4),
					rd64(p + off + 12), rd32(p + off + 20));
			if (rc)
				return rc;
			off += 4 + size;
		}
	}

	if (!bi->nr_mem && (flags & MB1_MEM))
		return add_basic_mem(bc, rd32(hdr + MB1_OFF_MEM_LOWER),
				     rd32(hdr + MB1_OFF_MEM_UPPER));
	return 0;
}

static int mb2_mmap(struct bctx *bc, const u8 *body, u32 n, u32 off)
{
	u32 esize, i;
	int rc;

	if (n < 8)
		return fail(
		    bc, -EBADMSG,
		    "multiboot2 memory map tag at offset %u is truncated", off);
	esize = rd32(body);
	if (esize < MB2_MMAP_ENTRY)
		return fail(
		    bc, -EBADMSG,
		    "multiboot2 memory map: entry_size %u is smaller than %u",
		    esize, MB2_MMAP_ENTRY);
	body += 8;
	n -= 8;
	if (n % esize)
		return fail(bc, -EBADMSG,
			    "multiboot2 memory map: %u bytes of entries is not "
			    "a multiple of entry_size %u",
			    n, esize);
	for (i = 0; i < n; i += esize) {
		rc = add_region(bc, rd64(body + i), rd64(body + i + 8),
				rd32(body + i + 16));
		if (rc)
			return rc;
	}
	return 0;
}

/* Copy a string tag body into dst, or only check it if dst is NULL. */
static int mb2_str(struct bctx *bc, char *dst, size_t dstlen, const u8 *body,
		   u32 n, u32 type, u32 off)
{
	u32 len = 0;

	while (len < n && body[len])
		len++;
	if (len == n)
		return fail(
		    bc, -EBADMSG,
		    "multiboot2 tag %u at offset %u: string not NUL-terminated",
		    type, off);
	if (!dst)
		return 0;
	if (len >= dstlen) {
		len = (u32)dstlen - 1;
		warn(bc, BOOTINFO_WARN_TRUNCATED,
		     "multiboot2 tag %u at offset %u: string truncated to %u "
		     "chars",
		     type, off, len);
	}
	__builtin_memcpy(dst, body, len);
	dst[len] = '\0';
	return 0;
}

static int parse_mb2(struct bctx *bc, u64 info)
{
	struct boot_info *bi = bc->bi;
	bool have_cmdline = false, have_loader = false, have_mmap = false;
	bool have_meminfo = false, have_new_rsdp = false;
	u32 total, off, type, size, n, lower = 0, upper = 0;
	struct boot_module *m;
	const u8 *p, *body;
	int rc;

	p = map(bc, info, MB2_HDR);
	if (!p)
		return fail(bc, -EFAULT, "multiboot2 info at %x not accessible",
			    info);
	total = rd32(p);
	if (total < MB2_HDR + MB2_TAG_HDR)
		return fail(bc, -EBADMSG,
			    "multiboot2 total_size %u is too small", total);
	if (total > MB2_TOTAL_MAX)
		return fail(bc, -EBADMSG,
			    "multiboot2 total_size %u is implausibly large",
			    total);
	p = map(bc, info, total);
	if (!p)
		return fail(bc, -EFAULT,
			    "multiboot2 info at %x (%u bytes) not accessible",
			    info, total);

	for (off = MB2_HDR;; off += (size + 7) & ~7U) {
		if (off > total || total - off < MB2_TAG_HDR)
			return fail(bc, -EBADMSG,
				    "multiboot2 info has no end tag within "
				    "total_size %u",
				    total);
		type = rd32(p + off);
		size = rd32(p + off + 4);
		if (size < MB2_TAG_HDR)
			return fail(
			    bc, -EBADMSG,
			    "multiboot2 tag %u at offset %u has bad size %u",
			    type, off, size);
		if (size > total - off)
			return fail(bc, -EBADMSG,
				    "multiboot2 tag %u at offset %u (size %u) "
				    "runs past total_size",
				    type, off, size);
		body = p + off + MB2_TAG_HDR;
		n = size - MB2_TAG_HDR;

		switch (type) {
		case MB2_TAG_END:
			goto done;
		case MB2_TAG_CMDLINE:
			if (have_cmdline)
				break;
			have_cmdline = true;
			rc = mb2_str(bc, bi->cmdline, sizeof(bi->cmdline), body,
				     n, type, off);
			if (rc)
				return rc;
			break;
		case MB2_TAG_LOADER:
			if (have_loader)
				break;
			have_loader = true;
			rc = mb2_str(bc, bi->loader, sizeof(bi->loader), body,
				     n, type, off);
			if (rc)
				return rc;
			break;
		case MB2_TAG_MODULE:
			if (n < 9)
				return fail(bc, -EBADMSG,
					    "multiboot2 module tag at offset "
					    "%u is truncated",
					    off);
			m = add_module(bc, rd32(body), rd32(body + 4), &rc);
			if (rc)
				return rc;
			/* A dropped module's string is still checked. */
			rc = mb2_str(bc, m ? m->cmdline : NULL,
				     sizeof(bi->mod[0].cmdline), body + 8,
				     n - 8, type, off);
			if (rc)
				return rc;
			break;
		case MB2_TAG_MEMINFO:
			if (n < 8)
				return fail(bc, -EBADMSG,
					    "multiboot2 meminfo tag at offset "
					    "%u is truncated",
					    off);
			have_meminfo = true;
			lower = rd32(body);
			upper = rd32(body + 4);
			break;
		case MB2_TAG_MMAP:
			have_mmap = true;
			rc = mb2_mmap(bc, body, n, off);
			if (rc)
				return rc;
			break;
		case MB2_TAG_ACPI_OLD:
		case MB2_TAG_ACPI_NEW: {
			u32 want = type == MB2_TAG_ACPI_NEW ? RSDP_V2_LEN
							    : RSDP_V1_LEN;

			if (n < want)
				return fail(bc, -EBADMSG,
					    "multiboot2 ACPI tag %u at offset "
					    "%u holds %u bytes, need %u",
					    type, off, n, want);
			if (have_new_rsdp)
				break;
			have_new_rsdp = type == MB2_TAG_ACPI_NEW;
			__builtin_memcpy(bi->rsdp_copy, body, want);
			bi->rsdp_len = want;
			bi->rsdp = info + off + MB2_TAG_HDR;
			break;
		}
		default:
			break;
		}
	}
done:
	if (!have_mmap && have_meminfo)
		return add_basic_mem(bc, lower, upper);
	return 0;
}

int bootinfo_parse(u32 magic, u64 info_paddr, bootinfo_map_fn phys_to_ptr,
		   void *ctx, struct boot_info *bi, char *err, size_t errlen)
{
	struct bctx bc = {
		.map = phys_to_ptr,
		.ctx = ctx,
		.bi = bi,
		.err = err,
		.errlen = err ? errlen : 0,
	};
	int rc;

	if (bc.errlen)
		err[0] = '\0';
	if (!bi || !phys_to_ptr)
		return fail(
		    &bc, -EINVAL, "bootinfo_parse: %s",
		    (uintptr_t)(bi ? "no phys_to_ptr" : "no boot_info"));
	__builtin_memset(bi, 0, sizeof(*bi));

	switch (magic) {
	case MULTIBOOT1_BOOTLOADER_MAGIC:
		bi->multiboot = 1;
		rc = parse_mb1(&bc, info_paddr);
		break;
	case MULTIBOOT2_BOOTLOADER_MAGIC:
		bi->multiboot = 2;
		rc = parse_mb2(&bc, info_paddr);
		break;
	default:
		rc = fail(&bc, -EINVAL,
			  "bad boot loader magic %x (want %x for Multiboot 1 "
			  "or %x for Multiboot 2)",
			  magic, MULTIBOOT1_BOOTLOADER_MAGIC,
			  MULTIBOOT2_BOOTLOADER_MAGIC);
		break;
	}
	if (rc)
		__builtin_memset(bi, 0, sizeof(*bi));
	return rc;
}

/* A region's end, with a region running past 2^64 - 1 cut there. */
static u64 region_end(const struct boot_mem_region *r)
{
	return r->len > UINT64_MAX - r->start ? UINT64_MAX : r->start + r->len;
}

/*
 * Which type wins where regions overlap: RAM loses to everything, ACPI
 * reclaimable (RAM once the tables are read) to anything that is never
 * usable, and NVS beats plain reserved so the OS still learns about it.
 */
static unsigned int type_rank(u32 type)
{
	switch (type) {
	case BOOT_MEM_RAM:
		return 1;
	case BOOT_MEM_ACPI:
		return 2;
	case BOOT_MEM_RESERVED:
		return 3;
	case BOOT_MEM_NVS:
		return 4;
	default: /* BOOT_MEM_BAD */
		return 5;
	}
}

unsigned int bootinfo_sanitize_mem(struct boot_info *bi)
{
	struct boot_mem_region in[BOOT_MAX_MEM], *last;
	unsigned int n = 0, i, out = 0, dropped = 0;
	u64 cur = 0, next, end;
	bool found;
	u32 type;

	for (i = 0; i < MIN(bi->nr_mem, BOOT_MAX_MEM); i++) {
		in[n] = bi->mem[i];
		in[n].type = norm_type(in[n].type);
		end = region_end(&in[n]);
		if (end > in[n].start) {
			in[n].len = end - in[n].start;
			if (!n || in[n].start < cur)
				cur = in[n].start;
			n++;
		}
	}

	/*
	 * Sweep the boundaries upwards; each step covers [cur, next) where
	 * next is the nearest region start or end above cur, so every piece
	 * has one set of covering regions.
	 */
	while (n) {
		type = 0;
		found = false;
		next = 0;
		for (i = 0; i < n; i++) {
			end = in[i].start + in[i].len;
			if (in[i].start <= cur && cur < end &&
			    (!type || type_rank(in[i].type) > type_rank(type)))
				type = in[i].type;
			if (in[i].start > cur &&
			    (!found || in[i].start < next)) {
				next = in[i].start;
				found = true;
			}
			if (end > cur && (!found || end < next)) {
				next = end;
				found = true;
			}
		}
		if (!found)
			break;
		if (type) {
			last = out ? &bi->mem[out - 1] : NULL;
			if (last && last->type == type &&
			    last->start + last->len == cur) {
				last->len += next - cur;
			} else if (out < BOOT_MAX_MEM) {
				bi->mem[out].start = cur;
				bi->mem[out].len = next - cur;
				bi->mem[out].type = type;
				out++;
			} else {
				dropped++;
			}
		}
		cur = next;
	}

	bi->nr_mem = out;
	if (dropped) {
		bi->nr_mem_dropped += dropped;
		bi->warn |= BOOTINFO_WARN_MEM_DROPPED;
	}
	return dropped;
}

u64 bootinfo_ram_bytes(const struct boot_info *bi)
{
	u64 sum = 0;
	unsigned int i;

	for (i = 0; i < MIN(bi->nr_mem, BOOT_MAX_MEM); i++) {
		if (bi->mem[i].type != BOOT_MEM_RAM)
			continue;
		if (bi->mem[i].len > UINT64_MAX - sum)
			return UINT64_MAX;
		sum += bi->mem[i].len;
	}
	return sum;
}
