"""Virtual networking: Debian's unmodified xen-netfront against domain 0's
netback, two Linux guests joined by the VFR's bridge xenbr0. They ping
each other, 256 MiB between them arrive with the right checksum, and
a guest that takes the other's MAC or IP has its frames dropped by the
VFR, counted in xl network-list."""
import hashlib
import os
import re
import socket
import threading
import time
import zlib

from qemu import ROOT, Machine
from scenarios import scenario
from sc_linux import DOM0, Console, attach, boot_dom0, m_tmp, write_config

GUESTS = {"lx1": ("00:16:3e:00:00:01", "10.0.0.1"),
          "lx2": ("00:16:3e:00:00:02", "10.0.0.2")}
DATA_MB = 256


def create(c, m, name, keys=""):
    mac, ip = GUESTS[name]
    cfg = write_config(name, "vif = [ 'mac=%s, bridge=xenbr0, ip=%s%s' ]\n"
                       % (mac, ip, keys and ", " + keys))
    r = m.xl("create", cfg, timeout=180)
    c.check("xl create %s with vif mac=%s ip=%s%s" %
            (name, mac, ip, keys and " " + keys),
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
    """DATA_MB of pseudo-random data from lx1 to lx2 over TCP, CRC-32
    compared at both ends (tests/linux/lxnet.c)."""
    got = tcp(c, m, "lx1", "lx2", 5000, DATA_MB << 20, "guest to guest")
    if got:
        c.note("guest to guest through the bridge (TCG): %d MiB in %.1f s, "
               "%.2f MB/s" % (DATA_MB, got["secs"], got["mbps"]))
    # With feature-sg netfront sends TCP data as a header slot and page
    # fragments; without it each frame is one linear slot.
    row = counters(m, "lx1")
    c.check("netfront used scatter-gather: %s of lx1's %s packets came in "
            "several slots" % (row.get("TxSG"), row.get("TxPkts")),
            int(row.get("TxSG", 0)) > 1000, str(row))


def two_guests_up(c, m, keys=None):
    """Domain 0 ready, lx1 and lx2 created (keys: more vif keys of each),
    their shells answering and eth0 configured; False if any step failed
    (already reported)."""
    keys = keys or {}
    c.check("domain 0 ready", m.wait_for(r"serial prompt ready", 60))
    if not (create(c, m, "lx1", keys.get("lx1", "")) and
            create(c, m, "lx2", keys.get("lx2", ""))):
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
UPLINK_MB = 256  # guest to host
DOWNLINK_MB = 256  # host to guest
HOST_PAYLOAD = bytes((i * 7 + (i >> 9)) & 0xff for i in range(2 << 20))


def host_server(repeat=1):
    """A TCP server on the host's loopback that sends HOST_PAYLOAD repeat
    times to each client; its port."""
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
                for _ in range(repeat):
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
                got["crc"] = zlib.crc32(b, got.get("crc", 0))
                got["n"] = got.get("n", 0) + len(b)
                got["sha"] = h.hexdigest()
    threading.Thread(target=serve, daemon=True).start()
    return srv


def host_to_guest(c, m):
    """DOWNLINK_MB from a server on the host's loopback (HOST_PAYLOAD
    repeated) to the guest, CRC-32 compared. guestfwd never passes the
    server's end on: the guest reads the length it expects."""
    crc = 0
    for _ in range(DOWNLINK_MB // 2):
        crc = zlib.crc32(HOST_PAYLOAD, crc)
    cmd = "lxnet get 10.0.2.100 5000 %d" % (DOWNLINK_MB << 20)
    out = after(sh(m, "up", "timeout 280 %s 2>&1" % cmd, timeout=300), cmd)
    got = lxnet(out, "get")
    c.check("%d MiB from a server on the host's loopback arrive intact "
            "(CRC-32 %08x)" % (DOWNLINK_MB, crc), got and
            got["bytes"] == DOWNLINK_MB << 20 and got["crc"] == "%08x" % crc,
            out + m.xl("network-list").stdout)
    if got:
        c.note("host -> guest through the card and the bridge: %d MiB in "
               "%.1f s, %.2f MB/s" % (DOWNLINK_MB, got["secs"], got["mbps"]))


def guest_to_host(c, m, received):
    """UPLINK_MB from the guest to a sink on the host's loopback. The
    guest's TCP checksums are left blank by netfront and filled by the
    VFR before the card. guestfwd never ends the stream: put does not
    wait for it."""
    cmd = "lxnet put 10.0.2.100 5001 %d -n" % (UPLINK_MB << 20)
    t = time.monotonic()
    out = after(sh(m, "up", "timeout 280 %s 2>&1" % cmd, timeout=300), cmd)
    sent = lxnet(out, "put")
    deadline = time.monotonic() + 60
    while received.get("n", 0) < UPLINK_MB << 20 and \
            time.monotonic() < deadline:
        time.sleep(0.2)
    secs = time.monotonic() - t
    c.check("%d MiB from the guest reach a sink on the host's loopback "
            "intact (%s bytes, CRC-32 %08x)" %
            (UPLINK_MB, received.get("n"), received.get("crc", 0)),
            sent and received.get("n") == UPLINK_MB << 20 and
            "%08x" % received.get("crc", 0) == sent["crc"],
            out + m.xl("network-list").stdout)
    c.note("guest -> host: %d MiB in %.1f s, %.2f MB/s (host clock, "
           "console round trip included)" % (UPLINK_MB, secs,
                                              (UPLINK_MB << 20) / secs / 1e6))


@scenario
def net_uplink(c):
    """A guest's VIF and domain 0's virtio-net card on xenbr0: DHCP from
    QEMU's user-mode network, ping to its gateway, and 256 MiB each way
    between the guest and the host's loopback with the right checksum."""
    srv, received = host_server(DOWNLINK_MB // 2), {}
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
            host_to_guest(c, m)
            guest_to_host(c, m, received)
    finally:
        srv.close()
        sink.close()


# --- Transfers timed inside the guests (tests/linux/lxnet.c) -------------

def lxnet(out, mode):
    """The LXNET line of mode in out as a dict, or None."""
    r = re.search(r"LXNET %s bytes=(\d+) secs=([\d.]+) MBps=([\d.]+) "
                  r"crc=([0-9a-f]{8})" % mode, out or "")
    return r and {"bytes": int(r.group(1)), "secs": float(r.group(2)),
                  "mbps": float(r.group(3)), "crc": r.group(4)}


def after(out, cmd):
    """What a console printed after cmd was echoed (its screen holds the
    earlier commands' output too)."""
    return (out or "").rsplit(cmd, 1)[-1]


def listen(m, name, port, timeout=300):
    """Start lxnet listen PORT in name's background; True if listening."""
    out = sh(m, name, "setsid sh -c 'timeout %d lxnet listen %d > /tmp/l%d "
             "2>&1' < /dev/null > /dev/null 2>&1 & for i in $(seq 1 50); do "
             "grep -q listening /tmp/l%d && break; sleep 0.1; done; cat "
             "/tmp/l%d" % (timeout, port, port, port, port))
    return "listening on %d" % port in out


def listened(m, name, port, wait=60):
    """What name's listener on port received (its LXNET line) or None."""
    out = sh(m, name, "for i in $(seq 1 %d); do grep -q 'LXNET listen' "
             "/tmp/l%d && break; sleep 0.2; done; cat /tmp/l%d" %
             (wait * 5, port, port), timeout=wait + 30)
    return lxnet(after(out, "cat /tmp/l%d" % port), "listen")


def put(m, src, ip, port, nbytes, timeout=300):
    cmd = "lxnet put %s %d %d" % (ip, port, nbytes)
    out = sh(m, src, "timeout %d %s 2>&1; echo RC-$?" % (timeout, cmd),
             timeout=timeout + 30)
    out = after(out, cmd)
    return lxnet(out, "put"), out


def tcp(c, m, src, dst, port, nbytes, what, timeout=300):
    """src sends nbytes to dst's port; checks both ends' CRC-32. The
    receiver's result (rate from its first byte to its last) or None."""
    if not listen(m, dst, port, timeout + 30):
        c.check("%s listens on port %d" % (dst, port), False)
        return None
    sent, out = put(m, src, GUESTS[dst][1], port, nbytes, timeout)
    got = listened(m, dst, port)
    ok = sent and got and sent["crc"] == got["crc"] and \
        got["bytes"] == nbytes
    c.check("%s: %d bytes %s -> %s, CRC-32 %s at both ends" %
            (what, nbytes, src, dst, sent and sent["crc"]), ok,
            "%s\n%s" % (out, got))
    return got if ok else None


def vfr_rows(m, name):
    """xl vfr-list NAME as {rule: (nr, packets)} for its first VIF."""
    rows = {}
    for line in m.xl("vfr-list", name).stdout.splitlines()[1:]:
        f = line.split()
        if len(f) == 6 and f[1] == "0":
            rows[f[3]] = (f[2], int(f[4]))
    return rows


RATE_MBPS = 1.0  # rate=8Mb/s


def bad_configs(c, m):
    """Malformed rate= and vfr= refused at xl create with line and why."""
    for key, why in (("rate=10Mbit/s", "rate: must be a number"),
                     ("rate=1MB/s@20ns", "the interval must be"),
                     ("vfr=drop:tcp:70000", "expected a port")):
        cfg = write_config("bad", "vif = [ 'bridge=xenbr0, %s' ]\n" % key)
        r = m.xl("create", cfg, timeout=60)
        out = r.stdout + r.stderr
        c.check("xl create refuses vif '%s': line 7 and '%s'" % (key, why),
                r.returncode != 0 and "line 7" in out and why in out, out)


@scenario
def net_rules(c):
    """Per-VIF rate limiting (rate=, Xen's credit semantics) and the VFR's
    accept/drop rules by protocol and port, with their counters (vfr=,
    xl vfr-list, vfr-add, vfr-del)."""
    with boot_dom0() as m:
        c.machine = m
        bad_configs(c, m)
        if not two_guests_up(c, m, {"lx1": "rate=8Mb/s",
                                    "lx2": "vfr=drop:tcp:5001"}):
            return
        fast = tcp(c, m, "lx2", "lx1", 5000, 4 << 20, "unlimited VIF")
        slow = tcp(c, m, "lx1", "lx2", 5000, 5 << 20, "rate=8Mb/s VIF")
        if fast and slow:
            c.note("lx2 (no rate) sends at %.2f MB/s; lx1 (rate=8Mb/s, 1 "
                   "MB/s) at %.2f MB/s" % (fast["mbps"], slow["mbps"]))
            c.check("the rate-limited VIF's TCP throughput %.3f MB/s is "
                    "within 10%% of its 1 MB/s" % slow["mbps"],
                    abs(slow["mbps"] - RATE_MBPS) <= 0.1 * RATE_MBPS)
            c.check("the unlimited VIF runs faster (%.2f MB/s)" %
                    fast["mbps"], fast["mbps"] > 1.25 * slow["mbps"])
        vfr_port(c, m)
        vfr_icmp(c, m)


def vfr_port(c, m):
    """lx2's vfr=drop:tcp:5001 blocks that port both ways and counts it;
    xl vfr-del lets it through."""
    listen(m, "lx2", 5001, 120)
    sent, out = put(m, "lx1", "10.0.0.2", 5001, 100000, timeout=5)
    rows = vfr_rows(m, "lx2")
    c.check("TCP to lx2's port 5001 is blocked (%s)" %
            out.strip().splitlines()[-1], sent is None, out)
    c.check("xl vfr-list lx2 counts it against rule 0 drop:tcp:5001 (%s)"
            % (rows.get("drop:tcp:5001"),),
            rows.get("drop:tcp:5001", ("", 0)) [1] > 0 and
            rows.get("all-rules:dropped", ("", 0))[1] > 0, str(rows))
    c.check("and shows the anti-spoofing counters",
            "spoof-mac:drop" in rows and "spoof-ip:drop" in rows, str(rows))
    r = m.xl("vfr-del", "lx2", "0", "0")
    c.check("xl vfr-del lx2 0 0", r.returncode == 0, r.stdout + r.stderr)
    sent, out = put(m, "lx1", "10.0.0.2", 5001, 100000, timeout=60)
    got = listened(m, "lx2", 5001)
    c.check("without the rule, port 5001 works (CRC-32 %s)" %
            (got and got["crc"]), sent and got and
            sent["crc"] == got["crc"], "%s\n%s" % (out, got))


def vfr_icmp(c, m):
    """A rule added to a running VIF by xl vfr-add, counted, removed."""
    r = m.xl("vfr-add", "lx1", "0", "drop:tcp:99999")
    c.check("xl vfr-add refuses a bad rule with the reason",
            r.returncode != 0 and "expected a port" in r.stderr,
            r.stdout + r.stderr)
    r = m.xl("vfr-add", "lx1", "0", "drop:icmp:out")
    c.check("xl vfr-add lx1 0 drop:icmp:out", r.returncode == 0,
            r.stdout + r.stderr)
    got, out = ping(m, "lx1", "10.0.0.2", 2)
    rows = vfr_rows(m, "lx1")
    c.check("lx1's pings are dropped (%d of 2 answered)" % got, got == 0,
            out)
    c.check("and counted: rule 0 drop:icmp:out matched %s" %
            (rows.get("drop:icmp:out"),),
            rows.get("drop:icmp:out", ("", 0))[1] >= 2, str(rows))
    got, out = ping(m, "lx2", "10.0.0.1", 2)
    c.check("lx2's pings to lx1 get no answer either (replies are out)",
            got == 0, out)
    r = m.xl("vfr-del", "lx1", "0", "0")
    got, out = ping(m, "lx1", "10.0.0.2", 2)
    c.check("after xl vfr-del, lx1 pings lx2 again (%d of 2)" % got,
            r.returncode == 0 and got == 2, out + r.stderr)


STARVE = os.path.join(ROOT, "build", "guests", "net_starve.elf")
STARVE_MAC = "00:16:3e:00:00:03"


@scenario
def net_starved(c):
    """A front end that posts no receive buffers (tests/guests/
    net_starve.c) is flooded while two Linux guests transfer: it loses
    its own frames, counted, and nobody else's."""
    with boot_dom0() as m:
        c.machine = m
        if not two_guests_up(c, m):
            return
        cfg = os.path.join(os.path.dirname(write_config("x")), "starve.cfg")
        with open(cfg, "w") as f:
            f.write('name = "starve"\nkernel = "%s"\nmemory = 16\n'
                    "vif = [ 'mac=%s' ]\n" % (STARVE, STARVE_MAC))
        r = m.xl("create", cfg, timeout=120)
        c.check("xl create the starving front end", r.returncode == 0,
                r.stdout + r.stderr)
        c.check("it connected and idles with no receive buffer posted",
                m.wait_for(r"net_starve: idle, posting no receive", 60))
        # It answers no ARP: its address is told to lx2 (busybox arp).
        out = sh(m, "lx2", "arp -s 10.0.0.3 %s && setsid sh -c 'lxnet "
                 "flood 10.0.0.3 9 30 > /tmp/flood 2>&1' < /dev/null > "
                 "/dev/null 2>&1 & sleep 2; cat /proc/net/dev | grep eth0"
                 % STARVE_MAC)
        c.check("lx2 floods it with UDP for 30 s", "eth0" in out, out)
        got = tcp(c, m, "lx1", "lx2", 5000, 32 << 20,
                  "during the flood")
        if got:
            c.note("lx1 -> lx2 during the flood: %.2f MB/s" % got["mbps"])
        got, out = ping(m, "lx1", "10.0.0.2")
        c.check("lx1 pings lx2 during the flood (%d of 3)" % got, got == 3,
                out)
        r = m.xl("list")
        c.check("domain 0 answers (xl list)", r.returncode == 0 and
                "starve" in r.stdout, r.stdout + r.stderr)
        hdr = m.xl("network-list").stdout.splitlines()[0].split()
        rows = {l.split()[2]: dict(zip(hdr, l.split()))
                for l in m.xl("network-list").stdout.splitlines()[1:]}
        st = rows.get(STARVE_MAC, {})
        c.check("the starved VIF's drops are counted (RxDrop %s, RxPkts %s)"
                % (st.get("RxDrop"), st.get("RxPkts")),
                int(st.get("RxDrop", 0)) > 1000 and
                st.get("RxPkts") == "0", str(rows))
        c.note("RxDrop of lx1, lx2: %s, %s" % (
            rows.get(GUESTS["lx1"][0], {}).get("RxDrop"),
            rows.get(GUESTS["lx2"][0], {}).get("RxDrop")))
        out = sh(m, "lx2", "for i in $(seq 1 150); do grep -q sent= "
                 "/tmp/flood && break; sleep 0.2; done; cat /tmp/flood")
        c.note("the flood: %s" % after(out, "cat /tmp/flood").strip())


RUN_BUNDLE = os.path.join(ROOT, "build", "bundle-linux.cpio")


@scenario
def net_run(c):
    """make run's guest is online out of the box: the bundle's linux.cfg
    (vif bridge=xenbr0), autostarted and attached to the serial console
    as make run does, with make run's devices (a disk and a virtio-net
    card on QEMU's unrestricted user-mode network): eth0 gets its address
    by DHCP, pings QEMU's gateway, and reaches a server on the host's
    loopback as 10.0.2.2."""
    srv = host_server()
    disk = os.path.join(m_tmp(), "run-disk.img")
    with open(disk, "wb") as f:
        f.truncate(64 << 20)
    extra = ["-initrd", "%s attach=linux,%s" % (DOM0, RUN_BUNDLE),
             "-drive", "file=%s,if=none,id=xd0,format=raw" % disk,
             "-device", "virtio-blk-pci,drive=xd0,disable-legacy=on",
             "-netdev", "user,id=xn0", "-device",
             "virtio-net-pci,netdev=xn0,disable-legacy=on"]
    try:
        with Machine("dom0_mem=400M dom0_console=raw", smp=2, mem="1536M",
                     ctl=True, stdin=True, extra=extra) as m:
            c.machine = m
            c.check("the serial console is attached to the autostarted "
                    "guest", m.wait_for(r"serial console attached to linux",
                                        90))
            lease = m.wait_for(r"rc: eth0 has (10\.0\.2\.\d+)/(\d+) by DHCP "
                               r"\(router (\S+), dns ([^)]*)\)", 120)
            c.check("eth0 got its address by DHCP from QEMU's user network "
                    "(%s)" % (lease.group(0) if lease else "none"),
                    lease and lease.group(3) == "10.0.2.2")
            if not lease:
                return
            want = hashlib.sha256(HOST_PAYLOAD).hexdigest()
            m.send(("ip route; cat /etc/resolv.conf; ping -c 3 -W 3 "
                    "10.0.2.2 | tail -2; nc 10.0.2.2 %d < /dev/null | "
                    "sha256sum; echo NET-$((6*7))\n" %
                    srv.getsockname()[1]).encode())
            done = m.wait_for(r"NET-42", 120)
            out = "\n".join(m.lines[-30:]) if done else m.tail()
            c.check("the default route goes by QEMU's gateway",
                    re.search(r"default via 10\.0\.2\.2 dev eth0", out), out)
            c.check("resolv.conf names QEMU's DNS server 10.0.2.3",
                    "nameserver 10.0.2.3" in out, out)
            got = re.search(r"(\d+) packets received", out)
            c.check("the guest pings QEMU's gateway (%s of 3)" %
                    (got and got.group(1)), got and got.group(1) == "3",
                    out)
            c.check("2 MiB from a server on the host's loopback, reached "
                    "as 10.0.2.2, arrive intact", want in out, out)
    finally:
        srv.close()


CSUM = os.path.join(ROOT, "build", "guests", "net_csum.elf")
CSUM_MAC = "00:16:3e:00:00:05"


@scenario
def net_csum(c):
    """A front end that says feature-no-csum-offload (tests/guests/
    net_csum.c) gets whole TCP checksums from a Linux guest, which leaves
    them blank for netback: the VFR fills them before delivery."""
    with boot_dom0() as m:
        c.machine = m
        c.check("domain 0 ready", m.wait_for(r"serial prompt ready", 60))
        if not create(c, m, "lx1"):
            return
        con = attach(c, m, "lx1")
        if not con:
            return
        con.close()
        bring_up(c, m, "lx1")
        cfg = os.path.join(os.path.dirname(write_config("x")), "csum.cfg")
        with open(cfg, "w") as f:
            f.write('name = "csum"\nkernel = "%s"\nmemory = 16\n'
                    "vif = [ 'mac=%s' ]\n" % (CSUM, CSUM_MAC))
        r = m.xl("create", cfg, timeout=120)
        c.check("xl create the front end without checksum offload",
                r.returncode == 0, r.stdout + r.stderr)
        c.check("it connected and waits for frames",
                m.wait_for(r"net_csum: receiving", 60))
        out = sh(m, "lx1", "arp -s 10.0.0.5 %s; timeout 6 lxnet put "
                 "10.0.0.5 5000 1000 2>&1; echo SYNS-$((6*7))" % CSUM_MAC,
                 timeout=40)
        c.check("lx1 sent it TCP SYNs", "SYNS-42" in out, out)
        res = m.wait_for(r"\(d(\d+)\) (\d+) passed, (\d+) failed", 60)
        c.check("the front end checked them: %s" %
                (res.group(0) if res else "no result"),
                res is not None and res.group(3) == "0", m.tail(30))
