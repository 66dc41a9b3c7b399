/* lseek's SEEK_DATA and SEEK_HOLE on files of DIR, one line per file: its
 * data as [start, end) ranges found by alternating the two (as cp, tar
 * and rsync look for holes), then the edges' answers.
 *
 *   seek_data DIR */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "call_result.h"

static char path[4096];

static int make(const char *dir, const char *name)
{
	snprintf(path, sizeof path, "%s/%s", dir, name);
	unlink(path);
	return open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
}

/* The data ranges, walked as a copying program walks them. */
static void ranges(const char *name, int fd)
{
	off_t pos = 0;

	printf("%s:", name);
	for (int n = 0; n < 64; n++) {
		off_t data = lseek(fd, pos, SEEK_DATA);
		if (data < 0) {
			printf(" (then %s)", res(data));
			break;
		}
		off_t hole = lseek(fd, data, SEEK_HOLE);
		if (hole < 0) {
			printf(" [%lld, %s)", (long long)data, res(hole));
			break;
		}
		printf(" [%lld, %lld)", (long long)data, (long long)hole);
		pos = hole;
	}
	printf("\n");
}

static void at(int fd, off_t off, int whence)
{
	off_t r = lseek(fd, off, whence);
	off_t now = lseek(fd, 0, SEEK_CUR);

	printf("  %s %lld: %s, offset now %lld\n", whence == SEEK_DATA ? "SEEK_DATA" : "SEEK_HOLE",
	       (long long)off, res(r), (long long)now);
}

static void put(int fd, const char *text, off_t off)
{
	if (pwrite(fd, text, strlen(text), off) != (ssize_t)strlen(text))
		printf("pwrite at %lld: %s\n", (long long)off, res(-1));
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	static char block[65536];
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(block, 'b', sizeof block);

	fd = make(dir, "empty");
	ranges("empty", fd);
	at(fd, 0, SEEK_DATA);
	at(fd, 0, SEEK_HOLE);
	close(fd);

	fd = make(dir, "small");
	put(fd, "ten bytes!", 0);
	lseek(fd, 3, SEEK_SET);
	ranges("small", fd);
	at(fd, 5, SEEK_DATA);
	at(fd, 9, SEEK_HOLE);
	at(fd, 10, SEEK_DATA);
	at(fd, 10, SEEK_HOLE);
	at(fd, -1, SEEK_DATA);
	at(fd, -1, SEEK_HOLE);
	close(fd);

	fd = make(dir, "sparse");
	ftruncate(fd, 1 << 20);
	pwrite(fd, block, 4096, 256 << 10);
	put(fd, "x", 700000);
	ranges("sparse", fd);
	at(fd, 262144 + 100, SEEK_DATA);
	at(fd, 262144 + 100, SEEK_HOLE);
	at(fd, 600000, SEEK_DATA);
	at(fd, 699999, SEEK_HOLE);
	at(fd, 800000, SEEK_DATA);
	at(fd, (1 << 20) - 1, SEEK_HOLE);
	close(fd);

	fd = make(dir, "huge");
	ftruncate(fd, 8ll << 30);
	put(fd, "far", 5ll << 30);
	put(fd, "end", (8ll << 30) - 3);
	ranges("huge", fd);
	close(fd);

	fd = make(dir, "punched");
	pwrite(fd, block, sizeof block, 0);
	printf("punch 16K at 16K: %s\n",
	       res(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 16384, 16384)));
	ranges("punched", fd);
	close(fd);

	fd = make(dir, "preallocated");
	printf("fallocate 64K: %s\n", res(fallocate(fd, 0, 0, 65536)));
	ranges("preallocated", fd);
	put(fd, "w", 32768);
	ranges("preallocated, written at 32K", fd);
	close(fd);

	fd = make(dir, "mapped");
	ftruncate(fd, 256 << 10);
	char *m = mmap(NULL, 256 << 10, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		printf("mmap: %s\n", res(-1));
	} else {
		m[128 << 10] = 'm';
		ranges("mapped, stored into", fd);
		munmap(m, 256 << 10);
	}
	close(fd);

	fd = make(dir, "grown");
	put(fd, "a", 0);
	put(fd, "b", 100000);
	ranges("grown by writes", fd);
	ftruncate(fd, 50000);
	ranges("cut to 50000", fd);
	close(fd);

	int p[2];
	pipe(p);
	printf("pipe SEEK_DATA: %s\n", res(lseek(p[0], 0, SEEK_DATA)));
	return 0;
}
