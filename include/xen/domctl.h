/*
 * domctl (hypercall 36): the control domain's operations on one domain.
 * The caller passes one struct xen_domctl; the hypervisor copies it in,
 * checks interface_version (else -EACCES) and that the caller is
 * privileged (else -EPERM), acts, and copies results back into the same
 * struct. Layouts are Xen 4.17's (interface version 0x15); only the
 * operations Xenolith implements are defined here. Guest buffers are
 * 64-bit guest virtual addresses (Xen's XEN_GUEST_HANDLE_64).
 */
#ifndef XENOLITH_PUBLIC_DOMCTL_H
#define XENOLITH_PUBLIC_DOMCTL_H

#include "xen.h"
#include "arch-x86_64.h"

#define XEN_DOMCTL_INTERFACE_VERSION 0x00000015

/* A toolstack's own name for a domain (a UUID); the hypervisor keeps it. */
typedef uint8_t xen_domain_handle_t[16];

/* x86 per-domain configuration (emulated devices; none for PV). */
struct xen_arch_domainconfig {
	uint32_t emulation_flags;
	uint32_t misc_flags;
};

/* Operation numbers (cmd). */
#define XEN_DOMCTL_createdomain 1
#define XEN_DOMCTL_destroydomain 2
#define XEN_DOMCTL_pausedomain 3
#define XEN_DOMCTL_unpausedomain 4
#define XEN_DOMCTL_getdomaininfo 5
#define XEN_DOMCTL_setvcpuaffinity 9
#define XEN_DOMCTL_max_mem 11
#define XEN_DOMCTL_setvcpucontext 12
#define XEN_DOMCTL_getvcpucontext 13
#define XEN_DOMCTL_getvcpuinfo 14
#define XEN_DOMCTL_max_vcpus 15
#define XEN_DOMCTL_scheduler_op 16
#define XEN_DOMCTL_setdomainhandle 17
#define XEN_DOMCTL_hypercall_init 22
#define XEN_DOMCTL_settimeoffset 24
#define XEN_DOMCTL_getvcpuaffinity 25
#define XEN_DOMCTL_resumedomain 27
#define XEN_DOMCTL_set_target 46
#define XEN_DOMCTL_getpageframeinfo3 61

/* Scheduler identities, as sysctl sched_id reports them. */
#define XEN_SCHEDULER_CREDIT 5
#define XEN_SCHEDULER_CREDIT2 6
#define XEN_SCHEDULER_ARINC653 7
#define XEN_SCHEDULER_RTDS 8
#define XEN_SCHEDULER_NULL 9

/* createdomain: flags (only PV without extras is accepted). */
#define XEN_DOMCTL_CDF_hvm (1U << 0)
#define XEN_DOMCTL_CDF_hap (1U << 1)
#define XEN_DOMCTL_CDF_s3_integrity (1U << 2)
#define XEN_DOMCTL_CDF_oos_off (1U << 3)
#define XEN_DOMCTL_CDF_xs_domain (1U << 4)
#define XEN_DOMCTL_CDF_iommu (1U << 5)
#define XEN_DOMCTL_CDF_nested_virt (1U << 6)
#define XEN_DOMCTL_CDF_vpmu (1U << 7)

struct xen_domctl_createdomain {
	uint32_t ssidref;
	xen_domain_handle_t handle;
	uint32_t flags; /* XEN_DOMCTL_CDF_* */
	uint32_t iommu_opts;
	uint32_t max_vcpus;
	uint32_t max_evtchn_port;
	int32_t max_grant_frames; /* < 0: the hypervisor's default */
	int32_t max_maptrack_frames; /* < 0: the hypervisor's default */
	uint32_t grant_opts;
	uint32_t vmtrace_size;
	uint32_t cpupool_id;
	struct xen_arch_domainconfig arch;
};

/* getdomaininfo (and sysctl getdomaininfolist): one domain's state. */
#define XEN_DOMINF_dying (1U << 0)
#define XEN_DOMINF_hvm_guest (1U << 1)
#define XEN_DOMINF_shutdown (1U << 2) /* reason in the shutdown bits */
#define XEN_DOMINF_paused (1U << 3) /* by the control domain */
#define XEN_DOMINF_blocked (1U << 4) /* every online vCPU waits */
#define XEN_DOMINF_running (1U << 5) /* some vCPU is on a CPU */
#define XEN_DOMINF_debugged (1U << 6)
#define XEN_DOMINF_xs_domain (1U << 7)
#define XEN_DOMINF_hap (1U << 8)
#define XEN_DOMINF_shutdownmask 255
#define XEN_DOMINF_shutdownshift 16
#define XEN_INVALID_MAX_VCPU_ID (~0U)

struct xen_domctl_getdomaininfo {
	domid_t domain;
	uint16_t pad1;
	uint32_t flags; /* XEN_DOMINF_* */
	uint64_t tot_pages;
	uint64_t max_pages;
	uint64_t outstanding_pages;
	uint64_t shr_pages;
	uint64_t paged_pages;
	uint64_t shared_info_frame; /* an MFN for a PV domain */
	uint64_t cpu_time; /* ns run, all vCPUs */
	uint32_t nr_online_vcpus;
	uint32_t max_vcpu_id;
	uint32_t ssidref;
	xen_domain_handle_t handle;
	uint32_t cpupool;
	uint8_t gpaddr_bits;
	uint8_t pad2[7];
	struct xen_arch_domainconfig arch_config;
};

/* getpageframeinfo3: each frame number in array is replaced by its type. */
#define XEN_DOMCTL_PFINFO_LTAB_SHIFT 28
#define XEN_DOMCTL_PFINFO_NOTAB (0x0U << 28)
#define XEN_DOMCTL_PFINFO_L1TAB (0x1U << 28)
#define XEN_DOMCTL_PFINFO_L2TAB (0x2U << 28)
#define XEN_DOMCTL_PFINFO_L3TAB (0x3U << 28)
#define XEN_DOMCTL_PFINFO_L4TAB (0x4U << 28)
#define XEN_DOMCTL_PFINFO_LTABTYPE_MASK (0x7U << 28)
#define XEN_DOMCTL_PFINFO_LPINTAB (0x1U << 31)
#define XEN_DOMCTL_PFINFO_XTAB (0xfU << 28) /* not the domain's */
#define XEN_DOMCTL_PFINFO_XALLOC (0xeU << 28)
#define XEN_DOMCTL_PFINFO_BROKEN (0xdU << 28)
#define XEN_DOMCTL_PFINFO_LTAB_MASK (0xfU << 28)

struct xen_domctl_getpageframeinfo3 {
	uint64_t num; /* at most 1024 */
	uint64_t array; /* guest pointer to xen_pfn_t[num] (in and out) */
};

/* A bitmap in guest memory (CPU masks). */
struct xenctl_bitmap {
	uint64_t bitmap; /* guest pointer to uint8_t[(nr_bits + 7) / 8] */
	uint32_t nr_bits;
};

/* setvcpuaffinity / getvcpuaffinity. */
#define XEN_VCPUAFFINITY_HARD (1U << 0)
#define XEN_VCPUAFFINITY_SOFT (1U << 1)
#define XEN_VCPUAFFINITY_FORCE (1U << 2)

struct xen_domctl_vcpuaffinity {
	uint32_t vcpu;
	uint32_t flags; /* XEN_VCPUAFFINITY_* */
	struct xenctl_bitmap cpumap_hard;
	struct xenctl_bitmap cpumap_soft;
};

struct xen_domctl_max_mem {
	uint64_t max_memkb;
};

/*
 * getvcpucontext: the vCPU's state into a struct vcpu_guest_context;
 * setvcpucontext: a never-started vCPU's whole state from one (ctrlreg[3]
 * the MFN of a validated L4 << 12), brought up if VGCF_online.
 */
struct xen_domctl_vcpucontext {
	uint32_t vcpu;
	uint64_t ctxt; /* guest pointer to struct vcpu_guest_context */
};

/* hypercall_init: write the hypercall page into frame gmfn (an MFN). */
struct xen_domctl_hypercall_init {
	uint64_t gmfn;
};

struct xen_domctl_getvcpuinfo {
	uint32_t vcpu; /* in */
	uint8_t online; /* out: brought up */
	uint8_t blocked; /* out: waiting for an event */
	uint8_t running; /* out: on a CPU now */
	uint64_t cpu_time; /* out: ns run */
	uint32_t cpu; /* out: the CPU it belongs to */
};

struct xen_domctl_max_vcpus {
	uint32_t max;
};

/* XEN_DOMCTL_scheduler_op: the credit scheduler's per-domain settings. */
struct xen_domctl_sched_credit {
	uint16_t weight;
	uint16_t cap;
};

#define XEN_DOMCTL_SCHEDOP_putinfo 0
#define XEN_DOMCTL_SCHEDOP_getinfo 1
#define XEN_DOMCTL_SCHEDOP_putvcpuinfo 2
#define XEN_DOMCTL_SCHEDOP_getvcpuinfo 3

struct xen_domctl_scheduler_op {
	uint32_t sched_id; /* XEN_SCHEDULER_* */
	uint32_t cmd;      /* XEN_DOMCTL_SCHEDOP_* */
	union {
		struct xen_domctl_sched_credit credit;
		/* credit2, rtds and the per-vCPU array: not ours */
		uint64_t pad[2];
	} u;
};

struct xen_domctl_setdomainhandle {
	xen_domain_handle_t handle;
};

/* Added to the wall clock the domain sees. */
struct xen_domctl_settimeoffset {
	int64_t time_offset_seconds;
};

/* The domain may then act on target's memory as a control domain can. */
struct xen_domctl_set_target {
	domid_t target;
};

struct xen_domctl {
	uint32_t cmd;
	uint32_t interface_version; /* XEN_DOMCTL_INTERFACE_VERSION */
	domid_t domain;
	uint16_t _pad[3];
	union {
		struct xen_domctl_createdomain createdomain;
		struct xen_domctl_getdomaininfo getdomaininfo;
		struct xen_domctl_getpageframeinfo3 getpageframeinfo3;
		struct xen_domctl_vcpuaffinity vcpuaffinity;
		struct xen_domctl_max_mem max_mem;
		struct xen_domctl_vcpucontext vcpucontext;
		struct xen_domctl_getvcpuinfo getvcpuinfo;
		struct xen_domctl_hypercall_init hypercall_init;
		struct xen_domctl_max_vcpus max_vcpus;
		struct xen_domctl_scheduler_op scheduler_op;
		struct xen_domctl_setdomainhandle setdomainhandle;
		struct xen_domctl_settimeoffset settimeoffset;
		struct xen_domctl_set_target set_target;
		uint8_t pad[128]; /* the union's size in Xen */
	} u;
};

#endif
