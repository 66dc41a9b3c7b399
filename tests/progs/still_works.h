/* After a test has pushed the kernel to a limit: it still answers.  Reads
 * /proc/meminfo, passes a byte through a pipe, runs a thread and touches
 * 1 MiB of fresh memory; prints "kernel still answers", or a FAIL line and
 * exit status 1. */
#ifndef STILL_WORKS_H
#define STILL_WORKS_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void still_works_fail(const char *what)
{
	printf("FAIL: %s (%s)\n", what, strerror(errno));
	exit(1);
}

static void *still_works_thread(void *arg) { return arg; }

static void still_works(void)
{
	char buf[4096];
	int fd = open("/proc/meminfo", O_RDONLY), p[2];
	pthread_t t;

	if (fd < 0 || read(fd, buf, sizeof buf - 1) <= 0 || !strstr(buf, "MemFree"))
		still_works_fail("reading /proc/meminfo");
	close(fd);
	if (pipe(p) || write(p[1], "z", 1) != 1 || read(p[0], buf, 1) != 1)
		still_works_fail("a pipe");
	close(p[0]);
	close(p[1]);
	if (pthread_create(&t, NULL, still_works_thread, NULL) || pthread_join(t, NULL))
		still_works_fail("a thread");
	char *m = malloc(1 << 20);
	if (!m)
		still_works_fail("1 MiB of memory");
	memset(m, 7, 1 << 20);
	free(m);
	printf("kernel still answers\n");
}

#endif
