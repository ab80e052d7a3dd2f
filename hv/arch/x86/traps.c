/*
 * The IDT and the first-level handling of every vector. A fault taken in
 * the hypervisor itself is fatal: we print the registers and a stack trace
 * and stop the machine cleanly. #DF, NMI and #MC run on IST stacks so that
 * even a fault with a broken stack is reported rather than triple-faulting.
 */
#include "apic.h"
#include "context.h"
#include "debugreg.h"
#include "lib.h"
#include "panic.h"
#include "pv.h"
#include "percpu.h"
#include "sched.h"
#include "selftest.h"
#include "stacks.h"
#include "traps.h"
#include "x86.h"

struct idt_gate {
	u16 off_lo;
	u16 sel;
	u8 ist;
	u8 type;
	u16 off_mid;
	u32 off_hi;
	u32 reserved;
} __packed;

#define GATE_INTR_DPL0 0x8e
#define GATE_INTR_DPL3 0xee

extern char entry_stubs_start[];
extern char cpu0_stack_area[];

#define PF_PRESENT (1U << 0)
#define PF_WRITE (1U << 1)
#define PF_INSN (1U << 4)
static struct idt_gate idt[256] __aligned(16);
static vector_handler_t handlers[256];

static const char *const names[32] = {
	"#DE divide error",
	"#DB debug",
	"NMI",
	"#BP breakpoint",
	"#OF overflow",
	"#BR bound range",
	"#UD invalid opcode",
	"#NM device not available",
	"#DF double fault",
	"coprocessor segment overrun",
	"#TS invalid TSS",
	"#NP segment not present",
	"#SS stack fault",
	"#GP general protection",
	"#PF page fault",
	"reserved 15",
	"#MF x87 error",
	"#AC alignment check",
	"#MC machine check",
	"#XM SIMD error",
	"#VE virtualization",
	"#CP control protection",
};

const char *trap_name(unsigned int vec)
{
	if (vec < 32)
		return names[vec] ? names[vec] : "reserved";
	return "interrupt";
}

static void set_gate_dpl(unsigned int vec, unsigned int ist, u8 type)
{
	u64 addr = (u64)entry_stubs_start + vec * 16;
	struct idt_gate *g = &idt[vec];

	g->off_lo = addr & 0xffff;
	g->sel = HV_CS;
	g->ist = ist;
	g->type = type;
	g->off_mid = (addr >> 16) & 0xffff;
	g->off_hi = addr >> 32;
	g->reserved = 0;
}

static void set_gate(unsigned int vec, unsigned int ist)
{
	set_gate_dpl(vec, ist, GATE_INTR_DPL0);
}

void traps_init(void)
{
	for (unsigned int v = 0; v < 256; v++)
		set_gate(v, 0);
	/* IST numbers are 1-based indexes into tss.ist[]. */
	set_gate(TRAP_DF, IST_DF + 1);
	set_gate(TRAP_NMI, IST_NMI + 1);
	set_gate(TRAP_MC, IST_MC + 1);
	/*
	 * #DB too: a guest's MOV SS delays one past its SYSCALL, to our
	 * first instruction, still on the guest's stack (do_debug).
	 */
	set_gate(TRAP_DB, IST_DB + 1);
	/* int3 and into from ring 3 (the guest) arrive as themselves. */
	set_gate_dpl(TRAP_BP, 0, GATE_INTR_DPL3);
	set_gate_dpl(TRAP_OF, 0, GATE_INTR_DPL3);
}

void load_idt(void)
{
	struct {
		u16 limit;
		u64 base;
	} __packed idtr = { sizeof(idt) - 1, (u64)idt };
	asm volatile("lidt %0" : : "m"(idtr));
}

void set_vector_handler(unsigned int vec, vector_handler_t fn)
{
	handlers[vec & 255] = fn;
}

void dump_registers(const struct cpu_user_regs *r)
{
	printk("----[ Xenolith  CPU %u ]----\n", smp_processor_id());
	printk("RIP:    %04x:[<%016lx>] %s", r->cs, r->rip,
	       symbol_lookup(r->rip, NULL) ? "" : "(unknown)");
	{
		u64 off;
		const char *s = symbol_lookup(r->rip, &off);
		if (s)
			printk("%s+%#lx", s, off);
	}
	printk("\nRFLAGS: %016lx\n", r->rflags);
	printk("rax: %016lx   rbx: %016lx   rcx: %016lx\n", r->rax, r->rbx,
	       r->rcx);
	printk("rdx: %016lx   rsi: %016lx   rdi: %016lx\n", r->rdx, r->rsi,
	       r->rdi);
	printk("rbp: %016lx   rsp: %016lx   r8:  %016lx\n", r->rbp, r->rsp,
	       r->r8);
	printk("r9:  %016lx   r10: %016lx   r11: %016lx\n", r->r9, r->r10,
	       r->r11);
	printk("r12: %016lx   r13: %016lx   r14: %016lx\n", r->r12, r->r13,
	       r->r14);
	printk("r15: %016lx   cr0: %016lx   cr4: %016lx\n", r->r15, read_cr0(),
	       read_cr4());
	printk("cr3: %016lx   cr2: %016lx\n", read_cr3(), read_cr2());
	printk("ss: %04x   cs: %04x   error code: %#x   vector: %u\n", r->ss,
	       r->cs, r->error_code, r->entry_vector);
}

/*
 * Walk the frame-pointer chain, staying inside the mapped stack that holds
 * rbp (the trace of a fault on an IST stack stops where that stack ends).
 */
void show_stack_trace(u64 rbp)
{
	struct stack_place where;
	u64 lo = 0, hi = 0;

	if (stack_place(rbp, &where) && !where.guard) {
		lo = where.lo;
		hi = where.hi;
	} else if (rbp >= (u64)cpu0_stack_area &&
		   rbp < (u64)cpu0_stack_area + BOOT_STACK_SIZE + STACK_SIZE) {
		/* The boot CPU's first stack, before start_boot left it. */
		hi = ((u64)cpu0_stack_area + BOOT_STACK_SIZE + STACK_SIZE - 1) &
		     ~(STACK_SIZE - 1);
		lo = hi - BOOT_STACK_SIZE;
	}
	printk("Call trace:\n");
	for (int depth = 0; depth < 32; depth++) {
		u64 *frame = (u64 *)rbp, off;
		const char *s;

		if (rbp < lo || rbp + 16 > hi || (rbp & 7))
			break;
		s = symbol_lookup(frame[1], &off);
		printk("   [<%016lx>] %s+%#lx\n", frame[1], s ? s : "?",
		       s ? off : 0);
		if (frame[0] <= rbp)
			break;
		rbp = frame[0];
	}
}

/* Which protection a #PF in the hypervisor ran into. */
static void report_page_fault(const struct cpu_user_regs *regs)
{
	u64 cr2 = read_cr2(), cr4 = read_cr4();
	u32 err = regs->error_code;
	/* Guest memory: mapped present, outside the hypervisor's slots. */
	bool user_page = (err & PF_PRESENT) &&
			 (cr2 < HV_RESERVED_START || cr2 >= HV_RESERVED_END);
	const char *why = "";

	if ((err & PF_INSN) && user_page && (cr4 & X86_CR4_SMEP))
		why = " (SMEP: the hypervisor fetched an instruction from a "
		      "guest (user) page)";
	else if ((err & PF_INSN) && (err & PF_PRESENT))
		why = " (NX: instruction fetch from a non-executable page)";
	else if (user_page && (cr4 & X86_CR4_SMAP) &&
		 !(regs->rflags & X86_EFLAGS_AC))
		why = " (SMAP: the hypervisor touched a guest (user) page "
		      "outside the copy helpers)";
	else if ((err & PF_WRITE) && (err & PF_PRESENT))
		why = " (write to a read-only page)";
	printk("Faulting linear address (cr2): %016lx, %s %s%s\n", cr2,
	       err & PF_PRESENT ? "protection" : "not present",
	       err & PF_INSN ? "fetch" : err & PF_WRITE ? "write" : "read",
	       why);
}

/*
 * A stack overflow shows as a #PF on a guard page that could not be
 * delivered on the same stack, hence a #DF (on its own IST stack): name
 * the stack if the faulting %rsp or cr2 lies in a guard.
 */
static void report_stack_overflow(const struct cpu_user_regs *regs)
{
	struct stack_place where;
	u64 addr = regs->rsp;

	if (!stack_place(addr, &where) || !where.guard) {
		addr = read_cr2();
		if (!stack_place(addr, &where) || !where.guard)
			return;
	}
	printk("STACK OVERFLOW: %#lx is in the guard page below CPU %u's %s "
	       "stack (%#lx-%#lx)\n",
	       addr, where.cpu, where.stack, where.lo, where.hi);
}

static void __noreturn fatal_trap(struct cpu_user_regs *regs)
{
	unsigned int vec = regs->entry_vector;

	panic_begin();
	printk("\n*** FATAL TRAP: vector %u, %s, in the hypervisor ***\n", vec,
	       trap_name(vec));
	if (vec == TRAP_PF)
		report_page_fault(regs);
	report_stack_overflow(regs);
	dump_registers(regs);
	show_stack_trace(regs->rbp);
	panic_end("fatal trap %u (%s) on CPU %u", vec, trap_name(vec),
		  smp_processor_id());
}

static void do_nmi(struct cpu_user_regs *regs)
{
	if (panic_in_progress())
		panic_park_cpu();
	if (READ_ONCE(crash_nmi_recurse))
		crash_recurse(); /* crash_test=nmi_stack_overflow */
	printk("NMI received on CPU %u (RIP %#lx), ignored\n",
	       smp_processor_id(), regs->rip);
}

/*
 * Instructions allowed to fault on guest memory (see usercopy.S) resume
 * at their fixup address instead.
 */
struct ex_entry {
	u64 insn, fixup;
};
extern const struct ex_entry __start_ex_table[], __stop_ex_table[];

static bool search_fixup(struct cpu_user_regs *regs)
{
	for (const struct ex_entry *e = __start_ex_table; e < __stop_ex_table;
	     e++) {
		if (e->insn == regs->rip) {
			regs->rip = e->fixup;
			return true;
		}
	}
	return false;
}

/*
 * The IRETQ that leaves for a guest faulted on the state the guest asked
 * for: a CS or SS selector it cannot have (iret hypercall), or, on Intel
 * CPUs, a non-canonical RIP. As on Xen, the guest takes that #GP, #NP or
 * #SS as if it had happened at the iret's target; anything else there
 * crashes the domain. Either way the hypervisor goes on.
 * The faulting IRETQ is the one whose stack is the guest frame at the top
 * of this CPU's stack; the registers were the guest's by then.
 */
static bool guest_iret_faulted(struct cpu_user_regs *regs)
{
	struct cpu_user_regs *g = &get_cpu_info()->guest_regs;
	struct vcpu *v = current;
	unsigned int vec = regs->entry_vector;
	u32 err = regs->error_code;
	const u8 *insn = (const u8 *)regs->rip;

	if (regs->rsp != (u64)&g->rip || !v || insn[0] != 0x48 ||
	    insn[1] != 0xcf)
		return false;
	/* Our frame overlaps the guest's saved registers: move them back. */
	memmove(g, regs, offsetof(struct cpu_user_regs, error_code));
	g->entry_vector = vec;
	g->error_code = err;
	if (vec == TRAP_GP || vec == TRAP_NP || vec == TRAP_SS) {
		pv_inject_trap(v, g, vec, true, err);
	} else {
		pr_warn("d%u v%u: %s returning to %04x:%#lx, ss %04x\n",
			v->domain->id, v->id, trap_name(vec), g->cs, g->rip,
			g->ss);
		domain_crash(v->domain, "exception while returning to it");
	}
	reset_stack_and_jump(return_to_guest);
}

void do_entry(struct cpu_user_regs *regs)
{
	unsigned int vec = regs->entry_vector;

	if (vec == TRAP_NMI) {
		do_nmi(regs);
		return;
	}
	/* Before any fixup: a watchpoint trap is no fault of the copy. */
	if (vec == TRAP_DB) {
		do_debug(regs);
		return;
	}
	if (vec < 32) {
		if (regs_from_guest(regs)) {
			pv_handle_guest_trap(regs);
			return;
		}
		if (search_fixup(regs) || guest_iret_faulted(regs))
			return;
		fatal_trap(regs);
	}
	this_cpu()->irqs++;
	if (handlers[vec]) {
		handlers[vec](regs);
		return;
	}
	if (vec != VEC_SPURIOUS) {
		pr_warn("CPU %u: unexpected interrupt vector %#x\n",
			smp_processor_id(), vec);
		apic_eoi();
	}
}
