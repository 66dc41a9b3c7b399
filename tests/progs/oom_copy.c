/* Out of memory inside the kernel's copies to the program's memory: the
 * copy fails, and the OOM killer runs on the way back to user mode, where
 * the thread holds no lock (core/uaccess.h).  Run with -m 64M.
 *
 *   self      a reader fills fresh memory from a pipe until it is the
 *             largest process and is killed; the copy that found no page
 *             held the pipe's lock, which the writer waits for.
 *   other     A takes 60% of the free memory and waits; B reads half of
 *             it from a pipe into fresh memory: A is killed, and B's
 *             read that failed for want of a page is made again (not
 *             -EFAULT), and B gets every byte.
 *   cleartid  a process whose clear_child_tid word (set_tid_address) is
 *             an untouched page takes memory until it is killed for it:
 *             as it ends, no page is left for that word's store.
 *
 * The parent, small, prints how each ended.  Not run on the host (it
 * would take the host's memory): tests/vm/test_oom_copy.py runs it. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child_end.h"

#define CHUNK (1 << 20)
#define PAGE 4096

static char *fresh(size_t len)
{
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (m == MAP_FAILED)
		_exit(2);
	return m;
}

/* Touches bytes of fresh memory a megabyte at a time. */
static void take(size_t bytes)
{
	for (size_t done = 0; done < bytes; done += CHUNK)
		memset(fresh(CHUNK), 1, CHUNK);
}

/* A child writing the bytes i % 251 (i counted from the start) to fd
 * until the pipe breaks. */
static pid_t writer(int fd[2])
{
	pid_t pid = fork();

	if (pid)
		return pid;
	static unsigned char buf[251 * 256];
	close(fd[0]);
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (unsigned char)(i % 251);
	for (;;)
		if (write(fd[1], buf, sizeof buf) < 0)
			_exit(0);
}

/* Reads len bytes from fd into fresh memory, never past the end of a
 * page (so a page's first touch is a read's first byte: a copy that finds
 * no page fails the whole call); exits 3 on a failed read, 4 on a wrong
 * byte, 0 when all came. */
static void read_all(int fd, size_t len)
{
	char *m = fresh(len);

	for (size_t off = 0; off < len;) {
		ssize_t n = read(fd, m + off, PAGE - off % PAGE);
		if (n <= 0) {
			perror("read");
			_exit(3);
		}
		off += (size_t)n;
	}
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)m[i] != i % 251)
			_exit(4);
	_exit(0);
}

static int self(void)
{
	int fd[2];

	if (pipe(fd))
		return 1;
	pid_t w = writer(fd), r = fork();
	if (!r) {
		close(fd[1]);
		read_all(fd[0], 1ull << 32);
	}
	close(fd[0]);
	close(fd[1]);
	printf("reader: %s\n", end_of(r));
	kill(w, SIGKILL);
	end_of(w);
	return 0;
}

static int other(void)
{
	struct sysinfo si;
	int ready[2], fd[2];
	char c;

	sysinfo(&si);
	size_t free_bytes = (size_t)si.freeram * si.mem_unit;
	if (pipe(ready) || pipe(fd))
		return 1;
	pid_t a = fork();
	if (!a) {
		take(free_bytes / 10 * 6);
		write(ready[1], "a", 1);
		for (;;)
			pause();
	}
	if (read(ready[0], &c, 1) != 1)
		return printf("A did not get its memory\n"), 1;
	pid_t w = writer(fd), b = fork();
	if (!b) {
		close(fd[1]);
		read_all(fd[0], free_bytes / 2 / PAGE * PAGE);
	}
	close(fd[0]);
	close(fd[1]);
	printf("B: %s\n", end_of(b));
	printf("A: %s\n", end_of(a));
	kill(w, SIGKILL);
	end_of(w);
	return 0;
}

static int cleartid(void)
{
	pid_t p = fork();

	if (!p) {
		/* its own page, never touched: the store as it ends needs a
		 * page of its own, when none is left */
		syscall(SYS_set_tid_address, fresh(PAGE));
		take(1ull << 40);	/* until killed */
		_exit(6);
	}
	printf("process: %s\n", end_of(p));
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 2 && !strcmp(argv[1], "self"))
		return self();
	if (argc == 2 && !strcmp(argv[1], "other"))
		return other();
	if (argc == 2 && !strcmp(argv[1], "cleartid"))
		return cleartid();
	fprintf(stderr, "usage: oom_copy self|other|cleartid\n");
	return 2;
}
