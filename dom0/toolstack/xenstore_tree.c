/*
 * The xenstore entries Xen's toolstack writes for a new domain D, with
 * the same permissions (see ../shared/xen-pv-abi.md, 5.3):
 *
 *   /local/domain/D            domain 0's, D may read: name, domid, vm,
 *                              memory/{static-max,target} (KiB),
 *                              cpu/N/availability (N < maxvcpus: online
 *                              below vcpus), store/{ring-ref,port}
 *   .../console/               D's, domain 0 may read; ring-ref, port,
 *                              type, limit domain 0's and read-only to D
 *   .../control/               domain 0's, D may read; control/shutdown
 *                              and the feature-* flags D's own, so the
 *                              guest can answer a request
 *   .../{data,device,drivers,error,feature,attr}
 *                              D's own, for its drivers and agents
 *   /vm/<uuid>/                domain 0's, D may read: name, uuid
 *
 * xenstored_introduce has made the home and written domid and name;
 * this runs before the domain is unpaused, so the guest never sees a
 * half-written tree.
 */
#include "errno.h"
#include "kernel.h"
#include "toolstack.h"
#include "xs.h"

#define PATH_MAX 128
#define CONSOLE_LIMIT 1048576 /* bytes of output xenconsoled buffers */

struct tree {
	const struct tk_domain *k;
	char home[32];
	char guest_rw[12], guest_ro[16];
	int err; /* the first failure; later steps are skipped */
};

static void put(struct tree *t, const char *rel, const char *value,
		const char *perms)
{
	char path[PATH_MAX];

	if (t->err)
		return;
	snprintf(path, sizeof(path), "%s/%s", t->home, rel);
	t->err = value ? xs_write(path, value) : xs_mkdir(path);
	if (!t->err && perms)
		t->err = xs_set_perms(path, perms);
}

static void put_num(struct tree *t, const char *rel, uint64_t v,
		    const char *perms)
{
	char val[24];

	snprintf(val, sizeof(val), "%lu", v);
	put(t, rel, val, perms);
}

void tk_uuid_string(const uint8_t u[16], char *buf, size_t n)
{
	snprintf(buf, n,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		 u[10], u[11], u[12], u[13], u[14], u[15]);
}

static void vm_path(const struct tk_domain *k, char *buf, size_t n)
{
	char uuid[40];

	tk_uuid_string(k->uuid, uuid, sizeof(uuid));
	snprintf(buf, n, "/vm/%s", uuid);
}

static int write_vm(const struct tk_domain *k, const char *ro)
{
	char vm[64], path[PATH_MAX], uuid[40];
	int err;

	vm_path(k, vm, sizeof(vm));
	tk_uuid_string(k->uuid, uuid, sizeof(uuid));
	err = xs_mkdir(vm);
	if (!err)
		err = xs_set_perms(vm, ro);
	snprintf(path, sizeof(path), "%s/name", vm);
	if (!err)
		err = xs_write(path, k->name);
	snprintf(path, sizeof(path), "%s/uuid", vm);
	if (!err)
		err = xs_write(path, uuid);
	return err;
}

int tk_xs_write_domain(const struct tk_domain *k, uint64_t store_mfn,
		       uint32_t store_port, uint64_t console_mfn,
		       uint32_t console_port)
{
	static const char *const guest_dirs[] = {
		"data", "device", "drivers", "error", "feature", "attr",
	};
	static const char *const guest_control[] = {
		"control/shutdown",	  "control/feature-poweroff",
		"control/feature-reboot", "control/feature-suspend",
		"control/sysrq",
	};
	const struct xl_config *cfg = k->cfg;
	struct tree t = { .k = k };
	char vm[64], path[32];

	snprintf(t.home, sizeof(t.home), "/local/domain/%u", k->domid);
	snprintf(t.guest_rw, sizeof(t.guest_rw), "n%u", k->domid);
	snprintf(t.guest_ro, sizeof(t.guest_ro), "n0 r%u", k->domid);
	vm_path(k, vm, sizeof(vm));

	t.err = write_vm(k, t.guest_ro);
	/* The home becomes domain 0's: the guest writes only where told. */
	if (!t.err)
		t.err = xs_set_perms(t.home, t.guest_ro);
	put(&t, "name", k->name, NULL);
	put(&t, "vm", vm, NULL);
	put_num(&t, "memory/static-max", cfg->maxmem_mb * 1024, NULL);
	put_num(&t, "memory/target", cfg->memory_mb * 1024, NULL);
	/* Every vCPU the domain has; those beyond vcpus= start offline. */
	for (unsigned int i = 0; i < cfg->maxvcpus; i++) {
		snprintf(path, sizeof(path), "cpu/%u/availability", i);
		put(&t, path, i < cfg->vcpus ? "online" : "offline", NULL);
	}
	put_num(&t, "store/ring-ref", store_mfn, NULL);
	put_num(&t, "store/port", store_port, NULL);

	snprintf(path, sizeof(path), "n%u r0", k->domid);
	put(&t, "console", NULL, path);
	put_num(&t, "console/ring-ref", console_mfn, t.guest_ro);
	put_num(&t, "console/port", console_port, t.guest_ro);
	put(&t, "console/type", "xenconsoled", t.guest_ro);
	put_num(&t, "console/limit", CONSOLE_LIMIT, t.guest_ro);

	put(&t, "control", NULL, NULL);
	for (unsigned int i = 0; i < ARRAY_SIZE(guest_control); i++)
		put(&t, guest_control[i], "", t.guest_rw);
	for (unsigned int i = 0; i < ARRAY_SIZE(guest_dirs); i++)
		put(&t, guest_dirs[i], NULL, t.guest_rw);
	return t.err;
}

int tk_xs_rename(const struct tk_domain *k, const char *name)
{
	char path[PATH_MAX], vm[64];
	int err;

	snprintf(path, sizeof(path), "/local/domain/%u/name", k->domid);
	err = xs_write(path, name);
	if (err || !k->cfg)
		return err;
	vm_path(k, vm, sizeof(vm));
	snprintf(path, sizeof(path), "%s/name", vm);
	return xs_write(path, name);
}

void tk_xs_remove_vm(const struct tk_domain *k)
{
	char vm[64];

	vm_path(k, vm, sizeof(vm));
	xs_rm(vm);
}
