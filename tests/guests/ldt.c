/*
 * MMUEXT_SET_LDT: an LDT in guest memory, validated like a GDT: its pages
 * must be read-only and hold no system descriptors; selectors with TI=1
 * then load from it.
 */
#include <pv/hypercall.h>
#include <pv/libpv.h>
#include <xen/memory.h>

static uint64_t ldt[1024] __attribute__((aligned(4096)));

#define DATA_DPL3 0x00cff3000000ffffUL
#define CALL_GATE 0x0000ec0000000000UL
#define PTE_RO 0x25UL /* present, user, accessed */
#define PTE_RW 0x27UL

static long set_ldt(void *base, unsigned int ents)
{
	struct mmuext_op op = { MMUEXT_SET_LDT, { 0 }, { 0 } };

	op.arg1.linear_addr = (unsigned long)base;
	op.arg2.nr_ents = ents;
	return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

static long map_ldt_page(uint64_t flags)
{
	return HYPERVISOR_update_va_mapping((unsigned long)ldt,
					    (pv_virt_to_mfn(ldt) << 12) | flags,
					    UVMF_INVLPG);
}

static volatile int gp_hits;

static void on_gp(struct pv_frame *f)
{
	gp_hits++;
	f->rip += 2; /* skip the 2-byte mov to %fs */
}

void pv_main(void)
{
	uint16_t sel = 0;

	pv_test_group("set_ldt checks");
	ldt[1] = DATA_DPL3;
	CHECK_EQ(set_ldt(ldt, 2), -22); /* still writable */
	CHECK_EQ(map_ldt_page(PTE_RO), 0);
	CHECK_EQ(set_ldt((char *)ldt + 8, 2), -22); /* not page aligned */
	CHECK_EQ(set_ldt(ldt, 8193), -22);
	CHECK_EQ(set_ldt((void *)0xffff82d040000000UL, 2), -22);
	pv_test_group("LDT in use");
	CHECK_EQ(set_ldt(ldt, 2), 0);
	asm volatile("mov %1, %%fs; mov %%fs, %0" : "=r"(sel) : "r"(0x0f));
	CHECK_EQ(sel, 0x0f);
	CHECK(map_ldt_page(PTE_RW) != 0, "an LDT page cannot become writable");
	pv_set_trap_handler(13, on_gp);
	asm volatile("mov %0, %%fs" : : "r"(0x17)); /* beyond the limit */
	CHECK_EQ(gp_hits, 1);
	asm volatile("mov %0, %%fs" : : "r"(0));
	pv_test_group("release");
	CHECK_EQ(set_ldt(NULL, 0), 0);
	CHECK_EQ(map_ldt_page(PTE_RW), 0);
	ldt[1] = CALL_GATE;
	CHECK_EQ(map_ldt_page(PTE_RO), 0);
	CHECK_EQ(set_ldt(ldt, 2), -22); /* a call gate is refused */
	pv_test_summary();
}
