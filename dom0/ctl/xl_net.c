/*
 * Virtual network interfaces of running domains: `network-list`, with
 * each VIF's bridge, traffic and the VFR's drop counters for it, and
 * hotplug with `network-attach` (a vif spec as in xl.cfg) and
 * `network-detach` (the xenbus close handshake, forced after a timeout).
 */
#include "bridge.h"
#include "errno.h"
#include "kernel.h"
#include "netback.h"
#include "toolstack.h"
#include "xlcfg.h"
#include "xs.h"
#include "ctl.h"

static const char *const state_names[] = {
	"unknown",   "initialising", "initwait", "initialised",
	"connected", "closing",	     "closed",
};

static const char *be_state(const struct vif *v, char *buf, size_t n)
{
	char path[80];
	unsigned int st;

	snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%u/%u/state",
		 v->domid, v->devid);
	if (xs_read(path, buf, n))
		return "gone";
	st = (unsigned int)(buf[0] - '0');
	return !buf[1] && st < ARRAY_SIZE(state_names) ? state_names[st] : buf;
}

int xl_network_list(struct ctl_io *io, int argc, char **argv)
{
	uint16_t domid = 0;
	bool all = argc == 1;
	char mac[20], st[16];

	if (argc > 2) {
		io_errorf(io, "usage: network-list [DOMAIN]\n");
		return CTL_STATUS_USAGE;
	}
	if (!all && ctl_domain_arg(io, "network-list", argv[1], &domid))
		return 1;
	io_printf(io,
		  "%-4s %-4s %-17s %-10s %-8s %8s %8s %6s %8s %9s %8s %8s\n",
		  "Dom", "Idx", "Mac-Addr", "State", "Bridge", "TxPkts",
		  "RxPkts", "TxErr", "RxDrop", "SpoofMAC", "SpoofIP", "TxSG");
	for (struct vif *v = vif_first(); v; v = v->next) {
		struct br_counters c = { 0 };

		if (!all && v->domid != domid)
			continue;
		if (v->port)
			br_counters(v->port, &c);
		xlvif_mac_str(v->cfg.mac, mac, sizeof(mac));
		io_printf(io,
			  "%-4u %-4u %-17s %-10s %-8s %8lu %8lu %6lu %8lu "
			  "%9lu %8lu %8lu\n",
			  v->domid, v->devid, mac, be_state(v, st, sizeof(st)),
			  v->cfg.bridge, v->tx_packets, v->rx_packets,
			  v->tx_errors, v->rx_dropped, c.drop_mac, c.drop_ip,
			  v->tx_sg);
	}
	return 0;
}

/* The first device number domid does not use. */
static uint32_t free_devid(uint16_t domid)
{
	uint32_t id = 0;

	while (vif_find(domid, id))
		id++;
	return id;
}

int xl_network_attach(struct ctl_io *io, int argc, char **argv)
{
	char spec[XLCFG_PATH_MAX] = "", err[200];
	struct xl_vif vif;
	uint16_t domid;
	int rc;

	if (argc < 2) {
		io_errorf(io, "usage: network-attach DOMAIN [KEY=VALUE,...]\n");
		return CTL_STATUS_USAGE;
	}
	if (ctl_domain_arg(io, "network-attach", argv[1], &domid))
		return 1;
	for (int i = 2; i < argc; i++) {
		if (strlen(spec) + strlen(argv[i]) + 2 > sizeof(spec)) {
			io_errorf(io, "network-attach: vif spec too long\n");
			return 1;
		}
		if (i > 2)
			strlcpy(spec + strlen(spec), ",",
				sizeof(spec) - strlen(spec));
		strlcpy(spec + strlen(spec), argv[i],
			sizeof(spec) - strlen(spec));
	}
	if (xlvif_parse(spec, &vif, err, sizeof(err))) {
		io_errorf(io, "network-attach: %s\n", err);
		return 1;
	}
	tk_lock();
	rc = domid && tk_lookup(domid)
		 ? vif_add(domid, free_devid(domid), &vif, err, sizeof(err))
		 : -EINVAL;
	tk_unlock();
	if (rc == -EINVAL && !domid)
		snprintf(err, sizeof(err),
			 "domain 0 is the back end: it "
			 "takes no VIF");
	if (rc)
		io_errorf(io, "network-attach: %s\n", err);
	return rc ? 1 : 0;
}

int xl_network_detach(struct ctl_io *io, int argc, char **argv)
{
	char err[160] = "";
	uint16_t domid;
	uint32_t devid = 0;
	const char *p = argc == 3 ? argv[2] : "";
	int rc;

	if (argc != 3) {
		io_errorf(io, "usage: network-detach DOMAIN DEVID\n");
		return CTL_STATUS_USAGE;
	}
	if (ctl_domain_arg(io, "network-detach", argv[1], &domid))
		return 1;
	for (; *p >= '0' && *p <= '9' && devid < 1000; p++)
		devid = devid * 10 + (uint32_t)(*p - '0');
	if (*p || p == argv[2] || devid >= 1000) {
		io_errorf(io, "network-detach: '%s' is not a device number\n",
			  argv[2]);
		return 1;
	}
	rc = vif_detach(domid, devid, err, sizeof(err));
	if (err[0])
		io_errorf(io, "network-detach: %s\n", err);
	return rc ? 1 : 0;
}
