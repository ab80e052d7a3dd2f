"""Virtual networking: Debian's unmodified xen-netfront against domain 0's
netback, two Linux guests joined by the VFR's bridge xenbr0. They ping
each other, a transfer between them arrives with the right checksum, and
a guest that takes the other's MAC or IP has its frames dropped by the
VFR, counted in xl network-list."""
import hashlib
import os
import re
import socket
import threading
import time

from qemu import ROOT, Machine
from scenarios import scenario
from sc_linux import DOM0, Console, attach, boot_dom0, write_config

GUESTS = {"lx1": ("00:16:3e:00:00:01", "10.0.0.1"),
          "lx2": ("00:16:3e:00:00:02", "10.0.0.2")}
DATA_MB = 8


def create(c, m, name):
    mac, ip = GUESTS[name]
    cfg = write_config(name, "vif = [ 'mac=%s, bridge=xenbr0, ip=%s' ]\n" %
                       (mac, ip))
    r = m.xl("create", cfg, timeout=180)
    c.check("xl create %s with vif mac=%s ip=%s" % (name, mac, ip),
            r.returncode == 0, r.stdout + r.stderr)
    return r.returncode == 0


def sh(m, name, cmd, timeout=60):
    """Run cmd in name's shell (one console open at a time, as the
    control server serves them)."""
    con = Console(m, name)
    try:
        return con.run(cmd, timeout=timeout) or ""
    finally:
        con.close()


def bring_up(c, m, name):
    mac, ip = GUESTS[name]
    out = sh(m, name, "for i in $(seq 1 100); do [ -e /sys/class/net/eth0 "
             "] && break; sleep 0.2; done; cat /sys/class/net/eth0/"
             "address; ip link set eth0 up && ip addr add %s/24 dev "
             "eth0 && echo UP-$((6*7))" % ip)
    c.check("%s: netfront's eth0 has the configured MAC %s and is up" %
            (name, mac), mac in out and "UP-42" in out, out)


def counters(m, name):
    """xl network-list NAME's first row as a dict of its columns."""
    r = m.xl("network-list", name)
    lines = r.stdout.strip().splitlines()
    if r.returncode or len(lines) < 2:
        return {}
    return dict(zip(lines[0].split(), lines[1].split()))


def ping(m, name, ip, count=3):
    out = sh(m, name, "ping -c %d -W 3 %s 2>&1 | tail -2" % (count, ip))
    m = re.search(r"(\d+) packets received", out)
    return int(m.group(1)) if m else 0, out


def transfer(c, m):
    """lx1 sends DATA_MB of random data to lx2 over TCP (busybox nc)."""
    want = re.search(r"\b([0-9a-f]{64})\b", sh(
        m, "lx1", "dd if=/dev/urandom of=/tmp/d bs=1M count=%d 2>/dev/null"
        "; sha256sum /tmp/d" % DATA_MB, timeout=120))
    # setsid: the listener outlives the console's detach. Its stdin must
    # stay open: at its end busybox nc would half-close the connection,
    # and the sender stops sending when it sees that.
    sh(m, "lx2", "setsid sh -c 'sleep 400 | timeout 300 nc -l -p 5000 > "
       "/tmp/r' < /dev/null > /dev/null 2>&1 & sleep 1; "
       "netstat -ltn | grep -c :5000")
    t = time.monotonic()
    out = sh(m, "lx1", "timeout 300 nc 10.0.0.2 5000 < /tmp/d; "
             "echo SENT-$?", timeout=320)
    secs = time.monotonic() - t
    c.check("lx1 sends %d MiB to lx2 over TCP" % DATA_MB, "SENT-0" in out,
            out)
    c.note("guest to guest through the bridge (TCG): %d MiB in %.1f s, "
           "%.1f MiB/s (console round trip included)" %
           (DATA_MB, secs, DATA_MB / secs))
    got = re.search(r"\b([0-9a-f]{64})\b", sh(
        m, "lx2", "for i in $(seq 1 600); do [ $(wc -c < /tmp/r) -ge %d ] "
        "&& break; sleep 0.5; done; sha256sum /tmp/r; wc -c < /tmp/r; cat "
        "/proc/net/dev | grep eth0" % (DATA_MB << 20), timeout=320))
    c.check("lx2 received it intact (sha256 %s)" %
            (want.group(1)[:16] if want else "?"),
            want and got and want.group(1) == got.group(1),
            "%s vs %s: %s\n%s\n%s" % (
                want and want.group(1), got and got.group(1),
                got and got.string[-600:], m.xl("network-list").stdout,
                sh(m, "lx1", "cat /proc/net/dev | grep eth0; netstat -tn; "
                   "cat /proc/net/snmp | grep Tcp")))


def two_guests_up(c, m):
    """Domain 0 ready, lx1 and lx2 created, their shells answering and
    eth0 configured; False if any step failed (already reported)."""
    c.check("domain 0 ready", m.wait_for(r"serial prompt ready", 60))
    if not (create(c, m, "lx1") and create(c, m, "lx2")):
        return False
    for name in ("lx1", "lx2"):
        con = attach(c, m, name)
        if not con:
            return False
        con.close()
        bring_up(c, m, name)
    return True


@scenario
def net_bridge(c):
    """Two Linux guests on xenbr0: ping, a TCP transfer, anti-spoofing."""
    with boot_dom0() as m:
        c.machine = m
        if not two_guests_up(c, m):
            return
        c.check("both VIFs connected in domain 0",
                len(m.find_all(r"netback: domain \d+ vif 0 connected"))
                == 2)
        got, out = ping(m, "lx1", "10.0.0.2")
        c.check("lx1 pings lx2 through the bridge (%d of 3)" % got,
                got == 3, out)
        got, out = ping(m, "lx2", "10.0.0.1")
        c.check("lx2 pings lx1 (%d of 3)" % got, got == 3, out)
        transfer(c, m)
        spoof(c, m)
        hotplug(c, m)
        destroyed(c, m)


def ping_count(m, name):
    """(replies, sequence numbers missing below the last reply) of name's
    background ping, from one reading of its output."""
    seqs = [int(x) for x in re.findall(r"bytes from .*?seq=(\d+)",
                                       sh(m, name, "cat /tmp/ping"))]
    return len(seqs), len(set(range(max(seqs) + 1)) - set(seqs)) \
        if seqs else -1


def hotplug(c, m):
    """A VIF attached to lx2 and detached again while lx1 pings lx2."""
    sh(m, "lx1", "setsid sh -c 'ping -i 0.2 -c 400 10.0.0.2 > /tmp/ping' "
       "< /dev/null > /dev/null 2>&1 & sleep 1")
    r = m.xl("network-attach", "lx2", "mac=00:16:3e:00:00:12,bridge=xenbr1")
    c.check("xl network-attach lx2 mac=00:16:3e:00:00:12,bridge=xenbr1",
            r.returncode == 0, r.stdout + r.stderr)
    out = sh(m, "lx2", "for i in $(seq 1 100); do [ -e /sys/class/net/eth1 "
             "] && break; sleep 0.2; done; cat /sys/class/net/eth1/address")
    c.check("lx2 finds eth1 with the MAC given", "00:16:3e:00:00:12" in out,
            out)
    r = m.xl("network-list", "lx2")
    c.check("network-list shows lx2's second VIF on xenbr1",
            re.search(r"^\S+\s+1\s+00:16:3e:00:00:12\s+connected\s+xenbr1",
                      r.stdout, re.M), r.stdout)
    r = m.xl("network-detach", "lx2", "1", timeout=60)
    c.check("xl network-detach lx2 1: the guest closes it",
            r.returncode == 0 and not m.find_all(r"detached by force"),
            r.stdout + r.stderr)
    out = sh(m, "lx2", "for i in $(seq 1 50); do [ -e /sys/class/net/eth1 "
             "] || break; sleep 0.2; done; [ -e /sys/class/net/eth1 ] && "
             "echo has-$((6*7)) || echo gone-$((6*7))")
    c.check("eth1 is gone from lx2", "gone-42" in out, out)
    r = m.xl("network-list", "lx2")
    c.check("network-list no longer shows it", r.returncode == 0 and
            "00:16:3e:00:00:12" not in r.stdout, r.stdout)
    got, lost = ping_count(m, "lx1")
    c.check("lx1's ping to lx2 every 0.2 s meanwhile lost nothing (%d "
            "replies, %d missing)" % (got, lost), got > 5 and lost == 0)


def destroyed(c, m):
    """Destroying a guest removes its VIF; the other's stays connected."""
    r = m.xl("destroy", "lx2", timeout=60)
    c.check("xl destroy lx2", r.returncode == 0, r.stdout + r.stderr)
    r = m.xl("network-list")
    c.check("network-list shows lx1's VIF alone, still connected",
            r.returncode == 0 and "00:16:3e:00:00:02" not in r.stdout and
            re.search(r"00:16:3e:00:00:01\s+connected", r.stdout), r.stdout)
    got, out = ping(m, "lx1", "10.0.0.2", 1)
    c.check("lx1 no longer reaches lx2, and its shell answers",
            got == 0 and "packets transmitted" in out, out)


def spoof(c, m):
    before = counters(m, "lx1")
    c.check("xl network-list lx1 shows its VIF connected on xenbr0",
            before.get("State") == "connected" and
            before.get("Bridge") == "xenbr0", str(before))
    # lx1 takes lx2's MAC: everything it sends is dropped.
    sh(m, "lx1", "ip link set eth0 down; ip link set eth0 address %s; "
       "ip link set eth0 up" % GUESTS["lx2"][0])
    got, out = ping(m, "lx1", "10.0.0.2", 2)
    after = counters(m, "lx1")
    c.check("with lx2's MAC, lx1 reaches nobody (%d of 2 answered)" % got,
            got == 0, out)
    c.check("the VFR counted the forged MAC (SpoofMAC %s -> %s)" %
            (before.get("SpoofMAC"), after.get("SpoofMAC")),
            int(after.get("SpoofMAC", 0)) > int(before.get("SpoofMAC", 0)),
            str(after))
    c.check("and logged it once with the VIF",
            len(m.find_all(r"vfr: vif\d+\.0 on xenbr0: dropped a frame "
                           r"from a MAC address not its own")) == 1)
    # Its own MAC back, but an IPv4 address not its own.
    sh(m, "lx1", "ip link set eth0 down; ip link set eth0 address %s; "
       "ip link set eth0 up; ip addr flush dev eth0; "
       "ip addr add 10.0.0.9/24 dev eth0" % GUESTS["lx1"][0])
    got, out = ping(m, "lx1", "10.0.0.2", 2)
    last = counters(m, "lx1")
    c.check("from 10.0.0.9 (not its ip=) lx1 reaches nobody (%d of 2)" %
            got, got == 0, out)
    c.check("the VFR counted the forged IP (SpoofIP %s)" %
            last.get("SpoofIP"), int(last.get("SpoofIP", 0)) > 0, str(last))
    sh(m, "lx1", "ip addr flush dev eth0; ip addr add 10.0.0.1/24 dev eth0")
    got, out = ping(m, "lx1", "10.0.0.2", 2)
    c.check("with its own addresses back, lx1 pings lx2 again (%d of 2)" %
            got, got == 2, out)


HOSTILE = os.path.join(ROOT, "build", "guests", "net_hostile.elf")


@scenario
def net_hostile(c):
    """A hostile netif front end (tests/guests/net_hostile.c) sends each
    kind of malformed tx request while two Linux guests ping each other:
    netback answers each with an error, logs each kind once with the
    domain id, closes only the broken VIFs, and the guests still talk."""
    with boot_dom0() as m:
        c.machine = m
        if not two_guests_up(c, m):
            return
        sh(m, "lx1", "setsid sh -c 'ping -i 0.2 -c 300 10.0.0.2 > "
           "/tmp/ping' < /dev/null > /dev/null 2>&1 & sleep 1")
        cfg = os.path.join(os.path.dirname(write_config("x")), "hostile.cfg")
        with open(cfg, "w") as f:
            f.write('name = "hostile"\nkernel = "%s"\nmemory = 16\n'
                    "vif = [ 'mac=00:16:3e:00:00:07', "
                    "'mac=00:16:3e:00:00:08' ]\n" % HOSTILE)
        r = m.xl("create", cfg, timeout=120)
        c.check("xl create the hostile front end with two VIFs",
                r.returncode == 0, r.stdout + r.stderr)
        res = m.wait_for(r"\(d(\d+)\) (\d+) passed, (\d+) failed", 180)
        c.check("hostile guest: %s" % (res.group(0) if res else "no result"),
                res is not None and res.group(3) == "0" and
                int(res.group(2)) >= 20)
        dom = res.group(1) if res else "?"
        logs = m.find_all(r"netback: domain %s vif 0: (.*); this kind is "
                          r"not logged again" % dom)
        kinds = [l.group(1) for l in logs]
        c.check("netback logged each kind once with the domain id (%d: %s)"
                % (len(kinds), "; ".join(kinds)),
                len(kinds) == len(set(kinds)) and len(kinds) >= 7, kinds)
        for why in ("more slots than the 18 advertised",
                    "tx request producer more than a ring ahead"):
            c.check("a VIF closed for '%s'" % why,
                    m.find_all(r"netback: domain %s vif \d: %s: the VIF is "
                               r"closed" % (dom, re.escape(why))))
        r = m.xl("list")
        c.check("domain 0 still answers (xl list)", r.returncode == 0 and
                "lx1" in r.stdout, r.stdout + r.stderr)
        got, out = ping(m, "lx2", "10.0.0.1")
        c.check("the Linux guests still reach each other (%d of 3)" % got,
                got == 3, out)
        got, lost = ping_count(m, "lx1")
        c.check("lx1's ping every 0.2 s during the attack lost nothing "
                "(%d replies, %d missing)" % (got, lost),
                got > 5 and lost == 0)


UPLINK_MAC = "52:54:00:12:34:99"
HOST_PAYLOAD = bytes((i * 7 + (i >> 9)) & 0xff for i in range(2 << 20))


def host_server():
    """A TCP server on the host's loopback that sends HOST_PAYLOAD to
    each client; its port."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)

    def serve():
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            with conn:
                conn.sendall(HOST_PAYLOAD)
    threading.Thread(target=serve, daemon=True).start()
    return srv


def host_sink(got):
    """A TCP server on the host's loopback keeping in got the sha256 and
    the length of what it received so far (QEMU's guestfwd connects it
    once, at start, and never closes it: there is no end of stream)."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)

    def serve():
        try:
            conn, _ = srv.accept()
        except OSError:
            return
        h = hashlib.sha256()
        with conn:
            while True:
                b = conn.recv(65536)
                if not b:
                    return
                h.update(b)
                got["n"] = got.get("n", 0) + len(b)
                got["sha"] = h.hexdigest()
    threading.Thread(target=serve, daemon=True).start()
    return srv


@scenario
def net_uplink(c):
    """A guest's VIF and domain 0's virtio-net card on xenbr0: DHCP from
    QEMU's user-mode network, ping to its gateway, and a transfer from a
    server on the host's loopback arrives with the right checksum."""
    srv, received = host_server(), {}
    sink = host_sink(received)
    extra = ["-netdev", "user,id=n0,restrict=on,guestfwd=tcp:10.0.2.100:"
             "5000-tcp:127.0.0.1:%d,guestfwd=tcp:10.0.2.100:5001-tcp:"
             "127.0.0.1:%d" % (srv.getsockname()[1],
                               sink.getsockname()[1]),
             "-device", "virtio-net-pci,netdev=n0,disable-legacy=on,mac=%s"
             % UPLINK_MAC]
    try:
        with Machine("dom0_mem=400M", smp=2, mem="1536M", ctl=True,
                     extra=["-initrd", DOM0] + extra) as m:
            c.machine = m
            c.check("domain 0 ready", m.wait_for(r"serial prompt ready", 60))
            cfg = write_config("up", "vif = [ 'bridge=xenbr0' ]\n")
            r = m.xl("create", cfg, timeout=180)
            c.check("xl create with vif 'bridge=xenbr0' (default MAC)",
                    r.returncode == 0, r.stdout + r.stderr)
            con = attach(c, m, "up")
            if not con:
                return
            con.close()
            c.check("vnet0 joined xenbr0 with the VIF",
                    m.wait_for(r"vfr: vnet0 joins bridge xenbr0", 30))
            out = sh(m, "up", "for i in $(seq 1 100); do [ -e /sys/class/"
                     "net/eth0 ] && break; sleep 0.2; done; ip link set eth0 "
                     "up; udhcpc -i eth0 -s /bin/true -q -n -t 5 2>&1",
                     timeout=120)
            c.check("udhcpc gets a lease from QEMU's DHCP server through "
                    "the bridge", re.search(r"lease of 10\.0\.2\.\d+ "
                                            r"obtained", out), out)
            sh(m, "up", "ip addr add 10.0.2.15/24 dev eth0")
            got, out = ping(m, "up", "10.0.2.2")
            c.check("the guest pings QEMU's gateway (%d of 3)" % got,
                    got == 3, out)
            want = hashlib.sha256(HOST_PAYLOAD).hexdigest()
            out = sh(m, "up", "timeout 120 nc 10.0.2.100 5000 < /dev/null "
                     "| sha256sum", timeout=150)
            c.check("2 MiB from a server on the host's loopback arrive "
                    "intact (sha256 %s)" % want[:16], want in out, out)
            # Guest to host: the guest's TCP checksums are left blank by
            # netfront and filled by the VFR before the card. nc waits
            # for an end guestfwd never sends: timeout ends it.
            out = sh(m, "up", "dd if=/dev/urandom of=/tmp/u bs=1M count=2 "
                     "2>/dev/null; sha256sum /tmp/u; timeout 60 nc "
                     "10.0.2.100 5001 < /tmp/u", timeout=90)
            want = re.search(r"\b([0-9a-f]{64})\b", out)
            c.check("2 MiB from the guest reach a sink on the host's "
                    "loopback intact (%s bytes, sha256 %s)" %
                    (received.get("n"), received.get("sha", "-")[:16]),
                    want and received.get("n") == 2 << 20 and
                    received.get("sha") == want.group(1),
                    out + m.xl("network-list").stdout)
    finally:
        srv.close()
        sink.close()
