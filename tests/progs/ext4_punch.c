/* ext4_punch make|punch|check DIR: holes punched into ext4 files whose
 * extent trees have many leaves (tests/vm/test_ext4_punch.py).
 *
 *   make   writes DIR/frag (2 MiB: its even pages first, synced, then its
 *          odd ones, so every page is an extent of its own) and DIR/long
 *          (2 MiB written in order: a few long extents), bytes from a
 *          fixed generator;
 *   punch  punches 60 holes into each with fallocate(PUNCH_HOLE |
 *          KEEP_SIZE): a byte, blocks, parts of pages, hundreds of KiB,
 *          runs over holes already made and past the end; checks after
 *          each that the file reads as a copy with those ranges zeroed,
 *          and prints each file's hash;
 *   check  prints the hashes again (a new boot: what reached the disk).
 *
 * Prints "frag HASH BLOCKS long HASH BLOCKS" (punch, check) or "made";
 * exit 1 with one line on stderr otherwise. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SIZE (2 << 20)
#define PAGE 4096
#define HOLES 60

static unsigned char want[SIZE], got[SIZE];
static uint64_t rng = 88172645463325252ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void die(const char *what, const char *path)
{
	fprintf(stderr, "ext4_punch: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

/* DIR/NAME opened with flags (the path in path), or exit 1. */
static int open_in(const char *dir, const char *name, int flags, char path[256])
{
	snprintf(path, 256, "%s/%s", dir, name);
	int fd = open(path, flags, 0644);
	if (fd < 0)
		die("open", path);
	return fd;
}

/* The bytes every file starts as. */
static void fill(unsigned char *b)
{
	for (size_t k = 0; k < SIZE; k += 8) {
		uint64_t v = next();
		memcpy(b + k, &v, 8);
	}
}

static void write_pages(int fd, const char *path, int parity)
{
	for (size_t off = (size_t)parity * PAGE; off < SIZE; off += 2 * PAGE)
		if (pwrite(fd, want + off, PAGE, (off_t)off) != PAGE)
			die("write", path);
	if (fsync(fd) < 0)
		die("fsync", path);
}

static void make(const char *dir)
{
	char path[256];

	fill(want);
	int fd = open_in(dir, "frag", O_RDWR | O_CREAT | O_TRUNC, path);
	write_pages(fd, path, 0);
	write_pages(fd, path, 1);
	close(fd);
	fd = open_in(dir, "long", O_RDWR | O_CREAT | O_TRUNC, path);
	if (pwrite(fd, want, SIZE, 0) != SIZE || fsync(fd) < 0)
		die("write", path);
	close(fd);
	printf("made\n");
}

/* FNV-1a of the whole file, and its 512-byte blocks. */
static void print_hash(const char *name, int fd, const char *path)
{
	struct stat st;
	uint64_t h = 0xcbf29ce484222325ull;

	if (pread(fd, got, SIZE, 0) != SIZE || fstat(fd, &st) < 0)
		die("read", path);
	for (size_t k = 0; k < SIZE; k++)
		h = (h ^ got[k]) * 0x100000001b3ull;
	printf("%s %016llx %lld%s", name, (unsigned long long)h, (long long)st.st_blocks,
	       name[0] == 'f' ? " " : "\n");
}

/* A hole's length: a byte up to hundreds of KiB, aligned or not. */
static off_t hole_len(void)
{
	switch (next() % 5) {
	case 0: return 1 + (off_t)(next() % 100);
	case 1: return (off_t)(1 + next() % 5) * 1024;
	case 2: return (off_t)(next() % (3 * PAGE)) + 1;
	case 3: return (off_t)(next() % (600 << 10)) + 1;
	default: return (off_t)(1 + next() % 40) * PAGE;
	}
}

static void punch_file(const char *dir, const char *name)
{
	char path[256];

	int fd = open_in(dir, name, O_RDWR, path);
	for (int k = 0; k < HOLES; k++) {
		off_t off = (off_t)(next() % (SIZE + SIZE / 8)), len = hole_len();
		if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len) < 0)
			die("fallocate", path);
		if (off < SIZE)
			memset(want + off, 0, (size_t)(off + len < SIZE ? len : SIZE - off));
		if (pread(fd, got, SIZE, 0) != SIZE || memcmp(got, want, SIZE)) {
			fprintf(stderr, "ext4_punch: %s: wrong bytes after punching %lld+%lld\n", path,
				(long long)off, (long long)len);
			exit(1);
		}
	}
	if (fsync(fd) < 0)
		die("fsync", path);
	print_hash(name, fd, path);
	close(fd);
}

static void check(const char *dir, const char *name)
{
	char path[256];
	int fd = open_in(dir, name, O_RDONLY, path);

	print_hash(name, fd, path);
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: ext4_punch make|punch|check DIR\n");
		return 2;
	}
	if (!strcmp(argv[1], "make")) {
		make(argv[2]);
		return 0;
	}
	if (!strcmp(argv[1], "punch")) {
		fill(want);
		punch_file(argv[2], "frag");
		memset(want, 0, SIZE);
		rng = 88172645463325252ull;
		fill(want);
		punch_file(argv[2], "long");
		return 0;
	}
	check(argv[2], "frag");
	check(argv[2], "long");
	return 0;
}
