/*
 * Hypercall wrappers for PV kernels built on libpv. A hypercall is a
 * SYSCALL from guest kernel mode with the number in RAX and arguments in
 * RDI, RSI, RDX, R10, R8; RCX and R11 are clobbered. Kernels that asked
 * for a hypercall page (PV_HYPERCALL_PAGE) call its stubs instead.
 */
#ifndef LIBPV_HYPERCALL_H
#define LIBPV_HYPERCALL_H

#include <stdint.h>
#include <xen/xen.h>

extern char hypercall_page[4096];
extern int pv_use_hypercall_page;

static inline long _hypercall(unsigned long nr, unsigned long a1,
			      unsigned long a2, unsigned long a3,
			      unsigned long a4, unsigned long a5)
{
	register unsigned long r10 asm("r10") = a4;
	register unsigned long r8 asm("r8") = a5;
	long ret;

	if (pv_use_hypercall_page) {
		void *stub = hypercall_page + nr * 32;
		asm volatile("call *%[stub]"
			     : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3),
			       "+r"(r10), "+r"(r8)
			     : [stub] "r"(stub)
			     : "rcx", "r11", "memory");
	} else {
		asm volatile("syscall"
			     : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3),
			       "+r"(r10), "+r"(r8)
			     : "a"(nr)
			     : "rcx", "r11", "memory");
	}
	return ret;
}

#define HYPERCALL0(nr) _hypercall(nr, 0, 0, 0, 0, 0)
#define HYPERCALL1(nr, a) _hypercall(nr, (unsigned long)(a), 0, 0, 0, 0)
#define HYPERCALL2(nr, a, b) \
	_hypercall(nr, (unsigned long)(a), (unsigned long)(b), 0, 0, 0)
#define HYPERCALL3(nr, a, b, c)                                     \
	_hypercall(nr, (unsigned long)(a), (unsigned long)(b),      \
		   (unsigned long)(c), 0, 0)
#define HYPERCALL4(nr, a, b, c, d)                                  \
	_hypercall(nr, (unsigned long)(a), (unsigned long)(b),      \
		   (unsigned long)(c), (unsigned long)(d), 0)

static inline long HYPERVISOR_console_io(int cmd, unsigned int n,
					 const void *buf)
{
	return HYPERCALL3(__HYPERVISOR_console_io, cmd, n, buf);
}

static inline long HYPERVISOR_sched_op(int cmd, void *arg)
{
	return HYPERCALL2(__HYPERVISOR_sched_op, cmd, arg);
}

static inline long HYPERVISOR_xen_version(int cmd, void *arg)
{
	return HYPERCALL2(__HYPERVISOR_xen_version, cmd, arg);
}

static inline long HYPERVISOR_set_trap_table(const void *traps)
{
	return HYPERCALL1(__HYPERVISOR_set_trap_table, traps);
}

static inline long HYPERVISOR_callback_op(int cmd, const void *arg)
{
	return HYPERCALL2(__HYPERVISOR_callback_op, cmd, arg);
}

static inline long HYPERVISOR_set_callbacks(unsigned long ev,
					    unsigned long fs,
					    unsigned long sc)
{
	return HYPERCALL3(__HYPERVISOR_set_callbacks, ev, fs, sc);
}

static inline long HYPERVISOR_event_channel_op(int cmd, void *arg)
{
	return HYPERCALL2(__HYPERVISOR_event_channel_op, cmd, arg);
}

static inline long HYPERVISOR_vcpu_op(int cmd, unsigned int vcpu, void *arg)
{
	return HYPERCALL3(__HYPERVISOR_vcpu_op, cmd, vcpu, arg);
}

static inline long HYPERVISOR_set_timer_op(uint64_t timeout)
{
	return HYPERCALL1(__HYPERVISOR_set_timer_op, timeout);
}

static inline long HYPERVISOR_stack_switch(unsigned long ss, unsigned long sp)
{
	return HYPERCALL2(__HYPERVISOR_stack_switch, ss, sp);
}

static inline long HYPERVISOR_set_segment_base(int which, unsigned long b)
{
	return HYPERCALL2(__HYPERVISOR_set_segment_base, which, b);
}

static inline long HYPERVISOR_fpu_taskswitch(int set)
{
	return HYPERCALL1(__HYPERVISOR_fpu_taskswitch, set);
}

static inline long HYPERVISOR_set_gdt(const unsigned long *frames,
				      unsigned int entries)
{
	return HYPERCALL2(__HYPERVISOR_set_gdt, frames, entries);
}

static inline long HYPERVISOR_update_descriptor(uint64_t maddr, uint64_t d)
{
	return HYPERCALL2(__HYPERVISOR_update_descriptor, maddr, d);
}

static inline long HYPERVISOR_mmu_update(const void *req, unsigned int n,
					 unsigned int *done, unsigned int fd)
{
	return HYPERCALL4(__HYPERVISOR_mmu_update, req, n, done, fd);
}

static inline long HYPERVISOR_mmuext_op(const void *op, unsigned int n,
					unsigned int *done, unsigned int fd)
{
	return HYPERCALL4(__HYPERVISOR_mmuext_op, op, n, done, fd);
}

static inline long HYPERVISOR_update_va_mapping(unsigned long va,
						uint64_t pte,
						unsigned long flags)
{
	return HYPERCALL3(__HYPERVISOR_update_va_mapping, va, pte, flags);
}

static inline long HYPERVISOR_multicall(void *list, unsigned int n)
{
	return HYPERCALL2(__HYPERVISOR_multicall, list, n);
}

static inline long HYPERVISOR_memory_op(int cmd, void *arg)
{
	return HYPERCALL2(__HYPERVISOR_memory_op, cmd, arg);
}

static inline long HYPERVISOR_vm_assist(unsigned int cmd, unsigned int type)
{
	return HYPERCALL2(__HYPERVISOR_vm_assist, cmd, type);
}

#endif
