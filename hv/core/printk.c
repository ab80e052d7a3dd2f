/*
 * printk: formatted log lines to the console, each prefixed "(XEN) " as on
 * Xen, kept also in a ring of recent output for later reading (dmesg).
 * One lock serialises whole lines so CPUs do not interleave mid-line.
 */
#include "console.h"
#include "lib.h"
#include "spinlock.h"

#define CONRING_SIZE 16384 /* power of two */

static DEFINE_SPINLOCK(console_lock);
static bool serial_on = true;
static bool at_line_start = true;
static int log_threshold = LOG_INFO;
static char conring[CONRING_SIZE];
static size_t conring_prod;

void console_enable_serial(bool on)
{
	serial_on = on;
}

void printk_set_level(int level)
{
	log_threshold = level;
}

static void emit(char c)
{
	conring[conring_prod++ & (CONRING_SIZE - 1)] = c;
	if (serial_on)
		serial_putc(c);
}

static void emit_line_text(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (at_line_start) {
			for (const char *p = "(XEN) "; *p; p++)
				emit(*p);
			at_line_start = false;
		}
		emit(s[i]);
		if (s[i] == '\n')
			at_line_start = true;
	}
}

/* Domain 0's own bytes as they are (dom0_console=raw): no prefix. */
void console_write_raw(const char *s, size_t n)
{
	u64 f = spin_lock_irqsave(&console_lock);

	for (size_t i = 0; i < n; i++) {
		emit(s[i]);
		at_line_start = s[i] == '\n';
	}
	spin_unlock_irqrestore(&console_lock, f);
}

void console_write(const char *s, size_t n)
{
	u64 f = spin_lock_irqsave(&console_lock);
	emit_line_text(s, n);
	spin_unlock_irqrestore(&console_lock, f);
}

/* A CPU that panics while another holds the lock must still be heard. */
void console_force_unlock(void)
{
	console_lock.head = console_lock.tail;
}

/* The position just past the newest byte in the ring. */
size_t console_ring_head(void)
{
	return READ_ONCE(conring_prod);
}

size_t console_ring_read(char *buf, size_t len, size_t *pos)
{
	size_t n = 0;
	u64 f = spin_lock_irqsave(&console_lock);

	if (conring_prod - *pos > CONRING_SIZE)
		*pos = conring_prod - CONRING_SIZE;
	while (*pos < conring_prod && n < len)
		buf[n++] = conring[(*pos)++ & (CONRING_SIZE - 1)];
	spin_unlock_irqrestore(&console_lock, f);
	return n;
}

static void vprintk(const char *fmt, va_list ap)
{
	char buf[512];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	console_write(buf, (size_t)n);
}

void printk(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}

void printk_level(int level, const char *fmt, ...)
{
	va_list ap;
	if (level > log_threshold)
		return;
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}
