/*
 * PCI configuration space by mechanism #1: the address (bus, device,
 * function, register) goes to port 0xCF8, the data through 0xCFC-0xCFF.
 * Domain 0 runs in ring 3, so each IN/OUT traps and the hypervisor does
 * it, latching the address per domain so that the pair cannot be torn.
 *
 * The scan walks bus 0 and follows PCI-to-PCI bridges to their secondary
 * buses. Firmware (SeaBIOS) has assigned BARs and interrupt lines; the
 * scan only reads them, sizing each BAR with the usual all-ones probe
 * while the device's decoding is off.
 */
#include "kernel.h"
#include "pci.h"
#include "portio.h"

#define CONF_ADDR 0xcf8
#define CONF_DATA 0xcfc
#define MAX_BUS 256

static struct pci_dev *devices;
static bool scanned;

static uint32_t conf_addr(uint8_t bus, uint8_t dev, uint8_t fn,
			  unsigned int off)
{
	return 0x80000000U | (uint32_t)bus << 16 | (uint32_t)dev << 11 |
	       (uint32_t)fn << 8 | (off & 0xfc);
}

static uint32_t conf_read(uint8_t bus, uint8_t dev, uint8_t fn,
			  unsigned int off)
{
	outl(CONF_ADDR, conf_addr(bus, dev, fn, off));
	return inl(CONF_DATA);
}

uint32_t pci_read32(const struct pci_dev *d, unsigned int off)
{
	return conf_read(d->bus, d->dev, d->fn, off);
}

/* Narrow reads take the aligned dword: one emulated access each way. */
uint16_t pci_read16(const struct pci_dev *d, unsigned int off)
{
	return (uint16_t)(pci_read32(d, off) >> ((off & 2) * 8));
}

uint8_t pci_read8(const struct pci_dev *d, unsigned int off)
{
	return (uint8_t)(pci_read32(d, off) >> ((off & 3) * 8));
}

void pci_write32(const struct pci_dev *d, unsigned int off, uint32_t v)
{
	outl(CONF_ADDR, conf_addr(d->bus, d->dev, d->fn, off));
	outl(CONF_DATA, v);
}

/*
 * A 16-bit write through the aligned dword: safe for the registers this
 * code writes (command next to status, whose bits are write-1-to-clear,
 * so the status half is written as zero).
 */
void pci_write16(const struct pci_dev *d, unsigned int off, uint16_t v)
{
	uint32_t old = pci_read32(d, off & ~3U);
	unsigned int shift = (off & 2) * 8;

	if ((off & ~3U) == PCI_COMMAND)
		old &= 0xffff; /* never clear status bits by accident */
	old &= ~(0xffffU << shift);
	pci_write32(d, off & ~3U, old | (uint32_t)v << shift);
}

/* Size BAR i (and its upper half if 64-bit); returns the next index. */
static unsigned int probe_bar(struct pci_dev *d, unsigned int i)
{
	unsigned int off = PCI_BAR0 + 4 * i;
	uint32_t lo = pci_read32(d, off), hi = 0, mlo, mhi = 0xffffffff;
	struct pci_bar *b = &d->bar[i];
	uint64_t mask;

	b->io = lo & 1;
	b->is64 = !b->io && ((lo >> 1) & 3) == 2 && i + 1 < PCI_NUM_BARS;
	pci_write32(d, off, 0xffffffff);
	mlo = pci_read32(d, off);
	pci_write32(d, off, lo);
	if (b->is64) {
		hi = pci_read32(d, off + 4);
		pci_write32(d, off + 4, 0xffffffff);
		mhi = pci_read32(d, off + 4);
		pci_write32(d, off + 4, hi);
	}
	if (b->io) {
		mask = (mlo & ~3U) | 0xffff0000U;
		b->addr = lo & ~3U;
		b->size = mlo ? (uint32_t)(~mask + 1) : 0;
	} else {
		mask = (uint64_t)mhi << 32 | (mlo & ~15U);
		b->addr = (uint64_t)hi << 32 | (lo & ~15U);
		b->size = (mlo & ~15U) ? ~mask + 1 : 0;
	}
	if (!b->size)
		b->addr = 0;
	return i + (b->is64 ? 2 : 1);
}

static void probe_bars(struct pci_dev *d)
{
	uint16_t cmd = pci_read16(d, PCI_COMMAND);

	/* No decoding while a BAR holds the all-ones probe. */
	pci_write16(d, PCI_COMMAND,
		    cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (unsigned int i = 0; i < PCI_NUM_BARS;)
		i = probe_bar(d, i);
	pci_write16(d, PCI_COMMAND, cmd);
}

static void scan_bus(uint8_t bus, unsigned int depth);

static void add_function(uint8_t bus, uint8_t dev, uint8_t fn, uint32_t id,
			 unsigned int depth)
{
	struct pci_dev *d = calloc(1, sizeof(*d)), **tail = &devices;
	uint8_t type;

	if (!d)
		return;
	d->bus = bus;
	d->dev = dev;
	d->fn = fn;
	d->vendor = (uint16_t)id;
	d->device = (uint16_t)(id >> 16);
	d->class_rev = pci_read32(d, PCI_CLASS_REVISION);
	type = pci_read8(d, PCI_HEADER_TYPE) & 0x7f;
	if (type == 0) {
		d->subsys_device = pci_read16(d, PCI_SUBSYSTEM_ID);
		d->irq_line = pci_read8(d, PCI_INTERRUPT_LINE);
		d->irq_pin = pci_read8(d, PCI_INTERRUPT_PIN);
		probe_bars(d);
	}
	while (*tail)
		tail = &(*tail)->next;
	*tail = d;
	/* A PCI-to-PCI bridge: its secondary bus holds more devices. */
	if (type == 1 && depth < 8) {
		uint8_t sec = pci_read8(d, PCI_SECONDARY_BUS);
		if (sec > bus)
			scan_bus(sec, depth + 1);
	}
}

static void scan_bus(uint8_t bus, unsigned int depth)
{
	for (uint8_t dev = 0; dev < 32; dev++) {
		for (uint8_t fn = 0; fn < 8; fn++) {
			uint32_t id = conf_read(bus, dev, fn, PCI_VENDOR_ID);
			if ((id & 0xffff) == 0xffff) {
				if (fn == 0)
					break;
				continue;
			}
			add_function(bus, dev, fn, id, depth);
			/* Functions 1-7 exist only on multi-function devices. */
			if (fn == 0 &&
			    !(conf_read(bus, dev, 0, PCI_HEADER_TYPE & ~3U) &
			      (0x80U << 16)))
				break;
		}
	}
}

struct pci_dev *pci_scan(void)
{
	if (!scanned) {
		scanned = true;
		scan_bus(0, 0);
	}
	return devices;
}

struct pci_dev *pci_find(uint16_t vendor, uint16_t device, unsigned int n)
{
	for (struct pci_dev *d = pci_scan(); d; d = d->next)
		if (d->vendor == vendor && d->device == device && !n--)
			return d;
	return NULL;
}

unsigned int pci_find_cap(const struct pci_dev *d, uint8_t id,
			  unsigned int from)
{
	unsigned int off, guard = 48; /* a malformed list cannot loop */

	if (!(pci_read16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	off = from ? pci_read8(d, from + 1) : pci_read8(d, PCI_CAP_PTR);
	while (off >= 0x40 && guard--) {
		off &= ~3U;
		if (pci_read8(d, off) == id)
			return off;
		off = pci_read8(d, off + 1);
	}
	return 0;
}

void pci_enable(const struct pci_dev *d)
{
	uint16_t cmd = pci_read16(d, PCI_COMMAND);

	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	cmd &= ~PCI_COMMAND_INTX_DISABLE;
	pci_write16(d, PCI_COMMAND, cmd);
}

void pci_list(pci_print_fn fn, void *ctx)
{
	char line[160];

	for (struct pci_dev *d = pci_scan(); d; d = d->next) {
		int n = snprintf(line, sizeof(line),
				 "%02x:%02x.%x %04x:%04x class %06x", d->bus,
				 d->dev, d->fn, d->vendor, d->device,
				 d->class_rev >> 8);
		if (d->irq_pin)
			n += snprintf(line + n, sizeof(line) - n, " irq %u",
				      d->irq_line);
		for (unsigned int i = 0; i < PCI_NUM_BARS; i++) {
			const struct pci_bar *b = &d->bar[i];
			if (b->size && n < (int)sizeof(line))
				n += snprintf(line + n, sizeof(line) - n,
					      " bar%u %s%#lx+%#lx", i,
					      b->io ? "io " : "", b->addr,
					      b->size);
		}
		fn(ctx, line);
	}
}
