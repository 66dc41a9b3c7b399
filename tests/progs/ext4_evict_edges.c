/* ext4_evict_edges DIR CHURN: operations on directories whose cached
 * entries a VM with little memory gives back in between (each churn
 * makes CHURN files in a new directory, enough to push the cache past its
 * mark several times): O_TMPFILE then linkat, rename between two such
 * directories, a hard link's count after one name goes, a listing paused
 * half way, a file open across the churn, symlinks; a file's and its
 * directory's times the same once read back.  Prints one line per
 * check. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *dir;
static int churn_count, round;

static const char *at(const char *fmt, const char *a)
{
	static char buf[4][4096];
	static int k;
	char *p = buf[k++ % 4];

	snprintf(p, 4096, "%s/", dir);
	snprintf(p + strlen(p), 4096 - strlen(p), fmt, a);
	return p;
}

static void touch(const char *p, const char *text)
{
	int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		printf("%s: %s\n", p, strerror(errno));
	close(fd);
}

/* The first bytes of p, or an error's text. */
static const char *content(const char *p)
{
	static char buf[64];
	int fd = open(p, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);

	if (n < 0)
		return strerror(errno);
	close(fd);
	buf[n] = 0;
	return buf;
}

static void churn(void)
{
	char d[64];

	snprintf(d, sizeof d, "c%d", round++);
	mkdir(at("%s", d), 0755);
	for (int k = 0; k < churn_count; k++) {
		char p[4096];
		snprintf(p, sizeof p, "%s/f%d", at("%s", d), k);
		int fd = open(p, O_CREAT | O_WRONLY, 0644);
		if (fd < 0) {
			printf("churn %s: %s\n", p, strerror(errno));
			return;
		}
		close(fd);
	}
}

/* The names in sub, sorted into one line. */
static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Modification and change times of path, to the nanosecond. */
static void times_of(const char *path, struct timespec t[2])
{
	struct stat st;

	memset(t, 0, 2 * sizeof *t);
	if (!stat(path, &st)) {
		t[0] = st.st_mtim;
		t[1] = st.st_ctim;
	}
}

static void list(const char *sub)
{
	char *names[64];
	int n = 0;
	struct dirent *e;
	DIR *dp = opendir(at("%s", sub));

	while (dp && (e = readdir(dp)) && n < 64)
		if (e->d_name[0] != '.')
			names[n++] = strdup(e->d_name);
	if (dp)
		closedir(dp);
	qsort(names, n, sizeof *names, cmp);
	printf("%s:", sub);
	for (int k = 0; k < n; k++)
		printf(" %s", names[k]);
	printf("\n");
}

int main(int argc, char **argv)
{
	struct stat st;
	char buf[4096];

	if (argc != 3)
		return 2;
	dir = argv[1];
	churn_count = atoi(argv[2]);
	setvbuf(stdout, NULL, _IONBF, 0);
	for (const char *s = "abcdef"; *s; s++) {
		char sub[2] = { *s, 0 };
		mkdir(at("%s", sub), 0755);
		touch(at("%s/x", sub), sub);
	}
	touch(at("%s/link", "d"), "linked");
	link(at("%s/link", "d"), at("%s/link", "e"));
	symlink("../a/t", at("%s/sym", "f"));
	int open_fd = open(at("%s/x", "b"), O_RDWR);
	/* a listing of c paused after its first entry */
	for (int k = 0; k < 20; k++) {
		char n[16];
		snprintf(n, sizeof n, "n%02d", k);
		touch(at("c/%s", n), n);
	}
	DIR *paused = opendir(at("%s", "c"));
	int seen = 0;
	struct dirent *e;
	while ((e = readdir(paused)) && e->d_name[0] == '.')
		;
	seen += e != NULL;
	struct timespec before[4], after[4];
	mkdir(at("%s", "g"), 0755);
	close(open(at("%s/empty", "g"), O_CREAT | O_WRONLY, 0644));
	times_of(at("%s/empty", "g"), before);
	times_of(at("%s", "g"), before + 2);
	churn();
	churn();
	times_of(at("%s/empty", "g"), after);
	times_of(at("%s", "g"), after + 2);
	printf("times the same after a drop: %s\n", memcmp(before, after, sizeof before) ? "no" : "yes");

	int fd = open(at("%s", "a"), O_TMPFILE | O_WRONLY, 0644);
	if (fd < 0 || write(fd, "tmp", 3) != 3)
		printf("tmpfile: %s\n", strerror(errno));
	snprintf(buf, sizeof buf, "/proc/self/fd/%d", fd);
	printf("linkat %s\n", linkat(AT_FDCWD, buf, AT_FDCWD, at("%s/t", "a"), AT_SYMLINK_FOLLOW) ? strerror(errno) : "ok");
	close(fd);
	churn();
	printf("a/t %s\n", content(at("%s/t", "a")));
	printf("rename %s\n", rename(at("%s/x", "a"), at("%s/moved", "b")) ? strerror(errno) : "ok");
	churn();
	list("a");
	list("b");
	printf("b/moved %s\n", content(at("%s/moved", "b")));
	printf("unlink %s\n", unlink(at("%s/link", "d")) ? strerror(errno) : "ok");
	churn();
	printf("e/link nlink %ld %s\n", stat(at("%s/link", "e"), &st) ? -1L : (long)st.st_nlink,
	       content(at("%s/link", "e")));
	while ((e = readdir(paused)))
		seen += e->d_name[0] != '.';
	closedir(paused);
	printf("paused listing saw %d\n", seen);
	printf("open file %s\n", pwrite(open_fd, "B2", 2, 0) == 2 && !fsync(open_fd) ? "written" : strerror(errno));
	close(open_fd);
	churn();
	printf("b/x %s\n", content(at("%s/x", "b")));
	printf("f/sym %s\n", content(at("%s/sym", "f")));
	printf("rmdir %s\n", rmdir(at("%s", "f")) ? strerror(errno) : "ok");
	unlink(at("%s/sym", "f"));
	unlink(at("%s/x", "f"));
	printf("rmdir %s\n", rmdir(at("%s", "f")) ? strerror(errno) : "ok");
	list("d");
	return 0;
}
