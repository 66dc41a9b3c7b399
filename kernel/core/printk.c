/* printk and panic. */
#include "core/printk.h"

#include <stdarg.h>

#include "arch/x86_64/arch.h"
#include "core/backtrace.h"
#include "core/format.h"

static printk_sink_fn *printk_sink;
static panic_hook_fn *panic_hook;
static volatile int panicking;
static volatile bool emergency;

void printk_emergency(void) { emergency = true; }
bool printk_in_emergency(void) { return emergency; }

void printk_set_sink(printk_sink_fn *sink) { printk_sink = sink; }
void panic_set_hook(panic_hook_fn *hook) { panic_hook = hook; }

static void vprintk(const char *fmt, va_list ap)
{
	char buf[512];
	int n = vsnprintf(buf, sizeof buf, fmt, ap);

	if (n > (int)sizeof buf - 1)
		n = sizeof buf - 1;
	if (printk_sink)
		printk_sink(buf, n);
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(fmt, ap);
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
