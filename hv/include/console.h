/* Console output: the serial port and a ring of recent output. */
#ifndef XENOLITH_CONSOLE_H
#define XENOLITH_CONSOLE_H

#include "types.h"

void serial_init(u16 port);
void serial_putc(char c);
bool serial_present(void);
int serial_getc(void); /* -1 if nothing waiting */
void serial_enable_rx_interrupt(void);
void keyhandler_init(void);
void keyhandler_run(char key); /* also sysctl debug_keys */
unsigned int console_take_input(char *buf, unsigned int max);

void console_enable_serial(bool on);
void console_write(const char *s, size_t n);
void console_write_raw(const char *s, size_t n);
void console_force_unlock(void); /* for the panic path only */
size_t console_ring_read(char *buf, size_t len, size_t *pos);
size_t console_ring_head(void);

#endif
