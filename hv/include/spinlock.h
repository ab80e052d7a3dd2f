/*
 * Ticket spinlocks: fair between CPUs. The _irqsave forms are for locks also
 * taken from interrupt context (printk, timers).
 */
#ifndef XENOLITH_SPINLOCK_H
#define XENOLITH_SPINLOCK_H

#include "x86.h"

typedef struct {
	volatile u16 head; /* ticket being served */
	volatile u16 tail; /* next ticket to hand out */
} spinlock_t;

#define SPIN_LOCK_UNLOCKED \
	{                  \
		0, 0       \
	}
#define DEFINE_SPINLOCK(l) spinlock_t l = SPIN_LOCK_UNLOCKED

static inline void spin_lock(spinlock_t *l)
{
	u16 me = __atomic_fetch_add(&l->tail, 1, __ATOMIC_ACQUIRE);
	while (__atomic_load_n(&l->head, __ATOMIC_ACQUIRE) != me)
		cpu_relax();
}

static inline bool spin_trylock(spinlock_t *l)
{
	u16 head = __atomic_load_n(&l->head, __ATOMIC_RELAXED);
	u16 want = head;
	/* Take a ticket only if nobody holds or waits for the lock. */
	return __atomic_compare_exchange_n(&l->tail, &want, (u16)(head + 1),
					   false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->head, (u16)(l->head + 1), __ATOMIC_RELEASE);
}

static inline bool spin_is_locked(const spinlock_t *l)
{
	return l->head != l->tail;
}

/* Held, and another CPU waits for it (the holder should let go soon). */
static inline bool spin_is_contended(const spinlock_t *l)
{
	return (u16)(l->tail - l->head) > 1;
}

static inline u64 spin_lock_irqsave(spinlock_t *l)
{
	u64 f = local_irq_save();
	spin_lock(l);
	return f;
}

static inline void spin_unlock_irqrestore(spinlock_t *l, u64 f)
{
	spin_unlock(l);
	local_irq_restore(f);
}

#endif
