/* System calls with arguments a hostile program gives to fool or break
 * the trace of `amphi run --trace` (tests/vm/test_trace.py): strings
 * without a NUL before unmapped memory, lengths and counts far past what
 * is mapped, pointers to nothing, and bytes meant to start a line of
 * their own in the trace (a newline in a socket's path, in the host
 * name).  The kernel must decode what it can, show the rest as an
 * address, keep every call on its one line, and live on to "done". */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define FAKE	"\n4242  forged(\"line\") = 0\n"

static long sys(long nr, long a, long b, long c, long d, long e, long f)
{
	return syscall(nr, a, b, c, d, e, f);
}

int main(void)
{
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *end = p + 4096, *hole = (char *)16;
	int fds[2];

	munmap(end, 4096);
	memset(p, 'a', 4096);
	sys(SYS_openat, -100, (long)(end - 5), 0, 0, 0, 0);	/* no NUL before the hole */
	sys(SYS_openat, -100, (long)p, 0, 0, 0, 0);		/* 4096 bytes, no NUL */
	sys(SYS_openat, -100, -1L, 0, 0, 0, 0);			/* the kernel's half */
	pipe2(fds, O_NONBLOCK);
	write(fds[1], "12345678", 8);
	sys(SYS_write, fds[1], (long)(end - 8), 1L << 40, 0, 0, 0);
	sys(SYS_write, fds[1], (long)hole, -1L, 0, 0, 0);
	sys(SYS_read, fds[0], (long)(end - 8), 1L << 40, 0, 0, 0);
	sys(SYS_writev, fds[1], (long)(end - 16), 1L << 30, 0, 0, 0);
	struct iovec *iov = (struct iovec *)(end - 2 * sizeof *iov);
	iov[0] = (struct iovec){ hole, 1L << 62 };
	iov[1] = (struct iovec){ end - 1, 100 };
	sys(SYS_writev, fds[1], (long)iov, 2, 0, 0, 0);
	sys(SYS_writev, fds[1], (long)iov, 9, 0, 0, 0);
	sys(SYS_readv, fds[0], (long)iov, 2, 0, 0, 0);
	sys(SYS_poll, (long)(end - 8), 1L << 40, 0, 0, 0, 0);
	sys(SYS_poll, (long)hole, 3, 0, 0, 0, 0);
	sys(SYS_rt_sigaction, SIGUSR1, (long)(end - 4), (long)hole, 8, 0, 0);
	sys(SYS_rt_sigprocmask, SIG_BLOCK, (long)(end - 4), (long)hole, 8, 0, 0);
	sys(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, (long)(end - 8), (long)hole, 0, 0);
	sys(SYS_nanosleep, (long)hole, 0, 0, 0, 0, 0);
	sys(SYS_getrandom, (long)(end - 8), 1L << 40, 0, 0, 0, 0);
	sys(SYS_fstat, fds[0], (long)(end - 8), 0, 0, 0, 0);
	sys(SYS_uname, (long)(end - 100), 0, 0, 0, 0, 0);
	sys(SYS_prlimit64, 0, 7, (long)(end - 8), (long)hole, 0, 0);
	sys(SYS_epoll_ctl, -1, 1, 0, (long)(end - 4), 0, 0);

	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un_like { unsigned short family; char path[108]; } un = { AF_UNIX, "" };
	strcpy(un.path, "/tmp/x" FAKE);
	sys(SYS_bind, s, (long)&un, sizeof un, 0, 0, 0);
	sys(SYS_connect, s, (long)&un, 0xffffffffL, 0, 0, 0);
	sys(SYS_sendto, s, (long)hole, 1L << 40, 0, (long)(end - 3), 1L << 31);
	sys(SYS_sendto, s, (long)"x", 1, 0, (long)(end - 3), 110);
	unsigned *len = (unsigned *)(end - 4);
	*len = 0xffffffff;
	sys(SYS_recvfrom, s, (long)hole, 1L << 40, MSG_DONTWAIT, (long)hole, (long)len);
	sys(SYS_getsockname, s, (long)(end - 2), (long)len, 0, 0, 0);
	sys(SYS_accept4, s, (long)(end - 2), (long)hole, 0, 0, 0);

	sethostname("host" FAKE, strlen("host" FAKE));
	struct utsname u;
	uname(&u);
	printf("done\n");
	return 0;
}
