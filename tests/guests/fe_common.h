/*
 * A split-driver front end on libpv (blk_hostile, net_hostile): our own
 * grant table, granting pages to domain 0, and the xenbus nodes of a
 * device (its back end's state, our own keys).
 */
#ifndef FE_COMMON_H
#define FE_COMMON_H

#include <xen/io/xenbus.h>
#include "xs_common.h"

static uint8_t fe_gt_page[4096] __attribute__((aligned(4096)));
static struct grant_entry_v1 *gt;

static inline long gnttab_op(unsigned int cmd, void *uop, unsigned int n)
{
	return HYPERCALL3(__HYPERVISOR_grant_table_op, cmd, uop, n);
}

/* Our grant table's first frame, mapped over fe_gt_page. */
static inline bool grant_table_init(void)
{
	uint64_t frame = 0;
	struct gnttab_setup_table st = { DOMID_SELF, 1, 0, (uint64_t)&frame };

	if (gnttab_op(GNTTABOP_setup_table, &st, 1) || st.status)
		return false;
	if (HYPERVISOR_update_va_mapping((uint64_t)fe_gt_page,
					 (frame << 12) | 0x63, UVMF_INVLPG))
		return false;
	gt = (struct grant_entry_v1 *)fe_gt_page;
	return true;
}

static inline void fe_grant(uint32_t ref, void *page, uint16_t dom, bool ro)
{
	gt[ref].domid = dom;
	gt[ref].frame = (uint32_t)pv_virt_to_mfn(page);
	__atomic_store_n(&gt[ref].flags,
			 GTF_permit_access | (ro ? GTF_readonly : 0),
			 __ATOMIC_RELEASE);
}

/* A xenstore number (decimal digits), or -1. */
static inline long fe_read_uint(const char *path)
{
	char buf[32];
	long v = 0;

	if (xsc_read(0, path, buf, sizeof(buf)) < 0)
		return -1;
	for (char *p = buf; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	return v;
}

/* The back end's XenbusState (be: its directory), or -1. */
static inline long fe_be_state(const char *be)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/state", be);
	return fe_read_uint(path);
}

static inline bool fe_wait_be_state(const char *be, long want, uint64_t ns)
{
	uint64_t until = pv_now() + ns;

	while (pv_now() < until) {
		if (fe_be_state(be) == want)
			return true;
		xsc_sleep(10 * XSC_MS);
	}
	return false;
}

/* Write key under our own directory fe. */
static inline bool fe_write(const char *fe, const char *key, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", fe, key);
	return xsc_write(0, path, val) >= 0;
}

#endif
