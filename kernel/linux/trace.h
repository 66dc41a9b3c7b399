/* The system call trace (amphi run --trace): one line per call the
 * program makes, as strace prints it, sent to amphi as FRAME_TRACE
 * frames (docs/protocol.md).
 *
 * Off (the usual case) it costs one predictable branch on trace_on per
 * system call; nothing else in the kernel looks at it on a hot path. */
#ifndef AMPHI_LINUX_TRACE_H
#define AMPHI_LINUX_TRACE_H

#include <stdbool.h>
#include <stdint.h>

struct sysargs;
struct linux_siginfo;

/* Set once, before the program starts; read at every system call. */
extern bool trace_on;

/* Turns tracing on for the calls named in the config's `trace` value:
 * "all", or names separated by commas (unknown names are ignored: amphi
 * checked them). */
void trace_configure(const char *calls);

/* Runs system call nr, tracing it if it was asked for; its result. */
long trace_syscall(uint64_t nr, const struct sysargs *a);

/* The calling thread takes signal sig (to a handler or its default
 * action). */
void trace_signal(int sig, const struct linux_siginfo *info);

/* The program ended: with status (killed_by 0), or killed by a signal. */
void trace_process_end(int status, int killed_by);

#endif
