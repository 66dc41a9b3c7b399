/* execve: the errors (ENOENT, ENOTDIR, EACCES for a directory and a file
 * without x, ENOEXEC for text, an empty file, 32-bit and foreign ELFs and
 * bad #! lines, ELOOP for #! loops, a missing PT_INTERP, E2BIG), and what a
 * new program gets: #! lines as Linux splits them, argv and envp, the same
 * pid, close-on-exec, signal actions back to default (ignored ones stay),
 * the mask and pending signals kept, one thread left when another thread
 * called exec, vfork's parent going on.  The new images are this program
 * again, with a mode in argv[1].  One line per check; Linux's transcript is
 * in tests/vm/proc_expected.py (`unshare --pid --fork ./proc_exec DIR`).
 * DIR is a writable directory for the files it makes. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char self[4096], dir[1024];
extern char **environ;

static void put(const char *name, const void *data, size_t n, int mode)
{
	char path[2048];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, mode);
	if (fd < 0 || write(fd, data, n) != (ssize_t)n) {
		printf("FAIL: cannot write %s: %m\n", path);
		exit(1);
	}
	close(fd);
	chmod(path, mode);
}

static const char *errname(int e)
{
	static const struct { int e; const char *name; } names[] = {
		{ ENOENT, "ENOENT" }, { ENOTDIR, "ENOTDIR" }, { EACCES, "EACCES" },
		{ ENOEXEC, "ENOEXEC" }, { ELOOP, "ELOOP" }, { E2BIG, "E2BIG" }, { EIO, "EIO" },
		{ ELIBBAD, "ELIBBAD" }, { EFAULT, "EFAULT" }, { ENAMETOOLONG, "ENAMETOOLONG" },
		{ EINVAL, "EINVAL" }, { EPERM, "EPERM" }, { ENOMEM, "ENOMEM" },
	};
	static char other[16];

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].e == e)
			return names[i].name;
	snprintf(other, sizeof other, "errno %d", e);
	return other;
}

/* execve in a child: its errno, or what the new program exited with. */
static void try_exec(const char *what, const char *path, char *const argv[], char *const envp[])
{
	int pfd[2], err = 0, st;

	pipe2(pfd, O_CLOEXEC);
	pid_t pid = fork();
	if (!pid) {
		execve(path, argv, envp);
		err = errno;
		write(pfd[1], &err, sizeof err);
		_exit(127);
	}
	close(pfd[1]);
	ssize_t n = read(pfd[0], &err, sizeof err);
	close(pfd[0]);
	waitpid(pid, &st, 0);
	if (n == sizeof err)
		printf("%s: %s\n", what, errname(err));
	else
		printf("%s: ran, exit %d\n", what, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	fflush(stdout);
}

static void in_dir(char *out, const char *name) { sprintf(out, "%s/%s", dir, name); }

static void check_spawn(int err)
{
	printf("posix_spawn: %s\n", err ? errname(err) : "ok");
}

/* A minimal x86_64 ELF whose PT_INTERP names a file that is not there. */
static void make_interp_elf(void)
{
	unsigned char f[64 + 2 * 56 + 32] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
	const char *interp = "/nonexistent/ld.so";
	uint16_t h16[] = { 2, 62 };	/* ET_EXEC, EM_X86_64 */
	uint32_t version = 1;
	uint64_t entry = 0x400000 + sizeof f - 1, phoff = 64;
	uint16_t sizes[] = { 64, 56, 2, 64, 0, 0 };	/* ehsize phentsize phnum shentsize shnum shstrndx */

	memcpy(f + 16, h16, 4);
	memcpy(f + 20, &version, 4);
	memcpy(f + 24, &entry, 8);
	memcpy(f + 32, &phoff, 8);
	memcpy(f + 52, sizes, sizeof sizes);
	uint32_t interp_hdr[2] = { 3, 4 };	/* PT_INTERP, PF_R */
	uint64_t interp_rest[6] = { 176, 0x400000 + 176, 0, strlen(interp) + 1, strlen(interp) + 1, 1 };
	memcpy(f + 64, interp_hdr, 8);
	memcpy(f + 72, interp_rest, 48);
	uint32_t load_hdr[2] = { 1, 5 };	/* PT_LOAD, PF_R | PF_X */
	uint64_t load_rest[6] = { 0, 0x400000, 0, sizeof f, sizeof f, 0x1000 };
	memcpy(f + 120, load_hdr, 8);
	memcpy(f + 128, load_rest, 48);
	memcpy(f + 176, interp, strlen(interp) + 1);
	f[sizeof f - 1] = 0xf4;	/* hlt */
	put("interp-missing", f, sizeof f, 0755);
}

static void errors(void)
{
	char *argv[] = { "x", NULL }, *envp[] = { NULL }, p[2048], q[2048];
	unsigned char elf32[64] = { 0x7f, 'E', 'L', 'F', 1, 1, 1 };
	unsigned char arm[64] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, [16] = 2, [18] = 183, [20] = 1 };

	try_exec("missing file", "/nonexistent", argv, envp);
	try_exec("empty path", "", argv, envp);
	try_exec("a directory", "/", argv, envp);
	try_exec("through a file", "/proc/self/exe/x", argv, envp);
	put("noexec", "#!/bin/sh\n", 10, 0644);
	in_dir(p, "noexec");
	try_exec("no x bit", p, argv, envp);
	put("text", "hello\n", 6, 0755);
	in_dir(p, "text");
	try_exec("text without #!", p, argv, envp);
	put("empty", "", 0, 0755);
	in_dir(p, "empty");
	try_exec("empty file", p, argv, envp);
	put("elf32", elf32, sizeof elf32, 0755);
	in_dir(p, "elf32");
	try_exec("32-bit ELF", p, argv, envp);
	put("arm", arm, sizeof arm, 0755);
	in_dir(p, "arm");
	try_exec("aarch64 ELF", p, argv, envp);
	put("nointerp", "#!/nonexistent/sh\n", 18, 0755);
	in_dir(p, "nointerp");
	try_exec("#! to a missing interpreter", p, argv, envp);
	put("blank", "#!   \n", 6, 0755);
	in_dir(p, "blank");
	try_exec("#! with no interpreter", p, argv, envp);
	char longline[300] = "#!/";
	memset(longline + 3, 'a', sizeof longline - 3);
	put("long", longline, sizeof longline, 0755);
	in_dir(p, "long");
	try_exec("#! name past 256 bytes", p, argv, envp);
	in_dir(q, "loop-b");
	snprintf(longline, sizeof longline, "#!%s\n", q);
	put("loop-a", longline, strlen(longline), 0755);
	in_dir(q, "loop-a");
	snprintf(longline, sizeof longline, "#!%s\n", q);
	put("loop-b", longline, strlen(longline), 0755);
	in_dir(p, "loop-a");
	try_exec("#! loop", p, argv, envp);
	make_interp_elf();
	in_dir(p, "interp-missing");
	try_exec("PT_INTERP missing", p, argv, envp);
	static char head[4096];
	int fd = open(self, O_RDONLY);
	if (fd < 0 || read(fd, head, sizeof head) != sizeof head)
		exit(1);
	close(fd);
	put("trunc100", head, 100, 0755);
	in_dir(p, "trunc100");
	try_exec("ELF cut inside its program headers", p, argv, envp);
	put("trunc4k", head, sizeof head, 0755);
	in_dir(p, "trunc4k");
	try_exec("ELF cut inside its code", p, argv, envp);
}

static void too_big(void)
{
	char *big = malloc(200000), *envp[] = { NULL };
	char *argv[] = { "x", big, NULL };

	memset(big, 'a', 199999);
	big[199999] = 0;
	try_exec("one argument over 128 KiB", self, argv, envp);
	char **many = calloc(40, sizeof *many);
	many[0] = "x";
	big[100000] = 0;
	for (int i = 1; i < 39; i++)
		many[i] = big;
	try_exec("3.8 MB of arguments", self, many, envp);
	free(many);
	free(big);
}

/* argv with this program's path as SELF and the work directory as DIR. */
static void print_argv(int argc, char **argv, const char *work)
{
	printf("argc %d:", argc);
	for (int i = 0; i < argc; i++) {
		size_t n = strlen(work);
		if (!strcmp(argv[i], self))
			printf(" [SELF]");
		else if (n && !strncmp(argv[i], work, n))
			printf(" [DIR%s]", argv[i] + n);
		else
			printf(" [%s]", argv[i]);
	}
	printf("\n");
}

static void scripts(void)
{
	char line[5000], p[2048], work[1100], *envp[] = { "A=1", "B=two words", work, NULL };
	char *argv[] = { "name", "x1", "x 2", NULL };

	snprintf(work, sizeof work, "WORK=%s", dir);
	snprintf(line, sizeof line, "#!%s show-args\n", self);
	put("s1", line, strlen(line), 0755);
	in_dir(p, "s1");
	try_exec("#! with an argument", p, argv, envp);
	snprintf(line, sizeof line, "#! \t%s  show-args  two \t\nrest\n", self);
	put("s2", line, strlen(line), 0755);
	in_dir(p, "s2");
	try_exec("#! argument with spaces", p, argv, envp);
	snprintf(line, sizeof line, "#!%s", self);
	put("s3", line, strlen(line), 0755);
	in_dir(p, "s3");
	try_exec("#! without a newline", p, argv, envp);
	char *show[] = { "x", "show-args", "a", "", "c", NULL };
	try_exec("argv and envp", self, show, envp);
	char *none[] = { NULL };
	try_exec("empty argv", self, none, envp);
}

static void on_usr1(int sig) { (void)sig; }

/* After exec: what came through. */
static int show_state(char **argv)
{
	struct sigaction sa;
	sigset_t mask, pending;
	char status[4096], *t;
	int fd = open("/proc/self/status", O_RDONLY);
	ssize_t n = read(fd, status, sizeof status - 1);

	status[n > 0 ? n : 0] = 0;
	t = strstr(status, "Threads:");
	sigaction(SIGUSR1, NULL, &sa);
	printf("SIGUSR1 %s", sa.sa_handler == SIG_DFL ? "default" : "not default");
	sigaction(SIGUSR2, NULL, &sa);
	printf(", SIGUSR2 %s", sa.sa_handler == SIG_IGN ? "ignored" : "not ignored");
	sigprocmask(SIG_BLOCK, NULL, &mask);
	sigpending(&pending);
	printf(", SIGINT %s, SIGHUP %s\n", sigismember(&mask, SIGINT) ? "blocked" : "unblocked",
	       sigismember(&pending, SIGHUP) ? "pending" : "not pending");
	printf("fd 10 %s, fd 11 %s\n", fcntl(10, F_GETFD) < 0 ? "closed" : "open",
	       fcntl(11, F_GETFD) < 0 ? "closed" : "open");
	printf("same pid %d, tid is pid %d, %.10s\n", getpid() == atoi(argv[2]),
	       gettid() == getpid(), t ? t : "no Threads line");
	return 0;
}

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void *exec_from_thread(void *arg)
{
	execv(self, arg);
	return NULL;
}

/* The parent's state going into exec: a handler, an ignored signal, a
 * blocked one and a pending one, a close-on-exec descriptor and another. */
static void state(int from_thread)
{
	char pid[16], *argv[] = { "x", "show-state", pid, NULL };
	int st;
	pid_t child = fork();

	if (!child) {
		sigset_t block;
		pthread_t t;
		signal(SIGUSR1, on_usr1);
		signal(SIGUSR2, SIG_IGN);
		sigemptyset(&block);
		sigaddset(&block, SIGINT);
		sigaddset(&block, SIGHUP);
		sigprocmask(SIG_BLOCK, &block, NULL);
		raise(SIGHUP);
		dup2(open("/", O_RDONLY | O_CLOEXEC), 10);
		dup2(open("/", O_RDONLY), 11);
		fcntl(10, F_SETFD, FD_CLOEXEC);
		snprintf(pid, sizeof pid, "%d", getpid());
		pthread_create(&t, NULL, sleeper, NULL);
		if (from_thread) {
			pthread_create(&t, NULL, exec_from_thread, argv);
			pthread_join(t, NULL);
		} else {
			execv(self, argv);
		}
		_exit(126);
	}
	waitpid(child, &st, 0);
	printf("exec from %s: exit %d\n", from_thread ? "a second thread" : "the main thread",
	       WEXITSTATUS(st));
}

static void spawn(void)
{
	char *argv[] = { "x", "exit", "4", NULL };
	pid_t pid;
	int st;

	check_spawn(posix_spawn(&pid, self, NULL, NULL, argv, environ));
	waitpid(pid, &st, 0);
	printf("posix_spawn child: exit %d\n", WEXITSTATUS(st));
}

static void vfork_exec(void)
{
	char *argv[] = { "x", "exit", "6", NULL };
	int st;
	pid_t pid = vfork();

	if (!pid) {
		execv(self, argv);
		_exit(127);
	}
	printf("vfork parent goes on after the exec\n");
	waitpid(pid, &st, 0);
	printf("vfork+exec child: exit %d\n", WEXITSTATUS(st));
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	self[n > 0 ? n : 0] = 0;
	const char *work = getenv("WORK");
	if (argc > 1 && (!strncmp(argv[1], "show-args", 9) ||
			 (strlen(argv[1]) > 3 && !strcmp(argv[1] + strlen(argv[1]) - 3, "/s3")))) {
		print_argv(argc, argv, work ? work : "");
		for (char **e = environ; *e; e++)
			if (strncmp(*e, "WORK=", 5))
				printf("env [%s]\n", *e);
		return 0;
	}
	if (argc == 1 && argv[0][0] == 0)
		return printf("argv[0] is \"\"\n"), 3;
	if (argc > 2 && !strcmp(argv[1], "show-state"))
		return show_state(argv);
	if (argc > 2 && !strcmp(argv[1], "exit"))
		return atoi(argv[2]);
	if (argc < 2) {
		printf("usage: proc_exec DIR\n");
		return 2;
	}
	snprintf(dir, sizeof dir, "%s", argv[1]);
	errors();
	too_big();
	scripts();
	state(0);
	state(1);
	vfork_exec();
	spawn();
	printf("proc_exec ok\n");
	return 0;
}
