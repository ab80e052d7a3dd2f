"""Domain 0's xenstored and console backend, with a well-behaved and a
hostile client (guests xs_client.c and xs_hostile.c).

Domain 0 runs forever, so these scenarios do not use run_guests: they wait
for the domUs' results and then stop the machine.
"""
from qemu import Machine
from scenarios import scenario, guest_modules

RESULT = r"\(d%d\) (\d+) passed, (\d+) failed"


def check_result(c, m, d, name, timeout):
    res = m.wait_for(RESULT % d, timeout)
    ok = bool(res) and res.group(2) == "0" and int(res.group(1)) > 0
    c.check("d%d (%s): %s" % (d, name, res.group(0).split(") ", 1)[1]
                              if res else "no result line"), ok)


@scenario
def xenstore_console(c):
    """xenstored and the console backend in domain 0: a client passes beside a hostile domain, which is logged and contained."""
    specs = [("../dom0", "console_echo xs_echo"),
             ("xs_client", "peer=2"),
             ("xs_hostile", "")]
    m = Machine("domains=2 guest_loglvl=all", smp=2,
                extra=["-initrd", guest_modules(specs)])
    c.machine = m
    try:
        for d in (1, 2):
            c.check("d%d introduced to xenstored" % d,
                    m.wait_for(r"\(d0\) xenstored: domain %d introduced" % d, 90))
        check_result(c, m, 1, "xs_client", 180)
        check_result(c, m, 2, "xs_hostile", 180)
        c.check("d1's console ring output shown by domain 0",
                m.wait_for(r"\(d0\) \[d1\] xs_client: hello on the console ring of domain 1", 30))
        c.check("d2's console works again after its bad index",
                m.wait_for(r"\(d0\) \[d2\] xs_hostile: console still works", 30))
        logged = [
            ("unknown request type", r"xenstored: domain 2: unknown request type 999"),
            ("oversized payload", r"xenstored: domain 2 sent a 100000-byte payload"),
            ("protocol violation stops the ring",
             r"xenstored: domain 2: protocol violation on its ring"),
            ("bad ring index stops the ring",
             r"xenstored: domain 2: ring index out of range on its ring"),
            ("reconnection", r"xenstored: domain 2: ring reconnected"),
            ("console index far ahead",
             r"console: domain 2: out_prod runs \d+ bytes ahead of out_cons"),
        ]
        for what, pattern in logged:
            c.check("domain 0 logged d2's %s" % what, m.wait_for(r"\(d0\) " + pattern, 10))
        c.check("console misbehaviour logged once",
                len(m.find_all(r"console: domain 2: out_prod runs")) == 1)
        c.check("d1 never logged as misbehaving",
                not m.find_all(r"(xenstored|console): domain 1(: | sent)"))
        c.check("@releaseDomain fired when the domains shut down (VIRQ_DOM_EXC)",
                m.wait_for(r"\(d0\) xenstored: @releaseDomain fired", 30))
        c.check("domain 0 still alive, no hypervisor crash",
                m.alive() and not m.find_all(r"FATAL TRAP|Panic on CPU|d0: (shut down|crashed)"))
        for hit in m.find_all(r"\(d1\) \d+ write/read rounds in \d+ ms"):
            c.note(hit.group(0))
    finally:
        m.stop()
