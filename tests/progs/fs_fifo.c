/* FIFOs made with mkfifo: opening waits for the other side, O_NONBLOCK
 * does not, data flows between threads, and the node stays a FIFO.
 * Usage: fs_fifo BASE.  One line per step. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fs_check.h"

static char path[4096];

static void on_alarm(int sig) { (void)sig; }

static void *writer(void *arg)
{
	struct timespec ts = { 0, 200000000 };

	(void)arg;
	nanosleep(&ts, NULL);	/* the reader is waiting in open by now */
	int fd = open(path, O_WRONLY);
	write(fd, "through the fifo", 16);
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	char buf[64] = { 0 };
	struct stat st;
	pthread_t t;

	if (argc != 2) {
		fprintf(stderr, "usage: fs_fifo BASE\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	snprintf(path, sizeof path, "%s/fs_fifo", argv[1]);
	T("mkfifo", mkfifo(path, 0600));
	MUST(stat(path, &st));
	printf("is a fifo: %d\n", S_ISFIFO(st.st_mode));
	T("O_WRONLY|O_NONBLOCK without a reader", open(path, O_WRONLY | O_NONBLOCK));
	int r = MUST(open(path, O_RDONLY | O_NONBLOCK));
	printf("O_RDONLY|O_NONBLOCK opens at once: ok\n");
	T("read with no writer", read(r, buf, sizeof buf));
	int w = MUST(open(path, O_WRONLY | O_NONBLOCK));
	printf("O_WRONLY|O_NONBLOCK with a reader: ok\n");
	printf("write: %zd\n", write(w, "abc", 3));
	printf("read: %zd %s\n", read(r, buf, sizeof buf), buf);
	T("lseek", lseek(r, 0, SEEK_SET));
	close(w);
	printf("read after the writer left: %zd\n", read(r, buf, sizeof buf));
	close(r);
	int rw = MUST(open(path, O_RDWR));
	printf("O_RDWR opens at once: ok\n");
	close(rw);
	pthread_create(&t, NULL, writer, NULL);
	r = MUST(open(path, O_RDONLY));
	memset(buf, 0, sizeof buf);
	ssize_t n, got = 0;
	while ((n = read(r, buf + got, sizeof buf - 1 - got)) > 0)
		got += n;
	printf("blocking open, then read: %zd %s\n", got, buf);
	pthread_join(t, NULL);
	close(r);
	/* A signal ends a blocking open (no SA_RESTART): EINTR. */
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	T("open interrupted by a signal", open(path, O_RDONLY));
	T("unlink", unlink(path));
	puts("fs_fifo done");
	return 0;
}
