/*
 * The hypervisor's builder for boot-time domains: from a PV ELF kernel in
 * memory to a domain whose vCPU 0 is ready to run at the kernel's entry
 * with RSI pointing at start_info. The image reading (common/xenelf.c) and
 * the layout and page tables (common/pvlayout.c) are shared with domain
 * 0's builder; this file only supplies memory and hypervisor state.
 */
#include <xen/arch-x86_64.h>
#include "domain_build.h"
#include "events.h"
#include "lib.h"
#include "m2p.h"
#include "mm.h"
#include "page.h"
#include "ptval.h"
#include "pv.h"
#include "pvlayout.h"
#include "sched.h"
#include "xenelf.h"
#include "xmalloc.h"

struct build {
	struct domain *d;
	mfn_t *p2m;
	const struct pv_layout *l;
	u64 base_pfn; /* the kernel's first frame (for ELF loading) */
};

static void *pfn_va(struct build *b, u64 pfn)
{
	return __va(b->p2m[pfn] << PAGE_SHIFT);
}

/* Copy (or zero) n bytes at byte offset off of the pseudo-physical space. */
static void copy_to_pfns(struct build *b, u64 off, const void *src, u64 n)
{
	while (n) {
		u64 pfn = off >> PAGE_SHIFT, in = off & (PAGE_SIZE - 1);
		u64 chunk = MIN(n, PAGE_SIZE - in);
		u8 *dst = (u8 *)pfn_va(b, pfn) + in;

		if (src) {
			memcpy(dst, src, chunk);
			src = (const u8 *)src + chunk;
		} else {
			memset(dst, 0, chunk);
		}
		off += chunk;
		n -= chunk;
	}
}

static int elf_write(void *ctx, u64 off, const void *src, u64 n)
{
	struct build *b = ctx;

	copy_to_pfns(b, (b->base_pfn << PAGE_SHIFT) + off, src, n);
	return 0;
}

static u64 *table_of_pfn(void *ctx, u64 pfn)
{
	return pfn_va(ctx, pfn);
}

static void fill_start_info(struct build *b,
			    const struct build_params *p)
{
	const struct pv_layout *l = b->l;
	struct start_info *si = pfn_va(b, l->start_info_pfn);
	struct domain *d = b->d;
	int store_port = evtchn_alloc_unbound_port(d, 0);
	int console_port = evtchn_alloc_unbound_port(d, 0);

	memset(si, 0, sizeof(*si));
	strlcpy(si->magic, "xen-3.0-x86_64", sizeof(si->magic));
	si->nr_pages = l->nr_pages;
	si->shared_info = d->shared_info_mfn << PAGE_SHIFT;
	si->flags = p->privileged ? SIF_PRIVILEGED | SIF_INITDOMAIN : 0;
	si->store_mfn = b->p2m[l->xenstore_pfn];
	si->store_evtchn = store_port > 0 ? (u32)store_port : 0;
	if (!p->privileged) {
		si->console.domU.mfn = b->p2m[l->console_pfn];
		si->console.domU.evtchn = console_port > 0 ? (u32)console_port : 0;
	}
	/* For domain 0 to find them (HVMOP_get_param, see hvm_op.c). */
	d->store_mfn = si->store_mfn;
	d->store_port = si->store_evtchn;
	d->console_mfn = si->console.domU.mfn;
	d->console_port = si->console.domU.evtchn;
	si->pt_base = l->virt_base + l->pt_pfn * PAGE_SIZE;
	si->nr_pt_frames = l->nr_pt_frames;
	si->mfn_list = l->p2m_va;
	if (p->initrd_len) {
		if (l->initrd_mapped) {
			si->mod_start = l->virt_base + l->initrd_pfn * PAGE_SIZE;
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

static void setup_vcpu0(struct build *b, const struct xenelf_info *elf,
			mfn_t l4)
{
	struct vcpu *v = b->d->vcpu[0];
	const struct pv_layout *l = b->l;
	struct cpu_user_regs *r = &v->regs;

	memset(r, 0, sizeof(*r));
	r->rip = elf->entry;
	r->rsp = l->virt_base + (l->stack_pfn + 1) * PAGE_SIZE;
	r->rsi = l->virt_base + l->start_info_pfn * PAGE_SIZE;
	r->rflags = 0x200;
	r->cs = FLAT_KERNEL_CS;
	r->ss = FLAT_KERNEL_SS;
	v->kernel_ss = FLAT_KERNEL_SS;
	v->kernel_sp = r->rsp;
	v->kernel_mode = true;
	v->guest_table = l4;
	v->debugreg[6] = 0xffff0ff0;
	v->debugreg[7] = 0x400;
}

static int populate(struct build *b, const struct build_params *p,
		    const struct xenelf_info *elf)
{
	const struct pv_layout *l = b->l;

	b->base_pfn = l->kernel_pfn;
	xenelf_load(p->kernel, elf, elf_write, b);
	if (p->initrd_len)
		copy_to_pfns(b, l->initrd_pfn << PAGE_SHIFT, p->initrd,
			     p->initrd_len);
	copy_to_pfns(b, l->p2m_pfn << PAGE_SHIFT, b->p2m, l->nr_pages * 8);
	for (u64 pfn = 0; pfn < l->nr_pages; pfn++)
		set_gpfn_from_mfn(b->p2m[pfn], pfn);
	if (elf->has_hypercall_page)
		pv_write_hypercall_page(pfn_va(
			b, (elf->hypercall_page - l->virt_base) >> PAGE_SHIFT));
	pvlayout_build_tables(l, b->p2m, table_of_pfn, b, idle_l4);
	return 0;
}

/**
 * build_boot_domain - create domain p->id and load its kernel.
 * On failure nothing is left behind and err says why.
 */
struct domain *build_boot_domain(const struct build_params *p, char *err,
				 size_t errlen)
{
	struct xenelf_info elf;
	struct pv_layout l;
	struct build b = { 0 };
	u64 nr_pages = p->mem_bytes >> PAGE_SHIFT;
	mfn_t l4;
	int rc;

	rc = xenelf_parse(p->kernel, p->kernel_len, &elf, err, errlen);
	if (!rc)
		rc = pvlayout_compute(&elf, nr_pages, p->initrd_len, &l, err,
				      errlen);
	if (rc)
		return NULL;
	b.l = &l;
	b.d = domain_create(p->id, p->privileged, p->vcpus, nr_pages);
	b.p2m = xmalloc(nr_pages * sizeof(mfn_t));
	if (!b.d || !b.p2m || domain_alloc_pages(b.d, nr_pages, b.p2m)) {
		snprintf(err, errlen, "not enough memory for %lu MiB",
			 p->mem_bytes >> 20);
		goto fail;
	}
	populate(&b, p, &elf);
	fill_start_info(&b, p);
	l4 = b.p2m[l.pt_pfn];
	/* Pinning validates the whole initial tree, as the toolstack's does. */
	if (pin_table(b.d, l4, PGT_L4) ||
	    !get_page_and_type(mfn_to_frame(l4), b.d, PGT_L4)) {
		snprintf(err, errlen, "initial page tables do not validate");
		goto fail;
	}
	setup_vcpu0(&b, &elf, l4);
	update_domain_wallclock(b.d);
	update_vcpu_system_time(b.d->vcpu[0]);
	printk("d%u: %s kernel '%s', %lu MiB, entry %#lx, %lu page-table frames%s\n",
	       p->id, p->privileged ? "privileged" : "unprivileged",
	       elf.guest_os[0] ? elf.guest_os : "?", p->mem_bytes >> 20,
	       elf.entry, l.nr_pt_frames,
	       elf.has_hypercall_page ? ", hypercall page" : "");
	xfree(b.p2m);
	return b.d;
fail:
	xfree(b.p2m);
	if (b.d)
		while (domain_kill(b.d) == -ERESTART)
			;
	return NULL;
}
