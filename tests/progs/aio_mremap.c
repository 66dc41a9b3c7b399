/* An AIO ring moved by mremap, as CRIU moves one, against Linux 6.18 (run
 * as uid 65534): the context follows its ring (the new address names it,
 * the old one no longer), and a ring is never grown (EFAULT, Linux's
 * VM_DONTEXPAND).  io_destroy by the new address unmaps it there. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <time.h>
#include "call_result.h"
struct iocb { uint64_t data; uint32_t key, rw_flags; uint16_t opcode; int16_t reqprio; uint32_t fd; uint64_t buf, nbytes; int64_t offset; uint64_t reserved2; uint32_t flags, resfd; };
struct io_event { uint64_t data, obj; int64_t res, res2; };
int main(void)
{
	unsigned long c = 0;
	printf("setup: %s\n", res(syscall(SYS_io_setup, 8, &c)));
	void *spot = mmap(NULL, 8192, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
	void *n = mremap((void *)c, 4096, 4096, MREMAP_MAYMOVE|MREMAP_FIXED, spot);
	printf("mremap: %s\n", n == MAP_FAILED ? res(-1) : n == spot ? "moved" : "elsewhere");
	unsigned long nc = (unsigned long)n;
	int fd = open("/dev/null", O_WRONLY);
	char buf[4] = "abc";
	struct iocb cb = { .data = 7, .opcode = 1, .fd = fd, .buf = (uint64_t)buf, .nbytes = 3 };
	struct iocb *l[1] = { &cb };
	printf("submit at the old address: %s\n", res(syscall(SYS_io_submit, c, 1, l)));
	printf("submit at the new address: %s\n", res(syscall(SYS_io_submit, nc, 1, l)));
	struct io_event ev[2];
	struct timespec ts = { 0, 0 };
	long r = syscall(SYS_io_getevents, nc, 1, 2, ev, &ts);
	printf("getevents at the new address: %s", res(r));
	if (r > 0) printf(" data %lu res %ld", (unsigned long)ev[0].data, (long)ev[0].res);
	printf("\n");
	printf("mremap bigger: %s\n", mremap(n, 4096, 8192, MREMAP_MAYMOVE) == MAP_FAILED ? res(-1) : "0");
	printf("destroy old: %s\n", res(syscall(SYS_io_destroy, c)));
	printf("destroy new: %s\n", res(syscall(SYS_io_destroy, nc)));
	/* gone from there: a fixed no-replace mapping now fits */
	void *again = mmap(n, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	printf("ring unmapped: %s\n", again == n ? "yes" : res(-1));
	return 0;
}
