/*
 * A domain whose page tables hold as many references as its memory
 * allows, left pinned for its destruction: nearly every frame becomes an
 * L1 table full of read-only mappings (of the same 512 data frames),
 * under L2s and one L3 that stay pinned. Tearing that down is millions
 * of reference drops; the destroyer (the victim, domain 0, destroy=1
 * timer=1) measures how late its 1 ms timer fires during the destroy
 * call: the teardown must stop for it, a batch at a time.
 *
 * mode=pin: the tree is built unpinned; then, between its first and
 * second event to the victim (mm_victim timer=1, which measures how late
 * its own timer fires meanwhile), the L3 is pinned and unpinned twice:
 * each pin validates every entry, each unpin takes them all apart. With
 * our own 1 ms timer running, each such call must stop for it (ticks
 * during the call), and afterwards every frame must be free again.
 *
 * solo=1: no victim (e.g. alone as Xen 4.17's domain 0, the baseline);
 * bench=1 prints the pin and unpin figures as "bench:" lines.
 *
 * Arguments: id=N, our domain id; mode=pin; solo=1; bench=1; events=N,
 * how many events to send the victim when built (default 1).
 */
#include "mmtest.h"

#define MAX_L1 65536
#define DATA 512

static uint64_t data[DATA], l1s[MAX_L1], l2s[MAX_L1 / 512 + 1];
static unsigned int scratch;
static volatile uint64_t ticks, last_tick, max_gap;

static void on_timer(uint32_t port)
{
	uint64_t now = pv_now();

	(void)port;
	ticks++;
	if (last_tick && now - last_tick > max_gap)
		max_gap = now - last_tick;
	last_tick = now;
	HYPERVISOR_set_timer_op(now + 1000000);
}

static void notify(uint32_t port)
{
	if (!pv_arg("solo", 0))
		mm_notify(port);
}

static void start_timer(void)
{
	struct evtchn_bind_virq bv = { VIRQ_TIMER, 0, 0 };

	CHECK_EQ(HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bv), 0);
	pv_bind_handler(bv.port, on_timer);
	pv_unmask(bv.port);
	HYPERVISOR_set_timer_op(pv_now() + 1000000);
	pv_events_enable();
}

/* A call over the whole tree is timed while our timer ticks. */
static uint64_t window_t0, window_n0;

static void window_open(void)
{
	last_tick = window_t0 = pv_now();
	window_n0 = ticks;
	max_gap = 0;
}

static void window_close(const char *what)
{
	uint64_t ms = (pv_now() - window_t0) / 1000000, n = ticks - window_n0;

	printf("bigtree: %s in %lu ms, %lu timer ticks meanwhile, longest gap "
	       "%lu us\n",
	       what, ms, n, max_gap / 1000);
	if (pv_arg("bench", 0)) {
		printf("bench: bigtree_%s_ms = %lu ms\n", what, ms);
		printf("bench: bigtree_%s_timer_gap = %lu us\n", what,
		       max_gap / 1000);
	}
	/* A call that never stopped would let no tick through at all. */
	CHECK(ms < 20 || n >= ms / 20, "%s: %lu ticks in %lu ms", what, n, ms);
}

/* One pin or unpin of the whole tree. */
static void timed(unsigned int cmd, uint64_t mfn, const char *what)
{
	window_open();
	CHECK_EQ(mm_ext(cmd, mfn, 0), 0);
	window_close(what);
}

/* mode=pin: pin and unpin the tree twice, then every frame is free. */
static void cr3_round(uint64_t l3);
static void initialise_round(uint64_t l3);

static void pin_rounds(uint64_t l3, unsigned int nr_l1, unsigned int nr_l2,
		       uint32_t port)
{
	unsigned int busy = 0;

	start_timer();
	notify(port);
	pv_test_group("pinning and unpinning the whole tree stops for events");
	for (int r = 0; r < 2; r++) {
		timed(MMUEXT_PIN_L3_TABLE, l3, "pin");
		timed(MMUEXT_UNPIN_TABLE, l3, "unpin");
	}
	pv_test_group("a MOV to CR3 validating the whole tree stops too");
	cr3_round(l3);
	notify(port);
	pv_test_group("after the last unpin, every table is free");
	for (unsigned int i = 0; i < nr_l1 + nr_l2; i++) {
		uint64_t mfn = i < nr_l1 ? l1s[i] : l2s[i - nr_l1];

		if (mm_map(scratch, mfn, PTE_PAGE_RW))
			busy++;
		else
			mm_unmap(scratch);
	}
	CHECK(!busy, "%u of %u tables still typed", busy, nr_l1 + nr_l2);
	if (pv_arg("vcpus", 1) > 1) {
		pv_test_group(
		    "VCPUOP_initialise with the whole tree stops too");
		initialise_round(l3);
	}
}

/* Write a table's 512 entries through a temporary writable mapping. */
static void fill(uint64_t mfn, const uint64_t *targets, unsigned int n,
		 uint64_t flags)
{
	uint64_t *t = mm_va(scratch);

	if (mm_map(scratch, mfn, PTE_PAGE_RW))
		pv_panic("cannot map %#lx", mfn);
	for (unsigned int i = 0; i < n; i++)
		t[i] = (targets[i] << 12) | flags;
	mm_unmap(scratch);
}

void pv_main(void)
{
	unsigned int id = (unsigned int)mm_arg("id", 1);
	uint32_t port = pv_arg("solo", 0) ? 0 : mm_bind_victim(id);
	unsigned int nr_l1, nr_l2;
	uint64_t l3, t0 = pv_now();
	char mode[8] = "";
	bool pin_mode =
	    pv_arg_str("mode", mode, sizeof(mode)) && !memcmp(mode, "pin", 4);

	mm_init(1);
	scratch = mm_alloc_idx(1);
	for (unsigned int i = 0; i < DATA; i++)
		data[i] = mm_alloc();
	/* What is left: L1s, one L2 per 512 of them, the L3, a few L4s. */
	nr_l1 = (unsigned int)((mm.end_pfn - mm.next_pfn - 8) * 512 / 513);
	if (nr_l1 > MAX_L1)
		nr_l1 = MAX_L1;
	nr_l2 = (nr_l1 + 511) / 512;
	for (unsigned int i = 0; i < nr_l1; i++) {
		l1s[i] = mm_alloc();
		fill(l1s[i], data, DATA, PTE_P | PTE_A);
	}
	pv_test_group("a tree of millions of references, pinned");
	for (unsigned int j = 0; j < nr_l2; j++) {
		unsigned int n = nr_l1 - j * 512 < 512 ? nr_l1 - j * 512 : 512;

		l2s[j] = mm_alloc();
		fill(l2s[j], l1s + j * 512, n, PTE_TABLE);
		if (!pin_mode)
			CHECK_EQ(mm_ext(MMUEXT_PIN_L2_TABLE, l2s[j], 0), 0);
	}
	l3 = mm_alloc();
	fill(l3, l2s, nr_l2, PTE_TABLE);
	if (pin_mode) {
		pin_rounds(l3, nr_l1, nr_l2, port);
		pv_test_summary();
		return;
	}
	CHECK_EQ(mm_ext(MMUEXT_PIN_L3_TABLE, l3, 0), 0);
	printf("bigtree: %u L1 tables (%u entries) under %u L2s, built in "
	       "%lu ms\n",
	       nr_l1, nr_l1 * DATA, nr_l2, (pv_now() - t0) / 1000000);
	pv_test_summary();
	/* Apart, or the victim would see two sends as one pending event. */
	for (long n = pv_arg("events", 1); n > 0; n--) {
		notify(port);
		mm_spin_ms(50);
	}
}

/*
 * Load, by MOV to CR3, a new L4 with our own slots and the big L3 at slot
 * 302: its validation stops for our timer and the instruction runs again
 * until done; then back to our L4, leaving the new one to be taken apart
 * (finished before our next memory call).
 */
/* A new L4: our own slots, and l3 at slot 302. */
static uint64_t big_l4(uint64_t l3)
{
	uint64_t l4 = mm_alloc();
	const uint64_t *cur = (const uint64_t *)start_info->pt_base;

	if (mm_map(scratch, l4, PTE_PAGE_RW))
		pv_panic("cannot map %#lx", l4);
	for (unsigned int i = 0; i < 512; i++)
		mm_va(scratch)[i] = i == 302 ? (l3 << 12) | PTE_TABLE : cur[i];
	mm_unmap(scratch);
	return l4;
}

static void cr3_round(uint64_t l3)
{
	uint64_t l4 = big_l4(l3);

	window_open();
	asm volatile("mov %0, %%cr3" : : "r"(l4 << 12) : "memory");
	window_close("mov_cr3");
	asm volatile("mov %0, %%cr3" : : "r"(mm.l4_mfn << 12) : "memory");
}

/*
 * VCPUOP_initialise of our second vCPU with the big tree as its root
 * (it is never brought up, and keeps the tree until we die): the
 * validation stops for our timer and the call continues.
 */
static struct vcpu_guest_context ctx1;
static uint8_t stack1[4096] __attribute__((aligned(16)));

static void initialise_round(uint64_t l3)
{
	mm_vcpu_context(&ctx1, pv_main, stack1, sizeof(stack1), big_l4(l3));
	window_open();
	CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_initialise, 1, &ctx1), 0);
	window_close("vcpu_initialise");
}
