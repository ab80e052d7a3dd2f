/* Local APIC and IO-APIC. */
#ifndef XENOLITH_APIC_H
#define XENOLITH_APIC_H

#include "types.h"

extern bool apic_tsc_deadline; /* the timer runs in TSC-deadline mode */
extern u64 apic_timer_hz; /* counts per second of the one-shot timer */

void apic_map(u64 base);
void apic_setup_cpu(void);
u32 apic_read_id(void);
void apic_eoi(void);
void apic_send_ipi(u32 apic_id, u8 vector);
void apic_send_ipi_allbutself(u8 vector);
void apic_nmi_others(void);
void apic_send_nmi(u32 apic_id);
void apic_send_init(u32 apic_id);
void apic_send_startup(u32 apic_id, u8 page);
u32 apic_timer_count(void);
void apic_timer_start_count(u32 count); /* free-running, for calibration */
void apic_timer_arm(u64 deadline_tsc); /* 0 stops the timer */

void ioapic_init(void);
int ioapic_route(u32 gsi, u8 vector, u32 dest_apic_id, bool level,
		 bool active_low);
int ioapic_mask(u32 gsi, bool masked);
bool ioapic_has_gsi(u32 gsi);

#endif
