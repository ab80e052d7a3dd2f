/*
 * FPU, SSE and AVX state across vCPU switches, and the virtual CR0.TS.
 *
 * Run several copies on one physical CPU. Each fills the x87 stack, MXCSR
 * and XMM0-15 (YMM0-15 if the PV CPUID shows AVX and OSXSAVE) with values
 * unique to its domain and round, yields so that the others do the same,
 * and checks that it gets exactly its own state back. The hypervisor
 * switches FPU state lazily, so this also checks that a vCPU's first FPU
 * use starts from the reset state, not from whatever the last owner left.
 *
 * Command line: "id=N peers=M": N makes this domain's values unique, M is
 * how many other domains share the CPU (with M > 0 the vCPU must have
 * waited for the CPU at some point). "sleep=US": sleep US microseconds
 * (SCHEDOP_poll with a timeout) instead of yielding, so that CPUs go
 * idle and the scheduler moves vCPUs between them.
 */
#include <pv/cpu.h>
#include <pv/hypercall.h>
#include <pv/libpv.h>
#include <xen/sched.h>
#include <xen/vcpu.h>

#define ROUNDS 1000
#define YIELDS_PER_ROUND 2
#define SPIN_ROUNDS 30
#define SPIN_NS 4000000 /* long enough to be preempted (10 ms slices) */

/* FXSAVE image offsets. */
#define FX_FCW 0
#define FX_FSW 2
#define FX_FTW 4
#define FX_MXCSR 24
#define FX_ST0 32
#define FX_XMM0 160

struct fxsave_area {
	uint8_t b[512];
} __attribute__((aligned(16)));

/* Register n lives at n * 32: the XMM register is the low 16 bytes. */
struct vregs {
	uint64_t q[16][4];
} __attribute__((aligned(32)));

static unsigned int my_id, peers;
static bool have_avx;

/* --- Vector, x87 and MXCSR access ---------------------------------------- */

#define FOR_EACH_REG(op)                                                   \
	op(0) op(1) op(2) op(3) op(4) op(5) op(6) op(7) op(8) op(9) op(10) \
	    op(11) op(12) op(13) op(14) op(15)
#define LOAD_XMM(n) "movdqu " #n "*32(%0), %%xmm" #n "\n\t"
#define STORE_XMM(n) "movdqu %%xmm" #n ", " #n "*32(%0)\n\t"
#define LOAD_YMM(n) "vmovdqu " #n "*32(%0), %%ymm" #n "\n\t"
#define STORE_YMM(n) "vmovdqu %%ymm" #n ", " #n "*32(%0)\n\t"

static void load_vregs(const struct vregs *v)
{
	if (have_avx)
		asm volatile(FOR_EACH_REG(LOAD_YMM) : : "r"(v) : "memory");
	else
		asm volatile(FOR_EACH_REG(LOAD_XMM) : : "r"(v) : "memory");
}

/* Without AVX only the low halves are written (the rest is left zero). */
static void store_vregs(struct vregs *v)
{
	memset(v, 0, sizeof(*v));
	if (have_avx)
		asm volatile(FOR_EACH_REG(STORE_YMM) : : "r"(v) : "memory");
	else
		asm volatile(FOR_EACH_REG(STORE_XMM) : : "r"(v) : "memory");
}

static void fxsave(struct fxsave_area *a)
{
	memset(a, 0, sizeof(*a));
	asm volatile("fxsave64 %0" : "=m"(*a));
}

static void ldmxcsr(uint32_t v)
{
	asm volatile("ldmxcsr %0" : : "m"(v));
}

/* Five values on the x87 stack, under control word cw. */
static void load_x87(uint16_t cw, int32_t a, int32_t b)
{
	asm volatile("fninit\n\t"
		     "fldcw %0\n\t"
		     "fldpi\n\t"
		     "fildl %1\n\t"
		     "fld1\n\t"
		     "fildl %2\n\t"
		     "fldl2e"
		     :
		     : "m"(cw), "m"(a), "m"(b));
}

static uint16_t fx16(const struct fxsave_area *a, unsigned int off)
{
	return (uint16_t)(a->b[off] | a->b[off + 1] << 8);
}

static uint32_t fx32(const struct fxsave_area *a, unsigned int off)
{
	return fx16(a, off) | (uint32_t)fx16(a, off + 2) << 16;
}

/* --- Values unique to (domain, round, register) -------------------------- */

static void make_pattern(struct vregs *v, unsigned int round)
{
	for (unsigned int r = 0; r < 16; r++)
		for (unsigned int k = 0; k < 4; k++)
			v->q[r][k] = 0xd000000000000000UL |
				     (uint64_t)my_id << 48 |
				     (uint64_t)round << 16 | r << 8 | k;
	if (!have_avx)
		for (unsigned int r = 0; r < 16; r++)
			v->q[r][2] = v->q[r][3] = 0;
}

static uint16_t round_fcw(unsigned int round)
{
	return (uint16_t)(0x037f ^ (((my_id + round) & 3) << 10));
}

static uint32_t round_mxcsr(unsigned int round)
{
	return 0x1f80 | ((my_id + round) & 3) << 13 | (round & 1) << 15;
}

/* --- Helpers --------------------------------------------------------------- */

static unsigned int parse_arg(const char *key)
{
	return (unsigned int)pv_arg(key, 0);
}

static unsigned int sleep_us;

static void yield(void)
{
	struct sched_poll p = { 0 };

	if (!sleep_us) {
		HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
		return;
	}
	p.timeout = pv_now() + sleep_us * 1000ULL;
	HYPERVISOR_sched_op(SCHEDOP_poll, &p);
}

static bool vregs_equal(const struct vregs *a, const struct vregs *b,
			unsigned int *reg)
{
	for (unsigned int r = 0; r < 16; r++)
		if (memcmp(a->q[r], b->q[r], sizeof(a->q[r]))) {
			*reg = r;
			return false;
		}
	return true;
}

/* --- Tests ------------------------------------------------------------------ */

static void detect_avx(void)
{
	struct pv_cpuid_regs r = pv_cpuid(1, 0);
	uint32_t need = PV_CPUID1_ECX_AVX | PV_CPUID1_ECX_OSXSAVE;

	have_avx = (r.ecx & need) == need &&
		   (pv_xgetbv(0) & (PV_XCR0_SSE | PV_XCR0_AVX)) ==
		       (PV_XCR0_SSE | PV_XCR0_AVX);
	printf("fpu: id %u, %u peers, %s\n", my_id, peers,
	       have_avx ? "XMM and YMM" : "XMM only (no AVX)");
}

/*
 * The first FPU instruction of a fresh vCPU sees the reset state, even
 * though other domains filled the registers of this CPU before.
 */
static void test_initial_state(void)
{
	static struct fxsave_area fx;
	static struct vregs v, zero;
	unsigned int reg = 0;

	pv_test_group("initial FPU state");
	for (int i = 0; i < 30; i++)
		yield();
	fxsave(&fx);
	store_vregs(&v);
	CHECK_EQ(fx16(&fx, FX_FCW), 0x37f);
	CHECK_EQ(fx16(&fx, FX_FSW), 0);
	CHECK_EQ(fx.b[FX_FTW], 0);
	CHECK_EQ(fx32(&fx, FX_MXCSR), 0x1f80);
	CHECK(vregs_equal(&v, &zero, &reg),
	      "register %u holds %#lx %#lx %#lx %#lx", reg, v.q[reg][0],
	      v.q[reg][1], v.q[reg][2], v.q[reg][3]);
}

/* Fill every register for this round; snapshot the x87 part. */
static void fill_round(unsigned int round, struct vregs *pat,
		       struct fxsave_area *before)
{
	make_pattern(pat, round);
	ldmxcsr(round_mxcsr(round));
	load_x87(round_fcw(round), (int32_t)(my_id * 100000 + round),
		 -(int32_t)round - 7);
	load_vregs(pat);
	fxsave(before);
}

struct round_errors {
	unsigned int vec, x87, mxcsr;
};

/* Compare the registers with what fill_round() put there. */
static void check_round(unsigned int round, const struct vregs *pat,
			const struct fxsave_area *before,
			struct round_errors *e)
{
	static struct fxsave_area after;
	static struct vregs got;
	unsigned int reg = 0;
	bool x87_ok;

	fxsave(&after);
	store_vregs(&got);
	if (!vregs_equal(&got, pat, &reg) ||
	    memcmp(after.b + FX_XMM0, pat->q[0], 16)) {
		if (!e->vec++)
			printf(
			    "round %u: register %u holds %#lx %#lx %#lx %#lx\n",
			    round, reg, got.q[reg][0], got.q[reg][1],
			    got.q[reg][2], got.q[reg][3]);
	}
	/* FCW, FSW, FTW and the eight stack registers. */
	x87_ok = fx16(before, FX_FCW) == round_fcw(round) &&
		 !memcmp(before->b, after.b, 5);
	for (unsigned int i = 0; i < 8; i++)
		x87_ok = x87_ok && !memcmp(before->b + FX_ST0 + i * 16,
					   after.b + FX_ST0 + i * 16, 10);
	if (!x87_ok && !e->x87++)
		printf("round %u: x87 state changed (fcw %#x -> %#x)\n", round,
		       fx16(before, FX_FCW), fx16(&after, FX_FCW));
	if (fx32(&after, FX_MXCSR) != round_mxcsr(round) && !e->mxcsr++)
		printf("round %u: mxcsr %#x, expected %#x\n", round,
		       fx32(&after, FX_MXCSR), round_mxcsr(round));
}

static void check_errors(const struct round_errors *e, unsigned int rounds)
{
	CHECK(e->vec == 0, "vector registers wrong in %u of %u rounds", e->vec,
	      rounds);
	CHECK(e->x87 == 0, "x87 state wrong in %u of %u rounds", e->x87,
	      rounds);
	CHECK(e->mxcsr == 0, "MXCSR wrong in %u of %u rounds", e->mxcsr,
	      rounds);
}

static uint64_t runnable_ns(void)
{
	struct vcpu_runstate_info rs;

	if (HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, &rs))
		return 0;
	return rs.time[RUNSTATE_runnable];
}

/* Switches at yields: the other domains run between fill and check. */
static void test_switching(void)
{
	static struct fxsave_area before;
	static struct vregs pat;
	struct round_errors e = { 0, 0, 0 };

	pv_test_group("FPU state across yields");
	printf("fpu: rounds start\n");
	for (unsigned int round = 0; round < ROUNDS; round++) {
		fill_round(round, &pat, &before);
		for (int i = 0; i < YIELDS_PER_ROUND; i++)
			yield();
		check_round(round, &pat, &before, &e);
	}
	printf("fpu: rounds done\n");
	check_errors(&e, ROUNDS);
	if (peers)
		CHECK(runnable_ns() > 0,
		      "never waited for the CPU: other domains did not run");
}

/* Switches at the end of a time slice, in the middle of guest code. */
static void test_preemption(void)
{
	static struct fxsave_area before;
	static struct vregs pat;
	struct round_errors e = { 0, 0, 0 };
	uint64_t waited = runnable_ns();

	pv_test_group("FPU state across preemption");
	for (unsigned int round = 0; round < SPIN_ROUNDS; round++) {
		uint64_t end = pv_now() + SPIN_NS;

		fill_round(ROUNDS + round, &pat, &before);
		while (pv_now() < end)
			cpu_relax();
		check_round(ROUNDS + round, &pat, &before, &e);
	}
	check_errors(&e, SPIN_ROUNDS);
	/* Sleeping peers need not take the CPU from a spinning one. */
	if (peers && !sleep_us)
		CHECK(runnable_ns() > waited, "never preempted");
}

static volatile int nm_hits;
static volatile uint64_t nm_cr0;

static void on_nm(struct pv_frame *f)
{
	(void)f;
	nm_hits++;
	nm_cr0 = pv_read_cr0();
}

static bool xmm3_is(const struct vregs *pat)
{
	uint64_t x[2];

	asm volatile("movdqu %%xmm3, %0" : "=m"(x));
	return x[0] == pat->q[3][0] && x[1] == pat->q[3][1];
}

static void test_taskswitch(void)
{
	static struct vregs pat, got;
	unsigned int reg = 0;

	pv_test_group("fpu_taskswitch: virtual CR0.TS");
	pv_set_trap_handler(7, on_nm);
	make_pattern(&pat, ROUNDS + SPIN_ROUNDS);
	load_vregs(&pat);
	CHECK(!(pv_read_cr0() & PV_CR0_TS), "TS set at start");

	/* TS clear: no #NM. */
	CHECK(xmm3_is(&pat), "xmm3");
	CHECK_EQ(nm_hits, 0);

	/* TS set: the first FPU instruction raises #NM; the hypervisor
	 * clears TS as it delivers it, so the instruction then runs. */
	CHECK_EQ(HYPERVISOR_fpu_taskswitch(1), 0);
	CHECK(pv_read_cr0() & PV_CR0_TS, "TS not set");
	CHECK(xmm3_is(&pat), "xmm3 after #NM");
	CHECK_EQ(nm_hits, 1);
	CHECK(!(nm_cr0 & PV_CR0_TS), "TS still set in the #NM handler");
	CHECK(!(pv_read_cr0() & PV_CR0_TS), "TS set after #NM");
	CHECK(xmm3_is(&pat), "xmm3");
	CHECK_EQ(nm_hits, 1);

	/* Clearing a clear TS changes nothing. */
	CHECK_EQ(HYPERVISOR_fpu_taskswitch(0), 0);
	CHECK(xmm3_is(&pat), "xmm3");
	CHECK_EQ(nm_hits, 1);

	/* TS set across switches to the other domains: one #NM, and the
	 * state that comes back is ours. */
	CHECK_EQ(HYPERVISOR_fpu_taskswitch(1), 0);
	for (int i = 0; i < 20; i++)
		yield();
	CHECK_EQ(nm_hits, 1);
	store_vregs(&got);
	CHECK_EQ(nm_hits, 2);
	CHECK(vregs_equal(&got, &pat, &reg), "register %u after #NM", reg);

	/* x87 and WAIT (CR0.MP is set) trap too. */
	CHECK_EQ(HYPERVISOR_fpu_taskswitch(1), 0);
	asm volatile("fwait");
	CHECK_EQ(nm_hits, 3);
	CHECK_EQ(HYPERVISOR_fpu_taskswitch(1), 0);
	asm volatile("fnop");
	CHECK_EQ(nm_hits, 4);

	/* The privileged forms: CLTS and MOV to CR0 (emulated). */
	CHECK_EQ(HYPERVISOR_fpu_taskswitch(1), 0);
	asm volatile("clts");
	CHECK(!(pv_read_cr0() & PV_CR0_TS), "TS set after clts");
	CHECK(xmm3_is(&pat), "xmm3 after clts");
	CHECK_EQ(nm_hits, 4);
	asm volatile("mov %0, %%cr0" : : "r"(pv_read_cr0() | PV_CR0_TS));
	CHECK(pv_read_cr0() & PV_CR0_TS, "TS not set by mov to cr0");
	CHECK(xmm3_is(&pat), "xmm3 after mov to cr0");
	CHECK_EQ(nm_hits, 5);

	store_vregs(&got);
	CHECK(vregs_equal(&got, &pat, &reg), "register %u at the end", reg);
}

void pv_main(void)
{
	my_id = parse_arg("id");
	peers = parse_arg("peers");
	sleep_us = parse_arg("sleep");
	detect_avx();
	test_initial_state();
	test_switching();
	test_preemption();
	test_taskswitch();
	/* Keep the CPU busy with FPU work until the others are done too. */
	for (int i = 0; i < 30; i++)
		yield();
	pv_test_summary();
}
