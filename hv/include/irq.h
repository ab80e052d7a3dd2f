/*
 * Physical interrupts for domain 0: GSIs (arch/x86/irq.c) and the pirqs
 * that name them in a domain (core/pirq.c).
 */
#ifndef XENOLITH_IRQ_H
#define XENOLITH_IRQ_H

#include "types.h"

struct domain;

#define IRQ_MAX_GSIS 256
#define NR_PIRQS 256 /* pirq numbers a domain may use: 0 .. NR_PIRQS-1 */

/* arch/x86/irq.c */
bool irq_gsi_valid(u32 gsi);
bool irq_gsi_reserved(u32 gsi); /* a line the hypervisor keeps */
void irq_gsi_default_mode(u32 gsi, bool *level, bool *active_low);
int irq_gsi_enable(u32 gsi, bool level, bool active_low);
void irq_gsi_disable(u32 gsi);
void irq_gsi_mask(u32 gsi, bool masked);

/* core/pirq.c */
void pirq_gsi_interrupt(u32 gsi); /* from the vector's handler */
int pirq_map(struct domain *d, u32 gsi, int want);
int pirq_unmap(struct domain *d, u32 pirq);
int pirq_get_free(struct domain *d, int type);
int pirq_setup_gsi(u32 gsi, bool level, bool active_low);
int pirq_bind(struct domain *d, u32 pirq, u32 port);
void pirq_unbind(struct domain *d, u32 pirq);
int pirq_eoi(struct domain *d, u32 pirq);
bool pirq_needs_eoi(struct domain *d, u32 pirq);
int pirq_set_eoi_page(struct domain *d, mfn_t mfn);
void pirq_domain_destroy(struct domain *d);

#endif
