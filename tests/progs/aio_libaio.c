/* A program on Debian's libaio (linked statically, its archive with musl:
 * it needs only syscall() and errno), the way fio's libaio engine and
 * databases use it: a file written in batches of 4 KiB blocks, synced,
 * read back in another order through vectors, every block checked by
 * CRC-32C; completions signalled through an eventfd; a poll cancelled.
 * libaio's io_getevents reads the ring's header in user memory first (its
 * magic, head and tail): with a zero timeout and an empty ring it returns
 * without entering the kernel.
 * `aio_libaio [BLOCKS [DIR]]`: its file in DIR (/tmp), removed at the end. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libaio.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define BLOCK	4096
#define BATCH	16

static uint32_t crc32c(uint32_t crc, const unsigned char *p, size_t n)
{
	crc = ~crc;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = crc >> 1 ^ (0x82f63b78 & -(crc & 1));
	}
	return ~crc;
}

/* Block b's bytes: a xorshift stream seeded by b. */
static void fill(unsigned char *buf, unsigned b)
{
	uint32_t x = 2463534242u ^ (b * 2654435761u);

	for (int i = 0; i < BLOCK; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		buf[i] = (unsigned char)x;
	}
}

/* Waits for n events; how many said res == want. */
static int reap(io_context_t ctx, int n, long want)
{
	struct io_event ev[BATCH];
	int good = 0;

	while (n > 0) {
		int got = io_getevents(ctx, 1, n < BATCH ? n : BATCH, ev, NULL);
		if (got < 0) {
			printf("io_getevents: %s\n", strerror(-got));
			exit(1);
		}
		for (int i = 0; i < got; i++)
			good += (long)ev[i].res == want;
		n -= got;
	}
	return good;
}

static int write_blocks(io_context_t ctx, int fd, unsigned nblocks, unsigned char *data, uint32_t *crc)
{
	struct iocb cbs[BATCH], *v[BATCH];
	int good = 0;

	for (unsigned b = 0; b < nblocks; b += BATCH) {
		int n = nblocks - b < BATCH ? nblocks - b : BATCH;
		for (int i = 0; i < n; i++) {
			fill(data + (size_t)(b + i) * BLOCK, b + i);
			io_prep_pwrite(&cbs[i], fd, data + (size_t)(b + i) * BLOCK, BLOCK, (long long)(b + i) * BLOCK);
			v[i] = &cbs[i];
		}
		int r = io_submit(ctx, n, v);
		if (r != n) {
			printf("io_submit writes: %d\n", r);
			exit(1);
		}
		good += reap(ctx, n, BLOCK);
	}
	*crc = crc32c(0, data, (size_t)nblocks * BLOCK);
	return good;
}

/* Read back last block first, each as two halves of a vector, with an
 * eventfd told of every completion. */
static int read_blocks(io_context_t ctx, int fd, unsigned nblocks, unsigned char *back, int efd)
{
	struct iocb cbs[BATCH], *v[BATCH];
	struct iovec iov[BATCH][2];
	int good = 0;

	for (unsigned done = 0; done < nblocks; done += BATCH) {
		int n = nblocks - done < BATCH ? nblocks - done : BATCH;
		for (int i = 0; i < n; i++) {
			unsigned b = nblocks - 1 - (done + i);
			unsigned char *at = back + (size_t)b * BLOCK;
			iov[i][0] = (struct iovec){ at, 1000 };
			iov[i][1] = (struct iovec){ at + 1000, BLOCK - 1000 };
			io_prep_preadv(&cbs[i], fd, iov[i], 2, (long long)b * BLOCK);
			io_set_eventfd(&cbs[i], efd);
			v[i] = &cbs[i];
		}
		int r = io_submit(ctx, n, v);
		if (r != n) {
			printf("io_submit reads: %d\n", r);
			exit(1);
		}
		good += reap(ctx, n, BLOCK);
	}
	return good;
}

static void sync_and_poll(io_context_t ctx, int fd)
{
	struct iocb cb, *v[1] = { &cb };
	struct io_event ev;
	int p[2];

	io_prep_fsync(&cb, fd);
	io_submit(ctx, 1, v);
	printf("fsync: %d\n", reap(ctx, 1, 0));
	io_prep_fdsync(&cb, fd);
	io_submit(ctx, 1, v);
	printf("fdatasync: %d\n", reap(ctx, 1, 0));
	pipe(p);
	io_prep_poll(&cb, p[0], POLLIN);
	printf("poll submitted: %d\n", io_submit(ctx, 1, v));
	int r = io_cancel(ctx, &cb, &ev);
	printf("io_cancel: %s\n", r == -EINPROGRESS ? "in progress" : strerror(-r));
	printf("cancelled poll's event: %d\n", reap(ctx, 1, 0));
	io_prep_poll(&cb, p[0], POLLIN);
	io_submit(ctx, 1, v);
	write(p[1], "x", 1);
	io_getevents(ctx, 1, 1, &ev, NULL);
	printf("poll after a write: %s\n", ev.res & POLLIN ? "POLLIN" : "no");
	struct timespec zero = { 0, 0 };
	printf("empty ring, zero timeout: %d\n", io_getevents(ctx, 0, 1, &ev, &zero));
	close(p[0]), close(p[1]);
}

int main(int argc, char **argv)
{
	unsigned nblocks = argc > 1 ? (unsigned)atoi(argv[1]) : 256;
	io_context_t ctx = 0;
	uint64_t signalled = 0;
	uint32_t crc;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (chdir(argc > 2 ? argv[2] : "/tmp")) {
		perror("chdir");
		return 1;
	}
	int fd = open("aio_libaio.dat", O_RDWR | O_CREAT | O_TRUNC, 0600);
	int efd = eventfd(0, 0);
	unsigned char *data = malloc((size_t)nblocks * BLOCK), *back = calloc(nblocks, BLOCK);
	int r = io_queue_init(32, &ctx);
	if (fd < 0 || efd < 0 || !data || !back || r) {
		printf("set-up failed: %s\n", strerror(r ? -r : errno));
		return 1;
	}
	printf("wrote: %d of %u blocks\n", write_blocks(ctx, fd, nblocks, data, &crc), nblocks);
	sync_and_poll(ctx, fd);
	printf("read: %d of %u blocks\n", read_blocks(ctx, fd, nblocks, back, efd), nblocks);
	read(efd, &signalled, sizeof signalled);
	printf("eventfd: %llu\n", (unsigned long long)signalled);
	uint32_t crc_back = crc32c(0, back, (size_t)nblocks * BLOCK);
	printf("crc32c: %08x %s\n", crc, crc == crc_back && !memcmp(data, back, (size_t)nblocks * BLOCK)
					    ? "verified" : "MISMATCH");
	printf("file size: %lld\n", (long long)lseek(fd, 0, SEEK_END));
	printf("io_queue_release: %d\n", io_queue_release(ctx));
	unlink("aio_libaio.dat");
	return 0;
}
