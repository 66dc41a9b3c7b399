/* User and group ids (setuid, setreuid, setresuid, the gid forms,
 * setgroups) with Linux's rules for an unprivileged process, fork keeping
 * them; prctl(PR_SET_DUMPABLE); O_ASYNC by fcntl and FIOASYNC, F_SETOWN.
 * Run as root (as amphi's programs are); one line per check, Linux's
 * transcript in tests/vm/proc_expected.py. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Raw calls: libc's set*id go to every thread, and musl's may check. */
#define SYS3(n, a, b, c) syscall(n, (long)(a), (long)(b), (long)(c))

static void check(int ok, const char *what)
{
	printf("%s: %s\n", what, ok ? "ok" : "FAIL");
	if (!ok)
		exit(1);
}

static const char *err(long r)
{
	static char buf[32];
	if (r == 0)
		return "0";
	snprintf(buf, sizeof buf, "%s", errno == EPERM ? "EPERM" : errno == EINVAL ? "EINVAL" :
		 errno == EFAULT ? "EFAULT" : "other");
	return buf;
}

static void show_ids(const char *when)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;
	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	printf("%s: uid %u %u %u gid %u %u %u (getuid %u geteuid %u getgid %u getegid %u)\n", when,
	       r, e, s, gr, ge, gs, getuid(), geteuid(), getgid(), getegid());
}

static void unprivileged(void)
{
	show_ids("child at start");
	printf("setresgid(100, 100, 100): %s\n", err(SYS3(SYS_setresgid, 100, 100, 100)));
	printf("setresuid(1000, 1000, 0): %s\n", err(SYS3(SYS_setresuid, 1000, 1000, 0)));
	show_ids("after dropping");
	printf("setgroups as 1000: %s\n", err(SYS3(SYS_setgroups, 0, 0, 0)));
	printf("setuid(7): %s\n", err(SYS3(SYS_setuid, 7, 0, 0)));
	printf("setgid(7): %s\n", err(SYS3(SYS_setgid, 7, 0, 0)));
	printf("setreuid(-1, 5): %s\n", err(SYS3(SYS_setreuid, -1, 5, 0)));
	printf("setresuid(-1, 0, -1): %s\n", err(SYS3(SYS_setresuid, -1, 0, -1)));
	show_ids("effective 0 again (the saved id)");
	printf("setuid(1000) with effective 0: %s\n", err(SYS3(SYS_setuid, 1000, 0, 0)));
	show_ids("all 1000");
	printf("setuid(0) now: %s\n", err(SYS3(SYS_setuid, 0, 0, 0)));
	printf("setreuid(1000, 1000): %s\n", err(SYS3(SYS_setreuid, 1000, 1000, 0)));
	printf("setgid(100) as a group held: %s\n", err(SYS3(SYS_setgid, 100, 0, 0)));
	int d = prctl(PR_GET_DUMPABLE);
	printf("dumpable in the child: %d\n", d);
	pid_t pid = fork();
	if (!pid) {
		show_ids("grandchild");
		_exit(0);
	}
	waitpid(pid, NULL, 0);
}

int main(void)
{
	gid_t g[8] = { 5, 6, 7 };

	setvbuf(stdout, NULL, _IONBF, 0);
	if (geteuid() != 0)
		return printf("run as root\n"), 2;
	printf("setgroups(0): %s\n", err(SYS3(SYS_setgroups, 0, 0, 0)));
	printf("getgroups(0): %ld\n", syscall(SYS_getgroups, 0, 0));
	printf("setgroups(3): %s\n", err(SYS3(SYS_setgroups, 3, g, 0)));
	memset(g, 0, sizeof g);
	long n = syscall(SYS_getgroups, 8, g);
	printf("getgroups: %ld: %u %u %u\n", n, g[0], g[1], g[2]);
	printf("getgroups(1) too small: %s\n", err(syscall(SYS_getgroups, 1, g) < 0 ? -1 : 0));
	printf("setgroups(70000): %s\n", err(SYS3(SYS_setgroups, 70000, g, 0)));
	printf("setgroups from a bad pointer: %s\n", err(SYS3(SYS_setgroups, 2, 8, 0)));
	printf("setuid(-1): %s\n", err(SYS3(SYS_setuid, -1, 0, 0)));
	printf("dumpable: %d\n", prctl(PR_GET_DUMPABLE));
	printf("PR_SET_DUMPABLE 0: %s\n", err(prctl(PR_SET_DUMPABLE, 0)));
	printf("dumpable: %d\n", prctl(PR_GET_DUMPABLE));
	printf("PR_SET_DUMPABLE 2: %s\n", err(prctl(PR_SET_DUMPABLE, 2)));
	pid_t pid = fork();
	if (!pid) {
		unprivileged();
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && !WEXITSTATUS(st), "the child ended");
	show_ids("the parent's after the child's changes");
	prctl(PR_SET_DUMPABLE, 1);

	int p[2];
	pipe(p);
	check(fcntl(p[0], F_SETFL, O_ASYNC | O_NONBLOCK) == 0, "F_SETFL O_ASYNC");
	check((fcntl(p[0], F_GETFL) & (O_ASYNC | O_NONBLOCK)) == (O_ASYNC | O_NONBLOCK),
	      "F_GETFL shows O_ASYNC");
	int off = 0;
	check(ioctl(p[0], FIOASYNC, &off) == 0 && !(fcntl(p[0], F_GETFL) & O_ASYNC),
	      "FIOASYNC 0 clears it");
	int on = 1;
	check(ioctl(p[0], FIOASYNC, &on) == 0 && (fcntl(p[0], F_GETFL) & O_ASYNC),
	      "FIOASYNC 1 sets it");
	check(fcntl(p[0], F_GETOWN) == 0, "F_GETOWN at first: 0");
	check(fcntl(p[0], F_SETOWN, getpid()) == 0 && fcntl(p[0], F_GETOWN) == getpid(),
	      "F_SETOWN then F_GETOWN");
	check(ioctl(p[0], FIOASYNC, &off) == 0, "FIOASYNC off again");
	printf("proc_ids ok\n");
	return 0;
}
