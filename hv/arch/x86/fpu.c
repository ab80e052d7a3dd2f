/*
 * FPU/SSE/AVX state, loaded lazily. A CPU's FPU registers hold the state
 * of at most one vCPU (fpu_owner). A vCPU leaving a CPU has its state
 * saved (it may run next elsewhere); the next one finds CR0.TS set, and
 * its first FPU instruction traps (#NM) and loads its state, with XSAVE
 * where the CPU has it (FXSAVE otherwise). A guest's own virtual CR0.TS (fpu_taskswitch) is honoured:
 * while it is set, #NM is passed to the guest after the state is loaded.
 */
#include "context.h"
#include "lib.h"
#include "pv.h"
#include "traps.h"
#include "x86.h"

#define XCR0_X87 (1UL << 0)
#define XCR0_SSE (1UL << 1)
#define XCR0_AVX (1UL << 2)

static bool use_xsave;
static u64 xcr0;

bool fpu_has_xsave(void)
{
	return use_xsave;
}

/* The XSAVE features enabled for guests (0 without XSAVE). */
u64 fpu_xcr0(void)
{
	return use_xsave ? xcr0 : 0;
}

static void xsetbv(u32 reg, u64 v)
{
	asm volatile("xsetbv" : : "c"(reg), "a"((u32)v), "d"((u32)(v >> 32)));
}

static void clts(void)
{
	asm volatile("clts");
}

static void stts(void)
{
	write_cr0(read_cr0() | X86_CR0_TS);
}

void fpu_init_cpu(void)
{
	u32 a, b, c, d;

	cpuid(1, &a, &b, &c, &d);
	write_cr0((read_cr0() & ~X86_CR0_EM) | X86_CR0_MP | X86_CR0_NE);
	write_cr4(read_cr4() | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT);
	if (c & (1U << 26)) { /* XSAVE */
		u32 xa, xb, xc, xd;
		write_cr4(read_cr4() | X86_CR4_OSXSAVE);
		cpuid_count(0xd, 0, &xa, &xb, &xc, &xd);
		xcr0 = XCR0_X87 | XCR0_SSE | (xa & XCR0_AVX);
		xsetbv(0, xcr0);
		/* Our one page per vCPU must hold the whole area. */
		use_xsave = xb <= 4096;
	}
	stts();
}

static void save_state(struct vcpu *v)
{
	if (use_xsave)
		asm volatile("xsave64 (%0)"
			     :
			     : "r"(v->fpu_area), "a"((u32)xcr0),
			       "d"((u32)(xcr0 >> 32))
			     : "memory");
	else
		asm volatile("fxsave64 (%0)" : : "r"(v->fpu_area) : "memory");
}

/*
 * A fresh vCPU's image: the reset state (FCW 0x37f, MXCSR 0x1f80, all
 * x87 tags empty, every register zero). For XSAVE, the zero header says
 * every component is in its initial state. Loading this, rather than
 * running FNINIT on the live registers, is what keeps the last owner's
 * XMM/YMM values from showing through.
 */
static void init_state(struct vcpu *v)
{
	u8 *area = v->fpu_area;

	memset(area, 0, PAGE_SIZE);
	area[0] = 0x7f; /* FCW */
	area[1] = 0x03;
	area[24] = 0x80; /* MXCSR */
	area[25] = 0x1f;
	v->fpu_initialised = true;
}

static void restore_state(struct vcpu *v)
{
	if (!v->fpu_initialised)
		init_state(v);
	if (use_xsave)
		asm volatile("xrstor64 (%0)"
			     :
			     : "r"(v->fpu_area), "a"((u32)xcr0),
			       "d"((u32)(xcr0 >> 32))
			     : "memory");
	else
		asm volatile("fxrstor64 (%0)" : : "r"(v->fpu_area) : "memory");
}

/* #NM from a guest: make its state live, then honour its virtual TS. */
void fpu_handle_nm(struct vcpu *v)
{
	struct percpu *pc = this_cpu();

	clts();
	if (pc->fpu_owner != v) {
		if (pc->fpu_owner)
			save_state(pc->fpu_owner);
		restore_state(v);
		pc->fpu_owner = v;
	}
	if (v->guest_cr0_ts) {
		v->guest_cr0_ts = false;
		pv_inject_trap(v, guest_regs(), TRAP_NM, false, 0);
	}
}

/*
 * A vCPU that stops running here may run next on another CPU (an idle CPU
 * steals queued work), whose #NM would load its save area: so its state
 * is saved as it leaves, and only the load stays lazy.
 */
void fpu_context_switch(struct vcpu *prev, struct vcpu *next)
{
	struct percpu *pc = this_cpu();

	if (prev && pc->fpu_owner == prev) {
		clts();
		save_state(prev);
		pc->fpu_owner = NULL;
	}
	if (next && pc->fpu_owner == next && !next->guest_cr0_ts)
		clts();
	else
		stts();
}

void fpu_set_guest_ts(struct vcpu *v, bool set)
{
	v->guest_cr0_ts = set;
	if (set)
		stts();
	else if (this_cpu()->fpu_owner == v)
		clts();
}

/* The vCPU goes away: forget it as an owner on every CPU. */
void fpu_release(struct vcpu *v)
{
	for (unsigned int i = 0; i < NR_CPUS; i++)
		if (percpu[i].fpu_owner == v)
			percpu[i].fpu_owner = NULL;
}
