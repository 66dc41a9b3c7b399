/* Sampling profiler: see profile.h.  Samples are addresses in one array
 * filled lock-free; the report folds them into functions only at the end,
 * so taking a sample stays a few instructions in interrupt context. */
#include "core/profile.h"

#include "core/backtrace.h"
#include "core/page_alloc.h"
#include "core/printk.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/timer.h"

#define PROFILE_PERIOD_NS	100000ull	/* 10 kHz */
#define MAX_SAMPLES		(1 << 18)
#define MAX_FUNCS		512
#define REPORT_LINES		40

static bool profiling;
/* 2 MiB, taken only when profiling: as a static array it cost every VM
 * that much RAM (hello needed 2 MiB more -m). */
static uint64_t *samples;
static volatile unsigned nsamples;
static struct timer ticks[MAX_CPUS];
static bool ticking[MAX_CPUS];

static void tick(struct timer *t)
{
	timer_arm(t, clock_ns() + PROFILE_PERIOD_NS);
}

void profile_init(const char *cmdline)
{
	if (!strstr(cmdline, "amphi.profile"))
		return;
	samples = page_alloc_virt(MAX_SAMPLES * sizeof *samples / PAGE_SIZE);
	if (samples)
		profiling = true;
	else
		printk("profile: no memory for the samples; not profiling\n");
}

void profile_sample(uint64_t rip)
{
	if (!profiling)
		return;
	int cpu = this_cpu()->id;
	if (!ticking[cpu]) {	/* the first interrupt on a CPU starts its ticks */
		ticking[cpu] = true;
		ticks[cpu].fn = tick;
		tick(&ticks[cpu]);
	}
	unsigned i = __atomic_fetch_add(&nsamples, 1, __ATOMIC_RELAXED);
	if (i < MAX_SAMPLES)
		samples[i] = rip;
}

struct func_count {
	const char *name;	/* a symbol's name, or "(program)" / "(unknown)" */
	unsigned count;
};

static const char *func_of(uint64_t sample)
{
	uint64_t off;
	const char *name;

	if (sample < USER_TOP)
		return "(program)";
	name = ksym_lookup(sample, &off);
	return name ? name : "(unknown)";
}

/* Adds one sample of name to the table; names are the symbol table's own
 * strings, so equal names are equal pointers. */
static void count(struct func_count *t, int *n, const char *name)
{
	for (int i = 0; i < *n; i++)
		if (t[i].name == name) {
			t[i].count++;
			return;
		}
	if (*n < MAX_FUNCS)
		t[(*n)++] = (struct func_count){ name, 1 };
}

static void print_top(struct func_count *t, int n, unsigned total)
{
	for (int line = 0; line < REPORT_LINES && line < n; line++) {
		int best = line;
		for (int i = line + 1; i < n; i++)
			if (t[i].count > t[best].count)
				best = i;
		struct func_count top = t[best];
		t[best] = t[line];
		t[line] = top;
		printk("profile: %5u %3u.%u%% %s\n", top.count, top.count * 100 / total,
		       top.count * 1000 / total % 10, top.name);
	}
}

void profile_report(void)
{
	static struct func_count table[MAX_FUNCS];
	unsigned total = nsamples < MAX_SAMPLES ? nsamples : MAX_SAMPLES;
	int n = 0;

	if (!profiling || !total)
		return;
	profiling = false;
	for (unsigned i = 0; i < total; i++)
		count(table, &n, func_of(samples[i]));
	printk("profile: %u samples every %u us\n", total, (unsigned)(PROFILE_PERIOD_NS / 1000));
	printk("profile: kernel stacks held at most %zu of %lu bytes\n",
	       kstack_deepest(current()->kstack), KSTACK_SIZE);
	print_top(table, n, total);
}
