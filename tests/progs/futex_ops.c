/* futex_ops [pi]: futex(2)'s answers, one line per case: errors (bad
 * words, bad timeouts, bad operations), how many waiters WAKE, REQUEUE,
 * CMP_REQUEUE and WAKE_OP count (with real waiters, counted without
 * waking them by requeueing to a spare word and back), a requeue from a
 * word to itself, and WAKE_OP's arithmetic.  The transcript is Linux's
 * (tests/vm/test_futex.py holds it).  "futex_ops pi" makes each
 * priority-inheritance operation once and prints its errno: amphi refuses
 * them all with ENOSYS (Linux implements them). */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define FUTEX_WAIT		0
#define FUTEX_WAKE		1
#define FUTEX_REQUEUE		3
#define FUTEX_CMP_REQUEUE	4
#define FUTEX_WAKE_OP		5
#define FUTEX_LOCK_PI		6
#define FUTEX_UNLOCK_PI		7
#define FUTEX_TRYLOCK_PI	8
#define FUTEX_WAIT_BITSET	9
#define FUTEX_WAKE_BITSET	10
#define FUTEX_WAIT_REQUEUE_PI	11
#define FUTEX_CMP_REQUEUE_PI	12
#define FUTEX_LOCK_PI2		13
#define FUTEX_PRIVATE		128
#define FUTEX_CLOCK_REALTIME	256
#define OP(op, oparg, cmp, cmparg) \
	((unsigned)(op) << 28 | (unsigned)(cmp) << 24 | ((unsigned)(oparg) & 0xfff) << 12 | \
	 ((unsigned)(cmparg) & 0xfff))
#define OP_SHIFT		8
#define KERNEL_ADDR		((unsigned *)0xffffffff80100000ull)
#define NONCANON		((unsigned *)0x0000800000000000ull)
#define MAXW			8

static unsigned words[4] __attribute__((aligned(64)));
static unsigned *w1 = &words[0], *w2 = &words[1], *spare = &words[2];
static unsigned *unmapped, *none, *rdonly;

static long futex(void *w, int op, unsigned long val, const void *ts, void *w2, unsigned val3)
{
	return syscall(SYS_futex, w, op, val, ts, w2, val3);
}

static const char *err_name(int e)
{
	switch (e) {
	case EAGAIN: return "EAGAIN";
	case EINVAL: return "EINVAL";
	case EFAULT: return "EFAULT";
	case ENOSYS: return "ENOSYS";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EINTR: return "EINTR";
	case EPERM: return "EPERM";
	case ESRCH: return "ESRCH";
	case EDEADLK: return "EDEADLK";
	default: return strerror(e);
	}
}

static void show(const char *what, long r)
{
	if (r < 0)
		printf("%s: %s\n", what, err_name(errno));
	else
		printf("%s: %ld\n", what, r);
}

/* ---- waiters ------------------------------------------------------------ */

struct waiter {
	pthread_t t;
	unsigned *word;
	long ret;
	int err;
	volatile int done;
};

static struct waiter ws[MAXW];
static int nws;

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;

	w->ret = futex(w->word, FUTEX_WAIT | FUTEX_PRIVATE, *w->word, NULL, NULL, 0);
	w->err = w->ret < 0 ? errno : 0;
	w->done = 1;
	return NULL;
}

/* How many wait on word, counted by moving them to the spare word and back. */
static long queued_on(unsigned *word)
{
	long n = futex(word, FUTEX_REQUEUE | FUTEX_PRIVATE, 0, (void *)(long)INT_MAX, spare, 0);

	if (n > 0)
		futex(spare, FUTEX_REQUEUE | FUTEX_PRIVATE, 0, (void *)(long)INT_MAX, word, 0);
	return n;
}

/* Starts n waiters on word and returns once all of them are asleep. */
static void start_waiters(unsigned *word, int n)
{
	for (int i = 0; i < n; i++) {
		struct waiter *w = &ws[nws++];
		w->word = word;
		w->done = 0;
		pthread_create(&w->t, NULL, wait_thread, w);
	}
	struct timespec ms = { 0, 1000000 };
	while (queued_on(word) < n)
		nanosleep(&ms, NULL);
}

/* Wakes everyone left, joins them, and prints how many had been woken
 * with 0 before (the rest were still asleep). */
static void finish_waiters(const char *what)
{
	int woken = 0;

	for (int i = 0; i < nws; i++)
		woken += ws[i].done && ws[i].ret == 0;
	for (int left = 1; left;) {
		futex(w1, FUTEX_WAKE | FUTEX_PRIVATE, INT_MAX, NULL, NULL, 0);
		futex(w2, FUTEX_WAKE | FUTEX_PRIVATE, INT_MAX, NULL, NULL, 0);
		futex(spare, FUTEX_WAKE | FUTEX_PRIVATE, INT_MAX, NULL, NULL, 0);
		left = 0;
		for (int i = 0; i < nws; i++)
			left += !ws[i].done;
		sched_yield();
	}
	for (int i = 0; i < nws; i++)
		pthread_join(ws[i].t, NULL);
	printf("%s: %d had returned 0\n", what, woken);
	nws = 0;
}

/* Lets woken waiters finish, so finish_waiters counts them. */
static void settle(int n)
{
	struct timespec ms = { 0, 1000000 };

	for (;;) {
		int done = 0;
		for (int i = 0; i < nws; i++)
			done += ws[i].done;
		if (done >= n)
			return;
		nanosleep(&ms, NULL);
	}
}

/* ---- cases -------------------------------------------------------------- */

static void errors(void)
{
	struct timespec bad_ns = { 0, 1000000000 }, neg = { -1, 0 }, short_ts = { 0, 1000000 };
	struct timespec past = { 0, 1 };
	char *mis = (char *)w1 + 1;

	*w1 = 5;
	show("wait, value differs", futex(w1, FUTEX_WAIT, 4, NULL, NULL, 0));
	show("wait, misaligned", futex(mis, FUTEX_WAIT, 0, NULL, NULL, 0));
	show("wait, NULL", futex(NULL, FUTEX_WAIT, 0, NULL, NULL, 0));
	show("wait, kernel word", futex(KERNEL_ADDR, FUTEX_WAIT, 0, NULL, NULL, 0));
	show("wait, non-canonical word", futex(NONCANON, FUTEX_WAIT, 0, NULL, NULL, 0));
	show("wait, unmapped word", futex(unmapped, FUTEX_WAIT, 0, NULL, NULL, 0));
	show("wait, PROT_NONE word", futex(none, FUTEX_WAIT, 0, NULL, NULL, 0));
	show("wait, nanoseconds 1e9", futex(w1, FUTEX_WAIT, 5, &bad_ns, NULL, 0));
	show("wait, negative seconds", futex(w1, FUTEX_WAIT, 5, &neg, NULL, 0));
	show("wait, timeout unreadable", futex(w1, FUTEX_WAIT, 5, KERNEL_ADDR, NULL, 0));
	show("wait, bad timeout but value differs", futex(w1, FUTEX_WAIT, 4, &bad_ns, NULL, 0));
	show("wait, 1 ms", futex(w1, FUTEX_WAIT, 5, &short_ts, NULL, 0));
	show("wait_bitset, absolute past", futex(w1, FUTEX_WAIT_BITSET, 5, &past, NULL, ~0u));
	show("wait_bitset, realtime past",
	     futex(w1, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 5, &past, NULL, ~0u));
	show("wait_bitset, bitset 0", futex(w1, FUTEX_WAIT_BITSET, 5, &past, NULL, 0));
	show("wait, realtime clock", futex(w1, FUTEX_WAIT | FUTEX_CLOCK_REALTIME, 5, &short_ts, NULL, 0));
	show("wake, realtime clock", futex(w1, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0));
	show("requeue, realtime clock",
	     futex(w1, FUTEX_REQUEUE | FUTEX_CLOCK_REALTIME, 1, NULL, w2, 0));
	show("operation 14", futex(w1, 14, 0, NULL, NULL, 0));
	show("operation 99", futex(w1, 99, 0, NULL, NULL, 0));
	show("wake, nobody", futex(w1, FUTEX_WAKE, 1, NULL, NULL, 0));
	show("wake, misaligned", futex(mis, FUTEX_WAKE, 1, NULL, NULL, 0));
	show("wake, bitset 0", futex(w1, FUTEX_WAKE_BITSET, 1, NULL, NULL, 0));
	show("wake, bitset 0 and misaligned", futex(mis, FUTEX_WAKE_BITSET, 1, NULL, NULL, 0));
	show("wake, kernel word", futex(KERNEL_ADDR, FUTEX_WAKE | FUTEX_PRIVATE, 1, NULL, NULL, 0));
	show("wake, non-canonical word", futex(NONCANON, FUTEX_WAKE | FUTEX_PRIVATE, 1, NULL, NULL, 0));
	show("wake private, unmapped word", futex(unmapped, FUTEX_WAKE | FUTEX_PRIVATE, 1, NULL, NULL, 0));
	show("wake shared, unmapped word", futex(unmapped, FUTEX_WAKE, 1, NULL, NULL, 0));
	show("wake shared, PROT_NONE word", futex(none, FUTEX_WAKE, 1, NULL, NULL, 0));
	show("requeue, negative wake count", futex(w1, FUTEX_REQUEUE, -1, NULL, w2, 0));
	show("requeue, negative requeue count", futex(w1, FUTEX_REQUEUE, 1, (void *)-1L, w2, 0));
	show("requeue, misaligned target", futex(w1, FUTEX_REQUEUE, 1, NULL, mis, 0));
	show("requeue, kernel target", futex(w1, FUTEX_REQUEUE | FUTEX_PRIVATE, 1, NULL, KERNEL_ADDR, 0));
	show("requeue, kernel source", futex(KERNEL_ADDR, FUTEX_REQUEUE | FUTEX_PRIVATE, 1, NULL, w2, 0));
	show("cmp_requeue, value differs", futex(w1, FUTEX_CMP_REQUEUE, 1, NULL, w2, 4));
	show("cmp_requeue, value equal, nobody", futex(w1, FUTEX_CMP_REQUEUE, 1, NULL, w2, 5));
	show("cmp_requeue private, unmapped source",
	     futex(unmapped, FUTEX_CMP_REQUEUE | FUTEX_PRIVATE, 1, NULL, w2, 0));
	show("wake_op, misaligned target", futex(w1, FUTEX_WAKE_OP, 1, NULL, mis, OP(0, 1, 0, 0)));
	show("wake_op, read-only target", futex(w1, FUTEX_WAKE_OP, 1, NULL, rdonly, OP(0, 1, 0, 0)));
	show("wake_op, kernel target", futex(w1, FUTEX_WAKE_OP | FUTEX_PRIVATE, 1, NULL, KERNEL_ADDR, OP(0, 1, 0, 0)));
}

static void counts(void)
{
	*w1 = 0;
	*w2 = 0;
	start_waiters(w1, 3);
	show("wake 0 of 3", futex(w1, FUTEX_WAKE | FUTEX_PRIVATE, 0, NULL, NULL, 0));
	show("wake -1 of 2", futex(w1, FUTEX_WAKE | FUTEX_PRIVATE, (unsigned)-1, NULL, NULL, 0));
	show("left", queued_on(w1));
	settle(2);
	finish_waiters("wake 0, wake -1");

	start_waiters(w1, 4);
	show("wake 2 of 4", futex(w1, FUTEX_WAKE | FUTEX_PRIVATE, 2, NULL, NULL, 0));
	show("wake_bitset 2 of 2 with bit 1", futex(w1, FUTEX_WAKE_BITSET | FUTEX_PRIVATE, 2, NULL, NULL, 1));
	show("left", queued_on(w1));
	settle(4);
	finish_waiters("wake 2, wake 2");

	start_waiters(w1, 5);
	show("requeue wake 1 move 2 of 5", futex(w1, FUTEX_REQUEUE | FUTEX_PRIVATE, 1, (void *)2L, w2, 0));
	show("left on first", queued_on(w1));
	show("on second", queued_on(w2));
	show("cmp_requeue wake 0 move 0", futex(w1, FUTEX_CMP_REQUEUE | FUTEX_PRIVATE, 0, NULL, w2, 0));
	show("cmp_requeue wake 1 move 0", futex(w1, FUTEX_CMP_REQUEUE | FUTEX_PRIVATE, 1, NULL, w2, 0));
	show("cmp_requeue wake 0 move all", futex(w1, FUTEX_CMP_REQUEUE | FUTEX_PRIVATE, 0, (void *)(long)INT_MAX, w2, 0));
	show("left on first", queued_on(w1));
	show("on second", queued_on(w2));
	settle(2);
	finish_waiters("requeue");

	start_waiters(w1, 3);
	show("requeue to itself, wake 0 move all of 3",
	     futex(w1, FUTEX_REQUEUE | FUTEX_PRIVATE, 0, (void *)(long)INT_MAX, w1, 0));
	show("requeue to itself, wake 1 move all of 3",
	     futex(w1, FUTEX_REQUEUE | FUTEX_PRIVATE, 1, (void *)(long)INT_MAX, w1, 0));
	show("cmp_requeue to itself, wake max move max of 2",
	     futex(w1, FUTEX_CMP_REQUEUE | FUTEX_PRIVATE, INT_MAX, (void *)(long)INT_MAX, w1, 0));
	settle(3);
	finish_waiters("requeue to itself");
}

static void wake_op_case(const char *what, unsigned before, unsigned op)
{
	*w2 = before;
	long r = futex(w1, FUTEX_WAKE_OP | FUTEX_PRIVATE, 1, (void *)1L, w2, op);
	if (r < 0)
		printf("%s: %s, word %#x\n", what, err_name(errno), *w2);
	else
		printf("%s: %ld, word %#x\n", what, r, *w2);
}

static void wake_op(void)
{
	wake_op_case("set 7", 1, OP(0, 7, 0, 0));
	wake_op_case("add -1", 10, OP(1, -1, 0, 0));
	wake_op_case("or 0x30", 1, OP(2, 0x30, 0, 0));
	wake_op_case("andn 1", 3, OP(3, 1, 0, 0));
	wake_op_case("xor 0xfff", 1, OP(4, 0xfff, 0, 0));
	wake_op_case("set 1<<5", 0, OP(0 | OP_SHIFT, 5, 0, 0));
	wake_op_case("set 1<<40 (shift taken mod 32)", 0, OP(0 | OP_SHIFT, 40, 0, 0));
	wake_op_case("operation 5", 1, OP(5, 1, 0, 0));
	wake_op_case("operation 7", 1, OP(7, 1, 0, 0));
	wake_op_case("comparison 6", 1, OP(0, 2, 6, 0));
	wake_op_case("comparison 15", 1, OP(0, 2, 15, 0));

	*w1 = 0;
	*w2 = 0;
	static const struct { const char *name; unsigned cmp; int arg; } cmps[] = {
		{ "eq 0", 0, 0 }, { "eq 1", 0, 1 }, { "ne 0", 1, 0 }, { "lt -1", 2, -1 },
		{ "lt 1", 2, 1 }, { "le 0", 3, 0 }, { "gt -2048", 4, -2048 }, { "ge 2047", 5, 2047 },
	};
	for (size_t i = 0; i < sizeof cmps / sizeof cmps[0]; i++) {
		char what[64];
		start_waiters(w1, 1);
		start_waiters(w2, 2);
		*w2 = 0;
		long r = futex(w1, FUTEX_WAKE_OP | FUTEX_PRIVATE, 1, (void *)2L, w2,
			       OP(0, 0, cmps[i].cmp, cmps[i].arg));
		snprintf(what, sizeof what, "wake_op old 0 %s", cmps[i].name);
		show(what, r);
		settle((int)r);
		finish_waiters(what);
		*w2 = 0;
	}
}

static void pi(void)
{
	static const struct { const char *name; int op; } ops[] = {
		{ "lock_pi", FUTEX_LOCK_PI }, { "unlock_pi", FUTEX_UNLOCK_PI },
		{ "trylock_pi", FUTEX_TRYLOCK_PI }, { "wait_requeue_pi", FUTEX_WAIT_REQUEUE_PI },
		{ "cmp_requeue_pi", FUTEX_CMP_REQUEUE_PI }, { "lock_pi2", FUTEX_LOCK_PI2 },
	};

	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		*w1 = 0;
		show(ops[i].name, futex(w1, ops[i].op | FUTEX_PRIVATE, 1, NULL, w2, 0));
	}
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	char *m = mmap(NULL, 3 * 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED || munmap(m, 4096) || mprotect(m + 4096, 4096, PROT_NONE)) {
		printf("FAIL: setup\n");
		return 1;
	}
	unmapped = (unsigned *)m;
	none = (unsigned *)(m + 4096);
	rdonly = (unsigned *)(m + 8192);
	if (argc > 1 && !strcmp(argv[1], "pi")) {
		pi();
		return 0;
	}
	errors();
	counts();
	wake_op();
	printf("futex_ops done\n");
	return 0;
}
