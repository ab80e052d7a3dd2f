/*
 * console_io (18): guests writing to the hypervisor console, answered as
 * Xen 4.17's release build does. Only the control domain may use it:
 * another domain gets -EPERM for every command (XSM's default policy),
 * unless guest_loglvl=all lets domains U write, as a Xen debug build
 * does; their lines are prefixed "(dN) ", so that no guest can
 * impersonate the hypervisor, and limited in rate (the excess is
 * dropped, as Xen's guest log rate limit does).
 *
 * A write takes count bytes however many (preempted and continued in
 * pieces) and returns 0; a bad buffer is -EFAULT, and a count of 0 reads
 * nothing, so it is 0 whatever the pointer. A read returns the number of
 * bytes of serial input copied; -E2BIG if count is negative as an int.
 */
#include <xen/xen.h>
#include "console.h"
#include "domain.h"
#include "guest_access.h"
#include "hypercall.h"
#include "lib.h"
#include "time.h"

#define CHUNK 256 /* bytes copied in at a time */
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

/* Under the domain's console lock: its vCPUs share the line and rate. */
static void console_put(struct domain *d, const char *buf, unsigned int n)
{
	spin_lock(&d->con_lock);
	if (!rate_ok(d, n))
		goto out;
	if (d->privileged && opt_dom0_console) {
		console_write_raw(buf, n);
		goto out;
	}
	for (unsigned int i = 0; i < n; i++)
		guest_putc(d, buf[i]);
out:
	spin_unlock(&d->con_lock);
}

static long guest_console_write(struct domain *d, unsigned int count,
				u64 buffer)
{
	char buf[CHUNK];
	bool started = false;

	while (count) {
		unsigned int n = MIN(count, (unsigned int)sizeof(buf));

		/* Each call writes something before it may stop. */
		if (started && hypercall_preempt_check())
			return hypercall_continue(__HYPERVISOR_console_io,
						  CONSOLEIO_write, count,
						  buffer, 0);
		started = true;
		if (copy_from_guest(buf, buffer, n))
			return -EFAULT;
		console_put(d, buf, n);
		buffer += n;
		count -= n;
	}
	return 0;
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

	/* XSM's default: the control domain; domains U may only write, and
	 * only where a Xen debug build would let them (guest_loglvl=all). */
	if (!d->privileged &&
	    !(cmd == CONSOLEIO_write && guest_console_allowed))
		return -EPERM;
	switch (cmd) {
	case CONSOLEIO_write:
		return guest_console_write(d, count, buffer);
	case CONSOLEIO_read:
		if ((int)count < 0)
			return -E2BIG;
		return console_read_input(count, buffer);
	}
	return -ENOSYS;
}
