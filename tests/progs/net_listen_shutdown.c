/* shutdown() of a listening TCP socket while other threads use it.
 *
 * Linux stops listening: an accept blocked at that moment, and every
 * accept after, fails with EINVAL; poll reports POLLHUP.  amphi's shutdown
 * once freed lwIP's accept mailbox while an accept or a poll on another
 * CPU was reading it, and the kernel panicked (page fault in
 * sys_arch_mbox_tryfetch), usually in the first round of the race below.
 *
 *   net_listen_shutdown [ROUNDS]     (default 100)
 *
 * Prints fixed lines; a FAIL line and status 1 on a wrong answer. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int lfd;
static struct sockaddr_in addr;
static int failed;

static void fail(const char *what, int err)
{
	printf("FAIL: %s: %s\n", what, strerror(err));
	failed = 1;
}

static int listener(int flags)
{
	socklen_t len = sizeof addr;

	addr = (struct sockaddr_in){ .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | flags, 0);
	if (fd < 0 || bind(fd, (void *)&addr, sizeof addr) || listen(fd, 16) ||
	    getsockname(fd, (void *)&addr, &len)) {
		perror("listener");
		exit(1);
	}
	return fd;
}

/* ---- one accept blocked when the shutdown comes ------------------------- */

static void *blocked_accept(void *arg)
{
	int c = accept(lfd, NULL, NULL);

	*(int *)arg = c < 0 ? errno : 0;
	return NULL;
}

static void blocked(void)
{
	pthread_t t;
	int err = -1;

	lfd = listener(0);
	pthread_create(&t, NULL, blocked_accept, &err);
	usleep(200000);	/* asleep in accept by now, or it meets the shutdown first: EINVAL either way */
	if (shutdown(lfd, SHUT_RDWR))
		fail("shutdown", errno);
	pthread_join(t, NULL);
	printf("blocked accept: %s\n", err == EINVAL ? "EINVAL" : strerror(err));
	int c = accept(lfd, NULL, NULL);
	printf("accept after shutdown: %s\n", c < 0 && errno == EINVAL ? "EINVAL" : "not EINVAL");
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	poll(&p, 1, -1);
	printf("poll after shutdown: %s\n", p.revents & POLLHUP ? "POLLHUP" : "no POLLHUP");
	close(lfd);
}

/* ---- threads in accept and poll, racing the shutdown --------------------- */

/* Until the listener stops: only EAGAIN before, EINVAL at the end. */
static void *spin_accept(void *arg)
{
	(void)arg;
	for (;;) {
		int c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
		if (c >= 0)
			close(c);
		else if (errno != EAGAIN) {
			if (errno != EINVAL)
				fail("accept racing shutdown", errno);
			return NULL;
		}
	}
}

static void *poll_accept(void *arg)
{
	(void)arg;
	for (;;) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		if (poll(&p, 1, -1) != 1) {
			fail("poll racing shutdown", errno);
			return NULL;
		}
		if (p.revents & POLLHUP)
			return NULL;
		int c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
		if (c >= 0)
			close(c);
		else if (errno == EINVAL)
			return NULL;	/* stopped between the poll and the accept */
		else if (errno != EAGAIN)
			fail("accept after poll", errno);
	}
}

static void *connector(void *arg)
{
	(void)arg;
	for (int i = 0; i < 4; i++) {
		int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(c, (void *)&addr, sizeof addr);	/* refused once stopped */
		usleep(100);
		close(c);
	}
	return NULL;
}

static void race(int round)
{
	void *(*fns[])(void *) = { spin_accept, spin_accept, poll_accept, connector };
	pthread_t t[4];

	lfd = listener(SOCK_NONBLOCK);
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, fns[i], NULL);
	usleep(rand() % 500);
	/* SHUT_RD stops a listener as SHUT_RDWR does. */
	if (shutdown(lfd, round % 2 ? SHUT_RD : SHUT_RDWR))
		fail("shutdown", errno);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	close(lfd);
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 100;

	setvbuf(stdout, NULL, _IONBF, 0);
	blocked();
	for (int i = 0; i < rounds && !failed; i++)
		race(i);
	if (failed)
		return 1;
	printf("%d rounds: accept ended with EINVAL, poll with POLLHUP\n", rounds);
	return 0;
}
