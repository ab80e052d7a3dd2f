/*
 * `sched-credit [-d DOMAIN [-w WEIGHT] [-c CAP]]`, as Xen's xl: every
 * domain's (or one's) credit-scheduler weight and cap, or set them
 * (domctl scheduler_op). WEIGHT 1..65535; CAP in percent of one CPU, 0
 * for none.
 */
#include <xen/domctl.h>
#include "errno.h"
#include "hvctl.h"
#include "kernel.h"
#include "toolstack.h"
#include "xbparse.h"
#include "ctl.h"

#define BATCH 16

struct sched_args {
	bool one, set_w, set_c;
	uint16_t domid;
	unsigned long weight, cap;
};

static int show_one(struct ctl_io *io, uint16_t domid)
{
	char name[64];
	uint16_t w, c;
	long rc = hv_sched_credit_get(domid, &w, &c);

	if (rc) {
		io_errorf(io, "sched-credit: domain %u: %s\n", domid,
			  strerror((int)rc));
		return 1;
	}
	domain_name(domid, name, sizeof(name));
	io_printf(io, "%-32s %5u %6u %4u\n", name, domid, w, c);
	return 0;
}

static int show_all(struct ctl_io *io)
{
	struct xen_domctl_getdomaininfo *info = calloc(BATCH, sizeof(*info));
	uint32_t next = 0;
	long n;
	int bad = 0;

	if (!info) {
		io_errorf(io, "sched-credit: out of memory\n");
		return 1;
	}
	do {
		n = hv_domain_list((uint16_t)next, info, BATCH);
		for (long i = 0; i < n; i++) {
			bad |= show_one(io, info[i].domain);
			next = info[i].domain + 1U;
		}
	} while (n == BATCH && next < DOMID_FIRST_RESERVED);
	free(info);
	return bad || n < 0;
}

/* A number in [min, max]; false (and a message) otherwise. */
static bool number(struct ctl_io *io, const char *what, const char *s,
		   unsigned long min, unsigned long max, unsigned long *out)
{
	uint64_t v;

	if (xb_parse_uint(s, max, &v) || v < min) {
		io_errorf(io,
			  "sched-credit: %s must be %lu to %lu, not \"%s\"\n",
			  what, min, max, s);
		return false;
	}
	*out = v;
	return true;
}

static int parse(struct ctl_io *io, int argc, char **argv, struct sched_args *a)
{
	for (int i = 1; i < argc; i += 2) {
		const char *opt = argv[i];

		if (i + 1 >= argc || opt[0] != '-' || !opt[1] || opt[2]) {
			io_errorf(io,
				  "usage: sched-credit [-d DOMAIN [-w WEIGHT] "
				  "[-c CAP]]\n");
			return CTL_STATUS_USAGE;
		}
		switch (opt[1]) {
		case 'd':
			if (ctl_domain_arg(io, "sched-credit", argv[i + 1],
					   &a->domid))
				return 1;
			a->one = true;
			break;
		case 'w':
			if (!number(io, "WEIGHT", argv[i + 1], 1, 65535,
				    &a->weight))
				return 1;
			a->set_w = true;
			break;
		case 'c':
			if (!number(io, "CAP", argv[i + 1], 0, 65534, &a->cap))
				return 1;
			a->set_c = true;
			break;
		default:
			io_errorf(io,
				  "sched-credit: unknown option %s (Xenolith "
				  "has no cpupools or scheduler-wide "
				  "settings)\n",
				  opt);
			return CTL_STATUS_USAGE;
		}
	}
	if ((a->set_w || a->set_c) && !a->one) {
		io_errorf(io, "sched-credit: -w and -c need -d DOMAIN\n");
		return CTL_STATUS_USAGE;
	}
	return 0;
}

int xl_sched_credit(struct ctl_io *io, int argc, char **argv)
{
	struct sched_args a = { 0 };
	int rc = parse(io, argc, argv, &a);
	long err;

	if (rc)
		return rc;
	if (a.set_w || a.set_c) {
		err = hv_sched_credit_set(a.domid,
					  a.set_w ? (uint16_t)a.weight : 0,
					  a.set_c ? (uint16_t)a.cap : 0xffff);
		if (err) {
			io_errorf(io, "sched-credit: domain %u: %s\n", a.domid,
				  strerror((int)err));
			return 1;
		}
		return 0;
	}
	io_printf(io, "Cpupool Pool-0: tslice=30ms\n");
	io_printf(io, "%-32s %5s %6s %4s\n", "Name", "ID", "Weight", "Cap");
	return a.one ? show_one(io, a.domid) : show_all(io);
}
