/* sendfile from a regular file to a TCP socket over loopback: the bytes
 * that arrive, the counts returned, the offsets left behind (the caller's
 * and the file's own), a file shorter than asked for, a file with holes,
 * a non-blocking socket that fills up (a partial count, then EAGAIN, and
 * the file offset advanced by exactly what was taken), bytes still queued
 * when the file is cut and written again (they stay what sendfile
 * found), and the errors.  A reader thread keeps every byte of the first
 * connection and compares them at the end with what the file held at the
 * ranges sent.
 *
 * Usage: net_sendfile DIR (a writable directory for the 4 MiB file). */
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/sendfile.h>

#include "net_inet_check.h"

#define FILE_SIZE	(4 << 20)
#define STREAM_MAX	(16 << 20)
#define HOLES_SIZE	(256 << 10)
#define HOLES_DATA	100000

static unsigned char *content;	/* what the file holds */
static unsigned char *stream;	/* what the reader got */
static size_t stream_len;
static size_t expect_len;	/* the ranges sent, one after another */
static unsigned char *expect;

static unsigned char byte_at(size_t i) { return (unsigned char)(i * 7 + (i >> 12) * 13 + 1); }

static void *reader(void *arg)
{
	int fd = *(int *)arg;
	ssize_t r;

	while ((r = read(fd, stream + stream_len, STREAM_MAX - stream_len)) > 0)
		stream_len += (size_t)r;
	return NULL;
}

static void expect_range(off_t off, long n)
{
	if (n > 0) {
		memcpy(expect + expect_len, content + off, (size_t)n);
		expect_len += (size_t)n;
	}
}

static int make_file(const char *dir)
{
	char path[256];

	snprintf(path, sizeof path, "%s/sendfile.data", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, content, FILE_SIZE) != FILE_SIZE) {
		printf("FAIL: cannot write %s\n", path);
		exit(1);
	}
	unlink(path);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* A connected pair over 127.0.0.1: *client and *server. */
static void connect_pair(int *client, int *server, int rcvbuf)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	int l = socket(AF_INET, SOCK_STREAM, 0);

	if (rcvbuf)
		setsockopt(l, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	if (bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &len)) {
		printf("FAIL: listen: %s\n", errname(errno));
		exit(1);
	}
	*client = socket(AF_INET, SOCK_STREAM, 0);
	if (rcvbuf)
		setsockopt(*client, SOL_SOCKET, SO_SNDBUF, &rcvbuf, sizeof rcvbuf);
	if (connect(*client, (struct sockaddr *)&a, sizeof a) || (*server = accept(l, NULL, NULL)) < 0) {
		printf("FAIL: connect: %s\n", errname(errno));
		exit(1);
	}
	close(l);
}

/* sendfile until count bytes went or it returns 0 or fails; the total. */
static long send_all(int out, int in, off_t *off, size_t count)
{
	long total = 0;

	while ((size_t)total < count) {
		ssize_t r = sendfile(out, in, off, count - (size_t)total);
		if (r <= 0)
			return total ? total : r;
		total += r;
	}
	return total;
}

/* The sender is done: the reader has every byte in stream; both ends closed. */
static void end_stream(int c, int s, pthread_t t)
{
	shutdown(c, SHUT_WR);
	pthread_join(t, NULL);
	close(c);
	close(s);
}

static void blocking_cases(int fd)
{
	int c, s;
	pthread_t t;
	off_t off;

	connect_pair(&c, &s, 0);
	pthread_create(&t, NULL, reader, &s);

	long n = send_all(c, fd, NULL, FILE_SIZE);	/* from the file's offset, 0 */
	expect_range(0, n);
	printf("whole file: %ld, file offset %ld\n", n, (long)lseek(fd, 0, SEEK_CUR));

	lseek(fd, 1000, SEEK_SET);
	off = 12345;
	n = send_all(c, fd, &off, 100001);
	expect_range(12345, n);
	printf("with an offset: %ld, offset %ld, file offset %ld\n", n, (long)off,
	       (long)lseek(fd, 0, SEEK_CUR));

	off = FILE_SIZE - 777;
	n = sendfile(c, fd, &off, 1 << 20);
	expect_range(FILE_SIZE - 777, n);
	printf("file shorter than asked: %ld, offset %ld\n", n, (long)off);

	n = sendfile(c, fd, &off, 4096);
	printf("at the end: %ld, offset %ld\n", n, (long)off);

	off = 5;
	n = sendfile(c, fd, &off, 0);
	printf("count 0: %ld, offset %ld\n", n, (long)off);

	off = 3;
	n = send_all(c, fd, &off, 1);
	expect_range(3, n);
	printf("one byte: %ld, offset %ld\n", n, (long)off);

	off = -1;
	num("negative offset", sendfile(c, fd, &off, 10));
	num("offset pointer not mapped", sendfile(c, fd, (off_t *)8, 10));
	num("bad in descriptor", sendfile(c, 999, NULL, 10));

	end_stream(c, s, t);
	printf("received %zu of %zu, same bytes: %d\n", stream_len, expect_len,
	       stream_len == expect_len && !memcmp(stream, expect, expect_len));
}

/* A file with holes: they go out as zeros, around the bytes written. */
static void holes_case(const char *dir)
{
	char path[256];
	int c, s;
	pthread_t t;

	snprintf(path, sizeof path, "%s/sendfile.holes", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	unlink(path);
	memset(expect, 0, HOLES_SIZE);
	memset(expect + HOLES_DATA, 'x', 5000);	/* across a page boundary */
	if (fd < 0 || ftruncate(fd, HOLES_SIZE) ||
	    pwrite(fd, expect + HOLES_DATA, 5000, HOLES_DATA) != 5000) {
		printf("FAIL: cannot make %s\n", path);
		exit(1);
	}
	stream_len = 0;
	connect_pair(&c, &s, 0);
	pthread_create(&t, NULL, reader, &s);
	long n = send_all(c, fd, NULL, HOLES_SIZE);
	end_stream(c, s, t);
	printf("file with holes: %ld, received %zu, same bytes: %d\n", n, stream_len,
	       stream_len == HOLES_SIZE && !memcmp(stream, expect, HOLES_SIZE));
	close(fd);
}

/* Nobody reads: a non-blocking socket takes part of a large count. */
static void nonblocking_case(int fd)
{
	int c, s;
	off_t off = 4096;

	connect_pair(&c, &s, 65536);
	check("non-blocking", fcntl(c, F_SETFL, O_NONBLOCK));
	ssize_t n = sendfile(c, fd, &off, FILE_SIZE - 4096);
	printf("non-blocking, nobody reading: partial %d, offset moved by the count %d\n",
	       n > 0 && n < FILE_SIZE - 4096, off == 4096 + n);
	ssize_t again = 0;
	for (int i = 0; i < 100 && again >= 0; i++) {	/* loopback may still take a little */
		off_t before = off;
		again = sendfile(c, fd, &off, FILE_SIZE);
		if (again > 0)
			n += again;
		if ((again > 0 && off != before + again) || (again < 0 && off != before))
			printf("FAIL: offset %ld after %zd from %ld\n", (long)off, again, (long)before);
	}
	num("then", again);
	/* New contents in new pages, four times as many as the file let go,
	 * so most likely the very pages just freed: the queued bytes must not
	 * change with them. */
	for (size_t i = 0; i < STREAM_MAX; i++)
		stream[i] = (unsigned char)~byte_at(i);
	check("cut while queued", ftruncate(fd, 0));
	lseek(fd, 0, SEEK_SET);
	num("written again", write(fd, stream, STREAM_MAX));
	close(c);	/* what was queued still arrives, then the end */
	size_t got = 0;
	int same = 1;
	unsigned char buf[65536];
	ssize_t r;
	while ((r = read(s, buf, sizeof buf)) > 0) {
		same &= !memcmp(buf, content + 4096 + got, (size_t)r);
		got += (size_t)r;
	}
	printf("queued bytes arrive: %d, same bytes: %d\n", got == (size_t)n, same);
	close(s);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: net_sendfile DIR\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	content = malloc(FILE_SIZE);
	stream = malloc(STREAM_MAX);
	expect = malloc(STREAM_MAX);
	for (size_t i = 0; i < FILE_SIZE; i++)
		content[i] = byte_at(i);
	int fd = make_file(argv[1]);
	blocking_cases(fd);
	holes_case(argv[1]);
	nonblocking_case(fd);
	printf("net_sendfile done\n");
	return 0;
}
