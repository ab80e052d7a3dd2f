/*
 * Host unit tests for the buddy allocator (hv/mm/buddy.c). Frame tables are
 * malloc'd at their exact size so AddressSanitizer catches any access
 * outside the covered range.
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"

#include <buddy.h>
#include <errno.h>

/*
 * Fake machine: N frames from mfn 0. Frame 0 (real mode IVT), the firmware
 * hole and the hypervisor image are never added; the rest is RAM.
 */
#define N 3000
#define FW_HOLE_START 0x9fULL
#define FW_HOLE_END 0x100ULL
#define IMAGE_START 0x100ULL
#define IMAGE_END 0x180ULL
#define HOLE2_START 0x800ULL
#define HOLE2_END 0x823ULL

static u64 rnd(void)
{
	return test_rand();
}

static int check_failures;

/* buddy_check(), printing the reason for the first few failures. */
static bool buddy_ok(const struct buddy *b, const char *where)
{
	char why[96];

	if (buddy_check(b, why, sizeof(why)) == 0)
		return true;
	if (check_failures++ < 5)
		printf("buddy_check failed after %s: %s\n", where, why);
	return false;
}

static bool expected_ram(mfn_t m)
{
	if (m == 0 || m >= N)
		return false;
	if (m >= FW_HOLE_START && m < FW_HOLE_END)
		return false;
	if (m >= IMAGE_START && m < IMAGE_END)
		return false;
	if (m >= HOLE2_START && m < HOLE2_END)
		return false;
	return true;
}

static u64 count_expected(void)
{
	u64 n = 0;
	mfn_t m;

	for (m = 0; m < N; m++)
		n += expected_ram(m);
	return n;
}

/* ---- snapshots of the free lists, sorted by mfn ---- */

struct blk {
	mfn_t mfn;
	unsigned int order;
};

struct snap {
	size_t n;
	struct blk *v;
};

static int blk_cmp(const void *a, const void *b)
{
	const struct blk *x = a, *y = b;

	return x->mfn < y->mfn ? -1 : x->mfn > y->mfn;
}

static void snap_take(const struct buddy *b, struct snap *s)
{
	const struct list_head *pos;
	unsigned int o;
	size_t n = 0;

	for (o = 0; o <= BUDDY_MAX_ORDER; o++)
		list_for_each(pos, &b->free[o])
			n++;
	s->n = 0;
	s->v = calloc(n ? n : 1, sizeof(*s->v));
	for (o = 0; o <= BUDDY_MAX_ORDER; o++) {
		list_for_each(pos, &b->free[o]) {
			struct frame *f = list_entry(pos, struct frame, link);

			s->v[s->n].mfn = b->base + (mfn_t)(f - b->frames);
			s->v[s->n++].order = o;
		}
	}
	qsort(s->v, s->n, sizeof(*s->v), blk_cmp);
}

static bool snap_equal(const struct snap *a, const struct snap *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (a->v[i].mfn != b->v[i].mfn ||
		    a->v[i].order != b->v[i].order)
			return false;
	return true;
}

static bool snap_same_as(const struct buddy *b, const struct snap *ref)
{
	struct snap s;
	bool eq;

	snap_take(b, &s);
	eq = snap_equal(&s, ref);
	free(s.v);
	return eq;
}

/*
 * Independent reference: the unique decomposition of the free set into
 * maximal naturally aligned blocks (ascending greedy), for frames with
 * is_free(mfn) in [base, base + nr).
 */
static void snap_reference(mfn_t base, u64 nr, bool (*is_free)(mfn_t),
			   struct snap *s)
{
	mfn_t m = base, end = base + nr;

	s->n = 0;
	s->v = calloc(nr ? nr : 1, sizeof(*s->v));
	while (m < end) {
		unsigned int o = 0;
		u64 i;
		bool ok = true;

		if (!is_free(m)) {
			m++;
			continue;
		}
		while (o < BUDDY_MAX_ORDER && !(m & ((2ULL << o) - 1)) &&
		       m + (2ULL << o) <= end) {
			for (i = 0; i < (2ULL << o) && ok; i++)
				ok = is_free(m + i);
			if (!ok)
				break;
			o++;
		}
		s->v[s->n].mfn = m;
		s->v[s->n++].order = o;
		m += 1ULL << o;
	}
}

static struct frame *new_table(u64 nr)
{
	/* Garbage, to prove buddy_init() initialises every record. */
	struct frame *f = malloc(nr * sizeof(*f));

	memset(f, 0xa5, nr * sizeof(*f));
	return f;
}

/* Build the fake machine, adding RAM in overlapping, out-of-order pieces. */
static void setup_map(struct buddy *b, struct frame *frames)
{
	buddy_init(b, frames, 0, N);
	buddy_add_range(b, 0x823, 0x2000);		/* clamped at N */
	/* Already-free islands inside the 0x400 block added next. */
	buddy_add_range(b, 0x410, 0x10);
	buddy_add_range(b, 0x455, 1);
	buddy_add_range(b, 0x7ff, 1);
	buddy_add_range(b, 0x400, HOLE2_START - 0x400);
	buddy_add_range(b, IMAGE_END, 0x500 - IMAGE_END); /* overlaps */
	buddy_add_range(b, 1, FW_HOLE_START - 1);
}

static void test_init(void)
{
	struct frame *frames = new_table(N);
	struct buddy b;
	bool all = true;
	mfn_t m = 0;
	u64 i;

	TEST_GROUP("buddy_init: all frames reserved/DOMID_XEN, nothing free");
	buddy_init(&b, frames, 0, N);
	for (i = 0; i < N; i++) {
		const struct frame *f = &frames[i];

		if (f->flags != FRAME_RESERVED || f->owner != DOMID_XEN ||
		    f->count || f->type_info || f->order ||
		    f->link.next != &f->link || f->link.prev != &f->link)
			all = false;
	}
	CHECK(all, "frame records not initialised");
	CHECK(b.nr_free == 0, "nr_free %llu", (unsigned long long)b.nr_free);
	CHECK(buddy_alloc(&b, 0, &m) == -ENOMEM, "alloc from empty");
	CHECK(buddy_free(&b, 5, 0) == -EINVAL, "free of reserved frame");
	CHECK(buddy_ok(&b, "init"), "check");
	free(frames);
}

static void test_add_range(struct snap *initial)
{
	struct frame *frames = new_table(N);
	struct snap ref;
	struct buddy b;
	bool fields = true;
	mfn_t m;

	TEST_GROUP("buddy_add_range: holes, reserved ranges, overlap, clamp, "
		   "maximal aligned blocks");
	setup_map(&b, frames);
	CHECK(b.nr_free == count_expected(), "nr_free %llu want %llu",
	      (unsigned long long)b.nr_free,
	      (unsigned long long)count_expected());
	CHECK(buddy_ok(&b, "add_range"), "check");

	for (m = 0; m < N; m++) {
		const struct frame *f = &frames[m];

		bool ram = expected_ram(m);

		if (f->flags != (ram ? FRAME_FREE : FRAME_RESERVED) ||
		    f->owner != (ram ? DOMID_INVALID : DOMID_XEN))
			fields = false;
	}
	CHECK(fields, "free/reserved frame flags or owner wrong");

	snap_reference(0, N, expected_ram, &ref);
	snap_take(&b, initial);
	CHECK(snap_equal(initial, &ref),
	      "free lists are not the maximal aligned blocks (%zu vs %zu)",
	      initial->n, ref.n);

	/* Re-adding free frames or adding outside the range changes nothing. */
	buddy_add_range(&b, IMAGE_END, HOLE2_START - IMAGE_END);
	buddy_add_range(&b, 1, 3);
	buddy_add_range(&b, N + 5, 100);
	buddy_add_range(&b, N, 1);
	buddy_add_range(&b, ~0ULL - 3, 100);		/* wraps */
	buddy_add_range(&b, 7, 0);
	CHECK(b.nr_free == count_expected(), "re-add changed nr_free");
	CHECK(snap_same_as(&b, initial), "re-add changed the free lists");
	CHECK(buddy_ok(&b, "re-add"), "check");
	free(ref.v);
	free(frames);
}

static bool alloc_fields_ok(const struct buddy *b, mfn_t m, unsigned int o)
{
	u64 i;

	for (i = 0; i < (1ULL << o); i++) {
		const struct frame *f = &b->frames[m + i - b->base];

		if (f->flags || f->owner != DOMID_XEN || f->count ||
		    f->type_info)
			return false;
	}
	return true;
}

static void shuffle(mfn_t *v, u64 n)
{
	u64 i;

	for (i = n; i > 1; i--) {
		u64 j = rnd() % i;
		mfn_t t = v[i - 1];

		v[i - 1] = v[j];
		v[j] = t;
	}
}

static void test_exhaust(const struct snap *initial)
{
	struct frame *frames = new_table(N);
	bool *seen = calloc(N, sizeof(bool));
	mfn_t *got = calloc(N, sizeof(mfn_t));
	u64 n = 0, dup = 0, bad = 0, badf = 0, i, steps_ok = 0;
	unsigned int o, more = 0;
	struct buddy b;
	mfn_t m;

	TEST_GROUP("order-0 exhaustion: every RAM frame handed out once, "
		   "never a reserved one");
	setup_map(&b, frames);
	while (buddy_alloc(&b, 0, &m) == 0) {
		if (n >= N) {
			bad++;
			break;
		}
		if (!expected_ram(m))
			bad++;
		else if (seen[m])
			dup++;
		else
			seen[m] = true;
		if (!alloc_fields_ok(&b, m, 0))
			badf++;
		got[n++] = m;
	}
	CHECK(n == count_expected(), "got %llu frames, want %llu",
	      (unsigned long long)n, (unsigned long long)count_expected());
	CHECK(bad == 0, "%llu reserved/out-of-range frames handed out",
	      (unsigned long long)bad);
	CHECK(dup == 0, "%llu frames handed out twice",
	      (unsigned long long)dup);
	CHECK(badf == 0, "%llu allocated frames with wrong fields",
	      (unsigned long long)badf);
	CHECK(b.nr_free == 0, "nr_free %llu", (unsigned long long)b.nr_free);
	for (o = 0; o <= BUDDY_MAX_ORDER; o++)
		more += buddy_alloc(&b, o, &m) != -ENOMEM;
	CHECK(more == 0, "allocation succeeded on an empty allocator");
	CHECK(buddy_ok(&b, "exhaustion"), "check");

	TEST_GROUP("free all in random order: buddy_check after each free, "
		   "everything coalesces back to the initial free lists");
	shuffle(got, n);
	for (i = 0; i < n; i++)
		steps_ok += buddy_free(&b, got[i], 0) == 0 &&
			    buddy_ok(&b, "random free");
	CHECK(steps_ok == n, "%llu of %llu frees failed",
	      (unsigned long long)(n - steps_ok), (unsigned long long)n);
	CHECK(b.nr_free == count_expected(), "nr_free after freeing all");
	CHECK(snap_same_as(&b, initial), "free lists differ from initial");
	free(seen);
	free(got);
	free(frames);
}

static void test_alignment(const struct snap *initial)
{
	struct frame *frames = new_table(N);
	unsigned int o, ok = 0, nomem = 0, largest = 0;
	struct buddy b;
	size_t i;
	mfn_t m;

	TEST_GROUP("alignment: each order 0..MAX gives an aligned RAM block "
		   "or -ENOMEM above the largest free block");
	setup_map(&b, frames);
	for (i = 0; i < initial->n; i++)
		largest = MAX(largest, initial->v[i].order);
	for (o = 0; o <= BUDDY_MAX_ORDER; o++) {
		int rc = buddy_alloc(&b, o, &m);
		bool good = true;
		u64 k;

		if (rc == -ENOMEM && o > largest) {
			nomem++;
			continue;
		}
		if (rc || (m & ((1ULL << o) - 1)) ||
		    !alloc_fields_ok(&b, m, o))
			good = false;
		for (k = 0; good && k < (1ULL << o); k++)
			good = expected_ram(m + k);
		good = good && buddy_ok(&b, "aligned alloc");
		good = good && buddy_free(&b, m, o) == 0;
		ok += good;
	}
	CHECK(ok + nomem == BUDDY_MAX_ORDER + 1,
	      "%u orders misbehaved", BUDDY_MAX_ORDER + 1 - ok - nomem);
	CHECK(ok == largest + 1, "orders 0..%u should succeed, %u did",
	      largest, ok);
	CHECK(snap_same_as(&b, initial), "free lists differ after alloc/free");

	TEST_GROUP("order > BUDDY_MAX_ORDER rejected with -EINVAL");
	CHECK(buddy_alloc(&b, BUDDY_MAX_ORDER + 1, &m) == -EINVAL, "alloc");
	CHECK(buddy_alloc(&b, ~0U, &m) == -EINVAL, "alloc ~0");
	CHECK(buddy_alloc_below(&b, BUDDY_MAX_ORDER + 1, N, &m) == -EINVAL,
	      "alloc_below");
	CHECK(buddy_free(&b, 0, BUDDY_MAX_ORDER + 1) == -EINVAL, "free");
	CHECK(buddy_free(&b, 0, 200) == -EINVAL, "free 200");
	CHECK(b.nr_free == count_expected(), "nr_free changed");
	CHECK(buddy_ok(&b, "bad order"), "check");
	free(frames);
}

/* Does any free block hold an order-@o aligned piece ending by @limit? */
static bool fit_below_exists(const struct buddy *b, unsigned int o,
			     mfn_t limit)
{
	const struct list_head *pos;
	unsigned int k;

	for (k = o; k <= BUDDY_MAX_ORDER; k++) {
		list_for_each(pos, &b->free[k]) {
			const struct frame *f =
				list_entry(pos, struct frame, link);
			mfn_t m = b->base + (mfn_t)(f - b->frames);

			if (m + (1ULL << o) <= limit)
				return true;
		}
	}
	return false;
}

/* Drain order-@o blocks below @limit; return how many, count violations. */
static u64 drain_below(struct buddy *b, unsigned int o, mfn_t limit,
		       mfn_t *got, u64 *bad)
{
	u64 n = 0, k;
	mfn_t m;

	while (buddy_alloc_below(b, o, limit, &m) == 0) {
		bool good = m + (1ULL << o) <= limit &&
			    !(m & ((1ULL << o) - 1));

		for (k = 0; good && k < (1ULL << o); k++)
			good = expected_ram(m + k);
		*bad += !good;
		got[n++] = m;
	}
	return n;
}

static void release(struct buddy *b, const mfn_t *got, u64 n, unsigned int o)
{
	u64 i;

	for (i = 0; i < n; i++)
		buddy_free(b, got[i], o);
}

/* Aligned order-@o blocks wholly RAM and below @limit. */
static u64 count_fit(unsigned int o, mfn_t limit)
{
	u64 n = 0, k;
	mfn_t m;

	for (m = 0; m + (1ULL << o) <= MIN(limit, (mfn_t)N); m += 1ULL << o) {
		bool all = true;

		for (k = 0; all && k < (1ULL << o); k++)
			all = expected_ram(m + k);
		n += all;
	}
	return n;
}

static void test_below(const struct snap *initial)
{
	static const mfn_t limits[] = { FW_HOLE_START, 0x99, 0x184, 0x500,
					HOLE2_START + 1, N - 3 };
	struct frame *frames = new_table(N);
	mfn_t *got = calloc(N, sizeof(mfn_t));
	unsigned int o, li, runs = 0, good = 0;
	struct buddy b;
	mfn_t m;

	TEST_GROUP("buddy_alloc_below: blocks end by the limit; drains "
		   "exactly the aligned RAM blocks below it");
	setup_map(&b, frames);
	for (li = 0; li < ARRAY_SIZE(limits); li++) {
		for (o = 0; o <= 6; o++) {
			mfn_t lim = limits[li];
			u64 bad = 0, n, want = count_fit(o, lim);
			bool ok;

			n = drain_below(&b, o, lim, got, &bad);
			ok = bad == 0 && n == want &&
			     !fit_below_exists(&b, o, lim) &&
			     buddy_ok(&b, "alloc_below");
			if (!ok)
				printf("limit %#llx order %u: %llu blocks, "
				       "want %llu, %llu bad\n",
				       (unsigned long long)lim, o,
				       (unsigned long long)n,
				       (unsigned long long)want,
				       (unsigned long long)bad);
			release(&b, got, n, o);
			good += ok;
			runs++;
		}
	}
	CHECK(good == runs, "%u of %u limit/order runs failed", runs - good,
	      runs);
	CHECK(snap_same_as(&b, initial), "free lists differ afterwards");

	/*
	 * With nothing of order 2 left below 0x180, the only fit under 0x184
	 * is the head of the order-7 block at 0x180, which straddles it.
	 */
	{
		u64 bad = 0, n = drain_below(&b, 2, IMAGE_END, got, &bad);

		CHECK(frames[0x180].order == 7, "block at 0x180 is order 7");
		CHECK(buddy_alloc_below(&b, 2, 0x184, &m) == 0 && m == 0x180,
		      "straddling block: got %#llx", (unsigned long long)m);
		CHECK(buddy_alloc_below(&b, 2, 0x187, &m) == -ENOMEM,
		      "no second fit below 0x187");
		CHECK(buddy_free(&b, 0x180, 2) == 0, "free straddling piece");
		release(&b, got, n, 2);
	}
	CHECK(buddy_alloc_below(&b, 0, 0, &m) == -ENOMEM, "limit 0");
	CHECK(buddy_alloc_below(&b, 0, 1, &m) == -ENOMEM, "limit 1");
	CHECK(buddy_alloc_below(&b, 1, 2, &m) == -ENOMEM, "order 1 limit 2");
	CHECK(buddy_alloc_below(&b, 0, 2, &m) == 0 && m == 1, "limit 2");
	CHECK(buddy_free(&b, 1, 0) == 0, "free mfn 1");
	CHECK(snap_same_as(&b, initial), "free lists differ at the end");
	CHECK(buddy_ok(&b, "alloc_below"), "check");
	free(got);
	free(frames);
}

/* A rejected call must leave the allocator exactly as it was. */
#define CHECK_REJECT(b, call)                                              \
	do {                                                               \
		struct snap before_;                                       \
		u64 nr_free_ = (b)->nr_free;                               \
                                                                           \
		snap_take((b), &before_);                                  \
		CHECK((call) == -EINVAL, "not rejected");                  \
		CHECK((b)->nr_free == nr_free_ &&                          \
			      snap_same_as((b), &before_) &&               \
			      buddy_ok((b), #call),                        \
		      "state changed");                                    \
		free(before_.v);                                           \
	} while (0)

static void test_bad_free(const struct snap *initial)
{
	struct frame *frames = new_table(N);
	mfn_t *got = calloc(N, sizeof(mfn_t));
	struct buddy b;
	u64 n = 0;
	mfn_t m;

	TEST_GROUP("bad frees -> -EINVAL, no state change: reserved, "
		   "partly reserved, double, inside free block, misaligned, "
		   "out of range");
	setup_map(&b, frames);
	while (buddy_alloc(&b, 0, &m) == 0)
		got[n++] = m;

	CHECK_REJECT(&b, buddy_free(&b, 0, 0));		/* IVT frame */
	CHECK_REJECT(&b, buddy_free(&b, FW_HOLE_START, 0));
	CHECK_REJECT(&b, buddy_free(&b, IMAGE_START + 5, 0));
	CHECK_REJECT(&b, buddy_free(&b, IMAGE_START, 7));
	/* 0x9e is allocated, its buddy 0x9f is firmware. */
	CHECK_REJECT(&b, buddy_free(&b, 0x9e, 1));
	CHECK(frames[0x9e].flags == 0, "0x9e left allocated");
	CHECK_REJECT(&b, buddy_free(&b, N, 0));
	CHECK_REJECT(&b, buddy_free(&b, N + 1000, 0));
	CHECK_REJECT(&b, buddy_free(&b, ~0ULL, 0));
	CHECK_REJECT(&b, buddy_free(&b, N & ~15ULL, 4)); /* runs past end */

	release(&b, got, n, 0);
	CHECK(snap_same_as(&b, initial), "not back to initial");

	CHECK(buddy_alloc(&b, 0, &m) == 0, "alloc");
	CHECK(buddy_free(&b, m, 0) == 0, "first free");
	CHECK_REJECT(&b, buddy_free(&b, m, 0));		/* double free */
	CHECK_REJECT(&b, buddy_free(&b, 0x400, 0)); /* inside free block */
	CHECK_REJECT(&b, buddy_free(&b, 0x400, 3));
	CHECK_REJECT(&b, buddy_free(&b, 0x200, 9));

	CHECK(buddy_alloc(&b, 2, &m) == 0, "alloc order 2");
	CHECK_REJECT(&b, buddy_free(&b, m + 1, 2));	/* misaligned */
	CHECK_REJECT(&b, buddy_free(&b, m + 1, 1));
	CHECK_REJECT(&b, buddy_free(&b, m + 2, 2));
	CHECK(buddy_free(&b, m, 2) == 0, "free order 2");
	CHECK_REJECT(&b, buddy_free(&b, m, 2));		/* double free */
	CHECK_REJECT(&b, buddy_free(&b, m + 3, 0));
	CHECK(snap_same_as(&b, initial), "not back to initial at the end");
	free(got);
	free(frames);
}

static unsigned int random_order(void)
{
	u64 r = rnd() % 32;

	if (r < 14)
		return 0;
	if (r < 22)
		return 1;
	if (r < 29)
		return 2 + rnd() % 4;
	return rnd() % (BUDDY_MAX_ORDER + 1);
}

struct held {
	struct blk *v;
	u64 n;
	bool *busy;
	u64 busy_frames;
};

/* Validate and record a fresh allocation; false on any violation. */
static bool take(struct buddy *b, struct held *h, mfn_t m, unsigned int o,
		 mfn_t limit)
{
	u64 k;

	if ((m & ((1ULL << o) - 1)) || m + (1ULL << o) > limit ||
	    !alloc_fields_ok(b, m, o))
		return false;
	for (k = 0; k < (1ULL << o); k++) {
		if (!expected_ram(m + k) || h->busy[m + k])
			return false;
		h->busy[m + k] = true;
	}
	h->busy_frames += 1ULL << o;
	h->v[h->n].mfn = m;
	h->v[h->n++].order = o;
	return true;
}

static bool give_back(struct buddy *b, struct held *h)
{
	u64 i = rnd() % h->n, k;
	struct blk blk = h->v[i];

	h->v[i] = h->v[--h->n];
	for (k = 0; k < (1ULL << blk.order); k++)
		h->busy[blk.mfn + k] = false;
	h->busy_frames -= 1ULL << blk.order;
	return buddy_free(b, blk.mfn, blk.order) == 0;
}

static bool random_step(struct buddy *b, struct held *h, u64 *nomem)
{
	unsigned int o;
	mfn_t limit = ~0ULL, m;
	int rc;

	if (h->n && rnd() % 100 >= 55)
		return give_back(b, h);
	o = random_order();
	if (rnd() % 4 == 0)
		limit = rnd() % (N + 64);
	rc = buddy_alloc_below(b, o, limit, &m);
	if (rc == 0)
		return take(b, h, m, o, limit);
	(*nomem)++;
	return rc == -ENOMEM && !fit_below_exists(b, o, limit);
}

static void test_random(const struct snap *initial)
{
	struct frame *frames = new_table(N);
	struct held h = { calloc(N, sizeof(struct blk)), 0,
			  calloc(N, sizeof(bool)), 0 };
	u64 step, steps = 20000, ok = 0, nomem = 0;
	struct buddy b;

	TEST_GROUP("random mixed-order alloc/alloc_below/free (xorshift, "
		   "fixed seed), buddy_check + accounting after every step");
	setup_map(&b, frames);
	for (step = 0; step < steps; step++) {
		bool good = random_step(&b, &h, &nomem);

		good = good && b.nr_free == count_expected() - h.busy_frames;
		ok += good && buddy_ok(&b, "random step");
	}
	printf("  %llu steps, %llu -ENOMEM, %llu blocks held at the end\n",
	       (unsigned long long)steps, (unsigned long long)nomem,
	       (unsigned long long)h.n);
	CHECK(ok == steps, "%llu steps failed",
	      (unsigned long long)(steps - ok));
	CHECK(nomem > 0 && nomem < steps, "both outcomes exercised");
	while (h.n)
		CHECK(give_back(&b, &h), "final free");
	CHECK(snap_same_as(&b, initial), "not back to initial");
	CHECK(buddy_ok(&b, "random end"), "check");
	free(h.v);
	free(h.busy);
	free(frames);
}

/* Large table with an unaligned base: order-18 blocks and clamping. */
#define BIG_BASE (0x40000ULL - 7)
#define BIG_NR ((1ULL << 19) + 0x3000)

static bool big_ram(mfn_t m)
{
	return m >= BIG_BASE && m < BIG_BASE + BIG_NR;
}

static void test_big(void)
{
	struct frame *frames = new_table(BIG_NR);
	struct snap ref, s;
	struct buddy b;
	mfn_t m, a = 0, c = 0, chunk = 1000, start;
	bool top = true;

	TEST_GROUP("unaligned base, 2 GiB+: chunked reverse add coalesces to "
		   "1 GiB blocks; order-18 alloc; clamping below base");
	buddy_init(&b, frames, BIG_BASE, BIG_NR);
	/* Add in reverse chunks, plus a range starting below base. */
	for (start = BIG_BASE + BIG_NR; start > BIG_BASE + chunk;) {
		start -= chunk;
		buddy_add_range(&b, start, chunk);
	}
	buddy_add_range(&b, 0, BIG_BASE + chunk + 5);
	CHECK(b.nr_free == BIG_NR, "nr_free %llu",
	      (unsigned long long)b.nr_free);
	CHECK(buddy_ok(&b, "big add"), "check");
	snap_reference(BIG_BASE, BIG_NR, big_ram, &ref);
	snap_take(&b, &s);
	CHECK(snap_equal(&s, &ref), "not maximal aligned blocks");
	free(s.v);

	/* Frames below 0x40000 form blocks of order 0..2 only. */
	CHECK(buddy_alloc_below(&b, 3, BIG_BASE + 15, &m) == 0 &&
		      m == 0x40000,
	      "order 3 below %#llx: %#llx", BIG_BASE + 15,
	      (unsigned long long)m);
	CHECK(buddy_free(&b, m, 3) == 0, "free 8");
	CHECK(snap_same_as(&b, &ref), "not back to reference after split");

	CHECK(buddy_alloc(&b, BUDDY_MAX_ORDER, &a) == 0 &&
		      buddy_alloc(&b, BUDDY_MAX_ORDER, &c) == 0,
	      "two 1 GiB blocks");
	CHECK(!(a & ((1ULL << BUDDY_MAX_ORDER) - 1)) &&
		      !(c & ((1ULL << BUDDY_MAX_ORDER) - 1)) && a != c,
	      "1 GiB alignment %#llx %#llx", (unsigned long long)a,
	      (unsigned long long)c);
	CHECK(buddy_alloc(&b, BUDDY_MAX_ORDER, &m) == -ENOMEM, "third");
	CHECK(buddy_alloc_below(&b, 3, BIG_BASE + 15, &m) == -ENOMEM,
	      "nothing left below the first 1 GiB block");
	CHECK_REJECT(&b, buddy_free(&b, BIG_BASE - 1, 0));
	CHECK_REJECT(&b, buddy_free(&b, BIG_BASE & ~7ULL, 3)); /* below */
	CHECK(buddy_free(&b, c, BUDDY_MAX_ORDER) == 0 &&
		      buddy_free(&b, a, BUDDY_MAX_ORDER) == 0,
	      "free 1 GiB blocks");
	CHECK(snap_same_as(&b, &ref), "not back to reference");
	CHECK(buddy_ok(&b, "big end"), "check");
	for (m = 0; m < BIG_NR && top; m++)
		top = frames[m].flags == FRAME_FREE;
	CHECK(top, "frame flags");
	free(ref.v);
	free(frames);
}

static bool expect_fail(const struct buddy *b, const char *needle)
{
	char why[96];

	why[0] = 0;
	if (buddy_check(b, why, sizeof(why)) != -EINVAL)
		return false;
	printf("  detected: %s\n", why);
	return strstr(why, needle) != NULL;
}

static void test_checker(void)
{
	struct frame *frames = new_table(N);
	struct buddy b;
	char tiny[4];
	struct frame saved;
	mfn_t m;

	TEST_GROUP("buddy_check detects corruption and truncates its reason");
	setup_map(&b, frames);

	saved = frames[0x401];
	frames[0x401].flags = 0;		/* tail of a free block */
	CHECK(expect_fail(&b, "0x401"), "cleared FREE in free block");
	frames[0x401] = saved;

	frames[0x400].order++;
	CHECK(expect_fail(&b, "order"), "wrong head order");
	frames[0x400].order--;

	b.nr_free++;
	CHECK(expect_fail(&b, "nr_free"), "nr_free off by one");
	b.nr_free--;

	frames[0x100].flags = FRAME_FREE; /* reserved frame marked free */
	CHECK(expect_fail(&b, "not on any list"), "stray free frame");
	frames[0x100].flags = FRAME_RESERVED;

	CHECK(buddy_alloc(&b, 0, &m) == 0, "alloc");
	frames[m].owner = DOMID_INVALID;
	frames[m].flags = FRAME_FREE;		/* listed nowhere */
	CHECK(expect_fail(&b, "not on any list"), "unlisted free frame");
	frames[m].flags = 0;
	frames[m].owner = DOMID_XEN;

	CHECK(buddy_check(&b, tiny, sizeof(tiny)) == 0 && tiny[0] == 0,
	      "clean check clears why");
	b.nr_free++;
	CHECK(buddy_check(&b, tiny, sizeof(tiny)) == -EINVAL &&
		      strlen(tiny) == 3,
	      "reason truncated to buffer");
	CHECK(buddy_check(&b, NULL, 0) == -EINVAL, "NULL reason buffer");
	b.nr_free--;
	CHECK(buddy_free(&b, m, 0) == 0, "free");
	CHECK(buddy_ok(&b, "checker end"), "check");
	free(frames);
}

static void seed_rng(void)
{
	test_seed(0x9e3779b97f4a7c15ULL);
}

int main(void)
{
	seed_rng();
	struct snap initial;

	test_init();
	test_add_range(&initial);
	test_exhaust(&initial);
	test_alignment(&initial);
	test_below(&initial);
	test_bad_free(&initial);
	test_random(&initial);
	test_big();
	test_checker();
	CHECK(check_failures == 0, "%d buddy_check failures", check_failures);
	free(initial.v);
	return test_summary("test_buddy");
}
