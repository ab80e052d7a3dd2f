/*
 * libpv: a small runtime for PV kernels on Xenolith (or Xen). It starts
 * the kernel, installs a trap table and callbacks, and offers console
 * output, events, time, page-table helpers and a test framework. A kernel
 * provides pv_main(); returning from it powers the domain off.
 */
#ifndef LIBPV_H
#define LIBPV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/arch-x86_64.h>
#include <xen/xen.h>

extern struct start_info *start_info;
extern struct shared_info *shared_info;

void pv_main(void);

/* Console (console_io; domU output needs guest_loglvl=all). */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
int snprintf(char *buf, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

/* The command line's "key=value" words: a number (def if absent), or
 * the value copied into out (false if absent). */
long pv_arg(const char *key, long def);
bool pv_arg_str(const char *key, char *out, size_t n);

void __attribute__((noreturn)) pv_shutdown(unsigned int reason);
void __attribute__((noreturn)) pv_panic(const char *fmt, ...);

/* Traps: the frame a handler sees (registers saved by libpv's stubs). */
struct pv_frame {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	uint64_t rax, rcx, rdx, rsi, rdi;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};
typedef void (*pv_trap_handler)(struct pv_frame *f);
void pv_set_trap_handler(unsigned int vector, pv_trap_handler h);
long pv_load_trap_table(void); /* reinstall after changing DPLs */
/* The trap table (ending in a zero entry), e.g. for another vCPU's context. */
const struct trap_info *pv_trap_table(void);
void pv_set_trap_dpl(unsigned int vector, unsigned int dpl);
extern volatile unsigned long pv_traps_taken;

/*
 * User mode (needs a user page table: MMUEXT_NEW_USER_BASEPTR). Runs
 * rip on stack rsp in user mode until a kernel handler (e.g. the syscall
 * one, vector 0x101) calls pv_return_from_user(v); returns v.
 */
uint64_t pv_run_user(uint64_t rip, uint64_t rsp);
/*
 * Before pv_run_user: our own tables as the user root, kstack for entries
 * from user mode, on_syscall for its system calls. 0 or the error.
 */
long pv_user_mode_setup(void *kstack, size_t size,
			pv_trap_handler on_syscall);
void __attribute__((noreturn)) pv_return_from_user(uint64_t value);
void pv_enter_user(uint64_t rip, uint64_t rsp);
/* RFLAGS user mode starts with (0x200; its IOPL bits set the virtual
 * IOPL under VMASST_TYPE_architectural_iopl). */
extern uint64_t pv_user_rflags;

/* Port I/O and CLI/STI: the virtual IOPL (PHYSDEVOP_set_iopl). A kernel
 * needs 1 to use ports, as Linux sets it in domain 0. */
long pv_set_iopl(unsigned int iopl);

/* Events. */
typedef void (*pv_event_handler)(uint32_t port);
void pv_bind_handler(uint32_t port, pv_event_handler h);
void pv_mask(uint32_t port);
void pv_unmask(uint32_t port);
bool pv_pending(uint32_t port);
void pv_clear(uint32_t port);
void pv_events_enable(void);
void pv_events_disable(void);
void pv_block(void); /* SCHEDOP_block: see pv_block_until */
void pv_block_timeout(uint64_t deadline); /* an event, or the deadline */

/*
 * Sleep until cond, which event handlers make true. cond is tested with
 * events masked: SCHEDOP_block unmasks them and checks for a pending
 * upcall in one step, so an event that comes after the test keeps the
 * vCPU awake (its handler runs on the way out of the hypercall) instead
 * of being handled between the test and the block and lost. Returns with
 * events enabled.
 */
#define pv_block_until(cond)                 \
	do {                                 \
		pv_events_disable();         \
		while (!(cond)) {            \
			pv_block();          \
			pv_events_disable(); \
		}                            \
		pv_events_enable();          \
	} while (0)

/* vCPU 0's vcpu_info (shared_info's, or the one registered below). */
struct vcpu_info *pv_vcpu_info(void);
long pv_register_vcpu_info(struct vcpu_info *vi);

/* Time (ns since hypervisor boot). */
uint64_t pv_now(void);
uint64_t pv_rdtsc(void);

/* Memory. */
static inline uint64_t pv_va_to_pfn(const void *va);
uint64_t pv_virt_to_mfn(const void *va);
uint64_t pv_virt_base(void);
extern uint64_t *pv_p2m;

static inline uint64_t pv_va_to_pfn(const void *va)
{
	return ((uint64_t)va - pv_virt_base()) >> 12;
}

/* Tests: each check prints on failure; pv_test_summary prints the line
 * "N passed, N failed" that the test driver reads. */
extern int pv_passed, pv_failed;
#define CHECK(cond, ...)                                                  \
	do {                                                              \
		if (cond) {                                               \
			pv_passed++;                                      \
		} else {                                                  \
			pv_failed++;                                      \
			printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			printf(__VA_ARGS__);                              \
			printf("\n");                                     \
		}                                                         \
	} while (0)
#define CHECK_EQ(a, b)                                                     \
	do {                                                               \
		long __a = (long)(a), __b = (long)(b);                     \
		CHECK(__a == __b, "%s = %ld, expected %ld", #a, __a, __b); \
	} while (0)
void pv_test_group(const char *name);
void pv_test_summary(void);

static inline void cpu_relax(void)
{
	asm volatile("pause" ::: "memory");
}

#define barrier() asm volatile("" ::: "memory")
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
