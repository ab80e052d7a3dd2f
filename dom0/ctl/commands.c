/*
 * The command table and what every command shares: splitting a line into
 * words, formatted output through a struct ctl_io, and `help`.
 */
#include "errno.h"
#include "kernel.h"
#include "toolstack.h"
#include "ctl.h"

static int xl_help(struct ctl_io *io, int argc, char **argv);

static const struct command {
	const char *name, *args, *help;
	ctl_cmd_fn fn;
} commands[] = {
	{ "help", "", "list the commands", xl_help },
	{ "info", "", "hypervisor version, CPUs and memory", xl_info },
	{ "list", "[-l] [DOMAIN]",
	  "the domains, as xl list shows them (-l: JSON, target and actual "
	  "memory)",
	  xl_list },
	{ "create", "FILE [KEY=VALUE]", "create a domain from an xl.cfg",
	  xl_create },
	{ "destroy", "DOMAIN", "stop a domain at once and free it",
	  xl_destroy },
	{ "shutdown", "[-t S] DOMAIN",
	  "ask it to power off; destroy it after S s (30; 0: only ask)",
	  xl_shutdown },
	{ "reboot", "[-t S] DOMAIN", "ask it to reboot (as shutdown)",
	  xl_shutdown },
	{ "pause", "DOMAIN", "stop a domain's vCPUs", xl_pause },
	{ "unpause", "DOMAIN", "let them run again", xl_pause },
	{ "console", "DOMAIN", "attach to a domain's console (Ctrl-] leaves)",
	  xl_console },
	{ "vcpu-list", "[DOMAIN]", "vCPUs: CPU, state, time, affinity",
	  xl_vcpu_list },
	{ "vcpu-pin", "DOMAIN VCPU CPUS [SOFT]",
	  "set a vCPU's hard (and soft) affinity", xl_vcpu_pin },
	{ "vcpu-set", "[--ignore-host] DOMAIN N",
	  "N vCPUs online (cpu/N/availability; the guest follows)",
	  xl_vcpu_set },
	{ "mem-set", "DOMAIN SIZE",
	  "balloon target (MiB, or with b/k/m/g/t), at most maxmem",
	  xl_mem_set },
	{ "sched-credit", "[-d DOMAIN [-w WEIGHT] [-c CAP]]",
	  "credit scheduler weights and caps: show, or set one domain's",
	  xl_sched_credit },
	{ "domid", "NAME", "the id of the domain named NAME", xl_domid },
	{ "domname", "ID", "the name of domain ID", xl_domname },
	{ "rename", "DOMAIN NAME", "give a domain a new name", xl_rename },
	{ "cycle", "[-w] N FILE", "create and destroy FILE's domain N times",
	  xl_cycle },
	{ "dmesg", "", "the hypervisor's log", xl_dmesg },
	{ "debug-keys", "KEYS",
	  "run the hypervisor's keyhandler on KEYS (output: dmesg)",
	  xl_debug_keys },
	{ "put", "NAME", "store the request's data as file NAME (host xl)",
	  xl_put },
	{ "ls", "", "files in domain 0's memory, with size and CRC-32", xl_ls },
	{ "rm", "NAME", "remove a file", xl_rm },
	{ "lspci", "", "the PCI devices domain 0 found", xl_lspci },
	{ "blk-info", "", "virtio disks: size, block size, counters",
	  xl_blk_info },
	{ "blk-read", "DEV SECTOR COUNT", "read sectors; print their CRC-32",
	  xl_blk_read },
	{ "blk-write", "DEV SECTOR PATTERN COUNT",
	  "fill sectors with PATTERN repeated, flush", xl_blk_write },
	{ "blk-flush", "DEV", "flush a disk's write cache", xl_blk_flush },
	{ "block-list", "[DOMAIN]", "virtual block devices (VBDs)",
	  xl_block_list },
	{ "block-attach", "DOMAIN DISKSPEC",
	  "give a running domain a VBD (xl.cfg disk syntax)",
	  xl_block_attach },
	{ "block-detach", "DOMAIN VDEV",
	  "take a VBD away (the guest closes it; forced after 10 s)",
	  xl_block_detach },
	{ "cow-create", "[-f] OVERLAY BASE [BLOCK-BYTES]",
	  "make an empty copy-on-write overlay (format=cow) for a base",
	  xl_cow_create },
	{ "cow-reset", "OVERLAY",
	  "discard an overlay's writes: it reads as its base again",
	  xl_cow_reset },
	{ "cow-info", "OVERLAY", "an overlay's base, block size and use",
	  xl_cow_info },
	{ "network-list", "[DOMAIN]",
	  "virtual network interfaces (VIFs) and their VFR counters",
	  xl_network_list },
	{ "network-attach", "DOMAIN [VIFSPEC]",
	  "give a running domain a VIF (xl.cfg vif syntax)",
	  xl_network_attach },
	{ "network-detach", "DOMAIN DEVID",
	  "take a VIF away (the guest closes it; forced after 10 s)",
	  xl_network_detach },
	{ "vfr-list", "[DOMAIN]",
	  "the VFR's rules per VIF, with what each matched, and spoof drops",
	  xl_vfr_list },
	{ "vfr-add", "DOMAIN DEVID RULE [NR]",
	  "add a VFR rule (vif vfr= syntax) to a VIF, before rule NR",
	  xl_vfr_add },
	{ "vfr-del", "DOMAIN DEVID NR", "remove a VIF's VFR rule NR",
	  xl_vfr_del },
	{ "net-info", "", "virtio network cards: MAC, link, counters",
	  xl_net_info },
	{ "net-ping", "[DEV [COUNT]]",
	  "ARP and ping QEMU's user-net gateway 10.0.2.2", xl_net_ping },
};

static void io_vwrite(struct ctl_io *io, enum ctl_stream s, const char *fmt,
		      va_list ap)
{
	char buf[512];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	if (n > 0)
		io->write(io, s, buf, (size_t)n);
}

void io_printf(struct ctl_io *io, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	io_vwrite(io, CTL_STDOUT, fmt, ap);
	va_end(ap);
}

void io_errorf(struct ctl_io *io, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	io_vwrite(io, CTL_STDERR, fmt, ap);
	va_end(ap);
}

int ctl_split(char *line, char **argv, int max)
{
	int argc = 0;

	while (*line && argc < max) {
		while (*line == ' ' || *line == '\t')
			*line++ = '\0';
		if (!*line)
			break;
		argv[argc++] = line;
		while (*line && *line != ' ' && *line != '\t')
			line++;
	}
	while (*line) /* drop what does not fit */
		*line++ = '\0';
	return argc;
}

int ctl_domain_arg(struct ctl_io *io, const char *cmd, const char *spec,
		   uint16_t *domid)
{
	if (!tk_resolve(spec, domid))
		return 0;
	io_errorf(io, "%s: no domain named or numbered '%s' (see xl list)\n",
		  cmd, spec);
	return -ENOENT;
}

int ctl_run(struct ctl_io *io, char *line)
{
	char *argv[16];
	int argc = ctl_split(line, argv, 16);

	if (!argc)
		return 0;
	for (unsigned int i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[0], commands[i].name))
			return commands[i].fn(io, argc, argv);
	io_errorf(io, "unknown command '%s'; 'help' lists the commands\n",
		  argv[0]);
	return CTL_STATUS_USAGE;
}

static int xl_help(struct ctl_io *io, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	io_printf(io, "Xenolith domain 0 commands:\n");
	for (unsigned int i = 0; i < ARRAY_SIZE(commands); i++) {
		char both[48];
		snprintf(both, sizeof(both), "%s %s", commands[i].name,
			 commands[i].args);
		io_printf(io, "  %-24s %s\n", both, commands[i].help);
	}
	return 0;
}
