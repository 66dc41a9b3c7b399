/* How a child ended, for tests that print it (each in a static buffer,
 * good until the next call). */
#ifndef CHILD_END_H
#define CHILD_END_H

#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>

/* Waits for pid: "exit N" or "killed by SIG". */
static inline const char *end_of(pid_t pid)
{
	static char buf[32];
	int st;

	waitpid(pid, &st, 0);
	if (WIFSIGNALED(st))
		snprintf(buf, sizeof buf, "killed by %d", WTERMSIG(st));
	else
		snprintf(buf, sizeof buf, "exit %d", WEXITSTATUS(st));
	return buf;
}

/* A status waitpid gave: "exit N", "stopped SIG" or "signal SIG". */
static inline const char *status_of(int st)
{
	static char buf[32];

	if (WIFEXITED(st))
		snprintf(buf, sizeof buf, "exit %d", WEXITSTATUS(st));
	else if (WIFSTOPPED(st))
		snprintf(buf, sizeof buf, "stopped %d", WSTOPSIG(st));
	else
		snprintf(buf, sizeof buf, "signal %d", WTERMSIG(st));
	return buf;
}

#endif
