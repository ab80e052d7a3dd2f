/*
 * Host unit tests for the credit scheduler's arithmetic (hv/core/credit.c):
 * shares by weight, limits by active vCPUs and caps with what they leave
 * going to the others, clipping, priorities.
 */
#include "test.h"

#include <credit.h>

#define P CREDIT_PERIOD_NS

static struct credit_dom dom(u16 id, u16 weight, u16 cap, u16 active)
{
	return (struct credit_dom){
		.id = id, .weight = weight, .cap = cap, .active = active
	};
}

/* |a - b| <= 1 ns per domain of rounding */
static bool near(u64 a, u64 b)
{
	return a + 4 >= b && b + 4 >= a;
}

static void test_weights(void)
{
	struct credit_dom d[3];

	TEST_GROUP("one CPU: shares in proportion to weights");
	d[0] = dom(1, 256, 0, 1);
	d[1] = dom(2, 512, 0, 1);
	credit_shares(d, 2, P, P);
	CHECK(near(d[0].share, P / 3) && near(d[1].share, 2 * P / 3),
	      "256:512 -> %lu:%lu", d[0].share, d[1].share);

	TEST_GROUP("two CPUs, two 1-vCPU domains: each its whole CPU");
	d[0] = dom(1, 256, 0, 1);
	d[1] = dom(2, 512, 0, 1);
	credit_shares(d, 2, 2 * P, P);
	CHECK(d[0].share == P && d[1].share == P, "%lu %lu", d[0].share,
	      d[1].share);

	TEST_GROUP(
	    "two CPUs: a 1-vCPU heavy domain's excess goes to the others");
	d[0] = dom(1, 1024, 0, 1);
	d[1] = dom(2, 256, 0, 2);
	d[2] = dom(3, 256, 0, 2);
	credit_shares(d, 3, 2 * P, P);
	CHECK(d[0].share == P, "heavy one limited to one CPU: %lu", d[0].share);
	CHECK(near(d[1].share, P / 2) && near(d[2].share, P / 2),
	      "the rest split by weight: %lu %lu", d[1].share, d[2].share);

	TEST_GROUP("weight 0 counts as 1; no domains; nothing to share");
	d[0] = dom(1, 0, 0, 1);
	d[1] = dom(2, 1, 0, 1);
	credit_shares(d, 2, P, P);
	CHECK(near(d[0].share, P / 2) && near(d[1].share, P / 2), "%lu %lu",
	      d[0].share, d[1].share);
	credit_shares(d, 0, P, P);
	credit_shares(d, 2, 0, P);
	CHECK(d[0].share == 0 && d[1].share == 0, "zero total");
}

static void test_caps(void)
{
	struct credit_dom d[3];

	TEST_GROUP("a cap of 50 alone on a CPU: half of it");
	d[0] = dom(1, 256, 50, 1);
	credit_shares(d, 1, P, P);
	CHECK(d[0].share == P / 2, "%lu", d[0].share);

	TEST_GROUP("a capped domain's unused part goes to the uncapped one");
	d[0] = dom(1, 512, 25, 1);
	d[1] = dom(2, 256, 0, 1);
	credit_shares(d, 2, P, P);
	CHECK(d[0].share == P / 4 && near(d[1].share, 3 * P / 4), "%lu %lu",
	      d[0].share, d[1].share);

	TEST_GROUP("a cap above what its vCPUs can use changes nothing");
	d[0] = dom(1, 256, 300, 2);
	d[1] = dom(2, 256, 0, 2);
	credit_shares(d, 2, 2 * P, P);
	CHECK(near(d[0].share, P) && near(d[1].share, P), "%lu %lu", d[0].share,
	      d[1].share);

	TEST_GROUP("everyone at a limit: shares sum to less than the total");
	d[0] = dom(1, 256, 10, 1);
	d[1] = dom(2, 256, 20, 1);
	d[2] = dom(3, 256, 0, 1);
	credit_shares(d, 3, 4 * P, P);
	CHECK(d[0].share == P / 10 && d[1].share == P / 5 && d[2].share == P,
	      "%lu %lu %lu", d[0].share, d[1].share, d[2].share);
}

static void test_random_sums(void)
{
	struct credit_dom d[64];

	TEST_GROUP("random domains: no share above its limit, total never "
		   "exceeded, all of it used when nobody is limited");
	for (unsigned int round = 0; round < 2000; round++) {
		unsigned int n = 1 + test_rand() % 64;
		unsigned int cpus = 1 + test_rand() % 8;
		u64 sum = 0, limits = 0;
		bool ok = true;

		for (unsigned int i = 0; i < n; i++) {
			u16 cap = test_rand() % 4 ? 0 : test_rand() % 200;

			d[i] = dom((u16)i, (u16)(1 + test_rand() % 1000), cap,
				   (u16)(1 + test_rand() % 4));
		}
		credit_shares(d, n, cpus * P, P);
		for (unsigned int i = 0; i < n; i++) {
			u64 lim = (u64)d[i].active * P;

			if (d[i].cap && (u64)d[i].cap * P / 100 < lim)
				lim = (u64)d[i].cap * P / 100;
			ok &= d[i].share <= lim;
			sum += d[i].share;
			limits += lim;
		}
		ok &= sum <= cpus * P;
		/* Work-conserving: the CPU time nobody takes is only what
		 * everybody's limits leave over. */
		ok &= sum + n >= (limits < cpus * P ? limits : cpus * P);
		if (!ok) {
			CHECK(false,
			      "round %u: n %u cpus %u sum %lu limits %lu",
			      round, n, cpus, sum, limits);
			return;
		}
	}
	CHECK(true, "2000 rounds");
}

static void test_clip_prio(void)
{
	TEST_GROUP("clipping and priorities");
	CHECK(credit_clip(5 * (s64)P, P) == (s64)P, "savings capped");
	CHECK(credit_clip(-50 * (s64)P, P) == -2 * (s64)P, "debt capped");
	CHECK(credit_clip(1234, P) == 1234, "in range unchanged");
	CHECK(credit_prio(true, -100) == PRIO_BOOST, "boost first");
	CHECK(credit_prio(false, 1) == PRIO_UNDER, "credit left: UNDER");
	CHECK(credit_prio(false, 0) == PRIO_OVER, "none left: OVER");
	CHECK(PRIO_BOOST > PRIO_UNDER && PRIO_UNDER > PRIO_OVER, "order");
}

int main(void)
{
	test_weights();
	test_caps();
	test_random_sums();
	test_clip_prio();
	return test_summary("test_credit");
}
