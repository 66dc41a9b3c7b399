/* The kill -9 test's workload (tests/vm/test_ext4_crash.py): appends
 * 512-byte records to DIR/records, each fsynced before its number is
 * printed ("rec N"), and churns metadata between them: files created,
 * written, renamed and removed, directories made and removed.  It goes
 * on from the records a previous (killed) run left, so the file system
 * carries over from run to run; it stops after COUNT records of its own.
 *
 * Record N is the bytes record_fill(N) makes: the host checks every
 * record the file holds, and that every printed one is there. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define REC	512

static void record_fill(unsigned char *b, unsigned long n)
{
	memset(b, 0, 32);
	snprintf((char *)b, 32, "record %lu\n", n);
	for (size_t i = 32; i < REC; i++)
		b[i] = (unsigned char)(n * 31 + i * 7);
}

static void die(const char *what)
{
	printf("fs_crash: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Metadata churn around record n: a file made, written, renamed; the one
 * from five records ago removed; a directory every fourth record, removed
 * eight later. */
static void churn(const char *dir, unsigned long n)
{
	char a[256], b[256];
	unsigned char buf[3000];

	snprintf(a, sizeof a, "%s/churn/new-%lu", dir, n);
	snprintf(b, sizeof b, "%s/churn/file-%lu", dir, n);
	int fd = open(a, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("create");
	memset(buf, (int)n, sizeof buf);
	if (write(fd, buf, 1 + n % sizeof buf) < 0)
		die("write churn");
	close(fd);
	if (rename(a, b))
		die("rename");
	if (n >= 5) {
		snprintf(b, sizeof b, "%s/churn/file-%lu", dir, n - 5);
		if (unlink(b) && errno != ENOENT)
			die("unlink");
	}
	if (n % 4 == 0) {
		snprintf(a, sizeof a, "%s/churn/dir-%lu", dir, n);
		if (mkdir(a, 0755) && errno != EEXIST)
			die("mkdir");
	}
	if (n >= 8 && (n - 8) % 4 == 0) {
		snprintf(a, sizeof a, "%s/churn/dir-%lu", dir, n - 8);
		if (rmdir(a) && errno != ENOENT)
			die("rmdir");
	}
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: fs_crash DIR COUNT\n");
		return 2;
	}
	const char *dir = argv[1];
	unsigned long count = strtoul(argv[2], NULL, 10);
	char path[256];
	unsigned char rec[REC];

	snprintf(path, sizeof path, "%s/churn", dir);
	if (mkdir(path, 0755) && errno != EEXIST)
		die("mkdir churn");
	snprintf(path, sizeof path, "%s/records", dir);
	int fd = open(path, O_RDWR | O_CREAT, 0644);
	if (fd < 0)
		die("open records");
	off_t size = lseek(fd, 0, SEEK_END);
	unsigned long n = (unsigned long)size / REC;
	/* A record cut short by the kill (its size committed, not all of its
	 * bytes: cannot happen in ordered mode, but the host would say) is
	 * written again whole. */
	if (lseek(fd, (off_t)n * REC, SEEK_SET) < 0)
		die("lseek");
	printf("start %lu\n", n);
	fflush(stdout);
	for (unsigned long end = n + count; n < end; n++) {
		record_fill(rec, n);
		if (write(fd, rec, REC) != REC)
			die("write record");
		churn(dir, n);
		if (fsync(fd))
			die("fsync");
		printf("rec %lu\n", n);
		fflush(stdout);
	}
	close(fd);
	printf("done\n");
	return 0;
}
