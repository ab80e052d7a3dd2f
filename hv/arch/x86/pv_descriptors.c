/*
 * Guest descriptor tables. Each CPU has a 16-page GDT window: pages 0-13
 * show the running vCPU's GDT frames (read-only; a zero page where it has
 * none), page 14 holds the hypervisor's own descriptors at Xen's reserved
 * selectors. A guest descriptor is accepted only if it cannot give ring 0-2
 * or reach the hypervisor: code/data segments get DPL 3, system
 * descriptors (call gates, TSS, LDT) are refused.
 */
#include "context.h"
#include "guest_access.h"
#include "lib.h"
#include "mm.h"
#include "page.h"
#include "ptval.h"
#include "pv.h"
#include "x86.h"

#define GDT_WINDOW_PAGES 16
#define GDT_LIMIT (FIRST_RESERVED_GDT_BYTE + PAGE_SIZE - 1)
#define DESC_P (1UL << 47)
#define DESC_S (1UL << 44)
#define DESC_A (1UL << 40)
#define DESC_DPL_SHIFT 45

static mfn_t zero_mfn;

void gdt_window_init(struct percpu *pc)
{
	struct {
		u16 limit;
		u64 base;
	} __packed gdtr;
	u64 va = GDT_WINDOW_START + (u64)pc->id * GDT_WINDOW_PAGES * PAGE_SIZE;

	if (!zero_mfn) {
		void *z = alloc_page();
		BUG_ON(!z);
		memset(z, 0, PAGE_SIZE);
		zero_mfn = __pa(z) >> PAGE_SHIFT;
	}
	for (unsigned int i = 0; i < FIRST_RESERVED_GDT_PAGE; i++)
		BUG_ON(map_pages(va + i * PAGE_SIZE, zero_mfn << PAGE_SHIFT,
				 PAGE_SIZE, _PAGE_PRESENT | _PAGE_NX));
	BUG_ON(map_pages(va + FIRST_RESERVED_GDT_BYTE, __pa(pc->gdt), PAGE_SIZE,
			 PAGE_HYPERVISOR | _PAGE_NX));
	pc->gdt_va = va;
	pc->gdt_l1 = hv_pte(va);
	BUG_ON(!pc->gdt_l1);
	gdtr.base = va;
	gdtr.limit = GDT_LIMIT;
	asm volatile("lgdt %0" : : "m"(gdtr));
}

/* Show v's GDT frames in this CPU's window. */
void load_guest_gdt(struct vcpu *v)
{
	struct percpu *pc = this_cpu();
	unsigned int nr = (v->gdt_ents + 511) / 512;

	for (unsigned int i = 0; i < FIRST_RESERVED_GDT_PAGE; i++) {
		mfn_t mfn = i < nr ? v->gdt_frames[i] : zero_mfn;
		u64 pte = (mfn << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_NX;

		if (pc->gdt_l1[i] != pte) {
			pc->gdt_l1[i] = pte;
			invlpg((void *)(pc->gdt_va + i * PAGE_SIZE));
		}
	}
}

/*
 * Check (and fix) one descriptor. Code and data segments are made DPL 3
 * and pre-accessed (the GDT is read-only, so the CPU must never need to
 * set the accessed bit). Returns false for anything else that is present.
 */
bool descriptor_ok(u64 *desc)
{
	u64 d = *desc;

	if (!(d & DESC_P))
		return true;
	if (!(d & DESC_S))
		return false; /* system descriptor: call gate, TSS, LDT */
	d |= 3UL << DESC_DPL_SHIFT;
	d |= DESC_A;
	*desc = d;
	return true;
}

bool validate_descriptor_page(struct frame *f)
{
	u64 *t = __va((u64)(f - frame_table) << PAGE_SHIFT);

	for (unsigned int i = 0; i < 512; i++)
		if (!descriptor_ok(&t[i]))
			return false;
	return true;
}

int set_vcpu_gdt(struct vcpu *v, const u64 *frames, unsigned int entries)
{
	unsigned int nr = (entries + 511) / 512, i;
	mfn_t old[MAX_GDT_FRAMES];
	unsigned int old_ents = v->gdt_ents;

	if (entries > FIRST_RESERVED_GDT_ENTRY)
		return -EINVAL;
	for (i = 0; i < nr; i++) {
		struct frame *f = mfn_to_frame(frames[i]); /* NULL: no RAM */

		if (!f || !get_page_and_type(f, v->domain, PGT_SEG_DESC))
			goto fail;
	}
	memcpy(old, v->gdt_frames, sizeof(old));
	for (i = 0; i < nr; i++)
		v->gdt_frames[i] = frames[i];
	v->gdt_ents = entries;
	if (v == current)
		load_guest_gdt(v);
	for (i = 0; i < (old_ents + 511) / 512; i++)
		put_page_and_type(mfn_to_frame(old[i]));
	return 0;
fail:
	while (i-- > 0)
		put_page_and_type(mfn_to_frame(frames[i]));
	return -EINVAL;
}

long do_set_gdt(u64 frame_list, unsigned int entries)
{
	u64 frames[MAX_GDT_FRAMES];
	unsigned int nr = (entries + 511) / 512;

	if (entries > FIRST_RESERVED_GDT_ENTRY)
		return -EINVAL;
	if (copy_from_guest(frames, frame_list, nr * sizeof(u64)))
		return -EFAULT;
	return set_vcpu_gdt(current, frames, entries);
}

void vcpu_release_gdt(struct vcpu *v)
{
	for (unsigned int i = 0; i < (v->gdt_ents + 511) / 512; i++)
		put_page_and_type(mfn_to_frame(v->gdt_frames[i]));
	v->gdt_ents = 0;
}

/* update_descriptor (10): one 8-byte slot, by machine address. */
long do_update_descriptor(u64 maddr, u64 desc)
{
	struct domain *d = current->domain;
	struct frame *f = mfn_to_frame(maddr >> PAGE_SHIFT);
	u32 type_info;
	bool in_use;
	u64 *slot;

	if ((maddr & 7) || !f || f->owner != d->id)
		return -EINVAL;
	if (!descriptor_ok(&desc))
		return -EINVAL;
	/*
	 * A frame in use as a descriptor table takes the write as one; any
	 * other frame must be plain writable memory. Never make a frame a
	 * descriptor table here: that would validate, and so rewrite, every
	 * other word of an ordinary page. (A racing type change makes the
	 * reference below fail, or revalidate a page that was a descriptor
	 * table a moment ago.)
	 */
	type_info = READ_ONCE(f->type_info);
	in_use = (type_info & PGT_TYPE_MASK) == PGT_SEG_DESC &&
		 (type_info & PGT_COUNT_MASK);
	if (in_use ? !get_page_and_type(f, d, PGT_SEG_DESC)
		   : !get_page_writable(f, d))
		return -EINVAL;
	slot = (u64 *)((u8 *)__va(maddr & PAGE_MASK) + (maddr & ~PAGE_MASK));
	WRITE_ONCE(*slot, desc);
	put_page_and_type(f);
	return 0;
}

/* --- LDTs ------------------------------------------------------------ */

static void set_ldt_desc(u64 *gdt, u64 base, u64 limit)
{
	unsigned int e = (LDT_SEL >> 3) - FIRST_RESERVED_GDT_ENTRY;

	gdt[e] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		 (0x82UL << 40) /* present, LDT */ |
		 (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[e + 1] = base >> 32;
}

void ldt_window_init(struct percpu *pc)
{
	pc->ldt_va = LDT_WINDOW_START + (u64)pc->id * 16 * PAGE_SIZE;
	for (unsigned int i = 0; i < 16; i++)
		BUG_ON(map_pages(pc->ldt_va + i * PAGE_SIZE,
				 zero_mfn << PAGE_SHIFT, PAGE_SIZE,
				 _PAGE_PRESENT | _PAGE_NX));
	pc->ldt_l1 = hv_pte(pc->ldt_va);
	BUG_ON(!pc->ldt_l1);
}

/* Show v's LDT in this CPU's window and load LDTR (or none). */
void load_guest_ldt(struct vcpu *v)
{
	struct percpu *pc = this_cpu();
	unsigned int nr = (v->ldt_ents * 8 + PAGE_SIZE - 1) / PAGE_SIZE;

	if (!v->ldt_ents) {
		asm volatile("lldt %w0" : : "r"(0));
		return;
	}
	for (unsigned int i = 0; i < 16; i++) {
		mfn_t mfn = i < nr ? v->ldt_frames[i] : zero_mfn;
		u64 pte = (mfn << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_NX;
		if (pc->ldt_l1[i] != pte) {
			pc->ldt_l1[i] = pte;
			invlpg((void *)(pc->ldt_va + i * PAGE_SIZE));
		}
	}
	set_ldt_desc(pc->gdt, pc->ldt_va, v->ldt_ents * 8 - 1);
	asm volatile("lldt %w0" : : "r"(LDT_SEL));
}

static void put_ldt_frames(const mfn_t *frames, unsigned int ents)
{
	for (unsigned int i = 0; i < (ents * 8 + PAGE_SIZE - 1) / PAGE_SIZE; i++)
		put_page_and_type(mfn_to_frame(frames[i]));
}

/*
 * MMUEXT_SET_LDT: the LDT lives in guest memory at a page-aligned virtual
 * address; its frames must be the guest's, mapped, and become descriptor
 * pages (validated, never writable) while in use, as GDT frames do.
 */
int set_ldt(struct vcpu *v, u64 base, unsigned int ents)
{
	unsigned int nr = (ents * 8 + PAGE_SIZE - 1) / PAGE_SIZE, i;
	mfn_t frames[16], old[16];
	u64 old_ents = v->ldt_ents;

	if ((base & ~PAGE_MASK) || ents > MAX_LDT_ENTS ||
	    (ents && !guest_range_ok(base, ents * 8)))
		return -EINVAL;
	for (i = 0; i < nr; i++) {
		mfn_t l1;
		unsigned int idx;
		u64 pte;
		struct frame *f;

		if (find_l1_slot(v->guest_table, base + i * PAGE_SIZE, &l1, &idx))
			goto fail;
		pte = ((u64 *)__va(l1 << PAGE_SHIFT))[idx];
		frames[i] = (pte & PTE_ADDR_MASK) >> PAGE_SHIFT;
		f = mfn_to_frame(frames[i]);
		if (!(pte & _PAGE_PRESENT) || !f ||
		    !get_page_and_type(f, v->domain, PGT_SEG_DESC))
			goto fail;
	}
	memcpy(old, v->ldt_frames, sizeof(old));
	memcpy(v->ldt_frames, frames, nr * sizeof(mfn_t));
	v->ldt_base = base;
	v->ldt_ents = ents;
	if (v == current)
		load_guest_ldt(v);
	put_ldt_frames(old, (unsigned int)old_ents);
	return 0;
fail:
	while (i-- > 0)
		put_page_and_type(mfn_to_frame(frames[i]));
	return -EINVAL;
}

void vcpu_release_ldt(struct vcpu *v)
{
	put_ldt_frames(v->ldt_frames, (unsigned int)v->ldt_ents);
	v->ldt_ents = 0;
}
