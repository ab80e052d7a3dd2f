/* Structure sizes and offsets for assembly, extracted at build time. */
#include "percpu.h"
#include "regs.h"

#define DEFINE(sym, val) asm volatile("\n.ascii \"->" #sym " %0\"" : : "i"(val))

void asm_offsets(void);
void asm_offsets(void)
{
	DEFINE(CPU_INFO_SIZE, sizeof(struct cpu_info));
	DEFINE(UREGS_cs, offsetof(struct cpu_user_regs, cs));
	DEFINE(UREGS_ss, offsetof(struct cpu_user_regs, ss));
	DEFINE(UREGS_rip, offsetof(struct cpu_user_regs, rip));
	DEFINE(UREGS_entry_vector, offsetof(struct cpu_user_regs, entry_vector));
	DEFINE(CPU_USER_REGS_SIZE, sizeof(struct cpu_user_regs));
}
