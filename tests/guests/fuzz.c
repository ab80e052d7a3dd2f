/*
 * A hypercall fuzzer: calls every hypercall and sub-operation the
 * hypervisor implements with random, boundary and hostile arguments
 * (fuzz_gen.h), while a victim domain checks its memory and timers
 * (mm_victim.c). Nothing it does may crash the hypervisor, touch another
 * domain, or stop domain 0; a filter keeps it from hurting itself.
 *
 * Arguments: seed=S (the PRNG's seed, printed; a seed replays a run),
 * calls=N (top-level calls, default 100000), victim=D (the victim's
 * domain id), first=D and nfuzz=N (the fuzzers' ids: first..first+N-1),
 * index=I (ours is first+I; the victim offers us its port 3+I and we send
 * one event there when done), every=N (progress line every N calls),
 * trace=N (print every call from call N on: replay up to a crash),
 * tracewait=MS (pause after each traced call, default 8: the hypervisor
 * drops an unprivileged guest's console output beyond 16 KiB/s, and an
 * unpaced trace lost most lines, the result lines too),
 * storm=N (the fixed case's flushing grant unmaps, default 20000).
 *
 * Then the fixed cases: hostile calls that once broke the hypervisor.
 */
#include "fuzz_gen.h"

#define RING 16

extern char pv_event_entry[], pv_failsafe_entry[], pv_syscall_entry[];

struct fz_entry {
	uint64_t nr;
	fz_gen gen;
	unsigned int weight;
	bool mc_ok; /* may be a multicall entry */
};

static void g_multicall(struct fz_call *c, bool in_mc);

#define E(name, w, mc)                               \
	{                                            \
		__HYPERVISOR_##name, g_##name, w, mc \
	}
static const struct fz_entry table[] = {
	E(set_trap_table, 2, false),
	E(mmu_update, 12, true),
	E(set_gdt, 3, true),
	E(stack_switch, 2, true),
	E(set_callbacks, 2, false),
	E(fpu_taskswitch, 1, true),
	E(set_debugreg, 2, true),
	E(get_debugreg, 1, true),
	E(update_descriptor, 4, true),
	E(memory_op, 8, true),
	E(multicall, 5, false),
	E(update_va_mapping, 8, true),
	E(set_timer_op, 2, true),
	E(xen_version, 3, true),
	E(console_io, 1, true),
	E(grant_table_op, 10, true),
	E(vm_assist, 1, true),
	E(update_va_mapping_otherdomain, 3, true),
	E(vcpu_op, 6, true),
	E(set_segment_base, 3, true),
	E(mmuext_op, 12, true),
	E(sched_op, 3, true),
	E(callback_op, 2, false),
	E(event_channel_op, 8, true),
	E(physdev_op, 2, true),
	E(hvm_op, 2, true),
	E(sysctl, 2, true),
	E(domctl, 3, true),
	{ 0, g_other, 2, true },
};
static unsigned int total_weight;

static const struct fz_entry *pick(bool in_mc)
{
	for (;;) {
		uint64_t w = rn(total_weight);

		for (unsigned int i = 0; i < ARRAY_SIZE(table); i++) {
			if (w < table[i].weight) {
				if (in_mc && !table[i].mc_ok)
					break;
				return &table[i];
			}
			w -= table[i].weight;
		}
	}
}

static void gen_call(struct fz_call *c, bool in_mc)
{
	const struct fz_entry *e = pick(in_mc);

	memset(c, 0, sizeof(*c));
	c->nr = e->nr;
	e->gen(c, in_mc);
}

static void g_multicall(struct fz_call *c, bool in_mc)
{
	unsigned int n = 1 + (unsigned int)rn(12);
	struct multicall_entry *mc = arena_alloc(n * sizeof(*mc));

	(void)in_mc;
	if (!mc || chance(5)) {
		c->a[0] = chance(50) ? r_unreadable_ptr() : 0;
		c->a[1] = r_count();
		return;
	}
	for (unsigned int i = 0; i < n; i++) {
		struct fz_call e;

		gen_call(&e, true);
		mc[i].op = e.nr;
		mc[i].result = rnd();
		memcpy(mc[i].args, e.a, sizeof(e.a));
		mc[i].args[5] = r_word();
	}
	c->a[0] = (uint64_t)mc;
	/* Never more entries than we made: the rest would be unfiltered. */
	c->a[1] = chance(90) ? n : rn(n + 1);
}

/* --- Replay and logging --------------------------------------------------- */

static struct fz_call ring[RING];
static uint64_t ring_no[RING];
static uint64_t ncalls, trace_from = ~0UL, trace_wait;
static uint64_t nr_calls[64], nr_ok[64];

static void print_call(const char *why, uint64_t no, const struct fz_call *c)
{
	printf("fuzz: %s #%lu: hc %lu (%#lx, %#lx, %#lx, %#lx, %#lx)\n", why,
	       no, c->nr, c->a[0], c->a[1], c->a[2], c->a[3], c->a[4]);
}

static void print_ring(void)
{
	printf("fuzz: seed %lu, the last calls:\n", fz.seed);
	for (unsigned int i = 0; i < RING; i++) {
		unsigned int k = (unsigned int)((ncalls + 1 + i) % RING);
		if (ring_no[k] || k == 0)
			print_call("call", ring_no[k], &ring[k]);
	}
}

/* Let the console's rate limit refill (bounded, should time stand still). */
static void console_refill(void)
{
	uint64_t end = pv_now() + 1100000000UL;

	for (unsigned int i = 0; i < 1000000 && pv_now() < end; i++)
		mm_yield();
}

static void on_trap(struct pv_frame *f)
{
	console_refill(); /* the ring must not be lost */
	print_ring();
	pv_panic("fuzz: trap %lu (error %#lx) at %#lx, cr2 %#lx", f->vector,
		 f->error_code, f->rip, pv_vcpu_info()->arch.cr2);
}

/* --- Undoing what a call may have changed ------------------------------- */

static void restore_callbacks(void)
{
	struct callback_register ev = { CALLBACKTYPE_event, 0,
					(uint64_t)pv_event_entry };
	struct callback_register fs = { CALLBACKTYPE_failsafe, 0,
					(uint64_t)pv_failsafe_entry };
	struct callback_register sc = { CALLBACKTYPE_syscall,
					CALLBACKF_mask_events,
					(uint64_t)pv_syscall_entry };
	struct callback_unregister nmi = { CALLBACKTYPE_nmi, 0 };

	if (HYPERVISOR_callback_op(CALLBACKOP_register, &ev) ||
	    HYPERVISOR_callback_op(CALLBACKOP_register, &fs) ||
	    HYPERVISOR_callback_op(CALLBACKOP_register, &sc))
		pv_panic("fuzz: cannot restore the callbacks");
	/* We had none for NMIs: a fuzzed one would catch VCPUOP_send_nmi. */
	HYPERVISOR_callback_op(CALLBACKOP_unregister, &nmi);
}

static void restore(long rc)
{
	unsigned int post = fz.post;

	fz.post = 0;
	if (post & FZ_POST_TRAPS && pv_load_trap_table())
		pv_panic("fuzz: cannot restore the trap table");
	if (post & FZ_POST_CALLBACKS)
		restore_callbacks();
	if (post & FZ_POST_DEBUG)
		HYPERCALL2(__HYPERVISOR_set_debugreg, 7, 0);
	if (post & FZ_POST_SEGBASE) {
		HYPERVISOR_set_segment_base(SEGBASE_FS, 0);
		HYPERVISOR_set_segment_base(SEGBASE_GS_USER, 0);
		HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL, 0);
	}
	if (post & FZ_POST_PERIODIC)
		HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
	if (post & FZ_POST_FPU)
		HYPERVISOR_fpu_taskswitch(0);
	if (post & FZ_POST_WATCHDOG && rc > 0) {
		uint32_t w[2] = { (uint32_t)rc, 0 };
		HYPERVISOR_sched_op(SCHEDOP_watchdog, w);
	}
}

/* --- The loop --------------------------------------------------------------- */

static void one_call(void)
{
	unsigned int k = (unsigned int)(ncalls % RING);
	struct fz_call *c = &ring[k];
	long rc;

	fz.arena_used = 0;
	if (chance(1))
		fz_scramble_grants();
	gen_call(c, false);
	ring_no[k] = ncalls;
	if (ncalls >= trace_from) {
		print_call("call", ncalls, c);
		if (trace_wait)
			mm_spin_ms((unsigned int)trace_wait);
	}
	rc = _hypercall(c->nr, c->a[0], c->a[1], c->a[2], c->a[3], c->a[4]);
	/* Events stay masked (SCHEDOP_block unmasks them). */
	pv_vcpu_info()->evtchn_upcall_mask = 1;
	restore(rc);
	if (c->nr < 64) {
		nr_calls[c->nr]++;
		nr_ok[c->nr] += rc >= 0;
	}
	ncalls++;
}

/* --- Set-up ----------------------------------------------------------------- */

static void on_timer(uint32_t port)
{
	(void)port;
}

static void setup_grants(void)
{
	struct gnttab_setup_table s = { DOMID_SELF, FZ_GNT_FRAMES, 0,
					(uint64_t)fz.gnt_mfn };

	if (HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &s, 1) || s.status)
		return;
	for (unsigned int i = 0; i < FZ_GNT_FRAMES; i++)
		if (mm_map(FZ_IDX_GNT + i, fz.gnt_mfn[i], PTE_PAGE_RW))
			return;
		else
			fz.gnt_frames = i + 1;
}

static uint32_t bind_victim(void)
{
	struct evtchn_bind_interdomain b;
	uint64_t deadline = pv_now() + 60000000000UL;

	for (;;) {
		b.remote_dom = (domid_t)fz.victim;
		b.remote_port = 3 + fz.self - fz.first;
		if (!HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &b))
			return b.local_port;
		if (pv_now() > deadline)
			pv_panic("fuzz: victim d%u never offered port %u",
				 fz.victim, 3 + fz.self - fz.first);
		mm_spin_ms(2);
	}
}

static struct vcpu_info my_vcpu_info __attribute__((aligned(64)));

static void setup(void)
{
	struct evtchn_bind_virq bv = { VIRQ_TIMER, 0, 0 };

	mm_init(FZ_NR_L1);
	for (uint64_t pfn = 0; pfn < start_info->nr_pages; pfn++)
		if (pv_p2m[pfn] < FZ_MAX_MFNS)
			fz_mine[pv_p2m[pfn] / 64] |= 1UL << (pv_p2m[pfn] % 64);
	fz.max_mfn =
	    (uint64_t)HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);
	for (unsigned int i = 0; i < FZ_POOL; i++) {
		fz.pool[i] = mm_alloc();
		fz.role[i] = (uint8_t)(1 + i % 4);
	}
	for (unsigned int i = 0; i < FZ_ARENA_PAGES; i++)
		if (mm_map(FZ_IDX_ARENA + i, mm_alloc(), PTE_PAGE_RW))
			pv_panic("fuzz: cannot map the arena");
	fz.arena = (uint8_t *)mm_va(FZ_IDX_ARENA);
	if (mm_map(FZ_IDX_SCRIBBLE, mm_alloc(), PTE_PAGE_RW))
		pv_panic("fuzz: cannot map the scribble page");
	fz.scribble_va = (uint64_t)mm_va(FZ_IDX_SCRIBBLE);
	setup_grants();
	fz.win_lo = (uint64_t)mm_va(FZ_IDX_WIN);
	fz.win_hi = (uint64_t)mm_va(FZ_NR_L1 * 512);

	/* Our vcpu_info moves once, now: later attempts are refused. */
	if (pv_register_vcpu_info(&my_vcpu_info))
		pv_panic("fuzz: cannot register our vcpu_info");
	if (HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bv))
		pv_panic("fuzz: cannot bind VIRQ_TIMER");
	fz.port_timer = bv.port;
	pv_bind_handler(bv.port, on_timer);
	pv_unmask(bv.port);
	fz.port_console = start_info->console.domU.evtchn;
	fz.port_store = start_info->store_evtchn;
	fz.port_victim = bind_victim();

	for (unsigned int v = 0; v < 20; v++)
		pv_set_trap_handler(v, on_trap);
	pv_load_trap_table();
	for (unsigned int i = 0; i < ARRAY_SIZE(table); i++)
		total_weight += table[i].weight;
}

/* Leave nothing behind that the next part (and the shutdown) trips on. */
static void cleanup(void)
{
	struct mmuext_op ldt = { .cmd = MMUEXT_SET_LDT };

	fz.post = ~0U & ~FZ_POST_WATCHDOG;
	restore(0);
	HYPERVISOR_mmuext_op(&ldt, 1, NULL, DOMID_SELF);
	HYPERVISOR_set_timer_op(0);
}

/* --- Fixed cases: hostile calls that once broke the hypervisor ----------- */

/*
 * Cross-CPU call storm: every GNTTABOP_unmap_grant_ref (even of a bad
 * handle) flushes the TLBs of all CPUs running guests, by IPI. Two
 * fuzzers doing this at once on two CPUs once hung both for good: a CPU
 * waiting for the call lock served a request both in its loop and in
 * the IPI handler, and the caller then waited forever (remaining -1).
 */
static void flush_storm(uint64_t n)
{
	struct gnttab_unmap_grant_ref u = { .handle = 0xffff };
	uint64_t t0 = pv_now(), bad = 0;

	for (uint64_t i = 0; i < n; i++)
		if (HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &u,
					      1) ||
		    u.status >= 0)
			bad++;
	CHECK(bad == 0, "%lu of %lu unmaps of a bad handle not refused", bad,
	      n);
	printf("fuzz: %lu flushing unmaps in %lu ms\n", n,
	       (pv_now() - t0) / 1000000);
}

static void fixed_cases(void)
{
	pv_test_group("fixed hostile cases");
	flush_storm((uint64_t)pv_arg("storm", 20000));
}

static void report(uint64_t ns)
{
	uint64_t ms = ns / 1000000 ? ns / 1000000 : 1;

	printf("fuzz: per hypercall (calls/succeeded):");
	for (unsigned int i = 0; i < 64; i++)
		if (nr_calls[i])
			printf(" %u:%lu/%lu", i, nr_calls[i], nr_ok[i]);
	printf("\n");
	printf("fuzz: done %lu calls in %lu ms: %lu calls/s (seed %lu)\n",
	       ncalls, ms, ncalls * 1000 / ms, fz.seed);
}

void pv_main(void)
{
	uint64_t calls = (uint64_t)pv_arg("calls", 100000);
	uint64_t every = (uint64_t)pv_arg("every", 10000);
	uint64_t t0;

	fz.seed = (uint64_t)pv_arg("seed", 1);
	fz.rs = fz.seed * 0x9E3779B97F4A7C15UL + 1;
	fz.victim = (unsigned int)pv_arg("victim", 1);
	fz.first = (unsigned int)pv_arg("first", 2);
	fz.nfuzz = (unsigned int)pv_arg("nfuzz", 1);
	fz.self = fz.first + (unsigned int)pv_arg("index", 0);
	trace_from = (uint64_t)pv_arg("trace", -1);
	trace_wait = (uint64_t)pv_arg("tracewait", 8);
	printf("fuzz: d%u seed %lu, %lu calls, victim d%u\n", fz.self, fz.seed,
	       calls, fz.victim);

	pv_test_group("fuzzing");
	setup();
	printf("fuzz: %lu frames of RAM, pool of %u frames, %u grant frames\n",
	       fz.max_mfn, FZ_POOL, fz.gnt_frames);
	pv_events_disable();
	t0 = pv_now();
	while (ncalls < calls) {
		one_call();
		if (every && ncalls % every == 0)
			printf("fuzz: %lu calls, %lu ms\n", ncalls,
			       (pv_now() - t0) / 1000000);
	}
	cleanup();
	pv_events_enable();
	report(pv_now() - t0);
	CHECK(ncalls == calls, "%lu of %lu calls", ncalls, calls);
	CHECK(fz.timer_lost == 0, "our timer port was lost %lu times",
	      fz.timer_lost);

	fixed_cases();
	mm_notify(fz.port_victim);
	pv_test_summary();
}
