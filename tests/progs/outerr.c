/* Writes to standard output and standard error in turns, including every
 * byte value 0..255 and blocks larger than one console frame, so a test can
 * check that each stream arrives byte for byte and on its own side (no
 * newline translation, no mixing).  Ends with status 3: output is not lost
 * when a program ends with a non-zero status right after writing.  The exact
 * bytes are listed in tests/vm/test_stdio.py. */
#include <string.h>
#include <unistd.h>

static int put(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int main(void)
{
	unsigned char all[256], big[10000];

	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	for (int i = 0; i < 10000; i++)
		big[i] = (unsigned char)(i * 7 + 3);
	if (put(1, "out 1\n", 6) || put(2, "err 1\n", 6) || put(2, all, sizeof all) ||
	    put(1, big, sizeof big) || put(1, "\r\n\n\r", 4) || put(2, "err 2 no newline", 16) ||
	    put(1, all, sizeof all))
		return 1;
	return 3;
}
