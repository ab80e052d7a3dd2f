"""Domain 0's domain builder: domain 0 builds guests from its boot bundle
(a cpio archive given as module 1), runs them to poweroff and destroys
them with every frame returned; 200 create/destroy cycles leak nothing;
bad requests fail with a useful message and leave nothing behind; a
domU gets -EPERM for the builder's domctls (inside build_check)."""
import os
import subprocess
import tempfile

from qemu import ROOT, Machine
from scenarios import scenario, GUESTS

DOM0 = os.path.join(ROOT, "build", "dom0.elf")
KERNELS = ["build_check.elf", "hello_hcpage.elf"]
RESULT = r"buildtest: (\d+) passed, (\d+) failed"


def make_bundle(names, directory):
    """A newc cpio archive of build/guests files; returns its path."""
    path = os.path.join(directory, "bundle.cpio")
    with open(path, "wb") as out:
        subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"],
                       input="\n".join(names).encode(), cwd=GUESTS,
                       stdout=out, check=True)
    return path


def boot_buildtest(kernels, cycles=200, mem="1G", extra_cmdline=""):
    """Boot domain 0 with the bundle and buildtest=...; returns (Machine, tmpdir)."""
    tmp = tempfile.mkdtemp(prefix="xenolith-bundle-")
    bundle = make_bundle(sorted(set(kernels) | {"build_check.elf"}), tmp)
    dom0 = "%s buildtest=%s buildcycles=%d" % (DOM0, ",".join(kernels), cycles)
    m = Machine("guest_loglvl=all " + extra_cmdline, smp=2, mem=mem,
                extra=["-initrd", dom0.replace(",", ",,") + "," + bundle])
    return m, tmp


@scenario
def dom0_builder(c):
    """Domain 0 builds, runs and destroys guests; cycles and refusals leave nothing."""
    m, tmp = boot_buildtest(KERNELS)
    c.machine = m
    try:
        res = m.wait_for(RESULT, 400)
        for k in KERNELS:
            built = m.find_all(r"buildtest: built %s as d(\d+)" % k)
            c.check("%s built by domain 0" % k, built,
                    built and built[0].group(0))
            if not built:
                continue
            d = built[0].group(1)
            down = m.find_all(r"d%s: shut down: (\w+)" % d)
            c.check("%s (d%s) ran and powered off" % (k, d),
                    down and down[0].group(1) == "poweroff")
            g = m.find_all(r"\(d%s\) (\d+) passed, (\d+) failed" % d)
            what = {"build_check.elf": "start_info, ramdisk, M2P, ports, "
                    "-EPERM for the builder's domctls",
                    "hello_hcpage.elf": "hypercall page from hypercall_init"}
            c.check("%s (d%s): %s: %s" % (k, d, what.get(k, "its tests"),
                                          g and g[-1].group(0)),
                    g and g[-1].group(2) == "0" and int(g[-1].group(1)) > 0)
        for what in ["no kernel", "garbage image", "i386 ELF",
                     "ELF without Xen notes", "more memory than free",
                     "vcpus=0", "too many vCPUs"]:
            r = m.find_all(r"buildtest: %s refused: (.*)" % what)
            c.check("refused: %s (%s)" % (what, r and r[0].group(1)), r)
        for step in range(1, 5):
            r = m.find_all(r"buildtest: failure after step %d refused" % step)
            c.check("failure injected after step %d cleaned up" % step, r)
        t0 = m.find_all(r"buildtest: d(\d+) create started at (\d+) ns")
        if t0:
            pv = m.find_all(r"\(d%s\) build_check: pv_main at (\d+) ns"
                            % t0[0].group(1))
            if pv:
                c.note("create to the guest's pv_main: %.1f ms (first build, "
                       "cold TCG)" % ((int(pv[0].group(1)) - int(t0[0].group(2)))
                                      / 1e6))
        c.check("setvcpucontext/hypercall_init refuse every bad field "
                "(data frame or domain 0's frame as L4, bad rip, user mode, "
                "GDT size, vCPU up) and leave nothing",
                m.find_all(r"buildtest: hostile contexts done")
                and not m.find_all(r"buildtest: FAIL .*(L4|rip|vCPU|GDT|hypercall|context)"))
        cyc = m.find_all(r"buildtest: bench create_destroy = ([\d.]+) per_s "
                         r"\((\d+) cycles")
        c.check("200 create/destroy cycles", cyc and cyc[0].group(2) == "200",
                cyc and cyc[0].group(0))
        if cyc:
            c.note("create+destroy: %s per second (8 MiB guest, TCG)"
                   % cyc[0].group(1))
        fails = m.find_all(r"buildtest: FAIL .*")
        c.check("buildtest: %s" % (res and res.group(0)),
                res and res.group(2) == "0" and int(res.group(1)) > 30,
                "\n".join(f.group(0) for f in fails))
        c.check("no hypervisor crash",
                not m.find_all(r"FATAL TRAP|Panic on CPU") and m.alive())
    finally:
        m.stop()
