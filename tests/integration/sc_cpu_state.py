"""Per-vCPU CPU state: guest descriptor tables and FPU/SSE/AVX state.

Both kinds of state live in the CPU while a vCPU runs and must be switched
with it, so each scenario runs several domains on one physical CPU
(smp=1) and makes them yield to each other.
"""
from scenarios import run_guests, scenario


@scenario
def cpu_descriptors(c):
    """Guest GDTs: set_gdt, update_descriptor, validation, selectors."""
    run_guests(c, [("descriptors", "id=0"), ("descriptors", "id=1")],
               cmdline="guest_loglvl=all", smp=1)


@scenario
def cpu_fpu_switch(c):
    """FPU/SSE/AVX state across vCPU switches on one CPU; virtual CR0.TS."""
    specs = [("fpu", "id=%d peers=2" % i) for i in range(3)]
    m = run_guests(c, specs, cmdline="guest_loglvl=all", smp=1)
    ymm = len(m.find_all(r"fpu: id \d, 2 peers, XMM and YMM")) == 3
    c.note("YMM upper halves %s (PV CPUID AVX+OSXSAVE and XCR0)"
           % ("covered" if ymm else "NOT covered: this CPU model has no AVX"))
    starts = [i for i, l in enumerate(m.lines) if "fpu: rounds start" in l]
    dones = [i for i, l in enumerate(m.lines) if "fpu: rounds done" in l]
    c.check("the three domains' rounds overlapped (all started before any ended)",
            len(starts) == 3 and len(dones) == 3 and max(starts) < min(dones),
            "start lines %s, done lines %s" % (starts, dones))


@scenario
def cpu_fpu_switch_fxsave(c):
    """The same on a CPU without XSAVE: FXSAVE/FXRSTOR, XMM only."""
    specs = [("fpu", "id=%d peers=1" % i) for i in range(2)]
    m = run_guests(c, specs, cmdline="guest_loglvl=all", smp=1,
                   extra=["-cpu", "max,-xsave"])
    c.check("the guests see no AVX",
            len(m.find_all(r"fpu: id \d, 1 peers, XMM only")) == 2)


@scenario
def cpu_ldt(c):
    """MMUEXT_SET_LDT: validated, read-only LDTs; TI=1 selectors load."""
    run_guests(c, [("ldt", "")], cmdline="guest_loglvl=all")


@scenario
def cpu_fpu_migrate(c):
    """FPU/SSE/AVX state of vCPUs that the scheduler moves between CPUs
    (an idle CPU steals queued work): five domains' rounds on two CPUs,
    sleeping between fill and check so that CPUs idle and steal."""
    specs = [("fpu", "id=%d peers=4 sleep=300" % i) for i in range(5)]
    m = run_guests(c, specs, cmdline="guest_loglvl=all", smp=2)
    moved = m.find_all(r"fpu: id \d, 4 peers")
    c.check("all five ran (%d)" % len(moved), len(moved) == 5)
