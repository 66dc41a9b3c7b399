/* Resource limits as Linux enforces them, one case per run:
 *   fsize   RLIMIT_FSIZE: writes cut at the limit, then EFBIG and SIGXFSZ
 *           (write, pwrite, writev, O_APPEND, truncate, fallocate,
 *           sendfile, copy_file_range; pipes are not files)
 *   xfsz    SIGXFSZ's default action ends the writer
 *   cpu     RLIMIT_CPU: SIGXCPU at the soft limit, which Linux raises by a
 *           second each time, then SIGKILL at the hard one
 *   xcpu    SIGXCPU's default action ends the program
 *   cputhreads  the same limits over two busy threads: their time adds up
 *   nproc   RLIMIT_NPROC: fork and thread creation past it are EAGAIN
 *           for an ordinary user, not for root
 *   nprocrace  eight processes fork at once until refused: the user
 *           ends with as many tasks as the limit, not one more
 *   appendrace [DIR]  four threads append to one file in DIR (/tmp)
 *           at once until EFBIG, round after round: the file never ends
 *           past RLIMIT_FSIZE
 *   appendracedirect DIR  the same with O_DIRECT, in whole 4 KiB blocks
 *           from an aligned buffer, under a limit of 24 blocks
 * Each line was taken from the same program, built with musl, on Linux
 * 6.18 as root. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/uio.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "call_result.h"

static volatile int xfsz_seen;

static void on_xfsz(int sig)
{
	(void)sig;
	xfsz_seen++;
}

static int limit_to(int res, rlim_t soft, rlim_t hard)
{
	struct rlimit r = { soft, hard };

	return setrlimit(res, &r);
}

/* A call's result and how many SIGXFSZ it brought. */
static void show(const char *what, long r)
{
	const char *s = res(r);
	printf("%s: %s, SIGXFSZ %d\n", what, s, xfsz_seen);
	xfsz_seen = 0;
}

static long file_size(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? -1 : (long)st.st_size;
}

static void fsize_case(void)
{
	static char buf[6000];
	char path[] = "/tmp/rlimit_fsizeXXXXXX";
	int fd = mkstemp(path), pfd[2];

	signal(SIGXFSZ, on_xfsz);
	limit_to(RLIMIT_FSIZE, 10000, RLIM_INFINITY);
	show("write 6000", write(fd, buf, 6000));
	show("write 6000 more, cut", write(fd, buf, 6000));
	show("write at the limit", write(fd, buf, 1));
	show("pwrite past it", pwrite(fd, buf, 10, 20000));
	show("pwrite just under", pwrite(fd, buf, 10, 9995));
	struct iovec v[2] = { { buf, 5 }, { buf, 5 } };
	show("pwritev at 9998", pwritev(fd, v, 2, 9998));
	show("ftruncate 20000", ftruncate(fd, 20000));
	show("ftruncate 10000", ftruncate(fd, 10000));
	show("ftruncate 100", ftruncate(fd, 100));
	show("truncate 10001", truncate(path, 10001));
	show("fallocate to 20000", fallocate(fd, 0, 0, 20000));
	show("fallocate KEEP_SIZE to 20000", fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 20000));
	printf("size %ld\n", file_size(fd));
	int afd = open(path, O_WRONLY | O_APPEND);
	ftruncate(fd, 9990);
	show("append 20 at 9990", write(afd, buf, 20));
	show("append 1 more", write(afd, buf, 1));
	ftruncate(fd, 0);
	lseek(fd, 0, SEEK_SET);
	int src = open("/proc/self/exe", O_RDONLY);
	off_t at = 0;
	show("sendfile 20000", sendfile(fd, src, &at, 20000));
	show("sendfile 1 more", sendfile(fd, src, &at, 1));
	ftruncate(fd, 0);
	loff_t from = 0, to = 9000;
	show("copy_file_range 20000 at 9000", copy_file_range(src, &from, fd, &to, 20000, 0));
	printf("size %ld\n", file_size(fd));
	pipe(pfd);
	show("pipe 6000 twice", write(pfd[1], buf, 6000) + write(pfd[1], buf, 6000));
	/* Under a limit of 0 even stdout, if a file, takes nothing: print after. */
	limit_to(RLIMIT_FSIZE, 0, RLIM_INFINITY);
	long w = write(fd, buf, 1), t = ftruncate(fd, 0);
	int seen = xfsz_seen;
	xfsz_seen = 0;
	limit_to(RLIMIT_FSIZE, RLIM_INFINITY, RLIM_INFINITY);
	show("limit 0, write", w);
	printf("limit 0, ftruncate 0: %s; SIGXFSZ %d in all\n", res(t), seen);
	unlink(path);
}

static void report_end(pid_t pid)
{
	int status;

	waitpid(pid, &status, 0);
	if (WIFSIGNALED(status))
		printf("child killed by signal %d\n", WTERMSIG(status));
	else
		printf("child exit %d\n", WEXITSTATUS(status));
}

static void xfsz_case(void)
{
	pid_t pid = fork();

	if (!pid) {
		int fd = open("/tmp/rlimit_xfsz", O_WRONLY | O_CREAT | O_TRUNC, 0600);
		limit_to(RLIMIT_FSIZE, 100, RLIM_INFINITY);
		write(fd, "x", 1);
		pwrite(fd, "x", 1, 100);
		_exit(7);
	}
	report_end(pid);
	unlink("/tmp/rlimit_xfsz");
}

static void on_xcpu(int sig)
{
	struct rlimit r;
	char line[64];

	(void)sig;
	getrlimit(RLIMIT_CPU, &r);
	int n = snprintf(line, sizeof line, "SIGXCPU, soft limit now %ld\n", (long)r.rlim_cur);
	write(1, line, n);
}

static void spin(void)
{
	for (volatile unsigned long i = 0;; i++)
		;
}

static void cpu_case(void)
{
	fflush(stdout);
	pid_t pid = fork();

	if (!pid) {
		signal(SIGXCPU, on_xcpu);
		limit_to(RLIMIT_CPU, 1, 2);
		spin();
	}
	report_end(pid);
}

static void *spin_thread(void *arg)
{
	spin();
	return arg;
}

static void cputhreads_case(void)
{
	fflush(stdout);
	pid_t pid = fork();

	if (!pid) {
		pthread_t th;
		signal(SIGXCPU, on_xcpu);
		limit_to(RLIMIT_CPU, 1, 2);
		pthread_create(&th, NULL, spin_thread, NULL);
		spin();
	}
	report_end(pid);
}

static void xcpu_case(void)
{
	fflush(stdout);
	pid_t pid = fork();

	if (!pid) {
		limit_to(RLIMIT_CPU, 0, RLIM_INFINITY);	/* 0 acts as 1 second */
		spin();
	}
	report_end(pid);
}

static void *idle_thread(void *arg)
{
	pause();
	return arg;
}

/* As user 65534 with n processes allowed: how many forks and threads go
 * through before one is refused. */
static void nproc_as(uid_t uid, int n)
{
	fflush(stdout);
	pid_t pid = fork();

	if (!pid) {
		pid_t kids[8];
		int forks = 0;
		long r = 0;
		pthread_t th;
		limit_to(RLIMIT_NPROC, n, n);
		if (uid && setuid(uid))
			_exit(1);
		while (forks < 8 && (r = kids[forks] = fork()) > 0)
			forks++;
		if (!r)
			pause(), _exit(0);
		const char *how = r < 0 ? res(r) : "none refused";
		int e = forks ? pthread_create(&th, NULL, idle_thread, NULL) : -1;
		printf("uid %d, limit %d: %d forks, then %s; a thread then: %s\n", (int)uid, n, forks,
		       how, e == 0 ? "made" : e == EAGAIN ? "EAGAIN" : "other");
		for (int i = 0; i < forks; i++)
			kill(kids[i], SIGKILL), waitpid(kids[i], NULL, 0);
		int again = fork();
		if (!again)
			_exit(0);
		printf("after they end, fork: %s\n", again > 0 ? "made" : res(again));
		if (again > 0)
			waitpid(again, NULL, 0);
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
}

/* ---- nprocrace ---- */

#define RACERS		8
#define RACE_LIMIT	40

/* A racer process: at the start (the pipe's end), forks until refused;
 * its children wait to be killed.  Then it writes its count and waits
 * too, still counted. */
static void racer(int start, int *forks, int done)
{
	char c;
	pid_t r;

	if (read(start, &c, 1) != 0)
		_exit(1);
	while ((r = fork()) > 0)
		++*forks;
	if (!r)
		pause(), _exit(0);
	if (write(done, "x", 1) != 1)
		_exit(1);
	pause();
	_exit(0);
}

static void nprocrace_case(void)
{
	fflush(stdout);
	pid_t pid = fork();

	if (!pid) {
		int *forks = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		int start[2], done[2], tasks = 1 + RACERS;
		char c;
		setpgid(0, 0);		/* its own group, for the kill at the end */
		limit_to(RLIMIT_NPROC, RACE_LIMIT, RACE_LIMIT);
		if (forks == MAP_FAILED || pipe(start) || pipe(done) || setuid(65534))
			_exit(1);
		for (int i = 0; i < RACERS; i++)
			if (!fork())
				close(start[1]), racer(start[0], &forks[i], done[1]);
		close(start[1]);	/* they start together */
		for (int i = 0; i < RACERS; i++)
			if (read(done[0], &c, 1) != 1)
				_exit(1);
		for (int i = 0; i < RACERS; i++)
			tasks += forks[i];
		printf("limit %d: %d tasks\n", RACE_LIMIT, tasks);
		kill(0, SIGKILL);	/* the racers and their children with it */
	}
	waitpid(pid, NULL, 0);
}

/* ---- appendrace ---- */

#define APPENDERS	4
#define APPEND_ROUNDS	50
#define APPEND_LIMIT	100000
#define APPEND_LEN	1000

#define DIRECT_BLOCK	4096

static pthread_barrier_t append_start;
static int append_efbig;
static const char *append_dir = "/tmp";
static int append_flags;	/* O_DIRECT or 0 */
static long append_limit = APPEND_LIMIT;
static size_t append_len = APPEND_LEN;

/* An appender: its own O_APPEND descriptor, writes until refused; a
 * refusal by EFBIG is counted. */
static void *appender(void *path)
{
	static char buf[DIRECT_BLOCK] __attribute__((aligned(DIRECT_BLOCK)));
	int fd = open(path, O_WRONLY | O_APPEND | append_flags);

	pthread_barrier_wait(&append_start);
	while (fd >= 0 && write(fd, buf, append_len) > 0)
		;
	if (errno == EFBIG)
		__atomic_add_fetch(&append_efbig, 1, __ATOMIC_RELAXED);
	close(fd);
	return NULL;
}

/* Each round a new file and the appenders let go together; the largest
 * file any round left. */
static void appendrace_case(void)
{
	char path[256];
	long largest = 0;

	signal(SIGXFSZ, SIG_IGN);
	limit_to(RLIMIT_FSIZE, append_limit, RLIM_INFINITY);
	for (int round = 0; round < APPEND_ROUNDS; round++) {
		pthread_t t[APPENDERS];
		snprintf(path, sizeof path, "%s/rlimit_appendXXXXXX", append_dir);
		int fd = mkstemp(path);
		pthread_barrier_init(&append_start, NULL, APPENDERS);
		for (int i = 0; i < APPENDERS; i++)
			pthread_create(&t[i], NULL, appender, path);
		for (int i = 0; i < APPENDERS; i++)
			pthread_join(t[i], NULL);
		pthread_barrier_destroy(&append_start);
		long size = file_size(fd);
		largest = size > largest ? size : largest;
		close(fd);
		unlink(path);
	}
	printf("limit %ld, %d rounds of %d appenders: largest file %ld, %s; %d ended by EFBIG\n",
	       append_limit, APPEND_ROUNDS, APPENDERS, largest,
	       largest <= append_limit ? "within" : "past it", append_efbig);
}

/* O_DIRECT moves whole blocks: the limit is a whole number of them, so
 * every write fits or is refused, on Linux as here. */
static void appendracedirect_case(void)
{
	append_flags = O_DIRECT;
	append_limit = 24 * DIRECT_BLOCK;
	append_len = DIRECT_BLOCK;
	appendrace_case();
}

static void nproc_case(void)
{
	nproc_as(65534, 3);
	nproc_as(0, 1);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*run)(void);
	} cases[] = {
		{ "fsize", fsize_case }, { "xfsz", xfsz_case }, { "cpu", cpu_case },
		{ "xcpu", xcpu_case }, { "cputhreads", cputhreads_case }, { "nproc", nproc_case },
		{ "nprocrace", nprocrace_case }, { "appendrace", appendrace_case },
		{ "appendracedirect", appendracedirect_case },
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 2)
		append_dir = argv[2];
	for (unsigned i = 0; argc > 1 && i < sizeof cases / sizeof cases[0]; i++)
		if (!strcmp(argv[1], cases[i].name)) {
			cases[i].run();
			return 0;
		}
	fprintf(stderr, "usage: rlimit_calls fsize|xfsz|cpu|xcpu|cputhreads|nproc|nprocrace|appendrace [DIR]\n");
	return 2;
}
