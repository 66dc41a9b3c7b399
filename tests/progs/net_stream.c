/* A bulk TCP stream either way, one connection at a time, for the
 * benchmark's stream rows and their test.
 *
 *   net_stream PORT
 *
 * A client's first line says what it wants:
 *   "send N\n"  the server sends N bytes (byte i of the stream is i % 251,
 *               a period no buffer size shares), then closes;
 *   "recv\n"    the server reads until the client shuts its side down,
 *               then answers "N\n", the bytes it read, and closes.
 * Anything else gets "?\n" and a close.  Prints "net_stream: listening on
 * port PORT" once listening. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CHUNK	(256 * 1024)
#define PERIOD	251

static unsigned char pattern[CHUNK + PERIOD];	/* the stream from any offset < PERIOD */
static unsigned char sink[CHUNK];

static void die(const char *what)
{
	fprintf(stderr, "net_stream: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* The command line, at most size - 1 bytes; -1 when the client left first. */
static int read_line(int fd, char *line, size_t size)
{
	size_t n = 0;

	while (n + 1 < size) {
		ssize_t r = read(fd, line + n, 1);
		if (r <= 0)
			return -1;
		if (line[n] == '\n')
			break;
		n++;
	}
	line[n] = 0;
	return 0;
}

static void send_stream(int fd, unsigned long long n)
{
	unsigned long long sent = 0;

	while (sent < n) {
		size_t off = (size_t)(sent % PERIOD);
		size_t len = n - sent < CHUNK ? (size_t)(n - sent) : CHUNK;
		ssize_t w = write(fd, pattern + off, len);
		if (w <= 0)
			return;		/* the client left: its own count says so */
		sent += (unsigned long long)w;
	}
}

static void recv_stream(int fd)
{
	unsigned long long got = 0;
	ssize_t r;
	char answer[32];

	while ((r = read(fd, sink, sizeof sink)) > 0)
		got += (unsigned long long)r;
	if (r < 0)
		return;
	int len = snprintf(answer, sizeof answer, "%llu\n", got);
	if (write(fd, answer, (size_t)len) != len)
		return;
}

static void serve(int fd)
{
	char line[64];
	unsigned long long n;

	if (read_line(fd, line, sizeof line))
		return;
	if (sscanf(line, "send %llu", &n) == 1)
		send_stream(fd, n);
	else if (strcmp(line, "recv") == 0)
		recv_stream(fd);
	else if (write(fd, "?\n", 2) != 2)
		return;
}

int main(int argc, char **argv)
{
	int port = argc == 2 ? atoi(argv[1]) : 0;

	if (port <= 0 || port > 65535) {
		fprintf(stderr, "usage: net_stream PORT\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < sizeof pattern; i++)
		pattern[i] = (unsigned char)(i % PERIOD);
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
	    bind(lfd, (struct sockaddr *)&a, sizeof a) || listen(lfd, 16))
		die("listen");
	printf("net_stream: listening on port %d\n", port);
	fflush(stdout);
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			die("accept");
		}
		serve(fd);
		close(fd);
	}
}
