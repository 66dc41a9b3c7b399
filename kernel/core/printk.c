/* printk and panic. */
#include "core/printk.h"

#include <stdarg.h>

#include "arch/x86_64/arch.h"
#include "core/backtrace.h"
#include "core/format.h"
#include "core/klog.h"
#include "core/string.h"

static printk_sink_fn *printk_sink;
/* The last line printed, for whoever wants to repeat why something
 * failed (boot mounts), outside emergencies.  Guarded by a flag that is
 * tried, never waited for: a spinlock here would make printk reach the
 * lock watchdog, which prints. */
static volatile int last_busy;
static char last_line[160];
static unsigned long nlines;
static panic_hook_fn *panic_hook;
static volatile int panicking;
static volatile bool emergency;
static bool verbose;	/* set once, at boot */
static int console_level = 7;	/* messages below this level reach the console */

void printk_emergency(void) { emergency = true; }
bool printk_in_emergency(void) { return emergency; }

void printk_set_sink(printk_sink_fn *sink) { printk_sink = sink; }
void panic_set_hook(panic_hook_fn *hook) { panic_hook = hook; }

static void remember(const char *text, size_t n)
{
	while (n && text[n - 1] == '\n')
		n--;
	if (n >= sizeof last_line)
		n = sizeof last_line - 1;
	if (__atomic_exchange_n(&last_busy, 1, __ATOMIC_ACQUIRE))
		return;	/* another CPU, or this one interrupted, is at it: a line is lost */
	memcpy(last_line, text, n);
	last_line[n] = 0;
	__atomic_add_fetch(&nlines, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&last_busy, 0, __ATOMIC_RELEASE);
}

unsigned long printk_lines(void) { return __atomic_load_n(&nlines, __ATOMIC_RELAXED); }

void printk_last(char *buf, size_t size)
{
	uint64_t f = irq_save();

	for (int tries = 0; __atomic_exchange_n(&last_busy, 1, __ATOMIC_ACQUIRE); tries++)
		if (tries == 1000000) {
			irq_restore(f);
			snprintf(buf, size, "(busy)");
			return;
		}
	snprintf(buf, size, "%s", last_line);
	__atomic_store_n(&last_busy, 0, __ATOMIC_RELEASE);
	irq_restore(f);
}

int printk_console_level(void) { return __atomic_load_n(&console_level, __ATOMIC_RELAXED); }
void printk_set_console_level(int level)
{
	__atomic_store_n(&console_level, level, __ATOMIC_RELAXED);
}

/* Each line of a message is a record, as each would be a printk on Linux. */
static void log_lines(int level, const char *text, size_t len)
{
	while (len) {
		size_t line = 0;
		while (line < len && text[line] != '\n')
			line++;
		klog_add((unsigned)level, text, line);
		line += line < len;	/* its newline */
		text += line;
		len -= line;
	}
}

/* In an emergency only the console: the log's reader will not come. */
static void vprintk(int level, bool show, const char *fmt, va_list ap)
{
	char buf[512];
	int n = vsnprintf(buf, sizeof buf, fmt, ap);

	if (n > (int)sizeof buf - 1)
		n = sizeof buf - 1;
	if (printk_sink && show && (level < printk_console_level() || emergency))
		printk_sink(buf, n);
	if (emergency)
		return;
	remember(buf, (size_t)n);
	log_lines(level, buf, (size_t)n);
}

void printk_emit(unsigned priority, const char *text, size_t len)
{
	if (printk_sink && (int)(priority & 7) < printk_console_level()) {
		printk_sink(text, len);
		printk_sink("\n", 1);
	}
	klog_add(priority, text, len);
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(KLOG_WARNING, true, fmt, ap);
	va_end(ap);
}

void printk_set_verbose(bool on) { verbose = on; }
bool printk_info_on(void) { return verbose; }

void printk_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(KLOG_INFO, verbose, fmt, ap);
	va_end(ap);
}

_Noreturn void panic(const char *fmt, ...)
{
	char reason[256];
	va_list ap;

	irq_disable();
	/* A panic inside a panic (a fault while printing) must not recurse. */
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_SEQ_CST))
		arch_cpu_halt();
	emergency = true;
	arch_stop_others();
	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	printk("kernel panic: %s\n", reason);
	backtrace_print((uint64_t)__builtin_frame_address(0));
	if (panic_hook)
		panic_hook(reason);
	arch_cpu_halt();
}
