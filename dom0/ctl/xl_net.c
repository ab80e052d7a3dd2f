/*
 * Virtual network interfaces of running domains: `network-list`, with
 * each VIF's bridge, traffic and the VFR's drop counters for it.
 */
#include "bridge.h"
#include "kernel.h"
#include "netback.h"
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
	io_printf(io, "%-4s %-4s %-17s %-10s %-8s %8s %8s %6s %8s %9s %8s\n",
		  "Dom", "Idx", "Mac-Addr", "State", "Bridge", "TxPkts",
		  "RxPkts", "TxErr", "RxDrop", "SpoofMAC", "SpoofIP");
	for (struct vif *v = vif_first(); v; v = v->next) {
		struct br_counters c = { 0 };

		if (!all && v->domid != domid)
			continue;
		if (v->port)
			br_counters(v->port, &c);
		xlvif_mac_str(v->cfg.mac, mac, sizeof(mac));
		io_printf(io,
			  "%-4u %-4u %-17s %-10s %-8s %8lu %8lu %6lu %8lu "
			  "%9lu %8lu\n",
			  v->domid, v->devid, mac, be_state(v, st, sizeof(st)),
			  v->cfg.bridge, v->tx_packets, v->rx_packets,
			  v->tx_errors, v->rx_dropped, c.drop_mac, c.drop_ip);
	}
	return 0;
}
