/*
 * Host shim for hv/include/spinlock.h. The lock keeps the real layout
 * (struct domain embeds spinlocks, and objects built with and without the
 * shim must agree on it) but checks instead of spinning: the tests are
 * single-threaded, so taking a held lock (a deadlock on hardware) or
 * releasing a free one is a bug, reported through panic().
 *
 * The shim must come before the real header: a shim header that is
 * included first (lib.h, page.h) includes this one.
 */
#ifndef XENOLITH_SHIM_SPINLOCK_H
#define XENOLITH_SHIM_SPINLOCK_H

#ifdef XENOLITH_SPINLOCK_H
#error "the real spinlock.h was included before the host shim"
#endif

#include "types.h"

void __noreturn panic(const char *fmt, ...) __printf(1, 2);

#define spin_lock real_spin_lock
#define spin_trylock real_spin_trylock
#define spin_unlock real_spin_unlock
#define spin_is_locked real_spin_is_locked
#define spin_lock_irqsave real_spin_lock_irqsave
#define spin_unlock_irqrestore real_spin_unlock_irqrestore
#include_next <spinlock.h>
#undef spin_lock
#undef spin_trylock
#undef spin_unlock
#undef spin_is_locked
#undef spin_lock_irqsave
#undef spin_unlock_irqrestore

static inline bool spin_is_locked(const spinlock_t *l)
{
	return l->head != l->tail;
}

static inline void spin_lock(spinlock_t *l)
{
	if (spin_is_locked(l))
		panic("shim: spin_lock(%p): already held", (void *)l);
	l->tail = l->tail + 1;
}

static inline bool spin_trylock(spinlock_t *l)
{
	if (spin_is_locked(l))
		return false;
	l->tail = l->tail + 1;
	return true;
}

static inline void spin_unlock(spinlock_t *l)
{
	if (!spin_is_locked(l))
		panic("shim: spin_unlock(%p): not held", (void *)l);
	l->head = l->head + 1;
}

static inline u64 spin_lock_irqsave(spinlock_t *l)
{
	spin_lock(l);
	return 0;
}

static inline void spin_unlock_irqrestore(spinlock_t *l, u64 f)
{
	(void)f;
	spin_unlock(l);
}

#endif
