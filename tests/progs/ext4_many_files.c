/* ext4_many_files DIR NDIRS PERDIR BIG: NDIRS directories DIR/dK of
 * PERDIR files each, and DIR/big with BIG files, each file holding its
 * own name; then every directory is listed, every name stat'ed and
 * read back.  Meanwhile a few things that must outlive the cache's
 * churn: a file open but unlinked, a hard link between two directories,
 * a current directory deep in the tree, an inotify watch, and a
 * /proc/self/fd link.  Prints what it did; "ok" lines are all a correct
 * run prints besides the counts. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

static char path[4096];

static const char *name_of(const char *dir, const char *sub, int k)
{
	snprintf(path, sizeof path, "%s/%s/f%d", dir, sub, k);
	return path;
}

/* Makes sub/ with n files; how many were made. */
static int fill(const char *dir, const char *sub, int n)
{
	char d[4096];
	int k;

	snprintf(d, sizeof d, "%s/%s", dir, sub);
	if (mkdir(d, 0755)) {
		printf("mkdir %s: %s\n", sub, strerror(errno));
		return 0;
	}
	for (k = 0; k < n; k++) {
		const char *p = name_of(dir, sub, k);
		int fd = open(p, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0 || write(fd, p, strlen(p)) != (ssize_t)strlen(p)) {
			printf("%s: %s\n", p, strerror(errno));
			break;
		}
		close(fd);
	}
	return k;
}

/* Lists sub/, then stats and reads every file back: how many were right. */
static int check(const char *dir, const char *sub, int n)
{
	char d[4096], buf[4096];
	int listed = 0, good = 0;
	struct dirent *e;
	struct stat st;

	snprintf(d, sizeof d, "%s/%s", dir, sub);
	DIR *dp = opendir(d);
	if (!dp) {
		printf("opendir %s: %s\n", sub, strerror(errno));
		return 0;
	}
	while ((e = readdir(dp)))
		listed += e->d_name[0] == 'f';
	closedir(dp);
	if (listed != n)
		printf("%s lists %d of %d\n", sub, listed, n);
	for (int k = 0; k < n; k++) {
		const char *p = name_of(dir, sub, k);
		size_t len = strlen(p);
		int fd = open(p, O_RDONLY);
		ssize_t got = fd < 0 ? -1 : read(fd, buf, sizeof buf);
		if (fd >= 0)
			close(fd);
		if (stat(p, &st) || st.st_size != (off_t)len || got != (ssize_t)len || memcmp(buf, p, len)) {
			if (good == k)
				printf("%s: wrong (%s)\n", p, strerror(errno));
			continue;
		}
		good++;
	}
	return good;
}

int main(int argc, char **argv)
{
	char p[4096], q[4096], cwd[4096], buf[256];
	struct stat a, b;

	if (argc != 5)
		return 2;
	const char *dir = argv[1];
	int ndirs = atoi(argv[2]), perdir = atoi(argv[3]), big = atoi(argv[4]), made = 0, good = 0;

	/* open, then unlinked: its bytes stay until the close */
	snprintf(p, sizeof p, "%s/gone", dir);
	int gone = open(p, O_CREAT | O_RDWR, 0644);
	if (gone < 0 || write(gone, "kept\n", 5) != 5 || unlink(p))
		printf("gone: %s\n", strerror(errno));
	/* a current directory three levels down, and a watch */
	snprintf(p, sizeof p, "%s/a/b/c", dir);
	snprintf(q, sizeof q, "%s/a", dir);
	mkdir(q, 0755);
	snprintf(q, sizeof q, "%s/a/b", dir);
	mkdir(q, 0755);
	if (mkdir(p, 0755) || chdir(p))
		printf("cwd: %s\n", strerror(errno));
	int in = inotify_init1(IN_NONBLOCK);
	snprintf(q, sizeof q, "%s/watched", dir);
	mkdir(q, 0755);
	if (in < 0 || inotify_add_watch(in, q, IN_CREATE) < 0)
		printf("watch: %s\n", strerror(errno));
	/* /proc/self/fd of a file in a directory the churn will pass over */
	snprintf(q, sizeof q, "%s/a/b/held", dir);
	int held = open(q, O_CREAT | O_RDWR, 0644);

	for (int k = 0; k < ndirs; k++) {
		snprintf(p, sizeof p, "d%d", k);
		made += fill(dir, p, perdir);
	}
	made += fill(dir, "big", big);
	printf("created %d\n", made);
	/* a hard link: one inode under two names in two directories */
	snprintf(p, sizeof p, "%s/pair", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/pair/one", dir);
	close(open(p, O_CREAT | O_WRONLY, 0644));
	snprintf(q, sizeof q, "%s/a/two", dir);
	if (link(p, q))
		printf("link: %s\n", strerror(errno));

	for (int k = 0; k < ndirs; k++) {
		snprintf(p, sizeof p, "d%d", k);
		good += check(dir, p, perdir);
	}
	good += check(dir, "big", big);
	printf("checked %d\n", good);

	snprintf(p, sizeof p, "%s/pair/one", dir);
	snprintf(q, sizeof q, "%s/a/two", dir);
	printf("link %s\n", !stat(p, &a) && !stat(q, &b) && a.st_ino == b.st_ino && a.st_nlink == 2 &&
	       b.st_nlink == 2 ? "ok" : "wrong");
	memset(buf, 0, sizeof buf);
	printf("unlinked %s\n", pread(gone, buf, sizeof buf, 0) == 5 && !strcmp(buf, "kept\n") ? "ok" : "wrong");
	snprintf(p, sizeof p, "%s/a/b/c", dir);
	printf("cwd %s\n", getcwd(cwd, sizeof cwd) && !strcmp(cwd, p) ? "ok" : "wrong");
	snprintf(q, sizeof q, "/proc/self/fd/%d", held);
	ssize_t n = readlink(q, cwd, sizeof cwd - 1);
	cwd[n > 0 ? n : 0] = 0;
	snprintf(p, sizeof p, "%s/a/b/held", dir);
	printf("fd link %s\n", !strcmp(cwd, p) ? "ok" : cwd);
	snprintf(q, sizeof q, "%s/watched/new", dir);
	close(open(q, O_CREAT | O_WRONLY, 0644));
	char ev[sizeof(struct inotify_event) + 256];
	n = read(in, ev, sizeof ev);
	printf("watch %s\n", n > 0 && !strcmp(((struct inotify_event *)ev)->name, "new") ? "ok" : "wrong");
	printf("relative %s\n", !stat("../held", &a) ? "ok" : strerror(errno));
	return 0;
}
