/*
 * Self-test of the orphan hand-over (selftest option): a dying domain's
 * frame that a back end still maps is orphaned by the destroyer while
 * the back end drops its reference on another CPU. Exactly one of the
 * two must free it. Both CPUs race over the same frames, round after
 * round; afterwards the allocator must hold exactly the frames it held
 * before: one fewer is a leak, one more a double free.
 */
#include "lib.h"
#include "mm.h"
#include "page.h"
#include "percpu.h"
#include "ptval.h"
#include "selftest.h"
#include "time.h"
#include "timer.h"
#include "x86.h"

#define ORPHAN_FRAMES 1024
#define ORPHAN_ROUNDS 32
#define FAKE_OWNER 0x7000 /* no domain has this id */

static mfn_t orphan_mfns[ORPHAN_FRAMES];
static struct timer orphan_timer;
static volatile int orphan_turn, orphan_done;

/*
 * The back end's side, on the other CPU: drop each reference as soon as
 * the destroyer says it is that frame's turn.
 */
static void drop_refs(void *data)
{
	(void)data;
	for (int i = 0; i < ORPHAN_FRAMES; i++) {
		while (__atomic_load_n(&orphan_turn, __ATOMIC_ACQUIRE) != i)
			cpu_relax();
		put_page(mfn_to_frame(orphan_mfns[i]));
		__atomic_store_n(&orphan_done, i, __ATOMIC_RELEASE);
	}
}

/* Frames as a back end holds them: owned by a domain, one reference. */
static bool take_frames(void)
{
	for (unsigned int i = 0; i < ORPHAN_FRAMES; i++) {
		struct frame *f;

		orphan_mfns[i] = alloc_frames(0);
		if (orphan_mfns[i] == INVALID_MFN)
			return false;
		f = mfn_to_frame(orphan_mfns[i]);
		f->owner = FAKE_OWNER;
		f->count = 1;
	}
	return true;
}

/*
 * Frame by frame in step with the other CPU, after a delay that varies
 * from frame to frame, so that the two sides meet at every offset.
 */
static void race_once(unsigned int other)
{
	__atomic_store_n(&orphan_turn, -1, __ATOMIC_RELEASE);
	__atomic_store_n(&orphan_done, -1, __ATOMIC_RELEASE);
	timer_init(&orphan_timer, drop_refs, NULL, other);
	set_timer(&orphan_timer, NOW());
	for (int i = 0; i < ORPHAN_FRAMES; i++) {
		__atomic_store_n(&orphan_turn, i, __ATOMIC_RELEASE);
		for (int d = 0; d < i % 32; d++)
			cpu_relax();
		orphan_frame(mfn_to_frame(orphan_mfns[i]));
		while (__atomic_load_n(&orphan_done, __ATOMIC_ACQUIRE) != i)
			cpu_relax();
	}
}

void selftest_orphans(void)
{
	u64 before = mm_free_frames(), after;
	unsigned int other = smp_processor_id() ? 0 : 1;

	if (nr_cpus_online < 2) {
		printk("selftest: orphans: needs 2 CPUs, skipped\n");
		return;
	}
	for (unsigned int r = 0; r < ORPHAN_ROUNDS; r++) {
		if (!take_frames()) {
			printk("selftest: orphans: out of memory\n");
			return;
		}
		race_once(other);
	}
	after = mm_free_frames();
	printk("selftest: orphans: %u frames orphaned while another CPU "
	       "dropped the last reference: %lu leaked, %lu freed twice\n",
	       ORPHAN_FRAMES * ORPHAN_ROUNDS,
	       before > after ? before - after : 0,
	       after > before ? after - before : 0);
}
