"""Virtual block devices: Debian's unmodified xen-blkfront against domain
0's blkback, on an extent of a virtio disk whose image the test makes in
build/. Data written and flushed by one guest is in the host's image
file and is read back by the next guest; a read-only VBD refuses writes
inside the guest and may be shared; a second writer is refused."""
import hashlib
import os
import re
import subprocess
import time

from qemu import ROOT, Machine
from scenarios import scenario
from sc_linux import (Console, attach, check_dmesg_clean, wait_listed,
                      write_config, free_mb)

DOM0 = os.path.join(ROOT, "build", "dom0.elf")
IMG_DIR = os.path.join(ROOT, "build", "block")
DISK_MB = 80
EXT_START_MB, EXT_MB = 1, 64  # the VBD: an extent of the disk
DATA_MB = 16
EXTENT = "vblk0:%dM+%dM" % (EXT_START_MB, EXT_MB)
# The same extent as domain 0 prints it (512-byte sectors).
EXTENT_SECTORS = "vblk0:%d+%d" % (EXT_START_MB * 2048, EXT_MB * 2048)


def make_image():
    os.makedirs(IMG_DIR, exist_ok=True)
    path = os.path.join(IMG_DIR, "disk0.img")
    with open(path, "wb") as f:
        # A marker just before and after the extent: it must stay as is.
        f.truncate(DISK_MB << 20)
        f.seek((EXT_START_MB << 20) - 512)
        f.write(b"B" * 512)
        f.seek((EXT_START_MB + EXT_MB) << 20)
        f.write(b"A" * 512)
    return path


def image_sha(path, offset, length):
    with open(path, "rb") as f:
        f.seek(offset)
        return hashlib.sha256(f.read(length)).hexdigest()


def boot(image, drive="", device="", more=None, dom0_args=""):
    """Domain 0 with image as vblk0 (drive/device: more QEMU options for
    it) and the images of more as vblk1..."""
    extra = ["-initrd", (DOM0 + " " + dom0_args).strip()]
    for i, (img, drv, dev) in enumerate([(image, drive, device)] +
                                        (more or [])):
        extra += ["-drive", "file=%s,if=none,id=d%d,format=raw%s" %
                  (img, i, drv),
                  "-device", "virtio-blk-pci,drive=d%d,disable-legacy=on%s" %
                  (i, dev)]
    return Machine("dom0_mem=400M", smp=2, mem="1536M", ctl=True,
                   extra=extra)


def create(c, m, name, disk, expect_ok=True):
    cfg = write_config(name, "disk = [ '%s' ]\n" % disk)
    r = m.xl("create", cfg, timeout=180)
    out = r.stdout + r.stderr
    if expect_ok:
        c.check("xl create %s with disk '%s'" % (name, disk),
                r.returncode == 0, out)
    return r.returncode == 0, out


def timed(cmd):
    """cmd between two readings of the guest's uptime (busybox dd prints
    no rate); seconds() takes the difference from the output."""
    return ("a=$(cut -d' ' -f1 /proc/uptime); %s 2>/dev/null; "
            "echo T-$a-$(cut -d' ' -f1 /proc/uptime)-T" % cmd)


def seconds(out):
    m = re.search(r"T-([\d.]+)-([\d.]+)-T", out or "")
    return m and float(m.group(2)) - float(m.group(1))


def sha_of(out):
    m = re.search(r"\b([0-9a-f]{64})\b", out or "")
    return m and m.group(1)


def writer(c, m, image):
    """lx1 writes DATA_MB of random data through xvda and flushes it."""
    ok, _ = create(c, m, "lx1", "format=raw, vdev=xvda, access=rw, "
                   "target=%s" % EXTENT)
    if not ok:
        return None
    con = attach(c, m, "lx1")
    if not con:
        return None
    try:
        out = con.run("cat /sys/block/xvda/size", timeout=60) or ""
        c.check("the guest sees xvda with the extent's %d sectors (%s)" %
                (EXT_MB * 2048, out.strip()),
                out.strip() == str(EXT_MB * 2048), out)
        out = con.run("cat /sys/block/xvda/ro") or ""
        c.check("xvda is writable in the guest", out.strip() == "0", out)
        con.run("dd if=/dev/urandom of=/tmp/data bs=1M count=%d 2>/dev/null"
                % DATA_MB, timeout=120)
        want = sha_of(con.run("sha256sum /tmp/data", timeout=60))
        out = con.run(timed("dd if=/tmp/data of=/dev/xvda bs=1M "
                            "conv=fsync && sync && echo WROTE-$((6*7))"),
                      timeout=300) or ""
        c.check("dd of %d MiB to xvda with fsync, then sync" % DATA_MB,
                "WROTE-42" in out, out[-300:])
        wt = seconds(out)
        out = con.run("echo 3 > /proc/sys/vm/drop_caches; " +
                      timed("dd if=/dev/xvda of=/dev/null bs=1M"),
                      timeout=300) or ""
        rt = seconds(out)
        c.note("in the guest through blkback (TCG): dd write of %d MiB "
               "+ fsync %.0f MiB/s; dd read of the whole %d MiB VBD "
               "%.0f MiB/s" % (DATA_MB, DATA_MB / wt if wt else 0, EXT_MB,
                               EXT_MB / rt if rt else 0))
        out = con.run("echo 3 > /proc/sys/vm/drop_caches; dd if=/dev/xvda "
                      "bs=1M count=%d 2>/dev/null | sha256sum" % DATA_MB,
                      timeout=300)
        c.check("lx1 reads back what it wrote (sha256 %s)" %
                (want or "?")[:16], want and sha_of(out) == want, out)
        out = con.run("dd if=/dev/zero of=/dev/xvda bs=512 count=1 "
                      "seek=%d 2>&1; echo rc=$?" % (EXT_MB * 2048)) or ""
        c.check("a write past the end of xvda fails in the guest",
                "rc=0" not in out, out)
        return want
    finally:
        con.close()


def reader(c, m, name, want, check_ro_write):
    con = attach(c, m, name)
    if not con:
        return
    try:
        out = con.run("cat /sys/block/xvda/ro") or ""
        c.check("%s: xvda is read-only in the guest" % name,
                out.strip() == "1", out)
        out = con.run("dd if=/dev/xvda bs=1M count=%d 2>/dev/null | "
                      "sha256sum" % DATA_MB, timeout=300)
        c.check("%s reads the data lx1 wrote (same sha256)" % name,
                want and sha_of(out) == want, out)
        if check_ro_write:
            out = con.run("dd if=/dev/zero of=/dev/xvda bs=4k count=1 "
                          "conv=fsync 2>&1; echo rc=$?") or ""
            c.check("%s: a write to the read-only VBD fails" % name,
                    "rc=0" not in out and "rc=" in out, out)
    finally:
        con.close()


HOT_EXTENT = "vblk0:70M+4M"


def hotplug(c, m, name):
    """block-attach a second VBD to a running guest, use it, detach it."""
    con = attach(c, m, name)
    if not con:
        return
    con.close()
    r = m.xl("block-attach", name, "%s,raw,xvdb,rw" % HOT_EXTENT)
    c.check("xl block-attach %s %s as xvdb" % (name, HOT_EXTENT),
            r.returncode == 0, r.stdout + r.stderr)
    r = m.xl("block-attach", name, "%s,raw,xvdc,r" % HOT_EXTENT)
    c.check("a reader of the hot-attached writer's sectors is refused",
            r.returncode != 0 and "in use by domain" in r.stderr,
            r.stdout + r.stderr)
    con = attach(c, m, name)
    if not con:
        return
    try:
        out = con.run("for i in $(seq 1 100); do [ -e /sys/block/xvdb ] "
                      "&& break; sleep 0.2; done; echo size-$(cat "
                      "/sys/block/xvdb/size)-end", timeout=60) or ""
        size = re.search(r"size-(\d*)-end", out)
        c.check("the guest finds the hot-attached xvdb (%s sectors)" %
                (size and size.group(1)), size and size.group(1) == "8192",
                out)
        out = con.run("echo hotplug-data > /tmp/h; dd if=/tmp/h of=/dev/xvdb "
                      "conv=fsync 2>/dev/null; echo 3 > "
                      "/proc/sys/vm/drop_caches; head -c 12 /dev/xvdb") or ""
        c.check("and writes and reads it", "hotplug-data" in out, out)
    finally:
        con.close()
    t = time.monotonic()
    r = m.xl("block-detach", name, "xvdb", timeout=60)
    c.check("xl block-detach %s xvdb: the guest closes it (%.1f s)" %
            (name, time.monotonic() - t), r.returncode == 0 and
            not m.find_all(r"removed by force"), r.stdout + r.stderr)
    r = m.xl("block-list", name)
    c.check("block-list no longer shows xvdb",
            r.returncode == 0 and "xvdb" not in r.stdout and
            "xvda" in r.stdout, r.stdout + r.stderr)
    con = attach(c, m, name)
    if con:
        out = con.run("for i in $(seq 1 50); do [ -e /sys/block/xvdb ] || "
                      "break; sleep 0.2; done; [ -e /sys/block/xvdb ] && "
                      "echo has-$((6*7)) || echo gone-$((6*7))") or ""
        c.check("xvdb is gone from the guest", "gone-42" in out, out)
        con.close()
    with open(IMG_DIR + "/disk0.img", "rb") as f:
        f.seek(70 << 20)
        c.check("the hot-attached VBD's data is in the host's image",
                f.read(12) == b"hotplug-data")


@scenario
def block_vbd(c):
    """xen-blkfront on a VBD (an extent of a virtio disk): write, flush,
    destroy; the data is in the host's image and a new guest reads it;
    read-only VBDs refuse writes and are shared; a second writer is
    refused; the sectors around the extent are untouched."""
    image = make_image()
    m = boot(image)
    c.machine = m
    try:
        c.check("domain 0 ready", m.wait_for(r"serial prompt ready", 60))
        free0 = free_mb(m)
        want = writer(c, m, image)
        r = m.xl("destroy", "lx1")
        c.check("xl destroy lx1", r.returncode == 0 and
                wait_listed(m, "lx1", False), r.stdout + r.stderr)
        c.check("the host's image holds the data after the guest is gone",
                want and image_sha(image, EXT_START_MB << 20,
                                   DATA_MB << 20) == want)
        with open(image, "rb") as f:
            f.seek((EXT_START_MB << 20) - 512)
            before = f.read(512)
            f.seek((EXT_START_MB + EXT_MB) << 20)
            after = f.read(512)
        c.check("the sectors just outside the extent are untouched",
                before == b"B" * 512 and after == b"A" * 512)
        ok2, _ = create(c, m, "lx2", "%s,raw,xvda,r" % EXTENT)
        ok3, _ = create(c, m, "lx3", "phy:%s,xvda,ro" % EXTENT)
        ok, out = create(c, m, "lx4", "%s,raw,xvda,rw" % EXTENT,
                         expect_ok=False)
        c.check("a read-write VBD over sectors in use is refused: %s" %
                out.strip()[-120:],
                not ok and "in use by domain" in out)
        c.check("the refused domain was not left behind",
                wait_listed(m, "lx4", False, timeout=5))
        if ok2:
            reader(c, m, "lx2", want, True)
        if ok3:
            reader(c, m, "lx3", want, False)
        lst = m.xl("block-list", "lx2")
        c.check("xl block-list lx2 shows xvda connected, read-only, on %s"
                % EXTENT_SECTORS,
                lst.returncode == 0 and re.search(
                    r"51712\s+xvda\s+connected\s+%s\s+r\b" %
                    re.escape(EXTENT_SECTORS),
                    lst.stdout) is not None, lst.stdout + lst.stderr)
        for name in ("lx2", "lx3"):
            m.xl("destroy", name)
            wait_listed(m, name, False)
        ok, out = create(c, m, "lx5", "%s,raw,xvda,rw" % EXTENT)
        c.check("once the readers are gone, a writer may have it", ok, out)
        if ok:
            hotplug(c, m, "lx5")
        m.xl("destroy", "lx5")
        wait_listed(m, "lx5", False)
        after = free_mb(m)
        c.check("every guest's memory is returned (%s -> %s MiB free)" %
                (free0, after), free0 is not None and after is not None and
                abs(after - free0) <= 1)
        c.check("the data is still intact on the host",
                want and image_sha(image, EXT_START_MB << 20,
                                   DATA_MB << 20) == want)
        c.check("domain 0 never logged a blkback error for these guests",
                not m.find_all(r"blkback: domain \d+ vbd \d+: .*error"))
        c.check("no hypervisor crash", not m.find_all(
            r"FATAL TRAP|Panic on CPU|dom0: .*panic") and m.alive())
    finally:
        m.stop()


HOSTILE = os.path.join(ROOT, "build", "guests", "blk_hostile.elf")
H_A, H_A_LEN = 2048, 8192  # the hostile guest's xvda (read-write)
H_B, H_B_LEN = H_A + H_A_LEN, 2048  # its xvdb (read-only), right after
H_L, H_L_LEN = H_B + H_B_LEN, 16384  # the Linux guest's own xvda
H_DISK_SECTORS = H_L + H_L_LEN + 2048


def hostile_image():
    """Every sector of the hostile guest's VBDs says which it is; every
    other sector says OUTSIDE."""
    os.makedirs(IMG_DIR, exist_ok=True)
    path = os.path.join(IMG_DIR, "hostile.img")
    with open(path, "wb") as f:
        for s in range(H_DISK_SECTORS):
            f.write(initial_sector(s))
    return path


def initial_sector(s):
    """Sector s of the hostile guest's image as the test writes it."""
    if H_A <= s < H_A + H_A_LEN:
        head = "XLBLK a %d " % (s - H_A)
    elif H_B <= s < H_B + H_B_LEN:
        head = "XLBLK b %d " % (s - H_B)
    else:
        head = "OUTSIDE %d " % s
    return head.encode().ljust(512, b".")


def expected_sector(s):
    if s == H_A + 16:
        return b"HOSTILE-WRITE".ljust(512, b"W")
    return initial_sector(s)


@scenario
def block_hostile(c):
    """A hostile blkif front end (tests/guests/blk_hostile.c) sends every
    kind of malformed request while a Linux guest reads its own VBD:
    blkback refuses each, closes only the broken ring, logs once per
    kind, and no byte outside what the guest may write changes."""
    image = hostile_image()
    m = boot(image)
    c.machine = m
    con = None
    try:
        c.check("domain 0 ready", m.wait_for(r"serial prompt ready", 60))
        ok, _ = create(c, m, "lx", "vblk0:%d+%d,raw,xvda,rw" % (H_L, H_L_LEN))
        con = attach(c, m, "lx") if ok else None
        want = None
        if con:
            con.run("dd if=/dev/urandom of=/tmp/data bs=1M count=8 "
                    "2>/dev/null; dd if=/tmp/data of=/dev/xvda bs=1M "
                    "conv=fsync 2>/dev/null", timeout=300)
            want = sha_of(con.run("sha256sum /tmp/data", timeout=60))
            con.run("(while :; do echo 3 > /proc/sys/vm/drop_caches; dd "
                    "if=/dev/xvda of=/dev/null bs=1M count=8 2>/dev/null; "
                    "done) & echo reader started")
            con.close()
            con = None
        cfg = os.path.join(IMG_DIR, "hostile.cfg")
        with open(cfg, "w") as f:
            f.write('name = "hostile"\nkernel = "%s"\nmemory = 16\n'
                    'cmdline = "sectors=%d ro_sectors=%d"\n'
                    "disk = [ 'vblk0:%d+%d,raw,xvda,rw',\n"
                    "         'target=vblk0:%d+%d, vdev=xvdb, access=r',\n"
                    "         'vblk0:%d+%d,raw,xvdc,r' ]\n"
                    % (HOSTILE, H_A_LEN, H_B_LEN, H_A, H_A_LEN, H_B,
                       H_B_LEN, H_B, H_B_LEN))
        r = m.xl("create", cfg, timeout=120)
        c.check("xl create the hostile front end", r.returncode == 0,
                r.stdout + r.stderr)
        res = m.wait_for(r"\(d(\d+)\) (\d+) passed, (\d+) failed", 180)
        c.check("hostile guest: %s" % (res.group(0) if res else "no result"),
                res is not None and res.group(3) == "0" and
                int(res.group(2)) >= 30)
        if res:
            dom = res.group(1)
            c.check("it shut down (poweroff)",
                    m.wait_for(r"d%s: shut down: poweroff" % dom, 60))
            logs = [x.group(0) for x in m.find_all(
                r"blkback: domain %s vbd \d+: [^(]*" % dom)]
            c.check("blkback logged the refusals, each kind once (%d "
                    "lines)" % len(logs),
                    len(logs) >= 6 and len(logs) == len(set(logs)),
                    "\n".join(logs))
            c.check("the runaway producer closed xvda with a logged reason",
                    m.find_all(r"xenbus: domain %s vbd 51712: request "
                               r"producer more than a ring ahead" % dom))
        con = attach(c, m, "lx")
        if con:
            con.run("kill %1; wait", timeout=30)
            out = con.run("echo 3 > /proc/sys/vm/drop_caches; dd "
                          "if=/dev/xvda bs=1M count=8 2>/dev/null | "
                          "sha256sum", timeout=300)
            c.check("the Linux guest's data is intact after the attack",
                    want and sha_of(out) == want, out)
            con.close()
            con = None
        m.xl("destroy", "lx")
        wait_listed(m, "lx", False)
        bad = []
        with open(image, "rb") as f:
            for s in range(H_DISK_SECTORS):
                got = f.read(512)
                if H_L <= s < H_L + H_L_LEN:
                    continue  # the Linux guest's
                if got != expected_sector(s):
                    bad.append(s)
        c.check("the image holds exactly what the hostile guest could "
                "write: its one sector, nothing in xvdb or outside (%d "
                "sectors differ%s)" % (len(bad), (": %s" % bad[:8]) if bad
                                       else ""), not bad)
        c.check("no hypervisor crash", not m.find_all(
            r"FATAL TRAP|Panic on CPU|dom0: .*panic") and m.alive())
        r = m.xl("list")
        c.check("domain 0 still answers (xl list)", r.returncode == 0,
                r.stdout + r.stderr)
    finally:
        if con:
            con.close()
        m.stop()


@scenario
def block_durable(c):
    """QEMU killed the moment the guest's fsync and sync return: the
    data is in the host's image file (blkback answers a flush only after
    virtio-blk's flush completed)."""
    image = make_image()
    m = boot(image)
    c.machine = m
    con = None
    try:
        c.check("domain 0 ready", m.wait_for(r"serial prompt ready", 60))
        ok, _ = create(c, m, "dur", "%s,raw,xvda,rw" % EXTENT)
        con = attach(c, m, "dur") if ok else None
        if not con:
            return
        con.run("dd if=/dev/urandom of=/tmp/data bs=1M count=8 "
                "2>/dev/null", timeout=120)
        want = sha_of(con.run("sha256sum /tmp/data", timeout=60))
        out = con.run("dd if=/tmp/data of=/dev/xvda bs=1M seek=8 "
                      "conv=fsync 2>/dev/null && sync && echo SYNCED-$((6*7))",
                      timeout=300) or ""
        m.proc.kill()  # at once: no shutdown, no further flush
        m.proc.wait()
        c.check("the guest's dd with fsync and sync returned",
                "SYNCED-42" in out, out[-200:])
        c.check("the 8 MiB are in the image file after QEMU was killed",
                want and image_sha(image, (EXT_START_MB + 8) << 20,
                                   8 << 20) == want)
    finally:
        if con:
            con.close()
        m.stop()


FS_DATA_MB = 256
FS_MODULES = ["lib/crc16.ko", "crypto/crc32c_generic.ko", "fs/mbcache.ko",
              "fs/jbd2/jbd2.ko", "fs/ext4/ext4.ko"]


def fs_initramfs():
    """The guests' initramfs plus ext4 and what it needs, named so that
    the init script's sorted insmod loop loads them in dependency order
    (tools/mkinitramfs.sh takes extra SRC:DEST files)."""
    kdir = open(os.path.join(ROOT, "build", "linux",
                             "kernel-dir")).read().strip()
    mods = os.path.join(kdir, "lib", "modules")
    kernel = os.path.join(mods, os.listdir(mods)[0], "kernel")
    out = os.path.join(IMG_DIR, "initramfs-fs.cpio")
    pairs = ["%s:lib/modules/fs%d-%s" % (os.path.join(kernel, m), i,
                                          os.path.basename(m))
             for i, m in enumerate(FS_MODULES)]
    subprocess.run([os.path.join(ROOT, "tools", "mkinitramfs.sh"), kdir,
                    out] + pairs, check=True)
    return out


@scenario
def block_fs(c):
    """A file system on a VBD: the guest makes ext2 (busybox mke2fs),
    mounts it with the ext4 driver, writes 256 MiB with a known checksum,
    unmounts, is destroyed; e2fsck on the host finds it clean; a new guest
    mounts the same VBD read-only and reads the same checksum."""
    os.makedirs(IMG_DIR, exist_ok=True)
    image = os.path.join(IMG_DIR, "fs.img")
    with open(image, "wb") as f:
        f.truncate(320 << 20)
    ramdisk = fs_initramfs()
    m = boot(image)
    c.machine = m
    con = None
    try:
        c.check("domain 0 ready", m.wait_for(r"serial prompt ready", 60))
        cfg = write_config("fs1", "disk = [ 'vblk0,raw,xvda,rw' ]\n")
        cfg = retarget(cfg, ramdisk)
        r = m.xl("create", cfg, timeout=180)
        c.check("xl create fs1 (whole vblk0 as xvda)", r.returncode == 0,
                r.stdout + r.stderr)
        con = attach(c, m, "fs1")
        if not con:
            return
        out = con.run("mke2fs -q /dev/xvda && mkdir -p /mnt && mount -t "
                      "ext4 /dev/xvda /mnt && echo MOUNTED-$((6*7))",
                      timeout=300)
        c.check("mke2fs on xvda, mounted with the ext4 driver",
                "MOUNTED-42" in (out or ""), out)
        out = con.run(timed("dd if=/dev/urandom of=/mnt/data bs=1M count=%d"
                            " && sync" % FS_DATA_MB), timeout=900)
        wt = seconds(out)
        con.run("echo 3 > /proc/sys/vm/drop_caches")
        want = sha_of(con.run("sha256sum /mnt/data", timeout=900))
        out = con.run("umount /mnt && echo UNMOUNTED-$((6*7))",
                      timeout=300) or ""
        c.check("%d MiB written (%.0f s, urandom included), sha256 %s, "
                "unmounted" % (FS_DATA_MB, wt or 0, (want or "?")[:16]),
                want is not None and "UNMOUNTED-42" in out, out)
        con.close()
        con = None
        r = m.xl("destroy", "fs1")
        c.check("xl destroy fs1", r.returncode == 0 and
                wait_listed(m, "fs1", False), r.stdout + r.stderr)
        fsck = subprocess.run(["e2fsck", "-fn", image],
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT,
                              universal_newlines=True)
        c.check("e2fsck -fn on the host's image: clean",
                fsck.returncode == 0, fsck.stdout[-400:])
        cfg = retarget(write_config("fs2", "disk = [ 'vblk0,raw,xvda,r' ]\n"),
                       ramdisk)
        r = m.xl("create", cfg, timeout=180)
        c.check("xl create fs2 (the same disk, read-only)",
                r.returncode == 0, r.stdout + r.stderr)
        con = attach(c, m, "fs2")
        if not con:
            return
        out = con.run("mkdir -p /mnt && mount -t ext4 -o ro /dev/xvda /mnt "
                      "&& sha256sum /mnt/data", timeout=900)
        c.check("fs2 mounts it read-only and reads the same sha256",
                want and sha_of(out) == want, out)
        out = con.run("touch /mnt/x 2>&1; echo rc=$?") or ""
        c.check("and cannot write to it", "rc=0" not in out, out)
    finally:
        if con:
            con.close()
        m.stop()


def retarget(cfg, ramdisk):
    """Point a config from sc_linux.write_config at another initramfs."""
    with open(cfg) as f:
        text = f.read()
    text = re.sub(r'ramdisk = "[^"]*"', 'ramdisk = "%s"' % ramdisk, text)
    with open(cfg, "w") as f:
        f.write(text)
    return cfg


FAIR_SECONDS = 20


def reader_loop(delay, seconds):
    """Shell: after `delay` seconds, read xvda in 4 MiB chunks (dropping
    the page cache each round) for `seconds` by the guest's clock; then
    write how many as CHUNKS-n-END to /tmp/fair."""
    return ("(sleep %.2f; n=0; end=$(($(date +%%s) + %d)); while [ "
            "$(date +%%s) -lt $end ]; do echo 3 > /proc/sys/vm/drop_caches;"
            " for s in 0 1 2 3 4 5 6 7; do dd if=/dev/xvda of=/dev/null "
            "bs=1M count=4 skip=$((s*4)) 2>/dev/null; n=$((n+1)); done; "
            "done; echo CHUNKS-$n-END > /tmp/fair) >/dev/null 2>&1 & true"
            % (delay, seconds))


def chunks(con):
    out = con.run("for i in $(seq 1 30); do [ -s /tmp/fair ] && break; "
                  "sleep 1; done; cat /tmp/fair", timeout=60) or ""
    m = re.search(r"CHUNKS-(\d+)-END", out)
    return int(m.group(1)) if m else None


@scenario
def block_fair(c):
    """Two Linux guests read their own VBDs at once for 20 s: blkback
    serves them round robin, so neither starves (each gets at least 35%
    of what both read; the split is printed)."""
    image = make_image()
    m = boot(image)
    c.machine = m
    try:
        c.check("domain 0 ready", m.wait_for(r"serial prompt ready", 60))
        ok1, _ = create(c, m, "fa", "vblk0:1M+32M,raw,xvda,r")
        ok2, _ = create(c, m, "fb", "vblk0:33M+32M,raw,xvda,r")
        if not (ok1 and ok2):
            return
        for name in ("fa", "fb"):
            con = attach(c, m, name)
            if not con:
                return
            con.close()
        # Both start at the same host moment: each sleeps until then.
        start = time.monotonic() + 15
        for name in ("fa", "fb"):
            con = Console(m, name)
            con.run("rm -f /tmp/fair")
            con.run(reader_loop(start - time.monotonic(), FAIR_SECONDS))
            con.close()
        time.sleep(max(0, start + FAIR_SECONDS - time.monotonic()))
        got = []
        for name in ("fa", "fb"):
            con = Console(m, name)
            got.append(chunks(con))
            con.close()
        ok = None not in got and sum(got) > 0
        share = [g / float(sum(got)) for g in got] if ok else [0, 0]
        c.note("4 MiB chunks read in %d s: fa %s, fb %s (%.0f%% / %.0f%%; "
               "%.1f MiB/s together, TCG)" % (
                   FAIR_SECONDS, got[0], got[1], share[0] * 100,
                   share[1] * 100,
                   4.0 * sum(got) / FAIR_SECONDS if ok else 0))
        c.check("both guests read during the same 20 s, neither starved "
                "(each at least 35%)", ok and min(share) >= 0.35, got)
    finally:
        m.stop()


SWAP_MB = 448  # the swap VBD: 3.5x the guest's memory


@scenario
def linux_swap_vbd(c):
    """Swap on a VBD (issue 19): a 128 MiB Linux guest swaps to a 448 MiB
    extent of domain 0's disk through blkback while it touches 3x its
    memory and verifies every page; dmesg clean, nothing refused."""
    os.makedirs(IMG_DIR, exist_ok=True)
    image = os.path.join(IMG_DIR, "swap.img")
    with open(image, "wb") as f:
        f.truncate((SWAP_MB + 1) << 20)
    m = boot(image)
    c.machine = m
    con = None
    try:
        c.check("domain 0 ready", m.wait_for(r"serial prompt ready", 60))
        cfg = write_config("lxswap", "disk = [ 'vblk0:1M+%dM,raw,xvda,rw' ]\n"
                           % SWAP_MB, mem=128)
        r = m.xl("create", cfg, timeout=180)
        c.check("xl create lxswap with a swap VBD", r.returncode == 0,
                r.stdout + r.stderr)
        con = attach(c, m, "lxswap")
        if not con:
            return
        out = con.run("mkswap /dev/xvda >/dev/null && swapon /dev/xvda && "
                      "grep -c xvda /proc/swaps", timeout=120) or ""
        c.check("swap on /dev/xvda", re.search(r"^1\s*$", out, re.M)
                is not None, out)
        t0 = time.monotonic()
        out = con.run("lxmem touch 3", timeout=900)
        res = re.search(r"lxmem: (\d+) passed, (\d+) failed", out or "")
        c.check("lxmem touch 3: %s (%.0f s)" % (
            res.group(0) if res else "no result", time.monotonic() - t0),
            res is not None and res.group(2) == "0" and
            int(res.group(1)) > 0, (out or "timeout")[-1500:])
        for line in (out or "").splitlines():
            if line.startswith("lxmem: ok") and "swapped" in line:
                c.note(line[len("lxmem: ok   "):])
        out = con.run("awk '/xvda/ {print $4}' /proc/swaps", timeout=30) or ""
        used = re.search(r"^(\d+)\s*$", out, re.M)
        c.check("the VBD holds swapped pages (%s KiB in use)" %
                (used.group(1) if used else "?"),
                used is not None and int(used.group(1)) > 0, out)
        check_dmesg_clean(c, con)
        c.check("domain 0 never logged a blkback error",
                not m.find_all(r"blkback: domain \d+ vbd \d+: .*error"))
        c.check("no hypervisor crash", not m.find_all(
            r"FATAL TRAP|Panic on CPU|dom0: .*panic") and m.alive())
    finally:
        if con:
            con.close()
        m.stop()


# Copy-on-write VBDs: a 32 MiB base and overlays of 40 MiB (the base's
# size and 1 MiB of header and bitmap) on one disk.
COW_DISK_MB = 200
COW_BASE_MB = 32
COW_BASE = "vblk0:1M+%dM" % COW_BASE_MB
COW_A, COW_B = "vblk0:40M+40M", "vblk0:80M+40M"
COW_BLANK = "vblk0:120M+40M"  # never made an overlay
COW_SMALL = "vblk0:160M+32M"  # too small for the base
COW_MARK = b"COWMARK\n" * 192  # 3 sectors, written at sector 5


def cow_image():
    """The base holds random data; everything else is zeros."""
    os.makedirs(IMG_DIR, exist_ok=True)
    path = os.path.join(IMG_DIR, "cow.img")
    with open(path, "wb") as f:
        f.truncate(COW_DISK_MB << 20)
        f.seek(1 << 20)
        f.write(os.urandom(COW_BASE_MB << 20))
    return path


def base_bytes(image, offset, length):
    with open(image, "rb") as f:
        f.seek((1 << 20) + offset)
        return f.read(length)


def cow_create_both(c, m):
    """Overlays A and B on the shared base, each checked."""
    for ovl in (COW_A, COW_B):
        r = m.xl("cow-create", ovl, COW_BASE)
        c.check("xl cow-create %s %s" % (ovl, COW_BASE),
                r.returncode == 0, r.stdout + r.stderr)


def cow_expect(image):
    """What a guest should see after cow_writes: the shas of the written
    region (8-12 MiB) and of sectors 4-8 (the 3-sector mark between
    base sectors)."""
    mark = base_bytes(image, 4 * 512, 512) + COW_MARK + \
        base_bytes(image, 8 * 512, 512)
    return hashlib.sha256(mark).hexdigest()


def cow_create(c, m, name, overlay, expect_ok=True):
    return create(c, m, name, "format=cow, vdev=xvda, access=rw, "
                  "target=%s" % overlay, expect_ok)


def guest_sha(con, skip, count, bs="1M"):
    return sha_of(con.run("echo 3 > /proc/sys/vm/drop_caches; dd "
                          "if=/dev/xvda bs=%s skip=%d count=%d 2>/dev/null "
                          "| sha256sum" % (bs, skip, count), timeout=300))


def cow_writes(c, con):
    """4 MiB at 8 MiB and a 3-sector mark at sector 5 (O_DIRECT: a
    request that covers part of one 4 KiB block), each flushed."""
    con.run("dd if=/dev/urandom of=/tmp/data bs=1M count=4 2>/dev/null",
            timeout=120)
    want = sha_of(con.run("sha256sum /tmp/data", timeout=60))
    out = con.run("dd if=/tmp/data of=/dev/xvda bs=1M seek=8 conv=fsync "
                  "2>/dev/null && i=0; while [ $i -lt 192 ]; do echo "
                  "COWMARK; i=$((i+1)); done > /tmp/mark && dd if=/tmp/mark "
                  "of=/dev/xvda bs=512 seek=5 count=3 oflag=direct "
                  "conv=fsync 2>/dev/null && sync && echo COW-WROTE-$((6*7))",
                  timeout=300) or ""
    c.check("the guest wrote 4 MiB and a 3-sector mark through the COW "
            "VBD, fsync'ed", "COW-WROTE-42" in out, out[-300:])
    return want


def cow_sees(c, con, name, image, data_sha, mark_sha, what):
    got = guest_sha(con, 8, 4)
    c.check("%s sees %s at 8-12 MiB" % (name, what),
            got == data_sha, got)
    got = guest_sha(con, 4, 5, bs="512")
    c.check("%s sees %s at sectors 4-8" % (name, what),
            got == mark_sha, got)


def cow_rates(c, con):
    """Rates through the COW VBD (notes): 16 MiB at 16 MiB written twice
    (blocks brought into the overlay, then in place), 16 MiB read from
    the base and from the overlay."""
    rates = []
    for what, cmd in (
            ("read from the base", "dd if=/dev/xvda of=/dev/null bs=1M "
             "skip=16 count=16"),
            ("new blocks", "dd if=/dev/zero of=/dev/xvda bs=1M seek=16 "
             "count=16 conv=fsync"),
            ("in place", "dd if=/dev/zero of=/dev/xvda bs=1M seek=16 "
             "count=16 conv=fsync"),
            ("read from the overlay", "dd if=/dev/xvda of=/dev/null "
             "bs=1M skip=16 count=16")):
        t = seconds(con.run("echo 3 > /proc/sys/vm/drop_caches; " +
                            timed(cmd), timeout=300))
        rates.append("%s %.0f" % (what, 16 / t if t else 0))
    c.note("through the COW VBD, MiB/s (TCG): " + ", ".join(rates))


def cow_vs_raw(c, m):
    """The base's 12-28 MiB read through lxa's COW VBD and through a raw
    read-only VBD on the base (xvdb, hot-attached), alternately (notes)."""
    r = m.xl("block-attach", "lxa", "%s,raw,xvdb,r" % COW_BASE)
    c.check("a raw read-only VBD on the base beside the COW VBDs",
            r.returncode == 0, r.stdout + r.stderr)
    con = attach(c, m, "lxa")
    if not con or r.returncode:
        return
    try:
        con.run("for i in $(seq 1 100); do [ -b /dev/xvdb ] && break; "
                "sleep 0.2; done")
        rates = []
        for dev in ("xvda", "xvdb", "xvda", "xvdb"):
            t = seconds(con.run("echo 3 > /proc/sys/vm/drop_caches; " +
                                timed("dd if=/dev/%s of=/dev/null bs=1M "
                                      "skip=12 count=16" % dev),
                                timeout=300))
            rates.append("%s %.0f" % (dev, 16 / t if t else 0))
        c.note("the base's 12-28 MiB read through the COW VBD (xvda) and "
               "a raw VBD (xvdb), MiB/s (TCG): " + ", ".join(rates))
    finally:
        con.close()


@scenario
def block_cow(c):
    """Copy-on-write VBDs: two guests, each with its own overlay on one
    base, each sees its own writes only, and the base's bytes on the host
    never change; QEMU killed after the guest's fsync: the overlay,
    attached to a new guest, shows the writes; a reset overlay shows the
    base again; corrupt, blank or too small overlays and a writer on the
    base are refused."""
    image = cow_image()
    base_sha = image_sha(image, 1 << 20, COW_BASE_MB << 20)
    mark_sha = cow_expect(image)
    base_mark_sha = hashlib.sha256(base_bytes(image, 4 * 512, 5 * 512)
                                   ).hexdigest()
    base_region_sha = hashlib.sha256(base_bytes(image, 8 << 20, 4 << 20)
                                     ).hexdigest()
    m = boot(image)
    c.machine = m
    try:
        c.check("domain 0 ready", m.wait_for(r"serial prompt ready", 60))
        cow_create_both(c, m)
        r = m.xl("cow-create", COW_A, COW_BASE)
        c.check("cow-create over an existing overlay is refused",
                r.returncode != 0 and "overlay already" in r.stderr,
                r.stdout + r.stderr)
        r = m.xl("cow-create", COW_SMALL, COW_BASE)
        c.check("cow-create on a too small extent is refused",
                r.returncode != 0 and "needs" in r.stderr,
                r.stdout + r.stderr)
        ok_a, _ = cow_create(c, m, "lxa", COW_A)
        ok_b, _ = cow_create(c, m, "lxb", COW_B)
        ok, out = create(c, m, "lxw", "%s,raw,xvda,rw" % COW_BASE,
                         expect_ok=False)
        c.check("a read-write VBD on the base of COW VBDs is refused: %s"
                % out.strip()[-100:], not ok and "base of a COW" in out)
        r = m.xl("cow-reset", COW_A)
        c.check("cow-reset of an overlay in use is refused",
                r.returncode != 0 and "in use by domain" in r.stderr,
                r.stdout + r.stderr)
        if not (ok_a and ok_b):
            return
        con = attach(c, m, "lxa")
        if not con:
            return
        try:
            out = con.run("cat /sys/block/xvda/size") or ""
            c.check("lxa's xvda has the base's %d sectors" %
                    (COW_BASE_MB * 2048),
                    out.strip() == str(COW_BASE_MB * 2048), out)
            got = guest_sha(con, 0, COW_BASE_MB)
            c.check("lxa reads the base through its empty overlay",
                    got == base_sha, got)
            data_sha = cow_writes(c, con)
            cow_sees(c, con, "lxa", image, data_sha, mark_sha,
                     "its own writes")
            cow_rates(c, con)
        finally:
            con.close()
        cow_vs_raw(c, m)
        con = attach(c, m, "lxb")
        if con:
            try:
                cow_sees(c, con, "lxb", image, base_region_sha,
                         base_mark_sha, "the base, not lxa's writes")
            finally:
                con.close()
        # lxa flushed; now the machine dies without closing anything.
        m.proc.kill()
        m.proc.wait()
        c.check("the base's bytes on the host are unchanged (sha256)",
                image_sha(image, 1 << 20, COW_BASE_MB << 20) == base_sha)
    finally:
        m.stop()
    # Overlay B gets a damaged header (one byte of its base's start).
    with open(image, "r+b") as f:
        f.seek((80 << 20) + 16)
        byte = f.read(1)
        f.seek((80 << 20) + 16)
        f.write(bytes([byte[0] ^ 0x40]))
    m = boot(image)
    c.machine = m
    try:
        c.check("domain 0 ready again", m.wait_for(r"serial prompt ready",
                                                   60))
        ok, _ = cow_create(c, m, "lxc", COW_A)
        con = attach(c, m, "lxc") if ok else None
        if con:
            try:
                cow_sees(c, con, "lxc (overlay A again, after QEMU was "
                         "killed)", image, data_sha, mark_sha,
                         "lxa's writes")
            finally:
                con.close()
        ok, out = cow_create(c, m, "lxd", COW_B, expect_ok=False)
        c.check("an overlay with a damaged header is refused: %s" %
                out.strip()[-90:], not ok and "corrupt" in out, out)
        ok, out = cow_create(c, m, "lxe", COW_BLANK, expect_ok=False)
        c.check("an extent that is no overlay is refused: %s" %
                out.strip()[-90:], not ok and "not a COW overlay" in out,
                out)
        m.xl("destroy", "lxc")
        wait_listed(m, "lxc", False)
        r = m.xl("cow-info", COW_A)
        c.check("cow-info shows the overlay's blocks: %s" %
                r.stdout.strip()[-60:], r.returncode == 0 and
                re.search(r"\b(\d+) of 8192 in the overlay", r.stdout) and
                int(re.search(r"\b(\d+) of 8192", r.stdout).group(1)) >=
                1025, r.stdout + r.stderr)
        r = m.xl("cow-reset", COW_A)
        c.check("xl cow-reset %s" % COW_A, r.returncode == 0,
                r.stdout + r.stderr)
        ok, _ = cow_create(c, m, "lxf", COW_A)
        con = attach(c, m, "lxf") if ok else None
        if con:
            try:
                got = guest_sha(con, 0, COW_BASE_MB)
                c.check("after cow-reset the guest sees the base again",
                        got == base_sha, got)
            finally:
                con.close()
        m.xl("destroy", "lxf")
        wait_listed(m, "lxf", False)
        c.check("the base's bytes on the host are still unchanged",
                image_sha(image, 1 << 20, COW_BASE_MB << 20) == base_sha)
        c.check("domain 0 never logged a blkback error",
                not m.find_all(r"blkback: domain \d+ vbd \d+: .*error"))
        c.check("no hypervisor crash", not m.find_all(
            r"FATAL TRAP|Panic on CPU|dom0: .*panic") and m.alive())
    finally:
        m.stop()


def allocated(path):
    return os.stat(path).st_blocks * 512


def zeros(path, offset, length):
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read(length) == bytes(length)


def queue(con, attr, dev="xvda"):
    out = con.run("cat /sys/block/%s/queue/%s" % (dev, attr)) or ""
    m = re.search(r"^(\d+)\s*$", out, re.M)
    return int(m.group(1)) if m else None


def discard_raw(c, m, image, nodisc):
    """A raw VBD on a disk that discards (-drive discard=unmap): blkdiscard
    in the guest punches a hole in the host's image file."""
    ok, _ = create(c, m, "ld", "vblk0:1M+32M,raw,xvda,rw")
    con = attach(c, m, "ld") if ok else None
    if not con:
        return
    try:
        gran = queue(con, "discard_granularity")
        mx = queue(con, "discard_max_bytes")
        c.check("xvda offers discard (granularity %s, max %s bytes)" %
                (gran, mx), gran and mx and mx > 0)
        out = con.run("dd if=/dev/urandom of=/dev/xvda bs=1M count=8 "
                      "conv=fsync 2>/dev/null && echo WROTE-$((6*7))",
                      timeout=300) or ""
        c.check("8 MiB written and flushed", "WROTE-42" in out, out)
        before = allocated(image)
        c.check("the data is in the image", not zeros(image, 1 << 20,
                                                      4 << 20))
        out = con.run("blkdiscard -o 0 -l 4194304 /dev/xvda && sync && "
                      "echo DISCARDED-$((6*7))", timeout=120) or ""
        c.check("blkdiscard of the first 4 MiB in the guest",
                "DISCARDED-42" in out, out)
        after = allocated(image)
        c.check("the host's image: those 4 MiB read as zeros, the next 4 "
                "MiB are kept, %d KiB fewer allocated" %
                ((before - after) >> 10),
                zeros(image, 1 << 20, 4 << 20) and
                not zeros(image, 5 << 20, 4 << 20) and
                before - after >= 3 << 20)
        out = con.run("blkdiscard -o 33554432 -l 4096 /dev/xvda 2>&1; "
                      "echo rc=$?") or ""
        c.check("a discard past the end of xvda fails in the guest",
                "rc=0" not in out, out)
    finally:
        con.close()
    m.xl("destroy", "ld")
    wait_listed(m, "ld", False)
    for name, spec, why in (
            ("lr", "vblk0:40M+8M,raw,xvda,r", "a read-only VBD"),
            ("ln", "vblk0:40M+8M,raw,xvda,rw,no-discard", "no-discard"),
            ("lo", "vblk1,raw,xvda,rw", "a disk without discard")):
        ok, _ = create(c, m, name, spec)
        con = attach(c, m, name) if ok else None
        if not con:
            continue
        try:
            mx = queue(con, "discard_max_bytes")
            out = con.run("blkdiscard -o 0 -l 4096 /dev/xvda 2>&1; "
                          "echo rc=$?") or ""
            c.check("%s offers no discard (max %s) and blkdiscard fails" %
                    (why, mx), mx == 0 and "rc=0" not in out, out)
        finally:
            con.close()
        m.xl("destroy", name)
        wait_listed(m, name, False)
    c.check("the disk without discard is untouched",
            zeros(nodisc, 0, 64 << 10))


def discard_cow(c, m, image):
    """A COW VBD: a discard drops the overlay's whole blocks (the guest
    reads the base there again); part of a block keeps its data."""
    r = m.xl("cow-create", COW_A, COW_BASE)
    c.check("xl cow-create %s %s" % (COW_A, COW_BASE), r.returncode == 0,
            r.stdout + r.stderr)
    ok, _ = cow_create(c, m, "lc", COW_A)
    con = attach(c, m, "lc") if ok else None
    if not con:
        return
    base1 = hashlib.sha256(base_bytes(image, 0, 1 << 20)).hexdigest()
    try:
        c.check("the COW VBD offers discard at its 4 KiB blocks",
                queue(con, "discard_granularity") == 4096)
        out = con.run("dd if=/dev/urandom of=/dev/xvda bs=1M count=2 "
                      "conv=fsync 2>/dev/null && echo WROTE-$((6*7))",
                      timeout=300) or ""
        c.check("2 MiB written through the overlay", "WROTE-42" in out, out)
        second = guest_sha(con, 1, 1)
        con.run("blkdiscard -o 0 -l 1048576 /dev/xvda && sync")
        got = guest_sha(con, 0, 1)
        c.check("after blkdiscard of the first MiB the guest reads the "
                "base there", got == base1, got)
        c.check("and the second MiB is still its own",
                guest_sha(con, 1, 1) == second)
    finally:
        con.close()
    m.xl("destroy", "lc")
    wait_listed(m, "lc", False)
    r = m.xl("cow-info", COW_A)
    c.check("cow-info: 256 blocks left in the overlay: %s" %
            r.stdout.strip()[-50:], " 256 of 8192" in r.stdout,
            r.stdout + r.stderr)


@scenario
def block_discard(c):
    """Discard (feature-discard): on a raw VBD blkdiscard in the guest
    reaches QEMU (a hole in the image file), on a COW VBD it drops the
    overlay's blocks; read-only VBDs, no-discard and disks that do not
    discard offer none; a range past the end fails."""
    image = cow_image()
    nodisc = os.path.join(IMG_DIR, "nodiscard.img")
    with open(nodisc, "wb") as f:
        f.truncate(16 << 20)
    m = boot(image, drive=",discard=unmap",
             more=[(nodisc, "", ",discard=off")])
    c.machine = m
    try:
        c.check("domain 0 ready", m.wait_for(r"serial prompt ready", 60))
        c.check("vblk0 discards, vblk1 does not",
                m.find_all(r"vblk0: .*discard") and
                not m.find_all(r"vblk1: .*discard"))
        discard_raw(c, m, image, nodisc)
        discard_cow(c, m, image)
        c.check("no hypervisor crash", not m.find_all(
            r"FATAL TRAP|Panic on CPU|dom0: .*panic") and m.alive())
    finally:
        m.stop()


PG_MB = 32
PG_ROUNDS = 3


def pg_round(c, con, dev):
    """Write /tmp/data to dev with fsync and read it back uncached:
    (write s, read s, sha matches)."""
    out = con.run(timed("dd if=/tmp/data of=/dev/%s bs=1M conv=fsync"
                        % dev), timeout=300)
    wt = seconds(out)
    out = con.run("echo 3 > /proc/sys/vm/drop_caches; " +
                  timed("dd if=/dev/%s of=/tmp/back bs=1M count=%d"
                        % (dev, PG_MB)), timeout=300)
    rt = seconds(out)
    got = sha_of(con.run("sha256sum /tmp/back; rm /tmp/back", timeout=60))
    return wt, rt, got


@scenario
def block_persistent(c):
    """Persistent grants (feature-persistent) against grant copy, side by
    side in one guest: xvda connects with persistent grants, xvdb (after
    blkfront's feature_persistent=0) with grant copy; 32 MiB written with
    fsync and read back uncached through each, alternately, 3 rounds: the
    data is intact both ways and the rates are printed. (Persistent
    grants are domain 0's "blkpersist" option: slower under TCG.)"""
    image = make_image()
    m = boot(image, dom0_args="blkpersist")
    c.machine = m
    con = None
    try:
        c.check("domain 0 ready", m.wait_for(r"serial prompt ready", 60))
        ok, _ = create(c, m, "lxp", "vblk0:1M+32M,raw,xvda,rw")
        con = attach(c, m, "lxp") if ok else None
        if not con:
            return
        c.check("xvda connected with persistent grants",
                m.wait_for(r"vbd 51712 \(xvda\) connected: .*persistent "
                           r"grants", 30))
        out = con.run("echo 0 > /sys/module/xen_blkfront/parameters/"
                      "feature_persistent && echo PARAM-OFF-$((6*7))") or ""
        c.check("blkfront's feature_persistent set to 0 in the guest",
                "PARAM-OFF-42" in out, out)
        con.close()  # the control channel serves one client at a time
        con = None
        r = m.xl("block-attach", "lxp", "vblk0:40M+32M,raw,xvdb,rw")
        c.check("xl block-attach xvdb", r.returncode == 0,
                r.stdout + r.stderr)
        c.check("xvdb connected with grant copy",
                m.wait_for(r"vbd 51728 \(xvdb\) connected: .*grant copy",
                           60))
        con = attach(c, m, "lxp")
        if not con:
            return
        out = con.run("for i in $(seq 1 100); do [ -b /dev/xvdb ] && break; "
                      "sleep 0.2; done; [ -b /dev/xvdb ] && echo "
                      "HAS-XVDB-$((6*7)); dd if=/dev/urandom of=/tmp/data "
                      "bs=1M count=%d 2>/dev/null" % PG_MB,
                      timeout=120) or ""
        c.check("the guest has the block device xvdb", "HAS-XVDB-42" in out,
                out)
        if "HAS-XVDB-42" not in out:
            return
        want = sha_of(con.run("sha256sum /tmp/data", timeout=60))
        res = {"xvda": [], "xvdb": []}
        for _ in range(PG_ROUNDS):
            for dev in ("xvda", "xvdb"):
                res[dev].append(pg_round(c, con, dev))
        for dev, how in (("xvda", "persistent grants"),
                         ("xvdb", "grant copy")):
            rows = res[dev]
            c.check("%s (%s): every read-back has the written sha256" %
                    (dev, how), all(r[2] == want for r in rows), rows)
            w = [PG_MB / r[0] for r in rows if r[0]]
            rd = [PG_MB / r[1] for r in rows if r[1]]
            c.note("%s, %s: write+fsync %s MiB/s, read %s MiB/s (%d "
                   "rounds of %d MiB, TCG)" % (
                       dev, how, "/".join("%.0f" % x for x in w),
                       "/".join("%.0f" % x for x in rd), PG_ROUNDS, PG_MB))
        con.close()
        con = None
        r = m.xl("destroy", "lxp")
        c.check("xl destroy lxp: the persistent mappings go with the ring",
                r.returncode == 0 and wait_listed(m, "lxp", False) and
                not m.find_all(r"gnttab: unmap of handle"),
                r.stdout + r.stderr)
        c.check("no hypervisor crash", not m.find_all(
            r"FATAL TRAP|Panic on CPU|dom0: .*panic") and m.alive())
    finally:
        if con:
            con.close()
        m.stop()


def cow_fs_image():
    """A 32 MiB ext2 base (made on the host, holding /base.txt) at 1 MiB
    of a disk with room for two overlays."""
    os.makedirs(IMG_DIR, exist_ok=True)
    src = os.path.join(IMG_DIR, "cowfs-root")
    os.makedirs(src, exist_ok=True)
    with open(os.path.join(src, "base.txt"), "w") as f:
        f.write("the shared base\n" * 1000)
    base = os.path.join(IMG_DIR, "cowfs-base.img")
    if os.path.exists(base):
        os.unlink(base)
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", "-d", src, base,
                    "%dM" % COW_BASE_MB], check=True)
    path = cow_image()
    with open(base, "rb") as b, open(path, "r+b") as f:
        f.seek(1 << 20)
        f.write(b.read())
    return path


def cow_fs_guest(c, m, name, overlay, ramdisk, access="rw"):
    cfg = retarget(write_config(name, "disk = [ 'format=cow, vdev=xvda, "
                                "access=%s, target=%s' ]\n" %
                                (access, overlay)), ramdisk)
    r = m.xl("create", cfg, timeout=180)
    c.check("xl create %s (%s COW VBD on %s)" % (name, access, overlay),
            r.returncode == 0, r.stdout + r.stderr)
    return attach(c, m, name) if r.returncode == 0 else None


@scenario
def block_cow_fs(c):
    """Two guests mount one ext2 base image through their own COW
    overlays, read the base's file, each writes its own file; a guest on
    overlay A (read-only, later) sees A's file and not B's; the base on
    the host is unchanged and still fsck-clean."""
    image = cow_fs_image()
    base_sha = image_sha(image, 1 << 20, COW_BASE_MB << 20)
    want = hashlib.sha256(b"the shared base\n" * 1000).hexdigest()
    ramdisk = fs_initramfs()
    m = boot(image)
    c.machine = m
    try:
        c.check("domain 0 ready", m.wait_for(r"serial prompt ready", 60))
        cow_create_both(c, m)
        for name, ovl in (("fa", COW_A), ("fb", COW_B)):
            con = cow_fs_guest(c, m, name, ovl, ramdisk)
            if not con:
                return
            try:
                out = con.run("mkdir -p /mnt && mount -t ext4 /dev/xvda "
                              "/mnt && sha256sum /mnt/base.txt && echo "
                              "%s-$((6*7)) > /mnt/%s.txt && sync && "
                              "umount /mnt && echo DONE-$((6*7))" %
                              (name, name), timeout=300) or ""
                c.check("%s mounts the base through its overlay, reads "
                        "base.txt, writes %s.txt" % (name, name),
                        sha_of(out) == want and "DONE-42" in out, out)
            finally:
                con.close()
        for name in ("fa", "fb"):
            m.xl("destroy", name)
            wait_listed(m, name, False)
        con = cow_fs_guest(c, m, "fc", COW_A, ramdisk, access="r")
        if con:
            try:
                out = con.run("mkdir -p /mnt && mount -t ext4 -o ro "
                              "/dev/xvda /mnt && ls /mnt && cat "
                              "/mnt/fa.txt") or ""
                c.check("a guest on overlay A (read-only) sees fa.txt "
                        "and not fb.txt", "fa-42" in out and
                        "fb.txt" not in out, out)
            finally:
                con.close()
        c.check("the base's bytes on the host are unchanged",
                image_sha(image, 1 << 20, COW_BASE_MB << 20) == base_sha)
        copy = os.path.join(IMG_DIR, "cowfs-check.img")
        with open(copy, "wb") as f:
            f.write(base_bytes(image, 0, COW_BASE_MB << 20))
        fsck = subprocess.run(["e2fsck", "-fn", copy],
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT,
                              universal_newlines=True)
        c.check("e2fsck -fn of the base: clean", fsck.returncode == 0,
                fsck.stdout[-400:])
        c.check("no hypervisor crash", not m.find_all(
            r"FATAL TRAP|Panic on CPU|dom0: .*panic") and m.alive())
    finally:
        m.stop()
