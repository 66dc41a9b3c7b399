/* Raw block device speed for `make bench` (bench/diskbench.py), the same
 * static program in amphi and in the Linux VM: disk_bench DEV MIB OPS.
 *
 * With O_DIRECT on DEV: sequential write then read of MIB MiB in 1 MiB
 * requests (the write fsynced), then OPS random 4 KiB reads and OPS random
 * 4 KiB writes (fsynced at the end) at 4 KiB-aligned offsets in those MIB
 * MiB.  Each timed by the guest's monotonic clock; prints
 * "disk_bench NAME VALUE" lines (MiB/s, I/O per second), then
 * "disk_bench done".  Status 1 and a FAIL line if any call fails. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHUNK	(1 << 20)
#define SMALL	4096

static uint8_t buf[CHUNK] __attribute__((aligned(4096)));

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fail(const char *what)
{
	printf("FAIL %s: %s\n", what, strerror(errno));
	exit(1);
}

/* A small generator of its own: the same offsets on both kernels. */
static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int main(int argc, char **argv)
{
	if (argc != 4)
		return fprintf(stderr, "usage: disk_bench DEV MIB OPS\n"), 2;
	int fd = open(argv[1], O_RDWR | O_DIRECT);
	long mib = atol(argv[2]), ops = atol(argv[3]);
	uint64_t seed = 88172645463325252ull;
	double t;

	if (fd < 0)
		fail("open");
	memset(buf, 0x5a, sizeof buf);
	t = now();
	for (long i = 0; i < mib; i++)
		if (pwrite(fd, buf, CHUNK, (off_t)i * CHUNK) != CHUNK)
			fail("sequential write");
	if (fsync(fd))
		fail("fsync");
	printf("disk_bench seq_write_mibs %.1f\n", mib / (now() - t));
	t = now();
	for (long i = 0; i < mib; i++)
		if (pread(fd, buf, CHUNK, (off_t)i * CHUNK) != CHUNK)
			fail("sequential read");
	printf("disk_bench seq_read_mibs %.1f\n", mib / (now() - t));
	long blocks = mib * (CHUNK / SMALL);
	t = now();
	for (long i = 0; i < ops; i++)
		if (pread(fd, buf, SMALL, (off_t)(next(&seed) % blocks) * SMALL) != SMALL)
			fail("random read");
	printf("disk_bench rand_read_iops %.0f\n", ops / (now() - t));
	t = now();
	for (long i = 0; i < ops; i++)
		if (pwrite(fd, buf, SMALL, (off_t)(next(&seed) % blocks) * SMALL) != SMALL)
			fail("random write");
	if (fsync(fd))
		fail("fsync");
	printf("disk_bench rand_write_iops %.0f\n", ops / (now() - t));
	printf("disk_bench done\n");
	return 0;
}
