/* Event counters (perfc.h): summed over CPUs, shown and reset by 'p'. */
#include "lib.h"
#include "perfc.h"

u64 perfc[NR_CPUS][NR_PERFC];

static const char *const perfc_names[NR_PERFC] = {
#define PERFC_NAME(name, what) [PERFC_##name] = #name,
	PERFC_LIST(PERFC_NAME)
#undef PERFC_NAME
};

static const char *const perfc_whats[NR_PERFC] = {
#define PERFC_WHAT(name, what) [PERFC_##name] = what,
	PERFC_LIST(PERFC_WHAT)
#undef PERFC_WHAT
};

/* Another CPU may be counting meanwhile: a count may land either side. */
void perfc_show(void)
{
	printk("event counters since the last 'p':\n");
	for (unsigned int i = 0; i < NR_PERFC; i++) {
		u64 sum = 0;

		for (unsigned int c = 0; c < NR_CPUS; c++)
			sum += __atomic_exchange_n(&perfc[c][i], 0,
						   __ATOMIC_RELAXED);
		printk("  %-18s %12lu  %s\n", perfc_names[i], sum,
		       perfc_whats[i]);
	}
}
