/* kcmp on a zombie (ended, not reaped; waitid's WNOWAIT keeps it),
 * against Linux 6.18 (run as uid 65534): found, with no memory,
 * descriptors or file-system context (different from the parent's, the
 * same as its own), no descriptor 0 (EBADF); ESRCH once reaped.  (Not
 * KCMP_SYSVSEM: amphi gives each process its own undo list, see
 * sys_kcmp.c.) */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "call_result.h"
static const char *ord(long r) { return r == 1 || r == 2 ? "different" : res(r); }
int main(void)
{
	int pid = fork();
	if (!pid) _exit(0);
	siginfo_t si;
	waitid(P_PID, pid, &si, WEXITED | WNOWAIT);	/* a zombie, not reaped */
	printf("zombie vm: %s\n", ord(syscall(SYS_kcmp, pid, getpid(), 1, 0, 0)));
	printf("zombie files: %s\n", ord(syscall(SYS_kcmp, pid, getpid(), 2, 0, 0)));
	printf("zombie fs: %s\n", ord(syscall(SYS_kcmp, pid, getpid(), 3, 0, 0)));
	printf("zombie sighand: %s\n", ord(syscall(SYS_kcmp, pid, getpid(), 4, 0, 0)));
	printf("zombie io: %s\n", ord(syscall(SYS_kcmp, pid, getpid(), 5, 0, 0)));
	printf("zombie file 0: %s\n", ord(syscall(SYS_kcmp, pid, getpid(), 0, 0, 0)));
	printf("zombie vm vs zombie: %s\n", ord(syscall(SYS_kcmp, pid, pid, 1, 0, 0)));
	waitpid(pid, NULL, 0);
	printf("reaped: %s\n", ord(syscall(SYS_kcmp, pid, getpid(), 1, 0, 0)));
	return 0;
}
