/* Allocates argv[1] MiB (default 64) with malloc and writes every page, so
 * the memory is really used.  With too small a VM this must end with an
 * out-of-memory report, not a hang or a kernel panic. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	long mib = argc > 1 ? atol(argv[1]) : 64;
	size_t size = (size_t)mib << 20;
	unsigned char *p = malloc(size);

	if (p == NULL) {
		fprintf(stderr, "bigalloc: malloc(%ld MiB): %s (out of memory)\n",
			mib, strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < size; i += 4096)
		p[i] = (unsigned char)(i >> 12) | 1;
	for (size_t i = 0; i < size; i += 4096)
		if (p[i] != ((unsigned char)(i >> 12) | 1)) {
			printf("FAIL: page at offset %zu lost its contents\n", i);
			return 1;
		}
	printf("allocated %ld MiB\n", mib);
	return 0;
}
