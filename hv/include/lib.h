/* Small library: strings, formatted output, logging, assertions. */
#ifndef XENOLITH_LIB_H
#define XENOLITH_LIB_H

#include <stdarg.h>
#include "errno.h"
#include "types.h"

#include "klib.h"

/* Log levels, Xen's names: loglvl=none|error|warning|info|debug|all. */
#define LOG_ERR 1
#define LOG_WARN 2
#define LOG_INFO 3
#define LOG_DEBUG 4

void printk(const char *fmt, ...) __printf(1, 2);
void printk_level(int level, const char *fmt, ...) __printf(2, 3);
void printk_set_level(int level);
#define pr_err(...) printk_level(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) printk_level(LOG_WARN, __VA_ARGS__)
#define pr_info(...) printk_level(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk_level(LOG_DEBUG, __VA_ARGS__)

void __noreturn panic(const char *fmt, ...) __printf(1, 2);

#define BUG_ON(c)                                                          \
	do {                                                               \
		if (unlikely(c))                                           \
			panic("BUG at %s:%d: %s", __FILE__, __LINE__, #c); \
	} while (0)
#define BUG() panic("BUG at %s:%d", __FILE__, __LINE__)
#define ASSERT(c) BUG_ON(!(c))

#endif
