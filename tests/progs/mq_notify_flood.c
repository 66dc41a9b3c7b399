/* mq_notify's SIGEV_THREAD registered and removed in a loop while its
 * netlink socket is never read, against Linux 6.18 (run as uid 65534):
 * each removal queues a cookie, and once the socket's receive buffer is
 * full the next registration waits (as Linux's netlink_attachskb),
 * here until SIGALRM (no SA_RESTART: EINTR).  The count queued depends on
 * each kernel's accounting, so only its bound is printed.  Once read, the
 * buffer takes a registration again.  A registration waiting on a full
 * socket that another thread closes looks the descriptor up again:
 * EBADF. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "call_result.h"

#define NETLINK_ROUTE	0

static void on_alarm(int s) { (void)s; }

static int flood(int q, struct sigevent *ev)
{
	long r = 0;

	alarm(2);
	for (int i = 0; i < 100000 && !r; i++)
		if (!(r = syscall(SYS_mq_notify, q, ev)))
			syscall(SYS_mq_notify, q, NULL);
	alarm(0);
	return r;
}

static void *closer(void *arg)
{
	usleep(300000);
	close(*(int *)arg);
	return NULL;
}

int main(void)
{
	char name[64];
	snprintf(name, sizeof name, "r2flood%d", getpid());
	struct { long flags, maxmsg, msgsize, curmsgs, pad[4]; } at = { .maxmsg = 4, .msgsize = 16 };
	int q = syscall(SYS_mq_open, name, O_RDWR | O_CREAT, 0600, &at);
	int s = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	char cookie[32] = "abc";
	struct sigevent ev;
	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_THREAD;
	ev.sigev_signo = s;
	ev.sigev_value.sival_ptr = cookie;

	printf("the loop ended: %s\n", res(flood(q, &ev)));
	int queued = 0;
	char buf[64];
	while (recv(s, buf, sizeof buf, MSG_DONTWAIT) > 0)
		queued++;
	printf("cookies queued: %s\n", queued > 16 && queued < 4096 ? "bounded by the buffer" : "unbounded");
	printf("register once read: %s\n", res(syscall(SYS_mq_notify, q, &ev)));
	syscall(SYS_mq_notify, q, NULL);

	int s2 = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	ev.sigev_signo = s2;
	printf("another socket filled: %s\n", res(flood(q, &ev)));
	pthread_t t;
	pthread_create(&t, NULL, closer, &s2);
	printf("register while it is closed: %s\n", res(syscall(SYS_mq_notify, q, &ev)));
	pthread_join(t, NULL);
	syscall(SYS_mq_unlink, name);
	return 0;
}
