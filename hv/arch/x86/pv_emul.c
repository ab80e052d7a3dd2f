/*
 * Emulation of the privileged instructions a PV guest still executes in
 * ring 3: they fault (#GP, or #UD for the forced-CPUID prefix) and we
 * perform them on the guest's virtual state, as Xen 4.17 does.
 *
 * Guest kernel: RDMSR/WRMSR (pv_msr.c), MOV from CR0/CR2/CR3/CR4, MOV to
 * CR0 (TS only), CR3 and CR4 (no change but DE), MOV to and from DR0-DR7
 * (debugreg.c), CLTS, WBINVD (ignored), XSETBV, CPUID. Kernel and user mode: IN/OUT/INS/OUTS (pv_ioport.c) and CLI/STI
 * as far as the virtual IOPL allows; CLI/STI then do nothing (Xen leaves
 * the event mask to the guest). Anything else, HLT and INVD included,
 * is #GP(0) in the guest: a PV kernel waits with SCHEDOP_block.
 */
#include <xen/version.h>
#include "context.h"
#include "debugreg.h"
#include "guest_access.h"
#include "hypercall.h"
#include "lib.h"
#include "page.h"
#include "pv.h"
#include "ptval.h"
#include "traps.h"
#include "x86.h"

#define XEN_CPUID_BASE 0x40000000U
#define XCR0_AVX512 (7UL << 5) /* opmask, ZMM_Hi256, Hi16_ZMM */
#define AVX512_EBX ((1U << 16) | (1U << 17) | (1U << 21) | (1U << 26) | \
		    (1U << 27) | (1U << 28) | (1U << 30) | (1U << 31))
#define AVX512_ECX ((1U << 1) | (1U << 6) | (1U << 11) | (1U << 12) | \
		    (1U << 14))
#define AVX512_EDX ((1U << 2) | (1U << 3) | (1U << 8) | (1U << 23))

static void set_result(struct cpu_user_regs *r, u32 a, u32 b, u32 c, u32 d)
{
	r->rax = a;
	r->rbx = b;
	r->rcx = c;
	r->rdx = d;
}

/* Xen's hypervisor leaves, as a PV guest sees them. */
static void xen_leaves(u32 leaf, u32 *a, u32 *b, u32 *c, u32 *d)
{
	*a = *b = *c = *d = 0;
	switch (leaf - XEN_CPUID_BASE) {
	case 0:
		*a = XEN_CPUID_BASE + 5;
		*b = 0x566e6558; /* "XenVMMXenVMM" */
		*c = 0x65584d4d;
		*d = 0x4d4d566e;
		break;
	case 1:
		*a = (4U << 16) | 17; /* Xen 4.17 */
		break;
	case 2:
		*a = 1;              /* hypercall pages */
		*b = XEN_CPUID_BASE; /* hypercall page MSR */
		*c = 1;              /* MMU_PT_UPDATE_PRESERVE_AD */
		break;
	case 5:
		*b = 44; /* machine address width: keep grant tables at v1 */
		break;
	}
}

/* The CPU's leaves, minus what a PV guest cannot use. */
void pv_cpuid(struct vcpu *v, u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c,
	      u32 *d)
{
	(void)v;
	if (leaf >= XEN_CPUID_BASE && leaf < XEN_CPUID_BASE + 0x10000) {
		xen_leaves(leaf, a, b, c, d);
		return;
	}
	cpuid_count(leaf, sub, a, b, c, d);
	switch (leaf) {
	case 1:
		*b &= 0x00ffffff; /* initial APIC ID */
		/* DTES64 MONITOR DSCPL VMX SMX EIST TM2 xTPR PDCM PCID DCA
		 * X2APIC TSC_DEADLINE hidden; HYPERVISOR set. */
		*c &= ~((1U << 2) | (1U << 3) | (1U << 4) | (1U << 5) |
			(1U << 6) | (1U << 7) | (1U << 8) | (1U << 14) |
			(1U << 15) | (1U << 17) | (1U << 18) | (1U << 21) |
			(1U << 24));
		*c |= 1U << 31;
		/* OSXSAVE follows whether we run the guest with XSAVE on. */
		if (fpu_has_xsave())
			*c |= 1U << 27;
		else
			*c &= ~((1U << 26) | (1U << 27));
		/* VME PSE MCE MCA MTRR PGE PSE36 DS ACPI TM PBE hidden:
		 * machine checks are the hypervisor's. */
		*d &= ~((1U << 1) | (1U << 3) | (1U << 7) | (1U << 14) |
			(1U << 12) | (1U << 13) |
			(1U << 17) | (1U << 21) | (1U << 22) | (1U << 29) |
			(1U << 31));
		break;
	case 5:
		*a = *b = *c = *d = 0; /* no MONITOR/MWAIT */
		break;
	case 0xa:
		*a = *b = *c = *d = 0; /* no PMU: Xen's vPMU is off */
		break;
	case 7:
		if (sub == 0) {
			/* FSGSBASE TSC_ADJUST SGX SMEP INVPCID MPX SMAP
			 * hidden: segment bases go through the hypervisor. */
			*b &= ~((1U << 0) | (1U << 1) | (1U << 2) | (1U << 7) |
				(1U << 10) | (1U << 14) | (1U << 20));
			/* UMIP PKU OSPKE hidden. */
			*c &= ~((1U << 2) | (1U << 3) | (1U << 4));
			/* AVX-512 only if its state is switched for guests. */
			if ((fpu_xcr0() & XCR0_AVX512) != XCR0_AVX512) {
				*b &= ~AVX512_EBX;
				*c &= ~AVX512_ECX;
				*d &= ~AVX512_EDX;
			}
		}
		break;
	case 0xd:
		/* XSAVE: only the states we save; no supervisor states. */
		if (sub == 0) {
			*a &= (u32)fpu_xcr0();
			*d &= (u32)(fpu_xcr0() >> 32);
			*c = *b; /* size for the enabled states */
		} else if (sub == 1) {
			*a &= ~(1U << 3); /* XSAVES */
			*b = *c = *d = 0;
		} else if (sub >= 2 && sub < 64 && !(fpu_xcr0() & (1UL << sub))) {
			*a = *b = *c = *d = 0;
		}
		break;
	case 0x80000001:
		/* SVM, 1 GiB pages hidden. */
		*c &= ~(1U << 2);
		*d &= ~(1U << 26);
		break;
	}
}

static void emulate_cpuid(struct vcpu *v, struct cpu_user_regs *regs)
{
	u32 a, b, c, d;

	pv_cpuid(v, (u32)regs->rax, (u32)regs->rcx, &a, &b, &c, &d);
	set_result(regs, a, b, c, d);
}

/*
 * "ud2; .ascii \"xen\"; cpuid". With CPUID faulting enabled, user mode
 * gets #GP(0) instead, reported at the CPUID after the signature.
 */
int pv_emulate_forced_cpuid(struct vcpu *v, struct cpu_user_regs *regs)
{
	static const u8 sig[7] = { 0x0f, 0x0b, 'x', 'e', 'n', 0x0f, 0xa2 };
	u8 insn[7];

	if (copy_from_guest(insn, regs->rip, sizeof(insn)) ||
	    memcmp(insn, sig, sizeof(sig)))
		return EMUL_REFUSED;
	if (v->cpuid_faulting && !v->kernel_mode) {
		regs->rip += 5;
		pv_inject_trap(v, regs, TRAP_GP, true, 0);
		return EMUL_RAISED;
	}
	emulate_cpuid(v, regs);
	regs->rip += sizeof(sig);
	return EMUL_DONE;
}

static u64 guest_cr0(struct vcpu *v)
{
	return X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP |
	       X86_CR0_AM | X86_CR0_PG | (v->guest_cr0_ts ? X86_CR0_TS : 0);
}

static u64 guest_cr4(const struct vcpu *v)
{
	/* What the guest may believe is on; PGE/PSE are ours to keep. */
	return (read_cr4() & (X86_CR4_PAE | X86_CR4_OSFXSR |
			      X86_CR4_OSXMMEXCPT | X86_CR4_OSXSAVE)) |
	       (v->cr4_de ? X86_CR4_DE : 0);
}

/* An emulated instruction's length meaning "execute it again". */
#define LEN_AGAIN (~0U)

/* MOV to or from a control register: 0f 20 /r and 0f 22 /r. */
static bool emulate_mov_cr(struct vcpu *v, struct cpu_user_regs *regs,
			   const u8 *p, u8 rex, unsigned int *len)
{
	u8 modrm = p[2];
	unsigned int cr = ((modrm >> 3) & 7) | ((rex & 4) ? 8 : 0);
	u64 *reg = regs_gpr(regs, (modrm & 7) | ((rex & 1) ? 8 : 0));

	if ((modrm >> 6) != 3)
		return false;
	*len = 3;
	if (p[1] == 0x20) {
		switch (cr) {
		case 0:
			*reg = guest_cr0(v);
			return true;
		case 2:
			*reg = v->vcpu_info->arch.cr2;
			return true;
		case 3:
			*reg = (v->kernel_mode ? v->guest_table :
						 v->guest_table_user)
			       << PAGE_SHIFT;
			return true;
		case 4:
			*reg = guest_cr4(v);
			return true;
		}
		return false;
	}
	switch (cr) {
	case 3: {
		/*
		 * A new kernel root table, as MMUEXT_NEW_BASEPTR (Xen does). A
		 * big tree's validation may stop part-way: the instruction is
		 * then executed again (events delivered first) and continues it.
		 */
		int rc;

		local_irq_enable(); /* as for page faults: type work may wait */
		mm_preemptible(true);
		rc = mm_finish_pending(v);
		if (!rc)
			rc = new_baseptr(v, *reg >> PAGE_SHIFT, !v->kernel_mode);
		mm_preemptible(false);
		if (rc == -ERESTART)
			*len = LEN_AGAIN;
		return rc == 0 || rc == -ERESTART;
	}
	case 0:
		/* Only TS may change (fpu_taskswitch in disguise). */
		if ((*reg ^ guest_cr0(v)) & ~X86_CR0_TS)
			return false;
		fpu_set_guest_ts(v, *reg & X86_CR0_TS);
		return true;
	case 4:
		/*
		 * As on Xen, a write never faults: bits the guest does not
		 * control (PGE, FSGSBASE, PCE, ...) are ignored, noted once.
		 * DE is the guest's own (DR4/DR5 aliasing, I/O breakpoints).
		 */
		v->cr4_de = *reg & X86_CR4_DE;
		if (*reg != guest_cr4(v) && !v->domain->cr4_noted) {
			v->domain->cr4_noted = true;
			pr_debug("d%u: CR4 write %#lx ignored (keeps %#lx)\n",
				 v->domain->id, *reg, guest_cr4(v));
		}
		return true;
	}
	return false;
}

/*
 * MOV to or from a debug register: 0f 21 /r and 0f 23 /r (the r/m field
 * is the GPR whatever the mod). A refused value is #GP(0), the original
 * fault; a register that does not exist (DR8+, DR4/5 with CR4.DE) #UD.
 */
static int emulate_mov_dr(struct vcpu *v, struct cpu_user_regs *regs,
			  const u8 *p, u8 rex)
{
	u8 modrm = p[2];
	unsigned int dr = (modrm >> 3) & 7;
	u64 *reg = regs_gpr(regs, (modrm & 7) | ((rex & 1) ? 8 : 0));
	long rc;

	if (rex & 4) {
		rc = -ENODEV;
	} else if (p[1] == 0x21) {
		u64 val;

		rc = pv_read_debugreg(v, dr, &val);
		if (!rc)
			*reg = val;
	} else {
		rc = pv_set_debugreg(v, dr, *reg);
	}
	if (rc == -ENODEV) {
		pv_inject_trap(v, regs, TRAP_UD, false, 0);
		return EMUL_RAISED;
	}
	return rc ? EMUL_REFUSED : EMUL_DONE;
}

static bool emulate_msr(struct vcpu *v, struct cpu_user_regs *regs,
			bool write)
{
	u32 msr = (u32)regs->rcx;
	u64 val;

	if (write) {
		val = (regs->rdx << 32) | (u32)regs->rax;
		return pv_wrmsr(v, msr, val) == 0;
	}
	if (pv_rdmsr(v, msr, &val)) {
		if (!pv_rdmsr_early_fake(v, msr))
			return false;
		if (!v->domain->rdmsr_fake_noted) {
			v->domain->rdmsr_fake_noted = true;
			pr_warn("d%u v%u: faking RDMSR %#x (no #GP handler)\n",
				v->domain->id, v->id, msr);
		}
		val = 0;
	}
	regs->rax = (u32)val;
	regs->rdx = val >> 32;
	return true;
}

/*
 * XSETBV: the hardware XCR0 stays ours (what we save and restore); a
 * guest may "set" XCR0 to a valid subset of it, as Linux does at boot.
 */
static bool emulate_xsetbv(struct cpu_user_regs *regs)
{
	u64 val = (regs->rdx << 32) | (u32)regs->rax;
	u64 allowed = fpu_xcr0();

	if ((u32)regs->rcx != 0 || !allowed || (val & ~allowed) || !(val & 1) ||
	    ((val & 4) && !(val & 2)))
		return false;
	return true;
}

/* Instructions only the guest kernel may have emulated. */
static bool emulate_kernel_op(struct vcpu *v, struct cpu_user_regs *regs,
			      const struct pv_prefixes *px, const u8 *p,
			      unsigned int *len)
{
	if (p[0] != 0x0f)
		return false;
	*len = 2;
	switch (p[1]) {
	case 0x30: /* wrmsr */
	case 0x32: /* rdmsr */
		return emulate_msr(v, regs, p[1] == 0x30);
	case 0x20: /* mov from cr */
	case 0x22: /* mov to cr */
		return emulate_mov_cr(v, regs, p, px->rex, len);
	case 0x09: /* wbinvd: nothing to write back for a domain */
		return true;
	case 0x06: /* clts */
		fpu_set_guest_ts(v, false);
		return true;
	case 0xa2: /* cpuid, trapped by hardware CPUID faulting */
		emulate_cpuid(v, regs);
		return true;
	case 0x01:
		*len = 3;
		return p[2] == 0xd1 && emulate_xsetbv(regs);
	}
	return false;
}

/* Instructions the virtual IOPL governs, in either mode. */
static int emulate_iopl_op(struct vcpu *v, struct cpu_user_regs *regs,
			   const struct pv_prefixes *px, const u8 *p,
			   unsigned int *len)
{
	switch (p[0]) {
	case 0xfa: /* cli */
	case 0xfb: /* sti */
		*len = 1;
		return pv_iopl_ok(v) ? EMUL_DONE : EMUL_REFUSED;
	case 0x6c ... 0x6f: /* ins, outs */
	case 0xe4 ... 0xe7: /* in, out imm8 */
	case 0xec ... 0xef: /* in, out dx */
		return pv_emulate_io(v, regs, px, p, len);
	}
	return EMUL_REFUSED;
}

/*
 * The instruction bytes at rip: those on its page must be readable; the
 * next page may be absent (then zeros, which no instruction we emulate
 * that ends on this page looks at).
 */
static int fetch_insn(u64 rip, u8 *buf, size_t n)
{
	size_t first = MIN(n, PAGE_SIZE - (rip & (PAGE_SIZE - 1)));

	memset(buf, 0, n);
	if (copy_from_guest(buf, rip, first))
		return -EFAULT;
	if (first < n)
		copy_from_guest(buf + first, rip + first, n - first);
	return 0;
}

static bool take_prefix(struct pv_prefixes *px, u8 b)
{
	switch (b) {
	case 0x66:
		px->opsize16 = true;
		return true;
	case 0x67:
		px->addr32 = true;
		return true;
	case 0xf2:
	case 0xf3:
		px->rep = true;
		return true;
	case 0x26:
	case 0x2e:
	case 0x36:
	case 0x3e:
	case 0x64:
	case 0x65:
		px->seg = b;
		return true;
	}
	return false;
}

/**
 * pv_emulate_privileged - try to perform the instruction at the guest's
 * RIP that raised #GP(0). Returns EMUL_DONE (RIP advanced), EMUL_REFUSED
 * (the guest gets the #GP) or EMUL_RAISED (something else was delivered).
 */
int pv_emulate_privileged(struct vcpu *v, struct cpu_user_regs *regs)
{
	u8 buf[16], *p = buf;
	struct pv_prefixes px = { 0 };
	unsigned int len = 0, pfx = 0;
	int rc;

	if (fetch_insn(regs->rip, buf, sizeof(buf)))
		return EMUL_REFUSED;
	while (pfx < 8 && take_prefix(&px, *p))
		p++, pfx++;
	if ((*p & 0xf0) == 0x40) {
		px.rex = *p++;
		pfx++;
	}
	rc = emulate_iopl_op(v, regs, &px, p, &len);
	if (rc == EMUL_REFUSED && p[0] == 0x0f && p[1] == 0xa2 &&
	    !v->kernel_mode && !v->cpuid_faulting) {
		emulate_cpuid(v, regs); /* user CPUID, trapped by hardware */
		len = 2;
		rc = EMUL_DONE;
	} else if (rc == EMUL_REFUSED && v->kernel_mode && p[0] == 0x0f &&
		   (p[1] == 0x21 || p[1] == 0x23)) {
		rc = emulate_mov_dr(v, regs, p, px.rex);
		len = 3;
	} else if (rc == EMUL_REFUSED && v->kernel_mode &&
		   emulate_kernel_op(v, regs, &px, p, &len)) {
		rc = EMUL_DONE;
	}
	if (rc == EMUL_DONE && len != LEN_AGAIN)
		regs->rip += pfx + len;
	return rc;
}
