/*
 * The guest half of crash_test=smap and crash_test=smep: it fires the
 * hypervisor's probe (see hv/core/selftest.c), which touches this guest's
 * memory directly, outside the copy helpers; with SMAP/SMEP on that must
 * stop the hypervisor with a fault naming them. Command line:
 *   mode=0  int3 with EFLAGS.AC clear
 *   mode=1  int3 with AC set (ring 3 may set it): the exception entry
 *           must clear it, or the hypervisor would run with SMAP open
 *   mode=2  a hypercall (SYSCALL) with AC set: FMASK must clear it
 * If the probe comes back, the guest says so and passes its checks (the
 * scenario then fails on the missing fault).
 */
#include <pv/hypercall.h>
#include <pv/libpv.h>

#define EFLAGS_AC (1UL << 18)
#define PROBE_CMD 0x5a5a

static volatile unsigned long bp_seen;

static void on_bp(struct pv_frame *f)
{
	(void)f;
	bp_seen++;
}

/* What the probe calls under crash_test=smep: a plain return. */
static void __attribute__((noinline)) probe_target(void)
{
	asm volatile("");
}

static void set_ac(void)
{
	asm volatile("pushfq; orq %0, (%%rsp); popfq"
		     :
		     : "i"(EFLAGS_AC)
		     : "memory", "cc");
}

static void clear_ac(void)
{
	asm volatile("pushfq; andq %0, (%%rsp); popfq"
		     :
		     : "i"(~EFLAGS_AC)
		     : "memory", "cc");
}

void pv_main(void)
{
	long mode = pv_arg("mode", 0);

	pv_set_trap_handler(3, on_bp);
	pv_test_group("probe");
	printf("smap_probe: mode %ld, firing the probe\n", mode);
	if (mode == 2) {
		set_ac();
		HYPERVISOR_xen_version(PROBE_CMD, NULL);
		clear_ac();
	} else {
		if (mode == 1)
			set_ac();
		asm volatile("int3" : : "a"(probe_target) : "memory");
		clear_ac();
		CHECK_EQ(bp_seen, 1);
	}
	printf("smap_probe: the probe came back\n");
	pv_test_summary();
}
