/* Runs out of sockets on purpose, three ways: TCP sockets, UDP sockets,
 * listening TCP sockets (each takes the stack's connection state).  Each
 * time the failure must be EMFILE, ENFILE or ENOBUFS (a limit said
 * plainly, never a crash or another errno), and once everything is closed
 * the same kind of socket must work again (nothing leaked).
 *
 *   net_exhaust [MAX]
 *
 * The descriptor limit is first raised to its hard limit, so that where
 * the stack runs out before the descriptor table, that shows (ENOBUFS).
 * MAX (default 100000) caps each round: reaching it without a failure is
 * reported and fails too.  Prints one line per round; exit 0 if all pass. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static int *fds;

/* One socket of the round's kind, or -errno. */
static int open_one(int round)
{
	int fd = socket(AF_INET, round == 1 ? SOCK_DGRAM : SOCK_STREAM, 0);
	if (fd < 0 || round != 2)
		return fd < 0 ? -errno : fd;
	struct sockaddr_in a = { .sin_family = AF_INET };	/* any port */
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 1) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

static const char *err_name(int e)
{
	switch (e) {
	case EMFILE: return "EMFILE";
	case ENFILE: return "ENFILE";
	case ENOBUFS: return "ENOBUFS";
	case ENOMEM: return "ENOMEM";
	case EADDRINUSE: return "EADDRINUSE";
	default: return strerror(e);
	}
}

static int round_run(int round, long max)
{
	static const char *const kind[] = { "tcp", "udp", "listen" };
	long n = 0;
	int r = 0;

	while (n < max && (r = open_one(round)) >= 0)
		fds[n++] = r;
	for (long i = 0; i < n; i++)
		close(fds[i]);
	if (n == max) {
		printf("net_exhaust: %s: %ld sockets without a failure\n", kind[round], n);
		return 1;
	}
	int e = -r, ok = e == EMFILE || e == ENFILE || e == ENOBUFS;
	int again = open_one(round);
	printf("net_exhaust: %s: %ld sockets, then %s; %s\n", kind[round], n, err_name(e),
	       again >= 0 ? "one opens again after closing them" : "none opens after closing them");
	if (again >= 0)
		close(again);
	return ok && again >= 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	long max = argc > 1 ? atol(argv[1]) : 100000;
	int failed = 0;

	if (max <= 0 || !(fds = malloc(sizeof *fds * (size_t)max))) {
		fprintf(stderr, "usage: net_exhaust [MAX]\n");
		return 2;
	}
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max < (rlim_t)max + 16 ? rl.rlim_max : (rlim_t)max + 16;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	for (int round = 0; round < 3; round++)
		failed |= round_run(round, max);
	return failed;
}
