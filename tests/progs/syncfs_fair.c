/* syncfs_fair DIR OPS: while one thread calls syncfs() on DIR's file
 * system in a loop, the main thread creates, writes, closes and removes a
 * file in DIR, OPS times (tests/vm/test_syncfs_fair.py).  Each syncfs
 * takes locks that the main thread's calls need too (the namespace's, and
 * the file system's own); the looping thread must not keep them from it.  It did: it took them
 * back at once, hundreds of times for each of the main thread's calls,
 * which then took seconds.  Prints "ok OPS, N syncfs calls meanwhile";
 * exit 1 with one line on stderr on an error. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile int stop;
static long syncs;
static int dir_fd;
static int sync_err;

static void *loop_syncfs(void *unused)
{
	while (!stop) {
		if (syncfs(dir_fd) < 0) {
			sync_err = errno;
			break;
		}
		syncs++;
	}
	return unused;
}

static int one_file(const char *dir, int n)
{
	char path[256];

	snprintf(path, sizeof path, "%s/f%d", dir, n);
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "hello", 5) != 5 || close(fd) < 0 || unlink(path) < 0) {
		fprintf(stderr, "syncfs_fair: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	pthread_t looper;

	if (argc != 3) {
		fprintf(stderr, "usage: syncfs_fair DIR OPS\n");
		return 2;
	}
	int ops = atoi(argv[2]);
	dir_fd = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (dir_fd < 0 || pthread_create(&looper, NULL, loop_syncfs, NULL)) {
		fprintf(stderr, "syncfs_fair: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (int n = 0; n < ops; n++)
		if (one_file(argv[1], n))
			return 1;
	stop = 1;
	pthread_join(looper, NULL);
	if (sync_err) {
		fprintf(stderr, "syncfs_fair: syncfs: %s\n", strerror(sync_err));
		return 1;
	}
	printf("ok %d, %ld syncfs calls meanwhile\n", ops, syncs);
	return 0;
}
