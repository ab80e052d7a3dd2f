/*
 * The victim of the memory attacks (run as domain 0). It fills every free
 * frame it owns with a pattern derived from the frame's pfn, checksums its
 * code, p2m, start_info and page tables, and keeps checking all of it
 * while the hostile domains 1..peers attack, until each has sent its
 * "done" event on the port it was offered (see mmtest.h). Any change is
 * reported as a failure.
 *
 * Arguments: peers=N (default 1); events=K, events each peer sends
 * (default 1); timer=1 also measures its one-shot timer's lateness
 * between domain 1's first and second events (the hog's batch);
 * destroy=N destroys domain N (domctl) once it has sent its events;
 * with timer=1 the window measured is then the destroy call itself
 * (window_peer=1 keeps it between domain 1's events); reuse=D then
 * creates a new domain with N's id, which grants domain D the ref
 * (MM_REF_REUSE) D still maps of the destroyed one, and checks that D's
 * unmap of the old mapping leaves the new grant's pin alone. In timer
 * mode each tick also times one mmu_update of our own (mmu_max=MS: none
 * may take that long); bench=1 prints the figures as "bench:" lines for
 * bench/run.py.
 * base=D: the peers are domains D..D+peers-1 (default 1, the victim being
 * domain 0); maxlate=MS checks the timer's lateness over the whole wait,
 * memory checks included: never more than MS ms late (the fuzzers' run);
 * wait=S: how long to wait for the peers (default 600 s); probe_dying=1
 * (with destroy=N timer=1): each tick during the destroy asks for a frame
 * for domain N, which must be refused while it is dying.
 */
#include <xen/domctl.h>
#include "mmtest.h"

#define PERIOD_NS 1000000UL /* the timer's period in timer mode */

extern char _image_start[];
static volatile int data_marker __attribute__((section(".data"))) = 1;

static unsigned int nr_peers, events_each, peer_base;
static uint32_t peer_port[8];
static volatile unsigned int peer_events[8];

static uint64_t pattern_first_idx, pattern_pfn0, pattern_frames;

static volatile uint64_t deadline, window_start, window_end;
static volatile uint64_t ticks_in_window, max_late, ticks;
static uint32_t timer_port;
static bool timer_mode;
static bool destroying; /* destroy=N: the timer window is the destroy */
static uint64_t mmu_max, mmu_sum, mmu_n; /* in-window mmu_update times */

/* One mmu_update of our own (a PTE rewritten as it is), timed. */
static void time_mmu_update(void)
{
	uint64_t ma = mm_pte_ma((unsigned int)pattern_first_idx), t0;

	t0 = pv_now();
	if (mm_update(ma, *mm_pte((unsigned int)pattern_first_idx)))
		return;
	t0 = pv_now() - t0;
	mmu_max = t0 > mmu_max ? t0 : mmu_max;
	mmu_sum += t0;
	mmu_n++;
}
static uint64_t max_late_ms; /* maxlate=: bound over the whole wait */

static inline uint64_t pattern(uint64_t pfn, uint64_t word)
{
	return ((pfn << 20) | word) * 0x9E3779B97F4A7C15UL + 0x5bd1e995UL;
}

static uint64_t checksum(const void *p, size_t bytes, uint64_t mask)
{
	const uint64_t *w = p;
	uint64_t sum = 0;

	for (size_t i = 0; i < bytes / 8; i++)
		sum = (sum ^ (w[i] & mask)) * 0x100000001b3UL + i;
	return sum;
}

/* Everything constant: code and rodata, p2m, start_info, page tables. */
static uint64_t checksum_all(void)
{
	uint64_t text_end = (uint64_t)&data_marker & ~4095UL;
	uint64_t sum;

	sum = checksum(_image_start, text_end - (uint64_t)_image_start, ~0UL);
	sum ^= checksum(pv_p2m, start_info->nr_pages * 8, ~0UL) * 3;
	sum ^= checksum(start_info, 4096, ~0UL) * 5;
	/* The CPU sets accessed/dirty bits in page tables: ignore them. */
	sum ^= checksum((void *)start_info->pt_base,
			start_info->nr_pt_frames * 4096, ~(PTE_A | PTE_D)) *
	       7;
	for (unsigned int i = 0; i < mm.nr_l1; i++)
		sum ^= checksum(mm_va(i), 4096, ~(PTE_A | PTE_D)) * (11 + i);
	return sum;
}

/* Map every remaining free frame at scratch pages and fill it. */
static void fill_pattern(void)
{
	struct mmu_update req[512];
	uint64_t n = 0;

	pattern_first_idx = mm.next_idx;
	pattern_pfn0 = mm.next_pfn;
	while (mm.next_pfn < mm.end_pfn && mm.next_idx < mm.nr_l1 * 512) {
		unsigned int k = 0;

		while (k < 512 && mm.next_pfn < mm.end_pfn &&
		       mm.next_idx < mm.nr_l1 * 512) {
			uint64_t pfn = mm_alloc_pfn();
			unsigned int idx = mm_alloc_idx(1);

			req[k].ptr = mm_pte_ma(idx);
			req[k].val = (pv_p2m[pfn] << 12) | PTE_PAGE_RW;
			k++;
		}
		if (HYPERVISOR_mmu_update(req, k, NULL, DOMID_SELF))
			pv_panic("cannot map the pattern frames");
		n += k;
	}
	pattern_frames = n;
	for (uint64_t f = 0; f < n; f++) {
		uint64_t *p = mm_va(pattern_first_idx + f);

		for (uint64_t w = 0; w < 512; w++)
			p[w] = pattern(pattern_pfn0 + f, w);
	}
}

static uint64_t verify_frames(uint64_t first, uint64_t n)
{
	uint64_t bad = 0;

	for (uint64_t f = first; f < first + n && f < pattern_frames; f++) {
		const uint64_t *p = mm_va(pattern_first_idx + f);

		for (uint64_t w = 0; w < 512; w++)
			if (p[w] != pattern(pattern_pfn0 + f, w)) {
				if (!bad)
					printf("victim: pfn %#lx word %lu is "
					       "%#lx\n",
					       pattern_pfn0 + f, w, p[w]);
				bad++;
			}
	}
	return bad;
}

/* The window's ticks by lateness, in 100 us steps (the last: 100 ms+). */
#define LATE_STEP_NS 100000UL
#define LATE_BUCKETS 1001
static uint32_t late_hist[LATE_BUCKETS];

static void note_late(uint64_t late)
{
	uint64_t b = late / LATE_STEP_NS;

	late_hist[b < LATE_BUCKETS ? b : LATE_BUCKETS - 1]++;
}

/* The lateness (us, bucket's upper bound) that pct% of the ticks beat. */
static uint64_t late_percentile(unsigned int pct)
{
	uint64_t need = (ticks_in_window * pct + 99) / 100, seen = 0;

	for (unsigned int b = 0; b < LATE_BUCKETS; b++) {
		seen += late_hist[b];
		if (seen >= need)
			return (b + 1) * LATE_STEP_NS / 1000;
	}
	return LATE_BUCKETS * LATE_STEP_NS / 1000;
}

/*
 * probe_dying=1: at each tick during the destroy call, ask for a frame
 * for the domain being destroyed (its teardown stops for our timer, so
 * the domain is dying meanwhile): it must never get one.
 */
static unsigned int dying_target;
static uint64_t dying_refused, dying_gone, dying_granted;

static void probe_dying(void)
{
	uint64_t pfn = 0x100;
	struct xen_memory_reservation r = {
		.extent_start = (uint64_t)&pfn,
		.nr_extents = 1,
		.domid = (domid_t)dying_target,
	};
	long rc;

	rc = HYPERVISOR_memory_op(XENMEM_populate_physmap, &r);
	if (rc == 0)
		dying_refused++;
	else if (rc < 0)
		dying_gone++;
	else
		dying_granted++;
}

static void on_timer(uint32_t port)
{
	uint64_t now = pv_now();

	(void)port;
	ticks++;
	if (window_start && !window_end && now > deadline) {
		ticks_in_window++;
		if (now - deadline > max_late)
			max_late = now - deadline;
		note_late(now - deadline);
		time_mmu_update();
		if (dying_target && destroying)
			probe_dying();
	}
	deadline = now + PERIOD_NS;
	HYPERVISOR_set_timer_op(deadline);
}

static void on_peer(uint32_t port)
{
	for (unsigned int i = 0; i < nr_peers; i++) {
		if (peer_port[i] != port)
			continue;
		peer_events[i]++;
		if (i == 0 && timer_mode && !destroying) {
			if (peer_events[i] == 1)
				window_start = pv_now();
			else if (peer_events[i] == 2)
				window_end = pv_now();
		}
	}
}

static unsigned int reuse; /* reuse=D: D sends one event more */

static bool all_done(void)
{
	for (unsigned int i = 0; i < nr_peers; i++)
		if (peer_events[i] < events_each + (i + 1 == reuse))
			return false;
	return true;
}

static void offer_ports(void)
{
	for (unsigned int i = 0; i < nr_peers; i++) {
		struct evtchn_alloc_unbound a = { DOMID_SELF,
						  (domid_t)(peer_base + i), 0 };

		CHECK_EQ(
		    HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a), 0);
		CHECK_EQ(a.port, 3 + i);
		peer_port[i] = a.port;
		pv_bind_handler(a.port, on_peer);
		pv_unmask(a.port);
	}
}

static long domctl(struct xen_domctl *op)
{
	op->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
	return HYPERCALL1(__HYPERVISOR_domctl, op);
}

static bool wait_until(volatile uint32_t *p, uint32_t mask, uint32_t want)
{
	uint64_t end = pv_now() + 120000000000UL;

	while ((__atomic_load_n(p, __ATOMIC_ACQUIRE) & mask) != want)
		if (pv_now() > end)
			return false;
		else
			mm_yield();
	return true;
}

/* Map a frame of domain id at scratch page idx (a foreign mapping). */
static long map_foreign(unsigned int idx, uint64_t mfn, unsigned int id)
{
	struct mmu_update u = { mm_pte_ma(idx), (mfn << 12) | PTE_PAGE_RW };

	return HYPERVISOR_mmu_update(&u, 1, NULL, (domid_t)id);
}

/*
 * reuse=D: domain id was destroyed while D mapped its ref MM_REF_REUSE.
 * A new domain gets the same id and grants D the same ref of a page of
 * its own (the page's first words are a mailbox with D). D maps it, then
 * unmaps its old mapping: the new grant must stay marked in use.
 */
static void reuse_domid(unsigned int id, unsigned int grantee,
			unsigned int idx)
{
	struct xen_domctl op;
	uint64_t page = 0, gframe = 0, end = pv_now() + 60000000000UL;
	struct gnttab_setup_table st = { (domid_t)id, 1, 0, (uint64_t)&gframe };
	struct xen_memory_reservation r = {
		.extent_start = (uint64_t)&page, .nr_extents = 1,
		.domid = (domid_t)id,
	};
	struct grant_entry_v1 *gt = (struct grant_entry_v1 *)mm_va(idx);
	volatile uint32_t *box = (volatile uint32_t *)mm_va(idx + 1);
	long rc;

	pv_test_group("victim: a new domain gets the destroyed one's id");
	/* D's first event: it has seen the old domain gone. */
	while (!peer_events[grantee - 1] && pv_now() < end)
		mm_yield();
	CHECK(peer_events[grantee - 1], "domain %u never saw %u gone", grantee,
	      id);
	do { /* the old one's id is free once it is gone entirely */
		op = (struct xen_domctl){ .cmd = XEN_DOMCTL_createdomain,
					  .domain = (domid_t)id };
		op.u.createdomain.max_vcpus = 1;
		rc = domctl(&op);
		if (rc)
			mm_spin_ms(5);
	} while (rc && pv_now() < end);
	CHECK_EQ(rc, 0);
	CHECK_EQ(op.domain, id);
	op = (struct xen_domctl){ .cmd = XEN_DOMCTL_max_mem,
				  .domain = (domid_t)id };
	op.u.max_mem.max_memkb = 64;
	CHECK_EQ(domctl(&op), 0);
	CHECK_EQ(HYPERVISOR_memory_op(XENMEM_populate_physmap, &r), 1);
	CHECK_EQ(HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1), 0);
	CHECK_EQ(st.status, GNTST_okay);
	if (map_foreign(idx, gframe, id) || map_foreign(idx + 1, page, id)) {
		CHECK(false, "cannot map domain %u's grant table and page", id);
		return;
	}
	memset((void *)box, 0, 4096);
	gt[MM_REF_REUSE].domid = (domid_t)grantee;
	gt[MM_REF_REUSE].frame = (uint32_t)page;
	__atomic_store_n(&gt[MM_REF_REUSE].flags, GTF_permit_access,
			 __ATOMIC_RELEASE);
	/* D maps the new grant, unmaps the old mapping, and says so. */
	CHECK(wait_until(&box[0], ~0U, 1), "domain %u never unmapped", grantee);
	CHECK_EQ(gt[MM_REF_REUSE].flags & (GTF_reading | GTF_writing),
		 GTF_reading | GTF_writing);
	printf("victim: new domain %u's grant still in use after the old "
	       "mapping went\n", id);
	__atomic_store_n(&box[1], 1, __ATOMIC_RELEASE);
	CHECK(wait_until((volatile uint32_t *)&gt[MM_REF_REUSE].flags,
			 GTF_reading | GTF_writing, 0),
	      "domain %u never unmapped the new grant", grantee);
	CHECK_EQ(mm_unmap(idx), 0);
	CHECK_EQ(mm_unmap(idx + 1), 0);
	op = (struct xen_domctl){ .cmd = XEN_DOMCTL_destroydomain,
				  .domain = (domid_t)id };
	CHECK_EQ(domctl(&op), 0);
}

/* destroy=N: domain N is destroyed as soon as it reports done. */
static void destroy_when_done(unsigned int id, bool *done,
			      unsigned int reuse, unsigned int idx)
{
	struct xen_domctl op = {
		.cmd = XEN_DOMCTL_destroydomain,
		.interface_version = XEN_DOMCTL_INTERFACE_VERSION,
		.domain = (domid_t)id,
	};

	if (*done || !id || id > nr_peers || peer_events[id - 1] < events_each)
		return;
	*done = true;
	if (pv_arg("probe_dying", 0)) {
		/* Room to grow, so only its dying can refuse it a frame. */
		struct xen_domctl mm = { .cmd = XEN_DOMCTL_max_mem,
					 .domain = (domid_t)id };

		mm.interface_version = XEN_DOMCTL_INTERFACE_VERSION;
		mm.u.max_mem.max_memkb = 1024 * 1024;
		CHECK_EQ(HYPERCALL1(__HYPERVISOR_domctl, &mm), 0);
		dying_target = id;
	}
	if (timer_mode && destroying)
		window_start = pv_now();
	CHECK_EQ(HYPERCALL1(__HYPERVISOR_domctl, &op), 0);
	if (timer_mode && destroying)
		window_end = pv_now();
	printf("victim: destroyed domain %u\n", id);
	if (dying_target) {
		printf("victim: while it was dying: %lu frames refused, %lu "
		       "granted, %lu calls after it was gone\n",
		       dying_refused, dying_granted, dying_gone);
		CHECK(dying_refused > 0, "no reservation while it was dying");
		CHECK(dying_granted == 0, "a dying domain got %lu frames",
		      dying_granted);
	}
	if (reuse)
		reuse_domid(id, reuse, idx);
}

static void start_timer(void)
{
	struct evtchn_bind_virq bv = { VIRQ_TIMER, 0, 0 };

	CHECK_EQ(HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bv), 0);
	timer_port = bv.port;
	pv_bind_handler(bv.port, on_timer);
	pv_unmask(bv.port);
	deadline = pv_now() + PERIOD_NS;
	HYPERVISOR_set_timer_op(deadline);
}

void pv_main(void)
{
	uint64_t sum0, sum1, bad = 0, rounds = 0, cursor = 0;
	uint64_t give_up =
	    pv_now() + (uint64_t)mm_arg("wait", 600) * 1000000000UL;
	unsigned int destroy = (unsigned int)mm_arg("destroy", 0);
	unsigned int idx = 0;
	bool destroyed = false;

	nr_peers = (unsigned int)mm_arg("peers", 1);
	reuse = (unsigned int)mm_arg("reuse", 0);
	peer_base = (unsigned int)mm_arg("base", 1);
	max_late_ms = (uint64_t)mm_arg("maxlate", 0);
	events_each = (unsigned int)mm_arg("events", 1);
	timer_mode = mm_arg("timer", 0);
	destroying = destroy != 0 && !pv_arg("window_peer", 0);
	if (nr_peers > ARRAY_SIZE(peer_port))
		nr_peers = ARRAY_SIZE(peer_port);

	pv_test_group("victim set-up");
	offer_ports();
	mm_init(0);
	if (reuse)
		idx = mm_alloc_idx(2); /* before the pattern takes them all */
	fill_pattern();
	sum0 = checksum_all();
	printf("victim: %lu frames (%lu MiB) hold the pattern; waiting for %u "
	       "peer(s)\n",
	       pattern_frames, pattern_frames >> 8, nr_peers);
	start_timer();
	if (max_late_ms)
		window_start = pv_now();
	pv_events_enable();

	while (!all_done() && pv_now() < give_up) {
		destroy_when_done(destroy, &destroyed, reuse, idx);
		/* Measuring the timer, we only sleep: checks come at the end. */
		if (!timer_mode) {
			bad += verify_frames(cursor, 256);
			cursor =
			    cursor + 256 >= pattern_frames ? 0 : cursor + 256;
			if (!cursor)
				rounds++;
		}
		pv_block();
	}

	if (max_late_ms)
		window_end = pv_now();
	destroy_when_done(destroy, &destroyed, reuse, idx);
	CHECK(!destroy || destroyed, "domain %u was not destroyed", destroy);
	pv_test_group("victim memory unchanged");
	CHECK(all_done(), "peers did not finish in time");
	bad += verify_frames(0, pattern_frames);
	sum1 = checksum_all();
	CHECK(bad == 0, "%lu pattern words changed", bad);
	CHECK(sum0 == sum1, "code/p2m/start_info/page tables changed");
	printf("victim: pattern intact in %lu frames, %lu full rounds, %lu "
	       "timer ticks\n",
	       pattern_frames, rounds, ticks);
	if (timer_mode) {
		uint64_t len = window_end - window_start;

		CHECK(window_start && window_end, "no batch window seen");
		printf("victim: timer: %lu ticks during the %lu ms batch, max "
		       "lateness %lu us\n",
		       ticks_in_window, len / 1000000, max_late / 1000);
		printf("victim: mmu_update meanwhile: %lu calls, avg %lu us, "
		       "max %lu us\n",
		       mmu_n, mmu_n ? mmu_sum / mmu_n / 1000 : 0,
		       mmu_max / 1000);
		if (pv_arg("bench", 0)) {
			printf("bench: victim_timer_max_late = %lu us\n",
			       max_late / 1000);
			printf("bench: victim_timer_p50_late = %lu us\n",
			       late_percentile(50));
			printf("bench: victim_timer_p99_late = %lu us\n",
			       late_percentile(99));
			printf("bench: victim_ticks_per_s = %lu 1/s\n",
			       len ? ticks_in_window * 1000000000UL / len : 0);
			printf("bench: victim_mmu_update_max = %lu us\n",
			       mmu_max / 1000);
			printf("bench: victim_mmu_update_avg = %lu ns\n",
			       mmu_n ? mmu_sum / mmu_n : 0);
		}
		/*
		 * Round robin gives the hog a share, but never a long stall:
		 * a batch that held the CPU would delay the timer by most of
		 * one of the hog's four batches. (The bound is relative:
		 * under TCG a loaded host stretches everything alike.)
		 */
		CHECK(ticks_in_window >= len / PERIOD_NS / 20,
		      "only %lu ticks in %lu ms", ticks_in_window,
		      len / 1000000);
		CHECK(max_late < len / 5,
		      "timer %lu us late in a %lu ms window", max_late / 1000,
		      len / 1000000);
		/* mmu_max=MS: our own mmu_update never waited longer (on a
		 * CPU of its own, only the page-type lock can hold it up). */
		if (pv_arg("mmu_max", 0))
			CHECK(mmu_max / 1000000 < (uint64_t)pv_arg("mmu_max", 0),
			      "an mmu_update took %lu us", mmu_max / 1000);
	}
	if (max_late_ms) {
		uint64_t len = window_end - window_start;

		printf("victim: timer: %lu ticks in %lu ms, max lateness %lu "
		       "us\n",
		       ticks_in_window, len / 1000000, max_late / 1000);
		CHECK(ticks_in_window >= len / PERIOD_NS / 20,
		      "only %lu ticks in %lu ms", ticks_in_window,
		      len / 1000000);
		CHECK(max_late < max_late_ms * 1000000,
		      "timer %lu us late (bound %lu ms)", max_late / 1000,
		      max_late_ms);
	}
	pv_test_summary();
}
