/* The fake machine of hv_fake.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lib.h> /* first (the shim lock before the real one), via -I */
#include "hv_fake.h"
#include <page.h> /* the shim, via -I (see lib.h) */
#include "ptval.h"
#include "xmalloc.h"

struct frame *frame_table;
mfn_t max_mfn;
u64 idle_l4[512];

u8 *hv_fake_mem;
u64 hv_fake_mem_bytes;
unsigned long hv_fake_flushes;
u64 hv_fake_clock = 1, hv_fake_flush_stamp;
unsigned long hv_fake_nr_freed;
mfn_t hv_fake_last_freed = INVALID_MFN;
mfn_t hv_fake_mmio_denied = INVALID_MFN;
bool hv_fake_verbose;
unsigned long hv_fake_heap_live;
unsigned int hv_fake_heap_fail;

bool hv_fake_preempt; /* what hypercall_preempt_check answers */
/* One vCPU per fake domain; current is the acting domain's. */
static struct vcpu fake_vcpus[HV_FAKE_MAX_DOMAINS];
static struct vcpu *fake_current;

bool hypercall_preempt_check(void)
{
	return hv_fake_preempt;
}

struct vcpu *current_vcpu(void)
{
	return fake_current;
}

static struct domain fake_domains[HV_FAKE_MAX_DOMAINS];
static unsigned int nr_fake_domains;

void hv_fake_fini(void)
{
	free(frame_table);
	free(hv_fake_mem);
	frame_table = NULL;
	hv_fake_mem = NULL;
	max_mfn = 0;
	hv_fake_mem_bytes = 0;
}

void hv_fake_init(mfn_t nr_frames, unsigned int nr_domains)
{
	hv_fake_fini();
	if (nr_domains > HV_FAKE_MAX_DOMAINS)
		panic("hv_fake: %u domains", nr_domains);
	/* Exact sizes, so AddressSanitizer sees any access past the end. */
	frame_table = calloc(nr_frames, sizeof(*frame_table));
	hv_fake_mem = aligned_alloc(PAGE_SIZE, nr_frames * PAGE_SIZE);
	if (!frame_table || !hv_fake_mem)
		panic("hv_fake: out of memory");
	memset(hv_fake_mem, 0, nr_frames * PAGE_SIZE);
	max_mfn = nr_frames;
	hv_fake_mem_bytes = nr_frames * PAGE_SIZE;
	for (mfn_t m = 0; m < nr_frames; m++) {
		list_init(&frame_table[m].link);
		frame_table[m].owner = DOMID_INVALID;
		frame_table[m].flags = FRAME_FREE;
		frame_table[m].attrs = FRAME_ATTR_RAM;
	}

	memset(fake_domains, 0, sizeof(fake_domains));
	nr_fake_domains = nr_domains;
	for (unsigned int i = 0; i < nr_domains; i++) {
		fake_domains[i].id = i;
		fake_domains[i].privileged = i == 0;
		list_init(&fake_domains[i].pages);
		list_init(&fake_domains[i].relinquished);
	}

	/* The hypervisor's slots: supervisor-only, not the guest's. */
	memset(idle_l4, 0, sizeof(idle_l4));
	for (unsigned int i = HV_FIRST_L4_SLOT; i <= HV_LAST_L4_SLOT; i++)
		idle_l4[i] =
		    ((u64)(0x1000 + i) << PAGE_SHIFT) | PAGE_TABLE_FLAGS;

	memset(fake_vcpus, 0, sizeof(fake_vcpus));
	for (unsigned int i = 0; i < nr_domains; i++)
		fake_vcpus[i].domain = &fake_domains[i];
	fake_current = &fake_vcpus[nr_domains > 1 ? 1 : 0];
	hv_fake_preempt = false;
	hv_fake_flushes = 0;
	hv_fake_clock = 1;
	hv_fake_flush_stamp = 0;
	hv_fake_nr_freed = 0;
	hv_fake_last_freed = INVALID_MFN;
	hv_fake_mmio_denied = INVALID_MFN;
	hv_fake_heap_fail = 0;
}

void hv_fake_run_as(struct domain *d)
{
	fake_current = &fake_vcpus[d - fake_domains];
}

/* The domains are being torn down: their vCPUs go (vcpu_release). */
void hv_fake_release_vcpus(void)
{
	for (unsigned int i = 0; i < HV_FAKE_MAX_DOMAINS; i++)
		fake_vcpus[i].pending_teardown = NULL;
}

struct domain *hv_fake_domain(domid_t id)
{
	return id < nr_fake_domains ? &fake_domains[id] : NULL;
}

void hv_fake_give(mfn_t mfn, struct domain *d)
{
	struct frame *f = mfn_to_frame(mfn);

	if (!f)
		panic("hv_fake: give of mfn %#lx", mfn);
	f->flags = 0;
	f->owner = d->id;
	list_add_tail(&f->link, &d->pages);
	d->tot_pages++;
}

u64 *hv_fake_page(mfn_t mfn)
{
	if (mfn >= max_mfn)
		panic("hv_fake: page of mfn %#lx", mfn);
	return (u64 *)(hv_fake_mem + mfn * PAGE_SIZE);
}

/* --- What the hypervisor code calls -------------------------------------- */

struct domain *domain_lookup(domid_t id)
{
	return hv_fake_domain(id);
}

void free_frames(mfn_t mfn, unsigned int order)
{
	struct frame *f = mfn_to_frame(mfn);

	if (!f || order)
		panic("hv_fake: free_frames(%#lx, %u)", mfn, order);
	hv_fake_nr_freed++;
	hv_fake_last_freed = mfn;
	f->flags = FRAME_FREE;
	f->owner = DOMID_INVALID;
}

void *xmalloc(size_t size)
{
	void *p;

	if (hv_fake_heap_fail) {
		hv_fake_heap_fail--;
		return NULL;
	}
	p = malloc(size);
	if (p)
		hv_fake_heap_live++;
	return p;
}

void *xzalloc(size_t size)
{
	void *p = xmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void xfree(void *p)
{
	if (p)
		hv_fake_heap_live--;
	free(p);
}

bool mmio_allowed(mfn_t mfn)
{
	return mfn != hv_fake_mmio_denied;
}

u64 tlb_clock_now(void)
{
	return hv_fake_clock;
}

void flush_tlbs_since(u64 stamp)
{
	hv_fake_flushes++;
	hv_fake_flush_stamp = stamp;
}

/* Simpler than the real check: only an all-zero page is a descriptor page. */
bool validate_descriptor_page(struct frame *f)
{
	const u64 *t = hv_fake_page(f - frame_table);

	for (unsigned int i = 0; i < 512; i++)
		if (t[i])
			return false;
	return true;
}

void printk(const char *fmt, ...)
{
	va_list ap;

	if (!hv_fake_verbose)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

void printk_level(int level, const char *fmt, ...)
{
	va_list ap;

	(void)level;
	if (!hv_fake_verbose)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "panic: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}
