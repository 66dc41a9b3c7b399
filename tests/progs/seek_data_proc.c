/* lseek's SEEK_DATA and SEEK_HOLE on /proc's files: EINVAL, as Linux's
 * seq_lseek answers any whence but SEEK_SET and SEEK_CUR, the offset
 * left where it was.  Runs on a Linux host unchanged. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "call_result.h"

int main(void)
{
	static const char *const paths[] = { "/proc/version", "/proc/self/status", "/proc/meminfo" };

	for (unsigned k = 0; k < sizeof paths / sizeof paths[0]; k++) {
		int fd = open(paths[k], O_RDONLY);
		char c;
		if (fd < 0 || read(fd, &c, 1) != 1) {
			perror(paths[k]);
			return 1;
		}
		printf("%s: SEEK_DATA 0 %s,", paths[k], res(lseek(fd, 0, SEEK_DATA)));
		printf(" SEEK_HOLE 0 %s,", res(lseek(fd, 0, SEEK_HOLE)));
		printf(" SEEK_DATA -1 %s,", res(lseek(fd, -1, SEEK_DATA)));
		printf(" offset %s\n", res(lseek(fd, 0, SEEK_CUR)));
		close(fd);
	}
	return 0;
}
