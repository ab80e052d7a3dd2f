/* sched_op (hypercall 29): yielding, blocking, polling and shutting down. */
#ifndef XENOLITH_PUBLIC_SCHED_H
#define XENOLITH_PUBLIC_SCHED_H

#include "event_channel.h"

#define SCHEDOP_yield 0
#define SCHEDOP_block 1
#define SCHEDOP_shutdown 2
#define SCHEDOP_poll 3
#define SCHEDOP_remote_shutdown 4
#define SCHEDOP_shutdown_code 5
#define SCHEDOP_watchdog 6
#define SCHEDOP_pin_override 7

#define SHUTDOWN_poweroff 0
#define SHUTDOWN_reboot 1
#define SHUTDOWN_suspend 2
#define SHUTDOWN_crash 3
#define SHUTDOWN_watchdog 4
#define SHUTDOWN_soft_reset 5
#define SHUTDOWN_MAX 5

struct sched_shutdown {
	uint32_t reason;
};

struct sched_poll {
	uint64_t ports; /* guest pointer to evtchn_port_t[] */
	uint32_t nr_ports;
	uint64_t timeout; /* absolute system time, 0 = none */
};

struct sched_remote_shutdown {
	domid_t domain_id;
	uint32_t reason;
};

#endif
