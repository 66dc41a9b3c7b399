/* A multi-threaded process's POSIX (fcntl) locks stay its own across
 * execve.  The other threads end during the exec; each has a robust list
 * that loops (2048 entries walked), which keeps it a while between leaving
 * the process's thread list and letting go of the descriptor table: an
 * exec that went on before every thread had let go saw the table shared,
 * copied it, and the locks, owned by the old table, went with it.
 *   exec_keeps_locks ROUNDS THREADS
 * Prints how many rounds lost the lock. */
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHAIN_AT	0x500000000ul
#define CHAIN_PAGES	2048

/* A robust list of 2048 entries, one a page, in a file mapping the exiting
 * thread has never touched: its walk faults every page in. */
static void make_chain(void)
{
	static uint64_t page[512];
	int fd = open("/tmp/chain", O_RDWR | O_CREAT | O_TRUNC, 0600);

	for (int i = 0; i < CHAIN_PAGES; i++) {
		page[0] = CHAIN_AT + (uint64_t)((i + 1) % CHAIN_PAGES) * 4096;
		write(fd, page, sizeof page);
	}
	mmap((void *)CHAIN_AT, CHAIN_PAGES * 4096ul, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0);
	close(fd);
}

static void *idle(void *a)
{
	static __thread struct { uint64_t next; int64_t offset; uint64_t pending; } head;

	(void)a;
	head.next = CHAIN_AT;
	head.offset = 8;
	syscall(SYS_set_robust_list, &head, sizeof head);
	for (;;)
		pause();
	return NULL;
}

static int locked_by_other(const char *path)
{
	int fd = open(path, O_RDWR);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	fcntl(fd, F_GETLK, &fl);
	close(fd);
	return fl.l_type != F_UNLCK;
}

/* Locks path, starts threads, execs itself; the new image tells the
 * parent on fd `ready` and lives on until killed. */
static void lock_and_exec(const char *path, int nthreads, int ready, char *self)
{
	int fd = open(path, O_RDWR | O_CREAT, 0600);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char arg[16];
	pthread_t t;

	fcntl(fd, F_SETLK, &fl);
	make_chain();
	for (int k = 0; k < nthreads; k++)
		pthread_create(&t, NULL, idle, NULL);
	usleep(20000);	/* they have set their lists */
	snprintf(arg, sizeof arg, "%d", ready);
	execl("/proc/self/exe", self, "after", arg, (char *)NULL);
	perror("execl");
	_exit(99);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "after")) {
		write(atoi(argv[2]), "x", 1);
		for (;;)
			pause();	/* holds the lock until killed */
	}
	int lost = 0, n = argc > 1 ? atoi(argv[1]) : 10, nthreads = argc > 2 ? atoi(argv[2]) : 3;
	for (int i = 0; i < n; i++) {
		char path[64], c;
		int p[2];
		snprintf(path, sizeof path, "/tmp/lock%d", i);
		pipe(p);
		pid_t m = fork();
		if (m == 0)
			lock_and_exec(path, nthreads, p[1], argv[0]);
		close(p[1]);
		read(p[0], &c, 1);
		close(p[0]);
		usleep(200000);	/* a lock the exec lost goes with the last old thread */
		lost += !locked_by_other(path);
		kill(m, SIGKILL);
		waitpid(m, NULL, 0);
	}
	printf("locks lost across execve: %d of %d\n", lost, n);
	return 0;
}
