/* memory_op (hypercall 12), mmu_update (1), mmuext_op (26), update_va_mapping (14). */
#ifndef XENOLITH_PUBLIC_MEMORY_H
#define XENOLITH_PUBLIC_MEMORY_H

#include "xen.h"

#define MMU_NORMAL_PT_UPDATE 0
#define MMU_MACHPHYS_UPDATE 1
#define MMU_PT_UPDATE_PRESERVE_AD 2
#define MMU_PT_UPDATE_NO_TRANSLATE 3

struct mmu_update {
	uint64_t ptr;
	uint64_t val;
};

#define MMUEXT_PIN_L1_TABLE 0
#define MMUEXT_PIN_L2_TABLE 1
#define MMUEXT_PIN_L3_TABLE 2
#define MMUEXT_PIN_L4_TABLE 3
#define MMUEXT_UNPIN_TABLE 4
#define MMUEXT_NEW_BASEPTR 5
#define MMUEXT_TLB_FLUSH_LOCAL 6
#define MMUEXT_INVLPG_LOCAL 7
#define MMUEXT_TLB_FLUSH_MULTI 8
#define MMUEXT_INVLPG_MULTI 9
#define MMUEXT_TLB_FLUSH_ALL 10
#define MMUEXT_INVLPG_ALL 11
#define MMUEXT_FLUSH_CACHE 12
#define MMUEXT_SET_LDT 13
#define MMUEXT_NEW_USER_BASEPTR 15
#define MMUEXT_CLEAR_PAGE 16
#define MMUEXT_COPY_PAGE 17
#define MMUEXT_FLUSH_CACHE_GLOBAL 18
#define MMUEXT_MARK_SUPER 19
#define MMUEXT_UNMARK_SUPER 20

struct mmuext_op {
	unsigned int cmd;
	union {
		xen_pfn_t mfn;
		unsigned long linear_addr;
	} arg1;
	union {
		unsigned int nr_ents;
		uint64_t vcpumask; /* guest pointer */
		xen_pfn_t src_mfn;
	} arg2;
};

#define UVMF_NONE 0
#define UVMF_TLB_FLUSH 1
#define UVMF_INVLPG 2
#define UVMF_FLUSHTYPE_MASK 3
#define UVMF_MULTI 0
#define UVMF_LOCAL 0
#define UVMF_ALL 4

#define XENMEM_increase_reservation 0
#define XENMEM_decrease_reservation 1
#define XENMEM_maximum_ram_page 2
#define XENMEM_current_reservation 3
#define XENMEM_maximum_reservation 4
#define XENMEM_machphys_mfn_list 5
#define XENMEM_populate_physmap 6
#define XENMEM_add_to_physmap 7
#define XENMEM_memory_map 9
#define XENMEM_machine_memory_map 10
#define XENMEM_exchange 11
#define XENMEM_machphys_mapping 12
#define XENMEM_set_memory_map 13

struct xen_memory_reservation {
	uint64_t extent_start; /* guest pointer to xen_pfn_t[] */
	xen_ulong_t nr_extents;
	unsigned int extent_order;
	unsigned int mem_flags;
	domid_t domid;
};

struct xen_machphys_mapping {
	xen_ulong_t v_start, v_end;
	xen_ulong_t max_mfn;
};

struct xen_memory_map {
	unsigned int nr_entries;
	uint64_t buffer; /* guest pointer to e820 entries */
};

/*
 * XENMEM_set_memory_map: the map a domain's memory_map will return. The
 * buffer holds e820 entries: {u64 addr, u64 size, u32 type}, packed (20
 * bytes each).
 */
struct xen_foreign_memory_map {
	domid_t domid;
	struct xen_memory_map map;
};

#endif
