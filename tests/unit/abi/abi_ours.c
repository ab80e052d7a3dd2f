/*
 * The ABI table measured against our headers (include/xen, on the include
 * path through -I../../include).
 */
#include <xen/xen.h>
#include <xen/arch-x86_64.h>
#include <xen/callback.h>
#include <xen/elfnote.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/memory.h>
#include <xen/physdev.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/version.h>
#include <xen/domctl.h>
#include <xen/sysctl.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/io/ring.h>
#include <xen/io/blkif.h>
#include <xen/io/console.h>
#include <xen/io/netif.h>
#include <xen/io/xenbus.h>
#include <xen/io/xs_wire.h>

/*
 * A header missing from include/xen would silently be found in
 * /usr/include/xen instead and the test would compare Xen with itself.
 */
#if !defined(XENOLITH_PUBLIC_XEN_H) || defined(__XEN_PUBLIC_XEN_H__) || \
	defined(__XEN_PUBLIC_EVENT_CHANNEL_H__) ||                        \
	defined(__XEN_PUBLIC_SCHED_H__) || defined(__XEN_PUBLIC_VCPU_H__) || \
	defined(__XEN_PUBLIC_VERSION_H__) ||                              \
	defined(__XEN_PUBLIC_CALLBACK_H__) ||                             \
	defined(__XEN_PUBLIC_DOMCTL_H__) || defined(__XEN_PUBLIC_SYSCTL_H__) || \
	defined(__XEN_PUBLIC_HVM_HVM_OP_H__) ||                             \
	defined(__XEN_PUBLIC_ELFNOTE_H__) || defined(__XEN_PUBLIC_MEMORY_H__) || \
	defined(__XEN_PUBLIC_PHYSDEV_H__) || \
	!defined(XENOLITH_PUBLIC_IO_RING_H) ||                            \
	defined(__XEN_PUBLIC_IO_RING_H__) ||                              \
	defined(__XEN_PUBLIC_IO_BLKIF_H__) ||                             \
	defined(__XEN_PUBLIC_IO_NETIF_H__) ||                             \
	defined(__XEN_PUBLIC_IO_CONSOLE_H__) ||                           \
	defined(_XEN_PUBLIC_IO_XENBUS_H) || defined(_XS_WIRE_H)
#error "abi_ours.c picked up Xen's headers instead of include/xen"
#endif

#define ABI_TABLE abi_ours
#define ABI_TABLE_COUNT abi_ours_count
#define ABI_SIDE_OURS 1
#include "abi_gen.h"
