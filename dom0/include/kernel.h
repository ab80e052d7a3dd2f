/*
 * Domain 0's kernel: memory, threads and events for the services that run
 * in the control domain (xenstored, console backend, control server).
 *
 * Threads are cooperative: a thread runs until it waits or yields. Event
 * handlers run in upcall context with events masked; they may only wake
 * wait queues. Everything that touches a wait queue or the run queue from
 * thread context does so with events masked (wait_event does this).
 */
#ifndef DOM0_KERNEL_H
#define DOM0_KERNEL_H

#include <pv/hypercall.h>
#include <pv/libpv.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "klib.h"

#define PAGE_SIZE 4096UL
#define MS 1000000ULL
#define SEC 1000000000ULL

/* --- Memory (memory.c, malloc.c) --------------------------------------- */
void mem_init(void);
void *page_alloc(void);	 /* one zeroed page, or NULL */
void *pages_alloc(size_t n); /* n zeroed pages, contiguous in VA */
void pages_free(void *p, size_t n);
void page_free(void *p);
size_t mem_free_pages(void);
size_t mem_total_pages(void);
uint64_t virt_to_maddr(const void *va); /* machine (bus) address */
void *malloc(size_t n);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t n);
void free(void *p);
char *strdup(const char *s);

/*
 * Mappings in a window of kernel VA: another domain's frame (foreign, the
 * builder's and backends' way in) or device MMIO (uncached). Return NULL
 * and set *err (negative errno) on failure.
 */
void *map_foreign_page(uint16_t domid, uint64_t mfn, bool writable,
		       int *err);
/* n frames of one domain at consecutive VAs, mapped in batches. */
void *map_foreign_pages(uint16_t domid, const uint64_t *mfns, size_t n,
			bool writable, int *err);
void *map_mmio(uint64_t maddr, size_t len, int *err);
void unmap_window(void *va, size_t len);
/* n empty window slots, for mappings the hypervisor makes (grants). */
void *window_reserve(size_t n, int *err);
void window_release(void *va, size_t n);

/* --- Threads (thread.c) ---------------------------------------------- */
struct thread;
struct wait_node {
	struct wait_node *next, *prev;
	struct thread *thread;
};
struct waitq {
	struct wait_node head;
};
#define WAITQ_INIT(q) { { &(q).head, &(q).head, NULL } }

struct thread *thread_create(const char *name, void (*fn)(void *),
			     void *arg);
const char *thread_name(void);
void thread_yield(void);
void thread_sleep(uint64_t ns);
void waitq_init(struct waitq *q);
void waitq_wake(struct waitq *q); /* from handlers or threads */
void sched_start(void) __attribute__((noreturn));

/* Low-level pieces of wait_event (thread.c). */
bool events_save_disable(void);
void events_restore(bool was_enabled);
void waitq_sleep(struct waitq *q, uint64_t deadline);

/* Sleep until cond holds (rechecked after every wake-up). */
#define wait_event(q, cond) wait_event_until(q, cond, 0)
/* ... or until pv_now() passes deadline (0: none). True if cond held. */
#define wait_event_until(q, cond, deadline)                                \
	({                                                                 \
		bool __was = events_save_disable();                        \
		bool __ok;                                                 \
		uint64_t __dl = (deadline);                                \
		while (!(__ok = (cond)) && (!__dl || pv_now() < __dl))     \
			waitq_sleep(q, __dl);                              \
		events_restore(__was);                                     \
		__ok;                                                      \
	})

/* --- Events (evtchn.c) ------------------------------------------------ */
/* Bind port's events to waking q (q NULL: unbind). Unmasks the port. */
void evtchn_attach(uint32_t port, struct waitq *q);
int evtchn_bind_interdomain(uint16_t remote_dom, uint32_t remote_port,
			    uint32_t *local_port);
int evtchn_alloc_unbound(uint16_t dom, uint16_t remote_dom, uint32_t *port);
int evtchn_bind_virq(uint32_t virq, uint32_t *port);
void evtchn_notify(uint32_t port);
void evtchn_close(uint32_t port);

#endif
