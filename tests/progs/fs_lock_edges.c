/* Locks at their edges, as Linux answers them: F_SETLKW between two
 * processes each holding what the other wants is refused (EDEADLK) for
 * one of them instead of leaving both asleep forever; flock(2) converts
 * a lock by dropping it first, so two holders of LOCK_SH that both ask
 * for LOCK_EX both get it in turn, and a conversion refused with LOCK_NB
 * has lost the old lock; record lock ranges past the largest offset are
 * EOVERFLOW and ranges reaching below 0 EINVAL, whatever the arithmetic
 * would wrap to.  Usage: fs_lock_edges DIR.  Each wait that would never
 * end on a kernel without these rules ends with an alarm (5 s) instead,
 * and the transcript shows it. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs_check.h"

static char path[4096];

static int lock_byte(int fd, short type, off_t at, int cmd)
{
	struct flock l = { .l_type = type, .l_whence = SEEK_SET, .l_start = at, .l_len = 1 };

	return fcntl(fd, cmd, &l);
}

static void wait_child(const char *what, pid_t pid)
{
	int st;

	MUST(waitpid(pid, &st, 0));
	if (WIFEXITED(st))
		printf("%s: exit %d\n", what, WEXITSTATUS(st));
	else
		printf("%s: signal %d\n", what, WTERMSIG(st));
}

/* The parent holds byte 0 and wants byte 1; the child the other way
 * round.  Whichever asks second would close the cycle: EDEADLK, and it
 * lets go of its byte so the other gets it. */
static void deadlock(int fd)
{
	int ready[2];
	char c;

	MUST(pipe(ready));
	MUST(lock_byte(fd, F_WRLCK, 0, F_SETLK));
	pid_t pid = MUST(fork());
	if (pid == 0) {
		alarm(5);
		MUST(lock_byte(fd, F_WRLCK, 1, F_SETLK));
		MUST(write(ready[1], "r", 1));
		int r = lock_byte(fd, F_WRLCK, 0, F_SETLKW);
		_exit(r == 0 ? 0 : errno == EDEADLK ? 1 : 2);
	}
	MUST(read(ready[0], &c, 1));
	int r = lock_byte(fd, F_WRLCK, 1, F_SETLKW);
	int refused = r < 0 && errno == EDEADLK;
	if (refused)
		MUST(lock_byte(fd, F_UNLCK, 0, F_SETLK));	/* the child's turn */
	int st;
	MUST(waitpid(pid, &st, 0));
	int child_refused = WIFEXITED(st) && WEXITSTATUS(st) == 1;
	printf("deadlock: %d of 2 refused with EDEADLK, the other %s\n", refused + child_refused,
	       (refused ? WIFEXITED(st) && WEXITSTATUS(st) == 0 : r == 0) ? "got its lock"
	       : "did not");
	MUST(lock_byte(fd, F_UNLCK, 0, F_SETLK));
	MUST(lock_byte(fd, F_UNLCK, 1, F_SETLK));
	close(ready[0]);
	close(ready[1]);
}

/* Two open files of one file hold LOCK_SH; both ask for LOCK_EX. */
static void flock_convert(const char *name)
{
	int ready[2], fd = MUST(open(name, O_RDWR));
	char c;

	MUST(pipe(ready));
	MUST(flock(fd, LOCK_SH));
	pid_t pid = MUST(fork());
	if (pid == 0) {
		alarm(5);
		int mine = MUST(open(name, O_RDWR));
		MUST(flock(mine, LOCK_SH));
		MUST(write(ready[1], "r", 1));
		MUST(flock(mine, LOCK_EX));
		_exit(0);
	}
	MUST(read(ready[0], &c, 1));
	T("flock: LOCK_SH to LOCK_EX beside another holder converting", flock(fd, LOCK_EX));
	MUST(flock(fd, LOCK_UN));	/* the other's turn, if it is still waiting */
	wait_child("flock: the other holder", pid);
	close(fd);
	close(ready[0]);
	close(ready[1]);

	int a = MUST(open(name, O_RDWR)), b = MUST(open(name, O_RDWR));
	MUST(flock(a, LOCK_SH));
	MUST(flock(b, LOCK_SH));
	T("flock: LOCK_EX|LOCK_NB beside another LOCK_SH", flock(a, LOCK_EX | LOCK_NB));
	T("flock: the other's LOCK_EX|LOCK_NB (the first lock is gone)", flock(b, LOCK_EX | LOCK_NB));
	T("flock: LOCK_SH again on the first", flock(a, LOCK_SH | LOCK_NB));
	close(a);
	close(b);
}

static void range(int fd, const char *what, short whence, off_t start, off_t len)
{
	struct flock l = { .l_type = F_WRLCK, .l_whence = whence, .l_start = start, .l_len = len };

	T(what, fcntl(fd, F_SETLK, &l));
}

static void ranges(int fd)
{
	range(fd, "range: start -1", SEEK_SET, -1, 1);
	range(fd, "range: 0, len -1", SEEK_SET, 0, -1);
	range(fd, "range: 3, len -5", SEEK_SET, 3, -5);
	range(fd, "range: 3, len -3", SEEK_SET, 3, -3);
	range(fd, "range: max, len 1", SEEK_SET, INT64_MAX, 1);
	range(fd, "range: max, len 2", SEEK_SET, INT64_MAX, 2);
	range(fd, "range: 1, len max", SEEK_SET, 1, INT64_MAX);
	range(fd, "range: 2, len max", SEEK_SET, 2, INT64_MAX);
	range(fd, "range: -1, len min", SEEK_SET, -1, INT64_MIN);
	range(fd, "range: max - 1, len min", SEEK_SET, INT64_MAX - 1, INT64_MIN);
	range(fd, "range: min, len min", SEEK_SET, INT64_MIN, INT64_MIN);
	MUST(lseek(fd, 100, SEEK_SET));
	range(fd, "range: cur + max", SEEK_CUR, INT64_MAX, 1);
	range(fd, "range: cur - 101", SEEK_CUR, -101, 1);
	range(fd, "range: cur + min", SEEK_CUR, INT64_MIN, 1);
	range(fd, "range: end - 1", SEEK_END, -1, 1);
	/* A range that wrapped once went in as a lock F_GETLK then showed. */
	struct flock l = { .l_type = F_UNLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	MUST(fcntl(fd, F_SETLK, &l));
	range(fd, "range: -1, len min once more", SEEK_SET, -1, INT64_MIN);
	pid_t pid = MUST(fork());
	if (pid == 0) {
		struct flock g = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
		MUST(fcntl(fd, F_GETLK, &g));
		printf("range: another process sees %s\n", g.l_type == F_UNLCK ? "no lock" : "a lock");
		fflush(stdout);
		_exit(0);
	}
	MUST(waitpid(pid, NULL, 0));
}

int main(int argc, char **argv)
{
	snprintf(path, sizeof path, "%s/fs_lock_edges", argc > 1 ? argv[1] : "/tmp");
	setvbuf(stdout, NULL, _IONBF, 0);
	int fd = MUST(open(path, O_CREAT | O_RDWR | O_TRUNC, 0644));
	deadlock(fd);
	flock_convert(path);
	ranges(fd);
	close(fd);
	MUST(unlink(path));
	printf("fs_lock_edges done\n");
	return 0;
}
