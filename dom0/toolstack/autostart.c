/*
 * Autostart, as Xen's xendomains script does at boot: every xl.cfg in
 * the boot bundle's etc/xen/auto/ is created, in archive order. A config
 * that fails is reported and skipped; the others still start.
 */
#include "bundle.h"
#include "kernel.h"
#include "toolstack.h"
#include "xlcfg.h"

#define AUTO_DIR "etc/xen/auto/"

static void start_one(const struct bundle_file *bf)
{
	static struct xl_config cfg; /* large: kept off the thread's stack */
	char err[256];
	uint16_t domid;

	if (xlcfg_parse(bf->data, bf->len, &cfg, err, sizeof(err))) {
		printf("autostart: %s: %s\n", bf->name, err);
		return;
	}
	if (tk_create(&cfg, &domid, err, sizeof(err)))
		printf("autostart: %s: %s\n", bf->name, err);
	else
		printf("autostart: %s: domain %u (%s) started\n", bf->name,
		       domid, cfg.name);
}

void tk_autostart(void)
{
	size_t dl = strlen(AUTO_DIR);

	for (unsigned int i = 0; i < bundle_count(); i++) {
		const struct bundle_file *bf = bundle_get(i);

		if (!strncmp(bf->name, AUTO_DIR, dl) && bf->name[dl])
			start_one(bf);
	}
}
