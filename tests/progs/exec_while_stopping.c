/* execve while the process is stopping: a thread takes SIGSTOP and parks
 * while another is inside execve, before the exec has told the others to
 * end.  The parked thread must still end for the exec (as Linux's
 * de_thread kills stopped threads too); it used to stay parked until
 * SIGCONT, with the exec waiting for it: the process never stopped nor
 * went on.  The new image exits 7; the parent continues it if it stops,
 * and gives up after 10 s.  Prints how many rounds hung. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROUNDS	3

static volatile int idle_tid;
static volatile sig_atomic_t timed_out;

static void *idle(void *a)
{
	(void)a;
	idle_tid = (int)syscall(SYS_gettid);
	for (;;)
		pause();
	return NULL;
}

static void on_alarm(int sig) { (void)sig; timed_out = 1; }

/* A thread that takes SIGSTOP while this one goes into execve. */
static void stop_and_exec(char *self)
{
	pthread_t t;

	pthread_create(&t, NULL, idle, NULL);
	while (!idle_tid)
		usleep(1000);
	usleep(20000);	/* in pause() */
	/* A megabyte of arguments: the exec copies them (a while) before it
	 * tells the other thread to end, which parks meanwhile. */
	static char big[1000][1000], *args[1003] = { 0 };
	args[0] = self;
	args[1] = "after";
	for (int i = 0; i < 1000; i++) {
		memset(big[i], 'x', sizeof big[i] - 1);
		args[i + 2] = big[i];
	}
	syscall(SYS_tgkill, getpid(), idle_tid, SIGSTOP);
	execv("/proc/self/exe", args);
	_exit(99);
}

/* 1 if the child did not end within 10 s (then it is killed). */
static int hung(pid_t c)
{
	int st;

	timed_out = 0;
	alarm(10);
	for (;;) {
		pid_t r = waitpid(c, &st, WUNTRACED);
		if (r < 0 && errno == EINTR && timed_out) {
			kill(c, SIGKILL);
			waitpid(c, &st, 0);
			return 1;
		}
		if (r == c && WIFSTOPPED(st))
			kill(c, SIGCONT);
		else if (r == c) {
			alarm(0);
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 7)
				printf("unexpected status %#x\n", st);
			return 0;
		}
	}
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	int n = 0;

	if (argc > 1 && !strcmp(argv[1], "after"))
		return 7;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	for (int i = 0; i < ROUNDS; i++) {
		pid_t c = fork();
		if (c == 0)
			stop_and_exec(argv[0]);
		n += hung(c);
	}
	printf("rounds that hung: %d of %d\n", n, ROUNDS);
	return 0;
}
