"""Debian's stock Linux kernel as a PV guest beside domain 0: it boots to
a busybox shell on hvc0 (served by domain 0's console backend), and over
`xl console` runs unmodified programs, keeps time, and powers off."""
import os
import re
import time

from qemu import ROOT, Machine, Term
from scenarios import scenario

DOM0 = os.path.join(ROOT, "build", "dom0.elf")
LINUX = os.path.join(ROOT, "build", "linux")
MEM_MB = 256


class Console(Term):
    """`xl console DOM` as a subprocess: send lines, run commands."""

    def __init__(self, m, dom):
        env = dict(os.environ, XENOLITH_CTL=m.ctl_path)
        super().__init__([os.path.join(ROOT, "build", "xl"), "console",
                          str(dom)], env=env)

    def close(self):
        super().close(detach="\x1d")


def boot_dom0():
    return Machine("dom0_mem=400M", smp=2, mem="1536M", ctl=True,
                   extra=["-initrd", DOM0])


def bzimage():
    kdir = open(os.path.join(LINUX, "kernel-dir")).read().strip()
    boot = os.path.join(ROOT, kdir, "boot")
    return os.path.join(boot, [f for f in os.listdir(boot)
                               if f.startswith("vmlinuz-")][0])


def write_config(name, extra_lines="", kernel=None, mem=None):
    path = os.path.join(m_tmp(), name + ".cfg")
    with open(path, "w") as f:
        f.write('name = "%s"\nmemory = %d\nvcpus = 1\n'
                'kernel = "%s"\nramdisk = "%s"\n'
                'extra = "console=hvc0 loglevel=4"\n%s' %
                (name, mem or MEM_MB, kernel or os.path.join(LINUX, "vmlinux"),
                 os.path.join(LINUX, "initramfs.cpio"), extra_lines))
    return path


def m_tmp():
    d = os.path.join(ROOT, "build", "linux", "cfg")
    os.makedirs(d, exist_ok=True)
    return d


def kernel_release():
    kdir = open(os.path.join(LINUX, "kernel-dir")).read().strip()
    return os.path.basename(kdir).replace("linux-", "")


def domid_of(m, name):
    out = m.xl("domid", name).stdout.strip()
    return int(out) if out.isdigit() else None


def wait_new_domid(m, name, old, timeout=30):
    """The id of the domain called name once it is no longer old (it was
    rebuilt), or whatever it is at the timeout (None: not there)."""
    deadline = time.monotonic() + timeout
    new = domid_of(m, name)
    while (new is None or new == old) and time.monotonic() < deadline:
        time.sleep(0.5)
        new = domid_of(m, name)
    return new


def create(c, m, name, extra_lines="", kernel=None, mem=None):
    t = time.monotonic()
    r = m.xl("create", write_config(name, extra_lines, kernel, mem),
             timeout=180)
    c.check("xl create %s (kernel %s)" % (name, os.path.basename(
        kernel or "vmlinux")), r.returncode == 0, r.stdout + r.stderr)
    return t


def attach(c, m, name, since=None):
    """Open name's console once its shell answers; None if it never does."""
    con = Console(m, name)
    out = con.run("echo ready", timeout=120)
    if since is not None:
        c.note("%s: xl create to shell prompt %.1f s (TCG)" %
               (name, time.monotonic() - since))
    if out is None or "ready" not in out:
        c.check("%s's shell answers on its console" % name, False, con.out[-800:])
        con.close()
        return None
    return con


def check_programs(c, con):
    out = con.run("cat /sys/hypervisor/type")
    c.check("/sys/hypervisor/type is xen", (out or "").strip() == "xen",
            repr(out))
    out = con.run("dmesg | grep -m1 'Hypervisor detected'") or ""
    c.check("dmesg: booted paravirtualized on Xen", "Xen PV" in out, out)
    out = con.run("dmesg | grep -m1 'xen:events: Using'") or ""
    c.check("dmesg: events use the FIFO ABI", "FIFO-based ABI" in out, out)
    out = (con.run("uname -r") or "").strip()
    c.check("uname -r is the package's (%s)" % out, out == kernel_release())
    out = con.run("lxtest", timeout=120) or ""
    res = re.search(r"lxtest: (\d+) passed, (\d+) failed", out)
    c.check("static test program: %s" % (res.group(0) if res else "no result"),
            res is not None and res.group(2) == "0" and
            int(res.group(1)) >= 10, out[-600:])
    out = con.run("xbench --quick null_syscall", timeout=120) or ""
    c.check("benchmark suite runs: xbench --quick null_syscall",
            re.search(r"^XBENCH null_syscall [\d.]+ [\d.]+ [\d.]+ us \d+$",
                      out, re.M) is not None and "XBENCH done" in out,
            out[-400:])
    out = con.run("busybox sh -c 'seq 1 200 | sort -rn | head -1'") or ""
    c.check("busybox applets through pipes", out.strip() == "200", out)
    out = con.run("dmesg | grep -m1 'Memory:'") or ""
    mem = re.search(r"Memory: \d+K/(\d+)K available", out)
    seen_mb = int(mem.group(1)) / 1024 if mem else 0
    c.check("memory Linux sees (%.0f MiB) within 5%% of %d MiB" %
            (seen_mb, MEM_MB), abs(seen_mb - MEM_MB) <= MEM_MB * 0.05, out)
    out = con.run("grep MemTotal /proc/meminfo") or ""
    c.note("guest /proc/meminfo: %s (the rest is the kernel image)" %
           out.strip())
    check_clock(c, con)


def wait_listed(m, name, want, timeout=60):
    """Wait until name is (want=True) or is not (False) in xl list."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lst = m.xl("list").stdout
        if bool(re.search(r"^%s\s" % re.escape(name), lst, re.M)) == want:
            return True
        time.sleep(0.5)
    return False


@scenario
def linux_guest(c):
    """Two Debian Linux PV guests from xl create: shell, programs, time,
    isolation, crash with on_crash=restart, poweroff returns memory."""
    m = boot_dom0()
    c.machine = m
    con = None
    try:
        c.check("domain 0 ready", m.wait_for(r"serial prompt ready", 60))
        free0 = free_mb(m)
        t1 = create(c, m, "lx1", 'on_crash = "restart"\n', kernel=bzimage())
        t2 = create(c, m, "lx2")
        con = attach(c, m, "lx1", since=t1)
        if not con:
            return
        check_programs(c, con)
        con.close()
        con = attach(c, m, "lx2", since=t2)
        c.check("a second Linux guest runs beside it", con is not None)
        if con:
            con.close()
        r = m.xl("destroy", "lx2")
        c.check("xl destroy lx2", r.returncode == 0 and
                wait_listed(m, "lx2", False), r.stdout + r.stderr)
        con = attach(c, m, "lx1")
        c.check("lx1 still works after lx2 is destroyed", con is not None)
        if not con:
            return
        old = domid_of(m_no_console(con, m), "lx1")
        con = None  # closed by m_no_console: not closed again if Console fails
        con = Console(m, "lx1")
        con.run("echo s", timeout=30)
        con.p.stdin.write(b"echo c > /proc/sysrq-trigger\n")
        con.p.stdin.flush()
        c.check("sysrq crash takes lx1 down",
                m.wait_for(r"d%d: shut down: crash" % old, 60))
        con.close()
        con = None
        new = wait_new_domid(m, "lx1", old)
        c.check("on_crash=restart brings lx1 back (domain %s -> %s)" %
                (old, new), new is not None and new != old)
        con = attach(c, m, "lx1")
        c.check("the restarted lx1 answers", con is not None)
        if not con:
            return
        con.close()
        r = m.xl("reboot", "lx1", timeout=120)
        rebooted = wait_new_domid(m, "lx1", new)
        c.check("xl reboot (control/shutdown, which Linux watches) restarts "
                "lx1 (domain %s -> %s)" % (new, rebooted),
                r.returncode == 0 and rebooted not in (None, new),
                r.stdout + r.stderr)
        new = rebooted
        con = attach(c, m, "lx1")
        c.check("the rebooted lx1 answers", con is not None)
        if not con:
            return
        con.p.stdin.write(b"poweroff -f\n")
        con.p.stdin.flush()
        c.check("poweroff shuts lx1 down",
                m.wait_for(r"d%s: shut down: poweroff" % new, 60))
        con.close()
        con = None
        c.check("xl list no longer shows lx1", wait_listed(m, "lx1", False))
        after = free_mb(m)
        c.check("every guest's memory is returned (%s -> %s MiB free)" %
                (free0, after), free0 is not None and after is not None and
                abs(after - free0) <= 1)
        c.check("no hypervisor crash", not m.find_all(
            r"FATAL TRAP|Panic on CPU") and m.alive())
    finally:
        if con:
            con.close()
        m.stop()


def m_no_console(con, m):
    """xl has one control channel: detach the console before other verbs."""
    con.close()
    return m


def free_mb(m):
    out = m.xl("info").stdout
    f = re.search(r"free_memory\s*:\s*(\d+)", out)
    return int(f.group(1)) if f else None


def uptime(con):
    """The guest's uptime, the host time it was read at (the middle of
    the round trip) and how far off that can be (half the round trip)."""
    t = time.monotonic()
    out = con.run("cat /proc/uptime") or ""
    t1 = time.monotonic()
    v = re.match(r"\s*([\d.]+)", out)
    return (float(v.group(1)) if v else None), (t + t1) / 2, (t1 - t) / 2


def check_clock(c, con):
    g0, h0, e0 = uptime(con)
    time.sleep(10)
    g1, h1, e1 = uptime(con)
    ok = g0 is not None and g1 is not None
    host = h1 - h0
    rate = (g1 - g0) / host if ok else 0
    # 1%, plus what the console's round trips leave unknown (a busy host
    # delays one read more than the other).
    slack = 0.01 + (e0 + e1) / host
    c.check("guest clock against host over 10 s: rate %.4f (within %.1f%%)"
            % (rate, slack * 100), ok and abs(rate - 1) <= slack)


LXMEM_STEPS = [
    # (subcommand, timeout s): the OOM kill before swap, so that nothing
    # but RAM is there to fill.
    ("oom", 120), ("ioperm", 60), ("touch 3", 400), ("migrate", 120),
    ("madvise", 120), ("mremap", 240), ("mprotect", 120), ("fork", 300),
]
ZRAM = ("insmod /lib/modules/extra/zsmalloc.ko && "
        "insmod /lib/modules/extra/zram.ko && "
        "echo 384M > /sys/block/zram0/disksize && "
        "mkswap /dev/zram0 >/dev/null && swapon /dev/zram0 && "
        "grep -c zram0 /proc/swaps")
# What Linux logs when something went wrong underneath it.
DMESG_BAD = r"WARNING:|BUG:|kernel BUG|multicall|Oops"


def check_dmesg_clean(c, con):
    """The guest's kernel log has no warning, bug, oops or failed
    multicall (what it has, if any, is shown)."""
    for _ in range(2):  # a busy host may cut the first answer short
        out = con.run("dmesg | grep -cE '%s'" % DMESG_BAD, timeout=60)
        n = re.search(r"^(\d+)\s*$", out or "", re.M)
        if n:
            break
    c.check("dmesg has no WARNING, BUG, Oops or multicall failure",
            n is not None and n.group(1) == "0",
            con.run("dmesg | grep -E -A12 '%s' | head -40" % DMESG_BAD,
                    timeout=30))


@scenario
def linux_memory(c):
    """A 128 MiB Debian guest with zram swap under memory pressure:
    3x its memory touched and verified, compaction and soft-offline of
    pages in use, MADV_FREE/PAGEOUT/DONTNEED, large mremaps, an mprotect
    storm, fork+COW, the OOM killer, ioperm(0x80); no warning in dmesg,
    no refusal in the hypervisor's log."""
    m = boot_dom0()
    c.machine = m
    con = None
    try:
        c.check("domain 0 ready", m.wait_for(r"serial prompt ready", 60))
        t = create(c, m, "lxmem", mem=128)
        con = attach(c, m, "lxmem", since=t)
        if not con:
            return
        dom = None
        for step, timeout in LXMEM_STEPS:
            if step == "touch 3":
                # The long command's echo may wrap: the count on its own.
                out = con.run(ZRAM, timeout=60) or ""
                c.check("zram swap of 384 MiB on",
                        re.search(r"^1\s*$", out, re.M) is not None, out)
            t0 = time.monotonic()
            out = con.run("lxmem " + step, timeout=timeout)
            res = re.search(r"lxmem: (\d+) passed, (\d+) failed", out or "")
            c.check("lxmem %s: %s (%.0f s)" % (
                step, res.group(0) if res else "no result",
                time.monotonic() - t0),
                res is not None and res.group(2) == "0" and
                int(res.group(1)) > 0,
                (out or "timeout: " + con.tail(800))[-1500:])
            for line in (out or "").splitlines():
                if line.startswith("lxmem: ok") and re.search(
                        r"swapped|migrated|moved \d+ of", line):
                    c.note(line[len("lxmem: ok   "):])
            if out is None:
                break
        check_dmesg_clean(c, con)
        out = con.run("echo alive", timeout=30) or ""
        c.check("the guest still answers", "alive" in out)
        con.close()
        con = None
        dom = domid_of(m, "lxmem")
        bad = [l for l in m.tail(100000).splitlines()
               if re.search(r"\(XEN\) d%s: " % dom, l) and
               not re.search(r"created by|shut down|destroyed", l)]
        c.check("the hypervisor refused nothing of the guest's (d%s)" % dom,
                dom is not None and not bad, "\n".join(bad[:10]))
        c.check("no hypervisor crash", not m.find_all(
            r"FATAL TRAP|Panic on CPU") and m.alive())
    finally:
        if con:
            con.close()
        m.stop()
