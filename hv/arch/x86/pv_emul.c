/*
 * Emulation of the privileged instructions a PV guest kernel still
 * executes in ring 3: they fault (#GP, or #UD for the forced-CPUID
 * prefix) and we perform them on the guest's virtual state.
 *
 * Supported: WRMSR/RDMSR (a small set, #GP for the rest), MOV from
 * CR0/CR2/CR3/CR4, MOV to CR0 (TS only) and CR4 (no change), CPUID via
 * "ud2; .ascii \"xen\"; cpuid", WBINVD (ignored), HLT (= block), and
 * IN/OUT (pv_ioport.c). Anything else gets #GP in the guest.
 */
#include <xen/sched.h>
#include <xen/version.h>
#include "context.h"
#include "guest_access.h"
#include "hypercall.h"
#include "lib.h"
#include "page.h"
#include "pv.h"
#include "sched.h"
#include "traps.h"
#include "x86.h"

#define XEN_CPUID_BASE 0x40000000U
#define XEN_MSR_PAT 0x0000050100070406UL
#define MSR_IA32_TSC 0x10
#define MSR_IA32_PLATFORM_ID 0x17
#define MSR_IA32_FEATURE_CONTROL 0x3a
#define MSR_IA32_UCODE_REV 0x8b
#define MSR_IA32_MISC_ENABLE 0x1a0
#define MSR_IA32_PAT 0x277
#define MSR_IA32_PERF_CAPABILITIES 0x345

#define XCR0_AVX512 (7UL << 5) /* opmask, ZMM_Hi256, Hi16_ZMM */
#define AVX512_EBX ((1U << 16) | (1U << 17) | (1U << 21) | (1U << 26) | \
		    (1U << 27) | (1U << 28) | (1U << 30) | (1U << 31))
#define AVX512_ECX ((1U << 1) | (1U << 6) | (1U << 11) | (1U << 12) | \
		    (1U << 14))
#define AVX512_EDX ((1U << 2) | (1U << 3) | (1U << 8) | (1U << 23))

static bool canonical(u64 a)
{
	return (u64)((s64)(a << 16) >> 16) == a;
}

int pv_rdmsr(struct vcpu *v, u32 msr, u64 *val)
{
	switch (msr) {
	case MSR_FS_BASE:
		*val = rdmsr(MSR_FS_BASE);
		return 0;
	case MSR_GS_BASE:
		*val = rdmsr(MSR_GS_BASE);
		return 0;
	case MSR_SHADOW_GS_BASE:
		*val = rdmsr(MSR_SHADOW_GS_BASE);
		return 0;
	case MSR_EFER:
		*val = rdmsr(MSR_EFER) & (EFER_SCE | EFER_LME | (1UL << 10) |
					  EFER_NXE);
		return 0;
	case MSR_APIC_BASE:
		*val = 0xfee00800UL | (v->id == 0 ? 0x100 : 0);
		return 0;
	case MSR_IA32_PAT:
		*val = XEN_MSR_PAT;
		return 0;
	case MSR_IA32_TSC:
		*val = rdtsc();
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*val = (1UL << 11) | (1UL << 12); /* BTS/PEBS unavailable */
		return 0;
	case MSR_IA32_PLATFORM_ID:
	case MSR_IA32_UCODE_REV:
	case MSR_IA32_FEATURE_CONTROL:
	case MSR_IA32_PERF_CAPABILITIES:
		*val = 0;
		return 0;
	}
	return -EPERM;
}

int pv_wrmsr(struct vcpu *v, u32 msr, u64 val)
{
	switch (msr) {
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_SHADOW_GS_BASE:
		if (!canonical(val))
			return -EINVAL;
		wrmsr(msr, val);
		if (msr == MSR_SHADOW_GS_BASE && v->kernel_mode)
			v->gs_base_user = val;
		return 0;
	case MSR_EFER:
		/* Only a write of the current value. */
		{
			u64 cur;
			pv_rdmsr(v, MSR_EFER, &cur);
			return val == cur ? 0 : -EINVAL;
		}
	case MSR_IA32_MISC_ENABLE:
	case MSR_IA32_PAT:
		return 0; /* ignored, as on Xen */
	}
	return -EPERM;
}

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

bool pv_emulate_forced_cpuid(struct vcpu *v, struct cpu_user_regs *regs)
{
	static const u8 sig[7] = { 0x0f, 0x0b, 'x', 'e', 'n', 0x0f, 0xa2 };
	u8 insn[7];
	u32 a, b, c, d;

	if (copy_from_guest(insn, regs->rip, sizeof(insn)) ||
	    memcmp(insn, sig, sizeof(sig)))
		return false;
	pv_cpuid(v, (u32)regs->rax, (u32)regs->rcx, &a, &b, &c, &d);
	set_result(regs, a, b, c, d);
	regs->rip += sizeof(sig);
	return true;
}

static u64 guest_cr0(struct vcpu *v)
{
	return X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP |
	       X86_CR0_AM | X86_CR0_PG | (v->guest_cr0_ts ? X86_CR0_TS : 0);
}

static u64 guest_cr4(void)
{
	/* What the guest may believe is on; PGE/PSE are ours to keep. */
	return read_cr4() & (X86_CR4_PAE | X86_CR4_OSFXSR |
			     X86_CR4_OSXMMEXCPT | X86_CR4_OSXSAVE);
}

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
			*reg = guest_cr4();
			return true;
		}
		return false;
	}
	switch (cr) {
	case 3:
		/* A new kernel root table, as MMUEXT_NEW_BASEPTR (Xen does). */
		return new_baseptr(v, *reg >> PAGE_SHIFT, !v->kernel_mode) == 0;
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
		 */
		if (*reg != guest_cr4() && !v->domain->cr4_noted) {
			v->domain->cr4_noted = true;
			pr_debug("d%u: CR4 write %#lx ignored (keeps %#lx)\n",
				 v->domain->id, *reg, guest_cr4());
		}
		return true;
	}
	return false;
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
	if (pv_rdmsr(v, msr, &val))
		return false;
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

/**
 * pv_emulate_privileged - try to perform the instruction at the guest's
 * RIP that raised #GP(0). Returns true if it was emulated (RIP advanced).
 */
bool pv_emulate_privileged(struct vcpu *v, struct cpu_user_regs *regs)
{
	u8 buf[16], *p = buf, rex = 0;
	bool opsize16 = false;
	unsigned int len = 0, pfx = 0;
	bool ok = false;

	if (copy_from_guest(buf, regs->rip, sizeof(buf)))
		return false;
	/* Prefixes: operand size, then REX. */
	while (pfx < 4 && (*p == 0x66 || *p == 0xf3 || *p == 0xf2)) {
		opsize16 |= *p == 0x66;
		p++, pfx++;
	}
	if ((*p & 0xf0) == 0x40) {
		rex = *p++;
		pfx++;
	}
	switch (p[0]) {
	case 0x0f:
		if (p[1] == 0x30 || p[1] == 0x32) {
			ok = emulate_msr(v, regs, p[1] == 0x30);
			len = 2;
		} else if (p[1] == 0x20 || p[1] == 0x22) {
			ok = emulate_mov_cr(v, regs, p, rex, &len);
		} else if (p[1] == 0x09 || p[1] == 0x08) { /* wbinvd, invd */
			ok = true;
			len = 2;
		} else if (p[1] == 0x01 && p[2] == 0xd1) { /* xsetbv */
			ok = emulate_xsetbv(regs);
			len = 3;
		} else if (p[1] == 0x06) { /* clts */
			fpu_set_guest_ts(v, false);
			ok = true;
			len = 2;
		}
		break;
	case 0xfa: /* cli */
	case 0xfb: /* sti */
		/*
		 * The event mask stands in for IF, for a kernel whose
		 * virtual IOPL allows it (Linux sets 1 at boot), as Xen does.
		 */
		if (!v->kernel_mode || v->iopl < 1)
			break;
		v->vcpu_info->evtchn_upcall_mask = p[0] == 0xfa;
		ok = true;
		len = 1;
		break;
	case 0xf4: /* hlt: the guest waits for an event */
		do_sched_op(SCHEDOP_block, 0);
		ok = true;
		len = 1;
		break;
	case 0xe4: case 0xe5: case 0xe6: case 0xe7:
	case 0xec: case 0xed: case 0xee: case 0xef:
		ok = pv_emulate_io(v, regs, p[0], p, opsize16, &len);
		break;
	}
	if (ok)
		regs->rip += pfx + len;
	return ok;
}
