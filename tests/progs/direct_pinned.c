/* O_DIRECT reads into a page that another thread keeps changing the
 * mapping of: the device's bytes must land where the program reads them.
 *
 *   direct_pinned fork|mprotect DEVICE ROUNDS
 *
 * DEVICE is a raw disk whose 512-byte sector s is filled with the byte
 * s % 251 + 1.  The main thread reads sector after sector (O_DIRECT) into
 * the first 512 bytes of a page and checks them; meanwhile a second thread
 * either forks (the child exits at once) and then writes to the same page
 * at byte 2048, or makes the page read-only and writable again and writes
 * there.  Either makes a kernel that takes the page being read into for a
 * shared one give the writer a copy while the device stores into the
 * original: the read then returns with the buffer unchanged.  Prints
 * "ROUNDS rounds, N wrong" and exits 1 if N > 0.  Reads refused with
 * EFAULT (the page was read-only at that moment) are retried. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG		4096
#define SECTOR		512
#define NSECTORS	256	/* the first 128 KiB of the disk */

static char *page;
static atomic_int done;
static int use_fork;

static void *disturb(void *unused)
{
	(void)unused;
	while (!atomic_load(&done)) {
		if (use_fork) {
			pid_t pid = fork();
			if (pid == 0)
				_exit(0);
			page[2048]++;
			if (pid > 0)
				waitpid(pid, NULL, 0);
		} else {
			mprotect(page, PG, PROT_READ);
			mprotect(page, PG, PROT_READ | PROT_WRITE);
			page[2048]++;
		}
	}
	return NULL;
}

static int sector_is(const char *buf, int s)
{
	for (int i = 0; i < SECTOR; i++)
		if (buf[i] != (char)(s % 251 + 1))
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	if (argc != 4 || (strcmp(argv[1], "fork") && strcmp(argv[1], "mprotect"))) {
		fprintf(stderr, "usage: direct_pinned fork|mprotect DEVICE ROUNDS\n");
		return 2;
	}
	use_fork = !strcmp(argv[1], "fork");
	int fd = open(argv[2], O_RDONLY | O_DIRECT), rounds = atoi(argv[3]), wrong = 0;
	page = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fd < 0 || page == MAP_FAILED) {
		perror("open or mmap");
		return 2;
	}
	page[0] = 0;
	pthread_t t;
	pthread_create(&t, NULL, disturb, NULL);
	for (int r = 0; r < rounds; r++) {
		int s = r % NSECTORS;
		ssize_t n;
		while ((n = pread(fd, page, SECTOR, (off_t)s * SECTOR)) < 0 && errno == EFAULT)
			;
		if (n != SECTOR) {
			perror("pread");
			return 2;
		}
		wrong += !sector_is(page, s);
	}
	atomic_store(&done, 1);
	pthread_join(t, NULL);
	printf("%d rounds, %d wrong\n", rounds, wrong);
	return wrong ? 1 : 0;
}
