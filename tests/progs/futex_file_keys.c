/* futex_file_keys: where a process-shared futex in a file's memory is
 * keyed, seen from two processes.  A child waits (FUTEX_WAIT without
 * FUTEX_PRIVATE, a 2 s timeout) on the first word of a file through one
 * kind of mapping; the parent wakes through another until the child is
 * woken or gone.  Linux keys a MAP_SHARED mapping's word, and a read-only
 * MAP_PRIVATE mapping's while the page is the file's own, by the file's
 * page, so those meet; a writable private mapping's word is its address
 * space's.  One line per pair: "woken" or "timed out". */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE		4096
#define FUTEX_WAIT	0
#define FUTEX_WAKE	1

static _Noreturn void child_wait(volatile int *word, int ready)
{
	struct timespec ts = { 2, 0 };

	(void)*word;	/* the page in, as the program would have it */
	if (write(ready, "r", 1) != 1)
		_exit(3);
	long r = syscall(SYS_futex, word, FUTEX_WAIT, 0, &ts, NULL, 0);
	_exit(r == 0 ? 0 : errno == ETIMEDOUT ? 1 : 2);
}

static void pair(const char *name, int fd, int child_flags, int child_prot, int parent_flags)
{
	int *c = mmap(NULL, PAGE, child_prot, child_flags, fd, 0);
	int *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, parent_flags, fd, 0);
	int ready[2], status;
	char b;

	if (c == MAP_FAILED || p == MAP_FAILED || pipe(ready)) {
		perror("set-up");
		exit(1);
	}
	pid_t pid = fork();
	if (!pid)
		child_wait(c, ready[1]);
	if (read(ready[0], &b, 1) != 1)
		exit(1);
	/* Until the child is woken or has timed out and gone. */
	while (syscall(SYS_futex, p, FUTEX_WAKE, 1, NULL, NULL, 0) < 1 &&
	       waitpid(pid, &status, WNOHANG) == 0)
		usleep(10000);
	waitpid(pid, &status, 0);
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 9;
	printf("%s: %s\n", name, code == 0 ? "woken" : code == 1 ? "timed out" : "error");
	munmap(c, PAGE);
	munmap(p, PAGE);
	close(ready[0]);
	close(ready[1]);
}

int main(void)
{
	char path[] = "/tmp/futex_file_keysXXXXXX";
	int fd = mkstemp(path);

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (fd < 0 || unlink(path) || ftruncate(fd, PAGE)) {
		perror("file");
		return 1;
	}
	pair("shared, shared", fd, MAP_SHARED, PROT_READ | PROT_WRITE, MAP_SHARED);
	pair("shared read-only, shared", fd, MAP_SHARED, PROT_READ, MAP_SHARED);
	pair("private read-only, shared", fd, MAP_PRIVATE, PROT_READ, MAP_SHARED);
	pair("private read-only, private", fd, MAP_PRIVATE, PROT_READ, MAP_PRIVATE);
	pair("private writable, shared", fd, MAP_PRIVATE, PROT_READ | PROT_WRITE, MAP_SHARED);
	pair("shared, private writable", fd, MAP_SHARED, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	return 0;
}
