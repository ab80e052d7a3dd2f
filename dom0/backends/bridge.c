/*
 * The VFR's bridges (see bridge.h). Ports live in a fixed table per
 * bridge and are looked up by index at each delivery: a delivery to the
 * card may block (its transmit queue full), and a port may leave
 * meanwhile; its slot is then empty and skipped.
 */
#include "bridge.h"
#include "errno.h"
#include "kernel.h"
#include "virtio_net.h"
#include "xlvif.h"

#define MAX_BRIDGES 4
#define MAX_PORTS 16

struct br_port {
	struct bridge *br;
	int index;
	char name[24];
	bool has_rule, fill_csum;
	struct vfr_rule rule;
	struct vfr_acl *acl;
	br_deliver_fn fn;
	void *ctx;
	struct br_counters c;
	unsigned int logged; /* drop kinds already logged */
};

struct bridge {
	char name[XLVIF_BRIDGE_MAX];
	struct br_port *ports[MAX_PORTS];
	struct fdb fdb;
};

static struct bridge *bridges[MAX_BRIDGES];

static struct bridge *get_bridge(const char *name)
{
	int free_slot = -1;

	for (int i = 0; i < MAX_BRIDGES; i++) {
		if (bridges[i] && !strcmp(bridges[i]->name, name))
			return bridges[i];
		if (!bridges[i] && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0)
		return NULL;
	bridges[free_slot] = calloc(1, sizeof(struct bridge));
	if (bridges[free_slot])
		strlcpy(bridges[free_slot]->name, name, XLVIF_BRIDGE_MAX);
	return bridges[free_slot];
}

static void card_join(void);

struct br_port *br_join(const char *bridge, const char *name,
			const struct vfr_rule *rule, bool fill_csum,
			br_deliver_fn fn, void *ctx)
{
	struct bridge *br = get_bridge(bridge);
	struct br_port *p;

	if (rule && !strcmp(bridge, "xenbr0"))
		card_join();
	if (!br)
		return NULL;
	for (int i = 0; i < MAX_PORTS; i++) {
		if (br->ports[i])
			continue;
		p = calloc(1, sizeof(*p));
		if (!p)
			return NULL;
		p->br = br;
		p->index = i;
		strlcpy(p->name, name, sizeof(p->name));
		p->has_rule = rule != NULL;
		if (rule)
			p->rule = *rule;
		p->fill_csum = fill_csum;
		p->fn = fn;
		p->ctx = ctx;
		br->ports[i] = p;
		return p;
	}
	return NULL;
}

void br_leave(struct br_port *p)
{
	if (!p)
		return;
	p->br->ports[p->index] = NULL;
	fdb_forget_port(&p->br->fdb, p->index);
	free(p);
}

void br_counters(const struct br_port *p, struct br_counters *c)
{
	*c = p->c;
}

void br_set_acl(struct br_port *p, struct vfr_acl *acl)
{
	p->acl = acl;
}

/* The port's rules for a frame going dir: false (and counted) if dropped. */
static bool acl_pass(struct br_port *p, const uint8_t *f, size_t len,
		     unsigned int dir)
{
	int i = p->acl ? vfr_acl_match(p->acl, f, len, dir) : -1;

	if (i < 0)
		return true;
	p->acl->packets[i]++;
	p->acl->bytes[i] += len;
	if (p->acl->rule[i].action == XLVIF_ACCEPT)
		return true;
	p->c.drop_rule++;
	return false;
}

static void log_drop(struct br_port *p, enum vfr_verdict v)
{
	static const char *const why[] = {
		[VFR_RUNT] = "a frame shorter than its headers",
		[VFR_SPOOF_MAC] = "a frame from a MAC address not its own",
		[VFR_SPOOF_IP] = "a frame from an IPv4 address not its own",
	};

	if (p->logged & (1u << v))
		return;
	p->logged |= 1u << v;
	printf("vfr: %s on %s: dropped %s (counted in xl network-list; "
	       "not logged again)\n",
	       p->name, p->br->name, why[v]);
}

/* The port's rule: false (and counted) if the frame is dropped. */
static bool admit(struct br_port *p, const uint8_t *f, size_t len)
{
	enum vfr_verdict v;

	if (len > BR_MAX_FRAME) {
		p->c.drop_big++;
		return false;
	}
	if (len < 14) {
		p->c.drop_runt++;
		return false;
	}
	if (!p->has_rule)
		return true;
	v = vfr_check(&p->rule, f, len);
	if (v == VFR_ACCEPT)
		return acl_pass(p, f, len, XLVIF_OUT);
	if (v == VFR_SPOOF_MAC)
		p->c.drop_mac++;
	else if (v == VFR_SPOOF_IP)
		p->c.drop_ip++;
	else
		p->c.drop_runt++;
	log_drop(p, v);
	return false;
}

static void deliver(struct br_port *to, uint8_t *f, size_t len,
		    unsigned int *flags)
{
	if (!acl_pass(to, f, len, XLVIF_IN))
		return;
	if (to->fill_csum && (*flags & BR_CSUM_BLANK)) {
		vfr_csum_fill(f, len);
		*flags = (*flags & ~BR_CSUM_BLANK) | BR_DATA_VALIDATED;
	}
	to->c.out++;
	to->fn(to->ctx, f, len, *flags);
}

void br_input(struct br_port *p, uint8_t *f, size_t len, unsigned int flags)
{
	struct bridge *br = p->br;
	int src = p->index, dst;
	uint64_t now = pv_now();

	if (!admit(p, f, len))
		return;
	p->c.in++;
	fdb_learn(&br->fdb, f + 6, src, now);
	dst = f[0] & 1 ? -1 : fdb_lookup(&br->fdb, f, now);
	if (dst >= 0) {
		if (dst != src && br->ports[dst])
			deliver(br->ports[dst], f, len, &flags);
		return;
	}
	for (int i = 0; i < MAX_PORTS; i++)
		if (i != src && br->ports[i])
			deliver(br->ports[i], f, len, &flags);
}

/* --- Domain 0's card ------------------------------------------------------ */

static struct br_port *card_port;

static void card_send(void *ctx, const uint8_t *f, size_t len,
		      unsigned int flags)
{
	(void)ctx;
	(void)flags;
	vnet_send(0, f, len);
}

static void card_receive(void *ctx, int dev, const void *frame, size_t len)
{
	static uint8_t buf[BR_MAX_FRAME];

	(void)ctx;
	(void)dev;
	if (!card_port || len > sizeof(buf))
		return;
	memcpy(buf, frame, len); /* the bridge may not write the card's */
	br_input(card_port, buf, len, 0);
}

/*
 * The card joins xenbr0 with its first VIF: until then domain 0's own
 * tools (xl net-test) may use it directly.
 */
static void card_join(void)
{
	if (card_port || vnet_count() < 1)
		return;
	card_port = br_join("xenbr0", "vnet0", NULL, true, card_send, NULL);
	if (card_port && !vnet_set_rx_handler(0, card_receive, NULL))
		printf("vfr: vnet0 joins bridge xenbr0\n");
}
