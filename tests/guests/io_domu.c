/*
 * A domain U next to io_dom0: it has no I/O privileges. Every interrupt
 * operation is -EPERM and changes nothing, its port I/O is #GP at IOPL 0
 * and at IOPL 1 reads all-ones (PCI configuration space included) and
 * writes nothing, and it cannot map device memory or the interrupt
 * controllers.
 */
#include "io_common.h"
#include "mmtest.h"

static void check_interrupt_ops(void)
{
	struct physdev_get_free_pirq g = { MAP_PIRQ_TYPE_GSI, 0 };
	struct physdev_irq iv = { 3, 0 };
	uint32_t port = 0;

	pv_test_group("domain U: interrupt operations are -EPERM");
	CHECK_EQ(io_map_gsi(3, -1), -EPERM);
	CHECK_EQ(io_map_gsi(11, 11), -EPERM);
	CHECK_EQ(io_unmap_pirq(3), -EPERM);
	CHECK_EQ(io_setup_gsi(3, 1, 0), -EPERM);
	CHECK_EQ(io_eoi(3), -EPERM);
	CHECK_EQ(physdev_op(PHYSDEVOP_get_free_pirq, &g), -EPERM);
	CHECK_EQ(physdev_op(PHYSDEVOP_alloc_irq_vector, &iv), -EPERM);
	for (uint32_t pirq = 0; pirq < 64; pirq += 3) {
		CHECK_EQ(io_bind_pirq(pirq, 0, &port), -EPERM);
		CHECK_EQ(port, 0);
	}
	CHECK_EQ(io_bind_pirq(3, BIND_PIRQ__WILL_SHARE, &port), -EPERM);
	/* Harmless queries are answered: no pirq of ours needs an EOI. */
	CHECK_EQ(io_irq_status(3), 0);
	/* No port was allocated by the refusals: 3 is still free. */
	CHECK_EQ(ev_state(3), EVTCHNSTAT_closed);
}

static unsigned int gp_count;

/* #GP on a one-byte IN/OUT (port in DX): count it, go on after it. */
static void on_gp(struct pv_frame *f)
{
	gp_count++;
	f->rip += 1;
}

static void check_iopl0(void)
{
	uint8_t v = 0x5a;

	pv_test_group("domain U: port I/O at IOPL 0 is #GP, as on Xen");
	pv_set_trap_handler(13, on_gp);
	asm volatile("inb %%dx, %%al" : "+a"(v) : "d"(0x80) : "memory");
	CHECK_EQ(gp_count, 1);
	CHECK_EQ(v, 0x5a); /* nothing read */
	asm volatile("outb %%al, %%dx" : : "a"(v), "d"(0x80) : "memory");
	CHECK_EQ(gp_count, 2);
	pv_set_trap_handler(13, NULL);
	CHECK_EQ(pv_set_iopl(1), 0);
}

static void check_ports(void)
{
	pv_test_group("domain U: ports read all-ones, PCI included");
	/* Xen latches a 32-bit CONFIG_ADDRESS for every PV domain. */
	outl(PCI_CONF_ADDR, 0x80000000U);
	CHECK_EQ(inl(PCI_CONF_ADDR), 0x80000000U);
	CHECK_EQ(inl(PCI_CONF_DATA), 0xffffffffU);
	CHECK_EQ(inw(PCI_CONF_DATA + 2), 0xffff);
	CHECK_EQ(inb(PCI_CONF_DATA + 1), 0xff);
	CHECK_EQ(pci_read32(0, 0), 0xffffffffU);
	outb(0x2ff, 0x11); /* COM2 scratch: dropped */
	CHECK_EQ(inb(0x2ff), 0xff);
	CHECK_EQ(inb(0x3f9), 0xff);
	CHECK_EQ(inb(0x21), 0xff);
}

static void check_mmio(void)
{
	unsigned int idx = mm_alloc_idx(1);
	static const uint64_t frames[] = { 0xfe000, 0xfebf0,  0xfee00, 0xfec00,
					   0xfed00, 0x100000, 0xa0 };
	uint64_t mfn = mm_alloc_zeroed();

	pv_test_group("domain U: no device memory");
	for (unsigned int i = 0; i < ARRAY_SIZE(frames); i++) {
		CHECK(mm_update(mm_pte_ma(idx),
				(frames[i] << 12) | PTE_PAGE_RO) < 0,
		      "frame %#lx mapped", frames[i]);
		CHECK(mm_map(idx, frames[i], PTE_PAGE_RO) < 0,
		      "frame %#lx mapped by update_va_mapping", frames[i]);
	}
	CHECK_EQ(*mm_pte(idx), 0);
	/* Its own page may be its EOI bitmap (nothing will be set). */
	CHECK_EQ(io_eoi_page(0), -EINVAL);
	CHECK_EQ(io_eoi_page(mfn), 0);
}

void pv_main(void)
{
	mm_init(1);
	check_interrupt_ops();
	check_iopl0();
	check_ports();
	check_mmio();
	pv_test_summary();
}
