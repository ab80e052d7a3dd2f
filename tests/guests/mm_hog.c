/*
 * Long batches must not stall anyone: a batch of a million mmu_update
 * requests (rewriting one PTE), the same inside a multicall, a long
 * mmuext_op batch and a million-entry batch that fails part-way. Each
 * completes through continuations with the right result and `done`
 * count, while the victim (domain 0, on the same CPU) measures how late
 * its 1 ms timer fires: we send it one event before the batches and one
 * after (see mm_victim.c, timer=1).
 *
 * Arguments: id=N, our domain id.
 */
#include "mmtest.h"

#define EINVAL 22
#define NR_REQS (1U << 20)
#define BAD_AT 700001U

static struct mmu_update reqs[NR_REQS];
static struct mmuext_op ops[100000];

static uint64_t ms_since(uint64_t t0)
{
	return (pv_now() - t0) / 1000000;
}

void pv_main(void)
{
	unsigned int id = (unsigned int)mm_arg("id", 1);
	uint32_t port = mm_bind_victim(id);
	unsigned int t, done = 0, done2 = 0;
	uint64_t x, y, ma, t0;
	struct multicall_entry mc[3];

	mm_init(1);
	t = mm_alloc_idx(1);
	x = mm_alloc();
	y = mm_alloc();
	ma = mm_pte_ma(t);
	for (unsigned int i = 0; i < NR_REQS; i++) {
		reqs[i].ptr = ma;
		reqs[i].val = ((i & 1 ? y : x) << 12) | PTE_PAGE_RO;
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(ops); i++) {
		ops[i].cmd = MMUEXT_INVLPG_LOCAL;
		ops[i].arg1.linear_addr = (uint64_t)mm_va(t);
	}
	mm_notify(port); /* the window opens */

	pv_test_group("a million mmu_update requests in one batch");
	t0 = pv_now();
	CHECK_EQ(HYPERVISOR_mmu_update(reqs, NR_REQS, &done, DOMID_SELF), 0);
	CHECK_EQ(done, NR_REQS);
	printf("hog: %u updates in %lu ms\n", done, ms_since(t0));
	CHECK_EQ(*mm_pte(t) & PTE_ADDR, y << 12);

	pv_test_group("the same inside a multicall");
	memset(mc, 0, sizeof(mc));
	mc[0].op = __HYPERVISOR_mmu_update;
	mc[0].args[0] = (uint64_t)reqs;
	mc[0].args[1] = NR_REQS - 1;
	mc[0].args[2] = (uint64_t)&done2;
	mc[0].args[3] = DOMID_SELF;
	mc[1].op = __HYPERVISOR_mmuext_op;
	mc[1].args[0] = (uint64_t)ops;
	mc[1].args[1] = ARRAY_SIZE(ops);
	mc[1].args[3] = DOMID_SELF;
	mc[2].op = __HYPERVISOR_xen_version;
	t0 = pv_now();
	CHECK_EQ(HYPERVISOR_multicall(mc, 3), 0);
	CHECK_EQ((long)mc[0].result, 0);
	CHECK_EQ((long)mc[1].result, 0);
	CHECK((long)mc[2].result > 0, "xen_version gave %ld",
	      (long)mc[2].result);
	CHECK_EQ(done2, NR_REQS - 1);
	CHECK_EQ(*mm_pte(t) & PTE_ADDR, x << 12);
	printf("hog: multicall of %u updates and %u invlpg in %lu ms\n", done2,
	       (unsigned int)ARRAY_SIZE(ops), ms_since(t0));

	pv_test_group("a long mmuext_op batch");
	done = 0;
	CHECK_EQ(HYPERVISOR_mmuext_op(ops, ARRAY_SIZE(ops), &done, DOMID_SELF),
		 0);
	CHECK_EQ(done, ARRAY_SIZE(ops));

	pv_test_group("a million-entry batch that fails part-way");
	reqs[BAD_AT].val = (0x200UL << 12) | PTE_PAGE_RO;
	done = 0;
	CHECK_EQ(HYPERVISOR_mmu_update(reqs, NR_REQS, &done, DOMID_SELF),
		 -EINVAL);
	CHECK_EQ(done, BAD_AT);
	CHECK_EQ(*mm_pte(t) & PTE_ADDR, x << 12); /* BAD_AT - 1 is even */
	mm_notify(port); /* the window closes */
	pv_test_summary();
}
