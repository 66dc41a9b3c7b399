/* SIGPIPE from a write to a pipe nobody reads.
 *   pipe_sigpipe kill:    default action: prints "before write", then dies
 *                         of SIGPIPE (status 141) in the write
 *   pipe_sigpipe handler: a handler runs once, in the writing thread, and
 *                         the write fails with EPIPE: "handler ok" */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t caught, caught_sig;
static pthread_t writer;
static volatile int in_writer;

static void on_sigpipe(int sig)
{
	caught++;
	caught_sig = sig;
	in_writer = pthread_equal(pthread_self(), writer);
}

static void *write_broken(void *arg)
{
	int fd = *(int *)arg;

	writer = pthread_self();
	if (write(fd, "x", 1) != -1 || errno != EPIPE)
		printf("FAIL: write did not fail with EPIPE\n");
	return NULL;
}

int main(int argc, char **argv)
{
	int fd[2];

	if (pipe(fd))
		return 2;
	close(fd[0]);
	if (argc > 1 && strcmp(argv[1], "handler") == 0) {
		pthread_t th;
		signal(SIGPIPE, on_sigpipe);
		pthread_create(&th, NULL, write_broken, &fd[1]);
		pthread_join(th, NULL);
		if (caught != 1 || caught_sig != SIGPIPE || !in_writer) {
			printf("FAIL: handler ran %d times, in the writer: %d\n", (int)caught, in_writer);
			return 1;
		}
		printf("handler ok\n");
		return 0;
	}
	printf("before write\n");
	fflush(stdout);
	write(fd[1], "x", 1);
	printf("FAIL: still alive after writing to a broken pipe (errno %d)\n", errno);
	return 1;
}
