/*
 * Debug registers of PV guests, with Xen 4.17's rules:
 *  - DR0-DR3 may hold any address a guest may use (below the canonical
 *    hole or above the hypervisor's slots), else -EPERM;
 *  - DR6 and DR7 take 32 bits (-EINVAL above), their reserved bits are
 *    forced; DR7.GD is refused (-EPERM); an I/O breakpoint (RW = 10b)
 *    needs the guest's CR4.DE (-EPERM without) and is kept aside, never
 *    loaded into the CPU: the port I/O we emulate checks it
 *    (io_breakpoint_hits) and raises #DB after the instruction;
 *  - DR4/DR5 alias DR6/DR7 unless CR4.DE is set (then -ENODEV, a #UD
 *    for MOV), as does any other register number.
 * A vCPU with no breakpoint enabled costs nothing at a context switch.
 * A #DB taken in the hypervisor (a guest watchpoint on memory we copy
 * to or from, or a #DB delayed past SYSCALL by MOV SS) is noted and
 * ignored, as Xen 4.17 does: it runs on its own IST stack.
 */
#include "context.h"
#include "debugreg.h"
#include "errno.h"
#include "lib.h"
#include "percpu.h"
#include "pv.h"
#include "sched.h"
#include "traps.h"

#define DR_RW_IO 2U
#define EFLAGS_TF (1UL << 8)

#define write_dr(n, val) asm volatile("mov %0, %%db" #n : : "r"((u64)(val)))
#define read_dr(n)                                             \
	({                                                     \
		u64 v_;                                        \
		asm volatile("mov %%db" #n ", %0" : "=r"(v_)); \
		v_;                                            \
	})

static bool dr_addr_ok(u64 a)
{
	return a < 0x0000800000000000UL || a >= HV_RESERVED_END;
}

static void write_addr_dr(unsigned int reg, u64 value)
{
	switch (reg) {
	case 0:
		write_dr(0, value);
		break;
	case 1:
		write_dr(1, value);
		break;
	case 2:
		write_dr(2, value);
		break;
	case 3:
		write_dr(3, value);
		break;
	}
}

/* Load v's breakpoints; DR7 only if one is enabled (the caller's job). */
static void activate(const struct vcpu *v)
{
	write_dr(0, v->debugreg[0]);
	write_dr(1, v->debugreg[1]);
	write_dr(2, v->debugreg[2]);
	write_dr(3, v->debugreg[3]);
	write_dr(6, v->debugreg[6]);
	if (v->debugreg[7] & DR7_ACTIVE)
		write_dr(7, v->debugreg[7]);
}

/* Which enables of value name I/O breakpoints; -EPERM without CR4.DE. */
static long io_enables(const struct vcpu *v, u64 value, u32 *io)
{
	*io = 0;
	for (unsigned int bp = 0; bp < 4; bp++) {
		if (((value >> (16 + bp * 4)) & 3) != DR_RW_IO)
			continue;
		if (!v->cr4_de)
			return -EPERM;
		*io |= value & (3U << (bp * 2));
	}
	return 0;
}

/*
 * The I/O breakpoints of v that an access of size bytes at port meets:
 * their DR6 bits (B0-B3). The CPU never sees them (set_dr7 keeps their
 * enables in dr7_emul), so port I/O that we emulate checks them, as on
 * Xen.
 */
u32 io_breakpoint_hits(const struct vcpu *v, u16 port, unsigned int size)
{
	static const u8 width[4] = { 1, 2, 8, 4 }; /* by DR7's LEN field */
	u32 hits = 0;

	if (!v->dr7_emul || !v->cr4_de)
		return 0;
	for (unsigned int bp = 0; bp < 4; bp++) {
		u64 ctl = v->debugreg[7] >> (16 + bp * 4);
		u64 start = v->debugreg[bp];

		if (!(v->dr7_emul & (3U << (bp * 2))) || (ctl & 3) != DR_RW_IO)
			continue;
		if (start < (u64)port + size &&
		    start + width[(ctl >> 2) & 3] > port)
			hits |= 1U << bp;
	}
	return hits;
}

static long set_dr7(struct vcpu *v, u64 value)
{
	bool live = v == current;
	u32 io = 0;
	long rc;

	if (value >> 32)
		return -EINVAL;
	value = (value & ~DR7_ZEROS) | DR7_DEFAULT;
	if (value & DR7_GD)
		return -EPERM;
	if (value & DR7_ACTIVE) {
		rc = io_enables(v, value, &io);
		if (rc)
			return rc;
		value &= ~(u64)io;
		/* Not loaded at the switch to v: load them now. */
		if (live && !(v->debugreg[7] & DR7_ACTIVE))
			activate(v);
	}
	v->dr7_emul = io;
	v->debugreg[7] = value;
	if (live)
		write_dr(7, value);
	return 0;
}

/**
 * pv_set_debugreg - the guest's write of value to DRreg (hypercall or
 * MOV). Returns 0, -EPERM or -EINVAL (#GP for MOV), -ENODEV (#UD).
 */
long pv_set_debugreg(struct vcpu *v, unsigned int reg, u64 value)
{
	switch (reg) {
	case 0 ... 3:
		if (!dr_addr_ok(value))
			return -EPERM;
		v->debugreg[reg] = value;
		if (v == current)
			write_addr_dr(reg, value);
		return 0;
	case 4:
	case 6:
		if (reg == 4 && v->cr4_de)
			return -ENODEV;
		if (value >> 32)
			return -EINVAL;
		value = (value & ~DR6_ZEROS) | DR6_DEFAULT;
		v->debugreg[6] = value;
		if (v == current)
			write_dr(6, value);
		return 0;
	case 5:
	case 7:
		if (reg == 5 && v->cr4_de)
			return -ENODEV;
		return set_dr7(v, value);
	}
	return -ENODEV;
}

/* The guest's read of DRreg: 0, or -ENODEV (#UD for MOV). */
int pv_read_debugreg(const struct vcpu *v, unsigned int reg, u64 *value)
{
	if ((reg == 4 || reg == 5) && v->cr4_de)
		return -ENODEV;
	switch (reg) {
	case 0 ... 3:
		*value = v->debugreg[reg];
		return 0;
	case 4:
	case 6:
		*value = v->debugreg[6];
		return 0;
	case 5:
	case 7:
		*value = v->debugreg[7] | v->dr7_emul;
		return 0;
	}
	return -ENODEV;
}

/*
 * A new context's debug registers (VCPUOP_initialise, setvcpucontext):
 * from the defaults, each value as set_debugreg takes it; one it refuses
 * is dropped, not the context, as on Xen. @dr: DR0-DR7 (4, 5 unused).
 */
void pv_debugregs_from_context(struct vcpu *v, const u64 *dr)
{
	for (unsigned int i = 0; i < 4; i++)
		v->debugreg[i] = 0;
	v->debugreg[6] = DR6_DEFAULT;
	v->debugreg[7] = DR7_DEFAULT;
	v->dr7_emul = 0;
	for (unsigned int i = 0; i < 8; i++)
		if (i != 4 && i != 5)
			pv_set_debugreg(v, i, dr[i]);
}

long do_set_debugreg(int reg, u64 value)
{
	return pv_set_debugreg(current, (unsigned int)reg, value);
}

long do_get_debugreg(int reg)
{
	u64 value;

	if (pv_read_debugreg(current, (unsigned int)reg, &value))
		return -ENODEV;
	return (long)value;
}

/*
 * Breakpoints off when leaving a vCPU that has any (and its DR6 status
 * gone from the CPU), on when entering one; nothing otherwise.
 */
void debugregs_switch(struct vcpu *prev, struct vcpu *next)
{
	if (prev && (prev->debugreg[7] & DR7_ACTIVE)) {
		write_dr(7, 0);
		write_dr(6, DR6_DEFAULT);
	}
	if (next && (next->debugreg[7] & DR7_ACTIVE))
		activate(next);
}

/*
 * A #DB in the hypervisor. Data breakpoints are traps and a single step
 * of ours cannot happen (SYSCALL clears TF): note it and go on. An
 * instruction breakpoint would fire again at once, so, as on Xen, all
 * breakpoints go off until the next switch to a vCPU with some.
 */
static void debug_in_hypervisor(struct cpu_user_regs *regs, u64 dr6)
{
	struct vcpu *v = current;
	u64 dr7 = read_dr(7);

	if (regs->rflags & EFLAGS_TF)
		regs->rflags &= ~EFLAGS_TF;
	for (unsigned int bp = 0; bp < 4; bp++) {
		if ((dr6 & (1UL << bp)) && (dr7 & (3UL << (bp * 2))) &&
		    !((dr7 >> (16 + bp * 4)) & 3)) {
			pr_warn("CPU %u: instruction breakpoint hit in the "
				"hypervisor; breakpoints off\n",
				smp_processor_id());
			write_dr(7, 0);
			break;
		}
	}
	if (v && !v->domain->db_noted) {
		v->domain->db_noted = true;
		pr_warn("d%u v%u: #DB in hypervisor context at %#lx, rsp "
			"%#lx, dr6 %#lx: ignored\n",
			v->domain->id, v->id, regs->rip, regs->rsp, dr6);
	}
}

/* On the primary stack, with the guest's frame in place: deliver it. */
static void __noreturn debug_trap_from_guest(void)
{
	pv_inject_trap(current, guest_regs(), TRAP_DB, false, 0);
	reset_stack_and_jump(return_to_guest);
}

/*
 * #DB, on its own IST stack. From the guest: its status goes into the
 * guest's DR6 (new bits accumulate, as Xen 4.17 merges them), and its
 * frame moves to the primary stack's top, where every trap from the
 * guest lies, so that the delivery (which may schedule) runs there.
 */
void do_debug(struct cpu_user_regs *regs)
{
	u64 dr6 = read_dr(6);
	struct vcpu *v = current;

	write_dr(6, DR6_DEFAULT);
	if (!regs_from_guest(regs) || !v) {
		debug_in_hypervisor(regs, dr6);
		return;
	}
	v->debugreg[6] |= dr6 & ~DR6_DEFAULT;
	v->debugreg[6] &= dr6 | ~DR6_DEFAULT;
	/* The IST frame ends at SS: the fields above it are not ours. */
	memcpy(guest_regs(), regs, offsetof(struct cpu_user_regs, es));
	reset_stack_and_jump(debug_trap_from_guest);
}
