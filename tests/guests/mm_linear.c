/*
 * Linear page tables must stay one level deep. A read-only entry of an
 * Lk table may name another Lk table (a "linear" page table), but as on
 * Xen only a table already in use that holds no linear entries itself,
 * and only from a table that is not itself such a target: so no chain
 * of linear entries exists, and no validation or teardown walks one
 * (a chain of hundreds used to overflow the hypervisor's stack when its
 * head was unpinned).
 *
 * For each level 2..4 and chains of 2, 8, 64 and 1024 tables, three
 * ways to build one: pinning tables whose entry names the next, already
 * pinned table (from the end of the chain); linking tables that are all
 * pinned already (head first: every other link is refused, leaving
 * pairs); closing a cycle. No two links may ever follow each other.
 * Legal shapes still work: a self-map, many tables naming one (a star),
 * one table naming many (a fan). After each round every table is
 * unpinned in the order that would unwind a chain from its head, and
 * every frame must be free again (mappable writable). Last, chains as
 * long as allowed and stars are left pinned for the domain's destruction
 * (the victim, domain 0, destroys us: destroy=1).
 *
 * Arguments: id=N, our domain id.
 */
#include "mmtest.h"

#define EINVAL 22
#define MAX_CHAIN 1024

static uint64_t pool[3][MAX_CHAIN]; /* frames for the chains, per level */
static bool pinned[MAX_CHAIN];
static unsigned int scratch; /* a scratch page to map frames at */
static const unsigned int lengths[] = { 2, 8, 64, MAX_CHAIN };

static uint64_t ro_entry(uint64_t mfn)
{
	return (mfn << 12) | PTE_P | PTE_A;
}

/* The slot a link uses: any slot outside the hypervisor's L4 range. */
static uint64_t slot_ma(uint64_t table, unsigned int slot)
{
	return (table << 12) | slot * 8;
}

static unsigned int pin_cmd(unsigned int level)
{
	return MMUEXT_PIN_L1_TABLE + level - 1;
}

/* Zero n frames of the pool and forget pins. */
static void reset(uint64_t *t, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		if (mm_ext(MMUEXT_CLEAR_PAGE, t[i], 0))
			pv_panic("clear_page %#lx failed", t[i]);
		pinned[i] = false;
	}
}

static long pin(uint64_t *t, unsigned int i, unsigned int level)
{
	long rc = mm_ext(pin_cmd(level), t[i], 0);

	pinned[i] = !rc;
	return rc;
}

/* Unpin from the tail to the head: what unwound a chain recursively. */
static void unpin_all(uint64_t *t, unsigned int n, const char *what)
{
	unsigned int bad = 0;

	for (unsigned int i = n; i-- > 0;)
		if (pinned[i] && mm_ext(MMUEXT_UNPIN_TABLE, t[i], 0))
			bad++;
	CHECK(!bad, "%s: %u unpins failed", what, bad);
	memset(pinned, 0, sizeof(pinned));
}

/* Every frame is free again: no type reference was leaked. */
static void check_free(uint64_t *t, unsigned int n, const char *what)
{
	unsigned int busy = 0;

	for (unsigned int i = 0; i < n; i++) {
		if (mm_map(scratch, t[i], PTE_PAGE_RW))
			busy++;
		else
			mm_unmap(scratch);
	}
	CHECK(!busy, "%s: %u of %u frames still typed", what, busy, n);
}

/*
 * Pin the tail, then each earlier table with an entry naming the next,
 * until a pin is refused (past a refusal, an L2 could validate as a
 * plain L2 over an L1, which is no chain).
 */
static void chain_by_pins(uint64_t *t, unsigned int n, unsigned int level)
{
	unsigned int accepted = 0;
	long rc = 0;

	reset(t, n);
	CHECK_EQ(pin(t, n - 1, level), 0);
	for (unsigned int i = n - 1; i-- > 0 && !rc;) {
		if (mm_update(slot_ma(t[i], 5), ro_entry(t[i + 1])))
			pv_panic("plain write to %#lx failed", t[i]);
		rc = pin(t, i, level);
		accepted += !rc;
	}
	CHECK(accepted == 1 && rc == (n > 2 ? -EINVAL : 0),
	      "L%u chain of %u by pins: %u links accepted, then %ld", level, n,
	      accepted, rc);
	unpin_all(t, n, "chain by pins");
	check_free(t, n, "chain by pins");
}

/* Pin every table, then link each to the next, head first. */
static void chain_by_links(uint64_t *t, unsigned int n, unsigned int level,
			   bool keep)
{
	unsigned int accepted = 0, refused = 0;

	reset(t, n);
	for (unsigned int i = 0; i < n; i++)
		CHECK_EQ(pin(t, i, level), 0);
	for (unsigned int i = 0; i + 1 < n; i++) {
		long rc = mm_update(slot_ma(t[i], 7), ro_entry(t[i + 1]));
		if (!rc)
			accepted++;
		else if (rc == -EINVAL)
			refused++;
	}
	/* Pairs are legal (t[0]->t[1], t[2]->t[3], ...): never two in a row. */
	CHECK(accepted == n / 2 && refused == n - 1 - n / 2,
	      "L%u chain of %u by links: %u accepted, %u refused "
	      "(expected %u, %u)",
	      level, n, accepted, refused, n / 2, n - 1 - n / 2);
	if (keep)
		return;
	unpin_all(t, n, "chain by links");
	check_free(t, n, "chain by links");
}

/* A two-table cycle, and a self-map beside a linear entry. */
static void cycle(uint64_t *t, unsigned int level)
{
	reset(t, 2);
	CHECK_EQ(pin(t, 0, level), 0);
	CHECK_EQ(pin(t, 1, level), 0);
	CHECK_EQ(mm_update(slot_ma(t[0], 3), ro_entry(t[1])), 0);
	CHECK_EQ(mm_update(slot_ma(t[1], 3), ro_entry(t[0])), -EINVAL);
	CHECK_EQ(mm_update(slot_ma(t[0], 4), ro_entry(t[0])), 0);
	CHECK_EQ(mm_update(slot_ma(t[1], 4), ro_entry(t[1])), 0);
	/* A writable self-map never. */
	CHECK_EQ(mm_update(slot_ma(t[0], 6), (t[0] << 12) | PTE_TABLE),
		 -EINVAL);
	unpin_all(t, 2, "cycle");
	check_free(t, 2, "cycle");
}

/* Many tables naming one, one table naming many: legal and undone. */
static void star_and_fan(uint64_t *t, unsigned int n, unsigned int level,
			 bool keep)
{
	unsigned int ok = 0, fan = n - 1 > 255 ? 255 : n - 1;

	reset(t, n);
	for (unsigned int i = 0; i < n; i++)
		CHECK_EQ(pin(t, i, level), 0);
	for (unsigned int i = 1; i < n; i++)
		ok += !mm_update(slot_ma(t[i], 9), ro_entry(t[0]));
	CHECK(ok == n - 1, "L%u star of %u: %u links accepted", level, n, ok);
	/* t[0] is a target: it may hold no linear entry of its own. */
	CHECK_EQ(mm_update(slot_ma(t[0], 9), ro_entry(t[1])), -EINVAL);
	/* Undo the star, then t[0] names many (fewer than 256 slots). */
	for (unsigned int i = 1; i < n; i++)
		mm_update(slot_ma(t[i], 9), 0);
	ok = 0;
	for (unsigned int i = 1; i <= fan; i++)
		ok += !mm_update(slot_ma(t[0], i), ro_entry(t[i]));
	CHECK(ok == fan, "L%u fan of %u: %u links accepted", level, fan, ok);
	/* A fan target may not name another table now. */
	if (fan >= 2)
		CHECK_EQ(mm_update(slot_ma(t[1], 9), ro_entry(t[2])), -EINVAL);
	if (keep)
		return;
	unpin_all(t, n, "star and fan");
	check_free(t, n, "star and fan");
}

/* The linear map works: read a table through a self-mapping L4 slot. */
static void self_map_reads(void)
{
	uint64_t l4ma = mm.l4_mfn << 12, v = 0;
	uint64_t self_va = 0xffff000000000000UL | (301UL << 39) |
			   (301UL << 30) | (301UL << 21) | (301UL << 12);

	CHECK_EQ(mm_update(l4ma | 301 * 8, ro_entry(mm.l4_mfn)), 0);
	CHECK_EQ(mm_read64((volatile uint64_t *)self_va + MM_SCRATCH_SLOT, &v),
		 0);
	CHECK_EQ(v & PTE_ADDR, mm.l3 << 12);
	CHECK_EQ(mm_update(l4ma | 301 * 8, 0), 0);
}

void pv_main(void)
{
	unsigned int id = (unsigned int)mm_arg("id", 1);
	uint32_t port = mm_bind_victim(id);
	uint64_t t0 = pv_now();

	mm_init(2);
	scratch = mm_alloc_idx(1);
	for (unsigned int l = 0; l < 3; l++)
		for (unsigned int i = 0; i < MAX_CHAIN; i++)
			pool[l][i] = mm_alloc();
	pv_test_group("a self-mapping L4 entry reads the tables");
	self_map_reads();
	for (unsigned int level = 2; level <= 4; level++) {
		uint64_t *t = pool[level - 2];

		pv_test_group("linear chains refused past one link");
		printf("linear: level %u\n", level);
		for (unsigned int k = 0; k < ARRAY_SIZE(lengths); k++) {
			chain_by_pins(t, lengths[k], level);
			chain_by_links(t, lengths[k], level, false);
		}
		pv_test_group("linear cycles refused, self-maps allowed");
		cycle(t, level);
		pv_test_group("stars and fans of linear entries allowed");
		star_and_fan(t, 64, level, false);
	}
	/* Left pinned for the domain's destruction. */
	pv_test_group("chains and stars left pinned for destruction");
	chain_by_links(pool[0], MAX_CHAIN, 2, true);
	chain_by_links(pool[1], MAX_CHAIN, 3, true);
	star_and_fan(pool[2], MAX_CHAIN, 4, true);
	printf("linear: all rounds in %lu ms\n", (pv_now() - t0) / 1000000);
	pv_test_summary();
	mm_notify(port);
}
