/* Control calls daemons make (fcntl(2)): the owner of a file and the
 * SIGIO it gets with O_ASYNC (plain, or F_SETSIG's real-time signal with
 * si_code, si_band and si_fd) from pipes, a FIFO and sockets of every
 * kind; F_GETPIPE_SZ/F_SETPIPE_SZ and a pipe's real capacity; mmap's errno
 * for each kind of file.  One line per check, Linux's transcript in
 * tests/vm/ctl_expected.py.  Run as root.  `ctl_calls stdin`: SIGIO from
 * standard input (amphi's console) when a line comes after `ready`. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define RT_SIG	(SIGRTMIN + 1)

static const char *err_name(int e)
{
	switch (e) {
	case 0: return "ok";
	case EBADF: return "EBADF";
	case EINVAL: return "EINVAL";
	case ESRCH: return "ESRCH";
	case EFAULT: return "EFAULT";
	case EPERM: return "EPERM";
	case EBUSY: return "EBUSY";
	case EAGAIN: return "EAGAIN";
	case EACCES: return "EACCES";
	case ENODEV: return "ENODEV";
	default: return strerror(e);
	}
}

/* A call's result: its value, or the errno's name. */
static void show(const char *what, long r)
{
	if (r < 0)
		printf("%s: %s\n", what, err_name(errno));
	else
		printf("%s: %ld\n", what, r);
}

static void die(const char *what)
{
	printf("FAIL: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* ---- owners ------------------------------------------------------------- */

static void owners(void)
{
	int p[2];
	struct f_owner_ex ex = { 0 };

	if (pipe(p))
		die("pipe");
	fcntl(p[0], F_GETOWN_EX, &ex);
	printf("fresh owner: %ld, ex type %d pid %d, sig %d\n", (long)fcntl(p[0], F_GETOWN),
	       ex.type, ex.pid, fcntl(p[0], F_GETSIG));
	show("F_SETOWN INT_MIN", fcntl(p[0], F_SETOWN, -2147483647 - 1));
	show("F_SETOWN no such pid", fcntl(p[0], F_SETOWN, 99999));
	show("F_SETOWN no such group", fcntl(p[0], F_SETOWN, -99999));
	show("F_SETSIG 65", fcntl(p[0], F_SETSIG, 65));
	show("F_SETSIG -1", fcntl(p[0], F_SETSIG, -1));
	ex = (struct f_owner_ex){ 5, getpid() };
	show("F_SETOWN_EX type 5", fcntl(p[0], F_SETOWN_EX, &ex));
	ex = (struct f_owner_ex){ F_OWNER_PID, -3 };
	show("F_SETOWN_EX pid -3", fcntl(p[0], F_SETOWN_EX, &ex));
	show("F_SETOWN_EX bad pointer", fcntl(p[0], F_SETOWN_EX, (void *)8));
	show("F_SETOWN on a bad fd", fcntl(999, F_SETOWN, getpid()));
	fcntl(p[0], F_SETOWN, getpid());
	printf("F_GETOWN is pid: %s\n", fcntl(p[0], F_GETOWN) == getpid() ? "yes" : "no");
	fcntl(p[0], F_SETOWN, -getpgrp());
	fcntl(p[0], F_GETOWN_EX, &ex);
	printf("F_GETOWN is -pgrp: %s, ex type %d is pgrp: %s\n",
	       fcntl(p[0], F_GETOWN) == -getpgrp() ? "yes" : "no", ex.type,
	       ex.pid == getpgrp() ? "yes" : "no");
	ex = (struct f_owner_ex){ F_OWNER_TID, (pid_t)syscall(SYS_gettid) };
	fcntl(p[0], F_SETOWN_EX, &ex);
	fcntl(p[0], F_GETOWN_EX, &ex);
	printf("F_OWNER_TID: ex type %d, F_GETOWN is tid: %s\n", ex.type,
	       fcntl(p[0], F_GETOWN) == syscall(SYS_gettid) ? "yes" : "no");
	fcntl(p[0], F_SETSIG, RT_SIG);
	printf("F_GETSIG: %s\n", fcntl(p[0], F_GETSIG) == RT_SIG ? "RT_SIG" : "other");
	fcntl(p[0], F_SETOWN, 0);
	printf("F_SETOWN 0: %d\n", fcntl(p[0], F_GETOWN));
	close(p[0]);
	close(p[1]);
}

/* ---- signals ------------------------------------------------------------ */

static sigset_t watched;

/* Drops whatever SIGIO and RT_SIG instances are pending. */
static void drain(void)
{
	struct timespec zero = { 0, 0 };

	while (sigtimedwait(&watched, NULL, &zero) > 0)
		;
}

/* Waits (up to 5 s) for a signal of code want (for RT_SIG) or for SIGIO,
 * and prints what came; other reasons on the way are skipped, since a
 * socket may also say it is writable. */
static void expect(const char *what, int sig, int want, int fd)
{
	struct timespec limit = { 5, 0 };
	siginfo_t si;

	for (;;) {
		int got = sigtimedwait(&watched, &si, &limit);
		if (got < 0) {
			printf("%s: no signal\n", what);
			return;
		}
		if (got == SIGIO && sig == SIGIO) {
			printf("%s: SIGIO code %#x\n", what, si.si_code);
			break;
		}
		if (got == sig && si.si_code == want) {
			printf("%s: RT_SIG code %d band %#lx fd %s\n", what, si.si_code,
			       (long)si.si_band, si.si_fd == fd ? "right" : "wrong");
			break;
		}
	}
	drain();
}

/* Makes fd signal its owner, this process, with sig (0: plain SIGIO). */
static void make_async(int fd, int sig)
{
	if (fcntl(fd, F_SETOWN, getpid()) || fcntl(fd, F_SETSIG, sig) ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_ASYNC))
		die("async");
}

static void pipes(void)
{
	int p[2], on = 1;
	char buf[65536];

	if (pipe(p))
		die("pipe");
	make_async(p[0], 0);
	write(p[1], "x", 1);
	expect("pipe reader, SIGIO", SIGIO, 0, p[0]);
	fcntl(p[0], F_SETSIG, RT_SIG);
	write(p[1], "y", 1);
	expect("pipe reader, F_SETSIG", RT_SIG, POLL_IN, p[0]);
	close(p[1]);
	expect("pipe reader, writer gone", RT_SIG, POLL_IN, p[0]);
	close(p[0]);

	if (pipe(p))
		die("pipe");
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	while (write(p[1], buf, sizeof buf) > 0)
		;
	fcntl(p[1], F_SETOWN, getpid());
	fcntl(p[1], F_SETSIG, RT_SIG);
	ioctl(p[1], FIOASYNC, &on);
	printf("FIOASYNC shows O_ASYNC: %s\n", fcntl(p[1], F_GETFL) & O_ASYNC ? "yes" : "no");
	read(p[0], buf, sizeof buf);
	expect("pipe writer, room made", RT_SIG, POLL_OUT, p[1]);
	close(p[0]);
	close(p[1]);
}

static void fifo(void)
{
	const char *name = "/tmp/ctl_calls.fifo";

	unlink(name);
	if (mkfifo(name, 0600))
		die("mkfifo");
	int r = open(name, O_RDONLY | O_NONBLOCK), w = open(name, O_WRONLY);
	if (r < 0 || w < 0)
		die("open fifo");
	make_async(r, RT_SIG);
	write(w, "z", 1);
	expect("fifo reader", RT_SIG, POLL_IN, r);
	close(r);
	close(w);
	unlink(name);
}

static void socket_pair(int type, const char *what)
{
	int s[2];

	if (socketpair(AF_UNIX, type, 0, s))
		die("socketpair");
	make_async(s[0], RT_SIG);
	write(s[1], "data", 4);
	expect(what, RT_SIG, POLL_IN, s[0]);
	close(s[0]);
	close(s[1]);
}

static struct sockaddr_in loopback(int fd)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;

	if (bind(fd, (struct sockaddr *)&a, sizeof a) || getsockname(fd, (struct sockaddr *)&a, &len))
		die("bind");
	return a;
}

static void udp(void)
{
	int r = socket(AF_INET, SOCK_DGRAM, 0), w = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = loopback(r);

	make_async(r, RT_SIG);
	sendto(w, "dgram", 5, 0, (struct sockaddr *)&a, sizeof a);
	expect("udp", RT_SIG, POLL_IN, r);
	close(r);
	close(w);
}

static void tcp(void)
{
	int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = loopback(l);

	if (listen(l, 4))
		die("listen");
	make_async(l, RT_SIG);
	if (connect(c, (struct sockaddr *)&a, sizeof a))
		die("connect");
	expect("tcp listener, a connection", RT_SIG, POLL_IN, l);
	int s = accept(l, NULL, NULL);
	if (s < 0)
		die("accept");
	make_async(s, RT_SIG);
	write(c, "stream", 6);
	expect("tcp data", RT_SIG, POLL_IN, s);
	fcntl(s, F_SETFL, fcntl(s, F_GETFL) & ~O_ASYNC);
	write(c, "more", 4);
	struct timespec wait = { 0, 300 * 1000 * 1000 };
	printf("O_ASYNC cleared: %s\n", sigtimedwait(&watched, NULL, &wait) < 0 ? "quiet" : "signalled");
	fcntl(s, F_SETOWN, -getpgrp());
	fcntl(s, F_SETSIG, 0);
	fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_ASYNC);
	write(c, "group", 5);
	expect("tcp data, owner a group", SIGIO, 0, s);
	close(s);
	close(c);
	close(l);
}

/* A SIGIO that is not blocked reaches its handler. */
static volatile sig_atomic_t handled;
static void on_sigio(int sig) { handled = sig; }

static void handler(void)
{
	int p[2];
	sigset_t none;

	if (pipe(p))
		die("pipe");
	signal(SIGIO, on_sigio);
	make_async(p[0], 0);
	sigemptyset(&none);
	write(p[1], "h", 1);
	for (int i = 0; i < 500 && !handled; i++) {
		struct timespec ms = { 0, 10 * 1000 * 1000 };
		sigprocmask(SIG_SETMASK, &none, NULL);
		nanosleep(&ms, NULL);
		sigprocmask(SIG_BLOCK, &watched, NULL);
	}
	printf("handler: %s\n", handled == SIGIO ? "SIGIO" : "nothing");
	close(p[0]);
	close(p[1]);
}

/* ---- pipe sizes --------------------------------------------------------- */

static void pipe_sizes(void)
{
	int p[2], f = open("/tmp/ctl_calls.file", O_RDWR | O_CREAT | O_TRUNC, 0600);
	static char buf[16384], back[16384];

	if (pipe(p) || f < 0)
		die("pipe");
	show("F_GETPIPE_SZ", fcntl(p[0], F_GETPIPE_SZ));
	show("F_SETPIPE_SZ 0", fcntl(p[0], F_SETPIPE_SZ, 0));
	show("F_SETPIPE_SZ 5000", fcntl(p[1], F_SETPIPE_SZ, 5000));
	show("F_GETPIPE_SZ other end", fcntl(p[0], F_GETPIPE_SZ));
	show("F_SETPIPE_SZ 1 MiB", fcntl(p[0], F_SETPIPE_SZ, 1 << 20));
	show("F_SETPIPE_SZ 2 MiB", fcntl(p[0], F_SETPIPE_SZ, 2 << 20));
	show("F_SETPIPE_SZ 2^31+1", fcntl(p[0], F_SETPIPE_SZ, (1u << 31) + 1));
	show("F_SETPIPE_SZ -1", fcntl(p[0], F_SETPIPE_SZ, -1));
	show("F_SETPIPE_SZ 2^32+4096", fcntl(p[0], F_SETPIPE_SZ, (1ul << 32) + 4096));
	show("F_GETPIPE_SZ file", fcntl(f, F_GETPIPE_SZ));
	show("F_SETPIPE_SZ file", fcntl(f, F_SETPIPE_SZ, 4096));
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	show("write 8192 into 4096", write(p[1], buf, 8192));
	show("write 1 more", write(p[1], buf, 1));
	read(p[0], back, sizeof back);
	for (int i = 0; i < (int)sizeof buf; i++)
		buf[i] = (char)(i * 7 + i / 251);
	fcntl(p[0], F_SETPIPE_SZ, 65536);
	show("write 12000", write(p[1], buf, 12000));
	show("shrink below what it holds", fcntl(p[0], F_SETPIPE_SZ, 8192));
	show("grow with data", fcntl(p[0], F_SETPIPE_SZ, 131072));
	show("write 4384", write(p[1], buf + 12000, 4384));
	show("read back", read(p[0], back, sizeof back));
	printf("bytes kept: %s\n", memcmp(buf, back, sizeof buf) ? "no" : "yes");
	close(p[0]);
	close(p[1]);
	close(f);

	unlink("/tmp/ctl_calls.fifo");
	mkfifo("/tmp/ctl_calls.fifo", 0600);
	int r = open("/tmp/ctl_calls.fifo", O_RDONLY | O_NONBLOCK);
	show("fifo F_GETPIPE_SZ", fcntl(r, F_GETPIPE_SZ));
	show("fifo F_SETPIPE_SZ 16384", fcntl(r, F_SETPIPE_SZ, 16384));
	close(r);
	r = open("/tmp/ctl_calls.fifo", O_RDONLY | O_NONBLOCK);
	show("fifo opened again", fcntl(r, F_GETPIPE_SZ));
	close(r);
	unlink("/tmp/ctl_calls.fifo");
}

/* ---- mmap --------------------------------------------------------------- */

static void map(const char *what, int fd, int prot, int flags)
{
	void *m = mmap(NULL, 4096, prot, flags, fd, 0);

	printf("mmap %s: %s\n", what, m == MAP_FAILED ? err_name(errno) : "ok");
	if (m != MAP_FAILED)
		munmap(m, 4096);
}

static void map_fd(const char *what, int fd)
{
	if (fd < 0)
		die(what);
	map(what, fd, PROT_READ, MAP_SHARED);
	close(fd);
}

static void mmaps(void)
{
	int p[2], s[2];
	int file = open("/tmp/ctl_calls.file", O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (pipe(p) || socketpair(AF_UNIX, SOCK_STREAM, 0, s) || ftruncate(file, 4096))
		die("mmap set-up");
	map_fd("pipe", p[0]);
	close(p[1]);
	map_fd("unix socket", s[0]);
	close(s[1]);
	/* Linux maps a TCP socket (receive zero-copy); amphi does not. */
	map_fd("udp socket", socket(AF_INET, SOCK_DGRAM, 0));
	map_fd("directory", open("/tmp", O_RDONLY | O_DIRECTORY));
	map_fd("/dev/null", open("/dev/null", O_RDWR));
	map_fd("/dev/urandom", open("/dev/urandom", O_RDONLY));
	map_fd("eventfd", eventfd(0, 0));
	map_fd("epoll", epoll_create1(0));
	map_fd("/proc/self/status", open("/proc/self/status", O_RDONLY));
	map_fd("O_PATH", open("/tmp/ctl_calls.file", O_PATH));
	map_fd("/dev/zero", open("/dev/zero", O_RDWR));
	map("bad fd", 999, PROT_READ, MAP_SHARED);
	map("fd -1", -1, PROT_READ, MAP_SHARED);
	int ro = open("/tmp/ctl_calls.file", O_RDONLY), wo = open("/tmp/ctl_calls.file", O_WRONLY);
	map("read-only file, shared writable", ro, PROT_READ | PROT_WRITE, MAP_SHARED);
	map("read-only file, private writable", ro, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	map("write-only file, readable", wo, PROT_READ, MAP_SHARED);
	map("write-only file, write only", wo, PROT_WRITE, MAP_SHARED);
	map("read-write file, shared", file, PROT_READ | PROT_WRITE, MAP_SHARED);
	close(ro);
	close(wo);
	close(file);
	unlink("/tmp/ctl_calls.file");
}

static void from_stdin(void)
{
	char line[128];

	make_async(0, RT_SIG);
	printf("ready\n");
	expect("stdin", RT_SIG, POLL_IN, 0);
	ssize_t n = read(0, line, sizeof line - 1);
	line[n > 0 ? n : 0] = 0;
	printf("read: %s", line);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	setpgid(0, 0);	/* the group owner test signals only this process */
	sigemptyset(&watched);
	sigaddset(&watched, SIGIO);
	sigaddset(&watched, RT_SIG);
	sigprocmask(SIG_BLOCK, &watched, NULL);
	if (argc > 1 && !strcmp(argv[1], "stdin")) {
		from_stdin();
		return 0;
	}
	owners();
	pipes();
	fifo();
	socket_pair(SOCK_STREAM, "unix stream");
	socket_pair(SOCK_DGRAM, "unix dgram");
	udp();
	tcp();
	handler();
	pipe_sizes();
	mmaps();
	printf("ctl_calls done\n");
	return 0;
}
