/* personality(2) and unshare(2), one case per run:
 *   personality  query, set, flags kept by fork and exec (setarch -R)
 *   unshare      CLONE_FILES and CLONE_FS leave a CLONE_FILES|CLONE_FS
 *                child's table and directory to itself; the flags that
 *                only check (THREAD, SIGHAND, VM) with one thread and with
 *                two; CLONE_SYSVSEM applies the caller's semaphore
 *                adjustments; unknown flags; a namespace as an ordinary
 *                user
 * Lines from Linux 6.18 (the same program built with musl), run as root.
 * (Namespaces as root are EINVAL here, 0 there: amphi has one of each.) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "call_result.h"

static long persona(unsigned long p) { return syscall(SYS_personality, p); }

static void personality_case(char **argv)
{
	printf("query: %#lx\n", persona(0xffffffff));
	printf("set ADDR_NO_RANDOMIZE: %#lx\n", persona(ADDR_NO_RANDOMIZE));
	printf("query: %#lx\n", persona(0xffffffff));
	long old = persona(PER_BSD);
	printf("set PER_BSD: %#lx, then: %#lx\n", old, persona(0xffffffff));
	persona(ADDR_NO_RANDOMIZE | READ_IMPLIES_EXEC);
	fflush(stdout);
	pid_t pid = fork();
	if (!pid) {
		printf("forked child: %#lx\n", persona(0xffffffff));
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	char *args[] = { argv[0], "persona-exec", NULL };
	execv("/proc/self/exe", args);
}

static int sem_id;

/* A CLONE_FILES|CLONE_FS child: unshares what was asked, changes its
 * table and directory, and the parent looks at its own. */
static int sharer(void *arg)
{
	int flags = *(int *)arg;

	printf("child unshare %s: %s\n", flags == CLONE_FILES ? "FILES" : flags == CLONE_FS ? "FS" : "none",
	       res(flags ? unshare(flags) : 0));
	close(10);
	chdir("/tmp");
	fflush(stdout);
	return 0;
}

static void try_sharing(int flags)
{
	static char stack[65536];
	char dir[64];

	dup2(1, 10);
	chdir("/");
	pid_t pid = clone(sharer, stack + sizeof stack, CLONE_FILES | CLONE_FS | SIGCHLD, &flags);
	waitpid(pid, NULL, 0);
	getcwd(dir, sizeof dir);
	printf("  parent: fd 10 %s, cwd %s\n", fcntl(10, F_GETFD) < 0 ? "closed" : "open", dir);
	close(10);
}

static void *idle(void *arg)
{
	pause();
	return arg;
}

static void unshare_case(void)
{
	try_sharing(0);
	try_sharing(CLONE_FILES);
	try_sharing(CLONE_FS);
	printf("THREAD|SIGHAND|VM, one thread: %s\n", res(unshare(CLONE_THREAD | CLONE_SIGHAND | CLONE_VM)));
	printf("exit signal bits (0x1): %s\n", res(unshare(0x1)));
	printf("CLONE_PTRACE: %s, nothing: %s\n", res(unshare(CLONE_PTRACE)), res(unshare(0)));

	sem_id = semget(IPC_PRIVATE, 1, 0600);
	struct sembuf up = { 0, 5, SEM_UNDO };
	semop(sem_id, &up, 1);
	printf("semaphore after +5 with SEM_UNDO: %d\n", semctl(sem_id, 0, GETVAL));
	printf("unshare SYSVSEM: %s\n", res(unshare(CLONE_SYSVSEM)));
	printf("semaphore now: %d\n", semctl(sem_id, 0, GETVAL));
	semctl(sem_id, 0, IPC_RMID);

	pthread_t th;
	pthread_create(&th, NULL, idle, NULL);
	printf("two threads: THREAD %s, SIGHAND %s, VM %s, FILES %s\n", res(unshare(CLONE_THREAD)),
	       res(unshare(CLONE_SIGHAND)), res(unshare(CLONE_VM)), res(unshare(CLONE_FILES)));
	fflush(stdout);
	pid_t pid = fork();
	if (!pid) {
		setuid(65534);
		printf("as nobody: NEWNS %s, NEWUTS %s, NEWNET %s, NEWPID %s\n", res(unshare(CLONE_NEWNS)),
		       res(unshare(CLONE_NEWUTS)), res(unshare(CLONE_NEWNET)), res(unshare(CLONE_NEWPID)));
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "personality"))
		personality_case(argv);
	else if (argc > 1 && !strcmp(argv[1], "persona-exec"))
		printf("after exec: %#lx\n", persona(0xffffffff));
	else if (argc > 1 && !strcmp(argv[1], "unshare"))
		unshare_case();
	else {
		fprintf(stderr, "usage: unshare_calls personality|unshare\n");
		return 2;
	}
	return 0;
}
