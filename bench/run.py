#!/usr/bin/env python3
"""make bench: run the benchmark guests under QEMU and print one table.

Every benchmark guest prints lines "bench: NAME = VALUE UNIT". Runs are
repeated (XENOLITH_BENCH_REPS, default 3) and alternated between
configurations so machine noise hits all alike; the table shows the median
and the spread (min-max). Results also go to results/bench.md and .csv.
Under TCG only ratios measured side by side in one run mean anything.
"""
import os
import re
import shutil
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from qemu import Machine  # noqa: E402
from scenarios import guest_modules  # noqa: E402

# (configuration name, guests as (name, args), hypervisor options, smp)
RUNS = [
    ("cpu", [("bench_cpu", "")], "", 2),
    ("events", [("hello", ""), ("bench_ping", "A"), ("bench_ping", "B")],
     "domains=2", 2),
    ("memory", [("bench_mm", "")], "", 2),
    # Isolation (issue 12): the victim's 1 ms timer and its own
    # mmu_update while domain 1 pins and unpins a 16M-entry tree twice and
    # the victim destroys domain 2, holding another such tree; domain 3, a
    # bystander, only sleeps on its 1 ms timer meanwhile; all on one CPU.
    ("isolation", [("mm_victim", "peers=2 events=2 timer=1 destroy=2 "
                    "window_peer=1 bench=1"),
                   ("mm_bigtree", "id=1 mode=pin bench=1"),
                   ("mm_bigtree", "id=2 events=2"),
                   ("ev_boost", "role=sleeper ticks=8000 bench=1")],
     "domains=3 domu_mem=128M hcstats", 1),
    # The type lock across CPUs: the victim's own mmu_update on CPU 0
    # while domain 1 pins and unpins its 16M-entry tree on CPU 1 (the walk
    # lets go of the one type lock within 64 entries when another CPU
    # waits; a spinning waiter on an overcommitted host shows lock-holder
    # preemption here).
    ("isolation-2cpu", [("mm_victim", "peers=1 events=2 timer=1 bench=1"),
                        ("mm_bigtree", "id=1 mode=pin bench=1")],
     "domains=1 domu_mem=128M", 2),
    # The bystander alone on the CPU: the floor its lateness stands on
    # (QEMU's timers on this host), for the isolation rows beside it.
    ("isolation-floor", [("ev_boost", "role=sleeper ticks=8000 bench=1")],
     "hcstats", 1),
    # The same pins alone, as Xen 4.17's domain 0 runs them (the baseline).
    ("bigpin", [("mm_bigtree", "solo=1 mode=pin bench=1")],
     "dom0_mem=128M", 1),
]

LINE = re.compile(r"\(d\d+\) bench: (\w+) = ([\d.]+) (\S+)")
# With hcstats the hypervisor says when one of its own timers fired more
# than 1 ms late: the floor under any guest's timer lateness (QEMU's
# timer thread on a busy host), so a victim's lateness can be judged.
TIMER_LATE = re.compile(r"cpu\d+: a timer fired (\d+) us late")

# The control channel: `xl put` of 64 MiB from the host into domain 0's
# memory over the virtio console (domain 0 needs room for it).
XL_PUT_BYTES = 64 << 20
XL_PUT = re.compile(r"xl: put \S+: (\d+) bytes, crc32 \w+, ([\d.]+) s, ([\d.]+) MB/s")


def run_xl_put():
    """One 64 MiB transfer; {metric: (value, unit)} or None."""
    dom0 = os.path.join(ROOT, "build", "dom0.elf")
    if not os.path.exists(os.path.join(ROOT, "build", "xl")):
        return None
    m = Machine("dom0_mem=160M", smp=2, mem="1G", ctl=True,
                extra=["-initrd", dom0])
    try:
        if not m.wait_for(r"dom0: virtio console .*receive pages posted", 120):
            return None
        with tempfile.NamedTemporaryFile(prefix="xl-bench-") as f:
            f.write(os.urandom(XL_PUT_BYTES))
            f.flush()
            r = m.xl("put", f.name, "bench", timeout=300)
        hit = XL_PUT.search(r.stderr)
        if r.returncode or not hit:
            print("xl put failed: %s" % (r.stdout + r.stderr).strip(),
                  file=sys.stderr)
            return None
        return {"put_64MiB_time": (float(hit.group(2)) * 1000, "ms"),
                "put_64MiB_rate": (float(hit.group(3)), "MB/s")}
    finally:
        m.stop()


# Domain 0's builder: a minimal PV guest (build_check, 8 MiB) built from
# the boot bundle, run and destroyed; then 200 create+destroy cycles.
BT_BUILT = re.compile(r"buildtest: d(\d+) create started at (\d+) ns")
BT_BENCH = re.compile(r"buildtest: bench (\w+) = ([\d.]+) (\w+)")


def run_builder():
    """{metric: (value, unit)} from domain 0's buildtest, or None."""
    from sc_builder import boot_buildtest, RESULT
    # Built twice: the second build is the warm figure (TCG translates
    # the builder's code on first use).
    m, _ = boot_buildtest(["build_check.elf", "build_check.elf"], cycles=200)
    try:
        if not m.wait_for(RESULT, 400):
            return None
        res = {}
        for b in m.find_all(BT_BUILT.pattern):
            first = m.find_all(r"\(d%s\) build_check: pv_main at (\d+) ns"
                               % b.group(1))
            if first:
                us = (int(first[0].group(1)) - int(b.group(2))) / 1000.0
                res["create_to_first_instr"] = (us, "us")
        for g in m.find_all(BT_BENCH.pattern):
            res[g.group(1)] = (float(g.group(2)), g.group(3))
        return res
    finally:
        m.stop()


# The toolstack through xl (config xl-toolstack): what a user waits for.
# In domain 0, `xl cycle` creates and destroys a minimal guest (tk_guest,
# 4 MiB, with its xenstore and console wired) again and again: with -w it
# waits for the guest's first console line, stamped with the system time
# at its first instructions. From the host, `xl create` of a host config
# (kernel sent each time) until the guest runs, as a user sees it.
XL_CYCLE = re.compile(r"cycle: (\d+) create\+destroy cycles in ([\d.]+) s")
XL_FIRST = re.compile(r"cycle: create to first instruction: avg (\d+) us")


def run_toolstack():
    """{metric: (value, unit)} from xl create/cycle, or None."""
    from sc_toolstack import boot, cfg_text, write_cfg
    if not os.path.exists(os.path.join(ROOT, "build", "xl")):
        return None
    tmp = tempfile.mkdtemp(prefix="xl-bench-")
    m = boot(tmp)
    res = {}
    try:
        if not m.wait_for(r"autostart: .* started", 120):
            return None
        m.xl("destroy", "auto")
        r = m.xl("cycle", "-w", "20", "etc/xen/small.cfg", timeout=300)
        hit = XL_FIRST.search(r.stdout)
        if hit:
            res["xl_create_to_first_instr"] = (float(hit.group(1)), "us")
        r = m.xl("cycle", "200", "etc/xen/small.cfg", 'cmdline="idle"',
                 timeout=300)
        hit = XL_CYCLE.search(r.stdout)
        if hit:
            res["xl_create_destroy_per_s"] = (
                int(hit.group(1)) / float(hit.group(2)), "1/s")
        cfg = write_cfg(tmp, "bench.cfg", cfg_text("bench"))
        times = []
        for _ in range(10):
            t0 = time.monotonic()
            r = m.xl("create", cfg)
            times.append((time.monotonic() - t0) * 1000)
            m.xl("destroy", "bench")
        if r.returncode == 0:
            res["host_xl_create"] = (statistics.median(times), "ms")
        return res
    finally:
        m.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def run_once(specs, cmdline, smp):
    guests = os.path.join(ROOT, "build", "guests")
    if not all(os.path.exists(os.path.join(guests, n + ".elf")) for n, _ in specs):
        return None
    m = Machine("guest_loglvl=all " + cmdline, smp=smp,
                extra=["-initrd", guest_modules(specs)])
    try:
        for d in range(len(specs)):
            if not m.wait_for(r"d%d: shut down" % d, 300):
                break
        res = {g.group(1): (float(g.group(2)), g.group(3))
               for g in m.find_all(LINE.pattern)}
        if "hcstats" in cmdline.split():
            late = [float(g.group(1)) for g in m.find_all(TIMER_LATE.pattern)]
            res["hv_timer_max_late"] = (max(late + [1000.0]), "us")
        return res
    finally:
        m.stop()


def main():
    reps = int(os.environ.get("XENOLITH_BENCH_REPS", "3"))
    # XENOLITH_BENCH_ONLY=cfg1,cfg2: only those guest configurations.
    only = [c for c in os.environ.get("XENOLITH_BENCH_ONLY", "").split(",") if c]
    samples = {}
    for rep in range(reps):
        for name, specs, cmdline, smp in RUNS:
            if only and name not in only:
                continue
            res = run_once(specs, cmdline, smp)
            if res is None:
                continue
            for metric, (value, unit) in res.items():
                samples.setdefault((name, metric, unit), []).append(value)
        if only:
            continue
        res = run_xl_put()
        for metric, (value, unit) in (res or {}).items():
            samples.setdefault(("xl-ctl", metric, unit), []).append(value)
        res = run_builder()
        for metric, (value, unit) in (res or {}).items():
            samples.setdefault(("builder", metric, unit), []).append(value)
        res = run_toolstack()
        for metric, (value, unit) in (res or {}).items():
            samples.setdefault(("xl-toolstack", metric, unit), []).append(value)
    rows = []
    for (cfg, metric, unit), vals in sorted(samples.items()):
        rows.append((cfg, metric, statistics.median(vals), min(vals),
                     max(vals), len(vals), unit))
    hdr = "| config | metric | median | min | max | runs | unit |"
    lines = [hdr, "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append("| %s | %s | %.0f | %.0f | %.0f | %d | %s |" % r)
    table = "\n".join(lines)
    accel = os.environ.get("XENOLITH_ACCEL", "tcg")
    print("Xenolith micro-benchmarks (%s, %d repetitions, alternated)" % (accel, reps))
    print(table)
    out = os.path.join(ROOT, "results")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "bench.md"), "w") as f:
        f.write("# Xenolith micro-benchmarks (%s)\n\n%s\n" % (accel, table))
    with open(os.path.join(out, "bench.csv"), "w") as f:
        f.write("config,metric,median,min,max,runs,unit\n")
        for r in rows:
            f.write("%s,%s,%.1f,%.1f,%.1f,%d,%s\n" % r)
    if not rows:
        print("no benchmark produced results", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
