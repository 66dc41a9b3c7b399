/* AF_UNIX credentials: SCM_CREDENTIALS sent (a malformed one is EINVAL,
 * one naming ids the sender may not claim EPERM, a pid of no process
 * ESRCH) and received with SO_PASSCRED (the sender's pid and ids, or what
 * root claimed, before any SCM_RIGHTS; cut short with MSG_CTRUNC), stream
 * reads not gluing messages of different credentials, SO_PEERCRED for a
 * process that dropped root, and SO_SNDBUFFORCE/SO_RCVBUFFORCE (root
 * only).  Run as root: a child becomes uid and gid 1000 for the second
 * half.  One line per check (Linux's transcript in the test),
 * "unix_creds done". */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t me, other;	/* other: a child of the root half, whose pid root may claim */

static const char *err_name(int e)
{
	switch (e) {
	case 0: return "ok";
	case EINVAL: return "EINVAL";
	case EPERM: return "EPERM";
	case ESRCH: return "ESRCH";
	default: return strerror(e);
	}
}

/* Sends "data" on fd with an SCM_CREDENTIALS message of cmsg_len len
 * (0: none), and an SCM_RIGHTS of passfd when >= 0. */
static int send_creds(int fd, const char *data, const struct ucred *c, size_t len, int passfd)
{
	union { char buf[256]; struct cmsghdr align; } u;
	struct iovec iov = { (void *)data, strlen(data) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf };
	size_t at = 0;

	memset(u.buf, 0, sizeof u.buf);
	if (len) {
		struct cmsghdr *h = (struct cmsghdr *)u.buf;
		h->cmsg_len = len;
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_CREDENTIALS;
		memcpy(CMSG_DATA(h), c, sizeof *c);
		at = CMSG_SPACE(sizeof *c);
	}
	if (passfd >= 0) {
		struct cmsghdr *h = (struct cmsghdr *)(u.buf + at);
		h->cmsg_len = CMSG_LEN(sizeof passfd);
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_RIGHTS;
		memcpy(CMSG_DATA(h), &passfd, sizeof passfd);
		at += CMSG_SPACE(sizeof passfd);
	}
	m.msg_controllen = at;
	if (!at)
		m.msg_control = NULL;
	return sendmsg(fd, &m, 0) < 0 ? errno : 0;
}

/* Receives one message and prints what came: bytes, flags, each cmsg. */
static void show_recv(const char *what, int fd, size_t room, pid_t sender)
{
	union { char buf[256]; struct cmsghdr align; } u;
	char data[64];
	struct iovec iov = { data, sizeof data - 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = room };

	memset(u.buf, 0, sizeof u.buf);
	ssize_t n = recvmsg(fd, &m, MSG_DONTWAIT);
	if (n < 0) {
		printf("%s: recvmsg %s\n", what, err_name(errno));
		return;
	}
	data[n] = 0;
	printf("%s: \"%s\" controllen %zu%s\n", what, data, (size_t)m.msg_controllen,
	       m.msg_flags & MSG_CTRUNC ? " MSG_CTRUNC" : "");
	for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h)) {
		if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_CREDENTIALS &&
		    h->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
			struct ucred c;
			memcpy(&c, CMSG_DATA(h), sizeof c);
			printf("  SCM_CREDENTIALS pid %s uid %u gid %u\n",
			       c.pid == sender ? "sender's" : c.pid == other ? "the child's" : c.pid == 0 ? "0" : "other",
			       c.uid, c.gid);
		} else if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS) {
			printf("  SCM_RIGHTS %zu fds\n", (h->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		} else {
			printf("  cmsg level %d type %d len %zu\n", h->cmsg_level, h->cmsg_type,
			       (size_t)h->cmsg_len);
		}
	}
}

static void passcred(int fd, int on)
{
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof on))
		printf("SO_PASSCRED: %s\n", err_name(errno));
}

static void show_peercred(const char *what, int fd, pid_t peer)
{
	struct ucred c;
	socklen_t len = sizeof c;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c, &len)) {
		printf("%s: SO_PEERCRED %s\n", what, err_name(errno));
		return;
	}
	printf("%s: SO_PEERCRED pid %s uid %u gid %u\n", what,
	       c.pid == peer ? "peer's" : c.pid == me ? "mine" : c.pid == 0 ? "0" : "other", c.uid, c.gid);
}

static void as_root(int type, const char *name)
{
	int sv[2], p[2];
	struct ucred own = { me, 0, 0 }, forged = { other, 1234, 5678 }, bad = { me, (uid_t)-1, 0 },
		     gone = { 0x3fffffff, 0, 0 };
	char what[64];

	if (socketpair(AF_UNIX, type, 0, sv) || pipe(p))
		exit(1);
	snprintf(what, sizeof what, "%s no SO_PASSCRED", name);
	send_creds(sv[0], "a", NULL, 0, -1);
	show_recv(what, sv[1], 256, me);
	passcred(sv[1], 1);
	printf("%s short cmsg: %s\n", name, err_name(send_creds(sv[0], "x", &own, CMSG_LEN(8), -1)));
	printf("%s long cmsg: %s\n", name, err_name(send_creds(sv[0], "x", &own, CMSG_LEN(16), -1)));
	printf("%s uid -1: %s\n", name, err_name(send_creds(sv[0], "x", &bad, CMSG_LEN(sizeof bad), -1)));
	printf("%s no such pid: %s\n", name, err_name(send_creds(sv[0], "x", &gone, CMSG_LEN(sizeof gone), -1)));
	snprintf(what, sizeof what, "%s plain", name);
	send_creds(sv[0], "b", NULL, 0, -1);
	show_recv(what, sv[1], 256, me);
	snprintf(what, sizeof what, "%s forged by root", name);
	printf("%s: send %s\n", what, err_name(send_creds(sv[0], "c", &forged, CMSG_LEN(sizeof forged), -1)));
	show_recv(what, sv[1], 256, me);
	snprintf(what, sizeof what, "%s own with a file", name);
	send_creds(sv[0], "d", &own, CMSG_LEN(sizeof own), p[0]);
	show_recv(what, sv[1], 256, me);
	snprintf(what, sizeof what, "%s room for 16", name);
	send_creds(sv[0], "e", NULL, 0, -1);
	show_recv(what, sv[1], 16, me);
	snprintf(what, sizeof what, "%s room for 24", name);
	send_creds(sv[0], "f", NULL, 0, -1);
	show_recv(what, sv[1], 24, me);
	snprintf(what, sizeof what, "%s room for 36 with a file", name);
	send_creds(sv[0], "g", NULL, 0, p[0]);
	show_recv(what, sv[1], 36, me);
	if (type == SOCK_STREAM) {
		send_creds(sv[0], "h1", NULL, 0, -1);
		send_creds(sv[0], "h2", NULL, 0, -1);
		send_creds(sv[0], "i", &forged, CMSG_LEN(sizeof forged), -1);
		send_creds(sv[0], "j", NULL, 0, -1);
		show_recv("stream same sender glued", sv[1], 256, me);
		show_recv("stream forged alone", sv[1], 256, me);
		show_recv("stream after forged", sv[1], 256, me);
		passcred(sv[1], 0);
		send_creds(sv[0], "k", NULL, 0, -1);
		send_creds(sv[0], "l", &forged, CMSG_LEN(sizeof forged), -1);
		show_recv("stream without SO_PASSCRED glued", sv[1], 256, me);
	}
	close(sv[0]);
	close(sv[1]);
	close(p[0]);
	close(p[1]);
}

/* The second half: a child that is uid/gid 1000 talks to its root parent. */
static void as_user(void)
{
	int sv[2], ready[2];
	struct sockaddr_un a = { AF_UNIX };
	socklen_t alen = offsetof(struct sockaddr_un, sun_path) + 12;

	memcpy(a.sun_path, "\0unix_creds", 12);
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, alen) || listen(l, 4) ||
	    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) || pipe(ready))
		exit(1);
	passcred(sv[1], 1);
	int big = 1 << 24;
	printf("root SO_SNDBUFFORCE: %s\n",
	       err_name(setsockopt(sv[1], SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big) ? errno : 0));
	fflush(stdout);
	pid_t child = fork();
	if (child == 0) {
		me = getpid();
		if (setgroups(0, NULL) || setgid(1000) || setuid(1000))
			exit(2);
		struct ucred own = { me, 1000, 1000 }, uid0 = { me, 0, 1000 }, gid0 = { me, 1000, 0 },
			     pid1 = { 1, 1000, 1000 };
		printf("user forged uid 0: %s\n", err_name(send_creds(sv[0], "x", &uid0, CMSG_LEN(sizeof uid0), -1)));
		printf("user forged gid 0: %s\n", err_name(send_creds(sv[0], "x", &gid0, CMSG_LEN(sizeof gid0), -1)));
		printf("user forged pid 1: %s\n", err_name(send_creds(sv[0], "x", &pid1, CMSG_LEN(sizeof pid1), -1)));
		printf("user own: %s\n", err_name(send_creds(sv[0], "u", &own, CMSG_LEN(sizeof own), -1)));
		printf("user plain: %s\n", err_name(send_creds(sv[0], "v", NULL, 0, -1)));
		int big = 1 << 24;
		printf("user SO_SNDBUFFORCE: %s\n",
		       err_name(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big) ? errno : 0));
		printf("user SO_RCVBUFFORCE: %s\n",
		       err_name(setsockopt(sv[0], SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big) ? errno : 0));
		int c = socket(AF_UNIX, SOCK_STREAM, 0), pair[2];
		if (c < 0 || connect(c, (struct sockaddr *)&a, alen))
			exit(3);
		show_peercred("user's connection", c, getppid());
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair))
			exit(4);
		show_peercred("user's socketpair", pair[0], me);
		fflush(stdout);
		if (write(ready[1], "r", 1) != 1)
			exit(5);
		_exit(0);
	}
	char r;
	if (child < 0 || read(ready[0], &r, 1) != 1)
		exit(6);
	int s = accept(l, NULL, NULL);
	show_peercred("root's accepted connection", s, child);
	show_peercred("root's listener", l, child);
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un da = { AF_UNIX };
	memcpy(da.sun_path, "\0unix_creds_d", 14);
	socklen_t dlen = offsetof(struct sockaddr_un, sun_path) + 14;
	int dl = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (d < 0 || dl < 0 || bind(dl, (struct sockaddr *)&da, dlen) || connect(d, (struct sockaddr *)&da, dlen))
		exit(7);
	show_peercred("dgram connect", d, child);
	show_peercred("dgram not connected", dl, child);
	show_recv("root got the user's own", sv[1], 256, child);
	show_recv("root got the user's plain", sv[1], 256, child);
	show_recv("nothing more", sv[1], 256, child);
	int status;
	waitpid(child, &status, 0);
	printf("child status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	me = getpid();
	int hold[2];
	if (pipe(hold) || (other = fork()) < 0)
		return 1;
	if (other == 0) {
		char c;
		close(hold[1]);
		_exit(read(hold[0], &c, 1));	/* until the parent closes its end */
	}
	close(hold[0]);
	as_root(SOCK_STREAM, "stream");
	as_root(SOCK_DGRAM, "dgram");
	close(hold[1]);
	waitpid(other, NULL, 0);
	as_user();
	printf("unix_creds done\n");
	return 0;
}
