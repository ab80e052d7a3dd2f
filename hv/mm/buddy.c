/*
 * Machine-frame buddy allocator.
 *
 * Invariants (verified by buddy_check()):
 *  - A free block of order o is 2^o frames starting at an mfn aligned to 2^o
 *    (absolute mfn, not relative to base) and lies wholly inside
 *    [base, base + nr). It sits on free[o], linked through its first frame's
 *    link; that head frame has order == o.
 *  - Every frame of a free block has flags == FRAME_FREE and owner
 *    DOMID_INVALID; the frames after the head have order == ORDER_NONE.
 *    No frame outside the listed blocks is FRAME_FREE.
 *  - nr_free is the number of frames in all listed blocks.
 *  - Two free buddies of the same order (below BUDDY_MAX_ORDER) never
 *    coexist: freeing always merges, so the free set has exactly one
 *    block decomposition.
 *  - Reserved frames are never free; allocated frames have flags 0, owner
 *    DOMID_XEN, count and type_info 0 until their new owner changes them.
 *
 * A free buddy is recognised by its head frame alone: an aligned mfn whose
 * frame is FRAME_FREE with order o can only be the head of an order-o block,
 * because blocks are naturally aligned and tails carry ORDER_NONE.
 */
#include <buddy.h>
#include <errno.h>

#define ORDER_NONE 0xFF

static struct frame *frame_of(const struct buddy *b, mfn_t mfn)
{
	return &b->frames[mfn - b->base];
}

static mfn_t frame_mfn(const struct buddy *b, const struct frame *f)
{
	return b->base + (u64)(f - b->frames);
}

static bool in_range(const struct buddy *b, mfn_t mfn)
{
	return mfn >= b->base && mfn - b->base < b->nr;
}

static bool block_in_range(const struct buddy *b, mfn_t mfn, unsigned int order)
{
	return in_range(b, mfn) && b->nr - (mfn - b->base) >= (1ULL << order);
}

static bool is_free_head(const struct buddy *b, mfn_t mfn, unsigned int order)
{
	const struct frame *f;

	if (!block_in_range(b, mfn, order))
		return false;
	f = frame_of(b, mfn);
	return (f->flags & FRAME_FREE) && f->order == order;
}

static void mark_free(struct buddy *b, mfn_t mfn, unsigned int order)
{
	u64 i;

	for (i = 0; i < (1ULL << order); i++) {
		struct frame *f = frame_of(b, mfn + i);

		f->flags = FRAME_FREE;
		f->owner = DOMID_INVALID;
		f->count = 0;
		f->type_info = 0;
		f->order = ORDER_NONE;
		list_init(&f->link);
	}
}

static void mark_allocated(struct buddy *b, mfn_t mfn, unsigned int order)
{
	u64 i;

	for (i = 0; i < (1ULL << order); i++) {
		struct frame *f = frame_of(b, mfn + i);

		f->flags = 0;
		f->owner = DOMID_XEN;
		f->count = 0;
		f->type_info = 0;
		f->order = 0;
		list_init(&f->link);
	}
}

/* List a block whose frames are already marked free. */
static void push_block(struct buddy *b, mfn_t mfn, unsigned int order)
{
	struct frame *f = frame_of(b, mfn);

	f->order = order;
	list_add(&f->link, &b->free[order]);
}

static void pop_block(struct frame *f)
{
	list_del(&f->link);
	f->order = ORDER_NONE;
}

/* Mark a block free, merge it with free buddies as far as possible. */
static void free_block(struct buddy *b, mfn_t mfn, unsigned int order)
{
	mark_free(b, mfn, order);
	b->nr_free += 1ULL << order;

	while (order < BUDDY_MAX_ORDER) {
		mfn_t buddy = mfn ^ (1ULL << order);

		if (!is_free_head(b, buddy, order))
			break;
		pop_block(frame_of(b, buddy));
		mfn &= ~(1ULL << order);
		order++;
	}
	push_block(b, mfn, order);
}

void buddy_init(struct buddy *b, struct frame *frames, mfn_t base, u64 nr)
{
	unsigned int o;
	u64 i;

	b->frames = frames;
	b->base = base;
	b->nr = nr;
	b->nr_free = 0;
	for (o = 0; o <= BUDDY_MAX_ORDER; o++)
		list_init(&b->free[o]);

	for (i = 0; i < nr; i++) {
		__builtin_memset(&frames[i], 0, sizeof(frames[i]));
		frames[i].flags = FRAME_RESERVED;
		frames[i].owner = DOMID_XEN;
		list_init(&frames[i].link);
	}
}

/*
 * Largest order for a block at @mfn: naturally aligned, ending by @end and
 * containing no frame that is already free (@mfn itself is not).
 */
static unsigned int add_order(const struct buddy *b, mfn_t mfn, mfn_t end)
{
	unsigned int order = 0;
	u64 i;

	while (order < BUDDY_MAX_ORDER && !(mfn & (1ULL << order)) &&
	       end - mfn >= (2ULL << order))
		order++;

	for (i = 1; i < (1ULL << order); i++)
		if (frame_of(b, mfn + i)->flags & FRAME_FREE)
			break;
	while ((1ULL << order) > i)
		order--;
	return order;
}

void buddy_add_range(struct buddy *b, mfn_t start, u64 count)
{
	mfn_t end = start + count;
	mfn_t mfn;

	if (end < start)
		end = ~0ULL;
	start = MAX(start, b->base);
	end = MIN(end, b->base + b->nr);

	mfn = start;
	while (mfn < end) {
		unsigned int order;

		if (frame_of(b, mfn)->flags & FRAME_FREE) {
			mfn++;
			continue;
		}
		order = add_order(b, mfn, end);
		free_block(b, mfn, order);
		mfn += 1ULL << order;
	}
}

/*
 * First listed block, smallest order first, whose leading 2^order frames
 * lie below @limit. With no real limit the first entry of the first
 * non-empty list qualifies, so plain allocation stays O(MAX_ORDER).
 */
static struct frame *find_block(const struct buddy *b, unsigned int order,
				mfn_t limit, unsigned int *found)
{
	const struct list_head *pos;
	unsigned int o;

	for (o = order; o <= BUDDY_MAX_ORDER; o++) {
		list_for_each (pos, &b->free[o]) {
			struct frame *f = list_entry(pos, struct frame, link);
			mfn_t mfn = frame_mfn(b, f);

			if (mfn < limit && limit - mfn >= (1ULL << order)) {
				*found = o;
				return f;
			}
		}
	}
	return NULL;
}

/* Take the block @f of order @o, keep its leading 2^order frames. */
static mfn_t take_block(struct buddy *b, struct frame *f, unsigned int o,
			unsigned int order)
{
	mfn_t mfn = frame_mfn(b, f);

	pop_block(f);
	while (o > order) {
		o--;
		push_block(b, mfn + (1ULL << o), o);
	}
	mark_allocated(b, mfn, order);
	b->nr_free -= 1ULL << order;
	return mfn;
}

int buddy_alloc_below(struct buddy *b, unsigned int order, mfn_t limit,
		      mfn_t *mfn_out)
{
	struct frame *f;
	unsigned int o;

	if (order > BUDDY_MAX_ORDER)
		return -EINVAL;
	f = find_block(b, order, limit, &o);
	if (!f)
		return -ENOMEM;
	*mfn_out = take_block(b, f, o, order);
	return 0;
}

int buddy_alloc(struct buddy *b, unsigned int order, mfn_t *mfn_out)
{
	return buddy_alloc_below(b, order, ~0ULL, mfn_out);
}

int buddy_free(struct buddy *b, mfn_t mfn, unsigned int order)
{
	u64 i;

	if (order > BUDDY_MAX_ORDER || !block_in_range(b, mfn, order))
		return -EINVAL;
	if (mfn & ((1ULL << order) - 1))
		return -EINVAL;
	for (i = 0; i < (1ULL << order); i++)
		if (frame_of(b, mfn + i)->flags & (FRAME_FREE | FRAME_RESERVED))
			return -EINVAL;

	free_block(b, mfn, order);
	return 0;
}

/* ---- invariant checker ---- */

static size_t put_str(char *buf, size_t len, size_t pos, const char *s)
{
	while (*s && pos + 1 < len)
		buf[pos++] = *s++;
	return pos;
}

static size_t put_hex(char *buf, size_t len, size_t pos, u64 v)
{
	char tmp[16];
	int n = 0;

	pos = put_str(buf, len, pos, "0x");
	do {
		tmp[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	while (n && pos + 1 < len)
		buf[pos++] = tmp[--n];
	return pos;
}

static int check_fail(char *why, size_t len, const char *msg, bool at,
		      mfn_t mfn)
{
	size_t pos;

	if (!why || !len)
		return -EINVAL;
	pos = put_str(why, len, 0, msg);
	if (at) {
		pos = put_str(why, len, pos, " at mfn ");
		pos = put_hex(why, len, pos, mfn);
	}
	why[pos] = '\0';
	return -EINVAL;
}

static const char bad_node[] = "free list node outside frame table";

/* Is @n the link of some frame in the table (safe to dereference)? */
static bool node_valid(const struct buddy *b, const struct list_head *n)
{
	uintptr_t lo = (uintptr_t)b->frames;
	uintptr_t p = (uintptr_t)n;
	uintptr_t off;

	if (p < lo)
		return false;
	off = p - lo;
	return off / sizeof(struct frame) < b->nr &&
	       off % sizeof(struct frame) == offsetof(struct frame, link);
}

static const char *check_block(const struct buddy *b, mfn_t mfn, unsigned int o,
			       mfn_t *where)
{
	u64 i;

	*where = mfn;
	if (mfn & ((1ULL << o) - 1))
		return "misaligned free block";
	if (!block_in_range(b, mfn, o))
		return "free block out of range";
	if (frame_of(b, mfn)->order != o)
		return "head order does not match list";
	for (i = 0; i < (1ULL << o); i++) {
		const struct frame *f = frame_of(b, mfn + i);

		*where = mfn + i;
		if (f->flags != FRAME_FREE || f->owner != DOMID_INVALID)
			return "frame in free block not free";
		if (i && f->order != ORDER_NONE)
			return "free blocks overlap";
	}
	*where = mfn;
	if (o < BUDDY_MAX_ORDER && is_free_head(b, mfn ^ (1ULL << o), o))
		return "free buddies not coalesced";
	return NULL;
}

/* Walk free[o]; add its frames to *sum; *budget bounds the total walk. */
static const char *check_list(const struct buddy *b, unsigned int o, u64 *sum,
			      u64 *budget, mfn_t *where)
{
	const struct list_head *head = &b->free[o];
	const struct list_head *prev = head;
	const struct list_head *pos;
	const char *msg;

	for (pos = head->next; pos != head; prev = pos, pos = pos->next) {
		if (!node_valid(b, pos))
			return bad_node;
		*where = frame_mfn(b, list_entry(pos, struct frame, link));
		if (pos->prev != prev)
			return "free list back link broken";
		if (*budget == 0)
			return "free list loops";
		(*budget)--;
		msg = check_block(b, *where, o, where);
		if (msg)
			return msg;
		*sum += 1ULL << o;
	}
	if (head->prev != prev)
		return "free list tail link broken";
	return NULL;
}

int buddy_check(const struct buddy *b, char *why, size_t len)
{
	u64 sum = 0, budget = b->nr, nfree = 0, i;
	const char *msg;
	mfn_t where = 0;
	unsigned int o;

	for (o = 0; o <= BUDDY_MAX_ORDER; o++) {
		msg = check_list(b, o, &sum, &budget, &where);
		if (msg)
			return check_fail(why, len, msg, msg != bad_node,
					  where);
	}
	for (i = 0; i < b->nr; i++)
		if (b->frames[i].flags & FRAME_FREE)
			nfree++;
	if (nfree != sum)
		return check_fail(why, len, "free frame not on any list", false,
				  0);
	if (b->nr_free != sum)
		return check_fail(why, len, "nr_free does not match lists",
				  false, 0);
	if (why && len)
		why[0] = '\0';
	return 0;
}
