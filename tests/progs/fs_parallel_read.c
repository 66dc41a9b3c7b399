/* Many threads reading one file at once, as a file's readers now share its
 * lock: FILE holds the pattern byte(o) at every offset o (the test writes
 * it on the host); N threads each read it ROUNDS times, in 4 KiB pieces
 * at random places and in runs of 16 KiB (so misses, readahead and pages
 * being filled by another thread meet).  Every byte read is checked.
 * Usage: fs_parallel_read FILE N ROUNDS.  Prints the bytes checked and the
 * errors ("0 errors"). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PIECE	4096
#define RUN	16384

static int fd, rounds;
static off_t size;
static atomic_long checked, errors;

static uint8_t byte_at(off_t o) { return (uint8_t)(o * 131 + (o >> 12) * 7 + 1); }

static void check(const uint8_t *b, off_t at, ssize_t n, size_t want)
{
	if (n < 0 || (size_t)n != want) {
		printf("short read at %lld: %zd of %zu\n", (long long)at, n, want);
		atomic_fetch_add(&errors, 1);
		return;
	}
	for (ssize_t k = 0; k < n; k++)
		if (b[k] != byte_at(at + k)) {
			printf("wrong byte at %lld\n", (long long)(at + k));
			atomic_fetch_add(&errors, 1);
			return;
		}
	atomic_fetch_add(&checked, n);
}

static void *reader(void *arg)
{
	uint64_t s = 0x9e3779b97f4a7c15ull * (uintptr_t)arg + 1;
	uint8_t *b = malloc(RUN);

	for (int r = 0; r < rounds; r++) {
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		bool run = s & 1;
		size_t len = run ? RUN : PIECE;
		off_t at = (off_t)((s >> 8) % (uint64_t)(size / PIECE)) * PIECE;
		if (at + (off_t)len > size)
			len = (size_t)(size - at);
		check(b, at, pread(fd, b, len, at), len);
	}
	free(b);
	return NULL;
}

int main(int argc, char **argv)
{
	struct stat st;

	if (argc != 4 || (fd = open(argv[1], O_RDONLY)) < 0 || fstat(fd, &st)) {
		fprintf(stderr, "usage: fs_parallel_read FILE N ROUNDS\n");
		return 2;
	}
	size = st.st_size;
	int n = atoi(argv[2]);
	rounds = atoi(argv[3]);
	pthread_t t[64];
	for (int i = 0; i < n && i < 64; i++)
		pthread_create(&t[i], NULL, reader, (void *)(uintptr_t)(i + 1));
	for (int i = 0; i < n && i < 64; i++)
		pthread_join(t[i], NULL);
	printf("%ld bytes checked, %ld errors\n", atomic_load(&checked), atomic_load(&errors));
	return errors != 0;
}
