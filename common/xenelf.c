/*
 * ELF64 and Xen-note parsing for PV kernels (see xenelf.h). The notes are
 * taken from PT_NOTE segments first, then from SHT_NOTE sections; a note
 * is named "Xen" and its descriptor is a number (4 or 8 bytes) or a
 * string whose length is descsz (it need not be NUL-terminated).
 */
#include "xenelf.h"

#define EINVAL 22
#define ENOEXEC 8

#define PT_LOAD 1
#define PT_NOTE 4
#define SHT_NOTE 7
#define ET_EXEC 2
#define EM_X86_64 62

/* Note types (xen/elfnote.h numbering). */
#define N_ENTRY 1
#define N_HYPERCALL_PAGE 2
#define N_VIRT_BASE 3
#define N_PADDR_OFFSET 4
#define N_XEN_VERSION 5
#define N_GUEST_OS 6
#define N_LOADER 8
#define N_FEATURES 10
#define N_HV_START_LOW 12
#define N_INIT_P2M 15
#define N_MOD_START_PFN 16

struct ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

struct shdr {
	uint32_t name, type;
	uint64_t flags, addr, offset, size;
	uint32_t link, info;
	uint64_t addralign, entsize;
};

struct parse {
	const uint8_t *img;
	size_t len;
	struct xenelf_info *info;
	char *err;
	size_t errlen;
	bool has_entry, has_virt_base, has_paddr_offset, any_note;
};

static void set_err(struct parse *p, const char *msg)
{
	size_t i = 0;

	if (!p->err || !p->errlen)
		return;
	for (; msg[i] && i + 1 < p->errlen; i++)
		p->err[i] = msg[i];
	p->err[i] = '\0';
}

static bool in_image(const struct parse *p, uint64_t off, uint64_t n)
{
	return off <= p->len && n <= p->len - off;
}

static void copy_str(char *dst, size_t dlen, const uint8_t *src, uint64_t n)
{
	size_t i = 0;

	for (; i < n && i + 1 < dlen && src[i]; i++)
		dst[i] = (char)src[i];
	dst[i] = '\0';
}

static uint64_t note_num(const uint8_t *d, uint32_t sz)
{
	uint64_t v = 0;

	if (sz != 4 && sz != 8)
		return 0;
	for (int i = sz - 1; i >= 0; i--)
		v = (v << 8) | d[i];
	return v;
}

/* Does the '|'-separated list have "!name"? */
static bool feature_required(const char *list, const char *name)
{
	size_t n = 0;

	while (name[n])
		n++;
	for (const char *p = list; *p;) {
		const char *q = p;
		while (*q && *q != '|')
			q++;
		if (*p == '!' && (size_t)(q - p - 1) == n) {
			size_t i = 0;
			while (i < n && p[1 + i] == name[i])
				i++;
			if (i == n)
				return true;
		}
		p = *q ? q + 1 : q;
	}
	return false;
}

static void take_note(struct parse *p, uint32_t type, const uint8_t *d,
		      uint32_t sz)
{
	struct xenelf_info *in = p->info;

	p->any_note = true;
	switch (type) {
	case N_ENTRY:
		in->entry = note_num(d, sz);
		p->has_entry = true;
		break;
	case N_HYPERCALL_PAGE:
		in->hypercall_page = note_num(d, sz);
		in->has_hypercall_page = true;
		break;
	case N_VIRT_BASE:
		in->virt_base = note_num(d, sz);
		p->has_virt_base = true;
		break;
	case N_PADDR_OFFSET:
		in->paddr_offset = note_num(d, sz);
		p->has_paddr_offset = true;
		break;
	case N_HV_START_LOW:
		in->hv_start_low = note_num(d, sz);
		break;
	case N_INIT_P2M:
		in->init_p2m = note_num(d, sz);
		in->has_init_p2m = true;
		break;
	case N_MOD_START_PFN:
		in->mod_start_pfn = note_num(d, sz) != 0;
		break;
	case N_XEN_VERSION:
		copy_str(in->xen_version, sizeof(in->xen_version), d, sz);
		break;
	case N_GUEST_OS:
		copy_str(in->guest_os, sizeof(in->guest_os), d, sz);
		break;
	case N_LOADER:
		copy_str(in->loader, sizeof(in->loader), d, sz);
		break;
	case N_FEATURES:
		copy_str(in->features, sizeof(in->features), d, sz);
		break;
	}
}

/* Walk a note area; only "Xen" notes are taken. */
static int scan_notes(struct parse *p, uint64_t off, uint64_t size)
{
	uint64_t end;

	if (!in_image(p, off, size))
		return -EINVAL;
	end = off + size;
	while (end - off >= 12) {
		const uint8_t *n = p->img + off;
		uint32_t namesz = note_num(n, 4), descsz = note_num(n + 4, 4);
		uint32_t type = note_num(n + 8, 4);
		uint64_t name_len = (namesz + 3ULL) & ~3ULL;
		uint64_t desc_len = (descsz + 3ULL) & ~3ULL;

		if (name_len + desc_len > end - off - 12)
			return -EINVAL;
		if (namesz == 4 && n[12] == 'X' && n[13] == 'e' &&
		    n[14] == 'n' && n[15] == 0)
			take_note(p, type, n + 12 + name_len, descsz);
		off += 12 + name_len + desc_len;
	}
	return 0;
}

static int check_header(struct parse *p, const struct ehdr *e)
{
	if (p->len < sizeof(*e) || e->ident[0] != 0x7f || e->ident[1] != 'E' ||
	    e->ident[2] != 'L' || e->ident[3] != 'F') {
		set_err(p, "not an ELF file");
		return -ENOEXEC;
	}
	if (e->ident[4] != 2 || e->ident[5] != 1 || e->machine != EM_X86_64 ||
	    e->type != ET_EXEC) {
		set_err(p, "not an x86-64 ELF executable");
		return -ENOEXEC;
	}
	if (e->phentsize != sizeof(struct phdr) ||
	    !in_image(p, e->phoff, (uint64_t)e->phnum * sizeof(struct phdr))) {
		set_err(p, "bad program headers");
		return -EINVAL;
	}
	return 0;
}

static int read_segments(struct parse *p, const struct ehdr *e)
{
	const struct phdr *ph = (const void *)(p->img + e->phoff);
	struct xenelf_info *in = p->info;

	in->pstart = UINT64_MAX;
	for (unsigned int i = 0; i < e->phnum; i++) {
		if (ph[i].type == PT_NOTE && scan_notes(p, ph[i].offset,
							ph[i].filesz)) {
			set_err(p, "malformed note segment");
			return -EINVAL;
		}
		if (ph[i].type != PT_LOAD || !ph[i].memsz)
			continue;
		if (in->nr_segs == XENELF_MAX_SEGS ||
		    !in_image(p, ph[i].offset, ph[i].filesz) ||
		    ph[i].filesz > ph[i].memsz ||
		    ph[i].paddr + ph[i].memsz < ph[i].paddr) {
			set_err(p, "bad loadable segment");
			return -EINVAL;
		}
		in->seg[in->nr_segs].offset = ph[i].offset;
		in->seg[in->nr_segs].filesz = ph[i].filesz;
		in->seg[in->nr_segs].memsz = ph[i].memsz;
		in->seg[in->nr_segs].paddr = ph[i].paddr;
		in->nr_segs++;
		if (ph[i].paddr < in->pstart)
			in->pstart = ph[i].paddr;
		if (ph[i].paddr + ph[i].memsz > in->pend)
			in->pend = ph[i].paddr + ph[i].memsz;
	}
	if (!in->nr_segs) {
		set_err(p, "no loadable segments");
		return -ENOEXEC;
	}
	return 0;
}

static int read_section_notes(struct parse *p, const struct ehdr *e)
{
	const struct shdr *sh;

	if (!e->shnum || e->shentsize != sizeof(struct shdr) ||
	    !in_image(p, e->shoff, (uint64_t)e->shnum * sizeof(*sh)))
		return 0; /* no usable section table: nothing more to find */
	sh = (const void *)(p->img + e->shoff);
	for (unsigned int i = 0; i < e->shnum; i++)
		if (sh[i].type == SHT_NOTE &&
		    scan_notes(p, sh[i].offset, sh[i].size))
			return -EINVAL;
	return 0;
}

/* Xen's libelf address rules, and the checks it makes. */
static int compute_addresses(struct parse *p, uint64_t e_entry)
{
	struct xenelf_info *in = p->info;
	uint64_t offset;

	if (!p->has_virt_base)
		in->virt_base = 0;
	if (!p->has_paddr_offset)
		in->paddr_offset = 0;
	if (!p->has_entry)
		in->entry = e_entry;
	offset = in->virt_base - in->paddr_offset;
	in->virt_kstart = in->pstart + offset;
	in->virt_kend = in->pend + offset;
	if (in->virt_base > in->virt_kstart) {
		set_err(p, "VIRT_BASE is above the kernel's start");
		return -ENOEXEC;
	}
	if (in->entry < in->virt_kstart || in->entry >= in->virt_kend) {
		set_err(p, "entry point outside the kernel");
		return -ENOEXEC;
	}
	if (in->has_hypercall_page &&
	    (in->hypercall_page < in->virt_kstart ||
	     in->hypercall_page >= in->virt_kend ||
	     (in->hypercall_page & 4095))) {
		set_err(p, "hypercall page outside the kernel or unaligned");
		return -ENOEXEC;
	}
	if (in->has_init_p2m &&
	    ((in->init_p2m & 4095) || in->init_p2m >= in->virt_base ||
	     (in->init_p2m >= in->virt_kstart && in->init_p2m < in->virt_kend)))
		in->has_init_p2m = false; /* ignored, as Xen does */
	return 0;
}

int xenelf_parse(const void *img, size_t len, struct xenelf_info *info,
		 char *err, size_t errlen)
{
	struct parse p = { img, len, info, err, errlen, false, false, false,
			   false };
	const struct ehdr *e = img;
	int rc;

	__builtin_memset(info, 0, sizeof(*info));
	set_err(&p, "");
	rc = check_header(&p, e);
	if (!rc)
		rc = read_segments(&p, e);
	if (!rc && !p.any_note && read_section_notes(&p, e)) {
		set_err(&p, "malformed note section");
		rc = -EINVAL;
	}
	if (rc)
		return rc;
	if (!p.any_note || info->xen_version[0] != 'x') {
		set_err(&p, "no Xen ELF notes (not a Xen PV kernel)");
		return -ENOEXEC;
	}
	if (__builtin_memcmp(info->xen_version, "xen-3.0", 7)) {
		set_err(&p, "XEN_VERSION note is not xen-3.0");
		return -ENOEXEC;
	}
	info->requires_writable_pt =
		feature_required(info->features, "writable_page_tables");
	return compute_addresses(&p, e->entry);
}

int xenelf_load(const void *img, const struct xenelf_info *info,
		xenelf_write_fn write, void *ctx)
{
	const uint8_t *b = img;

	for (unsigned int i = 0; i < info->nr_segs; i++) {
		const struct xenelf_seg *s = &info->seg[i];
		uint64_t off = s->paddr - info->pstart;
		int rc = write(ctx, off, b + s->offset, s->filesz);

		if (!rc && s->memsz > s->filesz)
			rc = write(ctx, off + s->filesz, NULL,
				   s->memsz - s->filesz);
		if (rc)
			return rc;
	}
	return 0;
}
