/* Futex words in a mapped file's pages not yet read in: the word is read
 * (FUTEX_WAIT, FUTEX_CMP_REQUEUE) or changed (FUTEX_WAKE_OP) under the
 * hash bucket's spinlock, where a fault that has to wait for 9p (or ext4)
 * must not sleep (core/uaccess.h).
 *
 *   futex_file_fault FILE MIB
 *
 * maps the first MIB MiB of FILE (on a --share mount, read by nobody
 * before) privately and, on the first word of each page in turn, makes
 * one of the three calls, while two threads wake that word in a loop (so
 * they spin on its bucket's lock).  Each call's answer and the word's
 * value after it are checked against the file's bytes read with pread(2).
 * Without the no-sleep copies the caller slept on 9p holding the bucket
 * lock while both CPUs spun on it: a lockup. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define FUTEX_WAIT_PRIVATE		(0 | 128)
#define FUTEX_WAKE_PRIVATE		(1 | 128)
#define FUTEX_CMP_REQUEUE_PRIVATE	(4 | 128)
#define FUTEX_WAKE_OP_PRIVATE		(5 | 128)
/* WAKE_OP's operation: add 1 to the second word; wake its waiters if it
 * held 0 (it did not matter: there are none) */
#define ADD_ONE_IF_ZERO			((1u << 28) | (0u << 24) | (1u << 12) | 0u)

static uint32_t *volatile target;
static volatile int done;

static long futex(uint32_t *uaddr, int op, uint32_t val, void *timeout, uint32_t *uaddr2, uint32_t val3)
{
	return syscall(SYS_futex, uaddr, op, val, timeout, uaddr2, val3);
}

static void *waker(void *arg)
{
	(void)arg;
	while (!done)
		futex(target, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	return NULL;
}

#define GUESS 0x5a5a5a5au	/* a value the file's word is not, most likely */

struct answer {
	long r;
	int err;
	uint32_t after;		/* the word after the call */
};

/* One call of the given kind on the word w, as the page's first touch. */
static struct answer call(int kind, uint32_t *w)
{
	static uint32_t other;
	struct timespec second = { 1, 0 };
	struct answer a;

	target = w;
	errno = 0;
	if (kind == 0)
		a.r = futex(w, FUTEX_WAIT_PRIVATE, GUESS, &second, NULL, 0);
	else if (kind == 1)
		a.r = futex(w, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *)1, &other, GUESS);
	else
		a.r = futex(&other, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1, w,
			    ADD_ONE_IF_ZERO);
	a.err = errno;
	a.after = *w;
	return a;
}

/* Whether a is Linux's answer for a word the file holds as want. */
static int right(int kind, const struct answer *a, uint32_t want)
{
	if (kind == 0)
		return a->r == -1 && a->err == (want == GUESS ? ETIMEDOUT : EAGAIN) && a->after == want;
	if (kind == 1)
		return (want == GUESS ? a->r == 0 : a->r == -1 && a->err == EAGAIN) && a->after == want;
	return a->r == 0 && a->after == want + 1;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return fprintf(stderr, "usage: futex_file_fault FILE MIB\n"), 2;
	size_t len = (size_t)atoi(argv[2]) << 20, pages = len / 4096, bad = 0;
	int f = open(argv[1], O_RDONLY);
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, f, 0);
	struct answer *got = calloc(pages, sizeof *got);
	pthread_t t[2];

	if (m == MAP_FAILED || !got)
		return perror("mmap"), 1;
	target = (uint32_t *)m;
	for (int k = 0; k < 2; k++)
		pthread_create(&t[k], NULL, waker, NULL);
	for (size_t p = 0; p < pages; p++)
		got[p] = call((int)(p % 3), (uint32_t *)(m + p * 4096));
	done = 1;
	for (int k = 0; k < 2; k++)
		pthread_join(t[k], NULL);
	/* the file's words, read only now: before, they would have brought
	 * the pages in */
	for (size_t p = 0; p < pages; p++) {
		uint32_t want;
		if (pread(f, &want, sizeof want, (off_t)(p * 4096)) != sizeof want)
			return perror("pread"), 1;
		bad += !right((int)(p % 3), &got[p], want);
	}
	printf("%zu pages, %zu calls answered wrongly\n", pages, bad);
	return 0;
}
