/* Descriptor calls newer programs make, one case per argument; each line
 * says what a call gave (a number, bytes, or errno's name), the same as
 * on Linux.
 *   close_range  a range with holes, CLOSE_RANGE_CLOEXEC (seen across an
 *                exec of /proc/self/exe), CLOSE_RANGE_UNSHARE in a child
 *                sharing its table with its parent (CLONE_FILES), up to
 *                ~0U, bad flags and a reversed range.
 *   rw2          preadv2 and pwritev2 at an offset and at -1 (the file's
 *                own), with RWF_HIPRI, RWF_DSYNC and RWF_SYNC, unknown
 *                flags (EOPNOTSUPP only once there is something to move),
 *                offsets below -1, a pipe with an offset, a bad vector.
 *   syncrange    sync_file_range's checks: flags, negative and overflowing
 *                ranges, a pipe (ESPIPE), a bad descriptor.
 *   readahead    on a file, a pipe, a descriptor open only for writing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "call_result.h"

#ifndef RWF_HIPRI
#define RWF_HIPRI 1
#define RWF_DSYNC 2
#define RWF_SYNC 4
#endif
#define CLOSE_RANGE_UNSHARE (1u << 1)
#define CLOSE_RANGE_CLOEXEC (1u << 2)

/* As the C library passes them: the offset whole, then its high half 0. */
static long preadv2_(int fd, const struct iovec *v, int n, long off, int flags)
{
	return syscall(SYS_preadv2, fd, v, n, off, 0, flags);
}

static long pwritev2_(int fd, const struct iovec *v, int n, long off, int flags)
{
	return syscall(SYS_pwritev2, fd, v, n, off, 0, flags);
}

static long close_range_(unsigned first, unsigned last, unsigned flags)
{
	return syscall(SYS_close_range, first, last, flags);
}

/* Which of fds lo..hi are open, as a string of 0s and 1s. */
static const char *open_map(int lo, int hi)
{
	static char map[64];
	int n = 0;

	for (int fd = lo; fd <= hi; fd++)
		map[n++] = fcntl(fd, F_GETFD) >= 0 ? '1' : '0';
	map[n] = 0;
	return map;
}

static void open_ten(void)
{
	for (int fd = 10; fd < 20; fd++)
		dup2(1, fd);
}

static int shared_child(void *arg)
{
	(void)arg;
	close_range_(10, 14, CLOSE_RANGE_UNSHARE);
	printf("child after UNSHARE 10..14: %s\n", open_map(10, 19));
	fflush(stdout);
	return 0;
}

static void case_close_range(char *self)
{
	open_ten();
	close(13);
	printf("open: %s\n", open_map(10, 19));
	printf("close_range 12..15: %s\n", res(close_range_(12, 15, 0)));
	printf("now %s\n", open_map(10, 19));
	printf("bad flags: %s\n", res(close_range_(10, 11, 1)));
	printf("reversed: %s\n", res(close_range_(11, 10, 0)));
	printf("nothing open in 100..200: %s\n", res(close_range_(100, 200, 0)));

	/* CLONE_FILES: the child's UNSHARE leaves the parent's table alone. */
	static char stack[64 * 1024];
	open_ten();
	pid_t pid = clone(shared_child, stack + sizeof stack, CLONE_FILES | SIGCHLD, NULL);
	waitpid(pid, NULL, 0);
	printf("parent after the child's: %s\n", open_map(10, 19));

	printf("CLOEXEC 15..~0U: %s\n", res(close_range_(15, ~0u, CLOSE_RANGE_CLOEXEC)));
	printf("still open: %s\n", open_map(10, 19));
	fflush(stdout);
	execl("/proc/self/exe", self, "after_exec", (char *)NULL);
	printf("exec: %s\n", strerror(errno));
}

static void after_exec(void)
{
	printf("after exec: %s\n", open_map(10, 19));
	printf("close_range 3..~0U: %s\n", res(close_range_(3, ~0u, 0)));
	printf("now %s\n", open_map(0, 19));
}

/* n bytes of buf, a NUL shown as '.'. */
static const char *shown(const char *buf, int n)
{
	static char out[64];

	for (int i = 0; i < n; i++)
		out[i] = buf[i] ? buf[i] : '.';
	out[n] = 0;
	return out;
}

static void case_rw2(void)
{
	char path[] = "/tmp/newer_fd_calls.XXXXXX";
	int fd = mkstemp(path);
	char a[4] = "abcd", b[4] = "WXYZ", in[9] = { 0 };
	struct iovec w[2] = { { a, 4 }, { b, 4 } }, r = { in, 8 }, none = { in, 0 };
	int p[2];

	unlink(path);
	printf("pwritev2 at 2, DSYNC: %s\n", res(pwritev2_(fd, w, 2, 2, RWF_DSYNC)));
	printf("pwritev2 at -1, SYNC: %s\n", res(pwritev2_(fd, w, 1, -1, RWF_SYNC)));
	printf("offset now %s\n", res(lseek(fd, 0, SEEK_CUR)));
	long n = preadv2_(fd, &r, 1, 0, RWF_HIPRI);
	printf("preadv2 at 0, HIPRI: %s \"%s\"\n", res(n), shown(in, 8));
	n = preadv2_(fd, &r, 1, 2, 0);
	printf("preadv2 at 2: %s \"%s\"\n", res(n), shown(in, 8));
	lseek(fd, 1, SEEK_SET);
	memset(in, 0, sizeof in);
	n = preadv2_(fd, &r, 1, -1, 0);
	printf("preadv2 at -1: %s \"%s\"\n", res(n), shown(in, 8));
	printf("offset now %s\n", res(lseek(fd, 0, SEEK_CUR)));
	printf("flag 0x40000000: %s, with nothing to read: %s\n", res(preadv2_(fd, &r, 1, 0, 0x40000000)),
	       res(preadv2_(fd, &none, 1, 0, 0x40000000)));
	printf("offset -2: %s\n", res(preadv2_(fd, &r, 1, -2, 0)));
	printf("bad vector: %s\n", res(preadv2_(fd, (struct iovec *)8, 1, 0, 0)));
	printf("bad descriptor with a bad flag: %s\n", res(preadv2_(99, &r, 1, 0, 0x40000000)));
	pipe(p);
	printf("pipe at 0: %s, at -1 with DSYNC: %s\n", res(pwritev2_(p[1], w, 1, 0, 0)),
	       res(pwritev2_(p[1], w, 1, -1, RWF_DSYNC)));
	printf("pipe read at -1: %s\n", res(preadv2_(p[0], &r, 1, -1, RWF_HIPRI)));
	printf("read end written: %s\n", res(pwritev2_(p[0], w, 1, -1, 0)));
}

static void case_syncrange(void)
{
	char path[] = "/tmp/newer_fd_calls.XXXXXX";
	int fd = mkstemp(path), p[2];

	unlink(path);
	write(fd, "data", 4);
	printf("WRITE|WAIT_AFTER: %s\n", res(sync_file_range(fd, 0, 0, 6)));
	printf("all flags, a range: %s\n", res(sync_file_range(fd, 0, 4096, 7)));
	printf("flag 8: %s\n", res(sync_file_range(fd, 0, 0, 8)));
	printf("negative offset: %s, length: %s\n", res(sync_file_range(fd, -1, 0, 2)),
	       res(sync_file_range(fd, 0, -1, 2)));
	printf("overflowing: %s\n", res(sync_file_range(fd, INT64_MAX, 2, 2)));
	pipe(p);
	printf("pipe: %s\n", res(sync_file_range(p[0], 0, 0, 2)));
	printf("bad descriptor: %s\n", res(sync_file_range(99, 0, 0, 8)));
}

static void case_readahead(void)
{
	char path[] = "/tmp/newer_fd_calls.XXXXXX";
	int fd = mkstemp(path), p[2];

	write(fd, "data", 4);
	printf("file: %s\n", res(readahead(fd, 0, 4096)));
	pipe(p);
	printf("pipe: %s\n", res(readahead(p[0], 0, 4096)));
	int wfd = open(path, O_WRONLY);
	printf("write-only: %s\n", res(readahead(wfd, 0, 4096)));
	printf("bad descriptor: %s\n", res(readahead(99, 0, 1)));
	unlink(path);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "close_range"))
		case_close_range(argv[0]);
	else if (!strcmp(argv[1], "after_exec"))
		after_exec();
	else if (!strcmp(argv[1], "rw2"))
		case_rw2();
	else if (!strcmp(argv[1], "syncrange"))
		case_syncrange();
	else if (!strcmp(argv[1], "readahead"))
		case_readahead();
	else
		return 2;
	return 0;
}
