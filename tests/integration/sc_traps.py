"""CPU virtualisation: exceptions, emulation, user mode, the iret
hypercall; and guests that break their own trap handling are crashed
alone while another domain keeps running."""
import re

from scenarios import scenario, run_guests


@scenario
def guest_traps(c):
    """Exceptions, int n, CPUID, MSRs, segment bases, CR0.TS, user mode, iret."""
    # Two at once: the FPU and segment state must follow each vCPU.
    m = run_guests(c, [("traps", ""), ("traps_hcpage", "")],
                   cmdline="guest_loglvl=all")
    c.check("no guest was crashed", not m.find_all(r"d\d+: crashed"))


CRASHERS = [
    ("crash_nohandler", "", r"exception with no handler",
     r"d{d} v0: unhandled #PF page fault \(vector 14\) at "),
    # An LDT selector: #GP(0x14) with nowhere to go once the CPUs run
    # with a null LDT; until then the return itself faults (#PF).
    ("crash_nohandler", "ldt",
     r"(exception with no handler|exception while returning to it)",
     r"d{d} v0: (unhandled #GP general protection|#PF page fault returning to 0017:)"),
    ("crash_badstack", "kernel", r"fault while building a trap frame",
     r"d{d} v0: cannot write a trap frame at 0x7effffffff"),
    ("crash_badstack", "hvrange", r"fault while building a trap frame",
     r"d{d} v0: cannot write a trap frame at 0xffff8000001fff"),
    ("crash_badstack", "noncanon", r"fault while building a trap frame",
     r"d{d} v0: cannot write a trap frame at 0x7fffffffffffff"),
    ("crash_badstack", "user", r"fault while building a trap frame",
     r"d{d} v0: cannot write a trap frame at 0x7effffffff"),
    ("crash_badstack", "nested", r"fault while building a trap frame",
     r"d{d} v0: cannot write a trap frame at 0xffffffff8"),
    ("crash_badstack", "iret", r"fault while reading an iret frame", None),
]


@scenario
def guest_crash_isolation(c):
    """Missing handlers and unwritable trap frames crash only their domain."""
    specs = [("crash_victim", "")] + [(g, a) for g, a, _, _ in CRASHERS]
    expect = {d: "crash" for d in range(1, len(specs))}
    m = run_guests(c, specs, cmdline="guest_loglvl=all", expect_shutdown=expect)
    lines = m.lines
    done = [i for i, l in enumerate(lines)
            if re.search(r"\(d0\) \d+ passed, \d+ failed", l)]
    for d, (guest, args, why, detail) in enumerate(CRASHERS, start=1):
        name = "%s %s" % (guest, args) if args else guest
        crash = [i for i, l in enumerate(lines)
                 if re.search(r"d%d: crashed: %s" % (d, why), l)]
        c.check("d%d (%s) crashed: %s" % (d, name, why), crash,
                "; ".join(l for l in lines if "d%d" % d in l)[-300:])
        if detail:
            c.check("d%d (%s): hypervisor names the cause" % (d, name),
                    m.find_all(detail.format(d=d)))
        c.check("d%d (%s) crashed before domain 0 reported" % (d, name),
                crash and done and crash[0] < done[-1])
        c.check("d%d (%s) did not survive its fault" % (d, name),
                not m.find_all(r"\(d%d\) FAIL" % d))


@scenario
def guest_edges(c):
    """Xen 4.17 at the edges: HLT/INVD, virtual IOPL, ports, INS/OUTS, MSRs, vm_assist, console_io, guest handle."""
    m = run_guests(c, [("edges", "role=dom0"), ("edges", "")],
                   cmdline="guest_loglvl=all")
    c.check("no guest was crashed", not m.find_all(r"d\d+: crashed"))
    c.check("m2p_strict refusal logged",
            m.find_all(r"d1: vm_assist m2p_strict refused: not implemented"))
    for hit in m.find_all(r"\(d1\) CPUID faulting .*"):
        c.note(hit.group(0))
    # Default guest_loglvl (none): a domain U's console_io is -EPERM for
    # everything; it says so by its shutdown reason.
    run_guests(c, [("hello", ""), ("edges", "role=quiet")],
               cmdline="guest_loglvl=none", expect_shutdown={1: "reboot"})


@scenario
def guest_debugregs(c):
    """Debug registers as Xen 4.17: set/get_debugreg, MOV DR, breakpoints
    that fire, a watchpoint the hypervisor trips, no leak between domains."""
    # One CPU: the armer's breakpoints and the victim share it.
    m = run_guests(c, [("debugregs", "role=armer"), ("debugregs", "role=victim")],
                   cmdline="guest_loglvl=all", smp=1)
    c.check("no guest was crashed", not m.find_all(r"d\d+: crashed"))
    # Noted once per domain: the first is xen_version writing the buffer
    # (raw_copy_guest), in that group of checks.
    lines = m.lines
    at = [i for i, l in enumerate(lines)
          if re.search(r"d0 v0: #DB in hypervisor context at", l)]
    grp = [i for i, l in enumerate(lines)
           if re.search(r"\(d0\) checking: (watchpoint on a hypercall|every DR7)", l)]
    c.check("xen_version's write tripped the guest's watchpoint (noted)",
            at and len(grp) == 2 and grp[0] < at[0] < grp[1],
            at and lines[at[0]])
    for hit in m.find_all(r"\(d\d\) (\d+ rounds.*|\d+ DR7 patterns.*|MOV SS; SYSCALL.*)"):
        c.note(hit.group(0))


@scenario
def vcpu_context_debugregs(c):
    """VCPUOP_initialise takes the context's debug registers as
    set_debugreg would (a watchpoint armed there fires at once)."""
    run_guests(c, [("hello", ""), ("vcpu_dregs", "")],
               cmdline="domu_vcpus=2 guest_loglvl=all")
