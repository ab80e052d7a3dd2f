"""Resource control of Linux guests: the balloon (memory=, maxmem=,
`xl mem-set`, Linux's own xen-balloon driver) and SMP guests (vcpus=,
maxvcpus=, `xl vcpu-set`, Linux's CPU hotplug on cpu/N/availability)."""
import json
import os
import re
import time

from qemu import ROOT
from scenarios import scenario
from sc_linux import (Console, attach, boot_dom0, check_dmesg_clean, create,
                      free_mb, write_config)

BALLOON = "/sys/devices/system/xen_memory/xen_memory0/info"
TK_GUEST = os.path.join(ROOT, "build", "guests", "tk_guest.elf")


def guest_kb(con, what):
    """A number from the guest: MemTotal (kB) or the balloon's current_kb."""
    cmd = ("grep MemTotal /proc/meminfo" if what == "MemTotal" else
           "cat %s/%s" % (BALLOON, what))
    out = con.run(cmd) or ""
    v = re.search(r"^(?:MemTotal:\s*)?(\d+)(?: kB)?\s*$", out, re.M)
    return int(v.group(1)) if v else None


def wait_balloon(con, want_kb, timeout=120):
    """Poll the balloon's current_kb until it is want_kb; the last value."""
    deadline = time.monotonic() + timeout
    cur = guest_kb(con, "current_kb")
    while cur != want_kb and time.monotonic() < deadline:
        time.sleep(1)
        cur = guest_kb(con, "current_kb")
    return cur


def list_long(m, name):
    """xl list -l NAME as parsed JSON (its only element), or None."""
    r = m.xl("list", "-l", name)
    try:
        return json.loads(r.stdout)[0]
    except (ValueError, IndexError):
        return None


def within(got, want, frac=0.05):
    return got is not None and abs(got - want) <= abs(want) * frac


def mem_step(c, m, name, con_holder, target_mb, before):
    """xl mem-set NAME target_mb; then the balloon's current, MemTotal and
    the hypervisor's free memory must move by the difference (5%)."""
    con_holder[0].close()
    r = m.xl("mem-set", name, str(target_mb))
    c.check("xl mem-set %s %d" % (name, target_mb), r.returncode == 0,
            r.stdout + r.stderr)
    con = con_holder[0] = Console(m, name)
    cur = wait_balloon(con, target_mb * 1024)
    c.check("balloon current_kb reaches %d MiB (%s kB)" % (target_mb, cur),
            cur == target_mb * 1024, con.tail(600))
    total = guest_kb(con, "MemTotal")
    con.close()
    free = free_mb(m)
    delta_kb = (target_mb - before["target"]) * 1024
    got = (total or 0) - before["total"]
    c.check("Linux's MemTotal moves by %+d kB (expected %+d, within 5%%)" %
            (got, delta_kb), within(got, delta_kb))
    got_free = (free or 0) - before["free"]
    c.check("hypervisor free memory moves by %+d MiB (expected %+d, "
            "within 5%%)" % (got_free, -delta_kb // 1024),
            within(got_free, -delta_kb // 1024))
    info = list_long(m, name)
    actual = info and info["xenolith"]["actual_memkb"]
    c.check("xl list -l: target_memkb %s, actual_memkb %s" % (
        info and info["config"]["b_info"]["target_memkb"], actual),
        info is not None and
        info["config"]["b_info"]["target_memkb"] == target_mb * 1024 and
        within(actual, target_mb * 1024, 0.02))
    con_holder[0] = Console(m, name)
    return {"target": target_mb, "total": total or 0, "free": free or 0}


def check_beyond_maxmem(c, m, name, maxmem):
    r = m.xl("mem-set", name, str(maxmem + 64))
    err = r.stdout + r.stderr
    c.check("xl mem-set beyond maxmem (%d MiB) is refused: %s" % (
        maxmem, err.strip()[:120]), r.returncode != 0 and "maxmem" in err)
    info = list_long(m, name)
    c.check("the refused mem-set changed nothing (target %s)" % (
        info and info["config"]["b_info"]["target_memkb"]),
        info is not None and
        info["config"]["b_info"]["target_memkb"] == maxmem * 1024)


def check_deaf_guest(c, m):
    """A guest without a balloon driver ignores its target: xl list -l
    shows the target beside what it holds, and the hypervisor's maximum
    (target + 1 MiB) is what stops it growing."""
    cfg = os.path.join(os.path.dirname(write_config("x")), "deaf.cfg")
    with open(cfg, "w") as f:
        f.write('name = "deaf"\nmemory = 32\nmaxmem = 64\n'
                'kernel = "%s"\n' % TK_GUEST)
    r = m.xl("create", cfg, timeout=120)
    c.check("xl create deaf (tk_guest: no balloon driver)", r.returncode == 0,
            r.stdout + r.stderr)
    r = m.xl("mem-set", "deaf", "16")
    time.sleep(2)
    info = list_long(m, "deaf")
    ok = info is not None and r.returncode == 0
    b = info["config"]["b_info"] if ok else {}
    x = info["xenolith"] if ok else {}
    c.check("a guest ignoring its target is visible: target %s kB, actual "
            "%s kB, hypervisor max %s kB" % (b.get("target_memkb"),
                                             x.get("actual_memkb"),
                                             x.get("hypervisor_max_memkb")),
            ok and b["target_memkb"] == 16384 and
            x["actual_memkb"] >= 32768 and
            x["hypervisor_max_memkb"] == 16384 + 1024, r.stdout + r.stderr)
    m.xl("destroy", "deaf")


@scenario
def linux_balloon(c):
    """A Debian guest with memory=192, maxmem=320: xl mem-set to 128 and
    then to 320 MiB moves Linux's MemTotal and the hypervisor's free
    memory by the difference (its balloon driver gives pages back and
    populates them again, above its boot size); beyond maxmem is refused;
    a guest that ignores its target shows it in xl list -l."""
    m = boot_dom0()
    c.machine = m
    con = [None]
    try:
        c.check("domain 0 ready", m.wait_for(r"serial prompt ready", 60))
        t = create(c, m, "lxb", "maxmem = 320\n", mem=192)
        con[0] = attach(c, m, "lxb", since=t)
        if not con[0]:
            return
        cur = guest_kb(con[0], "current_kb")
        total = guest_kb(con[0], "MemTotal")
        c.check("the balloon driver runs: current_kb %s (192 MiB)" % cur,
                cur == 192 * 1024)
        con[0].close()
        state = {"target": 192, "total": total or 0, "free": free_mb(m) or 0}
        con[0] = Console(m, "lxb")
        state = mem_step(c, m, "lxb", con, 128, state)
        state = mem_step(c, m, "lxb", con, 320, state)
        # More than its boot size, in RAM (tmpfs, made large enough).
        out = con[0].run("mount -o remount,size=240M /tmp && "
                         "dd if=/dev/zero of=/tmp/f bs=1M count=200 "
                         "2>/dev/null && md5sum /tmp/f && rm /tmp/f",
                         timeout=120) or ""
        c.check("the guest uses its grown memory (200 MiB in tmpfs)",
                "3566de3a97906edb98d004d6b947ae9b" in out, out[-300:])
        check_dmesg_clean(c, con[0])
        con[0].close()
        con[0] = None
        check_beyond_maxmem(c, m, "lxb", 320)
        check_deaf_guest(c, m)
        c.check("no hypervisor crash", not m.find_all(
            r"FATAL TRAP|Panic on CPU") and m.alive())
    finally:
        if con[0]:
            con[0].close()
        m.stop()


def cpu_busy(con, seconds=4):
    """Run a busy loop per online CPU for a while; per CPU, the share of
    the interval it spent running them (user+nice+system ticks), from
    /proc/stat. While the loops run, only shell builtins run (no exec:
    see docs/architecture.md on exec under vCPU overcommit)."""
    stat = ("while read l; do case $l in cpu[0-9]*) echo $l;; esac; "
            "done </proc/stat")
    cmd = ("rm -f /tmp/tick; mkfifo /tmp/tick; n=$(nproc); "
           "for i in $(seq $n); do (while :; do :; done) & done; "
           "read -t 1 x <>/tmp/tick; %s; read -t %d x <>/tmp/tick; %s; "
           "kill $(jobs -p); wait" % (stat, seconds, stat))
    out = con.run(cmd, timeout=120) or ""
    rows = re.findall(r"^cpu(\d+) (\d+) (\d+) (\d+)", out, re.M)
    half = len(rows) // 2
    hz = 100  # USER_HZ
    share = {}
    for a, b in zip(rows[:half], rows[half:]):
        busy = sum(int(x) for x in b[1:]) - sum(int(x) for x in a[1:])
        share[int(a[0])] = busy / (seconds * hz)
    return share


def wait_nproc(con, want, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        out = con.run("nproc") or ""
        n = re.search(r"^(\d+)\s*$", out, re.M)
        got = int(n.group(1)) if n else None
        if got == want or time.monotonic() > deadline:
            return got
        time.sleep(1)


def check_all_busy(c, con, n, what):
    share = cpu_busy(con)
    # Every vCPU ran the job: none far below the others (the host's load
    # sets how much TCG gives them all).
    mean = sum(share.values()) / len(share) if share else 0
    c.check("%s: %d busy loops ran on every vCPU (%s)" % (
        what, n, ", ".join("cpu%d %.0f%%" % (k, v * 100)
                           for k, v in sorted(share.items()))),
        len(share) == n and mean > 0.05 and
        all(v >= 0.3 * mean for v in share.values()))


def vcpu_set(c, m, name, n, *opts):
    r = m.xl("vcpu-set", *(list(opts) + [name, str(n)]))
    c.check("xl vcpu-set %s%s %d" % (" ".join(opts) + " " if opts else "",
                                      name, n),
            r.returncode == 0, r.stdout + r.stderr)


def offline_in_hypervisor(m, name):
    """How many of name's vCPUs xl vcpu-list shows as down."""
    out = m.xl("vcpu-list", name).stdout
    return len(re.findall(r"^\S+\s+\d+\s+\d+\s+-\s+---", out, re.M))


@scenario
def linux_smp(c):
    """A 4-vCPU Debian guest on 2 CPUs: nproc 4, a parallel job on every
    vCPU; xl vcpu-set 2 takes two offline (Linux's hotplug follows
    cpu/N/availability; the hypervisor sees them down) and 4 brings them
    back (overcommitting needs --ignore-host, as on Xen); vcpus=2 of
    maxvcpus=4 boots with two offline; an 8-vCPU guest boots and works;
    33 vCPUs are refused."""
    m = boot_dom0()
    c.machine = m
    con = None
    try:
        c.check("domain 0 ready", m.wait_for(r"serial prompt ready", 60))
        t = create(c, m, "lxs", "vcpus = 4\n")
        con = attach(c, m, "lxs", since=t)
        if not con:
            return
        c.check("nproc is 4", wait_nproc(con, 4, 5) == 4)
        check_all_busy(c, con, 4, "4 vCPUs")
        con.close()
        con = None
        vcpu_set(c, m, "lxs", 2)
        con = Console(m, "lxs")
        got = wait_nproc(con, 2)
        out = con.run("cat /sys/devices/system/cpu/online") or ""
        c.check("Linux takes two vCPUs offline: nproc %s, online %s" % (
            got, out.strip()), got == 2 and "0-1" in out)
        con.close()
        con = None
        down = offline_in_hypervisor(m, "lxs")
        c.check("the hypervisor has them down (%d vCPUs offline in "
                "vcpu-list)" % down, down == 2)
        r = m.xl("vcpu-set", "lxs", "4")
        c.check("vcpu-set 4 on 2 CPUs without --ignore-host is refused: %s"
                % (r.stdout + r.stderr).strip()[:100],
                r.returncode != 0 and "ignore-host" in r.stderr)
        vcpu_set(c, m, "lxs", 4, "--ignore-host")
        con = Console(m, "lxs")
        c.check("Linux brings them back: nproc 4",
                wait_nproc(con, 4) == 4, con.tail(400))
        check_all_busy(c, con, 4, "back to 4 vCPUs")
        out = con.run("lxtlb 300", timeout=300) or ""
        for line in out.splitlines():
            if "shootdown" in line:
                c.note("TLB " + line.strip())
        check_dmesg_clean(c, con)
        con.close()
        con = None
        m.xl("destroy", "lxs")
        t = create(c, m, "lx8", "vcpus = 8\n")
        con = attach(c, m, "lx8", since=t)
        if not con:
            return
        c.check("an 8-vCPU guest on 2 CPUs: nproc 8",
                wait_nproc(con, 8, 5) == 8)
        check_all_busy(c, con, 8, "8 vCPUs")
        out = con.run("dmesg | grep -c segfault") or ""
        n = re.search(r"^(\d+)\s*$", out, re.M)
        c.note("processes that segfaulted so far: %s (exec under vCPU "
               "overcommit, a known bug)" % (n.group(1) if n else "?"))
        out = con.run("lxtest", timeout=300) or ""
        res = re.search(r"lxtest: (\d+) passed, (\d+) failed", out)
        c.check("lxtest on 8 vCPUs: %s" % (res.group(0) if res else "none"),
                res is not None and res.group(2) == "0", out[-600:])
        check_dmesg_clean(c, con)
        con.close()
        con = None
        m.xl("destroy", "lx8")
        t = create(c, m, "lxh", "vcpus = 2\nmaxvcpus = 4\n")
        con = attach(c, m, "lxh", since=t)
        if con:
            c.check("vcpus=2, maxvcpus=4: nproc 2 after boot",
                    wait_nproc(con, 2, 30) == 2)
            con.close()
            con = None
            vcpu_set(c, m, "lxh", 3, "--ignore-host")
            con = Console(m, "lxh")
            c.check("vcpu-set 3 brings a third online",
                    wait_nproc(con, 3) == 3)
            con.close()
            con = None
        r = m.xl("vcpu-set", "--ignore-host", "lxh", "5")
        c.check("vcpu-set beyond maxvcpus is refused: %s" %
                (r.stdout + r.stderr).strip()[:100],
                r.returncode != 0 and "maxvcpus" in r.stderr)
        r = m.xl("create", write_config("lx33", "vcpus = 33\n"))
        err = (r.stdout + r.stderr).strip()
        c.check("vcpus = 33 is refused: %s" % err.splitlines()[-1][:100],
                r.returncode != 0 and "at most 32" in err)
        c.check("no hypervisor crash", not m.find_all(
            r"FATAL TRAP|Panic on CPU") and m.alive())
    finally:
        if con:
            con.close()
        m.stop()
