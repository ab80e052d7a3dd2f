/*
 * memory_op as a balloon driver and a "defragmenting" kernel use it: the
 * queries (current/maximum reservation, maximum_ram_page, machphys
 * mapping and frame list, the M2P itself), giving frames back and getting
 * them again (decrease_reservation, increase_reservation,
 * populate_physmap, with orders and resume points), exchanging scattered
 * frames for a contiguous extent, and the domain's maximum enforced.
 * Long lists complete in full through continuations.
 *
 * Arguments: id=N, our domain id (we notify the victim, domain 0).
 */
#include "mmtest.h"

#define EFAULT 14

#define EINVAL 22
#define ENOSYS 38
#define BIG 1000

struct memory_exchange {
	struct xen_memory_reservation in, out;
	uint64_t nr_exchanged;
};

static uint64_t list[BIG], pfns[BIG];

static long reservation(int cmd)
{
	domid_t self = DOMID_SELF;

	return HYPERVISOR_memory_op(cmd, &self);
}

static long reserve_op(int cmd, uint64_t *extents, uint64_t n,
		       unsigned int order)
{
	struct xen_memory_reservation r = {
		.extent_start = (uint64_t)extents,
		.nr_extents = n,
		.extent_order = order,
		.domid = DOMID_SELF,
	};

	return HYPERVISOR_memory_op(cmd, &r);
}

/* Free pfns (unmapped, unused) from the allocator, with their MFNs. */
static void take_free(uint64_t *pfn, uint64_t *mfn, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		pfn[i] = mm_alloc_pfn();
		mfn[i] = pv_p2m[pfn[i]];
	}
}

static bool frame_is_ours(uint64_t mfn, unsigned int idx)
{
	long rc = mm_map(idx, mfn, PTE_PAGE_RO);

	mm_unmap(idx);
	return rc == 0;
}

static void queries(void)
{
	struct xen_machphys_mapping mp;
	uint64_t chunks[4] = { 0 };
	struct {
		unsigned int max_extents, pad;
		uint64_t extent_start;
		unsigned int nr_extents;
	} ml = { 4, 0, (uint64_t)chunks, 0 };
	unsigned int idx = mm_alloc_idx(1);
	long max_ram = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);
	uint64_t bad = 0;

	pv_test_group("memory_op queries");
	CHECK_EQ(reservation(XENMEM_current_reservation), start_info->nr_pages);
	CHECK_EQ(reservation(XENMEM_maximum_reservation), start_info->nr_pages);
	CHECK(max_ram > 0x8000, "maximum_ram_page %#lx", max_ram);
	CHECK_EQ(HYPERVISOR_memory_op(XENMEM_machphys_mapping, &mp), 0);
	CHECK_EQ(mp.v_start, 0xffff800000000000UL);
	CHECK(mp.v_end > mp.v_start && mp.v_end <= 0xffff804000000000UL,
	      "v_end %#lx", mp.v_end);
	CHECK_EQ(mp.max_mfn, (mp.v_end - mp.v_start) / 8 - 1);
	CHECK(mp.max_mfn >= (uint64_t)max_ram, "M2P covers %#lx of %#lx",
	      mp.max_mfn, max_ram);
	CHECK_EQ(HYPERVISOR_memory_op(XENMEM_machphys_mfn_list, &ml), 0);
	CHECK(ml.nr_extents >= 1 && ml.nr_extents <= 4, "%u chunks",
	      ml.nr_extents);
	CHECK_EQ(chunks[0] % 512, 0);
	CHECK(!frame_is_ours(chunks[0], idx), "the M2P is the hypervisor's");
	/* As Xen: the argument is read first; a boot-time domain has no
	 * map of its own (the toolstack sets one). */
	CHECK_EQ(HYPERVISOR_memory_op(XENMEM_memory_map, NULL), -EFAULT);
	{
		struct xen_memory_map mm = { .nr_entries = 0 };

		CHECK_EQ(HYPERVISOR_memory_op(XENMEM_memory_map, &mm),
			 -ENOSYS);
	}
	/* The M2P inverts our p2m, frame by frame. */
	for (uint64_t pfn = 0; pfn < start_info->nr_pages; pfn++)
		if (mm_m2p(pv_p2m[pfn]) != pfn)
			bad++;
	CHECK(bad == 0, "%lu frames with a wrong M2P entry", bad);
}

static void reservations(void)
{
	uint64_t n0 = start_info->nr_pages, m[8], p[8], x;
	unsigned int idx = mm_alloc_idx(1);

	pv_test_group("the maximum is enforced");
	x = 0;
	CHECK_EQ(reserve_op(XENMEM_increase_reservation, &x, 1, 0), 0);
	CHECK_EQ(reserve_op(XENMEM_populate_physmap, &x, 1, 0), 0);
	CHECK_EQ(reservation(XENMEM_current_reservation), n0);

	pv_test_group("decrease, increase, populate");
	take_free(p, m, 8);
	CHECK_EQ(reserve_op(XENMEM_decrease_reservation, m, 8, 0), 8);
	CHECK_EQ(reservation(XENMEM_current_reservation), n0 - 8);
	for (unsigned int i = 0; i < 8; i++) {
		CHECK_EQ(mm_m2p(m[i]), MM_M2P_INVALID);
		CHECK(!frame_is_ours(m[i], idx), "frame %#lx still ours", m[i]);
	}
	/* increase: fresh frames, not yet in our pseudo-physical space. */
	CHECK_EQ(reserve_op(XENMEM_increase_reservation, m, 3, 0), 3);
	for (unsigned int i = 0; i < 3; i++) {
		CHECK_EQ(mm_m2p(m[i]), MM_M2P_INVALID);
		CHECK_EQ(mm_map(idx, m[i], PTE_PAGE_RW), 0);
		CHECK_EQ(mm_va(idx)[17], 0); /* zeroed */
		mm_unmap(idx);
	}
	CHECK_EQ(reserve_op(XENMEM_increase_reservation, NULL, 1, 0), 1);
	CHECK_EQ(reservation(XENMEM_current_reservation), n0 - 4);
	CHECK_EQ(reserve_op(XENMEM_decrease_reservation, m, 3, 0), 3);
	/* populate: frames for given pfns, the M2P set, like a balloon. */
	for (unsigned int i = 0; i < 7; i++)
		m[i] = p[i];
	CHECK_EQ(reserve_op(XENMEM_populate_physmap, m, 7, 0), 7);
	for (unsigned int i = 0; i < 7; i++) {
		CHECK_EQ(mm_m2p(m[i]), p[i]);
		pv_p2m[p[i]] = m[i];
		CHECK_EQ(mm_map(idx, m[i], PTE_PAGE_RW), 0);
		mm_unmap(idx);
	}
	CHECK_EQ(reservation(XENMEM_current_reservation), n0);
	CHECK_EQ(reserve_op(XENMEM_populate_physmap, &p[7], 1, 0), 0);
	CHECK_EQ(reserve_op(XENMEM_increase_reservation, m, 1, 0), 0);

	pv_test_group("resume points and orders");
	take_free(p, m, 3);
	/* Start at extent 2 (as a continuation would): only m[2] goes. */
	CHECK_EQ(_hypercall(__HYPERVISOR_memory_op,
			    XENMEM_decrease_reservation | (2 << 6),
			    (uint64_t) &
				(struct xen_memory_reservation){
				    (uint64_t)m, 3, 0, 0, DOMID_SELF },
			    0, 0, 0),
		 3);
	CHECK(frame_is_ours(m[0], idx) && frame_is_ours(m[1], idx),
	      "frames before the resume point stay");
	CHECK(!frame_is_ours(m[2], idx), "the frame at it goes");
	CHECK_EQ(reservation(XENMEM_current_reservation), n0 - 1);
	CHECK_EQ(reserve_op(XENMEM_decrease_reservation, m, 2, 0), 2);
	/* Misaligned order-2 extent: refused. */
	x = m[0] | 1;
	CHECK_EQ(reserve_op(XENMEM_decrease_reservation, &x, 1, 2), 0);
	x = p[0];
	CHECK_EQ(reserve_op(XENMEM_populate_physmap, &x, 1, 1), 1);
	CHECK_EQ(x % 2, 0);
	CHECK_EQ(mm_m2p(x), p[0]);
	CHECK_EQ(mm_m2p(x + 1), p[0] + 1);
	CHECK_EQ(reserve_op(XENMEM_decrease_reservation, &x, 1, 1), 1);
	CHECK_EQ(reservation(XENMEM_current_reservation), n0 - 3);
	x = p[0];
	CHECK_EQ(reserve_op(XENMEM_populate_physmap, &x, 1, 0), 1);
	pv_p2m[p[0]] = x;
	CHECK_EQ(reservation(XENMEM_current_reservation), n0 - 2);
}

static void long_lists(void)
{
	uint64_t n = reservation(XENMEM_current_reservation), t0;

	pv_test_group("a thousand extents at once (continuations)");
	take_free(pfns, list, BIG);
	t0 = pv_now();
	CHECK_EQ(reserve_op(XENMEM_decrease_reservation, list, BIG, 0), BIG);
	CHECK_EQ(reservation(XENMEM_current_reservation), n - BIG);
	for (unsigned int i = 0; i < BIG; i++)
		list[i] = pfns[i];
	CHECK_EQ(reserve_op(XENMEM_populate_physmap, list, BIG, 0), BIG);
	CHECK_EQ(reservation(XENMEM_current_reservation), n);
	for (unsigned int i = 0; i < BIG; i++) {
		CHECK(mm_m2p(list[i]) == pfns[i], "pfn %#lx", pfns[i]);
		pv_p2m[pfns[i]] = list[i];
	}
	printf("memop: %u frames out and back in %lu us\n", BIG,
	       (pv_now() - t0) / 1000);
}

static void exchanges(void)
{
	uint64_t in[4], pin[4], out,
	    n = reservation(XENMEM_current_reservation);
	struct memory_exchange x = {
		.in = { (uint64_t)in, 4, 0, 0, DOMID_SELF },
		.out = { (uint64_t)&out, 1, 2, 0, DOMID_SELF },
	};
	unsigned int idx = mm_alloc_idx(1);

	pv_test_group("exchange four frames for one contiguous extent");
	take_free(pin, in, 4);
	out = pin[0];
	CHECK_EQ(HYPERVISOR_memory_op(XENMEM_exchange, &x), 0);
	CHECK_EQ(x.nr_exchanged, 1);
	CHECK_EQ(out % 4, 0);
	for (unsigned int i = 0; i < 4; i++) {
		CHECK_EQ(mm_m2p(out + i), pin[0] + i);
		CHECK(!frame_is_ours(in[i], idx), "old frame %#lx kept", in[i]);
		CHECK(frame_is_ours(out + i, idx), "new frame %#lx", out + i);
	}
	CHECK_EQ(reservation(XENMEM_current_reservation), n);

	pv_test_group("exchange refuses frames in use and bad sizes");
	take_free(pin, in, 4);
	CHECK_EQ(mm_map(idx, in[2], PTE_PAGE_RO), 0);
	x.nr_exchanged = 0;
	CHECK_EQ(HYPERVISOR_memory_op(XENMEM_exchange, &x), -EINVAL);
	CHECK_EQ(x.nr_exchanged, 0);
	mm_unmap(idx);
	for (unsigned int i = 0; i < 4; i++)
		CHECK(frame_is_ours(in[i], idx), "frame %#lx lost", in[i]);
	x.out.nr_extents = 2;
	CHECK_EQ(HYPERVISOR_memory_op(XENMEM_exchange, &x), -EINVAL);
	x.out.nr_extents = 1;
	x.out.extent_order = 0;
	x.in.nr_extents = 1;
	x.in.extent_order = 2; /* fewer, larger extents in: not supported */
	CHECK_EQ(HYPERVISOR_memory_op(XENMEM_exchange, &x), -EINVAL);
	CHECK_EQ(reservation(XENMEM_current_reservation), n);
}

void pv_main(void)
{
	unsigned int id = (unsigned int)mm_arg("id", 1);
	uint32_t port = mm_bind_victim(id);

	mm_init(2);
	queries();
	reservations();
	long_lists();
	exchanges();
	pv_test_summary();
	mm_notify(port);
}
