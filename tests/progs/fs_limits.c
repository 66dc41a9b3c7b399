/* Files at their limits: a fallocate that fails for want of room keeps
 * none of the pages it took; a FIFO whose ends are all closed keeps no
 * data and no buffer; offsets up to the largest a tmpfs file may have
 * (LLONG_MAX: reads and writes that would pass it are EINVAL, everything
 * below works, sparse); lseek on /proc files.  Usage: fs_limits BASE (on
 * Linux: a small tmpfs, as fs_full).  One line per step, as the other fs_*
 * programs. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fs_check.h"

#define FIFOS	2000

static char path[4096];

static const char *at(const char *base, const char *name)
{
	snprintf(path, sizeof path, "%s/%s", base, name);
	return path;
}

static void blocks(const char *what, int fd)
{
	struct stat st;

	MUST(fstat(fd, &st));
	printf("%s: size %lld, blocks %lld\n", what, (long long)st.st_size, (long long)st.st_blocks);
}

/* Prints a call's result: the value, or the errno's name. */
#define V(what, call) do { \
	errno = 0; \
	long long r_ = (long long)(call); \
	if (r_ < 0) \
		printf("%s: %s\n", what, errname(errno)); \
	else \
		printf("%s: %lld\n", what, r_); \
} while (0)

/* fallocate beyond the room there is: ENOSPC, and the file is as before
 * (empty, or sparse with its one page), so the memory is free again. */
static void fallocate_fails(const char *base)
{
	int fd = MUST(open(at(base, "falloc"), O_CREAT | O_RDWR | O_TRUNC, 0644));

	T("fallocate 64 GiB", fallocate(fd, 0, 0, 1ll << 36));
	blocks("after", fd);
	MUST(ftruncate(fd, 1ll << 36));
	MUST(pwrite(fd, "x", 1, 0));
	T("fallocate over a sparse 64 GiB", fallocate(fd, 0, 0, 1ll << 36));
	blocks("after", fd);
	close(fd);
	MUST(unlink(path));
	/* Were the pages still held, this would not fit in the VM. */
	size_t n = 8 << 20;
	char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED)
		for (size_t i = 0; i < n; i += 4096)
			p[i] = 1;
	printf("8 MiB of memory after: %s\n", p != MAP_FAILED ? "ok" : errname(errno));
	munmap(p, n);
}

/* Bytes left in a FIFO when its last end closes are gone (pipe(7)), and
 * so is its buffer: thousands of FIFOs written once and closed cost none. */
static void fifos(const char *base)
{
	char buf[8];

	MUST(mkfifo(at(base, "fifo"), 0644));
	int fd = MUST(open(path, O_RDWR | O_NONBLOCK));
	V("write", write(fd, "abc", 3));
	close(fd);
	fd = MUST(open(path, O_RDWR | O_NONBLOCK));
	V("read after every end closed", read(fd, buf, sizeof buf));
	close(fd);
	MUST(unlink(path));
	int ok = 0;
	for (int i = 0; i < FIFOS; i++) {
		char name[32];
		snprintf(name, sizeof name, "fifo%d", i);
		if (mkfifo(at(base, name), 0644) || (fd = open(path, O_RDWR | O_NONBLOCK)) < 0)
			break;
		ok += write(fd, "x", 1) == 1;
		close(fd);
	}
	printf("FIFOs written once and closed: %d\n", ok);
	for (int i = 0; i < FIFOS; i++) {
		char name[32];
		snprintf(name, sizeof name, "fifo%d", i);
		unlink(at(base, name));
	}
}

/* rw_verify_area's rule: a transfer that would pass LLONG_MAX is EINVAL;
 * a tmpfs file may otherwise grow to LLONG_MAX. */
static void offsets(const char *base)
{
	char c = 'a';
	struct iovec iov = { &c, 1 };
	int fd = MUST(open(at(base, "offsets"), O_CREAT | O_RDWR | O_TRUNC, 0644));

	V("pread 1 at LLONG_MAX", pread(fd, &c, 1, LLONG_MAX));
	V("pread 0 at LLONG_MAX", pread(fd, &c, 0, LLONG_MAX));
	V("pread 1 at LLONG_MAX-1", pread(fd, &c, 1, LLONG_MAX - 1));
	V("preadv at LLONG_MAX", preadv(fd, &iov, 1, LLONG_MAX));
	V("lseek to LLONG_MAX", lseek(fd, LLONG_MAX, SEEK_SET));
	V("read 1 there", read(fd, &c, 1));
	V("read 0 there", read(fd, &c, 0));
	V("write 1 there", write(fd, &c, 1));
	V("pwrite at 2^48", pwrite(fd, &c, 1, 1ll << 48));
	V("pwrite at 2^48+5", pwrite(fd, &c, 1, (1ll << 48) + 5));
	V("pread at 2^48", pread(fd, &c, 1, 1ll << 48));
	blocks("after", fd);
	V("ftruncate to 2^50", ftruncate(fd, 1ll << 50));
	V("ftruncate to LLONG_MAX", ftruncate(fd, LLONG_MAX));
	V("pwrite at LLONG_MAX-1", pwrite(fd, &c, 1, LLONG_MAX - 1));
	V("pwrite at LLONG_MAX", pwrite(fd, &c, 1, LLONG_MAX));
	V("pwritev at LLONG_MAX", pwritev(fd, &iov, 1, LLONG_MAX));
	blocks("after", fd);
	V("lseek SEEK_END", lseek(fd, 0, SEEK_END));
	V("lseek 1 past SEEK_END", lseek(fd, 1, SEEK_END));
	V("fallocate across LLONG_MAX", fallocate(fd, 0, LLONG_MAX - 10, 100));
	V("ftruncate back to 1", ftruncate(fd, 1));
	blocks("after", fd);
	close(fd);
	MUST(unlink(path));
}

/* Generated /proc files take SEEK_SET and SEEK_CUR anywhere, SEEK_END not
 * (Linux's seq_file); cmdline and environ have size 0 to seek from. */
static void proc_seeks(void)
{
	static const char *const files[] = { "/proc/self/status", "/proc/meminfo", "/proc/self/maps",
					     "/proc/self/stat", "/proc/self/cmdline", "/proc/self/environ" };
	char buf[16], what[96];

	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		int fd = MUST(open(files[i], O_RDONLY));
		snprintf(what, sizeof what, "%s SEEK_END", files[i]);
		V(what, lseek(fd, 0, SEEK_END));
		snprintf(what, sizeof what, "%s past the end", files[i]);
		V(what, lseek(fd, 100000, SEEK_SET));
		snprintf(what, sizeof what, "%s read there", files[i]);
		V(what, read(fd, buf, sizeof buf));
		close(fd);
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: fs_limits BASE\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	fallocate_fails(argv[1]);
	fifos(argv[1]);
	offsets(argv[1]);
	proc_seeks();
	puts("fs_limits done");
	return 0;
}
