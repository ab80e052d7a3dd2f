/*
 * CPU-path micro-benchmarks: the null hypercall round trip and a system
 * call from guest user mode to the guest kernel and back. Prints
 * "bench: NAME = VALUE UNIT" lines for bench/run.py.
 */
#include <pv/hypercall.h>
#include <pv/libpv.h>
#include <xen/memory.h>
#include <xen/version.h>

#define ROUNDS 20000

static uint8_t user_stack[4096] __attribute__((aligned(16)));
static volatile uint64_t user_ticks;

static uint64_t ticks_to_ns(uint64_t ticks)
{
	struct vcpu_time_info *t = &shared_info->vcpu_info[0].time;
	uint64_t d = t->tsc_shift >= 0 ? ticks << t->tsc_shift :
					  ticks >> -t->tsc_shift;
	return (uint64_t)(((unsigned __int128)d * t->tsc_to_system_mul) >> 32);
}

/* User mode: time ROUNDS system calls (number 0), then exit (60). */
static void user_loop(void)
{
	uint64_t t0 = pv_rdtsc();

	for (int i = 0; i < ROUNDS; i++)
		asm volatile("xor %%eax, %%eax; syscall"
			     ::: "rax", "rcx", "r11", "memory");
	user_ticks = pv_rdtsc() - t0;
	asm volatile("mov $60, %%eax; syscall" ::: "rax", "rcx", "r11");
	for (;;)
		;
}

static void on_syscall(struct pv_frame *f)
{
	if (f->rax == 60)
		pv_return_from_user(0);
}


static uint64_t best_of(uint64_t (*fn)(void), int tries)
{
	uint64_t best = ~0UL;

	for (int i = 0; i < tries; i++) {
		uint64_t v = fn();
		if (v < best)
			best = v;
	}
	return best;
}

static uint64_t null_hypercall(void)
{
	uint64_t t0 = pv_rdtsc();

	for (int i = 0; i < ROUNDS; i++)
		HYPERVISOR_xen_version(XENVER_version, NULL);
	return ticks_to_ns(pv_rdtsc() - t0) / ROUNDS;
}

static uint64_t user_syscall(void)
{
	pv_run_user((uint64_t)user_loop, (uint64_t)user_stack + sizeof(user_stack));
	return ticks_to_ns(user_ticks) / ROUNDS;
}

void pv_main(void)
{
	struct mmuext_op op = { MMUEXT_NEW_USER_BASEPTR, { 0 }, { 0 } };

	op.arg1.mfn = pv_virt_to_mfn((void *)start_info->pt_base);
	if (HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF))
		pv_panic("no user page table");
	pv_set_trap_handler(0x101, on_syscall);
	printf("bench: null_hypercall = %lu ns\n", best_of(null_hypercall, 5));
	printf("bench: user_syscall_roundtrip = %lu ns\n",
	       best_of(user_syscall, 5));
}
