/*
 * Loading a PV kernel into a domain's memory (see pvbuild.h). Everything
 * goes through the caller's map/unmap, a bounded range at a time, so the
 * same steps work on the hypervisor's direct map and through domain 0's
 * small window of foreign mappings.
 */
#include <xen/xen.h>
#include "klib.h"
#include "pvbuild.h"

#define ENOMEM 12
#define PG 4096ULL

int pvbuild_prepare(const void *kernel, size_t kernel_len, uint64_t nr_pages,
		    uint64_t initrd_len, struct xenelf_info *elf,
		    struct pv_layout *l, char *err, size_t errlen)
{
	int rc = xenelf_parse(kernel, kernel_len, elf, err, errlen);

	if (rc)
		return rc;
	return pvlayout_compute(elf, nr_pages, initrd_len, l, err, errlen);
}

/* Copy n bytes (src NULL: zeroes) to byte offset off of pseudo-physical. */
static int write_bytes(const struct pvbuild_mem *m, uint64_t off,
		       const void *src, uint64_t n)
{
	while (n) {
		uint64_t pfn = off / PG, in = off % PG;
		uint64_t frames = (in + n + PG - 1) / PG;
		void **f;

		if (frames > PVBUILD_CHUNK)
			frames = PVBUILD_CHUNK;
		f = m->map(m->ctx, pfn, frames);
		if (!f)
			return -ENOMEM;
		for (uint64_t i = 0; i < frames && n; i++) {
			uint64_t chunk = PG - in < n ? PG - in : n;
			uint8_t *dst = (uint8_t *)f[i] + in;

			if (src) {
				memcpy(dst, src, chunk);
				src = (const uint8_t *)src + chunk;
			} else {
				memset(dst, 0, chunk);
			}
			off += chunk;
			n -= chunk;
			in = 0;
		}
		m->unmap(m->ctx, f, frames);
	}
	return 0;
}

struct elf_ctx {
	const struct pvbuild_mem *m;
	uint64_t base; /* byte offset of the kernel's first frame */
};

static int elf_write(void *ctx, uint64_t off, const void *src, uint64_t n)
{
	struct elf_ctx *e = ctx;

	return write_bytes(e->m, e->base + off, src, n);
}

static void fill_start_info(const struct pvbuild_params *p,
			    struct start_info *si)
{
	const struct pv_layout *l = p->l;

	memset(si, 0, sizeof(*si));
	strlcpy(si->magic, "xen-3.0-x86_64", sizeof(si->magic));
	si->nr_pages = l->nr_pages;
	si->shared_info = p->shared_info_mfn * PG;
	si->flags = p->flags;
	si->store_mfn = p->store_mfn;
	si->store_evtchn = p->store_port;
	si->console.domU.mfn = p->console_mfn;
	si->console.domU.evtchn = p->console_port;
	si->pt_base = l->virt_base + l->pt_pfn * PG;
	si->nr_pt_frames = l->nr_pt_frames;
	si->mfn_list = l->p2m_va;
	if (p->initrd_len) {
		if (l->initrd_mapped) {
			si->mod_start = l->virt_base + l->initrd_pfn * PG;
		} else {
			si->mod_start = l->initrd_pfn;
			si->flags |= SIF_MOD_START_PFN;
		}
		si->mod_len = p->initrd_len;
	}
	if (l->p2m_separate) {
		si->first_p2m_pfn = l->p2m_pfn;
		si->nr_p2m_frames = l->p2m_pages + l->nr_p2m_pt_frames;
	}
	strlcpy((char *)si->cmd_line, p->cmdline ? p->cmdline : "",
		sizeof(si->cmd_line));
}

static int write_start_info(const struct pvbuild_params *p,
			    const struct pvbuild_mem *m)
{
	void **f = m->map(m->ctx, p->l->start_info_pfn, 1);

	if (!f)
		return -ENOMEM;
	fill_start_info(p, f[0]);
	m->unmap(m->ctx, f, 1);
	return 0;
}

/* Both table ranges stay mapped while the tree is built. */
struct tables {
	void **region, **p2m;
	uint64_t region_pfn, region_n, p2m_pfn, p2m_n;
};

static uint64_t *table_of_pfn(void *ctx, uint64_t pfn)
{
	struct tables *t = ctx;

	if (pfn - t->region_pfn < t->region_n)
		return t->region[pfn - t->region_pfn];
	return t->p2m[pfn - t->p2m_pfn];
}

static int build_tables(const struct pvbuild_params *p,
			const struct pvbuild_mem *m)
{
	const struct pv_layout *l = p->l;
	struct tables t = { .region_pfn = l->pt_pfn,
			    .region_n = l->nr_pt_frames,
			    .p2m_pfn = l->p2m_pt_pfn,
			    .p2m_n = l->nr_p2m_pt_frames };
	int rc = -ENOMEM;

	t.region = m->map(m->ctx, t.region_pfn, t.region_n);
	if (!t.region)
		return rc;
	if (t.p2m_n && !(t.p2m = m->map(m->ctx, t.p2m_pfn, t.p2m_n)))
		goto out;
	/* Frames may be recycled by the caller: the tree needs them empty. */
	for (uint64_t i = 0; i < t.region_n; i++)
		memset(t.region[i], 0, PG);
	for (uint64_t i = 0; i < t.p2m_n; i++)
		memset(t.p2m[i], 0, PG);
	pvlayout_build_tables(l, p->p2m, table_of_pfn, &t, p->hv_l4);
	rc = 0;
	if (t.p2m)
		m->unmap(m->ctx, t.p2m, t.p2m_n);
out:
	m->unmap(m->ctx, t.region, t.region_n);
	return rc;
}

/**
 * pvbuild_load - write kernel, initrd, p2m list, start_info and tables.
 * The xenstore and console pages, the stack and the rest stay as the
 * caller gave them (zeroed).
 */
int pvbuild_load(const struct pvbuild_params *p, const struct pvbuild_mem *m)
{
	const struct pv_layout *l = p->l;
	struct elf_ctx e = { m, l->kernel_pfn * PG };
	int rc;

	rc = xenelf_load(p->kernel, p->elf, elf_write, &e);
	if (!rc && p->initrd_len)
		rc = write_bytes(m, l->initrd_pfn * PG, p->initrd,
				 p->initrd_len);
	if (!rc)
		rc = write_bytes(m, l->p2m_pfn * PG, p->p2m, l->nr_pages * 8);
	if (!rc)
		rc = write_start_info(p, m);
	if (!rc)
		rc = build_tables(p, m);
	return rc;
}

void pvbuild_entry(const struct xenelf_info *elf, const struct pv_layout *l,
		   struct pvbuild_entry *e)
{
	e->rip = elf->entry;
	e->rsp = l->virt_base + (l->stack_pfn + 1) * PG;
	e->rsi = l->virt_base + l->start_info_pfn * PG;
	e->l4_pfn = l->pt_pfn;
}

int64_t pvbuild_hypercall_pfn(const struct xenelf_info *elf,
			      const struct pv_layout *l)
{
	uint64_t pfn;

	if (!elf->has_hypercall_page || elf->hypercall_page < l->virt_base)
		return -1;
	pfn = (elf->hypercall_page - l->virt_base) / PG;
	return pfn < l->nr_pages ? (int64_t)pfn : -1;
}
