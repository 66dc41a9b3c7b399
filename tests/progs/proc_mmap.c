/* File mappings: MAP_PRIVATE (copy on write: stores stay in the process),
 * MAP_SHARED (stores reach the file, read() and other mappings at once,
 * and other processes after fork), the last partial page and SIGBUS past
 * the end, mprotect and munmap of parts, MADV_DONTNEED, msync, the errors
 * of mmap (EBADF, EACCES, ENODEV) and mprotect (EACCES), and /proc/self/maps
 * naming the file.  One line per check; Linux's transcript is in
 * tests/vm/proc_expected.py.  DIR is a writable directory. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096
#define FUTEX_WAIT 0	/* shared: without FUTEX_PRIVATE_FLAG */
#define FUTEX_WAKE 1
#define SIZE (3 * PG + 100)

static char path[1024];

static void check(int ok, const char *what)
{
	printf("%s: %s\n", what, ok ? "ok" : "FAIL");
	if (!ok)
		exit(1);
}

/* What touching p (read, or write if w) in a child ends with. */
static const char *touch(volatile char *p, int w)
{
	static char buf[32];
	int st;
	pid_t pid = fork();

	if (!pid) {
		if (w)
			*p = 1;
		else
			(void)*p;
		_exit(0);
	}
	waitpid(pid, &st, 0);
	if (WIFSIGNALED(st))
		snprintf(buf, sizeof buf, "signal %d", WTERMSIG(st));
	else
		snprintf(buf, sizeof buf, "exit %d", WEXITSTATUS(st));
	return buf;
}

static int file_byte(int fd, off_t at)
{
	unsigned char c = 0;
	pread(fd, &c, 1, at);
	return c;
}

static void private_maps(int fd)
{
	char *p = mmap(0, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	char *q = mmap(0, SIZE, PROT_READ, MAP_PRIVATE, fd, 0);

	check(p != MAP_FAILED && q != MAP_FAILED, "two private mappings");
	check(p[0] == 'a' && p[PG] == 'b' && p[3 * PG + 99] == 'd', "they show the file");
	check(p[3 * PG + 100] == 0 && p[4 * PG - 1] == 0, "the last page past the end reads zeros");
	p[PG] = 'X';
	check(q[PG] == 'b' && file_byte(fd, PG) == 'b', "a private store stays private");
	pwrite(fd, "Y", 1, 2 * PG);
	check(p[2 * PG] == 'Y', "a write() shows in a page not yet stored to");
	pwrite(fd, "c", 1, 2 * PG);
	madvise(p, SIZE, MADV_DONTNEED);
	check(p[PG] == 'b', "MADV_DONTNEED: the private copy goes, the file shows again");
	pid_t pid = fork();
	if (!pid) {
		p[0] = 'C';
		_exit(p[0] == 'C' ? 0 : 1);
	}
	int st;
	waitpid(pid, &st, 0);
	check(!st && p[0] == 'a' && file_byte(fd, 0) == 'a', "a child's private store stays its own");
	munmap(p, SIZE);
	munmap(q, SIZE);
}

static void shared_maps(int fd)
{
	char *p = mmap(0, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	char *q = mmap(0, PG, PROT_READ, MAP_SHARED, fd, PG);

	check(p != MAP_FAILED && q != MAP_FAILED, "two shared mappings (one at an offset)");
	p[PG + 1] = 'S';
	check(file_byte(fd, PG + 1) == 'S' && q[1] == 'S', "a shared store reaches read() and the other");
	pwrite(fd, "W", 1, PG + 2);
	check(p[PG + 2] == 'W' && q[2] == 'W', "write() reaches both mappings");
	pid_t pid = fork();
	if (!pid) {
		p[5] = 'K';
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	check(p[5] == 'K' && file_byte(fd, 5) == 'K', "a child's shared store reaches the parent");
	check(msync(p, SIZE, MS_SYNC) == 0 && msync(p, SIZE, MS_ASYNC | MS_INVALIDATE) == 0, "msync");
	madvise(p, SIZE, MADV_DONTNEED);
	check(p[5] == 'K', "MADV_DONTNEED on a shared mapping keeps the data");
	munmap(p, SIZE);
	munmap(q, PG);
}

static void edges(int fd)
{
	char *p = mmap(0, 6 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	printf("touching the last page: %s\n", touch(p + 3 * PG + 200, 1));
	printf("touching past the end of the file: %s\n", touch(p + 4 * PG, 0));
	ftruncate(fd, 5 * PG);
	printf("after the file grows: %s\n", touch(p + 4 * PG, 1));
	check(mprotect(p + PG, PG, PROT_READ) == 0, "mprotect of one page in the middle");
	printf("writing it: %s\n", touch(p + PG, 1));
	printf("writing its neighbour: %s\n", touch(p + 2 * PG, 1));
	check(munmap(p + 2 * PG, PG) == 0, "munmap of one page in the middle");
	printf("reading the hole: %s\n", touch(p + 2 * PG, 0));
	check(p[3 * PG] == 'd', "the part after the hole is still the file at its offset");
	munmap(p, 6 * PG);
	ftruncate(fd, SIZE);
}

/* A child waits (a shared futex, not FUTEX_PRIVATE) on the word at wait_at;
 * the parent wakes the word at wake_at, the same page mapped shared,
 * until a waiter is woken: a futex on shared memory is keyed by the page,
 * not by the process or the address. */
static int futex_meets(int *wait_at, int *wake_at)
{
	struct timespec ten = { 10, 0 };
	int st;
	pid_t pid = fork();

	*wake_at = 0;
	if (!pid)
		_exit(syscall(SYS_futex, wait_at, FUTEX_WAIT, 0, &ten, 0, 0) == 0 ? 0 : 1);
	int woken = 0;
	for (int i = 0; i < 500 && !woken; i++) {
		usleep(10000);
		woken = syscall(SYS_futex, wake_at, FUTEX_WAKE, 1, 0, 0, 0);
	}
	waitpid(pid, &st, 0);
	return woken == 1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void shared_futexes(int fd)
{
	int *a = mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int *p = mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	int *q = mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	check(futex_meets(a + 1, a + 1), "a futex in shared anonymous memory wakes a child");
	check(futex_meets(q + 1, p + 1), "a futex in a shared file page wakes through another mapping");
	munmap(a, PG), munmap(p, PG), munmap(q, PG);
}

static int show_maps(const char *name)
{
	char line[512];
	int found = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	while (f && fgets(line, sizeof line, f))
		if (strstr(line, name) && strstr(line, " rw-s "))
			found = 1;
	if (f)
		fclose(f);
	return found;
}

static void errors(void)
{
	int ro = open(path, O_RDONLY), wo = open(path, O_WRONLY), pfd[2];

	pipe(pfd);
	errno = 0;
	check(mmap(0, PG, PROT_READ, MAP_PRIVATE, 999, 0) == MAP_FAILED && errno == EBADF, "bad fd: EBADF");
	check(mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) == MAP_FAILED && errno == EACCES,
	      "shared writable of a read-only fd: EACCES");
	char *p = mmap(0, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
	check(p != MAP_FAILED, "private writable of a read-only fd: fine");
	munmap(p, PG);
	check(mmap(0, PG, PROT_READ, MAP_SHARED, wo, 0) == MAP_FAILED && errno == EACCES,
	      "a write-only fd: EACCES");
	check(mmap(0, PG, PROT_READ, MAP_PRIVATE, pfd[0], 0) == MAP_FAILED && errno == ENODEV,
	      "a pipe: ENODEV");
	int d = open("/", O_RDONLY | O_DIRECTORY);
	check(mmap(0, PG, PROT_READ, MAP_PRIVATE, d, 0) == MAP_FAILED && errno == ENODEV,
	      "a directory: ENODEV");
	p = mmap(0, PG, PROT_READ, MAP_SHARED, ro, 0);
	check(p != MAP_FAILED && mprotect(p, PG, PROT_READ | PROT_WRITE) == -1 && errno == EACCES,
	      "mprotect to writable of a shared read-only fd: EACCES");
	munmap(p, PG);
	int z = open("/dev/zero", O_RDWR);
	int *zp = mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED, z, 0);
	pid_t pid = fork();
	if (!pid) {
		*zp = 77;
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	check(*zp == 77, "MAP_SHARED of /dev/zero is shared with children");
	close(z), close(d), close(ro), close(wo), close(pfd[0]), close(pfd[1]);
}

int main(int argc, char **argv)
{
	static char data[SIZE];

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc < 2)
		return printf("usage: proc_mmap DIR\n"), 2;
	snprintf(path, sizeof path, "%s/mapped", argv[1]);
	memset(data, 'a', PG);
	memset(data + PG, 'b', PG);
	memset(data + 2 * PG, 'c', PG);
	memset(data + 3 * PG, 'd', 100);
	int fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0644);
	if (fd < 0 || write(fd, data, SIZE) != SIZE)
		return printf("FAIL: cannot make %s: %m\n", path), 1;
	private_maps(fd);
	shared_maps(fd);
	char *p = mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	check(show_maps("/mapped"), "/proc/self/maps names the file, rw-s");
	munmap(p, PG);
	edges(fd);
	shared_futexes(fd);
	errors();
	printf("proc_mmap ok\n");
	return 0;
}
