/*
 * Xen 4.17's answers at the edges of the PV ABI, checked one by one:
 * privileged instructions Xen refuses (HLT, INVD), the virtual IOPL
 * (PHYSDEVOP_set_iopl, VMASST_TYPE_architectural_iopl) for CLI/STI and
 * port I/O in kernel and user mode, the I/O bitmap, a domain U's ports
 * (all-ones, but the 0xCF8 and CMOS index latches), INS/OUTS, the MSRs a
 * guest sees and CPUID faulting, console_io, vm_assist and
 * XENVER_guest_handle.
 *
 * role=dom0 (as domain 0): console_io and the domain handle as the
 * control domain sees them. role=quiet (a domain U under the default
 * guest_loglvl=none): console_io is -EPERM for everything; it cannot
 * print, so it shuts down with "reboot" if all is as expected, "crash"
 * if not. Otherwise (a domain U with guest_loglvl=all): the rest.
 */
#include <xen/memory.h>
#include <xen/version.h>
#include "ctl_common.h"
#include "io_common.h"
#include "mmtest.h"

#define E2BIG 7
#define CMOS_INDEX 0x70
#define DELAY_PORT 0x80
#define UNMAPPED 0x00007f0000000000UL
#define NONCANON 0x8000000000000000UL
#define EFLAGS_IOPL 0x3000UL
#define EFLAGS_DF 0x400UL
#define PFEC_W 2
#define SYS_EXIT 60

#define MSR_PLATFORM_INFO 0xce
#define MSR_MISC_FEATURES_ENABLES 0x140
#define MSR_FEATURE_CONTROL 0x3a
#define MSR_MISC_ENABLE 0x1a0
#define MSR_ARCH_CAPABILITIES 0x10a
#define MSR_STAR 0xc0000081
#define MSR_PAT 0x277
#define MSR_FS_BASE 0xc0000100

/* --- Instructions under test: name_insn is the instruction ------------ */

#define FN(name, setup, insn)                                           \
	asm(".pushsection .text\n"                                      \
	    ".globl " #name ", " #name "_insn, " #name "_end\n" #name   \
	    ":\n" setup "\n" #name "_insn:\n" insn "\n" #name "_end:\n" \
	    "	ret\n"                                                    \
	    ".popsection\n");                                           \
	void name(void);                                                \
	extern char name##_insn[], name##_end[]

FN(s_hlt, "", "hlt");
FN(s_invd, "", "invd");
FN(s_wbinvd, "", "wbinvd");
FN(s_cli, "", "cli");
FN(s_sti, "", "sti");
FN(s_outb, "mov $0x80, %dx", "outb %al, %dx");
FN(s_inb, "", "inb $0x80, %al");
FN(s_inb81, "", "inb $0x81, %al");
FN(s_inw80, "", "inw $0x80, %ax");
FN(s_insb, "mov $0x80, %dx; lea io_buf(%rip), %rdi", "insb");
FN(s_outsb, "mov $0x80, %dx; lea io_buf(%rip), %rsi", "outsb");
FN(s_int3, "", "int3");
FN(s_user_cpuid, "xor %eax, %eax",
   "ud2; .ascii \"xen\"; cpuid"); /* the #GP is at the CPUID */

/* Jump to RAX; come back at s_jmp_end (the handler's resume point). */
FN(s_jmp, "", "jmp *%rax");
uint64_t jmp_rax;
asm(".pushsection .text\n"
    "s_jmp_back:\n"
    "	mov %rax, jmp_rax(%rip)\n"
    "	ret\n"
    ".popsection");
extern char s_jmp_back[];

/* String I/O with registers given by the caller. */
struct sio {
	uint64_t rcx, rsi, rdi, rflags;
};
uint8_t io_buf[64];
uint64_t sio_rcx, sio_rsi, sio_rdi, sio_dx;
void sio_run(struct sio *r, void (*op)(void));
asm(".pushsection .text\n"
    "sio_run:\n"
    "	push %rbx\n"
    "	mov %rdi, %rbx\n"
    "	mov 0(%rbx), %rcx\n"
    "	mov 8(%rbx), %rsi\n"
    "	mov 16(%rbx), %rdi\n"
    "	pushq 24(%rbx); popfq\n"
    "	mov sio_dx(%rip), %rdx\n"
    "	call *%rax\n"
    "	cld\n"
    "	mov %rcx, 0(%rbx)\n"
    "	mov %rsi, 8(%rbx)\n"
    "	mov %rdi, 16(%rbx)\n"
    "	pop %rbx\n"
    "	ret\n"
    ".popsection");
#define SIO(name, insn)                                                   \
	asm(".pushsection .text\n.globl " #name ", " #name "_end\n" #name \
	    ":\n" insn "\n" #name "_end:\n	ret\n.popsection\n");     \
	void name(void);                                                  \
	extern char name##_end[]
SIO(r_insb, "rep insb");
SIO(r_insw, "rep insw");
SIO(r_insl, "rep insl");
SIO(r_outsb, "rep outsb");
SIO(r_outsl, "rep outsl");
SIO(r_outsb_fs, "rep outsb %fs:(%rsi), %dx");
SIO(o_insb, "insb");

static void run_sio(struct sio *r, void (*op)(void))
{
	asm volatile("call sio_run"
		     :
		     : "D"(r), "a"(op)
		     : "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "memory",
		       "cc");
}

/* --- Traps: record one, resume after the instruction ------------------- */

struct rec {
	int n;
	uint64_t vec, err, rip, rflags, cr2;
};
static volatile struct rec rec;
static uint64_t resume_at;
static const char *cur = "";

static void on_trap(struct pv_frame *f)
{
	rec.n++;
	rec.vec = f->vector;
	rec.err = f->error_code;
	rec.rip = f->rip;
	rec.rflags = f->rflags;
	rec.cr2 = pv_vcpu_info()->arch.cr2;
	if (f->vector != 3) {
		if (!resume_at)
			pv_panic("[%s] unexpected trap %lu at %#lx", cur,
				 f->vector, f->rip);
		f->rip = resume_at;
	}
}

static void arm(const char *name, const void *resume)
{
	cur = name;
	memset((void *)&rec, 0, sizeof(rec));
	resume_at = (uint64_t)resume;
	__asm__ volatile("" ::: "memory");
}

/* fn faulted with #GP(0) at insn, or (fault false) did not trap. */
static void expect_gp(const char *what, bool fault, const char *insn)
{
	if (fault)
		CHECK(rec.n == 1 && rec.vec == 13 && rec.err == 0 &&
			  rec.rip == (uint64_t)insn,
		      "%s %s: %d traps, vector %lu error %#lx at %#lx", cur,
		      what, rec.n, rec.vec, rec.err, rec.rip);
	else
		CHECK(rec.n == 0, "%s %s: %d traps, vector %lu at %#lx", cur,
		      what, rec.n, rec.vec, rec.rip);
}

/* RDMSR/WRMSR whose #GP resumes after the instruction (value 0). */
uint64_t msr_rd(uint32_t msr);
void msr_wr(uint32_t msr, uint64_t v);
extern char msr_rd_end[], msr_wr_end[];
asm(".pushsection .text\n"
    "msr_rd:\n"
    "	mov %edi, %ecx\n"
    "	xor %eax, %eax\n"
    "	xor %edx, %edx\n"
    "	rdmsr\n"
    "msr_rd_end:\n"
    "	shl $32, %rdx\n"
    "	or %rdx, %rax\n"
    "	ret\n"
    "msr_wr:\n"
    "	mov %edi, %ecx\n"
    "	mov %esi, %eax\n"
    "	shr $32, %rsi\n"
    "	mov %esi, %edx\n"
    "	wrmsr\n"
    "msr_wr_end:\n"
    "	ret\n"
    ".popsection");

static uint64_t rdmsr_gp(uint32_t msr, bool *gp)
{
	uint64_t v;

	arm("rdmsr", msr_rd_end);
	v = msr_rd(msr);
	*gp = rec.n == 1 && rec.vec == 13;
	return v;
}

static bool wrmsr_gp(uint32_t msr, uint64_t v)
{
	arm("wrmsr", msr_wr_end);
	msr_wr(msr, v);
	return rec.n == 1 && rec.vec == 13;
}

/* --- User mode ------------------------------------------------------- */

static uint8_t user_stack[8192] __attribute__((aligned(16)));
static uint8_t kstack[16384] __attribute__((aligned(16)));
static void (*user_fn)(void);

static void user_entry(void)
{
	user_fn();
	asm volatile("syscall" : : "a"(SYS_EXIT) : "rcx", "r11", "memory");
	for (;;)
		;
}

static void on_syscall(struct pv_frame *f)
{
	(void)f;
	pv_return_from_user(0);
}

static void user_setup(void)
{
	CHECK_EQ(pv_user_mode_setup(kstack, sizeof(kstack), on_syscall), 0);
}

/* Run fn in user mode, entered with IOPL iopl in its RFLAGS. */
static void in_user(void (*fn)(void), unsigned int iopl)
{
	user_fn = fn;
	pv_user_rflags = 0x200 | ((uint64_t)iopl << 12);
	pv_run_user((uint64_t)user_entry,
		    (uint64_t)user_stack + sizeof(user_stack) - 8);
	pv_user_rflags = 0x200;
}

/* --- Refused instructions ---------------------------------------------- */

static void check_refused(void)
{
	uint32_t port;

	pv_test_group("HLT and INVD are #GP; WBINVD is ignored");
	/* A timer event, so that an HLT taken for SCHEDOP_block returns. */
	CHECK_EQ(ev_bind_virq(VIRQ_TIMER, 0, &port), 0);
	HYPERVISOR_set_timer_op(pv_now() + 20 * NS_PER_MS);
	arm("hlt", s_hlt_end);
	s_hlt();
	expect_gp("in the kernel", true, s_hlt_insn);
	arm("invd", s_invd_end);
	s_invd();
	expect_gp("in the kernel", true, s_invd_insn);
	arm("wbinvd", s_wbinvd_end);
	s_wbinvd();
	expect_gp("in the kernel", false, NULL);
	arm("wbinvd", s_wbinvd_end);
	in_user(s_wbinvd, 0);
	expect_gp("in user mode", true, s_wbinvd_insn);
	ev_close(port);
}

/* --- The virtual IOPL ---------------------------------------------- */

struct iopl_insn {
	const char *name;
	void (*fn)(void);
	const char *insn, *end;
};

#define INSN(f)                          \
	{                                \
#f, f, f##_insn, f##_end \
	}
static const struct iopl_insn iopl_insns[] = {
	INSN(s_cli), INSN(s_sti),  INSN(s_outb),
	INSN(s_inb), INSN(s_insb), INSN(s_outsb),
};

/* Every IOPL instruction in kernel and user mode; fault expectations. */
static void iopl_round(const char *how, unsigned int iopl, bool kfault,
		       bool ufault)
{
	char name[64];

	for (unsigned int i = 0; i < ARRAY_SIZE(iopl_insns); i++) {
		const struct iopl_insn *t = &iopl_insns[i];

		snprintf(name, sizeof(name), "%s IOPL %u %s", how, iopl,
			 t->name);
		arm(name, t->end);
		t->fn();
		expect_gp("in the kernel", kfault, t->insn);
		arm(name, t->end);
		in_user(t->fn, iopl);
		expect_gp("in user mode", ufault, t->insn);
	}
}

static uint64_t int3_rflags(void)
{
	arm("int3", NULL);
	s_int3();
	return rec.rflags;
}

static void check_iopl(void)
{
	static const unsigned int iopls[] = { 0, 1, 2, 3 };
	struct vcpu_info *vi = pv_vcpu_info();

	pv_test_group("virtual IOPL by PHYSDEVOP_set_iopl: kernel CPL 1");
	CHECK_EQ(pv_set_iopl(4), -EINVAL);
	for (unsigned int i = 0; i < ARRAY_SIZE(iopls); i++) {
		unsigned int l = iopls[i];

		CHECK_EQ(pv_set_iopl(l), 0);
		iopl_round("set_iopl", l, l < 1, l < 3);
		/* Frames show IOPL 0: it is not architectural. */
		CHECK_EQ(int3_rflags() & EFLAGS_IOPL, 0);
	}

	pv_test_group("CLI/STI allowed by the IOPL do not touch the mask");
	CHECK_EQ(pv_set_iopl(1), 0);
	vi->evtchn_upcall_mask = 1;
	arm("sti", s_sti_end);
	s_sti();
	CHECK_EQ(vi->evtchn_upcall_mask, 1);
	vi->evtchn_upcall_mask = 0;
	arm("cli", s_cli_end);
	s_cli();
	CHECK_EQ(vi->evtchn_upcall_mask, 0);
	pv_events_disable();

	pv_test_group("VMASST_TYPE_architectural_iopl: kernel CPL 0");
	CHECK_EQ(HYPERVISOR_vm_assist(VMASST_CMD_enable,
				      VMASST_TYPE_architectural_iopl),
		 0);
	for (unsigned int i = 0; i < ARRAY_SIZE(iopls); i++) {
		unsigned int l = iopls[i];

		/* The user iret frame's IOPL becomes the virtual IOPL. */
		iopl_round("architectural", l, false, l != 3);
	}
	/* Frames carry the virtual IOPL now; set_iopl still sets it. */
	CHECK_EQ(pv_set_iopl(2), 0);
	CHECK_EQ(int3_rflags() & EFLAGS_IOPL, 0x2000);
	CHECK_EQ(pv_set_iopl(0), 0);
	CHECK_EQ(int3_rflags() & EFLAGS_IOPL, 0);
	CHECK_EQ(HYPERVISOR_vm_assist(VMASST_CMD_disable,
				      VMASST_TYPE_architectural_iopl),
		 0);
	CHECK_EQ(pv_set_iopl(0), 0);
	arm("cli after architectural_iopl off", s_cli_end);
	s_cli();
	expect_gp("in the kernel", true, s_cli_insn);
}

/* --- The I/O bitmap ------------------------------------------------ */

static uint8_t iobmp[8192] __attribute__((aligned(4096)));

static long set_iobitmap(uint64_t bitmap, uint32_t nr)
{
	struct physdev_set_iobitmap b = { bitmap, nr };

	return physdev_op(PHYSDEVOP_set_iobitmap, &b);
}

/* One instruction in kernel and user mode: expected to fault or not. */
static void io_both(const char *name, void (*fn)(void), const char *insn,
		    const char *end, bool fault)
{
	arm(name, end);
	fn();
	expect_gp("in the kernel", fault, insn);
	arm(name, end);
	in_user(fn, 0);
	expect_gp("in user mode", fault, insn);
}

static void check_iobitmap(void)
{
	pv_test_group("PHYSDEVOP_set_iobitmap: ports the IOPL refuses");
	CHECK_EQ(pv_set_iopl(0), 0);
	memset(iobmp, 0xff, sizeof(iobmp));
	iobmp[0x80 / 8] = 0xfe; /* port 0x80 only */
	CHECK_EQ(set_iobitmap((uint64_t)iobmp, 0x100), 0);
	io_both("bitmap inb 0x80", s_inb, s_inb_insn, s_inb_end, false);
	io_both("bitmap outb 0x80", s_outb, s_outb_insn, s_outb_end, false);
	io_both("bitmap inb 0x81", s_inb81, s_inb81_insn, s_inb81_end, true);
	io_both("bitmap inw 0x80", s_inw80, s_inw80_insn, s_inw80_end, true);
	io_both("bitmap cli", s_cli, s_cli_insn, s_cli_end, true);
	/* Ports from nr_ports on are refused whatever their bits. */
	CHECK_EQ(set_iobitmap((uint64_t)iobmp, 0x80), 0);
	io_both("inb 0x80, nr_ports 0x80", s_inb, s_inb_insn, s_inb_end, true);
	/* A bitmap that cannot be read refuses. */
	CHECK_EQ(set_iobitmap(UNMAPPED, 0x100), 0);
	io_both("unmapped bitmap", s_inb, s_inb_insn, s_inb_end, true);
	CHECK_EQ(set_iobitmap((uint64_t)HV_ADDR, 0x100), -EINVAL);
	CHECK_EQ(set_iobitmap((uint64_t)iobmp, 65537), -EINVAL);
	CHECK_EQ(set_iobitmap(0, 0), 0);
	io_both("no bitmap", s_inb, s_inb_insn, s_inb_end, true);
}

/* --- A domain U's ports ---------------------------------------------- */

static void check_ports(void)
{
	pv_test_group("domain U ports: all-ones but Xen's latches");
	CHECK_EQ(pv_set_iopl(1), 0);
	CHECK_EQ(inb(DELAY_PORT), 0xff);
	CHECK_EQ(inw(DELAY_PORT), 0xffff);
	CHECK_EQ(inl(DELAY_PORT), 0xffffffffU);
	outl(PCI_CONF_ADDR, 0x80001234U);
	CHECK_EQ(inl(PCI_CONF_ADDR), 0x80001234U);
	CHECK_EQ(inw(PCI_CONF_ADDR), 0xffff);
	CHECK_EQ(inl(PCI_CONF_DATA), 0xffffffffU);
	outw(PCI_CONF_ADDR, 0x5678); /* only a 32-bit access latches */
	CHECK_EQ(inl(PCI_CONF_ADDR), 0x80001234U);
	outl(PCI_CONF_ADDR, 0);
	outb(CMOS_INDEX, 0x8a);
	CHECK_EQ(inb(CMOS_INDEX), 0x8a);
	CHECK_EQ(inb(CMOS_INDEX + 1), 0xff);
	CHECK_EQ(inw(CMOS_INDEX), 0xff8a);
	outw(CMOS_INDEX, 0x1234); /* the low byte goes to the index */
	CHECK_EQ(inb(CMOS_INDEX), 0x34);
	outb(0x61, 0xff); /* the speaker gate: no domain U PIT */
	CHECK_EQ(inb(0x61), 0xff);
	CHECK_EQ(inb(0x43), 0xff);
}

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

static void check_string_io(void)
{
	uint64_t buf = (uint64_t)io_buf;
	struct sio r;

	pv_test_group("INS and OUTS, with REP");
	sio_dx = DELAY_PORT;
	memset(io_buf, 0x11, sizeof(io_buf));
	r = (struct sio){ 8, 0, buf, 0x202 };
	arm("rep insb", NULL);
	run_sio(&r, r_insb);
	CHECK_EQ(rec.n, 0);
	CHECK(all_bytes(io_buf, 8, 0xff) && io_buf[8] == 0x11, "insb data");
	CHECK_EQ(r.rcx, 0);
	CHECK_EQ(r.rdi, buf + 8);
	memset(io_buf, 0x11, sizeof(io_buf));
	r = (struct sio){ 3, 0, buf, 0x202 };
	run_sio(&r, r_insw);
	CHECK(all_bytes(io_buf, 6, 0xff) && io_buf[6] == 0x11, "insw data");
	CHECK_EQ(r.rdi, buf + 6);
	r = (struct sio){ 3, 0, buf, 0x202 };
	run_sio(&r, r_insl);
	CHECK(all_bytes(io_buf, 12, 0xff) && io_buf[12] == 0x11, "insl data");
	CHECK_EQ(r.rdi, buf + 12);
	/* rep with RCX 0 does nothing. */
	memset(io_buf, 0x11, sizeof(io_buf));
	r = (struct sio){ 0, 0, buf, 0x202 };
	run_sio(&r, r_insb);
	CHECK(io_buf[0] == 0x11 && r.rdi == buf, "rep 0 moved");
	/* Into a latch: OUTS reads guest memory in order. */
	memcpy(io_buf, "\x01\x02\x03\x04\x05", 5);
	sio_dx = CMOS_INDEX;
	r = (struct sio){ 5, buf, 0, 0x202 };
	run_sio(&r, r_outsb);
	CHECK_EQ(r.rcx, 0);
	CHECK_EQ(r.rsi, buf + 5);
	CHECK_EQ(inb(CMOS_INDEX), 0x05);
	/* DF set: downwards. */
	r = (struct sio){ 2, buf + 4, 0, 0x602 };
	run_sio(&r, r_outsl);
	CHECK_EQ(r.rsi, buf - 4);
	CHECK_EQ(inb(CMOS_INDEX), 0x01);
	/* A segment override: FS's base. */
	CHECK_EQ(HYPERVISOR_set_segment_base(SEGBASE_FS, buf + 2), 0);
	r = (struct sio){ 1, 0, 0, 0x202 };
	arm("rep outsb %fs:", NULL);
	run_sio(&r, r_outsb_fs);
	CHECK_EQ(rec.n, 0);
	CHECK_EQ(inb(CMOS_INDEX), 0x03);
	HYPERVISOR_set_segment_base(SEGBASE_FS, 0);

	/* Faults on the buffer: #PF with the address, nothing moved. */
	sio_dx = DELAY_PORT;
	r = (struct sio){ 4, 0, UNMAPPED, 0x202 };
	arm("rep insb to an unmapped page", r_insb_end);
	run_sio(&r, r_insb);
	CHECK(rec.n == 1 && rec.vec == 14 && rec.err == PFEC_W &&
		  rec.cr2 == UNMAPPED && rec.rip == (uint64_t)r_insb,
	      "%d traps, vector %lu error %#lx cr2 %#lx", rec.n, rec.vec,
	      rec.err, rec.cr2);
	CHECK(r.rcx == 4 && r.rdi == UNMAPPED, "rcx %lu rdi %#lx", r.rcx,
	      r.rdi);
	r = (struct sio){ 4, UNMAPPED, 0, 0x202 };
	arm("rep outsb from an unmapped page", r_outsb_end);
	run_sio(&r, r_outsb);
	CHECK(rec.n == 1 && rec.vec == 14 && rec.err == 0 &&
		  rec.cr2 == UNMAPPED,
	      "%d traps, vector %lu error %#lx", rec.n, rec.vec, rec.err);
	r = (struct sio){ 1, 0, NONCANON, 0x202 };
	arm("insb to a non-canonical address", o_insb_end);
	run_sio(&r, o_insb);
	CHECK(rec.n == 1 && rec.vec == 13 && rec.err == 0,
	      "%d traps, vector %lu", rec.n, rec.vec);
	CHECK_EQ(pv_set_iopl(0), 0);
	r = (struct sio){ 1, 0, buf, 0x202 };
	arm("insb at IOPL 0", o_insb_end);
	run_sio(&r, o_insb);
	CHECK(rec.n == 1 && rec.vec == 13 && rec.rip == (uint64_t)o_insb,
	      "%d traps, vector %lu", rec.n, rec.vec);
}

/*
 * IN as the last two bytes of a page whose next page is not mapped: it
 * is emulated (Xen fetches only what the instruction needs), then the
 * next instruction fetch is #PF.
 */
static void check_page_end(void)
{
	unsigned int idx = mm_alloc_idx(2);
	uint8_t *page = (uint8_t *)mm_va(idx);
	uint64_t target;

	pv_test_group("IN at the end of a page");
	CHECK_EQ(mm_map(idx, mm_alloc_zeroed(), PTE_PAGE_RW), 0);
	page[4094] = 0xe4; /* in $0x80, %al */
	page[4095] = 0x80;
	CHECK_EQ(pv_set_iopl(1), 0);
	arm("in at a page end", s_jmp_back);
	target = (uint64_t)page + 4094;
	asm volatile("call s_jmp" : "+a"(target) : : "memory", "cc");
	CHECK(rec.n == 1 && rec.vec == 14 && rec.cr2 == (uint64_t)page + 4096,
	      "%d traps, vector %lu at %#lx cr2 %#lx", rec.n, rec.vec, rec.rip,
	      rec.cr2);
	CHECK_EQ(jmp_rax & 0xff, 0xff);
	CHECK_EQ(pv_set_iopl(0), 0);
}

/* --- MSRs and CPUID faulting -------------------------------------------- */

static uint32_t user_cpuid_eax;
static void user_cpuid(void)
{
	arm("user cpuid", s_user_cpuid_end);
	s_user_cpuid();
	asm volatile("mov %%eax, %0" : "=m"(user_cpuid_eax));
}

static bool intel_like(void)
{
	uint32_t r[4];

	asm volatile("ud2; .ascii \"xen\"; cpuid"
		     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
		     : "a"(0), "c"(0));
	return r[1] == 0x756e6547 || r[1] == 0x746e6543 || r[1] == 0x68532020;
}

static void check_msrs(void)
{
	uint64_t info, v;
	bool gp, offered;

	pv_test_group("MSRs as Xen shows them to a PV guest");
	info = rdmsr_gp(MSR_PLATFORM_INFO, &gp);
	CHECK(!gp, "PLATFORM_INFO #GP");
	offered = info & (1UL << 31);
	CHECK_EQ(info & ~(1UL << 31), 0);
	printf("CPUID faulting %s\n", offered ? "offered" : "not offered");
	v = rdmsr_gp(MSR_MISC_FEATURES_ENABLES, &gp);
	CHECK(!gp && v == 0, "MISC_FEATURES_ENABLES %#lx gp %d", v, gp);
	CHECK(!wrmsr_gp(MSR_MISC_FEATURES_ENABLES, 0), "write 0 #GP");
	CHECK(wrmsr_gp(MSR_MISC_FEATURES_ENABLES, 2), "reserved bit taken");
	CHECK_EQ(wrmsr_gp(MSR_MISC_FEATURES_ENABLES, 1), !offered);
	if (offered) {
		v = rdmsr_gp(MSR_MISC_FEATURES_ENABLES, &gp);
		CHECK_EQ(v, 1);
		user_cpuid_eax = 0;
		in_user(user_cpuid, 0);
		CHECK(rec.n == 1 && rec.vec == 13 &&
			  rec.rip == (uint64_t)s_user_cpuid_insn + 5,
		      "user cpuid: %d traps vector %lu at %#lx", rec.n, rec.vec,
		      rec.rip);
		arm("kernel cpuid", NULL);
		intel_like(); /* the kernel's CPUID does not fault */
		CHECK_EQ(rec.n, 0);
		wrmsr_gp(MSR_MISC_FEATURES_ENABLES, 0);
	}
	arm("user cpuid, no faulting", NULL);
	in_user(user_cpuid, 0);
	CHECK_EQ(rec.n, 0);
	CHECK(user_cpuid_eax >= 1, "user cpuid eax %u", user_cpuid_eax);

	v = rdmsr_gp(MSR_FEATURE_CONTROL, &gp);
	if (intel_like())
		CHECK(!gp && v == 1, "FEATURE_CONTROL %#lx gp %d", v, gp);
	else
		CHECK(gp, "FEATURE_CONTROL %#lx without #GP", v);
	v = rdmsr_gp(MSR_MISC_ENABLE, &gp);
	if (!gp) /* no BTS, PEBS, xTPR; no PERF_AVAIL, MONITOR */
		CHECK_EQ(v & 0x841880, 0x801800);
	rdmsr_gp(MSR_ARCH_CAPABILITIES, &gp);
	CHECK(gp, "ARCH_CAPABILITIES readable");
	CHECK(wrmsr_gp(MSR_PLATFORM_INFO, 0), "PLATFORM_INFO writable");
	v = rdmsr_gp(MSR_PAT, &gp);
	CHECK(!gp && v == 0x0000050100070406UL, "PAT %#lx gp %d", v, gp);
	CHECK(wrmsr_gp(MSR_PAT, v), "PAT writable");

	/* Xen's vPMU is off: no PMU leaf, counters read 0, take writes. */
	{
		uint32_t r[4];

		asm volatile("ud2; .ascii \"xen\"; cpuid"
			     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			     : "a"(0xa), "c"(0));
		CHECK(!(r[0] | r[1] | r[2] | r[3]), "leaf 0xa %#x %#x", r[0],
		      r[1]);
	}
	{
		uint32_t ctr = intel_like() ? 0xc1 : 0xc0010004;

		CHECK(!wrmsr_gp(ctr, 0x1234), "counter %#x write #GP", ctr);
		v = rdmsr_gp(ctr, &gp);
		CHECK(!gp && v == 0, "counter %#x = %#lx gp %d", ctr, v, gp);
	}

	/* Before a #GP handler exists, a real MSR reads 0 (as on Xen). */
	CHECK_EQ(HYPERVISOR_set_trap_table(NULL), 0);
	v = msr_rd(MSR_STAR);
	CHECK_EQ(pv_load_trap_table(), 0);
	CHECK_EQ(v, 0);
}

/* --- Hypercalls ------------------------------------------------------ */

static void check_vm_assist(void)
{
	static const unsigned int noop[] = {
		VMASST_TYPE_4gb_segments,
		VMASST_TYPE_4gb_segments_notify,
		VMASST_TYPE_pae_extended_cr3,
		VMASST_TYPE_runstate_update_flag,
	};
	static const unsigned int bad[] = { 6, 31, 63, 64, 1000 };

	pv_test_group("vm_assist: Xen's types, and what is not implemented");
	for (unsigned int i = 0; i < ARRAY_SIZE(noop); i++) {
		CHECK_EQ(HYPERVISOR_vm_assist(VMASST_CMD_enable, noop[i]), 0);
		CHECK_EQ(HYPERVISOR_vm_assist(VMASST_CMD_disable, noop[i]), 0);
	}
	CHECK_EQ(HYPERVISOR_vm_assist(VMASST_CMD_disable,
				      VMASST_TYPE_writable_pagetables),
		 0);
	CHECK_EQ(HYPERVISOR_vm_assist(VMASST_CMD_enable,
				      VMASST_TYPE_writable_pagetables),
		 0);
	/* m2p_strict is refused: the M2P stays in user page tables. */
	CHECK_EQ(
	    HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_m2p_strict),
	    -EINVAL);
	CHECK_EQ(
	    HYPERVISOR_vm_assist(VMASST_CMD_disable, VMASST_TYPE_m2p_strict),
	    0);
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK(HYPERVISOR_vm_assist(VMASST_CMD_enable, bad[i]) ==
			  -EINVAL,
		      "type %u", bad[i]);
	CHECK_EQ(HYPERVISOR_vm_assist(2, VMASST_TYPE_writable_pagetables),
		 -ENOSYS);
}

static long console_io(int cmd, unsigned int n, const void *buf)
{
	return HYPERVISOR_console_io(cmd, n, (char *)buf);
}

static void check_console_domu(void)
{
	char c;

	pv_test_group("console_io from a domain U (guest_loglvl=all)");
	CHECK_EQ(console_io(CONSOLEIO_write, 10, "edges: hi\n"), 0);
	CHECK_EQ(console_io(CONSOLEIO_write, 0, HV_ADDR), 0);
	CHECK_EQ(console_io(CONSOLEIO_write, 5, HV_ADDR), -EFAULT);
	CHECK_EQ(console_io(CONSOLEIO_write, 5, (void *)UNMAPPED), -EFAULT);
	CHECK_EQ(console_io(CONSOLEIO_read, 1, &c), -EPERM);
	CHECK_EQ(console_io(7, 1, &c), -EPERM);
}

/* Domain U, guest_loglvl=none: everything is -EPERM. No printing. */
static void quiet(void)
{
	char c = 'x';
	bool ok = console_io(CONSOLEIO_write, 1, &c) == -EPERM &&
		  console_io(CONSOLEIO_write, 0, &c) == -EPERM &&
		  console_io(CONSOLEIO_write, 5, HV_ADDR) == -EPERM &&
		  console_io(CONSOLEIO_read, 1, &c) == -EPERM &&
		  console_io(7, 1, &c) == -EPERM;

	pv_shutdown(ok ? SHUTDOWN_reboot : SHUTDOWN_crash);
}

static char big[3000];

static void check_dom0(void)
{
	static const xen_domain_handle_t h = { 0xde, 0xad, 0xbe, 0xef, 1, 2,
					       3,    4,	   5,	 6,    7, 8,
					       9,    10,   11,	 12 };
	xen_domain_handle_t got;
	struct xen_domctl op;
	char c;

	pv_test_group("console_io from the control domain");
	CHECK_EQ(console_io(CONSOLEIO_write, 10, "edges: hi\n"), 0);
	for (unsigned int i = 0; i < sizeof(big); i++)
		big[i] = (i % 60 == 59) ? '\n' : '.';
	CHECK_EQ(console_io(CONSOLEIO_write, sizeof(big), big), 0);
	CHECK_EQ(console_io(CONSOLEIO_write, 0, HV_ADDR), 0);
	CHECK_EQ(console_io(CONSOLEIO_write, 5, HV_ADDR), -EFAULT);
	CHECK_EQ(console_io(CONSOLEIO_read, 0x80000000U, &c), -E2BIG);
	CHECK(console_io(CONSOLEIO_read, 1, &c) >= 0, "read");
	CHECK_EQ(console_io(7, 1, &c), -ENOSYS);

	pv_test_group("XENVER_guest_handle: the domain's handle");
	memset(&op, 0, sizeof(op));
	memcpy(op.u.setdomainhandle.handle, h, sizeof(h));
	CHECK_EQ(domctl(XEN_DOMCTL_setdomainhandle, 0, &op), 0);
	CHECK_EQ(HYPERVISOR_xen_version(XENVER_guest_handle, got), 0);
	CHECK(!memcmp(got, h, sizeof(h)), "handle %02x%02x%02x%02x...", got[0],
	      got[1], got[2], got[3]);
	CHECK_EQ(HYPERVISOR_xen_version(XENVER_guest_handle, HV_ADDR), -EFAULT);
	memset(&op, 0, sizeof(op));
	CHECK_EQ(domctl(XEN_DOMCTL_setdomainhandle, 0, &op), 0);
}

void pv_main(void)
{
	char role[16] = "";

	pv_arg_str("role", role, sizeof(role));
	if (!strcmp(role, "quiet"))
		quiet();
	mm_init(1); /* before our handlers: it installs its own */
	for (unsigned int v = 0; v < 22; v++)
		pv_set_trap_handler(v, on_trap);
	if (!strcmp(role, "dom0")) {
		check_dom0();
		pv_test_summary();
		return;
	}
	pv_events_disable();
	user_setup();
	check_refused();
	check_iopl();
	check_iobitmap();
	check_ports();
	check_string_io();
	check_page_end();
	check_msrs();
	check_vm_assist();
	check_console_domu();
	pv_test_summary();
}
