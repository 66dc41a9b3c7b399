/* What a program gets when it tries to change /sys: every call refused,
 * with Linux's errno (sysfs, kernfs: no create, mknod, symlink, link,
 * unlink, rename or tmpfile of its own, so the VFS's permission checks
 * speak first and then "not supported here").  Run as root, then as user
 * 65534 (a child): the second half runs on a Linux host unchanged.
 *
 * As on Linux, root may give an entry a mode and an owner (kernfs keeps
 * them); a user may not (EPERM either way).
 *
 *   sysfs_changes          both halves
 *   sysfs_changes user     only the user's (for a host run by user 65534) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "call_result.h"

#define DIR		"/sys/kernel"
#define NEW		DIR "/amphi_probe"
#define ATTR		DIR "/mm/transparent_hugepage/enabled"
#define ATTR_DIR	DIR "/mm/transparent_hugepage"

static const char *fd_res(int fd)
{
	if (fd >= 0)
		close(fd);
	return res(fd < 0 ? -1 : 0);
}

static void probe(const char *who)
{
	printf("%s: mkdir %s\n", who, res(mkdir(NEW, 0755)));
	printf("%s: mkdir in /sys %s\n", who, res(mkdir("/sys/amphi_probe", 0755)));
	printf("%s: mknod fifo %s\n", who, res(mknod(NEW, S_IFIFO | 0644, 0)));
	printf("%s: symlink %s\n", who, res(symlink("x", NEW)));
	printf("%s: open O_CREAT %s\n", who, fd_res(open(NEW, O_CREAT | O_WRONLY, 0644)));
	printf("%s: open O_TMPFILE %s\n", who, fd_res(open(DIR, O_TMPFILE | O_WRONLY, 0644)));
	printf("%s: link %s\n", who, res(link(ATTR, NEW)));
	printf("%s: rename %s\n", who, res(rename(ATTR, NEW)));
	printf("%s: unlink %s\n", who, res(unlink(ATTR)));
	printf("%s: rmdir %s\n", who, res(rmdir(ATTR_DIR)));
	printf("%s: unlink a directory %s\n", who, res(unlink(ATTR_DIR)));
	printf("%s: rmdir a file %s\n", who, res(rmdir(ATTR)));
	struct stat st;
	printf("%s: chmod 0640 %s\n", who, res(chmod(ATTR, 0640)));
	printf("%s: chown 0:4 %s\n", who, res(chown(ATTR, 0, 4)));
	printf("%s: chmod dir 0750 %s\n", who, res(chmod(ATTR_DIR, 0750)));
	if (!strcmp(who, "root") && !stat(ATTR, &st))	/* (a host's attribute may be writable) */
		printf("%s: mode %o, group %d\n", who, st.st_mode & 07777, (int)st.st_gid);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "user")) {
		probe("user");
		return 0;
	}
	probe("root");
	/* back as they were, so the user half reads the same tree as a host */
	if (chmod(ATTR, 0444) || chown(ATTR, 0, 0) || chmod(ATTR_DIR, 0755))
		return 1;
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			return 1;
		probe("user");
		return 0;
	}
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
