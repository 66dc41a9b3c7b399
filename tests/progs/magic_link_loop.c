/* A magic link whose text leads back through itself: fd 3's text is
 * /tmp/a/x, and /tmp/a becomes a symlink to /proc/self/fd/3, so walking
 * that text meets fd 3 again.  Following /proc/self/fd/3 must still give
 * the open file (Linux's answer), not recurse without end.  Lines from
 * Linux 6.18 (the same program built with musl). */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "call_result.h"

int main(void)
{
	struct stat st, own;

	mkdir("/tmp/magic_loop", 0700);
	chdir("/tmp/magic_loop");
	mkdir("a", 0700);
	int fd = open("a/x", O_RDWR | O_CREAT, 0600);
	dup2(fd, 3);
	rename("a", "b");
	symlink("/proc/self/fd/3", "a");
	fstat(3, &own);
	long r = stat("/proc/self/fd/3", &st);
	printf("stat of the fd link: %s, the open file: %s\n", res(r),
	       !r && st.st_ino == own.st_ino ? "yes" : "no");
	printf("stat through the loop: %s\n", res(stat("/tmp/magic_loop/a/x", &st)));
	printf("open of the fd link: %s\n", open("/proc/self/fd/3", O_RDONLY) >= 0 ? "ok" : res(-1));
	unlink("a");
	unlink("b/x");
	rmdir("b");
	return 0;
}
