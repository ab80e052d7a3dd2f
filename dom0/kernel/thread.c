/*
 * Cooperative threads for domain 0's services. A thread runs until it
 * waits, sleeps or yields; event handlers (upcalls, events masked) only
 * move waiting threads to the run queue. When nothing can run, the
 * scheduler arms the one-shot timer for the earliest sleeper and blocks
 * the vCPU (SCHEDOP_block re-enables events atomically, so a wake-up
 * between the check and the block is never lost).
 *
 * Invariant: the run queue, wait queues and sleeper list are changed only
 * with events masked.
 */
#include <xen/event_channel.h>
#include "kernel.h"

#define STACK_PAGES 4

enum state { RUNNABLE, RUNNING, WAITING, DEAD };

struct thread {
	const char *name;
	uint64_t sp;
	enum state state;
	uint64_t deadline; /* wake-up time while WAITING, 0: none */
	struct thread *next_run, *next_sleeper;
	void *stack;
	void (*fn)(void *);
	void *arg;
};

void thread_switch(uint64_t *save_sp, uint64_t next_sp);

static struct thread boot_thread = { .name = "main", .state = RUNNING };
static struct thread *current = &boot_thread;
static struct thread *run_head, *run_tail;
static struct thread *sleepers; /* sorted by deadline */
static struct thread *reap;	/* a dead thread whose stack to free */

bool events_save_disable(void)
{
	bool was = !pv_vcpu_info()->evtchn_upcall_mask;

	pv_events_disable();
	return was;
}

void events_restore(bool was_enabled)
{
	if (was_enabled)
		pv_events_enable();
}

static void run_push(struct thread *t)
{
	t->state = RUNNABLE;
	t->next_run = NULL;
	if (run_tail)
		run_tail->next_run = t;
	else
		run_head = t;
	run_tail = t;
}

static struct thread *run_pop(void)
{
	struct thread *t = run_head;

	if (t) {
		run_head = t->next_run;
		if (!run_head)
			run_tail = NULL;
	}
	return t;
}

static void sleeper_remove(struct thread *t)
{
	for (struct thread **pp = &sleepers; *pp; pp = &(*pp)->next_sleeper)
		if (*pp == t) {
			*pp = t->next_sleeper;
			return;
		}
}

static void sleeper_add(struct thread *t)
{
	struct thread **pp = &sleepers;

	while (*pp && (*pp)->deadline <= t->deadline)
		pp = &(*pp)->next_sleeper;
	t->next_sleeper = *pp;
	*pp = t;
}

static void wake(struct thread *t)
{
	if (t->state != WAITING)
		return;
	if (t->deadline)
		sleeper_remove(t);
	run_push(t);
}

static void expire_sleepers(void)
{
	uint64_t now = pv_now();

	while (sleepers && sleepers->deadline <= now)
		wake(sleepers);
}

/* Nothing to run: sleep in the hypervisor until an event or a deadline. */
static void idle(void)
{
	HYPERVISOR_set_timer_op(sleepers ? sleepers->deadline : 0);
	pv_block(); /* returns with events enabled; handlers have run */
	pv_events_disable();
	expire_sleepers();
}

/* Pick the next thread and switch to it. Events are masked. */
static void schedule(void)
{
	struct thread *prev = current, *next;

	expire_sleepers();
	while (!(next = run_pop())) {
		if (prev->state == RUNNING) {
			next = prev;
			break;
		}
		idle();
	}
	if (next == prev) {
		/* It goes on; running, it must not be queued as well. */
		prev->state = RUNNING;
		return;
	}
	if (prev->state == RUNNING)
		run_push(prev);
	next->state = RUNNING;
	current = next;
	thread_switch(&prev->sp, next->sp);
	if (reap && reap != current) {
		pages_free(reap->stack, STACK_PAGES);
		free(reap);
		reap = NULL;
	}
}

void waitq_init(struct waitq *q)
{
	q->head.next = q->head.prev = &q->head;
	q->head.thread = NULL;
}

void waitq_wake(struct waitq *q)
{
	bool was = events_save_disable();

	for (struct wait_node *n = q->head.next; n != &q->head; n = n->next)
		wake(n->thread);
	events_restore(was);
}

/* Called by wait_event with events masked: wait once on q. */
void waitq_sleep(struct waitq *q, uint64_t deadline)
{
	struct wait_node node = { q->head.next, &q->head, current };

	q->head.next->prev = &node;
	q->head.next = &node;
	current->state = WAITING;
	current->deadline = deadline;
	if (deadline)
		sleeper_add(current);
	schedule();
	node.prev->next = node.next;
	node.next->prev = node.prev;
}

void thread_sleep(uint64_t ns)
{
	static struct waitq never = WAITQ_INIT(never);
	uint64_t deadline = pv_now() + ns;

	wait_event_until(&never, false, deadline);
}

void thread_yield(void)
{
	bool was = events_save_disable();

	schedule();
	events_restore(was);
}

const char *thread_name(void)
{
	return current->name;
}

static void __attribute__((noreturn)) thread_exit(void)
{
	pv_events_disable();
	current->state = DEAD;
	reap = current;
	schedule();
	pv_panic("dead thread %s ran again", current->name);
}

/* First code of every new thread (reached by thread_switch's ret). */
static void thread_entry(void)
{
	pv_events_enable();
	current->fn(current->arg);
	thread_exit();
}

struct thread *thread_create(const char *name, void (*fn)(void *), void *arg)
{
	struct thread *t = calloc(1, sizeof(*t));
	uint64_t *sp;
	bool was;

	if (!t)
		return NULL;
	t->stack = pages_alloc(STACK_PAGES);
	if (!t->stack) {
		free(t);
		return NULL;
	}
	t->name = name;
	t->fn = fn;
	t->arg = arg;
	sp = (uint64_t *)((char *)t->stack + STACK_PAGES * PAGE_SIZE);
	*--sp = 0;			   /* alignment: entry sees rsp%16 == 8 */
	*--sp = (uint64_t)thread_entry;	   /* thread_switch's ret */
	for (int i = 0; i < 6; i++)
		*--sp = 0;		   /* rbp rbx r12-r15 */
	t->sp = (uint64_t)sp;
	was = events_save_disable();
	run_push(t);
	events_restore(was);
	return t;
}

/* The boot thread becomes the idle loop's home: it only ever waits. */
void sched_start(void)
{
	static struct waitq never = WAITQ_INIT(never);

	pv_events_enable();
	for (;;)
		wait_event(&never, false);
}
