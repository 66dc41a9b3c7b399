/* Runs N threads (argv[1], default 4) that together sum 0..M-1 (M = argv[2]
 * million, default 40), each over its own slice, busy the whole time.  Every
 * thread notes which CPU it ran on (sched_getcpu) as it goes.  Prints
 *     threads=N
 *     sum=<exact sum> ok
 *     cpus=<distinct CPUs seen>
 * The first two lines are deterministic; the last says whether the threads
 * really spread over the machine's CPUs. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_THREADS 64

struct slice {
	pthread_t tid;
	unsigned long long lo, hi, sum;
	unsigned long long cpus;	/* bit c set: ran on CPU c (c < 64) */
	int bad_cpu;			/* sched_getcpu failed or gave >= 64 */
};

static pthread_barrier_t start;

static void note_cpu(struct slice *s)
{
	int c = sched_getcpu();

	if (c < 0 || c >= 64)
		s->bad_cpu = 1;
	else
		s->cpus |= 1ULL << c;
}

static void *work(void *arg)
{
	struct slice *s = arg;
	unsigned long long sum = 0;

	pthread_barrier_wait(&start);	/* all threads start spinning together */
	note_cpu(s);
	for (unsigned long long i = s->lo; i < s->hi; i++) {
		unsigned long long x = i;
		__asm__ volatile("" : "+r"(x));	/* keep the loop a loop */
		sum += x;
		if ((i & 0xfffff) == 0)
			note_cpu(s);
	}
	note_cpu(s);
	s->sum = sum;
	return NULL;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 4;
	unsigned long long m = (argc > 2 ? strtoull(argv[2], NULL, 10) : 40) * 1000000ULL;
	static struct slice s[MAX_THREADS];

	if (n < 1 || n > MAX_THREADS) {
		printf("FAIL: thread count %d out of range 1..%d\n", n, MAX_THREADS);
		return 2;
	}
	pthread_barrier_init(&start, NULL, (unsigned)n);
	for (int i = 0; i < n; i++) {
		s[i].lo = m / n * i;
		s[i].hi = i == n - 1 ? m : m / n * (i + 1);
		int err = pthread_create(&s[i].tid, NULL, work, &s[i]);
		if (err) {
			printf("FAIL: pthread_create #%d: error %d\n", i, err);
			return 1;
		}
	}
	unsigned long long total = 0, cpus = 0;
	int bad_cpu = 0;
	for (int i = 0; i < n; i++) {
		pthread_join(s[i].tid, NULL);
		total += s[i].sum;
		cpus |= s[i].cpus;
		bad_cpu |= s[i].bad_cpu;
	}
	unsigned long long want = m % 2 ? (m - 1) / 2 * m : m / 2 * (m - 1);
	printf("threads=%d\n", n);
	if (total != want) {
		printf("FAIL: sum=%llu, expected %llu\n", total, want);
		return 1;
	}
	printf("sum=%llu ok\n", total);
	if (bad_cpu) {
		printf("FAIL: sched_getcpu failed or returned a CPU >= 64\n");
		return 1;
	}
	printf("cpus=%d\n", __builtin_popcountll(cpus));
	return 0;
}
