/*
 * The xenbus back-end library (dom0/backends/xenbus_be.c): what every
 * split-device back end of domain 0 shares, whatever its device type.
 *
 * The toolstack writes a device's nodes (xbe_device_write): the back
 * end's directory /local/domain/0/backend/<type>/<domid>/<devid> and the
 * front end's /local/domain/<domid>/device/<type>/<devid>, both at state
 * Initialising. One thread watches backend/<type> for every registered
 * type and the front end's state of every device it knows, and drives
 * Xen's xenbus state machine for each device:
 *
 *   found, online = 1       -> probe (type's nodes: sizes, features)
 *                              -> InitWait
 *   front end Initialised/Connected -> connect (the type maps its rings
 *                              with xbe_map_ring, binds its event channel
 *                              with xbe_bind_port) -> Connected
 *   front end Closing       -> disconnect -> Closing
 *   front end Closed/gone   -> disconnect -> Closed; if online = 0 or the
 *                              directory is gone, the device is removed
 *   front end Initialising again after Closed -> InitWait (reconnect)
 *
 * Every change of a device happens under one lock (the type's callbacks
 * run with it held, and may block in disconnect to drain their I/O).
 * Nothing the front end writes is trusted: numbers are parsed strictly,
 * grant references go to the hypervisor's checks, a failure is logged
 * once with the domain id and the device is closed (xbe_fatal).
 */
#ifndef DOM0_XENBUS_BE_H
#define DOM0_XENBUS_BE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gnttab.h"

#define XBE_PATH_MAX 96

struct xbe_dev;

struct xbe_type {
	const char *name; /* "vbd", "vif": the directory names */
	/* Found with online = 1: write the type's nodes. 0 or -errno. */
	int (*probe)(struct xbe_dev *d);
	/* The front end's details are written: start I/O. 0 or -errno. */
	int (*connect)(struct xbe_dev *d);
	/* Stop I/O and wait until none is left; then it may unmap. */
	void (*disconnect)(struct xbe_dev *d);
	/* The device goes away (after disconnect): free d->priv. */
	void (*remove)(struct xbe_dev *d);
};

struct xbe_dev {
	struct xbe_dev *next;
	const struct xbe_type *type;
	uint16_t domid;
	uint32_t devid;
	char be[XBE_PATH_MAX]; /* our directory */
	char fe[XBE_PATH_MAX]; /* the front end's, as read from "frontend" */
	int state; /* ours, XenbusState */
	bool connected; /* connect succeeded, disconnect not yet called */
	bool fatal; /* closed for an error: no reconnect */
	void *priv; /* the type's */
};

/* A mapped ring of 1 << order pages. */
struct xbe_ring {
	void *va;
	unsigned int pages;
	uint32_t handles[GNTTAB_MAP_MAX];
};

/* Start the thread; then register each type (watches backend/<name>). */
void xbe_start(void);
int xbe_register(const struct xbe_type *t);

/* One node to write: key relative to the directory, and its value. */
struct xbe_node {
	const char *key;
	const char *value;
};

/*
 * The toolstack's part: write a device's back-end and front-end
 * directories (the common nodes, then be_extra and fe_extra) with Xen's
 * permissions: the back end's owned by domain 0 and readable by the
 * domain, the front end's owned by the domain and readable by domain 0.
 */
int xbe_device_write(const char *type, uint16_t domid, uint32_t devid,
		     const struct xbe_node *be_extra, size_t n_be,
		     const struct xbe_node *fe_extra, size_t n_fe);
/*
 * Remove every device of domid now (the domain is being destroyed):
 * disconnect, remove, delete both directories. Waits for their I/O.
 */
void xbe_remove_domain(uint16_t domid);
/*
 * Detach one device: ask the front end to close (online = 0, state
 * Closing) and wait for it up to timeout_ns; then remove it whether it
 * answered or not. 0, -ENOENT, or -ETIMEDOUT (removed by force).
 */
int xbe_detach(const char *type, uint16_t domid, uint32_t devid,
	       uint64_t timeout_ns);

/* For the types' callbacks. */
int xbe_read_fe(struct xbe_dev *d, const char *key, char *buf, size_t n);
/* A front-end node holding a decimal number up to max; -EINVAL if not. */
int xbe_read_fe_uint(struct xbe_dev *d, const char *key, uint64_t max,
		     uint64_t *val);
int xbe_write_be(struct xbe_dev *d, const char *key, const char *value);
/*
 * Map the ring the front end named by its "<name>-ref" node, or by
 * "<name>-page-order" (at most max_order) and "<name>-ref0".. for a
 * multi-page ring. 0 or -errno (logged).
 */
int xbe_map_ring(struct xbe_dev *d, const char *name, unsigned int max_order,
		 bool writable, struct xbe_ring *r);
void xbe_unmap_ring(struct xbe_ring *r);
/* Bind the interdomain channel the front end named in node key. */
int xbe_bind_port(struct xbe_dev *d, const char *key, uint32_t *port);
/*
 * An error the device cannot go on with: log it (once per device),
 * write it to the back end's "error" node, and switch to Closing; the
 * front end's answer then disconnects it. Never blocks: callable from
 * the type's own threads while the lock is held elsewhere.
 */
void xbe_fatal(struct xbe_dev *d, int err, const char *why);

/* The domain's devices of a type, for listing (lock not needed). */
struct xbe_dev *xbe_first(void);

#endif
