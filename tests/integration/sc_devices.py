"""Domain 0's own devices: virtio-blk disks (capacity, reads checked
against the host's image, writes that reach the image file, refusals) and
a virtio-net card (MAC, ARP and ICMP echo with QEMU's user-mode gateway,
restricted so that nothing leaves the emulator)."""
import os
import re
import tempfile
import zlib

from qemu import ROOT, Machine
from scenarios import scenario

DOM0 = os.path.join(ROOT, "build", "dom0.elf")
READY = r"dom0: virtio console .*receive pages posted"
MAC = "52:54:00:12:34:56"
DISK0_SECTORS = 16384  # 8 MiB
DISK1_SECTORS = 2048  # 1 MiB, a second disk
WRITE_AT, WRITE_COUNT, PATTERN = 1000, 300, "Xenolith-blk-test/"


def pattern_image(path, sectors, seed):
    """A disk image whose every sector differs: a byte ramp plus the
    sector number, so a misplaced sector changes the CRC."""
    ramp = bytes(range(256)) * 2
    with open(path, "wb") as f:
        for s in range(sectors):
            head = ("%s sector %d " % (seed, s)).encode()
            f.write(head + ramp[len(head):])


def crc_of(data):
    return "%08x" % zlib.crc32(data)


def device_args(disk0, disk1):
    return ["-drive", "file=%s,if=none,id=d0,format=raw" % disk0,
            "-device", "virtio-blk-pci,drive=d0,disable-legacy=on",
            "-drive", "file=%s,if=none,id=d1,format=raw" % disk1,
            "-device", "virtio-blk-pci,drive=d1,disable-legacy=on",
            # restrict=on: the guest reaches only QEMU's own addresses.
            "-netdev", "user,id=n0,restrict=on",
            "-device", "virtio-net-pci,netdev=n0,disable-legacy=on,mac=%s"
            % MAC]


def read_crc(r):
    m = re.search(r"crc32 ([0-9a-f]{8})", r.stdout)
    return m and m.group(1)


@scenario
def devices(c):
    """virtio-blk and virtio-net in domain 0: blk-info/read/write/flush against the host image, net-info, net-ping to the slirp gateway."""
    tmp = tempfile.mkdtemp(prefix="xenolith-dev-")
    disk0 = os.path.join(tmp, "disk0.img")
    disk1 = os.path.join(tmp, "disk1.img")
    pattern_image(disk0, DISK0_SECTORS, "disk0")
    pattern_image(disk1, DISK1_SECTORS, "disk1")
    with open(disk0, "rb") as f:
        orig0 = f.read()
    with open(disk1, "rb") as f:
        orig1 = f.read()
    data = (PATTERN * (WRITE_COUNT * 512 // len(PATTERN) + 1)).encode()
    data = data[:WRITE_COUNT * 512]
    m = Machine("domains=0", smp=2, mem="1G", ctl=True, stdin=True,
                extra=["-initrd", DOM0] + device_args(disk0, disk1))
    c.machine = m
    try:
        c.check("domain 0 found the virtio console", m.wait_for(READY, 90))
        c.check("both disks and the network card probed",
                len(m.find_all(r"dom0: vblk\d: virtio block")) == 2
                and m.find_all(r"dom0: vnet0: virtio net"),
                m.find_all(r"dom0: v(blk|net)\d.*"))
        irqs = m.find_all(r"dom0: virtio (\S+): (GSI \d+ as pirq \d+|no interrupt)")
        c.note("interrupts: " + ", ".join("%s %s" % (i.group(1), i.group(2))
                                          for i in irqs))

        # --- block ----------------------------------------------------
        r = m.xl("blk-info")
        caps = dict((int(a), int(b)) for a, b in
                    re.findall(r"vblk(\d): sectors (\d+) bytes", r.stdout))
        c.check("blk-info: capacities %d and %d sectors"
                % (DISK0_SECTORS, DISK1_SECTORS),
                r.returncode == 0 and caps == {0: DISK0_SECTORS,
                                               1: DISK1_SECTORS},
                r.stdout + r.stderr)
        c.check("blk-info: 512-byte blocks",
                re.search(r"vblk0: .* block 512 ", r.stdout), r.stdout)

        r = m.xl("blk-read", "0", "0", "16")
        c.check("blk-read 0 0 16: CRC-32 of the host image's sectors",
                r.returncode == 0 and read_crc(r) == crc_of(orig0[:16 * 512]),
                r.stdout + r.stderr)
        r = m.xl("blk-read", "0", "777", "1")
        c.check("blk-read of one sector in the middle",
                read_crc(r) == crc_of(orig0[777 * 512:778 * 512]),
                r.stdout + r.stderr)
        r = m.xl("blk-read", "0", "0", str(DISK0_SECTORS))
        c.check("blk-read of the whole 8 MiB disk matches",
                r.returncode == 0 and read_crc(r) == crc_of(orig0),
                r.stdout + r.stderr)
        tp = re.search(r"\(\d+ us, ([\d.]+ MiB/s)\)", r.stdout)
        if tp:
            c.note("8 MiB read: %s (TCG)" % tp.group(1))
        r = m.xl("blk-read", "1", "0", str(DISK1_SECTORS))
        c.check("second disk: whole-disk CRC matches",
                r.returncode == 0 and read_crc(r) == crc_of(orig1),
                r.stdout + r.stderr)

        # Two threads at once: the serial prompt reads disk 1 while the
        # control server reads disk 0.
        m.send(b"blk-read 1 0 %d\r" % DISK1_SECTORS)
        r = m.xl("blk-read", "0", "0", str(DISK0_SECTORS))
        serial = m.wait_for(r"\(d0\) vblk1: read %d sectors from 0: crc32 (\w+)"
                            % DISK1_SECTORS, 30)
        c.check("concurrent reads from two threads both correct",
                read_crc(r) == crc_of(orig0) and serial
                and serial.group(1) == crc_of(orig1),
                (r.stdout, serial and serial.group(0)))

        r = m.xl("blk-write", "0", str(WRITE_AT), PATTERN, str(WRITE_COUNT))
        c.check("blk-write %d sectors at %d: CRC of the pattern"
                % (WRITE_COUNT, WRITE_AT),
                r.returncode == 0 and read_crc(r) == crc_of(data),
                r.stdout + r.stderr)
        tp = re.search(r"\(\d+ us, ([\d.]+ MiB/s)\)", r.stdout)
        if tp:
            c.note("150 KiB write + flush: %s (TCG)" % tp.group(1))
        r = m.xl("blk-read", "0", str(WRITE_AT), str(WRITE_COUNT))
        c.check("read back what was written",
                r.returncode == 0 and read_crc(r) == crc_of(data),
                r.stdout + r.stderr)
        with open(disk0, "rb") as f:
            f.seek(WRITE_AT * 512)
            now = f.read(WRITE_COUNT * 512)
        c.check("after the flush the host image holds the data",
                now == data)
        r = m.xl("blk-flush", "1")
        c.check("blk-flush of the other disk", r.returncode == 0,
                r.stdout + r.stderr)

        for args, what in (
                (["blk-read", "0", str(DISK0_SECTORS), "1"], "just past the end"),
                (["blk-read", "0", str(DISK0_SECTORS - 1), "2"], "across the end"),
                (["blk-read", "0", "18446744073709551615", "1"], "at sector 2^64-1"),
                (["blk-write", "1", str(DISK1_SECTORS), "x", "1"], "write past the end"),
        ):
            r = m.xl(*args)
            c.check("%s refused cleanly" % what,
                    r.returncode == 1 and "beyond the end" in r.stderr,
                    r.stdout + r.stderr)
        r = m.xl("blk-read", "2", "0", "1")
        c.check("no such disk refused", r.returncode == 1
                and "no device" in r.stderr, r.stdout + r.stderr)
        r = m.xl("blk-read", "0", "0")
        c.check("missing argument: usage", r.returncode == 2, r.stderr)
        r = m.xl("blk-info")
        inflight = re.search(r"vblk0: .*\n.* 0 errors; (\d+) in flight", r.stdout)
        c.check("several requests were in flight at once, no errors",
                inflight and int(inflight.group(1)) > 1, r.stdout)

        # --- network --------------------------------------------------
        r = m.xl("net-info")
        c.check("net-info: the MAC QEMU was given (%s), link up" % MAC,
                r.returncode == 0 and "vnet0: mac %s link up" % MAC in r.stdout,
                r.stdout + r.stderr)
        r = m.xl("net-ping", "0", "3")
        c.check("net-ping: ARP reply from the slirp gateway 10.0.2.2",
                re.search(r"ARP reply: 10\.0\.2\.2 is at ([0-9a-f:]{17})",
                          r.stdout), r.stdout + r.stderr)
        echo = re.search(r"(\d+) sent, (\d+) echo replies", r.stdout)
        c.check("net-ping: ICMP echo replies from 10.0.2.2",
                r.returncode == 0 and echo and int(echo.group(2)) >= 1,
                r.stdout + r.stderr)
        rtt = re.findall(r"time=([\d.]+) ms", r.stdout)
        if rtt:
            c.note("ping round trips: %s ms" % ", ".join(rtt))
        r = m.xl("net-info")
        frames = re.search(r"rx (\d+) frames .* tx (\d+) frames", r.stdout)
        c.check("net-info counts the frames",
                frames and int(frames.group(1)) >= 2
                and int(frames.group(2)) >= 2, r.stdout)

        c.check("domain 0 and the hypervisor still running",
                m.alive() and not m.find_all(
                    r"FATAL TRAP|Panic on CPU|d0: shut down|panic"))
    finally:
        m.stop()
    try:
        with open(disk0, "rb") as f:
            final = f.read()
        expect = orig0[:WRITE_AT * 512] + data + \
            orig0[(WRITE_AT + WRITE_COUNT) * 512:]
        c.check("after QEMU exits: disk 0 is the original plus the write, "
                "nothing else changed", final == expect)
        with open(disk1, "rb") as f:
            c.check("disk 1 unchanged", f.read() == orig1)
    finally:
        for name in os.listdir(tmp):
            os.unlink(os.path.join(tmp, name))
        os.rmdir(tmp)
