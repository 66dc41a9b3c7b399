/* /proc/self/cmdline opened, the argument then rewritten in place (as
 * setproctitle does), then read: Linux reads the program's memory at the
 * read, so the new text shows (Linux 6.x: "aftere" for "before").  amphi
 * made the text at open: the old one showed.  It now makes it at the
 * first read, out of vfs_lock.  Run with the argument "before".
 *
 * Prints fixed lines; a FAIL line and status 1 on a wrong answer. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char buf[4096];
	int fd = open("/proc/self/cmdline", O_RDONLY);

	if (fd < 0 || argc != 2 || strcmp(argv[1], "before")) {
		printf("FAIL: run with the argument \"before\"\n");
		return 1;
	}
	memcpy(argv[1], "after", 5);
	ssize_t n = read(fd, buf, sizeof buf - 1);
	if (n <= 0) {
		printf("FAIL: read: %zd\n", n);
		return 1;
	}
	buf[n] = 0;
	size_t first = strlen(buf) + 1;	/* past argv[0], whatever its path */
	printf("argument read after the rewrite: %s\n", first < (size_t)n ? buf + first : "(none)");
	close(fd);
	return 0;
}
