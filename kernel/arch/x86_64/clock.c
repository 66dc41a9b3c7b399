/* Clocks.  The PIT is the one clock of known frequency that pc, q35 and
 * microvm (with pit=on) all have; it is read by latching channel 0, whose
 * gate is always open (channel 2's gate needs port 0x61, which microvm lacks).
 *
 * Boot measures the TSC and the APIC timer against it for 1 ms, which is
 * enough to schedule and keep time (bracketed reads make that good to
 * a few tenths of a percent).  The measurement starts early
 * (clock_calibrate_start) and ends in clock_init, so that the boot work
 * between the two, which needs no clock, takes up the wait.  A second,
 * long measurement then runs beside the
 * program (clock_refine_step, from a kernel thread): the PIT free-running
 * for a second, sampled often enough to count its wraps, gives the TSC's
 * rate to a few parts per million.  Boot no longer waits the 10 ms a
 * single measurement that good would take. */
#include "arch/x86_64/clock.h"

#include "arch/x86_64/arch.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/x86.h"
#include "core/printk.h"

#define PIT_HZ		1193182u
#define CALIBRATE_MS	1
#define REFINE_TICKS	PIT_HZ		/* a second of PIT time */
#define REFINE_GAP_NS	(40ull * 1000000)	/* a sample later than this may hide a wrap */

/* ns = ns_base + (tsc - tsc_base) * mult >> 32.  seq is odd while the
 * three change (once, at refinement): readers retry. */
static struct {
	volatile uint32_t seq;
	uint64_t tsc_base, ns_base, mult;
} conv;
static uint64_t tsc_hz;
static uint64_t boot_epoch;

static uint16_t pit_read(void)
{
	outb(0x43, 0x00);	/* latch channel 0 */
	uint8_t lo = inb(0x40);
	return lo | (uint16_t)inb(0x40) << 8;
}

/* Where the PIT and the APIC timer stood, and the TSC at that moment:
 * each read sits between two TSC reads, and the middle counts.  Under
 * TCG the vCPU's host thread may be preempted for a millisecond in the
 * middle of a read, which would skew a 1 ms measurement wholly; the
 * narrowest of a few brackets leaves that out. */
struct sample {
	uint16_t pit;
	uint32_t lapic;
	uint64_t tsc_pit, tsc_lapic;
};

static void take_sample(struct sample *s)
{
	uint64_t best_pit = ~0ull, best_lapic = ~0ull;

	for (int i = 0; i < 4; i++) {
		uint64_t a = rdtsc();
		uint16_t p = pit_read();
		uint64_t b = rdtsc();
		uint32_t l = lapic_timer_current();
		uint64_t c = rdtsc();
		if (b - a < best_pit) {
			best_pit = b - a;
			s->pit = p;
			s->tsc_pit = a + (b - a) / 2;
		}
		if (c - b < best_lapic) {
			best_lapic = c - b;
			s->lapic = l;
			s->tsc_lapic = b + (c - b) / 2;
		}
	}
}

static struct sample cal_start;

/* Whether channel 0 passed its terminal count since it was loaded (its OUT
 * pin, from a read-back of its status): then it has wrapped, and ticks
 * counted across the wrap would be wrong. */
static bool pit_wrapped(void)
{
	outb(0x43, 0xe2);	/* read back the status of channel 0 */
	return inb(0x40) & 0x80;
}

void clock_calibrate_start(void)
{
	outb(0x43, 0x30);	/* channel 0, lo/hi, mode 0: count down once */
	outb(0x40, 0xff);
	outb(0x40, 0xff);
	lapic_timer_start_count(0xffffffffu);
	take_sample(&cal_start);
}

static void calibrate_finish(void)
{
	const uint16_t span = PIT_HZ * CALIBRATE_MS / 1000;
	struct sample s0 = cal_start, s1;

	while ((uint16_t)(s0.pit - pit_read()) < span && !pit_wrapped())
		cpu_relax();
	take_sample(&s1);
	if (pit_wrapped()) {	/* the work in between took over 54 ms: again, waiting */
		clock_calibrate_start();
		calibrate_finish();
		return;
	}
	lapic_timer_start_count(0);

	uint64_t ticks = (uint16_t)(s0.pit - s1.pit);
	tsc_hz = (s1.tsc_pit - s0.tsc_pit) * PIT_HZ / ticks;
	if (tsc_hz < 1000000)
		panic("clock calibration failed: TSC at %lu Hz (is the PIT there?)", tsc_hz);
	uint64_t lapic_hz = (uint64_t)(s0.lapic - s1.lapic) * (tsc_hz / 1000) /
			    ((s1.tsc_lapic - s0.tsc_lapic) / 1000);
	lapic_timer_set_hz(lapic_hz);
	conv.mult = (1000000000ull << 32) / tsc_hz;
	printk_info("clock: TSC %lu MHz, APIC timer %lu kHz\n", tsc_hz / 1000000, lapic_hz / 1000);
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
	conv.tsc_base = rdtsc();	/* first: calibrate_finish's line is stamped from here */
	calibrate_finish();
	read_rtc();
}

uint64_t clock_tsc_hz(void) { return tsc_hz; }

/* The conversion's time at TSC value tsc; the caller keeps conv steady. */
static uint64_t conv_ns(uint64_t tsc)
{
	return conv.ns_base + (uint64_t)((unsigned __int128)(tsc - conv.tsc_base) * conv.mult >> 32);
}

uint64_t arch_clock_ns(void)
{
	uint32_t seq;
	uint64_t ns;

	do {
		seq = __atomic_load_n(&conv.seq, __ATOMIC_ACQUIRE);
		ns = conv_ns(rdtsc());
		__atomic_thread_fence(__ATOMIC_ACQUIRE);	/* the fields before seq again */
	} while ((seq & 1) || seq != __atomic_load_n(&conv.seq, __ATOMIC_RELAXED));
	return ns;
}

/* ---- refinement ------------------------------------------------------------------ */

static struct {
	uint64_t tsc, pit_ticks, tsc_sum;	/* the last sample; what has been summed */
	uint16_t count;
	bool started;
} refine;

/* Rebases the conversion at this instant, so time goes on from where it
 * is, at the new rate.  The base is the old conversion at the very TSC
 * value that becomes the new base: a time read earlier and used as the
 * base would set the clock back by the gap, and another CPU reading in
 * that gap would see its monotonic clock step backwards (Erlang aborts). */
static void set_rate(uint64_t hz)
{
	uint64_t flags = irq_save();

	__atomic_store_n(&conv.seq, conv.seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);	/* seq odd before the fields change */
	uint64_t tsc = rdtsc();
	conv.ns_base = conv_ns(tsc);
	conv.tsc_base = tsc;
	conv.mult = (1000000000ull << 32) / hz;
	__atomic_store_n(&conv.seq, conv.seq + 1, __ATOMIC_RELEASE);	/* the fields before seq even */
	irq_restore(flags);
	tsc_hz = hz;
}

int clock_refine_step(void)
{
	struct sample s;

	if (!refine.started) {	/* the PIT as a rate generator: counts 65536 down, again */
		outb(0x43, 0x34);
		outb(0x40, 0);
		outb(0x40, 0);
		take_sample(&s);
		refine.tsc = s.tsc_pit;
		refine.count = s.pit;
		refine.started = true;
		return 1;
	}
	take_sample(&s);
	uint64_t t = s.tsc_pit;
	uint16_t c = s.pit;
	/* Only intervals short enough to hold at most one wrap count. */
	if ((uint64_t)((unsigned __int128)(t - refine.tsc) * conv.mult >> 32) < REFINE_GAP_NS) {
		refine.pit_ticks += (uint16_t)(refine.count - c);
		refine.tsc_sum += t - refine.tsc;
	}
	refine.tsc = t;
	refine.count = c;
	if (refine.pit_ticks < REFINE_TICKS)
		return 1;
	uint64_t hz = refine.tsc_sum * PIT_HZ / refine.pit_ticks;	/* < 2^64 for seconds at GHz */
	if (hz > tsc_hz / 2 && hz < tsc_hz * 2)	/* else something is wrong: keep the first */
		set_rate(hz);
	printk_info("clock: TSC refined to %lu kHz over %lu ms of the PIT\n", hz / 1000,
		    refine.pit_ticks * 1000 / PIT_HZ);
	return 0;
}

uint64_t arch_boot_epoch_s(void) { return boot_epoch; }
