/* SO_LINGER with a long time (600 s) on a TCP connection whose peer never
 * reads, so the close has unsent data to wait for.
 *
 * Linux ends the wait early when a signal comes (sk_stream_wait_close),
 * and a process that is ending does not linger at all (inet_release).
 * amphi's wait once ignored the signal and spun, taking and dropping
 * lwIP's core lock, until the whole linger time was spent: a close
 * interrupted by SIGALRM, or the exit of a process killed by SIGKILL, took
 * 600 s.  Here both must end, which the test's run time-out checks.
 *
 * Prints fixed lines; a FAIL line and status 1 on a wrong answer. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define LINGER_SEC 600

static void die(const char *what)
{
	printf("FAIL: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int listener(struct sockaddr_in *addr)
{
	socklen_t len = sizeof *addr;

	*addr = (struct sockaddr_in){ .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (void *)addr, sizeof *addr) || listen(fd, 4) ||
	    getsockname(fd, (void *)addr, &len))
		die("listener");
	return fd;
}

/* A connection to addr holding unsent data (the peer reads nothing), with
 * SO_LINGER set: its close has to wait. */
static int stuck_client(const struct sockaddr_in *addr)
{
	static char chunk[65536];
	struct linger l = { 1, LINGER_SEC };
	int c = socket(AF_INET, SOCK_STREAM, 0);

	if (c < 0 || connect(c, (const void *)addr, sizeof *addr))
		die("connect");
	/* Written until a second passes without room: the peer's window is
	 * shut and the last bytes wait unsent.  (Were everything sent, only
	 * the FIN would be left, which amphi's lwIP gives up on after about
	 * 20 s of retransmissions; unsent bytes keep it probing for minutes.) */
	fcntl(c, F_SETFL, O_NONBLOCK);
	for (;;) {
		struct pollfd p = { .fd = c, .events = POLLOUT };
		while (write(c, chunk, sizeof chunk) > 0)
			;
		if (errno != EAGAIN)
			die("filling the window");
		if (poll(&p, 1, 1000) == 0)
			break;
	}
	fcntl(c, F_SETFL, 0);
	if (setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof l))
		die("SO_LINGER");
	return c;
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* A close in its linger wait, ended by SIGALRM (every 20 ms, so one comes
 * whenever the close starts). */
static void close_with_signal(void)
{
	struct sockaddr_in addr;
	int l = listener(&addr);
	int c = stuck_client(&addr);
	int a = accept(l, NULL, NULL);	/* never read */
	struct itimerval every = { { 0, 20000 }, { 0, 20000 } }, off = { 0 };

	if (a < 0)
		die("accept");
	signal(SIGALRM, on_alarm);
	setitimer(ITIMER_REAL, &every, NULL);
	int r = close(c);
	setitimer(ITIMER_REAL, &off, NULL);
	printf("close with SIGALRM coming: %d, handler ran: %s\n", r, alarms ? "yes" : "no");
	close(a);
	close(l);
}

/* A child killed while its lingering socket is open: it ends at once. */
static void killed_child(void)
{
	struct sockaddr_in addr;
	int l = listener(&addr);
	int ready[2];

	if (pipe(ready))
		die("pipe");
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		stuck_client(&addr);
		write(ready[1], "r", 1);
		for (;;)
			pause();
	}
	int a = accept(l, NULL, NULL);	/* never read */
	char b;
	if (a < 0 || read(ready[0], &b, 1) != 1)
		die("child not ready");
	kill(pid, SIGKILL);
	int st;
	if (waitpid(pid, &st, 0) != pid)
		die("waitpid");
	printf("killed child: %s\n", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? "SIGKILL" : "other status");
	close(a);
	close(l);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	close_with_signal();
	killed_child();
	printf("net_linger_signal done\n");
	return 0;
}
