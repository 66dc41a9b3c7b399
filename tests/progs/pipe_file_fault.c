/* A pipe write straight from a mapped file's pages not yet read in: the
 * copy into the pipe is made under the pipe's spinlock, where a fault that
 * has to wait for 9p (or ext4) must not sleep (core/uaccess.h).
 *
 *   pipe_file_fault FILE MIB
 *
 * writes the first MIB MiB of FILE (a file on a --share mount, read by
 * nobody before) into a pipe, 4 KiB at a time from a fresh private mapping
 * of it, while three readers take 64 bytes at a time (so they spin on the
 * pipe's lock) and a busy process keeps the other CPU full.  Prints the
 * bytes the readers got and whether their sum matches the file's, read
 * with read(2).  Without the no-sleep copies the writer slept on 9p
 * holding the lock, woken on the CPU of a reader spinning on it: a lockup. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define READERS 3

struct tally {
	unsigned long long bytes, sum;
};

static void reader(int fd, struct tally *t)
{
	unsigned char buf[64];
	ssize_t n;

	while ((n = read(fd, buf, sizeof buf)) > 0) {
		t->bytes += (unsigned long long)n;
		for (ssize_t i = 0; i < n; i++)
			t->sum += buf[i];
	}
	_exit(n < 0 ? 1 : 0);
}

/* The sum of the first len bytes of path, read with read(2). */
static unsigned long long file_sum(const char *path, size_t len)
{
	static unsigned char buf[65536];
	unsigned long long sum = 0;
	int f = open(path, O_RDONLY);

	for (size_t done = 0; f >= 0 && done < len;) {
		ssize_t n = read(f, buf, len - done < sizeof buf ? len - done : sizeof buf);
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			sum += buf[i];
		done += (size_t)n;
	}
	close(f);
	return sum;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return fprintf(stderr, "usage: pipe_file_fault FILE MIB\n"), 2;
	size_t len = (size_t)atoi(argv[2]) << 20;
	struct tally *t = mmap(NULL, sizeof *t * READERS, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t busy, r[READERS];
	int fd[2];

	if (!(busy = fork()))
		for (volatile int x = 0;; x++)
			;
	if (t == MAP_FAILED || pipe(fd))
		return 1;
	for (int k = 0; k < READERS; k++)
		if (!(r[k] = fork())) {
			close(fd[1]);
			reader(fd[0], &t[k]);
		}
	close(fd[0]);
	int f = open(argv[1], O_RDONLY);
	char *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, f, 0);
	if (m == MAP_FAILED)
		return perror("mmap"), 1;
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd[1], m + off, 4096);
		if (n <= 0)
			return perror("write"), 1;
		off += (size_t)n;
	}
	close(fd[1]);
	unsigned long long bytes = 0, sum = 0;
	for (int k = 0; k < READERS; k++) {
		int st;
		waitpid(r[k], &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			printf("reader %d failed\n", k);
		bytes += t[k].bytes;
		sum += t[k].sum;
	}
	kill(busy, SIGKILL);
	waitpid(busy, NULL, 0);
	printf("readers got %llu bytes, sum %s\n", bytes, sum == file_sum(argv[1], len) ? "matches" : "differs");
	return 0;
}
