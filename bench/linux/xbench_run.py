#!/usr/bin/env python3
"""Run xbench (bench/linux/xbench.c, /bin/xbench in the initramfs) in
Debian's Linux under QEMU and print its output.

  python3 bench/linux/xbench_run.py [--native] [--mem MB] [XBENCH ARGS...]

By default Linux is a PV guest on Xenolith beside domain 0 (created with
xl create, driven over `xl console`, as in tests/integration/sc_linux.py);
--native boots the same kernel and initramfs directly under QEMU (serial
console, one CPU). Needs `make all linux`. The XBENCH lines are printed as
xbench wrote them (format: see the top of xbench.c); the exit status is 0
when "XBENCH done" was seen.
"""
import argparse
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from qemu import Machine  # noqa: E402
import sc_linux  # noqa: E402

LINUX = os.path.join(ROOT, "build", "linux")
INITRD = os.path.join(LINUX, "initramfs.cpio")


def keep(text):
    return "\n".join(l for l in text.splitlines()
                     if l.startswith("XBENCH") or l.startswith("#"))


def run_xenolith(cmd, mem, timeout):
    m = sc_linux.boot_dom0()
    con = None
    try:
        if not m.wait_for(r"serial prompt ready", 120):
            return None, "domain 0 not ready:\n" + m.tail()
        cfg = os.path.join(sc_linux.m_tmp(), "xbench.cfg")
        with open(cfg, "w") as f:
            f.write('name = "xbench"\nmemory = %d\nvcpus = 1\n'
                    'kernel = "%s"\nramdisk = "%s"\n'
                    'extra = "console=hvc0 loglevel=4"\n' %
                    (mem, os.path.join(LINUX, "vmlinux"), INITRD))
        t = time.monotonic()
        r = m.xl("create", cfg, timeout=300)
        if r.returncode != 0:
            return None, "xl create: " + r.stdout + r.stderr
        con = sc_linux.Console(m, "xbench")
        if "ready" not in (con.run("echo ready", timeout=300) or ""):
            return None, "no shell:\n" + con.out[-800:]
        print("# xbench_run: xenolith, xl create to shell %.1f s" %
              (time.monotonic() - t), flush=True)
        return con.run(cmd, timeout=timeout), None
    finally:
        if con:
            con.close()
        m.stop()


def run_native(cmd, mem, timeout):
    m = Machine(boot=["-kernel", sc_linux.bzimage(), "-initrd", INITRD,
                      "-append", "console=ttyS0 nr_cpus=1 loglevel=4"],
                smp=2, mem="%dM" % mem, stdin=True)
    try:
        if not m.wait_for(r"Xenolith guest: Linux", 300):
            return None, "no shell:\n" + m.tail()
        time.sleep(2)
        m.send(("%s; echo XBENCH_RUN_END\n" % cmd).encode())
        if not m.wait_for(r"^XBENCH_RUN_END", timeout):
            return None, "timeout:\n" + m.tail()
        with m.cond:
            return "\n".join(m.lines), None
    finally:
        m.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--native", action="store_true")
    ap.add_argument("--mem", type=int, default=512)
    ap.add_argument("--timeout", type=int, default=900)
    a, rest = ap.parse_known_args()
    cmd = " ".join(["xbench"] + rest)
    run = run_native if a.native else run_xenolith
    t = time.monotonic()
    out, err = run(cmd, a.mem, a.timeout)
    if err:
        print("xbench_run: " + err, file=sys.stderr)
        return 1
    print(keep(out or ""))
    print("# xbench_run: %s, %.0f s wall" %
          ("native" if a.native else "xenolith", time.monotonic() - t))
    return 0 if re.search(r"^XBENCH done", out or "", re.M) else 1


if __name__ == "__main__":
    sys.exit(main())
