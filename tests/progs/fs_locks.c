/* Advisory locks inside one process: POSIX record locks (owned by the
 * process, so they never conflict with each other), open file description
 * locks (owned by an open file, conflicting with other open files and with
 * POSIX locks), and flock(2).  Usage: fs_locks BASE.  One line per step. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fs_check.h"

static int lock(int fd, int cmd, short type, short whence, off_t start, off_t len)
{
	struct flock l = { .l_type = type, .l_whence = whence, .l_start = start, .l_len = len };

	return fcntl(fd, cmd, &l);
}

/* F_GETLK / F_OFD_GETLK: what is in the way, or "none". */
static void test(const char *what, int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock l = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };

	if (fcntl(fd, cmd, &l) < 0) {
		printf("%s: %s\n", what, errname(errno));
		return;
	}
	if (l.l_type == F_UNLCK) {
		printf("%s: none\n", what);
		return;
	}
	printf("%s: %s %ld+%ld by %s\n", what, l.l_type == F_WRLCK ? "write" : "read", (long)l.l_start,
	       (long)l.l_len, l.l_pid == getpid() ? "this process" : l.l_pid == -1 ? "an open file" : "?");
}

static void on_alarm(int sig) { (void)sig; }

static void sleep_ms(int ms)
{
	struct timespec ts = { 0, ms * 1000000l };

	nanosleep(&ts, NULL);
}

struct release {
	int fd;
	int how;	/* 0: OFD unlock, 1: flock unlock */
};

static void *release_later(void *arg)
{
	struct release *r = arg;

	sleep_ms(200);
	if (r->how == 0)
		lock(r->fd, F_OFD_SETLK, F_UNLCK, SEEK_SET, 0, 0);
	else
		flock(r->fd, LOCK_UN);
	return NULL;
}

static void record_locks(void)
{
	int a = MUST(open("lk", O_RDWR | O_CREAT, 0644)), b = MUST(open("lk", O_RDWR));
	int ro = MUST(open("lk", O_RDONLY)), wo = MUST(open("lk", O_WRONLY));

	MUST(ftruncate(a, 1000));
	T("POSIX write lock", lock(a, F_SETLK, F_WRLCK, SEEK_SET, 0, 100));
	test("POSIX test from this process", b, F_GETLK, F_WRLCK, 0, 10);
	T("POSIX lock over it from another descriptor", lock(b, F_SETLK, F_WRLCK, SEEK_SET, 50, 100));
	T("OFD lock over a POSIX one", lock(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10));
	test("OFD test over a POSIX one", b, F_OFD_GETLK, F_WRLCK, 0, 10);
	T("POSIX unlock", lock(a, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
	test("after unlock", b, F_OFD_GETLK, F_WRLCK, 0, 1000);
	T("OFD write lock", lock(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 11));
	T("OFD lock from another open file", lock(a, F_OFD_SETLK, F_RDLCK, SEEK_SET, 5, 15));
	test("OFD test from another open file", a, F_OFD_GETLK, F_RDLCK, 5, 15);
	test("OFD test from the same open file", b, F_OFD_GETLK, F_WRLCK, 0, 11);
	test("POSIX test over an OFD lock", a, F_GETLK, F_RDLCK, 0, 5);
	T("POSIX lock over an OFD lock", lock(a, F_SETLK, F_RDLCK, SEEK_SET, 0, 5));
	T("OFD read lock", lock(a, F_OFD_SETLK, F_RDLCK, SEEK_SET, 50, 10));
	T("OFD read lock shared", lock(b, F_OFD_SETLK, F_RDLCK, SEEK_SET, 55, 10));
	T("OFD write lock over shared reads", lock(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 50, 1));
	T("OFD range", lock(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 100, 100));
	T("OFD unlock the middle", lock(b, F_OFD_SETLK, F_UNLCK, SEEK_SET, 120, 10));
	test("in the hole", a, F_OFD_GETLK, F_WRLCK, 125, 1);
	test("after the hole", a, F_OFD_GETLK, F_WRLCK, 130, 1);
	test("before the hole", a, F_OFD_GETLK, F_WRLCK, 119, 1);
	T("OFD lock to the end", lock(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 500, 0));
	test("far beyond the end", a, F_OFD_GETLK, F_RDLCK, 1 << 30, 1);
	MUST(lseek(b, 300, SEEK_SET));
	T("SEEK_CUR with a negative length", lock(b, F_OFD_SETLK, F_WRLCK, SEEK_CUR, 0, -10));
	test("below the offset", a, F_OFD_GETLK, F_WRLCK, 290, 10);
	T("SEEK_END", lock(b, F_OFD_SETLK, F_UNLCK, SEEK_END, -500, 0));
	test("after SEEK_END unlock", a, F_OFD_GETLK, F_WRLCK, 500, 1);
	T("start before 0", lock(a, F_SETLK, F_WRLCK, SEEK_SET, -1, 1));
	T("negative length before 0", lock(a, F_SETLK, F_WRLCK, SEEK_SET, 5, -10));
	T("bad type", lock(a, F_SETLK, 7, SEEK_SET, 0, 1));
	T("bad whence", lock(a, F_SETLK, F_WRLCK, 9, 0, 1));
	T("read lock on O_WRONLY", lock(wo, F_SETLK, F_RDLCK, SEEK_SET, 0, 1));
	T("write lock on O_RDONLY", lock(ro, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
	T("F_GETLK with F_UNLCK", lock(a, F_GETLK, F_UNLCK, SEEK_SET, 0, 1));
	struct flock l = { .l_type = F_WRLCK, .l_pid = 1 };
	T("OFD with l_pid set", fcntl(a, F_OFD_SETLK, &l));
	T("bad fd", lock(99, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));

	/* F_OFD_SETLKW waits until another thread unlocks. */
	T("OFD unlock everything", lock(a, F_OFD_SETLK, F_UNLCK, SEEK_SET, 0, 0));
	MUST(lock(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 0));
	struct release r = { b, 0 };
	pthread_t t;
	pthread_create(&t, NULL, release_later, &r);
	T("F_OFD_SETLKW waits", lock(a, F_OFD_SETLKW, F_WRLCK, SEEK_SET, 0, 0));
	pthread_join(t, NULL);
	test("now the other holds it", b, F_OFD_GETLK, F_WRLCK, 0, 1);
	T("closing drops OFD locks", (close(a), lock(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 0)));
	/* A signal ends a wait for a lock (no SA_RESTART): EINTR. */
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	int c = MUST(open("lk", O_RDWR));
	alarm(1);
	T("F_OFD_SETLKW interrupted by a signal", lock(c, F_OFD_SETLKW, F_WRLCK, SEEK_SET, 0, 0));
	T("F_SETLKW interrupted by a signal", (alarm(1), lock(c, F_SETLKW, F_WRLCK, SEEK_SET, 0, 0)));
	close(c);
	close(b);
	close(ro);
	close(wo);
}

static void flocks(void)
{
	int a = MUST(open("fl", O_RDWR | O_CREAT, 0644)), b = MUST(open("fl", O_RDONLY));

	T("flock exclusive", flock(a, LOCK_EX));
	T("flock exclusive again, same file", flock(a, LOCK_EX | LOCK_NB));
	T("flock exclusive from another open file", flock(b, LOCK_EX | LOCK_NB));
	T("flock shared from another open file", flock(b, LOCK_SH | LOCK_NB));
	T("flock convert to shared", flock(a, LOCK_SH));
	T("flock shared from another open file", flock(b, LOCK_SH | LOCK_NB));
	T("flock exclusive while shared", flock(b, LOCK_EX | LOCK_NB));
	T("flock unlock", flock(a, LOCK_UN));
	T("flock upgrade when alone", flock(b, LOCK_EX | LOCK_NB));
	int d = MUST(dup(b));
	T("flock through a dup", flock(d, LOCK_EX | LOCK_NB));
	close(b);
	T("lock kept while a dup is open", flock(a, LOCK_EX | LOCK_NB));
	T("fcntl locks do not see flock", lock(a, F_SETLK, F_WRLCK, SEEK_SET, 0, 0));
	T("OFD lock over this process's POSIX lock", lock(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 0));
	struct release r = { d, 1 };
	pthread_t t;
	pthread_create(&t, NULL, release_later, &r);
	T("flock waits", flock(a, LOCK_EX));
	pthread_join(t, NULL);
	T("the dup sees it held", flock(d, LOCK_SH | LOCK_NB));
	close(a);
	T("closing drops flock locks", flock(d, LOCK_EX | LOCK_NB));
	T("flock bad operation", flock(d, 0));
	T("flock bad fd", flock(99, LOCK_EX));
	close(d);
}

int main(int argc, char **argv)
{
	char dir[4096];

	if (argc != 2) {
		fprintf(stderr, "usage: fs_locks BASE\n");
		return 2;
	}
	snprintf(dir, sizeof dir, "%s/fs_locks", argv[1]);
	MUST(mkdir(dir, 0755));
	MUST(chdir(dir));
	setvbuf(stdout, NULL, _IONBF, 0);
	record_locks();
	flocks();
	puts("fs_locks done");
	return 0;
}
