/*
 * An unprivileged domain and the control interface (domctl, sysctl,
 * hvm_op). role=intruder calls every implemented operation, against
 * domain 0 and its neighbours, and must get -EPERM each time (and
 * -EACCES for a wrong interface version, checked first as on Xen).
 * role=victim only prints its rings and keeps a CPU busy, yielding
 * often, until domain 0 pauses, moves, shuts down and destroys it.
 * Both print the rings their start_info names, for the scenario to
 * compare with what domain 0 learns through HVMOP_get_param.
 */
#include "ctl_common.h"

static const uint32_t domctls[] = {
	XEN_DOMCTL_createdomain,    XEN_DOMCTL_destroydomain,
	XEN_DOMCTL_pausedomain,	    XEN_DOMCTL_unpausedomain,
	XEN_DOMCTL_getdomaininfo,   XEN_DOMCTL_setvcpuaffinity,
	XEN_DOMCTL_max_mem,	    XEN_DOMCTL_getvcpucontext,
	XEN_DOMCTL_getvcpuinfo,	    XEN_DOMCTL_max_vcpus,
	XEN_DOMCTL_setdomainhandle, XEN_DOMCTL_settimeoffset,
	XEN_DOMCTL_getvcpuaffinity, XEN_DOMCTL_getpageframeinfo3,
	XEN_DOMCTL_setvcpucontext,  XEN_DOMCTL_hypercall_init,
	XEN_DOMCTL_resumedomain,    XEN_DOMCTL_set_target,
};

static const uint32_t sysctls[] = {
	XEN_SYSCTL_readconsole,
	XEN_SYSCTL_physinfo,
	XEN_SYSCTL_sched_id,
	XEN_SYSCTL_getdomaininfolist,
};

static uint8_t bitmap[8] = { 0xff };
static uint64_t frames[4];
static char text[256];

/* A plausible argument block, so only the privilege check can refuse. */
static void fill(struct xen_domctl *op)
{
	memset(op, 0, sizeof(*op));
	op->u.vcpuaffinity.flags = XEN_VCPUAFFINITY_HARD;
	op->u.vcpuaffinity.cpumap_hard.bitmap = (uint64_t)bitmap;
	op->u.vcpuaffinity.cpumap_hard.nr_bits = 8;
}

static void intruder(void)
{
	/* Not domain 2: it may not be built yet (and -ESRCH comes first). */
	static const domid_t targets[] = { 0, 1, DOMID_SELF };
	struct xen_domctl op;
	struct xen_sysctl sop;
	uint64_t v;

	pv_test_group("intruder: every domctl is refused");
	for (unsigned int t = 0; t < ARRAY_SIZE(targets); t++) {
		for (unsigned int i = 0; i < ARRAY_SIZE(domctls); i++) {
			long rc;

			fill(&op);
			op.u.createdomain.max_vcpus = 1;
			if (domctls[i] == XEN_DOMCTL_getpageframeinfo3) {
				op.u.getpageframeinfo3.num = 1;
				op.u.getpageframeinfo3.array = (uint64_t)frames;
			}
			rc = domctl(domctls[i], targets[t], &op);
			/* DOMID_SELF names no domain to domctl: -ESRCH as
			 * on Xen, except for the ops that take none. */
			if (targets[t] == DOMID_SELF &&
			    domctls[i] != XEN_DOMCTL_createdomain &&
			    domctls[i] != XEN_DOMCTL_getdomaininfo)
				CHECK(rc == -ESRCH, "domctl %u on self: %ld",
				      domctls[i], rc);
			else
				CHECK(rc == -EPERM, "domctl %u on d%u: %ld",
				      domctls[i], targets[t], rc);
		}
	}
	fill(&op);
	op.interface_version = 0;
	op.cmd = XEN_DOMCTL_pausedomain;
	CHECK_EQ(HYPERCALL1(__HYPERVISOR_domctl, &op), -EACCES);
	CHECK_EQ(HYPERCALL1(__HYPERVISOR_domctl, HV_ADDR), -EFAULT);

	pv_test_group("intruder: every sysctl is refused");
	for (unsigned int i = 0; i < ARRAY_SIZE(sysctls); i++) {
		memset(&sop, 0, sizeof(sop));
		sop.u.readconsole.buffer = (uint64_t)text;
		sop.u.readconsole.count = sizeof(text);
		CHECK(sysctl(sysctls[i], &sop) == -EPERM, "sysctl %u",
		      sysctls[i]);
		CHECK_EQ(sop.u.readconsole.count, sizeof(text)); /* untouched */
	}
	sop.interface_version = 0x14;
	CHECK_EQ(HYPERCALL1(__HYPERVISOR_sysctl, &sop), -EACCES);

	pv_test_group("intruder: hvm_op get_param is refused");
	CHECK_EQ(hvm_get_param(0, HVM_PARAM_STORE_PFN, &v), -EPERM);
	CHECK_EQ(hvm_get_param(1, HVM_PARAM_CONSOLE_EVTCHN, &v), -EPERM);
	CHECK_EQ(hvm_get_param(DOMID_SELF, HVM_PARAM_STORE_EVTCHN, &v), -EPERM);
	CHECK_EQ(hvm_get_param(1, HVM_PARAM_CONSOLE_PFN, &v), -EPERM);
}

static void victim(void)
{
	printf("victim: spinning\n");
	for (;;) {
		uint64_t t = pv_now() + 1000000;

		while (pv_now() < t)
			cpu_relax();
		sched_yield();
	}
}

void pv_main(void)
{
	print_rings();
	if (ev_arg_is("role", "victim"))
		victim();
	intruder();
	pv_test_summary();
}
