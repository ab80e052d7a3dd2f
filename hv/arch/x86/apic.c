/*
 * The local APIC (xAPIC, memory-mapped): per-CPU enable, EOI, IPIs, and
 * the one-shot timer. The timer uses TSC-deadline mode when the CPU has it;
 * otherwise the one-shot count mode, with the count rate measured against
 * the TSC at boot.
 */
#include "apic.h"
#include "lib.h"
#include "page.h"
#include "percpu.h"
#include "time.h"
#include "traps.h"
#include "x86.h"

#define APIC_ID 0x020
#define APIC_VERSION 0x030
#define APIC_TPR 0x080
#define APIC_EOI 0x0b0
#define APIC_SVR 0x0f0
#define APIC_ESR 0x280
#define APIC_ICR_LO 0x300
#define APIC_ICR_HI 0x310
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_TIMER_INIT 0x380
#define APIC_TIMER_CUR 0x390
#define APIC_TIMER_DIV 0x3e0

#define SVR_ENABLE (1U << 8)
#define LVT_MASKED (1U << 16)
#define LVT_TSC_DEADLINE (2U << 17)
#define ICR_BUSY (1U << 12)
#define ICR_LEVEL_ASSERT (1U << 14)
#define ICR_FIXED (0U << 8)
#define ICR_NMI (4U << 8)
#define ICR_INIT (5U << 8)
#define ICR_STARTUP (6U << 8)
#define ICR_ALL_BUT_SELF (3U << 18)
#define TIMER_DIV_1 0xb

bool apic_tsc_deadline;
u64 apic_timer_hz;
static volatile u32 *apic_regs;

static u32 apic_read(u32 reg)
{
	return apic_regs[reg / 4];
}

static void apic_write(u32 reg, u32 v)
{
	apic_regs[reg / 4] = v;
}

void apic_map(u64 base)
{
	u64 msr = rdmsr(MSR_APIC_BASE);
	u32 a, b, c, d;

	if ((msr & PTE_ADDR_MASK & ~0xfffUL) != base)
		pr_warn("APIC: MSR base %#lx differs from ACPI %#lx\n",
			msr & ~0xfffUL, base);
	apic_regs = ioremap(base, PAGE_SIZE);
	BUG_ON(!apic_regs);
	cpuid(1, &a, &b, &c, &d);
	apic_tsc_deadline = c & (1U << 24);
}

u32 apic_read_id(void)
{
	return apic_read(APIC_ID) >> 24;
}

static void apic_error(struct cpu_user_regs *regs)
{
	u32 esr;

	(void)regs;
	apic_write(APIC_ESR, 0);
	esr = apic_read(APIC_ESR);
	apic_eoi();
	pr_warn("APIC error on CPU %u: ESR %#x\n", smp_processor_id(), esr);
}

/* Enable this CPU's APIC with every local interrupt masked but ours. */
void apic_setup_cpu(void)
{
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1UL << 11));
	apic_write(APIC_TPR, 0);
	apic_write(APIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
	apic_write(APIC_LVT_LINT0, LVT_MASKED);
	apic_write(APIC_LVT_LINT1, LVT_MASKED);
	apic_write(APIC_LVT_ERROR, VEC_APIC_ERROR);
	apic_write(APIC_ESR, 0);
	apic_write(APIC_TIMER_DIV, TIMER_DIV_1);
	apic_write(APIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	set_vector_handler(VEC_APIC_ERROR, apic_error);
	apic_eoi();
}

void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

static void apic_icr(u32 dest, u32 lo)
{
	u64 f = local_irq_save();

	for (int i = 0; i < 1000000 && (apic_read(APIC_ICR_LO) & ICR_BUSY); i++)
		cpu_relax();
	apic_write(APIC_ICR_HI, dest << 24);
	apic_write(APIC_ICR_LO, lo);
	local_irq_restore(f);
}

void apic_send_ipi(u32 apic_id, u8 vector)
{
	apic_icr(apic_id, ICR_FIXED | vector);
}

void apic_send_ipi_allbutself(u8 vector)
{
	apic_icr(0, ICR_ALL_BUT_SELF | ICR_FIXED | vector);
}

void apic_nmi_others(void)
{
	if (apic_regs)
		apic_icr(0, ICR_ALL_BUT_SELF | ICR_NMI | ICR_LEVEL_ASSERT);
}

void apic_send_nmi(u32 apic_id)
{
	apic_icr(apic_id, ICR_NMI | ICR_LEVEL_ASSERT);
}

void apic_send_init(u32 apic_id)
{
	apic_icr(apic_id, ICR_INIT | ICR_LEVEL_ASSERT);
}

void apic_send_startup(u32 apic_id, u8 page)
{
	apic_icr(apic_id, ICR_STARTUP | page);
}

u32 apic_timer_count(void)
{
	return apic_read(APIC_TIMER_CUR);
}

/*
 * The timer's LVT entry as this CPU last wrote it: arming the timer (at
 * every guest timer change) rewrites it only when the mode changes. An
 * APIC register write is an emulated MMIO access, slow under TCG.
 */
static u32 lvt_timer_written[NR_CPUS];

static void set_lvt_timer(u32 v)
{
	u32 *last = &lvt_timer_written[smp_processor_id()];

	if (*last != v) {
		apic_write(APIC_LVT_TIMER, v);
		*last = v;
	}
}

void apic_timer_start_count(u32 count)
{
	set_lvt_timer(LVT_MASKED | VEC_TIMER);
	apic_write(APIC_TIMER_INIT, count);
}

/* Arm the timer for an absolute TSC value; 0 stops it. */
void apic_timer_arm(u64 deadline)
{
	u64 now, ticks;

	if (!deadline) {
		set_lvt_timer(LVT_MASKED | VEC_TIMER);
		apic_write(APIC_TIMER_INIT, 0);
		if (apic_tsc_deadline)
			wrmsr(MSR_TSC_DEADLINE, 0);
		return;
	}
	if (apic_tsc_deadline) {
		set_lvt_timer(LVT_TSC_DEADLINE | VEC_TIMER);
		wrmsr(MSR_TSC_DEADLINE, deadline);
		return;
	}
	now = rdtsc();
	ticks = deadline > now ? tsc_delta_to_apic(deadline - now) : 1;
	set_lvt_timer(VEC_TIMER); /* one-shot */
	apic_write(APIC_TIMER_INIT, (u32)MIN(MAX(ticks, 1UL), 0xffffffffUL));
}
