/* Listing a big directory one entry per getdents64 call, as a program with
 * a tiny buffer does, several times over (rewinding in between), while
 * files are removed from it: every name must come exactly once per pass.
 * Each call must cost about the same whatever the position, or the passes
 * take quadratic time (the test's time-out catches that).
 *
 *	fs_bigdir BASE N PASSES		prints "N entries, PASSES passes ok" */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

struct dirent64_rec {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

static char *seen;

/* One pass, one entry per call; with remove, every 7th file found goes.
 * How many files were listed, or -1 after printing what went wrong. */
static long pass(int dir, const char base[2048], long n, int remove)
{
	/* Room for one record (names up to 20 bytes), never two. */
	char buf[40] __attribute__((aligned(8))), path[4096];
	long files = 0;

	memset(seen, 0, n);
	lseek(dir, 0, SEEK_SET);
	for (;;) {
		long got = syscall(SYS_getdents64, dir, buf, sizeof buf);
		if (got <= 0) {
			if (got < 0)
				printf("FAIL: getdents64: %m\n");
			return got < 0 ? -1 : files;
		}
		struct dirent64_rec *d = (struct dirent64_rec *)buf;
		if (d->reclen != got) {
			printf("FAIL: %ld bytes for one record of %u\n", got, d->reclen);
			return -1;
		}
		if (d->name[0] != 'f')
			continue;
		long k = atol(d->name + 1);
		if (k < 0 || k >= n || seen[k]++) {
			printf("FAIL: %s listed twice or unknown\n", d->name);
			return -1;
		}
		files++;
		if (remove && k % 7 == 0) {
			snprintf(path, sizeof path, "%s/f%ld", base, k);
			unlink(path);
		}
	}
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: fs_bigdir BASE N PASSES\n");
		return 2;
	}
	long n = atol(argv[2]), passes = atol(argv[3]);
	char base[2048], path[4096];

	snprintf(base, sizeof base, "%.2000s/fs_bigdir", argv[1]);
	seen = malloc(n);
	if (!seen || mkdir(base, 0755)) {
		printf("FAIL: mkdir %s: %m\n", base);
		return 1;
	}
	for (long k = 0; k < n; k++) {
		snprintf(path, sizeof path, "%s/f%ld", base, k);
		int fd = open(path, O_CREAT | O_WRONLY, 0644);
		if (fd < 0) {
			printf("FAIL: create %s: %m\n", path);
			return 1;
		}
		close(fd);
	}
	int dir = open(base, O_RDONLY | O_DIRECTORY);
	long left = n - (n + 6) / 7;
	for (long p = 0; p < passes; p++) {
		long got = pass(dir, base, n, p == 0);
		if (got != (p == 0 ? n : left)) {
			if (got >= 0)
				printf("FAIL: pass %ld listed %ld files\n", p, got);
			return 1;
		}
	}
	printf("%ld entries, %ld passes ok\n", n, passes);
	return 0;
}
