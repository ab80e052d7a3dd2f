/*
 * Debug registers, checked against Xen 4.17: what set_debugreg and MOV
 * to a DR accept and refuse (error code or #GP/#UD), DR4/DR5 aliasing,
 * breakpoints and watchpoints that really fire (kernel and user mode)
 * with DR6 naming the breakpoint, single-step beside them, a watchpoint
 * on a buffer the hypervisor writes for a hypercall (Xen ignores that
 * #DB: the guest sees nothing and the watchpoint stays armed), and every
 * DR7 pattern from a hostile guest.
 *
 * role=armer: keep an execution breakpoint and a watchpoint armed on
 * bp_target and watch_var while yielding for a few seconds; role=victim
 * (another domain on the same CPU, same image, same addresses) runs and
 * writes them all that time and must never see a #DB.
 */
#include <pv/hypercall.h>
#include <pv/libpv.h>
#include <xen/sched.h>
#include <xen/version.h>
#include <xen/memory.h>

#define EPERM 1
#define ENODEV 19
#define EINVAL 22

#define DR6_DEFAULT 0xffff0ff0UL
#define DR6_BS 0x4000UL
#define DR7_DEFAULT 0x400UL
#define EFLAGS_TF 0x100UL
#define CR4_DE 0x8UL
#define SYS_EXIT 60

/* DR7 for breakpoint bp: local enable, RW and LEN fields. */
#define DR7_BP(bp, rw, len)                                      \
	((1UL << ((bp)*2)) | ((uint64_t)(rw) << (16 + (bp)*4)) | \
	 ((uint64_t)(len) << (18 + (bp)*4)))
#define RW_EXEC 0
#define RW_WRITE 1
#define RW_IO 2
#define RW_RDWR 3
#define LEN_4 3
#define LEN_8 2

/* --- Code the tests run ------------------------------------------------ */

volatile uint32_t watch_var __attribute__((aligned(8)));
volatile uint64_t other_var __attribute__((aligned(8)));
static char hc_buf[16] __attribute__((aligned(16)));

/*
 * MOV SS from a watched word, then SYSCALL (xen_version): the #DB of the
 * MOV SS waits for the next instruction to retire, so on hardware it is
 * raised at the hypervisor's first instruction, still on our stack. It
 * must land on the #DB IST stack and be ignored, as on Xen.
 */
volatile uint16_t ss_var __attribute__((aligned(8)));
long movss_syscall(void);
extern char movss_syscall_insn[];
asm(".pushsection .text\n"
    ".globl movss_syscall, movss_syscall_insn\n"
    "movss_syscall:\n"
    "	mov $17, %eax\n" /* __HYPERVISOR_xen_version */
    "	xor %edi, %edi\n"
    "	xor %esi, %esi\n"
    "	mov ss_var(%rip), %ss\n"
    "movss_syscall_insn:\n"
    "	syscall\n"
    "	ret\n"
    ".popsection");

void bp_target(void);
void watch_write(void);
extern char watch_write_end[];
void step_nop(void);
extern char step_nop_end[];
asm(".pushsection .text\n"
    ".globl bp_target, watch_write, watch_write_end, step_nop, step_nop_end\n"
    "bp_target:\n"
    "	nop\n"
    "	ret\n"
    "watch_write:\n"
    "	movl $1, watch_var(%rip)\n"
    "watch_write_end:\n"
    "	ret\n"
    "step_nop:\n"
    "	pushfq; orq $0x100, (%rsp); popfq\n"
    "	nop\n"
    "step_nop_end:\n"
    "	ret\n"
    ".popsection");

/* mov %rdi, %dbN and mov %dbN, %rax; a fault resumes at the _end label. */
#define DRFN(n)                                                                \
	asm(".pushsection .text\n"                                             \
	    ".globl dr_w" #n ", dr_w" #n "_end, dr_r" #n ", dr_r" #n "_end\n"  \
	    "dr_w" #n ":\n	mov %rdi, %db" #n "\n"                         \
	    "dr_w" #n "_end:\n	ret\n"                                          \
	    "dr_r" #n ":\n	mov $0xdead, %eax\n	mov %db" #n ", %rax\n" \
	    "dr_r" #n "_end:\n	ret\n"                                          \
	    ".popsection");                                                    \
	void dr_w##n(uint64_t v);                                              \
	uint64_t dr_r##n(void);                                                \
	extern char dr_w##n##_end[], dr_r##n##_end[]
DRFN(0);
DRFN(1);
DRFN(2);
DRFN(3);
DRFN(4);
DRFN(5);
DRFN(6);
DRFN(7);
/* mov %dr8, %rax (REX.R): no such register. */
uint64_t dr_r8(void);
extern char dr_r8_end[];
asm(".pushsection .text\n"
    ".globl dr_r8, dr_r8_end\n"
    "dr_r8:\n	mov $0xdead, %eax\n	.byte 0x44, 0x0f, 0x21, 0xc0\n"
    "dr_r8_end:\n	ret\n"
    ".popsection");

static void (*const dr_w[8])(uint64_t) = { dr_w0, dr_w1, dr_w2, dr_w3,
					   dr_w4, dr_w5, dr_w6, dr_w7 };
static uint64_t (*const dr_r[8])(void) = { dr_r0, dr_r1, dr_r2, dr_r3,
					   dr_r4, dr_r5, dr_r6, dr_r7 };
static char *const dr_w_end[8] = { dr_w0_end, dr_w1_end, dr_w2_end, dr_w3_end,
				   dr_w4_end, dr_w5_end, dr_w6_end, dr_w7_end };
static char *const dr_r_end[8] = { dr_r0_end, dr_r1_end, dr_r2_end, dr_r3_end,
				   dr_r4_end, dr_r5_end, dr_r6_end, dr_r7_end };

/* --- Traps -------------------------------------------------------------- */

static volatile uint64_t fixup; /* where a #GP/#UD resumes */
static volatile int fault_vec; /* last #GP/#UD vector, -1 none */
static volatile uint64_t fault_err;
static volatile unsigned int db_count;
static volatile uint64_t db_rip, db_cs, db_dr6;
static volatile bool db_keep; /* leave DR7 armed after a #DB */

static long get_dr(int reg)
{
	return HYPERCALL1(__HYPERVISOR_get_debugreg, reg);
}

static long set_dr(int reg, uint64_t v)
{
	return HYPERCALL2(__HYPERVISOR_set_debugreg, reg, v);
}

static void on_db(struct pv_frame *f)
{
	db_count++;
	db_rip = f->rip;
	db_cs = f->cs;
	db_dr6 = get_dr(6);
	set_dr(6, DR6_DEFAULT);
	/* An execution breakpoint would fire again at the same RIP. */
	if (!db_keep)
		set_dr(7, DR7_DEFAULT);
	f->rflags &= ~EFLAGS_TF;
}

static void on_fault(struct pv_frame *f)
{
	fault_vec = (int)f->vector;
	fault_err = f->error_code;
	if (!fixup)
		pv_panic("unexpected fault %lu at %#lx", f->vector, f->rip);
	f->rip = fixup;
	fixup = 0;
}

static void on_syscall(struct pv_frame *f)
{
	if (f->rax == SYS_EXIT)
		pv_return_from_user(0);
}

/* MOV to DRn: the vector it raised (-1: none). */
static int mov_to(int n, uint64_t v)
{
	fault_vec = -1;
	fixup = (uint64_t)dr_w_end[n];
	dr_w[n](v);
	fixup = 0;
	return fault_vec;
}

static int mov_from(int n, uint64_t *v)
{
	fault_vec = -1;
	fixup = (uint64_t)dr_r_end[n];
	*v = dr_r[n]();
	fixup = 0;
	return fault_vec;
}

static void reset_drs(void)
{
	set_dr(7, DR7_DEFAULT);
	for (int i = 0; i < 4; i++)
		set_dr(i, 0);
	set_dr(6, DR6_DEFAULT);
	db_count = 0;
}

static uint64_t read_cr4(void)
{
	uint64_t v;

	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static void write_cr4(uint64_t v)
{
	asm volatile("mov %0, %%cr4" : : "r"(v));
}

/* --- The hypercalls ----------------------------------------------------- */

static void test_hypercalls(void)
{
	pv_test_group("set_debugreg/get_debugreg as Xen 4.17");
	/* DR0-DR3: any address a guest may use; Xen checks the start. */
	CHECK_EQ(set_dr(0, (uint64_t)&watch_var), 0);
	CHECK_EQ(get_dr(0), (long)&watch_var);
	CHECK_EQ(set_dr(1, 0x00007ffffffffff8UL), 0);
	CHECK_EQ(set_dr(2, 0xffff880000000000UL), 0);
	CHECK_EQ(set_dr(3, 0x0000800000000000UL), -EPERM); /* non-canonical */
	CHECK_EQ(set_dr(3, 0xffff800000100000UL), -EPERM); /* hypervisor */
	CHECK_EQ(set_dr(3, 0xffff87fffffffff8UL), -EPERM);
	CHECK_EQ(get_dr(3), 0);
	/* DR6: 32 bits; bits 4-11 and 16-31 read as one, bit 12 as zero. */
	CHECK_EQ(set_dr(6, 1UL << 32), -EINVAL);
	CHECK_EQ(set_dr(6, 0), 0);
	CHECK_EQ(get_dr(6), DR6_DEFAULT);
	CHECK_EQ(set_dr(6, 0xffffffffUL), 0);
	CHECK_EQ(get_dr(6), 0xffffefffL);
	CHECK_EQ(set_dr(6, 0x4003), 0);
	CHECK_EQ(get_dr(6), 0xffff4ff3L);
	/* DR7: 32 bits; bit 10 one, bits 11, 12, 14, 15 zero; GD refused. */
	CHECK_EQ(set_dr(7, 1UL << 32), -EINVAL);
	CHECK_EQ(set_dr(7, 0x2000), -EPERM);
	CHECK_EQ(set_dr(7, 0xd800), 0);
	CHECK_EQ(get_dr(7), DR7_DEFAULT);
	CHECK_EQ(set_dr(7, 0), 0);
	CHECK_EQ(get_dr(7), DR7_DEFAULT);
	/* An I/O breakpoint needs CR4.DE, once enabled. */
	CHECK_EQ(set_dr(7, DR7_BP(1, RW_IO, 0)), -EPERM);
	CHECK_EQ(set_dr(7, (uint64_t)RW_IO << 20), 0); /* not enabled */
	CHECK_EQ(get_dr(7), ((uint64_t)RW_IO << 20) | DR7_DEFAULT);
	/* LEN = 10b: 8 bytes in 64-bit mode. */
	CHECK_EQ(set_dr(7, DR7_BP(0, RW_WRITE, LEN_8)), 0);
	CHECK_EQ(get_dr(7), DR7_BP(0, RW_WRITE, LEN_8) | DR7_DEFAULT);
	CHECK_EQ(set_dr(7, DR7_DEFAULT), 0);
	/* DR4 and DR5 are DR6 and DR7 while CR4.DE is clear. */
	CHECK_EQ(set_dr(4, 0x1), 0);
	CHECK_EQ(get_dr(6), 0xffff0ff1L);
	CHECK_EQ(get_dr(4), 0xffff0ff1L);
	CHECK_EQ(set_dr(5, 0x2000), -EPERM);
	CHECK_EQ(set_dr(5, (uint64_t)RW_RDWR << 16), 0);
	CHECK_EQ(get_dr(7), ((uint64_t)RW_RDWR << 16) | DR7_DEFAULT);
	CHECK_EQ(get_dr(5), ((uint64_t)RW_RDWR << 16) | DR7_DEFAULT);
	/* No such register: -ENODEV (Xen's #UD code), either way. */
	CHECK_EQ(get_dr(8), -ENODEV);
	CHECK_EQ(get_dr(-1), -ENODEV);
	CHECK_EQ(set_dr(8, 0), -ENODEV);
	CHECK_EQ(set_dr(-1, 0), -ENODEV);

	/* With CR4.DE: DR4/DR5 are gone, I/O breakpoints allowed. */
	write_cr4(read_cr4() | CR4_DE);
	CHECK_EQ(read_cr4() & CR4_DE, CR4_DE);
	CHECK_EQ(get_dr(4), -ENODEV);
	CHECK_EQ(get_dr(5), -ENODEV);
	CHECK_EQ(set_dr(4, 0), -ENODEV);
	CHECK_EQ(set_dr(5, 0), -ENODEV);
	CHECK_EQ(set_dr(7, DR7_BP(1, RW_IO, 0)), 0);
	CHECK_EQ(get_dr(7), DR7_BP(1, RW_IO, 0) | DR7_DEFAULT);
	CHECK_EQ(set_dr(7, DR7_DEFAULT), 0);
	write_cr4(read_cr4() & ~CR4_DE);
	CHECK_EQ(read_cr4() & CR4_DE, 0);
	reset_drs();
}

static void test_mov(void)
{
	uint64_t v;

	pv_test_group("MOV to and from debug registers (kernel mode)");
	CHECK_EQ(mov_to(0, (uint64_t)&watch_var), -1);
	CHECK_EQ(get_dr(0), (long)&watch_var);
	CHECK_EQ(mov_from(0, &v), -1);
	CHECK_EQ(v, (uint64_t)&watch_var);
	CHECK_EQ(mov_to(3, 0xffff800000100000UL), 13); /* -EPERM: #GP(0) */
	CHECK_EQ(fault_err, 0);
	CHECK_EQ(mov_to(6, 1UL << 32), 13); /* -EINVAL: #GP(0) */
	CHECK_EQ(mov_to(7, 0x2000), 13); /* GD */
	CHECK_EQ(mov_to(7, DR7_BP(2, RW_IO, 0)), 13);
	CHECK_EQ(mov_to(6, 0), -1);
	CHECK_EQ(mov_from(6, &v), -1);
	CHECK_EQ(v, DR6_DEFAULT);
	CHECK_EQ(mov_to(7, 0xd800), -1);
	CHECK_EQ(mov_from(7, &v), -1);
	CHECK_EQ(v, DR7_DEFAULT);
	CHECK_EQ(mov_to(4, 0x2), -1); /* DR6 */
	CHECK_EQ(mov_from(6, &v), -1);
	CHECK_EQ(v, 0xffff0ff2UL);
	CHECK_EQ(mov_from(5, &v), -1); /* DR7 */
	CHECK_EQ(v, DR7_DEFAULT);
	v = 0;
	fault_vec = -1;
	fixup = (uint64_t)dr_r8_end;
	v = dr_r8();
	fixup = 0;
	CHECK_EQ(fault_vec, 6); /* DR8: #UD */
	write_cr4(read_cr4() | CR4_DE);
	CHECK_EQ(mov_from(4, &v), 6);
	CHECK_EQ(mov_to(5, 0), 6);
	write_cr4(read_cr4() & ~CR4_DE);
	reset_drs();
}

/* --- Breakpoints that fire --------------------------------------------- */

static uint8_t user_stack[8192] __attribute__((aligned(16)));
static uint8_t kstack[16384] __attribute__((aligned(16)));
static volatile int user_mov_vec;

static void user_main(void)
{
	watch_write();
	/* MOV DR from user mode stays #GP. */
	user_mov_vec = mov_to(7, DR7_DEFAULT);
	asm volatile("syscall" : : "a"(SYS_EXIT) : "rcx", "r11", "memory");
	for (;;)
		;
}

static void test_fire(void)
{
	long rc;

	pv_test_group("breakpoints and watchpoints fire");
	reset_drs();
	/* Execution breakpoint: a fault, RIP at the instruction. */
	set_dr(0, (uint64_t)bp_target);
	CHECK_EQ(set_dr(7, DR7_BP(0, RW_EXEC, 0)), 0);
	bp_target();
	CHECK_EQ(db_count, 1);
	CHECK_EQ(db_rip, (uint64_t)bp_target);
	CHECK_EQ(db_dr6 & 0xf, 0x1);

	/* Write watchpoint (MOV-set): a trap, RIP after the write. */
	reset_drs();
	CHECK_EQ(mov_to(1, (uint64_t)&watch_var), -1);
	CHECK_EQ(mov_to(7, DR7_BP(1, RW_WRITE, LEN_4) | DR7_DEFAULT), -1);
	watch_write();
	CHECK_EQ(db_count, 1);
	CHECK_EQ(db_rip, (uint64_t)watch_write_end);
	CHECK_EQ(db_dr6 & 0xf, 0x2);
	CHECK_EQ(db_cs & 3, 0); /* the kernel sees ring 0 */

	/* Single step beside an armed (untouched) watchpoint. */
	reset_drs();
	set_dr(1, (uint64_t)&other_var);
	set_dr(7, DR7_BP(1, RW_WRITE, LEN_8));
	db_keep = true;
	step_nop();
	db_keep = false;
	CHECK_EQ(db_count, 1);
	CHECK_EQ(db_rip, (uint64_t)step_nop_end);
	CHECK_EQ(db_dr6 & (DR6_BS | 0xf), DR6_BS);

	/* In user mode. */
	reset_drs();
	CHECK_EQ(pv_user_mode_setup(kstack, sizeof(kstack), on_syscall), 0);
	set_dr(3, (uint64_t)&watch_var);
	set_dr(7, DR7_BP(3, RW_WRITE, LEN_4));
	user_mov_vec = 0;
	pv_run_user((uint64_t)user_main,
		    (uint64_t)user_stack + sizeof(user_stack) - 8);
	pv_events_disable();
	CHECK_EQ(db_count, 1);
	CHECK_EQ(db_rip, (uint64_t)watch_write_end);
	CHECK_EQ(db_cs & 3, 3);
	CHECK_EQ(db_dr6 & 0xf, 0x8);
	CHECK_EQ(user_mov_vec, 13);

	/*
	 * A watchpoint on a buffer the hypervisor writes for us: Xen 4.17
	 * notes the #DB in its own context and goes on; the guest sees no
	 * #DB and no DR6 bit, and its watchpoint stays armed.
	 */
	pv_test_group("watchpoint on a hypercall's buffer");
	reset_drs();
	memset(hc_buf, 0x55, sizeof(hc_buf));
	set_dr(2, (uint64_t)hc_buf);
	CHECK_EQ(set_dr(7, DR7_BP(2, RW_WRITE, LEN_8)), 0);
	rc = HYPERVISOR_xen_version(XENVER_extraversion, hc_buf);
	CHECK_EQ(rc, 0);
	CHECK(hc_buf[0] != 0x55, "buffer not written");
	CHECK_EQ(db_count, 0);
	CHECK_EQ(get_dr(6) & 0xf, 0);
	CHECK_EQ(get_dr(7), DR7_BP(2, RW_WRITE, LEN_8) | DR7_DEFAULT);
	*(volatile char *)hc_buf = 1;
	CHECK_EQ(db_count, 1);
	CHECK_EQ(db_dr6 & 0xf, 0x4);

	pv_test_group("MOV SS from a watched word, then SYSCALL");
	reset_drs();
	asm volatile("mov %%ss, %0" : "=r"(ss_var));
	set_dr(0, (uint64_t)&ss_var);
	CHECK_EQ(set_dr(7, DR7_BP(0, RW_RDWR, 1)), 0);
	rc = movss_syscall();
	CHECK_EQ(rc, (4 << 16) | 17);
	/*
	 * Hardware: the #DB hits the hypervisor, which ignores it (no #DB
	 * here). QEMU's TCG raises it before the SYSCALL, in the guest.
	 */
	CHECK(db_count == 0 ||
		  (db_count == 1 && db_rip == (uint64_t)movss_syscall_insn),
	      "%u #DB at %#lx", db_count, db_rip);
	printf("MOV SS; SYSCALL: %u #DB in the guest%s\n", db_count,
	       db_count ? " (before the SYSCALL)" : "");
	reset_drs();
}

/* --- A hostile guest ----------------------------------------------------- */

/* Port I/O the hypervisor emulates (at virtual IOPL 1): outb/inb. */
long io_outb(void);
extern char io_outb_end[], io_inw_end[];
asm(".pushsection .text\n"
    ".globl io_outb, io_outb_end, io_inw_end\n"
    "io_outb:\n"
    "	movb $0x5a, %al\n"
    "	outb %al, $0x80\n"
    "io_outb_end:\n"
    "	movw $0x81, %dx\n"
    "	inw %dx, %ax\n"
    "io_inw_end:\n"
    "	ret\n"
    ".popsection\n");

/*
 * I/O breakpoints (RW = 10b, with CR4.DE): the CPU never sees them, so
 * the hypervisor checks the ports it emulates and raises #DB after the
 * instruction, with the breakpoint's bit in DR6, as Xen does.
 */
static void test_io_breakpoints(void)
{
	pv_test_group("I/O breakpoints fire on emulated port I/O");
	reset_drs();
	CHECK_EQ(pv_set_iopl(1), 0);
	write_cr4(read_cr4() | CR4_DE);
	/* DR2: port 0x80, one byte; DR3: ports 0x82-0x83 (not touched). */
	CHECK_EQ(set_dr(2, 0x80), 0);
	CHECK_EQ(set_dr(3, 0x82), 0);
	CHECK_EQ(set_dr(7, DR7_BP(2, RW_IO, 0) | DR7_BP(3, RW_IO, 1)), 0);
	io_outb();
	CHECK_EQ(db_count, 1);
	CHECK_EQ(db_rip, (uint64_t)io_outb_end);
	CHECK_EQ(db_dr6 & 0xf, 0x4);
	/* on_db disarmed DR7: arm DR3 alone, two bytes at 0x82; inw at
	 * 0x81 covers 0x81-0x82, so it meets it. */
	reset_drs();
	CHECK_EQ(set_dr(3, 0x82), 0);
	CHECK_EQ(set_dr(7, DR7_BP(3, RW_IO, 1)), 0);
	io_outb();
	CHECK_EQ(db_count, 1);
	CHECK_EQ(db_rip, (uint64_t)io_inw_end);
	CHECK_EQ(db_dr6 & 0xf, 0x8);
	/* Without CR4.DE they are refused, and none fires. */
	reset_drs();
	write_cr4(read_cr4() & ~CR4_DE);
	CHECK_EQ(set_dr(7, DR7_BP(2, RW_IO, 0)), -EPERM);
	io_outb();
	CHECK_EQ(db_count, 0);
	CHECK_EQ(pv_set_iopl(0), 0);
}

/* What Xen 4.17 does with value written to DR7 (CR4.DE clear). */
static long xen_dr7(uint64_t v, uint64_t *out)
{
	if (v >> 32)
		return -EINVAL;
	v = (v & ~0xd800UL) | DR7_DEFAULT;
	if (v & 0x2000)
		return -EPERM;
	if (v & 0xff)
		for (int bp = 0; bp < 4; bp++)
			if (((v >> (16 + bp * 4)) & 3) == RW_IO)
				return -EPERM;
	*out = v;
	return 0;
}

static void try_dr7(uint64_t v, bool live, unsigned int *bad,
		    unsigned int *armed)
{
	uint64_t want = 0;
	long exp = xen_dr7(v, &want), rc = set_dr(7, v);

	if (rc != exp || (!rc && (uint64_t)get_dr(7) != want)) {
		if (*bad < 4)
			printf("DR7 %#lx: rc %ld, expected %ld\n", v, rc, exp);
		(*bad)++;
		return;
	}
	if (rc || !(want & 0xff) || !live)
		return;
	/* Armed: let the hypervisor and us touch the watched data. */
	(*armed)++;
	HYPERVISOR_xen_version(XENVER_extraversion, hc_buf);
	watch_var++;
	other_var++;
	set_dr(7, DR7_DEFAULT);
}

static void test_hostile(void)
{
	unsigned int bad = 0, armed = 0;
	volatile uint64_t local = 0;

	pv_test_group("every DR7 pattern");
	reset_drs();
	set_dr(0, (uint64_t)hc_buf);
	set_dr(1, (uint64_t)&local);
	set_dr(2, (uint64_t)&watch_var);
	set_dr(3, (uint64_t)&other_var);
	for (uint64_t i = 0; i < 0x10000; i++)
		try_dr7(i | (((i * 0x9e37UL) & 0xffff) << 16), i % 61 == 0,
			&bad, &armed);
	for (int b = 0; b < 64; b++)
		try_dr7(1UL << b, true, &bad, &armed);
	try_dr7(~0UL, true, &bad, &armed);
	try_dr7(0xffffffffUL & ~0x2000UL, true, &bad, &armed);
	CHECK_EQ(bad, 0);
	CHECK(armed > 100, "only %u live patterns", armed);
	printf("%u DR7 patterns live, %u #DB delivered\n", armed, db_count);
	(void)local;
	reset_drs();
}

/* --- Two domains on one CPU ---------------------------------------------- */

static void yield_for(uint64_t ns, bool touch)
{
	uint64_t end = pv_now() + ns;
	unsigned int n = 0;

	while (pv_now() < end) {
		if (touch) {
			watch_write();
			bp_target();
		}
		HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
		n++;
	}
	printf("%u rounds%s\n", n,
	       touch ? " touching bp_target, watch_var" : " armed");
}

void pv_main(void)
{
	char role[16] = "";

	pv_set_trap_handler(1, on_db);
	pv_set_trap_handler(6, on_fault);
	pv_set_trap_handler(13, on_fault);
	pv_arg_str("role", role, sizeof(role));
	if (!memcmp(role, "victim", 7)) {
		pv_test_group("another domain's breakpoints never fire here");
		yield_for(3000000000UL, true);
		CHECK_EQ(db_count, 0);
		pv_test_summary();
		return;
	}
	if (!memcmp(role, "armer", 6)) {
		pv_test_group("breakpoints armed while another domain runs");
		set_dr(0, (uint64_t)bp_target);
		set_dr(1, (uint64_t)&watch_var);
		CHECK_EQ(set_dr(7, DR7_BP(0, RW_EXEC, 0) |
				       DR7_BP(1, RW_WRITE, LEN_4)),
			 0);
		yield_for(4000000000UL, false);
		/* Still ours after all those switches. */
		watch_write();
		CHECK_EQ(db_count, 1);
		CHECK_EQ(db_dr6 & 0xf, 0x2);
		reset_drs();
	}
	test_hypercalls();
	test_mov();
	test_fire();
	test_io_breakpoints();
	test_hostile();
	pv_test_summary();
}
