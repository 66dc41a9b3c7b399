/* Names at their edges, as Linux answers them: a trailing slash on the
 * name mknod or symlink would make (ENOENT, nothing made; EEXIST when the
 * name is taken) or on an O_CREAT open (EISDIR); O_DIRECTORY with O_PATH
 * on a file (ENOTDIR); getdents64's count is an unsigned int (the upper
 * half of the register is not part of it); lseek on a directory from its
 * end (EINVAL); listing a removed directory (ENOENT, not "." and "..").  Then /dev and /proc, which amphi keeps as directories of
 * the root tmpfs standing in for mounts: renaming them or over them is
 * EBUSY (a mount point), moving a file between them and /tmp EXDEV, and
 * /dev/null must still be there afterwards.  Usage: fs_path_edges DIR. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs_check.h"

static char base[256];

static const char *at(const char *name)
{
	static char bufs[2][4096];
	static int k;

	k ^= 1;
	snprintf(bufs[k], sizeof bufs[k], "%s/%s", base, name);
	return bufs[k];
}

static void exists(const char *what, const char *name)
{
	struct stat st;

	printf("%s: %s\n", what, lstat(at(name), &st) == 0 ? "there" : errname(errno));
}

static void trailing_slashes(void)
{
	close(MUST(open(at("f"), O_CREAT | O_WRONLY, 0644)));
	MUST(mkdir(at("d"), 0755));
	MUST(symlink("nowhere", at("dangling")));
	T("mknod new/", mknod(at("new/"), S_IFREG | 0644, 0));
	exists("  new", "new");
	T("mkfifo new/", mkfifo(at("new/"), 0644));
	exists("  new", "new");
	T("symlink to new/", symlink("f", at("new/")));
	exists("  new", "new");
	T("mknod f/", mknod(at("f/"), S_IFREG | 0644, 0));
	T("symlink to d/", symlink("f", at("d/")));
	T("symlink to dangling/", symlink("f", at("dangling/")));
	T("link f to new/", link(at("f"), at("new/")));
	exists("  new", "new");
	T("open new/ O_CREAT", open(at("new/"), O_CREAT | O_RDWR, 0644));
	exists("  new", "new");
	T("open f/ O_CREAT", open(at("f/"), O_CREAT | O_RDWR, 0644));
	T("open d/ O_CREAT", open(at("d/"), O_CREAT | O_RDONLY, 0644));
	T("open dangling/ O_CREAT", open(at("dangling/"), O_CREAT | O_RDWR, 0644));
	exists("  nowhere", "nowhere");
	MUST(symlink("made/", at("slashed")));
	T("open O_CREAT through a link to made/", open(at("slashed"), O_CREAT | O_RDWR, 0644));
	exists("  made", "made");
	T("mkdir new/", mkdir(at("new/"), 0755));
	T("rmdir new/", rmdir(at("new/")));
}

static void opens(void)
{
	MUST(symlink("f", at("lf")));
	T("open f O_PATH|O_DIRECTORY", open(at("f"), O_PATH | O_DIRECTORY));
	T("open lf O_PATH|O_NOFOLLOW|O_DIRECTORY", open(at("lf"), O_PATH | O_NOFOLLOW | O_DIRECTORY));
	int fd = open(at("d"), O_PATH | O_DIRECTORY);
	printf("open d O_PATH|O_DIRECTORY: %s\n", fd < 0 ? errname(errno) : "ok");
	if (fd >= 0)
		T("  openat from it", openat(fd, "..", O_RDONLY | O_DIRECTORY));
	T("open lf O_PATH|O_NOFOLLOW", open(at("lf"), O_PATH | O_NOFOLLOW));
}

static void listing(void)
{
	char buf[4096];
	int fd = MUST(open(at("d"), O_RDONLY | O_DIRECTORY));

	/* 2^32 + 64: 64 bytes, room for "." and ".." */
	long n = syscall(SYS_getdents64, fd, buf, (1ul << 32) + 64);
	printf("getdents64 count 2^32 + 64: %s\n", n < 0 ? errname(errno) : n == 48 ? "48 bytes" : "other");
	T("getdents64 count 2^32", syscall(SYS_getdents64, fd, buf, 1ul << 32));
	T("lseek directory SEEK_END", lseek(fd, 0, SEEK_END));
	T("lseek directory SEEK_SET", lseek(fd, 0, SEEK_SET));
	close(fd);
	MUST(mkdir(at("gone"), 0755));
	fd = MUST(open(at("gone"), O_RDONLY | O_DIRECTORY));
	MUST(rmdir(at("gone")));
	T("getdents64 of a removed directory", syscall(SYS_getdents64, fd, buf, sizeof buf));
	close(fd);
}

static void stand_in_mounts(void)
{
	struct stat st;

	T("rename /dev into /tmp", rename("/dev", at("dev")));
	T("rename /proc into /tmp", rename("/proc", at("proc")));
	T("rename /dev to /devx", rename("/dev", "/devx"));
	MUST(mkdir(at("empty"), 0755));
	T("rename an empty directory over /dev", rename(at("empty"), "/dev"));
	T("rename an empty directory over /proc", rename(at("empty"), "/proc"));
	T("exchange a file with /dev", syscall(SYS_renameat2, AT_FDCWD, at("f"), AT_FDCWD, "/dev", 2));
	T("exchange a file with /dev/null", syscall(SYS_renameat2, AT_FDCWD, at("f"), AT_FDCWD, "/dev/null", 2));
	T("rename a file into /dev", rename(at("f"), "/dev/f"));
	T("link a file into /dev", link(at("f"), "/dev/f"));
	T("mknod /dev/x", mknod("/dev/x", S_IFREG | 0644, 0));
	T("rename /dev/x into /tmp", rename("/dev/x", at("x")));
	T("rename /dev/x to /dev/y", rename("/dev/x", "/dev/y"));
	T("link /dev/y into /tmp", link("/dev/y", at("y")));
	T("unlink /dev/y", unlink("/dev/y"));
	T("rmdir /dev", rmdir("/dev"));
	T("stat /dev/null", stat("/dev/null", &st));
	T("stat /proc/self/status", stat("/proc/self/status", &st));
}

int main(int argc, char **argv)
{
	snprintf(base, sizeof base, "%s/fs_path_edges", argc > 1 ? argv[1] : "/tmp");
	MUST(mkdir(base, 0755));
	trailing_slashes();
	opens();
	listing();
	if (argc > 2)
		stand_in_mounts();
	printf("fs_path_edges done\n");
	return 0;
}
