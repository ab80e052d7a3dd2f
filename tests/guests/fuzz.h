/*
 * The hypercall fuzzer's state and argument generators (fuzz.c).
 *
 * Arguments are drawn from a seeded PRNG, so a seed replays a run.
 * Values come in classes: boundary numbers, pointers into the hypervisor
 * (image, direct map, M2P, the rest of its L4 slots), non-canonical and
 * unmapped addresses, our read-only page tables, our argument arena (a
 * valid buffer of random words, followed by an unmapped guard page),
 * domain ids (ours, the victim's, the other fuzzers', the reserved ones),
 * frames (ours, a pool set aside for the purpose, random, near the top of
 * RAM), ports and grant references.
 *
 * The filter keeps the fuzzer alive: anything that could only hurt us is
 * redirected to a harmless target (see fuzz_safe_* and the callers).
 */
#ifndef FUZZ_H
#define FUZZ_H

#include "mmtest.h"

#define FZ_MAX_MFNS (1UL << 21) /* 8 GiB of RAM: the own-frame bitmap */
#define FZ_POOL 96 /* frames the fuzzer may pin, free, give away */
#define FZ_ARENA_PAGES 8 /* argument buffers, reset for each call */
#define FZ_NR_L1 4 /* scratch L1 tables: 2048 scratch pages */

/* Scratch page indices (mmtest.h's area at L4 slot 300). */
#define FZ_IDX_ARENA 8
#define FZ_IDX_GUARD (FZ_IDX_ARENA + FZ_ARENA_PAGES) /* never mapped */
#define FZ_IDX_SCRIBBLE (FZ_IDX_GUARD + 2) /* runstate/time areas */
#define FZ_IDX_GNT (FZ_IDX_SCRIBBLE + 2) /* our grant table frames */
#define FZ_GNT_FRAMES 4
#define FZ_IDX_WIN 64 /* the fuzzed window starts here */

struct fz_state {
	uint64_t seed, rs; /* the seed, the PRNG state */
	unsigned int self, victim, first, nfuzz; /* domain ids */
	uint64_t max_mfn;
	uint64_t pool[FZ_POOL];
	uint8_t role[FZ_POOL]; /* the table level a pool frame plays (1-4) */
	uint8_t *arena;
	size_t arena_used;
	uint64_t scribble_va;
	uint64_t gnt_mfn[FZ_GNT_FRAMES];
	unsigned int gnt_frames;
	uint32_t port_console, port_store, port_timer, port_victim;
	uint64_t win_lo, win_hi; /* VA window for fuzzed mappings */
	unsigned int post; /* FZ_POST_* state to restore after a call */
	int64_t watchdog_id;
	uint64_t timer_lost; /* blocks skipped: our timer port was gone */
};

static struct fz_state fz;
static uint64_t fz_mine[FZ_MAX_MFNS / 64];

/* After-call restorations: what a fuzzed call may have changed. */
#define FZ_POST_TRAPS 0x01
#define FZ_POST_CALLBACKS 0x02
#define FZ_POST_DEBUG 0x04
#define FZ_POST_SEGBASE 0x08
#define FZ_POST_PERIODIC 0x10
#define FZ_POST_FPU 0x20
#define FZ_POST_WATCHDOG 0x40

/* --- PRNG: xorshift64* ---------------------------------------------------- */

static inline uint64_t rnd(void)
{
	fz.rs ^= fz.rs >> 12;
	fz.rs ^= fz.rs << 25;
	fz.rs ^= fz.rs >> 27;
	return fz.rs * 0x2545F4914F6CDD1DUL;
}

static inline uint64_t rn(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static inline bool chance(unsigned int pct)
{
	return rn(100) < pct;
}

/* --- Own frames ------------------------------------------------------------ */

static inline bool fz_is_mine(uint64_t mfn)
{
	return mfn < FZ_MAX_MFNS && (fz_mine[mfn / 64] & (1UL << (mfn % 64)));
}

static inline int fz_pool_index(uint64_t mfn)
{
	for (int i = 0; i < FZ_POOL; i++)
		if (fz.pool[i] == mfn)
			return i;
	return -1;
}

/*
 * A frame we use ourselves (code, data, page tables, arena...), or our
 * shared_info page: written by copy_page or a grant copy, it could mask
 * our timer's port, and SCHEDOP_block would never return.
 */
static inline bool fz_protected(uint64_t mfn)
{
	if (mfn == start_info->shared_info >> 12)
		return true;
	return fz_is_mine(mfn) && fz_pool_index(mfn) < 0;
}

static inline uint64_t fz_pool_mfn(void)
{
	return fz.pool[rn(FZ_POOL)];
}

/* A frame the hypervisor may write, take or retype on our behalf. */
static inline uint64_t fz_safe_mfn(uint64_t mfn)
{
	return fz_protected(mfn) ? fz_pool_mfn() : mfn;
}

/* --- Value classes ------------------------------------------------------- */

static uint64_t r_count(void)
{
	static const uint64_t edge[] = { 0,
					 1,
					 2,
					 3,
					 7,
					 8,
					 255,
					 256,
					 511,
					 512,
					 4095,
					 4096,
					 4097,
					 0x7fff,
					 0xffff,
					 0x7fffffff,
					 0x80000000,
					 0xffffffff,
					 0x100000000UL,
					 ~0UL,
					 ~0UL - 1 };

	switch (rn(4)) {
	case 0:
		return edge[rn(ARRAY_SIZE(edge))];
	case 1:
		return rn(16);
	case 2:
		return 1UL << rn(64);
	default:
		return rnd() >> rn(64);
	}
}

static uint64_t r_domid(void)
{
	static const uint16_t special[] = { DOMID_SELF,	   DOMID_IO,
					    DOMID_XEN,	   DOMID_COW,
					    DOMID_INVALID, DOMID_IDLE,
					    0x7ff5,	   0xffff };

	switch (rn(8)) {
	case 0:
		return 0;
	case 1:
		return fz.victim;
	case 2:
		return fz.self;
	case 3:
		return special[rn(ARRAY_SIZE(special))];
	case 4:
		return fz.first + rn(fz.nfuzz);
	case 5:
		return fz.self + 1 + rn(4);
	case 6:
		return rnd() & 0xffff;
	default:
		return chance(50) ? DOMID_SELF : fz.victim;
	}
}

static uint64_t r_mfn(void)
{
	switch (rn(9)) {
	case 0:
	case 1:
		return fz_pool_mfn();
	case 2: /* one of ours (filtered where that would hurt) */
		return pv_p2m[rn(start_info->nr_pages)];
	case 3:
		return rn(fz.max_mfn);
	case 4:
		return fz.max_mfn - rn(64);
	case 5:
		return fz.max_mfn + rn(64);
	case 6:
		return rn(1024); /* low memory: the hypervisor's frames */
	case 7:
		return r_count();
	default:
		return rn(fz.max_mfn);
	}
}

static uint64_t r_port(void)
{
	switch (rn(5)) {
	case 0:
		return rn(8);
	case 1:
		return rn(64);
	case 2:
		return rn(4200);
	case 3:
		return r_count() & 0xffffffff;
	default:
		return rn(32);
	}
}

static uint64_t r_gref(void)
{
	return chance(70) ? rn(64 * FZ_GNT_FRAMES * 8) : r_count() & 0xffffffff;
}

static uint64_t arena_end(void)
{
	return (uint64_t)fz.arena + FZ_ARENA_PAGES * 4096UL;
}

/* Pointers the hypervisor must refuse to read or write through. */
static uint64_t r_hostile_ptr(void)
{
	switch (rn(13)) {
	case 0:
		return rn(8192);
	case 1: /* the hypervisor's image */
		return 0xffff82d040000000UL + rn(16UL << 20);
	case 2: /* the direct map of all RAM */
		return 0xffff830000000000UL + rn(fz.max_mfn << 12);
	case 3: /* the read-only M2P: readable, not writable */
		return 0xffff800000000000UL + rn(fz.max_mfn * 8);
	case 4: /* anywhere in the hypervisor's L4 slots 256..271 */
		return 0xffff800000000000UL + rn(1UL << 43);
	case 5: /* non-canonical */
		return 0x0000800000000000UL + rn(0xffff000000000000UL);
	case 6: {
		static const uint64_t edge[] = { 0x8000000000000000UL,
						 0x00007ffffffff000UL,
						 0x00007fffffffffffUL,
						 0xffff7fffffffffffUL,
						 ~0UL,
						 ~0UL - 7 };
		return edge[rn(ARRAY_SIZE(edge))];
	}
	case 7: /* user half, unmapped */
		return 0x400000UL + rn(1UL << 40);
	case 8: /* kernel half, unmapped */
		return 0xffffc90000000000UL + rn(1UL << 36);
	case 9: /* our page tables, mapped read-only */
		return start_info->pt_base +
		       rn(start_info->nr_pt_frames * 4096UL);
	case 10: /* our scratch tables, read-only */
		return (uint64_t)mm_va((unsigned int)rn(FZ_NR_L1 + 2)) +
		       rn(4096);
	case 11: /* straddling the arena's guard page */
		return arena_end() - rn(64);
	default: /* the guard page itself */
		return arena_end() + rn(4096);
	}
}

/* An interesting 64-bit word. */
static uint64_t r_word(void)
{
	switch (rn(8)) {
	case 0:
	case 1:
		return r_count();
	case 2:
		return r_domid();
	case 3:
		return (r_mfn() << 12) | (rnd() & 0xfff);
	case 4:
		return r_hostile_ptr();
	case 5:
		return r_port();
	case 6:
		return rnd() & 0xffffffff;
	default:
		return rnd();
	}
}

/* n bytes of the arena filled with words from r_word, or NULL if full. */
static void *arena_alloc(size_t n)
{
	uint64_t *p;

	n = (n + 7) & ~7UL;
	if (fz.arena_used + n > FZ_ARENA_PAGES * 4096UL)
		return NULL;
	p = (uint64_t *)(fz.arena + fz.arena_used);
	fz.arena_used += n;
	for (size_t i = 0; i < n / 8; i++)
		p[i] = chance(50) ? r_word() : rn(8);
	return p;
}

/* --- The filter: our own live address space stays ours ----------------- */

static bool va_is_ours(uint64_t va)
{
	if (va >= 0xffffff8000000000UL) /* L4 slot 511: our image */
		return true;
	if (va >= MM_SCRATCH_BASE && va < fz.win_lo)
		return true; /* scratch tables, arena, grant frames */
	return false;
}

static uint64_t fz_win_va(void)
{
	return fz.win_lo + rn((fz.win_hi - fz.win_lo) >> 12) * 4096;
}

/* A VA whose mapping we may let the hypervisor change. */
static uint64_t fz_safe_va(uint64_t va)
{
	return va_is_ours(va) ? fz_win_va() + (va & 0xfff) : va;
}

static uint64_t r_va(void)
{
	switch (rn(4)) {
	case 0:
		return r_hostile_ptr();
	case 1:
		return r_word();
	default:
		return fz_win_va() + (chance(10) ? rn(4096) : 0);
	}
}

/* Is this port one we need (console, xenstore, timer, the victim's)? */
static bool port_is_ours(uint64_t port)
{
	return port == fz.port_console || port == fz.port_store ||
	       port == fz.port_timer || port == fz.port_victim;
}

static bool dom_is_self(uint64_t dom)
{
	dom &= 0xffff;
	return dom == DOMID_SELF || dom == fz.self;
}

#endif
