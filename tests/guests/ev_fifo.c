/*
 * The FIFO event-channel ABI (EVTCHNOP_init_control, expand_array,
 * set_priority), run as two unprivileged domains:
 *
 *   - role=fifo (domain 1) checks the ops' errors before and after the
 *     switch, switches to FIFO with a port already bound and pending,
 *     and consumes its events from the queues itself (upcalls stay
 *     masked): priorities, LINK order, masked events and unmask, close
 *     while linked, ports above the event array, SCHEDOP_poll, a
 *     ping-pong with domain 2, then corrupts its own event words and
 *     control block (self links, huge links, cycles, BUSY) and shows the
 *     hypervisor keeps answering, fills the array to Xen's limit, and
 *     finally EVTCHNOP_reset takes it back to 2-level.
 *   - role=peer (domain 2) stays on the 2-level ABI: it offers ports 3
 *     (ping) and 4 (done) to domain 1, answers every ping, and checks
 *     its own self-IPIs all along: a hostile neighbour must not cost it
 *     an event.
 */
#include <xen/memory.h>
#include "ev_common.h"

#define EOPNOTSUPP 95

#define W_PENDING (1U << EVTCHN_FIFO_PENDING)
#define W_MASKED (1U << EVTCHN_FIFO_MASKED)
#define W_LINKED (1U << EVTCHN_FIFO_LINKED)
#define W_BUSY (1U << EVTCHN_FIFO_BUSY)
#define W_LINK EVTCHN_FIFO_LINK_MASK

#define WORDS_PER_PAGE 1024
#define MAX_PAGES 128 /* 2^17 ports */
#define CB_OFFSET 8
#define BAD_GFN (1UL << 40)
#define WAIT_NS (20000 * NS_PER_MS)
#define ROUNDS 200

static uint8_t cb_page[4096] __attribute__((aligned(4096)));
static uint32_t array[2][WORDS_PER_PAGE] __attribute__((aligned(4096)));
static uint8_t spare[4096] __attribute__((aligned(4096)));
static uint8_t table[4096] __attribute__((aligned(4096))); /* stays zero */
static struct evtchn_fifo_control_block *cb;
static unsigned int nr_pages;

/* --- the ops ------------------------------------------------------- */

static long init_control(uint64_t gfn, uint32_t offset, uint32_t vcpu,
			 uint8_t *link_bits)
{
	struct evtchn_init_control ic = { .control_gfn = gfn,
					  .offset = offset,
					  .vcpu = vcpu };
	long rc = evtchn_op(EVTCHNOP_init_control, &ic);

	if (link_bits)
		*link_bits = ic.link_bits;
	return rc;
}

static long expand(uint64_t gfn)
{
	struct evtchn_expand_array ea = { .array_gfn = gfn };

	return evtchn_op(EVTCHNOP_expand_array, &ea);
}

static long set_prio(uint32_t port, uint32_t prio)
{
	struct evtchn_set_priority sp = { .port = port, .priority = prio };

	return evtchn_op(EVTCHNOP_set_priority, &sp);
}

static uint64_t mfn_of(const void *va)
{
	return pv_virt_to_mfn(va);
}

static long remap_table(bool writable)
{
	uint64_t pte = mfn_of(table) << 12 | 0x21 | (writable ? 0x42 : 0);

	return HYPERVISOR_update_va_mapping((uint64_t)table, pte, UVMF_INVLPG);
}

/* Pin (and unpin) our zeroed page as an L1 table: 0, or the refusal. */
static long pin_table(void)
{
	struct mmuext_op op = { .cmd = MMUEXT_PIN_L1_TABLE };
	long rc;

	op.arg1.mfn = mfn_of(table);
	rc = HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
	if (!rc) {
		op.cmd = MMUEXT_UNPIN_TABLE;
		CHECK_EQ(HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF), 0);
	}
	return rc;
}

static uint64_t l4_mfn(void)
{
	return mfn_of((const void *)start_info->pt_base);
}

static uint64_t shinfo_mfn(void)
{
	return start_info->shared_info >> 12;
}

/* --- the guest's side of the queues -------------------------------- */

static uint32_t *word(uint32_t port)
{
	if (port >= nr_pages * WORDS_PER_PAGE || port >= 2 * WORDS_PER_PAGE)
		return NULL;
	return &array[port / WORDS_PER_PAGE][port % WORDS_PER_PAGE];
}

static uint32_t wload(uint32_t port)
{
	return __atomic_load_n(word(port), __ATOMIC_SEQ_CST);
}

static void wmask(uint32_t port, bool mask)
{
	if (mask)
		__atomic_fetch_or(word(port), W_MASKED, __ATOMIC_SEQ_CST);
	else
		__atomic_fetch_and(word(port), ~W_MASKED, __ATOMIC_SEQ_CST);
}

static void add_page(unsigned int i)
{
	for (unsigned int w = 0; w < WORDS_PER_PAGE; w++)
		array[i][w] = W_MASKED; /* as Linux does, before expanding */
	CHECK_EQ(expand(mfn_of(array[i])), 0);
	nr_pages++;
}

/*
 * Take everything off the ready queues, highest priority first, following
 * LINK from each head and unlinking as we go; pending unmasked ports are
 * delivered into out[]. Bounded: our own words may be garbage.
 */
static unsigned int consume(uint32_t *out, unsigned int max)
{
	uint32_t ready = __atomic_exchange_n(&cb->ready, 0, __ATOMIC_SEQ_CST);
	unsigned int n = 0, steps = 0;

	for (unsigned int q = 0; q < EVTCHN_FIFO_MAX_QUEUES; q++) {
		uint32_t port;

		if (!(ready & (1U << q)))
			continue;
		port = __atomic_exchange_n(&cb->head[q], 0, __ATOMIC_SEQ_CST);
		while (port && word(port) && steps++ < 4 * WORDS_PER_PAGE) {
			uint32_t *w = word(port);
			uint32_t old = __atomic_load_n(w, __ATOMIC_SEQ_CST);

			while (!__atomic_compare_exchange_n(
			    w, &old, old & ~(W_LINKED | W_LINK), false,
			    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
				;
			if ((old & W_PENDING) && !(old & W_MASKED)) {
				__atomic_fetch_and(w, ~W_PENDING,
						   __ATOMIC_SEQ_CST);
				if (n < max)
					out[n] = port;
				n++;
			}
			port = old & W_LINK;
		}
	}
	return n;
}

/* Consume and compare with the expected ports, in order. */
static void expect(const char *what, const uint32_t *want, unsigned int n)
{
	uint32_t got[8] = { 0 };
	unsigned int k = consume(got, 8);
	bool same = k == n;

	for (unsigned int i = 0; same && i < n; i++)
		same = got[i] == want[i];
	CHECK(same, "%s: got %u events (%u %u %u %u), expected %u", what, k,
	      got[0], got[1], got[2], got[3], n);
}

static void clear_upcall(void)
{
	pv_vcpu_info()->evtchn_upcall_pending = 0;
}

static bool upcall_pending(void)
{
	return __atomic_load_n(&pv_vcpu_info()->evtchn_upcall_pending,
			       __ATOMIC_SEQ_CST);
}

/* --- role=fifo ----------------------------------------------------- */

static uint32_t p0; /* bound and pending before the switch */
static uint32_t pa, pb, pc, pd, pe; /* IPIs */
static uint32_t ping, done; /* interdomain, to domain 2 */

static void check_before_switch(void)
{
	pv_test_group("2-level until init_control");
	CHECK_EQ(ev_bind_ipi(0, &p0), 0);
	CHECK_EQ(ev_send(p0), 0);
	CHECK(pv_pending(p0), "the 2-level bit of port %u", p0);
	CHECK_EQ(expand(mfn_of(array[0])), -EOPNOTSUPP);
	CHECK_EQ(set_prio(p0, 1), -ENOSYS);
	CHECK_EQ(set_prio(4000, 1), -EINVAL); /* the port comes first */
}

static void check_init_errors(void)
{
	uint64_t good = mfn_of(cb_page);

	pv_test_group("init_control: Xen's checks in Xen's order");
	CHECK_EQ(init_control(good, 0, 1, NULL), -ENOENT);
	CHECK_EQ(init_control(good, 0, 0xffffffff, NULL), -ENOENT);
	CHECK_EQ(init_control(good, 4095, 1, NULL), -ENOENT);
	CHECK_EQ(init_control(good, 4096 - 72 + 8, 0, NULL), -EINVAL);
	CHECK_EQ(init_control(good, 4028, 0, NULL), -EINVAL);
	CHECK_EQ(init_control(good, 4, 0, NULL), -EINVAL);
	CHECK_EQ(init_control(good, 0xfffffff8, 0, NULL), -EINVAL);
	CHECK_EQ(init_control(BAD_GFN, 0, 0, NULL), -EINVAL);
	CHECK_EQ(init_control(0, 0, 0, NULL), -EINVAL); /* not ours */
	CHECK_EQ(init_control(l4_mfn(), 0, 0, NULL), -EINVAL);
	CHECK_EQ(init_control(shinfo_mfn(), 0, 0, NULL), -EINVAL);
	CHECK_EQ(set_prio(p0, 1), -ENOSYS); /* still 2-level */
}

static bool check_switch(void)
{
	uint8_t bits = 0;
	uint32_t want[1];
	long rc;

	pv_test_group("the switch to FIFO");
	rc = init_control(mfn_of(cb_page), CB_OFFSET, 0, &bits);
	CHECK_EQ(rc, 0);
	if (rc)
		return false;
	CHECK_EQ(bits, EVTCHN_FIFO_LINK_BITS);
	cb = (struct evtchn_fifo_control_block *)(cb_page + CB_OFFSET);
	CHECK_EQ(init_control(mfn_of(cb_page), CB_OFFSET, 0, NULL), -EINVAL);
	CHECK_EQ(init_control(mfn_of(spare), 0, 0, NULL), -EINVAL);
	CHECK_EQ(set_prio(p0, 16), -EINVAL);
	CHECK_EQ(set_prio(p0, 0xffffffff), -EINVAL);
	CHECK_EQ(set_prio(4000, 0), -EINVAL);
	CHECK_EQ(set_prio(p0, EVTCHN_FIFO_PRIORITY_MIN), 0);
	CHECK_EQ(set_prio(p0, EVTCHN_FIFO_PRIORITY_DEFAULT), 0);
	CHECK_EQ(expand(BAD_GFN), -EINVAL);
	CHECK_EQ(expand(l4_mfn()), -EINVAL);
	CHECK_EQ(expand(shinfo_mfn()), -EINVAL);
	CHECK_EQ(expand(0), -EINVAL);
	clear_upcall();
	add_page(0);
	/* p0's pending state came over, masked as the new page said. */
	CHECK_EQ(wload(p0) & (W_PENDING | W_MASKED | W_LINKED),
		 W_PENDING | W_MASKED);
	CHECK_EQ(ev_unmask_op(p0), 0);
	CHECK(upcall_pending(), "unmask of a pending port raises the upcall");
	CHECK_EQ(cb->ready, 1U << EVTCHN_FIFO_PRIORITY_DEFAULT);
	want[0] = p0;
	expect("the port bound before the switch", want, 1);
	return nr_pages == 1;
}

static void check_priorities(void)
{
	uint32_t want[4];

	pv_test_group("queues by priority, LINK order");
	CHECK_EQ(ev_bind_ipi(0, &pa), 0);
	CHECK_EQ(ev_bind_ipi(0, &pb), 0);
	CHECK_EQ(ev_bind_ipi(0, &pc), 0);
	CHECK_EQ(ev_bind_ipi(0, &pd), 0);
	CHECK_EQ(ev_bind_ipi(0, &pe), 0);
	CHECK_EQ(set_prio(pa, 3), 0);
	CHECK_EQ(set_prio(pd, EVTCHN_FIFO_PRIORITY_MAX), 0);
	for (uint32_t p = pa; p <= pe; p++)
		wmask(p, false);
	clear_upcall();
	CHECK_EQ(ev_send(pb), 0);
	CHECK_EQ(ev_send(pc), 0);
	CHECK_EQ(ev_send(pa), 0);
	CHECK_EQ(ev_send(pd), 0);
	CHECK(!pv_pending(pb), "the 2-level bits are not used any more");
	CHECK(upcall_pending(), "upcall pending");
	CHECK_EQ(cb->ready, (1U << 0) | (1U << 3) | (1U << 7));
	CHECK_EQ(cb->head[7], pb);
	CHECK_EQ(wload(pb), W_PENDING | W_LINKED | pc);
	CHECK_EQ(wload(pc), W_PENDING | W_LINKED);
	CHECK_EQ(ev_send(pb), 0); /* already pending and linked: merged */
	want[0] = pd, want[1] = pa, want[2] = pb, want[3] = pc;
	expect("highest priority first, then in order", want, 4);
	CHECK_EQ(wload(pb), 0);
}

static void check_masked(void)
{
	uint32_t want[1] = { pe };
	uint64_t t0;

	pv_test_group("masked events, unmask, poll");
	wmask(pe, true);
	clear_upcall();
	CHECK_EQ(ev_send(pe), 0);
	CHECK_EQ(wload(pe), W_PENDING | W_MASKED);
	CHECK(!upcall_pending(), "no upcall for a masked event");
	CHECK_EQ(cb->ready, 0);
	t0 = pv_now();
	CHECK_EQ(sched_poll(&pe, 1, t0 + 2000 * NS_PER_MS), 0);
	CHECK(pv_now() - t0 < 1000 * NS_PER_MS,
	      "poll of a pending (masked) port returns at once");
	t0 = pv_now();
	CHECK_EQ(sched_poll(&pa, 1, t0 + 20 * NS_PER_MS), 0);
	CHECK(pv_now() - t0 >= 20 * NS_PER_MS,
	      "poll of an idle port waits for its timeout");
	CHECK_EQ(ev_unmask_op(pe), 0);
	CHECK_EQ(wload(pe), W_PENDING | W_LINKED);
	CHECK(upcall_pending(), "unmask links it and raises the upcall");
	expect("the unmasked event", want, 1);
}

static void check_close_linked(void)
{
	uint32_t other, again;

	pv_test_group("status and close while linked");
	CHECK_EQ(ev_send(pc), 0);
	CHECK_EQ(ev_state(pc), EVTCHNSTAT_ipi);
	CHECK_EQ(ev_close(pc), 0);
	CHECK_EQ(ev_state(pc), EVTCHNSTAT_closed);
	CHECK_EQ(wload(pc), W_LINKED); /* no longer pending, still queued */
	CHECK_EQ(ev_alloc_unbound(DOMID_SELF, DOMID_SELF, &other), 0);
	CHECK(other != pc, "a linked port (%u) is not reused: got %u", pc,
	      other);
	expect("nothing: the closed port is skipped", NULL, 0);
	CHECK_EQ(ev_close(other), 0);
	CHECK_EQ(ev_bind_ipi(0, &again), 0);
	CHECK_EQ(again, pc); /* unlinked now: reusable */
	pv_test_group("bind_vcpu with one vCPU");
	CHECK_EQ(ev_bind_vcpu(pa, 1), -ENOENT);
	CHECK_EQ(ev_bind_vcpu(4000, 0), -EINVAL);
	CHECK_EQ(ev_bind_vcpu(pa, 0), -EINVAL); /* an IPI stays */
}

/* A port above the mapped words keeps its event until its page comes. */
static void check_high_port(void)
{
	uint32_t port = 0, hp = 0, want[1];
	unsigned int n = 0;

	pv_test_group("ports above the event array");
	while (port < WORDS_PER_PAGE - 1 && n++ < 2 * WORDS_PER_PAGE)
		if (ev_alloc_unbound(DOMID_SELF, DOMID_SELF, &port))
			break;
	CHECK_EQ(ev_bind_ipi(0, &hp), 0);
	CHECK_EQ(hp, WORDS_PER_PAGE);
	CHECK_EQ(set_prio(hp, 2), 0);
	clear_upcall();
	CHECK_EQ(ev_send(hp), 0);
	CHECK_EQ(ev_unmask_op(hp), 0);
	CHECK(!upcall_pending(), "no word, no upcall");
	CHECK_EQ(ev_state(hp), EVTCHNSTAT_ipi);
	add_page(1);
	CHECK_EQ(wload(hp), W_PENDING | W_MASKED);
	CHECK_EQ(ev_unmask_op(hp), 0);
	CHECK_EQ(cb->ready, 1U << 2);
	want[0] = hp;
	expect("the event raised before its page", want, 1);
	for (uint32_t p = pe + 1; p < hp; p++)
		ev_close(p);
	CHECK_EQ(ev_close(hp), 0);
}

/* One ping to domain 2 and its answer through queue 1. */
static bool ping_pong(void)
{
	uint32_t got[4];
	uint64_t end = pv_now() + WAIT_NS;

	if (ev_send(ping))
		return false;
	/* The peer's CPU sets PENDING, then links it and sets ready. */
	while (!(__atomic_load_n(&cb->ready, __ATOMIC_SEQ_CST) & (1U << 1))) {
		if (pv_now() > end)
			return false;
		if (!(wload(ping) & W_PENDING))
			sched_poll(&ping, 1, pv_now() + 100 * NS_PER_MS);
	}
	return consume(got, 4) == 1 && got[0] == ping;
}

static void bind_peer(void)
{
	unsigned int tries = 0;

	pv_test_group("a channel to domain 2 (2-level)");
	while (ev_bind_interdomain(2, 3, &ping) && tries++ < 100000)
		sched_yield();
	while (ev_bind_interdomain(2, 4, &done) && tries++ < 100000)
		sched_yield();
	CHECK(ping && done, "bound domain 2's ports 3 and 4");
	CHECK_EQ(set_prio(ping, 1), 0);
	wmask(ping, false);
	consume(NULL, 0); /* the binds' own events */
}

static unsigned int rounds(void)
{
	unsigned int ok = 0;

	for (unsigned int i = 0; i < ROUNDS; i++)
		ok += ping_pong();
	return ok;
}

/*
 * Make @p the tail of queue 5, then do to it (and the others) what a
 * guest may do to its own words: link to itself, to port 2^17-1, BUSY,
 * unlink, a cycle; garbage heads and ready bits. Then raise @q, which
 * the hypervisor links after @p.
 */
static unsigned int abuse(unsigned int i, uint32_t p, uint32_t q)
{
	static const uint32_t tail[] = { W_LINKED | W_PENDING,
					 W_LINKED | W_LINK,
					 W_LINKED | W_BUSY | W_PENDING, 0,
					 W_LINKED | W_PENDING | W_MASKED };
	unsigned int bad = 0;

	array[0][p] = 0;
	bad += ev_send(p) != 0;
	array[0][p] = tail[i % 5] | (i % 5 == 0 ? p : 0);
	array[0][pd] = W_LINKED | W_PENDING | pe; /* d <-> e: a cycle */
	array[0][pe] = W_LINKED | W_PENDING | pd;
	array[1][i % WORDS_PER_PAGE] = ~0U;
	for (unsigned int k = 0; k < EVTCHN_FIFO_MAX_QUEUES; k++)
		if (k != 1)
			cb->head[k] = (i & 1) ? W_LINK : p;
	cb->ready = ~0U;
	bad += ev_send(q) != 0;
	bad += ev_unmask_op(p) != 0;
	bad += ev_unmask_op(q) != 0;
	bad += set_prio(q, 5) != 0;
	bad += set_prio(p, 16 + i) != -EINVAL;
	bad += ev_state(q) != EVTCHNSTAT_ipi;
	return bad;
}

static void check_hostile(void)
{
	uint32_t ports[5] = { pa, pb, pc, pd, pe }, want[2];
	unsigned int bad = 0, ok = 0;

	pv_test_group("a guest that corrupts its own words");
	for (unsigned int i = 0; i < 5; i++)
		CHECK_EQ(set_prio(ports[i], 5), 0);
	for (unsigned int i = 0; i < ROUNDS; i++) {
		bad += abuse(i, ports[i % 3], ports[(i + 1) % 3]);
		consume(NULL, 0); /* follows the garbage, bounded */
		ok += ping_pong();
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(ok, ROUNDS);
	printf("hostile: %u rounds of corruption, every op answered, "
	       "%u pings answered\n",
	       ROUNDS, ok);

	/* Cleaned up, the same ports work again. */
	for (unsigned int w = 0; w < WORDS_PER_PAGE; w++)
		array[0][w] = array[1][w] = W_MASKED;
	wmask(ping, false);
	for (unsigned int q = 0; q < EVTCHN_FIFO_MAX_QUEUES; q++)
		cb->head[q] = 0;
	cb->ready = 0;
	CHECK_EQ(set_prio(pa, 3), 0);
	CHECK_EQ(set_prio(pb, 7), 0);
	wmask(pa, false);
	wmask(pb, false);
	CHECK_EQ(ev_send(pb), 0);
	CHECK_EQ(ev_send(pa), 0);
	want[0] = pa, want[1] = pb;
	expect("after the guest cleaned up", want, 2);
	CHECK(ping_pong(), "ping-pong after the clean-up");
}

/*
 * An array page is held as writable: it can never become a page table
 * while the hypervisor writes it (dropped by EVTCHNOP_reset, see there).
 */
static void check_type_reference(void)
{
	pv_test_group("array pages can never become page tables");
	CHECK_EQ(remap_table(false), 0);
	CHECK_EQ(pin_table(), 0); /* a zeroed page we map read-only: it could */
	CHECK_EQ(expand(mfn_of(table)), 0);
	nr_pages++;
	CHECK(pin_table() < 0, "pinned an event-array page as an L1 table");
}

static void check_limit(void)
{
	unsigned int added = 0;
	long rc = 0;

	pv_test_group("the event array's limit");
	/* Xen takes the same frame again: fill pages 2..127 with it. */
	while (added < 2 * MAX_PAGES && !(rc = expand(mfn_of(spare))))
		added++;
	CHECK_EQ(added, MAX_PAGES - nr_pages);
	CHECK_EQ(rc, -ENOSPC);
	CHECK_EQ(expand(BAD_GFN), -ENOSPC); /* full comes first */
	CHECK(ping_pong(), "events still work at the limit");
}

static void check_reset(void)
{
	uint32_t p;

	pv_test_group("EVTCHNOP_reset goes back to 2-level");
	struct evtchn_reset r = { .dom = DOMID_SELF };
	CHECK_EQ(evtchn_op(EVTCHNOP_reset, &r), 0);
	CHECK_EQ(set_prio(1, 0), -ENOSYS);
	CHECK_EQ(expand(mfn_of(array[0])), -EOPNOTSUPP);
	CHECK_EQ(ev_bind_ipi(0, &p), 0);
	CHECK_EQ(ev_send(p), 0);
	CHECK(pv_pending(p), "2-level bits again");
	pv_clear(p);
	CHECK_EQ(pin_table(), 0); /* the array page was let go */
	CHECK_EQ(remap_table(true), 0);
	/* Its frames were let go: they can be registered again. */
	CHECK_EQ(init_control(mfn_of(cb_page), 0, 0, NULL), 0);
	CHECK_EQ(set_prio(p, 0), 0);
}

static void role_fifo(void)
{
	unsigned int ok;
	uint64_t t0;

	pv_events_disable(); /* we read the queues ourselves */
	check_before_switch();
	check_init_errors();
	if (!check_switch()) {
		pv_test_summary();
		return;
	}
	check_priorities();
	check_masked();
	check_close_linked();
	check_high_port();
	bind_peer();
	t0 = pv_now();
	ok = rounds();
	CHECK_EQ(ok, ROUNDS);
	printf("ping-pong: %u round trips, %lu us each\n", ok,
	       (unsigned long)((pv_now() - t0) / NS_PER_US / ROUNDS));
	check_hostile();
	check_type_reference();
	check_limit();
	CHECK_EQ(ev_send(done), 0);
	check_reset();
	pv_test_summary();
}

/* --- role=peer ----------------------------------------------------- */

static volatile unsigned int pings, selfs, dones;
static uint32_t peer_ping, peer_done, peer_self;

static void on_event(uint32_t port)
{
	if (port == peer_ping) {
		pings++;
		ev_send(peer_ping);
	} else if (port == peer_self) {
		selfs++;
	} else if (port == peer_done) {
		dones++;
	}
}

static void role_peer(void)
{
	unsigned int sent = 0, lost = 0;
	uint64_t end = pv_now() + 10 * WAIT_NS;

	pv_test_group("the 2-level neighbour");
	CHECK_EQ(ev_alloc_unbound(DOMID_SELF, 1, &peer_ping), 0);
	CHECK_EQ(ev_alloc_unbound(DOMID_SELF, 1, &peer_done), 0);
	CHECK_EQ(peer_ping, 3);
	CHECK_EQ(peer_done, 4);
	CHECK_EQ(ev_bind_ipi(0, &peer_self), 0);
	pv_bind_handler(peer_ping, on_event);
	pv_bind_handler(peer_done, on_event);
	pv_bind_handler(peer_self, on_event);
	pv_unmask(peer_ping);
	pv_unmask(peer_done);
	pv_unmask(peer_self);
	pv_events_enable();
	while (!dones && pv_now() < end) {
		unsigned int before = selfs;

		uint64_t t;

		ev_send(peer_self);
		sent++;
		t = pv_now() + 100 * NS_PER_MS;
		while (selfs == before && pv_now() < t)
			cpu_relax();
		if (selfs != before + 1)
			lost++;
		sched_yield();
	}
	CHECK(dones, "domain 1 said done");
	CHECK_EQ(lost, 0);
	CHECK_EQ(pings, 2 * ROUNDS + 2); /* every ping domain 1 sent */
	printf("peer: %u pings answered, %u self IPIs, %u lost\n", pings, sent,
	       lost);
	pv_test_summary();
}

void pv_main(void)
{
	if (ev_arg_is("role", "peer"))
		role_peer();
	else
		role_fifo();
}
