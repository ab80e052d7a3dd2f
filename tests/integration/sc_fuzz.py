"""The hypercall fuzzer (tests/guests/fuzz.c): fuzzing domains call every
hypercall with random, boundary and hostile arguments beside domain 0
(dom0.elf) and a victim (mm_victim.c) that checks its memory and timer
all along. Afterwards: no hypervisor crash, the victim intact, every
fuzzer through its count, domain 0 still answering xl.

fuzz_hypercalls (make test): two fuzzers, 50,000 calls each, seeds
XENOLITH_FUZZ_SEED (default 1) and the next. tests/fuzz.py (make fuzz): the same with
more fuzzers and calls (fuzz_run's parameters)."""
import os
import time

from qemu import ROOT, Machine
from scenarios import scenario, guest_modules, result

DOM0 = os.path.join(ROOT, "build", "dom0.elf")
READY = r"dom0: virtio console .*receive pages posted"
VICTIM = 1  # the victim's domain id; the fuzzers follow it


def fuzz_run(c, calls, nfuzz=1, seed=1, timeout=300, maxlate_ms=1000,
             every=10000, args="", progress=False):
    """Boot domain 0, the victim and nfuzz fuzzers (seeds seed, seed+1,
    ...), each making `calls` calls; check the outcome. args: more
    fuzzer arguments (trace=N replays a seed verbosely from call N);
    progress: print the fuzzers' progress lines every 30 s.
    Returns the fuzzers' calls per second (summed)."""
    first = VICTIM + 1
    specs = [("mm_victim", "peers=%d base=%d maxlate=%d wait=%d"
              % (nfuzz, first, maxlate_ms, timeout + 60))]
    for i in range(nfuzz):
        specs.append(("fuzz", "seed=%d calls=%d victim=%d first=%d nfuzz=%d "
                      "index=%d every=%d %s" % (seed + i, calls, VICTIM,
                                                first, nfuzz, i, every,
                                                args)))
    mods = DOM0 + "," + guest_modules(specs)
    m = Machine("domains=%d guest_loglvl=all" % (nfuzz + 1), smp=2,
                mem="1G", ctl=True, stdin=True, extra=["-initrd", mods])
    c.machine = m
    rate = 0
    try:
        c.check("domain 0's control channel is up", m.wait_for(READY, 90))
        t0 = time.monotonic()
        for d in range(first, first + nfuzz):
            down = wait_down(m, d, t0 + timeout, progress)
            if not down and m.alive():
                dump_state(m)
            c.check("d%d (fuzz seed=%d) shut down with poweroff"
                    % (d, seed + d - first),
                    down and down.group(1) == "poweroff",
                    down and down.group(0))
            done = m.find_all(r"\(d%d\) fuzz: done (\d+) calls in (\d+) ms: "
                              r"(\d+) calls/s" % d)
            c.check("d%d made all its %d calls" % (d, calls),
                    done and int(done[-1].group(1)) == calls,
                    done and done[-1].group(0))
            if done:
                rate += int(done[-1].group(3))
                c.note("d%d: %s" % (d, done[-1].group(0).split(") ", 1)[1]))
            result(c, m, d, "fuzz")
        down = m.wait_for(r"d%d: shut down: (\w+)" % VICTIM, 60)
        c.check("d%d (victim) shut down with poweroff" % VICTIM,
                down and down.group(1) == "poweroff", down and down.group(0))
        result(c, m, VICTIM, "victim: memory and timer")
        for hit in m.find_all(r"\(d%d\) victim: (pattern intact .*|timer: .*)"
                              % VICTIM):
            c.note(hit.group(1))
        c.check("no hypervisor crash",
                not m.find_all(r"FATAL TRAP|Panic on CPU") and m.alive())
        r = m.xl("list")
        c.check("domain 0 answers afterwards: xl list shows Domain-0",
                r.returncode == 0 and any(l.split()[:2] == ["Domain-0", "0"]
                                          for l in r.stdout.splitlines()),
                r.stdout + r.stderr)
        r = m.xl("info")
        c.check("domain 0 answers afterwards: xl info",
                r.returncode == 0 and "xen_version" in r.stdout,
                r.stdout + r.stderr)
    finally:
        m.stop()
    return rate


def wait_down(m, d, deadline, progress):
    """Wait until domain d shuts down (or the deadline); returns the match."""
    while True:
        left = deadline - time.monotonic()
        down = m.wait_for(r"d%d: shut down: (\w+)" % d,
                          max(10, min(left, 30)) if progress else max(10, left))
        if down or left <= 30 or not progress or not m.alive():
            return down
        last = {}
        for hit in m.find_all(r"\((d\d+)\) fuzz: (\d+ calls, \d+ ms)"):
            last[hit.group(1)] = hit.group(2)
        print("  ... " + ", ".join("%s %s" % kv for kv in sorted(last.items())),
              flush=True)


def dump_state(m):
    """A fuzzer is overdue: the keyhandler's domains and run queues."""
    m.send(b"\x01\x01\x01")
    m.wait_for(r"Serial input to Xenolith", 5)
    for key in (b"q", b"r"):
        m.send(key)
        time.sleep(1)


@scenario
def fuzz_hypercalls(c):
    """100,000 fuzzed hypercalls beside domain 0 and a victim: no crash, victim's memory and timer intact, domain 0 answers."""
    seed = int(os.environ.get("XENOLITH_FUZZ_SEED", "1"))
    # Two fuzzers on two CPUs: cross-CPU races (the TLB-flush IPI hang).
    fuzz_run(c, 50000, nfuzz=2, seed=seed, timeout=240)
