/* Files that hold files, released as a chain: N AF_UNIX socket pairs where
 * each pair's queue holds (SCM_RIGHTS) one end of the next pair, so
 * closing the first pair's ends releases the whole chain, one socket's
 * queue dropping the last reference to the next socket.  The kernel must
 * do that without one nested call per link (its stack holds a few hundred
 * at most), and after it the program goes on: a new socket pair works.
 *
 *	release_chain N		prints "chain of N released", "release_chain ok" */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

/* Sends fd over sock as SCM_RIGHTS with one byte of data. */
static int send_fd(int sock, int fd)
{
	char byte = 'x', ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &byte, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			    .msg_controllen = sizeof ctl };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	memset(ctl, 0, sizeof ctl);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000, prev[2], next[2];
	struct rlimit r = { 65536, 65536 };

	setrlimit(RLIMIT_NOFILE, &r);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, prev)) {
		printf("FAIL: socketpair: %m\n");
		return 1;
	}
	int first[2] = { prev[0], prev[1] };
	for (int i = 1; i < n; i++) {
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, next) || send_fd(prev[0], next[1])) {
			printf("FAIL: link %d: %m\n", i);
			return 1;
		}
		/* next[1] is held by prev's peer's queue alone now; next[0]
		 * sends the next link, then goes too. */
		if (i > 1)
			close(prev[0]);
		close(next[1]);
		prev[0] = next[0];
	}
	close(prev[0]);
	close(first[0]);
	close(first[1]);
	printf("chain of %d released\n", n);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, next) || write(next[0], "ok", 2) != 2) {
		printf("FAIL: a new pair after the chain: %m\n");
		return 1;
	}
	char buf[2];
	if (read(next[1], buf, 2) != 2 || memcmp(buf, "ok", 2)) {
		printf("FAIL: a new pair after the chain does not carry data\n");
		return 1;
	}
	printf("release_chain ok\n");
	return 0;
}
