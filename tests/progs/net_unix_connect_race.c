/* Two threads connect() one AF_UNIX stream socket at the same moment,
 * ROUNDS times: one connect succeeds, the other fails with EISCONN (as on
 * Linux).  amphi once let both succeed when they overlapped: the second
 * overwrote the first's peer, whose server end then never saw the client
 * go (no end of file).  Overlapping is up to the scheduler, so this finds
 * that only sometimes; it never fails a kernel that is right.
 *
 *   net_unix_connect_race [ROUNDS]     (default 500)
 *
 * Prints fixed lines; a FAIL line and status 1 on a wrong answer. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static struct sockaddr_un addr = { .sun_family = AF_UNIX };
static socklen_t addrlen;
static int client;
static volatile int go, ready;

static void *connector(void *arg)
{
	__atomic_add_fetch(&ready, 1, __ATOMIC_SEQ_CST);
	while (!go)
		;
	*(int *)arg = connect(client, (void *)&addr, addrlen) ? errno : 0;
	return NULL;
}

/* One round: the two results, counted in ok/eisconn; 0, or 1 if wrong. */
static int round_once(int l)
{
	pthread_t t[2];
	int err[2];

	client = socket(AF_UNIX, SOCK_STREAM, 0);
	go = ready = 0;
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, connector, &err[i]);
	while (ready < 2)
		;
	go = 1;
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	int ok = !err[0] + !err[1], eisconn = (err[0] == EISCONN) + (err[1] == EISCONN);
	for (int a; (a = accept4(l, NULL, NULL, SOCK_NONBLOCK)) >= 0;)
		close(a);
	close(client);
	if (ok == 1 && eisconn == 1)
		return 0;
	printf("FAIL: connects said %s and %s\n", err[0] ? strerror(err[0]) : "0",
	       err[1] ? strerror(err[1]) : "0");
	return 1;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 500;

	/* An abstract name: nothing to remove after. */
	snprintf(addr.sun_path + 1, sizeof addr.sun_path - 1, "connect_race.%d", getpid());
	addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(addr.sun_path + 1));
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (l < 0 || bind(l, (void *)&addr, addrlen) || listen(l, 16)) {
		perror("listener");
		return 1;
	}
	for (int i = 0; i < rounds; i++)
		if (round_once(l)) {
			printf("in round %d\n", i);
			return 1;
		}
	printf("%d rounds: one connect, one EISCONN\n", rounds);
	return 0;
}
