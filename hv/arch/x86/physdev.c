/*
 * physdev_op (33): the little a PV domU asks about physical devices.
 * Interrupt routing to domain 0 arrives with the control domain.
 */
#include "domain.h"
#include "guest_access.h"
#include "hypercall.h"
#include "lib.h"

#define PHYSDEVOP_set_iopl 6
#define PHYSDEVOP_pirq_eoi_gmfn_v2 28

long do_physdev_op(int cmd, u64 arg)
{
	switch (cmd) {
	case PHYSDEVOP_set_iopl: {
		u32 iopl;
		if (get_guest(iopl, arg))
			return -EFAULT;
		/* Virtual IOPL: I/O is emulated and checked per port. */
		return iopl > 3 ? -EINVAL : 0;
	}
	case PHYSDEVOP_pirq_eoi_gmfn_v2:
		return -ENOSYS;
	}
	return -ENOSYS;
}
