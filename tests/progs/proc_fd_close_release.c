/* readlink of /proc/self/fd/N, over and over in one thread, while another
 * closes N, and then a third looks a path up: a TCP connection with SO_LINGER (600 s) and unsent data (the
 * peer never reads), so its last close waits.
 *
 * A reader that takes the last reference closes the connection, as on
 * Linux (whose fput runs the close as the reader returns).  amphi ran
 * that release where the reference went, inside the lookup, under the
 * VFS's global lock: the reader lingered with the lock held, and the
 * closing thread's next path lookup waited the 600 s with every other
 * one in the machine.  Each round gives the close another chance to come
 * while the reader holds the file; the test's run time-out catches the
 * hang.  The closing thread, or the reader, left lingering goes when the
 * program exits.
 *
 * Prints fixed lines; a FAIL line and status 1 on a wrong answer. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stuck_conn.h"

#define ROUNDS		12

struct reader {
	char path[64];
	int fd, spins;
	volatile int started, stop, closing;
};

static void *read_link(void *arg)
{
	struct reader *r = arg;
	char target[256];

	while (!r->stop) {
		readlink(r->path, target, sizeof target);
		r->started = 1;
	}
	return NULL;
}

/* Closes the connection, lingering unless the reader took the last
 * reference. */
static void *close_it(void *arg)
{
	struct reader *r = arg;

	for (volatile int spin = 0; spin < r->spins; spin++)
		;
	r->closing = 1;
	close(r->fd);
	return NULL;
}

/* A thread running fn(r), left to itself. */
static void start(void *(*fn)(void *), struct reader *r)
{
	pthread_t t;

	if (pthread_create(&t, NULL, fn, r))
		die("pthread_create");
	pthread_detach(t);
}

int main(void)
{
	struct sockaddr_in addr;
	int l = listener(&addr, ROUNDS + 2), looked = 0;
	static struct reader readers[ROUNDS];

	setvbuf(stdout, NULL, _IONBF, 0);
	for (int k = 0; k < ROUNDS; k++) {
		struct reader *r = &readers[k];
		struct stat st;
		r->fd = stuck_client(&addr, 300);
		r->spins = 20000 * (k + 1);
		snprintf(r->path, sizeof r->path, "/proc/self/fd/%d", r->fd);
		start(read_link, r);
		while (!r->started)
			;
		start(close_it, r);
		while (!r->closing)
			;
		usleep(100000);	/* the close is over, or lingering */
		r->stop = 1;
		looked += stat("/", &st) == 0;	/* a path lookup after the close */
	}
	printf("lookups after the closes: %d of %d\n", looked, ROUNDS);
	close(l);
	printf("proc_fd_close_release done\n");
	fflush(stdout);
	_exit(looked == ROUNDS ? 0 : 1);
}
