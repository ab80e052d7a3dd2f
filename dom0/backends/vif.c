/*
 * Virtual network interfaces: the records of the VIFs the toolstack
 * added, the xenstore nodes Xen's toolstack and Linux's netback write
 * for a vif, and netback's xenbus type (see netback.h).
 */
#include "errno.h"
#include "kernel.h"
#include "netback.h"
#include "xenbus_be.h"

static struct vif *vifs;

struct vif *vif_first(void)
{
	return vifs;
}

struct vif *vif_find(uint16_t domid, uint32_t devid)
{
	struct vif *v;

	for (v = vifs; v; v = v->next)
		if (v->domid == domid && v->devid == devid)
			break;
	return v;
}

static int write_nodes(const struct vif *v)
{
	char mac[20], handle[12], rate[32];
	size_t nbe;

	xlvif_mac_str(v->cfg.mac, mac, sizeof(mac));
	snprintf(handle, sizeof(handle), "%u", v->devid);
	/* libxl's form: bytes per interval, the interval in microseconds. */
	snprintf(rate, sizeof(rate), "%lu,%u", v->cfg.rate_bytes,
		 v->cfg.rate_usec);
	/* What libxl writes for a vif (no hotplug script: we are the VFR). */
	const struct xbe_node be[] = {
		{ "handle", handle },
		{ "mac", mac },
		{ "bridge", v->cfg.bridge },
		{ "type", "vif" },
		{ "rate", rate }, /* last: only when limited */
	};
	const struct xbe_node fe[] = {
		{ "handle", handle },
		{ "mac", mac },
	};
	nbe = ARRAY_SIZE(be) - (v->cfg.rate_usec ? 0 : 1);
	return xbe_device_write("vif", v->domid, v->devid, be, nbe, fe,
				ARRAY_SIZE(fe));
}

int vif_add(uint16_t domid, uint32_t devid, const struct xl_vif *cfg, char *err,
	    size_t errlen)
{
	struct vif *v;
	int rc;

	if (vif_find(domid, devid)) {
		snprintf(err, errlen, "domain %u already has a vif %u", domid,
			 devid);
		return -EEXIST;
	}
	v = calloc(1, sizeof(*v));
	if (!v) {
		snprintf(err, errlen, "domain 0 is out of memory");
		return -ENOMEM;
	}
	v->domid = domid;
	v->devid = devid;
	v->cfg = *cfg;
	memcpy(v->acl.rule, cfg->rule, sizeof(v->acl.rule));
	v->acl.n = cfg->nrules;
	if (!cfg->has_mac)
		xlvif_default_mac(&v->cfg, domid, devid);
	v->next = vifs;
	vifs = v;
	rc = write_nodes(v);
	if (rc) {
		snprintf(err, errlen,
			 "cannot write the xenstore nodes of vif "
			 "%u: %s",
			 devid, strerror(rc));
		vifs = v->next;
		free(v);
	}
	return rc;
}

int vif_detach(uint16_t domid, uint32_t devid, char *err, size_t errlen)
{
	struct vif **pp, *v;
	int rc;

	if (!vif_find(domid, devid)) {
		snprintf(err, errlen, "domain %u has no vif %u", domid, devid);
		return -ENOENT;
	}
	rc = xbe_detach("vif", domid, devid, 10 * SEC);
	if (rc == -ETIMEDOUT)
		snprintf(err, errlen,
			 "the guest did not close the vif within "
			 "10 s: detached by force");
	/* Looked up again: the domain may have gone while it waited. */
	for (pp = &vifs; (v = *pp); pp = &v->next) {
		if (v->domid == domid && v->devid == devid) {
			*pp = v->next;
			free(v);
			break;
		}
	}
	return rc == -ETIMEDOUT ? 0 : rc;
}

void vif_remove_domain(uint16_t domid)
{
	struct vif **pp = &vifs, *v;

	xbe_remove_domain(domid); /* disconnects: no I/O is left after */
	while ((v = *pp)) {
		if (v->domid == domid) {
			*pp = v->next;
			free(v);
		} else {
			pp = &v->next;
		}
	}
}

/* --- The xenbus type ------------------------------------------------------ */

/* What Linux's netback advertises, less what we do not serve. */
static int vif_probe(struct xbe_dev *d)
{
	static const struct xbe_node features[] = {
		{ "feature-rx-copy", "1" },
		{ "feature-rx-flip", "0" },
		{ "feature-sg", "1" }, /* chains of up to 18 slots (nettx.c) */
		{ "feature-gso-tcpv4", "0" },
		{ "feature-gso-tcpv6", "0" },
		{ "feature-ipv6-csum-offload", "0" },
		{ "feature-split-event-channels", "0" },
		{ "multi-queue-max-queues", "1" },
	};
	struct vif *v = vif_find(d->domid, d->devid);
	int err = 0;

	if (!v)
		return -ENOENT;
	d->priv = v;
	for (size_t i = 0; !err && i < ARRAY_SIZE(features); i++)
		err = xbe_write_be(d, features[i].key, features[i].value);
	return err;
}

static int vif_connect(struct xbe_dev *d)
{
	return d->priv ? netif_connect(d->priv, d) : -ENOENT;
}

static void vif_disconnect(struct xbe_dev *d)
{
	if (d->priv)
		netif_disconnect(d->priv);
}

static void vif_remove(struct xbe_dev *d)
{
	d->priv = NULL; /* the record is ours, freed with the domain */
}

static const struct xbe_type vif_type = {
	.name = "vif",
	.probe = vif_probe,
	.connect = vif_connect,
	.disconnect = vif_disconnect,
	.remove = vif_remove,
};

void netback_start(void)
{
	if (xbe_register(&vif_type))
		printf("netback: cannot watch backend/vif\n");
}
