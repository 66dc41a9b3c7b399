/* Copies standard input to standard output byte for byte until end of file,
 * with read(2)/write(2) in odd-sized chunks (1 byte up to 64 KiB + 1) so that
 * short reads, short writes and chunk boundaries all get exercised.
 * Prints nothing of its own on success; a failure goes to stderr, status 1. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const size_t chunks[] = { 1, 7, 333, 4093, 4097, 65537, 13, 1021 };
static char buf[65537];

static int write_all(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(1, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int main(void)
{
	for (unsigned i = 0;; i++) {
		size_t want = chunks[i % (sizeof chunks / sizeof chunks[0])];
		ssize_t r = read(0, buf, want);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "FAIL: read: %s\n", strerror(errno));
			return 1;
		}
		if (r == 0)
			return 0;
		if ((size_t)r > want) {
			fprintf(stderr, "FAIL: read returned %zd > %zu\n", r, want);
			return 1;
		}
		if (write_all(buf, (size_t)r) < 0) {
			fprintf(stderr, "FAIL: write: %s\n", strerror(errno));
			return 1;
		}
	}
}
