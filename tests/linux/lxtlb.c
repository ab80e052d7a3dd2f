/*
 * The cost of a cross-vCPU TLB flush in an SMP guest: the main thread,
 * pinned to CPU 0, changes a page's protection (mprotect read-only and
 * back) and maps, touches and unmaps a page (munmap), first alone and
 * then with a thread of the same process spinning on every other CPU,
 * reading the pages so that the process's address space is live there.
 * Then Linux must flush the other CPUs' TLBs (on Xen PV: mmuext_op
 * TLB_FLUSH_MULTI/INVLPG_MULTI, which the hypervisor turns into IPIs to
 * the physical CPUs running those vCPUs). The difference per operation
 * is the cost of the shootdown.
 *
 *   lxtlb [ITERATIONS]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static volatile int stop;
static volatile char *shared;

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void *spinner(void *arg)
{
	unsigned long sum = 0;

	pin((int)(long)arg);
	while (!stop)
		sum += shared[0];
	return (void *)sum;
}

/* Microseconds per mprotect pair and per map/touch/unmap. */
static void measure(int n, double *mprot, double *unmap)
{
	char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	double t;

	page[0] = 1;
	t = now_us();
	for (int i = 0; i < n; i++) {
		mprotect(page, 4096, PROT_READ);
		mprotect(page, 4096, PROT_READ | PROT_WRITE);
		page[0] = (char)i;
	}
	*mprot = (now_us() - t) / n;
	munmap(page, 4096);
	t = now_us();
	for (int i = 0; i < n; i++) {
		char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		p[0] = 1;
		munmap(p, 4096);
	}
	*unmap = (now_us() - t) / n;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2000;
	int cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	pthread_t th[64];
	double m1, u1, m2, u2;

	if (n <= 0 || cpus < 2 || cpus > 64) {
		fprintf(stderr, "lxtlb: need 2 to 64 CPUs and a count\n");
		return 1;
	}
	shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pin(0);
	measure(n, &m1, &u1);
	for (int c = 1; c < cpus; c++)
		pthread_create(&th[c], NULL, spinner, (void *)(long)c);
	usleep(100000);
	measure(n, &m2, &u2);
	stop = 1;
	for (int c = 1; c < cpus; c++)
		pthread_join(th[c], NULL);
	printf("lxtlb: %d CPUs, %d iterations\n", cpus, n);
	printf("lxtlb: mprotect pair alone %.1f us, with %d spinning %.1f us: "
	       "shootdown %.1f us\n",
	       m1, cpus - 1, m2, m2 - m1);
	printf("lxtlb: mmap+touch+munmap alone %.1f us, with %d spinning "
	       "%.1f us: shootdown %.1f us\n",
	       u1, cpus - 1, u2, u2 - u1);
	return 0;
}
