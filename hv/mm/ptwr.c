/*
 * Writable page tables (the paper's "ptwr" path): a guest kernel may write
 * its L1 page tables as if they were ordinary memory. They are mapped
 * read-only, so the write faults; if the target is one of the guest's own
 * page tables in use, we decode the instruction (MOV, XCHG, CMPXCHG,
 * AND/OR/XOR or a bit operation, any width, LOCKed or not), compute the
 * entry it would leave, validate that like an mmu_update, and apply it.
 * Any other write keeps its page fault.
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
#define EFLAGS_CF (1UL << 0)
#define EFLAGS_PF (1UL << 2)
#define EFLAGS_ZF (1UL << 6)
#define EFLAGS_SF (1UL << 7)
#define EFLAGS_OF (1UL << 11)

enum ptwr_op { OP_MOV, OP_XCHG, OP_CMPXCHG, OP_AND, OP_OR, OP_XOR,
	       OP_BTS, OP_BTR, OP_BTC };

struct decoded {
	unsigned int len;  /* instruction bytes */
	unsigned int size; /* operand bytes: 1, 2, 4 or 8 */
	enum ptwr_op op;
	u64 *reg;          /* register operand (NULL: immediate) */
	unsigned int reg_shift; /* 8 for AH..BH */
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

static void set_reg_operand(struct cpu_user_regs *regs, u8 modrm, u8 rex,
			    struct decoded *d)
{
	unsigned int r = ((modrm >> 3) & 7) | ((rex & 4) ? 8 : 0);

	/* Without REX, byte registers 4-7 are AH, CH, DH, BH. */
	if (d->size == 1 && !rex && r >= 4) {
		d->reg = regs_gpr(regs, r - 4);
		d->reg_shift = 8;
	} else {
		d->reg = regs_gpr(regs, r);
	}
}

static u64 read_imm(const u8 *p, unsigned int n)
{
	if (n == 1)
		return (u64)(s64)(s8)p[0];
	if (n == 2) {
		s16 v;
		memcpy(&v, p, 2);
		return (u64)(s64)v;
	}
	s32 v;
	memcpy(&v, p, 4);
	return (u64)(s64)v;
}

/*
 * Decode the writes Linux and other PV kernels aim at page tables: MOV,
 * XCHG, CMPXCHG, AND/OR/XOR and BTS/BTR/BTC, of any operand size, with
 * their LOCK, segment and operand-size prefixes. False for anything else.
 */
static bool decode_store(struct cpu_user_regs *regs, const u8 *b,
			 struct decoded *d)
{
	static const enum ptwr_op grp1[8] = { OP_MOV, OP_OR, OP_MOV, OP_MOV,
					      OP_AND, OP_MOV, OP_XOR, OP_MOV };
	unsigned int i = 0, immlen = 0;
	bool opsize16 = false, wide;
	u8 rex = 0, op, modrm;

	memset(d, 0, sizeof(*d));
	while (i < 4 && (b[i] == 0xf0 || b[i] == 0x2e || b[i] == 0x3e ||
			 b[i] == 0x26 || b[i] == 0x36 || b[i] == 0x64 ||
			 b[i] == 0x65 || b[i] == 0x66)) {
		opsize16 |= b[i] == 0x66;
		i++;
	}
	if ((b[i] & 0xf0) == 0x40)
		rex = b[i++];
	op = b[i++];
	if (op == 0x0f)
		op = 0; /* two-byte opcodes below use b[i] */
	wide = op ? (op & 1) : (b[i] & 1) || b[i] == 0xba || b[i] == 0xab ||
				       b[i] == 0xb3 || b[i] == 0xbb;
	d->size = !wide ? 1 : (rex & 8) ? 8 : opsize16 ? 2 : 4;
	switch (op) {
	case 0x88: case 0x89: d->op = OP_MOV; break;
	case 0x86: case 0x87: d->op = OP_XCHG; break;
	case 0x20: case 0x21: d->op = OP_AND; break;
	case 0x08: case 0x09: d->op = OP_OR; break;
	case 0x30: case 0x31: d->op = OP_XOR; break;
	case 0xc6: case 0xc7:
		if ((b[i] >> 3) & 7)
			return false;
		d->op = OP_MOV;
		immlen = d->size == 8 ? 4 : d->size;
		break;
	case 0x80: case 0x81: case 0x83:
		d->op = grp1[(b[i] >> 3) & 7];
		if (d->op == OP_MOV)
			return false; /* ADD, ADC, SBB, SUB, CMP: not for PTEs */
		immlen = op == 0x81 ? (d->size == 8 ? 4 : d->size) : 1;
		break;
	case 0: /* 0f xx */
		switch (b[i++]) {
		case 0xb0: case 0xb1: d->op = OP_CMPXCHG; break;
		case 0xab: d->op = OP_BTS; break;
		case 0xb3: d->op = OP_BTR; break;
		case 0xbb: d->op = OP_BTC; break;
		case 0xba:
			switch ((b[i] >> 3) & 7) {
			case 5: d->op = OP_BTS; break;
			case 6: d->op = OP_BTR; break;
			case 7: d->op = OP_BTC; break;
			default: return false;
			}
			immlen = 1;
			break;
		default:
			return false;
		}
		break;
	default:
		return false;
	}
	modrm = b[i];
	if ((modrm >> 6) == 3)
		return false; /* register destination: not a store */
	d->len = i + 1 + modrm_extra(b + i);
	/* An x86 instruction has at most 15 bytes; b holds 16. */
	if (d->len + immlen > 15)
		return false;
	if (immlen) {
		/* BT* takes an unsigned bit number; the rest sign-extend. */
		d->imm = op == 0 ? b[d->len] : read_imm(b + d->len, immlen);
		d->len += immlen;
	} else {
		set_reg_operand(regs, modrm, rex, d);
	}
	return true;
}

/*
 * The L1 slot mapping va, if it maps one of d's L1 tables read-only. As
 * on Xen, only L1 tables are emulated: a write to a higher level keeps
 * its fault (mmu_update changes those), so no emulated write can start
 * a whole subtree's validation or teardown from a fault handler.
 */
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
	return f && f->owner == v->domain->id && frame_is_page_table(f) &&
	       (f->type_info & PGT_TYPE_MASK) == PGT_L1;
}

static u64 width_mask(unsigned int size)
{
	return size == 8 ? ~0UL : (1UL << (size * 8)) - 1;
}

static u64 operand(const struct decoded *d)
{
	u64 v = d->reg ? *d->reg >> d->reg_shift : d->imm;

	return v & width_mask(d->size);
}

static void set_logic_flags(struct cpu_user_regs *regs, u64 res,
			    unsigned int size)
{
	u64 sign = 1UL << (size * 8 - 1);

	regs->rflags &= ~(EFLAGS_CF | EFLAGS_ZF | EFLAGS_SF | EFLAGS_OF |
			  EFLAGS_PF);
	if (!res)
		regs->rflags |= EFLAGS_ZF;
	if (res & sign)
		regs->rflags |= EFLAGS_SF;
	if (!(__builtin_popcount((unsigned int)(res & 0xff)) & 1))
		regs->rflags |= EFLAGS_PF;
}

/* The operand's new value; false if the instruction leaves it alone. */
static bool compute(struct cpu_user_regs *regs, const struct decoded *d,
		    u64 old, u64 *new)
{
	u64 src = operand(d), bit;

	switch (d->op) {
	case OP_MOV:
	case OP_XCHG:
		*new = src;
		return true;
	case OP_CMPXCHG:
		if (old != (regs->rax & width_mask(d->size))) {
			regs->rflags &= ~EFLAGS_ZF;
			return false;
		}
		regs->rflags |= EFLAGS_ZF;
		*new = src;
		return true;
	case OP_AND: *new = old & src; break;
	case OP_OR: *new = old | src; break;
	case OP_XOR: *new = old ^ src; break;
	default:
		bit = 1UL << (src & (d->size * 8 - 1));
		regs->rflags = (old & bit) ? regs->rflags | EFLAGS_CF :
					     regs->rflags & ~EFLAGS_CF;
		*new = d->op == OP_BTS ? old | bit :
		       d->op == OP_BTR ? old & ~bit : old ^ bit;
		return true;
	}
	set_logic_flags(regs, *new, d->size);
	return true;
}

static void write_back_reg(const struct decoded *d, u64 val)
{
	u64 m = width_mask(d->size) << d->reg_shift;

	if (d->size == 4 && !d->reg_shift)
		*d->reg = val & 0xffffffffUL; /* 32-bit writes zero-extend */
	else
		*d->reg = (*d->reg & ~m) | ((val << d->reg_shift) & m);
}

/*
 * Apply the write as one atomic read-modify-write of the entry: computed
 * from what it holds, written only if it still holds that (another vCPU
 * or the CPU's A/D updates may change it meanwhile), else again.
 */
#define PTWR_RETRIES 64

static bool emulate(struct vcpu *v, struct cpu_user_regs *regs, u64 va,
		    mfn_t table, const struct decoded *d)
{
	unsigned int index = (va & ~PAGE_MASK) >> 3, shift = (va & 7) * 8;
	u64 *slot = (u64 *)__va(table << PAGE_SHIFT) + index;
	u64 m = width_mask(d->size) << shift, cur, old, new;
	u64 flags = regs->rflags; /* compute() sets flags */
	int rc = -EAGAIN;

	if ((va & 7) + d->size > 8)
		return false; /* straddles two entries */
	for (int try = 0; rc == -EAGAIN && try < PTWR_RETRIES; try++) {
		regs->rflags = flags;
		cur = READ_ONCE(*slot);
		old = (cur & m) >> shift;
		rc = 0;
		if (compute(regs, d, old, &new)) {
			u64 entry = (cur & ~m) | ((new << shift) & m);
			if (entry != cur)
				rc = update_pt_entry_if(v->domain, table,
							index, cur, entry);
		}
	}
	if (rc)
		return false; /* refused, or raced every time: #PF stays */
	if (d->op == OP_XCHG || (d->op == OP_CMPXCHG &&
				 !(regs->rflags & EFLAGS_ZF)))
		write_back_reg(d->op == OP_XCHG ? d :
			       &(struct decoded){ .size = d->size,
						   .reg = &regs->rax },
			       old);
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
	    !v->kernel_mode ||
	    !(v->domain->vm_assist & (1UL << VMASST_TYPE_writable_pagetables)))
		return false;
	if (!pt_target(v, cr2, &table))
		return false;
	if (copy_from_guest(insn, regs->rip, sizeof(insn)) ||
	    !decode_store(regs, insn, &d))
		return false;
	return emulate(v, regs, cr2, table, &d);
}
