/* Filling the file system: writes 1 MiB blocks until the file system says
 * ENOSPC, then checks that removing the file gives the room back.  Usage:
 * fs_full BASE (on Linux: a small tmpfs).  Prints what a user would see. */
#include <fcntl.h>
#include <unistd.h>

#include "fs_check.h"

int main(int argc, char **argv)
{
	static char block[1 << 20];
	char path[4096];
	long total = 0;
	ssize_t n;

	if (argc != 2) {
		fprintf(stderr, "usage: fs_full BASE\n");
		return 2;
	}
	snprintf(path, sizeof path, "%s/fs_full.data", argv[1]);
	memset(block, 'x', sizeof block);
	int fd = MUST(open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644));
	while ((n = write(fd, block, sizeof block)) > 0)
		total += n;
	printf("stopped with: %s\n", n == 0 ? "0" : errname(errno));
	printf("wrote at least 1 MiB: %d\n", total >= (1 << 20));
	errno = 0;
	printf("next write: %s\n", write(fd, block, 4096) < 0 ? errname(errno) : "ok");
	close(fd);
	T("unlink", unlink(path));
	fd = MUST(open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644));
	printf("room again: %d\n", write(fd, block, sizeof block) == sizeof block);
	close(fd);
	MUST(unlink(path));
	puts("fs_full done");
	return 0;
}
