/* chroot(2) as Linux has it, in a child so the caller keeps its root:
 * absolute paths, symlinks and ".." stay inside the new root; getcwd of a
 * directory outside it says "(unreachable)"; a descriptor opened before
 * still leads out; a program execs from inside, a forked child inherits
 * the root; and the refusals in Linux's order.  Works under
 * /tmp/chroot_calls, which must not exist yet.  Lines from Linux 6.18 (the same
 * program built with musl), run as root. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "call_result.h"

#define TOP "/tmp/chroot_calls"

static void put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);

	write(fd, text, strlen(text));
	close(fd);
}

static const char *contents(const char *path)
{
	static char buf[64];
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return res(fd);
	long n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	return buf;
}

/* The system call's own answer: libc's getcwd turns "(unreachable)..."
 * into ENOENT. */
static const char *cwd(void)
{
	static char buf[256];

	return syscall(SYS_getcwd, buf, sizeof buf) > 0 ? buf : res(-1);
}

/* The program itself, copied into the new root to be exec'd there. */
static void copy_self(const char *to)
{
	char buf[65536];
	int in = open("/proc/self/exe", O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	long n;

	while ((n = read(in, buf, sizeof buf)) > 0)
		write(out, buf, n);
	close(in);
	close(out);
}

static void make_tree(void)
{
	mkdir(TOP, 0755);
	mkdir(TOP "/root", 0755);
	mkdir(TOP "/root/sub", 0755);
	mkdir(TOP "/root/closed", 0600);
	put(TOP "/outside", "outside\n");
	put(TOP "/root/file", "inside\n");
	put(TOP "/root/sub/file", "inside sub\n");
	symlink("/file", TOP "/root/sub/abs");
	symlink("../../../../file", TOP "/root/sub/up");
	copy_self(TOP "/root/prog");
}

static void in_the_root(void)
{
	int out = open(TOP, O_RDONLY | O_DIRECTORY);

	chdir(TOP);
	printf("chroot root: %s\n", res(chroot("root")));
	printf("getcwd, still outside: %s\n", cwd());
	printf("/file: %s", contents("/file"));
	printf("/outside: %s\n", contents("/outside"));
	long r = chdir("/");
	printf("chdir /: %s, getcwd: %s\n", res(r), cwd());
	printf("../../file: %s", contents("../../file"));
	struct stat a, b;
	stat("/", &a);
	stat("/..", &b);
	printf("/.. is /: %s\n", a.st_ino == b.st_ino ? "yes" : "no");
	printf("absolute link: %s", contents("/sub/abs"));
	printf("link climbing up: %s", contents("/sub/up"));
	r = chdir("sub");
	printf("chdir sub: %s, getcwd: %s\n", res(r), cwd());
	fflush(stdout);
	pid_t pid = fork();
	if (!pid) {
		printf("forked child, /file: %s", contents("/file"));
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	pid = fork();
	if (!pid) {
		execl("/prog", "prog", "exec", NULL);
		printf("exec: %s\n", res(-1));
		_exit(1);
	}
	waitpid(pid, NULL, 0);
	r = fchdir(out);
	printf("fchdir to a descriptor from before: %s, getcwd: %s\n", res(r), cwd());
	r = chdir("..");
	printf("then chdir ..: %s, getcwd: %s\n", res(r), cwd());
	printf("chroot sub (relative, from outside): %s\n", res(chroot("chroot_calls/root/sub")));
	printf("now /file: %s", contents("/file"));
	fflush(stdout);
}

static void refusals(void)
{
	printf("no such directory: %s\n", res(chroot("/nowhere/at/all")));
	printf("a file: %s\n", res(chroot(TOP "/root/file")));
	printf("bad pointer: %s\n", res(chroot((char *)8)));
	fflush(stdout);
	pid_t pid = fork();
	if (!pid) {
		setgid(65534);
		setuid(65534);
		printf("as nobody, no search permission: %s\n", res(chroot(TOP "/root/closed")));
		printf("as nobody: %s\n", res(chroot(TOP "/root")));
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "exec")) {
		printf("exec'd inside: getcwd %s, /file: %s", cwd(), contents("/file"));
		return 0;
	}
	make_tree();
	refusals();
	fflush(stdout);
	pid_t pid = fork();
	if (!pid) {
		in_the_root();
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	printf("the parent's root is still /: %s", contents(TOP "/root/file"));
	return 0;
}
