"""The toolstack through the host's xl client: autostart from the boot
bundle, create from host files (kernel sent from the host), the checks a
user can act on (config line, duplicate name, missing kernel, memory),
list state letters, pause/unpause, vcpu-list/pin, domid/domname/rename,
shutdown (obeyed, refused then destroyed, preserved), reboot and crash
restarts, the xenstore tree a guest sees, 200 create/destroy cycles and
50 domains at once with every frame back."""
import os
import re
import shutil
import subprocess
import tempfile
import time

from qemu import ROOT, Machine
from scenarios import scenario, GUESTS

DOM0 = os.path.join(ROOT, "build", "dom0.elf")
TK_GUEST = os.path.join(GUESTS, "tk_guest.elf")
READY = r"dom0: virtio console .*receive pages posted"

# Configs inside the boot bundle (dom0-side files: no upload each time).
AUTO_CFG = 'name = "auto"\nkernel = "/boot/tk_guest.elf"\nmemory = 4\n'
SMALL_CFG = ('# a small guest for loops\nname = "small"\n'
             'kernel = "/boot/tk_guest.elf"\nmemory = 4\n')


def make_bundle(tmp):
    files = {"auto.cfg": AUTO_CFG, "small.cfg": SMALL_CFG}
    for name, text in files.items():
        with open(os.path.join(tmp, name), "w") as f:
            f.write(text)
    out = os.path.join(tmp, "bundle.cpio")
    subprocess.run([os.path.join(ROOT, "tools", "mkbundle.sh"), out,
                    "boot/tk_guest.elf=" + TK_GUEST,
                    "etc/xen/auto/auto.cfg=" + os.path.join(tmp, "auto.cfg"),
                    "etc/xen/small.cfg=" + os.path.join(tmp, "small.cfg")],
                   check=True)
    return out


def boot(tmp):
    bundle = make_bundle(tmp)
    return Machine("guest_loglvl=all", smp=2, mem="1G", ctl=True,
                   extra=["-initrd", "%s console_echo,%s" % (DOM0, bundle)])


def write_cfg(tmp, name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def cfg_text(name, extra=""):
    # The kernel by host path: the client sends it.
    return 'name = "%s"\nkernel = "%s"\nmemory = 4\n%s' % (name, TK_GUEST,
                                                          extra)


def domains(m):
    """{name: (id, mem, state)} from xl list."""
    r = m.xl("list")
    out = {}
    for line in r.stdout.splitlines()[1:]:
        f = line.split()
        if len(f) >= 5:
            out[f[0]] = (int(f[1]), int(f[2]), f[4])
    return out


def free_mib(m):
    r = m.xl("info")
    hit = re.search(r"^free_memory\s+: (\d+)", r.stdout, re.M)
    return int(hit.group(1)) if hit else None


def wait_until(fn, timeout=20):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = fn()
        if v:
            return v
        time.sleep(0.2)
    return fn()


@scenario
def toolstack_lifecycle(c):
    """xl create/list/pause/unpause/shutdown/reboot/destroy, on_* actions, errors, autostart, xenstore tree."""
    tmp = tempfile.mkdtemp(prefix="tk-test-")
    m = boot(tmp)
    c.machine = m
    try:
        c.check("domain 0's control channel is up", m.wait_for(READY, 90))
        c.check("autostart created the bundle's etc/xen/auto/auto.cfg",
                m.wait_for(r"autostart: etc/xen/auto/auto.cfg: domain \d+ "
                           r"\(auto\) started", 30))
        doms = domains(m)
        c.check("xl list: auto is there, 4 MiB", "auto" in doms
                and doms["auto"][1] == 4, doms)
        free0 = free_mib(m)

        # create from host files, with the xenstore tree checked by the guest
        alpha = write_cfg(tmp, "alpha.cfg", cfg_text(
            "alpha", 'extra = "treecheck"\ncpu_weight = 384\ncap = 25\n'))
        r = m.xl("create", alpha)
        hit = re.search(r"Domain (\d+) \(alpha\) created", r.stdout)
        c.check("xl create alpha.cfg (kernel sent from the host)",
                r.returncode == 0 and hit, r.stdout + r.stderr)
        aid = int(hit.group(1)) if hit else -1
        res = m.wait_for(r"\(d%d\) (\d+) passed, (\d+) failed" % aid, 30)
        c.check("the guest finds the toolstack's xenstore entries and "
                "permissions: %s" % (res.group(0) if res else "no result"),
                res and res.group(2) == "0" and int(res.group(1)) >= 20)
        doms = domains(m)
        c.check("xl list: alpha running or blocked, 4 MiB",
                "alpha" in doms and doms["alpha"][0] == aid
                and doms["alpha"][1] == 4
                and re.match(r"^[r-][b-]----$", doms["alpha"][2]), doms)
        r = m.xl("sched-credit", "-d", "alpha")
        c.check("cpu_weight and cap from the xl.cfg: weight 384, cap 25",
                re.search(r"\balpha\s+%d\s+384\s+25\b" % aid, r.stdout),
                r.stdout + r.stderr)
        r1, r2 = m.xl("domid", "alpha"), m.xl("domname", str(aid))
        c.check("xl domid / domname", r1.stdout.strip() == str(aid)
                and r2.stdout.strip() == "alpha", r1.stdout + r2.stdout)

        # errors a user can act on
        r = m.xl("create", alpha)
        c.check("duplicate name refused", r.returncode == 1
                and 'named "alpha" already exists' in r.stderr, r.stderr)
        bad = write_cfg(tmp, "bad.cfg", 'name = "bad"\nkernel = "k"\n'
                        'memory = lots\n')
        r = m.xl("create", bad)
        c.check("config error reported with its line (host check)",
                r.returncode == 1 and "line 3:" in r.stderr, r.stderr)
        m.xl("put", bad, "bad-remote.cfg")
        r = m.xl("create", "bad-remote.cfg")
        c.check("config error reported with its line (domain 0 check)",
                r.returncode == 1 and "bad-remote.cfg: line 3:" in r.stderr,
                r.stderr)
        nok = write_cfg(tmp, "nok.cfg", 'name = "nok"\nkernel = '
                        '"/no/such/kernel"\nmemory = 4\n')
        r = m.xl("create", nok)
        c.check("missing kernel refused", r.returncode == 1
                and 'kernel "/no/such/kernel": no such file' in r.stderr,
                r.stderr)
        big = write_cfg(tmp, "big.cfg", cfg_text("big").replace(
            "memory = 4", "memory = 100000"))
        r = m.xl("create", big)
        c.check("too much memory refused", r.returncode == 1
                and "not enough free memory" in r.stderr, r.stderr)
        notpv = write_cfg(tmp, "notpv.cfg", 'name = "notpv"\nkernel = "%s"\n'
                          'memory = 4\n' % bad)
        r = m.xl("create", notpv)
        c.check("a kernel that is not a PV ELF refused", r.returncode == 1
                and "create:" in r.stderr and "notpv" not in domains(m),
                r.stderr)

        # pause, unpause, vCPUs, rename
        r = m.xl("pause", "alpha")
        st = domains(m).get("alpha", (0, 0, ""))[2]
        c.check("xl pause: state p", r.returncode == 0 and st[2:3] == "p", st)
        r = m.xl("unpause", str(aid))
        st = domains(m).get("alpha", (0, 0, ""))[2]
        c.check("xl unpause: not p", r.returncode == 0 and st[2:3] == "-", st)
        r = m.xl("vcpu-pin", "alpha", "0", "1")
        r2 = m.xl("vcpu-list", "alpha")
        c.check("xl vcpu-pin alpha 0 1; vcpu-list shows it",
                r.returncode == 0 and re.search(
                    r"^alpha\s+%d\s+0\s+1\s+\S+\s+[\d.]+\s+1 / all$" % aid,
                    r2.stdout, re.M), r.stderr + r2.stdout)
        r = m.xl("rename", "alpha", "beta")
        c.check("xl rename alpha beta", r.returncode == 0
                and domains(m).get("beta", (0,))[0] == aid, r.stderr)

        # shutdown obeyed, destroy by on_poweroff
        r = m.xl("shutdown", "beta")
        c.check("xl shutdown beta: the guest powers off and is destroyed",
                r.returncode == 0 and "has shut down and is gone" in r.stdout
                and "beta" not in domains(m), r.stdout + r.stderr)
        c.check("... by its on_poweroff action",
                m.wait_for(r"toolstack: domain %d \(beta\) powered off: "
                           r"destroy" % aid, 5))

        # reboot: destroyed and built again under the same name
        gamma = write_cfg(tmp, "gamma.cfg", cfg_text("gamma"))
        r = m.xl("create", gamma)
        gid = domains(m).get("gamma", (-1,))[0]
        r = m.xl("reboot", "gamma")
        nid = domains(m).get("gamma", (-1,))[0]
        c.check("xl reboot gamma: restarted as a new domain",
                r.returncode == 0 and "gamma restarted as domain %d" % nid
                in r.stdout and nid not in (-1, gid), r.stdout + r.stderr)
        m.xl("destroy", "gamma")

        # a guest that does not answer: destroyed after the timeout
        deaf = write_cfg(tmp, "deaf.cfg", cfg_text("deaf",
                                                   'cmdline = "deaf"\n'))
        m.xl("create", deaf)
        t0 = time.monotonic()
        r = m.xl("shutdown", "-t", "3", "deaf")
        c.check("xl shutdown -t 3 of a deaf guest: destroyed after 3 s",
                r.returncode == 0 and "did not shut down within 3 s: "
                "destroying it" in r.stdout and "deaf" not in domains(m)
                and time.monotonic() - t0 >= 3, r.stdout + r.stderr)

        # on_poweroff = preserve: kept, state s
        keep = write_cfg(tmp, "keep.cfg", cfg_text(
            "keep", 'on_poweroff = "preserve"\n'))
        m.xl("create", keep)
        r = m.xl("shutdown", "keep")
        st = domains(m).get("keep", (0, 0, ""))[2]
        c.check("on_poweroff=preserve: kept, xl list shows s",
                "is kept" in r.stdout and st == "---s--", r.stdout + st)
        r = m.xl("destroy", "keep")
        c.check("xl destroy of a shut-down domain", r.returncode == 0
                and "keep" not in domains(m), r.stderr)

        # a crashing guest restarted by on_crash = restart
        crash = write_cfg(tmp, "crash.cfg", cfg_text(
            "crasher", 'extra = "crash=400"\non_crash = "restart"\n'))
        r = m.xl("create", crash)
        first = domains(m).get("crasher", (-1,))[0]
        restarts = wait_until(lambda: len(m.find_all(
            r"toolstack: crasher restarted as domain \d+")) >= 2, 30)
        c.check("on_crash=restart: the crashing guest is rebuilt (twice)",
                restarts and m.find_all(r"toolstack: domain %d \(crasher\) "
                                        r"crashed: restart" % first))
        kept = wait_until(lambda: m.find_all(
            r"toolstack: crasher restarted 5 times in 60 s: kept"), 60)
        st = wait_until(lambda: domains(m).get("crasher", (0, 0, ""))[2]
                        == "----c-" and "c", 10)
        c.check("a crash loop stops after 5 restarts in 60 s: kept, "
                "xl list shows c", kept and st, domains(m).get("crasher"))
        r = m.xl("destroy", "crasher")
        c.check("xl destroy crasher (by name) ends the loop",
                r.returncode == 0 and "crasher" not in domains(m), r.stderr)
        crash2 = write_cfg(tmp, "crash2.cfg", cfg_text(
            "wreck", 'extra = "crash=0"\non_crash = "preserve"\n'))
        m.xl("create", crash2)
        st = wait_until(lambda: domains(m).get("wreck", (0, 0, ""))[2]
                        == "----c-" and "c", 10)
        c.check("on_crash=preserve: xl list shows c", st,
                domains(m).get("wreck"))
        m.xl("destroy", "wreck")

        r = m.xl("destroy", "auto")
        # auto's 4 MiB come back, and with them its hypervisor-side
        # structures (shared info, grant and event pages, vCPU state: under
        # 1 MiB), which may carry the MiB count one further.
        c.check("every frame back after all that (xl info free_memory "
                "%s MiB before, auto's 4 MiB and its structures)" % free0,
                r.returncode == 0 and wait_until(
                    lambda: free0 + 4 <= free_mib(m) <= free0 + 5, 10),
                "now %s" % free_mib(m))
        c.check("no domain left but domain 0", list(domains(m)) ==
                ["Domain-0"], domains(m))
        c.check("domain 0 and the hypervisor still running",
                m.alive() and not m.find_all(r"FATAL TRAP|Panic on CPU|"
                                             r"d0: shut down"))
    finally:
        m.stop()
        shutil.rmtree(tmp, ignore_errors=True)


@scenario
def toolstack_scale(c):
    """200 create/destroy cycles and 50 domains at once: every frame returned."""
    tmp = tempfile.mkdtemp(prefix="tk-scale-")
    m = boot(tmp)
    c.machine = m
    try:
        c.check("domain 0's control channel is up", m.wait_for(READY, 90))
        m.wait_for(r"autostart: .* started", 30)
        m.xl("destroy", "auto")
        free0 = free_mib(m)
        t0 = time.monotonic()
        r = m.xl("cycle", "200", "etc/xen/small.cfg", 'cmdline="idle"',
                 timeout=300)
        hit = re.search(r"cycle: (\d+) create\+destroy cycles in ([\d.]+) s",
                        r.stdout)
        frames = re.search(r"cycle: free frames (\d+) before, (\d+) after",
                           r.stdout)
        c.check("200 create/destroy cycles in domain 0",
                r.returncode == 0 and hit and hit.group(1) == "200",
                r.stdout + r.stderr)
        c.note("200 cycles: %.1f s wall, %s" % (time.monotonic() - t0,
                                                 hit and hit.group(0)))
        c.check("every frame returned: the hypervisor's free frames equal",
                frames and frames.group(1) == frames.group(2),
                frames and frames.group(0))
        c.check("xl info free_memory the same after (%s MiB)" % free0,
                free_mib(m) == free0, free_mib(m))

        t0 = time.monotonic()
        failed = []
        for i in range(50):
            r = m.xl("create", "etc/xen/small.cfg", 'name="m%d"' % i)
            if r.returncode:
                failed.append((i, r.stderr.strip()))
        c.check("50 domains created", not failed, failed[:3])
        c.note("50 creates from the host: %.1f s" % (time.monotonic() - t0))
        doms = domains(m)
        names = ["m%d" % i for i in range(50)]
        c.check("all 50 in xl list, none crashed",
                all(n in doms and "c" not in doms[n][2] for n in names),
                sorted(set(names) - set(doms)))
        up = wait_until(lambda: all(m.find_all(r"\[d%d\] tk_guest: watching"
                                               % doms[n][0]) for n in names
                                    if n in doms), 60)
        c.check("all 50 guests running (their console lines seen)", up)
        c.check("free memory went down by at least 50 x 4 MiB",
                free_mib(m) <= free0 - 200, free_mib(m))
        failed = [n for n in names if m.xl("destroy", n).returncode]
        c.check("all 50 destroyed", not failed and
                list(domains(m)) == ["Domain-0"], failed)
        # The hypervisor's heap keeps the slabs it carved for 50 domains'
        # records (about 18 frames): within 1 MiB. The 200 cycles above
        # check every frame, one domain at a time.
        c.check("xl info free_memory back to %s MiB (within the heap's "
                "slabs, 1 MiB)" % free0,
                wait_until(lambda: free_mib(m) >= free0 - 1, 10), free_mib(m))
        c.check("domain 0 and the hypervisor still running",
                m.alive() and not m.find_all(r"FATAL TRAP|Panic on CPU|"
                                             r"d0: shut down"))
    finally:
        m.stop()
        shutil.rmtree(tmp, ignore_errors=True)
