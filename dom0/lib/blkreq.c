/*
 * Checking blkif requests (see blkreq.h). Every check is made on our
 * private copy, so what is checked is what is used.
 */
#include "blkreq.h"
#include "klib.h"

void blkreq_fetch(struct blkreq *r, const volatile void *slot)
{
	struct blkif_request copy;
	const volatile uint8_t *src = slot;
	uint8_t *dst = (uint8_t *)&copy;

	/* Byte by byte through volatile: one read of each, none repeated. */
	for (size_t i = 0; i < sizeof(copy); i++)
		dst[i] = src[i];
	r->op = copy.operation;
	r->nseg = copy.nr_segments;
	r->id = copy.id;
	r->sector = copy.sector_number;
	memcpy(r->seg, copy.seg, sizeof(r->seg));
	r->nsectors = 0;
}

static bool is_rw(uint8_t op)
{
	return op == BLKIF_OP_READ || op == BLKIF_OP_WRITE ||
	       op == BLKIF_OP_FLUSH_DISKCACHE || op == BLKIF_OP_WRITE_BARRIER;
}

enum blkreq_fault blkreq_check(struct blkreq *r, const struct blkvbd *vbd)
{
	uint32_t n = 0;

	if (!is_rw(r->op))
		return BLKREQ_BAD_OP;
	/* A flush or barrier may come without data; reads and writes not. */
	if (r->nseg > BLKIF_MAX_SEGMENTS_PER_REQUEST ||
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
		"0 or more than 11 segments",
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
