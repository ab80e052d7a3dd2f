/*
 * xenstored as a domain 0 service (dom0/xenstored/ring.c, service.c):
 * connections over each domain's xenstore ring, and domain 0's own
 * in-process access, with domain 0's full rights.
 */
#ifndef DOM0_XS_H
#define DOM0_XS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void xenstored_start(void);
/*
 * Create /local/domain/<domid> (owned by the domain; domid and name kept
 * by domain 0), connect the domain's ring (mfn, its unbound port) and
 * fire @introduceDomain. 0 or a negative errno.
 */
int xenstored_introduce(uint16_t domid, uint64_t mfn, uint32_t remote_port);
/* The domain has shut down: fire @releaseDomain (once). */
void xenstored_shutdown(uint16_t domid);
/*
 * The domain is gone: drop its connection, forget its rights, remove its
 * home and fire @releaseDomain.
 */
void xenstored_release(uint16_t domid);

/*
 * Domain 0's own requests; 0 or a negative errno. xs_read copies at most
 * n - 1 bytes of the value, NUL-terminated.
 */
int xs_read(const char *path, char *buf, size_t n);
int xs_write(const char *path, const char *value);
int xs_mkdir(const char *path);
int xs_rm(const char *path);
/* perms: space-separated entries as on the wire, e.g. "n5 r0". */
int xs_set_perms(const char *path, const char *perms);
/*
 * DIRECTORY: the child names, each NUL-terminated, into buf (n bytes).
 * Returns how many, or a negative errno (-E2BIG: buf too small).
 */
int xs_directory(const char *path, char *buf, size_t n);

/*
 * Watches for domain 0's services: a watcher is an in-process connection
 * whose events wake `wq`; the woken thread takes them with
 * xs_watcher_next (1 per event with its path and token, 0 when none is
 * left). As on the wire, a watch fires for the path and everything below.
 * The first firing that WATCH itself causes is dropped: a caller scans
 * what is there after setting the watch.
 */
struct waitq;
struct xs_watcher;
struct xs_watcher *xs_watcher_new(struct waitq *wq);
int xs_watch(struct xs_watcher *w, const char *path, const char *token);
int xs_unwatch(struct xs_watcher *w, const char *path, const char *token);
int xs_watcher_next(struct xs_watcher *w, char *path, size_t plen,
		    char *token, size_t tlen);
bool xs_watcher_pending(const struct xs_watcher *w);

#endif
