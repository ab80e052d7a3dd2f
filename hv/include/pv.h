/*
 * The x86-64 PV guest interface on the CPU side: trap bouncing, the iret
 * hypercall, privileged-instruction emulation, descriptor tables and the
 * callback/segment hypercalls.
 */
#ifndef XENOLITH_PV_H
#define XENOLITH_PV_H

#include "domain.h"
#include "frame.h"
#include "percpu.h"
#include "regs.h"

/* Outcome of emulating a faulting instruction. */
enum {
	EMUL_REFUSED, /* not emulated: the guest gets #GP(0) */
	EMUL_DONE,    /* performed, RIP moves on */
	EMUL_RAISED,  /* another exception was delivered, or RIP stays */
};

/* Instruction prefixes the emulators understand. */
struct pv_prefixes {
	bool opsize16; /* 0x66 */
	bool addr32;   /* 0x67 */
	bool rep;      /* 0xf3 or 0xf2 */
	u8 seg;	       /* segment override byte, or 0 */
	u8 rex;
};

/* pv_traps.c */
void do_syscall(struct cpu_user_regs *regs);
void pv_handle_guest_trap(struct cpu_user_regs *regs);
void pv_inject_trap(struct vcpu *v, struct cpu_user_regs *regs,
		    unsigned int vector, bool has_error, u32 error);
void pv_deliver_event_upcall(struct vcpu *v, struct cpu_user_regs *regs);
long do_iret(void);

/* pv_emul.c */
int pv_emulate_privileged(struct vcpu *v, struct cpu_user_regs *regs);
int pv_emulate_forced_cpuid(struct vcpu *v, struct cpu_user_regs *regs);
void pv_cpuid(struct vcpu *v, u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c,
	      u32 *d);

/* pv_msr.c */
int pv_wrmsr(struct vcpu *v, u32 msr, u64 val);
int pv_rdmsr(struct vcpu *v, u32 msr, u64 *val);
bool pv_rdmsr_early_fake(struct vcpu *v, u32 msr);
bool host_has_cpuid_faulting(void);
void pv_cpuid_faulting_switch(const struct vcpu *next);

/* pv_ioport.c */
bool pv_iopl_ok(const struct vcpu *v);
int pv_emulate_io(struct vcpu *v, struct cpu_user_regs *regs,
		  const struct pv_prefixes *px, const u8 *p, unsigned int *len);

/* pv_descriptors.c */
void gdt_window_init(struct percpu *pc);
void load_data_segment_safe(int which, u16 sel);
long do_set_gdt(u64 frame_list, unsigned int entries);
long do_update_descriptor(u64 maddr, u64 desc);
bool descriptor_ok(u64 *desc);
bool validate_descriptor_page(struct frame *f);
int set_vcpu_gdt(struct vcpu *v, const u64 *frames, unsigned int entries);
void vcpu_release_gdt(struct vcpu *v);
void ldt_window_init(struct percpu *pc);
void load_guest_ldt(struct vcpu *v);
void vcpu_release_ldt(struct vcpu *v);

/* pv_callbacks.c */
long do_set_trap_table(u64 traps);
long do_set_callbacks(u64 event, u64 failsafe, u64 syscall);
long do_callback_op(int cmd, u64 arg);
long do_stack_switch(u64 ss, u64 sp);
long do_set_segment_base(unsigned int which, u64 base);
long do_fpu_taskswitch(int set);
long do_set_debugreg(int reg, u64 value);
long do_get_debugreg(int reg);

/* pv_farret.c: QEMU's SMAP fault on a ring-3 far return, done here. */
bool pv_emulate_far_return(struct vcpu *v, struct cpu_user_regs *regs,
			   u64 cr2);

/* pv_hypercall_page.c */
void pv_write_hypercall_page(void *page);

#endif
