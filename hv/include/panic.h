/* Stopping the machine after a fatal error. */
#ifndef XENOLITH_PANIC_H
#define XENOLITH_PANIC_H

#include "types.h"

void panic_begin(void);
void __noreturn panic_end(const char *fmt, ...) __printf(1, 2);
bool panic_in_progress(void);
void __noreturn panic_park_cpu(void);

#endif
