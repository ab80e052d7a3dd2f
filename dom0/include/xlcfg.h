/*
 * xl.cfg, the domain configuration format of Xen's xl: one "key = value"
 * per line, values are quoted strings ('..' or ".."), integers, or lists
 * of strings in brackets (which may span lines); '#' starts a comment.
 * Pure code, shared by domain 0's toolstack, the host `xl` client and the
 * host unit test.
 */
#ifndef XENOLITH_XLCFG_H
#define XENOLITH_XLCFG_H

#include <stddef.h>
#include <stdint.h>
#include "xldisk.h"
#include "xlvif.h"

enum xl_action {
	XL_ACTION_DESTROY,
	XL_ACTION_RESTART,
	XL_ACTION_PRESERVE,
};

#define XLCFG_NAME_MAX 64
#define XLCFG_PATH_MAX 256
#define XLCFG_CMDLINE_MAX 1024
#define XLCFG_MAX_DEVS 8

struct xl_config {
	char name[XLCFG_NAME_MAX];
	uint64_t memory_mb, maxmem_mb;
	unsigned int vcpus;    /* online at boot: cpu/N/availability */
	unsigned int maxvcpus; /* the domain's vCPUs (vcpu-set's limit) */
	/* Credit scheduler: cpu_weight (0: the default, 256) and cap (% of
	 * one CPU; 0: none). */
	unsigned int cpu_weight, cap;
	char kernel[XLCFG_PATH_MAX], ramdisk[XLCFG_PATH_MAX];
	char cmdline[XLCFG_CMDLINE_MAX]; /* as given, or built from root/extra */
	enum xl_action on_poweroff, on_reboot, on_crash;
	unsigned int ndisks, nvifs;
	char disks[XLCFG_MAX_DEVS][XLCFG_PATH_MAX]; /* as written */
	struct xl_disk disk[XLCFG_MAX_DEVS]; /* parsed (xldisk.h) */
	char vifs[XLCFG_MAX_DEVS][XLCFG_PATH_MAX]; /* as written */
	struct xl_vif vif[XLCFG_MAX_DEVS]; /* parsed (xlvif.h) */
};

/*
 * Parse text (len bytes, need not be NUL-terminated). Returns 0, or -22
 * (EINVAL) with err saying "line N: what is wrong". A setting Xenolith
 * does not implement is refused (xl would ignore it).
 */
int xlcfg_parse(const char *text, size_t len, struct xl_config *cfg,
		char *err, size_t errlen);
const char *xl_action_name(enum xl_action a);

#endif
