/*
 * Domain 0's I/O privileges: PCI configuration space through 0xCF8/0xCFC,
 * a device BAR mapped with mmu_update, and a physical interrupt as an
 * event channel, with what the hypervisor keeps for itself refused.
 *
 * The interrupt comes from COM2 (port 0x2f8, ISA IRQ 3; QEMU gets a
 * second -serial): in loopback with only the THR-empty interrupt enabled,
 * the UART raises its line whenever the transmitter is empty and drops it
 * when IIR is read. As an edge line, each new THR-empty condition is one
 * event. Set up as a level line (setup_gsi), the line stays asserted
 * until IIR is read: the hypervisor must hold it masked from delivery to
 * our PHYSDEVOP_eoi, so we see exactly one event per EOI, and none once
 * the UART is quiet.
 */
#include "io_common.h"
#include "mmtest.h"

#define COM2 0x2f8
#define COM2_GSI 3
#define UART_IER 1
#define UART_IIR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define IER_THRI 0x02
#define MCR_LOOP_OUT2 0x18
#define IIR_NO_INT 0x01
#define IIR_ID 0x0e
#define IIR_THRI 0x02

#define VIRTIO_VENDOR 0x1af4
#define PCI_CAP_VNDR 0x09
#define VIRTIO_PCI_CAP_COMMON 1

static volatile unsigned int events;
static volatile uint64_t *eoi_bits;

static void on_pirq(uint32_t port)
{
	(void)port;
	events++;
}

/* Yield until events reaches n or ms pass; returns whether it did. */
static bool wait_events(unsigned int n, unsigned int ms)
{
	uint64_t end = pv_now() + ms * NS_PER_MS;

	while (events < n && pv_now() < end)
		sched_yield();
	return events >= n;
}

static bool eoi_bit(unsigned int pirq)
{
	return (eoi_bits[pirq / 64] >> (pirq % 64)) & 1;
}

/* --- PCI configuration space ---------------------------------------- */

static int virtio_dev = -1;

static void check_pci(void)
{
	uint32_t id;

	pv_test_group("PCI config space via 0xCF8/0xCFC, all sizes");
	id = pci_read32(0, 0);
	printf("00:00.0 is %04x:%04x\n", id & 0xffff, id >> 16);
	CHECK_EQ(id, 0x12378086);
	CHECK_EQ(inl(PCI_CONF_ADDR), pci_addr(0, 0, 0, 0));
	CHECK_EQ(pci_read16(0, 0), 0x8086);
	CHECK_EQ(pci_read16(0, 2), 0x1237);
	CHECK_EQ(pci_read8(0, 0), 0x86);
	CHECK_EQ(pci_read8(0, 1), 0x80);
	CHECK_EQ(pci_read8(0, 2), 0x37);
	CHECK_EQ(pci_read8(0, 3), 0x12);
	CHECK_EQ(pci_read32(31, 0), 0xffffffffU); /* an empty slot */
	for (unsigned int dev = 0; dev < 32; dev++) {
		id = pci_read32(dev, 0);
		if ((id & 0xffff) == 0xffff)
			continue;
		printf("00:%02x.0 %04x:%04x class %06x irq line %u pin %u\n",
		       dev, id & 0xffff, id >> 16, pci_read32(dev, 8) >> 8,
		       pci_read8(dev, 0x3c), pci_read8(dev, 0x3d));
		if ((id & 0xffff) == VIRTIO_VENDOR && virtio_dev < 0)
			virtio_dev = (int)dev;
	}
	CHECK(virtio_dev > 0, "no virtio device on bus 0");
	if (virtio_dev > 0) {
		/* Writes reach the device: the interrupt line is scratch. */
		uint8_t line = pci_read8(virtio_dev, 0x3c);

		pci_write8(virtio_dev, 0x3c, 0x5a);
		CHECK_EQ(pci_read8(virtio_dev, 0x3c), 0x5a);
		pci_write8(virtio_dev, 0x3c, line);
		CHECK_EQ(pci_read8(virtio_dev, 0x3c), line);
	}
}

/* The physical address of a BAR (32- or 64-bit memory BAR), or 0. */
static uint64_t bar_address(int dev, unsigned int bar)
{
	uint32_t lo = pci_read32(dev, 0x10 + 4 * bar);
	uint64_t a = lo & ~0xfU;

	if (lo & 1)
		return 0; /* I/O BAR */
	if (((lo >> 1) & 3) == 2)
		a |= (uint64_t)pci_read32(dev, 0x14 + 4 * bar) << 32;
	return a;
}

static void check_bar_mapping(void)
{
	unsigned int cap, bar = 0, idx = mm_alloc_idx(1);
	uint32_t off = 0;
	uint64_t pa = 0, mfn;
	volatile uint32_t *common;

	pv_test_group("virtio BAR mapped with mmu_update, PCD|PWT");
	if (virtio_dev < 0)
		return;
	CHECK(pci_read16(virtio_dev, 6) & 0x10, "no capability list");
	for (cap = pci_read8(virtio_dev, 0x34) & 0xfc; cap;
	     cap = pci_read8(virtio_dev, cap + 1) & 0xfc) {
		if (pci_read8(virtio_dev, cap) == PCI_CAP_VNDR &&
		    pci_read8(virtio_dev, cap + 3) == VIRTIO_PCI_CAP_COMMON) {
			bar = pci_read8(virtio_dev, cap + 4);
			off = pci_read32(virtio_dev, cap + 8);
			pa = bar_address(virtio_dev, bar) + off;
			break;
		}
	}
	CHECK(pa, "no virtio common configuration capability");
	if (!pa)
		return;
	printf("virtio common config: BAR%u + %#x = %#lx\n", bar, off, pa);
	mfn = pa >> 12;
	CHECK_EQ(mm_update(mm_pte_ma(idx),
			   (mfn << 12) | PTE_PAGE_RW | PTE_PCD | PTE_PWT),
		 0);
	CHECK_EQ(*mm_pte(idx) & (PTE_ADDR | PTE_PCD | PTE_PWT),
		 (mfn << 12) | PTE_PCD | PTE_PWT);
	common = (volatile uint32_t *)((uint8_t *)mm_va(idx) + (pa & 0xfff));
	common[0] = 1; /* device_feature_select: bits 32..63 */
	CHECK((common[1] & 1), "VIRTIO_F_VERSION_1 not offered: %#x",
	      common[1]);
	printf("virtio num_queues %u\n",
	       ((volatile uint16_t *)common)[0x12 / 2]);
	CHECK_EQ(mm_unmap(idx), 0);
}

/* --- What stays the hypervisor's ------------------------------------- */

static void check_refusals(void)
{
	unsigned int idx = mm_alloc_idx(1);
	static const int kept[] = { 0, 2, 4 };

	pv_test_group("refused: the hypervisor's lines, frames and ports");
	for (unsigned int i = 0; i < ARRAY_SIZE(kept); i++) {
		CHECK_EQ(io_map_gsi(kept[i], -1), -EPERM);
		CHECK_EQ(io_setup_gsi(kept[i], 0, 0), -EPERM);
	}
	CHECK_EQ(io_map_gsi(-1, -1), -EINVAL);
	CHECK_EQ(io_map_gsi(1000, -1), -EINVAL);
	CHECK_EQ(io_map_gsi(COM2_GSI, 4096), -EINVAL);
	CHECK_EQ(io_setup_gsi(COM2_GSI, 2, 0), -EINVAL);
	CHECK_EQ(io_eoi(5000), -EINVAL);
	CHECK_EQ(io_eoi(7), -EINVAL); /* not mapped */
	CHECK_EQ(io_unmap_pirq(7), -EINVAL);
	{
		uint32_t port;
		CHECK_EQ(io_bind_pirq(7, 0, &port), -EINVAL); /* not mapped */
		CHECK_EQ(io_bind_pirq(100000, 0, &port), -EINVAL);
	}
	/* Local APIC, IO-APIC, the MSI range, beyond the address width,
	 * and RAM the hypervisor keeps (frame 0). */
	CHECK(mm_update(mm_pte_ma(idx), (0xfee00UL << 12) | PTE_PAGE_RW) < 0,
	      "local APIC mapped");
	CHECK(mm_update(mm_pte_ma(idx), (0xfec00UL << 12) | PTE_PAGE_RO) < 0,
	      "IO-APIC mapped");
	CHECK(mm_update(mm_pte_ma(idx), (0xfee10UL << 12) | PTE_PAGE_RO) < 0,
	      "MSI range mapped");
	CHECK(mm_update(mm_pte_ma(idx), (0xffffffffffUL << 12) | PTE_PAGE_RO) <
		  0,
	      "frame beyond the physical address width mapped");
	CHECK(mm_update(mm_pte_ma(idx), 0 | PTE_PAGE_RO) < 0,
	      "hypervisor RAM (frame 0) mapped");
	CHECK_EQ(*mm_pte(idx), 0);
	/* PICs, PIT, the PIT gate, COM1 (the hypervisor has IER = RX on). */
	CHECK_EQ(inb(0x21), 0xff);
	CHECK_EQ(inb(0xa1), 0xff);
	CHECK_EQ(inb(0x40), 0xff);
	CHECK_EQ(inb(0x43), 0xff);
	CHECK_EQ(inb(0x61), 0xff);
	CHECK_EQ(inb(0x3f9), 0xff);
	CHECK_EQ(inb(0x3fb), 0xff);
	CHECK_EQ(inw(0x3f7), 0xffff); /* straddles COM1's start */
	CHECK_EQ(inl(0x3fe), 0xffffffffU); /* straddles its end */
	outb(0x3f9, 0); /* dropped: input keeps working */
	outb(0x21, 0); /* dropped: PIC stays masked */
	/* COM2 is ours: its scratch register holds what we write. */
	outb(COM2 + 7, 0xa5);
	CHECK_EQ(inb(COM2 + 7), 0xa5);
}

/* --- COM2's interrupt as an event ------------------------------------ */

static void uart_quiet(void)
{
	outb(COM2 + UART_IER, 0);
	outb(COM2 + UART_LCR, 0x03);
	outb(COM2 + UART_MCR, MCR_LOOP_OUT2);
	for (int i = 0; i < 16 && (inb(COM2 + UART_LSR) & 1); i++)
		(void)inb(COM2); /* drain looped-back bytes */
	(void)inb(COM2 + UART_IIR);
}

static uint32_t bind_com2(unsigned int pirq, uint32_t flags)
{
	uint32_t port = 0, again;
	struct evtchn_status st;

	CHECK_EQ(io_bind_pirq(pirq, flags, &port), 0);
	CHECK_EQ(io_bind_pirq(pirq, 0, &again), -EEXIST);
	CHECK_EQ(ev_status(DOMID_SELF, port, &st), 0);
	CHECK_EQ(st.status, EVTCHNSTAT_pirq);
	CHECK_EQ(st.u.pirq, pirq);
	pv_bind_handler(port, on_pirq);
	pv_unmask(port);
	return port;
}

static void check_edge(unsigned int pirq)
{
	uint32_t port;

	pv_test_group("COM2 IRQ 3 as an edge-triggered pirq");
	CHECK_EQ(io_setup_gsi(COM2_GSI, 0, 0), 0);
	CHECK_EQ(io_irq_status(pirq), 0);
	uart_quiet();
	events = 0;
	port = bind_com2(pirq, BIND_PIRQ__WILL_SHARE);
	CHECK_EQ(io_setup_gsi(COM2_GSI, 1, 0), -EEXIST); /* bound as edge */
	outb(COM2 + UART_IER, IER_THRI);
	CHECK(wait_events(1, 2000), "no event for THR empty");
	CHECK_EQ(inb(COM2 + UART_IIR) & IIR_ID, IIR_THRI);
	CHECK_EQ(io_eoi(pirq), 0); /* harmless on an edge line */
	for (unsigned int n = 2; n <= 4; n++) {
		outb(COM2, (uint8_t)('0' + n)); /* looped back; THR empties */
		CHECK(wait_events(n, 2000), "event %u missing (%u seen)", n,
		      events);
		(void)inb(COM2 + UART_IIR);
	}
	printf("edge: %u events\n", events);
	CHECK_EQ(ev_close(port), 0);
	CHECK_EQ(ev_state(port), EVTCHNSTAT_closed);
	uart_quiet();
}

static void check_level(unsigned int pirq)
{
	uint32_t port;
	unsigned int seen;

	pv_test_group("COM2 IRQ 3 as a level-triggered pirq: masked until EOI");
	CHECK_EQ(io_setup_gsi(COM2_GSI, 1, 0), 0);
	CHECK_EQ(io_irq_status(pirq), XENIRQSTAT_needs_eoi);
	events = 0;
	port = bind_com2(pirq, 0);
	CHECK(!eoi_bit(pirq), "EOI bit set before any interrupt");
	outb(COM2 + UART_IER, IER_THRI); /* line up, and it stays up */
	CHECK(wait_events(1, 2000), "no event for THR empty");
	CHECK(eoi_bit(pirq), "EOI bit not set for an interrupt in service");
	wait_events(2, 200); /* the line is still asserted... */
	CHECK_EQ(events, 1); /* ...but masked until our EOI */
	for (unsigned int n = 2; n <= 3; n++) {
		CHECK_EQ(io_eoi(pirq), 0);
		CHECK(wait_events(n, 2000), "no event %u after EOI", n);
		CHECK(eoi_bit(pirq), "EOI bit clear while in service");
	}
	/* Quiet the UART (IIR read drops the line), then EOI: no more. */
	CHECK_EQ(inb(COM2 + UART_IIR) & IIR_ID, IIR_THRI);
	seen = events;
	CHECK_EQ(io_eoi(pirq), 0);
	CHECK(!eoi_bit(pirq), "EOI bit still set after EOI");
	wait_events(seen + 1, 200);
	CHECK_EQ(events, seen);
	/* A new THR-empty condition is delivered again. */
	outb(COM2, 'L');
	CHECK(wait_events(seen + 1, 2000), "no event after the line rose");
	(void)inb(COM2 + UART_IIR);
	CHECK_EQ(io_eoi(pirq), 0);
	printf("level: %u events\n", events);
	uart_quiet();
	CHECK_EQ(io_unmap_pirq(pirq), -EBUSY); /* still bound */
	CHECK_EQ(ev_close(port), 0);
}

static void check_eoi_page(void)
{
	uint64_t mfn = mm_alloc_zeroed();
	unsigned int idx = mm_alloc_idx(1);

	pv_test_group("pirq EOI bitmap page (PHYSDEVOP_pirq_eoi_gmfn_v2)");
	CHECK_EQ(io_eoi_page(0xfee00), -EINVAL); /* not RAM */
	CHECK_EQ(io_eoi_page(0), -EINVAL); /* the hypervisor's */
	CHECK_EQ(io_eoi_page(mfn), 0);
	CHECK_EQ(io_eoi_page(mfn), -EBUSY);
	CHECK_EQ(mm_map(idx, mfn, PTE_PAGE_RW), 0);
	eoi_bits = (volatile uint64_t *)mm_va(idx);
}

static void check_pirqs(void)
{
	long pirq;
	struct physdev_get_free_pirq g = { MAP_PIRQ_TYPE_GSI, 0 };
	struct physdev_irq iv = { COM2_GSI, 0 };

	pv_test_group("map_pirq, get_free_pirq, alloc_irq_vector");
	CHECK_EQ(physdev_op(PHYSDEVOP_get_free_pirq, &g), 0);
	CHECK(g.pirq >= 16 && g.pirq < 4096, "free pirq %u", g.pirq);
	CHECK_EQ(physdev_op(PHYSDEVOP_alloc_irq_vector, &iv), 0);
	CHECK_EQ(iv.vector, COM2_GSI);
	pirq = io_map_gsi(COM2_GSI, -1);
	CHECK_EQ(pirq, COM2_GSI); /* a GSI's own number when free */
	CHECK_EQ(io_map_gsi(COM2_GSI, -1), pirq); /* again: the same */
	CHECK_EQ(io_map_gsi(COM2_GSI, 40), -EBUSY);
	if (pirq < 0)
		return;
	check_edge((unsigned int)pirq);
	check_level((unsigned int)pirq);
	CHECK_EQ(io_unmap_pirq((int)pirq), 0);
	CHECK_EQ(io_unmap_pirq((int)pirq), -EINVAL);
	CHECK_EQ(io_eoi((uint32_t)pirq), -EINVAL);
	/* A PCI INTx line: level by the MADT's override, a quiet device. */
	if (virtio_dev > 0) {
		unsigned int gsi = pci_read8(virtio_dev, 0x3c);
		uint32_t port = 0;

		pirq = io_map_gsi((int)gsi, -1);
		CHECK_EQ(pirq, gsi);
		CHECK_EQ(io_irq_status((uint32_t)pirq), XENIRQSTAT_needs_eoi);
		events = 0;
		CHECK_EQ(
		    io_bind_pirq((uint32_t)pirq, BIND_PIRQ__WILL_SHARE, &port),
		    0);
		pv_bind_handler(port, on_pirq);
		pv_unmask(port);
		wait_events(1, 100);
		CHECK_EQ(events, 0);
		CHECK_EQ(ev_close(port), 0);
		CHECK_EQ(io_unmap_pirq((int)pirq), 0);
		printf("virtio INTx: GSI %u needs EOI (level)\n", gsi);
	}
	/* A chosen pirq number. */
	CHECK_EQ(io_map_gsi(COM2_GSI, 40), 40);
	CHECK_EQ(io_unmap_pirq(40), 0);
}

void pv_main(void)
{
	mm_init(1);
	pv_events_enable();
	pv_test_group("IOPL 1 for port I/O (PHYSDEVOP_set_iopl)");
	CHECK_EQ(pv_set_iopl(1), 0);
	check_pci();
	check_bar_mapping();
	check_refusals();
	check_eoi_page();
	check_pirqs();
	pv_test_summary();
}
