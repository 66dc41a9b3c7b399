/* Pipes between threads: each check has one thread block in read or write
 * and another wake it.
 *
 *   transfer:  MIB MiB of pseudo-random bytes in odd-sized writes, read in
 *              other odd sizes; the checksums must agree
 *   atomic:    4 writers each write RECORDS records of PIPE_BUF (and of 1000)
 *              bytes filled with one byte; the reader must never see a record
 *              mixed from two writers
 *   pingpong:  ROUNDS round trips of one byte over two pipes
 *   eof/epipe: a reader blocked on an empty pipe sees end of file when
 *              another thread closes the write end; a writer blocked on a
 *              full pipe gets EPIPE when another thread closes the read end
 *
 * Usage: pipe_threads [MIB [RECORDS [ROUNDS]]] (defaults 8 500 2000).
 * Prints one "<what> ok" line per check; "FAIL: ..." and status 1 otherwise. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

static int failures;

static void fail(const char *what)
{
	printf("FAIL: %s (errno %d)\n", what, errno);
	failures++;
}

static uint64_t next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint64_t mix(uint64_t sum, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sum = (sum ^ p[i]) * 0x100000001b3ull;
	return sum;
}

/* ---- transfer ---- */

struct transfer {
	int fd;
	size_t total;
	uint64_t sum;
};

static void *transfer_writer(void *arg)
{
	struct transfer *t = arg;
	static unsigned char buf[100000];
	uint64_t seed = 88172645463325252ull, sum = 0xcbf29ce484222325ull;
	size_t sent = 0;

	while (sent < t->total) {
		size_t n = 1 + next_random(&seed) % sizeof buf;
		if (n > t->total - sent)
			n = t->total - sent;
		for (size_t i = 0; i < n; i++)
			buf[i] = (unsigned char)next_random(&seed);
		sum = mix(sum, buf, n);
		for (size_t off = 0; off < n;) {
			ssize_t w = write(t->fd, buf + off, n - off);
			if (w <= 0) {
				fail("transfer write");
				return NULL;
			}
			off += w;
		}
		sent += n;
	}
	t->sum = sum;
	close(t->fd);
	return NULL;
}

static void transfer(size_t mib)
{
	int fd[2];
	pthread_t th;
	struct transfer t = { 0, mib << 20, 0 };
	static unsigned char buf[7919];
	uint64_t sum = 0xcbf29ce484222325ull, seed = 12345;
	size_t got = 0;
	ssize_t r;

	if (pipe(fd))
		return fail("pipe");
	t.fd = fd[1];
	pthread_create(&th, NULL, transfer_writer, &t);
	while ((r = read(fd[0], buf, 1 + next_random(&seed) % sizeof buf)) > 0) {
		sum = mix(sum, buf, r);
		got += r;
	}
	pthread_join(th, NULL);
	close(fd[0]);
	if (r < 0 || got != t.total || sum != t.sum)
		return fail("transfer: bytes or checksum differ");
	printf("transfer %zu MiB ok\n", mib);
}

/* ---- atomic ---- */

struct atomic_writer {
	int fd, id, records;
	size_t size;
	bool vector;		/* writev of three pieces, atomic all the same */
};

static ssize_t write_record(const struct atomic_writer *a, const char *buf)
{
	struct iovec v[3] = { { (void *)buf, 1 }, { (void *)(buf + 1), a->size / 2 },
			      { (void *)(buf + 1 + a->size / 2), a->size - 1 - a->size / 2 } };

	return a->vector ? writev(a->fd, v, 3) : write(a->fd, buf, a->size);
}

static void *atomic_write(void *arg)
{
	struct atomic_writer *a = arg;
	char buf[PIPE_BUF];

	memset(buf, 'A' + a->id, a->size);
	for (int i = 0; i < a->records; i++)
		if (write_record(a, buf) != (ssize_t)a->size) {
			fail("atomic write");
			break;
		}
	return NULL;
}

static int read_full(int fd, char *buf, size_t n)
{
	for (size_t got = 0; got < n;) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r <= 0)
			return got ? -1 : 0;
		got += r;
	}
	return 1;
}

static void atomic(int records, size_t size, bool vector)
{
	enum { WRITERS = 4 };
	int fd[2], counts[WRITERS] = { 0 }, r;
	pthread_t th[WRITERS];
	struct atomic_writer w[WRITERS];
	char buf[PIPE_BUF];

	if (pipe(fd))
		return fail("pipe");
	for (int i = 0; i < WRITERS; i++) {
		w[i] = (struct atomic_writer){ fd[1], i, records, size, vector };
		pthread_create(&th[i], NULL, atomic_write, &w[i]);
	}
	for (int n = 0; n < WRITERS * records; n++) {
		if ((r = read_full(fd[0], buf, size)) != 1)
			return fail("atomic: short stream");
		int id = buf[0] - 'A';
		for (size_t i = 1; i < size; i++)
			if (buf[i] != buf[0])
				return fail("atomic: a record was split");
		if (id < 0 || id >= WRITERS)
			return fail("atomic: bad record");
		counts[id]++;
	}
	for (int i = 0; i < WRITERS; i++)
		pthread_join(th[i], NULL);
	close(fd[1]);
	if (read(fd[0], buf, 1) != 0)
		return fail("atomic: extra bytes");
	close(fd[0]);
	for (int i = 0; i < WRITERS; i++)
		if (counts[i] != records)
			return fail("atomic: records lost");
	printf("atomic %d x %zu-byte %s from %d threads ok\n", records, size,
	       vector ? "writevs" : "writes", WRITERS);
}

/* ---- pingpong ---- */

static int ping[2], pong[2], rounds;

static void *ponger(void *arg)
{
	char c;

	(void)arg;
	for (int i = 0; i < rounds; i++) {
		if (read(ping[0], &c, 1) != 1 || write(pong[1], &c, 1) != 1) {
			fail("pong");
			break;
		}
	}
	return NULL;
}

static void pingpong(void)
{
	pthread_t th;
	char c;

	if (pipe(ping) || pipe(pong))
		return fail("pipe");
	pthread_create(&th, NULL, ponger, NULL);
	for (int i = 0; i < rounds; i++) {
		c = (char)i;
		if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1 || c != (char)i)
			return fail("ping");
	}
	pthread_join(th, NULL);
	printf("pingpong %d ok\n", rounds);
	close(ping[0]), close(ping[1]), close(pong[0]), close(pong[1]);
}

/* ---- wake on close ---- */

static void *close_later(void *arg)
{
	usleep(100000);	/* let the main thread block first (either order is right) */
	close(*(int *)arg);
	return NULL;
}

static void eof_wakes_reader(void)
{
	int fd[2];
	pthread_t th;
	char c;

	if (pipe(fd))
		return fail("pipe");
	pthread_create(&th, NULL, close_later, &fd[1]);
	if (read(fd[0], &c, 1) != 0)
		return fail("eof: read did not return 0");
	pthread_join(th, NULL);
	close(fd[0]);
	printf("eof wakes reader ok\n");
}

static void epipe_wakes_writer(void)
{
	int fd[2];
	pthread_t th;
	static char big[200000];
	ssize_t w;

	signal(SIGPIPE, SIG_IGN);
	if (pipe(fd))
		return fail("pipe");
	pthread_create(&th, NULL, close_later, &fd[0]);
	/* Fills the pipe (65536 bytes go in), blocks, then the reader goes. */
	w = write(fd[1], big, sizeof big);
	pthread_join(th, NULL);
	if (w != 65536 && !(w == -1 && errno == EPIPE))
		return fail("epipe: write neither partial nor EPIPE");
	if (write(fd[1], big, 1) != -1 || errno != EPIPE)
		return fail("epipe: second write");
	close(fd[1]);
	printf("epipe wakes writer ok\n");
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 8;
	int records = argc > 2 ? atoi(argv[2]) : 500;

	rounds = argc > 3 ? atoi(argv[3]) : 2000;
	transfer(mib);
	atomic(records, PIPE_BUF, false);
	atomic(records, 1000, false);
	atomic(records, 1000, true);
	pingpong();
	eof_wakes_reader();
	epipe_wakes_writer();
	if (failures)
		return 1;
	printf("pipe_threads ok\n");
	return 0;
}
