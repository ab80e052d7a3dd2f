/*
 * The PV console page: one page, shared at boot (start_info.console.domU
 * mfn and event channel), holding two byte rings. `in` carries bytes from
 * the console backend to the guest, `out` from the guest to the backend.
 *
 * Each ring has a free-running 32-bit consumer and producer index. The byte
 * for index i lives at ring[i & (sizeof(ring) - 1)] (both sizes are powers
 * of two), prod - cons is the number of bytes queued, and a ring is full
 * when that equals its size. The writer stores the bytes, then (after a
 * write barrier) advances prod; the reader reads prod, then the bytes,
 * then advances cons. Either side signals the event channel after moving
 * an index the other side may be waiting on.
 */
#ifndef XENOLITH_PUBLIC_IO_CONSOLE_H
#define XENOLITH_PUBLIC_IO_CONSOLE_H

#include <stdint.h>

typedef uint32_t XENCONS_RING_IDX;

/* Offset in `ring` (an array member, e.g. intf->out) of free-running idx. */
#define MASK_XENCONS_IDX(idx, ring) ((idx) & (sizeof(ring) - 1))

struct xencons_interface {
	char in[1024]; /* backend -> guest (keyboard) */
	char out[2048]; /* guest -> backend (screen) */
	XENCONS_RING_IDX in_cons, in_prod;
	XENCONS_RING_IDX out_cons, out_prod;
};

#endif
