/* The load averages of /proc/loadavg (uptime, top, w): every 5 seconds the
 * number of threads running or ready to run is folded into three
 * exponentially decaying averages over 1, 5 and 15 minutes, in Linux's
 * fixed point and with Linux's factors (kernel/sched/loadavg.c), so the
 * numbers read as a Linux guest's would.  A timer on the boot CPU takes
 * each sample: one wake-up per 5 seconds of an idle VM.  Threads in an
 * uninterruptible sleep, which Linux counts too, are not told apart here. */
#include "linux/loadavg.h"

#include "core/sched.h"
#include "core/timer.h"

#define FSHIFT		LOADAVG_SHIFT
#define FIXED_1		(1ul << FSHIFT)
#define PERIOD_NS	(5 * 1000 * 1000 * 1000ull)
#define MAX_CATCH_UP	720	/* periods: an hour late is as good as forever */

static const unsigned long factors[3] = { 1884, 2014, 2037 };	/* e^(-5s/1, 5, 15 min) */
static unsigned long averages[3];
static struct timer sampler;

static unsigned long decay(unsigned long load, unsigned long factor, unsigned long active)
{
	unsigned long next = load * factor + active * (FIXED_1 - factor);

	if (active >= load)
		next += FIXED_1 - 1;	/* round up while the load grows, as Linux */
	return next / FIXED_1;
}

static void sample(struct timer *t)
{
	struct sched_totals totals;
	uint64_t now = clock_ns(), periods = 0;

	sched_totals(&totals);
	unsigned long active = (unsigned long)totals.runnable * FIXED_1;
	do {	/* a late timer: the periods it missed, with the load of now */
		t->deadline += PERIOD_NS;
		periods++;
	} while (t->deadline <= now && periods < MAX_CATCH_UP);
	for (; periods; periods--)
		for (int k = 0; k < 3; k++)
			averages[k] = decay(__atomic_load_n(&averages[k], __ATOMIC_RELAXED), factors[k], active);
	if (t->deadline <= now)
		t->deadline = now + PERIOD_NS;
	timer_arm(t, t->deadline);
}

void loadavg_start(void)
{
	sampler.fn = sample;
	timer_arm(&sampler, clock_ns() + PERIOD_NS);
}

void loadavg_get(unsigned long out[3])
{
	for (int k = 0; k < 3; k++)
		out[k] = __atomic_load_n(&averages[k], __ATOMIC_RELAXED);
}
