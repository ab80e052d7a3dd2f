/*
 * A hostile blkif front end (issue 13): it connects to domain 0's
 * blkback as xen-blkfront would (xvda read-write, xvdb read-only), checks
 * that well-formed requests work, then sends each kind of malformed
 * request and checks blkback's answer: EOPNOTSUPP for unknown operations,
 * BLKIF_RSP_ERROR for 0 or 12 segments, first_sect > last_sect, a sector
 * beyond the page or the VBD, a grant not ours or not for domain 0, a read
 * into a read-only grant, a write to the read-only VBD and an id reused
 * in flight; discards past the end, wrapping, or on the read-only VBD;
 * a request rewritten while blkback reads it; and at last a
 * producer index far ahead, after which blkback must close xvda (and only
 * xvda) and still serve xvdb. Nothing may leak into or out of the VBDs:
 * the scenario (sc_block.py) checks the host's image afterwards.
 *
 * Command line: sectors=N (xvda's size), ro_sectors=N (xvdb's). The
 * scenario fills each sector s of both VBDs with "XLBLK <vbd> <s> ".
 */
#include <xen/io/blkif.h>
#include <xen/sched.h>
#include <xen/memory.h>
#include <xen/io/xenbus.h>
#include "fe_common.h"

#define XVDA 51712
#define XVDB 51728
#define XVDC 51744 /* only for a connection that must be refused */
#define NPAGES 4 /* data pages */
#define REF_RING 8 /* grant refs: ring pages at 8.. */
#define REF_DATA 16 /* data page i at 16 + i */
#define REF_RO 24 /* data page 0 again, read-only */
#define REF_OTHER 25 /* data page 1, granted to domain 7 */
#define REF_NONE 300 /* never granted */
#define RSP_TIMEOUT (10000 * XSC_MS)

/* xvda's one-page ring, then xvdb's two-page ring (ring-page-order 1). */
static uint8_t ring_pages[3][4096] __attribute__((aligned(4096)));
static uint8_t data[NPAGES][4096] __attribute__((aligned(4096)));

struct dev {
	uint32_t devid;
	const char *name;
	char be[96], fe[64];
	struct blkif_sring *sring;
	uint32_t port, prod, cons, size;
	bool up;
};

static struct dev devs[2] = {
	{ .devid = XVDA, .name = "xvda" },
	{ .devid = XVDB, .name = "xvdb" },
};

/* The blkfront handshake: InitWait, ring and channel, Connected. */
static bool connect(struct dev *d, unsigned int idx)
{
	struct evtchn_alloc_unbound a = { DOMID_SELF, 0, 0 };
	unsigned int pages = idx ? 2 : 1, first = idx; /* 0, or 1 and 2 */
	char path[96], v[16];

	snprintf(d->fe, sizeof(d->fe), "device/vbd/%u", d->devid);
	snprintf(path, sizeof(path), "%s/backend", d->fe);
	if (xsc_read(0, path, d->be, sizeof(d->be)) < 0)
		return false;
	if (!fe_wait_be_state(d->be, XenbusStateInitWait, 20000 * XSC_MS))
		return false;
	d->sring = (struct blkif_sring *)ring_pages[first];
	SHARED_RING_INIT(d->sring);
	d->size = pages == 1 ? 32 : 64;
	for (unsigned int i = 0; i < pages; i++)
		fe_grant(REF_RING + first + i, ring_pages[first + i], 0, false);
	if (HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a))
		return false;
	d->port = a.port;
	pv_bind_handler(d->port, xsc_nop_handler);
	pv_unmask(d->port);
	if (pages == 1) {
		snprintf(v, sizeof(v), "%u", REF_RING + first);
		if (!fe_write(d->fe, "ring-ref", v))
			return false;
	} else {
		for (unsigned int i = 0; i < pages; i++) {
			char key[16];

			snprintf(key, sizeof(key), "ring-ref%u", i);
			snprintf(v, sizeof(v), "%u", REF_RING + first + i);
			if (!fe_write(d->fe, key, v))
				return false;
		}
		if (!fe_write(d->fe, "ring-page-order", "1"))
			return false;
	}
	snprintf(v, sizeof(v), "%u", d->port);
	if (!fe_write(d->fe, "event-channel", v) ||
	    !fe_write(d->fe, "protocol", "x86_64-abi") ||
	    !fe_write(d->fe, "state", "3"))
		return false;
	if (!fe_wait_be_state(d->be, XenbusStateConnected, 20000 * XSC_MS))
		return false;
	fe_write(d->fe, "state", "4");
	d->up = true;
	return true;
}

/* --- Requests ---------------------------------------------------------- */

static struct blkif_request *slot(struct dev *d, uint32_t i)
{
	return &d->sring->ring[i & (d->size - 1)].req;
}

static void push(struct dev *d, uint32_t n)
{
	xsc_mb();
	d->prod += n;
	xsc_set(&d->sring->req_prod, d->prod);
	xsc_evtchn_send(d->port);
}

/* The next response (status), or 99 if none comes in time. */
static int wait_rsp(struct dev *d, uint64_t *id)
{
	uint64_t until = pv_now() + RSP_TIMEOUT;
	struct blkif_response r;

	while (xsc_get(&d->sring->rsp_prod) == d->cons) {
		if (pv_now() > until)
			return 99;
		d->sring->rsp_event = d->cons + 1;
		xsc_mb();
		if (xsc_get(&d->sring->rsp_prod) != d->cons)
			break;
		xsc_pause();
	}
	xsc_mb();
	r = d->sring->ring[d->cons & (d->size - 1)].rsp;
	d->cons++;
	if (id)
		*id = r.id;
	return r.status;
}

static void fill(struct blkif_request *r, uint8_t op, uint64_t id,
		 uint64_t sector, uint8_t nseg)
{
	memset(r, 0, sizeof(*r));
	r->operation = op;
	r->nr_segments = nseg;
	r->handle = 0;
	r->id = id;
	r->sector_number = sector;
	for (unsigned int i = 0; i < nseg && i < 11; i++)
		r->seg[i] = (struct blkif_request_segment){ REF_DATA, 0, 7, 0 };
}

/* One request with one segment: its status. */
static int one(struct dev *d, uint8_t op, uint64_t sector, uint32_t ref,
	       uint8_t first, uint8_t last)
{
	struct blkif_request *r = slot(d, d->prod);

	fill(r, op, 0x1000 + d->prod, sector, 1);
	r->seg[0] = (struct blkif_request_segment){ ref, first, last, 0 };
	push(d, 1);
	return wait_rsp(d, NULL);
}

static bool sector_is(const uint8_t *p, const char *vbd, uint64_t s)
{
	char want[40];

	snprintf(want, sizeof(want), "XLBLK %s %lu ", vbd, s);
	return !memcmp(p, want, strlen(want));
}

/* --- The checks ---------------------------------------------------------- */

static void good_requests(struct dev *a, long sectors)
{
	pv_test_group("well-formed requests work");
	memset(data[0], 0, 4096);
	CHECK_EQ(one(a, BLKIF_OP_READ, 8, REF_DATA, 0, 7), BLKIF_RSP_OKAY);
	CHECK(sector_is(data[0], "a", 8) && sector_is(data[0] + 3584, "a", 15),
	      "read sectors 8-15 of xvda: '%.16s'", (char *)data[0]);
	memset(data[0], 0, 4096);
	CHECK_EQ(one(a, BLKIF_OP_READ, (uint64_t)sectors - 1, REF_DATA, 3, 3),
		 BLKIF_RSP_OKAY);
	CHECK(sector_is(data[0] + 3 * 512, "a", (uint64_t)sectors - 1),
	      "the last sector, into the page's 4th sector");
	memset(data[1], 'W', 4096);
	memcpy(data[1], "HOSTILE-WRITE", 13);
	CHECK_EQ(one(a, BLKIF_OP_WRITE, 16, REF_DATA + 1, 0, 0),
		 BLKIF_RSP_OKAY);
	fill(slot(a, a->prod), BLKIF_OP_FLUSH_DISKCACHE, 0x55, 0, 0);
	push(a, 1);
	CHECK_EQ(wait_rsp(a, NULL), BLKIF_RSP_OKAY); /* flush, no data */
	memset(data[0], 0, 4096);
	CHECK_EQ(one(a, BLKIF_OP_READ, 16, REF_DATA, 0, 1), BLKIF_RSP_OKAY);
	CHECK(!memcmp(data[0], "HOSTILE-WRITE", 13) &&
		  sector_is(data[0] + 512, "a", 17),
	      "the written sector reads back, its neighbour unchanged");
}

/* Barriers wait for each other and for the rest: none may wait forever. */
static void barriers(struct dev *a)
{
	unsigned int ok = 0;

	pv_test_group("barriers pushed together are all answered");
	for (unsigned int i = 0; i < 6; i++)
		fill(slot(a, a->prod + i), BLKIF_OP_WRITE_BARRIER, 0x300 + i, 0,
		     0);
	fill(slot(a, a->prod + 2), BLKIF_OP_READ, 0x302, 0, 1);
	push(a, 6);
	for (unsigned int i = 0; i < 6; i++)
		ok += wait_rsp(a, NULL) == BLKIF_RSP_OKAY;
	CHECK(ok == 6, "5 barriers and a read: %u of 6 answered OKAY", ok);
}

static void bad_requests(struct dev *a, struct dev *b, long sectors,
			 long ro_sectors)
{
	struct blkif_request *r;
	uint64_t id1 = 0, id2 = 0;
	int s1, s2;

	pv_test_group("each malformed request is refused");
	r = slot(a, a->prod);
	fill(r, BLKIF_OP_RESERVED_1, 1, 0, 1);
	push(a, 1);
	CHECK_EQ(wait_rsp(a, NULL), BLKIF_RSP_EOPNOTSUPP);
	r = slot(a, a->prod);
	fill(r, 200, 2, 0, 1);
	push(a, 1);
	CHECK_EQ(wait_rsp(a, NULL), BLKIF_RSP_EOPNOTSUPP);
	r = slot(a, a->prod);
	fill(r, BLKIF_OP_READ, 4, 0, 0);
	push(a, 1);
	CHECK_EQ(wait_rsp(a, NULL), BLKIF_RSP_ERROR); /* 0 segments */
	r = slot(a, a->prod);
	fill(r, BLKIF_OP_WRITE, 5, 0, 11);
	r->nr_segments = 12;
	push(a, 1);
	CHECK_EQ(wait_rsp(a, NULL), BLKIF_RSP_ERROR); /* 12 segments */
	CHECK_EQ(one(a, BLKIF_OP_READ, 0, REF_DATA, 5, 4), BLKIF_RSP_ERROR);
	CHECK_EQ(one(a, BLKIF_OP_READ, 0, REF_DATA, 0, 8), BLKIF_RSP_ERROR);
	memset(data[0], 0x5a, 4096);
	CHECK_EQ(one(a, BLKIF_OP_READ, (uint64_t)sectors - 4, REF_DATA, 0, 7),
		 BLKIF_RSP_ERROR); /* 4 sectors past the end */
	CHECK_EQ(one(a, BLKIF_OP_READ, (uint64_t)sectors, REF_DATA, 0, 0),
		 BLKIF_RSP_ERROR);
	CHECK_EQ(one(a, BLKIF_OP_READ, ~0ULL - 2, REF_DATA, 0, 7),
		 BLKIF_RSP_ERROR); /* wraps */
	CHECK(data[0][0] == 0x5a && data[0][4095] == 0x5a,
	      "nothing was read into the page for refused requests");
	memset(data[1], 'X', 4096);
	CHECK_EQ(
	    one(a, BLKIF_OP_WRITE, (uint64_t)sectors - 1, REF_DATA + 1, 0, 1),
	    BLKIF_RSP_ERROR); /* past the end: would hit the next VBD */

	pv_test_group("grants blkback may not use");
	CHECK_EQ(one(a, BLKIF_OP_READ, 0, REF_NONE, 0, 7), BLKIF_RSP_ERROR);
	CHECK_EQ(one(a, BLKIF_OP_WRITE, 0, REF_NONE, 0, 7), BLKIF_RSP_ERROR);
	CHECK_EQ(one(a, BLKIF_OP_READ, 0, REF_OTHER, 0, 7), BLKIF_RSP_ERROR);
	CHECK_EQ(one(a, BLKIF_OP_READ, 0, 0xffffffffu, 0, 7), BLKIF_RSP_ERROR);
	memset(data[0], 0x5a, 4096);
	CHECK_EQ(one(a, BLKIF_OP_READ, 0, REF_RO, 0, 7), BLKIF_RSP_ERROR);
	CHECK(data[0][0] == 0x5a && data[0][4095] == 0x5a,
	      "a read into a read-only grant did not write it");

	pv_test_group("the read-only VBD, on a two-page ring");
	unsigned int good = 0;

	for (unsigned int i = 0; i < 70; i++) {
		memset(data[0], 0, 4096);
		good += !one(b, BLKIF_OP_READ, i, REF_DATA, 0, 0) &&
			sector_is(data[0], "b", i);
	}
	CHECK(good == 70, "70 reads round the 64-slot ring: %u right", good);
	memset(data[0], 0, 4096);
	CHECK_EQ(one(b, BLKIF_OP_READ, 0, REF_DATA, 0, 7), BLKIF_RSP_OKAY);
	CHECK(sector_is(data[0], "b", 0), "xvdb reads its own data");
	CHECK_EQ(one(b, BLKIF_OP_WRITE, 0, REF_DATA, 0, 7), BLKIF_RSP_ERROR);
	CHECK_EQ(one(b, BLKIF_OP_WRITE_BARRIER, 1, REF_DATA, 0, 0),
		 BLKIF_RSP_ERROR);
	CHECK_EQ(one(b, BLKIF_OP_READ, (uint64_t)ro_sectors, REF_DATA, 0, 0),
		 BLKIF_RSP_ERROR);

	pv_test_group("a request id reused while in flight");
	r = slot(a, a->prod);
	fill(r, BLKIF_OP_READ, 0x77, 0, 11);
	r = slot(a, a->prod + 1);
	fill(r, BLKIF_OP_READ, 0x77, 0, 11);
	push(a, 2);
	s1 = wait_rsp(a, &id1);
	s2 = wait_rsp(a, &id2);
	CHECK(id1 == 0x77 && id2 == 0x77 &&
		  ((s1 == 0 && s2 == -1) || (s1 == -1 && s2 == 0)),
	      "one answered, the other refused: %d %d", s1, s2);
}

/* An indirect request: its descriptors in data[3], granted as REF_DATA+3. */
static int indirect(struct dev *d, uint8_t iop, uint16_t nseg, uint32_t gref,
		    uint64_t sector)
{
	struct blkif_request_indirect *r = (void *)slot(d, d->prod);

	memset(r, 0, sizeof(struct blkif_request));
	r->operation = BLKIF_OP_INDIRECT;
	r->indirect_op = iop;
	r->nr_segments = nseg;
	r->id = 0x2000 + d->prod;
	r->sector_number = sector;
	r->indirect_grefs[0] = gref;
	push(d, 1);
	return wait_rsp(d, NULL);
}

static void indirect_requests(struct dev *a, long sectors)
{
	struct blkif_request_segment *desc = (void *)data[3];
	bool right = true;

	pv_test_group("indirect requests (feature-max-indirect-segments)");
	/* Sector i of the request into page i % 2, sector slot i / 2. */
	for (unsigned int i = 0; i < 16; i++)
		desc[i] = (struct blkif_request_segment){ REF_DATA + (i % 2),
							  (uint8_t)(i / 2),
							  (uint8_t)(i / 2), 0 };
	memset(data[0], 0, 4096);
	memset(data[1], 0, 4096);
	CHECK_EQ(indirect(a, BLKIF_OP_READ, 16, REF_DATA + 3, 32),
		 BLKIF_RSP_OKAY);
	for (unsigned int i = 0; i < 16; i++)
		right &= sector_is(data[i % 2] + (i / 2) * 512, "a", 32 + i);
	CHECK(right, "16 sectors scattered as the descriptors say");
	CHECK_EQ(indirect(a, BLKIF_OP_READ, 0, REF_DATA + 3, 0),
		 BLKIF_RSP_ERROR);
	CHECK_EQ(indirect(a, BLKIF_OP_READ, 33, REF_DATA + 3, 0),
		 BLKIF_RSP_ERROR);
	CHECK_EQ(indirect(a, BLKIF_OP_READ, 0xffff, REF_DATA + 3, 0),
		 BLKIF_RSP_ERROR);
	CHECK_EQ(indirect(a, BLKIF_OP_FLUSH_DISKCACHE, 1, REF_DATA + 3, 0),
		 BLKIF_RSP_EOPNOTSUPP);
	CHECK_EQ(indirect(a, BLKIF_OP_READ, 16, REF_NONE, 0),
		 BLKIF_RSP_ERROR); /* an indirect page not granted */
	CHECK_EQ(
	    indirect(a, BLKIF_OP_READ, 16, REF_DATA + 3, (uint64_t)sectors - 8),
	    BLKIF_RSP_ERROR); /* 16 sectors, 8 left */
	desc[7].last_sect = 9;
	CHECK_EQ(indirect(a, BLKIF_OP_READ, 16, REF_DATA + 3, 0),
		 BLKIF_RSP_ERROR); /* a bad descriptor */
	desc[7].last_sect = desc[7].first_sect;
	desc[3].gref = REF_RO;
	CHECK_EQ(indirect(a, BLKIF_OP_READ, 16, REF_DATA + 3, 0),
		 BLKIF_RSP_ERROR); /* one segment a read-only grant */
}

/* Rewrite a request's slot while blkback reads it: any answer is fine,
 * as long as it comes, and a later request works. */
/* A discard in its own layout (struct blkif_request_discard): status. */
static int discard(struct dev *d, uint64_t sector, uint64_t n)
{
	struct blkif_request_discard *r = (void *)slot(d, d->prod);

	memset(r, 0, sizeof(struct blkif_request));
	r->operation = BLKIF_OP_DISCARD;
	r->flag = BLKIF_DISCARD_SECURE; /* not offered: a plain discard */
	r->id = 0x2000 + d->prod;
	r->sector_number = sector;
	r->nr_sectors = n;
	push(d, 1);
	return wait_rsp(d, NULL);
}

static bool be_offers(struct dev *d, const char *feature)
{
	char path[128], v[8];

	snprintf(path, sizeof(path), "%s/%s", d->be, feature);
	return xsc_read(0, path, v, sizeof(v)) > 0 && v[0] == '1';
}

static void discards(struct dev *a, struct dev *b, long sectors)
{
	pv_test_group("discards outside what may be discarded are refused");
	CHECK(!be_offers(b, "feature-discard"),
	      "the read-only xvdb offers no discard");
	CHECK_EQ(discard(b, 0, 8), BLKIF_RSP_EOPNOTSUPP);
	if (!be_offers(a, "feature-discard")) {
		CHECK_EQ(discard(a, 0, 8), BLKIF_RSP_EOPNOTSUPP);
		return;
	}
	CHECK_EQ(discard(a, (uint64_t)sectors, 0), BLKIF_RSP_OKAY);
	CHECK_EQ(discard(a, (uint64_t)sectors - 4, 5), BLKIF_RSP_ERROR);
	CHECK_EQ(discard(a, (uint64_t)sectors + 1, 0), BLKIF_RSP_ERROR);
	CHECK_EQ(discard(a, 8, ~0ULL - 4), BLKIF_RSP_ERROR); /* wraps */
}

static void rewritten(struct dev *a, long sectors)
{
	struct blkif_request *r = slot(a, a->prod);
	volatile uint8_t *nseg = &r->nr_segments;
	volatile uint64_t *sector = &r->sector_number;
	volatile uint8_t *last = &r->seg[0].last_sect;
	uint64_t until;
	int st;

	pv_test_group("a request rewritten while blkback reads it");
	fill(r, BLKIF_OP_READ, 0x99, 0, 1);
	push(a, 1);
	until = pv_now() + 30 * XSC_MS;
	for (unsigned long i = 0; pv_now() < until; i++) {
		*nseg = (i & 1) ? 200 : 1;
		*sector = (i & 2) ? (uint64_t)sectors * 4 : 0;
		*last = (i & 4) ? 250 : 7;
	}
	st = wait_rsp(a, NULL);
	CHECK(st == BLKIF_RSP_OKAY || st == BLKIF_RSP_ERROR,
	      "answered (status %d)", st);
	memset(data[0], 0, 4096);
	CHECK_EQ(one(a, BLKIF_OP_READ, 24, REF_DATA, 0, 7), BLKIF_RSP_OKAY);
	CHECK(sector_is(data[0], "a", 24), "and the next read is right");
}

/* Ring details blkback must refuse at connection: it closes the device. */
static void bad_connect(void)
{
	struct dev d = { .devid = XVDC, .name = "xvdc" };
	char path[128], err[96] = "";

	pv_test_group("a ring page order beyond the offer is refused");
	snprintf(d.fe, sizeof(d.fe), "device/vbd/%u", d.devid);
	snprintf(path, sizeof(path), "%s/backend", d.fe);
	CHECK(xsc_read(0, path, d.be, sizeof(d.be)) > 0, "xvdc's back end");
	CHECK(fe_wait_be_state(d.be, XenbusStateInitWait, 20000 * XSC_MS),
	      "xvdc at InitWait");
	fe_write(d.fe, "ring-page-order", "9");
	fe_write(d.fe, "ring-ref0", "8");
	fe_write(d.fe, "event-channel", "1");
	fe_write(d.fe, "state", "3");
	CHECK(fe_wait_be_state(d.be, XenbusStateClosing, 10000 * XSC_MS),
	      "blkback closed xvdc (state %ld)", fe_be_state(d.be));
	snprintf(path, sizeof(path), "%s/error", d.be);
	CHECK(xsc_read(0, path, err, sizeof(err)) > 0 &&
		  !memcmp(err, "22 bad ring page order", 22),
	      "its error node says why: '%s'", err);
}

/* A producer index far ahead: blkback must close xvda, keep xvdb. */
static void runaway(struct dev *a, struct dev *b)
{
	char path[128], err[96];

	pv_test_group("a producer index far ahead closes the device");
	a->prod += 1000;
	xsc_mb();
	xsc_set(&a->sring->req_prod, a->prod);
	xsc_evtchn_send(a->port);
	CHECK(fe_wait_be_state(a->be, XenbusStateClosing, 10000 * XSC_MS),
	      "xvda's back end went to Closing (state %ld)",
	      fe_be_state(a->be));
	snprintf(path, sizeof(path), "%s/error", a->be);
	CHECK(xsc_read(0, path, err, sizeof(err)) > 0,
	      "and wrote an error node");
	printf("blk_hostile: xvda's error node: %s\n", err);
	fe_write(a->fe, "state", "6");
	CHECK(fe_wait_be_state(a->be, XenbusStateClosed, 10000 * XSC_MS),
	      "Closed after the front end closed (state %ld)",
	      fe_be_state(a->be));
	memset(data[0], 0, 4096);
	CHECK_EQ(one(b, BLKIF_OP_READ, 8, REF_DATA, 0, 7), BLKIF_RSP_OKAY);
	CHECK(sector_is(data[0], "b", 8), "xvdb still served");
}

void pv_main(void)
{
	long sectors = pv_arg("sectors", 0),
	     ro_sectors = pv_arg("ro_sectors", 0);

	xsc_init();
	pv_test_group("connecting to blkback as blkfront does");
	CHECK(grant_table_init(), "grant table set up");
	for (int i = 0; i < NPAGES; i++)
		fe_grant(REF_DATA + i, data[i], 0, false);
	fe_grant(REF_RO, data[0], 0, true);
	fe_grant(REF_OTHER, data[1], 7, false);
	for (unsigned int i = 0; i < 2; i++)
		CHECK(connect(&devs[i], i), "%s connected", devs[i].name);
	if (!devs[0].up || !devs[1].up || !sectors || !ro_sectors) {
		pv_test_summary();
		pv_shutdown(SHUTDOWN_poweroff);
	}
	good_requests(&devs[0], sectors);
	barriers(&devs[0]);
	bad_requests(&devs[0], &devs[1], sectors, ro_sectors);
	indirect_requests(&devs[0], sectors);
	discards(&devs[0], &devs[1], sectors);
	rewritten(&devs[0], sectors);
	bad_connect();
	runaway(&devs[0], &devs[1]);
	pv_test_summary();
	pv_shutdown(SHUTDOWN_poweroff);
}
