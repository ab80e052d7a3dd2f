"""Boot the hypervisor under QEMU and watch its serial console.

A Machine starts QEMU with the serial port on a pipe, collects every line
in the background, and lets a test wait for a line matching a pattern.
TCG is the default; XENOLITH_ACCEL=kvm opts in to KVM.
"""
import os
import re
import shutil
import select
import subprocess
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IMAGE = os.path.join(ROOT, "build", "xenolith.elf")


def accel_args():
    accel = os.environ.get("XENOLITH_ACCEL", "tcg")
    if accel == "kvm":
        return ["-accel", "kvm", "-cpu", "host"]
    if accel == "icount":
        # Deterministic: one instruction is one virtual nanosecond, so a
        # benchmark counts instructions (not TLB refills or host load):
        # an A/B comparison that host noise cannot blur.
        return ["-accel", "tcg,thread=single", "-icount", "shift=0,sleep=off",
                "-cpu", "max"]
    if accel != "tcg":
        raise SystemExit("XENOLITH_ACCEL must be tcg, icount or kvm, not %r"
                         % accel)
    return ["-accel", "tcg,thread=multi", "-cpu", "max"]


def ctl_args(path):
    """QEMU options for domain 0's control channel: a virtio console whose
    port 0 is joined to a unix socket the host's xl client connects to."""
    return ["-device", "virtio-serial-pci,id=xlvs",
            "-chardev", "socket,id=xlctl,path=%s,server=on,wait=off" % path,
            "-device", "virtconsole,chardev=xlctl,bus=xlvs.0,nr=0"]


class Machine:
    def __init__(self, cmdline="", smp=2, mem="1G", boot=None, extra=None,
                 stdin=False, ctl=False):
        """ctl=True adds the control channel; its socket is self.ctl_path."""
        self.ctl_dir = self.ctl_path = None
        if ctl:
            self.ctl_dir = tempfile.mkdtemp(prefix="xenolith-ctl-")
            self.ctl_path = os.path.join(self.ctl_dir, "ctl.sock")
            extra = ctl_args(self.ctl_path) + (extra or [])
        args = ["qemu-system-x86_64"] + accel_args() + [
            "-smp", str(smp), "-m", mem, "-no-reboot",
            "-display", "none", "-monitor", "none", "-serial", "stdio",
            "-d", "cpu_reset", "-D", "/dev/stderr",
        ]
        if boot is None:
            # Tests read their guests' console_io lines: allowed unless a
            # scenario says otherwise (the hypervisor's default is none).
            if "guest_loglvl=" not in cmdline:
                cmdline = (cmdline + " guest_loglvl=all").strip()
            args += ["-kernel", IMAGE, "-append", cmdline]
        else:
            args += boot
        args += extra or []
        self.lines = []
        self.triple_faults = 0
        self.cond = threading.Condition()
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE if stdin
                                     else subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.start = time.monotonic()
        threading.Thread(target=self._read, args=(self.proc.stdout, False),
                         daemon=True).start()
        threading.Thread(target=self._read, args=(self.proc.stderr, True),
                         daemon=True).start()

    def _read(self, stream, is_log):
        for raw in stream:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            with self.cond:
                if is_log:
                    # -d cpu_reset logs every reset (INIT IPIs too); a
                    # triple fault is named as such.
                    if "Triple fault" in line:
                        self.triple_faults += 1
                else:
                    self.lines.append(line)
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def wait_for(self, pattern, timeout=60):
        """Wait for a serial line matching pattern; return the match or None."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        seen = 0
        with self.cond:
            while True:
                for line in self.lines[seen:]:
                    m = rx.search(line)
                    if m:
                        return m
                seen = len(self.lines)
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    # One last look at lines that raced with the exit.
                    for line in self.lines[seen:]:
                        m = rx.search(line)
                        if m:
                            return m
                    return None
                self.cond.wait(min(left, 0.5))

    def find_all(self, pattern):
        rx = re.compile(pattern)
        with self.cond:
            return [m for m in (rx.search(l) for l in self.lines) if m]

    def send(self, data):
        """Type bytes on the serial console (Machine(stdin=True))."""
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def alive(self):
        return self.proc.poll() is None

    def tail(self, n=40):
        with self.cond:
            return "\n".join(self.lines[-n:])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        if self.ctl_dir:
            shutil.rmtree(self.ctl_dir, ignore_errors=True)
            self.ctl_dir = None

    def xl(self, *args, timeout=60):
        """Run the host's xl client (build/xl) against this machine's
        control channel; returns the CompletedProcess (text output)."""
        env = dict(os.environ, XENOLITH_CTL=self.ctl_path)
        return subprocess.run([os.path.join(ROOT, "build", "xl")] + list(args),
                              env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=timeout,
                              universal_newlines=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


# A shell over a process's byte stream (QEMU's serial on stdio, `xl console`):
# send lines, wait for output, run commands and read their answers.
class Term:
    def __init__(self, args, env=None, stderr=None):
        self.p = subprocess.Popen(args, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=stderr or subprocess.STDOUT, env=env)
        self.t0 = time.monotonic()
        self.out = ""
        self.stamps = []  # (output length, arrival time) per read
        self.cond = threading.Condition()
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self):
        fd = self.p.stdout.fileno()
        while True:
            r, _, _ = select.select([fd], [], [], 1)
            if not r:
                if self.p.poll() is not None:
                    break
                continue
            data = os.read(fd, 65536)
            if not data:
                break
            with self.cond:
                self.out += data.decode(errors="replace")
                self.stamps.append((len(self.out), time.monotonic()))
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def wait_for(self, rx, timeout, start=0):
        """Wait for rx in the output; the match's monotonic time or None."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                if rx.search(self.out, start):
                    return time.monotonic()
                left = deadline - time.monotonic()
                if left <= 0 or self.p.poll() is not None:
                    return None
                self.cond.wait(min(left, 1))

    def time_of(self, rx):
        """When the first match of rx arrived (monotonic), or None."""
        with self.cond:
            m = rx.search(self.out)
            if not m:
                return None
            for end, t in self.stamps:
                if end >= m.end():
                    return t
        return None

    def tail(self, n=1500):
        """The last n characters of the output."""
        with self.cond:
            return self.out[-n:]

    def send(self, text):
        try:
            self.p.stdin.write(text.encode())
            self.p.stdin.flush()
        except OSError:
            pass

    def run(self, cmd, timeout=60):
        """Run cmd in the shell; its output, or None on timeout."""
        tag = "@%x@" % (int(time.monotonic() * 1e6) & 0xffffff)
        with self.cond:
            start = len(self.out)
        self.send("%s; echo %s$?\n" % (cmd, tag))
        rx = re.compile(re.escape(tag) + r"(\d+)")
        if self.wait_for(rx, timeout, start) is None:
            return None
        with self.cond:
            found = rx.search(self.out, start)
            echo = self.out.find(tag + "$?", start)
            if 0 <= echo < found.start():
                nl = self.out.find("\n", echo)
                start = nl + 1 if 0 <= nl < found.start() else found.start()
            text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\r", "",
                          self.out[start:found.start()])
        return "\n".join(l for l in text.split("\n") if tag not in l)

    def close(self, detach=None):
        if detach:
            self.send(detach)
            try:
                self.p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()
