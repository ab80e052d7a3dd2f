/*
 * Physical devices (hypercall 33, physdev_op): what domain 0 needs to
 * drive real hardware. A physical interrupt line (a GSI) reaches domain 0
 * as a "pirq": a number it maps to the GSI with PHYSDEVOP_map_pirq and
 * binds to an event channel with EVTCHNOP_bind_pirq. A level-triggered
 * line stays masked from its delivery until domain 0 says PHYSDEVOP_eoi
 * (or, when it registered a pirq EOI bitmap page, until it EOIs a pirq
 * whose bit the hypervisor set). Only the privileged domain may use the
 * interrupt operations.
 */
#ifndef XENOLITH_PUBLIC_PHYSDEV_H
#define XENOLITH_PUBLIC_PHYSDEV_H

#include "xen.h"

/* End of interrupt for a pirq. */
#define PHYSDEVOP_eoi 12
struct physdev_eoi {
	uint32_t irq; /* the pirq */
};

/* Register a page of bits, one per pirq, set while a pirq needs an EOI. */
#define PHYSDEVOP_pirq_eoi_gmfn_v1 17
#define PHYSDEVOP_pirq_eoi_gmfn_v2 28
struct physdev_pirq_eoi_gmfn {
	xen_pfn_t gmfn; /* a frame of the caller's (its pfn, for PV) */
};

/* Does a pirq need PHYSDEVOP_eoi after each event? */
#define PHYSDEVOP_irq_status_query 5
struct physdev_irq_status_query {
	uint32_t irq; /* the pirq */
	uint32_t flags; /* out: XENIRQSTAT_* */
};
#define _XENIRQSTAT_needs_eoi 0
#define XENIRQSTAT_needs_eoi (1U << _XENIRQSTAT_needs_eoi)
#define _XENIRQSTAT_shared 1
#define XENIRQSTAT_shared (1U << _XENIRQSTAT_shared)

/* Virtual I/O privilege level. */
#define PHYSDEVOP_set_iopl 6
struct physdev_set_iopl {
	uint32_t iopl;
};

/* I/O permission bitmap (guest memory, a clear bit allows the port). */
#define PHYSDEVOP_set_iobitmap 7
struct physdev_set_iobitmap {
	uint64_t bitmap; /* guest address of 8 KiB */
	uint32_t nr_ports;
};

/* Legacy: a "vector" for an IRQ (it is the IRQ number itself). */
#define PHYSDEVOP_alloc_irq_vector 10
#define PHYSDEVOP_free_irq_vector 11
struct physdev_irq {
	uint32_t irq;
	uint32_t vector; /* out */
};

/* Give a pirq number to an interrupt source. */
#define MAP_PIRQ_TYPE_MSI 0x0
#define MAP_PIRQ_TYPE_GSI 0x1
#define MAP_PIRQ_TYPE_UNKNOWN 0x2
#define MAP_PIRQ_TYPE_MSI_SEG 0x3
#define MAP_PIRQ_TYPE_MULTI_MSI 0x4

#define PHYSDEVOP_map_pirq 13
struct physdev_map_pirq {
	domid_t domid;
	int type; /* MAP_PIRQ_TYPE_* */
	int index; /* GSI: the GSI number */
	int pirq; /* in: wanted pirq or -1; out: the pirq */
	int bus; /* MSI only */
	int devfn; /* MSI only */
	int entry_nr; /* MSI only */
	uint64_t table_base; /* MSI-X only */
};

#define PHYSDEVOP_unmap_pirq 14
struct physdev_unmap_pirq {
	domid_t domid;
	int pirq;
};

/* Trigger mode and polarity of a GSI, from the ACPI tables. */
#define PHYSDEVOP_setup_gsi 21
struct physdev_setup_gsi {
	int gsi;
	uint8_t triggering; /* 0 edge, 1 level */
	uint8_t polarity; /* 0 active high, 1 active low */
};

/* A pirq number not yet used, for a source of the given type. */
#define PHYSDEVOP_get_free_pirq 23
struct physdev_get_free_pirq {
	int type; /* MAP_PIRQ_TYPE_* */
	uint32_t pirq; /* out */
};

#endif
