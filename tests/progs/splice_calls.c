/* splice, tee and vmsplice as Linux has them, each result a line:
 * a file into a pipe and out to another file at offsets; a pipe to a
 * socket pair and back; tee leaving the bytes in its source; pipe to
 * pipe; vmsplice both ways; SPLICE_F_NONBLOCK on an empty pipe; a pipe
 * nobody reads (EPIPE, SIGPIPE); and the refusals.  With "bulk": 4 MiB
 * from a child through a socket, spliced into a pipe and out to a file
 * and to a non-blocking socket that fills up, every byte accounted for.
 * Lines from Linux 6.18 (the same program built with musl), run as root. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "call_result.h"

static volatile int sigpipes;

static void on_pipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static const char *drain(int fd, size_t n)
{
	static char buf[256];
	long got = read(fd, buf, n < sizeof buf - 1 ? n : sizeof buf - 1);

	buf[got > 0 ? got : 0] = 0;
	return got < 0 ? res(got) : buf;
}

#define BULK	(4 << 20)

static unsigned char byte_at(long i) { return (unsigned char)(i * 2654435761u >> 13); }

/* A child writes BULK bytes into the socket; they go socket -> pipe ->
 * file by splice, and the file is checked byte by byte. */
static void bulk_to_file(void)
{
	int s[2], p[2];
	unsigned char buf[4096];

	socketpair(AF_UNIX, SOCK_STREAM, 0, s);
	pipe(p);
	if (!fork()) {
		for (long i = 0; i < BULK; i += sizeof buf) {
			for (int k = 0; k < (int)sizeof buf; k++)
				buf[k] = byte_at(i + k);
			write(s[1], buf, sizeof buf);
		}
		_exit(0);
	}
	close(s[1]);
	int f = open("/tmp/splice_bulk", O_RDWR | O_CREAT | O_TRUNC, 0600);
	long in = 0, out = 0, r;
	while ((r = splice(s[0], NULL, p[1], NULL, 65536, 0)) > 0) {
		in += r;
		while (out < in && (r = splice(p[0], NULL, f, NULL, in - out, 0)) > 0)
			out += r;
	}
	wait(NULL);
	long bad = 0;
	lseek(f, 0, SEEK_SET);
	for (long i = 0; (r = read(f, buf, sizeof buf)) > 0; i += r)
		for (long k = 0; k < r; k++)
			bad += buf[k] != byte_at(i + k);
	printf("bulk: %ld in, %ld out, %ld bytes wrong, file %ld\n", in, out, bad,
	       (long)lseek(f, 0, SEEK_END));
	unlink("/tmp/splice_bulk");
}

/* Pipe -> a non-blocking socket until it is full: what splice said it
 * moved is what the peer reads, and the rest is still in the pipe. */
static void bulk_to_full_socket(void)
{
	int s[2], p[2];
	static char big[1 << 20];
	long moved = 0, r;

	socketpair(AF_UNIX, SOCK_STREAM, 0, s);
	fcntl(s[0], F_SETFL, O_NONBLOCK);
	pipe(p);
	fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	long put = write(p[1], big, sizeof big);
	while ((r = splice(p[0], NULL, s[0], NULL, 1 << 20, SPLICE_F_NONBLOCK)) > 0)
		moved += r;
	printf("to a full socket: ends with %s, ", res(r));
	long got = 0;
	fcntl(s[1], F_SETFL, O_NONBLOCK);
	while ((r = read(s[1], big, sizeof big)) > 0)
		got += r;
	int left;
	ioctl(p[0], FIONREAD, &left);
	printf("moved = read by the peer: %s, moved + left in the pipe = written: %s\n",
	       moved == got ? "yes" : "no", moved + left == put ? "yes" : "no");
}

int main(int argc, char **argv)
{
	int p[2], q[2], s[2];

	if (argc > 1 && !strcmp(argv[1], "bulk")) {
		bulk_to_file();
		bulk_to_full_socket();
		return 0;
	}
	loff_t off;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, on_pipe);
	int src = open("/tmp/splice_src", O_RDWR | O_CREAT | O_TRUNC, 0600);
	write(src, "0123456789abcdefghij", 20);
	int dst = open("/tmp/splice_dst", O_RDWR | O_CREAT | O_TRUNC, 0600);
	pipe(p);
	pipe(q);
	socketpair(AF_UNIX, SOCK_STREAM, 0, s);

	off = 5;
	printf("file at 5 into pipe: %s", res(splice(src, &off, p[1], NULL, 8, 0)));
	printf(", offset now %ld, file's own %ld\n", (long)off, (long)lseek(src, 0, SEEK_CUR));
	lseek(src, 2, SEEK_SET);
	printf("file's own offset into pipe: %s", res(splice(src, NULL, p[1], NULL, 3, 0)));
	printf(", now %ld\n", (long)lseek(src, 0, SEEK_CUR));
	off = 100;
	printf("pipe to file at 100: %s", res(splice(p[0], NULL, dst, &off, 6, 0)));
	char back[16] = { 0 };
	pread(dst, back, 6, 100);
	printf(" \"%s\", offset now %ld\n", back, (long)off);
	printf("tee 5 to another pipe: %s\n", res(tee(p[0], q[1], 5, 0)));
	printf("  the copy: \"%s\"", drain(q[0], 16));
	printf(", the source still: \"%s\"\n", drain(p[0], 16));

	write(p[1], "to the socket", 13);
	printf("pipe to socket: %s", res(splice(p[0], NULL, s[0], NULL, 64, 0)));
	printf(", the peer reads \"%s\"\n", drain(s[1], 64));
	write(s[1], "from the socket", 15);
	printf("socket to pipe: %s", res(splice(s[0], NULL, p[1], NULL, 64, 0)));
	printf(", \"%s\"\n", drain(p[0], 64));
	write(p[1], "pipe to pipe", 12);
	printf("pipe to pipe: %s", res(splice(p[0], NULL, q[1], NULL, 4, 0)));
	printf(", \"%s\"", drain(q[0], 16));
	printf(", left \"%s\"\n", drain(p[0], 16));

	struct iovec v[2] = { { "vm", 2 }, { "splice", 6 } };
	printf("vmsplice into the pipe: %s", res(vmsplice(p[1], v, 2, 0)));
	char a[4] = { 0 }, b[8] = { 0 };
	struct iovec r[2] = { { a, 3 }, { b, 7 } };
	printf(", out of it: %s \"%s\" \"%s\"\n", res(vmsplice(p[0], r, 2, 0)), a, b);

	printf("empty pipe, NONBLOCK: %s\n", res(splice(p[0], NULL, dst, NULL, 4, SPLICE_F_NONBLOCK)));
	printf("tee from an empty pipe, NONBLOCK: %s\n", res(tee(p[0], q[1], 4, SPLICE_F_NONBLOCK)));
	printf("length 0: %s\n", res(splice(src, NULL, p[1], NULL, 0, 0)));
	printf("two files: %s\n", res(splice(src, NULL, dst, NULL, 4, 0)));
	off = 0;
	printf("offset on the pipe: %s\n", res(splice(p[0], &off, dst, NULL, 4, 0)));
	printf("offset on the socket: %s\n", res(splice(s[0], &off, p[1], NULL, 4, SPLICE_F_NONBLOCK)));
	printf("one pipe's two ends: %s\n", res(splice(p[0], NULL, p[1], NULL, 4, 0)));
	printf("tee of a file: %s\n", res(tee(src, q[1], 4, 0)));
	printf("bad flag: %s\n", res(splice(src, NULL, p[1], NULL, 4, 0x100)));
	printf("write end read: %s\n", res(splice(p[1], NULL, dst, NULL, 4, 0)));
	int app = open("/tmp/splice_dst", O_WRONLY | O_APPEND);
	write(p[1], "xy", 2);
	printf("to an O_APPEND file: %s\n", res(splice(p[0], NULL, app, NULL, 2, 0)));
	printf("vmsplice on a file: %s\n", res(vmsplice(src, v, 1, 0)));
	close(q[0]);
	write(p[1], "zz", 2);
	printf("to a pipe nobody reads: %s", res(splice(p[0], NULL, q[1], NULL, 2, 0)));
	printf(", SIGPIPE %d\n", sigpipes);
	close(p[1]);
	drain(p[0], 64);
	printf("pipe with no writer left: %s\n", res(splice(p[0], NULL, dst, NULL, 4, 0)));
	unlink("/tmp/splice_src");
	unlink("/tmp/splice_dst");
	return 0;
}
