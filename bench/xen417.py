"""The Xen 4.17 peer of make bench-io and make bench-apps: Xen's own
hypervisor (tools/fetch-xen.sh) with a Debian domain 0 (tools/mkxendom0.sh,
an ext4 root on a virtio disk that QEMU keeps unmodified) whose script
(tools/xenpeer/dom0-init) creates the benchmark's domUs with Xen's own xl,
served by Linux's blkback and netback, and copies their consoles to the
serial line. Also the module list and QEMU options both benchmarks share.
Standard library only."""
import os
import re
import shutil
import subprocess
import tempfile

from linux_bench import bzimage, kernel_dir  # the guests' kernel
from qemu import accel_args

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
VIRTIO = "disable-legacy=on"
SMP = 2


def log(msg):
    print("[xen417] %s" % msg, flush=True)


def module_chain(names):
    """The .ko files of the named modules and of everything they depend
    on, dependencies first (read from each module's .modinfo)."""
    kdir = kernel_dir()
    found = {}
    for top, _, files in os.walk(os.path.join(kdir, "lib", "modules")):
        for f in files:
            if f.endswith(".ko"):
                found[f[:-3].replace("-", "_")] = os.path.join(top, f)
    order = []

    def visit(name):
        name = name.replace("-", "_")
        path = found.get(name)
        if path is None or path in order:
            return
        data = open(path, "rb").read()
        m = re.search(rb"depends=([\w,-]*)\x00", data)
        for dep in (m.group(1).decode().split(",") if m else []):
            if dep:
                visit(dep)
        if path not in order:
            order.append(path)
    for n in names:
        visit(n)
    return order


def qemu_base(mem):
    return ["qemu-system-x86_64"] + accel_args() + [
        "-smp", str(SMP), "-m", mem, "-no-reboot", "-display", "none",
        "-monitor", "none", "-serial", "stdio"]


def disk_args(path, drive_id):
    return ["-drive", "file=%s,if=none,id=%s,format=raw" % (path, drive_id),
            "-device", "virtio-blk-pci,drive=%s,%s" % (drive_id, VIRTIO)]


def net_args(hostfwd=""):
    """QEMU's user-mode network on a virtio-net card; hostfwd: its
    ",hostfwd=..." options."""
    return ["-netdev", "user,id=n0" + hostfwd,
            "-device", "virtio-net-pci,netdev=n0,%s" % VIRTIO]


def domu_cfg(name, mem, extra, disk, mac, ramdisk="initramfs.cpio",
             more=""):
    """A guest.cfg for Xen's xl in the peer's domain 0: kernel and ramdisk
    from the payload, disk a device of domain 0's, a VIF on xenbr0."""
    return ('name = "%s"\ntype = "pv"\nmemory = %d\nvcpus = 1\n'
            'kernel = "/run/xenpeer/vmlinuz"\n'
            'ramdisk = "/run/xenpeer/%s"\n'
            'extra = "console=hvc0 %s"\n'
            "disk = [ 'phy:%s,xvda,w' ]\n"
            "vif = [ 'mac=%s,bridge=xenbr0' ]\n"
            'on_poweroff = "destroy"\non_crash = "destroy"\n%s' %
            (name, mem, ramdisk, extra, disk, mac, more))


def xen_peer(cfgs, payload, out):
    """Build the peer: (xen.elf, dom0 root image, dom0 initramfs at out),
    or None with the reason logged. cfgs: the domUs' xl configurations
    (guest.cfg, guest2.cfg, ...; all created at once); payload: host
    files copied into domain 0's /run/xenpeer, as (path, name)."""
    r = subprocess.run([os.path.join(ROOT, "tools", "fetch-xen.sh")],
                       stdout=subprocess.PIPE, universal_newlines=True)
    if r.returncode:
        log("Xen 4.17: tools/fetch-xen.sh failed")
        return None
    xen = os.path.join(ROOT, r.stdout.strip())
    r = subprocess.run([os.path.join(ROOT, "tools", "mkxendom0.sh"),
                        kernel_dir()], stdout=subprocess.PIPE,
                       universal_newlines=True)
    if r.returncode:
        log("Xen 4.17: tools/mkxendom0.sh failed (no dom0 root image)")
        return None
    root = os.path.join(ROOT, r.stdout.strip())
    stage = tempfile.mkdtemp(prefix="xenpeer-")
    try:
        pay = os.path.join(stage, "payload")
        mods = os.path.join(stage, "lib", "modules")
        os.makedirs(pay)
        os.makedirs(mods)
        os.makedirs(os.path.join(stage, "bin"))
        shutil.copy(os.path.join(ROOT, "cache", "busybox", "bin", "busybox"),
                    os.path.join(stage, "bin", "busybox"))
        shutil.copy(os.path.join(ROOT, "tools", "xenpeer", "init"),
                    os.path.join(stage, "init"))
        names = []
        for ko in module_chain(["virtio_pci", "virtio_blk", "crc32c_generic",
                                  "ext4"]):
            shutil.copy(ko, mods)
            names.append(os.path.basename(ko))
        with open(os.path.join(mods, "order"), "w") as f:
            f.write("\n".join(names) + "\n")
        shutil.copy(os.path.join(ROOT, "tools", "xenpeer", "dom0-init"), pay)
        shutil.copy(bzimage(), os.path.join(pay, "vmlinuz"))
        for path, name in payload:
            shutil.copy(path, os.path.join(pay, name))
        for i, text in enumerate(cfgs):
            cfg = "guest.cfg" if i == 0 else "guest%d.cfg" % (i + 1)
            with open(os.path.join(pay, cfg), "w") as f:
                f.write(text)
        os.chmod(os.path.join(stage, "init"), 0o755)
        with open(out, "wb") as f:
            files = subprocess.run(
                "find . | LC_ALL=C sort", shell=True, cwd=stage,
                stdout=subprocess.PIPE, check=True).stdout
            subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"], cwd=stage,
                           input=files, stdout=f, check=True)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return xen, root, out


def xen_args(peer, mem, opts="", linux_args="loglevel=4"):
    """QEMU's options to boot the peer (its domain 0's root the first
    virtio disk, unmodified); the caller adds the domUs' disks (vdb, ...)
    and the network."""
    xen, root, initrd = peer
    xen_cmdline = ("console=com1 com1=115200,8n1 dom0_mem=512M,max:512M "
                   "dom0_max_vcpus=1 smap=0 noreboot " + opts).strip()
    return qemu_base(mem) + [
        "-kernel", xen, "-append", xen_cmdline,
        "-initrd", "%s root=/dev/vda console=hvc0 %s,%s" %
        (bzimage(), linux_args, initrd),
        "-drive", "file=%s,if=none,id=d0,format=raw,snapshot=on" % root,
        "-device", "virtio-blk-pci,drive=d0,%s" % VIRTIO]
