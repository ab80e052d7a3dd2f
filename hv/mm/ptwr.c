/*
 * Writable page tables (the paper's "ptwr" path): a guest kernel may write
 * its page tables as if they were ordinary memory. They are mapped
 * read-only, so the write faults; if the target is one of the guest's own
 * page tables in use, we decode the instruction (8-byte MOV, XCHG or LOCK
 * CMPXCHG), validate the new entry like an mmu_update, and apply it. Any
 * other write keeps its page fault.
 */
#include <xen/xen.h>
#include "context.h"
#include "guest_access.h"
#include "hypercall.h"
#include "lib.h"
#include "mm.h"
#include "page.h"
#include "ptval.h"
#include "pv.h"

#define PFEC_PRESENT (1U << 0)
#define PFEC_WRITE (1U << 1)
#define EFLAGS_ZF (1UL << 6)

struct decoded {
	unsigned int len; /* instruction bytes */
	u8 op;            /* 0x89 mov, 0xc7 mov imm, 0x87 xchg, 0xb1 cmpxchg */
	u64 *src;         /* register operand */
	u64 imm;
};

/* Bytes taken by a ModRM memory operand (after the ModRM byte). */
static unsigned int modrm_extra(const u8 *p)
{
	u8 modrm = p[0], mod = modrm >> 6, rm = modrm & 7;
	unsigned int n = 0;

	if (rm == 4) { /* SIB */
		n = 1;
		if (mod == 0 && (p[1] & 7) == 5)
			return n + 4;
	} else if (mod == 0 && rm == 5) {
		return 4; /* RIP-relative */
	}
	if (mod == 1)
		n += 1;
	else if (mod == 2)
		n += 4;
	return n;
}

/* Decode a 64-bit store to memory; false if it is anything else. */
static bool decode_store(struct cpu_user_regs *regs, const u8 *b,
			 struct decoded *d)
{
	unsigned int i = 0;
	u8 rex = 0;

	while (i < 4 && (b[i] == 0xf0 || b[i] == 0x2e || b[i] == 0x3e ||
			 b[i] == 0x26 || b[i] == 0x36 || b[i] == 0x64 ||
			 b[i] == 0x65))
		i++;
	if ((b[i] & 0xf0) == 0x40)
		rex = b[i++];
	if (!(rex & 8))
		return false; /* only whole 8-byte entries */
	if (b[i] == 0x0f && b[i + 1] == 0xb1) {
		d->op = 0xb1;
		i += 2;
	} else if (b[i] == 0x89 || b[i] == 0x87 || b[i] == 0xc7) {
		d->op = b[i++];
	} else {
		return false;
	}
	if ((b[i] >> 6) == 3)
		return false; /* register destination: not a store */
	d->src = regs_gpr(regs, ((b[i] >> 3) & 7) | ((rex & 4) ? 8 : 0));
	d->len = i + 1 + modrm_extra(b + i);
	if (d->op == 0xc7) {
		s32 imm;
		if ((b[i] >> 3) & 7)
			return false;
		memcpy(&imm, b + d->len, 4);
		d->imm = (u64)(s64)imm;
		d->len += 4;
	}
	return d->len <= 15;
}

/* The L1 slot mapping va, if it maps one of d's page tables read-only. */
static bool pt_target(struct vcpu *v, u64 va, mfn_t *table)
{
	mfn_t l1;
	unsigned int idx;
	u64 pte;
	struct frame *f;

	if (find_l1_slot(v->guest_table, va, &l1, &idx))
		return false;
	pte = ((u64 *)__va(l1 << PAGE_SHIFT))[idx];
	if (!(pte & _PAGE_PRESENT) || (pte & _PAGE_RW))
		return false;
	*table = (pte & PTE_ADDR_MASK) >> PAGE_SHIFT;
	f = mfn_to_frame(*table);
	return f && f->owner == v->domain->id &&
	       frame_is_page_table(f);
}

static bool emulate(struct vcpu *v, struct cpu_user_regs *regs, u64 va,
		    mfn_t table, const struct decoded *d)
{
	unsigned int index = (va & ~PAGE_MASK) >> 3;
	u64 *slot = (u64 *)__va(table << PAGE_SHIFT) + index;
	u64 cur = READ_ONCE(*slot), val;

	switch (d->op) {
	case 0x89:
	case 0x87:
		val = *d->src;
		break;
	case 0xc7:
		val = d->imm;
		break;
	default: /* cmpxchg: compare RAX with the entry */
		if (cur != regs->rax) {
			regs->rax = cur;
			regs->rflags &= ~EFLAGS_ZF;
			regs->rip += d->len;
			return true;
		}
		val = *d->src;
		break;
	}
	if (update_pt_entry(v->domain, v->domain, table, index, val, false,
			    PTU_PTWR))
		return false;
	if (d->op == 0x87)
		*d->src = cur;
	if (d->op == 0xb1)
		regs->rflags |= EFLAGS_ZF;
	regs->rip += d->len;
	return true;
}

/**
 * pv_handle_page_fault - try to resolve a guest #PF in the hypervisor.
 * Returns true if the faulting instruction was emulated.
 */
bool pv_handle_page_fault(struct vcpu *v, struct cpu_user_regs *regs, u64 cr2)
{
	u8 insn[16];
	struct decoded d;
	mfn_t table;

	/* The CPU sets PFEC.U for the ring-3 guest kernel too: use our mode. */
	if ((regs->error_code & (PFEC_PRESENT | PFEC_WRITE)) !=
		    (PFEC_PRESENT | PFEC_WRITE) ||
	    !v->kernel_mode || (cr2 & 7) ||
	    !(v->domain->vm_assist & (1UL << VMASST_TYPE_writable_pagetables)))
		return false;
	if (!pt_target(v, cr2, &table))
		return false;
	if (copy_from_guest(insn, regs->rip, sizeof(insn)) ||
	    !decode_store(regs, insn, &d))
		return false;
	return emulate(v, regs, cr2, table, &d);
}
