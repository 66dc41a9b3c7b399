/* /proc/sysvipc/msg, sem and shm: the System V IPC objects as Linux lists
 * them (header line, columns and widths).  Run as root in an IPC
 * namespace of its own: makes one object of root's, becomes uid 65534,
 * makes its own and prints the files, with each line checked against
 * Linux's format and the values that differ between runs (times, pids)
 * named instead of printed.  Ids are printed: a fresh namespace gives
 * the same ones.  "exec PROG ARGS..." runs PROG (ipcs) once the objects
 * are made.  "hostile" reads the files a byte at a time while threads
 * make and remove objects: it must end. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "call_result.h"

static long now;

static const char *when(unsigned long long t)
{
	if (t == 0)
		return "0";
	return (long)t >= now - 5 && (long)t <= now + 5 ? "now" : "other";
}

static const char *who(unsigned p)
{
	static char buf[4][16];
	static int k;
	char *s = buf[k++ % 4];

	if (p == 0)
		return "0";
	snprintf(s, 16, "%s", p == (unsigned)getpid() ? "self" : "other");
	return s;
}

/* Each row parsed, printed again in Linux's format to check it, then
 * shown with its varying values named. */
static void msg_row(const char *line)
{
	int key, id;
	unsigned mode, lspid, lrpid, uid, gid, cuid, cgid;
	unsigned long cbytes, qnum;
	unsigned long long st, rt, ct;
	char again[512];

	if (sscanf(line, "%d %d %o %lu %lu %u %u %u %u %u %u %llu %llu %llu", &key, &id, &mode, &cbytes,
		   &qnum, &lspid, &lrpid, &uid, &gid, &cuid, &cgid, &st, &rt, &ct) != 14) {
		printf("msg: unparsed: %s", line);
		return;
	}
	snprintf(again, sizeof again, "%10d %10d  %4o  %10lu %10lu %5u %5u %5u %5u %5u %5u %10llu %10llu %10llu\n",
		 key, id, mode, cbytes, qnum, lspid, lrpid, uid, gid, cuid, cgid, st, rt, ct);
	printf("msg: key %d id %d perms %o cbytes %lu qnum %lu lspid %s lrpid %s uid %u gid %u "
	       "cuid %u cgid %u stime %s rtime %s ctime %s%s\n", key, id, mode, cbytes, qnum, who(lspid),
	       who(lrpid), uid, gid, cuid, cgid, when(st), when(rt), when(ct),
	       strcmp(again, line) ? " (NOT LINUX'S FORMAT)" : "");
}

static void sem_row(const char *line)
{
	int key, id;
	unsigned mode, nsems, uid, gid, cuid, cgid;
	unsigned long long ot, ct;
	char again[512];

	if (sscanf(line, "%d %d %o %u %u %u %u %u %llu %llu", &key, &id, &mode, &nsems, &uid, &gid,
		   &cuid, &cgid, &ot, &ct) != 10) {
		printf("sem: unparsed: %s", line);
		return;
	}
	snprintf(again, sizeof again, "%10d %10d  %4o %10u %5u %5u %5u %5u %10llu %10llu\n", key, id,
		 mode, nsems, uid, gid, cuid, cgid, ot, ct);
	printf("sem: key %d id %d perms %o nsems %u uid %u gid %u cuid %u cgid %u otime %s ctime %s%s\n",
	       key, id, mode, nsems, uid, gid, cuid, cgid, when(ot), when(ct),
	       strcmp(again, line) ? " (NOT LINUX'S FORMAT)" : "");
}

static void shm_row(const char *line)
{
	int key, id;
	unsigned mode, cpid, lpid, uid, gid, cuid, cgid;
	unsigned long size, nattch, rss, swap;
	unsigned long long at, dt, ct;
	char again[512];

	if (sscanf(line, "%d %d %o %lu %u %u %lu %u %u %u %u %llu %llu %llu %lu %lu", &key, &id, &mode,
		   &size, &cpid, &lpid, &nattch, &uid, &gid, &cuid, &cgid, &at, &dt, &ct, &rss,
		   &swap) != 16) {
		printf("shm: unparsed: %s", line);
		return;
	}
	snprintf(again, sizeof again,
		 "%10d %10d  %4o %21lu %5u %5u  %5lu %5u %5u %5u %5u %10llu %10llu %10llu %21lu %21lu\n",
		 key, id, mode, size, cpid, lpid, nattch, uid, gid, cuid, cgid, at, dt, ct, rss, swap);
	printf("shm: key %d id %d perms %o size %lu cpid %s lpid %s nattch %lu uid %u gid %u cuid %u "
	       "cgid %u atime %s dtime %s ctime %s rss %lu swap %lu%s\n", key, id, mode, size,
	       who(cpid), who(lpid), nattch, uid, gid, cuid, cgid, when(at), when(dt), when(ct), rss,
	       swap, strcmp(again, line) ? " (NOT LINUX'S FORMAT)" : "");
}

static void show(const char *name, void (*row)(const char *))
{
	char path[64], line[512];
	struct stat st;

	snprintf(path, sizeof path, "/proc/sysvipc/%s", name);
	if (stat(path, &st) < 0) {
		printf("%s: %s\n", path, res(-1));
		return;
	}
	printf("%s: mode %o uid %u size %ld\n", path, st.st_mode, st.st_uid, (long)st.st_size);
	FILE *f = fopen(path, "r");
	if (!f) {
		printf("%s: open %s\n", path, res(-1));
		return;
	}
	if (fgets(line, sizeof line, f))
		printf("%s", line);	/* the header, verbatim */
	while (fgets(line, sizeof line, f))
		row(line);
	fclose(f);
}

/* The whole file read at once, and a byte at a time: the same bytes. */
static void bytewise(const char *name)
{
	char path[64], whole[8192], bytes[8192];
	size_t n = 0, m = 0;
	int fd;

	snprintf(path, sizeof path, "/proc/sysvipc/%s", name);
	fd = open(path, O_RDONLY);
	long r;
	while ((r = read(fd, whole + n, sizeof whole - n)) > 0)
		n += (size_t)r;
	close(fd);
	fd = open(path, O_RDONLY);
	while (m < sizeof bytes && read(fd, bytes + m, 1) == 1)
		m++;
	printf("%s: %s, a byte at a time: %s\n", name, n ? "read" : "empty",
	       n == m && !memcmp(whole, bytes, n) ? "the same" : "different");
	close(fd);
}

static struct sembuf up = { 0, 1, 0 };

/* Root's objects, before the program becomes uid 65534: a user sees
 * them listed whatever their permissions say. */
static void roots(void)
{
	printf("root's msgget 0x7001 0600: %s\n", res(msgget(0x7001, IPC_CREAT | 0600)));
	printf("root's shmget 0x7003 0600: %s\n", res(shmget(0x7003, 5000, IPC_CREAT | 0600)));
	if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
		printf("setresuid: %s\n", res(-1));
}

static void mine(void)
{
	struct { long type; char text[8]; } m = { 1, "hello" };
	int q = msgget(0x1234, IPC_CREAT | 0640);
	printf("msgget 0x1234 0640: %s\n", res(q));
	printf("msgsnd 5: %s\n", res(msgsnd(q, &m, 5, 0)));
	printf("msgsnd 3: %s\n", res(msgsnd(q, &m, 3, 0)));
	printf("msgget private 0604: %s\n", res(msgget(IPC_PRIVATE, 0604)));
	int q2 = msgget(0x1235, IPC_CREAT | 0666);
	printf("msgget 0x1235 0666: %s\n", res(q2));
	printf("msgsnd 5: %s\n", res(msgsnd(q2, &m, 5, 0)));
	printf("msgrcv: %s\n", res(msgrcv(q2, &m, 8, 0, 0)));

	int s = semget(0x2345, 3, IPC_CREAT | 0600);
	printf("semget 0x2345 3 0600: %s\n", res(s));
	printf("semget private 1 0644: %s\n", res(semget(IPC_PRIVATE, 1, 0644)));
	printf("semop: %s\n", res(semop(s, &up, 1)));

	int h = shmget(0x3456, 10000, IPC_CREAT | 0644);
	printf("shmget 0x3456 10000 0644: %s\n", res(h));
	char *p = shmat(h, NULL, 0);
	printf("shmat: %s\n", p == (void *)-1 ? res(-1) : "ok");
	p[0] = 1;
	p[8192] = 1;
	int g = shmget(IPC_PRIVATE, 4096, 0600);
	printf("shmget private 4096 0600: %s\n", res(g));
	char *pg = shmat(g, NULL, SHM_RDONLY);
	printf("shmat: %s\n", pg == (void *)-1 ? res(-1) : "ok");
	printf("IPC_RMID while attached: %s\n", res(shmctl(g, IPC_RMID, NULL)));
	int d = shmget(0x3457, 4096, IPC_CREAT | 0640);
	printf("shmget 0x3457 4096 0640: %s\n", res(d));
	printf("shmat, shmdt: %s\n", res(shmdt(shmat(d, NULL, 0))));
}

struct job {
	int n;
};

static void *churn(void *arg)
{
	struct job *j = arg;

	for (int i = 0; i < j->n; i++) {
		int q = msgget(IPC_PRIVATE, 0600), s = semget(IPC_PRIVATE, 1 + i % 5, 0600),
		    h = shmget(IPC_PRIVATE, 4096 * (1 + i % 3), 0600);
		msgctl(q, IPC_RMID, NULL);
		semctl(s, 0, IPC_RMID);
		shmctl(h, IPC_RMID, NULL);
	}
	return NULL;
}

static void *reader(void *arg)
{
	struct job *j = arg;
	static const char *names[] = { "msg", "sem", "shm" };
	char path[64], c;

	for (int i = 0; i < j->n; i++) {
		snprintf(path, sizeof path, "/proc/sysvipc/%s", names[i % 3]);
		int fd = open(path, O_RDONLY);
		for (int k = 0; k < 4000 && read(fd, &c, i % 2 ? 1 : 0) >= 0 && (i % 2 == 0 || k < 3000); k++)
			if (i % 2 == 0)
				break;
		close(fd);
	}
	return NULL;
}

static void hostile(void)
{
	pthread_t t[4];
	struct job c = { 300 }, r = { 60 };

	pthread_create(&t[0], NULL, churn, &c);
	pthread_create(&t[1], NULL, churn, &c);
	pthread_create(&t[2], NULL, reader, &r);
	pthread_create(&t[3], NULL, reader, &r);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	char line[512];
	int rows = 0;
	FILE *f = fopen("/proc/sysvipc/shm", "r");
	while (f && fgets(line, sizeof line, f))
		rows++;
	if (f)
		fclose(f);
	printf("hostile: ended, shm lines %d\n", rows);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	now = time(NULL);
	if (argc > 1 && !strcmp(argv[1], "hostile")) {
		hostile();
		return 0;
	}
	roots();
	mine();
	if (argc > 2 && !strcmp(argv[1], "exec")) {
		/* The objects stay: a tool such as ipcs lists them. */
		execv(argv[2], argv + 2);
		printf("exec: %s\n", res(-1));
		return 1;
	}
	show("msg", msg_row);
	show("sem", sem_row);
	show("shm", shm_row);
	bytewise("msg");
	bytewise("sem");
	bytewise("shm");
	printf("open for writing: %s\n", res(open("/proc/sysvipc/msg", O_WRONLY)));
	printf("uid now: %u\n", getuid());
	return 0;
}
