"""Integration scenarios: each boots the system and checks the serial log.

A scenario is a function taking a Checker; it calls check() once per thing
it verifies, so the log says exactly what was covered.
"""
import os
import shutil
import subprocess
import tempfile
import time

from qemu import ROOT, IMAGE, Machine

SCENARIOS = []


def scenario(fn):
    SCENARIOS.append(fn)
    return fn


GUESTS = os.path.join(ROOT, "build", "guests")


def guest_modules(specs):
    """QEMU -initrd value for [(guest name, cmdline), ...] (',' escaped)."""
    mods = []
    for name, args in specs:
        path = os.path.join(GUESTS, name + ".elf")
        mods.append((path + (" " + args if args else "")).replace(",", ",,"))
    return ",".join(mods)


def run_guests(c, specs, cmdline="", smp=2, timeout=120, expect_shutdown=None,
               extra=None):
    """Boot domain 0 and domains=N more from specs; check each domain's
    own "N passed, N failed" line and that it shut down as expected.
    expect_shutdown maps domid -> reason (default poweroff for all).
    Returns the Machine (stopped) for further log checks."""
    n = len(specs)
    expect_shutdown = expect_shutdown or {}
    m = Machine("domains=%d %s" % (n - 1, cmdline), smp=smp,
                extra=["-initrd", guest_modules(specs)] + (extra or []))
    c.machine = m
    try:
        for d in range(n):
            name = specs[d][0]
            reason = expect_shutdown.get(d, "poweroff")
            down = m.wait_for(r"d%d: shut down: (\w+)" % d, timeout)
            c.check("d%d (%s) shut down with %s" % (d, name, reason),
                    down and down.group(1) == reason, down and down.group(0))
            if reason != "poweroff":
                continue
            res = m.find_all(r"\(d%d\) (\d+) passed, (\d+) failed" % d)
            ok = bool(res) and res[-1].group(2) == "0" and int(res[-1].group(1)) > 0
            c.check("d%d (%s): %s" % (d, name, res[-1].group(0).split(") ", 1)[1]
                                       if res else "no result line"), ok)
        c.check("no hypervisor crash", not m.find_all(r"FATAL TRAP|Panic on CPU")
                and m.alive())
    finally:
        m.stop()
    return m


def result(c, m, d, name):
    """Check domain d's own "N passed, 0 failed" line (N > 0)."""
    res = m.find_all(r"\(d%d\) (\d+) passed, (\d+) failed" % d)
    ok = bool(res) and res[-1].group(2) == "0" and int(res[-1].group(1)) > 0
    c.check("d%d (%s): %s" % (d, name, res[-1].group(0).split(") ", 1)[1]
                              if res else "no result line"), ok)


READY = r"Xenolith ready: (\d+) of (\d+) CPUs? online, (\d+) MiB free; boot took ([\d.]+) ms"


@scenario
def boot_smp2_selftest(c):
    """Boot on 2 CPUs with the self-tests: allocator, timers, SMP."""
    with Machine("selftest loglvl=info", smp=2) as m:
        c.machine = m
        c.check("banner printed", m.wait_for(r"\(XEN\) Xenolith \d+\.\d+: ", 60))
        c.check("memory map printed", m.wait_for(r"Memory map:", 5))
        ex = m.wait_for(r"selftest: allocator gave (\d+) frames, memory map has (\d+) free, (\d+) duplicate, (\d+) outside", 120)
        c.check("allocator hands out every free frame exactly once",
                ex and ex.group(1) == ex.group(2) and int(ex.group(1)) > 1000
                and ex.group(3) == "0" and ex.group(4) == "0",
                ex and ex.group(0))
        c.check("allocator invariants hold after freeing all",
                m.wait_for(r"selftest: allocator exhaustive: ok", 30))
        r = m.wait_for(READY, 60)
        c.check("both CPUs of -smp 2 online", r and r.group(1) == "2" and r.group(2) == "2",
                r and r.group(0))
        if r:
            c.note("hypervisor boot time: %s ms (entry to ready)" % r.group(4))
        t = m.wait_for(r"time: TSC ([\d.]+) MHz, APIC timer ([\d.]+) MHz", 5)
        c.check("TSC calibrated against the PIT", t and float(t.group(1)) > 100,
                t and t.group(0))
        for cpu in (0, 1):
            tk = m.wait_for(r"selftest: timer CPU%d: (\d+) of (\d+) ticks, rate ([\d.]+) Hz .*early (\d+)" % cpu, 60)
            ok = False
            if tk:
                fired, expected = int(tk.group(1)), int(tk.group(2))
                rate = float(tk.group(3))
                ok = (abs(fired - expected) <= expected * 0.02
                      and abs(rate - 1000.0) <= 20.0 and tk.group(4) == "0")
            c.check("CPU%d timer fires at the programmed rate (within 2%%), never early" % cpu,
                    ok, tk and tk.group(0))
        # 32,768 hand-overs in lockstep between the two vCPU threads: on
        # a busy host each may wait for the other thread to be run.
        o = m.wait_for(r"selftest: orphans: (\d+) frames .*: (\d+) leaked, (\d+) freed twice", 240)
        c.check("orphaned frames freed exactly once while another CPU drops the last reference",
                o and o.group(2) == "0" and o.group(3) == "0", o and o.group(0))
        c.check("idles after boot", m.wait_for(r"Idling\.", 30))
        c.check("no triple fault, QEMU still running", m.triple_faults == 0 and m.alive())


@scenario
def boot_smp4(c):
    """Four CPUs come online; maxcpus= limits them."""
    with Machine("", smp=4) as m:
        c.machine = m
        r = m.wait_for(READY, 90)
        c.check("all CPUs of -smp 4 online", r and r.group(1) == "4" and r.group(2) == "4",
                r and r.group(0))
    with Machine("maxcpus=1", smp=2) as m:
        c.machine = m
        r = m.wait_for(READY, 60)
        c.check("maxcpus=1 keeps the second CPU offline",
                r and r.group(1) == "1" and r.group(2) == "2", r and r.group(0))


@scenario
def cmdline_errors(c):
    """Unknown and malformed options are reported; boot goes on."""
    bad = "bogus=1 loglvl=loud mem=12X maxcpus=0 console=com1,lpt9 frobnicate"
    with Machine(bad, smp=1) as m:
        c.machine = m
        c.check("unknown option reported",
                m.wait_for(r"Command line: unknown option 'bogus=1'|unknown option 'bogus'", 60))
        c.check("bare unknown option reported",
                m.wait_for(r"Command line: unknown option 'frobnicate'", 5))
        c.check("bad enum value reported with the choices",
                m.wait_for(r"option 'loglvl': 'loud' is not one of none\|error\|warning\|info\|debug\|all", 5))
        c.check("malformed size reported", m.wait_for(r"option 'mem': bad size '12X'", 5))
        c.check("out-of-range number reported", m.wait_for(r"option 'maxcpus': 0 out of range", 5))
        c.check("unknown console reported", m.wait_for(r"unknown console 'lpt9'", 5))
        c.check("problems counted", m.wait_for(r"Command line: 5 problems", 5))
        c.check("boot continues to idle", m.wait_for(r"Idling\.", 60))


@scenario
def mem_limit(c):
    """mem= caps the memory the hypervisor uses."""
    with Machine("mem=256M", smp=1) as m:
        c.machine = m
        r = m.wait_for(r"mm: (\d+) MiB RAM in the frame allocator", 60)
        c.check("mem=256M limits usable RAM", r and 200 < int(r.group(1)) <= 256,
                r and r.group(0))
        c.check("boot completes", m.wait_for(r"Idling\.", 60))


CRASHES = [
    ("de", r"FATAL TRAP: vector 0, #DE"),
    ("ud", r"FATAL TRAP: vector 6, #UD"),
    ("gp", r"FATAL TRAP: vector 13, #GP"),
    ("pf", r"FATAL TRAP: vector 14, #PF"),
    ("df", r"FATAL TRAP: vector 8, #DF"),
    ("bug", r"Panic on CPU 0:"),
]


@scenario
def crash_paths(c):
    """Deliberate faults give a register dump and a clean halt."""
    for name, pattern in CRASHES:
        with Machine("crash_test=%s" % name, smp=2) as m:
            c.machine = m
            hit = m.wait_for(pattern, 60)
            c.check("crash_test=%s reported (%s)" % (name, pattern.split(":")[-1].strip()), hit)
            if name != "bug":
                c.check("crash_test=%s dumps registers" % name,
                        m.wait_for(r"rax: [0-9a-f]{16}", 10) and m.wait_for(r"RIP: +e008:\[<[0-9a-f]+>\] \w+", 10))
            c.check("crash_test=%s prints a symbolic call trace" % name,
                    m.wait_for(r"\[<[0-9a-f]{16}>\] start_hv\+0x", 10))
            c.check("crash_test=%s halts cleanly" % name,
                    m.wait_for(r"System halted\.", 10))
            time.sleep(1)
            c.check("crash_test=%s: no triple fault or reset" % name,
                    m.alive() and m.triple_faults == 0,
                    "alive=%s triple faults=%d" % (m.alive(), m.triple_faults))
    with Machine("crash_test=pf", smp=2) as m:
        c.machine = m
        c.check("page fault reports cr2",
                m.wait_for(r"cr2\): 0000400000000000, not present read", 60))


# crash_test= option, the stack whose guard page must catch the overflow.
OVERFLOWS = [
    ("stack_overflow", "primary"),
    ("nmi_stack_overflow", "NMI IST"),
]


@scenario
def stack_guards(c):
    """Unbounded recursion on the primary stack and on the NMI IST stack
    runs into a guard page: #DF on its own stack, named, and a clean halt."""
    for name, stack in OVERFLOWS:
        with Machine("crash_test=%s" % name, smp=2) as m:
            c.machine = m
            c.check("crash_test=%s: the recursion starts" % name,
                    m.wait_for(r"crash_test: recursing on the stack", 60))
            c.check("crash_test=%s: a double fault is reported" % name,
                    m.wait_for(r"FATAL TRAP: vector 8, #DF", 30))
            c.check("crash_test=%s: names the guard page of CPU 0's %s stack"
                    % (name, stack),
                    m.wait_for(r"STACK OVERFLOW: 0x[0-9a-f]+ is in the guard "
                               r"page below CPU 0's %s stack" % stack, 10))
            c.check("crash_test=%s dumps registers" % name,
                    m.wait_for(r"RIP: +e008:\[<[0-9a-f]+>\] recurse", 10)
                    and m.wait_for(r"rax: [0-9a-f]{16}", 10))
            c.check("crash_test=%s halts cleanly" % name,
                    m.wait_for(r"System halted\.", 10))
            time.sleep(1)
            c.check("crash_test=%s: no triple fault or reset" % name,
                    m.alive() and m.triple_faults == 0
                    and len(m.find_all(r"Xenolith \d+\.\d+: a paravirt")) == 1,
                    "alive=%s triple faults=%d" % (m.alive(), m.triple_faults))


# crash_test=, smap_probe guest mode (None: no guest), what the fault names.
PROTECTIONS = [
    ("smap", 0, "the hypervisor reads guest memory directly", r"\(SMAP: "),
    ("smap", 1, "... after the guest entered by int3 with EFLAGS.AC set",
     r"\(SMAP: "),
    ("smap", 2, "... after the guest entered by SYSCALL with EFLAGS.AC set",
     r"\(SMAP: "),
    ("smep", 0, "the hypervisor calls guest code", r"\(SMEP: "),
    ("write_text", None, "the hypervisor writes its own text",
     r"protection write \(write to a read-only page\)"),
    ("write_text_alias", None,
     "the hypervisor writes its text through the direct map",
     r"protection write \(write to a read-only page\)"),
    ("exec_data", None, "the hypervisor executes its data",
     r"protection fetch \(NX: "),
]


@scenario
def hv_protections(c):
    """SMAP, SMEP and W^X: the hypervisor touching guest memory outside the
    copy helpers (even when the guest entered with AC set), running guest
    code, writing its text or running its data faults, named, and halts."""
    for test, mode, what, pattern in PROTECTIONS:
        extra = []
        if mode is not None:
            extra = ["-initrd", guest_modules([("smap_probe", "mode=%d" % mode)])]
        name = "crash_test=%s%s" % (test, "" if mode is None else " mode=%d" % mode)
        with Machine("crash_test=%s" % test, smp=1, extra=extra) as m:
            c.machine = m
            c.check("%s: %s: a fatal #PF" % (name, what),
                    m.wait_for(r"FATAL TRAP: vector 14, #PF", 60))
            c.check("%s: the fault is named" % name, m.wait_for(pattern, 10))
            c.check("%s: halts cleanly" % name, m.wait_for(r"System halted\.", 10))
            c.check("%s: the access did not succeed" % name,
                    not m.find_all(r"no SM[AE]P fault|the probe came back|"
                                   r"did not fault"))


def build_grub_iso(workdir):
    iso = os.path.join(workdir, "xenolith.iso")
    boot = os.path.join(workdir, "iso", "boot")
    os.makedirs(os.path.join(boot, "grub"))
    shutil.copy(IMAGE, os.path.join(boot, "xenolith.elf"))
    with open(os.path.join(boot, "grub", "grub.cfg"), "w") as f:
        f.write("set timeout=0\nset default=0\n"
                "menuentry 'Xenolith' {\n"
                "  multiboot2 /boot/xenolith.elf loglvl=info\n"
                "  boot\n}\n")
    r = subprocess.run(["grub-mkrescue", "-o", iso, os.path.join(workdir, "iso")],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return iso if r.returncode == 0 else None, r.stdout.decode(errors="replace")


@scenario
def grub_multiboot2(c):
    """GRUB boots the same image with multiboot2 from an ISO."""
    with tempfile.TemporaryDirectory() as d:
        iso, out = build_grub_iso(d)
        c.check("grub-mkrescue builds an ISO", iso, out[-500:])
        if not iso:
            return
        with Machine(boot=["-cdrom", iso, "-boot", "d"], smp=2) as m:
            c.machine = m
            c.check("booted by GRUB through Multiboot 2",
                    m.wait_for(r"Boot loader: GRUB.*\(Multiboot 2\)", 90))
            c.check("command line from grub.cfg", m.wait_for(r"Command line: loglvl=info$", 5))
            r = m.wait_for(READY, 60)
            c.check("both CPUs online under GRUB", r and r.group(1) == "2", r and r.group(0))


@scenario
def guest_smoke(c):
    """PV guests boot: hypercalls, events, timer, traps, user mode."""
    run_guests(c, [("hello", ""), ("smoke", ""), ("hello_hcpage", "")],
               cmdline="guest_loglvl=all")


@scenario
def serial_keyhandler(c):
    """Ctrl-A x3 switches serial input to the hypervisor's keyhandler."""
    mods = ["-initrd", guest_modules([("hello", "")])]
    with Machine("hcstats", smp=2, extra=mods, stdin=True) as m:
        c.machine = m
        c.check("booted", m.wait_for(r"d0: shut down", 60))
        m.send(b"\x01\x01\x01")
        c.check("Ctrl-A three times switches to the hypervisor",
                m.wait_for(r"Serial input to Xenolith", 20))
        m.send(b"q")
        c.check("'q' lists the domains", m.wait_for(r"d0 dom0: \d+ pages", 20))
        m.send(b"m")
        c.check("'m' shows memory", m.wait_for(r"memory: \d+ of \d+ frames free", 20))
        m.send(b"p")
        c.check("'p' shows hypercall counts",
                m.wait_for(r"hypercalls since the last 'p'", 20) and
                m.wait_for(r"^\(XEN\)\s+\w+\s+\d+\s+\d+ ns", 20))
        m.send(b"r")
        c.check("'r' shows the run queues", m.wait_for(r"CPU 1: current", 20))
        m.send(b"\x01\x01\x01")
        c.check("three more switch back to domain 0",
                m.wait_for(r"Serial input to DOM0", 20))
