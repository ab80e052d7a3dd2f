/*
 * Per-CPU GDT and TSS. The hypervisor's descriptors sit where Xen keeps
 * them, in the reserved GDT page that follows the 14 pages a PV guest may
 * own, so selectors are Xen's (0xe008 code, 0xe033 guest 64-bit code...).
 * While no guest GDT is loaded, GDTR's base points 14 pages before our page:
 * only the reserved selectors are ever used then.
 */
#include "lib.h"
#include "mm.h"
#include "page.h"
#include "percpu.h"
#include "stacks.h"
#include "traps.h"
#include "x86.h"

#define GDT_ENTRY(sel) (((sel) >> 3) - FIRST_RESERVED_GDT_ENTRY)

/* Flat code/data descriptors. */
#define DESC_CODE64_DPL0 0x00af9b000000ffffUL
#define DESC_DATA_DPL0 0x00cf93000000ffffUL
#define DESC_CODE32_DPL3 0x00cffb000000ffffUL
#define DESC_DATA_DPL3 0x00cff3000000ffffUL
#define DESC_CODE64_DPL3 0x00affb000000ffffUL

void reload_segments(void);

static void set_tss_desc(u64 *gdt, const struct tss64 *tss)
{
	u64 base = (u64)tss, limit = sizeof(*tss) - 1;
	u64 lo = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		 (0x89UL << 40) /* present, 64-bit TSS (available) */ |
		 (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);

	gdt[GDT_ENTRY(TSS_SEL)] = lo;
	gdt[GDT_ENTRY(TSS_SEL) + 1] = base >> 32;
}

static void fill_gdt(u64 *gdt, const struct tss64 *tss)
{
	memset(gdt, 0, PAGE_SIZE);
	gdt[GDT_ENTRY(HV_CS)] = DESC_CODE64_DPL0;
	gdt[GDT_ENTRY(HV_DS)] = DESC_DATA_DPL0;
	gdt[GDT_ENTRY(FLAT_RING3_CS32)] = DESC_CODE32_DPL3;
	gdt[GDT_ENTRY(FLAT_RING3_DS32)] = DESC_DATA_DPL3;
	gdt[GDT_ENTRY(FLAT_RING3_CS64)] = DESC_CODE64_DPL3;
	set_tss_desc(gdt, tss);
}

static void fill_tss(struct percpu *pc)
{
	u64 base = (u64)pc->stack;

	memset(&pc->tss, 0, sizeof(pc->tss));
	/* IST stacks: at the bottom of the stack block, each above a guard. */
	for (unsigned int n = 0; n < NR_IST_STACKS; n++)
		pc->tss.ist[n] = ist_stack_top(base, n);
	pc->tss.rsp[0] = guest_frame_top(
		(struct cpu_info *)(base + STACK_SIZE) - 1);
	/* No I/O bitmap: the offset points past the limit. */
	pc->tss.iomap_base = sizeof(pc->tss);
}

/* Build and load this CPU's GDT, TSS and IDT. */
void cpu_desc_init(struct percpu *pc)
{
	struct {
		u16 limit;
		u64 base;
	} __packed gdtr;

	if (!pc->gdt) {
		pc->gdt = alloc_page();
		BUG_ON(!pc->gdt);
	}
	fill_tss(pc);
	fill_gdt(pc->gdt, &pc->tss);
	gdtr.base = (u64)pc->gdt - FIRST_RESERVED_GDT_BYTE;
	gdtr.limit = FIRST_RESERVED_GDT_BYTE + PAGE_SIZE - 1;
	asm volatile("lgdt %0" : : "m"(gdtr));
	reload_segments();
	asm volatile("ltr %w0" : : "r"(TSS_SEL));
	/* No LDT: an LDT selector from a guest must fault as #GP. */
	asm volatile("lldt %w0" : : "r"(0));
	/* Alignment checking for ring 3 (the guest), as on Xen. */
	write_cr0(read_cr0() | X86_CR0_AM);
	load_idt();
}
