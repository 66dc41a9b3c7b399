/* The one program the VM runs: its identity, its threads, its end. */
#ifndef AMPHI_LINUX_PROCESS_H
#define AMPHI_LINUX_PROCESS_H

#include <stdint.h>

#include <stdbool.h>

struct process {
	int pid;
	char exe[256];			/* absolute guest path, for /proc/self/exe */
	volatile int nthreads;		/* user threads still alive */
	uint64_t brk_base, brk;		/* heap: [brk_base, brk) */
	bool last;			/* the run's last program: its end ends the VM */
	volatile bool exiting;		/* exit_group: the other threads are ending */
	volatile int status;		/* set by whoever ends it */
};

extern struct process proc;

/* Ends the program with a Linux wait status already folded to 0..255
 * (128+N for signal N): the VM's end for the run's last program, else the
 * end of this step (every thread stops, program_start goes on). */
_Noreturn void process_exit(int status);
/* Ends the VM with status, whichever program runs. */
_Noreturn void process_exit_vm(int status);
/* From the init thread: waits for the running program to end; its status. */
int process_wait(void);
/* Clears what a program left (memory, descriptors, signal actions, current
 * directory) for the next one; 0 or -ENOMEM. */
int process_reset(void);
/* Ends the calling user thread (exit(2)); the last one ends the program. */
_Noreturn void process_thread_exit(int code);
/* Reports on stderr that the program was killed by sig, then ends it. */
_Noreturn void process_killed(int sig, const char *why);

#endif
