/*
 * xenstored as a domain 0 service (dom0/xenstored/ring.c, service.c):
 * connections over each domain's xenstore ring, and domain 0's own
 * in-process access, with domain 0's full rights.
 */
#ifndef DOM0_XS_H
#define DOM0_XS_H

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

#endif
