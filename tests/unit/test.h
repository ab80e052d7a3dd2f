/*
 * Minimal host test framework. Each CHECK is one counted check; a test
 * program ends with test_summary(), which prints "N passed, N failed" (the
 * line the test driver sums up) and returns the exit status.
 */
#ifndef XENOLITH_UNIT_TEST_H
#define XENOLITH_UNIT_TEST_H

#include <stdio.h>

static int test_passed, test_failed;

#define CHECK(cond, ...)                                                  \
	do {                                                              \
		if (cond) {                                               \
			test_passed++;                                    \
		} else {                                                  \
			test_failed++;                                    \
			printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			printf(__VA_ARGS__);                              \
			printf("\n");                                     \
		}                                                         \
	} while (0)

/* Print a named group of checks so the log says what was covered. */
#define TEST_GROUP(name)                                 \
	do {                                             \
		printf("checking: %s\n", (name));        \
	} while (0)

/* Deterministic pseudo-random numbers (xorshift64) for sequence tests. */
static unsigned long long test_rng_state = 0x2545f4914f6cdd1dULL;

static inline void test_seed(unsigned long long seed)
{
	test_rng_state = seed ? seed : 1;
}

static inline unsigned long long test_rand(void)
{
	unsigned long long x = test_rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	test_rng_state = x;
	return x;
}

static inline int test_summary(const char *prog)
{
	printf("%s: %d passed, %d failed\n", prog, test_passed, test_failed);
	return test_failed ? 1 : 0;
}

#endif
