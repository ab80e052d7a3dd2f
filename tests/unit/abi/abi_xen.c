/*
 * The ABI table measured against Xen's public headers, as packaged by
 * Debian's libxen-dev. They are included by absolute path so that our
 * include/xen, which may be on the include path too, cannot stand in.
 * __XEN_TOOLS__ selects the latest interface version and makes the
 * toolstack-only definitions (domctl, sysctl) visible.
 */
#define __XEN_TOOLS__ 1

#include <errno.h> /* xs_wire.h's error table needs the E* values */
#include <stdint.h>
#include <string.h> /* ring.h's SHARED_RING_INIT uses memset */

/* Xen's ring.h leaves its barriers to the includer. */
#define xen_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)

#if __has_include("/usr/include/xen/xen.h")

#include "/usr/include/xen/xen.h"
#include "/usr/include/xen/arch-x86_64.h"
#include "/usr/include/xen/callback.h"
#include "/usr/include/xen/elfnote.h"
#include "/usr/include/xen/event_channel.h"
#include "/usr/include/xen/grant_table.h"
#include "/usr/include/xen/memory.h"
#include "/usr/include/xen/physdev.h"
#include "/usr/include/xen/sched.h"
#include "/usr/include/xen/vcpu.h"
#include "/usr/include/xen/version.h"
#include "/usr/include/xen/domctl.h"
#include "/usr/include/xen/sysctl.h"
#include "/usr/include/xen/hvm/hvm_op.h"
#include "/usr/include/xen/hvm/params.h"
#include "/usr/include/xen/io/ring.h"
#include "/usr/include/xen/io/blkif.h"
#include "/usr/include/xen/io/console.h"
#include "/usr/include/xen/io/netif.h"
#include "/usr/include/xen/io/xenbus.h"
#include "/usr/include/xen/io/xs_wire.h"

/*
 * Xen spells blkif_vdev_t and blkif_sector_t as macros, ours are typedefs.
 * Turn Xen's into typedefs of the very same types, so that the list's
 * stringified names agree on both sides.
 */
typedef blkif_vdev_t abi_xen_blkif_vdev_t;
typedef blkif_sector_t abi_xen_blkif_sector_t;
#undef blkif_vdev_t
#undef blkif_sector_t
typedef abi_xen_blkif_vdev_t blkif_vdev_t;
typedef abi_xen_blkif_sector_t blkif_sector_t;

#if defined(XENOLITH_PUBLIC_XEN_H) || !defined(__XEN_PUBLIC_XEN_H__) || \
	defined(XENOLITH_PUBLIC_IO_RING_H) || defined(XENOLITH_PUBLIC_IO_XS_WIRE_H)
#error "abi_xen.c picked up our headers instead of Xen's"
#endif

const int abi_xen_present = 1;

#define ABI_TABLE abi_xen
#define ABI_TABLE_COUNT abi_xen_count
#include "abi_gen.h"

#else /* no libxen-dev: build, so that the test can fail with a clear word */

#pragma message "/usr/include/xen/xen.h missing: install libxen-dev " \
	"(tools/install-deps.sh); test_abi will fail"

#include "abi.h"

const int abi_xen_present = 0;
const struct abi_entry abi_xen[1] = { { .kind = ABI_K_GROUP } };
const unsigned int abi_xen_count = 0;

#endif
