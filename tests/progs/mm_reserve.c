/* mm_reserve [N]: N times (default 8) reserve 4 TiB of PROT_NONE address
 * space (as sanitizers and some runtimes do), make a page of it writable and
 * touch it, make all of it readable, read /proc/self/status, discard it with
 * MADV_DONTNEED, make it PROT_NONE again and unmap it; meanwhile another
 * thread keeps mapping, touching and unmapping small areas.  Each step must
 * cost what is mapped, not the range's length: a kernel that walks every
 * 4 KiB page of 4 TiB under its memory lock takes minutes (and stalls the
 * other thread's faults as long).  Prints the same lines under Linux. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define TIB	(1ull << 40)
#define SIDE	(64 * 1024)

static volatile int stop;
static volatile long side_rounds;

static void fail(const char *what)
{
	printf("FAIL: %s\n", what);
	exit(1);
}

/* Faults on the side, while the main thread works on its reservations. */
static void *side(void *arg)
{
	(void)arg;
	while (!stop) {
		char *p = mmap(NULL, SIDE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			fail("side mmap");
		for (int i = 0; i < SIDE; i += 4096)
			p[i] = (char)i;
		if (munmap(p, SIDE))
			fail("side munmap");
		side_rounds++;
	}
	return NULL;
}

static void read_status(void)
{
	char buf[4096];
	int fd = open("/proc/self/status", O_RDONLY);

	if (fd < 0 || read(fd, buf, sizeof buf) <= 0 || !strstr(buf, "VmRSS:"))
		fail("reading /proc/self/status");
	close(fd);
}

static void one_reservation(void)
{
	char *p = mmap(NULL, 4 * TIB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		fail("mmap 4 TiB");
	char *page = p + TIB + 12345 * 4096ull;
	if (mprotect(page, 4096, PROT_READ | PROT_WRITE))
		fail("mprotect a page");
	page[7] = 42;
	if (mprotect(p, 4 * TIB, PROT_READ))
		fail("mprotect 4 TiB readable");
	if (page[7] != 42)
		fail("the page lost its byte");
	read_status();
	if (madvise(p, 4 * TIB, MADV_DONTNEED))
		fail("madvise 4 TiB");
	if (page[7] != 0)
		fail("MADV_DONTNEED kept the byte");
	if (mprotect(p, 4 * TIB, PROT_NONE))
		fail("mprotect 4 TiB PROT_NONE");
	if (munmap(p, 4 * TIB))
		fail("munmap 4 TiB");
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 8;
	pthread_t t;

	pthread_create(&t, NULL, side, NULL);
	for (int i = 0; i < n; i++)
		one_reservation();
	while (!side_rounds)
		sched_yield();
	stop = 1;
	pthread_join(t, NULL);
	printf("reserved and dropped %d x 4 TiB\nfaults on the side ok\n", n);
	return 0;
}
