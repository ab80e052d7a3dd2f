/*
 * Starting the secondary CPUs (INIT, then two STARTUP IPIs, as the MP
 * specification describes). Each CPU gets its own stack block, cpu_info,
 * GDT, TSS and IDT, enables its APIC and timers, and idles.
 */
#include "acpi.h"
#include "apic.h"
#include "context.h"
#include "sched.h"
#include "lib.h"
#include "mm.h"
#include "page.h"
#include "percpu.h"
#include "smap.h"
#include "smp.h"
#include "stacks.h"
#include "time.h"
#include "timer.h"
#include "traps.h"
#include "x86.h"

extern char trampoline_start[], trampoline_end[];
extern u32 tramp_cr3, tramp_efer;
extern u64 tramp_stack, tramp_entry;
void ap_start64(void);
void start_secondary(void);

struct percpu percpu[NR_CPUS];
unsigned int nr_cpus_online;
unsigned int nr_cpus_present;

static void init_cpu_info(struct percpu *pc, void *stack)
{
	struct cpu_info *ci;

	pc->stack = stack;
	ci = get_cpu_info_of(pc);
	ci->percpu = pc;
	ci->id = pc->id;
	ci->magic = CPU_INFO_MAGIC;
}

/*
 * The boot CPU leaves its boot stack for its guarded block and continues
 * in fn there.
 */
void __noreturn smp_prepare_boot_cpu(void (*fn)(void))
{
	struct percpu *pc = &percpu[0];
	void *stack = stack_alloc(0);

	BUG_ON(!stack);
	pc->id = 0;
	init_cpu_info(pc, stack);
	traps_init();
	cpu_desc_init(pc);
	switch_stack_and_call((u64)get_cpu_info_of(pc) & ~15UL, fn);
}

/* Where the trampoline's variables live once it is copied low. */
static void *tramp_var(void *sym)
{
	return __va(TRAMPOLINE_PADDR + ((char *)sym - trampoline_start));
}

static void copy_trampoline(void)
{
	u64 efer = EFER_LME | (cpu_has_nx ? EFER_NXE : 0);

	memcpy(__va(TRAMPOLINE_PADDR), trampoline_start,
	       trampoline_end - trampoline_start);
	*(u32 *)tramp_var(&tramp_cr3) = (u32)__pa(idle_l4);
	*(u32 *)tramp_var(&tramp_efer) = (u32)efer;
	*(u64 *)tramp_var(&tramp_entry) = (u64)ap_start64;
}

static bool wait_online(struct percpu *pc, u64 us)
{
	u64 end = NOW() + MICROSECS(us);

	while (NOW() < end)
		if (READ_ONCE(pc->online))
			return true;
	return READ_ONCE(pc->online);
}

static int boot_one_cpu(unsigned int id, u32 apic_id)
{
	struct percpu *pc = &percpu[id];
	void *stack = stack_alloc(id);

	if (!stack)
		return -ENOMEM;
	pc->id = id;
	pc->apic_id = apic_id;
	init_cpu_info(pc, stack);
	*(u64 *)tramp_var(&tramp_stack) = (u64)get_cpu_info_of(pc) & ~15UL;
	smp_mb();

	apic_send_init(apic_id);
	udelay(10000);
	for (int tries = 0; tries < 2 && !READ_ONCE(pc->online); tries++) {
		apic_send_startup(apic_id, TRAMPOLINE_PADDR >> PAGE_SHIFT);
		if (wait_online(pc, tries ? 2000000 : 200))
			break;
	}
	if (!pc->online) {
		stack_free(id);
		return -ETIMEDOUT;
	}
	return 0;
}

void smp_boot_cpus(unsigned int max_cpus)
{
	u32 me = apic_read_id();
	unsigned int next = 1;

	percpu[0].apic_id = me;
	percpu[0].online = true;
	nr_cpus_online = 1;
	nr_cpus_present = acpi.nr_cpus ? acpi.nr_cpus : 1;
	copy_trampoline();
	for (unsigned int i = 0; i < acpi.nr_cpus; i++) {
		u32 apic_id = acpi.cpu_apic_id[i];
		int rc;

		if (apic_id == me)
			continue;
		if (next >= max_cpus || next >= NR_CPUS) {
			printk("smp: CPU with APIC ID %u left offline "
			       "(maxcpus=%u)\n",
			       apic_id, max_cpus);
			continue;
		}
		rc = boot_one_cpu(next, apic_id);
		if (rc) {
			pr_err("smp: CPU with APIC ID %u did not start (%d)\n",
			       apic_id, rc);
			continue;
		}
		next++;
	}
}

/* C entry of a secondary CPU, on its own stack. */
void start_secondary(void)
{
	struct percpu *pc = this_cpu();

	cpu_desc_init(pc);
	cpu_protect_init();
	write_cr4(read_cr4() | X86_CR4_PGE);
	apic_setup_cpu();
	timers_init_cpu();
	sched_init_cpu();
	context_init_cpu();
	smp_mb();
	__atomic_fetch_add(&nr_cpus_online, 1, __ATOMIC_SEQ_CST);
	WRITE_ONCE(pc->online, true);
	printk("CPU %u online (APIC ID %u)\n", pc->id, pc->apic_id);
	local_irq_enable();
	schedule();
}
