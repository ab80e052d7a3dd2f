/*
 * A PV guest's debug registers (DR0-DR3, DR6, DR7), checked and masked
 * as Xen 4.17 does, and loaded into the CPU only while a vCPU that has
 * a breakpoint enabled runs.
 */
#ifndef XENOLITH_DEBUGREG_H
#define XENOLITH_DEBUGREG_H

#include "types.h"

struct vcpu;
struct cpu_user_regs;

#define DR6_DEFAULT 0xffff0ff0UL /* reserved bits that read as one */
#define DR6_ZEROS 0x1000UL /* bit 12 reads as zero */
#define DR6_BS (1UL << 14)
#define DR7_DEFAULT 0x400UL /* bit 10 reads as one */
#define DR7_ZEROS 0xd800UL /* bits 11, 12, 14, 15 read as zero */
#define DR7_GD (1UL << 13)
#define DR7_ACTIVE 0xffUL /* L0-L3, G0-G3 */

long pv_set_debugreg(struct vcpu *v, unsigned int reg, u64 value);
int pv_read_debugreg(const struct vcpu *v, unsigned int reg, u64 *value);
void debugregs_switch(struct vcpu *prev, struct vcpu *next);
void pv_debugregs_from_context(struct vcpu *v, const u64 *dr);
u32 io_breakpoint_hits(const struct vcpu *v, u16 port, unsigned int size);
void do_debug(struct cpu_user_regs *regs);

#endif
