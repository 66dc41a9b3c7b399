/* The page cache as a program sees it (tests/vm/test_pagecache.py), on a
 * file of a mounted ext4 disk: pagecache TEST FILE [MIB].
 *
 *   shared    a MAP_SHARED mapping and read()/write() see each other's
 *             bytes, a store into a hole gets a block, msync; a
 *             MAP_PRIVATE copy changes nothing
 *   readself  read() into a mapping of the same file, write() from one
 *   big       MIB MiB written in 1 MiB writes (the host checks the image)
 *   fill      reads FILE whole, then allocates and touches 70% of RAM
 *   direct    O_DIRECT: aligned I/O agrees with the cache, misaligned is
 *             EINVAL
 *   synced    writes and fsyncs records, says "synced", then waits to be
 *             killed
 *   later     the same without fsync, waits 7 s, says "waited"
 *   msynced   the same records stored through a MAP_SHARED mapping and
 *             msync(MS_SYNC)ed, says "msynced", then waits to be killed
 *   raw       O_DIRECT on a raw device FILE: pattern pages 0-3 written at
 *             byte 8192 from a buffer 512 bytes into a page, read back
 *
 * Page k of every file written is pattern(k): "%08x" of k and a fixed
 * text, repeated.  Each test prints "TEST ok", or FAIL lines and exits 1. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#define PG	4096

static int failed;

#define CHECK(cond, ...)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			printf("FAIL %s:%d ", __func__, __LINE__);           \
			printf(__VA_ARGS__);                                 \
			printf(" (errno %d)\n", errno);                      \
			failed = 1;                                          \
		}                                                            \
	} while (0)

static void pattern(uint64_t k, char *page)
{
	char unit[25];

	snprintf(unit, sizeof unit, "%08llxpcache-page-data", (unsigned long long)k);
	for (int at = 0; at + 24 <= PG; at += 24)
		memcpy(page + at, unit, 24);
	memcpy(page + PG - 16, "................", 16);
}

static int write_pattern(int fd, uint64_t first, uint64_t pages)
{
	static char buf[1 << 20];

	for (uint64_t k = 0; k < pages;) {
		uint64_t n = pages - k < sizeof buf / PG ? pages - k : sizeof buf / PG;
		for (uint64_t j = 0; j < n; j++)
			pattern(first + k + j, buf + j * PG);
		if (pwrite(fd, buf, n * PG, (off_t)((first + k) * PG)) != (ssize_t)(n * PG))
			return -1;
		k += n;
	}
	return 0;
}

static int test_shared(const char *path)
{
	char page[PG], buf[64];
	size_t len = 64 * PG;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	CHECK(fd >= 0, "open");
	CHECK(write_pattern(fd, 0, 3) == 0, "write");
	CHECK(pwrite(fd, "tail", 4, 3 * PG) == 4, "write tail");
	CHECK(ftruncate(fd, (off_t)len) == 0, "ftruncate");
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED, "mmap");
	if (m == MAP_FAILED)
		return 1;
	for (int k = 0; k < 3; k++) {
		pattern((uint64_t)k, page);
		CHECK(!memcmp(m + k * PG, page, PG), "mapping shows page %d", k);
	}
	CHECK(!memcmp(m + 3 * PG, "tail\0\0", 6), "mapping shows the tail");
	memcpy(m + 5000, "MMAP-SHARED-WRITE", 17);
	memcpy(m + 40 * PG + 7, "HOLE-FILLED", 11);
	CHECK(pread(fd, buf, 17, 5000) == 17 && !memcmp(buf, "MMAP-SHARED-WRITE", 17), "read sees the store");
	CHECK(pread(fd, buf, 11, 40 * PG + 7) == 11 && !memcmp(buf, "HOLE-FILLED", 11), "read sees the hole");
	CHECK(pwrite(fd, "WRITE-SEEN", 10, 8000) == 10, "pwrite");
	CHECK(!memcmp(m + 8000, "WRITE-SEEN", 10), "mapping sees write()");
	char *q = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(q != MAP_FAILED, "mmap private");
	if (q != MAP_FAILED) {
		CHECK(q[100] == m[100], "private shows the file");
		q[100] = 'X';
		CHECK(m[100] != 'X' && pread(fd, buf, 1, 100) == 1 && buf[0] != 'X', "private copy stays private");
	}
	CHECK(msync(m, len, MS_SYNC) == 0, "msync");
	printf("%s\n", failed ? "shared FAIL" : "shared ok");
	return failed;
}

static int test_readself(const char *path)
{
	char page[PG];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	CHECK(fd >= 0 && write_pattern(fd, 0, 8) == 0, "write");
	char *m = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	char *p = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(m != MAP_FAILED && p != MAP_FAILED, "mmap");
	if (m == MAP_FAILED || p == MAP_FAILED)
		return 1;
	/* Pages 0-3 of the file into the (not yet touched) pages 4-7 of its
	 * shared mapping, then of a private one. */
	CHECK(pread(fd, m + 4 * PG, 4 * PG, 0) == 4 * PG, "read into a shared mapping of itself");
	CHECK(pread(fd, p + 4 * PG, 4 * PG, 0) == 4 * PG, "read into a private mapping of itself");
	for (int k = 0; k < 4; k++) {
		pattern((uint64_t)k, page);
		CHECK(!memcmp(m + (4 + k) * PG, page, PG), "shared page %d", 4 + k);
		CHECK(!memcmp(p + (4 + k) * PG, page, PG), "private page %d", 4 + k);
	}
	/* And the other way: write() from a mapping of the file into it. */
	CHECK(pwrite(fd, m + 1 * PG, PG, 2 * PG) == PG, "write from the mapping");
	pattern(1, page);
	CHECK(!memcmp(m + 2 * PG, page, PG), "page 2 is page 1 now");
	printf("%s\n", failed ? "readself FAIL" : "readself ok");
	return failed;
}

/* A /proc/meminfo line's kB. */
static uint64_t meminfo(const char *name)
{
	char line[128];
	unsigned long long kb = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, name, strlen(name)) && line[strlen(name)] == ':')
			sscanf(line + strlen(name) + 1, "%llu", &kb);
	if (f)
		fclose(f);
	return kb;
}

/* Written a MiB at a time; Dirty in /proc/meminfo never goes past a
 * tenth of RAM (and one MiB the last write may have added). */
static int test_big(const char *path, uint64_t mib)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	uint64_t total = meminfo("MemTotal"), most = 0;

	CHECK(fd >= 0, "open");
	for (uint64_t m = 0; m < mib && !failed; m++) {
		CHECK(write_pattern(fd, m * 256, 256) == 0, "write MiB %llu", (unsigned long long)m);
		uint64_t dirty = meminfo("Dirty");
		most = dirty > most ? dirty : most;
	}
	CHECK(close(fd) == 0, "close");
	CHECK(most && most <= total / 10 + 1024, "at most %llu kB dirty of %llu kB", (unsigned long long)most,
	      (unsigned long long)total);
	printf("%s\n", failed ? "big FAIL" : "big ok");
	return failed;
}

static int test_fill(const char *path)
{
	static char buf[1 << 20];
	struct sysinfo si;
	ssize_t n;
	uint64_t total = 0;
	int fd = open(path, O_RDONLY);

	CHECK(fd >= 0, "open");
	while ((n = read(fd, buf, sizeof buf)) > 0)
		total += (uint64_t)n;
	CHECK(n == 0, "read");
	CHECK(sysinfo(&si) == 0, "sysinfo");
	size_t want = (size_t)((uint64_t)si.totalram * si.mem_unit / 10 * 7);
	char *m = mmap(NULL, want, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED, "mmap %zu", want);
	if (m != MAP_FAILED)
		for (size_t at = 0; at < want; at += PG)
			m[at] = 1;	/* out of memory here would kill us */
	printf("read %llu MiB, touched %zu MiB\n", (unsigned long long)(total >> 20), want >> 20);
	printf("%s\n", failed ? "fill FAIL" : "fill ok");
	return failed;
}

static int test_direct(const char *path)
{
	static char buf[4 * PG] __attribute__((aligned(PG)));
	static char got[4 * PG] __attribute__((aligned(PG)));
	char page[PG];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_DIRECT, 0644);
	int bfd = open(path, O_RDWR);

	CHECK(fd >= 0 && bfd >= 0, "open");
	for (int k = 0; k < 4; k++)
		pattern((uint64_t)k, buf + k * PG);
	CHECK(pwrite(fd, buf, 4 * PG, 0) == 4 * PG, "direct write");
	CHECK(pread(bfd, got, PG, PG) == PG && !memcmp(got, buf + PG, PG), "cached read sees direct write");
	CHECK(pwrite(bfd, "BUFFERED", 8, 2 * PG) == 8, "cached write");
	CHECK(pread(fd, got, PG, 2 * PG) == PG && !memcmp(got, "BUFFERED", 8) &&
	      !memcmp(got + 8, buf + 2 * PG + 8, PG - 8), "direct read sees cached write");
	CHECK(pwrite(fd, buf, PG, 5 * PG) == PG, "direct write past the end");
	CHECK(pread(bfd, got, PG, 4 * PG) == PG && got[0] == 0 && !memcmp(got + 1, got, PG - 1),
	      "the gap reads as zeroes");
	CHECK(pread(fd, got, 512, 512) == 512 && !memcmp(got, buf + 512, 512), "512-byte aligned direct read");
	ssize_t r = pwrite(fd, buf, PG, 100);
	printf("offset 100: %zd %s\n", r, r < 0 ? strerror(errno) : "");
	r = pread(fd, got + 1, PG, 0);
	printf("buffer +1: %zd %s\n", r, r < 0 ? strerror(errno) : "");
	r = pread(fd, got, 100, 0);
	printf("length 100: %zd %s\n", r, r < 0 ? strerror(errno) : "");
	r = pread(fd, got, PG, 6 * PG);
	printf("at the end: %zd %s\n", r, r < 0 ? strerror(errno) : "");
	pattern(0, page);
	CHECK(pread(bfd, got, PG, 0) == PG && !memcmp(got, page, PG), "page 0 intact");
	printf("%s\n", failed ? "direct FAIL" : "direct ok");
	return failed;
}

static int test_raw(const char *path)
{
	static char buf[6 * PG] __attribute__((aligned(PG)));
	static char got[6 * PG] __attribute__((aligned(PG)));
	int fd = open(path, O_RDWR | O_DIRECT);

	CHECK(fd >= 0, "open");
	for (int k = 0; k < 4; k++)
		pattern((uint64_t)k, buf + 512 + k * PG);
	CHECK(pwrite(fd, buf + 512, 4 * PG, 8192) == 4 * PG, "direct write");
	CHECK(pread(fd, got + 512, 4 * PG, 8192) == 4 * PG && !memcmp(got + 512, buf + 512, 4 * PG),
	      "direct read");
	CHECK(fsync(fd) == 0, "fsync");
	printf("%s\n", failed ? "raw FAIL" : "raw ok");
	return failed;
}

/* Records of 100 bytes: "record K " and a letter to the newline. */
static void records(int fd, int first, int n, bool sync)
{
	char rec[100];

	for (int k = first; k < first + n; k++) {
		memset(rec, 'a' + k % 26, sizeof rec);
		int len = snprintf(rec, sizeof rec, "record %d ", k);
		rec[len] = (char)('a' + k % 26);
		rec[sizeof rec - 1] = '\n';
		CHECK(write(fd, rec, sizeof rec) == sizeof rec, "write");
		if (sync)
			CHECK(fsync(fd) == 0, "fsync");
	}
}

/* later: the records are not fsynced; the writeback thread has them on
 * the disk within its 5 s interval. */
static _Noreturn void test_synced(const char *path, bool later)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	CHECK(fd >= 0, "open");
	records(fd, 0, 100, !later);
	if (later)
		sleep(7);
	printf("%s\n", failed ? "FAIL" : later ? "waited" : "synced");
	for (;;)
		pause();
}

/* msynced: the records of `synced`, stored through a shared mapping of
 * the file (its size set first) and made durable by msync(MS_SYNC). */
static _Noreturn void test_msynced(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	char rec[100];

	CHECK(fd >= 0 && ftruncate(fd, 100 * sizeof rec) == 0, "open");
	char *m = mmap(NULL, 100 * sizeof rec, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED, "mmap");
	for (int k = 0; k < 100 && m != MAP_FAILED; k++) {
		memset(rec, 'a' + k % 26, sizeof rec);
		int len = snprintf(rec, sizeof rec, "record %d ", k);
		rec[len] = (char)('a' + k % 26);
		rec[sizeof rec - 1] = '\n';
		memcpy(m + k * sizeof rec, rec, sizeof rec);
	}
	CHECK(m != MAP_FAILED && msync(m, 100 * sizeof rec, MS_SYNC) == 0, "msync");
	printf("%s\n", failed ? "FAIL" : "msynced");
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 3) {
		fprintf(stderr, "usage: pagecache shared|readself|big|fill|direct|synced|later|msynced|raw FILE [MIB]\n");
		return 2;
	}
	const char *t = argv[1], *f = argv[2];
	if (!strcmp(t, "shared"))
		return test_shared(f);
	if (!strcmp(t, "msynced"))
		test_msynced(f);
	if (!strcmp(t, "readself"))
		return test_readself(f);
	if (!strcmp(t, "big") && argc > 3)
		return test_big(f, strtoull(argv[3], NULL, 0));
	if (!strcmp(t, "fill"))
		return test_fill(f);
	if (!strcmp(t, "direct"))
		return test_direct(f);
	if (!strcmp(t, "raw"))
		return test_raw(f);
	if (!strcmp(t, "synced") || !strcmp(t, "later"))
		test_synced(f, !strcmp(t, "later"));
	fprintf(stderr, "pagecache: unknown test %s\n", t);
	return 2;
}
