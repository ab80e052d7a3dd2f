#!/usr/bin/env python3
"""make bench-io: block and network I/O of Debian's Linux natively under
QEMU, as a PV guest on Xenolith (domain 0's blkback and netback) and as a
PV domU on Xen 4.17 (a Debian domain 0 running Linux's blkback and netback
and Xen's own xl), with the same initramfs and in-guest tool
(bench/linux/xio.c) everywhere.

  python3 bench/io_bench.py                 3 rounds (XENOLITH_IO_ROUNDS)
  python3 bench/io_bench.py --rounds 1 --configs native,xenolith
  python3 bench/io_bench.py --secs 2        seconds per test (default 3)
  python3 bench/io_bench.py --rounds 0 --fair-rounds 3   two guests only
  --xen-opts "sched=credit"                 more options for Xen 4.17
  XENOLITH_IO_XEN_CFG='cpus = "1"\n'        more lines for its guest.cfg
  XENOLITH_IO_FAIR_MONITOR=1                the two-guest run also writes
      per test CPU use and placement and the tcp_tx flows' rates
      (build/iobench/fair-monitor.txt)

The same QEMU for all: -smp 2, a virtio-blk disk on the same host image
(build/iobench/disk.img, 256 MiB, written through once) and a virtio-net
card on QEMU's user-mode network. The guest (512 MiB, 1 vCPU) sees the
disk natively as vda, on both hypervisors as xvda (Xenolith: the whole
vblk0; Xen: phy:/dev/vdb, the Debian root being vda); its eth0 is the
virtio-net card natively, a VIF on xenbr0 (which holds the card) on both
hypervisors. The network peer is a server on the host's loopback
(bench/iopeer.py), reached through QEMU's user-mode network at 10.0.2.2:
the one peer that is outside the guest's machine in all three
configurations.

Rounds alternate the configurations (native -> Xenolith -> Xen 4.17) so
machine noise hits all alike; the table gives the median over rounds and
the spread (max-min over median). Then the fairness rounds
(XENOLITH_IO_FAIR_ROUNDS, default 1): two guests at once on each
hypervisor, every test started together at the peer's barrier, each
guest's share of the pair's total. Writes results/io_bench.{md,csv}.
Standard library only.
"""
import argparse
import csv
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, HERE)
from qemu import Machine, Term  # noqa: E402
from iopeer import Peer  # noqa: E402
from linux_bench import bzimage, kernel_dir  # noqa: E402  (the same kernel)
from table import (TITLES, csv_num, csv_values, fmt,  # noqa: E402
                   medians, perf, value_cells)
from xen417 import (SMP, disk_args, domu_cfg, module_chain,  # noqa: E402
                    net_args, qemu_base, xen_args, xen_peer)

BUILD = os.path.join(ROOT, "build")
LINUX = os.path.join(BUILD, "linux")
WORK = os.path.join(BUILD, "iobench")
RESULTS = os.path.join(ROOT, "results")
XL = os.path.join(BUILD, "xl")

GUEST_MB = 512
DISK_MB = 256
LINUX_ARGS = "loglevel=4"
CONFIGS = ("native", "xenolith", "xen")
# Extra lines for the Xen peer's guest.cfg (XENOLITH_IO_XEN_CFG; "#
# XENPEER_MONITOR" makes its domain 0 print CPU use every 4 s).
XEN_GUEST_EXTRA = os.environ.get("XENOLITH_IO_XEN_CFG", "").replace("\\n", "\n")

# Rows in output order; "rate" rows are better when higher.
METRICS = [
    ("seq_read", "MB/s", "block"), ("seq_write", "MB/s", "block"),
    ("rand_read_iops", "ops/s", "block"), ("rand_read_lat", "us", "block"),
    ("rand_read_p99", "us", "block"),
    ("rand_write_iops", "ops/s", "block"), ("rand_write_lat", "us", "block"),
    ("rand_write_p99", "us", "block"),
    ("tcp_tx", "MB/s", "net"), ("tcp_rx", "MB/s", "net"),
    ("tcp_rr_iops", "ops/s", "net"), ("tcp_rr_lat", "us", "net"),
    ("tcp_rr_p99", "us", "net"),
]
# Issue 13's and 14's fractions of native; every row also >= Xen 4.17.
NATIVE_TARGET = {"seq_read": 0.90, "seq_write": 0.90,
                 "tcp_tx": 0.80, "tcp_rx": 0.80}

IOLINE = re.compile(r"IOBENCH (\w+) ([\d.]+) (\S+)")
DONE = re.compile(r"IOBENCH done")
# Ends a boot early: the guest or the Xen peer's domain 0 gave up.
STOP = re.compile(r"IOBENCH done|xenpeer: (cannot|done)|Kernel panic|"
                  r"\(XEN\) Panic")


def log(msg):
    print("[io_bench %s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


# --- images ------------------------------------------------------------------
def build_xio():
    xio = os.path.join(LINUX, "xio")
    r = subprocess.run(["make", "-C", ROOT, "--no-print-directory",
                        "build/linux/xio"])
    return r.returncode == 0 and os.path.exists(xio)


def guest_initramfs():
    """busybox, xio and its rc script, and the virtio modules for the
    native boot (the Xen front ends come with tools/mkinitramfs.sh)."""
    files = [os.path.join(LINUX, "xio") + ":bin/xio",
             os.path.join(HERE, "linux", "xio-rc") + ":etc/rc.local"]
    for i, ko in enumerate(module_chain(["virtio_pci", "virtio_blk",
                                         "virtio_net"])):
        files.append("%s:lib/modules/io/%02d-%s" % (ko, i, os.path.basename(ko)))
    out = os.path.join(WORK, "guest-initramfs.cpio")
    subprocess.run([os.path.join(ROOT, "tools", "mkinitramfs.sh"),
                    kernel_dir(), out] + files, check=True)
    return out


def disk_image(name="disk.img"):
    """The benchmark disk, written through once so no read finds a hole."""
    path = os.path.join(WORK, name)
    if not os.path.exists(path) or os.path.getsize(path) != DISK_MB << 20:
        with open(path + ".tmp", "wb") as f:
            chunk = bytes(range(256)) * 4096
            for _ in range(DISK_MB):
                f.write(chunk)
        os.rename(path + ".tmp", path)
    return path


# --- one boot of each configuration: {metric: value} -------------------------
def io_devices(disk, first_disk_id="d1"):
    return disk_args(disk, first_disk_id) + net_args()


def io_peer(initrd, port, secs, guests=(("xio", "/dev/vdb", ""),),
            tag="xenpeer"):
    """The Xen 4.17 peer with xio guests: (name, dom0 disk, extra kernel
    arguments) each, created at once; None when it cannot be built."""
    cfgs = [domu_cfg(name, GUEST_MB, "%s xio=%d xiot=%s %s" %
                     (LINUX_ARGS, port, secs, extra), dev,
                     "00:16:3e:00:10:%02x" % (i + 1), more=XEN_GUEST_EXTRA)
            for i, (name, dev, extra) in enumerate(guests)]
    return xen_peer(cfgs, [(initrd, "initramfs.cpio")],
                    os.path.join(WORK, tag + "-initramfs.cpio"))


def collect(text):
    res = {}
    for m in IOLINE.finditer(text or ""):
        res[m.group(1)] = float(m.group(2))
    err = re.search(r"IOBENCH error .*", text or "")
    if err:
        log("guest: " + err.group(0).strip())
    return res


def run_term(name, term, timeout, stop=STOP):
    term.wait_for(stop, timeout)
    # The whole console of the last boot of each configuration, to read
    # when a row looks odd.
    with open(os.path.join(WORK, name + "-last.log"), "w") as f:
        f.write(term.tail(1 << 24))
    if not DONE.search(term.tail(20000)):
        log("%s: no 'IOBENCH done':\n%s" % (name, term.tail(2500)))
    return collect(term.tail(20000))


def boot_native(initrd, disk, port, secs, timeout):
    args = qemu_base("%dM" % GUEST_MB) + [
        "-kernel", bzimage(), "-initrd", initrd, "-append",
        "console=ttyS0 nr_cpus=1 %s xio=%d xiot=%s" % (LINUX_ARGS, port, secs)
    ] + io_devices(disk)
    term = Term(args, stderr=subprocess.DEVNULL)
    try:
        return run_term("native", term, timeout)
    finally:
        term.close()


def boot_xenolith(initrd, disk, port, secs, timeout):
    m = Machine("dom0_mem=400M", smp=SMP, mem="%dM" % (GUEST_MB + 1024),
                ctl=True, extra=["-initrd", os.path.join(BUILD, "dom0.elf")]
                + io_devices(disk))
    cfgdir = tempfile.mkdtemp(prefix="io-bench-")
    term = None
    try:
        if not m.wait_for(r"serial prompt ready", 180):
            log("xenolith: domain 0 not ready:\n" + m.tail())
            return {}
        cfg = os.path.join(cfgdir, "xio.cfg")
        with open(cfg, "w") as f:
            f.write('name = "xio"\nmemory = %d\nvcpus = 1\nkernel = "%s"\n'
                    'ramdisk = "%s"\nextra = "console=hvc0 %s xio=%d xiot=%s"\n'
                    "disk = [ 'vblk0,raw,xvda,rw' ]\n"
                    "vif = [ 'bridge=xenbr0' ]\n" %
                    (GUEST_MB, os.path.join(LINUX, "vmlinux"), initrd,
                     LINUX_ARGS, port, secs))
        r = m.xl("create", cfg, timeout=300)
        if r.returncode != 0:
            log("xenolith: xl create failed: %s" % (r.stdout + r.stderr))
            return {}
        term = Term([XL, "console", "xio"],
                    env=dict(os.environ, XENOLITH_CTL=m.ctl_path))
        return run_term("xenolith", term, timeout)
    finally:
        if term:
            term.close(detach="\x1d")
        m.stop()
        shutil.rmtree(cfgdir, ignore_errors=True)


def boot_xen(peer, disk, timeout, opts="", disks=None, mem=None, name="xen",
             stop=STOP):
    args = xen_args(peer, mem or "%dM" % (GUEST_MB + 1024), opts,
                    LINUX_ARGS) + io_devices(disk)
    for i, d in enumerate(disks or []):
        args += disk_args(d, "e%d" % i)
    term = Term(args, stderr=subprocess.DEVNULL)
    try:
        return run_term(name, term, timeout, stop)
    finally:
        term.close()


# --- fairness: two guests at once --------------------------------------------
FAIR_GUESTS = ("xa", "xb")
FAIR_METRICS = ("seq_read", "seq_write", "rand_read_iops", "rand_write_iops",
                "tcp_tx", "tcp_rx", "tcp_rr_iops")


def fair_extra(i, name):
    return "xioip=10.0.2.%d xiogroup=%s" % (15 + i, name)


def peer_results(peer):
    """{guest: {metric: value}} from the logs the guests sent the peer."""
    res = {}
    for text in peer.logs:
        m = re.search(r"group (\w+)", text)
        if m:
            res[m.group(1)] = collect(text)
    return res


# XENOLITH_IO_FAIR_MONITOR=1: sample `xl vcpu-list` during the two-guest
# run and write, per test, each domain's CPU use and how often each
# guest's vCPU sat on domain 0's CPU (build/iobench/fair-monitor.txt).
FAIR_MONITOR = os.environ.get("XENOLITH_IO_FAIR_MONITOR", "") == "1"
FAIR_TESTS = ("seq_write", "seq_read", "rand_read", "rand_write", "tcp_tx",
              "tcp_rx", "tcp_rr")
VCPU_LINE = re.compile(r"^(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+([\d.]+)",
                       re.M)


def monitor_start(m, samples):
    """Sample vcpu-list every half second until the event is set."""
    stop = threading.Event()

    def run():
        while not stop.wait(0.5):
            r = m.xl("vcpu-list", timeout=20)
            t = time.monotonic()
            samples.append((t, {(x[0], int(x[2])): (int(x[3]), x[4],
                                                    float(x[5]))
                                for x in VCPU_LINE.findall(r.stdout)}))
    threading.Thread(target=run, daemon=True).start()
    return stop


def sink_shares(peer, t0, t1):
    """The two S flows' bytes in their common window within [t0, t1)."""
    flows = [tr for tr in peer.sinks if t0 <= tr[0][0] < t1]
    if len(flows) != 2:
        return ""
    a = max(tr[0][0] for tr in flows)
    b = min(tr[-1][0] for tr in flows)

    def at(tr, t):
        n = 0
        for ts, k in tr:
            if ts > t:
                break
            n = k
        return n
    got = [at(tr, b) - at(tr, a) for tr in flows]
    if b <= a or not sum(got):
        return " flows: no common window"
    bins = [" ".join("%4.0f" % ((at(tr, t + 0.25) - at(tr, t)) / 250)
                     for t in [a + 0.25 * k for k in range(int((b - a) * 4))])
            for tr in flows]
    return (" flows: starts %.2f s apart, ends %.2f s apart; common %.2f s:"
            " %.0f/%.0f KB (share of the first to start %.2f)" % (
                abs(flows[0][0][0] - flows[1][0][0]),
                abs(flows[0][-1][0] - flows[1][-1][0]), b - a,
                got[0] / 1e3, got[1] / 1e3, got[0] / sum(got)) +
            "\n  KB/s per 0.25 s: %s\n                   %s" % tuple(bins))


def monitor_report(samples, peer, path):
    """Per test: CPU use per domain, and each guest's share of samples on
    domain 0's CPU."""
    out = []
    rel = peer.releases + [float("inf")]
    for i, name in enumerate(FAIR_TESTS[:len(peer.releases)]):
        t0, t1 = rel[i], rel[i + 1]
        win = [s for s in samples if t0 <= s[0] < t1]
        if len(win) < 2:
            continue
        dt = win[-1][0] - win[0][0]
        line = "%-10s %.1f s:" % (name, dt)
        for key in sorted(win[-1][1]):
            if key not in win[0][1]:
                continue
            used = (win[-1][1][key][2] - win[0][1][key][2]) / dt
            line += " %s.%d %.2f CPU" % (key[0], key[1], used)
            d0 = [s[1].get(("Domain-0", 0)) for s in win]
            same = sum(1 for s, z in zip(win, d0)
                       if z and s[1].get(key) and s[1][key][0] == z[0])
            cpus = "".join(str(s[1][key][0]) for s in win if key in s[1])
            if key[0] != "Domain-0":
                line += " (with d0 %d/%d) cpus %s;" % (same, len(win), cpus)
        out.append(line + sink_shares(peer, t0, t1))
    with open(path, "a") as f:
        f.write("\n".join(out) + "\n\n")
    for line in out:
        log(line)


def fair_xenolith(initrd, disks, peer, secs, timeout, extra_cfg=None):
    """Both guests on one Xenolith; extra_cfg: more xl.cfg lines per guest
    name (a cap to check that an unfair run is seen as one)."""
    m = Machine("dom0_mem=400M", smp=SMP, mem="%dM" % (2 * GUEST_MB + 1024),
                ctl=True, extra=["-initrd", os.path.join(BUILD, "dom0.elf")]
                + io_devices(disks[0]) + disk_args(disks[1], "d2"))
    cfgdir = tempfile.mkdtemp(prefix="io-bench-")
    try:
        if not m.wait_for(r"serial prompt ready", 180):
            log("xenolith: domain 0 not ready:\n" + m.tail())
            return {}
        for i, name in enumerate(FAIR_GUESTS):
            cfg = os.path.join(cfgdir, name + ".cfg")
            with open(cfg, "w") as f:
                f.write('name = "%s"\nmemory = %d\nvcpus = 1\nkernel = "%s"\n'
                        'ramdisk = "%s"\nextra = "console=hvc0 %s xio=%d '
                        'xiot=%s %s"\n'
                        "disk = [ 'vblk%d,raw,xvda,rw' ]\n"
                        "vif = [ 'mac=00:16:3e:00:10:%02x,bridge=xenbr0' ]\n"
                        "%s" %
                        (name, GUEST_MB, os.path.join(LINUX, "vmlinux"), initrd,
                         LINUX_ARGS, peer.port, secs, fair_extra(i, name), i,
                         i + 1, (extra_cfg or {}).get(name, "")))
            r = m.xl("create", cfg, timeout=300)
            if r.returncode != 0:
                log("xenolith: xl create %s failed: %s" %
                    (name, r.stdout + r.stderr))
                return {}
        samples = []
        stop = monitor_start(m, samples) if FAIR_MONITOR else None
        peer.releases, peer.sinks = [], []
        deadline = time.monotonic() + timeout
        while len(peer.logs) < 2 and time.monotonic() < deadline:
            time.sleep(1)
        if stop:
            stop.set()
            path = os.path.join(WORK, "fair-monitor.txt")
            monitor_report(samples, peer, path)
            with open(path, "a") as f:  # drops and errors per VIF
                f.write(m.xl("network-list", timeout=20).stdout + "\n")
        with open(os.path.join(WORK, "xenolith-fair-last.log"), "w") as f:
            f.write("\n".join(m.lines))
        return peer_results(peer)
    finally:
        m.stop()
        shutil.rmtree(cfgdir, ignore_errors=True)


def run_fair(args, initrd, peer, configs):
    """Two guests doing I/O at once on Xenolith and Xen 4.17: each one's
    share of the pair's total. {config: [{guest: {metric: value}}]}"""
    disks = [disk_image(), disk_image("disk2.img")]
    out = {}
    xen = None
    if "xen" in configs:
        xen = io_peer(initrd, peer.port, args.secs, guests=[
            (name, dev, fair_extra(i, name)) for i, (name, dev) in
            enumerate(zip(FAIR_GUESTS, ("/dev/vdb", "/dev/vdc")))],
            tag="xenpeer-fair")
    for rnd in range(args.fair_rounds):
        for cfg in configs:
            if cfg == "native" or (cfg == "xen" and not xen):
                continue
            peer.parties, peer.logs = 2, []
            log("fairness round %d/%d: %s" % (rnd + 1, args.fair_rounds,
                                               TITLES[cfg]))
            if cfg == "xenolith":
                res = fair_xenolith(initrd, disks, peer, args.secs,
                                    args.timeout)
            else:
                boot_xen(xen, disks[0], args.timeout, args.xen_opts,
                         disks=disks[1:], mem="%dM" % (2 * GUEST_MB + 1024),
                         name="xen-fair", stop=re.compile(
                             r"xenpeer: (cannot|done)|Kernel panic"))
                res = peer_results(peer)
            log("%s fairness: %s" % (TITLES[cfg], res))
            if len(res) == 2:
                out.setdefault(cfg, []).append(res)
    peer.parties = 1
    return out


def render_fair(fair):
    if not fair:
        return ""
    out = ["## Two guests at once (fairness)", "",
           "Two guests (xa, xb), each with its own disk (a second image, "
           "build/iobench/disk2.img, for xb) and VIF, start every test "
           "together (a barrier at the host's peer). Share: xa's fraction "
           "of the pair's total (0.5 is fair; the issues ask for each "
           "within 10% of half, 0.45-0.55); total: the pair's sum. Medians "
           "over rounds.", "",
           "| config | metric | xa | xb | xa share | total | fair |",
           "|---|---|---|---|---|---|---|"]
    for cfg, runs in fair.items():
        for metric in FAIR_METRICS:
            a = [r["xa"].get(metric) for r in runs if r["xa"].get(metric)]
            b = [r["xb"].get(metric) for r in runs if r["xb"].get(metric)]
            if not a or not b:
                continue
            ma, mb = statistics.median(a), statistics.median(b)
            shares = [r["xa"][metric] / (r["xa"][metric] + r["xb"][metric])
                      for r in runs if r["xa"].get(metric) and r["xb"].get(metric)]
            share = statistics.median(shares)
            ok = all(0.45 <= x <= 0.55 for x in shares)
            out.append("| %s | %s | %s | %s | %.2f (%.2f-%.2f) | %s | %s |" % (
                TITLES[cfg], metric, fmt(ma), fmt(mb), share, min(shares),
                max(shares), fmt(ma + mb), "yes" if ok else "no"))
    return "\n".join(out) + "\n"


# --- the table -----------------------------------------------------------------
def summarize(samples, configs):
    rows = []
    for metric, unit, group in METRICS:
        row = {"metric": metric, "unit": unit, "group": group}
        if not medians(row, samples, configs, metric):
            continue
        higher = unit != "us"
        row["xo_native"] = perf(higher, row.get("xenolith"), row.get("native"))
        row["xen_native"] = perf(higher, row.get("xen"), row.get("native"))
        row["xo_xen"] = perf(higher, row.get("xenolith"), row.get("xen"))
        rows.append(row)
    return rows


def target(r):
    want = NATIVE_TARGET.get(r["metric"])
    why = []
    if r["xo_native"] is None and r["xo_xen"] is None:
        return ""
    if want and r["xo_native"] is not None and r["xo_native"] < want:
        why.append("< %d%% of native" % (want * 100))
    if r["xo_xen"] is not None and r["xo_xen"] < 1.0:
        why.append("< Xen")
    checked = (want and r["xo_native"] is not None) or r["xo_xen"] is not None
    if not checked:
        return ""
    return "missed (%s)" % ", ".join(why) if why else "met"


def render(rows, configs, rounds, secs, elapsed, boots):
    accel = os.environ.get("XENOLITH_ACCEL", "tcg")
    out = ["# Block and network I/O: native vs Xenolith vs Xen 4.17 (%s)" % accel,
           "",
           "QEMU %s -smp %d; the guest: Debian %s, %d MiB, 1 vCPU, the same "
           "initramfs and bench/linux/xio.c, %s s per test. Disk: virtio-blk "
           "on build/iobench/disk.img (%d MiB raw; vda natively, xvda through "
           "blkback on both hypervisors). Network: the peer is "
           "bench/iopeer.py on the host's loopback, reached through QEMU's "
           "user-mode network at 10.0.2.2 (virtio-net natively; netfront -> "
           "netback -> bridge xenbr0 -> virtio-net on both hypervisors). "
           "%d round(s), configurations alternated (%s); values: the median "
           "over rounds (min-max in brackets); spread: the largest "
           "(max-min)/median over the configurations. Ratios are performance fractions (>1: better; "
           "latencies inverted). Targets (issues 13, 14): sequential block "
           ">= 0.90 of native, TCP throughput >= 0.80 of native, every row "
           ">= Xen 4.17." % (
               accel, SMP, os.path.basename(kernel_dir()).replace("linux-", ""),
               GUEST_MB, secs, DISK_MB, rounds,
               " -> ".join(TITLES[c] for c in configs)),
           ""]
    if not rows:
        out.append("(no single-guest rounds)")
        return "\n".join(out) + "\n"
    hdr = ["metric", "unit"] + [TITLES[c] for c in configs]
    hdr += ["Xenolith/native", "Xen/native", "Xenolith/Xen", "spread %",
            "target"]
    out.append("| " + " | ".join(hdr) + " |")
    out.append("|" + "---|" * len(hdr))
    for r in rows:
        cells = [r["metric"], r["unit"]] + value_cells(r, configs)
        cells += [fmt(r["xo_native"]), fmt(r["xen_native"]), fmt(r["xo_xen"]),
                  fmt(r["spread"], 2), target(r)]
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    out.append("Block: seq_* are 1 MiB O_DIRECT requests at queue depth 1 "
               "(seq_write ends with fdatasync); rand_* 4 KiB O_DIRECT at "
               "random offsets, queue depth 1: IOPS, mean and 99th "
               "percentile latency. Network: tcp_tx guest -> host, tcp_rx "
               "host -> guest (MB/s, 10^6 bytes), tcp_rr a 1-byte request "
               "and 1-byte answer (TCP_NODELAY).")
    out.append("")
    out.append("Wall time per boot (s): " + ", ".join(
        "%s %.0f" % (TITLES[c], t) for c, t in boots))
    out.append("")
    out.append("Total time: %.1f min." % (elapsed / 60))
    return "\n".join(out) + "\n"


def write_csv(rows, configs, samples, path):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["metric", "unit"] + list(configs) +
                   [c + "_samples" for c in configs] +
                   ["xenolith_native", "xen_native", "xenolith_xen",
                    "spread_pct", "target"])
        for r in rows:
            w.writerow([r["metric"], r["unit"]] +
                       csv_values(r, samples, configs, r["metric"]) +
                       [csv_num(r[k]) for k in ("xo_native", "xen_native",
                                                "xo_xen")] +
                       ["" if r["spread"] is None else "%.3g" % r["spread"],
                        target(r)])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int,
                    default=int(os.environ.get("XENOLITH_IO_ROUNDS", "3")))
    ap.add_argument("--configs", default=",".join(CONFIGS))
    ap.add_argument("--secs", default=os.environ.get("XENOLITH_IO_SECS", "3"),
                    help="seconds per test in the guest")
    ap.add_argument("--timeout", type=int, default=600,
                    help="seconds per boot")
    ap.add_argument("--fair-rounds", type=int,
                    default=int(os.environ.get("XENOLITH_IO_FAIR_ROUNDS", "1")),
                    help="rounds of the two-guest run (0: none)")
    ap.add_argument("--xen-opts", default=os.environ.get("XENOLITH_IO_XEN_OPTS", ""),
                    help="extra options for Xen 4.17's command line")
    args = ap.parse_args()
    configs = [c for c in CONFIGS if c in args.configs.split(",")]
    t_start = time.monotonic()
    for need in (os.path.join(LINUX, "vmlinux"), os.path.join(LINUX, "kernel-dir")):
        if not os.path.exists(need):
            log("%s missing: run make linux" % os.path.relpath(need, ROOT))
            return 1
    os.makedirs(WORK, exist_ok=True)
    if not build_xio():
        log("build/linux/xio did not build")
        return 1
    initrd = guest_initramfs()
    disk = disk_image()
    peer = Peer()
    xen = None
    if "xen" in configs:
        xen = io_peer(initrd, peer.port, args.secs)
        if not xen:
            configs.remove("xen")
    if "xenolith" in configs and not (os.path.exists(XL) and os.path.exists(
            os.path.join(BUILD, "dom0.elf"))):
        log("build/xl or build/dom0.elf missing: Xenolith skipped")
        configs.remove("xenolith")
    samples = {c: {} for c in configs}
    boots = []
    try:
        for rnd in range(args.rounds):
            for cfg in configs:
                log("round %d/%d: %s" % (rnd + 1, args.rounds, TITLES[cfg]))
                t0 = time.monotonic()
                if cfg == "native":
                    res = boot_native(initrd, disk, peer.port, args.secs,
                                      args.timeout)
                elif cfg == "xenolith":
                    res = boot_xenolith(initrd, disk, peer.port, args.secs,
                                        args.timeout)
                else:
                    res = boot_xen(xen, disk, args.timeout, args.xen_opts)
                boots.append((cfg, time.monotonic() - t0))
                log("%s: %d metrics in %.0f s: %s" % (
                    TITLES[cfg], len(res), boots[-1][1], " ".join(
                        "%s=%.4g" % kv for kv in sorted(res.items()))))
                for metric, v in res.items():
                    samples[cfg].setdefault(metric, []).append(v)
        fair = run_fair(args, initrd, peer, configs) if args.fair_rounds else {}
    finally:
        peer.close()
    rows = summarize(samples, configs)
    os.makedirs(RESULTS, exist_ok=True)
    text = render(rows, configs, args.rounds, args.secs,
                  time.monotonic() - t_start, boots)
    fair_text = render_fair(fair)
    if fair_text:
        text += "\n" + fair_text
    print(text)
    with open(os.path.join(RESULTS, "io_bench.md"), "w") as f:
        f.write(text)
    write_csv(rows, configs, samples, os.path.join(RESULTS, "io_bench.csv"))
    return 0 if rows or fair else 1


if __name__ == "__main__":
    sys.exit(main())
