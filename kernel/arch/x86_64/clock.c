/* Clocks.  The PIT is the one clock of known frequency that pc, q35 and
 * microvm (with pit=on) all have; it is read by latching channel 0, whose
 * gate is always open (channel 2's gate needs port 0x61, which microvm lacks). */
#include "arch/x86_64/clock.h"

#include "arch/x86_64/arch.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/x86.h"
#include "core/printk.h"

#define PIT_HZ		1193182u
#define CALIBRATE_MS	10

static uint64_t tsc_hz, tsc_at_boot, ns_mult;	/* ns = ticks * ns_mult >> 32 */
static uint64_t boot_epoch;

static uint16_t pit_read(void)
{
	outb(0x43, 0x00);	/* latch channel 0 */
	uint8_t lo = inb(0x40);
	return lo | (uint16_t)inb(0x40) << 8;
}

static void calibrate(void)
{
	const uint16_t span = PIT_HZ * CALIBRATE_MS / 1000;

	outb(0x43, 0x30);	/* channel 0, lo/hi, mode 0: count down once */
	outb(0x40, 0xff);
	outb(0x40, 0xff);
	uint16_t start = pit_read();
	lapic_timer_start_count(0xffffffffu);
	uint64_t t0 = rdtsc();
	uint32_t l0 = lapic_timer_current();

	while ((uint16_t)(start - pit_read()) < span)
		cpu_relax();
	uint64_t t1 = rdtsc();
	uint32_t l1 = lapic_timer_current();

	lapic_timer_start_count(0);
	tsc_hz = (t1 - t0) * 1000 / CALIBRATE_MS;
	lapic_timer_set_hz((uint64_t)(l0 - l1) * 1000 / CALIBRATE_MS);
	if (tsc_hz < 1000000)
		panic("clock calibration failed: TSC at %lu Hz (is the PIT there?)", tsc_hz);
	ns_mult = (1000000000ull << 32) / tsc_hz;
	printk("clock: TSC %lu MHz, APIC timer %lu kHz\n", tsc_hz / 1000000,
	       (uint64_t)(l0 - l1) / CALIBRATE_MS);
}

static uint8_t cmos(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static unsigned from_bcd(uint8_t v, int bcd) { return bcd ? (v & 15) + (v >> 4) * 10 : v; }

static uint64_t days_since_epoch(unsigned y, unsigned m, unsigned d)
{
	/* Days from 1970-01-01 to y-m-d, by the civil-from-days inverse. */
	y -= m <= 2;
	uint64_t era = y / 400, yoe = y - era * 400;
	uint64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	uint64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void read_rtc(void)
{
	for (int i = 0; i < 1000000 && (cmos(0x0a) & 0x80); i++)
		cpu_relax();	/* update in progress */
	int bcd = !(cmos(0x0b) & 0x04);
	unsigned sec = from_bcd(cmos(0x00), bcd), min = from_bcd(cmos(0x02), bcd);
	uint8_t hr = cmos(0x04);
	unsigned hour = from_bcd(hr & 0x7f, bcd);
	unsigned day = from_bcd(cmos(0x07), bcd), mon = from_bcd(cmos(0x08), bcd);
	unsigned year = from_bcd(cmos(0x09), bcd) + 2000;

	if (!(cmos(0x0b) & 0x02) && (hr & 0x80))
		hour = (hour % 12) + 12;	/* 12-hour clock, PM */
	if (mon < 1 || mon > 12 || day < 1 || day > 31)
		return;	/* no RTC: the clock starts at 1970 */
	boot_epoch = days_since_epoch(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec;
}

void clock_init(void)
{
	calibrate();
	tsc_at_boot = rdtsc();
	read_rtc();
}

uint64_t clock_tsc_hz(void) { return tsc_hz; }

uint64_t arch_clock_ns(void)
{
	return (unsigned __int128)(rdtsc() - tsc_at_boot) * ns_mult >> 32;
}

uint64_t arch_boot_epoch_s(void) { return boot_epoch; }
