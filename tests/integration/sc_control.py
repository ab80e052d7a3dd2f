"""Scenarios for the control interface (guests ctl_*.c): domctl, sysctl
and hvm_op from domain 0, and refused to an unprivileged domain."""
from qemu import Machine
from scenarios import scenario, guest_modules, result

DOMU_MIB = 32
RAM = "1G"


@scenario
def control_ops(c):
    """domctl/sysctl/hvm_op: physinfo, domain list, console ring, pause, context, affinity, hvm params, destroy, create; -EPERM for a domU."""
    control(c, smp=2)  # the victim on the other CPU
    control(c, smp=1)  # everyone on one CPU


def control(c, smp):
    specs = [("ctl_dom0", "cpus=%d ram_mib=1024 domu_pages=%d"
              % (smp, DOMU_MIB * 256)),
             ("ctl_domu", "role=intruder"),
             ("ctl_domu", "role=victim")]
    m = Machine("domains=2 guest_loglvl=all domu_mem=%dM" % DOMU_MIB,
                smp=smp, mem=RAM, extra=["-initrd", guest_modules(specs)])
    c.machine = m
    try:
        down = m.wait_for(r"d0: shut down: (\w+)", 180)
        c.check("smp=%d: d0 (ctl_dom0) shut down with poweroff" % smp,
                down and down.group(1) == "poweroff", down and down.group(0))
        result(c, m, 0, "ctl_dom0")
        result(c, m, 1, "ctl_domu role=intruder")
        c.check("d2 destroyed by domain 0", m.find_all(r"d2: destroyed"))
        c.check("no hypervisor crash",
                not m.find_all(r"FATAL TRAP|Panic on CPU") and m.alive())
    finally:
        m.stop()
    for d in (1, 2):
        seen = m.find_all(r"\(d%d\) rings: store (0x[0-9a-f]+) port (\d+) "
                          r"console (0x[0-9a-f]+) port (\d+)" % d)
        told = m.find_all(r"\(d0\) hvm d%d: store (0x[0-9a-f]+) port (\d+) "
                          r"console (0x[0-9a-f]+) port (\d+)" % d)
        c.check("hvm get_param for d%d matches its start_info" % d,
                seen and told and seen[0].groups() == told[0].groups(),
                "%s / %s" % (seen and seen[0].group(0),
                             told and told[0].group(0)))
    for hit in m.find_all(r"\(d0\) (physinfo: .*|destroy gave back .*)"):
        c.note(hit.group(1))
