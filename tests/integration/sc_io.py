"""Scenarios for domain 0's I/O privileges (guests io_*.c): PCI
configuration space, device memory, physical interrupts as events, and a
domain U beside it that has none of them.

QEMU gets a second serial port (COM2, port 0x2f8, ISA IRQ 3) whose
interrupt domain 0 binds, and a modern-only virtio-pci device whose BAR
domain 0 maps.
"""
from scenarios import run_guests, scenario

IO_QEMU = ["-serial", "null",
           "-device", "virtio-serial-pci,disable-legacy=on"]


@scenario
def io_dom0(c):
    """Domain 0: PCI config via 0xCF8/0xCFC, virtio BAR mapping, COM2 IRQ 3 as an edge and a level pirq; domain U refused."""
    m = run_guests(c, [("io_dom0", ""), ("io_domu", "")],
                   cmdline="guest_loglvl=all", extra=IO_QEMU)
    for pattern in (r"\(d0\) 00:.*irq line.*", r"\(d0\) virtio .*",
                    r"d0: pirq \d+ \(GSI .*",
                    r"\(d0\) (edge|level): \d+ events"):
        for hit in m.find_all(pattern):
            c.note(hit.group(0))
    c.check("refusals of domain 1 were logged",
            m.find_all(r"d1: physdev_op \d+ refused \(-1\)"))
