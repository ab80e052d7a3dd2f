/*
 * sysctl sched_id's answer for Xenolith's own scheduler (hv/core/sched.c:
 * round robin), which is none of Xen's XEN_SCHEDULER_* (a toolstack that
 * does not know it says "unknown"). Kept out of include/xen, which holds
 * only Xen's ABI.
 */
#ifndef XENOLITH_SCHED_ID_H
#define XENOLITH_SCHED_ID_H

#define XENOLITH_SCHEDULER_RR 0x7272

#endif
