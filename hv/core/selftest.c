/*
 * Self-tests run at boot when asked for on the command line; the
 * integration tests read their results from the serial log.
 *
 * Timers: every CPU runs a 1 ms periodic timer (re-armed at absolute
 * deadlines) for TIMER_TEST_MS and records how many times it fired, how
 * late, and whether it ever fired before its deadline.
 *
 * crash_test=: faults the hypervisor on purpose, to show that the fatal
 * path reports and halts instead of resetting the machine.
 */
#include "apic.h"
#include "lib.h"
#include "page.h"
#include "percpu.h"
#include "selftest.h"
#include "smp.h"
#include "time.h"
#include "timer.h"
#include "x86.h"

#define TIMER_TEST_MS 500
#define TIMER_PERIOD MILLISECS(1)

const char *const crash_test_names[] = {
	"none", "de",	     "ud",		   "gp",		 "pf",
	"df",	"bug",	     "early_pf",	   "stack_overflow",
	"nmi_stack_overflow", "smap", "smep", "write_text", "exec_data", "write_text_alias", NULL
};

struct tick_test {
	struct timer timer;
	u64 deadline, first, last; /* ns */
	u64 end;
	u64 fired, early, late_sum, late_max;
	volatile bool done;
};

static struct tick_test tick_tests[NR_CPUS];

static void tick(void *data)
{
	struct tick_test *tt = data;
	u64 now = NOW();

	if (now < tt->deadline)
		tt->early++;
	else {
		u64 late = now - tt->deadline;
		tt->late_sum += late;
		tt->late_max = MAX(tt->late_max, late);
	}
	if (!tt->fired)
		tt->first = now;
	tt->last = now;
	tt->fired++;
	tt->deadline += TIMER_PERIOD;
	if (tt->deadline <= tt->end)
		set_timer(&tt->timer, tt->deadline);
	else
		tt->done = true;
}

static void start_tick_test(void *arg)
{
	struct tick_test *tt = &tick_tests[smp_processor_id()];
	u64 start = *(u64 *)arg;

	memset(tt, 0, sizeof(*tt));
	timer_init(&tt->timer, tick, tt, smp_processor_id());
	tt->deadline = start;
	tt->end = start + MILLISECS(TIMER_TEST_MS) - TIMER_PERIOD;
	set_timer(&tt->timer, tt->deadline);
}

static void report_tick_test(unsigned int cpu, const struct tick_test *tt)
{
	u64 expected = MILLISECS(TIMER_TEST_MS) / TIMER_PERIOD;
	/* Rate over the measured span between the first and last tick. */
	u64 span = tt->last - tt->first;
	u64 rate_milli = span ? (tt->fired - 1) * 1000000000000ULL / span : 0;
	u64 avg = tt->fired ? tt->late_sum / tt->fired : 0;

	printk("selftest: timer CPU%u: %lu of %lu ticks, rate %lu.%03lu Hz "
	       "(programmed 1000 Hz), late avg %lu us max %lu us, early %lu\n",
	       cpu, tt->fired, expected, rate_milli / 1000, rate_milli % 1000,
	       avg / 1000, tt->late_max / 1000, tt->early);
}

void selftest_timers(void)
{
	u64 start = NOW() + MILLISECS(5), wait_end;

	printk("selftest: timers: 1 ms period for %u ms on each CPU\n",
	       TIMER_TEST_MS);
	smp_call_function(start_tick_test, &start, true);
	start_tick_test(&start);
	wait_end = start + MILLISECS(TIMER_TEST_MS) + SECONDS(2);
	for_each_online_cpu (pc) {
		/* Spin, not halt: another CPU's result wakes nothing here. */
		while (!tick_tests[pc->id].done && NOW() < wait_end)
			cpu_relax();
		report_tick_test(pc->id, &tick_tests[pc->id]);
	}
}

static volatile int zero;
unsigned int crash_probe_armed;
/* A "ret" in data: executable only if data is. */
static u8 data_ret[16] = { 0xc3 };

/*
 * The smap_probe guest asks: touch its memory the way no hypervisor code
 * may, outside the copy helpers. With SMAP (SMEP) this must fault.
 */
void crash_guest_probe(struct cpu_user_regs *regs)
{
	printk("crash_test: guest probe at %#lx (guest RFLAGS.AC %s)\n",
	       regs->rip, regs->rflags & X86_EFLAGS_AC ? "set" : "clear");
	if (crash_probe_armed == CRASH_SMAP) {
		u64 v = *(volatile u64 *)regs->rsp;
		printk("crash_test: read %#lx from the guest's stack at %#lx "
		       "directly: no SMAP fault\n",
		       v, regs->rsp);
	} else {
		((void (*)(void))regs->rax)();
		printk("crash_test: ran guest code at %#lx in the hypervisor: "
		       "no SMEP fault\n",
		       regs->rax);
	}
}
static volatile u64 recurse_limit = ~0UL;
bool crash_nmi_recurse;

/* 256 bytes a frame, and work after the call: no tail call, no loop. */
static __attribute__((noinline)) u64 recurse(u64 depth)
{
	volatile u8 pad[240];

	pad[0] = (u8)depth;
	if (depth == recurse_limit)
		return 0;
	return recurse(depth + 1) + pad[0];
}

/* Overflow whatever stack this runs on. */
void crash_recurse(void)
{
	printk("crash_test: recursing on the stack at %p\n",
	       __builtin_frame_address(0));
	recurse(0);
}

void crash_test(unsigned int which)
{
	printk("crash_test: causing %s on purpose\n", crash_test_names[which]);
	switch (which) {
	case CRASH_DE:
		/* In asm: the compiler may turn 1/x into a compare. */
		asm volatile("divl %0" : : "r"(zero), "a"(1), "d"(0));
		break;
	case CRASH_UD:
		asm volatile("ud2");
		break;
	case CRASH_GP:
		/* A non-canonical address. */
		(void)*(volatile u64 *)0x8000000000000000UL;
		break;
	case CRASH_PF:
	case CRASH_EARLY_PF:
		(void)*(volatile u64 *)0x400000000000UL; /* never mapped */
		break;
	case CRASH_DF:
		/* No usable stack: the #PF cannot be delivered, #DF on IST. */
		asm volatile("movq $0xdead000, %%rsp; int3" : : : "memory");
		break;
	case CRASH_BUG:
		BUG_ON(which == CRASH_BUG);
		break;
	case CRASH_STACK_OVERFLOW:
		crash_recurse();
		break;
	case CRASH_SMAP:
	case CRASH_SMEP:
		printk("crash_test: waiting for the smap_probe guest\n");
		crash_probe_armed = which;
		return;
	case CRASH_WRITE_TEXT:
		*(volatile u8 *)crash_test = 0xc3;
		break;
	case CRASH_WRITE_TEXT_ALIAS:
		*(volatile u8 *)__va(__pa(crash_test)) = 0xc3;
		break;
	case CRASH_EXEC_DATA:
		((void (*)(void))data_ret)();
		break;
	case CRASH_NMI_STACK_OVERFLOW:
		WRITE_ONCE(crash_nmi_recurse, true);
		apic_send_nmi(this_cpu()->apic_id);
		udelay(1000000);
		break;
	}
	panic("crash_test: %s did not fault", crash_test_names[which]);
}
