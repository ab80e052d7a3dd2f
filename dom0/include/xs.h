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
/* Connect domid's ring (mfn, its unbound port) and fire @introduceDomain. */
int xenstored_introduce(uint16_t domid, uint64_t mfn, uint32_t remote_port);
/* Drop domid's connection and fire @releaseDomain. */
void xenstored_release(uint16_t domid);

/* Domain 0's own requests; 0 or a negative errno. */
int xs_read(const char *path, char *buf, size_t n);
int xs_write(const char *path, const char *value);
int xs_mkdir(const char *path);
int xs_rm(const char *path);

#endif
