/*
 * Hypercall dispatch: RAX holds the number, RDI RSI RDX R10 R8 R9 the
 * arguments, and the result goes back in RAX. A handler that must finish
 * later rewinds RIP over the SYSCALL (see hypercall_preempt) so that the
 * guest issues it again; each call is then a bounded amount of work.
 */
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/version.h>
#include "context.h"
#include "control.h"
#include "guest_access.h"
#include "grant.h"
#include "hypercall.h"
#include "lib.h"
#include "percpu.h"
#include "pv.h"
#include "sched.h"
#include "time.h"

/* Each entry adapts the six argument registers to its handler's types. */
typedef long (*hypercall_fn)(const u64 *a);

#define HC(name, call)                                  \
	static long hc_##name(const u64 *a)            \
	{                                              \
		(void)a;                               \
		return call;                           \
	}

HC(set_trap_table, do_set_trap_table(a[0]))
HC(mmu_update, do_mmu_update(a[0], (unsigned int)a[1], a[2], (unsigned int)a[3]))
HC(set_gdt, do_set_gdt(a[0], (unsigned int)a[1]))
HC(stack_switch, do_stack_switch(a[0], a[1]))
HC(set_callbacks, do_set_callbacks(a[0], a[1], a[2]))
HC(fpu_taskswitch, do_fpu_taskswitch((int)a[0]))
HC(set_debugreg, do_set_debugreg((int)a[0], a[1]))
HC(get_debugreg, do_get_debugreg((int)a[0]))
HC(update_descriptor, do_update_descriptor(a[0], a[1]))
HC(memory_op, do_memory_op((int)a[0], a[1]))
HC(multicall, do_multicall(a[0], (unsigned int)a[1]))
HC(update_va_mapping, do_update_va_mapping(a[0], a[1], a[2]))
HC(set_timer_op, do_set_timer_op(a[0]))
HC(xen_version, do_xen_version((int)a[0], a[1]))
HC(console_io, do_console_io((int)a[0], (unsigned int)a[1], a[2]))
HC(vm_assist, do_vm_assist((unsigned int)a[0], (unsigned int)a[1]))
HC(update_va_mapping_otherdomain,
   do_update_va_mapping_otherdomain(a[0], a[1], a[2], (unsigned int)a[3]))
HC(iret, do_iret())
HC(vcpu_op, do_vcpu_op((int)a[0], (unsigned int)a[1], a[2]))
HC(set_segment_base, do_set_segment_base((unsigned int)a[0], a[1]))
HC(mmuext_op, do_mmuext_op(a[0], (unsigned int)a[1], a[2], (unsigned int)a[3]))
HC(sched_op, do_sched_op((int)a[0], a[1]))
HC(callback_op, do_callback_op((int)a[0], a[1]))
HC(event_channel_op, do_event_channel_op((int)a[0], a[1]))
HC(physdev_op, do_physdev_op((int)a[0], a[1]))
HC(grant_table_op, do_grant_table_op((unsigned int)a[0], a[1], (unsigned int)a[2]))
HC(hvm_op, do_hvm_op(a[0], a[1]))
HC(sysctl, do_sysctl(a[0]))
HC(domctl, do_domctl(a[0]))

#define ENTRY(name) [__HYPERVISOR_##name] = hc_##name

static const hypercall_fn table[NR_HYPERCALLS] = {
	ENTRY(set_trap_table),
	ENTRY(mmu_update),
	ENTRY(set_gdt),
	ENTRY(stack_switch),
	ENTRY(set_callbacks),
	ENTRY(fpu_taskswitch),
	ENTRY(set_debugreg),
	ENTRY(get_debugreg),
	ENTRY(update_descriptor),
	ENTRY(memory_op),
	ENTRY(multicall),
	ENTRY(update_va_mapping),
	ENTRY(set_timer_op),
	ENTRY(xen_version),
	ENTRY(console_io),
	ENTRY(vm_assist),
	ENTRY(update_va_mapping_otherdomain),
	ENTRY(iret),
	ENTRY(vcpu_op),
	ENTRY(set_segment_base),
	ENTRY(mmuext_op),
	ENTRY(sched_op),
	ENTRY(callback_op),
	ENTRY(event_channel_op),
	ENTRY(physdev_op),
	ENTRY(grant_table_op),
	ENTRY(hvm_op),
	ENTRY(sysctl),
	ENTRY(domctl),
};

static bool in_multicall[NR_CPUS];
/* A call inside a multicall that stopped part-way, and how it resumes. */
static bool mc_preempted[NR_CPUS];
static u64 mc_args[NR_CPUS][4];

/*
 * Should a long hypercall stop here and continue later? When another
 * vCPU should run here, or, as on Xen, when the caller itself has an
 * event to take (its timer must not wait for the end of a long call).
 */
bool hypercall_preempt_check(void)
{
	const struct vcpu_info *vi = current->vcpu_info;

	/* vcpu_info: none yet for a vCPU past the legacy 32 that has
	 * not registered one. */
	return this_cpu()->need_resched ||
	       (vi && READ_ONCE(vi->evtchn_upcall_pending) &&
		!READ_ONCE(vi->evtchn_upcall_mask));
}

/*
 * Make the guest re-issue hypercall nr with new arguments: its RIP goes
 * back over the SYSCALL, and RAX is set to nr instead of a result. Inside
 * a multicall the new arguments go to the batch's entry instead, and the
 * multicall continues itself from that entry (as Xen does).
 */
long hypercall_continue(unsigned int nr, u64 a1, u64 a2, u64 a3, u64 a4)
{
	unsigned int cpu = smp_processor_id();
	struct cpu_user_regs *regs;

	if (in_multicall[cpu]) {
		mc_args[cpu][0] = a1;
		mc_args[cpu][1] = a2;
		mc_args[cpu][2] = a3;
		mc_args[cpu][3] = a4;
		mc_preempted[cpu] = true;
		return nr;
	}
	regs = guest_regs();
	regs->rip -= 2;
	regs->rdi = a1;
	regs->rsi = a2;
	regs->rdx = a3;
	regs->r10 = a4;
	return nr;
}

/*
 * Per-hypercall counts and time (all domains, all CPUs), shown and reset
 * by the keyhandler's 'p': where a guest's hypercall time goes. A
 * multicall's time includes its entries'.
 */
static u64 hc_count[NR_HYPERCALLS], hc_tsc[NR_HYPERCALLS];
bool opt_hcstats; /* command line "hcstats": off, the path stays lean */

#define NAME(name) [__HYPERVISOR_##name] = #name
static const char *const hc_names[NR_HYPERCALLS] = {
	NAME(set_trap_table), NAME(mmu_update), NAME(set_gdt),
	NAME(stack_switch), NAME(set_callbacks), NAME(fpu_taskswitch),
	NAME(set_debugreg), NAME(get_debugreg), NAME(update_descriptor),
	NAME(memory_op), NAME(multicall), NAME(update_va_mapping),
	NAME(set_timer_op), NAME(xen_version), NAME(console_io),
	NAME(grant_table_op), NAME(vm_assist),
	NAME(update_va_mapping_otherdomain), NAME(iret), NAME(vcpu_op),
	NAME(set_segment_base), NAME(mmuext_op), NAME(sched_op),
	NAME(callback_op), NAME(event_channel_op), NAME(physdev_op),
	NAME(hvm_op), NAME(sysctl), NAME(domctl),
};

#define NR_MMUEXT 22
static u64 mx_count[NR_MMUEXT], mx_tsc[NR_MMUEXT];

#define MXNAME(name) [MMUEXT_##name] = #name
static const char *const mx_names[NR_MMUEXT] = {
	MXNAME(PIN_L1_TABLE), MXNAME(PIN_L2_TABLE), MXNAME(PIN_L3_TABLE),
	MXNAME(PIN_L4_TABLE), MXNAME(UNPIN_TABLE), MXNAME(NEW_BASEPTR),
	MXNAME(TLB_FLUSH_LOCAL), MXNAME(INVLPG_LOCAL), MXNAME(TLB_FLUSH_MULTI),
	MXNAME(INVLPG_MULTI), MXNAME(TLB_FLUSH_ALL), MXNAME(INVLPG_ALL),
	MXNAME(FLUSH_CACHE), MXNAME(SET_LDT), MXNAME(NEW_USER_BASEPTR),
	MXNAME(CLEAR_PAGE), MXNAME(COPY_PAGE),
};

void mmuext_stats_add(unsigned int cmd, u64 tsc)
{
	if (cmd >= NR_MMUEXT)
		return;
	__atomic_fetch_add(&mx_count[cmd], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&mx_tsc[cmd], tsc, __ATOMIC_RELAXED);
}

/* Print the non-zero rows of one table of counts and times; reset them. */
static void show_counts(const char *prefix, const char *const *names,
			u64 *count, u64 *tsc, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		u64 c = __atomic_exchange_n(&count[i], 0, __ATOMIC_RELAXED);
		u64 t = __atomic_exchange_n(&tsc[i], 0, __ATOMIC_RELAXED);
		if (c)
			printk("  %s%-*s %10lu %8lu ns\n", prefix,
			       30 - (int)strlen(prefix),
			       names[i] ? names[i] : "?", c,
			       tsc_to_ns(t / c));
	}
}

void hypercall_stats_show(void)
{
	if (!opt_hcstats) {
		printk("hypercall statistics are off (boot with hcstats)\n");
		return;
	}
	printk("hypercalls since the last 'p': name, count, mean time\n");
	sched_latency_show(hc_names, NR_HYPERCALLS);
	show_counts("", hc_names, hc_count, hc_tsc, NR_HYPERCALLS);
	show_counts("mmuext.", mx_names, mx_count, mx_tsc, NR_MMUEXT);
}

static long call(struct vcpu *v, u64 nr, const u64 *a)
{
	u64 t0;
	long rc;

	if (nr >= NR_HYPERCALLS || !table[nr]) {
		pr_debug("d%u: unknown hypercall %lu\n", v->domain->id, nr);
		return -ENOSYS;
	}
	if (!opt_hcstats)
		return table[nr](a);
	t0 = rdtsc();
	this_cpu()->hc_nr = nr + 1;
	rc = table[nr](a);
	this_cpu()->hc_nr = 0;
	__atomic_fetch_add(&hc_count[nr], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&hc_tsc[nr], rdtsc() - t0, __ATOMIC_RELAXED);
	return rc;
}

void hypercall_dispatch(struct vcpu *v, struct cpu_user_regs *regs)
{
	u64 args[6] = { regs->rdi, regs->rsi, regs->rdx,
			regs->r10, regs->r8,  regs->r9 };
	u64 nr = regs->rax;
	long rc;

	rc = call(v, nr, args);
	/* iret wrote the guest's registers itself; its result is rax. A
	 * continuation leaves rax = nr (the call's return value is nr). */
	regs->rax = (u64)rc;
}

/*
 * multicall (13): run a batch; each entry's result is written back. It is
 * preemptible between entries, and an entry that stops part-way (a long
 * mmu_update, say) gets its resume arguments written into its entry; the
 * guest then re-issues the multicall from that entry on.
 */
long do_multicall(u64 list, unsigned int nr)
{
	struct vcpu *v = current;
	unsigned int cpu = smp_processor_id();

	if (nr > 4096)
		return -EINVAL;
	for (unsigned int i = 0; i < nr; i++) {
		struct multicall_entry e;
		u64 addr = list + (u64)i * sizeof(e);

		if (i && hypercall_preempt_check())
			return hypercall_continue(__HYPERVISOR_multicall, addr,
						  nr - i, 0, 0);
		if (copy_from_guest(&e, addr, sizeof(e)))
			return -EFAULT;
		/* No nesting, and iret makes no sense inside a batch. */
		if (e.op == __HYPERVISOR_multicall || e.op == __HYPERVISOR_iret) {
			e.result = (u64)-EINVAL;
		} else {
			in_multicall[cpu] = true;
			mc_preempted[cpu] = false;
			e.result = (u64)call(v, e.op, e.args);
			in_multicall[cpu] = false;
			if (mc_preempted[cpu]) {
				memcpy(e.args, mc_args[cpu], sizeof(mc_args[0]));
				if (copy_to_guest(addr, &e, sizeof(e)))
					return -EFAULT;
				return hypercall_continue(__HYPERVISOR_multicall,
							  addr, nr - i, 0, 0);
			}
		}
		if (put_guest(e.result, addr + offsetof(struct multicall_entry,
							result)))
			return -EFAULT;
		if (v->domain->is_shutdown)
			break;
	}
	return 0;
}
