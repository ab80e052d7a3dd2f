/*
 * Guest descriptor tables: set_gdt and update_descriptor, the validation
 * and DPL fix-up the hypervisor applies to every descriptor, the page-type
 * rules for GDT frames, and what the CPU does with the guest's own
 * selectors (loads, far returns and irets to them, faults on bad ones).
 *
 * Command line: "id=N" (default 0) makes selector 0x43's limit unique to
 * this domain, so that domains sharing a CPU can check that each sees its
 * own GDT after being switched out and back in.
 */
#include <pv/cpu.h>
#include <pv/hypercall.h>
#include <pv/libpv.h>
#include <xen/memory.h>
#include <xen/sched.h>

#define EFAULT 14 /* Xen's errno values are Linux's */
#define EINVAL 22

#define PTE_RO 0x25UL /* present, user, accessed */
#define PTE_RW 0x27UL /* ... and writable */

#define DESC_P (1UL << 47)
#define DESC_A (1UL << 40)
#define DESC_DPL(d) (((d) >> 45) & 3)

/* Linux's layout: __KERNEL_CS 0x10, __KERNEL_DS 0x18, __USER32_CS 0x23,
 * __USER_DS 0x2b, __USER_CS 0x33. All written with DPL 0 or 3 as Linux
 * does; the hypervisor raises the DPL 0 ones to 3. */
#define KERNEL_CS64 0x00af9b000000ffffUL
#define KERNEL_DS 0x00cf93000000ffffUL
#define USER_CS32 0x00cffb000000ffffUL
#define USER_DS 0x00cff3000000ffffUL
#define USER_CS64 0x00affb000000ffffUL
#define NOTPRESENT_DS 0x00cf73000000ffffUL /* DPL 3 data, P clear */
#define NOTPRESENT_DS0 0x00cf13000000ffffUL /* DPL 0 data, P clear */
#define DATA_DPL0_NOACC 0x00cf92000000ffffUL

#define SEL_SPARE 7 /* slot update_descriptor plays with */
#define SEL_LIMIT 8 /* 0x43: byte-granular data, limit per domain */
#define SEL_NP 9 /* 0x4b: not present */
#define SEL_NP0 10 /* 0x53: not present, DPL 0 (never raised) */

/* Present system descriptors a guest may not install (DPL 3). */
static const struct {
	const char *name;
	uint64_t desc;
} bad_descs[] = {
	{ "call gate", 0x0000ec0000100000UL },
	{ "64-bit TSS", 0x0000e90000000067UL },
	{ "busy 64-bit TSS", 0x0000eb0000000067UL },
	{ "LDT", 0x0000e20000000fffUL },
	{ "interrupt gate", 0x0000ee0000100000UL },
	{ "trap gate", 0x0000ef0000100000UL },
	{ "DPL 0 call gate", 0x00008c0000100000UL },
};

static uint64_t gdt_a[512] __attribute__((aligned(4096)));
static uint64_t gdt_b[512] __attribute__((aligned(4096)));
static uint64_t data_page[512] __attribute__((aligned(4096)));
static uint64_t ro_page[512] __attribute__((aligned(4096)));
static unsigned int my_id;

static uint64_t mfn_of(const void *va)
{
	return pv_virt_to_mfn(va);
}

static uint64_t maddr_of(const uint64_t *slot)
{
	return (mfn_of(slot) << 12) | ((uint64_t)slot & 0xfff);
}

static long map_page(void *va, uint64_t flags)
{
	return HYPERVISOR_update_va_mapping(
	    (unsigned long)va, (mfn_of(va) << 12) | flags, UVMF_INVLPG);
}

static long set_gdt(const uint64_t *page, unsigned int entries)
{
	unsigned long frame = mfn_of(page);

	return HYPERVISOR_set_gdt(&frame, entries);
}

/*
 * A frame that is not ours: the one after our highest frame (another
 * domain's, or free memory).
 */
static uint64_t other_maddr(void)
{
	uint64_t top = 0;

	for (unsigned long i = 0; i < start_info->nr_pages; i++)
		if (pv_p2m[i] > top)
			top = pv_p2m[i];
	return (top + 1) << 12;
}

static uint64_t data_desc(uint32_t limit, unsigned int dpl)
{
	return (limit & 0xffff) | (0x92UL << 40) | ((uint64_t)dpl << 45) |
	       ((uint64_t)((limit >> 16) & 0xf) << 48) | (0x4UL << 52);
}

static uint32_t my_limit(void)
{
	return 0x1fff + my_id * 0x1000;
}

static void fill_gdt(uint64_t *g)
{
	memset(g, 0, 4096);
	g[2] = KERNEL_CS64;
	g[3] = KERNEL_DS;
	g[4] = USER_CS32;
	g[5] = USER_DS;
	g[6] = USER_CS64;
	g[SEL_LIMIT] = data_desc(my_limit(), 0);
	g[SEL_NP] = NOTPRESENT_DS;
	g[SEL_NP0] = NOTPRESENT_DS0;
}

static bool same_but_accessed(uint64_t a, uint64_t b)
{
	return (a & ~DESC_A) == (b & ~DESC_A);
}

static unsigned int parse_id(void)
{
	return (unsigned int)pv_arg("id", 0);
}

static void yield(void)
{
	HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
}

/* --- Faults on selector loads ----------------------------------------- */

static volatile uint64_t fault_vec, fault_err, fault_resume;

static void on_fault(struct pv_frame *f)
{
	fault_vec = f->vector;
	fault_err = f->error_code;
	f->rip = fault_resume;
}

/* Load sel into ES; return the vector it raised (0: loaded). */
static uint64_t try_load_es(uint16_t sel)
{
	fault_vec = 0;
	fault_err = ~0UL;
	asm volatile("leaq 1f(%%rip), %%rax\n\t"
		     "movq %%rax, %0\n\t"
		     "movl %k1, %%es\n"
		     "1:"
		     : "=m"(fault_resume)
		     : "r"((uint32_t)sel)
		     : "rax", "memory");
	return fault_vec;
}

/* --- Kernel and user code on the guest's own selectors ---------------- */

static volatile int bp_hits;
static volatile uint64_t bp_cs;

static void on_bp(struct pv_frame *f)
{
	bp_hits++;
	bp_cs = f->cs;
}

/* A far return to sel:next instruction; returns the CS then in use. */
static uint16_t far_return_to(uint16_t sel)
{
	uint16_t cs;

	asm volatile("pushq %q1\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n"
		     "1:\tmovl %%cs, %k0"
		     : "=r"(cs)
		     : "r"((uint64_t)sel)
		     : "rax", "memory");
	return cs;
}

/*
 * The iret hypercall back to kernel mode with CS 0x10 and SS 0x18 (the
 * hypervisor makes them RPL 3). Events stay masked (RFLAGS.IF clear).
 */
static void iret_to_kernel_selectors(uint16_t *cs, uint16_t *ss)
{
	uint32_t c, s;

	asm volatile("movq %%rsp, %%rax\n\t"
		     "pushq $0x18\n\t"
		     "pushq %%rax\n\t"
		     "pushq $2\n\t"
		     "pushq $0x10\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "jmp pv_iret\n"
		     "1:\tmovl %%cs, %k0\n\t"
		     "movl %%ss, %k1"
		     : "=r"(c), "=r"(s)
		     :
		     : "rax", "rcx", "r11", "memory");
	*cs = (uint16_t)c;
	*ss = (uint16_t)s;
}

static uint8_t user_stack[4096] __attribute__((aligned(16), used));
static volatile uint64_t user_cs, user_ss, user_gs, user_sys;

/*
 * run_user_on_guest_selectors(): iret to user mode on __USER_CS and
 * __USER_DS of the guest's own GDT. The user code reports its CS, SS and
 * GS in a system call, whose handler calls back_to_kernel(): that resumes the
 * caller of run_user_on_guest_selectors() with its callee-saved registers.
 */
void run_user_on_guest_selectors(void);
void __attribute__((noreturn)) back_to_kernel(void);
void user_selectors_entry(void);
static uint64_t saved_kernel_rsp __attribute__((used));
asm(".pushsection .text\n"
    "run_user_on_guest_selectors:\n\t"
    "pushq %rbx\n\t"
    "pushq %rbp\n\t"
    "pushq %r12\n\t"
    "pushq %r13\n\t"
    "pushq %r14\n\t"
    "pushq %r15\n\t"
    "movq %rsp, saved_kernel_rsp(%rip)\n\t"
    "pushq $0x2b\n\t" /* ss */
    "leaq user_stack+4096(%rip), %rax\n\t"
    "pushq %rax\n\t" /* rsp */
    "pushq $0x202\n\t" /* rflags */
    "pushq $0x33\n\t" /* cs */
    "leaq user_selectors_entry(%rip), %rax\n\t"
    "pushq %rax\n\t" /* rip */
    "jmp pv_iret\n"
    "back_to_kernel:\n\t"
    "movq saved_kernel_rsp(%rip), %rsp\n\t"
    "popq %r15\n\t"
    "popq %r14\n\t"
    "popq %r13\n\t"
    "popq %r12\n\t"
    "popq %rbp\n\t"
    "popq %rbx\n\t"
    "ret\n"
    "user_selectors_entry:\n\t"
    "movl %cs, %edi\n\t"
    "movl %ss, %esi\n\t"
    "movl %gs, %edx\n\t"
    "movl $77, %eax\n\t"
    "syscall\n\t"
    "ud2\n"
    ".popsection");

static void on_user_syscall(struct pv_frame *f)
{
	user_sys = f->rax;
	user_cs = f->rdi;
	user_ss = f->rsi;
	user_gs = f->rdx;
	back_to_kernel();
}

/* --- The tests ----------------------------------------------------------- */

static void test_set_gdt(void)
{
	unsigned long frames[14], bad;

	pv_test_group("set_gdt");
	fill_gdt(gdt_a);
	/* Still mapped writable: it cannot become a descriptor table. */
	CHECK_EQ(set_gdt(gdt_a, 512), -EINVAL);
	CHECK_EQ(map_page(gdt_a, PTE_RO), 0);
	CHECK_EQ(set_gdt(gdt_a, 7169), -EINVAL);
	/* Frames we do not own; a bad second frame must release the first. */
	bad = other_maddr() >> 12;
	CHECK_EQ(HYPERVISOR_set_gdt(&bad, 512), -EINVAL);
	bad = 1UL << 40;
	CHECK_EQ(HYPERVISOR_set_gdt(&bad, 512), -EINVAL);
	frames[0] = mfn_of(gdt_a);
	frames[1] = other_maddr() >> 12;
	CHECK_EQ(HYPERVISOR_set_gdt(frames, 1024), -EINVAL);
	CHECK_EQ(HYPERVISOR_set_gdt((unsigned long *)0xffff830000000000UL, 512),
		 -EFAULT);
	/* The whole 14-page range, all one frame. */
	for (unsigned int i = 0; i < 14; i++)
		frames[i] = mfn_of(gdt_a);
	CHECK_EQ(HYPERVISOR_set_gdt(frames, 7168), 0);
	CHECK_EQ(set_gdt(gdt_a, 512), 0);

	/* Validation raised the DPL 0 descriptors to 3, left DPL 3 alone. */
	CHECK_EQ(DESC_DPL(gdt_a[2]), 3);
	CHECK_EQ(DESC_DPL(gdt_a[3]), 3);
	CHECK_EQ(DESC_DPL(gdt_a[SEL_LIMIT]), 3);
	CHECK(same_but_accessed(gdt_a[2], KERNEL_CS64 | (3UL << 45)),
	      "0x10 reads %#lx", gdt_a[2]);
	CHECK(same_but_accessed(gdt_a[5], USER_DS), "0x2b reads %#lx",
	      gdt_a[5]);
	CHECK_EQ(gdt_a[SEL_NP], NOTPRESENT_DS);
	CHECK_EQ(gdt_a[SEL_NP0], NOTPRESENT_DS0);

	/* In use as a GDT: no writable mapping may appear. */
	CHECK(map_page(gdt_a, PTE_RW) < 0, "GDT frame mapped writable");
}

static void test_cpu_view(void)
{
	uint32_t ar, limit;
	uint16_t old_ds = pv_read_ds(), cs, ss;
	int bad = 0;

	pv_test_group("guest selectors");
	CHECK(pv_lar(0x10, &ar), "lar 0x10 failed");
	CHECK_EQ((ar >> 13) & 3, 3);
	CHECK(pv_lsl(0x43, &limit), "lsl 0x43 failed");
	CHECK_EQ(limit, my_limit());
	pv_load_ds(0x2b);
	CHECK_EQ(pv_read_ds(), 0x2b);
	pv_load_ds(0x18 | 3);
	CHECK_EQ(pv_read_ds(), 0x1b);
	pv_load_ds(0x2b);

	/* Kernel code on __KERNEL_CS, a trap taken there, and back. */
	pv_set_trap_handler(3, on_bp);
	CHECK_EQ(far_return_to(0x13), 0x13);
	asm volatile("int3");
	cs = pv_read_cs();
	CHECK_EQ(bp_hits, 1);
	CHECK_EQ(bp_cs & 0xffff, 0x10); /* kernel frames show RPL 0 */
	CHECK_EQ(cs, 0x13);
	CHECK_EQ(far_return_to(FLAT_KERNEL_CS), FLAT_KERNEL_CS);
	iret_to_kernel_selectors(&cs, &ss);
	CHECK_EQ(cs, 0x13);
	CHECK_EQ(ss, 0x1b);
	/* A hypercall from there comes back on the flat selectors. */
	CHECK_EQ(HYPERVISOR_xen_version(0, NULL), (4 << 16) | 17);
	CHECK_EQ(pv_read_cs(), FLAT_KERNEL_CS);

	/* Our GDT and selectors survive being switched out and in. */
	for (int i = 0; i < 100; i++) {
		yield();
		if (!pv_lsl(0x43, &limit) || limit != my_limit() ||
		    pv_read_ds() != 0x2b)
			bad++;
	}
	CHECK(bad == 0, "%d of 100 yields came back to another GDT (%#x) or DS",
	      bad, limit);

	/* User mode on __USER_CS/__USER_DS. */
	struct mmuext_op op = { .cmd = MMUEXT_NEW_USER_BASEPTR };
	op.arg1.mfn = mfn_of((void *)start_info->pt_base);
	CHECK_EQ(HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF), 0);
	pv_set_trap_handler(0x101, on_user_syscall);
	run_user_on_guest_selectors();
	CHECK_EQ(user_sys, 77);
	CHECK_EQ(user_cs, 0x33);
	CHECK_EQ(user_ss, 0x2b);

	/* The user %gs selector, loaded by the hypervisor from our GDT. It
	 * is used with RPL 3, and a bad one loads NULL. */
	pv_test_group("set_segment_base(SEGBASE_GS_USER_SEL)");
	CHECK_EQ(HYPERVISOR_set_segment_base(SEGBASE_GS_USER_SEL, 0x2b), 0);
	run_user_on_guest_selectors();
	CHECK_EQ(user_gs, 0x2b);
	CHECK_EQ(HYPERVISOR_set_segment_base(SEGBASE_GS_USER_SEL, 0x28), 0);
	run_user_on_guest_selectors();
	CHECK_EQ(user_gs, 0x2b);
	CHECK_EQ(HYPERVISOR_set_segment_base(SEGBASE_GS_USER_SEL, 0x4b), 0);
	run_user_on_guest_selectors();
	CHECK_EQ(user_gs, 0);
	CHECK_EQ(HYPERVISOR_set_segment_base(SEGBASE_GS_USER_SEL, 0xe010), 0);
	run_user_on_guest_selectors();
	CHECK_EQ(user_gs, 0);
	CHECK_EQ(HYPERVISOR_set_segment_base(SEGBASE_GS_USER_SEL, 0), 0);

	pv_test_group("bad selectors fault in the guest");
	pv_set_trap_handler(11, on_fault);
	pv_set_trap_handler(13, on_fault);
	CHECK_EQ(try_load_es(0x4b), 11); /* not present: #NP(sel) */
	CHECK_EQ(fault_err, 0x48);
	/* Privilege is checked before presence: DPL 0 gives #GP(sel). */
	CHECK_EQ(try_load_es(0x53), 13);
	CHECK_EQ(fault_err, 0x50);
	CHECK_EQ(try_load_es(0x1003), 13); /* empty GDT page: #GP(sel) */
	CHECK_EQ(fault_err, 0x1000);
	CHECK_EQ(try_load_es(0xe00b), 13); /* hypervisor's DPL 0 code */
	CHECK_EQ(fault_err, 0xe008);
	CHECK_EQ(try_load_es(0x2b), 0);
	CHECK_EQ(pv_read_es(), 0x2b);
	pv_load_ds(old_ds);
	pv_load_es(old_ds);
}

static void test_update_descriptor(void)
{
	uint64_t slot = maddr_of(&gdt_a[SEL_SPARE]);
	uint32_t limit;

	pv_test_group("update_descriptor refuses system descriptors");
	for (unsigned int i = 0; i < ARRAY_SIZE(bad_descs); i++) {
		long rc = HYPERVISOR_update_descriptor(slot, bad_descs[i].desc);
		CHECK(rc == -EINVAL, "%s: rc %ld", bad_descs[i].name, rc);
		CHECK(gdt_a[SEL_SPARE] == 0, "%s written: %#lx",
		      bad_descs[i].name, gdt_a[SEL_SPARE]);
	}

	pv_test_group("update_descriptor: bad addresses");
	CHECK_EQ(HYPERVISOR_update_descriptor(slot + 4, USER_DS), -EINVAL);
	CHECK_EQ(HYPERVISOR_update_descriptor(slot + 1, USER_DS), -EINVAL);
	CHECK_EQ(HYPERVISOR_update_descriptor(0, USER_DS), -EINVAL);
	CHECK_EQ(HYPERVISOR_update_descriptor(other_maddr(), USER_DS), -EINVAL);
	CHECK_EQ(HYPERVISOR_update_descriptor(1UL << 51, USER_DS), -EINVAL);
	/* A page table is neither a descriptor page nor plain memory. */
	CHECK_EQ(HYPERVISOR_update_descriptor(
		     maddr_of((uint64_t *)start_info->pt_base + 1), 0),
		 -EINVAL);
	CHECK_EQ(((uint64_t *)start_info->pt_base)[1], 0);

	pv_test_group("update_descriptor on the live GDT");
	CHECK_EQ(HYPERVISOR_update_descriptor(slot, DATA_DPL0_NOACC), 0);
	CHECK(same_but_accessed(gdt_a[SEL_SPARE], DATA_DPL0_NOACC | 3UL << 45),
	      "slot reads %#lx", gdt_a[SEL_SPARE]);
	CHECK_EQ(try_load_es(SEL_SPARE << 3 | 3), 0);
	CHECK_EQ(HYPERVISOR_update_descriptor(maddr_of(&gdt_a[SEL_LIMIT]),
					      data_desc(0x777, 0)),
		 0);
	CHECK(pv_lsl(0x43, &limit) && limit == 0x777, "new limit %#x", limit);
	CHECK_EQ(HYPERVISOR_update_descriptor(maddr_of(&gdt_a[SEL_LIMIT]),
					      data_desc(my_limit(), 3)),
		 0);
	CHECK(pv_lsl(0x43, &limit) && limit == my_limit(), "limit %#x", limit);
	/* Not present: stored as it is, and loading it faults. */
	CHECK_EQ(HYPERVISOR_update_descriptor(slot, NOTPRESENT_DS), 0);
	CHECK_EQ(gdt_a[SEL_SPARE], NOTPRESENT_DS);
	CHECK_EQ(try_load_es(SEL_SPARE << 3 | 3), 11);
	CHECK_EQ(HYPERVISOR_update_descriptor(slot, 0), 0);

	pv_test_group("update_descriptor on ordinary memory");
	data_page[3] = 0x1234;
	CHECK_EQ(
	    HYPERVISOR_update_descriptor(maddr_of(&data_page[3]), KERNEL_DS),
	    0);
	CHECK(same_but_accessed(data_page[3], KERNEL_DS | 3UL << 45),
	      "data page reads %#lx", data_page[3]);
	CHECK_EQ(HYPERVISOR_update_descriptor(maddr_of(&data_page[4]),
					      bad_descs[0].desc),
		 -EINVAL);
	CHECK_EQ(data_page[4], 0);
	/*
	 * A read-only page that is not a descriptor table is plain memory
	 * too: one slot is written, the rest of the page is left alone.
	 */
	ro_page[1] = DATA_DPL0_NOACC;
	CHECK_EQ(map_page(ro_page, PTE_RO), 0);
	CHECK_EQ(HYPERVISOR_update_descriptor(maddr_of(&ro_page[0]), USER_DS),
		 0);
	CHECK(same_but_accessed(ro_page[0], USER_DS), "slot 0 reads %#lx",
	      ro_page[0]);
	CHECK_EQ(ro_page[1], DATA_DPL0_NOACC);
	CHECK_EQ(map_page(ro_page, PTE_RW), 0);
	/* The same with something that is no descriptor at all further on. */
	ro_page[2] = bad_descs[0].desc;
	CHECK_EQ(map_page(ro_page, PTE_RO), 0);
	CHECK_EQ(HYPERVISOR_update_descriptor(maddr_of(&ro_page[3]), USER_DS),
		 0);
	CHECK_EQ(ro_page[1], DATA_DPL0_NOACC);
	CHECK_EQ(ro_page[2], bad_descs[0].desc);
	CHECK_EQ(map_page(ro_page, PTE_RW), 0);
}

static void test_switch_gdt(void)
{
	uint32_t limit;

	pv_test_group("set_gdt refuses bad pages, switches, releases");
	/* A page with a call gate does not validate; the old GDT stays. */
	fill_gdt(gdt_b);
	gdt_b[SEL_LIMIT] = data_desc(0x3333, 3);
	gdt_b[10] = bad_descs[0].desc;
	CHECK_EQ(map_page(gdt_b, PTE_RO), 0);
	CHECK_EQ(set_gdt(gdt_b, 512), -EINVAL);
	CHECK(pv_lsl(0x43, &limit) && limit == my_limit(), "limit %#x", limit);
	CHECK_EQ(map_page(gdt_b, PTE_RW), 0);
	gdt_b[10] = 0;
	CHECK_EQ(map_page(gdt_b, PTE_RO), 0);
	CHECK_EQ(set_gdt(gdt_b, 512), 0);
	CHECK(pv_lsl(0x43, &limit) && limit == 0x3333, "limit %#x", limit);
	/* gdt_a is no longer a GDT: it may be writable again. */
	CHECK_EQ(map_page(gdt_a, PTE_RW), 0);
	CHECK(map_page(gdt_b, PTE_RW) < 0, "live GDT mapped writable");
	/* No GDT at all, then gdt_b is free too. */
	CHECK_EQ(HYPERVISOR_set_gdt(NULL, 0), 0);
	CHECK(!pv_lsl(0x43, &limit), "0x43 still valid");
	CHECK_EQ(map_page(gdt_b, PTE_RW), 0);
	CHECK_EQ(HYPERVISOR_xen_version(0, NULL), (4 << 16) | 17);
}

void pv_main(void)
{
	my_id = parse_id();
	printf("descriptors: id %u\n", my_id);
	test_set_gdt();
	test_cpu_view();
	test_update_descriptor();
	test_switch_gdt();
	pv_test_summary();
}
