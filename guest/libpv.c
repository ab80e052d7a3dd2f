/*
 * libpv core: start of day, console, traps, events, time and the test
 * framework for small PV kernels (test guests now, domain 0 later).
 */
#include <pv/hypercall.h>
#include <pv/libpv.h>
#include <xen/callback.h>
#include <xen/event_channel.h>
#include <xen/memory.h>
#include <xen/physdev.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include "klib.h"

#define VEC_EVENT 0x100
#define VEC_SYSCALL 0x101
#define VEC_FAILSAFE 0x102
#define PV_VIRT_BASE 0xffffffff80000000UL

struct start_info *start_info;
struct shared_info *shared_info;
/* vCPU 0's vcpu_info: in shared_info until the kernel registers its own. */
static struct vcpu_info *vcpu_info0;
uint64_t *pv_p2m;
int pv_passed, pv_failed;
volatile unsigned long pv_traps_taken;

/* The shared_info page is mapped over this page of our image. */
static uint8_t shared_info_page[4096] __attribute__((aligned(4096)));

static pv_trap_handler trap_handlers[0x103];
static struct trap_info trap_table[32 + 4];
static pv_event_handler event_handlers[EVTCHN_2L_NR_CHANNELS];

extern char pv_trap_0[], pv_trap_1[], pv_trap_2[], pv_trap_3[], pv_trap_4[],
    pv_trap_5[], pv_trap_6[], pv_trap_7[], pv_trap_8[], pv_trap_9[],
    pv_trap_10[], pv_trap_11[], pv_trap_12[], pv_trap_13[], pv_trap_14[],
    pv_trap_15[], pv_trap_16[], pv_trap_17[], pv_trap_18[], pv_trap_19[],
    pv_trap_20[], pv_trap_21[], pv_trap_0x20[], pv_trap_0x80[], pv_trap_0xf0[],
    pv_event_entry[], pv_syscall_entry[], pv_failsafe_entry[];

uint64_t pv_virt_base(void)
{
	return PV_VIRT_BASE;
}

uint64_t pv_virt_to_mfn(const void *va)
{
	return pv_p2m[pv_va_to_pfn(va)];
}

/* --- Command line: "key=value" words --------------------------------- */

bool pv_arg_str(const char *key, char *out, size_t n)
{
	const char *p = (const char *)start_info->cmd_line;
	size_t kl = strlen(key);

	while (*p) {
		while (*p == ' ')
			p++;
		if (!memcmp(p, key, kl) && p[kl] == '=') {
			size_t i = 0;
			for (p += kl + 1; *p && *p != ' ' && i + 1 < n; p++)
				out[i++] = *p;
			if (n)
				out[i] = '\0';
			return true;
		}
		while (*p && *p != ' ')
			p++;
	}
	return false;
}

long pv_arg(const char *key, long def)
{
	char buf[24];
	long v = 0;

	if (!pv_arg_str(key, buf, sizeof(buf)))
		return def;
	for (const char *p = buf; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	return v;
}

/* --- Console ----------------------------------------------------------- */

int printf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	HYPERVISOR_console_io(CONSOLEIO_write, (unsigned int)n, buf);
	return n;
}

void pv_shutdown(unsigned int reason)
{
	struct sched_shutdown s = { reason };

	for (;;)
		HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
}

void pv_panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("PANIC: %s\n", buf);
	pv_shutdown(SHUTDOWN_crash);
}

void pv_test_group(const char *name)
{
	printf("checking: %s\n", name);
}

void pv_test_summary(void)
{
	printf("%d passed, %d failed\n", pv_passed, pv_failed);
}

/* --- Traps --------------------------------------------------------------- */

static char *const trap_stubs[32] = {
	pv_trap_0,  pv_trap_1,	pv_trap_2,  pv_trap_3,	pv_trap_4,  pv_trap_5,
	pv_trap_6,  pv_trap_7,	pv_trap_8,  pv_trap_9,	pv_trap_10, pv_trap_11,
	pv_trap_12, pv_trap_13, pv_trap_14, pv_trap_15, pv_trap_16, pv_trap_17,
	pv_trap_18, pv_trap_19, pv_trap_20, pv_trap_21,
};

void pv_set_trap_handler(unsigned int vector, pv_trap_handler h)
{
	if (vector < ARRAY_SIZE(trap_handlers))
		trap_handlers[vector] = h;
}

void pv_set_trap_dpl(unsigned int vector, unsigned int dpl)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(trap_table); i++)
		if (trap_table[i].address && trap_table[i].vector == vector)
			trap_table[i].flags = (trap_table[i].flags & ~3) | dpl;
}

const struct trap_info *pv_trap_table(void)
{
	return trap_table;
}

long pv_load_trap_table(void)
{
	return HYPERVISOR_set_trap_table(trap_table);
}

static void build_trap_table(void)
{
	unsigned int n = 0;

	for (unsigned int v = 0; v < 22; v++) {
		if (v == 15)
			continue;
		trap_table[n].vector = (uint8_t)v;
		/* #BP and #OF may be raised from user mode; all mask events. */
		trap_table[n].flags = 4 | ((v == 3 || v == 4) ? 3 : 0);
		trap_table[n].cs = FLAT_KERNEL_CS;
		trap_table[n].address = (unsigned long)trap_stubs[v];
		n++;
	}
	trap_table[n++] = (struct trap_info){ 0x20, 4, FLAT_KERNEL_CS,
					      (unsigned long)pv_trap_0x20 };
	trap_table[n++] = (struct trap_info){ 0x80, 4 | 3, FLAT_KERNEL_CS,
					      (unsigned long)pv_trap_0x80 };
	trap_table[n] = (struct trap_info){ 0, 0, 0, 0 };
}

static void handle_events(void);

/* Called from entry.S for every trap, event and system call. */
void pv_trap_dispatch(struct pv_frame *f);
void pv_trap_dispatch(struct pv_frame *f)
{
	pv_traps_taken++;
	if (f->vector == VEC_EVENT) {
		handle_events();
		return;
	}
	if (f->vector < ARRAY_SIZE(trap_handlers) && trap_handlers[f->vector]) {
		trap_handlers[f->vector](f);
		return;
	}
	pv_panic("unexpected trap %lu (error %#lx) at %#lx, cr2 %#lx",
		 f->vector, f->error_code, f->rip, vcpu_info0->arch.cr2);
}

/* --- Events --------------------------------------------------------------- */

static struct vcpu_info *vcpu0(void)
{
	return vcpu_info0;
}

struct vcpu_info *pv_vcpu_info(void)
{
	return vcpu_info0;
}

/*
 * VCPUOP_register_vcpu_info: move vCPU 0's vcpu_info to vi (which must not
 * cross a page). Events stay masked across the switch: the hypervisor
 * marks everything pending in the new copy, and the upcall must find it
 * there, not in the old one.
 */
long pv_register_vcpu_info(struct vcpu_info *vi)
{
	struct vcpu_register_vcpu_info r = {
		.mfn = pv_virt_to_mfn(vi),
		.offset = (uint32_t)((uint64_t)vi & 4095),
	};
	bool masked = vcpu_info0->evtchn_upcall_mask;
	long rc;

	pv_events_disable();
	rc = HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &r);
	if (!rc)
		vcpu_info0 = vi;
	if (!masked)
		pv_events_enable();
	return rc;
}

void pv_bind_handler(uint32_t port, pv_event_handler h)
{
	if (port < EVTCHN_2L_NR_CHANNELS)
		event_handlers[port] = h;
}

void pv_mask(uint32_t port)
{
	__atomic_fetch_or(&shared_info->evtchn_mask[port / 64],
			  1UL << (port % 64), __ATOMIC_SEQ_CST);
}

/* Unmask locally, then make sure a pending event is not lost. */
void pv_unmask(uint32_t port)
{
	struct evtchn_unmask u = { port };

	__atomic_fetch_and(&shared_info->evtchn_mask[port / 64],
			   ~(1UL << (port % 64)), __ATOMIC_SEQ_CST);
	if (pv_pending(port))
		HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &u);
}

bool pv_pending(uint32_t port)
{
	return __atomic_load_n(&shared_info->evtchn_pending[port / 64],
			       __ATOMIC_SEQ_CST) &
	       (1UL << (port % 64));
}

void pv_clear(uint32_t port)
{
	__atomic_fetch_and(&shared_info->evtchn_pending[port / 64],
			   ~(1UL << (port % 64)), __ATOMIC_SEQ_CST);
}

/* The upcall: scan selector, then pending & ~mask words. */
static void handle_events(void)
{
	struct vcpu_info *vi = vcpu0();

	while (__atomic_exchange_n(&vi->evtchn_upcall_pending, 0,
				   __ATOMIC_SEQ_CST)) {
		unsigned long sel = __atomic_exchange_n(&vi->evtchn_pending_sel,
							0, __ATOMIC_SEQ_CST);
		while (sel) {
			unsigned int w = __builtin_ctzl(sel);
			unsigned long bits;

			sel &= sel - 1;
			bits = shared_info->evtchn_pending[w] &
			       ~shared_info->evtchn_mask[w];
			while (bits) {
				unsigned int port =
				    w * 64 + __builtin_ctzl(bits);
				bits &= bits - 1;
				pv_clear(port);
				if (event_handlers[port])
					event_handlers[port](port);
			}
		}
	}
}

void pv_events_enable(void)
{
	barrier();
	vcpu0()->evtchn_upcall_mask = 0;
	barrier();
	/* Anything that arrived while masked: force delivery now. */
	if (vcpu0()->evtchn_upcall_pending)
		HYPERVISOR_xen_version(0, NULL);
}

void pv_events_disable(void)
{
	vcpu0()->evtchn_upcall_mask = 1;
	barrier();
}

/*
 * SCHEDOP_block. Call it with events masked, after checking that there is
 * something to wait for (pv_block_until): with events enabled, an upcall
 * taken between the check and the hypercall consumes the wake-up, and the
 * vCPU then blocks with nothing pending. It returns with events enabled,
 * the pending upcall delivered.
 */
void pv_block(void)
{
	HYPERVISOR_sched_op(SCHEDOP_block, NULL);
}

/*
 * Sleep until an event or the deadline. Events are masked before the
 * timer is set, so a timer that fires before SCHEDOP_block stays pending
 * and ends the block, instead of being taken by an upcall in between
 * (after which the vCPU would block with no timer left: for ever).
 */
void pv_block_timeout(uint64_t deadline)
{
	pv_events_disable();
	HYPERVISOR_set_timer_op(deadline);
	pv_block();
}

/* --- Time ----------------------------------------------------------------- */

uint64_t pv_rdtsc(void)
{
	uint32_t lo, hi;
	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

uint64_t pv_now(void)
{
	volatile struct vcpu_time_info *t = &vcpu0()->time;
	uint32_t version;
	uint64_t ns;

	do {
		version = t->version;
		barrier();
		uint64_t delta = pv_rdtsc() - t->tsc_timestamp;
		if (t->tsc_shift >= 0)
			delta <<= t->tsc_shift;
		else
			delta >>= -t->tsc_shift;
		ns = t->system_time + (uint64_t)(((unsigned __int128)delta *
						  t->tsc_to_system_mul) >>
						 32);
		barrier();
	} while ((version & 1) || version != t->version);
	return ns;
}

/* --- Start of day ----------------------------------------------------- */

static void map_shared_info(void)
{
	long rc = HYPERVISOR_update_va_mapping(
	    (unsigned long)shared_info_page,
	    start_info->shared_info | 7 /* present, rw, user */, UVMF_INVLPG);

	if (rc)
		pv_shutdown(SHUTDOWN_crash);
	shared_info = (struct shared_info *)shared_info_page;
	vcpu_info0 = &shared_info->vcpu_info[0];
}

static void register_callbacks(void)
{
	struct callback_register ev = { CALLBACKTYPE_event, 0,
					(unsigned long)pv_event_entry };
	struct callback_register fs = { CALLBACKTYPE_failsafe, 0,
					(unsigned long)pv_failsafe_entry };
	struct callback_register sc = { CALLBACKTYPE_syscall,
					CALLBACKF_mask_events,
					(unsigned long)pv_syscall_entry };

	if (HYPERVISOR_callback_op(CALLBACKOP_register, &ev) ||
	    HYPERVISOR_callback_op(CALLBACKOP_register, &fs) ||
	    HYPERVISOR_callback_op(CALLBACKOP_register, &sc))
		pv_panic("cannot register callbacks");
}

/* Where the hypervisor puts frames when user mode enters the kernel. */
static uint8_t kernel_entry_stack[16384] __attribute__((aligned(16)));

void pv_start(void);
void pv_start(void)
{
	pv_p2m = (uint64_t *)start_info->mfn_list;
	map_shared_info();
	build_trap_table();
	if (pv_load_trap_table())
		pv_panic("set_trap_table failed");
	register_callbacks();
	HYPERVISOR_stack_switch(FLAT_KERNEL_SS,
				(unsigned long)kernel_entry_stack +
				    sizeof(kernel_entry_stack));
	pv_main();
	pv_shutdown(SHUTDOWN_poweroff);
}

long pv_set_iopl(unsigned int iopl)
{
	struct physdev_set_iopl s = { iopl };

	return HYPERCALL2(__HYPERVISOR_physdev_op, PHYSDEVOP_set_iopl, &s);
}

long pv_user_mode_setup(void *kstack, size_t size, pv_trap_handler on_syscall)
{
	struct mmuext_op op = { .cmd = MMUEXT_NEW_USER_BASEPTR };
	long rc;

	op.arg1.mfn = pv_virt_to_mfn((void *)start_info->pt_base);
	rc = HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
	if (!rc)
		rc = HYPERVISOR_stack_switch(FLAT_KERNEL_SS,
					     (uint64_t)kstack + size);
	if (!rc)
		pv_set_trap_handler(VEC_SYSCALL, on_syscall);
	return rc;
}
