/*
 * The MSRs a PV guest sees through emulated RDMSR/WRMSR, as Xen 4.17
 * shows them (msr.c's guest_rdmsr/guest_wrmsr, then emul-priv-op.c):
 * a fixed set with virtual or filtered values; any other MSR is #GP, on
 * read and on write (PAT, for one, is read-only). One exception, as on Xen: a read before the guest
 * has a #GP handler gives 0 if the real MSR exists (Linux reads some
 * very early, expecting a fault it could not take yet).
 *
 * CPUID faulting is offered (MSR_PLATFORM_INFO bit 31) to domains U when
 * the CPU has it, as on Xen; a guest that enables it in its virtual
 * MSR_MISC_FEATURES_ENABLES gets #GP for CPUID in its user mode (the
 * forced-emulation CPUID here; plain CPUID needs the hardware to trap).
 */
#include <xen/xen.h>
#include "domain.h"
#include "errno.h"
#include "lib.h"
#include "percpu.h"
#include "pv.h"
#include "traps.h"
#include "x86.h"

#define MSR_IA32_TSC 0x10
#define MSR_IA32_PLATFORM_ID 0x17
#define MSR_IA32_FEATURE_CONTROL 0x3a
#define MSR_IA32_UCODE_REV 0x8b
#define MSR_PLATFORM_INFO 0xce
#define MSR_MISC_FEATURES_ENABLES 0x140
#define MSR_IA32_MISC_ENABLE 0x1a0
#define MSR_IA32_PAT 0x277
#define MSR_IA32_PERF_CAPABILITIES 0x345
#define XEN_MSR_PAT 0x0000050100070406UL

#define FEATURE_CONTROL_LOCK (1UL << 0)
#define PLATFORM_INFO_CPUID_FAULTING (1UL << 31)
#define MISC_FEATURES_CPUID_FAULTING (1UL << 0)
/* MISC_ENABLE: PERF_AVAIL and MONITOR hidden; no BTS, no PEBS, no xTPR. */
#define MISC_ENABLE_HIDDEN ((1UL << 7) | (1UL << 18))
#define MISC_ENABLE_FORCED ((1UL << 11) | (1UL << 12) | (1UL << 23))

enum vendor { V_OTHER, V_INTEL, V_AMD, V_HYGON, V_CENTAUR, V_SHANGHAI };

static enum vendor host_vendor(void)
{
	u32 a, b, c, d;

	cpuid(0, &a, &b, &c, &d);
	if (b == 0x756e6547) /* "GenuineIntel" */
		return V_INTEL;
	if (b == 0x68747541) /* "AuthenticAMD" */
		return V_AMD;
	if (b == 0x6f677948) /* "HygonGenuine" */
		return V_HYGON;
	if (b == 0x746e6543) /* "CentaurHauls" */
		return V_CENTAUR;
	if (b == 0x68532020) /* "  Shanghai  " */
		return V_SHANGHAI;
	return V_OTHER;
}

/* Intel-style CPUID faulting on this CPU (Xen's cpu_has_cpuid_faulting). */
bool host_has_cpuid_faulting(void)
{
	static int known = -1;
	u64 info, misc;

	if (known < 0)
		known = host_vendor() == V_INTEL &&
			!rdmsr_safe(MSR_PLATFORM_INFO, &info) &&
			(info & PLATFORM_INFO_CPUID_FAULTING) &&
			!rdmsr_safe(MSR_MISC_FEATURES_ENABLES, &misc);
	return known;
}

/* Xen keeps faulting off for a PV control domain (dom0-cpuid=faulting). */
static bool faulting_offered(const struct domain *d)
{
	return !d->privileged && host_has_cpuid_faulting();
}

/*
 * On a CPU with CPUID faulting, Xen has every CPUID of a PV domain U
 * trap (and emulates it: pv_emul.c), kernel mode included; a control
 * domain runs without. Called on each switch to a vCPU.
 */
void pv_cpuid_faulting_switch(const struct vcpu *next)
{
	static bool on[NR_CPUS];
	unsigned int cpu = smp_processor_id();
	bool want = next && faulting_offered(next->domain);
	u64 v;

	if (!next || on[cpu] == want || !host_has_cpuid_faulting())
		return;
	v = rdmsr(MSR_MISC_FEATURES_ENABLES) & ~MISC_FEATURES_CPUID_FAULTING;
	wrmsr(MSR_MISC_FEATURES_ENABLES,
	      v | (want ? MISC_FEATURES_CPUID_FAULTING : 0));
	on[cpu] = want;
}

/* Xen's vPMU is off by default: its counters read 0, writes are dropped. */
static bool vpmu_msr(u32 msr)
{
	switch (host_vendor()) {
	case V_INTEL:
		return (msr >= 0xc1 && msr <= 0xc8) || /* PERFCTR0-7 */
		       (msr >= 0x186 && msr <= 0x189) || /* EVNTSEL0-3 */
		       (msr >= 0x309 && msr <= 0x30b) || /* FIXED_CTR0-2 */
		       (msr >= 0x38d && msr <= 0x390); /* FIXED_CTR_CTRL.. */
	case V_AMD:
	case V_HYGON:
		return (msr >= 0xc0010000 && msr <= 0xc0010007) ||
		       (msr >= 0xc0010200 && msr <= 0xc001020b);
	default:
		return false;
	}
}

static bool intel_like(void)
{
	enum vendor v = host_vendor();

	return v == V_INTEL || v == V_CENTAUR || v == V_SHANGHAI;
}

/* MSRs whose value comes from the CPU; -EPERM where Xen gives #GP. */
static int host_msr(u32 msr, u64 *val)
{
	enum vendor v = host_vendor();

	switch (msr) {
	case MSR_IA32_PLATFORM_ID:
		if (v != V_INTEL)
			return -EPERM;
		break;
	case MSR_IA32_UCODE_REV:
		if (v != V_INTEL && v != V_AMD)
			return -EPERM;
		break;
	}
	return rdmsr_safe(msr, val) ? -EPERM : 0;
}

int pv_rdmsr(struct vcpu *v, u32 msr, u64 *val)
{
	switch (msr) {
	case MSR_FS_BASE:
	case MSR_GS_BASE:
		*val = rdmsr(msr);
		return 0;
	case MSR_SHADOW_GS_BASE:
		*val = rdmsr(MSR_SHADOW_GS_BASE);
		return 0;
	case MSR_EFER:
		*val = rdmsr(MSR_EFER) &
		       (EFER_SCE | EFER_LME | (1UL << 10) | EFER_NXE);
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
		if (rdmsr_safe(msr, val))
			return -EPERM;
		*val = (*val & ~MISC_ENABLE_HIDDEN) | MISC_ENABLE_FORCED;
		return 0;
	case MSR_IA32_FEATURE_CONTROL:
		*val = FEATURE_CONTROL_LOCK; /* no VMX, no LMCE */
		return intel_like() ? 0 : -EPERM;
	case MSR_PLATFORM_INFO:
		*val = faulting_offered(v->domain)
			   ? PLATFORM_INFO_CPUID_FAULTING
			   : 0;
		return 0;
	case MSR_MISC_FEATURES_ENABLES:
		*val = v->cpuid_faulting ? MISC_FEATURES_CPUID_FAULTING : 0;
		return 0;
	case MSR_IA32_PERF_CAPABILITIES:
		*val = 0;
		return 0;
	case MSR_IA32_PLATFORM_ID:
	case MSR_IA32_UCODE_REV:
		return host_msr(msr, val);
	}
	if (vpmu_msr(msr)) {
		*val = 0;
		return 0;
	}
	return -EPERM;
}

/* Xen fakes an early read (no #GP handler yet) of a real MSR as 0. */
bool pv_rdmsr_early_fake(struct vcpu *v, u32 msr)
{
	u64 tmp;

	return !v->traps[TRAP_GP].address && (msr >> 16) != 0x4000 &&
	       !rdmsr_safe(msr, &tmp);
}

static bool canonical(u64 a)
{
	return (u64)((s64)(a << 16) >> 16) == a;
}

int pv_wrmsr(struct vcpu *v, u32 msr, u64 val)
{
	u64 cur;

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
		pv_rdmsr(v, MSR_EFER, &cur);
		return val == cur ? 0 : -EINVAL;
	case MSR_MISC_FEATURES_ENABLES:
		if (val &
		    ~(faulting_offered(v->domain) ? MISC_FEATURES_CPUID_FAULTING
						  : 0))
			return -EINVAL;
		v->cpuid_faulting = val & MISC_FEATURES_CPUID_FAULTING;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		/* Xen drops a write, whatever it changes (and logs it). */
		return rdmsr_safe(msr, &cur) ? -EPERM : 0;
	}
	if (vpmu_msr(msr))
		return 0;
	return -EPERM;
}
