/* How a child ended, for tests that print it: waits for pid and says
 * "exit N" or "killed by SIG" (a static buffer, good until the next
 * call). */
#ifndef CHILD_END_H
#define CHILD_END_H

#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>

static const char *end_of(pid_t pid)
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

#endif
