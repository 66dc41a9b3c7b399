/* The storage benchmark's guest side (bench/fsbench.py), the same static
 * binary in amphi and in the Linux VM: in DIR, on a freshly made ext4 disk
 * that holds seq.dat and rand.dat written by the host, it measures with
 * the guest's own monotonic clock
 *
 *   seq_read_mib     reading seq.dat in 1 MiB pieces (first touch: the disk)
 *   seq_write_mib    writing as much to a new file in 1 MiB pieces, fsync
 *   rand_read_qd1    4 KiB preads at random places of rand.dat's first half
 *   rand_read_qd32   the same from 32 threads at once, in its second half
 *   rand_write_qd1   4 KiB pwrites at random places, then one fdatasync
 *   rand_write_qd32  the same from 32 threads at once
 *   fsync_us         appending 4 KiB and fdatasync, the mean of each pair
 *   creates          empty files made in a new directory, then syncfs
 *
 * and prints "fs_bench NAME VALUE" for each, then "fs_bench done".
 * Without O_DIRECT (amphi's ext4 has none yet), "queue depth 32" means 32
 * threads each with one request in flight, as the file system allows. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MIB		(1 << 20)
#define BLOCK		4096
#define THREADS		32
#define RAND_OPS	2048
#define FSYNCS		200
#define CREATES		1000

static const char *dir;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "fs_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int open_in(const char *name, int flags)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, flags, 0644);
	if (fd < 0)
		die(path);
	return fd;
}

static void report(const char *name, double value)
{
	printf("fs_bench %s %.1f\n", name, value);
	fflush(stdout);
}

static off_t file_size(int fd)
{
	struct stat st;
	if (fstat(fd, &st))
		die("fstat");
	return st.st_size;
}

static void seq_read(void)
{
	int fd = open_in("seq.dat", O_RDONLY);
	char *buf = malloc(MIB);
	off_t total = 0;
	double t = now();
	for (ssize_t n; (n = read(fd, buf, MIB)) != 0; total += n)
		if (n < 0)
			die("read seq.dat");
	report("seq_read_mib", total / (double)MIB / (now() - t));
	free(buf);
	close(fd);
}

static void seq_write(off_t bytes)
{
	int fd = open_in("written.dat", O_WRONLY | O_CREAT | O_TRUNC);
	char *buf = malloc(MIB);
	memset(buf, 0x5a, MIB);
	double t = now();
	for (off_t done = 0; done < bytes; done += MIB)
		if (write(fd, buf, MIB) != MIB)
			die("write written.dat");
	if (fsync(fd))
		die("fsync written.dat");
	report("seq_write_mib", bytes / (double)MIB / (now() - t));
	free(buf);
	close(fd);
}

struct worker {
	pthread_t thread;
	int fd;
	bool write;
	uint64_t seed;
	off_t first, blocks;	/* the range of 4 KiB blocks it touches */
	int ops;
};

static uint64_t next_random(uint64_t *s)
{
	*s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
	return *s;
}

static void *random_io(void *arg)
{
	struct worker *w = arg;
	char buf[BLOCK];
	memset(buf, 0xa5, sizeof buf);
	for (int i = 0; i < w->ops; i++) {
		off_t off = (w->first + (off_t)(next_random(&w->seed) % w->blocks)) * BLOCK;
		ssize_t n = w->write ? pwrite(w->fd, buf, BLOCK, off) : pread(w->fd, buf, BLOCK, off);
		if (n != BLOCK)
			die(w->write ? "pwrite rand.dat" : "pread rand.dat");
	}
	return NULL;
}

/* RAND_OPS requests over blocks [first, first + blocks) from nthreads
 * threads; writes end with one fdatasync, inside the time. */
static void random_run(const char *name, int fd, bool write, int nthreads, off_t first, off_t blocks)
{
	struct worker w[THREADS];
	double t = now();
	for (int i = 0; i < nthreads; i++) {
		w[i] = (struct worker){ .fd = fd, .write = write, .seed = 88172645463325252ull + i,
					.first = first, .blocks = blocks, .ops = RAND_OPS / nthreads };
		if (pthread_create(&w[i].thread, NULL, random_io, &w[i]))
			die("pthread_create");
	}
	for (int i = 0; i < nthreads; i++)
		pthread_join(w[i].thread, NULL);
	if (write && fdatasync(fd))
		die("fdatasync rand.dat");
	report(name, RAND_OPS / (now() - t));
}

static void random_all(void)
{
	int fd = open_in("rand.dat", O_RDWR);
	off_t half = file_size(fd) / BLOCK / 2;
	random_run("rand_read_qd1", fd, false, 1, 0, half);
	random_run("rand_read_qd32", fd, false, THREADS, half, half);
	random_run("rand_write_qd1", fd, true, 1, 0, 2 * half);
	random_run("rand_write_qd32", fd, true, THREADS, 0, 2 * half);
	close(fd);
}

static void fsync_latency(void)
{
	int fd = open_in("log.dat", O_WRONLY | O_CREAT | O_TRUNC | O_APPEND);
	char buf[BLOCK];
	memset(buf, 'L', sizeof buf);
	double t = now();
	for (int i = 0; i < FSYNCS; i++)
		if (write(fd, buf, BLOCK) != BLOCK || fdatasync(fd))
			die("append and fdatasync log.dat");
	report("fsync_us", (now() - t) / FSYNCS * 1e6);
	close(fd);
}

static void creates(void)
{
	char path[512];
	snprintf(path, sizeof path, "%s/made", dir);
	if (mkdir(path, 0755))
		die(path);
	double t = now();
	for (int i = 0; i < CREATES; i++) {
		snprintf(path, sizeof path, "%s/made/file-%04d", dir, i);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0)
			die(path);
		close(fd);
	}
	int dfd = open_in("made", O_RDONLY | O_DIRECTORY);
	if (syncfs(dfd))
		die("syncfs");
	report("creates", CREATES / (now() - t));
	close(dfd);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: fs_bench DIR\n");
		return 2;
	}
	dir = argv[1];
	int fd = open_in("seq.dat", O_RDONLY);
	off_t seq = file_size(fd);
	close(fd);
	seq_read();
	seq_write(seq);
	random_all();
	fsync_latency();
	creates();
	puts("fs_bench done");
	return 0;
}
