/*
 * TSC calibration and conversions. The PIT's channel 2 counts a known
 * interval (its input clock is 1193182 Hz) while we read the TSC and the
 * APIC timer's count, which gives both rates from one measurement. Under
 * an emulator the CPU can be descheduled in the middle of it (seen at
 * 4785 MHz for a 2096 MHz TSC on a loaded host, every guest clock then
 * running at 0.44): the median of several intervals is kept.
 * Conversions use 32.32 fixed-point multipliers so that no division is
 * needed on hot paths.
 */
#include "apic.h"
#include "lib.h"
#include "time.h"
#include "x86.h"

#define PIT_HZ 1193182UL
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PORT_B 0x61
#define CALIBRATE_MS 10
#define CALIBRATE_SAMPLES 5

u64 tsc_hz;
static u64 ns_per_tsc_mul; /* ns = ticks * mul >> 32 */
static u64 tsc_per_ns_mul; /* ticks = ns * mul >> 32 */
static u64 apic_per_tsc_mul; /* apic counts = ticks * mul >> 32 */

/* a * mul >> 32, saturating instead of wrapping for huge a. */
static u64 mul_shift32(u64 a, u64 mul)
{
	unsigned __int128 r = ((unsigned __int128)a * mul) >> 32;

	return r >> 62 ? 1UL << 62 : (u64)r;
}

/* (num << 32) / den without a 128-bit division (no libgcc here). */
u64 div_shift32(u64 num, u64 den)
{
	u64 q = num / den, r = num % den;

	for (int i = 0; i < 32; i++) {
		q <<= 1;
		r <<= 1;
		if (r >= den) {
			r -= den;
			q |= 1;
		}
	}
	return q;
}

/* One PIT-timed interval: returns the TSC ticks and APIC counts in it. */
static void pit_measure(u64 *tsc_ticks, u64 *apic_counts)
{
	u32 latch = PIT_HZ * CALIBRATE_MS / 1000;
	u64 t0, t1;
	u32 a0, a1;

	/* Gate on, speaker off; channel 2, mode 0, binary, lo/hi byte. */
	outb(PORT_B, (inb(PORT_B) & ~0x02) | 0x01);
	outb(PIT_CMD, 0xb0);
	outb(PIT_CH2, latch & 0xff);
	outb(PIT_CH2, latch >> 8);
	apic_timer_start_count(0xffffffff);
	a0 = apic_timer_count();
	t0 = rdtsc_ordered();
	while (!(inb(PORT_B) & 0x20))
		cpu_relax();
	t1 = rdtsc_ordered();
	a1 = apic_timer_count();
	apic_timer_start_count(0);
	*tsc_ticks = t1 - t0;
	*apic_counts = a0 - a1;
}

/* The median interval (by TSC ticks) of CALIBRATE_SAMPLES: a stall
 * lengthens or shortens one interval, not the middle one. */
static void pit_measure_median(u64 *tsc_ticks, u64 *apic_counts)
{
	u64 ticks[CALIBRATE_SAMPLES], counts[CALIBRATE_SAMPLES];

	for (int i = 0; i < CALIBRATE_SAMPLES; i++) {
		u64 t, c;
		int j = i;

		pit_measure(&t, &c);
		for (; j > 0 && ticks[j - 1] > t; j--) {
			ticks[j] = ticks[j - 1];
			counts[j] = counts[j - 1];
		}
		ticks[j] = t;
		counts[j] = c;
	}
	*tsc_ticks = ticks[CALIBRATE_SAMPLES / 2];
	*apic_counts = counts[CALIBRATE_SAMPLES / 2];
}

void time_calibrate(void)
{
	u64 ticks, counts;

	pit_measure_median(&ticks, &counts);
	tsc_hz = ticks * 1000 / CALIBRATE_MS;
	apic_timer_hz = counts * 1000 / CALIBRATE_MS;
	if (!tsc_hz)
		panic("time: the TSC does not advance");
	ns_per_tsc_mul = div_shift32(1000000000UL, tsc_hz);
	tsc_per_ns_mul = div_shift32(tsc_hz, 1000000000UL);
	apic_per_tsc_mul = div_shift32(apic_timer_hz, tsc_hz);
	printk("time: TSC %lu.%03lu MHz, APIC timer %lu.%03lu MHz%s (PIT, "
	       "median of %u x %u ms)\n",
	       tsc_hz / 1000000, (tsc_hz / 1000) % 1000,
	       apic_timer_hz / 1000000, (apic_timer_hz / 1000) % 1000,
	       apic_tsc_deadline ? ", TSC-deadline mode" : ", one-shot mode",
	       CALIBRATE_SAMPLES, CALIBRATE_MS);
}

u64 tsc_to_ns(u64 ticks)
{
	return mul_shift32(ticks, ns_per_tsc_mul);
}

u64 ns_to_tsc(u64 ns)
{
	return mul_shift32(ns, tsc_per_ns_mul);
}

u64 NOW(void)
{
	return tsc_to_ns(rdtsc() - boot_tsc);
}

u64 ns_to_tsc_abs(u64 ns)
{
	u64 t = ns_to_tsc(ns);

	return t > ~0UL - boot_tsc ? ~0UL : boot_tsc + t;
}

u64 tsc_delta_to_apic(u64 ticks)
{
	return mul_shift32(ticks, apic_per_tsc_mul);
}

void udelay(u64 us)
{
	u64 end = rdtsc() + ns_to_tsc(MICROSECS(us));
	while ((s64)(rdtsc() - end) < 0)
		cpu_relax();
}
