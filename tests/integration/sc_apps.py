"""Real applications in a Debian guest (issue 15's smoke run): the image of
make run-debian and make bench-apps (tools/mkdebian.sh) booted by Debian's
own initramfs from a VBD, systemd bringing up PostgreSQL, nginx and the
network, and every workload of bench/app_bench.py once, briefly."""
import os
import re
import sys
import time

from qemu import ROOT
from scenarios import scenario

sys.path.insert(0, os.path.join(ROOT, "bench"))
import app_bench  # noqa: E402

# Every row of make bench-apps' table, each from its own workload.
SMOKE_METRICS = ("cpu_int", "compile", "dbench", "pgro", "pgrw", "web_rps",
                 "web_lat", "web_p99")


class Smoke:
    """app_bench's options for one short run."""
    work = app_bench.WORKLOADS
    secs = 3
    compile = "zlib"


def gone_from_list(m, name, secs):
    for _ in range(secs):
        r = m.xl("list")
        if r.returncode == 0 and not re.search(r"^%s\s" % name, r.stdout, re.M):
            return True
        time.sleep(1)
    return False


@scenario
def debian_apps(c):
    """A Debian bookworm domU with its root on a VBD and its network on a VIF
    runs each application workload once (an integer workload, a busybox
    build, dbench, pgbench read-only and read-write, nginx under wrk from
    the host) and powers off cleanly."""
    deb = app_bench.debian_dir()
    disk = app_bench.fresh_disk(os.path.join(deb, "root.img"), "smoke.img")
    ports = app_bench.free_ports(len(app_bench.GUEST_ADDRS))
    m, term = app_bench.start_xenolith(deb, disk, ports, Smoke)
    c.machine = m
    try:
        c.check("domain 0 up and xl create of the Debian guest (root on "
                "xvda, Debian's initramfs)", term)
        if not term:
            return
        t0 = time.monotonic()
        res = app_bench.drive("smoke", term, ports, Smoke.secs, 1500)
        text = term.tail(1 << 24)
        c.note("workloads done in %.0f s: %s" % (time.monotonic() - t0, " ".join(
            "%s=%.4g" % kv for kv in sorted(res.items()))))
        c.check("systemd ran appbench.service", "APPBENCH" in text,
                term.tail(3000))
        for metric in SMOKE_METRICS:
            c.check("%s gave a result (%s)" % (metric, res.get(metric)),
                    res.get(metric, 0) > 0, term.tail(3000))
        errors = app_bench.ERROR.findall(text)
        c.check("no workload reported an error", not errors, errors)
        c.check("the guest said APPBENCH done", app_bench.DONE.search(text),
                term.tail(2000))
        # The control channel takes one client at a time: leave the console.
        term.close(detach="\x1d")
        term = None
        c.check("the guest powered off cleanly (systemd's poweroff: "
                "SCHEDOP_shutdown poweroff, then gone from xl list)",
                gone_from_list(m, "debian", 120) and
                m.find_all(r"d\d+: shut down: poweroff"), text[-2000:])
        c.check("domain 0 still answers, no hypervisor crash",
                m.xl("list").returncode == 0 and
                not m.find_all(r"FATAL TRAP|Panic on CPU"))
    finally:
        if term:
            term.close(detach="\x1d")
        m.stop()
        os.unlink(disk)
