/* MSG_OOB on AF_UNIX stream sockets (Linux 5.15 on): one out-of-band
 * byte per send, recv(MSG_OOB), SO_OOBINLINE, SIOCATMARK, SIGURG to the
 * F_SETOWN owner, POLLPRI, epoll's EPOLLPRI, select's exceptfds, the mark
 * splitting reads, and the errors of datagram and sequenced-packet
 * sockets.  Prints a transcript to compare with Linux's.  "race" runs
 * threads that send and read out-of-band bytes at once: it must end. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net_unix_check.h"

#ifndef SIOCATMARK
#define SIOCATMARK 0x8905
#endif

static volatile int urgs, pris, band;

static void on_urg(int sig) { (void)sig; urgs++; }

/* F_SETSIG's signal: only those for urgent data (POLL_PRI) are counted,
 * as the ones for readable data (POLL_IN) come when they come. */
static void on_rt(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	if (si->si_code == POLL_PRI) {
		pris++;
		band = (int)si->si_band;
	}
}

/* One receive into a buffer of n bytes: its length, bytes and flags. */
static void rcv(const char *what, int fd, size_t n, int flags)
{
	char buf[256] = "";
	struct iovec iov = { buf, n };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	long r = recvmsg(fd, &mh, flags | MSG_DONTWAIT);

	if (r < 0) {
		printf("%s: %s\n", what, errname(errno));
		return;
	}
	printf("%s: %ld \"%.*s\"%s\n", what, r, (int)(r < (long)n ? r : (long)n), buf,
	       mh.msg_flags & MSG_OOB ? " MSG_OOB" : "");
}

static void snd(const char *what, int fd, const char *s, int flags)
{
	V(what, send(fd, s, strlen(s), flags | MSG_DONTWAIT | MSG_NOSIGNAL));
}

/* What poll, select and SIOCATMARK and FIONREAD say of fd. */
static void state(const char *what, int fd)
{
	struct pollfd p = { fd, POLLIN | POLLPRI | POLLOUT, 0 };
	int mark = -1, inq = -1;

	poll(&p, 1, 0);
	if (ioctl(fd, SIOCATMARK, &mark) < 0)
		mark = -errno;
	if (ioctl(fd, FIONREAD, &inq) < 0)
		inq = -errno;
	printf("%s: poll%s%s%s, atmark %d, inq %d\n", what, p.revents & POLLIN ? " IN" : "",
	       p.revents & POLLPRI ? " PRI" : "", p.revents & POLLOUT ? " OUT" : "", mark, inq);
}

static void pair(int sv[2], int type)
{
	MUST(socketpair(AF_UNIX, type, 0, sv));
}

static void closep(int sv[2])
{
	close(sv[0]);
	close(sv[1]);
}

/* The mark splits reads; the byte comes with MSG_OOB; a read at the mark
 * without SO_OOBINLINE passes over a byte never taken. */
static void basic(void)
{
	int sv[2];

	pair(sv, SOCK_STREAM);
	state("empty", sv[1]);
	snd("send ab", sv[0], "ab", 0);
	snd("send cd OOB", sv[0], "cd", MSG_OOB);
	state("queued", sv[1]);
	rcv("recv", sv[1], 100, 0);
	state("at the mark", sv[1]);
	rcv("recv OOB", sv[1], 100, MSG_OOB);
	state("after", sv[1]);
	rcv("recv OOB again", sv[1], 100, MSG_OOB);
	rcv("recv", sv[1], 100, 0);
	snd("send ef", sv[0], "ef", 0);
	state("more", sv[1]);
	rcv("recv", sv[1], 100, 0);
	closep(sv);

	pair(sv, SOCK_STREAM);
	snd("send ab", sv[0], "ab", 0);
	snd("send c OOB", sv[0], "c", MSG_OOB);
	snd("send de", sv[0], "de", 0);
	state("queued", sv[1]);
	rcv("recv", sv[1], 100, 0);
	state("at the mark", sv[1]);
	rcv("recv", sv[1], 100, 0);
	rcv("recv OOB", sv[1], 100, MSG_OOB);
	state("after", sv[1]);
	closep(sv);

	pair(sv, SOCK_STREAM);
	snd("send ab", sv[0], "ab", 0);
	snd("send c OOB", sv[0], "c", MSG_OOB);
	snd("send de", sv[0], "de", 0);
	rcv("recv OOB", sv[1], 100, MSG_OOB);
	state("taken", sv[1]);
	rcv("recv", sv[1], 100, 0);
	state("at the mark", sv[1]);
	rcv("recv", sv[1], 100, 0);
	state("after", sv[1]);
	closep(sv);
}

static void inline_and_peek(void)
{
	int sv[2], one = 1, v = -1;
	socklen_t len = sizeof v;

	pair(sv, SOCK_STREAM);
	T("SO_OOBINLINE 1", setsockopt(sv[1], SOL_SOCKET, SO_OOBINLINE, &one, sizeof one));
	getsockopt(sv[1], SOL_SOCKET, SO_OOBINLINE, &v, &len);
	printf("SO_OOBINLINE: %d\n", v);
	snd("send ab", sv[0], "ab", 0);
	snd("send c OOB", sv[0], "c", MSG_OOB);
	snd("send de", sv[0], "de", 0);
	state("inline", sv[1]);
	rcv("recv OOB", sv[1], 100, MSG_OOB);
	rcv("peek", sv[1], 100, MSG_PEEK);
	rcv("recv", sv[1], 100, 0);
	state("at the mark", sv[1]);
	rcv("peek", sv[1], 100, MSG_PEEK);
	rcv("recv", sv[1], 100, 0);
	state("after", sv[1]);
	closep(sv);

	pair(sv, SOCK_STREAM);
	snd("send ab", sv[0], "ab", 0);
	snd("send c OOB", sv[0], "c", MSG_OOB);
	snd("send de", sv[0], "de", 0);
	rcv("peek", sv[1], 100, MSG_PEEK);
	rcv("peek OOB", sv[1], 100, MSG_OOB | MSG_PEEK);
	rcv("recv 1", sv[1], 1, 0);
	rcv("peek", sv[1], 100, MSG_PEEK);
	rcv("recv OOB", sv[1], 100, MSG_OOB);
	rcv("peek", sv[1], 100, MSG_PEEK);
	rcv("recv", sv[1], 100, 0);
	rcv("peek", sv[1], 100, MSG_PEEK);
	closep(sv);
}

/* MSG_WAITALL stops at the mark too; a peek offset passes over it. */
static void waitall_and_offset(void)
{
	int sv[2], off = 0;

	pair(sv, SOCK_STREAM);
	snd("send ab", sv[0], "ab", 0);
	snd("send c OOB", sv[0], "c", MSG_OOB);
	snd("send de", sv[0], "de", 0);
	rcv("recv 100 MSG_WAITALL", sv[1], 100, MSG_WAITALL);
	T("SO_PEEK_OFF 0", setsockopt(sv[1], SOL_SOCKET, SO_PEEK_OFF, &off, sizeof off));
	rcv("peek 1", sv[1], 1, MSG_PEEK);
	rcv("peek", sv[1], 100, MSG_PEEK);
	off = 0;
	T("SO_PEEK_OFF 0", setsockopt(sv[1], SOL_SOCKET, SO_PEEK_OFF, &off, sizeof off));
	snd("send f OOB", sv[0], "f", MSG_OOB);
	snd("send gh", sv[0], "gh", 0);
	rcv("peek 2", sv[1], 2, MSG_PEEK);
	rcv("peek", sv[1], 100, MSG_PEEK);
	rcv("peek", sv[1], 100, MSG_PEEK);
	rcv("recv", sv[1], 100, 0);
	rcv("recv", sv[1], 100, 0);
	rcv("recv", sv[1], 100, 0);
	closep(sv);
}

/* A second out-of-band byte makes the first an ordinary one. */
static void two_marks(void)
{
	int sv[2];

	pair(sv, SOCK_STREAM);
	snd("send a OOB", sv[0], "a", MSG_OOB);
	snd("send b OOB", sv[0], "b", MSG_OOB);
	state("two", sv[1]);
	rcv("recv OOB", sv[1], 100, MSG_OOB);
	rcv("recv", sv[1], 100, 0);
	state("after", sv[1]);
	closep(sv);

	pair(sv, SOCK_STREAM);
	snd("send x OOB", sv[0], "x", MSG_OOB);
	state("only the byte", sv[1]);
	rcv("recv", sv[1], 100, 0);
	state("passed over", sv[1]);
	rcv("recv OOB", sv[1], 100, MSG_OOB);
	snd("send y OOB", sv[0], "y", MSG_OOB);
	rcv("recv OOB", sv[1], 100, MSG_OOB);
	snd("send z OOB", sv[0], "z", MSG_OOB);
	rcv("recv OOB", sv[1], 100, MSG_OOB);
	state("two taken", sv[1]);
	snd("send w", sv[0], "w", 0);
	rcv("recv", sv[1], 100, 0);
	closep(sv);
}

static void errors(void)
{
	int sv[2], s;
	char c;

	pair(sv, SOCK_STREAM);
	V("send empty OOB", send(sv[0], "", 0, MSG_OOB | MSG_DONTWAIT));
	snd("send q OOB", sv[0], "q", MSG_OOB);
	V("recv OOB into 0 bytes", recv(sv[1], &c, 0, MSG_OOB | MSG_DONTWAIT));
	rcv("then", sv[1], 100, MSG_OOB);
	snd("send r OOB", sv[0], "r", MSG_OOB);
	V("recv OOB into a bad pointer", recv(sv[1], (void *)8, 1, MSG_OOB | MSG_DONTWAIT));
	rcv("then", sv[1], 100, MSG_OOB);
	T("shutdown RD", shutdown(sv[1], SHUT_RD));
	snd("send OOB after the reader's shutdown", sv[0], "s", MSG_OOB);
	closep(sv);

	s = MUST(socket(AF_UNIX, SOCK_STREAM, 0));
	snd("unconnected: send OOB", s, "t", MSG_OOB);
	rcv("unconnected: recv OOB", s, 100, MSG_OOB);
	state("unconnected", s);
	close(s);

	pair(sv, SOCK_DGRAM);
	snd("dgram: send OOB", sv[0], "u", MSG_OOB);
	snd("dgram: send", sv[0], "u", 0);
	rcv("dgram: recv OOB", sv[1], 100, MSG_OOB);
	state("dgram", sv[1]);
	snd("dgram: send empty", sv[0], "", 0);
	rcv("dgram: recv", sv[1], 100, 0);
	state("dgram", sv[1]);
	closep(sv);

	pair(sv, SOCK_SEQPACKET);
	snd("seqpacket: send OOB", sv[0], "v", MSG_OOB);
	snd("seqpacket: send", sv[0], "v", 0);
	rcv("seqpacket: recv OOB", sv[1], 100, MSG_OOB);
	state("seqpacket", sv[1]);
	closep(sv);
}

/* SIGURG goes to the owner (none: nobody), as a plain signal. */
static void urgent(void)
{
	int sv[2], ep;
	struct sigaction sa = { .sa_handler = on_urg };
	fd_set r, w, x;
	struct timeval tv = { 0, 0 };

	sigaction(SIGURG, &sa, NULL);
	pair(sv, SOCK_STREAM);
	snd("no owner: send OOB", sv[0], "a", MSG_OOB);
	printf("SIGURG: %d\n", urgs);
	V("F_SETOWN", fcntl(sv[1], F_SETOWN, getpid()));
	V("F_GETOWN is us", fcntl(sv[1], F_GETOWN) == getpid());
	snd("send OOB", sv[0], "b", MSG_OOB);
	printf("SIGURG: %d\n", urgs);
	snd("send", sv[0], "c", 0);
	printf("SIGURG: %d\n", urgs);
	snd("send OOB to the other end", sv[1], "d", MSG_OOB);
	printf("SIGURG: %d\n", urgs);

	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_ZERO(&x);
	FD_SET(sv[1], &r);
	FD_SET(sv[1], &x);
	V("select", select(sv[1] + 1, &r, &w, &x, &tv));
	printf("select: read %d except %d\n", FD_ISSET(sv[1], &r), FD_ISSET(sv[1], &x));

	ep = MUST(epoll_create1(0));
	struct epoll_event ev = { .events = EPOLLIN | EPOLLPRI | EPOLLET, .data.fd = sv[1] }, got;
	MUST(epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev));
	V("epoll", epoll_wait(ep, &got, 1, 0));
	printf("epoll: IN %d PRI %d\n", !!(got.events & EPOLLIN), !!(got.events & EPOLLPRI));
	V("epoll again (edge)", epoll_wait(ep, &got, 1, 0));
	rcv("recv OOB", sv[1], 100, MSG_OOB);
	got.events = 0;
	snd("send OOB", sv[0], "e", MSG_OOB);
	V("epoll", epoll_wait(ep, &got, 1, 0));
	printf("epoll: IN %d PRI %d\n", !!(got.events & EPOLLIN), !!(got.events & EPOLLPRI));
	rcv("recv OOB", sv[1], 100, MSG_OOB);
	FD_ZERO(&x);
	FD_SET(sv[1], &x);
	V("select except", select(sv[1] + 1, NULL, NULL, &x, &tv));
	printf("SIGURG: %d\n", urgs);
	close(ep);

	struct sigaction rt = { .sa_sigaction = on_rt, .sa_flags = SA_SIGINFO };
	sigaction(SIGRTMIN + 1, &rt, NULL);
	V("F_SETSIG", fcntl(sv[1], F_SETSIG, SIGRTMIN + 1));
	snd("F_SETSIG, no O_ASYNC: send OOB", sv[0], "f", MSG_OOB);
	printf("SIGURG: %d, POLL_PRI signals: %d\n", urgs, pris);
	V("O_ASYNC", fcntl(sv[1], F_SETFL, fcntl(sv[1], F_GETFL) | O_ASYNC));
	snd("F_SETSIG, O_ASYNC: send OOB", sv[0], "g", MSG_OOB);
	printf("SIGURG: %d, POLL_PRI signals: %d, band %#x\n", urgs, pris, band);
	V("F_SETOWN 0", fcntl(sv[1], F_SETOWN, 0));
	snd("no owner: send OOB", sv[0], "h", MSG_OOB);
	printf("SIGURG: %d, POLL_PRI signals: %d\n", urgs, pris);
	signal(SIGRTMIN + 1, SIG_IGN);
	closep(sv);
}

/* Many bytes with MSG_OOB: all but the last are ordinary. */
static void large(void)
{
	static char big[100000];
	int sv[2], inq = -1;
	long total = 0, r;

	memset(big, 'z', sizeof big);
	big[sizeof big - 1] = '!';
	pair(sv, SOCK_STREAM);
	V("send 100000 OOB", send(sv[0], big, sizeof big, MSG_OOB));
	ioctl(sv[1], FIONREAD, &inq);
	printf("inq %d\n", inq);
	while ((r = recv(sv[1], big, sizeof big, MSG_DONTWAIT)) > 0)
		total += r;
	printf("read before the mark: %ld\n", total);
	rcv("recv OOB", sv[1], 100, MSG_OOB);
	closep(sv);
}

struct race {
	int fd;
	int n;
};

/* Sends of 1 to 10 bytes, two in three with MSG_OOB, waiting for room. */
static void *race_send(void *arg)
{
	struct race *r = arg;

	for (int i = 0; i < r->n; i++)
		send(r->fd, "0123456789", 1 + i % 10, (i % 3 ? MSG_OOB : 0) | MSG_NOSIGNAL);
	return NULL;
}

/* Until the end of the stream: out-of-band takes and peeks, blocking
 * reads and peeks, SIOCATMARK and FIONREAD, SO_OOBINLINE on and off. */
static void *race_recv(void *arg)
{
	struct race *r = arg;
	char buf[64];
	int v;

	for (int i = 0;; i++) {
		int on = i & 1;
		switch (i % 5) {
		case 0: recv(r->fd, buf, sizeof buf, MSG_OOB | MSG_DONTWAIT); break;
		case 1:
			if (recv(r->fd, buf, 1 + i % 7, i & 8 ? MSG_PEEK : 0) == 0)
				return NULL;
			break;
		case 2: ioctl(r->fd, SIOCATMARK, &v); ioctl(r->fd, FIONREAD, &v); break;
		case 3: setsockopt(r->fd, SOL_SOCKET, SO_OOBINLINE, &on, sizeof on); break;
		case 4: recv(r->fd, buf, sizeof buf, MSG_OOB | MSG_PEEK | MSG_DONTWAIT); break;
		}
	}
}

static void race(void)
{
	int sv[2];
	pthread_t t[4];

	pair(sv, SOCK_STREAM);
	fcntl(sv[1], F_SETOWN, getpid());
	struct race s = { sv[0], 20000 }, rr = { sv[1], 0 };
	pthread_create(&t[0], NULL, race_send, &s);
	pthread_create(&t[1], NULL, race_send, &s);
	pthread_create(&t[2], NULL, race_recv, &rr);
	pthread_create(&t[3], NULL, race_recv, &rr);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	shutdown(sv[0], SHUT_WR);	/* the readers' blocking reads end */
	pthread_join(t[2], NULL);
	pthread_join(t[3], NULL);
	char buf[4096];
	long r;
	while ((r = recv(sv[1], buf, sizeof buf, 0)) > 0)
		;
	printf("race: drained, last read %s\n", r == 0 ? "end of file" : errname(errno));
	close(sv[0]);
	close(sv[1]);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && !strcmp(argv[1], "race")) {
		signal(SIGURG, on_urg);
		race();
		return 0;
	}
	basic();
	inline_and_peek();
	waitall_and_offset();
	two_marks();
	errors();
	urgent();
	large();
	return 0;
}
