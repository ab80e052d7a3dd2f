"""Scenarios for event channels, time and scheduling (guests ev_*.c).

Timing checks run under TCG on a host that may be busy: the guests
re-measure a late timer a few times before calling it late (see
tests/guests/ev_time.c), and the host-side checks below allow for serial
and scheduling latency.
"""
import time

from qemu import Machine
from scenarios import scenario, run_guests, guest_modules

RESULT = r"\(d%d\) (\d+) passed, (\d+) failed"


def check_result(c, m, d, name):
    """The result line of a domain that did not power off (run_guests
    checks only those that did)."""
    res = m.find_all(RESULT % d)
    ok = bool(res) and res[-1].group(2) == "0" and int(res[-1].group(1)) > 0
    c.check("d%d (%s): %s" % (d, name, res[-1].group(0).split(") ", 1)[1]
                              if res else "no result line"), ok)


def note_lines(c, m, pattern):
    for hit in m.find_all(pattern):
        c.note(hit.group(0).split(") ", 1)[-1])


@scenario
def events_local(c):
    """Event channels in one domain: IPI, VIRQ, masking, loopback, close, status, bad ports, reset."""
    run_guests(c, [("hello", ""), ("ev_local", "domid=1")],
               cmdline="guest_loglvl=all")


def interdomain(c, smp):
    specs = [("ev_peer", "role=ctl"),
             ("ev_peer", "role=offer rounds=1000"),
             ("ev_peer", "role=bind rounds=1000"),
             ("ev_peer", "role=intruder")]
    m = run_guests(c, specs, cmdline="guest_loglvl=all", smp=smp,
                   expect_shutdown={3: "reboot"})
    check_result(c, m, 3, "ev_peer role=intruder")
    tries = m.find_all(r"\(d2\) bound after (\d+) failed tries")
    c.check("smp=%d: domain 2 retried the bind until domain 1 offered it" % smp,
            tries and int(tries[-1].group(1)) > 0,
            tries and tries[-1].group(0))
    c.check("smp=%d: domain 0 shut domain 3 down remotely" % smp,
            m.find_all(r"d3: shut down: reboot"))
    note_lines(c, m, r"\(d1\) ping-pong: .*")


@scenario
def events_interdomain(c):
    """Channels between boot-time domains: offer/bind by convention, ping-pong, close, hostile binds, remote_shutdown."""
    interdomain(c, smp=2)  # the peers on different CPUs
    interdomain(c, smp=1)  # everyone on one CPU


@scenario
def events_fifo(c):
    """The FIFO event ABI: init_control/expand_array/set_priority and their errors, queues by priority, unmask, close while linked, high ports, a guest corrupting its own words, the limit, reset; a 2-level neighbour loses nothing."""
    specs = [("hello", ""), ("ev_fifo", "role=fifo"), ("ev_fifo", "role=peer")]
    for smp in (2, 1):  # the peers on different CPUs, then on one
        m = run_guests(c, specs, cmdline="guest_loglvl=all", smp=smp)
        note_lines(c, m, r"\(d1\) ping-pong: .*")
        note_lines(c, m, r"\(d1\) hostile: .*")
        note_lines(c, m, r"\(d2\) peer: .*")


@scenario
def time_and_timers(c):
    """vcpu_time_info, wall clock, one-shot and periodic timers (never early, within 1 ms), hostile deadlines."""
    specs = [("hello", ""), ("ev_time", "marks=1")]
    m = Machine("domains=1 guest_loglvl=all", smp=2,
                extra=["-initrd", guest_modules(specs)])
    c.machine = m
    try:
        # Host time at each "mark N", printed one second of guest time
        # apart (waiting already when each arrives).
        stamps = []
        for i in range(3):
            hit = m.wait_for(r"\(d1\) mark %d$" % i, 60)
            stamps.append(time.monotonic() if hit else None)
        host_now = time.time()
        for d, name in enumerate(n for n, _ in specs):
            down = m.wait_for(r"d%d: shut down: (\w+)" % d, 120)
            c.check("d%d (%s) shut down with poweroff" % (d, name),
                    down and down.group(1) == "poweroff",
                    down and down.group(0))
            check_result(c, m, d, name)
        c.check("no hypervisor crash",
                not m.find_all(r"FATAL TRAP|Panic on CPU") and m.alive())
    finally:
        m.stop()

    hv = m.find_all(r"time: TSC ([\d.]+) MHz")
    guest = m.find_all(r"\(d1\) tsc_khz (\d+)")
    ok = bool(hv and guest)
    if ok:
        hv_khz = float(hv[0].group(1)) * 1000
        guest_khz = int(guest[0].group(1))
        ok = abs(hv_khz - guest_khz) <= max(2, hv_khz * 1e-4)
    c.check("guest time runs at the TSC rate the hypervisor calibrated",
            ok, "hypervisor %s, guest %s" % (hv and hv[0].group(0),
                                             guest and guest[0].group(0)))
    ok = None not in stamps
    if ok:
        elapsed = stamps[2] - stamps[0]
        c.note("2 s of guest time took %.3f s of host time" % elapsed)
        ok = 1.8 <= elapsed <= 2.2
    c.check("guest system time keeps up with the host clock (10%)", ok,
            "marks at %s" % stamps)
    wall = m.find_all(r"\(d1\) wallclock (\d+)")
    c.check("wall clock matches the host's (within 60 s)",
            wall and abs(int(wall[0].group(1)) - host_now) < 60,
            wall and "%s vs host %d" % (wall[0].group(0), host_now))
    note_lines(c, m, r"\(d1\) .*late by.*|\(d1\) periodic: .*|"
                     r"\(d1\) far deadlines: .*")


@scenario
def sched_ops(c):
    """sched_op: yield, block (wakes on timer / waiting event), poll (timeout, masked ports, any upcall, long lists)."""
    run_guests(c, [("hello", ""), ("ev_sched", "")],
               cmdline="guest_loglvl=all")


@scenario
def sched_wake_boost(c):
    """A vCPU woken from blocking runs before the CPU hogs beside it, and a domain that wakes at once again and again cannot starve a neighbour."""
    m = run_guests(c, [("ev_boost", "role=sleeper maxmed=2000"),
                       ("ev_boost", "role=spinner minshare=40"),
                       ("ev_boost", "role=spinner minshare=40")],
                   cmdline="guest_loglvl=all", smp=1)
    note_lines(c, m, r"\(d\d\) (sleeper|spinner): .*")
    m = run_guests(c, [("ev_boost", "role=abuser"),
                       ("ev_boost", "role=spinner minshare=40")],
                   cmdline="guest_loglvl=all", smp=1)
    note_lines(c, m, r"\(d\d\) (abuser|spinner): .*")


@scenario
def vcpu_ops(c):
    """vcpu_op: is_up, runstate info and area (steal time with a twin on the CPU), register_vcpu_info."""
    # Domains 1 and 3 both spin on the one CPU (on two, an idle CPU
    # would take one of them: the scheduler steals work).
    m = run_guests(c, [("hello", ""), ("ev_vcpu", "steal=1"), ("hello", ""),
                       ("ev_vcpu", "steal=1")],
                   cmdline="guest_loglvl=all", smp=1)
    note_lines(c, m, r"\(d[13]\) stolen .*")


SHUTDOWNS = [
    # (guest args, the reason the hypervisor must report)
    ("reason=poweroff", "poweroff"),
    ("reason=reboot", "reboot"),
    ("reason=suspend", "suspend"),
    ("reason=crash", "crash"),
    ("reason=watchdog", "watchdog"),
    ("reason=soft_reset", "soft_reset"),
    # SCHEDOP_shutdown_code wins over the reason given at shutdown...
    ("reason=poweroff code=reboot", "reboot"),
    # ... and only the first code counts.
    ("reason=reboot code=poweroff", "poweroff"),
]


@scenario
def shutdown_reasons(c):
    """Every SCHEDOP_shutdown reason reaches the log; SCHEDOP_shutdown_code overrides it."""
    specs = [("ev_shutdown", args) for args, _ in SHUTDOWNS]
    expect = {d: reason for d, (_, reason) in enumerate(SHUTDOWNS)}
    m = run_guests(c, specs, cmdline="guest_loglvl=all", smp=2,
                   expect_shutdown=expect)
    for d, (args, reason) in enumerate(SHUTDOWNS):
        if reason != "poweroff":
            check_result(c, m, d, "ev_shutdown " + args)


HOG = r"\(d(\d)\) hog: ran (\d+) of (\d+) ms"


def hog_shares(c, m):
    """{domid: share of a CPU} from the hogs' lines; notes them."""
    shares = {}
    for x in m.find_all(HOG):
        shares[int(x.group(1))] = int(x.group(2)) / max(1, int(x.group(3)))
    c.note("hogs: " + ", ".join("d%d %.1f%%" % (d, 100 * v)
                                 for d, v in sorted(shares.items())))
    return shares


@scenario
def sched_credit(c):
    """The credit scheduler: weights 256 and 512 share one CPU 1:2, a cap
    of 50 holds a domain to half a CPU, and four CPU hogs that start on
    one of two CPUs keep both busy (an idle CPU takes work)."""
    hog = ("sched_credit", "role=hog start=3000 win=3000")
    m = run_guests(c, [("sched_credit", "role=ctl w1=256 w2=512"), hog, hog],
                   cmdline="guest_loglvl=all", smp=1)
    s = hog_shares(c, m)
    part = s.get(1, 0) / max(1e-9, s.get(1, 0) + s.get(2, 0))
    c.check("weights 256:512 on one CPU: weight 256 got %.1f%% of what "
            "both got (a third, within 5%%)" % (100 * part),
            abs(part - 1 / 3) <= 0.05 / 3, s)

    m = run_guests(c, [("sched_credit", "role=ctl c1=50"), hog],
                   cmdline="guest_loglvl=all", smp=1)
    s = hog_shares(c, m)
    c.check("cap 50 alone on a CPU: %.1f%% of it (50 +- 5)"
            % (100 * s.get(1, 0)), 0.45 <= s.get(1, 0) <= 0.55, s)

    # Domains 1, 3, 5, 7 are placed on CPU 1 (domid % 2); 2, 4, 6 end
    # at once, so CPU 0 has nothing of its own.
    hog = ("sched_credit", "role=hog start=5000 win=3000")
    quick = ("sched_credit", "role=quick")
    specs = [("sched_credit", "role=ctl")] + \
        [hog if d % 2 else quick for d in range(1, 8)]
    m = run_guests(c, specs, cmdline="guest_loglvl=all", smp=2)
    s = hog_shares(c, m)
    busy = sum(s.values())
    c.check("4 hogs on 2 CPUs: %.2f CPUs busy (at least 1.9)" % busy,
            len(s) == 4 and busy >= 1.9, s)
    c.check("each hog got at least 40%% of a CPU (worst %.1f%%)"
            % (100 * min(s.values() or [0])),
            len(s) == 4 and min(s.values()) >= 0.40, s)


@scenario
def shutdown_race(c):
    """Two vCPUs of each of eight domains shut it down at the same instant
    with different reasons: one shutdown per domain, one reason, logged
    once, and the hypervisor carries on."""
    n = 8
    m = Machine("domains=%d domu_vcpus=2 guest_loglvl=all" % n, smp=2,
                extra=["-initrd", guest_modules(
                    [("hello", "")] + [("shut_race", "")] * n)])
    c.machine = m
    try:
        wins = {}
        for d in range(1, n + 1):
            m.wait_for(r"d%d: shut down: \w+" % d, 120)
        time.sleep(1)  # a second, late shutdown line would show by now
        for d in range(1, n + 1):
            res = m.find_all(r"\(d%d\) (\d+) passed, (\d+) failed" % d)
            c.check("d%d: both vCPUs ready to race" % d,
                    res and res[-1].group(2) == "0")
            lines = m.find_all(r"d%d: shut down: (\w+)" % d)
            reasons = [x.group(1) for x in lines]
            c.check("d%d shut down exactly once, with one of the racing "
                    "reasons (%s)" % (d, ", ".join(reasons) or "none"),
                    len(reasons) == 1 and reasons[0] in ("poweroff", "reboot"))
            for r in reasons:
                wins[r] = wins.get(r, 0) + 1
        c.note("winners: %s" % wins)
        c.check("no hypervisor crash", not m.find_all(r"FATAL TRAP|Panic on CPU")
                and m.alive())
    finally:
        m.stop()


@scenario
def console_two_vcpus(c):
    """Two vCPUs of one domain write console lines at once: whole lines."""
    m = run_guests(c, [("hello", ""), ("con_race", "")],
                   cmdline="domu_vcpus=2 guest_loglvl=all")
    lines = [x.group(1) for x in m.find_all(r"\(d1\) ([AB?][^\r\n]*)")]
    pure = [l for l in lines if l in ("A" * 60, "B" * 60)]
    mixed = [l for l in lines if l not in pure]
    c.check("80 whole lines from each vCPU, none mixed or cut (%d lines, "
            "%d mixed)" % (len(lines), len(mixed)),
            pure.count("A" * 60) == 80 and pure.count("B" * 60) == 80
            and not mixed, mixed[:3])
