/* Names of running VMs (amphi run --name), so that amphi kill and amphi
 * stop find the amphi run that owns one.
 *
 * Each name is a file .vms/NAME in the runtime folder (a folder no server
 * name can be: those start with a letter or digit) holding the pid of its
 * amphi run, which keeps an exclusive flock on it for its whole life.  As
 * with servers (runtime.c), "is it running?" is "is that lock held?": a
 * file left by an amphi run that died is simply taken over.  Taking a name
 * and giving it back (the file and, when it is the last, the folder go)
 * happen under the runtime folder's short lock, so a name is never taken
 * on a file that is being removed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "amphi.h"
#include "server.h"

static char *claimed;	/* this process's name file, removed at exit */

static char *vms_dir(void)
{
	return xasprintf("%s/.vms", runtime_dir());
}

static void name_release(void)
{
	int lock = runtime_lock();
	char *dir = vms_dir();

	unlink(claimed);
	rmdir(dir);	/* only when no other name is in it */
	close(lock);
	free(dir);
}

static char *name_path(const char *name)
{
	char *dir = vms_dir();

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		die_status(EXIT_VMFAIL, "%s: %s", dir, strerror(errno));
	char *path = xasprintf("%s/%s", dir, name);
	free(dir);
	return path;
}

/* Removes the files of names whose amphi run is gone (killed, so its exit
 * handler never ran).  Caller holds the runtime lock. */
static void sweep_stale(void)
{
	char *dir = vms_dir();
	DIR *d = opendir(dir);

	free(dir);
	if (!d)
		return;
	for (struct dirent *e; (e = readdir(d));) {
		int fd = openat(dirfd(d), e->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd >= 0 && e->d_name[0] != '.' && flock(fd, LOCK_EX | LOCK_NB) == 0)
			unlinkat(dirfd(d), e->d_name, 0);
		if (fd >= 0)
			close(fd);
	}
	closedir(d);
}

/* Takes NAME for this process's life; dies (status 2) when a running VM
 * has it. */
void vm_name_claim(const char *name)
{
	int lock = runtime_lock();
	char *path = name_path(name);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	char pid[24];

	if (fd < 0)
		die_status(EXIT_VMFAIL, "%s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		die("run: --name %s: a VM of that name is running (amphi stop %s ends it)", name, name);
	sweep_stale();
	close(lock);
	int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n)
		die_status(EXIT_VMFAIL, "%s: %s", path, strerror(errno));
	claimed = path;	/* fd stays open, and locked, until amphi exits */
	atexit(name_release);
}

/* The pid of the amphi run that has NAME, or 0 when none runs. */
pid_t vm_name_pid(const char *name)
{
	char *path = name_path(name);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	char buf[24] = "";
	pid_t pid = 0;

	free(path);
	if (fd < 0)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK &&
	    pread(fd, buf, sizeof buf - 1, 0) > 0)
		pid = (pid_t)atol(buf);
	close(fd);
	return pid > 0 ? pid : 0;
}

/* The pid of the amphi run named by the command's one operand (argv[optind]);
 * dies (status 2) when there is none, or no VM of that name runs. */
pid_t vm_running(const char *cmd, int argc, char **argv)
{
	if (optind >= argc)
		die("%s: missing APP (see amphi help %s)", cmd, cmd);
	if (optind + 1 < argc)
		die("%s: one APP only, not '%s' too", cmd, argv[optind + 1]);
	const char *app = argv[optind];

	if (!app_name_ok(app))
		die("%s: '%s' is not an app name (as amphi run --name takes)", cmd, app);
	pid_t pid = vm_name_pid(app);
	if (!pid)
		die("%s: no VM named %s is running (amphi run --name)", cmd, app);
	return pid;
}
