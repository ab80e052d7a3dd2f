/*
 * The control interface from domain 0 (domctl, sysctl, hvm_op), with
 * ctl_domu role=intruder as domain 1 and role=victim as domain 2.
 * Arguments: cpus=N (QEMU -smp), ram_mib=N (QEMU -m), domu_pages=N.
 *
 * Domain 0 looks at the machine and the domain list, reads the
 * hypervisor's log, pauses, inspects and moves domain 2, learns both
 * domUs' rings through HVMOP_get_param (printed, for the scenario to
 * compare with what the domUs print), waits for domain 1 to power off,
 * shuts domain 2 down and destroys both (their memory comes back), then
 * creates and destroys empty domains. Hostile arguments on the way.
 */
#include "ctl_common.h"

#define MS 1000000UL

static struct xen_domctl_getdomaininfo infos[8];
static char text[16384];
static struct vcpu_guest_context ctxt;
static unsigned long cpus, domu_pages;

static long physinfo(struct xen_sysctl_physinfo *p)
{
	struct xen_sysctl op;
	long rc;

	memset(&op, 0, sizeof(op));
	rc = sysctl(XEN_SYSCTL_physinfo, &op);
	*p = op.u.physinfo;
	return rc;
}

static long domain_list(domid_t first, uint32_t max, uint64_t buffer)
{
	struct xen_sysctl op;
	long rc;

	memset(&op, 0, sizeof(op));
	op.u.getdomaininfolist.first_domain = first;
	op.u.getdomaininfolist.max_domains = max;
	op.u.getdomaininfolist.buffer = buffer;
	rc = sysctl(XEN_SYSCTL_getdomaininfolist, &op);
	return rc ? rc : (long)op.u.getdomaininfolist.num_domains;
}

static long info(domid_t dom, struct xen_domctl_getdomaininfo *out)
{
	struct xen_domctl op;
	long rc;

	memset(&op, 0, sizeof(op));
	rc = domctl(XEN_DOMCTL_getdomaininfo, dom, &op);
	*out = op.u.getdomaininfo;
	return rc;
}

static long simple(uint32_t cmd, domid_t dom)
{
	struct xen_domctl op;

	memset(&op, 0, sizeof(op));
	return domctl(cmd, dom, &op);
}

static long vcpuinfo(domid_t dom, uint32_t vcpu,
		     struct xen_domctl_getvcpuinfo *out)
{
	struct xen_domctl op;
	long rc;

	memset(&op, 0, sizeof(op));
	op.u.getvcpuinfo.vcpu = vcpu;
	rc = domctl(XEN_DOMCTL_getvcpuinfo, dom, &op);
	*out = op.u.getvcpuinfo;
	return rc;
}

static uint64_t cpu_time(domid_t dom)
{
	struct xen_domctl_getvcpuinfo vi;

	return vcpuinfo(dom, 0, &vi) ? 0 : vi.cpu_time;
}

static long readconsole(bool clear, bool incremental, uint32_t *index,
			uint64_t buffer, uint32_t count)
{
	struct xen_sysctl op;
	long rc;

	memset(&op, 0, sizeof(op));
	op.u.readconsole.clear = clear;
	op.u.readconsole.incremental = incremental;
	op.u.readconsole.index = *index;
	op.u.readconsole.buffer = buffer;
	op.u.readconsole.count = count;
	rc = sysctl(XEN_SYSCTL_readconsole, &op);
	*index = op.u.readconsole.index;
	return rc ? rc : (long)op.u.readconsole.count;
}

static bool contains(const char *buf, long n, const char *what)
{
	size_t k = strlen(what);

	for (long i = 0; i + (long)k <= n; i++)
		if (!memcmp(buf + i, what, k))
			return true;
	return false;
}

static void test_physinfo(void)
{
	struct xen_sysctl_physinfo p;
	struct xen_sysctl op;
	unsigned long ram = ev_arg_num("ram_mib", 0), mib;

	pv_test_group("sysctl physinfo, sched_id");
	CHECK_EQ(physinfo(&p), 0);
	mib = p.total_pages >> 8;
	printf("physinfo: %u CPUs (%u threads x %u cores), max id %u, "
	       "%u kHz, %lu MiB, %lu pages free, caps %#x\n",
	       p.nr_cpus, p.threads_per_core, p.cores_per_socket, p.max_cpu_id,
	       p.cpu_khz, mib, (unsigned long)p.free_pages, p.capabilities);
	CHECK_EQ(p.nr_cpus, cpus);
	CHECK(p.max_cpu_id + 1 >= p.nr_cpus, "max_cpu_id %u", p.max_cpu_id);
	CHECK(p.threads_per_core >= 1 && p.cores_per_socket >= 1, "topology");
	CHECK_EQ(p.nr_nodes, 1);
	CHECK(p.cpu_khz > 100000, "cpu_khz %u", p.cpu_khz);
	CHECK(p.capabilities & XEN_SYSCTL_PHYSCAP_pv, "no PV");
	CHECK(!(p.capabilities & XEN_SYSCTL_PHYSCAP_hvm), "HVM claimed");
	CHECK(mib <= ram && mib + 64 >= ram, "%lu MiB of %lu", mib, ram);
	CHECK(p.free_pages > 0 && p.free_pages < p.total_pages, "free %lu",
	      (unsigned long)p.free_pages);
	CHECK(p.max_mfn >= p.total_pages - 1, "max_mfn");
	memset(&op, 0, sizeof(op));
	CHECK_EQ(sysctl(XEN_SYSCTL_sched_id, &op), 0);
	/* The scheduler that runs: credit. */
	CHECK_EQ(op.u.sched_id.sched_id, XEN_SCHEDULER_CREDIT);
}

static void test_list(void)
{
	struct xen_domctl_getdomaininfo one;
	long n;

	pv_test_group("sysctl getdomaininfolist, domctl getdomaininfo");
	n = domain_list(0, 8, (uint64_t)infos);
	CHECK_EQ(n, 3);
	for (long i = 0; i < n && i < 3; i++) {
		CHECK_EQ(infos[i].domain, i);
		CHECK_EQ(infos[i].tot_pages,
			 i ? domu_pages : start_info->nr_pages);
		CHECK_EQ(infos[i].nr_online_vcpus, 1);
		CHECK_EQ(infos[i].max_vcpu_id, 0);
		CHECK(!(infos[i].flags & XEN_DOMINF_hvm_guest), "hvm");
		CHECK(!(infos[i].flags & XEN_DOMINF_dying), "dying");
	}
	CHECK(infos[0].flags & XEN_DOMINF_running, "d0 flags %#x",
	      infos[0].flags);
	CHECK_EQ(infos[0].shared_info_frame, start_info->shared_info >> 12);
	CHECK(infos[0].cpu_time > 0, "d0 cpu_time 0");
	CHECK_EQ(domain_list(1, 1, (uint64_t)infos), 1);
	CHECK_EQ(infos[0].domain, 1);
	CHECK_EQ(domain_list(0, 0, (uint64_t)infos), 0);
	CHECK_EQ(domain_list(2, 8, (uint64_t)infos), 1);
	CHECK_EQ(domain_list(0, 8, (uint64_t)HV_ADDR), -EFAULT);
	CHECK_EQ(HYPERCALL1(__HYPERVISOR_sysctl, HV_ADDR), -EFAULT);

	CHECK_EQ(info(1, &one), 0);
	CHECK_EQ(one.domain, 1);
	CHECK_EQ(one.tot_pages, domu_pages);
	CHECK_EQ(one.max_pages, domu_pages);
	CHECK_EQ(info(3, &one), -ESRCH); /* no domain with id 3 or more */
	CHECK_EQ(info(63, &one), -ESRCH);
	CHECK_EQ(info(DOMID_SELF, &one), -ESRCH);
}

static void test_readconsole(void)
{
	uint32_t idx = 0, idx2;
	long n;

	pv_test_group("sysctl readconsole");
	n = readconsole(false, false, &idx, (uint64_t)text, sizeof(text));
	CHECK(n > 0, "read %ld", n);
	CHECK(contains(text, n, "(XEN) Xenolith"), "no banner");
	CHECK(contains(text, n, "d2: unprivileged kernel"), "no d2 build");
	printf("ctl marker one\n");
	idx2 = idx;
	n = readconsole(false, true, &idx2, (uint64_t)text, sizeof(text));
	CHECK(n > 0 && contains(text, n, "ctl marker one"), "incremental %ld",
	      n);
	CHECK_EQ(idx2 - idx, n);
	CHECK(!contains(text, n, "(XEN) Xenolith"), "banner read again");
	/* A small buffer: reads continue where the last one stopped. */
	idx = idx2;
	printf("ctl marker two\n");
	n = readconsole(false, true, &idx, (uint64_t)text, 4);
	CHECK_EQ(n, 4);
	CHECK_EQ(idx - idx2, 4);
	n = readconsole(false, true, &idx, (uint64_t)text + 4,
			sizeof(text) - 4);
	CHECK(n > 0 && contains(text, n + 4, "ctl marker two"), "continued");
	CHECK_EQ(readconsole(false, true, &idx, (uint64_t)text, 0), 0);
	CHECK_EQ(readconsole(false, false, &idx, (uint64_t)HV_ADDR, 64),
		 -EFAULT);
	/* After a clear, a plain read starts past what was there. */
	CHECK(readconsole(true, false, &idx, (uint64_t)text, 16) >= 0, "clr");
	printf("ctl marker three\n");
	n = readconsole(false, false, &idx, (uint64_t)text, sizeof(text));
	CHECK(n > 0 && contains(text, n, "ctl marker three"), "after clear");
	CHECK(!contains(text, n, "(XEN) Xenolith"), "banner after clear");
}

static void test_errors(void)
{
	struct xen_domctl op;
	struct xen_sysctl sop;

	pv_test_group("interface version, unknown ops, bad domains");
	memset(&op, 0, sizeof(op));
	op.cmd = XEN_DOMCTL_getdomaininfo;
	op.interface_version = 0x14;
	CHECK_EQ(HYPERCALL1(__HYPERVISOR_domctl, &op), -EACCES);
	memset(&sop, 0, sizeof(sop));
	sop.cmd = XEN_SYSCTL_physinfo;
	sop.interface_version = 0x16;
	CHECK_EQ(HYPERCALL1(__HYPERVISOR_sysctl, &sop), -EACCES);
	CHECK_EQ(simple(999, 1), -ENOSYS);
	CHECK_EQ(sysctl(999, &sop), -ENOSYS);
	CHECK_EQ(simple(XEN_DOMCTL_pausedomain, 40), -ESRCH);
	CHECK_EQ(simple(XEN_DOMCTL_pausedomain, DOMID_SELF), -ESRCH);
	CHECK_EQ(simple(XEN_DOMCTL_unpausedomain, 7), -ESRCH);
	CHECK_EQ(simple(XEN_DOMCTL_pausedomain, 0), -EINVAL); /* ourselves */
	CHECK_EQ(HYPERCALL1(__HYPERVISOR_domctl, HV_ADDR), -EFAULT);
}

static void test_hvm_params(void)
{
	struct evtchn_status st;
	uint64_t v[4];
	static const uint32_t idx[4] = { HVM_PARAM_STORE_PFN,
					 HVM_PARAM_STORE_EVTCHN,
					 HVM_PARAM_CONSOLE_PFN,
					 HVM_PARAM_CONSOLE_EVTCHN };

	pv_test_group("hvm_op get_param: boot-time domains' rings");
	for (domid_t d = 1; d <= 2; d++) {
		for (unsigned int i = 0; i < 4; i++) {
			CHECK_EQ(hvm_get_param(d, idx[i], &v[i]), 0);
			CHECK(v[i] != 0, "d%u param %u is 0", d, idx[i]);
		}
		printf("hvm d%u: store %#lx port %lu console %#lx port %lu\n",
		       d, v[0], v[1], v[2], v[3]);
		/* The ports are the domU's, unbound, offered to us. */
		CHECK_EQ(ev_status(d, (uint32_t)v[1], &st), 0);
		CHECK_EQ(st.status, EVTCHNSTAT_unbound);
		CHECK_EQ(st.u.unbound.dom, 0);
		CHECK_EQ(ev_status(d, (uint32_t)v[3], &st), 0);
		CHECK_EQ(st.status, EVTCHNSTAT_unbound);
		CHECK_EQ(st.u.unbound.dom, 0);
	}
	CHECK_EQ(hvm_get_param(DOMID_SELF, HVM_PARAM_STORE_PFN, &v[0]), 0);
	CHECK_EQ(v[0], start_info->store_mfn);
	CHECK_EQ(hvm_get_param(0, HVM_PARAM_STORE_EVTCHN, &v[0]), 0);
	CHECK_EQ(v[0], start_info->store_evtchn);
	CHECK_EQ(hvm_get_param(1, 3, &v[0]), -EINVAL);
	CHECK_EQ(hvm_get_param(1, 1000, &v[0]), -EINVAL);
	CHECK_EQ(hvm_get_param(40, HVM_PARAM_STORE_PFN, &v[0]), -ESRCH);
	CHECK_EQ(HYPERCALL2(__HYPERVISOR_hvm_op, HVMOP_get_param, HV_ADDR),
		 -EFAULT);
	CHECK_EQ(HYPERCALL2(__HYPERVISOR_hvm_op, HVMOP_set_param, &v), -ENOSYS);
}

/* Domain 2 paused: its registers and page types. */
static void test_context(void)
{
	struct xen_domctl op;
	uint64_t frames[4], store;

	pv_test_group("domctl getvcpucontext, getpageframeinfo3");
	memset(&op, 0, sizeof(op));
	op.u.vcpucontext.ctxt = (uint64_t)&ctxt;
	CHECK_EQ(domctl(XEN_DOMCTL_getvcpucontext, 2, &op), 0);
	CHECK(ctxt.flags & VGCF_online, "flags %#lx", ctxt.flags);
	CHECK(ctxt.flags & VGCF_IN_KERNEL, "flags %#lx", ctxt.flags);
	CHECK_EQ(ctxt.kernel_ss, FLAT_KERNEL_SS);
	CHECK_EQ(ctxt.user_regs.cs, FLAT_KERNEL_CS);
	CHECK(ctxt.user_regs.rip >= pv_virt_base(), "rip %#lx",
	      ctxt.user_regs.rip);
	CHECK(ctxt.event_callback_eip != 0, "no event callback");
	CHECK(ctxt.ctrlreg[3] != 0, "no cr3");
	op.u.vcpucontext.ctxt = (uint64_t)HV_ADDR;
	CHECK_EQ(domctl(XEN_DOMCTL_getvcpucontext, 2, &op), -EFAULT);
	op.u.vcpucontext.vcpu = 5;
	CHECK_EQ(domctl(XEN_DOMCTL_getvcpucontext, 2, &op), -EINVAL);
	op.u.vcpucontext.vcpu = 0;
	op.u.vcpucontext.ctxt = (uint64_t)&ctxt;
	CHECK_EQ(domctl(XEN_DOMCTL_getvcpucontext, 0, &op), -EINVAL); /* us */

	CHECK_EQ(hvm_get_param(2, HVM_PARAM_STORE_PFN, &store), 0);
	frames[0] = ctxt.ctrlreg[3] >> 12;
	frames[1] = store;
	frames[2] = pv_virt_to_mfn(text);
	frames[3] = 0xfffffffffUL;
	memset(&op, 0, sizeof(op));
	op.u.getpageframeinfo3.num = 4;
	op.u.getpageframeinfo3.array = (uint64_t)frames;
	CHECK_EQ(domctl(XEN_DOMCTL_getpageframeinfo3, 2, &op), 0);
	CHECK_EQ(frames[0],
		 XEN_DOMCTL_PFINFO_L4TAB | XEN_DOMCTL_PFINFO_LPINTAB);
	CHECK_EQ(frames[1], XEN_DOMCTL_PFINFO_NOTAB);
	CHECK_EQ(frames[2], XEN_DOMCTL_PFINFO_XTAB); /* ours, not d2's */
	CHECK_EQ(frames[3], XEN_DOMCTL_PFINFO_XTAB);
	op.u.getpageframeinfo3.num = 1025;
	CHECK_EQ(domctl(XEN_DOMCTL_getpageframeinfo3, 2, &op), -E2BIG);
	op.u.getpageframeinfo3.num = 1;
	op.u.getpageframeinfo3.array = (uint64_t)HV_ADDR;
	CHECK_EQ(domctl(XEN_DOMCTL_getpageframeinfo3, 2, &op), -EFAULT);
}

static void test_pause(void)
{
	struct xen_domctl_getdomaininfo di;
	struct xen_domctl_getvcpuinfo vi;
	uint64_t end = pv_now() + 5000 * MS, t1;

	pv_test_group("domctl pausedomain/unpausedomain, getvcpuinfo");
	while (cpu_time(2) < 20 * MS && pv_now() < end)
		spin_until(pv_now() + MS);
	CHECK(cpu_time(2) >= 20 * MS, "domain 2 does not run");
	CHECK_EQ(vcpuinfo(2, 0, &vi), 0);
	CHECK_EQ(vi.online, 1);
	CHECK_EQ(vi.blocked, 0);
	CHECK(vi.cpu < cpus, "cpu %u", vi.cpu);
	CHECK_EQ(vcpuinfo(2, 1, &vi), -EINVAL);
	CHECK_EQ(vcpuinfo(2, 0xffffffff, &vi), -EINVAL);

	CHECK_EQ(simple(XEN_DOMCTL_pausedomain, 2), 0);
	CHECK_EQ(info(2, &di), 0);
	CHECK(di.flags & XEN_DOMINF_paused, "flags %#x", di.flags);
	CHECK(!(di.flags & XEN_DOMINF_running), "flags %#x", di.flags);
	CHECK_EQ(vcpuinfo(2, 0, &vi), 0);
	CHECK_EQ(vi.running, 0);
	t1 = vi.cpu_time;
	spin_until(pv_now() + 200 * MS);
	CHECK_EQ(cpu_time(2), t1);
	CHECK_EQ(simple(XEN_DOMCTL_pausedomain, 2), 0); /* count 2 */
	CHECK_EQ(simple(XEN_DOMCTL_unpausedomain, 2), 0);
	CHECK_EQ(info(2, &di), 0);
	CHECK(di.flags & XEN_DOMINF_paused, "one unpause of two");
	spin_until(pv_now() + 100 * MS);
	CHECK_EQ(cpu_time(2), t1);

	test_context();

	CHECK_EQ(simple(XEN_DOMCTL_unpausedomain, 2), 0);
	CHECK_EQ(info(2, &di), 0);
	CHECK(!(di.flags & XEN_DOMINF_paused), "flags %#x", di.flags);
	spin_until(pv_now() + 200 * MS);
	CHECK(cpu_time(2) > t1, "does not run again");
	CHECK_EQ(simple(XEN_DOMCTL_unpausedomain, 2), -EINVAL);
}

static long affinity(uint32_t cmd, domid_t dom, uint32_t flags, uint8_t *hard,
		     uint8_t *soft)
{
	struct xen_domctl op;

	memset(&op, 0, sizeof(op));
	op.u.vcpuaffinity.flags = flags;
	op.u.vcpuaffinity.cpumap_hard.bitmap = (uint64_t)hard;
	op.u.vcpuaffinity.cpumap_hard.nr_bits = hard ? 16 : 0;
	op.u.vcpuaffinity.cpumap_soft.bitmap = (uint64_t)soft;
	op.u.vcpuaffinity.cpumap_soft.nr_bits = soft ? 16 : 0;
	return domctl(cmd, dom, &op);
}

static void test_affinity(void)
{
	struct xen_domctl_getvcpuinfo vi;
	uint8_t map[2], soft[2];
	unsigned int from, to;
	uint64_t t;

	pv_test_group("domctl setvcpuaffinity/getvcpuaffinity");
	CHECK_EQ(vcpuinfo(2, 0, &vi), 0);
	from = vi.cpu;
	to = cpus > 1 ? (from + 1) % (unsigned int)cpus : from;
	map[0] = (uint8_t)(1U << to);
	map[1] = 0xff; /* CPUs 8-15: none online, dropped */
	CHECK_EQ(affinity(XEN_DOMCTL_setvcpuaffinity, 2, XEN_VCPUAFFINITY_HARD,
			  map, NULL),
		 0);
	CHECK_EQ(map[0], 1U << to); /* what is in effect */
	CHECK_EQ(map[1], 0);
	CHECK_EQ(vcpuinfo(2, 0, &vi), 0);
	CHECK_EQ(vi.cpu, to);
	t = vi.cpu_time;
	spin_until(pv_now() + 200 * MS);
	CHECK(cpu_time(2) > t, "does not run on CPU %u", to);
	memset(map, 0, sizeof(map));
	memset(soft, 0xaa, sizeof(soft));
	CHECK_EQ(affinity(XEN_DOMCTL_getvcpuaffinity, 2,
			  XEN_VCPUAFFINITY_HARD | XEN_VCPUAFFINITY_SOFT, map,
			  soft),
		 0);
	CHECK_EQ(map[0], 1U << to);
	CHECK_EQ(soft[0], 0xff);
	CHECK_EQ(soft[1], 0xff);
	map[0] = 0;
	map[1] = 0x10; /* CPU 12 only */
	CHECK_EQ(affinity(XEN_DOMCTL_setvcpuaffinity, 2, XEN_VCPUAFFINITY_HARD,
			  map, NULL),
		 -EINVAL);
	CHECK_EQ(affinity(XEN_DOMCTL_setvcpuaffinity, 2, 0, map, NULL),
		 -EINVAL);
	CHECK_EQ(affinity(XEN_DOMCTL_setvcpuaffinity, 2, XEN_VCPUAFFINITY_HARD,
			  NULL, NULL),
		 -EINVAL);
	CHECK_EQ(affinity(XEN_DOMCTL_setvcpuaffinity, 2, XEN_VCPUAFFINITY_HARD,
			  (uint8_t *)HV_ADDR, NULL),
		 -EFAULT);
	map[0] = map[1] = 0xff;
	CHECK_EQ(affinity(XEN_DOMCTL_setvcpuaffinity, 2, XEN_VCPUAFFINITY_HARD,
			  map, NULL),
		 0);
	CHECK_EQ(vcpuinfo(2, 0, &vi), 0);
	/* Allowed anywhere now: an idle CPU may take it at once (work
	 * stealing), so only "a CPU that is online" can be asked. */
	CHECK(vi.cpu < (uint32_t)cpus, "on CPU %u", vi.cpu);
}

static void test_settings(void)
{
	struct xen_domctl_getdomaininfo di;
	struct xen_domctl op;
	uint32_t wc;

	pv_test_group("domctl max_mem, setdomainhandle, settimeoffset");
	memset(&op, 0, sizeof(op));
	op.u.max_mem.max_memkb = domu_pages * 4 + 1024;
	CHECK_EQ(domctl(XEN_DOMCTL_max_mem, 2, &op), 0);
	CHECK_EQ(info(2, &di), 0);
	CHECK_EQ(di.max_pages, domu_pages + 256);
	for (unsigned int i = 0; i < 16; i++)
		op.u.setdomainhandle.handle[i] = (uint8_t)(i + 1);
	CHECK_EQ(domctl(XEN_DOMCTL_setdomainhandle, 2, &op), 0);
	CHECK_EQ(info(2, &di), 0);
	CHECK(!memcmp(di.handle, op.u.setdomainhandle.handle, 16), "handle");
	wc = shared_info->wc_sec;
	memset(&op, 0, sizeof(op));
	op.u.settimeoffset.time_offset_seconds = 3600;
	CHECK_EQ(domctl(XEN_DOMCTL_settimeoffset, 0, &op), 0);
	CHECK_EQ(shared_info->wc_sec - wc, 3600);
	op.u.settimeoffset.time_offset_seconds = 0;
	CHECK_EQ(domctl(XEN_DOMCTL_settimeoffset, 0, &op), 0);
	CHECK_EQ(shared_info->wc_sec, wc);
}

static long set_target(domid_t dom, domid_t target)
{
	struct xen_domctl op;

	memset(&op, 0, sizeof(op));
	op.u.set_target.target = target;
	return domctl(XEN_DOMCTL_set_target, dom, &op);
}

static void test_set_target(void)
{
	pv_test_group("domctl set_target");
	CHECK_EQ(set_target(1, 1), -EINVAL);   /* itself */
	CHECK_EQ(set_target(1, 0), -EINVAL);   /* the control domain */
	CHECK_EQ(set_target(1, 77), -ESRCH);   /* nobody */
	CHECK_EQ(set_target(77, 1), -ESRCH);
	CHECK_EQ(set_target(1, 2), 0);
}

static void test_destroy(void)
{
	struct sched_remote_shutdown rs = { .domain_id = 2,
					    .reason = SHUTDOWN_reboot };
	struct xen_domctl_getdomaininfo di;
	struct xen_sysctl_physinfo p0, p1;
	uint64_t end = pv_now() + 30000 * MS, back;

	pv_test_group("shutdown flags, destroydomain");
	while (info(1, &di) == 0 && !(di.flags & XEN_DOMINF_shutdown) &&
	       pv_now() < end)
		spin_until(pv_now() + 10 * MS);
	CHECK(di.flags & XEN_DOMINF_shutdown, "d1 never shut down");
	CHECK_EQ((di.flags >> XEN_DOMINF_shutdownshift) &
		     XEN_DOMINF_shutdownmask,
		 SHUTDOWN_poweroff);
	CHECK_EQ(HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, &rs), 0);
	CHECK_EQ(info(2, &di), 0);
	CHECK(di.flags & XEN_DOMINF_shutdown, "d2 flags %#x", di.flags);
	CHECK_EQ((di.flags >> XEN_DOMINF_shutdownshift) &
		     XEN_DOMINF_shutdownmask,
		 SHUTDOWN_reboot);
	/* resumedomain takes the shutdown back; a second one is refused. */
	CHECK_EQ(simple(XEN_DOMCTL_resumedomain, 2), 0);
	CHECK_EQ(info(2, &di), 0);
	CHECK(!(di.flags & XEN_DOMINF_shutdown), "resumed d2 flags %#x",
	      di.flags);
	CHECK_EQ(simple(XEN_DOMCTL_resumedomain, 2), -EINVAL);
	CHECK_EQ(HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, &rs), 0);
	CHECK_EQ(info(2, &di), 0);
	CHECK(di.flags & XEN_DOMINF_shutdown, "d2 down again: %#x", di.flags);
	test_set_target();

	CHECK_EQ(physinfo(&p0), 0);
	CHECK_EQ(simple(XEN_DOMCTL_destroydomain, 2), 0);
	CHECK_EQ(physinfo(&p1), 0);
	back = p1.free_pages - p0.free_pages;
	printf("destroy gave back %lu pages (domain had %lu)\n",
	       (unsigned long)back, domu_pages);
	CHECK(back >= domu_pages && back < domu_pages + 512, "%lu back",
	      (unsigned long)back);
	CHECK_EQ(domain_list(0, 8, (uint64_t)infos), 2);
	CHECK_EQ(infos[1].domain, 1);
	CHECK_EQ(info(2, &di), -ESRCH);
	CHECK_EQ(simple(XEN_DOMCTL_destroydomain, 2), -ESRCH);
	CHECK_EQ(simple(XEN_DOMCTL_destroydomain, 0), -EINVAL);
	CHECK_EQ(simple(XEN_DOMCTL_destroydomain, 1), 0);
	CHECK_EQ(domain_list(0, 8, (uint64_t)infos), 1);
	CHECK_EQ(physinfo(&p1), 0);
	CHECK(p1.free_pages - p0.free_pages >= 2 * domu_pages, "free %lu",
	      (unsigned long)p1.free_pages);
}

static void test_create(void)
{
	struct xen_domctl_getdomaininfo di;
	struct xen_domctl op;
	uint64_t v;
	domid_t id;

	pv_test_group("domctl createdomain, max_vcpus");
	memset(&op, 0, sizeof(op));
	op.u.createdomain.max_vcpus = 2;
	op.u.createdomain.handle[0] = 0x42;
	CHECK_EQ(domctl(XEN_DOMCTL_createdomain, 0, &op), 0);
	id = op.domain;
	CHECK(id > 0 && id < 64, "id %u", id);
	CHECK_EQ(info(id, &di), 0);
	CHECK_EQ(di.domain, id);
	CHECK_EQ(di.tot_pages, 0);
	CHECK_EQ(di.max_pages, 0);
	CHECK_EQ(di.nr_online_vcpus, 0);
	CHECK_EQ(di.max_vcpu_id, 1);
	CHECK_EQ(di.handle[0], 0x42);
	CHECK(di.flags & XEN_DOMINF_paused, "flags %#x", di.flags);
	CHECK_EQ(hvm_get_param(id, HVM_PARAM_STORE_PFN, &v), 0);
	CHECK_EQ(v, 0);
	memset(&op, 0, sizeof(op));
	op.u.max_vcpus.max = 2;
	CHECK_EQ(domctl(XEN_DOMCTL_max_vcpus, id, &op), 0);
	op.u.max_vcpus.max = 3;
	CHECK_EQ(domctl(XEN_DOMCTL_max_vcpus, id, &op), -EINVAL);
	/* Unpaused without a context, its vCPUs stay down. */
	CHECK_EQ(simple(XEN_DOMCTL_unpausedomain, id), 0);
	CHECK_EQ(info(id, &di), 0);
	CHECK_EQ(di.flags & (XEN_DOMINF_running | XEN_DOMINF_paused), 0);

	memset(&op, 0, sizeof(op));
	op.u.createdomain.max_vcpus = 1;
	CHECK_EQ(domctl(XEN_DOMCTL_createdomain, 9, &op), 0);
	CHECK_EQ(op.domain, 9);
	op.u.createdomain.max_vcpus = 1;
	CHECK_EQ(domctl(XEN_DOMCTL_createdomain, 9, &op), -EINVAL);
	op.u.createdomain.flags = XEN_DOMCTL_CDF_hvm;
	CHECK_EQ(domctl(XEN_DOMCTL_createdomain, 0, &op), -EINVAL);
	op.u.createdomain.flags = 0;
	op.u.createdomain.max_vcpus = 0;
	CHECK_EQ(domctl(XEN_DOMCTL_createdomain, 0, &op), -EINVAL);
	CHECK_EQ(domain_list(0, 8, (uint64_t)infos), 3);
	CHECK_EQ(simple(XEN_DOMCTL_destroydomain, id), 0);
	CHECK_EQ(simple(XEN_DOMCTL_destroydomain, 9), 0);
	CHECK_EQ(domain_list(0, 8, (uint64_t)infos), 1);
}

void pv_main(void)
{
	cpus = ev_arg_num("cpus", 1);
	domu_pages = ev_arg_num("domu_pages", 0);
	test_physinfo();
	test_list();
	test_readconsole();
	test_errors();
	test_hvm_params();
	test_pause();
	test_affinity();
	test_settings();
	test_destroy();
	test_create();
	pv_test_summary();
}
