/* The hypercall table and the handlers it names. */
#ifndef XENOLITH_HYPERCALL_H
#define XENOLITH_HYPERCALL_H

#include "domain.h"
#include "regs.h"

void hypercall_dispatch(struct vcpu *v, struct cpu_user_regs *regs);
bool hypercall_preempt_check(void);
long hypercall_continue(unsigned int nr, u64 a1, u64 a2, u64 a3, u64 a4);
long do_update_va_mapping_otherdomain(u64 va, u64 val, u64 flags,
				      unsigned int fd);
int set_ldt(struct vcpu *v, u64 base, unsigned int ents);
int new_baseptr(struct vcpu *v, mfn_t mfn, bool user);
long console_read_input(unsigned int count, u64 buffer);
void guest_console_init(struct domain *d);
long do_multicall(u64 list, unsigned int nr);
long do_xen_version(int cmd, u64 arg);
long do_console_io(int cmd, unsigned int count, u64 buffer);
long do_vm_assist(unsigned int cmd, unsigned int type);
long do_vcpu_op(int cmd, unsigned int vcpuid, u64 arg);
long do_event_channel_op(int cmd, u64 arg);
long do_physdev_op(int cmd, u64 arg);

/* mm (ptval.c / mm_ops.c) */
long do_mmu_update(u64 reqs, unsigned int count, u64 pdone, unsigned int fd);
long do_mmuext_op(u64 ops, unsigned int count, u64 pdone, unsigned int fd);
long do_update_va_mapping(u64 va, u64 val, u64 flags);
long do_memory_op(int cmd, u64 arg);
bool pv_handle_page_fault(struct vcpu *v, struct cpu_user_regs *regs, u64 cr2);

void hypercall_stats_show(void); /* keyhandler 'p' */
extern bool opt_hcstats;
/* mmuext_op's sub-operations, counted like hypercalls (hcstats). */
void mmuext_stats_add(unsigned int cmd, u64 tsc);

#endif
