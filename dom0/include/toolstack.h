/*
 * The toolstack's view of the domains (dom0/toolstack/): one record per
 * domain domain 0 knows, whether the toolstack built it from an xl.cfg
 * (it then keeps the config, to apply on_poweroff/on_reboot/on_crash and
 * to build it again on restart) or the hypervisor built it at boot.
 *
 * Every change to the records and to the domains themselves (create,
 * destroy, rename, the on_* actions, discovery) happens under the
 * toolstack lock, so a command and the domains thread never see one
 * half done. Commands that wait for a guest (shutdown) do so unlocked.
 *
 * Functions return 0 or a negative errno; those taking err/errlen also
 * say there, in words a user can act on, what went wrong.
 */
#ifndef DOM0_TOOLSTACK_H
#define DOM0_TOOLSTACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "xlcfg.h"

/* More restarts than this within TK_RESTART_WINDOW: kept, not restarted. */
#define TK_RESTART_BURST 5
#define TK_RESTART_WINDOW (60 * SEC)

struct tk_domain {
	struct tk_domain *next;
	uint16_t domid;
	char name[XLCFG_NAME_MAX];
	struct xl_config *cfg; /* NULL: built by the hypervisor at boot */
	uint8_t uuid[16];
	bool store, console; /* connected to xenstored, the console backend */
	bool shutdown_seen; /* its shutdown was noticed and acted on */
	bool preserved; /* shut down and kept by its on_* action */
	bool seen; /* discovery's mark */
	/* When the domains this one replaced were restarted (restart()). */
	uint64_t restarted_at[TK_RESTART_BURST];
	unsigned int restarts;
};

/* The lock around every change (domains.c). */
void tk_lock(void);
void tk_unlock(void);

/* Records (domains.c). The caller holds the lock. */
struct tk_domain *tk_lookup(uint16_t domid);
struct tk_domain *tk_lookup_name(const char *name);
struct tk_domain *tk_first(void);

/*
 * A domain named as xl names one: its name, or its id. 0 or -ENOENT.
 * Takes the lock itself.
 */
int tk_resolve(const char *spec, uint16_t *domid);
/* The domain's name: "Domain-0", the toolstack's, xenstore's, or "domN". */
void tk_name(uint16_t domid, char *buf, size_t n);

/*
 * Create a domain from cfg (copied), running. The kernel and ramdisk
 * are files in domain 0's file store or the boot bundle. *domid gets the
 * new id. Takes the lock.
 */
int tk_create(const struct xl_config *cfg, uint16_t *domid, char *err,
	      size_t errlen);
/* Destroy it and free everything it held. Takes the lock. */
int tk_destroy(uint16_t domid, char *err, size_t errlen);
/* Give it a new name (xenstore and the record). Takes the lock. */
int tk_rename(uint16_t domid, const char *name, char *err, size_t errlen);
/*
 * Resources of a running domain (resources.c), as libxl changes them:
 * its balloon target (KiB; at most memory/static-max), and how many of
 * its vCPUs are online (cpu/N/availability). 0, or a negative errno
 * with err saying why.
 */
int tk_set_memory(uint16_t domid, uint64_t target_kb, char *err,
		  size_t errlen);
int tk_get_memory(uint16_t domid, uint64_t *target_kb,
		  uint64_t *static_max_kb);
int tk_set_vcpus(uint16_t domid, unsigned int n, char *err, size_t errlen);
/* Ask its kernel to "poweroff" or "reboot" through control/shutdown. */
int tk_request_shutdown(uint16_t domid, const char *what);

/* Internal to dom0/toolstack/: building and tearing down (create.c). */
int tk_create_locked(const struct xl_config *cfg, uint16_t *domid, char *err,
		     size_t errlen);
int tk_destroy_locked(struct tk_domain *k, char *err, size_t errlen);
/* Add or drop a record (domains.c). */
struct tk_domain *tk_record_new(uint16_t domid);
void tk_record_free(struct tk_domain *k);
/* The toolstack's xenstore entries for a domain (xenstore_tree.c). */
int tk_xs_write_domain(const struct tk_domain *k, uint64_t store_mfn,
		       uint32_t store_port, uint64_t console_mfn,
		       uint32_t console_port);
int tk_xs_rename(const struct tk_domain *k, const char *name);
void tk_xs_remove_vm(const struct tk_domain *k);
void tk_uuid_string(const uint8_t uuid[16], char *buf, size_t n);

/*
 * A file the toolstack reads (images.c): from domain 0's file store, or
 * the boot bundle (a leading '/' ignored). data is contiguous; release
 * it with tk_image_put.
 */
struct tk_image {
	const void *data;
	size_t len;
	void *copy; /* pages to free, when data had to be gathered */
	size_t copy_pages;
};
int tk_image_get(const char *path, struct tk_image *img);
void tk_image_put(struct tk_image *img);

/* Create each xl.cfg in the boot bundle's etc/xen/auto/ (autostart.c). */
void tk_autostart(void);

#endif
