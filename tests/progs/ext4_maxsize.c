/* ext4_maxsize DIR BLOCK_SIZE: writes, truncations and fallocates of
 * DIR/big around the largest size an ext4 file with extents may have,
 * (2^32 - 1) blocks: a write that crosses it is short, one at it or past
 * it EFBIG, as ftruncate and fallocate past it; offsets near 2^63 give
 * EINVAL or EFBIG.  Then DIR/top keeps its last bytes, for e2fsck to see
 * a file that ends at the limit.  Prints one line per call. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEEP_SIZE 1	/* linux/falloc.h, which musl lacks */
#define PUNCH_HOLE 2
#define ZERO_RANGE 0x10

static long long max;	/* the largest size */

static const char *outcome(long r) { return r < 0 ? strerror(errno) : "ok"; }

/* Offsets as the distance from the largest size. */
static void show(const char *what, long long off, long r)
{
	printf("%s at max%+lld: %ld %s\n", what, off - max, r, outcome(r));
}

static void sizes(int fd)
{
	struct stat st;

	fstat(fd, &st);
	printf("  size max%+lld\n", (long long)st.st_size - max);
}

static void writes(int fd, const long long *offs, int n)
{
	for (int k = 0; k < n; k++)
		show("pwrite 20", offs[k], pwrite(fd, "0123456789abcdefghij", 20, offs[k]));
	printf("pwrite 20 at 2^63-4: %s\n", outcome(pwrite(fd, "0123456789abcdefghij", 20, LLONG_MAX - 3)));
	sizes(fd);
	for (int k = 0; k < n; k++)
		show("ftruncate", offs[k], ftruncate(fd, offs[k]));
	sizes(fd);
}

static void fallocates(int fd, const long long *offs, int n)
{
	ftruncate(fd, 0);
	for (int k = 0; k < n; k++) {
		show("fallocate +10", offs[k], fallocate(fd, 0, offs[k], 10));
		show("fallocate keep -8192+8192", offs[k], fallocate(fd, KEEP_SIZE, offs[k] - 8192, 8192));
	}
	sizes(fd);
	printf("fallocate at 2^63-10: %s\n", outcome(fallocate(fd, 0, LLONG_MAX - 10, 100)));
	printf("punch at 2^63-10: %s\n",
	       outcome(fallocate(fd, PUNCH_HOLE | KEEP_SIZE, LLONG_MAX - 10, 100)));
	show("zero range 4096", max - 100, fallocate(fd, ZERO_RANGE, max - 100, 4096));
	show("punch 4096", max - 100, fallocate(fd, PUNCH_HOLE | KEEP_SIZE, max - 100, 4096));
	sizes(fd);
}

static void at_the_end(int fd)
{
	char b[8] = { 0 };

	ftruncate(fd, 0);
	show("pwrite 3", max - 3, pwrite(fd, "XYZ", 3, max - 3));
	long r = pread(fd, b, 8, max - 4);
	printf("pread 8 at max-4: %ld [%d %.3s]\n", r, b[0], b + 1);
	lseek(fd, max, SEEK_SET);
	show("write 1", max, write(fd, "a", 1));
	lseek(fd, max - 2, SEEK_SET);
	show("write 4", max - 2, write(fd, "abcd", 4));
	printf("  offset max%+lld\n", (long long)lseek(fd, 0, SEEK_CUR) - max);
	sizes(fd);
}

int main(int argc, char **argv)
{
	char path[4096];

	if (argc != 3)
		return 2;
	max = ((1LL << 32) - 1) * atoll(argv[2]);
	long long offs[] = { max - 4096, max - 10, max - 1, max, max + 1, max + 4096, max + (1LL << 40) };
	int n = sizeof offs / sizeof *offs;
	snprintf(path, sizeof path, "%s/big", argv[1]);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return 1;
	writes(fd, offs, n);
	fallocates(fd, offs, n);
	at_the_end(fd);
	close(fd);
	fd = open(path, O_WRONLY | O_APPEND);
	show("O_APPEND write 1", max, write(fd, "q", 1));
	close(fd);
	unlink(path);
	snprintf(path, sizeof path, "%s/top", argv[1]);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	show("pwrite 20", max - 10, pwrite(fd, "0123456789abcdefghij", 20, max - 10));
	show("pwrite 20", max - 5000, pwrite(fd, "0123456789abcdefghij", 20, max - 5000));
	return fsync(fd) || close(fd);
}
