/* stress_mm [SEED [ROUNDS]]: threads mapping, protecting, moving and
 * unmapping overlapping parts of one 64-page area (ROUNDS operations each,
 * default 3000) while other threads read and write it and catch the faults
 * that follow (SIGSEGV, left with siglongjmp).  A page a faulting thread
 * reads is either zero or holds a byte some thread wrote there; the kernel
 * must not fault, hang or lose its own memory.  Prints "mm ok" (the same
 * under Linux), or FAIL lines. */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGES		64
#define PAGE		4096
#define MUTATORS	2
#define FAULTERS	2

static char *area;
static long rounds;
static volatile int stop;
static __thread sigjmp_buf fault_jmp;
static __thread volatile int in_probe;

static void fail(const char *what)
{
	printf("FAIL: %s\n", what);
	exit(1);
}

static void on_segv(int sig)
{
	(void)sig;
	if (!in_probe)
		_exit(99);	/* a fault outside a probe: ours, not the test's */
	siglongjmp(fault_jmp, 1);
}

static void pick(unsigned *seed, char **at, size_t *len)
{
	int first = rand_r(seed) % PAGES, n = 1 + rand_r(seed) % 8;

	if (first + n > PAGES)
		n = PAGES - first;
	*at = area + (size_t)first * PAGE;
	*len = (size_t)n * PAGE;
}

static void *mutator(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	static const int prots[] = { PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE };

	for (long i = 0; i < rounds; i++) {
		char *at, *to;
		size_t len, len2;
		pick(&seed, &at, &len);
		int prot = prots[rand_r(&seed) % 3];
		switch (rand_r(&seed) % 5) {
		case 0:
			if (mmap(at, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
				fail("mmap MAP_FIXED in the area");
			break;
		case 1: mprotect(at, len, prot); break;	/* ENOMEM over holes */
		case 2: munmap(at, len); break;
		case 3: madvise(at, len, MADV_DONTNEED); break;
		default:
			pick(&seed, &to, &len2);
			if (len2 >= len && (to + len2 <= at || to >= at + len))
				mremap(at, len, len2, MREMAP_MAYMOVE | MREMAP_FIXED, to);
			break;
		}
	}
	return NULL;
}

/* Reads and writes random pages; faults are expected, wrong bytes are not. */
static void *faulter(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	stack_t ss = { .ss_sp = malloc(65536), .ss_size = 65536 };

	sigaltstack(&ss, NULL);
	while (!stop) {
		char *p = area + (size_t)(rand_r(&seed) % PAGES) * PAGE + rand_r(&seed) % PAGE;
		if (sigsetjmp(fault_jmp, 1)) {
			in_probe = 0;
			continue;
		}
		in_probe = 1;
		char c = *(volatile char *)p;
		if (c != 0 && c != 'm')
			fail("a byte nobody wrote");
		*(volatile char *)p = 'm';
		in_probe = 0;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned seed = argc > 1 ? (unsigned)atoi(argv[1]) : 1;
	pthread_t m[MUTATORS], f[FAULTERS];
	struct sigaction sa = { .sa_handler = on_segv, .sa_flags = SA_ONSTACK | SA_NODEFER };

	rounds = argc > 2 ? atol(argv[2]) : 3000;
	sigaction(SIGSEGV, &sa, NULL);
	area = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		fail("the area");
	for (int i = 0; i < FAULTERS; i++)
		pthread_create(&f[i], NULL, faulter, (void *)(uintptr_t)(seed * 7 + i));
	for (int i = 0; i < MUTATORS; i++)
		pthread_create(&m[i], NULL, mutator, (void *)(uintptr_t)(seed * 13 + i));
	for (int i = 0; i < MUTATORS; i++)
		pthread_join(m[i], NULL);
	stop = 1;
	for (int i = 0; i < FAULTERS; i++)
		pthread_join(f[i], NULL);
	munmap(area, PAGES * PAGE);
	char *check = malloc(1 << 20);
	if (!check)
		fail("memory afterwards");
	memset(check, 1, 1 << 20);
	printf("mm ok\n");
	return 0;
}
