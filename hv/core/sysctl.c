/*
 * sysctl (hypercall 35): the control domain's questions about the whole
 * machine, with Xen 4.17's layouts: physinfo, the domain list, the
 * hypervisor's log ring, the scheduler's identity. Same steps as domctl:
 * copy in, version (-EACCES), privilege (-EPERM), control_lock, act,
 * copy back.
 *
 * sched_id: the scheduler that runs, a credit scheduler (sched.c) whose
 * weights and caps domctl scheduler_op sets as Xen's credit scheduler.
 */
#include <xen/sysctl.h>
#include "console.h"
#include "control.h"
#include "guest_access.h"
#include "hypercall.h"
#include "lib.h"
#include "mm.h"
#include "percpu.h"
#include "time.h"
#include "x86.h"

#define CONSOLE_CHUNK 256 /* bytes copied out at a time */

/* Where a read without "incremental" starts; moved on by "clear". */
static size_t console_first;

/* SMT threads per core and cores per package, from CPUID leaf 0xB. */
static void cpu_topology(u32 *threads, u32 *cores)
{
	u32 a, b, c, d, smt, pkg;

	*threads = 1;
	*cores = nr_cpus_online;
	cpuid(0, &a, &b, &c, &d);
	if (a < 0xb)
		return;
	cpuid_count(0xb, 0, &a, &b, &c, &d);
	smt = b & 0xffff;
	if (((c >> 8) & 0xff) != 1 || !smt)
		return; /* level 0 is not the SMT level */
	cpuid_count(0xb, 1, &a, &b, &c, &d);
	pkg = b & 0xffff;
	if (((c >> 8) & 0xff) != 2 || pkg < smt)
		return;
	*threads = smt;
	*cores = pkg / smt;
}

static long physinfo(struct xen_sysctl *op)
{
	struct xen_sysctl_physinfo *p = &op->u.physinfo;

	memset(p, 0, sizeof(*p));
	cpu_topology(&p->threads_per_core, &p->cores_per_socket);
	p->nr_cpus = nr_cpus_online;
	p->max_cpu_id = nr_cpus_present - 1;
	p->nr_nodes = 1;
	p->max_node_id = 0;
	p->cpu_khz = (u32)(tsc_hz / 1000);
	p->capabilities = XEN_SYSCTL_PHYSCAP_pv | XEN_SYSCTL_PHYSCAP_gnttab_v1;
	p->total_pages = mm_total_frames();
	p->free_pages = mm_free_frames();
	p->max_mfn = max_mfn - 1;
	/* hw_cap stays zero: the feature words are not collected yet. */
	return 0;
}

static long sched_id(struct xen_sysctl *op)
{
	op->u.sched_id.sched_id = XEN_SCHEDULER_CREDIT;
	return 0;
}

static long getdomaininfolist(struct xen_sysctl *op)
{
	struct xen_sysctl_getdomaininfolist *l = &op->u.getdomaininfolist;
	struct xen_domctl_getdomaininfo info;
	u32 n = 0;

	for (unsigned int id = l->first_domain; id < READ_ONCE(domid_limit);
	     id++) {
		struct domain *d = domain_lookup_any((domid_t)id);

		if (!d)
			continue;
		if (n == l->max_domains)
			break;
		getdomaininfo(d, &info);
		if (copy_to_guest(l->buffer + (u64)n * sizeof(info), &info,
				  sizeof(info)))
			return -EFAULT;
		n++;
	}
	l->num_domains = n;
	return 0;
}

/*
 * The ring holds positions as a running byte count; the interface has
 * 32 bits of it. A guest's index is taken relative to the newest byte.
 */
static long readconsole(struct xen_sysctl *op)
{
	struct xen_sysctl_readconsole *r = &op->u.readconsole;
	size_t head = console_ring_head(), pos;
	u32 copied = 0;
	char buf[CONSOLE_CHUNK];

	if (r->incremental)
		pos = head - (u32)((u32)head - r->index);
	else
		pos = console_first;
	while (copied < r->count) {
		u32 want = MIN(r->count - copied, (u32)sizeof(buf));
		size_t n = console_ring_read(buf, want, &pos);

		if (!n)
			break;
		if (copy_to_guest(r->buffer + copied, buf, n))
			return -EFAULT;
		copied += (u32)n;
	}
	if (r->clear)
		console_first = console_ring_head();
	r->count = copied;
	r->index = (u32)pos;
	return 0;
}

/* Like typing the keys on the serial console's hypervisor side. */
#define MAX_DEBUG_KEYS 64

static long debug_keys(struct xen_sysctl *op)
{
	const struct xen_sysctl_debug_keys *k = &op->u.debug_keys;
	char keys[MAX_DEBUG_KEYS];

	if (k->nr_keys > MAX_DEBUG_KEYS)
		return -E2BIG;
	if (copy_from_guest(keys, k->keys, k->nr_keys))
		return -EFAULT;
	for (u32 i = 0; i < k->nr_keys; i++)
		keyhandler_run(keys[i]);
	return 0;
}

static long (*const ops[])(struct xen_sysctl *op) = {
	[XEN_SYSCTL_readconsole] = readconsole,
	[XEN_SYSCTL_physinfo] = physinfo,
	[XEN_SYSCTL_sched_id] = sched_id,
	[XEN_SYSCTL_getdomaininfolist] = getdomaininfolist,
	[XEN_SYSCTL_debug_keys] = debug_keys,
};

/**
 * do_sysctl - hypercall 35.
 * @arg: guest address of a struct xen_sysctl.
 * Returns 0, -EFAULT (the struct or a buffer), -EACCES (the interface
 * version), -EPERM (an unprivileged caller) or -ENOSYS (an operation not
 * implemented).
 */
long do_sysctl(u64 arg)
{
	struct domain *caller = current->domain;
	struct xen_sysctl op;
	long rc;

	if (copy_from_guest(&op, arg, sizeof(op)))
		return -EFAULT;
	if (op.interface_version != XEN_SYSCTL_INTERFACE_VERSION)
		return -EACCES;
	if (!caller->privileged)
		return -EPERM;
	if (op.cmd >= ARRAY_SIZE(ops) || !ops[op.cmd])
		return -ENOSYS;
	if (!spin_trylock(&control_lock))
		return control_busy(__HYPERVISOR_sysctl, arg, 0);
	rc = ops[op.cmd](&op);
	if (rc == 0 && copy_to_guest(arg, &op, sizeof(op)))
		rc = -EFAULT;
	spin_unlock(&control_lock);
	if (rc < 0)
		pr_debug("d%u: sysctl %u: error %ld\n", caller->id, op.cmd, rc);
	return rc;
}
