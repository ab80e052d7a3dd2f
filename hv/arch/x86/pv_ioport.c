/*
 * I/O port instructions (IN/OUT and INS/OUTS, all sizes, REP) from a PV
 * guest: they fault in ring 3 and are performed here, as Xen 4.17 does.
 *
 * First the virtual IOPL: the guest kernel counts as CPL 1 (CPL 0 once it
 * enabled VMASST_TYPE_architectural_iopl), user mode as CPL 3; an access
 * at a CPL above the vCPU's IOPL is #GP(0) in the guest, unless the
 * vCPU's I/O bitmap (PHYSDEVOP_set_iobitmap) allows the port. PV kernels
 * set IOPL 1 with PHYSDEVOP_set_iopl (Linux does so in domain 0 only).
 *
 * Then the port: only the privileged domain reaches real ports, and never
 * the ones the hypervisor drives itself (PICs, PIT, the speaker/PIT gate
 * at 0x61, COM1). Anything else reads all-ones and writes nothing, as on
 * Xen, except two latches Xen keeps for every PV domain: a 32-bit access
 * to 0xCF8 (PCI configuration address) and the CMOS index port 0x70.
 *
 * PCI configuration mechanism #1 for domain 0: each access to the data
 * window 0xCFC-0xCFF writes the domain's latched address and does the
 * access as one step under pci_conf_lock, so the address/data pair cannot
 * be torn by another vCPU, or by the hypervisor if it ever reads config
 * space itself.
 */
#include <xen/xen.h>
#include "domain.h"
#include "context.h"
#include "debugreg.h"
#include "guest_access.h"
#include "lib.h"
#include "pv.h"
#include "spinlock.h"
#include "traps.h"
#include "x86.h"

#define PCI_CONF_ADDR 0xcf8
#define PCI_CONF_DATA 0xcfc
#define CMOS_INDEX 0x70
#define EFLAGS_DF (1UL << 10)
#define PFEC_WRITE 2U
#define PFEC_USER 4U
/* REP INS/OUTS iterations per trap; the rest re-executes (re-traps). */
#define MAX_REPS 1024

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

/**
 * pv_iopl_ok - may @v, in its current mode, use I/O ports and CLI/STI?
 * Xen's rule: the kernel is CPL 1 (0 with architectural_iopl), user 3.
 */
bool pv_iopl_ok(const struct vcpu *v)
{
	unsigned int cpl = 3;

	if (v->kernel_mode)
		cpl = (v->domain->vm_assist &
		       (1UL << VMASST_TYPE_architectural_iopl))
			  ? 0
			  : 1;
	return cpl <= v->iopl;
}

/*
 * The I/O bitmap of PHYSDEVOP_set_iobitmap, for what the IOPL refuses:
 * ports below its nr_ports are allowed where their bits are clear. It is
 * read through the kernel's page tables, two bytes as the CPU reads a
 * TSS bitmap; a byte that cannot be read counts as all set (Xen 4.17).
 */
static bool iobitmap_allows(struct vcpu *v, u16 port, unsigned int size)
{
	u8 bits[2] = { 0xff, 0xff };
	bool user = !v->kernel_mode;

	if (port + size > v->iobmp_nr)
		return false;
	if (user) {
		v->kernel_mode = true;
		write_guest_cr3(v);
	}
	if (copy_from_guest(&bits[0], v->iobmp + port / 8, 1) == 0 &&
	    copy_from_guest(&bits[1], v->iobmp + port / 8 + 1, 1))
		bits[1] = 0xff;
	if (user) {
		v->kernel_mode = false;
		write_guest_cr3(v);
	}
	return !((bits[0] | (bits[1] << 8)) & (((1U << size) - 1) << (port % 8)));
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
	outl(PCI_CONF_ADDR, d->pci_cf8);
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
			return d->pci_cf8;
		d->pci_cf8 = val;
		return val;
	}
	if (port >= PCI_CONF_DATA && port <= PCI_CONF_DATA + 3)
		return pci_conf_access(d, port, size, in, val);
	if (in)
		return port_in(port, size);
	port_out(port, size, val);
	return val;
}

/* A port the domain may not touch: all-ones, but Xen's two latches. */
static u32 latch_read(struct domain *d, u16 port, unsigned int size)
{
	u32 val = ~0U;

	if (port == PCI_CONF_ADDR && size == 4)
		return d->pci_cf8;
	for (unsigned int i = 0; i < size; i++)
		if (port + i == CMOS_INDEX)
			val = (val & ~(0xffU << (i * 8))) |
			      ((u32)d->cmos_idx << (i * 8));
	return val;
}

static void latch_write(struct domain *d, u16 port, unsigned int size, u32 val)
{
	if (port == PCI_CONF_ADDR && size == 4) {
		d->pci_cf8 = val;
		return;
	}
	for (unsigned int i = 0; i < size; i++)
		if (port + i == CMOS_INDEX)
			d->cmos_idx = (u8)(val >> (i * 8));
}

static u32 io_read(struct domain *d, u16 port, unsigned int size)
{
	if (d->privileged && ioport_allowed(port, size))
		return port_access(d, port, size, true, 0);
	return latch_read(d, port, size);
}

static void io_write(struct domain *d, u16 port, unsigned int size, u32 val)
{
	if (d->privileged && ioport_allowed(port, size))
		port_access(d, port, size, false, val);
	else
		latch_write(d, port, size, val);
}

/* #PF on the guest's buffer, as the CPU would report it. */
static int raise_pf(struct vcpu *v, struct cpu_user_regs *regs, u64 addr,
		    u32 err)
{
	v->vcpu_info->arch.cr2 = addr;
	pv_inject_trap(v, regs, TRAP_PF, true,
		       err | (v->kernel_mode ? 0 : PFEC_USER));
	return EMUL_RAISED;
}

/* One INS or OUTS element at the guest's RDI or seg:RSI. */
static int string_step(struct vcpu *v, struct cpu_user_regs *regs,
		       const struct pv_prefixes *px, bool in, u16 port,
		       unsigned int size)
{
	u64 amask = px->addr32 ? 0xffffffffUL : ~0UL;
	u64 base = 0, addr, *reg = in ? &regs->rdi : &regs->rsi;
	u32 val = 0;

	if (!in && (px->seg == 0x64 || px->seg == 0x65))
		base = rdmsr(px->seg == 0x64 ? MSR_FS_BASE : MSR_GS_BASE);
	addr = base + (*reg & amask);
	if (!guest_range_ok(addr, size))
		return EMUL_REFUSED; /* #GP, as a non-canonical address */
	if (in) {
		val = io_read(v->domain, port, size);
		if (copy_to_guest(addr, &val, size))
			return raise_pf(v, regs, addr, PFEC_WRITE);
	} else {
		if (copy_from_guest(&val, addr, size))
			return raise_pf(v, regs, addr, 0);
		io_write(v->domain, port, size, val);
	}
	/* A 32-bit register write (address size 32) zero-extends. */
	*reg =
	    (*reg + ((regs->rflags & EFLAGS_DF) ? -(u64)size : size)) & amask;
	return EMUL_DONE;
}

/*
 * INS/OUTS (6c-6f), with REP: RCX counts down; a fault leaves the
 * registers at the element that faulted, as on hardware.
 */
static int string_io(struct vcpu *v, struct cpu_user_regs *regs,
		     const struct pv_prefixes *px, u8 op)
{
	unsigned int size = (op & 1) ? (px->opsize16 ? 2 : 4) : 1;
	u64 cmask = px->addr32 ? 0xffffffffUL : ~0UL;

	for (unsigned int n = 0;; n++) {
		int rc;

		if (px->rep && !(regs->rcx & cmask))
			return EMUL_DONE;
		if (n == MAX_REPS)
			return EMUL_RAISED; /* not retired: it runs again */
		rc = string_step(v, regs, px, op < 0x6e, (u16)regs->rdx, size);
		if (rc == EMUL_DONE)
			v->io_bp_hits |= io_breakpoint_hits(v, (u16)regs->rdx,
							    size);
		if (rc != EMUL_DONE || !px->rep)
			return rc;
		regs->rcx = (regs->rcx - 1) & cmask;
	}
}

/**
 * pv_emulate_io - IN/OUT with an immediate port (e4-e7) or DX (ec-ef),
 * INS/OUTS (6c-6f). @p: the opcode bytes after the prefixes @px; @len:
 * out, the instruction's length after the prefixes. Returns EMUL_DONE,
 * EMUL_REFUSED (#GP) or EMUL_RAISED (another exception was delivered,
 * or a long REP goes on at the next trap).
 */
int pv_emulate_io(struct vcpu *v, struct cpu_user_regs *regs,
		  const struct pv_prefixes *px, const u8 *p, unsigned int *len)
{
	u8 op = p[0];
	unsigned int size = (op & 1) ? (px->opsize16 ? 2 : 4) : 1;
	u16 port = (op & 8) ? (u16)regs->rdx : p[1];
	u64 mask = size == 4 ? 0xffffffffUL : (1UL << (size * 8)) - 1;
	struct domain *d = v->domain;

	*len = (op & 0xf0) == 0x60 || (op & 8) ? 1 : 2;
	v->io_bp_hits = 0;
	if (!pv_iopl_ok(v) && !iobitmap_allows(v, port, size))
		return EMUL_REFUSED;
	if ((op & 0xf0) == 0x60)
		return string_io(v, regs, px, op);
	v->io_bp_hits = io_breakpoint_hits(v, port, size);
	if (op & 2) {
		io_write(d, port, size, (u32)regs->rax);
	} else {
		u32 val = io_read(d, port, size);

		/* A 32-bit IN zero-extends into RAX, as the CPU does. */
		regs->rax = size == 4 ? (val & mask)
				      : (regs->rax & ~mask) | (val & mask);
	}
	return EMUL_DONE;
}
