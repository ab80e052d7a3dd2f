/*
 * Domain 0's kernel checks (command line "selftest"): the extended
 * mapping, the allocators, and threads that wait, sleep and wake.
 */
#include "kernel.h"
#include "services.h"

static struct waitq ping_q = WAITQ_INIT(ping_q), pong_q = WAITQ_INIT(pong_q);
static volatile int ball, done_threads;

static void check_memory(void)
{
	size_t before = mem_free_pages();
	size_t total = mem_total_pages();
	void *big = pages_alloc(total / 4);
	uint8_t *last;

	pv_test_group("dom0 memory");
	CHECK(big != NULL, "cannot allocate a quarter of memory");
	if (big) {
		/* Touch the whole block: every page must be mapped writable. */
		for (size_t i = 0; i < total / 4; i++)
			((volatile uint8_t *)big)[i * PAGE_SIZE] = (uint8_t)i;
		last = (uint8_t *)big + (total / 4 - 1) * PAGE_SIZE;
		CHECK_EQ(*last, (uint8_t)(total / 4 - 1));
		CHECK_EQ(virt_to_maddr(last) & 4095, 0);
		pages_free(big, total / 4);
	}
	CHECK_EQ(mem_free_pages(), before);
	CHECK(pages_alloc(total) == NULL, "allocated more than exists");

	void *blocks[200];
	for (int i = 0; i < 200; i++) {
		blocks[i] = malloc((size_t)(i * 97 % 5000) + 1);
		CHECK(blocks[i] != NULL, "malloc %d", i);
		if (blocks[i])
			memset(blocks[i], i, (size_t)(i * 97 % 5000) + 1);
	}
	for (int i = 0; i < 200; i++)
		free(blocks[i]);
	char *s = strdup("xenolith");
	s = realloc(s, 9000);
	CHECK(s && !strcmp(s, "xenolith"), "realloc lost the contents");
	free(s);
}

static void pinger(void *arg)
{
	(void)arg;
	for (int i = 0; i < 100; i++) {
		wait_event(&ping_q, ball % 2 == 0);
		ball++;
		waitq_wake(&pong_q);
	}
	done_threads++;
}

static void ponger(void *arg)
{
	(void)arg;
	for (int i = 0; i < 100; i++) {
		wait_event(&pong_q, ball % 2 == 1);
		ball++;
		waitq_wake(&ping_q);
	}
	done_threads++;
}

static void check_threads(void)
{
	static struct waitq none = WAITQ_INIT(none);
	uint64_t t0;

	pv_test_group("dom0 threads");
	thread_create("ping", pinger, NULL);
	thread_create("pong", ponger, NULL);
	wait_event_until(&none, done_threads == 2, pv_now() + 5 * SEC);
	CHECK_EQ(done_threads, 2);
	CHECK_EQ(ball, 200);

	t0 = pv_now();
	thread_sleep(20 * MS);
	CHECK(pv_now() - t0 >= 20 * MS, "woke early after %lu ns",
	      pv_now() - t0);
	CHECK(pv_now() - t0 < 200 * MS, "woke late after %lu ns",
	      pv_now() - t0);
	t0 = pv_now();
	CHECK(!wait_event_until(&none, false, pv_now() + 10 * MS),
	      "timeout wait returned true");
	CHECK(pv_now() - t0 >= 10 * MS, "timed wait ended early");
}

void kernel_selftest(void)
{
	check_memory();
	check_threads();
	pv_test_summary();
}
