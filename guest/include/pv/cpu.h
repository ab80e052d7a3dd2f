/*
 * CPU helpers for PV kernels on libpv: the forced-emulation CPUID (the
 * hypervisor's PV view of the CPU, not the raw hardware one), XCR0, the
 * virtual CR0, and the segment registers.
 */
#ifndef LIBPV_CPU_H
#define LIBPV_CPU_H

#include <stdbool.h>
#include <stdint.h>

#define PV_CR0_TS (1UL << 3)

/* CPUID.1 ECX bits a PV kernel checks before touching vector state. */
#define PV_CPUID1_ECX_XSAVE (1U << 26)
#define PV_CPUID1_ECX_OSXSAVE (1U << 27)
#define PV_CPUID1_ECX_AVX (1U << 28)

#define PV_XCR0_SSE (1UL << 1)
#define PV_XCR0_AVX (1UL << 2)

struct pv_cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

/*
 * "ud2; .ascii "xen"; cpuid": the hypervisor recognises the prefix in its
 * #UD handler and emulates CPUID with the PV policy. A plain CPUID would
 * show the hardware leaves.
 */
static inline struct pv_cpuid_regs pv_cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct pv_cpuid_regs r;

	asm volatile("ud2; .ascii \"xen\"; cpuid"
		     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
		     : "0"(leaf), "2"(subleaf));
	return r;
}

/* XGETBV is unprivileged once the hypervisor has set CR4.OSXSAVE. */
static inline uint64_t pv_xgetbv(uint32_t reg)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(reg));
	return ((uint64_t)hi << 32) | lo;
}

/* MOV from CR0 faults in ring 3; the hypervisor emulates it. */
static inline uint64_t pv_read_cr0(void)
{
	uint64_t v;

	asm volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

#define PV_READ_SEG(name)                                       \
	static inline uint16_t pv_read_##name(void)             \
	{                                                       \
		uint32_t s;                                     \
		asm volatile("mov %%" #name ", %k0" : "=r"(s)); \
		return (uint16_t)s;                             \
	}
PV_READ_SEG(cs)
PV_READ_SEG(ss)
PV_READ_SEG(ds)
PV_READ_SEG(es)
#undef PV_READ_SEG

static inline void pv_load_ds(uint16_t sel)
{
	asm volatile("mov %k0, %%ds" : : "r"((uint32_t)sel) : "memory");
}

static inline void pv_load_es(uint16_t sel)
{
	asm volatile("mov %k0, %%es" : : "r"((uint32_t)sel) : "memory");
}

/* LAR/LSL: access rights and limit of a selector, as the CPU sees them. */
static inline bool pv_lar(uint16_t sel, uint32_t *ar)
{
	uint32_t r = 0;
	bool ok;

	asm volatile("lar %w2, %0" : "+r"(r), "=@ccz"(ok) : "r"((uint32_t)sel));
	*ar = r;
	return ok;
}

static inline bool pv_lsl(uint16_t sel, uint32_t *limit)
{
	uint32_t r = 0;
	bool ok;

	asm volatile("lsl %w2, %0" : "+r"(r), "=@ccz"(ok) : "r"((uint32_t)sel));
	*limit = r;
	return ok;
}

#endif
