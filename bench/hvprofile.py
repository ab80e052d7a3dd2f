#!/usr/bin/env python3
"""Where a Linux guest's time goes in the hypervisor, per operation.

  python3 bench/hvprofile.py [-n OPS] METRIC ...   (xbench metric names)

Boots Xenolith with per-hypercall statistics (hcstats), domain 0 and the
bench Linux guest (as make bench does), and for each metric: resets the
counters (`xl debug-keys p`), runs `xbench -r 1 -n OPS METRIC` in the
guest, reads the counters (`xl debug-keys p`, `xl dmesg`) and prints
hypercalls and hypervisor events per operation. Includes what the
guest's other activity (timer ticks, console output) adds meanwhile.
"""
import argparse
import re
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import linux_bench as lb  # noqa: E402

HC_LINE = re.compile(r"^\s+([\w.]+)\s+(\d+)\s+(\d+) ns$")
EV_LINE = re.compile(r"^\s+(\w+)\s+(\d+)\s{2}(.*)$")


def read_counters(m):
    """Press 'p' on the hypervisor's serial console (the control channel is
    busy with the guest's console) and parse what it prints: ({hypercall:
    (count, mean ns)}, {event: (count, what)})."""
    with m.cond:
        mark = len(m.lines)
    m.send(b"\x01\x01\x01p\x01\x01\x01")  # Ctrl-A x3: hypervisor, and back
    for _ in range(100):
        time.sleep(0.1)
        with m.cond:
            block = m.lines[mark:]
        if any("bounce_syscall" in l for l in block):
            break
    hc, ev, in_ev, seen = {}, {}, False, False
    for line in block:
        line = re.sub(r"^\(XEN\) ", "", line)
        if "hypercalls since the last 'p'" in line:
            seen = True
        elif line.startswith("event counters"):
            in_ev = seen = True
        elif seen:
            hit = (EV_LINE if in_ev else HC_LINE).match(line)
            if hit and in_ev:
                ev[hit.group(1)] = (int(hit.group(2)), hit.group(3))
            elif hit:
                hc[hit.group(1)] = (int(hit.group(2)), int(hit.group(3)))
    return (hc, ev) if seen else (None, None)


def profile(metrics, ops):
    def session(m, term):
        for metric in metrics:
            read_counters(m)  # reset
            out = term.run("xbench -r 1 -n %d %s" % (ops, metric),
                           timeout=600) or ""
            hc, ev = read_counters(m)
            got = re.search(r"XBENCH %s ([\d.]+) \S+ \S+ (\S+)" % metric, out)
            batch = re.search(r"# %s: (\d+) per batch" % metric, out)
            n = int(batch.group(1)) if batch else 1
            print("\n== %s: %s %s per op, %d ops%s" % (
                metric, got.group(1) if got else "?",
                got.group(2) if got else "", n,
                "" if batch else " (not a per-op metric: totals)"))
            if hc is None:
                print("   no counters in the log (hcstats off?)")
                continue
            print("   %-28s %10s %10s %9s" % ("hypercall", "per op",
                                               "total", "mean ns"))
            for name, (cnt, ns) in sorted(hc.items(), key=lambda kv: -kv[1][0] * kv[1][1]):
                print("   %-28s %10.2f %10d %9d" % (name, cnt / n, cnt, ns))
            print("   %-28s %10s %10s" % ("event", "per op", "total"))
            for name, (cnt, what) in ev.items():
                if cnt:
                    print("   %-28s %10.2f %10d  %s" % (name, cnt / n, cnt, what))
        return {}

    class A:
        xbench_args = ""
        quick = False
    initrd, _, stub = lb.prepare(A())
    if stub:
        print("build/linux/xbench is missing (make linux)")
        return 1
    def guarded(m, term):
        try:
            return session(m, term)
        except Exception:
            print("---- serial log tail ----\n" + m.tail(60))
            raise
    lb.boot_xenolith(initrd, "", 600, hv_opts="hcstats", session=guarded)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=2000, help="operations per metric")
    ap.add_argument("metrics", nargs="+")
    a = ap.parse_args()
    return profile(a.metrics, a.n)


if __name__ == "__main__":
    sys.exit(main())
