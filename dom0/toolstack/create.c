/*
 * Building a domain from an xl.cfg, and destroying one: the steps of
 * Xen's toolstack in order.
 *
 * Create: check what a user can get wrong before anything is allocated
 * (the name, the files, free memory); build the domain, paused
 * (builder.c); record it, give it a UUID; introduce it to xenstored and
 * write the entries a toolstack writes; connect its console; add its
 * virtual block devices (whose back end connects when the guest's front
 * end asks); unpause. A
 * failure at any step after the build destroys what was built, so a
 * failed create leaves nothing behind.
 *
 * Destroy: pause the domain, drop domain 0's mappings of its pages
 * (its block rings, after their I/O drained; xenstore and console rings)
 * so that none of its frames is held, then
 * have the hypervisor destroy it and forget its entries and record.
 */
#include <xen/domctl.h>
#include "blkback.h"
#include "builder.h"
#include "consoled.h"
#include "errno.h"
#include "hvctl.h"
#include "kernel.h"
#include "netback.h"
#include "toolstack.h"
#include "xs.h"

/* Frames beyond memory= a small domain needs (rounding, slack). */
#define OVERHEAD_PAGES 64

static long domctl_simple(uint32_t cmd, uint16_t domid)
{
	struct xen_domctl op = { .cmd = cmd, .domain = domid };

	return hv_domctl(&op);
}

static uint64_t rng_state;

static uint64_t random64(void)
{
	if (!rng_state)
		rng_state = pv_rdtsc() | 1;
	/* xorshift64: a UUID only needs to differ from the others. */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* A version 4 (random) UUID, also the hypervisor's domain handle. */
static void new_uuid(struct tk_domain *k)
{
	struct xen_domctl op = { .cmd = XEN_DOMCTL_setdomainhandle,
				 .domain = k->domid };
	uint64_t a = random64() ^ pv_now(), b = random64();

	memcpy(k->uuid, &a, 8);
	memcpy(k->uuid + 8, &b, 8);
	k->uuid[6] = (uint8_t)((k->uuid[6] & 0x0f) | 0x40);
	k->uuid[8] = (uint8_t)((k->uuid[8] & 0x3f) | 0x80);
	memcpy(op.u.setdomainhandle.handle, k->uuid, sizeof(k->uuid));
	hv_domctl(&op); /* only names it; a failure costs nothing */
}

static bool valid_name(const char *name)
{
	bool digits = true;

	for (const char *s = name; *s; s++) {
		if (*s <= ' ' || *s == '/' || *s == 0x7f)
			return false;
		digits &= *s >= '0' && *s <= '9';
	}
	/* An all-digit name would read as a domain id. */
	return name[0] && !digits;
}

static int check_name(const char *name, char *err, size_t errlen)
{
	struct tk_domain *k = tk_lookup_name(name);

	if (!valid_name(name)) {
		snprintf(err, errlen,
			 "name \"%s\" is not usable: no spaces or '/', and "
			 "not only digits",
			 name);
		return -EINVAL;
	}
	if (k || !strcmp(name, "Domain-0")) {
		snprintf(err, errlen,
			 "a domain named \"%s\" already exists (id %u): "
			 "choose another name, or destroy it first",
			 name, k ? k->domid : 0);
		return -EEXIST;
	}
	return 0;
}

static int check_memory(const struct xl_config *cfg, char *err, size_t errlen)
{
	struct xen_sysctl_physinfo pi;
	uint64_t need = cfg->memory_mb * 256 + OVERHEAD_PAGES;
	long rc = hv_physinfo(&pi);

	if (rc) {
		snprintf(err, errlen, "cannot ask for free memory: %s",
			 strerror((int)rc));
		return (int)rc;
	}
	if (pi.free_pages < need) {
		snprintf(err, errlen,
			 "not enough free memory: %s needs %lu MiB, the "
			 "hypervisor has %lu MiB free (lower memory=, or "
			 "destroy a domain)",
			 cfg->name, cfg->memory_mb, pi.free_pages >> 8);
		return -ENOMEM;
	}
	return 0;
}

static int get_file(const char *what, const char *path, struct tk_image *img,
		    char *err, size_t errlen)
{
	int rc = tk_image_get(path, img);

	if (rc == -ENOENT)
		snprintf(err, errlen,
			 "%s \"%s\": no such file in domain 0's file store or "
			 "boot bundle (copy it with `xl put`, or run `xl "
			 "create` on the host, which sends it)",
			 what, path);
	else if (rc)
		snprintf(err, errlen, "%s \"%s\": %s", what, path,
			 strerror(rc));
	return rc;
}

/* After the build: make the domain known, reachable and running. */
static int connect_domain(struct tk_domain *k, const struct built_domain *b,
			  char *err, size_t errlen)
{
	int rc = xenstored_introduce(k->domid, b->store_mfn, b->store_port);

	if (rc) {
		snprintf(err, errlen, "xenstored cannot connect it: %s",
			 strerror(rc));
		return rc;
	}
	k->store = true;
	rc = tk_xs_write_domain(k, b->store_mfn, b->store_port, b->console_mfn,
				b->console_port);
	if (rc) {
		snprintf(err, errlen, "cannot write its xenstore entries: %s",
			 strerror(rc));
		return rc;
	}
	rc = console_connect(k->domid, b->console_mfn, b->console_port);
	if (rc) {
		snprintf(err, errlen,
			 "the console backend cannot connect it: %s",
			 strerror(rc));
		return rc;
	}
	k->console = true;
	for (unsigned int i = 0; k->cfg && i < k->cfg->ndisks; i++) {
		rc = vbd_add(k->domid, &k->cfg->disk[i], err, errlen);
		if (rc)
			return rc;
	}
	for (unsigned int i = 0; k->cfg && i < k->cfg->nvifs; i++) {
		rc = vif_add(k->domid, i, &k->cfg->vif[i], err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

int tk_create_locked(const struct xl_config *cfg, uint16_t *domid, char *err,
		     size_t errlen)
{
	struct tk_image kernel = { 0 }, ramdisk = { 0 };
	struct build_request req = { 0 };
	struct built_domain built;
	struct tk_domain *k;
	char why[160];
	int rc;

	if ((rc = check_name(cfg->name, err, errlen)) ||
	    (rc = check_memory(cfg, err, errlen)) ||
	    (rc = vbd_check(cfg->disk, cfg->ndisks, err, errlen)) ||
	    (rc = get_file("kernel", cfg->kernel, &kernel, err, errlen)))
		return rc;
	if (cfg->ramdisk[0] &&
	    (rc = get_file("ramdisk", cfg->ramdisk, &ramdisk, err, errlen))) {
		tk_image_put(&kernel);
		return rc;
	}
	req.name = cfg->name;
	req.kernel = kernel.data;
	req.kernel_len = kernel.len;
	req.ramdisk = ramdisk.data;
	req.ramdisk_len = ramdisk.len;
	req.cmdline = cfg->cmdline;
	req.mem_kb = cfg->memory_mb * 1024;
	req.maxmem_kb = cfg->maxmem_mb * 1024;
	req.vcpus = cfg->maxvcpus; /* the guest takes some offline */
	why[0] = '\0';
	rc = build_domain(&req, &built, why, sizeof(why));
	tk_image_put(&kernel);
	tk_image_put(&ramdisk);
	if (rc) {
		snprintf(err, errlen, "%s (kernel \"%s\")",
			 why[0] ? why : strerror(rc), cfg->kernel);
		return rc;
	}
	k = tk_record_new(built.domid);
	if (k) {
		k->cfg = malloc(sizeof(*k->cfg));
		if (!k->cfg) {
			tk_record_free(k);
			k = NULL;
		}
	}
	if (!k) {
		destroy_domain(built.domid);
		snprintf(err, errlen, "domain 0 is out of memory");
		return -ENOMEM;
	}
	*k->cfg = *cfg;
	strlcpy(k->name, cfg->name, sizeof(k->name));
	new_uuid(k);
	rc = connect_domain(k, &built, why, sizeof(why));
	if (rc) {
		snprintf(err, errlen, "%s (domain %u): %s; destroyed it",
			 cfg->name, built.domid, why);
		tk_destroy_locked(k, why, sizeof(why));
		return rc;
	}
	if ((cfg->cpu_weight || cfg->cap) &&
	    (rc = (int)hv_sched_credit_set(built.domid,
					    (uint16_t)cfg->cpu_weight,
					    (uint16_t)cfg->cap))) {
		snprintf(err, errlen, "%s (domain %u): cpu_weight/cap: %s; "
				      "destroyed it",
			 cfg->name, built.domid, strerror(rc));
		tk_destroy_locked(k, why, sizeof(why));
		return rc;
	}
	unpause_domain(built.domid);
	*domid = built.domid;
	return 0;
}

int tk_create(const struct xl_config *cfg, uint16_t *domid, char *err,
	      size_t errlen)
{
	int rc;

	tk_lock();
	rc = tk_create_locked(cfg, domid, err, errlen);
	tk_unlock();
	return rc;
}

int tk_destroy_locked(struct tk_domain *k, char *err, size_t errlen)
{
	uint16_t domid = k->domid;
	int rc;

	/* Stopped, it cannot touch the rings while they go. */
	domctl_simple(XEN_DOMCTL_pausedomain, domid);
	vbd_remove_domain(domid);
	vif_remove_domain(domid);
	if (k->console)
		console_disconnect(domid);
	if (k->store)
		xenstored_release(domid); /* its home and @releaseDomain */
	k->console = k->store = false;
	if (k->cfg)
		tk_xs_remove_vm(k);
	rc = destroy_domain(domid);
	if (rc) {
		snprintf(err, errlen,
			 "the hypervisor did not destroy domain "
			 "%u: %s",
			 domid, strerror(rc));
		return rc;
	}
	tk_record_free(k);
	return 0;
}

int tk_destroy(uint16_t domid, char *err, size_t errlen)
{
	struct tk_domain *k;
	int rc;

	if (domid == 0) {
		snprintf(err, errlen, "domain 0 cannot be destroyed");
		return -EINVAL;
	}
	tk_lock();
	k = tk_lookup(domid);
	if (!k) {
		/* Not seen yet (a scan is due): record it to destroy it. */
		k = tk_record_new(domid);
	}
	rc = k ? tk_destroy_locked(k, err, errlen) : -ENOMEM;
	if (!k)
		snprintf(err, errlen, "domain 0 is out of memory");
	tk_unlock();
	return rc;
}

int tk_rename(uint16_t domid, const char *name, char *err, size_t errlen)
{
	struct tk_domain *k;
	int rc;

	err[0] = '\0';
	tk_lock();
	k = tk_lookup(domid);
	rc = check_name(name, err, errlen);
	if (!rc && !k) {
		snprintf(err, errlen, "domain %u is not known to the toolstack",
			 domid);
		rc = -ENOENT;
	}
	if (!rc)
		rc = tk_xs_rename(k, name);
	if (!rc) {
		strlcpy(k->name, name, sizeof(k->name));
		if (k->cfg)
			strlcpy(k->cfg->name, name, sizeof(k->cfg->name));
	} else if (!err[0]) {
		snprintf(err, errlen, "cannot write the name in xenstore: %s",
			 strerror(rc));
	}
	tk_unlock();
	return rc;
}

int tk_request_shutdown(uint16_t domid, const char *what)
{
	char path[64];

	snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown",
		 domid);
	return xs_write(path, what);
}
