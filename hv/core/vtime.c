/*
 * Guest time: the vcpu_time_info each vCPU reads (system time extrapolated
 * from the TSC, with Xen's version protocol), the wall clock in
 * shared_info, and per-vCPU one-shot and periodic timers that raise
 * VIRQ_TIMER.
 */
#include <xen/vcpu.h>
#include "domain.h"
#include "events.h"
#include "guest_access.h"
#include "hypercall.h"
#include "lib.h"
#include "mm.h"
#include "page.h"
#include "ptval.h"
#include "sched.h"
#include "time.h"
#include "tlbflush.h"
#include "x86.h"

static u32 guest_tsc_mul;
static s8 guest_tsc_shift;
static u64 boot_wall_sec; /* wall clock at system time 0 */
static u32 boot_wall_nsec;

/*
 * Choose shift and mul so that ns = ((tsc << shift) * mul) >> 32 with mul
 * a 32-bit number as large as possible (Xen's pvclock scaling).
 */
static void compute_scale(u64 hz)
{
	s8 shift = 0;
	u64 tps = hz; /* ticks per second after shifting */

	while (tps > 2000000000ULL) { /* ratio < 0.5: shift right */
		tps >>= 1;
		shift--;
	}
	while (tps <= 1000000000ULL) { /* ratio >= 1: shift left */
		tps <<= 1;
		shift++;
	}
	/* mul = 1e9 * 2^32 / tps, between 2^31 and 2^32. */
	guest_tsc_mul = (u32)div_shift32(1000000000ULL, tps);
	guest_tsc_shift = shift;
}

void vtime_init(u64 wall_sec)
{
	u64 now = NOW();

	compute_scale(tsc_hz);
	boot_wall_sec = wall_sec - now / 1000000000ULL;
	boot_wall_nsec = 0;
	printk("time: wall clock %lu (from the RTC), guest TSC scale %u >> 32, shift %d\n",
	       wall_sec, guest_tsc_mul, guest_tsc_shift);
}

/* Refresh v's time parameters; the guest retries while version is odd. */
void update_vcpu_system_time(struct vcpu *v)
{
	struct vcpu_time_info *t = &v->vcpu_info->time;
	u64 tsc = rdtsc();

	t->version++;
	smp_mb();
	t->tsc_timestamp = tsc;
	t->system_time = tsc_to_ns(tsc - boot_tsc);
	t->tsc_to_system_mul = guest_tsc_mul;
	t->tsc_shift = guest_tsc_shift;
	t->flags = XEN_PVCLOCK_TSC_STABLE_BIT;
	smp_mb();
	t->version++;
}

void update_domain_wallclock(struct domain *d)
{
	struct shared_info *s = d->shared_info;
	/* settimeoffset: the domain's own offset from the host's clock. */
	u64 sec = boot_wall_sec + (u64)d->time_offset;

	s->wc_version++;
	smp_mb();
	s->wc_sec = (u32)sec;
	s->wc_sec_hi = (u32)(sec >> 32);
	s->wc_nsec = boot_wall_nsec;
	smp_mb();
	s->wc_version++;
}

/*
 * A guest may ask for any deadline up to 2^64 - 1 ns, but the TSC
 * conversion behind set_timer() overflows long before that (about 2^62 ns
 * at a few GHz) and would arm the APIC for the past, again and again.
 * Guest timers are therefore capped at 2^50 ns (13 days) from now; a
 * guest whose timer is that far away sees one early, harmless event.
 */
#define GUEST_TIMER_MAX_AHEAD (1ULL << 50)

u64 guest_timer_deadline(u64 t)
{
	u64 now = NOW();

	return t > now + GUEST_TIMER_MAX_AHEAD ? now + GUEST_TIMER_MAX_AHEAD : t;
}

static void singleshot_fired(void *data)
{
	send_guest_vcpu_virq(data, VIRQ_TIMER);
}

static void periodic_fired(void *data)
{
	struct vcpu *v = data;

	send_guest_vcpu_virq(v, VIRQ_TIMER);
	v->periodic_next += v->periodic_period;
	if (v->periodic_next < NOW())
		v->periodic_next = NOW() + v->periodic_period;
	set_timer(&v->periodic, guest_timer_deadline(v->periodic_next));
}

void vcpu_timers_init(struct vcpu *v)
{
	/* Runstate times count from the vCPU's creation, not from boot. */
	v->runstate.state_entry_time = NOW();
	timer_init(&v->singleshot, singleshot_fired, v, v->processor);
	timer_init(&v->periodic, periodic_fired, v, v->processor);
	timer_init(&v->poll_timer, NULL, v, v->processor);
}

/* After v moved to another CPU: its timers follow it. */
void migrate_vcpu_timers(struct vcpu *v)
{
	migrate_timer(&v->singleshot, v->processor);
	migrate_timer(&v->periodic, v->processor);
	migrate_timer(&v->poll_timer, v->processor);
}

void vcpu_timers_stop(struct vcpu *v)
{
	stop_timer(&v->singleshot);
	stop_timer(&v->periodic);
	stop_timer(&v->poll_timer);
}

/*
 * set_timer_op (15): one-shot at absolute system time; 0 cancels. As on
 * Xen, a deadline that is negative as a signed number or more than 2^50 ns
 * away (a wrapped jiffies computation in old Linux) fires in 100 ms.
 */
long do_set_timer_op(u64 timeout)
{
	struct vcpu *v = current;
	u64 now = NOW();

	if (!timeout)
		stop_timer(&v->singleshot);
	else if ((s64)timeout < 0 ||
		 (timeout > now && timeout - now >= GUEST_TIMER_MAX_AHEAD))
		set_timer(&v->singleshot, now + MILLISECS(100));
	else
		set_timer(&v->singleshot, timeout);
	return 0;
}

static long set_singleshot(struct vcpu *v, u64 arg)
{
	struct vcpu_set_singleshot_timer t;

	if (get_guest(t, arg))
		return -EFAULT;
	if ((t.flags & VCPU_SSHOTTMR_future) && t.timeout_abs_ns < NOW())
		return -ETIME;
	set_timer(&v->singleshot, guest_timer_deadline(t.timeout_abs_ns));
	return 0;
}

static long set_periodic(struct vcpu *v, u64 arg)
{
	struct vcpu_set_periodic_timer t;

	if (get_guest(t, arg))
		return -EFAULT;
	/* Xen's limits: at least 1 ms, at most STIME_DELTA_MAX (2^62 - 1). */
	if (t.period_ns < MILLISECS(1) || t.period_ns >= (1ULL << 62))
		return -EINVAL;
	v->periodic_period = t.period_ns;
	v->periodic_next = NOW() + t.period_ns;
	set_timer(&v->periodic, guest_timer_deadline(v->periodic_next));
	return 0;
}

static long register_vcpu_info(struct vcpu *v, u64 arg)
{
	struct vcpu_register_vcpu_info r;
	struct vcpu_info *new;
	struct frame *f;

	if (get_guest(r, arg))
		return -EFAULT;
	if (r.offset > PAGE_SIZE - sizeof(struct vcpu_info) || r.rsvd)
		return -EINVAL;
	if (v->vcpu_info_mfn)
		return -EINVAL; /* only once, as on Xen */
	/* As on Xen: for ourselves, or for a vCPU that is down (Linux sets
	 * up a secondary vCPU's before VCPUOP_up). */
	if (v != current && !(v->pause_flags & PAUSE_DOWN))
		return -EINVAL;
	f = mfn_to_frame(r.mfn);
	if (!f || f->owner != v->domain->id || r.mfn == v->domain->shared_info_mfn)
		return -EINVAL;
	if (!get_page_writable(f, v->domain))
		return -EINVAL;
	new = (struct vcpu_info *)((u8 *)__va(r.mfn << PAGE_SHIFT) + r.offset);
	*new = *v->vcpu_info;
	/* Everything may be pending: make the guest rescan. */
	new->evtchn_pending_sel = ~0UL;
	new->evtchn_upcall_pending = 1;
	smp_mb();
	v->vcpu_info = new;
	v->vcpu_info_mfn = r.mfn;
	update_vcpu_system_time(v);
	return 0;
}

/*
 * Any vCPU of the caller's domain (Linux registers a secondary vCPU's area
 * before bringing it up), so the area is in the caller's address space.
 */
static void write_runstate(struct vcpu *v);

static long register_runstate(struct vcpu *v, u64 arg)
{
	struct vcpu_register_runstate_memory_area r;

	if (get_guest(r, arg))
		return -EFAULT;
	if (r.addr.h && !guest_range_ok(r.addr.h, sizeof(v->runstate)))
		return -EFAULT; /* as on Xen */
	v->runstate_guest = r.addr.h;
	if (v->runstate_guest)
		write_runstate(v);
	return 0;
}

/*
 * Copy v's runstate to its registered area in the current address space.
 * With VMASST_TYPE_runstate_update_flag, XEN_RUNSTATE_UPDATE is set in
 * state_entry_time while the copy is in progress.
 */
static void write_runstate(struct vcpu *v)
{
	struct vcpu_runstate_info *g = (void *)v->runstate_guest;
	bool flag = v->domain->vm_assist &
		    (1UL << VMASST_TYPE_runstate_update_flag);
	u64 entry = v->runstate.state_entry_time;

	if (flag) {
		entry |= XEN_RUNSTATE_UPDATE;
		if (put_guest(entry, (u64)&g->state_entry_time))
			return;
		barrier(); /* x86 keeps stores in order */
	}
	if (copy_to_guest(v->runstate_guest, &v->runstate,
			  sizeof(v->runstate)) || !flag)
		return;
	barrier();
	entry &= ~XEN_RUNSTATE_UPDATE;
	put_guest(entry, (u64)&g->state_entry_time);
}

/*
 * Refresh v's registered runstate area; v's page tables are loaded. In
 * user mode they are the user ones, which need not map the kernel's area:
 * switch to the kernel's for the copy.
 */
void update_runstate_area(struct vcpu *v)
{
	if (!v->runstate_guest)
		return;
	if (v->kernel_mode || !v->guest_table_user) {
		write_runstate(v);
		return;
	}
	tlb_load_cr3(v->guest_table << PAGE_SHIFT, v->domain);
	write_runstate(v);
	tlb_load_cr3(v->guest_table_user << PAGE_SHIFT, v->domain);
}

static long vcpu_up(struct vcpu *v)
{
	if (READ_ONCE(v->initialising))
		return -EBUSY; /* its context is being set up right now */
	if (!v->guest_table)
		return -EINVAL; /* never initialised */
	vcpu_unpause(v, PAUSE_DOWN);
	return 0;
}

long do_vcpu_op(int cmd, unsigned int vcpuid, u64 arg)
{
	struct domain *d = current->domain;
	struct vcpu *v;

	if (vcpuid >= d->max_vcpus || !(v = d->vcpu[vcpuid]))
		return -ENOENT;
	switch (cmd) {
	case VCPUOP_is_up:
		return !(v->pause_flags & PAUSE_DOWN);
	case VCPUOP_up:
		return vcpu_up(v);
	case VCPUOP_down:
		vcpu_pause(v, PAUSE_DOWN);
		return 0;
	case VCPUOP_initialise:
		return vcpu_initialise(v, arg);
	case VCPUOP_get_runstate_info: {
		struct vcpu_runstate_info r;

		vcpu_runstate_get(v, &r);
		return put_guest(r, arg);
	}
	case VCPUOP_register_runstate_memory_area:
		return register_runstate(v, arg);
	case VCPUOP_register_vcpu_info:
		return register_vcpu_info(v, arg);
	}
	/* The rest act on the caller's own vCPU only. */
	if (v != current)
		return -EINVAL;
	switch (cmd) {
	case VCPUOP_set_periodic_timer:
		return set_periodic(v, arg);
	case VCPUOP_stop_periodic_timer:
		stop_timer(&v->periodic);
		return 0;
	case VCPUOP_set_singleshot_timer:
		return set_singleshot(v, arg);
	case VCPUOP_stop_singleshot_timer:
		stop_timer(&v->singleshot);
		return 0;
	}
	return -ENOSYS;
}
