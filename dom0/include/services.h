/* The services domain 0 runs, each started as threads by services_start. */
#ifndef DOM0_SERVICES_H
#define DOM0_SERVICES_H

#include <stdbool.h>

bool cmdline_has(const char *word);
void kernel_selftest(void);
void services_start(void);
void domains_start(void); /* domain records, on_* actions, autostart
			     (toolstack/domains.c) */
void ctl_start(void); /* dom0/ctl/ctl.c */
void buildtest_start(void); /* the builder's self-test (toolstack/) */

#endif
