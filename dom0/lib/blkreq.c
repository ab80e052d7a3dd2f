/*
 * Checking blkif requests (see blkreq.h). Every check is made on our
 * private copy, so what is checked is what is used.
 */
#include "blkreq.h"
#include "klib.h"

void blkreq_fetch(struct blkreq *r, const volatile void *slot)
{
	union {
		struct blkif_request rw;
		struct blkif_request_indirect ind;
		struct blkif_request_discard dis;
		uint8_t bytes[sizeof(struct blkif_request)];
	} copy;
	const volatile uint8_t *src = slot;

	/* Byte by byte through volatile: one read of each, none repeated. */
	for (size_t i = 0; i < sizeof(copy.bytes); i++)
		copy.bytes[i] = src[i];
	memset(r, 0, sizeof(*r));
	r->wire_op = r->op = copy.rw.operation;
	r->id = copy.rw.id;
	r->sector = copy.rw.sector_number;
	if (r->wire_op == BLKIF_OP_INDIRECT) {
		r->indirect = true;
		r->op = copy.ind.indirect_op;
		r->nseg = copy.ind.nr_segments;
		r->indirect_gref = copy.ind.indirect_grefs[0];
		return;
	}
	if (r->wire_op == BLKIF_OP_DISCARD) {
		r->discard_flag = copy.dis.flag;
		r->discard_sectors = copy.dis.nr_sectors;
		return;
	}
	r->nseg = copy.rw.nr_segments;
	memcpy(r->seg, copy.rw.seg, sizeof(copy.rw.seg));
}

enum blkreq_fault blkreq_check_indirect(const struct blkreq *r)
{
	if (r->op != BLKIF_OP_READ && r->op != BLKIF_OP_WRITE)
		return BLKREQ_BAD_OP;
	if (!r->nseg || r->nseg > BLK_MAX_INDIRECT_SEGS)
		return BLKREQ_BAD_NSEG;
	return BLKREQ_OK;
}

void blkreq_set_segments(struct blkreq *r, const void *descs)
{
	uint16_t n = r->nseg <= BLK_MAX_INDIRECT_SEGS ? r->nseg : 0;

	memcpy(r->seg, descs, n * sizeof(r->seg[0]));
}

static bool is_rw(uint8_t op)
{
	return op == BLKIF_OP_READ || op == BLKIF_OP_WRITE ||
	       op == BLKIF_OP_FLUSH_DISKCACHE || op == BLKIF_OP_WRITE_BARRIER;
}

/*
 * A discard: offered or EOPNOTSUPP (Linux's blkfront then stops sending
 * them); a write to a read-only VBD; inside the VBD. The secure flag
 * needs no check: without discard-secure it is a plain discard, as in
 * Xen's blkback.
 */
static enum blkreq_fault check_discard(const struct blkreq *r,
				       const struct blkvbd *vbd)
{
	if (!vbd->discard)
		return BLKREQ_BAD_OP;
	if (vbd->readonly)
		return BLKREQ_READONLY;
	if (r->sector > vbd->sectors ||
	    r->discard_sectors > vbd->sectors - r->sector)
		return BLKREQ_RANGE;
	return BLKREQ_OK;
}

enum blkreq_fault blkreq_check(struct blkreq *r, const struct blkvbd *vbd)
{
	uint32_t n = 0;

	if (r->op == BLKIF_OP_DISCARD && !r->indirect)
		return check_discard(r, vbd);
	if (r->indirect) {
		enum blkreq_fault f = blkreq_check_indirect(r);

		if (f != BLKREQ_OK)
			return f;
	} else if (!is_rw(r->op)) {
		return BLKREQ_BAD_OP;
	}
	/* A flush or barrier may come without data; reads and writes not. */
	if (r->nseg > (r->indirect ? BLK_MAX_INDIRECT_SEGS
				   : BLKIF_MAX_SEGMENTS_PER_REQUEST) ||
	    (!r->nseg && (r->op == BLKIF_OP_READ || r->op == BLKIF_OP_WRITE)))
		return BLKREQ_BAD_NSEG;
	for (unsigned int i = 0; i < r->nseg; i++) {
		const struct blkif_request_segment *s = &r->seg[i];

		if (s->first_sect > s->last_sect ||
		    s->last_sect >= BLK_SECTORS_PER_PAGE)
			return BLKREQ_BAD_SECT;
		n += (uint32_t)(s->last_sect - s->first_sect + 1);
	}
	r->nsectors = n;
	if (r->op != BLKIF_OP_READ && n && vbd->readonly)
		return BLKREQ_READONLY;
	if (n && (r->sector > vbd->sectors || n > vbd->sectors - r->sector))
		return BLKREQ_RANGE;
	return BLKREQ_OK;
}

int16_t blkreq_status(enum blkreq_fault f)
{
	if (f == BLKREQ_OK)
		return BLKIF_RSP_OKAY;
	return f == BLKREQ_BAD_OP ? BLKIF_RSP_EOPNOTSUPP : BLKIF_RSP_ERROR;
}

const char *blkreq_fault_name(enum blkreq_fault f)
{
	static const char *const names[BLKREQ_NFAULTS] = {
		"ok",
		"unknown or unsupported operation",
		"0 segments, or more than 11 (32 indirect)",
		"first_sect > last_sect or beyond the page",
		"sectors beyond the end of the VBD",
		"write to a read-only VBD",
	};

	return f < BLKREQ_NFAULTS ? names[f] : "?";
}

uint32_t blkring_size(unsigned int pages)
{
	uint32_t n =
	    (uint32_t)((pages * 4096UL - 64) / sizeof(union blkif_sring_entry));
	uint32_t p = 1;

	while (p * 2 <= n)
		p *= 2;
	return n ? p : 0;
}
