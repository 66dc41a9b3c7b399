/* ETXTBSY both ways, as Linux: execve of a file open for writing (by this
 * process or another), and opening for writing or truncate(2) of a file a
 * program runs from (this one's own, a child's); both allowed again once
 * the writer closes or the program ends; but a memfd runs from its own
 * descriptor, open for writing (memfd_create's file is no writer), and
 * from a read-only reopening.  DIR (default /tmp) is writable.
 * One line per check; Linux's transcript is in tests/vm/test_exec_text_busy.py. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char self[4096], copy[4200];

static void show(const char *what, int r)
{
	printf("%s: %s\n", what, r < 0 ? strerror(errno) : "ok");
}

static void make_copy(void)
{
	static char buf[1 << 16];
	int in = open(self, O_RDONLY), out = open(copy, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	ssize_t n;

	while ((n = read(in, buf, sizeof buf)) > 0)
		write(out, buf, (size_t)n);
	close(in);
	close(out);
}

/* execve(copy), or execveat(fd) if fd >= 0, in a child: its errno, or
 * "ok" when it ran (exit 7). */
static void try_exec_fd(const char *what, int fd)
{
	char *argv[] = { copy, "exit7", NULL }, *envp[] = { NULL };

	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		if (fd >= 0)
			syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
		else
			execve(copy, argv, envp);
		_exit(errno);
	}
	int st;
	waitpid(c, &st, 0);
	errno = WEXITSTATUS(st);
	show(what, WEXITSTATUS(st) == 7 ? 0 : -1);
}

static void try_exec(const char *what) { try_exec_fd(what, -1); }

/* A memfd holding this program. */
static int memfd_copy(void)
{
	static char buf[1 << 16];
	int in = open(self, O_RDONLY), m = memfd_create("prog", MFD_CLOEXEC);
	ssize_t n;

	while ((n = read(in, buf, sizeof buf)) > 0)
		write(m, buf, (size_t)n);
	close(in);
	return m;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "exit7"))
		return 7;
	if (argc == 2 && !strcmp(argv[1], "wait")) {	/* running: tell the parent */
		write(3, "r", 1);
		pause();
		return 0;
	}
	readlink("/proc/self/exe", self, sizeof self - 1);
	snprintf(copy, sizeof copy, "%s/text_busy", argc > 1 ? argv[1] : "/tmp");
	make_copy();
	int fd = open(copy, O_WRONLY);
	try_exec("exec of a file open for writing");
	int rd = open(copy, O_RDONLY);
	try_exec("exec with a reader too");
	close(fd);
	try_exec("exec once the writer closed");
	close(rd);
	show("open own file O_WRONLY", open(self, O_WRONLY));
	show("open own file O_RDWR", open(self, O_RDWR));
	show("open own file O_RDONLY", fd = open(self, O_RDONLY));
	close(fd);
	show("truncate own file", truncate(self, 1 << 20));
	int ready[2];
	char byte;
	pipe(ready);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		dup2(ready[1], 3);
		execl(copy, copy, "wait", (char *)NULL);
		_exit(1);
	}
	close(ready[1]);
	read(ready[0], &byte, 1);
	show("open a running child's file O_RDWR", open(copy, O_RDWR));
	show("open it O_TRUNC", open(copy, O_WRONLY | O_TRUNC));
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	show("open it once the child ended", fd = open(copy, O_RDWR));
	close(fd);
	unlink(copy);
	int m = memfd_copy();
	try_exec_fd("exec of a memfd by its own descriptor", m);
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", m);
	int ro = open(path, O_RDONLY | O_CLOEXEC);
	try_exec_fd("exec of a memfd reopened read-only", ro);
	show("open the memfd O_RDWR again", fd = open(path, O_RDWR));
	try_exec_fd("exec of it with that open", ro);
	printf("exec_text_busy done\n");
	return 0;
}
