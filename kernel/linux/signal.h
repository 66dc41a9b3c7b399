/* Signals.  For now: the actions are recorded, faults end the program. */
#ifndef AMPHI_LINUX_SIGNAL_H
#define AMPHI_LINUX_SIGNAL_H

#include <stdint.h>

#include "arch/x86_64/trapframe.h"

#define SIGHUP	1
#define SIGINT	2
#define SIGQUIT	3
#define SIGILL	4
#define SIGTRAP	5
#define SIGABRT	6
#define SIGBUS	7
#define SIGFPE	8
#define SIGKILL	9
#define SIGSEGV	11
#define SIGPIPE	13
#define NSIG	64

/* A synchronous fault in the program (from trap.c). */
void signal_fault(struct trapframe *tf, int sig, uint64_t addr, int page_present);
/* The program needs memory the machine does not have: end it. */
_Noreturn void linux_out_of_memory(void);
/* On every way back to user mode: reschedule, then whatever is pending. */
void linux_exit_to_user(struct trapframe *tf);

#endif
