/* Exceptions, interrupts and the fatal-fault path. */
#ifndef XENOLITH_TRAPS_H
#define XENOLITH_TRAPS_H

#include "regs.h"

#define TRAP_DE 0
#define TRAP_DB 1
#define TRAP_NMI 2
#define TRAP_BP 3
#define TRAP_OF 4
#define TRAP_BR 5
#define TRAP_UD 6
#define TRAP_NM 7
#define TRAP_DF 8
#define TRAP_TS 10
#define TRAP_NP 11
#define TRAP_SS 12
#define TRAP_GP 13
#define TRAP_PF 14
#define TRAP_MF 16
#define TRAP_AC 17
#define TRAP_MC 18
#define TRAP_XM 19
#define TRAP_VE 20
#define TRAP_CP 21

/* Interrupt vectors owned by the hypervisor. */
#define VEC_FIRST_DYNAMIC 0x20
#define VEC_CALL_FUNCTION 0xf0
#define VEC_EVENT_CHECK 0xf1 /* wake a CPU to reschedule or deliver events */
#define VEC_TIMER 0xf8
#define VEC_APIC_ERROR 0xfe
#define VEC_SPURIOUS 0xff

typedef void (*vector_handler_t)(struct cpu_user_regs *regs);

void traps_init(void); /* builds the IDT once */
void load_idt(void); /* per CPU */
void set_vector_handler(unsigned int vec, vector_handler_t fn);
void do_entry(struct cpu_user_regs *regs);
void dump_registers(const struct cpu_user_regs *regs);
void show_stack_trace(u64 rbp);
const char *trap_name(unsigned int vec);

struct percpu;

/* desc.c */
void cpu_desc_init(struct percpu *pc);

/* symbols.c */
const char *symbol_lookup(u64 addr, u64 *offset);

#endif
