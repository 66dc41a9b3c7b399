/* Faults and forks racing the truncation of a mapped file: no mapping may
 * keep a page the file let go of.
 *
 * usage: mmap_cut_race DIR ROUNDS
 *
 * The parent fills DIR/race with 0xab, truncates it to nothing and
 * extends it again (zeros), ROUNDS times.  Meanwhile a child maps it
 * (shared and private) and a thread of the child keeps touching every
 * page, so faults fetch pages while the truncation cuts them; another
 * thread forks a grandchild in each round, copying the entries while the
 * cut walks.  After each round, with nothing running, the child and that
 * round's grandchild read every page: all must be zero.  A page mapped
 * after the cut that was fetched before it, or copied by fork behind the
 * cut's back, still reads 0xab.  Prints "ok" or the first stale page. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG	4096
#define NPAGES	16

/* In shared anonymous memory: the parent's round and phase, each side's
 * acknowledgement. */
struct shared {
	int round;		/* the round the parent is in */
	int quiet;		/* 1 once its truncation is done */
	int child_checked;	/* the last round the child checked */
	int forks_checked;	/* the last round a grandchild checked */
	int stale;		/* 0, or 1 + the page found stale */
	int stale_round;
	int stale_by;		/* 1 the child, 2 a grandchild */
	int stop;
};

static struct shared *sh;
static char *shared_map, *private_map;

static int load(int *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
static void store(int *p, int v) { __atomic_store_n(p, v, __ATOMIC_SEQ_CST); }

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* Every page of both mappings reads zero, or the stale one is noted. */
static void check(int round, int by)
{
	for (int i = 0; i < NPAGES; i++) {
		if (shared_map[i * PG] || private_map[i * PG]) {
			if (!__atomic_exchange_n(&sh->stale, 1 + i, __ATOMIC_SEQ_CST)) {
				store(&sh->stale_round, round);
				store(&sh->stale_by, by);
			}
			return;
		}
	}
}

static __thread sigjmp_buf bus_env;

static void on_bus(int sig)
{
	siglongjmp(bus_env, sig);
}

/* Between the truncation and the extension the pages are past the end:
 * SIGBUS, and the toucher goes round again. */
static void *toucher(void *arg)
{
	volatile char sink = 0;

	(void)arg;
	sigsetjmp(bus_env, 1);
	while (!load(&sh->stop))
		for (int i = 0; i < NPAGES; i++)
			sink += shared_map[i * PG] + private_map[i * PG];
	return NULL;
}

/* One grandchild a round, forked while the parent truncates; it checks
 * what it inherited once the round is quiet. */
static void *forker(void *arg)
{
	(void)arg;
	for (int done = 0; !load(&sh->stop);) {
		int round = load(&sh->round);
		if (round == done) {
			sched_yield();
			continue;
		}
		pid_t g = fork();	/* while the parent truncates, mostly */
		if (g < 0)
			die("fork");
		if (g == 0) {
			while (!(load(&sh->round) == round && load(&sh->quiet)) && !load(&sh->stop))
				sched_yield();
			check(round, 2);
			_exit(0);
		}
		waitpid(g, NULL, 0);
		store(&sh->forks_checked, round);
		done = round;
	}
	return NULL;
}

static void child(const char *path)
{
	int fd = open(path, O_RDWR);
	pthread_t t, f;

	if (fd < 0)
		die("open");
	signal(SIGBUS, on_bus);
	shared_map = mmap(NULL, NPAGES * PG, PROT_READ, MAP_SHARED, fd, 0);
	private_map = mmap(NULL, NPAGES * PG, PROT_READ, MAP_PRIVATE, fd, 0);
	if (shared_map == MAP_FAILED || private_map == MAP_FAILED)
		die("mmap");
	if (pthread_create(&t, NULL, toucher, NULL) || pthread_create(&f, NULL, forker, NULL))
		die("pthread_create");
	for (int checked = 0; !load(&sh->stop);) {
		int round = load(&sh->round);
		if (round == checked || !load(&sh->quiet)) {
			sched_yield();
			continue;
		}
		check(round, 1);
		store(&sh->child_checked, round);
		checked = round;
	}
	pthread_join(t, NULL);
	pthread_join(f, NULL);
	_exit(0);
}

/* Until *p is v; the child ending first is a failure. */
static void wait_for(int *p, int v, pid_t child)
{
	int st;

	while (load(p) != v) {
		if (waitpid(child, &st, WNOHANG) == child) {
			printf("the child ended (status %#x) in round %d\n", st, v);
			exit(1);
		}
		sched_yield();
	}
}

static void fill(int fd)
{
	char page[PG];

	memset(page, 0xab, PG);
	for (int i = 0; i < NPAGES; i++)
		if (pwrite(fd, page, PG, (off_t)i * PG) != PG)
			die("pwrite");
}

int main(int argc, char **argv)
{
	char path[512];

	if (argc != 3) {
		fprintf(stderr, "usage: mmap_cut_race DIR ROUNDS\n");
		return 2;
	}
	snprintf(path, sizeof path, "%s/race", argv[1]);
	int rounds = atoi(argv[2]);
	sh = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (sh == MAP_FAILED || fd < 0 || ftruncate(fd, NPAGES * PG))
		die("set-up");
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)
		child(path);
	for (int r = 1; r <= rounds && !load(&sh->stale); r++) {
		store(&sh->quiet, 0);
		store(&sh->round, r);
		fill(fd);
		if (ftruncate(fd, 0) || ftruncate(fd, NPAGES * PG))
			die("ftruncate");
		store(&sh->quiet, 1);
		wait_for(&sh->child_checked, r, pid);
		wait_for(&sh->forks_checked, r, pid);
	}
	store(&sh->stop, 1);
	waitpid(pid, NULL, 0);
	unlink(path);
	if (load(&sh->stale)) {
		printf("stale: page %d in round %d, seen by the %s\n", load(&sh->stale) - 1,
		       load(&sh->stale_round), load(&sh->stale_by) == 1 ? "child" : "grandchild");
		return 1;
	}
	printf("ok\n");
	return 0;
}
