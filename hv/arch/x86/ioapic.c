/*
 * IO-APICs: found through the MADT, every pin masked at boot, and routing
 * of one GSI to a vector on a CPU (the serial port's, and the lines that
 * domain 0 binds, see irq.c). A register is reached through a select and
 * a window register, so every access pair holds ioapic_lock.
 */
#include "acpi.h"
#include "apic.h"
#include "lib.h"
#include "page.h"
#include "spinlock.h"
#include "x86.h"

#define IOAPIC_REGSEL 0x00
#define IOAPIC_WINDOW 0x10
#define IOAPIC_REG_VER 0x01
#define IOAPIC_REDIR(pin) (0x10 + 2 * (pin))
#define REDIR_MASKED (1U << 16)
#define REDIR_LEVEL (1U << 15)
#define REDIR_ACTIVE_LOW (1U << 13)

struct ioapic {
	volatile u32 *regs;
	u32 gsi_base;
	unsigned int pins;
};

static struct ioapic ioapics[ACPI_MAX_IOAPICS];
static unsigned int nr_ioapics;
static DEFINE_SPINLOCK(ioapic_lock);

static u32 io_read(struct ioapic *io, u32 reg)
{
	io->regs[IOAPIC_REGSEL / 4] = reg;
	return io->regs[IOAPIC_WINDOW / 4];
}

static void io_write(struct ioapic *io, u32 reg, u32 v)
{
	io->regs[IOAPIC_REGSEL / 4] = reg;
	io->regs[IOAPIC_WINDOW / 4] = v;
}

static struct ioapic *ioapic_for_gsi(u32 gsi, unsigned int *pin)
{
	for (unsigned int i = 0; i < nr_ioapics; i++) {
		struct ioapic *io = &ioapics[i];
		if (gsi >= io->gsi_base && gsi < io->gsi_base + io->pins) {
			*pin = gsi - io->gsi_base;
			return io;
		}
	}
	return NULL;
}

void ioapic_init(void)
{
	for (unsigned int i = 0; i < acpi.nr_ioapics; i++) {
		struct ioapic *io = &ioapics[nr_ioapics];
		io->regs = ioremap(acpi.ioapic[i].addr, PAGE_SIZE);
		if (!io->regs)
			continue;
		io->gsi_base = acpi.ioapic[i].gsi_base;
		io->pins = ((io_read(io, IOAPIC_REG_VER) >> 16) & 0xff) + 1;
		for (unsigned int pin = 0; pin < io->pins; pin++) {
			io_write(io, IOAPIC_REDIR(pin) + 1, 0);
			io_write(io, IOAPIC_REDIR(pin), REDIR_MASKED);
		}
		printk("IO-APIC %u at %#x: GSIs %u-%u, all masked\n",
		       acpi.ioapic[i].id, acpi.ioapic[i].addr, io->gsi_base,
		       io->gsi_base + io->pins - 1);
		nr_ioapics++;
	}
}

/* Route a GSI to a vector on one CPU; it stays masked until unmasked. */
int ioapic_route(u32 gsi, u8 vector, u32 dest_apic_id, bool level,
		 bool active_low)
{
	unsigned int pin;
	struct ioapic *io = ioapic_for_gsi(gsi, &pin);
	u32 lo = vector | REDIR_MASKED;
	u64 flags;

	if (!io)
		return -ENOENT;
	if (level)
		lo |= REDIR_LEVEL;
	if (active_low)
		lo |= REDIR_ACTIVE_LOW;
	flags = spin_lock_irqsave(&ioapic_lock);
	io_write(io, IOAPIC_REDIR(pin), REDIR_MASKED);
	io_write(io, IOAPIC_REDIR(pin) + 1, dest_apic_id << 24);
	io_write(io, IOAPIC_REDIR(pin), lo);
	spin_unlock_irqrestore(&ioapic_lock, flags);
	return 0;
}

int ioapic_mask(u32 gsi, bool masked)
{
	unsigned int pin;
	struct ioapic *io = ioapic_for_gsi(gsi, &pin);
	u32 lo;
	u64 flags;

	if (!io)
		return -ENOENT;
	flags = spin_lock_irqsave(&ioapic_lock);
	lo = io_read(io, IOAPIC_REDIR(pin));
	lo = masked ? lo | REDIR_MASKED : lo & ~REDIR_MASKED;
	io_write(io, IOAPIC_REDIR(pin), lo);
	spin_unlock_irqrestore(&ioapic_lock, flags);
	return 0;
}

bool ioapic_has_gsi(u32 gsi)
{
	unsigned int pin;

	return ioapic_for_gsi(gsi, &pin) != NULL;
}

