/*
 * Running guest vCPUs on a physical CPU: switching between them, leaving
 * the hypervisor for a guest, and the PV kernel/user mode switch.
 */
#ifndef XENOLITH_CONTEXT_H
#define XENOLITH_CONTEXT_H

#include "domain.h"
#include "percpu.h"

void context_init_cpu(void);
void context_switch(struct vcpu *prev, struct vcpu *next);
void return_to_guest(void);      /* asm: leave for current's frame */
void idle_loop_entry(void);      /* the idle vCPU's body */
void prepare_return_to_guest(struct cpu_user_regs *regs);
void toggle_guest_mode(struct vcpu *v);
void write_guest_cr3(struct vcpu *v);
void load_guest_gdt(struct vcpu *v);

/* The running vCPU's registers (valid only for current). */
static inline struct cpu_user_regs *guest_regs(void)
{
	return &get_cpu_info()->guest_regs;
}

/* fpu.c */
void fpu_init_cpu(void);
void fpu_context_switch(struct vcpu *prev, struct vcpu *next);
void fpu_handle_nm(struct vcpu *v);
void fpu_set_guest_ts(struct vcpu *v, bool set);
void fpu_release(struct vcpu *v);
bool fpu_has_xsave(void);
u64 fpu_xcr0(void);

#endif
