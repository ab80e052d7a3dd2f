/*
 * Domain 0's start: memory, the timer event, then one thread per service.
 * The command line (start_info) selects extras: "selftest" runs the
 * kernel's own checks first; "buildtest=K,..." tests the domain builder
 * with kernels from the boot bundle.
 */
#include "bundle.h"
#include "kernel.h"
#include "services.h"

static struct waitq timer_q = WAITQ_INIT(timer_q);

bool cmdline_has(const char *word)
{
	const char *s = (const char *)start_info->cmd_line;
	size_t n = strlen(word);

	while (*s) {
		while (*s == ' ')
			s++;
		if (!strncmp(s, word, n) && (s[n] == ' ' || s[n] == '\0' ||
					     s[n] == '='))
			return true;
		while (*s && *s != ' ')
			s++;
	}
	return false;
}

/* The timer event only ends the vCPU's block; the scheduler does the rest. */
static void bind_timer(void)
{
	uint32_t port;

	if (evtchn_bind_virq(VIRQ_TIMER, &port))
		pv_panic("dom0: cannot bind VIRQ_TIMER");
	evtchn_attach(port, &timer_q);
}

void pv_main(void)
{
	mem_init();
	bind_timer();
	if (pv_set_iopl(1)) /* PCI and device ports */
		pv_panic("dom0: cannot set IOPL 1");
	printf("dom0: Xenolith control domain, %lu MiB, %lu MiB free\n",
	       mem_total_pages() >> 8, mem_free_pages() >> 8);
	bundle_init();
	if (cmdline_has("selftest"))
		kernel_selftest();
	services_start();
	if (cmdline_has("buildtest"))
		buildtest_start();
	sched_start();
}
