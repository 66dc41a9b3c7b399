/* An epoll registration does not keep its file open, and ends when the
 * file is released, as on Linux (epoll(7), Q6):
 *   blocked pipe reader:  a pipe's read end registered in an epoll is
 *     closed while another thread is blocked reading it; once that read
 *     returns nothing holds the end, so the writer gets EPIPE.
 *   blocked tcp reader:   the same with an accepted TCP socket: the peer
 *     sees end of file (the FIN is sent when the read returns).
 *   dup keeps it:         a registration whose descriptor was closed while
 *     a dup keeps the file open is still reported, and goes with the dup.
 *   shared by fork:       a child closes its copy of a registered
 *     descriptor and reuses the number; the epoll they share still reports
 *     the parent's file, to both.
 * Prints one "<case> ok" line each and "epoll_file_release ok" (the same
 * under Linux), or FAIL lines and status 1. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures, read_fd;

#define CHECK(cond) do { if (!(cond)) { \
	printf("FAIL: %s:%d: %s (errno %d)\n", __func__, __LINE__, #cond, errno); \
	failures++; return; } } while (0)

static int add(int ep, int fd, uint64_t data)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = data };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

/* How many events ep has now (at most 4); *data gets the first's data. */
static int ready(int ep, uint64_t *data)
{
	struct epoll_event ev[4];
	int n = epoll_wait(ep, ev, 4, 0);

	if (n > 0 && data)
		*data = ev[0].data.u64;
	return n;
}

static void *reader(void *arg)
{
	char c;

	(void)arg;
	return (void *)(intptr_t)read(read_fd, &c, 1);
}

/* Closes read_fd while a thread is blocked reading it, then lets the read
 * end with the byte that 'release' writes to the other side. */
static int close_under_reader(int release)
{
	pthread_t t;
	void *got;

	if (pthread_create(&t, NULL, reader, NULL))
		return -1;
	usleep(200000);		/* the reader is blocked in read(read_fd) by now */
	close(read_fd);
	if (write(release, "x", 1) != 1 || pthread_join(t, &got))
		return -1;
	return 0;
}

static void blocked_pipe_reader(void)
{
	int ep = epoll_create1(0), p[2];

	CHECK(ep >= 0 && pipe(p) == 0);
	CHECK(add(ep, p[0], 1) == 0);
	read_fd = p[0];
	CHECK(close_under_reader(p[1]) == 0);
	CHECK(write(p[1], "y", 1) == -1 && errno == EPIPE);
	CHECK(ready(ep, NULL) == 0);
	close(p[1]), close(ep);
	printf("blocked pipe reader ok\n");
}

static void blocked_tcp_reader(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	int ep = epoll_create1(0), l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0);
	char b;

	CHECK(ep >= 0 && l >= 0 && c >= 0);
	CHECK(bind(l, (void *)&a, sizeof a) == 0 && listen(l, 4) == 0);
	CHECK(getsockname(l, (void *)&a, &len) == 0 && connect(c, (void *)&a, sizeof a) == 0);
	int s = accept(l, NULL, NULL);
	CHECK(s >= 0 && add(ep, s, 2) == 0);
	read_fd = s;
	CHECK(close_under_reader(c) == 0);
	/* Linux sends the FIN at once; 10 s only bounds a failure. */
	struct pollfd pf = { c, POLLIN, 0 };
	CHECK(poll(&pf, 1, 10000) == 1 && read(c, &b, 1) == 0);
	close(c), close(l), close(ep);
	printf("blocked tcp reader ok\n");
}

static void dup_keeps_it(void)
{
	int ep = epoll_create1(0), p[2];
	uint64_t data = 0;

	CHECK(ep >= 0 && pipe(p) == 0 && write(p[1], "x", 1) == 1);
	int copy = dup(p[0]);
	CHECK(copy >= 0 && add(ep, p[0], 3) == 0);
	close(p[0]);
	CHECK(ready(ep, &data) == 1 && data == 3);
	close(copy);
	CHECK(ready(ep, NULL) == 0);
	close(p[1]), close(ep);
	printf("dup keeps it ok\n");
}

static void shared_by_fork(void)
{
	int ep = epoll_create1(0), p[2], q[2], status;
	uint64_t data = 0;

	CHECK(ep >= 0 && pipe(p) == 0 && write(p[1], "x", 1) == 1);
	CHECK(add(ep, p[0], 4) == 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		/* The number now names another file in this process only. */
		_exit(pipe(q) == 0 && q[0] == p[0] && ready(ep, &data) == 1 && data == 4 ? 0 : 1);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(ready(ep, &data) == 1 && data == 4);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);	/* the child saw it too */
	close(p[0]), close(p[1]), close(ep);
	printf("shared by fork ok\n");
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	blocked_pipe_reader();
	blocked_tcp_reader();
	dup_keeps_it();
	shared_by_fork();
	if (failures)
		return 1;
	printf("epoll_file_release ok\n");
	return 0;
}
