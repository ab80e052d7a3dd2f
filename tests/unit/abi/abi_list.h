/*
 * Everything our include/xen headers define, for the ABI conformance test
 * (the macros are described in abi_gen.h). No include guard: it is
 * expanded several times.
 *
 * The list must name every #define, typedef, struct and struct member of
 * include/xen (members of named struct types are checked where that type
 * is; members of inline anonymous structs and unions by path, a.b.c).
 * Padding members (pad*, _pad*) may be left out if Xen names them
 * differently. abi/check_coverage.py enforces this at build time and
 * prints the entries that are missing.
 *
 * A new header must also be included by abi_ours.c and abi_xen.c.
 */

/* ------------------------------------------------------------ xen.h */

ABI_GROUP("xen.h: basic types")
ABI_TYPE(domid_t)
ABI_TYPE(xen_pfn_t)
ABI_TYPE(xen_ulong_t)

ABI_GROUP("xen.h: hypercall numbers")
ABI_CONST(__HYPERVISOR_set_trap_table)
ABI_CONST(__HYPERVISOR_mmu_update)
ABI_CONST(__HYPERVISOR_set_gdt)
ABI_CONST(__HYPERVISOR_stack_switch)
ABI_CONST(__HYPERVISOR_set_callbacks)
ABI_CONST(__HYPERVISOR_fpu_taskswitch)
ABI_CONST(__HYPERVISOR_sched_op_compat)
ABI_CONST(__HYPERVISOR_platform_op)
ABI_CONST(__HYPERVISOR_set_debugreg)
ABI_CONST(__HYPERVISOR_get_debugreg)
ABI_CONST(__HYPERVISOR_update_descriptor)
ABI_CONST(__HYPERVISOR_memory_op)
ABI_CONST(__HYPERVISOR_multicall)
ABI_CONST(__HYPERVISOR_update_va_mapping)
ABI_CONST(__HYPERVISOR_set_timer_op)
ABI_CONST(__HYPERVISOR_event_channel_op_compat)
ABI_CONST(__HYPERVISOR_xen_version)
ABI_CONST(__HYPERVISOR_console_io)
ABI_CONST(__HYPERVISOR_physdev_op_compat)
ABI_CONST(__HYPERVISOR_grant_table_op)
ABI_CONST(__HYPERVISOR_vm_assist)
ABI_CONST(__HYPERVISOR_update_va_mapping_otherdomain)
ABI_CONST(__HYPERVISOR_iret)
ABI_CONST(__HYPERVISOR_vcpu_op)
ABI_CONST(__HYPERVISOR_set_segment_base)
ABI_CONST(__HYPERVISOR_mmuext_op)
ABI_CONST(__HYPERVISOR_xsm_op)
ABI_CONST(__HYPERVISOR_nmi_op)
ABI_CONST(__HYPERVISOR_sched_op)
ABI_CONST(__HYPERVISOR_callback_op)
ABI_CONST(__HYPERVISOR_xenoprof_op)
ABI_CONST(__HYPERVISOR_event_channel_op)
ABI_CONST(__HYPERVISOR_physdev_op)
ABI_CONST(__HYPERVISOR_hvm_op)
ABI_CONST(__HYPERVISOR_sysctl)
ABI_CONST(__HYPERVISOR_domctl)
ABI_CONST(__HYPERVISOR_kexec_op)
ABI_CONST(__HYPERVISOR_tmem_op)
ABI_CONST(__HYPERVISOR_argo_op)
ABI_CONST(__HYPERVISOR_xenpmu_op)
ABI_OURS_ONLY(NR_HYPERCALLS, "size of our hypercall table; Xen's is internal")

ABI_GROUP("xen.h: virtual interrupts")
ABI_CONST(VIRQ_TIMER)
ABI_CONST(VIRQ_DEBUG)
ABI_CONST(VIRQ_CONSOLE)
ABI_CONST(VIRQ_DOM_EXC)
ABI_CONST(VIRQ_TBUF)
ABI_CONST(VIRQ_DEBUGGER)
ABI_CONST(VIRQ_XENOPROF)
ABI_CONST(VIRQ_CON_RING)
ABI_CONST(VIRQ_PCPU_STATE)
ABI_CONST(VIRQ_MEM_EVENT)
ABI_CONST(VIRQ_ENOMEM)
ABI_CONST(VIRQ_XENPMU)
ABI_CONST(NR_VIRQS)

ABI_GROUP("xen.h: vm_assist")
ABI_CONST(VMASST_CMD_enable)
ABI_CONST(VMASST_CMD_disable)
ABI_CONST(VMASST_TYPE_4gb_segments)
ABI_CONST(VMASST_TYPE_4gb_segments_notify)
ABI_CONST(VMASST_TYPE_writable_pagetables)
ABI_CONST(VMASST_TYPE_pae_extended_cr3)
ABI_CONST(VMASST_TYPE_architectural_iopl)
ABI_CONST(VMASST_TYPE_runstate_update_flag)
ABI_CONST(VMASST_TYPE_m2p_strict)

ABI_GROUP("xen.h: domain ids")
ABI_CONST(DOMID_FIRST_RESERVED)
ABI_CONST(DOMID_SELF)
ABI_CONST(DOMID_IO)
ABI_CONST(DOMID_XEN)
ABI_CONST(DOMID_COW)
ABI_CONST(DOMID_INVALID)
ABI_CONST(DOMID_IDLE)

ABI_GROUP("xen.h: struct multicall_entry")
ABI_SIZE(struct multicall_entry)
ABI_SCALAR(struct multicall_entry, op)
ABI_SCALAR(struct multicall_entry, result)
ABI_ARRAY(struct multicall_entry, args)

ABI_GROUP("xen.h: struct vcpu_time_info")
ABI_SIZE(struct vcpu_time_info)
ABI_SCALAR(struct vcpu_time_info, version)
ABI_SCALAR(struct vcpu_time_info, pad0)
ABI_SCALAR(struct vcpu_time_info, tsc_timestamp)
ABI_SCALAR(struct vcpu_time_info, system_time)
ABI_SCALAR(struct vcpu_time_info, tsc_to_system_mul)
ABI_SCALAR(struct vcpu_time_info, tsc_shift)
ABI_SCALAR(struct vcpu_time_info, flags)
ABI_ARRAY(struct vcpu_time_info, pad1)
ABI_CONST(XEN_PVCLOCK_TSC_STABLE_BIT)

ABI_GROUP("xen.h: struct arch_vcpu_info")
ABI_SIZE(struct arch_vcpu_info)
ABI_SCALAR(struct arch_vcpu_info, cr2)
ABI_SCALAR(struct arch_vcpu_info, pad)

ABI_GROUP("xen.h: struct vcpu_info")
ABI_SIZE(struct vcpu_info)
ABI_SCALAR(struct vcpu_info, evtchn_upcall_pending)
ABI_SCALAR(struct vcpu_info, evtchn_upcall_mask)
ABI_SCALAR(struct vcpu_info, evtchn_pending_sel)
ABI_FIELD(struct vcpu_info, arch)
ABI_FIELD(struct vcpu_info, time)

ABI_GROUP("xen.h: struct arch_shared_info")
ABI_SIZE(struct arch_shared_info)
ABI_SCALAR(struct arch_shared_info, max_pfn)
ABI_SCALAR(struct arch_shared_info, pfn_to_mfn_frame_list_list)
ABI_SCALAR(struct arch_shared_info, nmi_reason)
ABI_SCALAR(struct arch_shared_info, p2m_cr3)
ABI_SCALAR(struct arch_shared_info, p2m_vaddr)
ABI_SCALAR(struct arch_shared_info, p2m_generation)

ABI_GROUP("xen.h: struct shared_info")
ABI_CONST(XEN_LEGACY_MAX_VCPUS)
ABI_CONST(EVTCHN_2L_NR_CHANNELS)
ABI_SIZE(struct shared_info)
ABI_FIELD(struct shared_info, vcpu_info)
ABI_ARRAY(struct shared_info, evtchn_pending)
ABI_ARRAY(struct shared_info, evtchn_mask)
ABI_SCALAR(struct shared_info, wc_version)
ABI_SCALAR(struct shared_info, wc_sec)
ABI_SCALAR(struct shared_info, wc_nsec)
ABI_SCALAR(struct shared_info, wc_sec_hi)
ABI_FIELD(struct shared_info, arch)

ABI_GROUP("xen.h: struct start_info")
ABI_CONST(MAX_GUEST_CMDLINE)
ABI_SIZE(struct start_info)
ABI_ARRAY(struct start_info, magic)
ABI_SCALAR(struct start_info, nr_pages)
ABI_SCALAR(struct start_info, shared_info)
ABI_SCALAR(struct start_info, flags)
ABI_SCALAR(struct start_info, store_mfn)
ABI_SCALAR(struct start_info, store_evtchn)
ABI_FIELD(struct start_info, console)
ABI_FIELD(struct start_info, console.domU)
ABI_SCALAR(struct start_info, console.domU.mfn)
ABI_SCALAR(struct start_info, console.domU.evtchn)
ABI_FIELD(struct start_info, console.dom0)
ABI_SCALAR(struct start_info, console.dom0.info_off)
ABI_SCALAR(struct start_info, console.dom0.info_size)
ABI_SCALAR(struct start_info, pt_base)
ABI_SCALAR(struct start_info, nr_pt_frames)
ABI_SCALAR(struct start_info, mfn_list)
ABI_SCALAR(struct start_info, mod_start)
ABI_SCALAR(struct start_info, mod_len)
ABI_ARRAY(struct start_info, cmd_line)
ABI_SCALAR(struct start_info, first_p2m_pfn)
ABI_SCALAR(struct start_info, nr_p2m_frames)
ABI_CONST(SIF_PRIVILEGED)
ABI_CONST(SIF_INITDOMAIN)
ABI_CONST(SIF_MULTIBOOT_MOD)
ABI_CONST(SIF_MOD_START_PFN)
ABI_CONST(SIF_VIRT_P2M_4TOOLS)

ABI_GROUP("xen.h: console_io")
ABI_CONST(CONSOLEIO_write)
ABI_CONST(CONSOLEIO_read)

/* ---------------------------------------------------- arch-x86_64.h */

ABI_GROUP("arch-x86_64.h: flat selectors")
ABI_CONST(FLAT_RING3_CS32)
ABI_CONST(FLAT_RING3_CS64)
ABI_CONST(FLAT_RING3_DS32)
ABI_CONST(FLAT_RING3_DS64)
ABI_CONST(FLAT_RING3_SS32)
ABI_CONST(FLAT_RING3_SS64)
ABI_CONST(FLAT_KERNEL_CS64)
ABI_CONST(FLAT_KERNEL_DS64)
ABI_CONST(FLAT_KERNEL_SS64)
ABI_CONST(FLAT_KERNEL_CS)
ABI_CONST(FLAT_KERNEL_DS)
ABI_CONST(FLAT_KERNEL_SS)
ABI_CONST(FLAT_USER_CS64)
ABI_CONST(FLAT_USER_SS64)

ABI_GROUP("arch-x86_64.h: address space")
ABI_CONST(HYPERVISOR_VIRT_START)
ABI_CONST(HYPERVISOR_VIRT_END)
ABI_CONST(MACH2PHYS_VIRT_START)
ABI_CONST(MACH2PHYS_VIRT_END)
ABI_CONST(FIRST_RESERVED_GDT_PAGE)
ABI_CONST(FIRST_RESERVED_GDT_BYTE)
ABI_CONST(FIRST_RESERVED_GDT_ENTRY)

ABI_GROUP("arch-x86_64.h: set_segment_base")
ABI_CONST(SEGBASE_FS)
ABI_CONST(SEGBASE_GS_USER)
ABI_CONST(SEGBASE_GS_KERNEL)
ABI_CONST(SEGBASE_GS_USER_SEL)

ABI_GROUP("arch-x86_64.h: struct iret_context")
ABI_CONST(VGCF_in_syscall)
ABI_SIZE(struct iret_context)
ABI_SCALAR(struct iret_context, rax)
ABI_SCALAR(struct iret_context, r11)
ABI_SCALAR(struct iret_context, rcx)
ABI_SCALAR(struct iret_context, flags)
ABI_SCALAR(struct iret_context, rip)
ABI_SCALAR(struct iret_context, cs)
ABI_SCALAR(struct iret_context, rflags)
ABI_SCALAR(struct iret_context, rsp)
ABI_SCALAR(struct iret_context, ss)

ABI_GROUP("arch-x86_64.h: struct cpu_user_regs")
ABI_SIZE(struct cpu_user_regs)
ABI_SCALAR(struct cpu_user_regs, r15)
ABI_SCALAR(struct cpu_user_regs, r14)
ABI_SCALAR(struct cpu_user_regs, r13)
ABI_SCALAR(struct cpu_user_regs, r12)
ABI_SCALAR(struct cpu_user_regs, rbp)
ABI_SCALAR(struct cpu_user_regs, rbx)
ABI_SCALAR(struct cpu_user_regs, r11)
ABI_SCALAR(struct cpu_user_regs, r10)
ABI_SCALAR(struct cpu_user_regs, r9)
ABI_SCALAR(struct cpu_user_regs, r8)
ABI_SCALAR(struct cpu_user_regs, rax)
ABI_SCALAR(struct cpu_user_regs, rcx)
ABI_SCALAR(struct cpu_user_regs, rdx)
ABI_SCALAR(struct cpu_user_regs, rsi)
ABI_SCALAR(struct cpu_user_regs, rdi)
ABI_SCALAR(struct cpu_user_regs, error_code)
ABI_SCALAR(struct cpu_user_regs, entry_vector)
ABI_SCALAR(struct cpu_user_regs, rip)
ABI_SCALAR(struct cpu_user_regs, cs)
ABI_ARRAY(struct cpu_user_regs, _pad0)
ABI_SCALAR(struct cpu_user_regs, saved_upcall_mask)
ABI_ARRAY(struct cpu_user_regs, _pad1)
ABI_SCALAR(struct cpu_user_regs, rflags)
ABI_SCALAR(struct cpu_user_regs, rsp)
ABI_SCALAR(struct cpu_user_regs, ss)
ABI_ARRAY(struct cpu_user_regs, _pad2)
ABI_SCALAR(struct cpu_user_regs, es)
ABI_ARRAY(struct cpu_user_regs, _pad3)
ABI_SCALAR(struct cpu_user_regs, ds)
ABI_ARRAY(struct cpu_user_regs, _pad4)
ABI_SCALAR(struct cpu_user_regs, fs)
ABI_ARRAY(struct cpu_user_regs, _pad5)
ABI_SCALAR(struct cpu_user_regs, gs)
ABI_ARRAY(struct cpu_user_regs, _pad6)

ABI_GROUP("arch-x86_64.h: struct trap_info")
ABI_SIZE(struct trap_info)
ABI_SCALAR(struct trap_info, vector)
ABI_SCALAR(struct trap_info, flags)
ABI_SCALAR(struct trap_info, cs)
ABI_SCALAR(struct trap_info, address)
ABI_EXPR(ti_get_dpl_ff, TI_GET_DPL(&(struct trap_info){ .flags = 0xff }))
ABI_EXPR(ti_get_dpl_02, TI_GET_DPL(&(struct trap_info){ .flags = 0x02 }))
ABI_EXPR(ti_get_if_ff, TI_GET_IF(&(struct trap_info){ .flags = 0xff }))
ABI_EXPR(ti_get_if_03, TI_GET_IF(&(struct trap_info){ .flags = 0x03 }))

ABI_GROUP("arch-x86_64.h: struct vcpu_guest_context")
ABI_CONST(VGCF_I387_VALID)
ABI_CONST(VGCF_IN_KERNEL)
ABI_CONST(VGCF_failsafe_disables_events)
ABI_CONST(VGCF_syscall_disables_events)
ABI_CONST(VGCF_online)
ABI_SIZE(struct vcpu_guest_context)
ABI_FIELD(struct vcpu_guest_context, fpu_ctxt)
ABI_ARRAY(struct vcpu_guest_context, fpu_ctxt.x)
ABI_SCALAR(struct vcpu_guest_context, flags)
ABI_FIELD(struct vcpu_guest_context, user_regs)
ABI_FIELD(struct vcpu_guest_context, trap_ctxt)
ABI_SCALAR(struct vcpu_guest_context, ldt_base)
ABI_SCALAR(struct vcpu_guest_context, ldt_ents)
ABI_ARRAY(struct vcpu_guest_context, gdt_frames)
ABI_SCALAR(struct vcpu_guest_context, gdt_ents)
ABI_SCALAR(struct vcpu_guest_context, kernel_ss)
ABI_SCALAR(struct vcpu_guest_context, kernel_sp)
ABI_ARRAY(struct vcpu_guest_context, ctrlreg)
ABI_ARRAY(struct vcpu_guest_context, debugreg)
ABI_SCALAR(struct vcpu_guest_context, event_callback_eip)
ABI_SCALAR(struct vcpu_guest_context, failsafe_callback_eip)
ABI_SCALAR(struct vcpu_guest_context, syscall_callback_eip)
ABI_SCALAR(struct vcpu_guest_context, vm_assist)
ABI_SCALAR(struct vcpu_guest_context, fs_base)
ABI_SCALAR(struct vcpu_guest_context, gs_base_kernel)
ABI_SCALAR(struct vcpu_guest_context, gs_base_user)

/* -------------------------------------------------- event_channel.h */

ABI_GROUP("event_channel.h: operations")
ABI_TYPE(evtchn_port_t)
ABI_CONST(EVTCHNOP_bind_interdomain)
ABI_CONST(EVTCHNOP_bind_virq)
ABI_CONST(EVTCHNOP_bind_pirq)
ABI_CONST(EVTCHNOP_close)
ABI_CONST(EVTCHNOP_send)
ABI_CONST(EVTCHNOP_status)
ABI_CONST(EVTCHNOP_alloc_unbound)
ABI_CONST(EVTCHNOP_bind_ipi)
ABI_CONST(EVTCHNOP_bind_vcpu)
ABI_CONST(EVTCHNOP_unmask)
ABI_CONST(EVTCHNOP_reset)
ABI_CONST(EVTCHNOP_init_control)
ABI_CONST(EVTCHNOP_expand_array)
ABI_CONST(EVTCHNOP_set_priority)

ABI_GROUP("event_channel.h: argument structs")
ABI_SIZE(struct evtchn_alloc_unbound)
ABI_SCALAR(struct evtchn_alloc_unbound, dom)
ABI_SCALAR(struct evtchn_alloc_unbound, remote_dom)
ABI_SCALAR(struct evtchn_alloc_unbound, port)
ABI_SIZE(struct evtchn_bind_interdomain)
ABI_SCALAR(struct evtchn_bind_interdomain, remote_dom)
ABI_SCALAR(struct evtchn_bind_interdomain, remote_port)
ABI_SCALAR(struct evtchn_bind_interdomain, local_port)
ABI_SIZE(struct evtchn_bind_virq)
ABI_SCALAR(struct evtchn_bind_virq, virq)
ABI_SCALAR(struct evtchn_bind_virq, vcpu)
ABI_SCALAR(struct evtchn_bind_virq, port)
ABI_CONST(BIND_PIRQ__WILL_SHARE)
ABI_SIZE(struct evtchn_bind_pirq)
ABI_SCALAR(struct evtchn_bind_pirq, pirq)
ABI_SCALAR(struct evtchn_bind_pirq, flags)
ABI_SCALAR(struct evtchn_bind_pirq, port)
ABI_SIZE(struct evtchn_bind_ipi)
ABI_SCALAR(struct evtchn_bind_ipi, vcpu)
ABI_SCALAR(struct evtchn_bind_ipi, port)
ABI_SIZE(struct evtchn_close)
ABI_SCALAR(struct evtchn_close, port)
ABI_SIZE(struct evtchn_send)
ABI_SCALAR(struct evtchn_send, port)
ABI_SIZE(struct evtchn_bind_vcpu)
ABI_SCALAR(struct evtchn_bind_vcpu, port)
ABI_SCALAR(struct evtchn_bind_vcpu, vcpu)
ABI_SIZE(struct evtchn_unmask)
ABI_SCALAR(struct evtchn_unmask, port)
ABI_SIZE(struct evtchn_reset)
ABI_SCALAR(struct evtchn_reset, dom)

ABI_GROUP("event_channel.h: struct evtchn_status")
ABI_CONST(EVTCHNSTAT_closed)
ABI_CONST(EVTCHNSTAT_unbound)
ABI_CONST(EVTCHNSTAT_interdomain)
ABI_CONST(EVTCHNSTAT_pirq)
ABI_CONST(EVTCHNSTAT_virq)
ABI_CONST(EVTCHNSTAT_ipi)
ABI_SIZE(struct evtchn_status)
ABI_SCALAR(struct evtchn_status, dom)
ABI_SCALAR(struct evtchn_status, port)
ABI_SCALAR(struct evtchn_status, status)
ABI_SCALAR(struct evtchn_status, vcpu)
ABI_FIELD(struct evtchn_status, u)
ABI_FIELD(struct evtchn_status, u.unbound)
ABI_SCALAR(struct evtchn_status, u.unbound.dom)
ABI_FIELD(struct evtchn_status, u.interdomain)
ABI_SCALAR(struct evtchn_status, u.interdomain.dom)
ABI_SCALAR(struct evtchn_status, u.interdomain.port)
ABI_SCALAR(struct evtchn_status, u.pirq)
ABI_SCALAR(struct evtchn_status, u.virq)

ABI_GROUP("event_channel.h: the FIFO ABI")
ABI_SIZE(struct evtchn_init_control)
ABI_SCALAR(struct evtchn_init_control, control_gfn)
ABI_SCALAR(struct evtchn_init_control, offset)
ABI_SCALAR(struct evtchn_init_control, vcpu)
ABI_SCALAR(struct evtchn_init_control, link_bits)
ABI_SIZE(struct evtchn_expand_array)
ABI_SCALAR(struct evtchn_expand_array, array_gfn)
ABI_SIZE(struct evtchn_set_priority)
ABI_SCALAR(struct evtchn_set_priority, port)
ABI_SCALAR(struct evtchn_set_priority, priority)
ABI_CONST(EVTCHN_FIFO_PRIORITY_MAX)
ABI_CONST(EVTCHN_FIFO_PRIORITY_DEFAULT)
ABI_CONST(EVTCHN_FIFO_PRIORITY_MIN)
ABI_CONST(EVTCHN_FIFO_MAX_QUEUES)
ABI_TYPE(event_word_t)
ABI_CONST(EVTCHN_FIFO_PENDING)
ABI_CONST(EVTCHN_FIFO_MASKED)
ABI_CONST(EVTCHN_FIFO_LINKED)
ABI_CONST(EVTCHN_FIFO_BUSY)
ABI_CONST(EVTCHN_FIFO_LINK_BITS)
ABI_CONST(EVTCHN_FIFO_LINK_MASK)
ABI_CONST(EVTCHN_FIFO_NR_CHANNELS)
ABI_SIZE(struct evtchn_fifo_control_block)
ABI_SCALAR(struct evtchn_fifo_control_block, ready)
ABI_SCALAR(struct evtchn_fifo_control_block, _rsvd)
ABI_ARRAY(struct evtchn_fifo_control_block, head)

/* --------------------------------------------------------- physdev.h */

ABI_GROUP("physdev.h: operations and flags")
ABI_CONST(PHYSDEVOP_eoi)
ABI_CONST(PHYSDEVOP_pirq_eoi_gmfn_v1)
ABI_CONST(PHYSDEVOP_pirq_eoi_gmfn_v2)
ABI_CONST(PHYSDEVOP_irq_status_query)
ABI_CONST(_XENIRQSTAT_needs_eoi)
ABI_CONST(XENIRQSTAT_needs_eoi)
ABI_CONST(_XENIRQSTAT_shared)
ABI_CONST(XENIRQSTAT_shared)
ABI_CONST(PHYSDEVOP_set_iopl)
ABI_CONST(PHYSDEVOP_set_iobitmap)
ABI_CONST(PHYSDEVOP_alloc_irq_vector)
ABI_CONST(PHYSDEVOP_free_irq_vector)
ABI_CONST(MAP_PIRQ_TYPE_MSI)
ABI_CONST(MAP_PIRQ_TYPE_GSI)
ABI_CONST(MAP_PIRQ_TYPE_UNKNOWN)
ABI_CONST(MAP_PIRQ_TYPE_MSI_SEG)
ABI_CONST(MAP_PIRQ_TYPE_MULTI_MSI)
ABI_CONST(PHYSDEVOP_map_pirq)
ABI_CONST(PHYSDEVOP_unmap_pirq)
ABI_CONST(PHYSDEVOP_setup_gsi)
ABI_CONST(PHYSDEVOP_get_free_pirq)

ABI_GROUP("physdev.h: argument structs")
ABI_SIZE(struct physdev_eoi)
ABI_SCALAR(struct physdev_eoi, irq)
ABI_SIZE(struct physdev_pirq_eoi_gmfn)
ABI_SCALAR(struct physdev_pirq_eoi_gmfn, gmfn)
ABI_SIZE(struct physdev_irq_status_query)
ABI_SCALAR(struct physdev_irq_status_query, irq)
ABI_SCALAR(struct physdev_irq_status_query, flags)
ABI_SIZE(struct physdev_set_iopl)
ABI_SCALAR(struct physdev_set_iopl, iopl)
ABI_SIZE(struct physdev_set_iobitmap)
ABI_FIELD(struct physdev_set_iobitmap, bitmap) /* Xen: XEN_GUEST_HANDLE */
ABI_SCALAR(struct physdev_set_iobitmap, nr_ports)
ABI_SIZE(struct physdev_irq)
ABI_SCALAR(struct physdev_irq, irq)
ABI_SCALAR(struct physdev_irq, vector)
ABI_SIZE(struct physdev_map_pirq)
ABI_SCALAR(struct physdev_map_pirq, domid)
ABI_SCALAR(struct physdev_map_pirq, type)
ABI_SCALAR(struct physdev_map_pirq, index)
ABI_SCALAR(struct physdev_map_pirq, pirq)
ABI_SCALAR(struct physdev_map_pirq, bus)
ABI_SCALAR(struct physdev_map_pirq, devfn)
ABI_SCALAR(struct physdev_map_pirq, entry_nr)
ABI_SCALAR(struct physdev_map_pirq, table_base)
ABI_SIZE(struct physdev_unmap_pirq)
ABI_SCALAR(struct physdev_unmap_pirq, domid)
ABI_SCALAR(struct physdev_unmap_pirq, pirq)
ABI_SIZE(struct physdev_setup_gsi)
ABI_SCALAR(struct physdev_setup_gsi, gsi)
ABI_SCALAR(struct physdev_setup_gsi, triggering)
ABI_SCALAR(struct physdev_setup_gsi, polarity)
ABI_SIZE(struct physdev_get_free_pirq)
ABI_SCALAR(struct physdev_get_free_pirq, type)
ABI_SCALAR(struct physdev_get_free_pirq, pirq)

/* ---------------------------------------------------------- sched.h */

ABI_GROUP("sched.h: operations and shutdown reasons")
ABI_CONST(SCHEDOP_yield)
ABI_CONST(SCHEDOP_block)
ABI_CONST(SCHEDOP_shutdown)
ABI_CONST(SCHEDOP_poll)
ABI_CONST(SCHEDOP_remote_shutdown)
ABI_CONST(SCHEDOP_shutdown_code)
ABI_CONST(SCHEDOP_watchdog)
ABI_CONST(SCHEDOP_pin_override)
ABI_CONST(SHUTDOWN_poweroff)
ABI_CONST(SHUTDOWN_reboot)
ABI_CONST(SHUTDOWN_suspend)
ABI_CONST(SHUTDOWN_crash)
ABI_CONST(SHUTDOWN_watchdog)
ABI_CONST(SHUTDOWN_soft_reset)
ABI_CONST(SHUTDOWN_MAX)

ABI_GROUP("sched.h: argument structs")
ABI_SIZE(struct sched_shutdown)
ABI_SCALAR(struct sched_shutdown, reason)
ABI_SIZE(struct sched_poll)
ABI_FIELD(struct sched_poll, ports) /* Xen: XEN_GUEST_HANDLE */
ABI_SCALAR(struct sched_poll, nr_ports)
ABI_SCALAR(struct sched_poll, timeout)
ABI_SIZE(struct sched_remote_shutdown)
ABI_SCALAR(struct sched_remote_shutdown, domain_id)
ABI_SCALAR(struct sched_remote_shutdown, reason)

/* ----------------------------------------------------------- vcpu.h */

ABI_GROUP("vcpu.h: operations")
ABI_CONST(VCPUOP_initialise)
ABI_CONST(VCPUOP_up)
ABI_CONST(VCPUOP_down)
ABI_CONST(VCPUOP_is_up)
ABI_CONST(VCPUOP_get_runstate_info)
ABI_CONST(VCPUOP_register_runstate_memory_area)
ABI_CONST(VCPUOP_set_periodic_timer)
ABI_CONST(VCPUOP_stop_periodic_timer)
ABI_CONST(VCPUOP_set_singleshot_timer)
ABI_CONST(VCPUOP_stop_singleshot_timer)
ABI_CONST(VCPUOP_register_vcpu_info)
ABI_CONST(VCPUOP_send_nmi)
ABI_CONST(VCPUOP_get_physid)
ABI_CONST(VCPUOP_register_vcpu_time_memory_area)

ABI_GROUP("vcpu.h: struct vcpu_runstate_info")
ABI_CONST(RUNSTATE_running)
ABI_CONST(RUNSTATE_runnable)
ABI_CONST(RUNSTATE_blocked)
ABI_CONST(RUNSTATE_offline)
ABI_CONST(XEN_RUNSTATE_UPDATE)
ABI_SIZE(struct vcpu_runstate_info)
ABI_SCALAR(struct vcpu_runstate_info, state)
ABI_SCALAR(struct vcpu_runstate_info, state_entry_time)
ABI_ARRAY(struct vcpu_runstate_info, time)

ABI_GROUP("vcpu.h: argument structs")
ABI_SIZE(struct vcpu_register_runstate_memory_area)
ABI_FIELD(struct vcpu_register_runstate_memory_area, addr)
ABI_FIELD(struct vcpu_register_runstate_memory_area, addr.h) /* Xen: handle */
ABI_SCALAR(struct vcpu_register_runstate_memory_area, addr.p)
ABI_SIZE(struct vcpu_set_periodic_timer)
ABI_SCALAR(struct vcpu_set_periodic_timer, period_ns)
ABI_SIZE(struct vcpu_set_singleshot_timer)
ABI_SCALAR(struct vcpu_set_singleshot_timer, timeout_abs_ns)
ABI_SCALAR(struct vcpu_set_singleshot_timer, flags)
ABI_CONST(VCPU_SSHOTTMR_future)
ABI_SIZE(struct vcpu_register_vcpu_info)
ABI_SCALAR(struct vcpu_register_vcpu_info, mfn)
ABI_SCALAR(struct vcpu_register_vcpu_info, offset)
ABI_SCALAR(struct vcpu_register_vcpu_info, rsvd)

/* -------------------------------------------------------- version.h */

ABI_GROUP("version.h: operations and buffers")
ABI_CONST(XENVER_version)
ABI_CONST(XENVER_extraversion)
ABI_CONST(XENVER_compile_info)
ABI_CONST(XENVER_capabilities)
ABI_CONST(XENVER_changeset)
ABI_CONST(XENVER_platform_parameters)
ABI_CONST(XENVER_get_features)
ABI_CONST(XENVER_pagesize)
ABI_CONST(XENVER_guest_handle)
ABI_CONST(XENVER_commandline)
ABI_CONST(XENVER_build_id)
ABI_SIZE(xen_extraversion_t)
ABI_SIZE(xen_capabilities_info_t)
ABI_SIZE(xen_changeset_info_t)
ABI_SIZE(xen_commandline_t)

ABI_GROUP("version.h: structs")
ABI_SIZE(struct xen_compile_info)
ABI_ARRAY(struct xen_compile_info, compiler)
ABI_ARRAY(struct xen_compile_info, compile_by)
ABI_ARRAY(struct xen_compile_info, compile_domain)
ABI_ARRAY(struct xen_compile_info, compile_date)
ABI_SIZE(struct xen_platform_parameters)
ABI_SCALAR(struct xen_platform_parameters, virt_start)
ABI_SIZE(struct xen_feature_info)
ABI_SCALAR(struct xen_feature_info, submap_idx)
ABI_SCALAR(struct xen_feature_info, submap)

ABI_GROUP("version.h: feature bits")
ABI_CONST(XENFEAT_writable_page_tables)
ABI_CONST(XENFEAT_writable_descriptor_tables)
ABI_CONST(XENFEAT_auto_translated_physmap)
ABI_CONST(XENFEAT_supervisor_mode_kernel)
ABI_CONST(XENFEAT_pae_pgdir_above_4gb)
ABI_CONST(XENFEAT_mmu_pt_update_preserve_ad)
ABI_CONST(XENFEAT_gnttab_map_avail_bits)
ABI_CONST(XENFEAT_hvm_callback_vector)
ABI_CONST(XENFEAT_hvm_safe_pvclock)
ABI_CONST(XENFEAT_hvm_pirqs)
ABI_CONST(XENFEAT_dom0)

/* ------------------------------------------------------- callback.h */

ABI_GROUP("callback.h")
ABI_CONST(CALLBACKTYPE_event)
ABI_CONST(CALLBACKTYPE_failsafe)
ABI_CONST(CALLBACKTYPE_syscall)
ABI_CONST(CALLBACKTYPE_sysenter_deprecated)
ABI_CONST(CALLBACKTYPE_nmi)
ABI_CONST(CALLBACKTYPE_sysenter)
ABI_CONST(CALLBACKTYPE_syscall32)
ABI_CONST(CALLBACKF_mask_events)
ABI_CONST(CALLBACKOP_register)
ABI_CONST(CALLBACKOP_unregister)
ABI_SIZE(struct callback_register)
ABI_SCALAR(struct callback_register, type)
ABI_SCALAR(struct callback_register, flags)
ABI_SCALAR(struct callback_register, address)
ABI_SIZE(struct callback_unregister)
ABI_SCALAR(struct callback_unregister, type)
ABI_SCALAR(struct callback_unregister, _unused)

/* -------------------------------------------------------- elfnote.h */

ABI_GROUP("elfnote.h")
ABI_CONST(XEN_ELFNOTE_INFO)
ABI_CONST(XEN_ELFNOTE_ENTRY)
ABI_CONST(XEN_ELFNOTE_HYPERCALL_PAGE)
ABI_CONST(XEN_ELFNOTE_VIRT_BASE)
ABI_CONST(XEN_ELFNOTE_PADDR_OFFSET)
ABI_CONST(XEN_ELFNOTE_XEN_VERSION)
ABI_CONST(XEN_ELFNOTE_GUEST_OS)
ABI_CONST(XEN_ELFNOTE_GUEST_VERSION)
ABI_CONST(XEN_ELFNOTE_LOADER)
ABI_CONST(XEN_ELFNOTE_PAE_MODE)
ABI_CONST(XEN_ELFNOTE_FEATURES)
ABI_CONST(XEN_ELFNOTE_BSD_SYMTAB)
ABI_CONST(XEN_ELFNOTE_HV_START_LOW)
ABI_CONST(XEN_ELFNOTE_L1_MFN_VALID)
ABI_CONST(XEN_ELFNOTE_SUSPEND_CANCEL)
ABI_CONST(XEN_ELFNOTE_INIT_P2M)
ABI_CONST(XEN_ELFNOTE_MOD_START_PFN)
ABI_CONST(XEN_ELFNOTE_SUPPORTED_FEATURES)
ABI_CONST(XEN_ELFNOTE_PHYS32_ENTRY)

/* --------------------------------------------------------- memory.h */

ABI_GROUP("memory.h: mmu_update")
ABI_CONST(MMU_NORMAL_PT_UPDATE)
ABI_CONST(MMU_MACHPHYS_UPDATE)
ABI_CONST(MMU_PT_UPDATE_PRESERVE_AD)
ABI_CONST(MMU_PT_UPDATE_NO_TRANSLATE)
ABI_SIZE(struct mmu_update)
ABI_SCALAR(struct mmu_update, ptr)
ABI_SCALAR(struct mmu_update, val)

ABI_GROUP("memory.h: mmuext_op")
ABI_CONST(MMUEXT_PIN_L1_TABLE)
ABI_CONST(MMUEXT_PIN_L2_TABLE)
ABI_CONST(MMUEXT_PIN_L3_TABLE)
ABI_CONST(MMUEXT_PIN_L4_TABLE)
ABI_CONST(MMUEXT_UNPIN_TABLE)
ABI_CONST(MMUEXT_NEW_BASEPTR)
ABI_CONST(MMUEXT_TLB_FLUSH_LOCAL)
ABI_CONST(MMUEXT_INVLPG_LOCAL)
ABI_CONST(MMUEXT_TLB_FLUSH_MULTI)
ABI_CONST(MMUEXT_INVLPG_MULTI)
ABI_CONST(MMUEXT_TLB_FLUSH_ALL)
ABI_CONST(MMUEXT_INVLPG_ALL)
ABI_CONST(MMUEXT_FLUSH_CACHE)
ABI_CONST(MMUEXT_SET_LDT)
ABI_CONST(MMUEXT_NEW_USER_BASEPTR)
ABI_CONST(MMUEXT_CLEAR_PAGE)
ABI_CONST(MMUEXT_COPY_PAGE)
ABI_CONST(MMUEXT_FLUSH_CACHE_GLOBAL)
ABI_CONST(MMUEXT_MARK_SUPER)
ABI_CONST(MMUEXT_UNMARK_SUPER)
ABI_SIZE(struct mmuext_op)
ABI_SCALAR(struct mmuext_op, cmd)
ABI_FIELD(struct mmuext_op, arg1)
ABI_SCALAR(struct mmuext_op, arg1.mfn)
ABI_SCALAR(struct mmuext_op, arg1.linear_addr)
ABI_FIELD(struct mmuext_op, arg2)
ABI_SCALAR(struct mmuext_op, arg2.nr_ents)
ABI_FIELD(struct mmuext_op, arg2.vcpumask) /* Xen: XEN_GUEST_HANDLE */
ABI_SCALAR(struct mmuext_op, arg2.src_mfn)

ABI_GROUP("memory.h: update_va_mapping flags")
ABI_CONST(UVMF_NONE)
ABI_CONST(UVMF_TLB_FLUSH)
ABI_CONST(UVMF_INVLPG)
ABI_CONST(UVMF_FLUSHTYPE_MASK)
ABI_CONST(UVMF_MULTI)
ABI_CONST(UVMF_LOCAL)
ABI_CONST(UVMF_ALL)

ABI_GROUP("memory.h: memory_op")
ABI_CONST(XENMEM_increase_reservation)
ABI_CONST(XENMEM_decrease_reservation)
ABI_CONST(XENMEM_maximum_ram_page)
ABI_CONST(XENMEM_current_reservation)
ABI_CONST(XENMEM_maximum_reservation)
ABI_CONST(XENMEM_machphys_mfn_list)
ABI_CONST(XENMEM_populate_physmap)
ABI_CONST(XENMEM_add_to_physmap)
ABI_CONST(XENMEM_memory_map)
ABI_CONST(XENMEM_machine_memory_map)
ABI_CONST(XENMEM_exchange)
ABI_CONST(XENMEM_machphys_mapping)
ABI_CONST(XENMEM_set_memory_map)
ABI_SIZE(struct xen_memory_reservation)
ABI_FIELD(struct xen_memory_reservation, extent_start) /* Xen: handle */
ABI_SCALAR(struct xen_memory_reservation, nr_extents)
ABI_SCALAR(struct xen_memory_reservation, extent_order)
ABI_SCALAR(struct xen_memory_reservation, mem_flags)
ABI_SCALAR(struct xen_memory_reservation, domid)
ABI_SIZE(struct xen_machphys_mapping)
ABI_SCALAR(struct xen_machphys_mapping, v_start)
ABI_SCALAR(struct xen_machphys_mapping, v_end)
ABI_SCALAR(struct xen_machphys_mapping, max_mfn)
ABI_SIZE(struct xen_memory_map)
ABI_SCALAR(struct xen_memory_map, nr_entries)
ABI_FIELD(struct xen_memory_map, buffer) /* Xen: XEN_GUEST_HANDLE */
ABI_SIZE(struct xen_foreign_memory_map)
ABI_SCALAR(struct xen_foreign_memory_map, domid)
ABI_FIELD(struct xen_foreign_memory_map, map)

ABI_GROUP("grant_table.h")
ABI_TYPE(grant_ref_t)
ABI_TYPE(grant_handle_t)
ABI_CONST(GTF_invalid)
ABI_CONST(GTF_permit_access)
ABI_CONST(GTF_accept_transfer)
ABI_CONST(GTF_transitive)
ABI_CONST(GTF_type_mask)
ABI_CONST(GTF_readonly)
ABI_CONST(GTF_reading)
ABI_CONST(GTF_writing)
ABI_CONST(GTF_PWT)
ABI_CONST(GTF_PCD)
ABI_CONST(GTF_PAT)
ABI_CONST(GTF_sub_page)
ABI_CONST(GTF_transfer_committed)
ABI_CONST(GTF_transfer_completed)
ABI_CONST(GNTTABOP_map_grant_ref)
ABI_CONST(GNTTABOP_unmap_grant_ref)
ABI_CONST(GNTTABOP_setup_table)
ABI_CONST(GNTTABOP_dump_table)
ABI_CONST(GNTTABOP_transfer)
ABI_CONST(GNTTABOP_copy)
ABI_CONST(GNTTABOP_query_size)
ABI_CONST(GNTTABOP_unmap_and_replace)
ABI_CONST(GNTTABOP_set_version)
ABI_CONST(GNTTABOP_get_status_frames)
ABI_CONST(GNTTABOP_get_version)
ABI_CONST(GNTTABOP_swap_grant_ref)
ABI_CONST(GNTTABOP_cache_flush)
ABI_CONST(GNTMAP_device_map)
ABI_CONST(GNTMAP_host_map)
ABI_CONST(GNTMAP_readonly)
ABI_CONST(GNTMAP_application_map)
ABI_CONST(GNTMAP_contains_pte)
ABI_CONST(GNTCOPY_source_gref)
ABI_CONST(GNTCOPY_dest_gref)
ABI_CONST(GNTST_okay)
ABI_CONST(GNTST_general_error)
ABI_CONST(GNTST_bad_domain)
ABI_CONST(GNTST_bad_gntref)
ABI_CONST(GNTST_bad_handle)
ABI_CONST(GNTST_bad_virt_addr)
ABI_CONST(GNTST_bad_dev_addr)
ABI_CONST(GNTST_no_device_space)
ABI_CONST(GNTST_permission_denied)
ABI_CONST(GNTST_bad_page)
ABI_CONST(GNTST_bad_copy_arg)
ABI_CONST(GNTST_address_too_big)
ABI_CONST(GNTST_eagain)
ABI_SIZE(struct grant_entry_v1)
ABI_SCALAR(struct grant_entry_v1, flags)
ABI_SCALAR(struct grant_entry_v1, domid)
ABI_SCALAR(struct grant_entry_v1, frame)
ABI_CONST(GNTTAB_NR_RESERVED_ENTRIES)
ABI_SIZE(struct grant_entry_header)
ABI_SCALAR(struct grant_entry_header, flags)
ABI_SCALAR(struct grant_entry_header, domid)
ABI_SIZE(union grant_entry_v2)
ABI_FIELD(union grant_entry_v2, hdr)
ABI_FIELD(union grant_entry_v2, full_page)
ABI_FIELD(union grant_entry_v2, full_page.hdr)
ABI_FIELD(union grant_entry_v2, sub_page)
ABI_FIELD(union grant_entry_v2, sub_page.hdr)
ABI_FIELD(union grant_entry_v2, transitive)
ABI_FIELD(union grant_entry_v2, transitive.hdr)
ABI_FIELD(union grant_entry_v2, __spacer)
ABI_SCALAR(union grant_entry_v2, full_page.frame)
ABI_SCALAR(union grant_entry_v2, sub_page.page_off)
ABI_SCALAR(union grant_entry_v2, sub_page.length)
ABI_SCALAR(union grant_entry_v2, sub_page.frame)
ABI_SCALAR(union grant_entry_v2, transitive.trans_domid)
ABI_SCALAR(union grant_entry_v2, transitive.gref)
ABI_TYPE(grant_status_t)
ABI_SIZE(struct gnttab_unmap_and_replace)
ABI_SCALAR(struct gnttab_unmap_and_replace, host_addr)
ABI_SCALAR(struct gnttab_unmap_and_replace, new_addr)
ABI_SCALAR(struct gnttab_unmap_and_replace, handle)
ABI_SCALAR(struct gnttab_unmap_and_replace, status)
ABI_SIZE(struct gnttab_swap_grant_ref)
ABI_SCALAR(struct gnttab_swap_grant_ref, ref_a)
ABI_SCALAR(struct gnttab_swap_grant_ref, ref_b)
ABI_SCALAR(struct gnttab_swap_grant_ref, status)
ABI_SIZE(struct gnttab_get_status_frames)
ABI_SCALAR(struct gnttab_get_status_frames, nr_frames)
ABI_SCALAR(struct gnttab_get_status_frames, dom)
ABI_SCALAR(struct gnttab_get_status_frames, status)
ABI_FIELD(struct gnttab_get_status_frames, frame_list) /* Xen: XEN_GUEST_HANDLE */
ABI_SIZE(struct gnttab_map_grant_ref)
ABI_SCALAR(struct gnttab_map_grant_ref, host_addr)
ABI_SCALAR(struct gnttab_map_grant_ref, flags)
ABI_SCALAR(struct gnttab_map_grant_ref, ref)
ABI_SCALAR(struct gnttab_map_grant_ref, dom)
ABI_SCALAR(struct gnttab_map_grant_ref, status)
ABI_SCALAR(struct gnttab_map_grant_ref, handle)
ABI_SCALAR(struct gnttab_map_grant_ref, dev_bus_addr)
ABI_SIZE(struct gnttab_unmap_grant_ref)
ABI_SCALAR(struct gnttab_unmap_grant_ref, host_addr)
ABI_SCALAR(struct gnttab_unmap_grant_ref, dev_bus_addr)
ABI_SCALAR(struct gnttab_unmap_grant_ref, handle)
ABI_SCALAR(struct gnttab_unmap_grant_ref, status)
ABI_SIZE(struct gnttab_setup_table)
ABI_SCALAR(struct gnttab_setup_table, dom)
ABI_SCALAR(struct gnttab_setup_table, nr_frames)
ABI_SCALAR(struct gnttab_setup_table, status)
ABI_FIELD(struct gnttab_setup_table, frame_list) /* Xen: XEN_GUEST_HANDLE */
ABI_SIZE(struct gnttab_transfer)
ABI_SCALAR(struct gnttab_transfer, mfn)
ABI_SCALAR(struct gnttab_transfer, domid)
ABI_SCALAR(struct gnttab_transfer, ref)
ABI_SCALAR(struct gnttab_transfer, status)
ABI_SIZE(struct gnttab_copy)
ABI_SCALAR(struct gnttab_copy, source.u.ref)
ABI_SCALAR(struct gnttab_copy, source.u.gmfn)
ABI_SCALAR(struct gnttab_copy, source.domid)
ABI_SCALAR(struct gnttab_copy, source.offset)
ABI_SCALAR(struct gnttab_copy, dest.u.ref)
ABI_SCALAR(struct gnttab_copy, dest.u.gmfn)
ABI_SCALAR(struct gnttab_copy, dest.domid)
ABI_SCALAR(struct gnttab_copy, dest.offset)
ABI_SCALAR(struct gnttab_copy, len)
ABI_SCALAR(struct gnttab_copy, flags)
ABI_SCALAR(struct gnttab_copy, status)
ABI_SIZE(struct gnttab_query_size)
ABI_SCALAR(struct gnttab_query_size, dom)
ABI_SCALAR(struct gnttab_query_size, nr_frames)
ABI_SCALAR(struct gnttab_query_size, max_nr_frames)
ABI_SCALAR(struct gnttab_query_size, status)
ABI_SIZE(struct gnttab_set_version)
ABI_SCALAR(struct gnttab_set_version, version)
ABI_SIZE(struct gnttab_get_version)
ABI_SCALAR(struct gnttab_get_version, dom)
ABI_SCALAR(struct gnttab_get_version, pad)
ABI_SCALAR(struct gnttab_get_version, version)
ABI_SIZE(struct gnttab_copy_ptr)
ABI_FIELD(struct gnttab_copy_ptr, u)
ABI_SCALAR(struct gnttab_copy_ptr, u.ref)
ABI_SCALAR(struct gnttab_copy_ptr, u.gmfn)
ABI_SCALAR(struct gnttab_copy_ptr, domid)
ABI_SCALAR(struct gnttab_copy_ptr, offset)
ABI_FIELD(struct gnttab_copy, source)
ABI_FIELD(struct gnttab_copy, dest)

/* --------------------------------------------------------- io/ring.h */

/*
 * The shared ring is generated per protocol. Ours ends in a flexible
 * array: Xen's in ring[1], so sizeof(struct X_sring) is not compared, only
 * the header offsets and where the slots start. The RING_* macros are
 * compared by behaviour: each scenario below runs against our macros and
 * against Xen's, and packs what it observed into one number.
 */
ABI_GROUP("io/ring.h: shared ring header (blkif instance)")
ABI_TYPE(RING_IDX)
ABI_SCALAR(struct blkif_sring, req_prod)
ABI_SCALAR(struct blkif_sring, req_event)
ABI_SCALAR(struct blkif_sring, rsp_prod)
ABI_SCALAR(struct blkif_sring, rsp_event)
ABI_EXPR(blkif_sring_ring_off, offsetof(struct blkif_sring, ring))
ABI_EXPR(blkif_sring_ring_elem, sizeof(((struct blkif_sring *)0)->ring[0]))
ABI_EXPR(blkif_sring_align, _Alignof(blkif_sring_t))
ABI_SIZE(union blkif_sring_entry)
ABI_FIELD(union blkif_sring_entry, req)
ABI_FIELD(union blkif_sring_entry, rsp)

ABI_GROUP("io/ring.h: front and back ring state (blkif instance)")
ABI_SIZE(struct blkif_front_ring)
ABI_SIZE(blkif_front_ring_t)
ABI_SCALAR(struct blkif_front_ring, req_prod_pvt)
ABI_SCALAR(struct blkif_front_ring, rsp_cons)
ABI_SCALAR(struct blkif_front_ring, nr_ents)
ABI_FIELD(struct blkif_front_ring, sring)
ABI_SIZE(struct blkif_back_ring)
ABI_SIZE(blkif_back_ring_t)
ABI_SCALAR(struct blkif_back_ring, rsp_prod_pvt)
ABI_SCALAR(struct blkif_back_ring, req_cons)
ABI_SCALAR(struct blkif_back_ring, nr_ents)
ABI_FIELD(struct blkif_back_ring, sring)

ABI_GROUP("io/ring.h: ring sizes")
ABI_EXPR(const_ring_size_blkif, __CONST_RING_SIZE(blkif, 4096))
ABI_EXPR(const_ring_size_blkif_2p, __CONST_RING_SIZE(blkif, 8192))
ABI_EXPR(const_ring_size_netif_tx, __CONST_RING_SIZE(netif_tx, 4096))
ABI_EXPR(const_ring_size_netif_rx, __CONST_RING_SIZE(netif_rx, 4096))
ABI_EXPR(ring_size_blkif, __RING_SIZE((struct blkif_sring *)0, 4096))
ABI_EXPR(ring_size_blkif_odd,
	 __RING_SIZE((struct blkif_sring *)0, 64 + 112 * 7))
ABI_EXPR(ring_size_netif_tx_16k, __RING_SIZE((struct netif_tx_sring *)0, 16384))

/* clang-format off: the scenarios read better as plain C blocks. */
/* A protocol of our own, generated in block scope. */
ABI_EXPR(ring_define_types, ({
		 DEFINE_RING_TYPES(
		     abitest,
		     struct {
			     uint32_t a;
			     uint32_t b;
			     uint32_t c;
		     },
		     uint16_t);
		 struct abitest_front_ring f;
		 struct abitest_back_ring b;
		 f.nr_ents = __CONST_RING_SIZE(abitest, 4096);
		 b.nr_ents = __RING_SIZE((abitest_sring_t *)0, 4096);
		 (unsigned long long)offsetof(struct abitest_sring, ring) |
		     (unsigned long long)sizeof(union abitest_sring_entry)
			 << 8 |
		     (unsigned long long)f.nr_ents << 16 |
		     (unsigned long long)b.nr_ents << 32 |
		     (unsigned long long)sizeof(abitest_front_ring_t) << 48 |
		     (unsigned long long)sizeof(abitest_back_ring_t) << 56;
	 }))

ABI_GROUP("io/ring.h: initialisation")
ABI_EXPR(ring_init, ({
		 static unsigned char pg[4096] __attribute__((aligned(4096)));
		 struct blkif_sring *s = (struct blkif_sring *)pg;
		 struct blkif_front_ring f;
		 struct blkif_back_ring b;
		 __builtin_memset(pg, 0xa5, sizeof(pg));
		 SHARED_RING_INIT(s);
		 FRONT_RING_INIT(&f, s, 4096);
		 BACK_RING_INIT(&b, s, 4096);
		 (unsigned long long)s->req_prod |
		     (unsigned long long)s->req_event << 4 |
		     (unsigned long long)s->rsp_prod << 8 |
		     (unsigned long long)s->rsp_event << 12 |
		     (unsigned long long)f.req_prod_pvt << 16 |
		     (unsigned long long)f.rsp_cons << 20 |
		     (unsigned long long)b.rsp_prod_pvt << 24 |
		     (unsigned long long)b.req_cons << 28 |
		     (unsigned long long)f.nr_ents << 32 |
		     (unsigned long long)b.nr_ents << 40 |
		     (unsigned long long)(pg[16] | pg[40] | pg[63]) << 48 |
		     (unsigned long long)pg[64] << 56 |
		     (unsigned long long)(f.sring == s && b.sring == s) << 63;
	 }))
ABI_EXPR(ring_attach, ({
		 static unsigned char pg[8192] __attribute__((aligned(4096)));
		 struct blkif_sring *s = (struct blkif_sring *)pg;
		 struct blkif_front_ring f;
		 struct blkif_back_ring b;
		 __builtin_memset(pg, 0x5a, sizeof(pg));
		 XEN_FRONT_RING_INIT(&f, s, 8192);
		 FRONT_RING_ATTACH(&f, s, 0xfffffff0u, 8192);
		 BACK_RING_ATTACH(&b, s, 0xfffffff1u, 4096);
		 (unsigned long long)(f.req_prod_pvt ^ f.rsp_cons) |
		     (unsigned long long)(f.rsp_cons - 0xfffffff0u) << 4 |
		     (unsigned long long)(b.rsp_prod_pvt - 0xfffffff0u) << 8 |
		     (unsigned long long)(b.req_cons - 0xfffffff0u) << 12 |
		     (unsigned long long)s->req_event << 16 |
		     (unsigned long long)s->rsp_event << 20 |
		     (unsigned long long)f.nr_ents << 24 |
		     (unsigned long long)b.nr_ents << 40 |
		     (unsigned long long)RING_SIZE(&f) << 48;
	 }))

ABI_GROUP("io/ring.h: a round trip across index wraparound")
ABI_EXPR(
    ring_round_trip, ({
	    static unsigned char pg[4096] __attribute__((aligned(4096)));
	    struct blkif_sring *s = (struct blkif_sring *)pg;
	    struct blkif_front_ring f;
	    struct blkif_back_ring b;
	    struct blkif_request req;
	    struct blkif_response rsp;
	    RING_IDX start = 0xfffffffeu;
	    unsigned long long v = 0, sum = 0;
	    int n1, n2, n3, n4, i;
	    unsigned int w1, w2;
	    SHARED_RING_INIT(s);
	    s->req_prod = s->rsp_prod = start;
	    s->req_event = s->rsp_event = start + 1;
	    FRONT_RING_ATTACH(&f, s, start, 4096);
	    BACK_RING_ATTACH(&b, s, start, 4096);
	    for (i = 0; i < 3; i++) {
		    struct blkif_request *r =
			RING_GET_REQUEST(&f, f.req_prod_pvt);
		    r->id = 10 + i;
		    r->sector_number = 100 + i;
		    f.req_prod_pvt++;
	    }
	    v |= (unsigned long long)RING_FREE_REQUESTS(&f) << 0; /* 29 */
	    v |= (unsigned long long)RING_FULL(&f) << 6;
	    v |= (unsigned long long)RING_HAS_UNCONSUMED_REQUESTS(&b)
		 << 7; /* 0 */
	    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f, n1);
	    v |= (unsigned long long)(n1 != 0) << 10;
	    v |= (unsigned long long)RING_HAS_UNCONSUMED_REQUESTS(&b) << 11;
	    v |= (unsigned long long)XEN_RING_NR_UNCONSUMED_REQUESTS(&b) << 14;
	    v |= (unsigned long long)RING_REQUEST_CONS_OVERFLOW(&b, b.req_cons)
		 << 17;
	    v |= (unsigned long long)RING_REQUEST_CONS_OVERFLOW(&b,
								b.req_cons + 32)
		 << 18;
	    v |= (unsigned long long)RING_REQUEST_PROD_OVERFLOW(&b, s->req_prod)
		 << 19;
	    v |= (unsigned long long)RING_REQUEST_PROD_OVERFLOW(
		     &b, b.rsp_prod_pvt + 33)
		 << 20;
	    while (RING_HAS_UNCONSUMED_REQUESTS(&b)) {
		    RING_COPY_REQUEST(&b, b.req_cons, &req);
		    b.req_cons++;
		    sum += req.id * 1000 + req.sector_number;
		    rsp.id = req.id;
		    rsp.operation = 1;
		    rsp.status = (int16_t)-req.id;
		    *RING_GET_RESPONSE(&b, b.rsp_prod_pvt) = rsp;
		    b.rsp_prod_pvt++;
	    }
	    RING_FINAL_CHECK_FOR_REQUESTS(&b, w1);
	    v |= (unsigned long long)w1 << 21;
	    v |= (unsigned long long)(s->req_event - start)
		 << 22; /* cons + 1 */
	    v |= (unsigned long long)RING_HAS_UNCONSUMED_RESPONSES(&f)
		 << 26; /* 0 */
	    RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&b, n2);
	    v |= (unsigned long long)(n2 != 0) << 29;
	    v |= (unsigned long long)XEN_RING_NR_UNCONSUMED_RESPONSES(&f) << 30;
	    v |=
		(unsigned long long)RING_RESPONSE_PROD_OVERFLOW(&f, s->rsp_prod)
		<< 33;
	    v |= (unsigned long long)RING_RESPONSE_PROD_OVERFLOW(
		     &f, f.rsp_cons + 33)
		 << 34;
	    while (RING_HAS_UNCONSUMED_RESPONSES(&f)) {
		    RING_COPY_RESPONSE(&f, f.rsp_cons, &rsp);
		    f.rsp_cons++;
		    sum += (unsigned long long)(rsp.id * 7) ^
			   (unsigned short)rsp.status;
	    }
	    RING_FINAL_CHECK_FOR_RESPONSES(&f, w2);
	    v |= (unsigned long long)w2 << 35;
	    v |= (unsigned long long)(s->rsp_event - start) << 36;
	    /* Plain push 1 -> 2 passes req_event = 2 without a notify... */
	    RING_GET_REQUEST(&f, f.req_prod_pvt)->id = 99;
	    f.req_prod_pvt++;
	    RING_PUSH_REQUESTS(&f);
	    /* ...so the next push, 2 -> 3, is not asked to notify. */
	    RING_GET_REQUEST(&f, f.req_prod_pvt)->id = 98;
	    f.req_prod_pvt++;
	    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f, n3);
	    v |= (unsigned long long)(n3 != 0) << 40;
	    v |= (unsigned long long)(s->req_prod - start) << 41;
	    b.rsp_prod_pvt += 2;
	    RING_PUSH_RESPONSES(&b);
	    v |= (unsigned long long)(s->rsp_prod - start) << 45;
	    /* The frontend armed rsp_event = 2: a response push 3 -> 5 notifies. */
	    b.rsp_prod_pvt++;
	    RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&b, n4);
	    v |= (unsigned long long)(n4 != 0) << 49;
	    v ^ sum << 50;
    }))
ABI_EXPR(
    ring_front_full, ({
	    static unsigned char pg[4096] __attribute__((aligned(4096)));
	    struct blkif_sring *s = (struct blkif_sring *)pg;
	    struct blkif_front_ring f;
	    struct blkif_back_ring b;
	    unsigned long long v = 0;
	    unsigned int w;
	    XEN_FRONT_RING_INIT(&f, s, 4096);
	    BACK_RING_INIT(&b, s, 4096);
	    while (!RING_FULL(&f)) {
		    RING_GET_REQUEST(&f, f.req_prod_pvt)->id = f.req_prod_pvt;
		    f.req_prod_pvt++;
	    }
	    RING_PUSH_REQUESTS(&f);
	    v |= (unsigned long long)f.req_prod_pvt;
	    v |= (unsigned long long)RING_FREE_REQUESTS(&f) << 8;
	    v |= (unsigned long long)RING_HAS_UNCONSUMED_REQUESTS(&b) << 16;
	    /* A frontend lying about its producer is capped at the ring size. */
	    s->req_prod += 100;
	    v |= (unsigned long long)RING_HAS_UNCONSUMED_REQUESTS(&b) << 24;
	    v |= (unsigned long long)RING_REQUEST_PROD_OVERFLOW(&b, s->req_prod)
		 << 32;
	    b.req_cons += 32;
	    v |= (unsigned long long)RING_HAS_UNCONSUMED_REQUESTS(&b) << 33;
	    RING_FINAL_CHECK_FOR_REQUESTS(&b, w);
	    v |= (unsigned long long)w << 40;
	    v |= (unsigned long long)s->req_event << 48;
	    v;
    }))

/* clang-format on */

/* ---------------------------------------------------- io/console.h */

ABI_GROUP("io/console.h")
ABI_TYPE(XENCONS_RING_IDX)
ABI_SIZE(struct xencons_interface)
ABI_ARRAY(struct xencons_interface, in)
ABI_ARRAY(struct xencons_interface, out)
ABI_SCALAR(struct xencons_interface, in_cons)
ABI_SCALAR(struct xencons_interface, in_prod)
ABI_SCALAR(struct xencons_interface, out_cons)
ABI_SCALAR(struct xencons_interface, out_prod)
ABI_EXPR(mask_xencons_in,
	 MASK_XENCONS_IDX(0xfffffffeu + 5, ((struct xencons_interface *)0)->in))
ABI_EXPR(mask_xencons_out,
	 MASK_XENCONS_IDX(0x12345u, ((struct xencons_interface *)0)->out))

/* ----------------------------------------------------- io/xenbus.h */

ABI_GROUP("io/xenbus.h")
ABI_TYPE(XenbusState)
ABI_CONST(XenbusStateUnknown)
ABI_CONST(XenbusStateInitialising)
ABI_CONST(XenbusStateInitWait)
ABI_CONST(XenbusStateInitialised)
ABI_CONST(XenbusStateConnected)
ABI_CONST(XenbusStateClosing)
ABI_CONST(XenbusStateClosed)
ABI_CONST(XenbusStateReconfiguring)
ABI_CONST(XenbusStateReconfigured)

/* ------------------------------------------------------ io/blkif.h */

ABI_GROUP("io/blkif.h: types and operations")
ABI_TYPE(blkif_vdev_t)
ABI_TYPE(blkif_sector_t)
ABI_CONST(BLKIF_OP_READ)
ABI_CONST(BLKIF_OP_WRITE)
ABI_CONST(BLKIF_OP_WRITE_BARRIER)
ABI_CONST(BLKIF_OP_FLUSH_DISKCACHE)
ABI_CONST(BLKIF_OP_RESERVED_1)
ABI_CONST(BLKIF_OP_DISCARD)
ABI_CONST(BLKIF_OP_INDIRECT)
ABI_CONST(BLKIF_MAX_SEGMENTS_PER_REQUEST)
ABI_CONST(BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST)
ABI_CONST(BLKIF_DISCARD_SECURE)
ABI_CONST(BLKIF_RSP_EOPNOTSUPP)
ABI_CONST(BLKIF_RSP_ERROR)
ABI_CONST(BLKIF_RSP_OKAY)
ABI_CONST(VDISK_CDROM)
ABI_CONST(VDISK_REMOVABLE)
ABI_CONST(VDISK_READONLY)

ABI_GROUP("io/blkif.h: requests")
ABI_SIZE(struct blkif_request_segment)
ABI_SCALAR(struct blkif_request_segment, gref)
ABI_SCALAR(struct blkif_request_segment, first_sect)
ABI_SCALAR(struct blkif_request_segment, last_sect)
ABI_SIZE(struct blkif_request)
ABI_SIZE(blkif_request_t)
ABI_SCALAR(struct blkif_request, operation)
ABI_SCALAR(struct blkif_request, nr_segments)
ABI_SCALAR(struct blkif_request, handle)
ABI_SCALAR(struct blkif_request, id)
ABI_SCALAR(struct blkif_request, sector_number)
ABI_FIELD(struct blkif_request, seg)
ABI_SCALAR(struct blkif_request, seg[10].gref)
ABI_SCALAR(struct blkif_request, seg[10].last_sect)
ABI_SIZE(struct blkif_request_discard)
ABI_SIZE(blkif_request_discard_t)
ABI_SCALAR(struct blkif_request_discard, operation)
ABI_SCALAR(struct blkif_request_discard, flag)
ABI_SCALAR(struct blkif_request_discard, handle)
ABI_SCALAR(struct blkif_request_discard, id)
ABI_SCALAR(struct blkif_request_discard, sector_number)
ABI_SCALAR(struct blkif_request_discard, nr_sectors)
ABI_SIZE(struct blkif_request_indirect)
ABI_SIZE(blkif_request_indirect_t)
ABI_SCALAR(struct blkif_request_indirect, operation)
ABI_SCALAR(struct blkif_request_indirect, indirect_op)
ABI_SCALAR(struct blkif_request_indirect, nr_segments)
ABI_SCALAR(struct blkif_request_indirect, id)
ABI_SCALAR(struct blkif_request_indirect, sector_number)
ABI_SCALAR(struct blkif_request_indirect, handle)
ABI_ARRAY(struct blkif_request_indirect, indirect_grefs)

ABI_GROUP("io/blkif.h: response and ring")
ABI_SIZE(struct blkif_response)
ABI_SIZE(blkif_response_t)
ABI_SCALAR(struct blkif_response, id)
ABI_SCALAR(struct blkif_response, operation)
ABI_SCALAR(struct blkif_response, status)

/* ------------------------------------------------------ io/netif.h */

ABI_GROUP("io/netif.h: constants")
ABI_CONST(XEN_NETIF_NR_SLOTS_MIN)
ABI_CONST(XEN_NETIF_MAX_TX_SIZE)
ABI_CONST(_NETTXF_csum_blank)
ABI_CONST(NETTXF_csum_blank)
ABI_CONST(_NETTXF_data_validated)
ABI_CONST(NETTXF_data_validated)
ABI_CONST(_NETTXF_more_data)
ABI_CONST(NETTXF_more_data)
ABI_CONST(_NETTXF_extra_info)
ABI_CONST(NETTXF_extra_info)
ABI_CONST(XEN_NETIF_EXTRA_TYPE_NONE)
ABI_CONST(XEN_NETIF_EXTRA_TYPE_GSO)
ABI_CONST(XEN_NETIF_EXTRA_TYPE_MCAST_ADD)
ABI_CONST(XEN_NETIF_EXTRA_TYPE_MCAST_DEL)
ABI_CONST(XEN_NETIF_EXTRA_TYPE_HASH)
ABI_CONST(XEN_NETIF_EXTRA_TYPE_MAX)
ABI_CONST(_XEN_NETIF_EXTRA_FLAG_MORE)
ABI_CONST(XEN_NETIF_EXTRA_FLAG_MORE)
ABI_CONST(XEN_NETIF_GSO_TYPE_NONE)
ABI_CONST(XEN_NETIF_GSO_TYPE_TCPV4)
ABI_CONST(XEN_NETIF_GSO_TYPE_TCPV6)
ABI_CONST(_NETRXF_data_validated)
ABI_CONST(NETRXF_data_validated)
ABI_CONST(_NETRXF_csum_blank)
ABI_CONST(NETRXF_csum_blank)
ABI_CONST(_NETRXF_more_data)
ABI_CONST(NETRXF_more_data)
ABI_CONST(_NETRXF_extra_info)
ABI_CONST(NETRXF_extra_info)
ABI_CONST(_NETRXF_gso_prefix)
ABI_CONST(NETRXF_gso_prefix)
ABI_CONST(NETIF_RSP_DROPPED)
ABI_CONST(NETIF_RSP_ERROR)
ABI_CONST(NETIF_RSP_OKAY)
ABI_CONST(NETIF_RSP_NULL)

ABI_GROUP("io/netif.h: tx")
ABI_SIZE(struct netif_tx_request)
ABI_SIZE(netif_tx_request_t)
ABI_SCALAR(struct netif_tx_request, gref)
ABI_SCALAR(struct netif_tx_request, offset)
ABI_SCALAR(struct netif_tx_request, flags)
ABI_SCALAR(struct netif_tx_request, id)
ABI_SCALAR(struct netif_tx_request, size)
ABI_SIZE(struct netif_tx_response)
ABI_SIZE(netif_tx_response_t)
ABI_SCALAR(struct netif_tx_response, id)
ABI_SCALAR(struct netif_tx_response, status)
ABI_SIZE(union netif_tx_sring_entry)
ABI_EXPR(netif_tx_sring_ring_off, offsetof(struct netif_tx_sring, ring))

ABI_GROUP("io/netif.h: struct netif_extra_info")
ABI_SIZE(struct netif_extra_info)
ABI_SIZE(netif_extra_info_t)
ABI_SCALAR(struct netif_extra_info, type)
ABI_SCALAR(struct netif_extra_info, flags)
ABI_FIELD(struct netif_extra_info, u)
ABI_FIELD(struct netif_extra_info, u.gso)
ABI_SCALAR(struct netif_extra_info, u.gso.size)
ABI_SCALAR(struct netif_extra_info, u.gso.type)
ABI_SCALAR(struct netif_extra_info, u.gso.features)
ABI_FIELD(struct netif_extra_info, u.mcast)
ABI_ARRAY(struct netif_extra_info, u.mcast.addr)
ABI_FIELD(struct netif_extra_info, u.hash)
ABI_SCALAR(struct netif_extra_info, u.hash.type)
ABI_SCALAR(struct netif_extra_info, u.hash.algorithm)
ABI_ARRAY(struct netif_extra_info, u.hash.value)

ABI_GROUP("io/netif.h: rx")
ABI_SIZE(struct netif_rx_request)
ABI_SIZE(netif_rx_request_t)
ABI_SCALAR(struct netif_rx_request, id)
ABI_SCALAR(struct netif_rx_request, gref)
ABI_SIZE(struct netif_rx_response)
ABI_SIZE(netif_rx_response_t)
ABI_SCALAR(struct netif_rx_response, id)
ABI_SCALAR(struct netif_rx_response, offset)
ABI_SCALAR(struct netif_rx_response, flags)
ABI_SCALAR(struct netif_rx_response, status)
ABI_SIZE(union netif_rx_sring_entry)
ABI_EXPR(netif_rx_sring_ring_off, offsetof(struct netif_rx_sring, ring))

/* ---------------------------------------------------- io/xs_wire.h */

ABI_GROUP("io/xs_wire.h: message types")
ABI_CONST(XS_CONTROL)
ABI_CONST(XS_DEBUG)
ABI_CONST(XS_DIRECTORY)
ABI_CONST(XS_READ)
ABI_CONST(XS_GET_PERMS)
ABI_CONST(XS_WATCH)
ABI_CONST(XS_UNWATCH)
ABI_CONST(XS_TRANSACTION_START)
ABI_CONST(XS_TRANSACTION_END)
ABI_CONST(XS_INTRODUCE)
ABI_CONST(XS_RELEASE)
ABI_CONST(XS_GET_DOMAIN_PATH)
ABI_CONST(XS_WRITE)
ABI_CONST(XS_MKDIR)
ABI_CONST(XS_RM)
ABI_CONST(XS_SET_PERMS)
ABI_CONST(XS_WATCH_EVENT)
ABI_CONST(XS_ERROR)
ABI_CONST(XS_IS_DOMAIN_INTRODUCED)
ABI_CONST(XS_RESUME)
ABI_CONST(XS_SET_TARGET)
ABI_CONST(XS_RESET_WATCHES)
ABI_CONST(XS_DIRECTORY_PART)
ABI_CONST(XS_TYPE_COUNT)
ABI_CONST(XS_INVALID)
ABI_EXPR(xsd_sockmsg_type_size, sizeof(enum xsd_sockmsg_type))
ABI_CONST(XS_WATCH_PATH)
ABI_CONST(XS_WATCH_TOKEN)

ABI_EXPR(xs_write_none, abi_strhash(XS_WRITE_NONE))
ABI_EXPR(xs_write_create, abi_strhash(XS_WRITE_CREATE))
ABI_EXPR(xs_write_create_excl, abi_strhash(XS_WRITE_CREATE_EXCL))

ABI_GROUP("io/xs_wire.h: messages and errors")
ABI_SIZE(struct xsd_sockmsg)
ABI_SCALAR(struct xsd_sockmsg, type)
ABI_SCALAR(struct xsd_sockmsg, req_id)
ABI_SCALAR(struct xsd_sockmsg, tx_id)
ABI_SCALAR(struct xsd_sockmsg, len)
ABI_SIZE(struct xsd_errors)
ABI_SCALAR(struct xsd_errors, errnum)
ABI_FIELD(struct xsd_errors, errstring)
ABI_EXPR(xsd_errors_count, sizeof(xsd_errors) / sizeof(xsd_errors[0]))
/*
 * Entry i: its name's digest, with the errno value in the top byte (0 past
 * the end; the index is reduced so that no side indexes out of bounds).
 */
#define ABI_XSD_N (sizeof(xsd_errors) / sizeof(xsd_errors[0]))
#define ABI_XSD_ERROR(i)                                                     \
	ABI_EXPR(                                                            \
	    xsd_errors_##i,                                                  \
	    (i) >= ABI_XSD_N                                                 \
		? 0ULL                                                       \
		: abi_strhash(xsd_errors[(i) % ABI_XSD_N].errstring) ^       \
		      (unsigned long long)xsd_errors[(i) % ABI_XSD_N].errnum \
			  << 56)
ABI_XSD_ERROR(0)
ABI_XSD_ERROR(1)
ABI_XSD_ERROR(2)
ABI_XSD_ERROR(3)
ABI_XSD_ERROR(4)
ABI_XSD_ERROR(5)
ABI_XSD_ERROR(6)
ABI_XSD_ERROR(7)
ABI_XSD_ERROR(8)
ABI_XSD_ERROR(9)
ABI_XSD_ERROR(10)
ABI_XSD_ERROR(11)
ABI_XSD_ERROR(12)
ABI_XSD_ERROR(13)
ABI_XSD_ERROR(14)
ABI_XSD_ERROR(15)
#undef ABI_XSD_ERROR
#undef ABI_XSD_N

ABI_GROUP("io/xs_wire.h: shared ring page")
ABI_CONST(XENSTORE_RING_SIZE)
ABI_TYPE(XENSTORE_RING_IDX)
ABI_EXPR(mask_xenstore_idx, MASK_XENSTORE_IDX(0xfffffc05u))
ABI_SIZE(struct xenstore_domain_interface)
ABI_ARRAY(struct xenstore_domain_interface, req)
ABI_ARRAY(struct xenstore_domain_interface, rsp)
ABI_SCALAR(struct xenstore_domain_interface, req_cons)
ABI_SCALAR(struct xenstore_domain_interface, req_prod)
ABI_SCALAR(struct xenstore_domain_interface, rsp_cons)
ABI_SCALAR(struct xenstore_domain_interface, rsp_prod)
ABI_SCALAR(struct xenstore_domain_interface, server_features)
ABI_SCALAR(struct xenstore_domain_interface, connection)
ABI_SCALAR(struct xenstore_domain_interface, error)
ABI_CONST(XENSTORE_PAYLOAD_MAX)
ABI_CONST(XENSTORE_ABS_PATH_MAX)
ABI_CONST(XENSTORE_REL_PATH_MAX)
ABI_CONST(XENSTORE_SERVER_FEATURE_RECONNECTION)
ABI_CONST(XENSTORE_SERVER_FEATURE_ERROR)
ABI_CONST(XENSTORE_CONNECTED)
ABI_CONST(XENSTORE_RECONNECT)
ABI_CONST(XENSTORE_ERROR_NONE)
ABI_CONST(XENSTORE_ERROR_COMM)
ABI_CONST(XENSTORE_ERROR_RINGIDX)
ABI_CONST(XENSTORE_ERROR_PROTO)

/* --------------------------------------------------------- domctl.h */

ABI_GROUP("domctl.h: interface, handle, arch config")
ABI_CONST(XEN_DOMCTL_INTERFACE_VERSION)
ABI_SIZE(xen_domain_handle_t)
ABI_SIZE(struct xen_arch_domainconfig)
ABI_SCALAR(struct xen_arch_domainconfig, emulation_flags)
ABI_SCALAR(struct xen_arch_domainconfig, misc_flags)
ABI_GROUP("domctl.h: operations and schedulers")
ABI_CONST(XEN_DOMCTL_createdomain)
ABI_CONST(XEN_DOMCTL_destroydomain)
ABI_CONST(XEN_DOMCTL_pausedomain)
ABI_CONST(XEN_DOMCTL_unpausedomain)
ABI_CONST(XEN_DOMCTL_getdomaininfo)
ABI_CONST(XEN_DOMCTL_setvcpuaffinity)
ABI_CONST(XEN_DOMCTL_max_mem)
ABI_CONST(XEN_DOMCTL_setvcpucontext)
ABI_CONST(XEN_DOMCTL_getvcpucontext)
ABI_CONST(XEN_DOMCTL_getvcpuinfo)
ABI_CONST(XEN_DOMCTL_max_vcpus)
ABI_CONST(XEN_DOMCTL_scheduler_op)
ABI_CONST(XEN_DOMCTL_setdomainhandle)
ABI_CONST(XEN_DOMCTL_hypercall_init)
ABI_CONST(XEN_DOMCTL_settimeoffset)
ABI_CONST(XEN_DOMCTL_resumedomain)
ABI_CONST(XEN_DOMCTL_set_target)
ABI_CONST(XEN_DOMCTL_getvcpuaffinity)
ABI_CONST(XEN_DOMCTL_getpageframeinfo3)
ABI_CONST(XEN_SCHEDULER_CREDIT)
ABI_CONST(XEN_SCHEDULER_CREDIT2)
ABI_CONST(XEN_SCHEDULER_ARINC653)
ABI_CONST(XEN_SCHEDULER_RTDS)
ABI_CONST(XEN_SCHEDULER_NULL)
ABI_GROUP("domctl.h: struct xen_domctl_createdomain")
ABI_CONST(XEN_DOMCTL_CDF_hvm)
ABI_CONST(XEN_DOMCTL_CDF_hap)
ABI_CONST(XEN_DOMCTL_CDF_s3_integrity)
ABI_CONST(XEN_DOMCTL_CDF_oos_off)
ABI_CONST(XEN_DOMCTL_CDF_xs_domain)
ABI_CONST(XEN_DOMCTL_CDF_iommu)
ABI_CONST(XEN_DOMCTL_CDF_nested_virt)
ABI_CONST(XEN_DOMCTL_CDF_vpmu)
ABI_SIZE(struct xen_domctl_createdomain)
ABI_FIELD(struct xen_domctl_createdomain, handle)
ABI_FIELD(struct xen_domctl_createdomain, arch)
ABI_SCALAR(struct xen_domctl_createdomain, ssidref)
ABI_SCALAR(struct xen_domctl_createdomain, flags)
ABI_SCALAR(struct xen_domctl_createdomain, iommu_opts)
ABI_SCALAR(struct xen_domctl_createdomain, max_vcpus)
ABI_SCALAR(struct xen_domctl_createdomain, max_evtchn_port)
ABI_SCALAR(struct xen_domctl_createdomain, max_grant_frames)
ABI_SCALAR(struct xen_domctl_createdomain, max_maptrack_frames)
ABI_SCALAR(struct xen_domctl_createdomain, grant_opts)
ABI_SCALAR(struct xen_domctl_createdomain, vmtrace_size)
ABI_SCALAR(struct xen_domctl_createdomain, cpupool_id)
ABI_GROUP("domctl.h: struct xen_domctl_getdomaininfo")
ABI_CONST(XEN_DOMINF_dying)
ABI_CONST(XEN_DOMINF_hvm_guest)
ABI_CONST(XEN_DOMINF_shutdown)
ABI_CONST(XEN_DOMINF_paused)
ABI_CONST(XEN_DOMINF_blocked)
ABI_CONST(XEN_DOMINF_running)
ABI_CONST(XEN_DOMINF_debugged)
ABI_CONST(XEN_DOMINF_xs_domain)
ABI_CONST(XEN_DOMINF_hap)
ABI_CONST(XEN_DOMINF_shutdownmask)
ABI_CONST(XEN_DOMINF_shutdownshift)
ABI_CONST(XEN_INVALID_MAX_VCPU_ID)
ABI_SIZE(struct xen_domctl_getdomaininfo)
ABI_FIELD(struct xen_domctl_getdomaininfo, handle)
ABI_FIELD(struct xen_domctl_getdomaininfo, arch_config)
ABI_SCALAR(struct xen_domctl_getdomaininfo, domain)
ABI_SCALAR(struct xen_domctl_getdomaininfo, flags)
ABI_SCALAR(struct xen_domctl_getdomaininfo, tot_pages)
ABI_SCALAR(struct xen_domctl_getdomaininfo, max_pages)
ABI_SCALAR(struct xen_domctl_getdomaininfo, outstanding_pages)
ABI_SCALAR(struct xen_domctl_getdomaininfo, shr_pages)
ABI_SCALAR(struct xen_domctl_getdomaininfo, paged_pages)
ABI_SCALAR(struct xen_domctl_getdomaininfo, shared_info_frame)
ABI_SCALAR(struct xen_domctl_getdomaininfo, cpu_time)
ABI_SCALAR(struct xen_domctl_getdomaininfo, nr_online_vcpus)
ABI_SCALAR(struct xen_domctl_getdomaininfo, max_vcpu_id)
ABI_SCALAR(struct xen_domctl_getdomaininfo, ssidref)
ABI_SCALAR(struct xen_domctl_getdomaininfo, cpupool)
ABI_SCALAR(struct xen_domctl_getdomaininfo, gpaddr_bits)
ABI_GROUP("domctl.h: getpageframeinfo3")
ABI_CONST(XEN_DOMCTL_PFINFO_LTAB_SHIFT)
ABI_CONST(XEN_DOMCTL_PFINFO_NOTAB)
ABI_CONST(XEN_DOMCTL_PFINFO_L1TAB)
ABI_CONST(XEN_DOMCTL_PFINFO_L2TAB)
ABI_CONST(XEN_DOMCTL_PFINFO_L3TAB)
ABI_CONST(XEN_DOMCTL_PFINFO_L4TAB)
ABI_CONST(XEN_DOMCTL_PFINFO_LTABTYPE_MASK)
ABI_CONST(XEN_DOMCTL_PFINFO_LPINTAB)
ABI_CONST(XEN_DOMCTL_PFINFO_XTAB)
ABI_CONST(XEN_DOMCTL_PFINFO_XALLOC)
ABI_CONST(XEN_DOMCTL_PFINFO_BROKEN)
ABI_CONST(XEN_DOMCTL_PFINFO_LTAB_MASK)
ABI_SIZE(struct xen_domctl_getpageframeinfo3)
ABI_FIELD(struct xen_domctl_getpageframeinfo3, array) /* Xen: XEN_GUEST_HANDLE_64 */
ABI_SCALAR(struct xen_domctl_getpageframeinfo3, num)
ABI_GROUP("domctl.h: vCPU affinity, info, context")
ABI_SIZE(struct xenctl_bitmap)
ABI_FIELD(struct xenctl_bitmap, bitmap) /* Xen: XEN_GUEST_HANDLE_64 */
ABI_SCALAR(struct xenctl_bitmap, nr_bits)
ABI_CONST(XEN_VCPUAFFINITY_HARD)
ABI_CONST(XEN_VCPUAFFINITY_SOFT)
ABI_CONST(XEN_VCPUAFFINITY_FORCE)
ABI_SIZE(struct xen_domctl_vcpuaffinity)
ABI_FIELD(struct xen_domctl_vcpuaffinity, cpumap_hard)
ABI_FIELD(struct xen_domctl_vcpuaffinity, cpumap_soft)
ABI_SCALAR(struct xen_domctl_vcpuaffinity, vcpu)
ABI_SCALAR(struct xen_domctl_vcpuaffinity, flags)
ABI_SIZE(struct xen_domctl_vcpucontext)
ABI_FIELD(struct xen_domctl_vcpucontext, ctxt) /* Xen: XEN_GUEST_HANDLE_64 */
ABI_SCALAR(struct xen_domctl_vcpucontext, vcpu)
ABI_SIZE(struct xen_domctl_getvcpuinfo)
ABI_SCALAR(struct xen_domctl_getvcpuinfo, vcpu)
ABI_SCALAR(struct xen_domctl_getvcpuinfo, online)
ABI_SCALAR(struct xen_domctl_getvcpuinfo, blocked)
ABI_SCALAR(struct xen_domctl_getvcpuinfo, running)
ABI_SCALAR(struct xen_domctl_getvcpuinfo, cpu_time)
ABI_SCALAR(struct xen_domctl_getvcpuinfo, cpu)
ABI_GROUP("domctl.h: small operations")
ABI_SIZE(struct xen_domctl_max_mem)
ABI_SCALAR(struct xen_domctl_max_mem, max_memkb)
ABI_SIZE(struct xen_domctl_max_vcpus)
ABI_SCALAR(struct xen_domctl_max_vcpus, max)
ABI_SIZE(struct xen_domctl_sched_credit)
ABI_SCALAR(struct xen_domctl_sched_credit, weight)
ABI_SCALAR(struct xen_domctl_sched_credit, cap)
ABI_CONST(XEN_DOMCTL_SCHEDOP_putinfo)
ABI_CONST(XEN_DOMCTL_SCHEDOP_getinfo)
ABI_CONST(XEN_DOMCTL_SCHEDOP_putvcpuinfo)
ABI_CONST(XEN_DOMCTL_SCHEDOP_getvcpuinfo)
ABI_SIZE(struct xen_domctl_scheduler_op)
ABI_SCALAR(struct xen_domctl_scheduler_op, sched_id)
ABI_SCALAR(struct xen_domctl_scheduler_op, cmd)
ABI_FIELD(struct xen_domctl_scheduler_op, u)
ABI_FIELD(struct xen_domctl_scheduler_op, u.credit)
ABI_SCALAR(struct xen_domctl_scheduler_op, u.credit.weight)
ABI_SCALAR(struct xen_domctl_scheduler_op, u.credit.cap)
ABI_SIZE(struct xen_domctl_setdomainhandle)
ABI_FIELD(struct xen_domctl_setdomainhandle, handle)
ABI_SIZE(struct xen_domctl_hypercall_init)
ABI_SCALAR(struct xen_domctl_hypercall_init, gmfn)
ABI_SIZE(struct xen_domctl_settimeoffset)
ABI_SCALAR(struct xen_domctl_settimeoffset, time_offset_seconds)
ABI_SIZE(struct xen_domctl_set_target)
ABI_SCALAR(struct xen_domctl_set_target, target)
ABI_GROUP("domctl.h: struct xen_domctl")
ABI_SIZE(struct xen_domctl)
ABI_FIELD(struct xen_domctl, u)
ABI_FIELD(struct xen_domctl, u.createdomain)
ABI_FIELD(struct xen_domctl, u.getdomaininfo)
ABI_FIELD(struct xen_domctl, u.getpageframeinfo3)
ABI_FIELD(struct xen_domctl, u.vcpuaffinity)
ABI_FIELD(struct xen_domctl, u.max_mem)
ABI_FIELD(struct xen_domctl, u.vcpucontext)
ABI_FIELD(struct xen_domctl, u.getvcpuinfo)
ABI_FIELD(struct xen_domctl, u.hypercall_init)
ABI_FIELD(struct xen_domctl, u.max_vcpus)
ABI_FIELD(struct xen_domctl, u.scheduler_op)
ABI_FIELD(struct xen_domctl, u.setdomainhandle)
ABI_FIELD(struct xen_domctl, u.settimeoffset)
ABI_FIELD(struct xen_domctl, u.set_target)
ABI_SCALAR(struct xen_domctl, cmd)
ABI_SCALAR(struct xen_domctl, interface_version)
ABI_SCALAR(struct xen_domctl, domain)

/* --------------------------------------------------------- sysctl.h */

ABI_GROUP("sysctl.h: operations")
ABI_CONST(XEN_SYSCTL_INTERFACE_VERSION)
ABI_CONST(XEN_SYSCTL_readconsole)
ABI_CONST(XEN_SYSCTL_physinfo)
ABI_CONST(XEN_SYSCTL_sched_id)
ABI_CONST(XEN_SYSCTL_getdomaininfolist)
ABI_CONST(XEN_SYSCTL_debug_keys)
ABI_SIZE(struct xen_sysctl_readconsole)
ABI_FIELD(struct xen_sysctl_readconsole, buffer) /* Xen: XEN_GUEST_HANDLE_64 */
ABI_SCALAR(struct xen_sysctl_readconsole, clear)
ABI_SCALAR(struct xen_sysctl_readconsole, incremental)
ABI_SCALAR(struct xen_sysctl_readconsole, index)
ABI_SCALAR(struct xen_sysctl_readconsole, count)
ABI_GROUP("sysctl.h: physinfo")
ABI_CONST(XEN_SYSCTL_PHYSCAP_hvm)
ABI_CONST(XEN_SYSCTL_PHYSCAP_pv)
ABI_CONST(XEN_SYSCTL_PHYSCAP_directio)
ABI_CONST(XEN_SYSCTL_PHYSCAP_hap)
ABI_CONST(XEN_SYSCTL_PHYSCAP_shadow)
ABI_CONST(XEN_SYSCTL_PHYSCAP_iommu_hap_pt_share)
ABI_CONST(XEN_SYSCTL_PHYSCAP_vmtrace)
ABI_CONST(XEN_SYSCTL_PHYSCAP_vpmu)
ABI_CONST(XEN_SYSCTL_PHYSCAP_gnttab_v1)
ABI_CONST(XEN_SYSCTL_PHYSCAP_gnttab_v2)
ABI_SIZE(struct xen_sysctl_physinfo)
ABI_SCALAR(struct xen_sysctl_physinfo, threads_per_core)
ABI_SCALAR(struct xen_sysctl_physinfo, cores_per_socket)
ABI_SCALAR(struct xen_sysctl_physinfo, nr_cpus)
ABI_SCALAR(struct xen_sysctl_physinfo, max_cpu_id)
ABI_SCALAR(struct xen_sysctl_physinfo, nr_nodes)
ABI_SCALAR(struct xen_sysctl_physinfo, max_node_id)
ABI_SCALAR(struct xen_sysctl_physinfo, cpu_khz)
ABI_SCALAR(struct xen_sysctl_physinfo, capabilities)
ABI_SCALAR(struct xen_sysctl_physinfo, arch_capabilities)
ABI_SCALAR(struct xen_sysctl_physinfo, total_pages)
ABI_SCALAR(struct xen_sysctl_physinfo, free_pages)
ABI_SCALAR(struct xen_sysctl_physinfo, scrub_pages)
ABI_SCALAR(struct xen_sysctl_physinfo, outstanding_pages)
ABI_SCALAR(struct xen_sysctl_physinfo, max_mfn)
ABI_ARRAY(struct xen_sysctl_physinfo, hw_cap)
ABI_SIZE(struct xen_sysctl_sched_id)
ABI_SCALAR(struct xen_sysctl_sched_id, sched_id)
ABI_SIZE(struct xen_sysctl_getdomaininfolist)
ABI_FIELD(struct xen_sysctl_getdomaininfolist, buffer) /* Xen: XEN_GUEST_HANDLE_64 */
ABI_SCALAR(struct xen_sysctl_getdomaininfolist, first_domain)
ABI_SCALAR(struct xen_sysctl_getdomaininfolist, max_domains)
ABI_SCALAR(struct xen_sysctl_getdomaininfolist, num_domains)
ABI_SIZE(struct xen_sysctl_debug_keys)
ABI_FIELD(struct xen_sysctl_debug_keys, keys) /* Xen: XEN_GUEST_HANDLE_64 */
ABI_SCALAR(struct xen_sysctl_debug_keys, nr_keys)
ABI_SIZE(struct xen_sysctl)
ABI_FIELD(struct xen_sysctl, u)
ABI_FIELD(struct xen_sysctl, u.readconsole)
ABI_FIELD(struct xen_sysctl, u.physinfo)
ABI_FIELD(struct xen_sysctl, u.sched_id)
ABI_FIELD(struct xen_sysctl, u.debug_keys)
ABI_FIELD(struct xen_sysctl, u.getdomaininfolist)
ABI_SCALAR(struct xen_sysctl, cmd)
ABI_SCALAR(struct xen_sysctl, interface_version)

/* ------------------------------------------------ hvm/hvm_op.h, params.h */

ABI_GROUP("hvm/hvm_op.h, hvm/params.h")
ABI_CONST(HVMOP_set_param)
ABI_CONST(HVMOP_get_param)
ABI_CONST(HVM_PARAM_STORE_PFN)
ABI_CONST(HVM_PARAM_STORE_EVTCHN)
ABI_CONST(HVM_PARAM_CONSOLE_PFN)
ABI_CONST(HVM_PARAM_CONSOLE_EVTCHN)
ABI_CONST(HVM_NR_PARAMS)
ABI_SIZE(struct xen_hvm_param)
ABI_SCALAR(struct xen_hvm_param, domid)
ABI_SCALAR(struct xen_hvm_param, index)
ABI_SCALAR(struct xen_hvm_param, value)
