/* The tree: mkdir, rmdir, unlink, rename, link, symlink, readlink, mknod,
 * directory listings, the current directory, and how paths resolve (".",
 * "..", trailing slashes, symlink loops, long names).  Usage: fs_dirs BASE
 * (an empty directory is made under it).  Prints one line per step. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fs_check.h"

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The names in dir, sorted, on one line. */
static void list(const char *what, const char *dir)
{
	char *names[256];
	int n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d) {
		printf("%s: %s\n", what, errname(errno));
		return;
	}
	while ((e = readdir(d)) && n < 256)
		names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof names[0], by_name);
	printf("%s:", what);
	for (int i = 0; i < n; i++) {
		printf(" %s", names[i]);
		free(names[i]);
	}
	printf("\n");
}

static void show_link(const char *what, const char *path)
{
	char buf[256];
	ssize_t n = readlink(path, buf, sizeof buf - 1);

	if (n < 0) {
		printf("%s: %s\n", what, errname(errno));
		return;
	}
	buf[n] = 0;
	printf("%s: %s\n", what, buf);
}

static void touch(const char *path) { MUST(close(MUST(open(path, O_CREAT | O_WRONLY, 0644)))); }

static void make_and_remove(void)
{
	T("mkdir", mkdir("a", 0755));
	T("mkdir existing", mkdir("a", 0755));
	T("mkdir with a trailing slash", mkdir("b/", 0755));
	T("mkdir missing parent", mkdir("x/y", 0755));
	T("mkdir under a file", (touch("file"), mkdir("file/y", 0755)));
	T("mkdir .", mkdir(".", 0755));
	T("mkdir ..", mkdir("a/..", 0755));
	T("mkdir on a dangling symlink", (symlink("nowhere", "dl"), mkdir("dl", 0755)));
	T("mkdirat", mkdirat(MUST(open("a", O_RDONLY | O_DIRECTORY)), "inner", 0755));
	touch("a/inner/f");
	T("rmdir non-empty", rmdir("a"));
	T("rmdir a file", rmdir("file"));
	T("rmdir missing", rmdir("nodir"));
	T("rmdir .", rmdir("a/."));
	T("rmdir ..", rmdir("a/inner/.."));
	T("rmdir a symlink to a directory", (symlink("a", "la"), rmdir("la")));
	T("unlink a directory", unlink("a"));
	T("unlink a file with a trailing slash", unlink("file/"));
	T("unlink missing", unlink("nofile"));
	T("unlink", unlink("a/inner/f"));
	T("unlinkat AT_REMOVEDIR", unlinkat(AT_FDCWD, "a/inner", AT_REMOVEDIR));
	T("unlinkat a directory without AT_REMOVEDIR", unlinkat(AT_FDCWD, "b", 0));
	T("unlinkat bad flags", unlinkat(AT_FDCWD, "b", 0x1));
	T("rmdir with a trailing slash", rmdir("b/"));
	T("unlink a symlink", unlink("la"));
	list("left", ".");
	T("mknod regular", mknod("node", S_IFREG | 0600, 0));
	T("mknod fifo", mknod("fifo", S_IFIFO | 0600, 0));
	T("mknod char device", mknod("null2", S_IFCHR | 0666, makedev(1, 3)));
	T("mknod directory", mknod("dirnode", S_IFDIR | 0755, 0));
	T("mknod existing", mknod("node", S_IFREG | 0600, 0));
	struct stat st;
	MUST(stat("fifo", &st));
	printf("fifo is a fifo: %d\n", S_ISFIFO(st.st_mode));
	MUST(stat("null2", &st));
	printf("device %u,%u\n", major(st.st_rdev), minor(st.st_rdev));
	int fd = MUST(open("null2", O_RDWR));
	printf("write to a made null device: %zd\n", write(fd, "abc", 3));
	close(fd);
	T("mkfifo", mkfifo("fifo2", 0600));
	MUST(unlink("fifo2"));
	MUST(unlink("null2"));
	MUST(unlink("node"));
	MUST(unlink("fifo"));
}

static void links(void)
{
	struct stat st;

	touch("t");
	T("link", link("t", "t2"));
	MUST(stat("t", &st));
	printf("nlink: %ld\n", (long)st.st_nlink);
	T("link existing", link("t", "t2"));
	T("link a directory", (mkdir("dd", 0755), link("dd", "dd2")));
	T("link missing", link("nofile", "x"));
	T("symlink", symlink("t", "s"));
	T("symlink existing", symlink("t", "s"));
	T("symlink empty target", symlink("", "s2"));
	show_link("readlink", "s");
	show_link("readlink a file", "t");
	show_link("readlink missing", "nofile");
	char small[2];
	printf("readlink truncates: %zd\n", readlink("s", small, 1));
	T("readlink size 0", readlink("s", small, 0));
	T("linkat a symlink itself", linkat(AT_FDCWD, "s", AT_FDCWD, "s-hard", 0));
	MUST(lstat("s-hard", &st));
	printf("hard link to a symlink is a link: %d\n", S_ISLNK(st.st_mode));
	T("linkat following", linkat(AT_FDCWD, "s", AT_FDCWD, "t3", AT_SYMLINK_FOLLOW));
	MUST(lstat("t3", &st));
	printf("followed link is a file with nlink %ld\n", (long)st.st_nlink);
	T("linkat bad flags", linkat(AT_FDCWD, "t", AT_FDCWD, "t4", 0x1));
	T("unlink one name", unlink("t"));
	MUST(stat("t2", &st));
	printf("nlink: %ld\n", (long)st.st_nlink);
	T("symlinkat", symlinkat("t2", MUST(open(".", O_RDONLY | O_DIRECTORY)), "s3"));
	char buf[64] = { 0 };
	T("readlinkat", readlinkat(AT_FDCWD, "s3", buf, sizeof buf - 1));
	printf("target: %s\n", buf);
	MUST(unlink("t2"));
	MUST(unlink("t3"));
	MUST(unlink("s"));
	MUST(unlink("s-hard"));
	MUST(unlink("s3"));
	MUST(rmdir("dd"));
}

static void renames(void)
{
	struct stat st;

	touch("r1");
	MUST(mkdir("rd", 0755));
	touch("rd/in");
	T("rename", rename("r1", "r2"));
	T("rename missing", rename("r1", "r3"));
	T("rename into a directory", rename("r2", "rd/r2"));
	touch("over");
	T("rename over a file", rename("over", "rd/r2"));
	T("rename a file over a directory", (mkdir("emptyd", 0755), rename("rd/r2", "emptyd")));
	T("rename a directory over a file", rename("emptyd", "rd/r2"));
	T("rename a directory over an empty one", (mkdir("e2", 0755), rename("e2", "emptyd")));
	T("rename a directory over a non-empty one", rename("emptyd", "rd"));
	T("rename a directory into itself", rename("rd", "rd/sub"));
	T("rename .", rename(".", "x"));
	T("rename a file with a trailing slash", rename("rd/r2", "rd/r3/"));
	T("rename to the same file", (link("rd/r2", "hard"), rename("rd/r2", "hard")));
	MUST(stat("hard", &st));
	printf("both names kept: nlink %ld\n", (long)st.st_nlink);
	T("renameat2 NOREPLACE", syscall(SYS_renameat2, AT_FDCWD, "hard", AT_FDCWD, "rd/in", 1));
	T("renameat2 NOREPLACE to a new name", syscall(SYS_renameat2, AT_FDCWD, "hard", AT_FDCWD, "fresh", 1));
	T("renameat2 EXCHANGE", syscall(SYS_renameat2, AT_FDCWD, "fresh", AT_FDCWD, "emptyd", 2));
	MUST(lstat("fresh", &st));
	printf("exchanged: fresh is a %s\n", S_ISDIR(st.st_mode) ? "directory" : "file");
	T("renameat2 EXCHANGE with a missing one", syscall(SYS_renameat2, AT_FDCWD, "fresh", AT_FDCWD, "nofile", 2));
	T("renameat2 both flags", syscall(SYS_renameat2, AT_FDCWD, "fresh", AT_FDCWD, "x", 3));
	T("renameat", renameat(AT_FDCWD, "fresh", MUST(open("rd", O_RDONLY | O_DIRECTORY)), "moved"));
	list("rd", "rd");
	MUST(stat("rd/moved/..", &st));
	struct stat rd;
	MUST(stat("rd", &rd));
	printf("moved directory's .. is its new parent: %d\n", st.st_ino == rd.st_ino);
	MUST(unlink("rd/in"));
	MUST(unlink("rd/r2"));
	MUST(unlink("emptyd"));
	MUST(rmdir("rd/moved"));
	MUST(rmdir("rd"));
	list("left", ".");
}

static void listing(void)
{
	char name[300];

	MUST(mkdir("many", 0755));
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof name, "many/f%03d", i);
		touch(name);
	}
	DIR *d = opendir("many");
	int n = 0, dots = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		n++;
		dots += !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
		if (!strcmp(e->d_name, "f150"))
			printf("d_type of a file: %d\n", e->d_type == DT_REG);
	}
	printf("300 files listed: %d entries, %d dots\n", n, dots);
	rewinddir(d);
	e = readdir(d);
	long pos = telldir(d);
	e = readdir(d);
	char second[256];
	strcpy(second, e->d_name);
	seekdir(d, pos);
	e = readdir(d);
	printf("seekdir comes back: %d\n", !strcmp(second, e->d_name));
	/* Removing entries while listing neither repeats nor skips the rest. */
	rewinddir(d);
	int seen = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] != 'f')
			continue;
		seen++;
		snprintf(name, sizeof name, "many/%s", e->d_name);
		MUST(unlink(name));
	}
	closedir(d);
	printf("removed while listing: %d\n", seen);
	list("empty again", "many");
	MUST(rmdir("many"));

	int fd = MUST(open(".", O_RDONLY | O_DIRECTORY));
	char buf[8];
	T("read on a directory", read(fd, buf, 1));
	T("getdents64 tiny buffer", syscall(SYS_getdents64, fd, buf, sizeof buf));
	T("getdents64 on a file", (touch("gf"), syscall(SYS_getdents64, MUST(open("gf", O_RDONLY)), buf, 8)));
	T("getdents64 bad fd", syscall(SYS_getdents64, 99, buf, sizeof buf));
	char big[4096];
	long got = syscall(SYS_getdents64, fd, big, sizeof big);
	printf("getdents64 first call fills: %d\n", got > 0);
	got = syscall(SYS_getdents64, fd, big, sizeof big);
	printf("getdents64 at the end: %ld\n", got);
	got = syscall(SYS_getdents, fd, big, sizeof big);
	printf("getdents at the end: %ld\n", got);
	MUST(lseek(fd, 0, SEEK_SET));
	got = syscall(SYS_getdents, fd, big, sizeof big);
	printf("old getdents after rewinding fills: %d\n", got > 0);
	close(fd);
	MUST(unlink("gf"));
}

static void cwd(const char *base)
{
	char buf[PATH_MAX], want[PATH_MAX + 32];

	MUST(mkdir("c1", 0755));
	MUST(mkdir("c1/c2", 0755));
	T("chdir", chdir("c1/c2"));
	snprintf(want, sizeof want, "%s/fs_dirs/c1/c2", base);
	printf("getcwd: %s\n", getcwd(buf, sizeof buf) && !strcmp(buf, want) ? "right" : buf);
	T("getcwd too small", syscall(SYS_getcwd, buf, 5));
	long n = syscall(SYS_getcwd, buf, sizeof buf);
	printf("getcwd returns the length with the NUL: %d\n", n == (long)strlen(want) + 1);
	T("chdir ..", chdir(".."));
	T("chdir to a file", (touch("cf"), chdir("cf")));
	T("chdir missing", chdir("nodir"));
	int fd = MUST(open("c2", O_RDONLY | O_DIRECTORY));
	T("fchdir", fchdir(fd));
	printf("getcwd: %s\n", getcwd(buf, sizeof buf) && !strcmp(buf, want) ? "right" : buf);
	int p = MUST(open("..", O_PATH));
	T("fchdir to O_PATH", fchdir(p));
	close(p);
	T("fchdir to a file", fchdir(MUST(open("cf", O_RDONLY))));
	T("fchdir bad fd", fchdir(99));
	MUST(chdir("c2"));
	T("rmdir the current directory", rmdir("../c2"));
	T("getcwd of a removed directory", getcwd(buf, sizeof buf) ? 0 : -1);
	T("create in a removed directory", open("x", O_CREAT | O_WRONLY, 0644));
	T("chdir .. from a removed directory", chdir(".."));
	printf("back: %d\n", getcwd(buf, sizeof buf) && strstr(buf, "/fs_dirs/c1") != NULL);
	MUST(chdir(".."));
	MUST(unlink("c1/cf"));
	MUST(rmdir("c1"));
	close(fd);
}

static void resolution(void)
{
	char path[PATH_MAX + 10], name[300];
	struct stat st;

	MUST(mkdir("p", 0755));
	touch("p/f");
	T("dots", stat("./p/../p/./f", &st));
	T("double slashes", stat("p//f", &st));
	T("dotdot above the root", stat("/../../", &st));
	printf("/.. is /: %d\n", st.st_ino == (stat("/", &st), st.st_ino));
	MUST(symlink("loop2", "loop1"));
	MUST(symlink("loop1", "loop2"));
	T("symlink loop", stat("loop1", &st));
	T("lstat of a loop", lstat("loop1", &st));
	T("open a loop", open("loop1", O_RDONLY));
	/* 40 links are followed; the 41st is one too many. */
	char a[16], b[16];
	MUST(symlink("p/f", "chain0"));
	for (int i = 1; i <= 41; i++) {
		snprintf(a, sizeof a, "chain%d", i);
		snprintf(b, sizeof b, "chain%d", i - 1);
		MUST(symlink(b, a));
	}
	T("40 links", stat("chain39", &st));
	T("41 links", stat("chain40", &st));
	T("42 links", stat("chain41", &st));
	MUST(symlink("p", "lp"));
	T("symlink as a directory", stat("lp/f", &st));
	T("symlink with a trailing slash", lstat("lp/", &st));
	printf("followed: %d\n", S_ISDIR(st.st_mode));
	MUST(symlink("/", "toroot"));
	T("absolute symlink", stat("toroot/proc", &st));
	memset(name, 'n', 256);
	name[256] = 0;
	T("name of 256", stat(name, &st));
	name[255] = 0;
	T("name of 255", stat(name, &st));
	T("create a name of 255", open(name, O_CREAT | O_WRONLY, 0644));
	MUST(unlink(name));
	memset(path, 0, sizeof path);
	for (int i = 0; i < PATH_MAX + 8; i += 2)
		memcpy(path + i, "./", 2);
	path[PATH_MAX] = 0;
	T("path of 4096", stat(path, &st));
	path[PATH_MAX - 1] = 0;
	path[PATH_MAX - 2] = '.';
	T("path of 4095", stat(path, &st));
	T("file as a directory", stat("p/f/x", &st));
	T("file with /.", stat("p/f/.", &st));
	T("dirfd is a file", openat(MUST(open("p/f", O_RDONLY)), "x", O_RDONLY));
}

int main(int argc, char **argv)
{
	char dir[4096];

	if (argc != 2) {
		fprintf(stderr, "usage: fs_dirs BASE\n");
		return 2;
	}
	snprintf(dir, sizeof dir, "%s/fs_dirs", argv[1]);
	MUST(mkdir(dir, 0755));
	MUST(chdir(dir));
	umask(022);
	setvbuf(stdout, NULL, _IONBF, 0);
	make_and_remove();
	links();
	renames();
	listing();
	cwd(argv[1]);
	resolution();
	puts("fs_dirs done");
	return 0;
}
