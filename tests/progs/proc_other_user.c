/* What uid 1000 may see of another process's /proc/PID, as Linux allows it
 * (ptrace_may_access, PTRACE_MODE_READ): of a root process its status,
 * stat and cmdline, but not its environment, memory map, executable,
 * directories or descriptors (EACCES); of another uid-1000 process, all
 * of them.  Run as root; one line per check.  Linux's transcript is in
 * tests/vm/test_proc_other_user.py. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(const char *who, const char *entry, long r)
{
	printf("%s %s: %s\n", who, entry, r >= 0 ? "yes" : errno == EACCES ? "EACCES" :
	       errno == ENOENT ? "ENOENT" : strerror(errno));
}

static void try_open(const char *who, int pid, const char *entry)
{
	char path[64], buf[256];
	snprintf(path, sizeof path, "/proc/%d/%s", pid, entry);
	int fd = open(path, O_RDONLY);
	long r = fd < 0 ? -1 : read(fd, buf, sizeof buf);
	show(who, entry, r);
	if (fd >= 0)
		close(fd);
}

static void try_link(const char *who, int pid, const char *entry)
{
	char path[64], buf[256];
	snprintf(path, sizeof path, "/proc/%d/%s", pid, entry);
	show(who, entry, readlink(path, buf, sizeof buf));
}

static void try_dir(const char *who, int pid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/fd", pid);
	DIR *d = opendir(path);
	show(who, "fd", d ? 0 : -1);
	if (d)
		closedir(d);
}

static void look_at(const char *who, int pid)
{
	static const char *files[] = { "status", "stat", "cmdline", "comm", "environ", "maps" };
	static const char *links[] = { "exe", "cwd", "root", "fd/0" };

	for (size_t k = 0; k < sizeof files / sizeof files[0]; k++)
		try_open(who, pid, files[k]);
	for (size_t k = 0; k < sizeof links / sizeof links[0]; k++)
		try_link(who, pid, links[k]);
	try_dir(who, pid);
}

static void become_user(void)
{
	if (setgroups(0, NULL) || setgid(1000) || setuid(1000)) {
		printf("FAIL: cannot become uid 1000: %m\n");
		exit(1);
	}
}

/* A child that waits to be killed, as root or as uid 1000. */
static pid_t sleeper(int user, int ready[2])
{
	pid_t c = fork();
	if (c == 0) {
		if (user) {	/* dumpable again, as an exec would make it */
			become_user();
			prctl(PR_SET_DUMPABLE, 1);
		}
		close(ready[0]);
		close(ready[1]);
		for (;;)
			pause();
	}
	return c;
}

int main(void)
{
	int ready[2];
	pipe(ready);
	setenv("SECRET", "root's", 1);
	pid_t root_child = sleeper(0, ready), user_child = sleeper(1, ready);
	close(ready[1]);
	char c;
	while (read(ready[0], &c, 1) > 0)	/* both have become what they are */
		;
	fflush(stdout);
	pid_t looker = fork();
	if (looker == 0) {
		become_user();
		look_at("root's", root_child);
		look_at("user's", user_child);
		fflush(stdout);
		_exit(0);
	}
	waitpid(looker, NULL, 0);
	kill(root_child, SIGKILL);
	kill(user_child, SIGKILL);
	waitpid(root_child, NULL, 0);
	waitpid(user_child, NULL, 0);
	printf("proc_other_user done\n");
	return 0;
}
