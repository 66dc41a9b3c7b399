/* The runtime folder: where network servers live, so that every amphi
 * command finds one by name (docs/netserver.md, "The host side").
 *
 * Each server has a folder NAME/ there.  Its supervisor holds an exclusive
 * flock on NAME/pid for its whole life (the lock goes with the process,
 * whatever way it ends), so "is it alive?" is "is that lock held?", with
 * no pid to be reused.  Creating a folder, and removing one whose
 * supervisor died, happen under a short lock on the runtime folder itself,
 * so two commands never race over a name. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "amphi.h"
#include "server.h"

static const char *base_dir(void)
{
	const char *env = getenv("AMPHI_RUNTIME_DIR");
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (env && *env)
		return xstrdup(env);
	if (geteuid() == 0)
		return "/run/amphi";
	if (xdg && *xdg)
		return xasprintf("%s/amphi", xdg);
	return xasprintf("/tmp/amphi-%u", (unsigned)geteuid());
}

/* Ours alone: a folder others could write to would let them plant sockets
 * that amphi run then trusts. */
static void check_dir(const char *dir)
{
	struct stat st;

	if (lstat(dir, &st) < 0)
		die("runtime folder %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		die("runtime folder %s: not a directory", dir);
	if (st.st_uid != geteuid() || (st.st_mode & 022))
		die("runtime folder %s: must be owned by you and writable by no one else", dir);
}

/* Created on first use.  QEMU takes paths inside option lists (and the
 * multiboot loader splits -initrd at commas and blanks), and the control
 * protocol separates words with blanks: such a folder is refused. */
const char *runtime_dir(void)
{
	static const char *dir;

	if (dir)
		return dir;
	const char *d = base_dir();
	if (strpbrk(d, ", \t\n"))
		die("runtime folder %s: its path must hold no comma or blank "
		    "(set AMPHI_RUNTIME_DIR)", d);
	if (mkdir(d, 0700) < 0 && errno != EEXIST)
		die("runtime folder %s: %s", d, strerror(errno));
	check_dir(d);
	dir = realpath(d, NULL);	/* the supervisor runs from "/" */
	if (!dir)
		die("runtime folder %s: %s", d, strerror(errno));
	return dir;
}

/* A name for a server or an app: it becomes a folder name, a word of the
 * control protocol, and part of QEMU option values. */
static int name_ok(const char *s, size_t max)
{
	size_t len = strlen(s);

	if (len == 0 || len > max)
		return 0;
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
	      (s[0] >= '0' && s[0] <= '9')))
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == len;
}

int server_name_ok(const char *s)
{
	return name_ok(s, SERVER_NAME_MAX);
}

int app_name_ok(const char *s)
{
	return name_ok(s, LINK_NAME_MAX - 1);
}

char *server_path(const char *name, const char *file)
{
	return file ? xasprintf("%s/%s/%s", runtime_dir(), name, file)
		    : xasprintf("%s/%s", runtime_dir(), name);
}

/* Removes a server's folder and everything in it (it holds no folders). */
void server_dir_remove(const char *dir)
{
	DIR *d = opendir(dir);

	if (d) {
		for (struct dirent *e; (e = readdir(d));)
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
	}
	rmdir(dir);
}

int runtime_lock(void)
{
	int fd = open(runtime_dir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || flock(fd, LOCK_EX) < 0)
		die_status(EXIT_VMFAIL, "runtime folder %s: %s", runtime_dir(), strerror(errno));
	return fd;
}

/* Under the runtime lock: SERVER_LIVE (with *pid_fd open on NAME/pid if
 * pid_fd is given), SERVER_NONE (no such folder), or SERVER_STALE (its
 * supervisor is gone; the folder has been removed). */
static int probe_locked(const char *name, int *pid_fd)
{
	char *dir = server_path(name, NULL), *pid = server_path(name, "pid");
	struct stat st;
	int state = SERVER_NONE;

	if (lstat(dir, &st) == 0) {
		int fd = open(pid, O_RDONLY | O_CLOEXEC);
		state = SERVER_STALE;
		if (fd >= 0 && flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK)
			state = SERVER_LIVE;
		if (state == SERVER_STALE)
			server_dir_remove(dir);
		if (state == SERVER_LIVE && pid_fd)
			*pid_fd = fd;
		else if (fd >= 0)
			close(fd);
	}
	free(dir);
	free(pid);
	return state;
}

int server_probe(const char *name, int *pid_fd)
{
	int lock = runtime_lock();
	int state = probe_locked(name, pid_fd);

	close(lock);
	return state;
}

/* Makes NAME/ and locks NAME/pid for the caller's life (and its fork's).
 * Returns the pid file's descriptor, or -EEXIST when a live server has the
 * name. */
int server_dir_create(const char *name)
{
	int lock = runtime_lock();
	char *dir = server_path(name, NULL), *pid = server_path(name, "pid");
	int fd = -EEXIST;

	if (probe_locked(name, NULL) == SERVER_LIVE)
		goto out;
	if (mkdir(dir, 0700) < 0)
		die_status(EXIT_VMFAIL, "%s: %s", dir, strerror(errno));
	fd = open(pid, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
		die_status(EXIT_VMFAIL, "%s: %s", pid, strerror(errno));
out:
	close(lock);
	free(dir);
	free(pid);
	return fd;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the folders in the runtime folder that could be servers',
 * sorted (live or not: server_probe says). */
char **server_names(size_t *n)
{
	DIR *d = opendir(runtime_dir());
	char **names = NULL;

	*n = 0;
	if (!d)
		return NULL;
	for (struct dirent *e; (e = readdir(d));) {
		if (!server_name_ok(e->d_name))
			continue;
		names = xrealloc(names, sizeof *names * (*n + 1));
		names[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	qsort(names, *n, sizeof *names, by_name);
	return names;
}

/* A unix socket's address; -ENAMETOOLONG if the path does not fit. */
int unix_addr(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof a->sun_path)
		return -ENAMETOOLONG;
	memcpy(a->sun_path, path, strlen(path));
	return 0;
}
