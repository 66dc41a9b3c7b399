/* Connects out: a guest program as a client of a server elsewhere.
 *
 *   net_connect HOST PORT [LINE]
 *
 * Sends LINE (default "hello from amphi") and a newline, shuts down its
 * sending side, then copies everything the server sends, until it closes,
 * to stdout.  HOST is an address or a name (resolved by musl's resolver).
 * Exit 0 when the server closed cleanly, 1 with one line on stderr
 * otherwise. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int fail(const char *what, const char *why)
{
	fprintf(stderr, "net_connect: %s: %s\n", what, why);
	return 1;
}

int main(int argc, char **argv)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	char buf[4096];

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: net_connect HOST PORT [LINE]\n");
		return 2;
	}
	int r = getaddrinfo(argv[1], argv[2], &hints, &ai);
	if (r)
		return fail(argv[1], gai_strerror(r));
	int fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0)
		return fail("socket", strerror(errno));
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0)
		return fail("connect", strerror(errno));
	freeaddrinfo(ai);
	int len = snprintf(buf, sizeof buf, "%s\n", argc == 4 ? argv[3] : "hello from amphi");
	for (int off = 0; off < len;) {
		ssize_t n = write(fd, buf + off, (size_t)(len - off));
		if (n < 0)
			return fail("write", strerror(errno));
		off += (int)n;
	}
	if (shutdown(fd, SHUT_WR) < 0)
		return fail("shutdown", strerror(errno));
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n < 0)
			return fail("read", strerror(errno));
		if (n == 0)
			break;
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			return fail("stdout", strerror(errno));
	}
	close(fd);
	return fflush(stdout) ? 1 : 0;
}
