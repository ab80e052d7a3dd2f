/*
 * console_io (18): guests writing to the hypervisor console. Domain 0 may
 * read and write freely; other domains may write only when guest_loglvl
 * allows it, at a limited rate, and their lines are prefixed "(dN) " so
 * that no guest can impersonate the hypervisor in the log.
 */
#include <xen/xen.h>
#include "console.h"
#include "domain.h"
#include "guest_access.h"
#include "hypercall.h"
#include "lib.h"
#include "time.h"

#define MAX_WRITE 4096
#define DOMU_BYTES_PER_SEC 16384 /* rate limit for unprivileged guests */

bool guest_console_allowed = true; /* guest_loglvl */
/*
 * dom0_console=raw: domain 0's output goes to the serial line byte for
 * byte, unprefixed, as on Xen (an interactive guest console relayed by
 * domain 0 needs its echo and escapes); the default keeps "(d0) " lines.
 */
unsigned int opt_dom0_console;

static void flush_line(struct domain *d)
{
	printk("(d%u) %.*s\n", d->id, (int)d->con_len, d->con_buf);
	d->con_len = 0;
}

/* Buffer into lines; drop control characters a guest could abuse. */
static void guest_putc(struct domain *d, char c)
{
	if (c == '\n') {
		flush_line(d);
		return;
	}
	if ((c < 0x20 && c != '\t') || c == 0x7f)
		c = '?';
	if (d->con_len == sizeof(d->con_buf))
		flush_line(d);
	d->con_buf[d->con_len++] = c;
}

/* A new domain starts with a full bucket. */
void guest_console_init(struct domain *d)
{
	d->con_tokens = DOMU_BYTES_PER_SEC;
	d->con_refill = NOW();
}

/* Token bucket: true if the domain may write n more bytes now. */
static bool rate_ok(struct domain *d, unsigned int n)
{
	u64 now = NOW();

	if (d->privileged)
		return true;
	if (now - d->con_refill >= SECONDS(1)) {
		d->con_refill = now;
		d->con_tokens = DOMU_BYTES_PER_SEC;
	}
	if (d->con_tokens < n)
		return false;
	d->con_tokens -= n;
	return true;
}

static long guest_console_write(struct domain *d, unsigned int count, u64 buffer)
{
	char buf[256];
	unsigned int done = 0;

	if (!d->privileged && !guest_console_allowed)
		return -EPERM;
	if (count > MAX_WRITE)
		count = MAX_WRITE;
	while (done < count) {
		unsigned int n = MIN(count - done, (unsigned int)sizeof(buf));
		bool ok;

		if (copy_from_guest(buf, buffer + done, n))
			return -EFAULT;
		spin_lock(&d->con_lock);
		ok = rate_ok(d, n);
		if (ok && d->privileged && opt_dom0_console)
			console_write_raw(buf, n);
		else if (ok)
			for (unsigned int i = 0; i < n; i++)
				guest_putc(d, buf[i]);
		spin_unlock(&d->con_lock);
		if (!ok)
			return done ? (long)done : -EAGAIN;
		done += n;
	}
	return done;
}

/* Domain 0 reads what has arrived on the serial line (non-blocking). */
long console_read_input(unsigned int count, u64 buffer)
{
	char buf[64];
	unsigned int n = 0;
	int c;

	(void)c;
	if (count > sizeof(buf))
		count = sizeof(buf);
	n = console_take_input(buf, count);
	if (n && copy_to_guest(buffer, buf, n))
		return -EFAULT;
	return n;
}

long do_console_io(int cmd, unsigned int count, u64 buffer)
{
	struct domain *d = current->domain;

	switch (cmd) {
	case CONSOLEIO_write:
		return guest_console_write(d, count, buffer);
	case CONSOLEIO_read:
		if (!d->privileged)
			return -EPERM;
		return console_read_input(count, buffer);
	}
	return -ENOSYS;
}
