/* lseek's SEEK_DATA and SEEK_HOLE on /proc's and /sys's files, made when
 * read.  Linux: EINVAL for /proc's seq_files (seq_lseek takes only
 * SEEK_SET and SEEK_CUR), the offset left where it was; ENXIO for /proc's
 * others (default_llseek over their size, 0); all data up to 4096 for
 * a sysfs attribute (generic_file_llseek, its size a page).  Runs on a
 * Linux host unchanged. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "call_result.h"

int main(void)
{
	static const char *const paths[] = { "/proc/version", "/proc/self/status", "/proc/meminfo",
					     "/proc/self/cmdline",
					     "/sys/devices/system/cpu/online",
					     "/sys/kernel/mm/transparent_hugepage/enabled" };

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
