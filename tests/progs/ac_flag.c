/* ac_flag: threads that set EFLAGS.AC (popf, allowed at CPL 3) and then
 * take page faults, system calls that copy, and timer interrupts that
 * preempt them (more threads than CPUs).  AC is SMAP's override in kernel
 * mode: the kernel must close it on every entry, so no handler and no
 * thread it switches to runs with SMAP off (amphi checks that at every
 * switch and would panic), and the program keeps its own AC.  While AC is
 * set only aligned accesses are made: Linux sets CR0.AM, so a misaligned
 * one would raise SIGBUS there. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define THREADS	6
#define PAGES	64
#define ROUNDS	40
#define AC	(1ul << 18)

static int pipes[THREADS][2];

static uint64_t flags(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f;
}

static void set_flags(uint64_t f) { __asm__ volatile("pushq %0; popfq" :: "r"(f) : "memory", "cc"); }

static long sys3(long nr, long a, long b, long c)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return r;
}

/* With AC set: a page fault per page, a write and a read through the
 * kernel's copies, a spin long enough for the timer to preempt. */
static int round_with_ac(int k, volatile uint64_t *mem)
{
	uint64_t word = 0x1234567800000000ul + k, back = 0;

	for (int p = 0; p < PAGES; p++)
		mem[p * 512] = word + p;
	if (sys3(SYS_write, pipes[k][1], (long)&word, 8) != 8 || sys3(SYS_read, pipes[k][0], (long)&back, 8) != 8)
		return 0;
	for (volatile long spin = 0; spin < 200000; spin++)
		;
	for (int p = 0; p < PAGES; p++)
		if (mem[p * 512] != word + p)
			return 0;
	return back == word && (flags() & AC);
}

static void *worker(void *arg)
{
	int k = (int)(intptr_t)arg;
	long good = 0;

	for (int r = 0; r < ROUNDS; r++) {
		volatile uint64_t *mem = mmap(NULL, PAGES * 4096, PROT_READ | PROT_WRITE,
					      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			break;
		uint64_t before = flags();
		set_flags(before | AC);
		int ok = round_with_ac(k, mem);
		set_flags(before & ~AC);
		good += ok;
		munmap((void *)mem, PAGES * 4096);
	}
	return (void *)good;
}

int main(void)
{
	pthread_t t[THREADS];
	long good = 0;

	for (int k = 0; k < THREADS; k++)
		if (pipe(pipes[k]) || pthread_create(&t[k], NULL, worker, (void *)(intptr_t)k))
			return 1;
	for (int k = 0; k < THREADS; k++) {
		void *g;
		pthread_join(t[k], &g);
		good += (long)g;
	}
	printf("%ld of %d rounds with AC set: memory, copies and AC kept\n", good, THREADS * ROUNDS);
	return 0;
}
