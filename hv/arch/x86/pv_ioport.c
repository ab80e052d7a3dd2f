/*
 * I/O port instructions (IN/OUT, all sizes) from a PV guest kernel: they
 * fault in ring 3 and are performed here. Only the privileged domain
 * reaches real ports, and never the ones the hypervisor drives itself
 * (PICs, PIT, the speaker/PIT gate at 0x61, COM1); anything else reads
 * all-ones and writes nothing, as an empty bus would.
 *
 * PCI configuration mechanism #1: a 32-bit write to 0xCF8 is latched per
 * domain, and each access to the data window 0xCFC-0xCFF writes that
 * address and does the access as one step under pci_conf_lock. So the
 * address/data pair cannot be torn by another vCPU, or by the hypervisor
 * if it ever reads config space itself.
 */
#include "domain.h"
#include "lib.h"
#include "pv.h"
#include "spinlock.h"
#include "x86.h"

#define PCI_CONF_ADDR 0xcf8
#define PCI_CONF_DATA 0xcfc

static u32 pci_cf8[MAX_DOMAINS]; /* each domain's latched config address */
static DEFINE_SPINLOCK(pci_conf_lock);

/* Ports the hypervisor keeps: PICs, PIT, speaker/gate, COM1. */
static bool ioport_allowed(u16 port, unsigned int size)
{
	static const u16 kept[][2] = { { 0x20, 0x21 },
				       { 0xa0, 0xa1 },
				       { 0x40, 0x43 },
				       { 0x61, 0x61 },
				       { 0x3f8, 0x3ff } };
	for (unsigned int i = 0; i < ARRAY_SIZE(kept); i++)
		if (port <= kept[i][1] && port + size - 1 >= kept[i][0])
			return false;
	return true;
}

static u32 port_in(u16 port, unsigned int size)
{
	return size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
}

static void port_out(u16 port, unsigned int size, u32 val)
{
	if (size == 1)
		outb(port, (u8)val);
	else if (size == 2)
		outw(port, (u16)val);
	else
		outl(port, val);
}

/* Access the config data window for the domain's latched address. */
static u32 pci_conf_access(struct domain *d, u16 port, unsigned int size,
			   bool in, u32 val)
{
	u64 flags;

	if (port + size - 1 > PCI_CONF_DATA + 3) /* past the window */
		return ~0U;
	flags = spin_lock_irqsave(&pci_conf_lock);
	outl(PCI_CONF_ADDR, pci_cf8[d->id]);
	if (in)
		val = port_in(port, size);
	else
		port_out(port, size, val);
	spin_unlock_irqrestore(&pci_conf_lock, flags);
	return val;
}

/* One access by a privileged domain to a port it may use. */
static u32 port_access(struct domain *d, u16 port, unsigned int size, bool in,
		       u32 val)
{
	if (port == PCI_CONF_ADDR && size == 4) {
		if (in)
			return pci_cf8[d->id];
		pci_cf8[d->id] = val;
		return val;
	}
	if (port >= PCI_CONF_DATA && port <= PCI_CONF_DATA + 3)
		return pci_conf_access(d, port, size, in, val);
	if (in)
		return port_in(port, size);
	port_out(port, size, val);
	return val;
}

/**
 * pv_emulate_io - IN/OUT with an immediate port (e4-e7) or DX (ec-ef).
 * @p: the opcode bytes; @opsize16: a 0x66 prefix; @len: out, the
 * instruction's length after the prefixes. Always emulated.
 */
bool pv_emulate_io(struct vcpu *v, struct cpu_user_regs *regs, u8 op,
		   const u8 *p, bool opsize16, unsigned int *len)
{
	unsigned int size = (op & 1) ? (opsize16 ? 2 : 4) : 1;
	u16 port = (op & 8) ? (u16)regs->rdx : p[1];
	bool in = !(op & 2);
	u64 mask = size == 4 ? 0xffffffffUL : (1UL << (size * 8)) - 1;
	struct domain *d = v->domain;
	u32 val = ~0U;

	*len = (op & 8) ? 1 : 2;
	if (d->privileged && d->id < MAX_DOMAINS && ioport_allowed(port, size))
		val = port_access(d, port, size, in, (u32)regs->rax);
	if (in) /* a 32-bit IN zero-extends into RAX, as the CPU does */
		regs->rax = size == 4 ? (val & mask)
				      : (regs->rax & ~mask) | (val & mask);
	return true;
}
