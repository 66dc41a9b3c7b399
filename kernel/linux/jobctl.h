/* Job control (jobctl.c): stop signals stop every thread of a process
 * until SIGCONT, and the parent is told of both. */
#ifndef AMPHI_LINUX_JOBCTL_H
#define AMPHI_LINUX_JOBCTL_H

#include <stdbool.h>

struct process;
struct thread;

/* struct process's stop_state. */
enum stop_state {
	STOP_NONE,
	STOP_PARKING,		/* a stop signal was taken; threads are parking */
	STOP_DONE,		/* every thread parked; the parent was told */
};

/* struct process's wait_report: what wait4/waitid have yet to report. */
enum wait_report {
	WAIT_REPORT_NONE,
	WAIT_REPORT_STOPPED,	/* WUNTRACED / WSTOPPED */
	WAIT_REPORT_CONTINUED,	/* WCONTINUED */
};

bool jobctl_is_stop_signal(int sig);

/* Caller holds sig_lock. */

/* What sending sig does at once, whether or not it is blocked or ignored:
 * a stop signal drops a pending SIGCONT; SIGCONT drops pending stop
 * signals and ends a stop; SIGKILL lets parked threads out. */
void jobctl_on_send(struct process *p, int sig);
/* Whether the default action of stop signal sig is dropped instead: the
 * terminal's stop signals to an orphaned process group. */
bool jobctl_stop_dropped(const struct process *p, int sig);
/* Starts the stop of p by sig (its default action, taken by a thread). */
void jobctl_stop(struct process *p, int sig);
/* Another thread of p execs (p->exec_thread is set): its parked threads
 * leave to end. */
void jobctl_on_exec(struct process *p);
/* A thread joins or leaves p while a stop may be under way. */
void jobctl_thread_start(struct thread *t);
void jobctl_thread_exit(struct thread *t);

/* No lock held: t, current, parks while its process is stopped, until
 * SIGCONT, SIGKILL or the process's end; or ends, when another of its
 * threads execs. */
void jobctl_park(struct thread *t);

#endif
