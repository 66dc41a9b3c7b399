/* settid_readonly: fork's CLONE_CHILD_SETTID stores the child's pid as the
 * child would, so never through a read-only mapping: not into a file the
 * caller may only read (mapped MAP_SHARED PROT_READ), not into read-only
 * shared memory; but still into writable shared and private memory.  The
 * clone itself succeeds every time (Linux ignores the failed store).
 * Runs as root (to create the file) and then drops to uid 1000. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PATTERN "AAAAAAAAAAAAAAAA"

/* fork with the child's tid stored at ctid; the child exits 0 if it sees
 * its own pid there when check_in_child, else 0 at once.  The child's pid,
 * or -1 (then errno). */
static long fork_settid(int *ctid, int check_in_child)
{
	long pid = syscall(SYS_clone, SIGCHLD | CLONE_CHILD_SETTID, 0, NULL, ctid, 0);
	if (pid == 0)
		_exit(check_in_child && *ctid != getpid());
	if (pid > 0) {
		int status;
		waitpid((pid_t)pid, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			printf("  child saw no tid of its own\n");
	}
	return pid;
}

static void *map(int prot, int flags, int fd)
{
	void *m = mmap(NULL, 4096, prot, flags, fd, 0);
	if (m == MAP_FAILED) {
		perror("mmap");
		_exit(1);
	}
	return m;
}

static int make_root_file(const char *path)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (fd < 0 || write(fd, PATTERN, 16) != 16) {
		perror("create");
		return -1;
	}
	return close(fd);
}

static void readonly_file(const char *path)
{
	printf("open O_RDWR as uid %d: %s\n", getuid(), open(path, O_RDWR) < 0 ? strerror(errno) : "allowed");
	int fd = open(path, O_RDONLY);
	char *m = map(PROT_READ, MAP_SHARED, fd);
	long pid = fork_settid((int *)m, 0);
	char buf[17] = { 0 };
	pread(fd, buf, 16, 0);
	printf("read-only file: clone %s; file %s; mapping %s\n", pid > 0 ? "ok" : strerror(errno),
	       strcmp(buf, PATTERN) ? "MODIFIED" : "unchanged", memcmp(m, PATTERN, 16) ? "MODIFIED" : "unchanged");
	close(fd);
}

static void readonly_shared_memory(void)
{
	int *m = map(PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1);
	long pid = fork_settid(m, 0);
	printf("read-only shared memory: clone %s; word %s\n", pid > 0 ? "ok" : strerror(errno),
	       *m ? "MODIFIED" : "still 0");
}

static void writable_memory(void)
{
	int *shared = map(PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1);
	long pid = fork_settid(shared, 1);
	printf("writable shared memory: word %s\n", pid > 0 && *shared == pid ? "is the child's pid" : "NOT SET");
	int *private = map(PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	pid = fork_settid(private, 1);
	printf("private memory: clone %s; parent's word %s\n", pid > 0 ? "ok" : strerror(errno),
	       *private ? "CHANGED" : "still 0");
}

int main(void)
{
	const char *path = "/tmp/settid_root_file";

	setvbuf(stdout, NULL, _IONBF, 0);
	if (make_root_file(path))
		return 1;
	if (setgid(1000) || setuid(1000)) {
		perror("setuid");
		return 1;
	}
	readonly_file(path);
	readonly_shared_memory();
	writable_memory();
	return 0;
}
