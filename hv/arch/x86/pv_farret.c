/*
 * QEMU's TCG (7.2 at least) performs the stack reads of a far return
 * (LRET, IRET) executed in ring 3 as supervisor accesses, so with SMAP on
 * such an instruction in a PV guest, whose kernel runs in ring 3 too,
 * faults on its own stack with a supervisor-mode #PF that hardware never
 * raises for ring 3. We recognise that fault, do the pops here and finish
 * the return through our own IRET, which checks the selectors as the CPU
 * would have (a bad one becomes the guest's #GP, see guest_iret_faulted).
 */
#include "guest_access.h"
#include "pv.h"
#include "smap.h"
#include "traps.h"
#include "x86.h"

#define PF_PRESENT (1U << 0)
#define PF_USER (1U << 2)
#define PF_INSN (1U << 4)
/* What IRET in ring 3 (IOPL 0) cannot change. */
#define EFLAGS_KEPT ((3UL << 12) | X86_EFLAGS_IF | (1UL << 17) | (3UL << 19))

/* Pop n stack slots of size bytes from the guest's stack into w. */
static bool pop_slots(u64 rsp, unsigned int n, unsigned int size, u64 *w)
{
	for (unsigned int i = 0; i < n; i++) {
		u64 v = 0;

		if (copy_from_guest(&v, rsp + i * size, size))
			return false;
		w[i] = v;
	}
	return true;
}

bool pv_emulate_far_return(struct vcpu *v, struct cpu_user_regs *regs, u64 cr2)
{
	u32 err = regs->error_code;
	unsigned int size = 4, at = 0, n;
	u8 insn[4];
	u64 w[5];
	u16 imm = 0;

	if (!cpu_has_smap ||
	    (err & (PF_PRESENT | PF_USER | PF_INSN)) != PF_PRESENT ||
	    !guest_range_ok(cr2, 1) ||
	    copy_from_guest(insn, regs->rip, sizeof(insn)))
		return false;
	if ((insn[0] & 0xf0) == 0x40) { /* REX */
		size = insn[0] & 8 ? 8 : 4;
		at = 1;
	}
	switch (insn[at]) {
	case 0xca: /* lret imm16 */
		imm = insn[at + 1] | (insn[at + 2] << 8);
		n = 2;
		break;
	case 0xcb: /* lret */
		n = 2;
		break;
	case 0xcf: /* iret */
		n = 5;
		break;
	default:
		return false;
	}
	if (!pop_slots(regs->rsp, n, size, w))
		return false;
	if ((w[1] & 3) != 3 || (n == 5 && (w[4] & 3) != 3)) {
		/* Inward returns do not exist from ring 3. */
		pv_inject_trap(v, regs, TRAP_GP, true,
			       (u32)((w[1] & 3) != 3 ? w[1] : w[4]) & 0xfffc);
		return true;
	}
	regs->rip = w[0];
	regs->cs = (u16)w[1];
	if (n == 5) {
		regs->rflags = (regs->rflags & EFLAGS_KEPT) |
			       (w[2] & ~EFLAGS_KEPT & 0x3f7fd5UL) | 2;
		regs->rsp = w[3];
		regs->ss = (u16)w[4];
	} else {
		regs->rsp += 2 * size + imm;
	}
	return true;
}
