"""Memory: validated page tables, reservations and grant tables against
hostile guests, while a victim domain checks that its memory never changes.

Guests (tests/guests/): mm_victim fills its free memory with a pattern and
checks it (and its code, p2m and page tables) until every peer has sent
its "done" event; mm_hostile attacks; mm_grant runs as a granter/grantee
pair; mm_fork builds and forks address spaces; mm_hog runs a batch of a
million updates while the victim measures its timer's lateness; mm_memop
exercises memory_op. The rendezvous convention is in mmtest.h: the victim
(domain 0) offers port 2+i to domain i.
"""
from scenarios import run_guests, scenario

# Refusals the hypervisor logs once per domain at warning level.
HOSTILE_LOG = [
    ("frame of another domain", r"d1: .*refused: .*frame 0x[0-9a-f]+ belongs to d\d"),
    ("hypervisor frame", r"d1: .*refused: .*belongs to the hypervisor"),
    ("I/O frame", r"d1: .*refused: .*not RAM \(I/O\)"),
    ("page table mapped writable", r"d1: .*refused: .*is a L\d table: no writable mappings"),
    ("superpage", r"d1: .*refused: .*superpage \(PSE\)"),
    ("hypervisor L4 slot", r"d1: .*L4 0x[0-9a-f]+ slot 2\d\d is the hypervisor's"),
    ("writable linear page table", r"d1: .*refused: .*writable linear page-table entry"),
    ("pin of a table pointing at the hypervisor", r"d1: pin of 0x[0-9a-f]+ refused: L\d 0x[0-9a-f]+ entry \d+ .*hypervisor"),
    ("pinned twice / not pinned", r"d1: (pin of 0x[0-9a-f]+: already pinned|unpin of 0x[0-9a-f]+: not pinned)"),
    ("update of a frame that is not a page table", r"d1: mmu_update: frame 0x[0-9a-f]+ is not"),
    ("ptwr refusal", r"d1: ptwr: L\d 0x[0-9a-f]+ entry \d+ = 0x[0-9a-f]+ refused"),
    ("decrease_reservation of a frame in use", r"d1: decrease_reservation: frame 0x[0-9a-f]+"),
    ("base pointer", r"d1: new_(user_)?baseptr: frame 0x[0-9a-f]+ is not an L4"),
    ("M2P entry of another domain's frame", r"d1: mmu_update: M2P entry of frame 0x[0-9a-f]+: not its own"),
    ("hypervisor asked to write a page table", r"d1: clear_page: destination 0x[0-9a-f]+ is not a writable frame"),
    ("unpin of another domain's frame", r"d1: unpin of frame 0x[0-9a-f]+: not its own"),
]


@scenario
def mm_isolation(c):
    """Hostile domain vs validated page tables; victim memory unchanged."""
    m = run_guests(c, [("mm_victim", "peers=1"), ("mm_hostile", "id=1")],
                   cmdline="guest_loglvl=all", timeout=240)
    for what, pattern in HOSTILE_LOG:
        c.check("hypervisor log names the refusal: %s" % what,
                m.find_all(pattern), pattern)

GRANT_LOG = [
    ("ref not granted", r"d2: grant ref \d+ of d1: not granted to d2"),
    ("read-only grant used for writing", r"d2: grant ref \d+ of d1: read-only, used for writing"),
    ("ref beyond the table", r"d2: grant ref \d+ of d1: beyond its table"),
    ("granted frame not the granter's", r"d2: grant ref \d+ of d1: frame 0x[0-9a-f]+ is not d1's"),
    ("copy beyond a page", r"d2: grant copy: \d+ bytes at offsets \d+/\d+ cross a page"),
    ("copy into a page table", r"d2: grant copy: destination 0x[0-9a-f]+ is a page or descriptor table"),
    ("writable map of a page table", r"d2: grant map: granted frame 0x[0-9a-f]+ is a L1 table"),
    ("granter keeps a mapped frame", r"d1: decrease_reservation: frame 0x[0-9a-f]+ of order 0 is in use"),
]


@scenario
def mm_grants(c):
    """Grant tables between two domains: misuse refused, frames held."""
    m = run_guests(c, [("mm_victim", "peers=2"),
                       ("mm_grant", "role=1 id=1 peer=2"),
                       ("mm_grant", "role=2 id=2 peer=1")],
                   cmdline="guest_loglvl=all", timeout=240)
    for what, pattern in GRANT_LOG:
        c.check("hypervisor log names the refusal: %s" % what,
                m.find_all(pattern), pattern)
    # The race of a lock-free writable reference with the owner's pin.
    for who in ("granter", "grantee"):
        hit = m.find_all(r"\(d\d\) %s: \d+ \w+, \d+ refused while \w+" % who)
        if hit:
            c.note(hit[0].group(0).split(") ", 1)[1])


@scenario
def mm_grant_death(c):
    """A granter destroyed while its grantee maps, unmaps and copies its
    grants; a new domain then gets its id and grants the same ref."""
    m = run_guests(c, [("mm_victim", "peers=2 destroy=1 reuse=2"),
                       ("mm_grant", "role=1 id=1 peer=2 die=1"),
                       ("mm_grant", "role=2 id=2 peer=1 die=1 reuse=1")],
                   cmdline="guest_loglvl=all", timeout=240)
    c.check("domain 0 destroyed the granter",
            m.find_all(r"\(d0\) victim: destroyed domain 1") and
            m.find_all(r"d1: destroyed"))
    c.check("a new domain 1 kept its grant when the old one's mapping went",
            m.find_all(r"\(d0\) victim: new domain 1's grant still in use"))
    hit = m.find_all(r"\(d2\) grantee: \d+ maps and \d+ copies while the granter died")
    if hit:
        c.note(hit[0].group(0).split(") ", 1)[1])


@scenario
def mm_grant_flush(c):
    """Unmaps flush the grantee's TLBs before the granter sees the grant free."""
    m = run_guests(c, [("mm_victim", "peers=2"),
                       ("mm_grant_flush", "role=1 id=1 peer=2 rounds=20"),
                       ("mm_grant_flush", "role=2 id=2 peer=1 rounds=20")],
                   cmdline="guest_loglvl=all domu_vcpus=2", smp=4,
                   timeout=240)
    for h in m.find_all(r"\(d[12]\) (granter|grantee): .* rounds.*"):
        c.note(h.group(0).split(") ", 1)[1])


@scenario
def mm_grant_ptes(c):
    """Grant mappings over entries the guest filled with every bit pattern
    (mmu_update, update_va_mapping, ptwr), made present, granted over and
    unmapped: no pattern refused, no grant mapping forged, rewritten or
    lost, every frame given back; destroyed with grants still mapped,
    every frame comes back."""
    m = run_guests(c, [("mm_victim", "peers=1 destroy=1 frames=1"),
                       ("mm_grant_pte", "id=1")],
                   cmdline="guest_loglvl=all", timeout=240)
    c.check("domain 0 destroyed it with grants mapped",
            m.find_all(r"\(d0\) victim: destroyed domain 1") and
            m.find_all(r"d1: destroyed"))
    c.check("hypervisor log names the refusal: update over a grant mapping",
            m.find_all(r"d1: mmu_update: L1 0x[0-9a-f]+ entry \d+ is a "
                       r"grant mapping"))
    for pat in (r"\(d1\) grant-pte: \d+ patterns.*",
                r"\(d0\) victim: destroy gave back.*"):
        for t in m.find_all(pat):
            c.note(t.group(0).split(") ", 1)[1])


@scenario
def mm_linear_chains(c):
    """Linear page-table chains of 2..1024 tables at each level: no two
    links in a row are accepted; every unpin and the domain's destruction
    unwind."""
    m = run_guests(c, [("mm_victim", "peers=1 destroy=1"),
                       ("mm_linear", "id=1")],
                   cmdline="guest_loglvl=all", timeout=300)
    c.check("domain 0 destroyed the domain that left chains pinned",
            m.find_all(r"\(d0\) victim: destroyed domain 1") and
            m.find_all(r"d1: destroyed"))
    c.check("hypervisor log names the refusal: linear chain",
            m.find_all(r"d1: .*refused: .*linear entries one level deep only"))
    t = m.find_all(r"\(d1\) linear: all rounds in \d+ ms")
    if t:
        c.note(t[-1].group(0).split(") ", 1)[1])


@scenario
def mm_big_destroy(c):
    """A domain holding millions of page-table references is destroyed
    while the destroyer's own 1 ms timer keeps firing (preemptible), and
    a reservation for it meanwhile gets no frame."""
    m = run_guests(c, [("mm_victim", "peers=1 destroy=1 timer=1 "
                                     "probe_dying=1"),
                       ("mm_bigtree", "id=1")],
                   cmdline="guest_loglvl=all domu_mem=128M", smp=1,
                   timeout=300)
    c.check("domain 0 destroyed the big domain",
            m.find_all(r"\(d0\) victim: destroyed domain 1") and
            m.find_all(r"d1: destroyed"))
    for pat in (r"\(d1\) bigtree: .*", r"\(d0\) victim: timer: .*",
                r"\(d0\) victim: while it was dying: .*"):
        t = m.find_all(pat)
        if t:
            c.note(t[-1].group(0).split(") ", 1)[1])


@scenario
def mm_big_pin(c):
    """Pin and unpin a tree of 16 million entries, twice: each call stops
    for the caller's timer, and the victim's 1 ms timer keeps firing."""
    m = run_guests(c, [("mm_victim", "peers=1 events=2 timer=1"),
                       ("mm_bigtree", "id=1 mode=pin vcpus=2")],
                   cmdline="guest_loglvl=all domu_mem=128M domu_vcpus=2",
                   smp=1,
                   timeout=300)
    for pat in (r"\(d1\) bigtree: .*", r"\(d0\) victim: timer: .*"):
        for t in m.find_all(pat):
            c.note(t.group(0).split(") ", 1)[1])


@scenario
def mm_grant_long_batch(c):
    """A 50,000-op grant copy continues while the caller's timer fires."""
    m = run_guests(c, [("mm_grant_batch", "")], cmdline="guest_loglvl=all")
    for t in m.find_all(r"\(d0\) grant batch: .*"):
        c.note(t.group(0).split(") ", 1)[1])


@scenario
def mm_address_spaces(c):
    """Build an address space in one multicall, fork it, switch."""
    run_guests(c, [("mm_fork", "")], cmdline="guest_loglvl=all")


@scenario
def mm_long_batches(c):
    """A million-update batch continues; the victim's timer keeps time."""
    m = run_guests(c, [("mm_victim", "peers=1 events=2 timer=1"),
                       ("mm_hog", "id=1")],
                   cmdline="guest_loglvl=all", smp=1, timeout=300)
    t = m.find_all(r"\(d0\) victim: timer: (\d+) ticks during the (\d+) ms batch, max lateness (\d+) us")
    if t:
        c.note("victim timer during the batches: %s" % t[-1].group(0).split("timer: ")[1])
    for h in m.find_all(r"\(d1\) hog: .*"):
        c.note(h.group(0).split(") ", 1)[1])


@scenario
def mm_reservations(c):
    """memory_op: queries, reservations, exchange, the maximum."""
    m = run_guests(c, [("mm_victim", "peers=1"), ("mm_memop", "id=1")],
                   cmdline="guest_loglvl=all", smp=1, timeout=240)
    for h in m.find_all(r"\(d1\) memop: .*"):
        c.note(h.group(0).split(") ", 1)[1])
