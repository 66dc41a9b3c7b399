/* System V shared memory, one case per argument; each line says what a
 * call gave (a number, bytes, or errno's name), the same as on Linux.
 * Ids differ from machine to machine, so lines compare them instead of
 * printing them.
 *   get     shmget: private and keyed segments, the same key again,
 *           IPC_EXCL, sizes too big and zero, a key nobody made; more
 *           than the machine's memory (ENOMEM unless SHM_NORESERVE).
 *   attach  two attaches and a forked child see one memory; nattch as
 *           they come and go; SHM_RDONLY (a store is SIGSEGV, mprotect
 *           EACCES); addresses unaligned, rounded, over a mapping, with
 *           SHM_REMAP; shmdt of what is no attach; /proc/self/maps.
 *   rmid    a segment removed while attached stays until its last
 *           detach (SHM_DEST, key 0), its key free at once.
 *   perm    as uid 1000 on root's 0600 segment, then after IPC_SET.
 *   ctl     IPC_INFO's limits, SHM_STAT by slot, SHM_LOCK, the times and
 *           pids of IPC_STAT, bad commands and pointers.
 *   leave   one object of each System V kind, left for ipcs to list.
 *   churn   200 segments of 1 MiB, each filled, shared with a child that
 *           exits, removed while attached, then detached: more than the
 *           VM's memory in all, so a segment not freed runs it out.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "call_result.h"

#define KEY 0x5a1e0001

/* A call that gives an id or an address: "ok", or errno's name. */
static const char *ok(long r) { return r == -1 ? res(r) : "ok"; }
static const char *ok_ptr(void *p) { return p == (void *)-1 ? res(-1) : "ok"; }

static long nattch(int id)
{
	struct shmid_ds ds;

	return shmctl(id, IPC_STAT, &ds) ? -1 : (long)ds.shm_nattch;
}

/* How a child doing fn ended. */
static const char *child_end(void (*fn)(void *), void *arg)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		fn(arg);
		fflush(stdout);
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
	if (WIFSIGNALED(status))
		return WTERMSIG(status) == SIGSEGV ? "killed by SIGSEGV" : "killed";
	return WEXITSTATUS(status) ? "failed" : "exited";
}

static void case_get(void)
{
	int a = shmget(IPC_PRIVATE, 4096, 0600), b = shmget(IPC_PRIVATE, 4096, 0600);
	printf("two private: %s %s, different: %s\n", ok(a), ok(b), a != b ? "yes" : "no");
	int k = shmget(KEY, 10000, IPC_CREAT | 0600);
	printf("keyed: %s\n", ok(k));
	printf("same key again: %s\n", shmget(KEY, 0, 0) == k ? "the same id" : "another");
	printf("smaller: %s, bigger: %s\n", shmget(KEY, 5, 0600) == k ? "the same id" : "another",
	       res(shmget(KEY, 10001, 0600)));
	printf("IPC_CREAT|IPC_EXCL: %s\n", res(shmget(KEY, 100, IPC_CREAT | IPC_EXCL | 0600)));
	printf("IPC_CREAT alone: %s\n", shmget(KEY, 100, IPC_CREAT | 0600) == k ? "the same id" : "another");
	printf("size 0: %s\n", res(shmget(IPC_PRIVATE, 0, 0600)));
	printf("size 2^64-1: %s\n", res(shmget(IPC_PRIVATE, SIZE_MAX, 0600)));
	printf("nobody's key: %s\n", res(shmget(KEY + 1, 100, 0600)));
	/* Linux's overcommit heuristic: more than the machine has at all */
	printf("1 TiB: %s\n", res(shmget(IPC_PRIVATE, 1ul << 40, 0600)));
	int huge = shmget(IPC_PRIVATE, 1ul << 40, SHM_NORESERVE | 0600);
	printf("1 TiB, SHM_NORESERVE: %s\n", ok(huge));
	shmctl(huge, IPC_RMID, NULL);
	shmctl(b, IPC_RMID, NULL);
	shmctl(a, IPC_RMID, NULL);
	shmctl(k, IPC_RMID, NULL);
	printf("after IPC_RMID, the key: %s\n", res(shmget(KEY, 0, 0)));
}

static void store(void *p) { *(volatile char *)p = 1; }

static void child_writes(void *p)
{
	printf("child sees \"%s\", nattch %ld\n", (char *)p, nattch(*(int *)((char *)p + 100)));
	strcpy(p, "from the child");
}

static void print_maps_line(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/maps", "r");

	while (f && fgets(line, sizeof line, f))
		if (strstr(line, "SYSV")) {
			/* the part after the inode: the name */
			char *name = strchr(line, '/');
			printf("maps: %s %.4s %s", line[strlen(line) - 1] == '\n' ? "a line" : "?",
			       strchr(line, ' ') + 1, name ? name : "no name\n");
			break;
		}
	if (f)
		fclose(f);
}

static void case_attach(void)
{
	int id = shmget(KEY, 8192, IPC_CREAT | 0600);
	char *p = shmat(id, NULL, 0), *q = shmat(id, NULL, 0);

	printf("attach twice: %s %s, apart: %s\n", ok_ptr(p), ok_ptr(q), p != q ? "yes" : "no");
	strcpy(p, "hello");
	*(int *)(p + 100) = id;
	printf("second sees \"%s\", nattch %ld\n", q, nattch(id));
	printf("child: %s\n", child_end(child_writes, p));
	printf("parent sees \"%s\", nattch %ld\n", q, nattch(id));
	print_maps_line();

	char *r = shmat(id, NULL, SHM_RDONLY);
	printf("read-only attach: %s, reads \"%s\"\n", ok_ptr(r), r);
	printf("a store there: %s\n", child_end(store, r));
	printf("mprotect it writable: %s\n", res(mprotect(r, 8192, PROT_READ | PROT_WRITE)));
	printf("shmdt: %s\n", res(shmdt(r)));
	printf("nattch %ld\n", nattch(id));
	printf("shmdt again: %s\n", res(shmdt(r)));
	printf("shmdt unaligned: %s\n", res(shmdt(p + 1)));
	printf("shmdt of no attach: %s\n", res(shmdt((void *)&id)));

	char *hole = mmap(NULL, 4 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(hole, 4 * 4096);
	printf("at a free address: %s\n", shmat(id, hole, 0) == hole ? "there" : "elsewhere");
	shmdt(hole);
	printf("unaligned: %s\n", ok_ptr(shmat(id, hole + 5, 0)));
	printf("unaligned, SHM_RND: %s\n", shmat(id, hole + 5, SHM_RND) == hole ? "rounded down" : "elsewhere");
	printf("over it again: %s\n", ok_ptr(shmat(id, hole, 0)));
	printf("SHM_REMAP over it: %s\n", shmat(id, hole, SHM_REMAP) == hole ? "there" : "elsewhere");
	printf("SHM_REMAP, no address: %s\n", ok_ptr(shmat(id, NULL, SHM_REMAP)));
	printf("bad id: %s, negative: %s\n", ok_ptr(shmat(id + 1, NULL, 0)), ok_ptr(shmat(-1, NULL, 0)));
	printf("nattch %ld\n", nattch(id));
	shmdt(hole);
	shmdt(p);
	shmdt(q);
	printf("all detached, nattch %ld\n", nattch(id));
	shmctl(id, IPC_RMID, NULL);
}

static void case_rmid(void)
{
	int id = shmget(KEY, 4096, IPC_CREAT | 0600);
	char *p = shmat(id, NULL, 0);
	struct shmid_ds ds;

	strcpy(p, "still here");
	printf("IPC_RMID while attached: %s\n", res(shmctl(id, IPC_RMID, NULL)));
	printf("IPC_STAT: %s\n", res(shmctl(id, IPC_STAT, &ds)));
	printf("key %#x, dest %s, nattch %lu\n", (unsigned)ds.shm_perm.__key,
	       ds.shm_perm.mode & 01000 ? "yes" : "no", (unsigned long)ds.shm_nattch);
	printf("the key: %s\n", res(shmget(KEY, 0, 0)));
	int other = shmget(KEY, 4096, IPC_CREAT | 0600);
	printf("a new one under the key: %s, another id: %s\n", ok(other), other != id ? "yes" : "no");
	printf("memory: \"%s\"\n", p);
	char *again = shmat(id, NULL, 0);
	printf("attach the removed one: %s, \"%s\"\n", ok_ptr(again), again != (void *)-1 ? again : "");
	shmdt(again);
	shmdt(p);
	printf("after the last detach, IPC_STAT: %s\n", res(shmctl(id, IPC_STAT, &ds)));
	shmctl(other, IPC_RMID, NULL);
}

static void as_user(void *arg)
{
	int id = *(int *)arg;
	struct shmid_ds ds;

	syscall(SYS_setresuid, 1000, 1000, 1000);
	printf("1000: shmget 0600: %s\n", res(shmget(KEY, 0, 0600)));
	printf("1000: shmget 0400: %s\n", res(shmget(KEY, 0, 0400)));
	printf("1000: shmget 0: %s\n", shmget(KEY, 0, 0) == id ? "the id" : res(-1));
	printf("1000: shmat: %s\n", ok_ptr(shmat(id, NULL, 0)));
	printf("1000: IPC_STAT: %s\n", res(shmctl(id, IPC_STAT, &ds)));
	memset(&ds, 0, sizeof ds);
	printf("1000: IPC_SET: %s\n", res(shmctl(id, IPC_SET, &ds)));
	printf("1000: IPC_RMID: %s\n", res(shmctl(id, IPC_RMID, NULL)));
}

static void as_user_after(void *arg)
{
	int id = *(int *)arg;

	syscall(SYS_setresuid, 1000, 1000, 1000);
	printf("1000: shmat read-only: %s\n", ok_ptr(shmat(id, NULL, SHM_RDONLY)));
	printf("1000: shmat: %s\n", ok_ptr(shmat(id, NULL, 0)));
	printf("1000: IPC_RMID as owner: %s\n", res(shmctl(id, IPC_RMID, NULL)));
}

static void case_perm(void)
{
	int id = shmget(KEY, 4096, IPC_CREAT | 0600);
	struct shmid_ds ds;

	printf("root's 0600: %s\n", child_end(as_user, &id));
	shmctl(id, IPC_STAT, &ds);
	ds.shm_perm.uid = 1000;
	ds.shm_perm.mode = 0440;
	printf("IPC_SET uid 1000, 0440: %s\n", res(shmctl(id, IPC_SET, &ds)));
	shmctl(id, IPC_STAT, &ds);
	printf("now uid %u cuid %u mode %o\n", ds.shm_perm.uid, ds.shm_perm.cuid, ds.shm_perm.mode);
	printf("then: %s\n", child_end(as_user_after, &id));
	ds.shm_perm.uid = -1;
	printf("IPC_SET uid -1: %s\n", res(shmctl(id, IPC_SET, &ds)));
	shmctl(id, IPC_RMID, NULL);
}

static void case_ctl(void)
{
	int id = shmget(KEY, 5000, IPC_CREAT | 0640);
	struct shminfo info;
	struct shmid_ds ds;

	long max = shmctl(0, IPC_INFO, (struct shmid_ds *)&info);
	printf("IPC_INFO: %s, shmmin %lu shmmni %lu shmseg %lu\n", max >= 0 ? "ok" : res(max),
	       info.shmmin, info.shmmni, info.shmseg);
	int found = 0;
	for (long i = 0; i <= max; i++)
		found |= shmctl((int)i, SHM_STAT, &ds) == id;
	printf("SHM_STAT finds it by slot: %s\n", found ? "yes" : "no");
	shmctl(id, IPC_STAT, &ds);
	printf("size %zu, creator me: %s, mode %o, nattch %lu, atime %s\n", ds.shm_segsz,
	       ds.shm_cpid == getpid() ? "yes" : "no", ds.shm_perm.mode, (unsigned long)ds.shm_nattch,
	       ds.shm_atime ? "set" : "0");
	void *p = shmat(id, NULL, 0);
	shmctl(id, IPC_STAT, &ds);
	printf("attached: atime %s, lpid me: %s, dtime %s\n", ds.shm_atime ? "set" : "0",
	       ds.shm_lpid == getpid() ? "yes" : "no", ds.shm_dtime ? "set" : "0");
	shmdt(p);
	shmctl(id, IPC_STAT, &ds);
	printf("detached: dtime %s\n", ds.shm_dtime ? "set" : "0");
	printf("SHM_LOCK: %s, ", res(shmctl(id, SHM_LOCK, NULL)));
	shmctl(id, IPC_STAT, &ds);
	printf("mode %o; SHM_UNLOCK: %s, ", ds.shm_perm.mode, res(shmctl(id, SHM_UNLOCK, NULL)));
	shmctl(id, IPC_STAT, &ds);
	printf("mode %o\n", ds.shm_perm.mode);
	printf("command 99: %s, -1: %s\n", res(shmctl(id, 99, &ds)), res(shmctl(id, -1, &ds)));
	printf("negative id: %s, nobody's: %s\n", res(shmctl(-1, IPC_STAT, &ds)),
	       res(shmctl(id + 1, IPC_STAT, &ds)));
	printf("IPC_STAT to a bad pointer: %s\n", res(shmctl(id, IPC_STAT, (void *)8)));
	printf("IPC_SET from a bad pointer: %s\n", res(shmctl(id, IPC_SET, (void *)8)));
	printf("IPC_RMID: %s\n", res(shmctl(id, IPC_RMID, NULL)));
	printf("again: %s\n", res(shmctl(id, IPC_RMID, NULL)));
}

static void case_leave(void)
{
	int shm = shmget(KEY, 5000, IPC_CREAT | 0640), sem = semget(KEY, 3, IPC_CREAT | 0600);
	int msg = msgget(KEY, IPC_CREAT | 0666);
	struct { long type; char text[8]; } m = { 1, "hello" };

	msgsnd(msg, &m, 5, 0);
	printf("left: %s %s %s\n", ok(shm), ok(sem), ok(msg));
}

static void fill_and_exit(void *p) { memset(p, 0x5a, 1 << 20); }

static void case_churn(void)
{
	int freed = 0;

	for (int round = 0; round < 200; round++) {
		int id = shmget(IPC_PRIVATE, 1 << 20, 0600);
		char *p = shmat(id, NULL, 0);
		if (id < 0 || p == (void *)-1)
			break;
		memset(p, round, 1 << 20);
		child_end(fill_and_exit, p);
		shmctl(id, IPC_RMID, NULL);
		freed += p[12345] == 0x5a && shmdt(p) == 0;
	}
	printf("rounds done: %d\n", freed);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "get"))
		case_get();
	else if (!strcmp(argv[1], "attach"))
		case_attach();
	else if (!strcmp(argv[1], "rmid"))
		case_rmid();
	else if (!strcmp(argv[1], "perm"))
		case_perm();
	else if (!strcmp(argv[1], "ctl"))
		case_ctl();
	else if (!strcmp(argv[1], "leave"))
		case_leave();
	else if (!strcmp(argv[1], "churn"))
		case_churn();
	else
		return 2;
	return 0;
}
