/*
 * The hypervisor's builder for boot-time domains: from a PV ELF kernel in
 * memory to a domain whose vCPU 0 is ready to run at the kernel's entry
 * with RSI pointing at start_info. Reading the image, the layout, and
 * loading it with start_info and the page tables (common/pvbuild.c) are
 * shared with domain 0's builder; this file only supplies memory (through
 * the direct map) and hypervisor state.
 */
#include <xen/arch-x86_64.h>
#include "debugreg.h"
#include "domain_build.h"
#include "events.h"
#include "lib.h"
#include "m2p.h"
#include "mm.h"
#include "page.h"
#include "ptval.h"
#include "pv.h"
#include "pvbuild.h"
#include "sched.h"
#include "xenelf.h"
#include "xmalloc.h"

struct build {
	struct domain *d;
	mfn_t *p2m;
	const struct pv_layout *l;
};

/* The hypervisor reaches every frame through its direct map. */
static void **map_frames(void *ctx, u64 pfn, u64 n)
{
	struct build *b = ctx;
	void **f = xmalloc(n * sizeof(*f));

	for (u64 i = 0; f && i < n; i++)
		f[i] = __va(b->p2m[pfn + i] << PAGE_SHIFT);
	return f;
}

static void unmap_frames(void *ctx, void **frames, u64 n)
{
	(void)ctx;
	(void)n;
	xfree(frames);
}

static void setup_vcpu0(struct build *b, const struct xenelf_info *elf,
			mfn_t l4)
{
	struct vcpu *v = b->d->vcpu[0];
	struct cpu_user_regs *r = &v->regs;
	struct pvbuild_entry e;

	pvbuild_entry(elf, b->l, &e);
	memset(r, 0, sizeof(*r));
	r->rip = e.rip;
	r->rsp = e.rsp;
	r->rsi = e.rsi;
	r->rflags = 0x200;
	r->cs = FLAT_KERNEL_CS;
	r->ss = FLAT_KERNEL_SS;
	v->kernel_ss = FLAT_KERNEL_SS;
	v->kernel_sp = r->rsp;
	v->kernel_mode = true;
	v->guest_table = l4;
	v->debugreg[6] = DR6_DEFAULT;
	v->debugreg[7] = DR7_DEFAULT;
}

/* Ports, start_info and memory: everything but the vCPU. */
static int populate(struct build *b, const struct build_params *p,
		    const struct xenelf_info *elf)
{
	const struct pv_layout *l = b->l;
	struct domain *d = b->d;
	int store_port = evtchn_alloc_unbound_port(d, 0);
	int console_port = evtchn_alloc_unbound_port(d, 0);
	struct pvbuild_mem mem = { map_frames, unmap_frames, b };
	struct pvbuild_params bp = {
		.kernel = p->kernel,
		.elf = elf,
		.l = l,
		.p2m = b->p2m,
		.initrd = p->initrd,
		.initrd_len = p->initrd_len,
		.cmdline = p->cmdline,
		.shared_info_mfn = d->shared_info_mfn,
		.flags = p->privileged ? SIF_PRIVILEGED | SIF_INITDOMAIN : 0,
		.store_mfn = b->p2m[l->xenstore_pfn],
		.store_port = store_port > 0 ? (u32)store_port : 0,
		.hv_l4 = idle_l4,
	};
	s64 hc = pvbuild_hypercall_pfn(elf, l);

	/* Domain 0 has no console ring: it writes with console_io. */
	if (!p->privileged) {
		bp.console_mfn = b->p2m[l->console_pfn];
		bp.console_port = console_port > 0 ? (u32)console_port : 0;
	}
	/* For domain 0 to find them (HVMOP_get_param, see hvm_op.c). */
	d->store_mfn = bp.store_mfn;
	d->store_port = bp.store_port;
	d->console_mfn = bp.console_mfn;
	d->console_port = bp.console_port;
	for (u64 pfn = 0; pfn < l->nr_pages; pfn++)
		set_gpfn_from_mfn(b->p2m[pfn], pfn);
	if (pvbuild_load(&bp, &mem))
		return -ENOMEM;
	/* After loading: the page lies inside the kernel's image. */
	if (hc >= 0)
		pv_write_hypercall_page(__va(b->p2m[hc] << PAGE_SHIFT));
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

	rc = pvbuild_prepare(p->kernel, p->kernel_len, nr_pages, p->initrd_len,
			     &elf, &l, err, errlen);
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
	if (populate(&b, p, &elf)) {
		snprintf(err, errlen, "out of memory loading the kernel");
		goto fail;
	}
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
