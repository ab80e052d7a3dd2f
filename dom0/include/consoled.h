/*
 * The console backend (xenconsoled's role), dom0/backends/console.c: one
 * connection per domain over its console ring page and event channel.
 * Output is kept in a per-domain buffer of recent output; one client at a
 * time may be attached to see it live and to send input.
 */
#ifndef DOM0_CONSOLED_H
#define DOM0_CONSOLED_H

#include <stddef.h>
#include <stdint.h>

/* Called in thread context with a domain's new output. */
typedef void (*console_sink)(void *ctx, const char *buf, size_t n);

void consoled_start(void);
/* Connect to domid's ring (mfn, its unbound port for domain 0). */
int console_connect(uint16_t domid, uint64_t mfn, uint32_t remote_port);
void console_disconnect(uint16_t domid);
/* Replay recent output to sink, then stream; -EBUSY if one is attached. */
int console_attach(uint16_t domid, console_sink sink, void *ctx);
void console_detach(uint16_t domid);
/* Input for the guest; returns bytes queued or a negative errno. */
long console_send(uint16_t domid, const char *buf, size_t n);
/* Copy up to n bytes of the recent-output buffer (oldest first). */
size_t console_history(uint16_t domid, char *buf, size_t n);

#endif
