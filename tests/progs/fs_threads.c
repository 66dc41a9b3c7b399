/* Threads using the file system at once: each of N threads creates,
 * writes, appends to, renames, reads back and removes files in a shared
 * directory while another lists it and reads /proc, and all of them append
 * records to one O_APPEND file.  Usage: fs_threads BASE N ROUNDS.  Prints
 * totals that hold only if no operation was lost or torn. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs_check.h"

#define RECORD 64

static char dir[4096];
static int rounds;
static atomic_int done_threads, errors;
static int log_fd;

static void fail(const char *what, int id, int r)
{
	printf("FAIL: thread %d round %d: %s: %s\n", id, r, what, errname(errno));
	atomic_fetch_add(&errors, 1);
}

static void one_round(int id, int r)
{
	char a[4200], b[4200], rec[RECORD], back[RECORD];

	snprintf(a, sizeof a, "%s/t%d-r%d.tmp", dir, id, r);
	snprintf(b, sizeof b, "%s/t%d-r%d", dir, id, r);
	int fd = open(a, O_CREAT | O_EXCL | O_RDWR, 0644);
	if (fd < 0)
		return fail("create", id, r);
	memset(rec, 'a' + id % 26, sizeof rec);
	snprintf(rec, sizeof rec, "thread %d round %d", id, r);
	if (write(fd, rec, sizeof rec) != sizeof rec)
		fail("write", id, r);
	if (rename(a, b))
		fail("rename", id, r);
	if (pread(fd, back, sizeof back, 0) != sizeof back || memcmp(rec, back, sizeof rec))
		fail("read back", id, r);
	close(fd);
	if (write(log_fd, rec, sizeof rec) != sizeof rec)
		fail("append", id, r);
	if (r % 2 == 0 && unlink(b))
		fail("unlink", id, r);
}

static void *worker(void *arg)
{
	int id = (int)(long)arg;

	for (int r = 0; r < rounds; r++)
		one_round(id, r);
	atomic_fetch_add(&done_threads, 1);
	return NULL;
}

/* Lists the directory and reads /proc until the workers finish. */
static void *watcher(void *arg)
{
	int n = (int)(long)arg;
	char buf[4096];

	while (atomic_load(&done_threads) < n) {
		DIR *d = opendir(dir);
		while (d && readdir(d))
			;
		if (d)
			closedir(d);
		int fd = open("/proc/self/status", O_RDONLY);
		while (fd >= 0 && read(fd, buf, sizeof buf) > 0)
			;
		close(fd);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[64], w;
	char path[4200];

	if (argc != 4) {
		fprintf(stderr, "usage: fs_threads BASE N ROUNDS\n");
		return 2;
	}
	int n = atoi(argv[2]);
	rounds = atoi(argv[3]);
	if (n < 1 || n > 64)
		return 2;
	snprintf(dir, sizeof dir, "%s/fs_threads", argv[1]);
	MUST(mkdir(dir, 0755));
	snprintf(path, sizeof path, "%s/log", dir);
	log_fd = MUST(open(path, O_CREAT | O_WRONLY | O_APPEND, 0644));
	pthread_create(&w, NULL, watcher, (void *)(long)n);
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, worker, (void *)(long)i);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	pthread_join(w, NULL);

	int files = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while ((e = readdir(d)))
		files += e->d_name[0] == 't';
	closedir(d);
	struct stat st;
	MUST(fstat(log_fd, &st));
	int fd = MUST(open(path, O_RDONLY));
	char rec[RECORD];
	int records = 0, whole = 1;
	while (read(fd, rec, sizeof rec) == sizeof rec) {
		int id, r;
		records++;
		whole &= sscanf(rec, "thread %d round %d", &id, &r) == 2 && rec[RECORD - 1] == 'a' + id % 26;
	}
	printf("errors: %d\n", atomic_load(&errors));
	printf("files left: %d (want %d)\n", files, n * (rounds / 2));
	printf("log: %ld bytes, %d records (want %d), all whole: %d\n", (long)st.st_size, records,
	       n * rounds, whole);
	return 0;
}
