/*
 * A guest for domain 0's builder (dom0/toolstack/buildtest.c): it checks
 * the start-of-day state the builder promised, field by field, against
 * what it can see for itself (its reservation, the M2P, its event
 * channels), and that the builder's own domctls are refused to it. The
 * command line may say "ramdisk=N": then an N-byte ramdisk with byte i
 * equal to (i * 7 + 3) & 0xff was loaded.
 */
#include <pv/hypercall.h>
#include <pv/libpv.h>
#include <xen/event_channel.h>
#include <xen/memory.h>
#include "ctl_common.h"

#define M2P ((const uint64_t *)0xffff800000000000UL)
#define EPERM 1

/* The number after "key=" on the command line, or -1. */
static long cmdline_number(const char *key)
{
	const char *s = (const char *)start_info->cmd_line;
	size_t n = strlen(key);

	for (; *s; s++) {
		long v = 0;

		if ((s != (const char *)start_info->cmd_line && s[-1] != ' ') ||
		    memcmp(s, key, n) || s[n] != '=')
			continue;
		for (s += n + 1; *s >= '0' && *s <= '9'; s++)
			v = v * 10 + (*s - '0');
		return v;
	}
	return -1;
}

static void check_port(uint32_t port, const char *what)
{
	struct evtchn_status st = { .dom = DOMID_SELF, .port = port };

	CHECK(port != 0, "%s port is 0", what);
	CHECK_EQ(HYPERVISOR_event_channel_op(EVTCHNOP_status, &st), 0);
	CHECK(st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == 0,
	      "%s port %u: status %u remote d%u", what, port, st.status,
	      st.u.unbound.dom);
}

static void check_layout(void)
{
	uint64_t si_pfn = pv_va_to_pfn(start_info);
	domid_t self = DOMID_SELF;
	uint64_t bad = 0;

	pv_test_group("start_info");
	CHECK(!memcmp(start_info->magic, "xen-3.0-x86_64", 15), "magic %s",
	      start_info->magic);
	CHECK_EQ(start_info->nr_pages,
		 HYPERVISOR_memory_op(XENMEM_current_reservation, &self));
	CHECK_EQ(start_info->flags & (SIF_PRIVILEGED | SIF_INITDOMAIN), 0);
	CHECK(start_info->shared_info && !(start_info->shared_info & 4095),
	      "shared_info %#lx", start_info->shared_info);
	CHECK_EQ(M2P[start_info->store_mfn], si_pfn + 1);
	CHECK_EQ(M2P[start_info->console.domU.mfn], si_pfn + 2);
	check_port(start_info->store_evtchn, "store");
	check_port(start_info->console.domU.evtchn, "console");
	CHECK(start_info->store_evtchn != start_info->console.domU.evtchn,
	      "one port for both");
	CHECK(start_info->pt_base > (uint64_t)start_info &&
		  !(start_info->pt_base & 4095),
	      "pt_base %#lx", start_info->pt_base);
	CHECK(start_info->nr_pt_frames >= 4, "nr_pt_frames %lu",
	      start_info->nr_pt_frames);
	CHECK(((const uint64_t *)start_info->pt_base)[511] & 1,
	      "L4 slot 511 empty");
	CHECK_EQ(start_info->mfn_list, (uint64_t)pv_p2m);
	for (uint64_t pfn = 0; pfn < start_info->nr_pages; pfn++)
		if (M2P[pv_p2m[pfn]] != pfn)
			bad++;
	CHECK(!bad, "%lu frames whose M2P and p2m disagree", bad);
	CHECK(!memcmp(start_info->cmd_line, "build_check", 11), "cmd_line '%s'",
	      (const char *)start_info->cmd_line);
}

static void check_ramdisk(void)
{
	long len = cmdline_number("ramdisk");
	const uint8_t *rd = (const uint8_t *)start_info->mod_start;
	uint64_t bad = 0;

	pv_test_group("ramdisk");
	if (len < 0) {
		CHECK_EQ(start_info->mod_len, 0);
		return;
	}
	CHECK_EQ(start_info->mod_len, len);
	CHECK(!(start_info->flags & SIF_MOD_START_PFN), "not mapped");
	CHECK(start_info->mod_start >= pv_virt_base(), "mod_start %#lx",
	      start_info->mod_start);
	for (long i = 0; i < len && len == (long)start_info->mod_len; i++)
		if (rd[i] != (uint8_t)(i * 7 + 3))
			bad++;
	CHECK(!bad, "%lu ramdisk bytes differ", bad);
}

/* The builder's domctls are domain 0's alone. */
static void check_refusals(void)
{
	struct xen_domctl op;
	struct vcpu_guest_context ctxt;

	pv_test_group("builder domctls refused");
	memset(&ctxt, 0, sizeof(ctxt));
	/* On domain 0 (any other id may not exist: -ESRCH first). */
	memset(&op, 0, sizeof(op));
	op.u.vcpucontext.ctxt = (uint64_t)&ctxt;
	CHECK_EQ(domctl(XEN_DOMCTL_setvcpucontext, 0, &op), -EPERM);
	memset(&op, 0, sizeof(op));
	op.u.hypercall_init.gmfn = pv_virt_to_mfn(start_info);
	CHECK_EQ(domctl(XEN_DOMCTL_hypercall_init, 0, &op), -EPERM);
}

void pv_main(void)
{
	printf("build_check: pv_main at %lu ns\n", pv_now());
	check_layout();
	check_ramdisk();
	check_refusals();
	pv_test_summary();
}
