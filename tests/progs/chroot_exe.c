/* /proc/PID/exe across a chroot, as Linux has it: the link leads to the
 * program's own file whatever the reader's root.  A program exec'd before
 * its chroot opens its exe inside it (through a descriptor for /proc
 * from before: the root has no /proc), and a process outside opens the
 * exe of one exec'd inside.  Works under /tmp/chroot_exe, which must not exist yet.  Lines
 * from Linux 6.x (the same program built with musl), run as root. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "call_result.h"

#define TOP "/tmp/chroot_exe"

/* Whether path (from dir) opens the file at same (the program's own). */
static const char *opens(int dir, const char *path, const struct stat *same)
{
	struct stat st;
	int fd = openat(dir, path, O_RDONLY);

	if (fd < 0)
		return res(-1);
	fstat(fd, &st);
	close(fd);
	return st.st_ino == same->st_ino && st.st_dev == same->st_dev ? "the program" : "another file";
}

static void copy(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	long n;

	while ((n = read(in, buf, sizeof buf)) > 0)
		write(out, buf, n);
	close(in);
	close(out);
}

int main(int argc, char **argv)
{
	struct stat self, inside;
	int ready[2];

	if (argc > 1) {	/* exec'd inside the root: say so, then wait */
		write(3, "r", 1);
		pause();
		return 0;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	stat("/proc/self/exe", &self);
	mkdir(TOP, 0755);
	copy("/proc/self/exe", TOP "/prog");
	stat(TOP "/prog", &inside);
	pid_t pid = fork();
	if (pid == 0) {
		int proc = open("/proc", O_RDONLY | O_DIRECTORY);
		chroot(TOP);
		chdir("/");
		printf("after chroot, its exe opens: %s\n", opens(proc, "self/exe", &self));
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	pipe(ready);
	pid = fork();
	if (pid == 0) {
		dup2(ready[1], 3);
		chroot(TOP);
		chdir("/");
		execl("/prog", "prog", "inside", (char *)0);
		_exit(1);
	}
	char c;
	read(ready[0], &c, 1);
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/exe", pid);
	printf("from outside, its exe opens: %s\n", opens(AT_FDCWD, path, &inside));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	unlink(TOP "/prog");
	rmdir(TOP);
	return 0;
}
