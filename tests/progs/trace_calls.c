/* A fixed sequence of common system calls for `amphi run --trace`: each
 * with arguments the trace must decode (strings, flags, structures), one
 * failing call, a signal delivered to a handler, and a known exit status.
 * tests/vm/test_trace.py compares the trace with an expected transcript;
 * the program checks nothing itself beyond the calls' results. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void on_usr1(int sig)
{
	got = sig;
}

/* Straight system calls: libc must not add, reorder or merge any. */
static long sys(long nr, long a, long b, long c, long d)
{
	return syscall(nr, a, b, c, d);
}

int main(void)
{
	static const char msg[] = "trace me\n";
	char buf[16];
	struct stat st;
	int p[2];

	sys(SYS_write, 1, (long)msg, sizeof msg - 1, 0);
	sys(SYS_openat, AT_FDCWD, (long)"/no/such/file", O_RDONLY | O_CLOEXEC, 0);
	int fd = (int)sys(SYS_openat, AT_FDCWD, (long)"/tmp/t", O_RDWR | O_CREAT | O_TRUNC, 0640);
	sys(SYS_write, fd, (long)"abc\0\n\t\"x", 9, 0);
	sys(SYS_lseek, fd, 1, SEEK_SET, 0);
	sys(SYS_read, fd, (long)buf, sizeof buf, 0);
	sys(SYS_fstat, fd, (long)&st, 0, 0);
	sys(SYS_close, fd, 0, 0, 0);
	sys(SYS_close, fd, 0, 0, 0);
	struct utsname u;
	sys(SYS_uname, (long)&u, 0, 0, 0);
	void *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	sys(SYS_mprotect, (long)m, 4096, PROT_READ, 0);
	sys(SYS_munmap, (long)m, 8192, 0, 0);
	sys(SYS_pipe2, (long)p, O_NONBLOCK, 0, 0);
	sys(SYS_read, p[0], (long)buf, sizeof buf, 0);
	struct timespec ts = { 0, 1000000 };
	sys(SYS_nanosleep, (long)&ts, 0, 0, 0);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	kill(getpid(), SIGUSR1);
	sys(SYS_exit_group, got == SIGUSR1 ? 3 : 1, 0, 0, 0);
	return 1;
}
