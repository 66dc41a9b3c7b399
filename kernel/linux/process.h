/* The one program the VM runs: its identity, its threads, its end. */
#ifndef AMPHI_LINUX_PROCESS_H
#define AMPHI_LINUX_PROCESS_H

#include <stdint.h>

struct process {
	int pid;
	char exe[256];			/* absolute guest path, for /proc/self/exe */
	volatile int nthreads;		/* user threads still alive */
	uint64_t brk_base, brk;		/* heap: [brk_base, brk) */
};

extern struct process proc;

/* Ends the program with a Linux wait status already folded to 0..255
 * (128+N for signal N). */
_Noreturn void process_exit(int status);
/* Ends the calling user thread (exit(2)); the last one ends the program. */
_Noreturn void process_thread_exit(int code);
/* Reports on stderr that the program was killed by sig, then ends it. */
_Noreturn void process_killed(int sig, const char *why);

#endif
