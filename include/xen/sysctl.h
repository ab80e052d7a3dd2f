/*
 * sysctl (hypercall 35): the control domain's questions about the whole
 * machine. Like domctl: one struct xen_sysctl copied in, interface_version
 * checked (else -EACCES), privileged callers only (else -EPERM), results
 * copied back into the same struct. Xen 4.17 layouts (version 0x15); only
 * the operations Xenolith implements are defined.
 */
#ifndef XENOLITH_PUBLIC_SYSCTL_H
#define XENOLITH_PUBLIC_SYSCTL_H

#include "xen.h"
#include "domctl.h"

#define XEN_SYSCTL_INTERFACE_VERSION 0x00000015

#define XEN_SYSCTL_readconsole 1
#define XEN_SYSCTL_physinfo 3
#define XEN_SYSCTL_sched_id 4
#define XEN_SYSCTL_getdomaininfolist 6
#define XEN_SYSCTL_debug_keys 7

/*
 * readconsole: the hypervisor's log ring. Without incremental, reading
 * starts at the oldest text kept (or where the last clear left off);
 * with it, at index, which comes back as where the read stopped.
 */
struct xen_sysctl_readconsole {
	uint8_t clear; /* forget what was read */
	uint8_t incremental; /* start at index */
	uint8_t pad0, pad1;
	uint32_t index; /* in (incremental) and out: ring position */
	uint64_t buffer; /* guest pointer to char[count] */
	uint32_t count; /* in: buffer size; out: bytes written */
};

/* physinfo: capabilities. */
#define XEN_SYSCTL_PHYSCAP_hvm (1U << 0)
#define XEN_SYSCTL_PHYSCAP_pv (1U << 1)
#define XEN_SYSCTL_PHYSCAP_directio (1U << 2)
#define XEN_SYSCTL_PHYSCAP_hap (1U << 3)
#define XEN_SYSCTL_PHYSCAP_shadow (1U << 4)
#define XEN_SYSCTL_PHYSCAP_iommu_hap_pt_share (1U << 5)
#define XEN_SYSCTL_PHYSCAP_vmtrace (1U << 6)
#define XEN_SYSCTL_PHYSCAP_vpmu (1U << 7)
#define XEN_SYSCTL_PHYSCAP_gnttab_v1 (1U << 8)
#define XEN_SYSCTL_PHYSCAP_gnttab_v2 (1U << 9)

struct xen_sysctl_physinfo {
	uint32_t threads_per_core;
	uint32_t cores_per_socket;
	uint32_t nr_cpus; /* online */
	uint32_t max_cpu_id; /* highest possible */
	uint32_t nr_nodes;
	uint32_t max_node_id;
	uint32_t cpu_khz;
	uint32_t capabilities; /* XEN_SYSCTL_PHYSCAP_* */
	uint32_t arch_capabilities; /* none defined for x86 */
	uint32_t pad;
	uint64_t total_pages;
	uint64_t free_pages;
	uint64_t scrub_pages;
	uint64_t outstanding_pages;
	uint64_t max_mfn;
	uint32_t hw_cap[8];
};

struct xen_sysctl_sched_id {
	uint32_t sched_id; /* XEN_SCHEDULER_* */
};

/* Domains with ids from first_domain up, at most max_domains of them. */
struct xen_sysctl_getdomaininfolist {
	domid_t first_domain;
	uint32_t max_domains;
	uint64_t buffer; /* guest pointer to xen_domctl_getdomaininfo[] */
	uint32_t num_domains; /* out */
};

/* debug_keys: run the keyhandler on each of nr_keys characters. */
struct xen_sysctl_debug_keys {
	uint64_t keys; /* guest pointer to char[nr_keys] */
	uint32_t nr_keys;
};

struct xen_sysctl {
	uint32_t cmd;
	uint32_t interface_version; /* XEN_SYSCTL_INTERFACE_VERSION */
	union {
		struct xen_sysctl_readconsole readconsole;
		struct xen_sysctl_physinfo physinfo;
		struct xen_sysctl_sched_id sched_id;
		struct xen_sysctl_getdomaininfolist getdomaininfolist;
		struct xen_sysctl_debug_keys debug_keys;
		uint8_t pad[128]; /* the union's size in Xen */
	} u;
};

#endif
