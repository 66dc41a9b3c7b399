/* A page fault racing truncation (tests/vm/test_ext4_trunc_fault.py):
 * ext4_trunc_fault FILE ROUNDS SECONDS.
 *
 * One thread maps the file MAP_SHARED, reads a byte of each of its 16
 * pages (SIGBUS past the end is caught) and unmaps, over and over; one
 * calls syncfs over and over (a commit holds the file system's lock and
 * writes the pages back, which widens any gap inside a truncation); the
 * main thread, ROUNDS times or until SECONDS have passed, writes 64 KiB of
 * 0xab, truncates to 0, extends to 64 KiB and reads it back: every byte
 * must be zero.  A page the fault brought in between the cache's drop and
 * the blocks' free would survive the truncation with the old bytes (and
 * the freed blocks).  Prints "ok", or the first stale byte and "STALE
 * PAGE" and exits 1. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define NPAGES	16
#define SIZE	(NPAGES * 4096)

static int fd;
static volatile int stop;
static __thread sigjmp_buf on_bus;

static void bus(int sig)
{
	(void)sig;
	siglongjmp(on_bus, 1);
}

static void *toucher(void *arg)
{
	(void)arg;
	while (!stop) {
		volatile char *m = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m == MAP_FAILED) {
			perror("mmap");
			exit(2);
		}
		for (int k = 0; k < NPAGES; k++)
			if (sigsetjmp(on_bus, 1) == 0)
				(void)m[k * 4096 + 100];
		munmap((void *)m, SIZE);
	}
	return NULL;
}

static void *syncer(void *arg)
{
	(void)arg;
	while (!stop)
		syncfs(fd);
	return NULL;
}

/* One round: 0 when the file reads back as zeroes. */
static int round_stale(int r)
{
	static char pat[SIZE], buf[SIZE];

	memset(pat, 0xab, sizeof pat);
	if (pwrite(fd, pat, SIZE, 0) != SIZE || ftruncate(fd, 0) || ftruncate(fd, SIZE) ||
	    pread(fd, buf, SIZE, 0) != SIZE) {
		perror("round");
		exit(2);
	}
	for (int k = 0; k < SIZE; k++)
		if (buf[k]) {
			printf("round %d: byte %d reads 0x%02x after truncate to 0 and extend\n", r, k,
			       (unsigned char)buf[k]);
			return 1;
		}
	return 0;
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: ext4_trunc_fault FILE ROUNDS SECONDS\n");
		return 2;
	}
	int rounds = atoi(argv[2]), bad = 0;
	double end = now() + atof(argv[3]);
	struct sigaction sa = { .sa_handler = bus };
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror("open");
		return 2;
	}
	pthread_t t, s;
	pthread_create(&t, NULL, toucher, NULL);
	pthread_create(&s, NULL, syncer, NULL);
	for (int r = 0; r < rounds && !bad && now() < end; r++)
		bad = round_stale(r);
	stop = 1;
	pthread_join(t, NULL);
	pthread_join(s, NULL);
	printf(bad ? "STALE PAGE\n" : "ok\n");
	return bad;
}
