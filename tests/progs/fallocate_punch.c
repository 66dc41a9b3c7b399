/* fallocate_punch [DIR]: fallocate(FALLOC_FL_PUNCH_HOLE | KEEP_SIZE) on a
 * file in DIR (default /tmp, a tmpfs): the range reads zero, the size
 * stays, whole pages in the range are freed (st_blocks), the bytes around
 * it are kept.  Then the errors, as on Linux: PUNCH_HOLE without KEEP_SIZE
 * is EOPNOTSUPP, an empty or negative range EINVAL, a read-only
 * descriptor EBADF.  Last, ZERO_RANGE over new bytes, with KEEP_SIZE and
 * past the end without (EOPNOTSUPP on tmpfs, as Linux's).  Prints one line
 * per step. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef FALLOC_FL_ZERO_RANGE
#define FALLOC_FL_ZERO_RANGE 0x10	/* linux/falloc.h, which musl lacks */
#endif

#define PAGE 4096
#define SIZE (3 * PAGE + 500)

static const char *outcome(int r) { return r ? strerror(errno) : "ok"; }

/* The file's bytes as runs: "a*1000 0*8192 c*3596". */
static void print_runs(int fd)
{
	static char buf[SIZE + 2 * PAGE];
	ssize_t n = pread(fd, buf, sizeof buf, 0);

	printf("  bytes:");
	for (ssize_t i = 0; i < n;) {
		ssize_t j = i;
		while (j < n && buf[j] == buf[i])
			j++;
		printf(" %c*%zd", buf[i] ? buf[i] : '0', j - i);
		i = j;
	}
	printf("\n");
}

static void print_size(int fd)
{
	struct stat st;

	fstat(fd, &st);
	printf("  size %lld, blocks %lld\n", (long long)st.st_size, (long long)st.st_blocks);
}

static void punch(int fd, int mode, off_t off, off_t len)
{
	printf("punch %lld+%lld: %s\n", (long long)off, (long long)len,
	       outcome(fallocate(fd, mode, off, len)));
	print_size(fd);
	print_runs(fd);
}

static void zero(int fd, int mode, off_t off, off_t len)
{
	printf("zero range %lld+%lld%s: %s\n", (long long)off, (long long)len,
	       mode & FALLOC_FL_KEEP_SIZE ? " (keep size)" : "", outcome(fallocate(fd, mode, off, len)));
	print_size(fd);
	print_runs(fd);
}

static void refused(const char *what, int fd, int mode, off_t off, off_t len)
{
	printf("%s: %s\n", what, outcome(fallocate(fd, mode, off, len)));
}

int main(int argc, char **argv)
{
	char path[256], data[SIZE];
	int keep = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;

	snprintf(path, sizeof path, "%s/punched", argc > 1 ? argv[1] : "/tmp");
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror(path);
		return 1;
	}
	memset(data, 'a', PAGE);
	memset(data + PAGE, 'b', PAGE);
	memset(data + 2 * PAGE, 'c', SIZE - 2 * PAGE);
	if (write(fd, data, SIZE) != SIZE) {
		perror("write");
		return 1;
	}
	print_size(fd);
	punch(fd, keep, 1000, 2 * PAGE);	/* part of 'a', all of 'b', part of 'c' */
	punch(fd, keep, SIZE - 100, 10 * PAGE);	/* over the end: the size stays */
	refused("punch without KEEP_SIZE", fd, FALLOC_FL_PUNCH_HOLE, 0, PAGE);
	refused("zero range", fd, FALLOC_FL_ZERO_RANGE, 0, PAGE);
	refused("punch of nothing", fd, keep, 0, 0);
	refused("punch at a negative offset", fd, keep, -1, PAGE);
	int ro = open(path, O_RDONLY);
	refused("punch through a read-only descriptor", ro, keep, 0, PAGE);
	punch(fd, keep, 0, SIZE);		/* all of it */
	memset(data, 'd', SIZE);
	if (pwrite(fd, data, SIZE, 0) != SIZE) {
		perror("pwrite");
		return 1;
	}
	zero(fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 2000, 5000);
	zero(fd, FALLOC_FL_ZERO_RANGE, 12000, 4000);	/* past the end: it grows */
	close(ro);
	close(fd);
	unlink(path);
	return 0;
}
