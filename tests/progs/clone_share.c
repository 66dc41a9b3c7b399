/* clone_share: a thread (CLONE_THREAD) shares the descriptor table only
 * with CLONE_FILES and the working directory only with CLONE_FS, as on
 * Linux; without them it works on copies.  Each case: the thread closes a
 * descriptor and changes directory, and the caller says what it still
 * sees.  The thread is a raw clone (musl's clone()) that only makes
 * system calls, waited for through CLONE_CHILD_CLEARTID. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define FUTEX_WAIT	0

static volatile int child_tid;
static int fd;
static char stack[65536] __attribute__((aligned(16)));

static int thread_main(void *arg)
{
	(void)arg;
	syscall(SYS_close, fd);
	syscall(SYS_chdir, "/");
	syscall(SYS_exit, 0);
	return 0;
}

static void show(const char *name, int flags)
{
	char cwd[256] = "?";

	fd = open("/proc/self/exe", O_RDONLY);
	if (fd < 0 || chdir("/tmp")) {
		perror("set-up");
		return;
	}
	child_tid = 1;
	flags |= CLONE_VM | CLONE_SIGHAND | CLONE_THREAD | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID;
	if (clone(thread_main, stack + sizeof stack, flags, NULL, NULL, NULL, &child_tid) < 0) {
		perror("clone");
		return;
	}
	for (int t; (t = child_tid);)	/* cleared (and woken) when the thread ends */
		syscall(SYS_futex, &child_tid, FUTEX_WAIT, t, NULL, NULL, 0);
	if (!getcwd(cwd, sizeof cwd))
		strcpy(cwd, "?");
	printf("%s: descriptor %s, directory %s\n", name,
	       fcntl(fd, F_GETFD) < 0 ? "closed" : "open", cwd);
	close(fd);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	show("CLONE_FILES|CLONE_FS", CLONE_FILES | CLONE_FS);
	show("neither", 0);
	show("CLONE_FILES", CLONE_FILES);
	show("CLONE_FS", CLONE_FS);
	return 0;
}
