"""Domain 0's control channel: the host's xl client over the virtio
console (info, list, dmesg, put/ls with checksums, refusals, a client that
vanishes mid-transfer) and the same commands at the serial prompt."""
import os
import socket
import struct
import subprocess
import tempfile
import time
import zlib

from qemu import ROOT, Machine
from scenarios import scenario, GUESTS

DOM0 = os.path.join(ROOT, "build", "dom0.elf")
READY = r"dom0: virtio console .*receive pages posted"

# ctlproto.h
MAGIC, HELLO, REQUEST, DATA, CONTINUE = 0x584c, 1, 2, 3, 9
HELLO_TEXT = b"xenolith-ctl 1"
BREAK_LEN = 4096 + 16


def frame(ftype, payload=b""):
    return struct.pack("<HBBI", MAGIC, ftype, 0, len(payload)) + payload


def boot(domus, cmdline="", mem="1G"):
    mods = [DOM0] + [os.path.join(GUESTS, g + ".elf") for g in domus]
    return Machine("domains=%d guest_loglvl=all %s" % (len(domus), cmdline),
                   smp=2, mem=mem, stdin=True, ctl=True,
                   extra=["-initrd", ",".join(mods)])


def vanishing_client(path, size):
    """Start a put, send half its data, and disconnect."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.sendall(bytes(BREAK_LEN) + frame(HELLO, HELLO_TEXT))
    s.settimeout(30)
    want = frame(HELLO, HELLO_TEXT)
    got = b""
    while want not in got:
        got += s.recv(4096)
    line = b"put partial"
    s.sendall(frame(REQUEST, struct.pack("<Q", size) + line))
    while struct.pack("<HBBI", MAGIC, CONTINUE, 0, 0) not in got:
        got += s.recv(4096)
    s.sendall(frame(DATA, os.urandom(4096)) * (size // 8192))
    s.close()


def dom0_row(out):
    """(weight, cap) of Domain-0's row in sched-credit's table, or None."""
    for line in out.splitlines():
        f = line.split()
        if len(f) == 4 and f[0] == "Domain-0" and f[1] == "0":
            return int(f[2]), int(f[3])
    return None


def sched_credit(c, m):
    """xl sched-credit: list, set one domain's weight and cap, refusals."""
    r = m.xl("sched-credit")
    c.check("xl sched-credit: Domain-0 with Xen's defaults (256, no cap)",
            r.returncode == 0 and dom0_row(r.stdout) == (256, 0)
            and "Weight" in r.stdout, r.stdout + r.stderr)
    r = m.xl("sched-credit", "-d", "0", "-w", "512", "-c", "50")
    c.check("xl sched-credit -d 0 -w 512 -c 50", r.returncode == 0, r.stderr)
    r = m.xl("sched-credit", "-d", "0", "-c", "0")
    c.check("xl sched-credit -d 0 -c 0 (the weight stays)",
            r.returncode == 0, r.stderr)
    r = m.xl("sched-credit", "-d", "Domain-0")
    c.check("xl sched-credit -d Domain-0 shows 512, no cap",
            dom0_row(r.stdout) == (512, 0), r.stdout + r.stderr)
    for args, why in ((["-d", "0", "-w", "0"], "WEIGHT must be 1 to 65535"),
                      (["-d", "0", "-w", "70000"], "WEIGHT must be"),
                      (["-d", "0", "-c", "x"], "CAP must be 0 to 65534"),
                      (["-w", "300"], "need -d DOMAIN"),
                      (["-d", "nosuch"], "nosuch"),
                      (["-p", "x"], "no cpupools")):
        r = m.xl("sched-credit", *args)
        c.check("xl sched-credit %s refused: %s" % (" ".join(args), why),
                r.returncode != 0 and why in r.stderr, r.stdout + r.stderr)
    r = m.xl("sched-credit", "-d", "0")
    c.check("refusals changed nothing", dom0_row(r.stdout) == (512, 0),
            r.stdout)
    m.xl("sched-credit", "-d", "0", "-w", "256")


@scenario
def xl_control(c):
    """Host xl over the virtio console: info, list, dmesg, put/ls round trip, ENOSPC, lost client; serial prompt."""
    m = boot(["hello", "hello"])
    c.machine = m
    tmp = tempfile.mkdtemp(prefix="xl-test-")
    try:
        c.check("domain 0 found the virtio console", m.wait_for(READY, 90))
        irq = m.find_all(r"dom0: virtio .*: (GSI \d+ as pirq \d+|no interrupt.*)")
        if irq:
            c.note("virtio console interrupt: %s" % irq[-1].group(1))

        r = m.xl("info")
        c.check("xl info: exit status 0", r.returncode == 0, r.stderr)
        c.check("xl info: hypervisor version",
                "xen_version            : 4.17" in r.stdout, r.stdout)
        c.check("xl info: 2 CPUs", "nr_cpus                : 2" in r.stdout,
                r.stdout)
        c.check("xl info: the scheduler that runs (credit)",
                "xen_scheduler          : credit" in r.stdout, r.stdout)
        sched_credit(c, m)
        mem = [l for l in r.stdout.splitlines() if l.startswith("total_memory")]
        c.check("xl info: total memory about 1 GiB",
                mem and 900 < int(mem[0].split(":")[1]) <= 1024, mem)

        m.wait_for(r"d2: shut down", 60)
        r = m.xl("list")
        lines = r.stdout.splitlines()
        c.check("xl list: header and Domain-0",
                r.returncode == 0 and lines and lines[0].startswith("Name")
                and any(l.split()[:2] == ["Domain-0", "0"] for l in lines),
                r.stdout + r.stderr)
        c.check("xl list: domains 1 and 2 with memory",
                all(any(len(l.split()) >= 6 and l.split()[1] == str(d)
                        and int(l.split()[2]) > 0 for l in lines)
                    for d in (1, 2)), r.stdout)

        r = m.xl("dmesg")
        c.check("xl dmesg: the hypervisor's banner",
                r.returncode == 0 and "a paravirtualizing hypervisor" in r.stdout,
                r.stdout[-500:] + r.stderr)

        data = os.urandom(1 << 20)
        path = os.path.join(tmp, "random.bin")
        with open(path, "wb") as f:
            f.write(data)
        r = m.xl("put", path, "random.bin")
        c.check("xl put 1 MiB: exit status 0", r.returncode == 0,
                r.stdout + r.stderr)
        crc = "%08x" % zlib.crc32(data)
        r = m.xl("ls")
        c.check("xl ls: the file round-tripped (size and CRC-32 %s)" % crc,
                any(l.split()[:4] == ["random.bin", str(1 << 20), "crc32", crc]
                    for l in r.stdout.splitlines()), r.stdout)

        big = os.path.join(tmp, "big.bin")
        with open(big, "wb") as f:
            f.truncate(512 << 20)  # sparse: refused before any data moves
        t0 = time.monotonic()
        r = m.xl("put", big)
        c.check("too-large put refused with ENOSPC advice",
                r.returncode == 1 and "do not fit" in r.stderr
                and time.monotonic() - t0 < 10, r.stdout + r.stderr)

        vanishing_client(m.ctl_path, 1 << 20)
        r = m.xl("ls")
        c.check("a client lost mid-put leaves no file; the next one works",
                r.returncode == 0 and "random.bin" in r.stdout
                and "partial" not in r.stdout, r.stdout + r.stderr)

        r = m.xl("frobnicate")
        c.check("unknown command: status 2 and a hint",
                r.returncode == 2 and "'help'" in r.stderr, r.stderr)
        # Console mode: attach, then end of input detaches (a terminal
        # would use Ctrl-]); without a console backend, a clean refusal.
        env = dict(os.environ, XENOLITH_CTL=m.ctl_path)
        r = subprocess.run([os.path.join(ROOT, "build", "xl"), "console", "1"],
                           env=env, input="", stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True,
                           timeout=60)
        if r.returncode == 1 and r.stderr.startswith("console:"):
            # No backend yet, or domain 1's console not connected to it.
            c.note("xl console 1 refused: %s" % r.stderr.strip())
            c.check("xl console refused cleanly; the server goes on",
                    m.xl("help").returncode == 0, r.stderr)
        else:
            c.check("xl console 1: attached and detached at end of input",
                    r.returncode == 0 and "detached" in r.stderr,
                    r.stdout + r.stderr)
        r = m.xl("rm", "random.bin")
        r2 = m.xl("ls")
        c.check("xl rm removes the file",
                r.returncode == 0 and "random.bin" not in r2.stdout, r2.stdout)

        # The serial prompt: Ctrl-A x3 to the keyhandler and back again.
        m.send(b"\x01\x01\x01")
        c.check("Ctrl-A x3 switches input to the hypervisor",
                m.wait_for(r"Serial input to Xenolith", 10))
        m.send(b"\x01\x01\x01")
        c.check("... and back to domain 0",
                m.wait_for(r"Serial input to DOM0", 10))
        m.send(b"help\r")
        c.check("serial prompt: help",
                m.wait_for(r"\(d0\) xl> help$", 10)
                and m.wait_for(r"\(d0\)   info +hypervisor version", 10))
        m.send(b"info\r")
        c.check("serial prompt: info",
                m.wait_for(r"\(d0\) xen_version +: 4\.17", 10))
        c.check("domain 0 and the hypervisor still running",
                m.alive() and not m.find_all(r"FATAL TRAP|Panic on CPU|d0: shut down"))
    finally:
        m.stop()
        for name in os.listdir(tmp):
            os.unlink(os.path.join(tmp, name))
        os.rmdir(tmp)

    env = dict(os.environ, XENOLITH_CTL=os.path.join(tmp, "absent.sock"))
    r = subprocess.run([os.path.join(ROOT, "build", "xl"), "info"], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    c.check("xl without a running system: a clear error",
            r.returncode == 1 and "cannot connect" in r.stderr, r.stderr)
