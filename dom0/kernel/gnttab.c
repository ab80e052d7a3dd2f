/*
 * Grant mappings and copies for domain 0's back ends (see gnttab.h).
 * A mapping goes into reserved window slots: the hypervisor writes the
 * entries (GNTMAP_host_map at that address) and clears them on unmap.
 */
#include "errno.h"
#include "gnttab.h"

#define COPY_BATCH 64 /* copy ops per hypercall */

static int gntst_errno(int16_t st)
{
	switch (st) {
	case GNTST_okay:
		return 0;
	case GNTST_permission_denied:
		return -EPERM;
	case GNTST_no_device_space:
		return -ENOMEM;
	case GNTST_eagain:
		return -EAGAIN;
	default:
		return -EINVAL;
	}
}

static void unmap_some(void *va, size_t n, const uint32_t *handles)
{
	struct gnttab_unmap_grant_ref u[GNTTAB_MAP_MAX];

	for (size_t i = 0; i < n; i++)
		u[i] = (struct gnttab_unmap_grant_ref){
			.host_addr = (uint64_t)va + i * PAGE_SIZE,
			.handle = (grant_handle_t)handles[i],
		};
	if (n && HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, u,
					   (unsigned int)n))
		pv_panic("gnttab: cannot unmap %lu grants at %p", n, va);
	for (size_t i = 0; i < n; i++)
		if (u[i].status)
			printf("gnttab: unmap of handle %u: status %d\n",
			       handles[i], u[i].status);
}

void *gnttab_map_pages(uint16_t domid, const uint32_t *refs, size_t n,
		       bool writable, uint32_t *handles, int *err)
{
	struct gnttab_map_grant_ref m[GNTTAB_MAP_MAX];
	size_t ok = 0;
	char *va;
	long rc;

	if (!n || n > GNTTAB_MAP_MAX) {
		*err = -EINVAL;
		return NULL;
	}
	va = window_reserve(n, err);
	if (!va)
		return NULL;
	for (size_t i = 0; i < n; i++)
		m[i] = (struct gnttab_map_grant_ref){
			.host_addr = (uint64_t)va + i * PAGE_SIZE,
			.flags =
			    GNTMAP_host_map | (writable ? 0 : GNTMAP_readonly),
			.ref = refs[i],
			.dom = domid,
		};
	rc = HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, m,
				       (unsigned int)n);
	*err = (int)rc;
	/* Keep the handles of those that worked, to undo them on failure. */
	for (size_t i = 0; i < n; i++) {
		if (!rc && m[i].status == GNTST_okay) {
			handles[ok++] = m[i].handle;
			continue;
		}
		if (!*err)
			*err = gntst_errno(m[i].status);
	}
	if (!*err)
		return va;
	/* Undo the ones that worked: slots may be mapped out of order. */
	for (size_t i = 0, k = 0; i < n && !rc; i++)
		if (m[i].status == GNTST_okay)
			unmap_some(va + i * PAGE_SIZE, 1, &handles[k++]);
	window_release(va, n);
	return NULL;
}

void gnttab_unmap_pages(void *va, size_t n, const uint32_t *handles)
{
	unmap_some(va, n, handles);
	window_release(va, n);
}

long gnttab_copy(struct gnttab_copy *ops, size_t n)
{
	for (size_t done = 0; done < n;) {
		size_t k = n - done < COPY_BATCH ? n - done : COPY_BATCH;
		long rc = HYPERVISOR_grant_table_op(GNTTABOP_copy, ops + done,
						    (unsigned int)k);

		if (rc)
			return rc;
		done += k;
	}
	return 0;
}
