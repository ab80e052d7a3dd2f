/*
 * PCI for domain 0 (dom0/drivers/pci.c): configuration space through
 * mechanism #1 (ports 0xCF8/0xCFC, which the hypervisor performs for the
 * privileged domain), a scan of bus 0 and the buses behind its bridges,
 * BAR decoding and capability lists. Devices found at boot are kept in a
 * list that drivers search by vendor and device id.
 */
#ifndef DOM0_PCI_H
#define DOM0_PCI_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_CLASS_REVISION 0x08
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define PCI_SECONDARY_BUS 0x19
#define PCI_SUBSYSTEM_ID 0x2e
#define PCI_CAP_PTR 0x34
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d

#define PCI_COMMAND_IO 0x1
#define PCI_COMMAND_MEMORY 0x2
#define PCI_COMMAND_MASTER 0x4
#define PCI_COMMAND_INTX_DISABLE 0x400
#define PCI_STATUS_CAP_LIST 0x10

#define PCI_CAP_ID_VNDR 0x09
#define PCI_NUM_BARS 6

struct pci_bar {
	uint64_t addr; /* bus (machine) address, 0 if unassigned */
	uint64_t size;
	bool io; /* an I/O port range rather than memory */
	bool is64;
};

struct pci_dev {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint16_t subsys_device;
	uint32_t class_rev; /* class << 8 | revision */
	uint8_t irq_line, irq_pin; /* pin 0: no INTx */
	struct pci_bar bar[PCI_NUM_BARS];
	struct pci_dev *next;
};

uint32_t pci_read32(const struct pci_dev *d, unsigned int off);
uint16_t pci_read16(const struct pci_dev *d, unsigned int off);
uint8_t pci_read8(const struct pci_dev *d, unsigned int off);
void pci_write32(const struct pci_dev *d, unsigned int off, uint32_t v);
void pci_write16(const struct pci_dev *d, unsigned int off, uint16_t v);

/* Scan the buses once (later calls return the same list). */
struct pci_dev *pci_scan(void);
/* The n-th device (from 0) with this vendor and device id, or NULL. */
struct pci_dev *pci_find(uint16_t vendor, uint16_t device, unsigned int n);
/* Offset of the first capability with id after 'from' (0: start), or 0. */
unsigned int pci_find_cap(const struct pci_dev *d, uint8_t id,
			  unsigned int from);
/* Turn on memory decoding and bus mastering (DMA). */
void pci_enable(const struct pci_dev *d);
/* Print the device list (for the log and the `lspci` command). */
typedef void (*pci_print_fn)(void *ctx, const char *line);
void pci_list(pci_print_fn fn, void *ctx);

#endif
