/* Kernel messages and panics. */
#ifndef AMPHI_CORE_PRINTK_H
#define AMPHI_CORE_PRINTK_H

#include <stdbool.h>
#include <stddef.h>

/* Where kernel messages go: the console registers itself at boot. */
typedef void printk_sink_fn(const char *text, size_t len);
void printk_set_sink(printk_sink_fn *sink);

/* A warning (syslog level 4): on the console, and in the kernel's log
 * (core/klog.h) for dmesg. */
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* What a normal boot finds and does (the clock, the CPUs, each device,
 * the address, the boot's time), at level 6: in the log, and on the
 * console only with amphi.verbose on the command line (amphi run -v),
 * since the host shows it only then and each byte on the UART costs about
 * 3 us under TCG. */
void printk_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void printk_set_verbose(bool on);
bool printk_info_on(void);	/* for a caller that builds its line first */
/* Messages of a level below this one reach the console (syslog(2)'s
 * console_loglevel, 7 at boot); the log keeps them all. */
int printk_console_level(void);
void printk_set_console_level(int level);
/* A line a program gave (/dev/kmsg), of syslog priority (facility << 3 |
 * level), as printk treats its own. */
void printk_emit(unsigned priority, const char *text, size_t len);
/* How many messages were printed, and the last one (its final newline
 * dropped, cut to fit size): a caller that saw the count move while it
 * tried something can repeat why it failed. */
unsigned long printk_lines(void);
void printk_last(char *buf, size_t size);
_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* What panic() does after printing: the console tells the host and ends the
 * VM.  Registered by the console; until then a panic halts. */
typedef void panic_hook_fn(const char *reason);
void panic_set_hook(panic_hook_fn *hook);

/* Set by a panic or a lockup report: the console may then write without
 * its lock after a short wait (its holder may be the CPU that hangs). */
void printk_emergency(void);
bool printk_in_emergency(void);

#define BUG_ON(cond) do { if (cond) panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, __LINE__); } while (0)

#endif
