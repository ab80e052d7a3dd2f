/* Structure sizes and offsets for assembly, extracted at build time. */
#include "percpu.h"
#include "regs.h"

#define DEFINE(sym, val) asm volatile("\n.ascii \"->" #sym " %0\"" : : "i"(val))

void asm_offsets(void);
void asm_offsets(void)
{
	DEFINE(CPU_INFO_SIZE, sizeof(struct cpu_info));
	DEFINE(CPU_REGS_SIZE, sizeof(struct cpu_regs));
}
