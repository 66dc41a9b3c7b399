/* Linux native AIO through raw system calls (no libaio): io_setup,
 * io_destroy, io_submit, io_cancel, io_getevents, io_pgetevents, their
 * errors and edges, one line per call.  `aio_calls CASE` with CASE one of
 * setup rw poll wait limits stress.  Run as a user (the program drops to
 * 65534 when root) in a directory it may write (/tmp).
 *
 * The transcript is Linux 6.18's on a 2-CPU machine: how many requests
 * one CPU may have outstanding depends on the number of CPUs. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "call_result.h"

struct iocb {
	uint64_t data;
	uint32_t key, rw_flags;
	uint16_t opcode;
	int16_t reqprio;
	uint32_t fd;
	uint64_t buf, nbytes;
	int64_t offset;
	uint64_t reserved2;
	uint32_t flags, resfd;
};

struct io_event {
	uint64_t data, obj;
	int64_t res, res2;
};

struct aio_ring {
	uint32_t id, nr, head, tail, magic, compat, incompat, header_length;
	struct io_event ev[];
};

enum { PREAD, PWRITE, FSYNC, FDSYNC, CMD4, POLL, NOOP, PREADV, PWRITEV };
#define RESFD	1
#define IOPRIO	2

typedef unsigned long ctx_t;

static long setup(unsigned nr, ctx_t *c) { return syscall(SYS_io_setup, nr, c); }
static long destroy(ctx_t c) { return syscall(SYS_io_destroy, c); }
static long submit(ctx_t c, long nr, struct iocb **v) { return syscall(SYS_io_submit, c, nr, v); }
static long cancel(ctx_t c, struct iocb *cb, struct io_event *ev) { return syscall(SYS_io_cancel, c, cb, ev); }
static long getev(ctx_t c, long min, long nr, struct io_event *ev, struct timespec *ts)
{
	return syscall(SYS_io_getevents, c, min, nr, ev, ts);
}

static struct timespec zero;
static char scratch[64];

static void say(const char *what, long r) { printf("%s: %s\n", what, res(r)); }

static struct iocb cb_of(int op, int fd, void *buf, uint64_t n, int64_t off)
{
	return (struct iocb){ .data = 0x5000 + op, .opcode = op, .fd = fd, .buf = (uintptr_t)buf,
			      .nbytes = n, .offset = off };
}

static long submit1(ctx_t c, struct iocb *cb)
{
	struct iocb *v[1] = { cb };
	return submit(c, 1, v);
}

/* One event, waited for: "res R" (and whether it is cb's). */
static void reap(ctx_t c, const char *what, struct iocb *cb)
{
	struct io_event ev;
	long r = getev(c, 1, 1, &ev, NULL);
	if (r != 1) {
		say(what, r);
		return;
	}
	printf("%s: res %s%s%s data %s\n", what, ev.res < 0 ? "-" : "",
	       ev.res < 0 ? (errno = -ev.res, res(-1)) : res(ev.res),
	       ev.obj == (uintptr_t)cb ? "" : " (other iocb)", ev.data == cb->data ? "ok" : "wrong");
}

/* A POLL's event: its events, of those asked for (with POLLERR and
 * POLLHUP).  Linux's own answer has more when a waker's callback
 * completes it (the waker's mask: a pipe's writer says POLLIN|POLLRDNORM)
 * and only these when its work item does (the context's lock was busy),
 * so only these are the same from run to run. */
static void reap_poll(ctx_t c, const char *what, struct iocb *cb)
{
	struct io_event ev;
	long r = getev(c, 1, 1, &ev, NULL);
	if (r != 1) {
		say(what, r);
		return;
	}
	printf("%s: events %#llx%s data %s\n", what,
	       (unsigned long long)(ev.res & (cb->buf | POLLERR | POLLHUP)),
	       ev.obj == (uintptr_t)cb ? "" : " (other iocb)", ev.data == cb->data ? "ok" : "wrong");
}

/* Submits cb alone and reaps its event. */
static void one(ctx_t c, const char *what, struct iocb *cb)
{
	long r = submit1(c, cb);
	if (r != 1) {
		say(what, r);
		return;
	}
	reap(c, what, cb);
}

static long aio_nr(void)
{
	char b[32] = "";
	int fd = open("/proc/sys/fs/aio-nr", O_RDONLY);
	read(fd, b, sizeof b - 1);
	close(fd);
	return atol(b);
}

/* The /proc/self/maps line at addr: its permissions and name. */
static void maps_line(const char *what, unsigned long addr)
{
	char line[512], want[32];
	FILE *f = fopen("/proc/self/maps", "r");
	int found = 0;

	snprintf(want, sizeof want, "%lx-", addr);
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, want, strlen(want)))
			continue;
		char perms[8], name[256] = "";
		sscanf(line, "%*s %7s %*s %*s %*s %255[^\n]", perms, name);
		printf("%s: %s %s\n", what, perms, name);
		found = 1;
	}
	fclose(f);
	if (!found)
		printf("%s: not mapped\n", what);
}

/* Whether the ring's mapping is at addr. */
static int aio_mapped(unsigned long addr)
{
	char line[512], want[32];
	FILE *f = fopen("/proc/self/maps", "r");
	int found = 0;

	snprintf(want, sizeof want, "%lx-", addr);
	while (fgets(line, sizeof line, f))
		found |= !strncmp(line, want, strlen(want)) && strstr(line, "/[aio]");
	fclose(f);
	return found;
}

static void ring_show(const char *what, ctx_t c)
{
	struct aio_ring *r = (void *)c;
	printf("%s: id %u nr %u head %u tail %u magic %#x compat %u incompat %u header %u\n", what,
	       r->id, r->nr, r->head, r->tail, r->magic, r->compat, r->incompat, r->header_length);
}

static int temp_file(void)
{
	char name[] = "aio_calls.XXXXXX";
	int fd = mkstemp(name);
	unlink(name);
	return fd;
}

/* ---- setup ---------------------------------------------------------------------- */

static void case_setup(void)
{
	ctx_t c = 0, c2 = 0, c3 = 0;
	long base = aio_nr();

	say("io_setup NULL", setup(1, NULL));
	c = 1;
	say("io_setup ctx not 0", setup(1, &c));
	c = 0;
	say("io_setup 0", setup(0, &c));
	say("io_setup 0x80000000", setup(0x80000000u, &c));
	say("io_setup 0xffffffff", setup(0xffffffffu, &c));
	say("io_setup 4194304", setup(4194304, &c));
	say("io_setup 4194305", setup(4194305, &c));
	say("io_setup 65537", setup(65537, &c));
	say("io_setup 1", setup(1, &c));
	ring_show("ring of 1", c);
	printf("aio-nr: +%ld\n", aio_nr() - base);
	maps_line("ring mapping", c);
	say("io_setup 128", setup(128, &c2));
	ring_show("ring of 128", c2);
	say("io_setup 1000", setup(1000, &c3));
	ring_show("ring of 1000", c3);
	printf("aio-nr: +%ld\n", aio_nr() - base);
	say("io_setup 65536 beside them", setup(65536, &(ctx_t){ 0 }));
	say("io_destroy first", destroy(c));
	printf("ring after io_destroy: %s\n", aio_mapped(c) ? "still there" : "gone");
	say("io_destroy again", destroy(c));
	say("io_destroy 0", destroy(0));
	say("io_destroy bad pointer", destroy(0x10000));
	say("io_destroy inside ring", destroy(c2 + 64));
	c = 0;
	say("io_setup 1 again", setup(1, &c));
	ring_show("its ring", c);
	struct aio_ring *r = (void *)c2;
	uint32_t id = r->id;
	r->id = 7;
	say("io_getevents, ring id changed", getev(c2, 0, 1, NULL, &zero));
	r->id = id;
	say("io_getevents, id back", getev(c2, 0, 1, NULL, &zero));
	say("io_destroy 128", destroy(c2));
	say("io_destroy 1000", destroy(c3));
	printf("aio-nr: +%ld\n", aio_nr() - base);
	say("munmap ring", munmap((void *)c, 4096));
	say("io_getevents after munmap", getev(c, 0, 1, NULL, &zero));
	say("io_submit after munmap", submit(c, 0, NULL));
	say("io_destroy after munmap", destroy(c));
	printf("aio-nr: +%ld\n", aio_nr() - base);
	c = 0;
	say("io_setup 65536 with the unmapped one", setup(65536, &c));
	say("io_setup 65535", setup(65535, &c));
	ring_show("ring of 65535", c);
	pid_t pid = fork();
	if (!pid) {
		say("child io_getevents on parent's", getev(c, 0, 1, NULL, &zero));
		say("child io_destroy on parent's", destroy(c));
		ctx_t cc = 0;
		say("child io_setup 1", setup(1, &cc));
		ring_show("child's ring", cc);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	say("parent io_getevents after child", getev(c, 0, 1, NULL, &zero));
	say("io_destroy 65535", destroy(c));
	printf("aio-nr: +%ld\n", aio_nr() - base);
	say("io_setup read-only ctx pointer", setup(1, (ctx_t *)(uintptr_t)"\0\0\0\0\0\0\0"));
	printf("aio-nr: +%ld\n", aio_nr() - base);
}

/* ---- reads, writes, syncs ------------------------------------------------------- */

static void rw_errors(ctx_t c, int fd)
{
	struct iocb cb = cb_of(PREAD, fd, scratch, 4, 0);
	struct iocb *v[3];

	say("io_submit nr 0", submit(c, 0, NULL));
	say("io_submit nr -1", submit(c, -1, NULL));
	say("io_submit bad ctx", submit(0x10000, 1, v));
	say("io_submit bad vector", submit(c, 1, (struct iocb **)16));
	v[0] = (struct iocb *)16;
	say("io_submit bad iocb", submit(c, 1, v));
	cb.reserved2 = 1;
	say("reserved2 set", submit1(c, &cb));
	cb = cb_of(PREAD, fd, scratch, (uint64_t)-1, 0);
	say("nbytes -1", submit1(c, &cb));
	cb = cb_of(PREAD, 999, scratch, 4, 0);
	say("bad fd", submit1(c, &cb));
	cb = cb_of(NOOP, fd, NULL, 0, 0);
	say("NOOP", submit1(c, &cb));
	cb = cb_of(CMD4, fd, NULL, 0, 0);
	say("opcode 4", submit1(c, &cb));
	cb = cb_of(9, fd, NULL, 0, 0);
	say("opcode 9", submit1(c, &cb));
	cb = cb_of(PREAD, fd, scratch, 4, -1);
	say("offset -1", submit1(c, &cb));
	cb = cb_of(PREAD, fd, scratch, 4, INT64_MAX - 2);
	say("offset near the end", submit1(c, &cb));
	cb = cb_of(PREAD, fd, (void *)0x800000000000ul, 4, 0);
	say("buffer in the kernel half", submit1(c, &cb));
	cb = cb_of(PREAD, fd, (void *)0x10000, 4, 0);
	one(c, "buffer unmapped", &cb);
	cb = cb_of(PREADV, fd, (void *)16, 1, 0);
	say("PREADV bad vector", submit1(c, &cb));
	cb = cb_of(PREADV, fd, scratch, 1025, 0);
	say("PREADV 1025", submit1(c, &cb));
	struct iovec bad = { scratch, (size_t)-1 };
	cb = cb_of(PREADV, fd, &bad, 1, 0);
	say("PREADV len -1", submit1(c, &cb));
	cb = cb_of(PREADV, fd, NULL, 0, 0);
	one(c, "PREADV of nothing", &cb);
	cb = cb_of(FSYNC, fd, NULL, 1, 0);
	say("FSYNC nbytes 1", submit1(c, &cb));
	cb = cb_of(FSYNC, fd, NULL, 0, 0);
	cb.rw_flags = 2;
	say("FSYNC rw_flags", submit1(c, &cb));
	cb = cb_of(FDSYNC, fd, NULL, 0, 1);
	say("FDSYNC offset", submit1(c, &cb));

	static const struct { unsigned flags; const char *what; } flags[] = {
		{ 0x200, "RWF 0x200" }, { 0x100, "RWF_NOSIGNAL" }, { 0x30, "RWF_APPEND|RWF_NOAPPEND" }, { 0x40, "RWF_ATOMIC read" },
		{ 0x01, "RWF_HIPRI" }, { 0x08, "RWF_NOWAIT" },
	};
	for (unsigned i = 0; i < sizeof flags / sizeof flags[0]; i++) {
		cb = cb_of(PREAD, fd, scratch, 4, 0);
		cb.rw_flags = flags[i].flags;
		if (submit1(c, &cb) == 1)
			reap(c, flags[i].what, &cb);
		else
			say(flags[i].what, -1);
	}
	static const struct { int prio; const char *what; } prios[] = {
		{ 7 << 13, "IOPRIO class 7" }, { 1, "IOPRIO none level 1" }, { 2 << 13 | 4, "IOPRIO best effort 4" },
		{ 1 << 13, "IOPRIO real time as a user" }, { 3 << 13, "IOPRIO idle" },
	};
	for (unsigned i = 0; i < sizeof prios / sizeof prios[0]; i++) {
		cb = cb_of(PREAD, fd, scratch, 4, 0);
		cb.flags = IOPRIO;
		cb.reqprio = prios[i].prio;
		if (submit1(c, &cb) == 1)
			reap(c, prios[i].what, &cb);
		else
			say(prios[i].what, -1);
	}
	struct iocb a = cb_of(PREAD, fd, scratch, 4, 0), b = cb_of(PREAD, 999, scratch, 4, 0), d = a;
	v[0] = &a, v[1] = &b, v[2] = &d;
	say("io_submit good, bad fd, good", submit(c, 3, v));
	reap(c, "its event", &a);
	v[1] = NULL;
	say("io_submit good, NULL", submit(c, 2, v));
	reap(c, "its event", &a);
}

static void rw_files(ctx_t c, int fd)
{
	char in[64] = "";
	struct iocb cb = cb_of(PWRITE, fd, "hello, world", 12, 0);

	cb.key = 0x1234;
	one(c, "PWRITE 12 at 0", &cb);
	printf("aio_key after: %#x\n", cb.key);
	cb = cb_of(PREAD, fd, in, 5, 7);
	one(c, "PREAD 5 at 7", &cb);
	printf("read: %s\n", in);
	struct iovec wv[2] = { { "abc", 3 }, { "defgh", 5 } };
	cb = cb_of(PWRITEV, fd, wv, 2, 100);
	one(c, "PWRITEV 3+5 at 100", &cb);
	memset(in, 0, sizeof in);
	struct iovec rv[3] = { { in, 2 }, { in + 10, 0 }, { in + 2, 10 } };
	cb = cb_of(PREADV, fd, rv, 3, 99);
	one(c, "PREADV 2+0+10 at 99", &cb);
	printf("read: %d %.8s\n", in[0], in + 1);
	cb = cb_of(PREAD, fd, in, 8, 1000);
	one(c, "PREAD past the end", &cb);
	cb = cb_of(PREAD, fd, in, 8, 1ll << 40);
	one(c, "PREAD at 1 TiB", &cb);
	cb = cb_of(FSYNC, fd, NULL, 0, 0);
	one(c, "FSYNC", &cb);
	cb = cb_of(FDSYNC, fd, NULL, 0, 0);
	one(c, "FDSYNC", &cb);
	cb = cb_of(PWRITE, fd, "xyz", 3, 0);
	cb.rw_flags = 2;
	one(c, "PWRITE RWF_DSYNC", &cb);
	cb = cb_of(PWRITE, fd, "tail", 4, 0);
	cb.rw_flags = 0x10;
	one(c, "PWRITE RWF_APPEND", &cb);
	memset(in, 0, sizeof in);
	cb = cb_of(PREAD, fd, in, 4, 108);
	one(c, "PREAD the appended", &cb);
	printf("read: %s\n", in);
	int ro = open("/proc/self/fd/0", O_RDONLY);
	int wr = dup(fd);
	fcntl(wr, F_SETFL, 0);
	char name[32];
	snprintf(name, sizeof name, "/proc/self/fd/%d", fd);
	int wo = open(name, O_WRONLY);
	cb = cb_of(PREAD, wo, in, 4, 0);
	say("PREAD on O_WRONLY", submit1(c, &cb));
	int rdo = open(name, O_RDONLY);
	cb = cb_of(PWRITE, rdo, "x", 1, 0);
	say("PWRITE on O_RDONLY", submit1(c, &cb));
	close(ro), close(wr), close(wo), close(rdo);
}

static void rw_streams(ctx_t c)
{
	int p[2], s[2], efd = eventfd(0, 0);
	char in[16] = "";
	uint64_t n = 0;

	pipe(p);
	struct iocb cb = cb_of(PWRITE, p[1], "pipe", 4, 12345);
	one(c, "PWRITE to a pipe at 12345", &cb);
	cb = cb_of(PREAD, p[0], in, 16, 777);
	one(c, "PREAD from a pipe", &cb);
	printf("read: %s\n", in);
	cb = cb_of(FSYNC, p[0], NULL, 0, 0);
	say("FSYNC a pipe", submit1(c, &cb));
	cb = cb_of(PREAD, p[0], in, 4, 0);
	cb.rw_flags = 0x08;
	one(c, "PREAD RWF_NOWAIT of an empty pipe", &cb);
	socketpair(AF_UNIX, SOCK_STREAM, 0, s);
	cb = cb_of(PWRITE, s[0], "sock", 4, 0);
	one(c, "PWRITE to a socket", &cb);
	memset(in, 0, sizeof in);
	cb = cb_of(PREAD, s[1], in, 16, 0);
	one(c, "PREAD from a socket", &cb);
	printf("read: %s\n", in);
	cb = cb_of(PWRITE, p[1], "x", 1, 0);
	cb.flags = RESFD;
	cb.resfd = efd;
	one(c, "PWRITE with RESFD", &cb);
	read(efd, &n, 8);
	printf("eventfd: %llu\n", (unsigned long long)n);
	cb.resfd = p[0];
	say("RESFD a pipe", submit1(c, &cb));
	cb.resfd = 999;
	say("RESFD bad fd", submit1(c, &cb));
	cb = cb_of(PREAD, efd, &n, 8, 0);
	say("FSYNC an eventfd", (cb.opcode = FSYNC, cb.buf = 0, cb.nbytes = 0, submit1(c, &cb)));
	close(p[0]);
	cb = cb_of(PWRITE, p[1], "x", 1, 0);
	cb.rw_flags = 0x100;
	one(c, "PWRITE RWF_NOSIGNAL to a broken pipe", &cb);
	signal(SIGPIPE, SIG_IGN);
	cb = cb_of(PWRITE, p[1], "x", 1, 0);
	one(c, "PWRITE to a broken pipe", &cb);
	close(p[1]), close(s[0]), close(s[1]), close(efd);
}

/* What libaio does: reap straight from the ring while it is not empty. */
static void rw_user_reap(ctx_t c, int fd)
{
	struct aio_ring *r = (void *)c;
	struct iocb cb = cb_of(PREAD, fd, scratch, 4, 0);

	submit1(c, &cb);
	submit1(c, &cb);
	unsigned head = r->head, tail = r->tail;
	printf("ring holds: %u\n", (tail + r->nr - head) % r->nr);
	printf("user reaps: res %lld data %s\n", (long long)r->ev[head].res,
	       r->ev[head].data == cb.data ? "ok" : "wrong");
	r->head = (head + 1) % r->nr;
	struct io_event ev[4];
	say("io_getevents the other", getev(c, 0, 4, ev, &zero));
	say("io_getevents none left", getev(c, 0, 4, ev, &zero));
	submit1(c, &cb);
	say("io_getevents to a bad buffer", getev(c, 1, 4, (void *)16, &zero));
	say("io_getevents it is still there", getev(c, 1, 4, ev, &zero));
	say("io_getevents min > nr", getev(c, 2, 1, ev, &zero));
	say("io_getevents min -1", getev(c, -1, 1, ev, &zero));
	say("io_getevents nr 0", getev(c, 0, 0, ev, &zero));
	say("io_getevents bad timeout", getev(c, 0, 1, ev, (void *)16));
	say("io_getevents bad ctx", getev(0x10000, 0, 1, ev, &zero));
	r->head = 12345;	/* what a confused program may write: taken modulo nr */
	say("io_getevents after head 12345", getev(c, 0, 1, ev, &zero) >= 0);
	r->head = r->tail;
	say("io_cancel a done PREAD", cancel(c, &cb, ev));
	cb.key = 1;
	say("io_cancel key 1", cancel(c, &cb, ev));
	say("io_cancel bad iocb", cancel(c, (void *)16, ev));
}

static void case_rw(void)
{
	ctx_t c = 0;
	int fd = temp_file();

	setup(16, &c);
	rw_files(c, fd);
	rw_errors(c, fd);
	rw_streams(c);
	rw_user_reap(c, fd);
	say("io_destroy", destroy(c));
}

/* ---- poll ----------------------------------------------------------------------- */

static void case_poll(void)
{
	ctx_t c = 0;
	int p[2], efd = eventfd(0, 0), fd = temp_file();
	struct io_event ev;
	uint64_t n;

	setup(8, &c);
	pipe(p);
	struct iocb cb = cb_of(POLL, p[0], (void *)POLLIN, 0, 0);
	say("POLL an empty pipe", submit1(c, &cb));
	say("io_getevents now", getev(c, 0, 1, &ev, &zero));
	write(p[1], "x", 1);
	reap_poll(c, "after a write", &cb);
	struct iocb out = cb_of(POLL, p[1], (void *)POLLOUT, 0, 0);
	one(c, "POLL a pipe for POLLOUT", &out);
	struct iocb reg = cb_of(POLL, fd, (void *)(POLLIN | POLLPRI), 0, 0);
	one(c, "POLL a regular file", &reg);
	cb = cb_of(POLL, p[0], (void *)0x10001, 0, 0);
	say("POLL events 0x10001", submit1(c, &cb));
	cb = cb_of(POLL, p[0], (void *)POLLIN, 0, 1);
	say("POLL offset 1", submit1(c, &cb));
	cb = cb_of(POLL, p[0], (void *)POLLIN, 1, 0);
	say("POLL nbytes 1", submit1(c, &cb));
	cb = cb_of(POLL, p[0], (void *)POLLIN, 0, 0);
	cb.rw_flags = 1;
	say("POLL rw_flags", submit1(c, &cb));
	read(p[0], scratch, 1);
	cb = cb_of(POLL, p[0], (void *)POLLIN, 0, 0);
	say("POLL again", submit1(c, &cb));
	say("io_cancel it", cancel(c, &cb, &ev));
	reap(c, "its event", &cb);
	say("io_cancel again", cancel(c, &cb, &ev));
	struct iocb withfd = cb_of(POLL, p[0], (void *)POLLIN, 0, 0);
	withfd.flags = RESFD;
	withfd.resfd = efd;
	say("POLL with RESFD", submit1(c, &withfd));
	struct pollfd pf = { efd, POLLIN, 0 };
	say("eventfd ready before", poll(&pf, 1, 0));
	write(p[1], "y", 1);
	reap_poll(c, "after a write", &withfd);
	read(efd, &n, 8);
	printf("eventfd: %llu\n", (unsigned long long)n);
	read(p[0], scratch, 1);
	int q[2];
	pipe(q);
	cb = cb_of(POLL, q[0], (void *)POLLIN, 0, 0);
	say("POLL, then its fd closed", submit1(c, &cb));
	int keep = dup(q[0]);
	close(q[0]);
	write(q[1], "z", 1);
	reap_poll(c, "after a write", &cb);
	cb = cb_of(POLL, keep, (void *)POLLOUT, 0, 0);
	read(keep, scratch, 1);
	cb.buf = POLLIN;
	say("POLL, then the writer closed", submit1(c, &cb));
	close(q[1]);
	reap_poll(c, "its event", &cb);
	close(keep);
	cb = cb_of(POLL, efd, (void *)POLLIN, 0, 0);
	say("POLL an eventfd", submit1(c, &cb));
	n = 3;
	write(efd, &n, 8);
	reap_poll(c, "after a write", &cb);
	int s[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, s);
	cb = cb_of(POLL, s[1], (void *)(POLLIN | POLLRDHUP), 0, 0);
	say("POLL a socket", submit1(c, &cb));
	shutdown(s[0], SHUT_WR);
	reap_poll(c, "after the peer's shutdown", &cb);
	struct iocb pend[3];
	for (int i = 0; i < 3; i++) {
		pend[i] = cb_of(POLL, p[0], (void *)POLLIN, 0, 0);
		pend[i].data = i;
		submit1(c, &pend[i]);
	}
	say("io_cancel the second of three", cancel(c, &pend[1], &ev));
	say("io_getevents", getev(c, 1, 1, &ev, NULL));
	printf("cancelled: data %llu res %lld\n", (unsigned long long)ev.data, (long long)ev.res);
	long base = aio_nr();
	say("io_destroy with two pending", destroy(c));
	printf("aio-nr: %ld\n", aio_nr() - base);
	c = 0;
	setup(1, &c);
	cb = cb_of(POLL, p[0], (void *)POLLIN, 0, 0);
	say("POLL in a new context", submit1(c, &cb));
	say("exit with it pending", 0);
}

/* ---- waiting -------------------------------------------------------------------- */

static ctx_t wctx;
static int wpipe[2];
static volatile int handled;

static void on_signal(int sig) { handled = sig; }

static void *waiter(void *arg)
{
	struct io_event ev;
	long r = getev(wctx, 1, 1, &ev, NULL);
	*(long *)arg = r == 1 ? (long)ev.data : r < 0 ? -errno : -1000;
	return NULL;
}

static void wait_threads(void)
{
	pthread_t t[4];
	long got[4];
	struct iocb cb[4];

	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, waiter, &got[i]);
	usleep(100000);
	for (int i = 0; i < 4; i++) {
		cb[i] = cb_of(PREAD, wpipe[0], scratch, 0, 0);
		cb[i].data = 1 << i;
		submit1(wctx, &cb[i]);
	}
	long seen = 0;
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		seen |= got[i] > 0 ? got[i] : 0;
	}
	printf("4 waiters, 4 events: each once: %s\n", seen == 15 ? "yes" : "no");
	pthread_create(&t[0], NULL, waiter, &got[0]);
	usleep(100000);
	say("io_destroy under a waiter", destroy(wctx));
	pthread_join(t[0], NULL);
	errno = got[0] < 0 ? -got[0] : 0;
	printf("the waiter: %s\n", got[0] < 0 ? res(-1) : "an event");
}

static void case_wait(void)
{
	struct io_event ev[4];
	struct timespec ms50 = { 0, 50000000 };
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };

	setup(8, &wctx);
	pipe(wpipe);
	say("io_getevents 50 ms, nothing", getev(wctx, 1, 1, ev, &ms50));
	struct iocb cb = cb_of(PREAD, wpipe[0], scratch, 0, 0);
	submit1(wctx, &cb);
	say("io_getevents min 2, one there, 50 ms", getev(wctx, 2, 4, ev, &ms50));
	sigaction(SIGALRM, &sa, NULL);
	ualarm(50000, 0);
	say("io_getevents, SA_RESTART signal", getev(wctx, 1, 1, ev, NULL));
	printf("handler ran: %d\n", handled == SIGALRM);
	struct timespec neg = { -1, 0 };
	ualarm(50000, 0);
	say("io_getevents timeout -1 s waits, then a signal", getev(wctx, 1, 1, ev, &neg));
	sigaction(SIGUSR1, &sa, NULL);
	sigset_t block, none;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&none);
	sigprocmask(SIG_BLOCK, &block, NULL);
	handled = 0;
	raise(SIGUSR1);
	struct { sigset_t *mask; size_t size; } ss = { &none, 8 };
	say("io_pgetevents, mask opened to a pending one",
	    syscall(SYS_io_pgetevents, wctx, 1, 1, ev, NULL, &ss));
	printf("handler ran: %d\n", handled == SIGUSR1);
	sigset_t now;
	sigprocmask(SIG_BLOCK, NULL, &now);
	printf("mask back: %d\n", sigismember(&now, SIGUSR1));
	ss.size = 4;
	say("io_pgetevents sigsetsize 4", syscall(SYS_io_pgetevents, wctx, 1, 1, ev, &zero, &ss));
	say("io_pgetevents bad sigset", syscall(SYS_io_pgetevents, wctx, 1, 1, ev, &zero, (void *)16));
	ss = (typeof(ss)){ NULL, 0 };
	say("io_pgetevents no mask", syscall(SYS_io_pgetevents, wctx, 0, 1, ev, &zero, &ss));
	submit1(wctx, &cb);
	say("io_pgetevents NULL sigset", syscall(SYS_io_pgetevents, wctx, 1, 1, ev, &zero, NULL));
	wait_threads();
}

/* ---- limits --------------------------------------------------------------------- */

static void case_limits(void)
{
	ctx_t c = 0, many[200];
	struct io_event ev[200];
	int fd = temp_file(), p[2];
	struct iocb cb = cb_of(PREAD, fd, scratch, 4, 0), *v[300];
	long base = aio_nr();

	setup(1, &c);
	long n = 0;
	while (n < 1000 && submit1(c, &cb) == 1)
		n++;
	printf("outstanding in a ring of %u: %ld, then %s\n", ((struct aio_ring *)c)->nr, n, res(-1));
	say("io_getevents 10", getev(c, 10, 10, ev, NULL));
	n = 0;
	while (n < 1000 && submit1(c, &cb) == 1)
		n++;
	printf("then again: %ld\n", n);
	for (int i = 0; i < 300; i++)
		v[i] = &cb;
	say("io_getevents all", getev(c, 0, 200, ev, &zero));
	say("io_submit 300 at once", submit(c, 300, v));
	destroy(c);
	pipe(p);
	c = 0;
	setup(4, &c);
	n = 0;
	struct iocb pc = cb_of(POLL, p[0], (void *)POLLIN, 0, 0);
	while (n < 1000 && submit1(c, &pc) == 1)
		n++;
	printf("polls pending in a ring of %u: %ld, then %s\n", ((struct aio_ring *)c)->nr, n, res(-1));
	say("io_destroy with them", destroy(c));
	int k = 0;
	while (k < 200 && (many[k] = 0, setup(512, &many[k]) == 0))
		k++;
	printf("contexts of 512: %d, then %s\n", k, res(-1));
	printf("aio-nr: +%ld\n", aio_nr() - base);
	for (int i = 0; i < k; i++)
		destroy(many[i]);
	printf("aio-nr: +%ld\n", aio_nr() - base);
}

/* ---- stress: threads submitting, reaping, cancelling, destroying ----------------------- */

static int sfd;
static ctx_t sctx;

static void *rw_worker(void *arg)
{
	long id = (long)arg, bad = 0;
	char out[64], in[64];
	struct io_event ev[2];

	for (int i = 0; i < 150; i++) {
		snprintf(out, sizeof out, "t%ld-%d", id, i);
		struct iocb w = cb_of(PWRITE, sfd, out, 64, id * 64);
		struct iocb r = cb_of(PREAD, sfd, in, 64, id * 64);
		w.data = id << 32 | i;
		r.data = id << 32 | i | 1u << 31;
		if (submit1(sctx, &w) != 1 || submit1(sctx, &r) != 1) {
			bad++;
			continue;
		}
		/* anyone's events: count them, the total is checked at the end */
		long got = getev(sctx, 2, 2, ev, NULL);
		if (got != 2)
			bad++;
	}
	return (void *)bad;
}

static void *churn(void *arg)
{
	long bad = 0;
	int p[2];

	(void)arg;
	pipe(p);
	for (int i = 0; i < 100; i++) {
		ctx_t c = 0;
		if (setup(4, &c)) {
			bad++;
			continue;
		}
		struct iocb cb = cb_of(POLL, p[0], (void *)POLLIN, 0, 0);
		submit1(c, &cb);
		if (i % 3 == 0)
			cancel(c, &cb, NULL);
		if (destroy(c))
			bad++;
	}
	close(p[0]), close(p[1]);
	return (void *)bad;
}

static ctx_t shared;

static void *racer(void *arg)
{
	long n = 0;
	int p[2];

	(void)arg;
	pipe(p);
	for (int i = 0; i < 300; i++) {
		struct iocb cb = cb_of(POLL, p[0], (void *)POLLIN, 0, 0);
		ctx_t c = __atomic_load_n(&shared, __ATOMIC_ACQUIRE);
		long r = submit1(c, &cb);
		struct io_event ev;
		if (r == 1)
			n++;
		getev(c, 0, 1, &ev, &zero);
	}
	close(p[0]), close(p[1]);
	return (void *)n;
}

static void case_stress(void)
{
	pthread_t t[8];
	long bad = 0;

	sfd = temp_file();
	setup(64, &sctx);
	for (long i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, rw_worker, (void *)i);
	pthread_create(&t[4], NULL, churn, NULL);
	for (int i = 0; i < 5; i++) {
		void *r;
		pthread_join(t[i], &r);
		bad += (long)r;
	}
	printf("threads submitting and reaping: %ld failures\n", bad);
	char in[64];
	int right = 0;
	for (long id = 0; id < 4; id++) {
		char want[64] = "";
		snprintf(want, sizeof want, "t%ld-149", id);
		pread(sfd, in, 64, id * 64);
		right += !strcmp(in, want);
	}
	printf("last writes read back: %d of 4\n", right);
	struct io_event ev;
	say("nothing left over", getev(sctx, 0, 1, &ev, &zero));
	destroy(sctx);
	/* submits and reaps racing io_destroy of the same context */
	for (int round = 0; round < 20; round++) {
		ctx_t c = 0;
		setup(32, &c);
		__atomic_store_n(&shared, c, __ATOMIC_RELEASE);
		for (int i = 0; i < 3; i++)
			pthread_create(&t[i], NULL, racer, NULL);
		usleep(2000);
		if (destroy(c))
			bad++;
		for (int i = 0; i < 3; i++)
			pthread_join(t[i], NULL);
	}
	printf("io_destroy racing submits: %ld failures\n", bad);
	printf("aio-nr: %ld\n", aio_nr());
}

int main(int argc, char **argv)
{
	static const struct { const char *name; void (*fn)(void); } cases[] = {
		{ "setup", case_setup }, { "rw", case_rw }, { "poll", case_poll },
		{ "wait", case_wait }, { "limits", case_limits }, { "stress", case_stress },
	};

	setvbuf(stdout, NULL, _IONBF, 0);
	if (chdir("/tmp")) {
		perror("/tmp");
		return 1;
	}
	if (getuid() == 0 && (setgroups(0, NULL) || setgid(65534) || setuid(65534))) {
		perror("drop to 65534");
		return 1;
	}
	for (unsigned i = 0; argc == 2 && i < sizeof cases / sizeof cases[0]; i++) {
		if (!strcmp(argv[1], cases[i].name)) {
			cases[i].fn();
			return 0;
		}
	}
	fprintf(stderr, "usage: aio_calls setup|rw|poll|wait|limits|stress\n");
	return 2;
}
