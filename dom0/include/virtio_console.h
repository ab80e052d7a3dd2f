/*
 * A virtio console device as a byte stream (dom0/drivers/virtio_console.c):
 * port 0 of QEMU's virtio-serial, without the multiport extension, which
 * the host side connects to a unix socket. Reads block until some bytes
 * have arrived; writes are buffered a page at a time until vcon_flush.
 * One thread reads; any thread may write (writes are serialised, each
 * call's bytes stay together).
 */
#ifndef DOM0_VIRTIO_CONSOLE_H
#define DOM0_VIRTIO_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

/* Find and start the device: 0, or -ENODEV if there is none. */
int vcon_start(void);
bool vcon_present(void);
/* Up to n bytes, at least one (blocks). */
size_t vcon_read(void *buf, size_t n);
void vcon_write(const void *buf, size_t n);
void vcon_flush(void);

#endif
