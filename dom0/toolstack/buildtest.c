/*
 * The builder's self-test, run when domain 0's command line says
 * "buildtest=K1,K2,...": each kernel K from the boot bundle is built,
 * run to its poweroff and destroyed, and free memory must come back to
 * exactly what it was; then create/destroy cycles (buildcycles=N, default
 * 200) must leak nothing; then requests that must fail (garbage, no Xen
 * notes, wrong architecture, too much memory, bad vCPU counts, failures
 * injected between the steps) must fail with a message a user can act
 * on and leave nothing behind. Ends with "buildtest: N passed, N failed"
 * and the figures "buildtest: bench NAME = VALUE UNIT".
 */
#include <xen/domctl.h>
#include <xen/sched.h>
#include "builder.h"
#include "bundle.h"
#include "errno.h"
#include "hvctl.h"
#include "kernel.h"
#include "services.h"

#define TEST_MEM_KB (8 * 1024)
#define RAMDISK_LEN 10007 /* not a page multiple */
#define RUN_TIMEOUT (60 * SEC)

static int passed, failed;

#define EXPECT(cond, ...)                                      \
	do {                                                   \
		if (cond) {                                    \
			passed++;                              \
		} else {                                       \
			failed++;                              \
			printf("buildtest: FAIL %s: ", #cond); \
			printf(__VA_ARGS__);                   \
			printf("\n");                          \
		}                                              \
	} while (0)

/* "key=value" on our command line: value copied into buf, or false. */
static bool cmdline_value(const char *key, char *buf, size_t len)
{
	const char *s = (const char *)start_info->cmd_line;
	size_t n = strlen(key);

	for (; *s; s++) {
		size_t i = 0;

		if ((s != (const char *)start_info->cmd_line && s[-1] != ' ') ||
		    strncmp(s, key, n) || s[n] != '=')
			continue;
		for (s += n + 1; *s && *s != ' ' && i + 1 < len; s++)
			buf[i++] = *s;
		buf[i] = '\0';
		return true;
	}
	return false;
}

static uint64_t free_pages(void)
{
	struct xen_sysctl_physinfo pi;

	return hv_physinfo(&pi) ? 0 : pi.free_pages;
}

static bool domain_exists(uint16_t domid)
{
	struct xen_domctl_getdomaininfo info;

	return !hv_domain_info(domid, &info) && info.domain == domid;
}

/* How many domains there are (dying ones included). */
static long domain_count(void)
{
	static struct xen_domctl_getdomaininfo list[64];

	return hv_domain_list(0, list, 64);
}

/* Wait for domid to shut down; its reason, or -1 on timeout. */
static int wait_shutdown(uint16_t domid)
{
	uint64_t deadline = pv_now() + RUN_TIMEOUT;
	struct xen_domctl_getdomaininfo info;

	while (pv_now() < deadline) {
		if (hv_domain_info(domid, &info) || info.domain != domid)
			return -1;
		if (info.flags & XEN_DOMINF_shutdown)
			return (int)(info.flags >> XEN_DOMINF_shutdownshift) &
			       XEN_DOMINF_shutdownmask;
		thread_sleep(5 * MS);
	}
	return -1;
}

static uint8_t *make_ramdisk(void)
{
	uint8_t *rd = malloc(RAMDISK_LEN);

	for (size_t i = 0; rd && i < RAMDISK_LEN; i++)
		rd[i] = (uint8_t)(i * 7 + 3);
	return rd;
}

static void request_for(const struct bundle_file *k, struct build_request *r,
			const char *cmdline)
{
	*r = (struct build_request){ .name = k->name,
				     .kernel = k->data,
				     .kernel_len = k->len,
				     .cmdline = cmdline,
				     .mem_kb = TEST_MEM_KB,
				     .maxmem_kb = TEST_MEM_KB,
				     .vcpus = 1 };
}

/* Build, run to poweroff, destroy; memory must come back exactly. */
static void run_one(const struct bundle_file *k, uint8_t *ramdisk)
{
	static char cmdline[64];
	struct build_request r;
	struct built_domain bd;
	char err[160];
	uint64_t before = free_pages(), t0, t1;
	int rc, reason;

	snprintf(cmdline, sizeof(cmdline), "build_check ramdisk=%u",
		 RAMDISK_LEN);
	request_for(k, &r, cmdline);
	r.ramdisk = ramdisk;
	r.ramdisk_len = RAMDISK_LEN;
	t0 = pv_now();
	rc = build_domain(&r, &bd, err, sizeof(err));
	t1 = pv_now();
	EXPECT(rc == 0, "build %s: %d %s", k->name, rc, err);
	if (rc)
		return;
	printf("buildtest: built %s as d%u in %lu us (store %#lx:%u, console "
	       "%#lx:%u)\n",
	       k->name, bd.domid, (t1 - t0) / 1000, bd.store_mfn, bd.store_port,
	       bd.console_mfn, bd.console_port);
	printf("buildtest: d%u create started at %lu ns\n", bd.domid, t0);
	unpause_domain(bd.domid);
	reason = wait_shutdown(bd.domid);
	EXPECT(reason == SHUTDOWN_poweroff, "%s (d%u) shut down with %d",
	       k->name, bd.domid, reason);
	EXPECT(destroy_domain(bd.domid) == 0, "destroy d%u", bd.domid);
	EXPECT(!domain_exists(bd.domid), "d%u still exists", bd.domid);
	EXPECT(free_pages() == before, "%s: free pages %lu, before %lu",
	       k->name, free_pages(), before);
}

/* N create/destroy cycles without running: nothing may leak. */
static void cycles(const struct bundle_file *k, unsigned int n)
{
	struct build_request r;
	struct built_domain bd;
	char err[160];
	uint64_t before = free_pages(), t0 = pv_now(), build_ns = 0, ns;
	unsigned int done = 0;

	request_for(k, &r, "build_check");
	for (; done < n; done++) {
		uint64_t t = pv_now();

		if (build_domain(&r, &bd, err, sizeof(err)))
			break;
		build_ns += pv_now() - t;
		if (destroy_domain(bd.domid))
			break;
	}
	ns = pv_now() - t0;
	EXPECT(done == n, "cycle %u: %s", done, err);
	EXPECT(free_pages() == before, "after %u cycles: free %lu, before %lu",
	       done, free_pages(), before);
	if (done && ns) {
		uint64_t centi = (uint64_t)done * SEC * 100 / ns;

		printf("buildtest: bench create_destroy = %lu.%02lu per_s "
		       "(%u cycles of %s, %u MiB, in %lu ms)\n",
		       centi / 100, centi % 100, done, k->name,
		       TEST_MEM_KB >> 10, ns / 1000000);
		printf("buildtest: bench build_time = %lu us\n",
		       build_ns / done / 1000);
		printf("buildtest: bench destroy_time = %lu us\n",
		       (ns - build_ns) / done / 1000);
	}
}

static long vcpucontext(uint32_t cmd, uint16_t domid, uint32_t vcpu,
			struct vcpu_guest_context *c)
{
	struct xen_domctl op = { .cmd = cmd, .domain = domid };

	op.u.vcpucontext.vcpu = vcpu;
	op.u.vcpucontext.ctxt = (uint64_t)c;
	return hv_domctl(&op);
}

static long hypercall_init(uint16_t domid, uint64_t mfn)
{
	struct xen_domctl op = { .cmd = XEN_DOMCTL_hypercall_init,
				 .domain = domid };

	op.u.hypercall_init.gmfn = mfn;
	return hv_domctl(&op);
}

/*
 * The hypervisor's checks of the builder's domctls, on a built (paused)
 * domain with a second vCPU still down: every bad field is refused,
 * then vCPU 0's own context is accepted for vCPU 1.
 */
static void hostile_contexts(const struct bundle_file *k)
{
	struct vcpu_guest_context *good = calloc(1, sizeof(*good));
	struct vcpu_guest_context *bad = calloc(1, sizeof(*bad));
	uint64_t before = free_pages(), mine = virt_to_maddr(good) >> 12;
	struct build_request r;
	struct built_domain bd;
	char err[160];
	uint16_t d;

	request_for(k, &r, "build_check");
	r.vcpus = 2;
	EXPECT(good && bad && !build_domain(&r, &bd, err, sizeof(err)),
	       "build with 2 vCPUs: %s", err);
	if (!good || !bad || err[0])
		goto out;
	d = bd.domid;
	EXPECT(vcpucontext(XEN_DOMCTL_getvcpucontext, d, 0, good) == 0,
	       "getvcpucontext");
	EXPECT(vcpucontext(XEN_DOMCTL_setvcpucontext, d, 0, good) == -EBUSY,
	       "vCPU 0 is up: set again");
	*bad = *good;
	bad->ctrlreg[3] = bd.store_mfn << 12; /* not a page table */
	EXPECT(vcpucontext(XEN_DOMCTL_setvcpucontext, d, 1, bad) == -EINVAL,
	       "data frame as L4");
	bad->ctrlreg[3] = mine << 12; /* domain 0's frame */
	EXPECT(vcpucontext(XEN_DOMCTL_setvcpucontext, d, 1, bad) == -EINVAL,
	       "another domain's frame as L4");
	*bad = *good;
	bad->user_regs.rip = 0x8000000000000000ULL;
	EXPECT(vcpucontext(XEN_DOMCTL_setvcpucontext, d, 1, bad) == -EINVAL,
	       "non-canonical rip");
	*bad = *good;
	bad->user_regs.rip = 0xffff800000001000ULL;
	EXPECT(vcpucontext(XEN_DOMCTL_setvcpucontext, d, 1, bad) == -EINVAL,
	       "rip in the hypervisor");
	*bad = *good;
	bad->flags &= ~VGCF_IN_KERNEL;
	EXPECT(vcpucontext(XEN_DOMCTL_setvcpucontext, d, 1, bad) == -EINVAL,
	       "user-mode start");
	*bad = *good;
	bad->gdt_ents = 8192;
	EXPECT(vcpucontext(XEN_DOMCTL_setvcpucontext, d, 1, bad) == -EINVAL,
	       "GDT over the reserved entries");
	EXPECT(vcpucontext(XEN_DOMCTL_setvcpucontext, d, 2, good) == -EINVAL,
	       "vCPU 2 of 2");
	EXPECT(vcpucontext(XEN_DOMCTL_setvcpucontext, d, 1, NULL) == -EINVAL,
	       "no context");
	EXPECT(hypercall_init(d, good->ctrlreg[3] >> 12) == -EINVAL,
	       "hypercall page into the L4");
	EXPECT(hypercall_init(d, mine) == -EINVAL,
	       "hypercall page into domain 0's frame");
	EXPECT(hypercall_init(d, bd.store_mfn) == 0, "hypercall page");
	EXPECT(vcpucontext(XEN_DOMCTL_setvcpucontext, d, 1, good) == 0,
	       "vCPU 1 with vCPU 0's context");
	EXPECT(vcpucontext(XEN_DOMCTL_setvcpucontext, 0, 0, good) == -EINVAL,
	       "domain 0 itself");
	EXPECT(destroy_domain(d) == 0, "destroy d%u", d);
	EXPECT(free_pages() == before,
	       "after hostile contexts: free %lu, before %lu", free_pages(),
	       before);
	printf("buildtest: hostile contexts done\n");
out:
	free(good);
	free(bad);
}

static bool strstr_simple(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncmp(hay, needle, n))
			return true;
	return false;
}

/* Rename every "Xen" note in the PT_NOTE segments (sections share them). */
static void strip_xen_notes(uint8_t *elf, size_t len)
{
	uint64_t phoff;
	uint16_t phentsize, phnum;

	if (len < 64)
		return;
	memcpy(&phoff, elf + 32, 8);
	memcpy(&phentsize, elf + 54, 2);
	memcpy(&phnum, elf + 56, 2);
	for (uint16_t i = 0; i < phnum; i++) {
		const uint8_t *ph = elf + phoff + (uint64_t)i * phentsize;
		uint32_t type;
		uint64_t off, size;

		if (phoff + (uint64_t)(i + 1) * phentsize > len)
			return;
		memcpy(&type, ph, 4);
		memcpy(&off, ph + 8, 8);
		memcpy(&size, ph + 32, 8);
		if (type != 4 || off + size > len)
			continue;
		for (uint64_t at = off; at + 12 <= off + size;) {
			uint32_t namesz, descsz;

			memcpy(&namesz, elf + at, 4);
			memcpy(&descsz, elf + at + 4, 4);
			if (namesz == 4 && !memcmp(elf + at + 12, "Xen", 4))
				elf[at + 13] = 'y';
			at += 12 + ((namesz + 3ULL) & ~3ULL) +
			      ((descsz + 3ULL) & ~3ULL);
		}
	}
}

/* A request that must fail with a message containing want, leaving nothing. */
static void refused(const char *what, const struct build_request *r,
		    int want_rc, const char *want)
{
	struct built_domain bd;
	char err[160];
	uint64_t before = free_pages();
	long domains = domain_count();
	int rc = build_domain(r, &bd, err, sizeof(err));

	EXPECT(rc == want_rc, "%s: rc %d, expected %d (%s)", what, rc, want_rc,
	       err);
	EXPECT(strstr_simple(err, want), "%s: message '%s' lacks '%s'", what,
	       err, want);
	EXPECT(free_pages() == before && domain_count() == domains,
	       "%s: free %lu (before %lu), domains %ld (before %ld)", what,
	       free_pages(), before, domain_count(), domains);
	printf("buildtest: %s refused: %s\n", what, err);
}

static void error_cases(const struct bundle_file *k)
{
	static const uint8_t garbage[] = "this is not an ELF image at all....";
	struct build_request r;
	uint8_t *copy = malloc(k->len);

	request_for(k, &r, "build_check");
	r.kernel = NULL;
	refused("no kernel", &r, -ENOENT, "missing kernel");
	request_for(k, &r, "build_check");
	r.kernel = garbage;
	r.kernel_len = sizeof(garbage);
	refused("garbage image", &r, -ENOEXEC, "not a PV kernel");
	if (copy) {
		/* e_machine = EM_386: an ELF, but not for x86-64. */
		memcpy(copy, k->data, k->len);
		copy[18] = 3;
		copy[19] = 0;
		request_for(k, &r, "build_check");
		r.kernel = copy;
		refused("i386 ELF", &r, -ENOEXEC, "not a PV kernel");
		memcpy(copy, k->data, k->len);
		strip_xen_notes(copy, k->len);
		r.kernel = copy;
		refused("ELF without Xen notes", &r, -ENOEXEC,
			"not a PV kernel");
	}
	request_for(k, &r, "build_check");
	r.mem_kb = r.maxmem_kb = (free_pages() + 4096) * 4;
	refused("more memory than free", &r, -ENOMEM, "not enough free memory");
	request_for(k, &r, "build_check");
	r.vcpus = 0;
	refused("vcpus=0", &r, -EINVAL, "at least 1");
	r.vcpus = BUILDER_MAX_VCPUS + 1;
	refused("too many vCPUs", &r, -EINVAL, "too many vCPUs");
	for (int step = BUILD_POPULATED; step <= BUILD_STARTED; step++) {
		char what[32];

		snprintf(what, sizeof(what), "failure after step %d", step);
		builder_fail_after = step;
		request_for(k, &r, "build_check");
		r.ramdisk = k->data; /* anything: exercises the ramdisk path */
		r.ramdisk_len = k->len;
		refused(what, &r, -EIO, "failure injected");
	}
	builder_fail_after = 0;
	free(copy);
}

static void buildtest(void *arg)
{
	char names[128], *name = names;
	const struct bundle_file *first = NULL;
	uint8_t *ramdisk = make_ramdisk();
	unsigned int n = 200;
	char num[16];

	(void)arg;
	cmdline_value("buildtest", names, sizeof(names));
	if (cmdline_value("buildcycles", num, sizeof(num))) {
		n = 0;
		for (const char *c = num; *c >= '0' && *c <= '9'; c++)
			n = n * 10 + (unsigned int)(*c - '0');
	}
	printf("buildtest: start, %lu pages free\n", free_pages());
	while (*name) {
		char *end = name;
		const struct bundle_file *k;

		while (*end && *end != ',')
			end++;
		if (*end)
			*end++ = '\0';
		k = bundle_lookup(name);
		EXPECT(k, "%s is not in the boot bundle", name);
		if (k) {
			first = first ? first : k;
			run_one(k, ramdisk);
		}
		name = end;
	}
	if (first) {
		error_cases(first);
		hostile_contexts(first);
		cycles(first, n);
	}
	free(ramdisk);
	printf("buildtest: %d passed, %d failed\n", passed, failed);
}

/* Started from main when the command line asks for it. */
void buildtest_start(void)
{
	thread_create("buildtest", buildtest, NULL);
}
