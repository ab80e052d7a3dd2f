/*
 * The generic shared ring of the split drivers (blkif, netif, ...).
 *
 * One or more shared pages start with a 64-byte header followed by an array
 * of slots. Each slot is a union of one request and one response. The
 * frontend produces requests and consumes responses. The backend does the
 * opposite. A slot carries a request first and its response later, so at
 * most nr_ents requests can be outstanding.
 *
 *   header: req_prod @0, req_event @4, rsp_prod @8, rsp_event @12, then
 *           padding to byte 64 where the slots begin.
 *   slots:  (ring bytes - 64) / slot size, rounded down to a power of two.
 *
 * All indices are free-running 32-bit counters. Slot i is ring[i & (n - 1)],
 * and differences such as prod - cons are taken modulo 2^32. Each side keeps
 * its private cursors (the frontend's req_prod_pvt and rsp_cons, the
 * backend's rsp_prod_pvt and req_cons) in a front/back ring structure
 * outside the shared page. It publishes its producer only when it chooses
 * to push.
 *
 * Notification hold-off: a consumer that is about to sleep stores
 * "cons + 1" in the event field of the stream it consumes (req_event or
 * rsp_event). After it has pushed the producer from old to new, the
 * producer must send an event exactly when the event index is one of
 * old + 1 .. new, i.e. (RING_IDX)(new - event) < (RING_IDX)(new - old).
 * A full barrier separates publishing the producer from reading the event
 * field. On the consumer's side, one separates setting the event field from
 * re-reading the producer. Together they rule out the lost wake-up where
 * each side misses the other's update.
 *
 * Only the frontend initialises the shared header (SHARED_RING_INIT: both
 * producers 0, both event fields 1), before it grants the pages. The
 * backend only attaches.
 *
 * DEFINE_RING_TYPES(name, req, rsp) generates, per protocol:
 *   union name##_sring_entry { req req; rsp rsp; };
 *   struct name##_sring       the shared page (header + ring[])
 *   struct name##_front_ring  frontend private state
 *   struct name##_back_ring   backend private state
 * plus the name##_sring_t, name##_front_ring_t and name##_back_ring_t
 * typedefs. The RING_* macros accept any such front or back ring. They are
 * thin wrappers around the xen_ring_* inline functions below, which work on
 * plain indices.
 *
 * Memory ordering: shared indices are accessed only with __atomic
 * builtins. Publishing a producer is at least a release store, so the
 * slots written before it are visible first. Reading the peer's producer
 * is at least an acquire load, so slots are read after it. The two
 * handshake steps (push then read the event field; arm the event field
 * then look again) use sequentially consistent stores and loads, which
 * order the store before the load. Slots themselves are plain memory.
 * There is no locking: each side must have a single producer and a single
 * consumer thread, or serialise them itself.
 */
#ifndef XENOLITH_PUBLIC_IO_RING_H
#define XENOLITH_PUBLIC_IO_RING_H

#include <stddef.h>
#include <stdint.h>

typedef unsigned int RING_IDX;

/* ---- index primitives ------------------------------------------------ */

/* Read an index the peer writes: acquire, so later slot reads see its data. */
static inline RING_IDX xen_ring_read_idx(const RING_IDX *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/* Publish an index: release, so the slots written before it are visible. */
static inline void xen_ring_publish_idx(RING_IDX *p, RING_IDX v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/*
 * The hold-off handshake needs store-then-load ordering on both sides (a
 * producer publishes, then reads the event field; a consumer arms the
 * event field, then re-reads the producer). Sequentially consistent
 * accesses give exactly that: on x86 the store is an xchg (a full
 * barrier), the load a plain mov.
 */
static inline void xen_ring_publish_idx_sc(RING_IDX *p, RING_IDX v)
{
	__atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}

static inline RING_IDX xen_ring_read_idx_sc(const RING_IDX *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

/*
 * The notify rule: having moved the producer from old to new, must the
 * peer, which asked to be woken when the producer passes `event`, be
 * signalled? Yes when old < event <= new in modulo-2^32 order.
 */
static inline int xen_ring_notify_needed(RING_IDX old_prod, RING_IDX new_prod,
					 RING_IDX event)
{
	return (RING_IDX)(new_prod - event) < (RING_IDX)(new_prod - old_prod);
}

/*
 * Number of slots for `bytes` of ring with a `header`-byte header and
 * `entry`-byte slots: the largest power of two that fits (0 if none).
 */
static inline unsigned int xen_ring_entries(size_t bytes, size_t header,
					    size_t entry)
{
	size_t fit = bytes > header ? (bytes - header) / entry : 0;
	unsigned int n = 1;

	if (fit == 0)
		return 0;
	while (n < 0x80000000u && (size_t)n * 2 <= fit)
		n *= 2;
	return n;
}

/* ---- producer side --------------------------------------------------- */

/*
 * Publish new_prod in *shared_prod and report whether the peer must be
 * signalled, given the event index it left in *shared_event.
 */
static inline int xen_ring_push_and_check(RING_IDX *shared_prod,
					  const RING_IDX *shared_event,
					  RING_IDX new_prod)
{
	/* Only this side writes *shared_prod: a plain read is current. */
	RING_IDX old_prod = __atomic_load_n(shared_prod, __ATOMIC_RELAXED);

	xen_ring_publish_idx_sc(shared_prod, new_prod);
	return xen_ring_notify_needed(old_prod, new_prod,
				      xen_ring_read_idx_sc(shared_event));
}

/* ---- consumer side --------------------------------------------------- */

/* Responses published but not yet consumed (frontend). */
static inline RING_IDX xen_ring_unconsumed_rsps(const RING_IDX *shared_rsp_prod,
						RING_IDX rsp_cons)
{
	return xen_ring_read_idx(shared_rsp_prod) - rsp_cons;
}

/*
 * Requests published but not yet consumed (backend). The count is capped
 * by the slots not holding responses still unpublished to the frontend, so
 * a frontend that claims more requests than fit cannot make the backend
 * overrun its own responses.
 */
static inline RING_IDX xen_ring_reqs_pending(RING_IDX req_prod,
					     RING_IDX req_cons,
					     RING_IDX rsp_prod_pvt,
					     unsigned int nr_ents)
{
	RING_IDX reqs = req_prod - req_cons;
	RING_IDX room = nr_ents - (RING_IDX)(req_cons - rsp_prod_pvt);

	return reqs < room ? reqs : room;
}

static inline RING_IDX xen_ring_unconsumed_reqs(const RING_IDX *shared_req_prod,
						RING_IDX req_cons,
						RING_IDX rsp_prod_pvt,
						unsigned int nr_ents)
{
	return xen_ring_reqs_pending(xen_ring_read_idx(shared_req_prod),
				     req_cons, rsp_prod_pvt, nr_ents);
}

/*
 * Before sleeping: if nothing is pending, ask to be woken by the next
 * message (event = cons + 1) and look again, since the peer may have
 * pushed just before it could see the new event index.
 */
static inline RING_IDX
xen_ring_final_check_rsps(RING_IDX *shared_rsp_event,
			  const RING_IDX *shared_rsp_prod, RING_IDX rsp_cons)
{
	RING_IDX work = xen_ring_unconsumed_rsps(shared_rsp_prod, rsp_cons);

	if (work)
		return work;
	xen_ring_publish_idx_sc(shared_rsp_event, rsp_cons + 1);
	return xen_ring_read_idx_sc(shared_rsp_prod) - rsp_cons;
}

static inline RING_IDX
xen_ring_final_check_reqs(RING_IDX *shared_req_event,
			  const RING_IDX *shared_req_prod, RING_IDX req_cons,
			  RING_IDX rsp_prod_pvt, unsigned int nr_ents)
{
	RING_IDX work = xen_ring_unconsumed_reqs(shared_req_prod, req_cons,
						 rsp_prod_pvt, nr_ents);

	if (work)
		return work;
	xen_ring_publish_idx_sc(shared_req_event, req_cons + 1);
	return xen_ring_reqs_pending(xen_ring_read_idx_sc(shared_req_prod),
				     req_cons, rsp_prod_pvt, nr_ents);
}

/*
 * Copy one slot out of the shared page. The compiler barrier pins the copy:
 * later uses read the private copy, never the shared slot again, so a peer
 * rewriting the slot cannot change a value after it has been checked.
 */
static inline void xen_ring_copy_slot(void *dst, const void *slot, size_t n)
{
	__builtin_memcpy(dst, slot, n);
	__asm__ __volatile__("" ::: "memory");
}

/* ---- per-protocol types ---------------------------------------------- */

#define DEFINE_RING_TYPES(name, req_type, rsp_type)                     \
	union name##_sring_entry {                                      \
		req_type req;                                           \
		rsp_type rsp;                                           \
	};                                                              \
	struct name##_sring {                                           \
		RING_IDX req_prod, req_event;                           \
		RING_IDX rsp_prod, rsp_event;                           \
		uint8_t __pad[48];                                      \
		union name##_sring_entry ring[];                        \
	};                                                              \
	_Static_assert(offsetof(struct name##_sring, ring) == 64,       \
		       #name " ring header is not 64 bytes");           \
	struct name##_front_ring {                                      \
		RING_IDX req_prod_pvt; /* next request slot to fill */  \
		RING_IDX rsp_cons; /* next response to consume */       \
		unsigned int nr_ents;                                   \
		struct name##_sring *sring;                             \
	};                                                              \
	struct name##_back_ring {                                       \
		RING_IDX rsp_prod_pvt; /* next response slot to fill */ \
		RING_IDX req_cons; /* next request to consume */        \
		unsigned int nr_ents;                                   \
		struct name##_sring *sring;                             \
	};                                                              \
	typedef struct name##_sring name##_sring_t;                     \
	typedef struct name##_front_ring name##_front_ring_t;           \
	typedef struct name##_back_ring name##_back_ring_t

/*
 * Slots in a ring of `bytes` for protocol `name`, as an integer constant
 * expression (usable for array sizes).
 */
/* clang-format off */
#define __CONST_RING_SIZE(name, bytes)                                      \
	(1u << (31 - __builtin_clz((unsigned int)(                           \
		((bytes) - offsetof(struct name##_sring, ring)) /            \
		sizeof(((struct name##_sring *)0)->ring[0])))))
/* clang-format on */

/* The same, given a pointer to the shared ring (evaluated at run time). */
#define __RING_SIZE(s, bytes)                                       \
	xen_ring_entries((bytes), offsetof(__typeof__(*(s)), ring), \
			 sizeof((s)->ring[0]))

/* ---- initialisation -------------------------------------------------- */

/* Frontend only, before granting: producers 0, events 1, padding zeroed. */
#define SHARED_RING_INIT(s)                                                \
	((void)__builtin_memset((s), 0, offsetof(__typeof__(*(s)), ring)), \
	 (s)->req_event = 1, (s)->rsp_event = 1, (void)0)

/* Attach private state to a shared ring whose indices currently equal i. */
#define FRONT_RING_ATTACH(r, s, i, bytes)              \
	((r)->req_prod_pvt = (i), (r)->rsp_cons = (i), \
	 (r)->nr_ents = __RING_SIZE(s, bytes), (r)->sring = (s), (void)0)
#define FRONT_RING_INIT(r, s, bytes) FRONT_RING_ATTACH(r, s, 0, bytes)
#define XEN_FRONT_RING_INIT(r, s, bytes) \
	(SHARED_RING_INIT(s), FRONT_RING_INIT(r, s, bytes))

#define BACK_RING_ATTACH(r, s, i, bytes)               \
	((r)->rsp_prod_pvt = (i), (r)->req_cons = (i), \
	 (r)->nr_ents = __RING_SIZE(s, bytes), (r)->sring = (s), (void)0)
#define BACK_RING_INIT(r, s, bytes) BACK_RING_ATTACH(r, s, 0, bytes)

/* ---- queries ----------------------------------------------------------- */

#define RING_SIZE(r) ((r)->nr_ents)

/* Frontend: slots free for new requests, and whether there are none. */
#define RING_FREE_REQUESTS(r) \
	(RING_SIZE(r) - (RING_IDX)((r)->req_prod_pvt - (r)->rsp_cons))
#define RING_FULL(r) (RING_FREE_REQUESTS(r) == 0)

#define XEN_RING_NR_UNCONSUMED_RESPONSES(r) \
	xen_ring_unconsumed_rsps(&(r)->sring->rsp_prod, (r)->rsp_cons)
#define XEN_RING_NR_UNCONSUMED_REQUESTS(r)                             \
	xen_ring_unconsumed_reqs(&(r)->sring->req_prod, (r)->req_cons, \
				 (r)->rsp_prod_pvt, RING_SIZE(r))
/* Counts (non-zero means work), not just booleans. */
#define RING_HAS_UNCONSUMED_RESPONSES(r) XEN_RING_NR_UNCONSUMED_RESPONSES(r)
#define RING_HAS_UNCONSUMED_REQUESTS(r) XEN_RING_NR_UNCONSUMED_REQUESTS(r)

/* Backend loop bound: would consuming request `cons` overrun the ring? */
#define RING_REQUEST_CONS_OVERFLOW(r, cons) \
	((RING_IDX)((cons) - (r)->rsp_prod_pvt) >= RING_SIZE(r))
/* Sanity of a peer's producer: can it have produced this many? */
#define RING_REQUEST_PROD_OVERFLOW(r, prod) \
	((RING_IDX)((prod) - (r)->rsp_prod_pvt) > RING_SIZE(r))
#define RING_RESPONSE_PROD_OVERFLOW(r, prod) \
	((RING_IDX)((prod) - (r)->rsp_cons) > RING_SIZE(r))

/* ---- slot access ------------------------------------------------------- */

#define RING_GET_REQUEST(r, idx) \
	(&(r)->sring->ring[(idx) & (RING_SIZE(r) - 1)].req)
#define RING_GET_RESPONSE(r, idx) \
	(&(r)->sring->ring[(idx) & (RING_SIZE(r) - 1)].rsp)

/* Take a private copy of a slot (preferred for anything a peer wrote). */
#define RING_COPY_REQUEST(r, idx, dst)                     \
	((void)sizeof(*(dst) = *RING_GET_REQUEST(r, idx)), \
	 xen_ring_copy_slot((dst), RING_GET_REQUEST(r, idx), sizeof(*(dst))))
#define RING_COPY_RESPONSE(r, idx, dst)                     \
	((void)sizeof(*(dst) = *RING_GET_RESPONSE(r, idx)), \
	 xen_ring_copy_slot((dst), RING_GET_RESPONSE(r, idx), sizeof(*(dst))))

/* ---- publishing -------------------------------------------------------- */

#define RING_PUSH_REQUESTS(r) \
	xen_ring_publish_idx(&(r)->sring->req_prod, (r)->req_prod_pvt)
#define RING_PUSH_RESPONSES(r) \
	xen_ring_publish_idx(&(r)->sring->rsp_prod, (r)->rsp_prod_pvt)

/* Publish, and set `notify` non-zero if the peer must be signalled. */
#define RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(r, notify)              \
	((notify) = xen_ring_push_and_check(&(r)->sring->req_prod,  \
					    &(r)->sring->req_event, \
					    (r)->req_prod_pvt))
#define RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(r, notify)             \
	((notify) = xen_ring_push_and_check(&(r)->sring->rsp_prod,  \
					    &(r)->sring->rsp_event, \
					    (r)->rsp_prod_pvt))

/*
 * Before sleeping: set `work` to the pending count, arming the event field
 * for the next message if there is none.
 */
#define RING_FINAL_CHECK_FOR_REQUESTS(r, work)                             \
	((work) = xen_ring_final_check_reqs(                               \
	     &(r)->sring->req_event, &(r)->sring->req_prod, (r)->req_cons, \
	     (r)->rsp_prod_pvt, RING_SIZE(r)))
#define RING_FINAL_CHECK_FOR_RESPONSES(r, work) \
	((work) = xen_ring_final_check_rsps(    \
	     &(r)->sring->rsp_event, &(r)->sring->rsp_prod, (r)->rsp_cons))

#endif
