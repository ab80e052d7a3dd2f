/*
 * One generator per hypercall: it fills a call's arguments (and the
 * argument buffers in the arena) with random, boundary and hostile values,
 * then applies the filter that keeps the fuzzer itself alive. A generator
 * called for a multicall entry (in_mc) avoids what needs a restoration
 * right after the call or could end the run.
 */
#ifndef FUZZ_GEN_H
#define FUZZ_GEN_H

#include <xen/callback.h>
#include <xen/domctl.h>
#include <xen/physdev.h>
#include <xen/sysctl.h>
#include <xen/vcpu.h>
#include <xen/version.h>
#include "fuzz.h"

struct fz_call {
	uint64_t nr;
	uint64_t a[5];
};

typedef void (*fz_gen)(struct fz_call *c, bool in_mc);

/* The structure argument (a[1]): a random buffer, or a hostile pointer. */
#define ARG(type, var)                                             \
	type *var = chance(90) ? arena_alloc(sizeof(type)) : NULL; \
	if (!var) {                                                \
		c->a[1] = r_hostile_ptr();                         \
		return;                                            \
	}

/*
 * Pointers the hypervisor can neither read nor write: for arguments whose
 * contents, read from a readable hostile place (the M2P, our own page
 * tables), could hurt us.
 */
static uint64_t r_unreadable_ptr(void)
{
	switch (rn(5)) {
	case 0:
		return 0xffff82d040000000UL + rn(16UL << 20);
	case 1:
		return 0xffff830000000000UL + rn(fz.max_mfn << 12);
	case 2:
		return 0x0000800000000000UL + rn(0xffff000000000000UL);
	case 3:
		return arena_end() + rn(4096 - 64);
	default:
		return 0xffffc90000000000UL + rn(1UL << 36);
	}
}

/* An output area the hypervisor may keep writing: the scribble page. */
static uint64_t r_area_ptr(void)
{
	return chance(60) ? fz.scribble_va + rn(4096 - 64) : r_hostile_ptr();
}

static uint64_t now_plus(uint64_t ns)
{
	return pv_now() + ns;
}

static uint64_t r_time(void)
{
	switch (rn(5)) {
	case 0:
		return 0;
	case 1:
		return now_plus(rn(2000000));
	case 2:
		return pv_now() - rn(1000000000);
	case 3:
		return r_count();
	default:
		return now_plus(rn(1000000000));
	}
}

/* --- Page tables ----------------------------------------------------------- */

/* A PTE value to write into frame dst (a pool frame, or not ours). */
static uint64_t r_pte(uint64_t dst)
{
	uint64_t mfn = r_mfn(), flags = rnd() & 0xfff;
	int s = fz_pool_index(dst), t = fz_pool_index(mfn);

	/*
	 * Pool frames play fixed levels, and an entry of one only points at
	 * a pool frame one level down: no chains of same-level ("linear")
	 * references (deep chains are a known hypervisor problem).
	 */
	if (s >= 0 && t >= 0 && fz.role[t] + 1 != fz.role[s])
		mfn = rn(fz.max_mfn);
	if (chance(70))
		flags = (flags & ~PTE_PSE) | PTE_P | PTE_U;
	if (chance(5))
		flags |= PTE_NX;
	if (chance(5))
		return r_word();
	return (mfn << 12) | flags;
}

static void g_mmu_update(struct fz_call *c, bool in_mc)
{
	unsigned int n = 1 + (unsigned int)rn(8);
	struct mmu_update *u = arena_alloc(n * sizeof(*u));

	(void)in_mc;
	c->a[1] = n;
	if (!u) {
		c->a[0] = r_unreadable_ptr(); /* a readable list is filtered */
		c->a[1] = r_count();
	} else {
		for (unsigned int i = 0; i < n; i++) {
			uint64_t dst = fz_safe_mfn(r_mfn());
			uint64_t type = chance(90) ? rn(4) : rn(8);

			u[i].ptr = (dst << 12) | (rn(512) * 8) | type;
			if (chance(5))
				u[i].ptr |= rn(8); /* misaligned */
			u[i].val =
			    type == MMU_MACHPHYS_UPDATE ? r_word() : r_pte(dst);
		}
		c->a[0] = (uint64_t)u;
	}
	c->a[2] = chance(50)   ? 0
		  : chance(80) ? (uint64_t)arena_alloc(8)
			       : r_hostile_ptr();
	c->a[3] = chance(80) ? DOMID_SELF : r_domid();
}

/* An L4 for a base pointer: ours (a reload), or a frame not ours. */
static uint64_t r_baseptr(void)
{
	uint64_t mfn = r_mfn();

	if (chance(30) || fz_is_mine(mfn))
		return mm.l4_mfn;
	return mfn;
}

static void g_mmuext_op(struct fz_call *c, bool in_mc)
{
	unsigned int n = 1 + (unsigned int)rn(4);
	struct mmuext_op *op = arena_alloc(n * sizeof(*op));

	(void)in_mc;
	c->a[1] = n;
	c->a[2] = chance(50) ? 0 : (uint64_t)arena_alloc(8);
	c->a[3] = chance(85) ? DOMID_SELF : r_domid();
	if (!op) {
		c->a[0] = r_unreadable_ptr();
		c->a[1] = r_count();
		return;
	}
	c->a[0] = (uint64_t)op;
	for (unsigned int i = 0; i < n; i++) {
		uint64_t mfn = fz_safe_mfn(r_mfn());
		int p = fz_pool_index(mfn);

		op[i].cmd =
		    chance(95) ? (unsigned int)rn(21) : (unsigned int)r_count();
		op[i].arg1.mfn = mfn;
		op[i].arg2.vcpumask = chance(50) ? rn(1024) : r_word();
		switch (op[i].cmd) {
		case MMUEXT_PIN_L1_TABLE:
		case MMUEXT_PIN_L2_TABLE:
		case MMUEXT_PIN_L3_TABLE:
		case MMUEXT_PIN_L4_TABLE:
			if (p >= 0 && chance(85))
				op[i].cmd =
				    MMUEXT_PIN_L1_TABLE + fz.role[p] - 1;
			break;
		case MMUEXT_NEW_BASEPTR:
			op[i].arg1.mfn = r_baseptr();
			break;
		case MMUEXT_NEW_USER_BASEPTR:
			if (chance(20))
				op[i].arg1.mfn = 0;
			break;
		case MMUEXT_INVLPG_LOCAL:
		case MMUEXT_INVLPG_MULTI:
		case MMUEXT_INVLPG_ALL:
		case MMUEXT_SET_LDT:
			op[i].arg1.linear_addr = r_va();
			if (op[i].cmd == MMUEXT_SET_LDT)
				op[i].arg2.nr_ents =
				    chance(50) ? rn(8193)
					       : (unsigned int)r_count();
			/* fall through */
		case MMUEXT_TLB_FLUSH_MULTI:
			if (op[i].cmd != MMUEXT_SET_LDT && chance(50))
				op[i].arg2.vcpumask =
				    chance(50) ? (uint64_t)arena_alloc(8)
					       : r_hostile_ptr();
			break;
		case MMUEXT_COPY_PAGE:
			op[i].arg2.src_mfn = r_mfn();
			break;
		}
	}
}

static void g_update_va_mapping(struct fz_call *c, bool in_mc)
{
	(void)in_mc;
	c->a[0] = fz_safe_va(r_va());
	c->a[1] = chance(20) ? 0 : r_pte(~0UL);
	c->a[2] = chance(80)   ? rn(8)
		  : chance(50) ? ((uint64_t)arena_alloc(8) | rn(4))
			       : r_word();
}

static void g_update_va_mapping_otherdomain(struct fz_call *c, bool in_mc)
{
	g_update_va_mapping(c, in_mc);
	c->a[3] = r_domid();
	if (!dom_is_self(c->a[3]))
		c->a[0] = r_va(); /* their address space, not ours */
}

/* --- CPU state ------------------------------------------------------------- */

static void g_set_trap_table(struct fz_call *c, bool in_mc)
{
	unsigned int n = (unsigned int)rn(12);
	struct trap_info *t = arena_alloc((n + 1) * sizeof(*t));

	(void)in_mc;
	fz.post |= FZ_POST_TRAPS;
	if (!t || chance(10)) {
		c->a[0] = chance(50) ? 0 : r_hostile_ptr();
		return;
	}
	for (unsigned int i = 0; i < n; i++) {
		t[i].vector = (uint8_t)(chance(50) ? rn(32) : rnd());
		t[i].cs = (uint16_t)(chance(50) ? FLAT_KERNEL_CS : rnd());
		t[i].address = chance(30) ? (uint64_t)pv_main : r_word();
		if (!t[i].address)
			t[i].address = 1;
	}
	t[n].address = 0; /* the terminator */
	c->a[0] = (uint64_t)t;
}

static void g_set_gdt(struct fz_call *c, bool in_mc)
{
	unsigned int n = (unsigned int)rn(17);
	uint64_t *f = arena_alloc((n + 1) * 8);

	(void)in_mc;
	for (unsigned int i = 0; f && i < n + 1; i++)
		f[i] = fz_safe_mfn(r_mfn());
	c->a[0] = f ? (uint64_t)f : r_unreadable_ptr();
	c->a[1] = chance(60) ? rn(n * 512 + 2) : r_count();
	if (!f && c->a[1] > 65536)
		c->a[1] = rn(65536); /* frames read from a hostile list */
}

static void g_stack_switch(struct fz_call *c, bool in_mc)
{
	(void)in_mc;
	c->a[0] = chance(50) ? FLAT_KERNEL_SS : r_word() & 0xffff;
	c->a[1] = r_word();
}

static uint64_t r_code(void)
{
	return chance(20) ? (uint64_t)pv_main : r_word();
}

static void g_set_callbacks(struct fz_call *c, bool in_mc)
{
	(void)in_mc;
	fz.post |= FZ_POST_CALLBACKS;
	c->a[0] = r_code();
	c->a[1] = r_code();
	c->a[2] = r_code();
}

static void g_callback_op(struct fz_call *c, bool in_mc)
{
	fz.post |= FZ_POST_CALLBACKS; /* even from a hostile pointer */
	(void)in_mc;
	ARG(struct callback_register, cb);
	c->a[0] = chance(90) ? rn(2) : r_count();
	cb->type = (uint16_t)(chance(80) ? rn(9) : rnd());
	cb->flags = (uint16_t)(chance(50) ? rn(2) : rnd());
	cb->address = r_code();
	c->a[1] = (uint64_t)cb;
}

static void g_fpu_taskswitch(struct fz_call *c, bool in_mc)
{
	(void)in_mc;
	fz.post |= FZ_POST_FPU;
	c->a[0] = chance(80) ? rn(2) : r_word();
}

static void g_set_debugreg(struct fz_call *c, bool in_mc)
{
	(void)in_mc;
	fz.post |= FZ_POST_DEBUG;
	c->a[0] = chance(80) ? rn(10) : r_word();
	c->a[1] = r_word();
}

static void g_get_debugreg(struct fz_call *c, bool in_mc)
{
	(void)in_mc;
	c->a[0] = chance(80) ? rn(10) : r_word();
}

static uint64_t r_descriptor(void)
{
	uint64_t base = r_word(), d;

	if (chance(30))
		return r_word();
	/* Segment or gate: base/offset, limit, type, S, DPL, P bits. */
	d = (base & 0xffff) | ((rnd() & 0xffff) << 16) |
	    (((base >> 16) & 0xff) << 32) | ((rnd() & 0xff) << 40) |
	    ((rnd() & 0xff) << 48) | (((base >> 24) & 0xff) << 56);
	if (chance(50))
		d |= 1UL << 47; /* present */
	return d;
}

static void g_update_descriptor(struct fz_call *c, bool in_mc)
{
	(void)in_mc;
	c->a[0] = (fz_safe_mfn(r_mfn()) << 12) |
		  (chance(80) ? rn(512) * 8 : rn(4096));
	c->a[1] = r_descriptor();
}

static void g_set_segment_base(struct fz_call *c, bool in_mc)
{
	(void)in_mc;
	fz.post |= FZ_POST_SEGBASE;
	c->a[0] = chance(90) ? rn(5) : r_count();
	c->a[1] = chance(30) ? rnd() & 0xffff : r_word();
}

static void g_vm_assist(struct fz_call *c, bool in_mc)
{
	(void)in_mc;
	c->a[0] = chance(80) ? rn(3) : r_count();
	c->a[1] = chance(80) ? rn(40) : r_count();
}

/* --- Memory ----------------------------------------------------------------- */

/*
 * Extents we may give away: pool frames, or frames not ours. With
 * order > 0 the whole aligned extent must avoid our frames.
 */
static void safe_extents(uint64_t *e, unsigned int n, unsigned int order)
{
	uint64_t size = order < 20 ? 1UL << order : 1;

	for (unsigned int i = 0; i < n; i++) {
		uint64_t m = r_mfn() & ~(size - 1);
		bool ok = false;

		for (int tries = 0; tries < 4 && !ok; tries++) {
			ok = true;
			for (uint64_t j = 0; j < size && ok; j++)
				ok = !fz_protected(m + j);
			if (!ok)
				m = rn(fz.max_mfn) & ~(size - 1);
		}
		e[i] = ok ? m : fz_pool_mfn() & ~(size - 1);
		if (!ok && size > 1)
			e[i] = fz.max_mfn + 4096; /* not RAM */
	}
}

static void fill_reservation(struct xen_memory_reservation *r, bool giving)
{
	unsigned int n = (unsigned int)rn(9);
	uint64_t *e = arena_alloc((n + 1) * 8);

	r->extent_order = chance(80)   ? 0
			  : chance(80) ? (unsigned int)rn(12)
				       : (unsigned int)r_count();
	r->mem_flags = chance(70) ? 0 : (unsigned int)r_word();
	r->domid = (domid_t)(chance(60) ? DOMID_SELF : r_domid());
	if (!e) {
		r->extent_start = giving ? r_unreadable_ptr() : r_hostile_ptr();
		r->nr_extents = r_count();
		return;
	}
	r->extent_start = (uint64_t)e;
	if (giving) {
		safe_extents(e, n, r->extent_order);
		r->nr_extents = n; /* never more than we filtered */
	} else {
		r->nr_extents = chance(70) ? n : r_count();
	}
}

struct fz_exchange {
	struct xen_memory_reservation in, out;
	xen_ulong_t nr_exchanged;
};

static void g_memory_op(struct fz_call *c, bool in_mc)
{
	static const uint8_t cmds[] = { 0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12 };
	uint64_t cmd = chance(95) ? cmds[rn(ARRAY_SIZE(cmds))] : r_count();

	(void)in_mc;
	c->a[0] = cmd;
	if (chance(10))
		c->a[0] |= rn(1 << 10) << 6; /* a continuation's start */
	cmd = (uint32_t)cmd & 63; /* what the hypervisor acts on */
	switch (cmd) {
	case XENMEM_increase_reservation:
	case XENMEM_decrease_reservation:
	case XENMEM_populate_physmap: {
		ARG(struct xen_memory_reservation, r);
		fill_reservation(r, cmd == XENMEM_decrease_reservation);
		c->a[1] = (uint64_t)r;
		return;
	}
	case XENMEM_exchange: {
		ARG(struct fz_exchange, x);
		fill_reservation(&x->in, true);
		fill_reservation(&x->out, false);
		x->nr_exchanged = chance(70) ? 0 : r_count();
		c->a[1] = (uint64_t)x;
		return;
	}
	case XENMEM_current_reservation:
	case XENMEM_maximum_reservation: {
		ARG(uint64_t, d);
		*d = r_domid();
		c->a[1] = (uint64_t)d;
		return;
	}
	default: {
		uint64_t *b = arena_alloc(256);
		c->a[1] = b && chance(90) ? (uint64_t)b : r_hostile_ptr();
		if (b && cmd == XENMEM_machphys_mfn_list)
			b[1] = rn(32); /* max_extents: room in the arena */
		if (b && (cmd == XENMEM_memory_map ||
			  cmd == XENMEM_machine_memory_map)) {
			b[0] = rn(8); /* nr_entries of 20 bytes */
			b[1] = chance(80) ? (uint64_t)arena_alloc(160)
					  : r_hostile_ptr();
		}
	}
	}
}

/* --- Events, time, scheduling -------------------------------------------- */

static uint64_t r_other_port(void)
{
	uint64_t p;

	do
		p = r_port();
	while (port_is_ours(p));
	return p;
}

static void g_event_channel_op(struct fz_call *c, bool in_mc)
{
	uint64_t cmd = chance(95) ? rn(14) : r_count();
	uint32_t *b = arena_alloc(32);

	(void)in_mc;
	c->a[0] = cmd;
	cmd = (uint32_t)cmd; /* the hypervisor takes an int */
	if (!b || chance(5)) {
		/* A port read from the M2P could be one of ours. */
		bool risky = cmd == EVTCHNOP_close || cmd == EVTCHNOP_send ||
			     cmd == EVTCHNOP_bind_vcpu || cmd == EVTCHNOP_reset;
		c->a[1] = risky ? r_unreadable_ptr() : r_hostile_ptr();
		return;
	}
	c->a[1] = (uint64_t)b;
	switch (cmd) {
	case EVTCHNOP_bind_interdomain:
		*(uint16_t *)b = (uint16_t)r_domid();
		b[1] = (uint32_t)r_port();
		break;
	case EVTCHNOP_bind_virq:
		b[0] = (uint32_t)(chance(80) ? rn(24) : r_count());
		b[1] = (uint32_t)(chance(80) ? rn(3) : r_count());
		break;
	case EVTCHNOP_close:
	case EVTCHNOP_send:
	case EVTCHNOP_bind_vcpu:
		/* Our ports stay ours; a send to the victim would say done. */
		b[0] = (uint32_t)r_other_port();
		b[1] = (uint32_t)(chance(80) ? rn(3) : r_count());
		break;
	case EVTCHNOP_status:
		*(uint16_t *)b = (uint16_t)r_domid();
		b[1] = (uint32_t)r_port();
		break;
	case EVTCHNOP_alloc_unbound:
		((uint16_t *)b)[0] =
		    (uint16_t)(chance(70) ? DOMID_SELF : r_domid());
		((uint16_t *)b)[1] = (uint16_t)r_domid();
		break;
	case EVTCHNOP_bind_ipi:
		b[0] = (uint32_t)(chance(80) ? rn(3) : r_count());
		break;
	case EVTCHNOP_unmask:
		b[0] = (uint32_t)r_port();
		break;
	case EVTCHNOP_reset: {
		uint64_t d = r_domid();
		*(uint16_t *)b = (uint16_t)(dom_is_self(d) ? fz.victim : d);
		break;
	}
	case EVTCHNOP_init_control: {
		/*
		 * Switching ourselves to the FIFO ABI would hide our timer
		 * (libpv speaks 2-level): only a frame not ours, or an offset
		 * or a vCPU the hypervisor must refuse.
		 */
		struct evtchn_init_control *ic = (void *)b;
		uint64_t mfn = r_mfn();

		ic->control_gfn = fz_is_mine(mfn) ? fz.max_mfn + rn(64) : mfn;
		ic->offset = (uint32_t)(chance(50) ? rn(4096) : r_count());
		ic->vcpu = (uint32_t)(chance(80) ? rn(3) : r_count());
		break;
	}
	}
}

static void g_set_timer_op(struct fz_call *c, bool in_mc)
{
	(void)in_mc;
	c->a[0] = r_time();
}

/*
 * Is our timer's port still bound to VIRQ_TIMER on vCPU 0 and unmasked?
 * If not, blocking would never end: count it (the run reports it).
 */
static bool timer_port_ok(void)
{
	struct evtchn_status st = { .dom = DOMID_SELF, .port = fz.port_timer };
	bool ok = !HYPERVISOR_event_channel_op(EVTCHNOP_status, &st) &&
		  st.status == EVTCHNSTAT_virq && st.u.virq == VIRQ_TIMER &&
		  st.vcpu == 0;

	if (!ok && !fz.timer_lost++)
		printf("fuzz: our timer port %u is no longer VIRQ_TIMER's "
		       "(status %u virq %u vcpu %u)\n",
		       fz.port_timer, st.status, st.u.virq, st.vcpu);
	pv_unmask(fz.port_timer);
	return ok;
}

static void g_sched_op(struct fz_call *c, bool in_mc)
{
	uint64_t cmd = chance(95) ? rn(8) : r_count();

	c->a[0] = cmd;
	c->a[1] = 0;
	cmd = (uint32_t)cmd; /* an int to the hypervisor: 1 << 32 | 2 is 2 */
	switch (cmd) {
	case SCHEDOP_block:
		if (in_mc) {
			c->a[0] = SCHEDOP_yield;
			break;
		}
		/* Never forever: the timer wakes us (VIRQ_TIMER is bound). */
		if (!timer_port_ok()) {
			c->a[0] = SCHEDOP_yield;
			break;
		}
		HYPERVISOR_set_timer_op(now_plus(100000 + rn(1000000)));
		break;
	case SCHEDOP_shutdown:
		c->a[1] = r_unreadable_ptr(); /* refused, or we are gone */
		break;
	case SCHEDOP_poll: {
		struct sched_poll *p = arena_alloc(sizeof(*p));
		unsigned int n = (unsigned int)rn(6);
		uint32_t *ports = arena_alloc(n * 4 + 4);

		for (unsigned int i = 0; ports && i < n; i++)
			ports[i] = (uint32_t)r_port();
		if (!p) {
			c->a[1] = r_unreadable_ptr(); /* a timeout of 0 waits */
			break;
		}
		p->ports = ports ? (uint64_t)ports : r_hostile_ptr();
		p->nr_ports = (uint32_t)(chance(70) ? n : r_count());
		p->timeout = now_plus(1 + rn(1000000)); /* never 0: forever */
		c->a[1] = (uint64_t)p;
		break;
	}
	case SCHEDOP_remote_shutdown: {
		ARG(struct sched_remote_shutdown, r);
		uint64_t d = r_domid();
		r->domain_id = (domid_t)(dom_is_self(d) ? fz.victim : d);
		r->reason = (uint32_t)(chance(80) ? rn(6) : rnd());
		c->a[1] = (uint64_t)r;
		break;
	}
	case SCHEDOP_shutdown_code: {
		/* The code replaces the reason of our final poweroff. */
		uint32_t *r = arena_alloc(8);

		if (r)
			*r = SHUTDOWN_poweroff;
		c->a[1] = r && chance(80) ? (uint64_t)r : r_unreadable_ptr();
		break;
	}
	case SCHEDOP_watchdog: {
		uint32_t *w = arena_alloc(8);

		if (!w) { /* a timeout read from elsewhere could fire */
			c->a[1] = r_unreadable_ptr();
			break;
		}
		w[0] = (uint32_t)(chance(70) ? rn(4) : r_count());
		w[1] = (uint32_t)(chance(50) || in_mc ? 0 : r_count());
		if (w[1] && !in_mc)
			fz.post |= FZ_POST_WATCHDOG;
		c->a[1] = (uint64_t)w;
		break;
	}
	default: {
		uint64_t *b = arena_alloc(32);
		c->a[1] = b && chance(90) ? (uint64_t)b : r_unreadable_ptr();
	}
	}
}

static void g_vcpu_op(struct fz_call *c, bool in_mc)
{
	uint64_t cmd = chance(95) ? rn(15) : r_count();
	uint64_t *b;

	(void)in_mc;
	c->a[0] = cmd;
	cmd = (uint32_t)cmd;
	c->a[1] = chance(80) ? 0 : chance(50) ? rn(4) : r_count();
	b = arena_alloc(
	    cmd == VCPUOP_initialise ? sizeof(struct vcpu_guest_context) : 64);
	c->a[2] = b && chance(95) ? (uint64_t)b : r_hostile_ptr();
	if (cmd == VCPUOP_set_periodic_timer)
		fz.post |= FZ_POST_PERIODIC; /* unless a sane period, below */
	if (!b)
		return;
	switch (cmd) {
	case VCPUOP_down: /* vCPU 0 is us */
		if ((c->a[1] & 0xffffffff) == 0)
			c->a[1] = 1 + rn(8);
		break;
	case VCPUOP_register_runstate_memory_area:
	case VCPUOP_register_vcpu_time_memory_area:
		b[0] = r_area_ptr();
		break;
	case VCPUOP_set_periodic_timer:
		b[0] = chance(50) ? rn(20000000) : r_count();
		if (b[0] >= 1000000 && !in_mc && c->a[2] == (uint64_t)b)
			fz.post &= ~FZ_POST_PERIODIC;
		break;
	case VCPUOP_set_singleshot_timer:
		b[0] = r_time();
		b[1] = chance(50) ? rn(2) : r_word();
		break;
	case VCPUOP_register_vcpu_info:
		b[0] = fz_safe_mfn(r_mfn());
		b[1] = chance(70) ? rn(4096) : r_word();
		break;
	}
}

/* --- Grants ------------------------------------------------------------------ */

#define GNTMAP_contains_pte (1 << 4)

/* A host address for a grant mapping: a VA, or with contains_pte a PTE. */
static uint64_t r_host_addr(uint32_t flags)
{
	if (flags & GNTMAP_contains_pte)
		return (fz_safe_mfn(r_mfn()) << 12) | rn(512) * 8;
	return chance(10) ? 0 : fz_safe_va(r_va());
}

static uint32_t r_gnt_flags(void)
{
	return chance(80) ? (uint32_t)rn(32) : (uint32_t)rnd();
}

static void g_gnt_map(struct gnttab_map_grant_ref *m)
{
	m->flags = r_gnt_flags();
	m->host_addr = r_host_addr(m->flags);
	m->ref = (grant_ref_t)r_gref();
	m->dom = (domid_t)r_domid();
}

static void g_gnt_copy_ptr(struct gnttab_copy_ptr *p, bool gref, bool dest)
{
	p->domid = (domid_t)r_domid();
	p->offset = (uint16_t)(chance(80) ? rn(4096) : rnd());
	if (gref)
		p->u.ref = (grant_ref_t)r_gref();
	else
		p->u.gmfn = dest && dom_is_self(p->domid) ? fz_safe_mfn(r_mfn())
							  : r_mfn();
}

/*
 * The size of one entry of a grant table op's list: the hypervisor reads
 * entry i at list + i * size, so that is where our filtered entries must
 * be. With one every 64 bytes, entries 1..n-1 were read from the random
 * arena words in between, never filtered: a map whose host_addr was our
 * guard page or a scratch table's read-only mapping (as on Xen, a grant
 * map replaces whatever PTE is there), a contains_pte address in one of
 * our page tables, an unmap_and_replace zapping one of our mappings, a
 * copy into one of our frames. (Seed 38152: a grant mapped over the guard
 * page let SCHEDOP_shutdown read reason 0 from it, and we powered off.)
 */
static size_t gnt_entry_size(uint64_t cmd)
{
	switch (cmd) {
	case GNTTABOP_map_grant_ref:
		return sizeof(struct gnttab_map_grant_ref);
	case GNTTABOP_unmap_grant_ref:
		return sizeof(struct gnttab_unmap_grant_ref);
	case GNTTABOP_setup_table:
		return sizeof(struct gnttab_setup_table);
	case GNTTABOP_transfer:
		return sizeof(struct gnttab_transfer);
	case GNTTABOP_copy:
		return sizeof(struct gnttab_copy);
	case GNTTABOP_unmap_and_replace:
		return sizeof(struct gnttab_unmap_and_replace);
	default:
		return 64;
	}
}

static void g_grant_table_op(struct fz_call *c, bool in_mc)
{
	uint64_t cmd = chance(95) ? rn(14) : r_count();
	unsigned int n = 1 + (unsigned int)rn(4);
	bool exact = false; /* may the hypervisor read past our entries? */
	size_t size = gnt_entry_size((uint32_t)cmd);
	uint8_t *b = arena_alloc(n * size);

	(void)in_mc;
	c->a[0] = cmd;
	cmd = (uint32_t)cmd;
	c->a[2] = n;
	if (!b) {
		c->a[1] = r_unreadable_ptr();
		c->a[2] = r_count();
		return;
	}
	c->a[1] = (uint64_t)b;
	for (unsigned int i = 0; i < n; i++) {
		void *e = b + i * size;

		switch (cmd) {
		case GNTTABOP_map_grant_ref:
			g_gnt_map(e);
			exact = true;
			break;
		case GNTTABOP_unmap_grant_ref: {
			struct gnttab_unmap_grant_ref *u = e;
			u->host_addr = r_host_addr(r_gnt_flags());
			u->handle =
			    (grant_handle_t)(chance(70) ? rn(16) : rnd());
			exact = true;
			break;
		}
		case GNTTABOP_setup_table: {
			struct gnttab_setup_table *s = e;
			uint64_t *fl = arena_alloc(8 * 8);
			s->dom = (domid_t)r_domid();
			s->nr_frames =
			    (uint32_t)(chance(70) ? rn(9) : r_count());
			s->frame_list = fl ? (uint64_t)fl : r_hostile_ptr();
			break;
		}
		case GNTTABOP_transfer: {
			struct gnttab_transfer *t = e;
			t->mfn = fz_safe_mfn(r_mfn());
			t->domid = (domid_t)r_domid();
			t->ref = (grant_ref_t)r_gref();
			exact = true;
			break;
		}
		case GNTTABOP_copy: {
			struct gnttab_copy *g = e;
			g->flags = (uint16_t)(chance(90) ? rn(4) : rnd());
			g_gnt_copy_ptr(&g->source,
				       g->flags & GNTCOPY_source_gref, false);
			g_gnt_copy_ptr(&g->dest, g->flags & GNTCOPY_dest_gref,
				       true);
			g->len = (uint16_t)(chance(80) ? rn(4097) : rnd());
			exact = true;
			break;
		}
		case GNTTABOP_unmap_and_replace: {
			uint64_t *r = e;
			r[0] = r_host_addr(0);
			r[1] = r_host_addr(0);
			r[2] = chance(70) ? rn(16) : rnd();
			exact = true;
			break;
		}
		case GNTTABOP_query_size:
		case GNTTABOP_dump_table:
		case GNTTABOP_get_version:
			*(uint16_t *)e = (uint16_t)r_domid();
			break;
		case GNTTABOP_set_version:
			*(uint32_t *)e = (uint32_t)(chance(80) ? rn(4) : rnd());
			break;
		}
	}
	if (!exact && chance(20))
		c->a[2] = r_count();
}

/* Our own grant entries: granted frames are pool frames or not ours. */
static void fz_scramble_grants(void)
{
	struct grant_entry_v1 *g = (void *)mm_va(FZ_IDX_GNT);
	unsigned int nr = fz.gnt_frames * 512;

	for (unsigned int k = 0; nr && k < 8; k++) {
		struct grant_entry_v1 *e = &g[rn(nr)];

		e->frame = (uint32_t)fz_safe_mfn(r_mfn());
		e->domid = (domid_t)r_domid();
		e->flags = (uint16_t)(chance(80) ? rn(32) : rnd());
	}
}

/* --- Platform, control, the rest ---------------------------------------- */

static void g_console_io(struct fz_call *c, bool in_mc)
{
	char *b = arena_alloc(16);

	(void)in_mc;
	c->a[0] = chance(90) ? rn(3) : r_count();
	c->a[1] = 1 + rn(16);
	/* Few and short lines: the serial log is the slowest thing here. */
	if (b && chance(10)) {
		for (unsigned int i = 0; i < 16; i++)
			b[i] = (char)(' ' + rn(95));
		b[c->a[1] - 1] = '\n'; /* our own lines stay whole */
		c->a[2] = (uint64_t)b;
	} else if (b && chance(50)) {
		c->a[0] = CONSOLEIO_read;
		c->a[1] = chance(50) ? 16 : r_count();
		c->a[2] = (uint64_t)b;
	} else {
		c->a[2] = r_unreadable_ptr();
		if (chance(50))
			c->a[1] = r_count();
	}
}

static void g_xen_version(struct fz_call *c, bool in_mc)
{
	uint64_t *b = arena_alloc(1100);

	(void)in_mc;
	c->a[0] = chance(90) ? rn(14) : r_count();
	c->a[1] = b && chance(80) ? (uint64_t)b
		  : chance(20)	  ? 0
				  : r_hostile_ptr();
	if (b)
		b[0] = rn(2048); /* build_id's len */
}

static void g_physdev_op(struct fz_call *c, bool in_mc)
{
	uint64_t *b = arena_alloc(64);

	(void)in_mc;
	c->a[0] = chance(90) ? rn(32) : r_count();
	c->a[1] = b && chance(90) ? (uint64_t)b : r_hostile_ptr();
}

static void g_hvm_op(struct fz_call *c, bool in_mc)
{
	uint64_t *b = arena_alloc(64);

	(void)in_mc;
	c->a[0] = chance(90) ? rn(40) : r_count();
	c->a[1] = b && chance(90) ? (uint64_t)b : r_hostile_ptr();
	if (b)
		*(uint16_t *)b = (uint16_t)r_domid();
}

static void g_ctl(struct fz_call *c, uint32_t version)
{
	uint32_t *b = arena_alloc(sizeof(struct xen_domctl));

	if (!b || chance(5)) {
		c->a[0] = r_hostile_ptr();
		return;
	}
	b[0] = (uint32_t)(chance(90) ? rn(90) : rnd());
	b[1] = chance(70) ? version : (uint32_t)rnd();
	*(uint16_t *)&b[2] = (uint16_t)r_domid();
	c->a[0] = (uint64_t)b;
}

static void g_sysctl(struct fz_call *c, bool in_mc)
{
	(void)in_mc;
	g_ctl(c, XEN_SYSCTL_INTERFACE_VERSION);
}

static void g_domctl(struct fz_call *c, bool in_mc)
{
	(void)in_mc;
	g_ctl(c, XEN_DOMCTL_INTERFACE_VERSION);
}

/* Numbers the hypervisor does not implement, and iret inside a batch. */
static void g_other(struct fz_call *c, bool in_mc)
{
	static const uint8_t nrs[] = { 6,  7,  11, 16, 19, 27, 28, 31,
				       37, 38, 39, 40, 41, 48, 55, 63 };

	/* Those the hypervisor implements get their own generators. */
	const uint64_t implemented = 0x1f67f6f73fUL;

	c->nr = chance(90) ? nrs[rn(ARRAY_SIZE(nrs))] : r_count();
	if (c->nr < 64 && (implemented & (1UL << c->nr)))
		c->nr = nrs[rn(ARRAY_SIZE(nrs))];
	if (in_mc && chance(30))
		c->nr = chance(50) ? __HYPERVISOR_iret : __HYPERVISOR_multicall;
	/* iret takes its frame from our stack: it would end the run. */
	if (!in_mc && c->nr == __HYPERVISOR_iret)
		c->nr = 63;
	for (int i = 0; i < 5; i++)
		c->a[i] = r_word();
}

#endif
