/*
 * The VFR's view and its rules on running VIFs: `vfr-list` prints each
 * VIF's accept/drop rules in the order they are tried, with the frames
 * and bytes each matched, and the anti-spoofing drops; `vfr-add` and
 * `vfr-del` change a VIF's rules while it runs (the bridge reads them at
 * every frame).
 */
#include "bridge.h"
#include "errno.h"
#include "kernel.h"
#include "netback.h"
#include "ctl.h"

static void list_vif(struct ctl_io *io, const struct vif *v)
{
	struct br_counters c = { 0 };
	char rule[XLVIF_RULE_STR];

	if (v->port)
		br_counters(v->port, &c);
	for (unsigned int i = 0; i < v->acl.n; i++) {
		xlvif_rule_str(&v->acl.rule[i], rule, sizeof(rule));
		io_printf(io, "%-4u %-4u %-3u %-24s %10lu %12lu\n", v->domid,
			  v->devid, i, rule, v->acl.packets[i],
			  v->acl.bytes[i]);
	}
	io_printf(io, "%-4u %-4u %-3s %-24s %10lu %12s\n", v->domid, v->devid,
		  "-", "spoof-mac:drop", c.drop_mac, "-");
	io_printf(io, "%-4u %-4u %-3s %-24s %10lu %12s\n", v->domid, v->devid,
		  "-", "spoof-ip:drop", c.drop_ip, "-");
	io_printf(io, "%-4u %-4u %-3s %-24s %10lu %12s\n", v->domid, v->devid,
		  "-", "all-rules:dropped", c.drop_rule, "-");
}

int xl_vfr_list(struct ctl_io *io, int argc, char **argv)
{
	uint16_t domid = 0;

	if (argc > 2) {
		io_errorf(io, "usage: vfr-list [DOMAIN]\n");
		return CTL_STATUS_USAGE;
	}
	if (argc == 2 && ctl_domain_arg(io, "vfr-list", argv[1], &domid))
		return 1;
	io_printf(io, "%-4s %-4s %-3s %-24s %10s %12s\n", "Dom", "Idx", "Nr",
		  "Rule", "Packets", "Bytes");
	for (struct vif *v = vif_first(); v; v = v->next)
		if (argc == 1 || v->domid == domid)
			list_vif(io, v);
	return 0;
}

/* A decimal number below limit, or -1. */
static long small_number(const char *s, long limit)
{
	long n = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9' && n < limit; p++)
		n = n * 10 + (*p - '0');
	return *p || p == s || n >= limit ? -1 : n;
}

/* DOMAIN DEVID of a vfr-add/vfr-del command: the VIF, or NULL (said). */
static struct vif *vif_arg(struct ctl_io *io, const char *cmd, char **argv)
{
	uint16_t domid;
	long devid;
	struct vif *v;

	if (ctl_domain_arg(io, cmd, argv[1], &domid))
		return NULL;
	devid = small_number(argv[2], 1000);
	v = devid < 0 ? NULL : vif_find(domid, (uint32_t)devid);
	if (!v)
		io_errorf(io, "%s: domain %u has no vif '%s'\n", cmd, domid,
			  argv[2]);
	return v;
}

int xl_vfr_add(struct ctl_io *io, int argc, char **argv)
{
	struct xlvif_rule r;
	struct vfr_acl *a;
	char err[160];
	long at;
	struct vif *v;

	if (argc < 4 || argc > 5) {
		io_errorf(io, "usage: vfr-add DOMAIN DEVID RULE [NR]\n");
		return CTL_STATUS_USAGE;
	}
	v = vif_arg(io, "vfr-add", argv);
	if (!v)
		return 1;
	a = &v->acl;
	if (xlvif_parse_rule(argv[3], &r, err, sizeof(err))) {
		io_errorf(io, "vfr-add: %s\n", err);
		return 1;
	}
	at = argc == 5 ? small_number(argv[4], a->n + 1) : (long)a->n;
	if (at < 0 || a->n == XLVIF_RULES_MAX) {
		io_errorf(io, "vfr-add: %s\n",
			  at < 0 ? "no such position"
				 : "the VIF has 8 rules already");
		return 1;
	}
	for (unsigned int i = a->n; i > (unsigned int)at; i--) {
		a->rule[i] = a->rule[i - 1];
		a->packets[i] = a->packets[i - 1];
		a->bytes[i] = a->bytes[i - 1];
	}
	a->rule[at] = r;
	a->packets[at] = a->bytes[at] = 0;
	a->n++;
	return 0;
}

int xl_vfr_del(struct ctl_io *io, int argc, char **argv)
{
	struct vfr_acl *a;
	long nr;
	struct vif *v;

	if (argc != 4) {
		io_errorf(io, "usage: vfr-del DOMAIN DEVID NR\n");
		return CTL_STATUS_USAGE;
	}
	v = vif_arg(io, "vfr-del", argv);
	if (!v)
		return 1;
	a = &v->acl;
	nr = small_number(argv[3], a->n);
	if (nr < 0) {
		io_errorf(io, "vfr-del: vif %u has no rule '%s'\n", v->devid,
			  argv[3]);
		return 1;
	}
	for (unsigned int i = (unsigned int)nr; i + 1 < a->n; i++) {
		a->rule[i] = a->rule[i + 1];
		a->packets[i] = a->packets[i + 1];
		a->bytes[i] = a->bytes[i + 1];
	}
	a->n--;
	return 0;
}
