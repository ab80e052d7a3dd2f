/*
 * Protections the CPU offers the hypervisor against its own bugs: SMEP
 * (no instruction fetch from user pages, i.e. guest memory) and SMAP (no
 * data access to user pages outside STAC/CLAC windows). See smap.h.
 */
#include "lib.h"
#include "smap.h"
#include "x86.h"

#define CPUID7_EBX_SMEP (1U << 7)
#define CPUID7_EBX_SMAP (1U << 20)

/* Read by the assembly helpers: one byte each, set before any guest runs. */
u8 cpu_has_smap, cpu_has_smep;
/* smap=0 / smep=0 on the command line, as Xen's options of those names. */
bool opt_smap = true, opt_smep = true;

/* On every CPU; the boot CPU decides (all CPUs are assumed alike). */
void cpu_protect_init(void)
{
	static bool decided;
	u32 a, b, c, d;

	if (!decided) {
		cpuid(0, &a, &b, &c, &d);
		if (a >= 7) {
			cpuid_count(7, 0, &a, &b, &c, &d);
			cpu_has_smep = opt_smep && (b & CPUID7_EBX_SMEP);
			cpu_has_smap = opt_smap && (b & CPUID7_EBX_SMAP);
		}
		decided = true;
		printk("CPU protections: SMEP %s, SMAP %s\n",
		       cpu_has_smep ? "on" : opt_smep ? "absent" : "off",
		       cpu_has_smap ? "on" : opt_smap ? "absent" : "off");
	}
	if (cpu_has_smap)
		asm volatile("clac" ::: "memory");
	write_cr4(read_cr4() | (cpu_has_smep ? X86_CR4_SMEP : 0) |
		  (cpu_has_smap ? X86_CR4_SMAP : 0));
}
