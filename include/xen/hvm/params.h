/*
 * HVM parameters Xenolith answers for PV domains built at boot: the
 * xenstore and console ring frames (machine frame numbers, as in the
 * domain's start_info) and their event channels (the domain's ports,
 * unbound, offered to domain 0).
 */
#ifndef XENOLITH_PUBLIC_HVM_PARAMS_H
#define XENOLITH_PUBLIC_HVM_PARAMS_H

#define HVM_PARAM_STORE_PFN 1
#define HVM_PARAM_STORE_EVTCHN 2
#define HVM_PARAM_CONSOLE_PFN 17
#define HVM_PARAM_CONSOLE_EVTCHN 18
#define HVM_NR_PARAMS 39

#endif
