/* Space freed on a journaled ext4 and taken again at once
 * (tests/vm/test_ext4_enospc_retry.py): ext4_enospc_retry TEST FILE [ROUNDS].
 *
 *   write   ROUNDS times: 64 KiB written at 0, truncated to 0.  Each round
 *           frees what the last one took, so the file system never holds
 *           more than one round's blocks: no round may fail with ENOSPC.
 *   fault   the same through a MAP_SHARED mapping: the file grown to
 *           64 KiB, a byte stored into each page (the fault takes the
 *           block), unmapped, truncated to 0.
 *   direct  the same with O_DIRECT writes.
 *   falloc  the same with fallocate (64 KiB of unwritten extents).
 *   full    fills the file system with fallocate, then stores into a hole
 *           of a MAP_SHARED mapping: SIGBUS, as on Linux (not the OOM
 *           killer), and write() into the hole says ENOSPC.
 *
 * Each test prints "TEST ok" (full: one line per step first), or a FAIL
 * line and exits 1. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PG	4096
#define SIZE	(16 * PG)

static int fail(const char *what, int round)
{
	printf("FAIL %s at round %d: errno %d (%s)\n", what, round, errno, strerror(errno));
	return 1;
}

static int rewrite(int fd, int rounds)
{
	static char buf[SIZE] __attribute__((aligned(PG)));

	memset(buf, 0xab, sizeof buf);
	for (int r = 0; r < rounds; r++) {
		if (pwrite(fd, buf, SIZE, 0) != SIZE)
			return fail("pwrite", r);
		if (ftruncate(fd, 0))
			return fail("ftruncate", r);
	}
	return 0;
}

static int refault(int fd, int rounds)
{
	for (int r = 0; r < rounds; r++) {
		if (ftruncate(fd, SIZE))
			return fail("ftruncate up", r);
		volatile char *m = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m == MAP_FAILED)
			return fail("mmap", r);
		for (int k = 0; k < SIZE / PG; k++)
			m[k * PG] = (char)(r + 1);
		munmap((void *)m, SIZE);
		if (ftruncate(fd, 0))
			return fail("ftruncate down", r);
	}
	return 0;
}

static int reallocate(int fd, int rounds)
{
	for (int r = 0; r < rounds; r++) {
		if (fallocate(fd, 0, 0, SIZE))
			return fail("fallocate", r);
		if (ftruncate(fd, 0))
			return fail("ftruncate", r);
	}
	return 0;
}

static sigjmp_buf on_bus;

static void bus(int sig)
{
	(void)sig;
	siglongjmp(on_bus, 1);
}

/* Takes every free block of the file system for a file of its own. */
static void fill(const char *file)
{
	char name[4096];
	snprintf(name, sizeof name, "%s.filler", file);
	int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);
	off_t at = 0;

	for (off_t chunk = 1 << 20; chunk >= PG; chunk /= 16)
		while (fallocate(fd, 0, at, chunk) == 0)
			at += chunk;
	printf("filled: %s\n", errno == ENOSPC ? "ENOSPC" : strerror(errno));
	close(fd);
}

static int full(int fd, const char *file)
{
	if (ftruncate(fd, PG))	/* a hole: the store needs a block */
		return fail("ftruncate", 0);
	fill(file);
	volatile char *m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return fail("mmap", 0);
	struct sigaction sa = { .sa_handler = bus };
	sigaction(SIGBUS, &sa, NULL);
	if (sigsetjmp(on_bus, 1) == 0) {
		m[0] = 1;
		printf("store: no signal\n");
	} else {
		printf("store: SIGBUS\n");
	}
	munmap((void *)m, PG);
	char c = 1;
	ssize_t n = pwrite(fd, &c, 1, 0);
	printf("write: %zd %s\n", n, n < 0 ? strerror(errno) : "");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: ext4_enospc_retry write|fault|direct|falloc|full FILE [ROUNDS]\n");
		return 2;
	}
	int flags = O_RDWR | O_CREAT | O_TRUNC | (!strcmp(argv[1], "direct") ? O_DIRECT : 0);
	int fd = open(argv[2], flags, 0644), rounds = argc > 3 ? atoi(argv[3]) : 0;
	if (fd < 0)
		return fail("open", 0);
	int bad = !strcmp(argv[1], "write") || !strcmp(argv[1], "direct") ? rewrite(fd, rounds)
		  : !strcmp(argv[1], "falloc") ? reallocate(fd, rounds)
		  : !strcmp(argv[1], "fault") ? refault(fd, rounds)
		  : !strcmp(argv[1], "full") ? full(fd, argv[2]) : 2;
	if (!bad)
		printf("%s ok\n", argv[1]);
	return bad;
}
