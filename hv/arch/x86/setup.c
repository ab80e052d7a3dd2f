/*
 * start_hv: the boot sequence of the hypervisor on the boot CPU, from the
 * loader's information to every CPU idling. The order matters: the console
 * first (so every later step can report), then memory (everything else
 * allocates), then descriptors and the APICs, then time, then other CPUs.
 */
#include "acpi.h"
#include "context.h"
#include "domain_build.h"
#include "m2p.h"
#include "sched.h"
#include "apic.h"
#include "bootinfo.h"
#include "cmdline.h"
#include "console.h"
#include "lib.h"
#include "mm.h"
#include "page.h"
#include "percpu.h"
#include "selftest.h"
#include "smap.h"
#include "smp.h"
#include "time.h"
#include "timer.h"
#include "traps.h"
#include "x86.h"

#define XENOLITH_VERSION "0.1"

static struct boot_info boot_info;

/* Command-line options. */
static char opt_console[64] = "com1";
static u64 opt_mem;
static unsigned int opt_loglvl = 3; /* info */
static unsigned int opt_maxcpus = NR_CPUS;
static bool opt_selftest;
static unsigned int opt_crash_test;
static u64 opt_dom0_mem = MiB(64);
static u64 opt_domu_mem = MiB(32);
static unsigned int opt_domains;
static unsigned int opt_domu_vcpus = 1; /* boot domains U (tests) */
/* Domain U console_io output: none by default (Xen's release default). */
static unsigned int opt_guest_loglvl;
extern bool guest_console_allowed;

static const char *const loglvl_names[] = { "none",  "error", "warning", "info",
					    "debug", "all",   NULL };
static const char *const guest_loglvl_names[] = { "none", "all", NULL };
static const char *const dom0_console_names[] = { "lines", "raw", NULL };
extern unsigned int opt_dom0_console;
extern bool opt_hcstats;
extern bool opt_smap, opt_smep;
static const struct cmdline_opt hv_options[] = {
	CMDLINE_STRING("console", opt_console),
	CMDLINE_SIZE("mem", opt_mem, MiB(32), ~0UL),
	CMDLINE_ENUM("loglvl", opt_loglvl, loglvl_names),
	CMDLINE_UINT("maxcpus", opt_maxcpus, 1, NR_CPUS),
	CMDLINE_BOOL("selftest", opt_selftest),
	CMDLINE_ENUM("crash_test", opt_crash_test, crash_test_names),
	CMDLINE_SIZE("dom0_mem", opt_dom0_mem, MiB(4), GiB(64)),
	CMDLINE_SIZE("domu_mem", opt_domu_mem, MiB(4), GiB(64)),
	CMDLINE_UINT("domains", opt_domains, 0, MAX_DOMAINS - 1),
	CMDLINE_UINT("domu_vcpus", opt_domu_vcpus, 1, MAX_VIRT_CPUS),
	CMDLINE_ENUM("guest_loglvl", opt_guest_loglvl, guest_loglvl_names),
	CMDLINE_ENUM("dom0_console", opt_dom0_console, dom0_console_names),
	CMDLINE_BOOL("hcstats", opt_hcstats),
	CMDLINE_BOOL("smap", opt_smap),
	CMDLINE_BOOL("smep", opt_smep),
};

static const void *boot_phys_ptr(u64 pa, u64 len, void *ctx)
{
	(void)ctx;
	if (pa + len < pa || pa + len > HV_IMAGE_MAP_SIZE)
		return NULL;
	return early_phys_ptr(pa);
}

static void report_option(void *ctx, const char *msg)
{
	(void)ctx;
	printk("Command line: %s\n", msg);
}

/* console=com1[,vga][,none]: items Xen knows that we lack are explained. */
static void apply_console_option(void)
{
	char *p = opt_console;

	while (*p) {
		char *item = p, *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		p = comma ? comma + 1 : p + strlen(p);
		if (!strcmp(item, "com1"))
			continue;
		if (!strcmp(item, "none"))
			console_enable_serial(false);
		else if (!strcmp(item, "vga"))
			printk("Command line: console 'vga' is not supported, "
			       "serial only\n");
		else
			printk("Command line: unknown console '%s' (use com1 "
			       "or none)\n",
			       item);
	}
}

/*
 * Multiboot 1 loaders (GRUB's `multiboot`, QEMU's -kernel) put the image's
 * path first on the command line, like argv[0]; Multiboot 2 loaders give
 * only the options.
 */
static const char *hv_cmdline(void)
{
	const char *p = boot_info.cmdline;

	if (boot_info.multiboot != 1)
		return p;
	while (*p == ' ')
		p++;
	while (*p && *p != ' ')
		p++;
	while (*p == ' ')
		p++;
	return p;
}

const char *hv_command_line(void)
{
	return hv_cmdline();
}

static void parse_command_line(void)
{
	int problems =
	    cmdline_parse(hv_cmdline(), hv_options, ARRAY_SIZE(hv_options),
			  report_option, NULL);
	if (problems)
		printk("Command line: %d problem%s, ignored as shown above\n",
		       problems, problems == 1 ? "" : "s");
	/* loglvl: none=0 ... debug=4, all=5 (same as debug here). */
	printk_set_level((int)opt_loglvl);
	apply_console_option();
	guest_console_allowed = opt_guest_loglvl != 0;
}

static const char *mem_type_name(u32 type)
{
	static const char *const names[] = { "?",	 "RAM",
					     "reserved", "ACPI data",
					     "ACPI NVS", "unusable" };
	return type < ARRAY_SIZE(names) ? names[type] : "?";
}

static void show_boot_info(void)
{
	printk("Boot loader: %s (Multiboot %u)\n",
	       boot_info.loader[0] ? boot_info.loader : "unknown",
	       boot_info.multiboot);
	printk("Command line: %s\n", hv_cmdline());
	printk("Memory map:\n");
	for (unsigned int i = 0; i < boot_info.nr_mem; i++) {
		const struct boot_mem_region *r = &boot_info.mem[i];
		printk("  %016lx - %016lx  %s\n", r->start, r->start + r->len,
		       mem_type_name(r->type));
	}
	printk("Modules: %u\n", boot_info.nr_mod);
	for (unsigned int i = 0; i < boot_info.nr_mod; i++)
		printk("  %u: %#lx-%#lx %s\n", i, boot_info.mod[i].start,
		       boot_info.mod[i].end, boot_info.mod[i].cmdline);
}

static void parse_boot_info(u32 magic, u32 info)
{
	char err[160];
	int rc = bootinfo_parse(magic, info, boot_phys_ptr, NULL, &boot_info,
				err, sizeof(err));

	if (rc)
		panic("cannot use the boot loader's information: %s (%d)", err,
		      rc);
	if (err[0])
		pr_warn("boot info: %s\n", err);
	bootinfo_sanitize_mem(&boot_info);
}

static void platform_init(void)
{
	if (acpi_init(boot_info.rsdp))
		panic("no ACPI tables: cannot find the CPUs and interrupt "
		      "controllers");
	printk("ACPI: %u CPU%s, local APIC at %#lx, %u IO-APIC%s, HPET %s\n",
	       acpi.nr_cpus, acpi.nr_cpus == 1 ? "" : "s", acpi.lapic_base,
	       acpi.nr_ioapics, acpi.nr_ioapics == 1 ? "" : "s",
	       acpi.hpet_base ? "present" : "absent");
	apic_map(acpi.lapic_base ? acpi.lapic_base : 0xfee00000UL);
	apic_setup_cpu();
	ioapic_init();
}

static void flush_tlb_ipi(void *arg)
{
	(void)arg;
	flush_tlb_local();
}

void i8259_disable(void);
u64 rtc_read_unix_time(void);

/* The module's text after its file name is the guest's command line. */
static const char *module_args(const struct boot_module *m)
{
	const char *p = m->cmdline;

	while (*p && *p != ' ')
		p++;
	while (*p == ' ')
		p++;
	return p;
}

static bool build_from_module(unsigned int idx, domid_t id, bool privileged,
			      u64 mem, const struct boot_module *ramdisk)
{
	const struct boot_module *m = &boot_info.mod[idx];
	struct build_params p = {
		.id = id,
		.privileged = privileged,
		.kernel = __va(m->start),
		.kernel_len = m->end - m->start,
		.initrd = ramdisk ? __va(ramdisk->start) : NULL,
		.initrd_len = ramdisk ? ramdisk->end - ramdisk->start : 0,
		.cmdline = module_args(m),
		.mem_bytes = mem,
		.vcpus = privileged ? 1 : opt_domu_vcpus,
	};
	char err[160] = "";
	struct domain *d = build_boot_domain(&p, err, sizeof(err));

	if (!d) {
		pr_err("d%u: cannot build from module %u: %s\n", id, idx, err);
		return false;
	}
	return true;
}

/* A cpio (newc) archive right after a kernel is that domain's ramdisk. */
static const struct boot_module *ramdisk_after(unsigned int idx)
{
	const struct boot_module *m = &boot_info.mod[idx + 1];

	if (idx + 1 >= boot_info.nr_mod || m->end - m->start < 6 ||
	    memcmp(__va(m->start), "070701", 6))
		return NULL;
	return m;
}

/*
 * Module 0 is domain 0's kernel; domains=N more kernels become domains
 * 1..N. A kernel may be followed by its ramdisk (for domain 0, the boot
 * bundle), recognised as a cpio archive.
 */
static void build_boot_domains(void)
{
	unsigned int idx = 0;

	if (!boot_info.nr_mod) {
		printk("No domain 0 kernel (no boot module): nothing to run.\n");
		return;
	}
	for (unsigned int id = 0; id <= opt_domains; id++) {
		const struct boot_module *rd;

		if (idx >= boot_info.nr_mod) {
			pr_err("domains=%u but only %u kernel module(s) after "
			       "domain 0's\n",
			       opt_domains, id - 1);
			return;
		}
		rd = ramdisk_after(idx);
		if (rd)
			printk("d%u: ramdisk of %lu KiB (module %u)\n", id,
			       (rd->end - rd->start) >> 10, idx + 1);
		build_from_module(idx, (domid_t)id, id == 0,
				  id ? opt_domu_mem : opt_dom0_mem, rd);
		idx += rd ? 2 : 1;
	}
}

/*
 * Start the boot domains only once all exist: the boot CPU builds them,
 * and an idle CPU would otherwise run the first ones (they may look for
 * the others) while the rest are still being built.
 */
static void start_boot_domains(void)
{
	struct domain *d;

	for_each_domain(d)
		if (d->vcpu[0])
			sched_start_vcpu(d->vcpu[0]);
}
static void start_hv(void);

/* From head.S, on the boot stack: up to the boot CPU's guarded stack. */
void __noreturn start_boot(u32 magic, u32 info);
void __noreturn start_boot(u32 magic, u32 info)
{
	i8259_disable();
	serial_init(0x3f8);
	printk("Xenolith %s: a paravirtualizing hypervisor (Xen 4.17 PV ABI)\n",
	       XENOLITH_VERSION);
	parse_boot_info(magic, info);
	parse_command_line();
	show_boot_info();

	paging_early_init();
	mm_init(&boot_info, opt_mem);
	mm_selftest(opt_selftest);
	smp_prepare_boot_cpu(start_hv);
}

/* The rest of the boot, on the boot CPU's own stack block. */
static void start_hv(void)
{
	u64 t_ready;

	cpu_protect_init();
	paging_protect_image();
	if (opt_crash_test == CRASH_EARLY_PF)
		crash_test(opt_crash_test);

	platform_init();
	time_calibrate();
	timers_init_cpu();
	smp_init_ipis();
	sched_init_cpu();
	context_init_cpu();
	m2p_init();
	vtime_init(rtc_read_unix_time());
	keyhandler_init();
	local_irq_enable();

	smp_boot_cpus(opt_maxcpus);
	/* Every SYSCALL stub is written: the text's alias turns read-only. */
	paging_protect_image_alias();
	/* Low memory is no longer needed 1:1: guests will own that range. */
	paging_drop_identity();
	smp_call_function(flush_tlb_ipi, NULL, true);

	t_ready = rdtsc();
	printk("Xenolith ready: %u of %u CPU%s online, %lu MiB free; boot took "
	       "%lu.%03lu ms (%lu ms since reset)\n",
	       nr_cpus_online, nr_cpus_present, nr_cpus_present == 1 ? "" : "s",
	       mm_free_frames() >> 8, tsc_to_ns(t_ready - boot_tsc) / 1000000,
	       (tsc_to_ns(t_ready - boot_tsc) / 1000) % 1000,
	       tsc_to_ns(t_ready) / 1000000);

	if (opt_selftest) {
		selftest_timers();
		selftest_orphans();
	}
	if (opt_crash_test)
		crash_test(opt_crash_test);
	build_boot_domains();
	start_boot_domains();
	printk("Idling.\n");
	schedule();
}
