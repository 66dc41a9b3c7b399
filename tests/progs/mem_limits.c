/* RLIMIT_MEMLOCK, mlock and RLIMIT_DATA, one line per call, to compare
 * with Linux's transcript.  Each part runs in a child of its own (locks
 * are not inherited, so each starts with none), first as root, then as
 * user 65534 (setuid here), where the limits bite.  Limits are set
 * relative to what the status file says is counted at the time, so the
 * transcript is the same wherever the program's own mappings differ a
 * little.  stdout is unbuffered and nothing calls malloc, so nothing maps
 * behind the program's back.
 *
 * mem_limits exec-check: the image exec started, with the locks of the
 * one before it (mlockall(MCL_CURRENT | MCL_FUTURE)). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "call_result.h"

#define K 1024ul
#define M (1024 * K)
#define PG 4096ul

static char status[8192];
static const char *me;

/* A line of /proc/self/status in kB, e.g. "VmLck". */
static long status_kb(const char *key)
{
	int fd = open("/proc/self/status", O_RDONLY);
	ssize_t n, got = 0;

	while (fd >= 0 && (n = read(fd, status + got, sizeof status - 1 - got)) > 0)
		got += n;
	close(fd);
	status[got] = 0;
	size_t klen = strlen(key);
	for (char *l = status; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, key, klen) && l[klen] == ':')
			return strtol(l + klen + 1, NULL, 10);
	return -1;
}

static long lck(void) { return status_kb("VmLck"); }

/* Pages of [p, p+len) present now. */
static int present(void *p, unsigned long len)
{
	unsigned char vec[256];
	int n = 0;

	if (mincore(p, len, vec))
		return -1;
	for (unsigned long i = 0; i < len / PG; i++)
		n += vec[i] & 1;
	return n;
}

static char *map(unsigned long len, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static const char *mres(void *p) { return res(p == MAP_FAILED || !p ? -1 : 0); }

/* One call's line: its result, then what the status file counts (and
 * how many pages of [p, p+len) are present) after it. */
static void show(const char *what, long r)
{
	printf("%s: %s, VmLck %ld\n", what, res(r), lck());
}

static void showp(const char *what, long r, void *p, unsigned long len)
{
	printf("%s: %s, VmLck %ld, present %d\n", what, res(r), lck(), p ? present(p, len) : -1);
}

static long mr(void *p) { return p == MAP_FAILED || !p ? -1 : 0; }


static void set_limit(int which, unsigned long cur, unsigned long max)
{
	struct rlimit r = { cur, max };

	if (setrlimit(which, &r))
		printf("setrlimit %d: %s\n", which, res(-1));
}

static void set_memlock(unsigned long cur) { set_limit(RLIMIT_MEMLOCK, cur, 8 * M); }

/* ---- mlock, munlock, mlock2 ------------------------------------------------ */

static void ranges(void)
{
	char *p = map(256 * K, PROT_READ | PROT_WRITE, MAP_PRIVATE);

	set_memlock(64 * K);
	showp("mlock 32K", mlock(p, 32 * K), p, 64 * K);
	show("mlock 32K from 16K", mlock(p + 16 * K, 32 * K));
	show("mlock 1 byte at 100K+10", mlock(p + 100 * K + 10, 1));
	show("mlock 128K", mlock(p, 128 * K));
	show("munlock 16K from 8K", munlock(p + 8 * K, 16 * K));
	show("munlock all 256K", munlock(p, 256 * K));
	show("mlock 0 bytes", mlock(p, 0));
	char *q = map(64 * K, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	showp("mlock2 ONFAULT 32K", syscall(SYS_mlock2, q, 32 * K, 1), q, 64 * K);
	q[0] = 1;
	printf("touched one: present %d\n", present(q, 64 * K));
	show("mlock2 flags 2", syscall(SYS_mlock2, q, 4 * K, 2));
	showp("mlock the same 32K again", mlock(q, 32 * K), q, 64 * K);
	show("munlock 64K", munlock(q, 64 * K));
	char *h = map(12 * K, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	munmap(h + 4 * K, 4 * K);
	show("mlock across a hole", mlock(h, 12 * K));
	show("munlock across a hole", munlock(h, 12 * K));
	char *n = map(8 * K, PROT_NONE, MAP_PRIVATE);
	show("mlock PROT_NONE", mlock(n, 8 * K));
	showp("mprotect it RW", mprotect(n, 8 * K, PROT_READ | PROT_WRITE), n, 8 * K);
	show("mlock unmapped", mlock((void *)0x10000, 4 * K));
	show("mlock kernel address", mlock((void *)0xffff800000000000ul, 4 * K));
	show("mlock wrapping", mlock(p, ~0ul - (unsigned long)p + 10));
	show("munlock wrapping", munlock(p, ~0ul - (unsigned long)p + 10));
	show("munlockall", munlockall());
}

/* Splits and merges: parts of a locked range change, the count follows. */
static void splits(void)
{
	char *p = map(64 * K, PROT_READ | PROT_WRITE, MAP_PRIVATE);

	set_memlock(64 * K);
	show("mlock 64K", mlock(p, 64 * K));
	show("mprotect 16K in it RO", mprotect(p + 16 * K, 16 * K, PROT_READ));
	show("munmap 8K in it", munmap(p + 48 * K, 8 * K));
	show("MADV_DONTNEED on it", madvise(p, 4 * K, MADV_DONTNEED));
	show("MADV_FREE on it", madvise(p, 4 * K, MADV_FREE));
	show("MADV_DONTNEED_LOCKED on it", madvise(p, 4 * K, 24));
	show("mremap 16K to 8K", mr(mremap(p, 16 * K, 8 * K, 0)));
	void *r = mremap(p + 32 * K, 16 * K, 16 * K, MREMAP_MAYMOVE | MREMAP_FIXED, p + 128 * K);
	showp("mremap 16K elsewhere", mr(r), r == MAP_FAILED ? NULL : r, 16 * K);
	char *g = map(16 * K, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	show("mlock 8K", mlock(g, 8 * K));
	void *grown = mremap(g, 8 * K, 56 * K, MREMAP_MAYMOVE);
	show("mremap it to 56K", mr(grown));
	if (grown != MAP_FAILED)
		g = grown;
	grown = mremap(g, 8 * K, 24 * K, MREMAP_MAYMOVE);
	showp("mremap its first 8K to 24K", mr(grown), grown == MAP_FAILED ? NULL : grown, 24 * K);
	pid_t pid = fork();
	if (pid == 0) {
		printf("  child: VmLck %ld\n", lck());
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	printf("parent after fork: VmLck %ld\n", lck());
}

/* ---- RLIMIT_MEMLOCK 0, MAP_LOCKED, mlockall -------------------------------- */

static void zero_limit(void)
{
	char *p = map(16 * K, PROT_READ | PROT_WRITE, MAP_PRIVATE);

	set_memlock(0);
	show("limit 0, mlock 4K", mlock(p, 4 * K));
	show("limit 0, mlock2 bad flags", syscall(SYS_mlock2, p, 4 * K, 8));
	show("limit 0, munlock 4K", munlock(p, 4 * K));
	printf("limit 0, mlockall(MCL_CURRENT): %s\n", res(mlockall(MCL_CURRENT)));
	show("limit 0, munlockall", munlockall());
	show("limit 0, mlockall(MCL_FUTURE)", mlockall(MCL_FUTURE));
	show("limit 0, mlockall(0)", mlockall(0));
	show("limit 0, mlockall(MCL_ONFAULT)", mlockall(MCL_ONFAULT));
	show("limit 0, mmap MAP_LOCKED", mr(map(4 * K, PROT_READ, MAP_PRIVATE | MAP_LOCKED)));
	show("limit 0, MAP_FIXED | MAP_LOCKED", mr(mmap(p, 4 * K, PROT_READ,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_LOCKED, -1, 0)));
	show("limit 0, MAP_FIXED_NOREPLACE | MAP_LOCKED over it", mr(mmap(p, 4 * K, PROT_READ,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | MAP_LOCKED, -1, 0)));
	show("limit 0, munlock 4K", munlock(p, 4 * K));
	show("limit 0, munlockall", munlockall());
}

static void map_locked(void)
{
	set_memlock(64 * K);
	char *p = map(32 * K, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_LOCKED);
	showp("MAP_LOCKED 32K", mr(p), p, 32 * K);
	show("MAP_LOCKED 64K more", mr(map(64 * K, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_LOCKED)));
	char *s = map(16 * K, PROT_READ, MAP_SHARED | MAP_LOCKED);
	showp("MAP_LOCKED shared 16K", mr(s), s, 16 * K);
	show("MAP_FIXED | MAP_LOCKED 32K over the first", mr(mmap(p, 32 * K, PROT_READ,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_LOCKED, -1, 0)));
	show("munmap the first", munmap(p, 32 * K));
	show("munlockall", munlockall());
}

static void future(void)
{
	set_memlock(64 * K);
	show("mlockall(MCL_FUTURE)", mlockall(MCL_FUTURE));
	char *p = map(32 * K, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	showp("then mmap 32K", mr(p), p, 32 * K);
	show("then mmap PROT_NONE 16K", mr(map(16 * K, PROT_NONE, MAP_PRIVATE)));
	show("then mmap 64K", mr(map(64 * K, PROT_READ | PROT_WRITE, MAP_PRIVATE)));
	show("then mremap 32K to 128K", mr(p ? mremap(p, 32 * K, 128 * K, MREMAP_MAYMOVE) : MAP_FAILED));
	char *b = sbrk(0);
	char *b2 = (char *)syscall(SYS_brk, b + 64 * K);
	printf("then brk +64K: %s, VmLck %ld\n", b2 == b + 64 * K ? "moved" : "stayed", lck());
	syscall(SYS_brk, b);
	b2 = (char *)syscall(SYS_brk, b + 8 * K);
	char *page = (char *)(((unsigned long)b + PG - 1) & ~(PG - 1));
	printf("then brk +8K: %s, VmLck %ld, present %d\n", b2 == b + 8 * K ? "moved" : "stayed", lck(),
	       present(page, 4 * K));
	syscall(SYS_brk, b);
	printf("mlockall(MCL_CURRENT) under 64K: %s\n", res(mlockall(MCL_CURRENT)));
	show("munlockall", munlockall());
	char *after = map(16 * K, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	showp("then mmap 16K", mr(after), after, 16 * K);
	printf("mlockall(MCL_FUTURE | MCL_ONFAULT): %s\n", res(mlockall(MCL_FUTURE | MCL_ONFAULT)));
	char *o = map(16 * K, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	showp("then mmap 16K", mr(o), o, 16 * K);
	show("munlockall", munlockall());
}

/* With the usual 8M limit, a small program may lock all it has. */
static void current(void)
{
	set_memlock(8 * M);
	long size = status_kb("VmSize");
	printf("mlockall(MCL_CURRENT): %s\n", res(mlockall(MCL_CURRENT)));
	long locked = lck();
	printf("VmLck above 0: %s, at most VmSize: %s\n", locked > 0 ? "yes" : "no",
	       locked <= size ? "yes" : "no");
	char *p = map(16 * K, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	long grew = lck() - locked;
	printf("then mmap 16K: %s, VmLck grew by %ld, present %d\n", mres(p), grew, present(p, 16 * K));
	show("munlockall", munlockall());
	printf("mlockall(MCL_CURRENT | MCL_FUTURE): %s\n", res(mlockall(MCL_CURRENT | MCL_FUTURE)));
	char *argv[] = { (char *)me, "exec-check", NULL };
	execv("/proc/self/exe", argv);
	printf("execv: %s\n", res(-1));
}

/* A file's pages past its end, MREMAP_DONTUNMAP, a limit lowered under
 * what is locked, another process's limit set by prlimit, MCL_FUTURE
 * across fork. */
static void edges(void)
{
	char path[] = "/tmp/mem_limits.XXXXXX";
	int fd = mkstemp(path);

	unlink(path);
	if (fd < 0 || ftruncate(fd, 4 * K))
		printf("file: %s\n", res(-1));
	set_memlock(64 * K);
	char *f = mmap(NULL, 16 * K, PROT_READ, MAP_SHARED, fd, 0);
	showp("mlock a file's 16K, 4K of it in the file", mlock(f, 16 * K), f, 16 * K);
	show("munlock it", munlock(f, 16 * K));
	showp("mlock2 ONFAULT the same", syscall(SYS_mlock2, f, 16 * K, 1), f, 16 * K);
	munmap(f, 16 * K);
	char *q = map(32 * K, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	show("mlock 32K", mlock(q, 32 * K));
	set_memlock(16 * K);
	show("limit lowered to 16K, mlock 0 bytes", mlock(q, 0));
	show("mlock its first 8K again", mlock(q, 8 * K));
	show("munlock 16K of it", munlock(q, 16 * K));
	show("munlockall", munlockall());
	set_memlock(64 * K);
	int go[2];
	char c = 0;
	if (pipe(go))
		return;
	pid_t pid = fork();
	if (pid == 0) {
		if (read(go[0], &c, 1) == 1)
			show("  child, after the parent's prlimit 8K: mlock 16K",
			     mlock(map(16 * K, PROT_READ, MAP_PRIVATE), 16 * K));
		_exit(0);
	}
	struct rlimit r = { 8 * K, 8 * M };
	printf("prlimit MEMLOCK of a child: %s\n", res(prlimit(pid, RLIMIT_MEMLOCK, &r, NULL)));
	if (write(go[1], "x", 1) != 1)
		return;
	waitpid(pid, NULL, 0);
	show("mlockall(MCL_FUTURE)", mlockall(MCL_FUTURE));
	pid = fork();
	if (pid == 0) {
		showp("  child: mmap 16K", mr(map(16 * K, PROT_READ, MAP_PRIVATE)), NULL, 0);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	/* Last: Linux's count keeps the pages left behind (its VmLck drifts
	 * from what is locked), so only the pages are compared. */
	char *p = map(16 * K, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_LOCKED);
	void *moved = mremap(p, 16 * K, 16 * K, MREMAP_MAYMOVE | 4 /* MREMAP_DONTUNMAP */);
	printf("MREMAP_DONTUNMAP a locked 16K: %s, present %d, left behind %d\n", mres(moved),
	       moved == MAP_FAILED ? -1 : present(moved, 16 * K), present(p, 16 * K));
}

/* ---- threads ------------------------------------------------------------- */

static char *arena;
static char maps[1 << 17];

static int maps_lines(void)
{
	int fd = open("/proc/self/maps", O_RDONLY), lines = 0;
	ssize_t n;

	while (fd >= 0 && (n = read(fd, maps, sizeof maps)) > 0)
		for (ssize_t i = 0; i < n; i++)
			lines += maps[i] == '\n';
	close(fd);
	return lines;
}

/* Locks, unlocks, protects, drops and replaces pages of the arena at
 * random while the main thread locks and unlocks everything. */
static void *churn(void *arg)
{
	unsigned seed = (unsigned)(unsigned long)arg;

	for (int i = 0; i < 1500; i++) {
		char *p = arena + (rand_r(&seed) % 64) * PG;
		unsigned long n = (rand_r(&seed) % 8 + 1) * PG;
		switch (rand_r(&seed) % 6) {
		case 0: mlock(p, n); break;
		case 1: munlock(p, n); break;
		case 2: mprotect(p, n, rand_r(&seed) % 2 ? PROT_READ : PROT_READ | PROT_WRITE); break;
		case 3: madvise(p, n, MADV_DONTNEED); break;
		case 4: mmap(p, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0); break;
		case 5: syscall(SYS_mlock2, p, n, 1); break;
		}
	}
	return NULL;
}

static void threads(void)
{
	pthread_t t[3];

	set_memlock(8 * M);
	arena = map(72 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	for (long i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, churn, (void *)(i + 1));
	for (int i = 0; i < 100; i++) {
		mlockall(i % 2 ? MCL_CURRENT : MCL_FUTURE);
		munlockall();
	}
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	show("after 3 threads' mlock, munlock, mprotect, MAP_FIXED: munlockall", munlockall());
	char *m = map(1000 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	int areas = maps_lines();
	for (int i = 0; i < 1000; i += 2)
		mlock(m + i * PG, PG);
	printf("every other page of 1000 locked: VmLck %ld, areas %+d\n", lck(), maps_lines() - areas);
	show("munlock all 1000", munlock(m, 1000 * PG));
	printf("  areas %+d\n", maps_lines() - areas);
}

static void exec_check(void)
{
	printf("  after exec: VmLck %ld\n", lck());
	char *p = map(16 * K, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	showp("  then mmap 16K", mr(p), p, 16 * K);
}

/* ---- RLIMIT_DATA ------------------------------------------------------------ */

static void data(void)
{
	long base = status_kb("VmData");

	set_limit(RLIMIT_DATA, base * K + 256 * K, RLIM_INFINITY);
	char *a = map(128 * K, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	printf("data: mmap 128K RW: %s, VmData grew by %ld\n", mres(a), status_kb("VmData") - base);
	printf("data: mmap 256K RW: %s\n", mres(map(256 * K, PROT_READ | PROT_WRITE, MAP_PRIVATE)));
	char *ro = map(256 * K, PROT_READ, MAP_PRIVATE);
	printf("data: mmap 256K RO: %s\n", mres(ro));
	printf("data: mmap 256K RW shared: %s\n", mres(map(256 * K, PROT_READ | PROT_WRITE, MAP_SHARED)));
	printf("data: mmap 256K RW growsdown: %s\n",
	       mres(map(256 * K, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_GROWSDOWN)));
	printf("data: mmap 256K PROT_NONE: %s\n", mres(map(256 * K, PROT_NONE, MAP_PRIVATE)));
	printf("data: mprotect 256K RO to RW: %s\n", res(mprotect(ro, 256 * K, PROT_READ | PROT_WRITE)));
	printf("data: mprotect 64K RO to RW: %s\n", res(mprotect(ro, 64 * K, PROT_READ | PROT_WRITE)));
	printf("data: mprotect 64K RW to RWX: %s\n",
	       res(mprotect(ro, 64 * K, PROT_READ | PROT_WRITE | PROT_EXEC)));
	printf("data: mremap 128K RW to 256K: %s\n", mres(mremap(a, 128 * K, 256 * K, MREMAP_MAYMOVE)));
	printf("data: mremap 256K RO to 512K: %s\n",
	       mres(mremap(ro + 64 * K, 192 * K, 512 * K, MREMAP_MAYMOVE)));
	printf("data: MAP_FIXED RW over 64K RW: %s\n",
	       mres(mmap(a, 64 * K, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)));
	printf("data: munmap 128K: %s\n", res(munmap(a, 128 * K)));
	printf("data: mmap 128K RW again: %s\n", mres(map(128 * K, PROT_READ | PROT_WRITE, MAP_PRIVATE)));

	base = status_kb("VmData");
	set_limit(RLIMIT_DATA, base * K + 64 * K, RLIM_INFINITY);
	char *b = sbrk(0);
	printf("brk: +32K: %s\n", (char *)syscall(SYS_brk, b + 32 * K) == b + 32 * K ? "moved" : "stayed");
	printf("brk: +64K more: %s\n", (char *)syscall(SYS_brk, b + 96 * K) == b + 96 * K ? "moved" : "stayed");
	set_limit(RLIMIT_DATA, 4 * K, RLIM_INFINITY);
	printf("brk: limit 4K, back to +8K: %s\n", (char *)syscall(SYS_brk, b + 8 * K) == b + 8 * K ? "moved" : "stayed");
	set_limit(RLIMIT_DATA, base * K + 64 * K, RLIM_INFINITY);
	printf("brk: back to the start: %s\n", (char *)syscall(SYS_brk, b) == b ? "moved" : "stayed");

	base = status_kb("VmData");
	set_limit(RLIMIT_DATA, 0, base * K + 64 * K);
	printf("limit 0 (max +64K): mmap 32K RW: %s\n", mres(map(32 * K, PROT_READ | PROT_WRITE, MAP_PRIVATE)));
	printf("limit 0 (max +64K): mmap 64K RW: %s\n", mres(map(64 * K, PROT_READ | PROT_WRITE, MAP_PRIVATE)));
	printf("limit 0 (max +64K): brk +4K: %s\n",
	       (char *)syscall(SYS_brk, b + 4 * K) == b + 4 * K ? "moved" : "stayed");
	pid_t pid = fork();
	if (pid == 0) {
		printf("  child: mmap 64K RW: %s\n", mres(map(64 * K, PROT_READ | PROT_WRITE, MAP_PRIVATE)));
		_exit(0);
	}
	waitpid(pid, NULL, 0);
}

/* Runs part in a child, as uid (0 or 65534). */
static void as(uid_t uid, const char *name, void (*part)(void))
{
	pid_t pid = fork();

	if (pid == 0) {
		if (uid && (setgroups(0, NULL) || setgid(uid) || setuid(uid)))
			printf("setuid: %s\n", res(-1));
		printf("-- %s as %u\n", name, (unsigned)uid);
		part();
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		printf("%s as %u: status %#x\n", name, (unsigned)uid, st);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*part)(void);
	} parts[] = {
		{ "ranges", ranges }, { "splits", splits }, { "zero", zero_limit },
		{ "map_locked", map_locked }, { "future", future }, { "current", current },
		{ "data", data }, { "edges", edges }, { "threads", threads },
	};

	setvbuf(stdout, NULL, _IONBF, 0);
	me = argv[0];
	if (argc > 1 && !strcmp(argv[1], "exec-check")) {
		exec_check();
		return 0;
	}
	set_memlock(8 * M);
	for (unsigned i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		if (argc > 1 && strcmp(argv[1], parts[i].name))
			continue;
		as(0, parts[i].name, parts[i].part);
		as(65534, parts[i].name, parts[i].part);
	}
	return 0;
}
