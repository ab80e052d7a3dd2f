/*
 * Domain life cycle: creation with its shared_info page and vCPUs, memory
 * assignment, shutdown, crash and destruction. domlist_lock protects the
 * domains[] table; each domain's lock protects its page list.
 *
 * Destruction goes in steps so that a big domain does not hold a CPU for
 * long: the first step stops the domain and takes it out of domains[]
 * (into dying[], where only the control domain's retries find it), the
 * next ones take its page tables apart and free its memory, a batch at a
 * time (no step follows the guest's tree), and the last frees the
 * struct once every other CPU has been seen outside the hypervisor or
 * idle (so none still holds a pointer to it from before the unlink).
 */
#include <xen/sched.h>
#include "credit.h"
#include "debugreg.h"
#include "domain.h"
#include "memory_map.h"
#include "events.h"
#include "irq.h"
#include "grant.h"
#include "ptval.h"
#include "pv.h"
#include "context.h"
#include "hypercall.h"
#include "lib.h"
#include "m2p.h"
#include "mm.h"
#include "page.h"
#include "percpu.h"
#include "sched.h"
#include "time.h"
#include "xmalloc.h"

struct domain *domains[MAX_DOMAINS];
static struct domain *dying[MAX_DOMAINS]; /* unlinked, not yet freed */
unsigned int domid_limit;

/* An id is free again: lower the limit past the unused top. Lock held. */
static void shrink_id_limit(void)
{
	unsigned int n = domid_limit;

	while (n && !domains[n - 1] && !dying[n - 1])
		n--;
	WRITE_ONCE(domid_limit, n);
}
DEFINE_SPINLOCK(domlist_lock);

/* domain_kill's steps (d->dying_stage). */
enum {
	KILL_ALIVE,
	KILL_TABLES_MARK,
	KILL_TABLES_EMPTY,
	KILL_TABLES_RESET,
	KILL_MEMORY,
	KILL_QUIESCE
};
#define KILL_BATCH 512 /* frames freed between preemption checks */

static const char *const shutdown_names[] = { "poweroff", "reboot",
					      "suspend",  "crash",
					      "watchdog", "soft_reset" };

struct domain *domain_lookup(domid_t id)
{
	return id < MAX_DOMAINS ? domains[id] : NULL;
}

struct domain *domain_lookup_any(domid_t id)
{
	if (id >= MAX_DOMAINS)
		return NULL;
	return domains[id] ? domains[id] : dying[id];
}

static struct vcpu *vcpu_create(struct domain *d, unsigned int id)
{
	struct vcpu *v = xzalloc(sizeof(*v));

	if (!v)
		return NULL;
	v->fpu_area = alloc_page();
	if (!v->fpu_area) {
		xfree(v);
		return NULL;
	}
	memset(v->fpu_area, 0, PAGE_SIZE);
	v->id = id;
	v->domain = d;
	v->processor = (d->id + id) % nr_cpus_online;
	v->hard_affinity = v->soft_affinity = ~0ULL;
	v->pause_flags = id ? PAUSE_DOWN : 0;
	v->kernel_mode = true;
	v->debugreg[6] = DR6_DEFAULT;
	v->debugreg[7] = DR7_DEFAULT;
	v->runstate.state = id ? RUNSTATE_offline : RUNSTATE_runnable;
	list_init(&v->runq_link);
	if (id < XEN_LEGACY_MAX_VCPUS)
		v->vcpu_info = &d->shared_info->vcpu_info[id];
	vcpu_timers_init(v);
	return v;
}

/**
 * domain_create - make an empty domain (no memory yet, vCPUs paused).
 * Returns NULL if the id is taken or memory runs out.
 */
struct domain *domain_create(domid_t id, bool privileged,
			     unsigned int max_vcpus, u64 max_pages)
{
	struct domain *d;

	if (id >= MAX_DOMAINS || domains[id] || dying[id] || !max_vcpus ||
	    max_vcpus > MAX_VIRT_CPUS)
		return NULL;
	d = xzalloc(sizeof(*d));
	if (!d)
		return NULL;
	d->id = id;
	d->privileged = privileged;
	d->lock = (spinlock_t)SPIN_LOCK_UNLOCKED;
	d->event_lock = (spinlock_t)SPIN_LOCK_UNLOCKED;
	list_init(&d->pages);
	list_init(&d->relinquished);
	d->max_pages = max_pages;
	d->max_vcpus = max_vcpus;
	d->shutdown_code = 0xff;
	d->weight = CREDIT_DEFAULT_WEIGHT;
	d->start_ns = NOW();
	guest_console_init(d);
	snprintf(d->name, sizeof(d->name), "%s%u", id ? "domu" : "dom", id);

	d->shared_info = alloc_page();
	if (!d->shared_info || evtchn_domain_init(d) || grant_domain_init(d))
		goto fail;
	memset(d->shared_info, 0, PAGE_SIZE);
	d->shared_info_mfn = __pa(d->shared_info) >> PAGE_SHIFT;
	/*
	 * The guest maps it: it counts as the domain's, never as its RAM,
	 * and it never becomes a page table (the hypervisor writes it).
	 */
	share_frame_with_guest(mfn_to_frame(d->shared_info_mfn), d);
	for (unsigned int i = 0; i < XEN_LEGACY_MAX_VCPUS; i++)
		d->shared_info->vcpu_info[i].evtchn_upcall_mask = 1;
	for (unsigned int i = 0; i < max_vcpus; i++)
		if (!(d->vcpu[i] = vcpu_create(d, i)))
			goto fail;
	spin_lock(&domlist_lock);
	domains[id] = d;
	if (id >= domid_limit)
		WRITE_ONCE(domid_limit, id + 1U);
	spin_unlock(&domlist_lock);
	return d;
fail:
	pr_err("d%u: out of memory creating the domain\n", id);
	for (unsigned int i = 0; i < max_vcpus; i++)
		if (d->vcpu[i]) {
			free_page(d->vcpu[i]->fpu_area);
			xfree(d->vcpu[i]);
		}
	evtchn_domain_destroy(d);
	grant_domain_destroy(d);
	grant_domain_free(d);
	grant_domain_put(d);
	if (d->shared_info)
		release_shared_frame(
			mfn_to_frame(__pa(d->shared_info) >> PAGE_SHIFT));
	xfree(d);
	return NULL;
}

/* Give the domain nr fresh, zeroed frames; their MFNs go to mfns[]. */
int domain_alloc_pages(struct domain *d, u64 nr, mfn_t *mfns)
{
	for (u64 i = 0; i < nr; i++) {
		mfn_t mfn;
		struct frame *f;

		if (d->tot_pages >= d->max_pages)
			return -ENOMEM;
		mfn = alloc_frames(0);
		if (mfn == INVALID_MFN)
			return -ENOMEM;
		memset(__va(mfn << PAGE_SHIFT), 0, PAGE_SIZE);
		f = mfn_to_frame(mfn);
		f->owner = d->id;
		f->count = 0;
		f->type_info = 0;
		spin_lock(&d->lock);
		if (d->is_dying) {
			spin_unlock(&d->lock);
			free_frames(mfn, 0);
			return -ESRCH;
		}
		list_add_tail(&f->link, &d->pages);
		d->tot_pages++;
		spin_unlock(&d->lock);
		mfns[i] = mfn;
	}
	return 0;
}

/* Stop every vCPU; the domain stays until the toolstack destroys it. */
void domain_shutdown(struct domain *d, unsigned int reason)
{
	struct vcpu *v;

	/* Exactly one caller shuts d down (vCPUs may race a watchdog). */
	if (__atomic_exchange_n(&d->shutdown_claimed, true, __ATOMIC_SEQ_CST))
		return;
	d->shutdown_reason = reason;
	__atomic_store_n(&d->is_shutdown, true, __ATOMIC_SEQ_CST);
	printk("d%u: shut down: %s (reason %u)\n", d->id,
	       reason < ARRAY_SIZE(shutdown_names) ? shutdown_names[reason] :
						       "unknown",
	       reason);
	for_each_vcpu(d, v)
		vcpu_pause(v, PAUSE_SHUTDOWN);
	send_global_virq(VIRQ_DOM_EXC);
}

/*
 * The control domain takes a shutdown back (a suspend that failed or was
 * cancelled): the domain's vCPUs run again where they stopped.
 */
void domain_resume(struct domain *d)
{
	struct vcpu *v;

	if (!d->is_shutdown || d->is_dying)
		return;
	d->is_shutdown = false;
	d->shutdown_reason = 0;
	__atomic_store_n(&d->shutdown_claimed, false, __ATOMIC_SEQ_CST);
	printk("d%u: resumed\n", d->id);
	for_each_vcpu(d, v)
		vcpu_unpause(v, PAUSE_SHUTDOWN);
}

bool domain_controls(const struct domain *d, domid_t id)
{
	return d->privileged || (d->has_target && d->target == id);
}

/* A guest broke the rules in a way it cannot recover from. */
void domain_crash(struct domain *d, const char *why)
{
	if (__atomic_load_n(&d->shutdown_claimed, __ATOMIC_SEQ_CST))
		return;
	printk("d%u: crashed: %s\n", d->id, why);
	domain_shutdown(d, SHUTDOWN_crash);
}

/*
 * Release up to KILL_BATCH of the dead domain's frames; true when none
 * are left. Frames another domain still maps (through a grant or a
 * foreign mapping) become orphans, freed when the last such mapping goes
 * (see put_page).
 */
static bool domain_release_memory(struct domain *d)
{
	unsigned int n = 0;

	bool empty;

	spin_lock(&d->lock);
	while (!list_empty(&d->pages) && n++ < KILL_BATCH) {
		struct frame *f = list_first_entry(&d->pages, struct frame, link);
		mfn_t mfn = f - frame_table;

		list_del(&f->link);
		d->tot_pages--;
		set_gpfn_from_mfn(mfn, M2P_INVALID);
		if (!orphan_frame(f))
			pr_debug("d%u: frame %#lx still mapped by another domain\n",
				 d->id, mfn);
	}
	empty = list_empty(&d->pages);
	spin_unlock(&d->lock);
	return empty;
}

/* Drop what a vCPU holds: root tables, GDT, registered vcpu_info. */
static void vcpu_release(struct vcpu *v)
{
	if (v->guest_table)
		put_page_and_type(mfn_to_frame(v->guest_table));
	if (v->guest_table_user)
		put_page_and_type(mfn_to_frame(v->guest_table_user));
	v->guest_table = v->guest_table_user = 0;
	v->pending_teardown = NULL; /* relinquish's MARK took it over */
	vcpu_release_gdt(v);
	vcpu_release_ldt(v);
	if (v->vcpu_info_mfn)
		put_page_and_type(mfn_to_frame(v->vcpu_info_mfn));
	v->vcpu_info_mfn = 0;
	fpu_release(v);
}

/* Page flip (grant transfer): the frame changes owner. */
void domain_move_page(struct domain *from, struct domain *to, mfn_t mfn)
{
	struct frame *f = mfn_to_frame(mfn);

	spin_lock(&from->lock);
	list_del(&f->link);
	from->tot_pages--;
	spin_unlock(&from->lock);
	set_gpfn_from_mfn(mfn, M2P_INVALID);
	spin_lock(&to->lock);
	f->owner = to->id;
	list_add_tail(&f->link, &to->pages);
	to->tot_pages++;
	spin_unlock(&to->lock);
}

/* Stop d, drop all it holds but its memory, and unlink it. */
/* No domain keeps rights over d's id, which a new domain may take. */
static void forget_as_target(struct domain *d)
{
	struct domain *t;

	spin_lock(&domlist_lock);
	for_each_domain(t)
		if (t->has_target && t->target == d->id)
			t->has_target = false;
	spin_unlock(&domlist_lock);
}

static void domain_kill_start(struct domain *d)
{
	struct vcpu *v;

	/* Under the page-list lock: no frame is added to d after this. */
	spin_lock(&d->lock);
	d->is_dying = true;
	spin_unlock(&d->lock);
	domain_shutdown(d, SHUTDOWN_poweroff);
	forget_as_target(d);
	for_each_vcpu(d, v) {
		vcpu_timers_stop(v);
		sched_wait_not_running(v);
	}
	evtchn_domain_destroy(d);
	pirq_domain_destroy(d);
	grant_domain_destroy(d);
	spin_lock(&domlist_lock);
	domains[d->id] = NULL;
	dying[d->id] = d;
	spin_unlock(&domlist_lock);
	quiesce_snapshot(d->dying_since);
}

static void domain_free(struct domain *d)
{
	struct vcpu *v;

	spin_lock(&domlist_lock);
	dying[d->id] = NULL;
	shrink_id_limit();
	spin_unlock(&domlist_lock);
	release_shared_frame(mfn_to_frame(d->shared_info_mfn));
	for_each_vcpu(d, v) {
		free_page(v->fpu_area);
		xfree(v);
	}
	grant_domain_put(d);
	free_memory_map(d);
	printk("d%u: destroyed\n", d->id);
	xfree(d);
	/* Gone for good: the control domain's view changes again. */
	send_global_virq(VIRQ_DOM_EXC);
}

/* Run a page-table teardown stage until done or the CPU is wanted. */
static int relinquish_stage(struct domain *d, unsigned int stage)
{
	while (domain_relinquish_page_tables(d, stage))
		if (hypercall_preempt_check())
			return -ERESTART;
	return 0;
}

/**
 * domain_kill - destroy d, a step at a time.
 * Returns 0 when d is gone (and freed), or -ERESTART when the caller must
 * call again (with d found by domain_lookup_any): after each batch of
 * memory if the CPU is wanted elsewhere, and until the other CPUs have
 * dropped any pointer to d they took before it was unlinked.
 */
int domain_kill(struct domain *d)
{
	struct vcpu *v;

	switch (d->dying_stage) {
	case KILL_ALIVE:
		domain_kill_start(d);
		d->dying_stage = KILL_TABLES_MARK;
		__attribute__((fallthrough));
	case KILL_TABLES_MARK:
		if (relinquish_stage(d, RELQ_MARK))
			return -ERESTART;
		for_each_vcpu(d, v)
			vcpu_release(v);
		d->dying_stage = KILL_TABLES_EMPTY;
		__attribute__((fallthrough));
	case KILL_TABLES_EMPTY:
		if (relinquish_stage(d, RELQ_EMPTY))
			return -ERESTART;
		d->dying_stage = KILL_TABLES_RESET;
		__attribute__((fallthrough));
	case KILL_TABLES_RESET:
		if (relinquish_stage(d, RELQ_RESET))
			return -ERESTART;
		grant_domain_free(d);
		d->dying_stage = KILL_MEMORY;
		__attribute__((fallthrough));
	case KILL_MEMORY:
		while (!domain_release_memory(d))
			if (hypercall_preempt_check())
				return -ERESTART;
		d->dying_stage = KILL_QUIESCE;
		__attribute__((fallthrough));
	case KILL_QUIESCE:
		if (!quiesce_passed(d->dying_since))
			return -ERESTART;
		domain_free(d);
		return 0;
	}
	return -EINVAL;
}
