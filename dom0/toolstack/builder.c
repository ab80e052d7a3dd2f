/*
 * Domain 0's domain builder (see builder.h). The steps are Xen's
 * toolstack's: check the image and the layout first (so a bad kernel
 * costs nothing), then createdomain, max_vcpus, max_mem; populate_physmap
 * for the new domain (which zeroes the frames and records their M2P
 * entries); load kernel, ramdisk, p2m list, start_info and boot tables
 * through batched foreign mappings (common/pvbuild.c); hypercall page;
 * pin the L4 for the domain; unbound store and console ports for domain
 * 0; vCPU 0's context. Any failure after createdomain destroys the
 * domain, which gives back every frame, pin and port it holds.
 */
#include <xen/domctl.h>
#include <xen/memory.h>
#include "builder.h"
#include "errno.h"
#include "hvctl.h"
#include "kernel.h"
#include "pvbuild.h"

/* Frames the hypervisor needs per domain beside its RAM (shared_info,
 * vCPU FPU areas, event and grant tables): a margin for the free check. */
#define OVERHEAD_PAGES(vcpus) (16 + (vcpus))

int builder_fail_after;

/* A failure the tests ask for, to see that nothing is left behind. */
static bool injected(enum builder_step step)
{
	return builder_fail_after == (int)step;
}

struct build {
	const struct build_request *r;
	uint16_t domid;
	uint64_t nr_pages;
	uint64_t *p2m;
	struct xenelf_info elf;
	struct pv_layout l;
	char *err;
	size_t errlen;
};

static int fail(struct build *b, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct build *b, int rc, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (!b->errlen)
		return rc;
	n = (size_t)snprintf(b->err, b->errlen,
			     "%s: ", b->r->name ? b->r->name : "domain");
	if (n >= b->errlen)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(b->err + n, b->errlen - n, fmt, ap);
	va_end(ap);
	return rc;
}

/* --- Checks before anything is created ------------------------------- */

static int check_request(struct build *b)
{
	const struct build_request *r = b->r;
	struct xen_sysctl_physinfo pi;
	char why[128];
	int rc;

	if (!r->kernel || !r->kernel_len)
		return fail(b, -ENOENT,
			    "missing kernel: no kernel image given");
	if (!r->vcpus)
		return fail(b, -EINVAL, "vcpus must be at least 1");
	if (r->vcpus > BUILDER_MAX_VCPUS)
		return fail(b, -EINVAL, "too many vCPUs: %u (at most %u)",
			    r->vcpus, BUILDER_MAX_VCPUS);
	if (r->mem_kb < 4096 || r->mem_kb > (64ULL << 20))
		return fail(
		    b, -EINVAL,
		    "memory of %lu KiB is out of range (4 MiB to 64 GiB)",
		    r->mem_kb);
	b->nr_pages = r->mem_kb >> 2;
	/* pvbuild_prepare's two steps apart, to tell the user which failed. */
	rc = xenelf_parse(r->kernel, r->kernel_len, &b->elf, why, sizeof(why));
	if (rc)
		return fail(b, -ENOEXEC, "not a PV kernel: %s", why);
	rc = pvlayout_compute(&b->elf, b->nr_pages,
			      r->ramdisk ? r->ramdisk_len : 0, &b->l, why,
			      sizeof(why));
	if (rc == -ENOMEM)
		return fail(b, rc,
			    "memory too small for kernel and ramdisk: %s", why);
	if (rc)
		return fail(b, rc, "cannot lay out the domain: %s", why);
	rc = (int)hv_physinfo(&pi);
	if (rc)
		return fail(b, rc, "cannot read free memory (physinfo %d)", rc);
	if (b->nr_pages + OVERHEAD_PAGES(r->vcpus) > pi.free_pages)
		return fail(
		    b, -ENOMEM,
		    "not enough free memory: %lu MiB asked, %lu MiB free",
		    r->mem_kb >> 10, pi.free_pages >> 8);
	return 0;
}

/* --- Creation and memory ------------------------------------------------ */

/*
 * As libxl: the hypervisor's maximum is the initial size plus 1 MiB
 * (LIBXL_MAXMEM_CONSTANT), raised by `xl mem-set` up to maxmem; the
 * memory map is one RAM entry of maxmem, so the guest's balloon driver
 * sees the room above its initial size as ballooned out.
 */
#define MAXMEM_SLACK_KB 1024

struct e820_ram {
	uint64_t addr, size;
	uint32_t type; /* 1: RAM */
} __attribute__((packed));

static int set_limits(struct build *b)
{
	uint64_t maxmem =
	    b->r->maxmem_kb > b->r->mem_kb ? b->r->maxmem_kb : b->r->mem_kb;
	struct xen_domctl op = { .cmd = XEN_DOMCTL_max_mem,
				 .domain = b->domid };
	struct e820_ram ram = { 0, maxmem << 10, 1 };
	struct xen_foreign_memory_map map = {
		.domid = b->domid,
		.map = { 1, (uint64_t)&ram },
	};
	int rc;

	op.u.max_mem.max_memkb = b->r->mem_kb + MAXMEM_SLACK_KB;
	if ((rc = (int)hv_domctl(&op)))
		return fail(b, rc, "max_mem failed (%d)", rc);
	rc = (int)HYPERVISOR_memory_op(XENMEM_set_memory_map, &map);
	if (rc)
		return fail(b, rc, "set_memory_map failed (%d)", rc);
	return 0;
}

static int create(struct build *b)
{
	struct xen_domctl op = { .cmd = XEN_DOMCTL_createdomain, .domain = 0 };
	int rc;

	op.u.createdomain.max_vcpus = b->r->vcpus;
	op.u.createdomain.max_evtchn_port = 1023;
	op.u.createdomain.max_grant_frames = 32;
	op.u.createdomain.max_maptrack_frames = 1024;
	rc = (int)hv_domctl(&op);
	if (rc)
		return fail(b, rc, "createdomain failed (%d)", rc);
	b->domid = op.domain;
	op = (struct xen_domctl){ .cmd = XEN_DOMCTL_max_vcpus,
				  .domain = b->domid };
	op.u.max_vcpus.max = b->r->vcpus;
	if ((rc = (int)hv_domctl(&op)))
		return fail(b, rc, "max_vcpus %u failed (%d)", b->r->vcpus, rc);
	return set_limits(b);
}

/* populate_physmap fills [first, first + n) of p2m (gpfns in, MFNs out). */
static long populate(struct build *b, uint64_t first, uint64_t n,
		     unsigned int order)
{
	struct xen_memory_reservation res = {
		.extent_start = (uint64_t)(b->p2m + first),
		.nr_extents = n >> order,
		.extent_order = order,
		.domid = b->domid,
	};

	for (uint64_t i = 0; i < n >> order; i++)
		b->p2m[first + i] = first + (i << order);
	return HYPERVISOR_memory_op(XENMEM_populate_physmap, &res);
}

/*
 * The domain's RAM. 2 MiB extents first (fewer steps for the hypervisor,
 * and the guest's memory less scattered), single frames for the rest
 * and wherever no 2 MiB run is free. Extents of order 9 come back as
 * one MFN each: expand them into the p2m.
 */
static int allocate(struct build *b)
{
	uint64_t big = b->nr_pages & ~511ULL, done = 0;
	long got;

	b->p2m = malloc(b->nr_pages * sizeof(*b->p2m));
	if (!b->p2m)
		return fail(b, -ENOMEM,
			    "domain 0 is out of memory for the p2m");
	if (big) {
		got = populate(b, 0, big, 9);
		if (got < 0)
			got = 0;
		/* Expand from the top so the MFNs are not overwritten. */
		for (long e = got - 1; e >= 0; e--) {
			uint64_t mfn = b->p2m[e];

			for (uint64_t j = 0; j < 512; j++)
				b->p2m[(uint64_t)e * 512 + j] = mfn + j;
		}
		done = (uint64_t)got * 512;
	}
	got = populate(b, done, b->nr_pages - done, 0);
	if (got < 0 || (uint64_t)got != b->nr_pages - done)
		return fail(b, -ENOMEM,
			    "not enough free memory: got %lu of %lu pages",
			    done + (got > 0 ? (uint64_t)got : 0), b->nr_pages);
	return 0;
}

/* --- Loading through foreign mappings ------------------------------------ */

static void **map_frames(void *ctx, uint64_t pfn, uint64_t n)
{
	struct build *b = ctx;
	void **f = malloc(n * sizeof(*f));
	uint8_t *va;
	int err = 0;

	if (!f)
		return NULL;
	va = map_foreign_pages(b->domid, b->p2m + pfn, n, true, &err);
	if (!va) {
		free(f);
		return NULL;
	}
	for (uint64_t i = 0; i < n; i++)
		f[i] = va + i * PAGE_SIZE;
	return f;
}

static void unmap_frames(void *ctx, void **frames, uint64_t n)
{
	(void)ctx;
	unmap_window(frames[0], n * PAGE_SIZE);
	free(frames);
}

static int load(struct build *b, uint32_t store_port, uint32_t console_port,
		uint64_t shared_info_mfn)
{
	struct pvbuild_mem mem = { map_frames, unmap_frames, b };
	struct pvbuild_params p = {
		.kernel = b->r->kernel,
		.elf = &b->elf,
		.l = &b->l,
		.p2m = b->p2m,
		.initrd = b->r->ramdisk,
		.initrd_len = b->r->ramdisk ? b->r->ramdisk_len : 0,
		.cmdline = b->r->cmdline,
		.shared_info_mfn = shared_info_mfn,
		.store_mfn = b->p2m[b->l.xenstore_pfn],
		.console_mfn = b->p2m[b->l.console_pfn],
		.store_port = store_port,
		.console_port = console_port,
	};

	if (pvbuild_load(&p, &mem))
		return fail(b, -ENOMEM,
			    "cannot map the new domain's memory to load it");
	return 0;
}

/* --- Finishing: hypercall page, L4, vCPU 0 -------------------------------- */

static int write_hypercall_page(struct build *b)
{
	int64_t pfn = pvbuild_hypercall_pfn(&b->elf, &b->l);
	struct xen_domctl op = { .cmd = XEN_DOMCTL_hypercall_init,
				 .domain = b->domid };
	int rc;

	if (pfn < 0)
		return 0;
	op.u.hypercall_init.gmfn = b->p2m[pfn];
	rc = (int)hv_domctl(&op);
	return rc ? fail(b, rc, "hypercall_init failed (%d)", rc) : 0;
}

static int pin_l4(struct build *b, uint64_t l4_mfn)
{
	struct mmuext_op op = { .cmd = MMUEXT_PIN_L4_TABLE };
	int rc;

	op.arg1.mfn = l4_mfn;
	rc = (int)HYPERVISOR_mmuext_op(&op, 1, NULL, b->domid);
	return rc ? fail(b, rc, "boot page tables do not validate (%d)", rc)
		  : 0;
}

static int start_vcpu0(struct build *b, uint64_t l4_mfn)
{
	struct vcpu_guest_context *c = calloc(1, sizeof(*c));
	struct xen_domctl op = { .cmd = XEN_DOMCTL_setvcpucontext,
				 .domain = b->domid };
	struct pvbuild_entry e;
	int rc;

	if (!c)
		return fail(b, -ENOMEM, "domain 0 is out of memory");
	pvbuild_entry(&b->elf, &b->l, &e);
	c->flags = VGCF_IN_KERNEL | VGCF_online;
	c->user_regs.rip = e.rip;
	c->user_regs.rsp = e.rsp;
	c->user_regs.rsi = e.rsi;
	c->user_regs.rflags = 0x200; /* IF: events stay masked in vcpu_info */
	c->user_regs.cs = FLAT_KERNEL_CS;
	c->user_regs.ss = FLAT_KERNEL_SS;
	c->user_regs.ds = c->user_regs.es = FLAT_KERNEL_DS;
	c->kernel_ss = FLAT_KERNEL_SS;
	c->kernel_sp = e.rsp;
	c->ctrlreg[3] = l4_mfn << 12; /* xen_pfn_to_cr3 on x86-64 */
	c->debugreg[6] = 0xffff0ff0;
	c->debugreg[7] = 0x400;
	op.u.vcpucontext.vcpu = 0;
	op.u.vcpucontext.ctxt = (uint64_t)c;
	rc = (int)hv_domctl(&op);
	free(c);
	return rc ? fail(b, rc, "setvcpucontext failed (%d)", rc) : 0;
}

static int finish(struct build *b, struct built_domain *out)
{
	struct xen_domctl_getdomaininfo info;
	uint32_t store_port, console_port;
	uint64_t l4_mfn;
	int rc;

	rc = (int)hv_domain_info(b->domid, &info);
	if (rc || info.domain != b->domid)
		return fail(b, rc ? rc : -ESRCH, "the new domain vanished");
	if ((rc = evtchn_alloc_unbound(b->domid, 0, &store_port)) ||
	    (rc = evtchn_alloc_unbound(b->domid, 0, &console_port)))
		return fail(b, rc, "cannot allocate event channels (%d)", rc);
	if ((rc = load(b, store_port, console_port, info.shared_info_frame)) ||
	    (rc = write_hypercall_page(b)))
		return rc;
	if (injected(BUILD_LOADED))
		return fail(b, -EIO, "failure injected after loading");
	l4_mfn = b->p2m[b->l.pt_pfn];
	if ((rc = pin_l4(b, l4_mfn)))
		return rc;
	if (injected(BUILD_PINNED))
		return fail(b, -EIO, "failure injected after pinning");
	if ((rc = start_vcpu0(b, l4_mfn)))
		return rc;
	if (injected(BUILD_STARTED))
		return fail(b, -EIO, "failure injected after setvcpucontext");
	out->domid = b->domid;
	out->store_mfn = b->p2m[b->l.xenstore_pfn];
	out->console_mfn = b->p2m[b->l.console_pfn];
	out->store_port = store_port;
	out->console_port = console_port;
	return 0;
}

/**
 * build_domain - create, load and prepare a PV domain (see builder.h).
 */
int build_domain(const struct build_request *r, struct built_domain *out,
		 char *err, size_t errlen)
{
	struct build *b = calloc(1, sizeof(*b));
	int rc;

	if (!b) {
		snprintf(err, errlen, "domain 0 is out of memory");
		return -ENOMEM;
	}
	b->r = r;
	b->err = err;
	b->errlen = errlen;
	if (errlen)
		err[0] = '\0';
	rc = check_request(b);
	if (!rc && !(rc = create(b)) && !(rc = allocate(b))) {
		if (injected(BUILD_POPULATED))
			rc = fail(b, -EIO, "failure injected after populating");
		else
			rc = finish(b, out);
	}
	if (rc && b->domid)
		destroy_domain(b->domid);
	free(b->p2m);
	free(b);
	return rc;
}

void unpause_domain(uint16_t domid)
{
	struct xen_domctl op = { .cmd = XEN_DOMCTL_unpausedomain,
				 .domain = domid };

	hv_domctl(&op);
}

/* The hypervisor finishes the destruction within the call (continued). */
int destroy_domain(uint16_t domid)
{
	struct xen_domctl op = { .cmd = XEN_DOMCTL_destroydomain,
				 .domain = domid };

	return (int)hv_domctl(&op);
}
