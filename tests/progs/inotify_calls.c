/* inotify, one case per argument; each line is what a call gave (a
 * number or errno's name) or an event read (its watch, its mask's names,
 * its name), the same as on Linux.  Work happens in a new directory under
 * /tmp.
 *   dir      a directory's watch: its entries made, written, read,
 *            opened and closed, renamed, linked and removed, a
 *            subdirectory made and removed, its own listing.
 *   file     a file's watch: written, truncated, its attributes, moved,
 *            linked, unlinked (IN_DELETE_SELF, IN_IGNORED).
 *   flags    IN_ONESHOT, IN_MASK_ADD, IN_MASK_CREATE, IN_ONLYDIR,
 *            IN_DONT_FOLLOW, inotify_rm_watch, bad masks, descriptors
 *            and paths, another user's directory.
 *   read     a buffer too small, O_NONBLOCK, FIONREAD, poll, a read that
 *            waits for a child's write, identical events merged, names
 *            padded to 16 bytes.
 *   overflow 16384 events and more: IN_Q_OVERFLOW last.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "call_result.h"

static char dir[64];
static int wds[8];
static const char *wd_names[8];

static const char *path(const char *name)
{
	static char buf[4][128];
	static int k;
	char *s = buf[k++ % 4];

	snprintf(s, 128, "%s/%s", dir, name);
	return s;
}

static int watch(int fd, const char *label, const char *name, uint32_t mask)
{
	int wd = inotify_add_watch(fd, name ? path(name) : dir, mask);

	for (int i = 0; i < 8; i++)
		if (!wd_names[i] || wds[i] == wd) {
			wds[i] = wd;
			wd_names[i] = label;
			break;
		}
	return wd;
}

static const char *wd_name(int wd)
{
	for (int i = 0; i < 8 && wd_names[i]; i++)
		if (wds[i] == wd)
			return wd_names[i];
	return wd == -1 ? "-1" : "?";
}

static void print_mask(uint32_t m)
{
	static const char *names[] = { "ACCESS", "MODIFY", "ATTRIB", "CLOSE_WRITE", "CLOSE_NOWRITE",
				       "OPEN", "MOVED_FROM", "MOVED_TO", "CREATE", "DELETE",
				       "DELETE_SELF", "MOVE_SELF" };
	const char *sep = "";

	for (int i = 0; i < 12; i++)
		if (m & (1u << i)) {
			printf("%s%s", sep, names[i]);
			sep = "|";
		}
	if (m & IN_Q_OVERFLOW)
		printf("%sQ_OVERFLOW", sep), sep = "|";
	if (m & IN_IGNORED)
		printf("%sIGNORED", sep), sep = "|";
	if (m & IN_ISDIR)
		printf("%sISDIR", sep);
}

/* Prints every event queued now; moves' cookies as equal or not to the
 * previous one's. */
static void drain(int fd)
{
	char buf[65536] __attribute__((aligned(8)));
	uint32_t last_cookie = 0;
	int flags = fcntl(fd, F_GETFL);

	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n <= 0)
			break;
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)p;
			printf("  %s ", wd_name(e->wd));
			print_mask(e->mask);
			if (e->len)
				printf(" %s", e->name);
			if (e->cookie)
				printf(" (cookie%s)", e->cookie == last_cookie ? " same" : "");
			last_cookie = e->cookie;
			printf("\n");
			p += sizeof *e + e->len;
		}
	}
	fcntl(fd, F_SETFL, flags);
}

static void step(int fd, const char *what)
{
	printf("%s:\n", what);
	drain(fd);
}

static void case_dir(int in)
{
	char buf[16];

	watch(in, "dir", NULL, IN_ALL_EVENTS);
	int fd = open(path("a"), O_CREAT | O_WRONLY, 0644);
	step(in, "create a");
	write(fd, "hello", 5);
	write(fd, "again", 5);
	step(in, "two writes");
	close(fd);
	step(in, "close");
	fd = open(path("a"), O_RDONLY);
	read(fd, buf, sizeof buf);
	close(fd);
	step(in, "open, read, close");
	chmod(path("a"), 0600);
	step(in, "chmod");
	rename(path("a"), path("b"));
	step(in, "rename a b");
	link(path("b"), path("c"));
	step(in, "link b c");
	unlink(path("c"));
	step(in, "unlink c");
	unlink(path("b"));
	step(in, "unlink b");
	mkdir(path("sub"), 0755);
	rmdir(path("sub"));
	step(in, "mkdir, rmdir sub");
	symlink("target", path("ln"));
	step(in, "symlink");
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	syscall(SYS_getdents64, fd, buf, sizeof buf);
	close(fd);
	step(in, "list itself (a small buffer)");
	fd = open(path("t"), O_CREAT | O_WRONLY | O_TRUNC, 0644);
	close(fd);
	truncate(path("t"), 100);
	fd = open(path("t"), O_WRONLY | O_TRUNC);
	close(fd);
	step(in, "create t, truncate, open O_TRUNC");
}

static void case_file(int in)
{
	int fd = open(path("f"), O_CREAT | O_WRONLY, 0644);
	close(fd);
	mkdir(path("other"), 0755);
	watch(in, "f", "f", IN_ALL_EVENTS);
	watch(in, "other", "other", IN_ALL_EVENTS);
	watch(in, "dir", NULL, IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO);
	fd = open(path("f"), O_WRONLY | O_APPEND);
	write(fd, "x", 1);
	ftruncate(fd, 0);
	close(fd);
	step(in, "write, ftruncate, close");
	chown(path("f"), 1000, 1000);
	struct timeval tv[2] = { { 1, 0 }, { 2, 0 } };
	utimes(path("f"), tv);
	step(in, "chown, utimes");
	rename(path("f"), path("other/g"));
	step(in, "rename f other/g");
	link(path("other/g"), path("h"));
	step(in, "link other/g h");
	unlink(path("other/g"));
	step(in, "unlink other/g");
	fd = open(path("k"), O_CREAT | O_WRONLY, 0644);
	close(fd);
	rename(path("k"), path("h"));
	step(in, "rename k over h");
	rmdir(path("other"));
	step(in, "rmdir other");
	watch(in, "h", "h", IN_ALL_EVENTS);
	unlink(path("h"));
	step(in, "unlink h, its last name");
	mkdir(path("d2"), 0755);
	watch(in, "d2", "d2", IN_ALL_EVENTS);
	rename(path("d2"), path("d3"));
	chmod(path("d3"), 0700);
	step(in, "rename d2 d3, chmod d3");
}

static void case_flags(int in)
{
	int fd = open(path("f"), O_CREAT | O_WRONLY, 0644);
	close(fd);
	symlink("f", path("ln"));
	mkdir(path("private"), 0700);

	int one = watch(in, "oneshot", "f", IN_ATTRIB | IN_ONESHOT);
	chmod(path("f"), 0600);
	chmod(path("f"), 0644);
	step(in, "IN_ONESHOT, two chmods");
	int f = watch(in, "f", "f", IN_ATTRIB);
	printf("same file, same wd: %s\n", inotify_add_watch(in, path("f"), IN_MODIFY) == f ? "yes" : "no");
	chmod(path("f"), 0600);
	step(in, "chmod after the mask became IN_MODIFY");
	printf("IN_MASK_ADD: %s\n", inotify_add_watch(in, path("f"), IN_ATTRIB | IN_MASK_ADD) == f ? "the wd" : "?");
	fd = open(path("f"), O_WRONLY);
	write(fd, "x", 1);
	close(fd);
	chmod(path("f"), 0644);
	step(in, "write and chmod");
	printf("IN_MASK_CREATE on it: %s\n", res(inotify_add_watch(in, path("f"), IN_ATTRIB | IN_MASK_CREATE)));
	printf("IN_MASK_CREATE|IN_MASK_ADD: %s\n",
	       res(inotify_add_watch(in, path("f"), IN_ATTRIB | IN_MASK_CREATE | IN_MASK_ADD)));
	printf("IN_ONLYDIR on a file: %s\n", res(inotify_add_watch(in, path("f"), IN_ATTRIB | IN_ONLYDIR)));
	printf("mask 0: %s\n", res(inotify_add_watch(in, path("f"), 0)));
	printf("no such path: %s\n", res(inotify_add_watch(in, path("nothing"), IN_ATTRIB)));
	printf("not an instance: %s, fd 99: %s\n", res(inotify_add_watch(1, dir, IN_ATTRIB)),
	       res(inotify_add_watch(99, dir, IN_ATTRIB)));
	int ln = watch(in, "ln", "ln", IN_ATTRIB | IN_DONT_FOLLOW);
	printf("IN_DONT_FOLLOW: %s\n", ln != f ? "its own wd" : "the file's");
	chmod(path("f"), 0600);
	step(in, "chmod f");
	printf("rm_watch f: %s\n", res(inotify_rm_watch(in, f)));
	printf("again: %s, wd 0: %s, another fd: %s\n", res(inotify_rm_watch(in, f)),
	       res(inotify_rm_watch(in, 0)), res(inotify_rm_watch(1, 1)));
	step(in, "after rm_watch");
	printf("oneshot's wd gone: %s\n", res(inotify_rm_watch(in, one)));
	fflush(stdout);
	if (fork() == 0) {
		syscall(SYS_setresuid, 1000, 1000, 1000);
		int mine = inotify_init();
		printf("1000 on root's 0700 directory: %s\n", res(inotify_add_watch(mine, path("private"), IN_CREATE)));
		fflush(stdout);
		_exit(0);
	}
	wait(NULL);
}

static void case_read(int in)
{
	char small[16], buf[256];
	int n = 0;
	struct pollfd p = { in, POLLIN, 0 };

	watch(in, "dir", NULL, IN_CREATE);
	printf("empty, O_NONBLOCK: ");
	fcntl(in, F_SETFL, O_NONBLOCK);
	printf("%s\n", res(read(in, buf, sizeof buf)));
	fcntl(in, F_SETFL, 0);
	printf("poll: %d\n", poll(&p, 1, 0));
	close(open(path("a-long-name-of-twenty"), O_CREAT | O_WRONLY, 0644));
	ioctl(in, FIONREAD, &n);
	printf("FIONREAD: %d, poll: %d\n", n, poll(&p, 1, 0));
	printf("into 16 bytes: %s\n", res(read(in, small, sizeof small)));
	ssize_t got = read(in, buf, sizeof buf);
	struct inotify_event *e = (struct inotify_event *)buf;
	printf("read: %zd, len %u, name %s\n", got, e->len, e->name);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(300000);
		close(open(path("late"), O_CREAT | O_WRONLY, 0644));
		_exit(0);
	}
	got = read(in, buf, sizeof buf);
	printf("a read that waited: %zd, %s\n", got, e->name);
	waitpid(pid, NULL, 0);
	close(open(path("lost"), O_CREAT | O_WRONLY, 0644));
	printf("into a bad buffer: %s\n", res(read(in, (void *)8, 64)));
	fcntl(in, F_SETFL, O_NONBLOCK);
	printf("then: %s\n", res(read(in, buf, sizeof buf)));
}

static void case_overflow(int in)
{
	int a = open(path("a"), O_CREAT | O_WRONLY, 0644), b = open(path("b"), O_CREAT | O_WRONLY, 0644);
	char buf[65536] __attribute__((aligned(8)));
	int events = 0, overflows = 0, last_overflow = 0;

	watch(in, "dir", NULL, IN_MODIFY);
	for (int i = 0; i < 8300; i++) {
		write(a, "x", 1);
		write(b, "x", 1);
	}
	fcntl(in, F_SETFL, O_NONBLOCK);
	for (ssize_t n; (n = read(in, buf, sizeof buf)) > 0;)
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)p;
			events++;
			overflows += (e->mask & IN_Q_OVERFLOW) != 0;
			last_overflow = (e->mask & IN_Q_OVERFLOW) && e->wd == -1;
			p += sizeof *e + e->len;
		}
	printf("events %d, overflows %d, the last one: %s\n", events, overflows, last_overflow ? "yes" : "no");
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return 2;
	snprintf(dir, sizeof dir, "/tmp/inotify_calls.%d", getpid());
	mkdir(dir, 0755);
	int in = inotify_init1(IN_CLOEXEC);
	printf("inotify_init1: %s, bad flags: %s\n", in >= 0 ? "ok" : res(in), res(inotify_init1(1)));
	if (!strcmp(argv[1], "dir"))
		case_dir(in);
	else if (!strcmp(argv[1], "file"))
		case_file(in);
	else if (!strcmp(argv[1], "flags"))
		case_flags(in);
	else if (!strcmp(argv[1], "read"))
		case_read(in);
	else if (!strcmp(argv[1], "overflow"))
		case_overflow(in);
	else
		return 2;
	return 0;	/* the directory stays: amphi's /tmp goes with the VM */
}
