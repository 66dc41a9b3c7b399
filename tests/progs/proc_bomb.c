/* A fork bomb, bounded: a chain of processes, each forking the next until
 * fork fails.  amphi must answer EAGAIN at its process limit (not ENOMEM,
 * a hang or a panic) and go on: the chain is killed with kill(-1), every
 * process is reaped by init (the orphans come to it), and fork works
 * again.  Not run natively: on a host this is a real fork bomb.  Prints
 * the outcome, then "proc_bomb ok". */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct report {
	int err, depth;
};

static _Noreturn void bomb(int fd)
{
	struct report r = { 0, 1 };

	for (;;) {
		pid_t pid = fork();
		if (pid < 0) {
			r.err = errno;
			write(fd, &r, sizeof r);
			break;
		}
		if (pid > 0)
			break;
		r.depth++;	/* the child goes on as the next link */
	}
	for (;;)
		pause();
}

int main(void)
{
	int pfd[2], st, reaped = 0;
	struct report r;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (getpid() != 1 || pipe(pfd))
		return printf("FAIL: run me as the VM's init\n"), 1;
	if (!fork())
		bomb(pfd[1]);
	if (read(pfd[0], &r, sizeof r) != sizeof r)
		return printf("FAIL: no report from the bomb\n"), 1;
	printf("fork failed with %s\n", r.err == EAGAIN ? "EAGAIN" : strerror(r.err));
	printf("after more than 64 processes: %s\n", r.depth > 64 ? "yes" : "no");
	if (kill(-1, SIGKILL))
		return printf("FAIL: kill(-1): %m\n"), 1;
	for (;;) {
		pid_t w = wait(&st);
		if (w > 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
			reaped++;
		else if (w < 0 && errno != EINTR)
			break;
	}
	printf("every one killed and reaped: %s\n", reaped == r.depth ? "yes" : "no");
	pid_t pid = fork();
	if (!pid)
		_exit(3);
	printf("fork works again: %s\n", pid > 0 && waitpid(pid, &st, 0) == pid &&
	       WEXITSTATUS(st) == 3 ? "yes" : "no");
	printf("proc_bomb ok\n");
	return 0;
}
