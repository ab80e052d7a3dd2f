/*
 * xen_version (17): what a guest learns about its hypervisor. We present
 * ourselves as Xen 4.17 with the features a PV guest needs (Linux insists
 * on mmu_pt_update_preserve_ad and gnttab_map_avail_bits).
 */
#include <xen/version.h>
#include "domain.h"
#include "guest_access.h"
#include "hypercall.h"
#include "layout.h"
#include "lib.h"

#define XEN_MAJOR 4
#define XEN_MINOR 17

extern const char *hv_command_line(void);

static u32 features_submap0(struct domain *d)
{
	u32 f = (1U << XENFEAT_mmu_pt_update_preserve_ad) |
		(1U << XENFEAT_gnttab_map_avail_bits);

	if (d->privileged)
		f |= 1U << XENFEAT_dom0;
	return f;
}

/* s, cut and NUL-padded to size bytes, without a size-byte stack buffer. */
static long copy_string(u64 arg, const char *s, size_t size)
{
	static const char zeros[64];
	size_t n = MIN(strlen(s), size - 1);

	if (copy_to_guest(arg, s, n))
		return -EFAULT;
	for (size_t off = n; off < size; off += sizeof(zeros))
		if (copy_to_guest(arg + off, zeros,
				  MIN(sizeof(zeros), size - off)))
			return -EFAULT;
	return 0;
}

long do_xen_version(int cmd, u64 arg)
{
	struct domain *d = current->domain;

	switch (cmd) {
	case XENVER_version:
		return (XEN_MAJOR << 16) | XEN_MINOR;
	case XENVER_extraversion:
		return copy_string(arg, "-xenolith", sizeof(xen_extraversion_t));
	case XENVER_compile_info: {
		struct xen_compile_info ci;
		memset(&ci, 0, sizeof(ci));
		strlcpy(ci.compiler, "gcc " __VERSION__, sizeof(ci.compiler));
		strlcpy(ci.compile_by, "xenolith", sizeof(ci.compile_by));
		strlcpy(ci.compile_domain, "local", sizeof(ci.compile_domain));
		strlcpy(ci.compile_date, __DATE__, sizeof(ci.compile_date));
		return put_guest(ci, arg);
	}
	case XENVER_capabilities:
		return copy_string(arg, "xen-3.0-x86_64 ",
				   sizeof(xen_capabilities_info_t));
	case XENVER_changeset:
		return copy_string(arg, "xenolith", sizeof(xen_changeset_info_t));
	case XENVER_platform_parameters: {
		struct xen_platform_parameters p = { HV_RESERVED_START };
		return put_guest(p, arg);
	}
	case XENVER_get_features: {
		struct xen_feature_info fi;
		if (get_guest(fi, arg))
			return -EFAULT;
		fi.submap = fi.submap_idx == 0 ? features_submap0(d) : 0;
		return put_guest(fi, arg);
	}
	case XENVER_pagesize:
		return PAGE_SIZE;
	case XENVER_guest_handle: /* as createdomain/setdomainhandle set it */
		return copy_to_guest(arg, d->handle, sizeof(d->handle));
	case XENVER_commandline:
		if (!d->privileged)
			return -EPERM;
		return copy_string(arg, hv_command_line(),
				   sizeof(xen_commandline_t));
	}
	return -ENOSYS;
}

/*
 * vm_assist (21): optional behaviours a guest switches on. Xen 4.17
 * accepts seven types from a 64-bit PV guest; three of them only matter
 * to 32-bit guests and are accepted and ignored, as on Xen. m2p_strict
 * (no M2P in user page tables) is not implemented, so it is refused
 * rather than pretended; any other type is -EINVAL as on Xen.
 */
long do_vm_assist(unsigned int cmd, unsigned int type)
{
	struct domain *d = current->domain;
	const u64 known = (1UL << VMASST_TYPE_4gb_segments) |
			  (1UL << VMASST_TYPE_4gb_segments_notify) |
			  (1UL << VMASST_TYPE_writable_pagetables) |
			  (1UL << VMASST_TYPE_pae_extended_cr3) |
			  (1UL << VMASST_TYPE_architectural_iopl) |
			  (1UL << VMASST_TYPE_runstate_update_flag);

	if (type == VMASST_TYPE_m2p_strict && cmd == VMASST_CMD_disable)
		return 0; /* it is off */
	if (type == VMASST_TYPE_m2p_strict && cmd == VMASST_CMD_enable) {
		if (!d->m2p_strict_noted) {
			d->m2p_strict_noted = true;
			pr_info("d%u: vm_assist m2p_strict refused: not "
				"implemented\n",
				d->id);
		}
		return -EINVAL;
	}
	if (type >= 64 || !(known & (1UL << type)))
		return -EINVAL;
	if (cmd == VMASST_CMD_enable)
		d->vm_assist |= 1UL << type;
	else if (cmd == VMASST_CMD_disable)
		d->vm_assist &= ~(1UL << type);
	else
		return -ENOSYS;
	return 0;
}
