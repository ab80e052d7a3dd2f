/*
 * Domain 0's commands (the `xl` verbs) and the two places they run: the
 * control server on the virtio console (server.c, for the host's xl
 * client) and the prompt on the serial console (shell.c). A command
 * writes through a struct ctl_io, so it need not know which one it
 * serves; what only one side can do (request data for `put`, console
 * mode) is an operation that may be missing.
 */
#ifndef DOM0_CTL_H
#define DOM0_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CTL_STATUS_USAGE 2 /* exit status for a malformed command */

enum ctl_stream { CTL_STDOUT, CTL_STDERR };

struct ctl_io {
	void (*write)(struct ctl_io *io, enum ctl_stream s, const char *buf,
		      size_t n);
	/*
	 * The request's data (for `put`): up to n bytes, 0 at its end, or a
	 * negative errno if the client went away. NULL: none can be sent.
	 */
	long (*read_data)(struct ctl_io *io, void *buf, size_t n);
	uint64_t data_len; /* what the client announced */
	/* Attach to a domain's console until the user detaches. */
	int (*console)(struct ctl_io *io, uint16_t domid);
};

void io_printf(struct ctl_io *io, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void io_errorf(struct ctl_io *io, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Split line into at most max words (in place); returns the count. */
int ctl_split(char *line, char **argv, int max);
/* Run a command line; returns its exit status (0 ok, 1 failed, 2 usage). */
int ctl_run(struct ctl_io *io, char *line);

/* Commands (xl_*.c): argv[0] is the command's name. */
typedef int (*ctl_cmd_fn)(struct ctl_io *io, int argc, char **argv);
int xl_info(struct ctl_io *io, int argc, char **argv);
int xl_list(struct ctl_io *io, int argc, char **argv);
int xl_dmesg(struct ctl_io *io, int argc, char **argv);
int xl_debug_keys(struct ctl_io *io, int argc, char **argv);
int xl_console(struct ctl_io *io, int argc, char **argv);
int xl_put(struct ctl_io *io, int argc, char **argv);
int xl_ls(struct ctl_io *io, int argc, char **argv);
int xl_rm(struct ctl_io *io, int argc, char **argv);
int xl_lspci(struct ctl_io *io, int argc, char **argv);
/* xl_dev.c: domain 0's virtio disks and network cards */
int xl_blk_info(struct ctl_io *io, int argc, char **argv);
int xl_blk_read(struct ctl_io *io, int argc, char **argv);
int xl_blk_write(struct ctl_io *io, int argc, char **argv);
int xl_blk_flush(struct ctl_io *io, int argc, char **argv);
int xl_net_info(struct ctl_io *io, int argc, char **argv);
int xl_net_ping(struct ctl_io *io, int argc, char **argv);
/* xl_block.c: virtual block devices of running domains */
int xl_block_list(struct ctl_io *io, int argc, char **argv);
int xl_network_list(struct ctl_io *io, int argc, char **argv);
int xl_network_attach(struct ctl_io *io, int argc, char **argv);
int xl_network_detach(struct ctl_io *io, int argc, char **argv);
/* xl_vfr.c: the VFR's rules and counters per VIF */
int xl_vfr_list(struct ctl_io *io, int argc, char **argv);
int xl_vfr_add(struct ctl_io *io, int argc, char **argv);
int xl_vfr_del(struct ctl_io *io, int argc, char **argv);
int xl_block_attach(struct ctl_io *io, int argc, char **argv);
int xl_block_detach(struct ctl_io *io, int argc, char **argv);
/* xl_cow.c: copy-on-write overlays */
int xl_cow_create(struct ctl_io *io, int argc, char **argv);
int xl_cow_reset(struct ctl_io *io, int argc, char **argv);
int xl_cow_info(struct ctl_io *io, int argc, char **argv);
int xl_create(struct ctl_io *io, int argc, char **argv);
int xl_cycle(struct ctl_io *io, int argc, char **argv);
int xl_destroy(struct ctl_io *io, int argc, char **argv);
int xl_shutdown(struct ctl_io *io, int argc, char **argv);
int xl_pause(struct ctl_io *io, int argc, char **argv);
int xl_vcpu_list(struct ctl_io *io, int argc, char **argv);
int xl_vcpu_pin(struct ctl_io *io, int argc, char **argv);
/* xl_resources.c: balloon targets, online vCPUs, list -l */
int xl_mem_set(struct ctl_io *io, int argc, char **argv);
int xl_vcpu_set(struct ctl_io *io, int argc, char **argv);
int xl_list_long(struct ctl_io *io, int argc, char **argv);
int xl_sched_credit(struct ctl_io *io, int argc, char **argv);
int xl_domid(struct ctl_io *io, int argc, char **argv);
int xl_domname(struct ctl_io *io, int argc, char **argv);
int xl_rename(struct ctl_io *io, int argc, char **argv);

/*
 * A domain argument as xl takes one (a name or an id): 0 and *domid, or
 * -ENOENT after telling the user, prefixed with cmd.
 */
int ctl_domain_arg(struct ctl_io *io, const char *cmd, const char *spec,
		   uint16_t *domid);

/* Domain names for listings: "Domain-0", the xenstore name, or "domN". */
void domain_name(uint16_t domid, char *buf, size_t n);

/* The parts started by services_start through ctl_start. */
void ctl_server_start(void);
void ctl_shell_start(void);
void ctl_start(void);

#endif
