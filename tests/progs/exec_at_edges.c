/* execveat's edges: a bad dirfd (EBADF, not ENOENT), AT_EMPTY_PATH on a
 * descriptor (O_RDONLY, O_PATH) and without the flag, AT_SYMLINK_NOFOLLOW
 * on a symlink (ELOOP) and on a file, a dirfd that is a file (ENOTDIR),
 * unknown flags, and bad argv/envp pointers (EFAULT); what /proc/self/exe
 * and comm say after an exec of a descriptor (the file's path and name,
 * not /proc/PID/fd/N and "N").  The new image is this program again,
 * exiting 7.  One line per check; Linux's transcript
 * is in tests/vm/test_exec_at_edges.py.  DIR (default /tmp) is writable. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void try(const char *what, int dirfd, const char *path, char **argv, int flags)
{
	char *envp[] = { NULL };

	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		syscall(SYS_execveat, dirfd, path, argv, envp, flags);
		printf("%s: %s\n", what, strerror(errno));
		fflush(stdout);
		_exit(0);
	}
	int st;
	waitpid(c, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		printf("%s: ran, status %#x\n", what, st);
}

int main(int argc, char **argv)
{
	static char self[4096], link[4200];

	if (argc == 2 && !strcmp(argv[1], "exit7"))
		return 7;
	if (argc == 3 && !strcmp(argv[1], "show")) {	/* exe is argv[2]? and comm */
		char exe[4096] = { 0 }, comm[32] = { 0 };
		readlink("/proc/self/exe", exe, sizeof exe - 1);
		int fd = open("/proc/self/comm", O_RDONLY);
		read(fd, comm, sizeof comm - 1);
		printf("after an exec of a descriptor: exe is the file: %s, comm %s",
		       strcmp(exe, argv[2]) ? "no" : "yes", comm);
		return 0;
	}
	readlink("/proc/self/exe", self, sizeof self - 1);
	snprintf(link, sizeof link, "%s/exec_at_link", argc > 1 ? argv[1] : "/tmp");
	unlink(link);
	symlink(self, link);
	char *a7[] = { self, "exit7", NULL }, *bad[] = { self, (char *)16, NULL };
	int fd = open(self, O_RDONLY), pfd = open(self, O_PATH);
	try("bad dirfd, relative path", 99, "x", a7, 0);
	try("bad dirfd, AT_EMPTY_PATH", 99, "", a7, AT_EMPTY_PATH);
	try("bad dirfd, absolute path", 99, self, a7, 0);
	try("fd, AT_EMPTY_PATH", fd, "", a7, AT_EMPTY_PATH);
	try("O_PATH fd, AT_EMPTY_PATH", pfd, "", a7, AT_EMPTY_PATH);
	try("fd, empty path without the flag", fd, "", a7, 0);
	try("file as dirfd", fd, "x", a7, 0);
	try("unknown flag", AT_FDCWD, self, a7, 0x4);
	try("AT_SYMLINK_NOFOLLOW, a symlink", AT_FDCWD, link, a7, AT_SYMLINK_NOFOLLOW);
	try("AT_SYMLINK_NOFOLLOW, a file", AT_FDCWD, self, a7, AT_SYMLINK_NOFOLLOW);
	try("AT_SYMLINK_NOFOLLOW, fd", fd, "", a7, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
	try("symlink followed", AT_FDCWD, link, a7, 0);
	try("argv at 8", AT_FDCWD, self, (char **)8, 0);
	try("argv[1] at 16", AT_FDCWD, self, bad, 0);
	char *show[] = { "show", "show", self, NULL };
	try("exe and comm", fd, "", show, AT_EMPTY_PATH);
	printf("exec_at_edges done\n");
	return 0;
}
