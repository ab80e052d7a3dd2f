/*
 * Physical interrupt lines (GSIs) that domain 0 drives: their trigger mode
 * and polarity, a vector each while bound, and the first-level handler.
 *
 * A bound GSI is routed through its IO-APIC pin to its own vector on CPU
 * 0. The handler hands the interrupt to pirq.c, which masks a
 * level-triggered pin until domain 0's EOI (so the line cannot storm while
 * the guest services the device) and raises the event channel; then the
 * local APIC gets its EOI, which for a level line clears the pin's
 * remote IRR. Edge lines are never masked.
 *
 * The hypervisor keeps the lines of the devices it drives itself: the
 * PIT (ISA IRQ 0), the 8259 cascade (IRQ 2, the ExtINT pin GSI 0) and
 * COM1 (IRQ 4), wherever the MADT's overrides put them.
 */
#include "acpi.h"
#include "apic.h"
#include "irq.h"
#include "lib.h"
#include "percpu.h"
#include "spinlock.h"
#include "traps.h"

/* Vectors handed to GSIs: above the 8259s' and the serial port's. */
#define VEC_GSI_FIRST 0x50
#define VEC_GSI_LAST 0xdf

/* MPS INTI flags of an interrupt source override. */
#define INTI_POLARITY(f) ((f)&3)
#define INTI_TRIGGER(f) (((f) >> 2) & 3)
#define INTI_ACTIVE_LOW 3
#define INTI_LEVEL 3

static u32 vector_gsi[256]; /* 1 + the GSI of each of our vectors, or 0 */
static u8 gsi_vector[IRQ_MAX_GSIS]; /* vector of a bound GSI, or 0 */
static DEFINE_SPINLOCK(vector_lock);

/* The GSI an ISA IRQ arrives on: identity unless the MADT overrides it. */
static u32 isa_to_gsi(unsigned int irq)
{
	for (unsigned int i = 0; i < acpi.nr_overrides; i++)
		if (acpi.override[i].irq == irq)
			return acpi.override[i].gsi;
	return irq;
}

bool irq_gsi_valid(u32 gsi)
{
	return gsi < IRQ_MAX_GSIS && ioapic_has_gsi(gsi);
}

bool irq_gsi_reserved(u32 gsi)
{
	return gsi == 0 || gsi == 2 || gsi == isa_to_gsi(0) ||
	       gsi == isa_to_gsi(4);
}

/*
 * What the firmware says about a GSI: an override's flags where one
 * targets it ("conforms" means the ISA default), edge/high for the other
 * ISA lines, level/low for PCI lines above them.
 */
void irq_gsi_default_mode(u32 gsi, bool *level, bool *active_low)
{
	*level = gsi >= 16;
	*active_low = gsi >= 16;
	for (unsigned int i = 0; i < acpi.nr_overrides; i++) {
		const struct acpi_override *o = &acpi.override[i];

		if (o->gsi != gsi)
			continue;
		*level = INTI_TRIGGER(o->flags) == INTI_LEVEL;
		*active_low = INTI_POLARITY(o->flags) == INTI_ACTIVE_LOW;
	}
}

static void gsi_interrupt(struct cpu_user_regs *regs)
{
	u32 gsi1 = vector_gsi[regs->entry_vector & 0xff];

	if (gsi1)
		pirq_gsi_interrupt(gsi1 - 1);
	apic_eoi();
}

/**
 * irq_gsi_enable - give a GSI a vector, route it to CPU 0 and unmask it.
 * Returns 0, -EBUSY if it is already enabled, -ENOSPC without a free
 * vector, -ENOENT if no IO-APIC has the GSI.
 */
int irq_gsi_enable(u32 gsi, bool level, bool active_low)
{
	u64 flags;
	unsigned int vec;
	int rc;

	if (!irq_gsi_valid(gsi))
		return -ENOENT;
	flags = spin_lock_irqsave(&vector_lock);
	if (gsi_vector[gsi]) {
		spin_unlock_irqrestore(&vector_lock, flags);
		return -EBUSY;
	}
	for (vec = VEC_GSI_FIRST; vec <= VEC_GSI_LAST; vec++)
		if (!vector_gsi[vec])
			break;
	if (vec > VEC_GSI_LAST) {
		spin_unlock_irqrestore(&vector_lock, flags);
		return -ENOSPC;
	}
	vector_gsi[vec] = gsi + 1;
	gsi_vector[gsi] = (u8)vec;
	set_vector_handler(vec, gsi_interrupt);
	rc = ioapic_route(gsi, (u8)vec, percpu[0].apic_id, level, active_low);
	if (!rc)
		rc = ioapic_mask(gsi, false);
	if (rc) {
		vector_gsi[vec] = 0;
		gsi_vector[gsi] = 0;
	}
	spin_unlock_irqrestore(&vector_lock, flags);
	return rc;
}

/* Mask a GSI and give its vector back. */
void irq_gsi_disable(u32 gsi)
{
	u64 flags;
	u8 vec;

	if (!irq_gsi_valid(gsi))
		return;
	flags = spin_lock_irqsave(&vector_lock);
	vec = gsi_vector[gsi];
	ioapic_mask(gsi, true);
	if (vec) {
		/* A delivery already under way finds no GSI and is dropped. */
		vector_gsi[vec] = 0;
		gsi_vector[gsi] = 0;
	}
	spin_unlock_irqrestore(&vector_lock, flags);
}

void irq_gsi_mask(u32 gsi, bool masked)
{
	if (irq_gsi_valid(gsi))
		ioapic_mask(gsi, masked);
}
