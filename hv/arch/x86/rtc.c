/*
 * The CMOS real-time clock, read once at boot for the guests' wall clock.
 * We wait for the end of an update cycle and read until two reads agree.
 */
#include "lib.h"
#include "x86.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71

static u8 cmos_read(u8 reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static unsigned int bcd(u8 v, bool binary)
{
	return binary ? v : (v & 0xf) + (v >> 4) * 10;
}

/* Days from 1970-01-01 to y-m-d (civil calendar). */
static u64 days_since_epoch(unsigned int y, unsigned int m, unsigned int d)
{
	static const unsigned int cum[] = { 0,   31,  59,  90,  120, 151,
					    181, 212, 243, 273, 304, 334 };
	u64 days = (y - 1970) * 365ULL + d - 1 + cum[(m - 1) % 12];

	/* Leap days before this year, plus this one if past February. */
	for (unsigned int yy = 1970; yy < y; yy++)
		days += (yy % 4 == 0 && (yy % 100 || yy % 400 == 0));
	if (m > 2 && y % 4 == 0 && (y % 100 || y % 400 == 0))
		days++;
	return days;
}

struct rtc_time {
	u8 sec, min, hour, day, mon, year, century;
};

static void rtc_sample(struct rtc_time *t)
{
	while (cmos_read(0x0a) & 0x80) /* update in progress */
		cpu_relax();
	t->sec = cmos_read(0x00);
	t->min = cmos_read(0x02);
	t->hour = cmos_read(0x04);
	t->day = cmos_read(0x07);
	t->mon = cmos_read(0x08);
	t->year = cmos_read(0x09);
	t->century = cmos_read(0x32);
}

u64 rtc_read_unix_time(void);
u64 rtc_read_unix_time(void)
{
	struct rtc_time a, b;
	bool binary = cmos_read(0x0b) & 4;
	unsigned int year, hour;

	do {
		rtc_sample(&a);
		rtc_sample(&b);
	} while (memcmp(&a, &b, sizeof(a)));
	hour = bcd(a.hour & 0x7f, binary);
	if (!(cmos_read(0x0b) & 2) && (a.hour & 0x80)) /* 12-hour PM */
		hour = (hour % 12) + 12;
	year = bcd(a.year, binary) +
	       (a.century ? bcd(a.century, binary) * 100 : 2000);
	if (year < 1970 || bcd(a.mon, binary) < 1 || bcd(a.mon, binary) > 12)
		return 0;
	return days_since_epoch(year, bcd(a.mon, binary), bcd(a.day, binary)) *
		       86400 +
	       hour * 3600 + bcd(a.min, binary) * 60 + bcd(a.sec, binary);
}
