/* What files are like: stat, lstat, fstatat, statx, statfs, access, chmod,
 * chown, times, umask.  Usage: fs_meta BASE (an empty directory is made
 * under it).  Prints one line per step: ok, a value, or the errno. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include <sys/syscall.h>

#include "fs_check.h"

/* musl before 1.2.5 has no statx(): the system call's own layout. */
struct statx_ts {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};

struct statx_buf {
	uint32_t stx_mask, stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink, stx_uid, stx_gid;
	uint16_t stx_mode, pad;
	uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
	struct statx_ts stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
	uint64_t spare[14];
};

#define STATX_BASIC_STATS 0x7ffu

static long statx_call(int dirfd, const char *path, int flags, unsigned mask, struct statx_buf *b)
{
	return syscall(SYS_statx, dirfd, path, flags, mask, b);
}

static const char *kind(mode_t m)
{
	return S_ISREG(m) ? "file" : S_ISDIR(m) ? "dir" : S_ISLNK(m) ? "link" : S_ISCHR(m) ? "chr" :
	       S_ISFIFO(m) ? "fifo" : S_ISSOCK(m) ? "sock" : "other";
}

static void show(const char *what, int r, const struct stat *st)
{
	if (r < 0)
		printf("%s: %s\n", what, errname(errno));
	else
		printf("%s: %s %04o nlink %ld size %ld\n", what, kind(st->st_mode), st->st_mode & 07777,
		       (long)st->st_nlink, S_ISDIR(st->st_mode) ? 0 : (long)st->st_size);
}

static void stats(void)
{
	struct stat st, st2;
	struct statx_buf sx;

	MUST(close(MUST(open("f", O_CREAT | O_WRONLY, 0640))));
	MUST(truncate("f", 123));
	MUST(symlink("f", "l"));
	MUST(symlink("nowhere", "dangling"));
	MUST(mkdir("d", 0750));
	MUST(mkdir("d/sub", 0755));
	show("stat f", stat("f", &st), &st);
	show("lstat l", lstat("l", &st), &st);
	show("stat l", stat("l", &st), &st);
	show("lstat dangling", lstat("dangling", &st), &st);
	show("stat dangling", stat("dangling", &st), &st);
	show("stat d", stat("d", &st), &st);
	show("stat d/", stat("d/", &st), &st);
	show("stat f/", stat("f/", &st), &st);
	show("lstat l/", lstat("l/", &st), &st);
	show("stat empty", stat("", &st), &st);
	show("stat missing", stat("nofile", &st), &st);
	show("stat d/sub/..", stat("d/sub/..", &st), &st);
	int fd = MUST(open("f", O_RDONLY));
	show("fstat", fstat(fd, &st), &st);
	show("fstatat nofollow", fstatat(AT_FDCWD, "l", &st, AT_SYMLINK_NOFOLLOW), &st);
	show("fstatat empty path", fstatat(fd, "", &st, AT_EMPTY_PATH), &st);
	show("fstatat empty path without flag", fstatat(fd, "", &st, 0), &st);
	show("fstatat bad flag", fstatat(AT_FDCWD, "f", &st, 0x4), &st);
	int dfd = MUST(open("d", O_RDONLY | O_DIRECTORY));
	show("fstatat relative to a dirfd", fstatat(dfd, "sub", &st, 0), &st);
	show("fstatat relative to a file", fstatat(fd, "sub", &st, 0), &st);
	show("fstatat bad dirfd", fstatat(99, "sub", &st, 0), &st);
	T("fstatat absolute ignores dirfd", fstatat(99, "/", &st, 0));
	MUST(stat("f", &st));
	MUST(stat("l", &st2));
	printf("link leads to the same inode: %d\n", st.st_ino == st2.st_ino && st.st_dev == st2.st_dev);
	printf("statx: %ld\n", (long)statx_call(AT_FDCWD, "f", 0, STATX_BASIC_STATS, &sx));
	printf("statx size %llu mode %o mask has basics %d\n", (unsigned long long)sx.stx_size,
	       sx.stx_mode, (sx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS);
	printf("statx ino matches: %d\n", sx.stx_ino == st.st_ino);
	T("statx nofollow", statx_call(AT_FDCWD, "l", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx));
	printf("statx of a link: %s\n", kind(sx.stx_mode));
	T("statx empty path", statx_call(dfd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx));
	printf("statx of the dirfd: %s\n", kind(sx.stx_mode));
	T("statx missing", statx_call(AT_FDCWD, "nofile", 0, STATX_BASIC_STATS, &sx));
	close(dfd);
	close(fd);

	struct statfs sf;
	T("statfs", statfs(".", &sf));
	printf("statfs block size %ld, name max %ld\n", (long)sf.f_bsize, (long)sf.f_namelen);
	T("statfs missing", statfs("nofile", &sf));
	T("fstatfs bad fd", fstatfs(-1, &sf));
}

static void access_and_modes(void)
{
	struct stat st;

	T("access F_OK", access("f", F_OK));
	T("access R_OK|W_OK", access("f", R_OK | W_OK));
	T("access X_OK without x bits", access("f", X_OK));
	T("access X_OK on a directory", access("d", X_OK));
	T("access missing", access("nofile", F_OK));
	T("access bad mode", access("f", 8));
	T("access through a file", access("f/x", F_OK));
	T("faccessat AT_EACCESS", faccessat(AT_FDCWD, "f", R_OK, AT_EACCESS));
	T("faccessat nofollow dangling", faccessat(AT_FDCWD, "dangling", F_OK, AT_SYMLINK_NOFOLLOW));
	T("faccessat dangling", faccessat(AT_FDCWD, "dangling", F_OK, 0));

	T("chmod", chmod("f", 0711));
	T("access X_OK with x bits", access("f", X_OK));
	show("after chmod", stat("f", &st), &st);
	T("chmod through a link", chmod("l", 0604));
	show("after chmod", stat("f", &st), &st);
	int fd = MUST(open("f", O_RDONLY));
	T("fchmod", fchmod(fd, 02755));
	show("after fchmod", stat("f", &st), &st);
	T("fchmodat", fchmodat(AT_FDCWD, "f", 0644, 0));
	show("after fchmodat", stat("f", &st), &st);
	T("chmod missing", chmod("nofile", 0644));
	T("fchmod bad fd", fchmod(-1, 0644));
	int p = MUST(open("f", O_PATH));
	T("fchmod on O_PATH", fchmod(p, 0644));
	close(p);

	T("chown", chown("f", 1000, 1001));
	MUST(stat("f", &st));
	printf("owner %d:%d\n", (int)st.st_uid, (int)st.st_gid);
	T("fchown gid only", fchown(fd, -1, 5));
	MUST(stat("f", &st));
	printf("owner %d:%d\n", (int)st.st_uid, (int)st.st_gid);
	T("lchown", lchown("l", 7, 8));
	MUST(lstat("l", &st));
	printf("link owner %d:%d\n", (int)st.st_uid, (int)st.st_gid);
	MUST(stat("l", &st));
	printf("target owner %d:%d\n", (int)st.st_uid, (int)st.st_gid);
	T("fchownat nofollow", fchownat(AT_FDCWD, "l", 9, 9, AT_SYMLINK_NOFOLLOW));
	T("fchownat empty path", fchownat(fd, "", 0, 0, AT_EMPTY_PATH));
	MUST(stat("f", &st));
	printf("owner %d:%d\n", (int)st.st_uid, (int)st.st_gid);
	MUST(chmod("f", 06755));
	T("chown clears set-id bits", chown("f", 0, 0));
	show("after chown", stat("f", &st), &st);
	MUST(chmod("d", 02755));
	T("chown keeps a directory's set-id bits", chown("d", 0, 0));
	show("after chown", stat("d", &st), &st);
	T("chown missing", chown("nofile", 0, 0));
	close(fd);

	printf("umask was: %03o\n", umask(077));
	MUST(close(MUST(open("u", O_CREAT | O_WRONLY, 0666))));
	MUST(mkdir("ud", 0777));
	show("file made under umask 077", stat("u", &st), &st);
	show("directory made under umask 077", stat("ud", &st), &st);
	printf("umask was: %03o\n", umask(022));
	MUST(mkdir("sticky", 01777));
	show("mkdir keeps the sticky bit", stat("sticky", &st), &st);
}

static void times(void)
{
	struct stat st;
	struct timespec ts[2] = { { 1000, 500 }, { 2000, 0 } };
	time_t before = time(NULL);

	T("utimensat", utimensat(AT_FDCWD, "f", ts, 0));
	MUST(stat("f", &st));
	printf("atime %ld.%09ld mtime %ld.%09ld\n", (long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
	       (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	printf("ctime is now: %d\n", st.st_ctim.tv_sec >= before);
	struct timespec omit[2] = { { 5, UTIME_OMIT }, { 3000, 7 } };
	T("utimensat UTIME_OMIT", utimensat(AT_FDCWD, "f", omit, 0));
	MUST(stat("f", &st));
	printf("atime %ld mtime %ld.%09ld\n", (long)st.st_atim.tv_sec, (long)st.st_mtim.tv_sec,
	       st.st_mtim.tv_nsec);
	struct timespec now[2] = { { 0, UTIME_NOW }, { 0, UTIME_OMIT } };
	T("utimensat UTIME_NOW", utimensat(AT_FDCWD, "f", now, 0));
	MUST(stat("f", &st));
	printf("atime is now: %d, mtime kept: %d\n", st.st_atim.tv_sec >= before, st.st_mtim.tv_sec == 3000);
	struct timespec bad[2] = { { 0, 1000000000 }, { 0, 0 } };
	T("utimensat bad nsec", utimensat(AT_FDCWD, "f", bad, 0));
	T("utimensat missing", utimensat(AT_FDCWD, "nofile", ts, 0));
	T("utimensat nofollow", utimensat(AT_FDCWD, "l", ts, AT_SYMLINK_NOFOLLOW));
	MUST(lstat("l", &st));
	printf("link mtime %ld\n", (long)st.st_mtim.tv_sec);
	int fd = MUST(open("f", O_RDONLY));
	T("futimens", futimens(fd, ts));
	MUST(stat("f", &st));
	printf("mtime %ld\n", (long)st.st_mtim.tv_sec);
	T("futimens now", futimens(fd, NULL));
	MUST(stat("f", &st));
	printf("mtime is now: %d\n", st.st_mtim.tv_sec >= before);
	close(fd);
	struct timeval tv[2] = { { 40, 1 }, { 50, 2 } };
	T("utimes", utimes("f", tv));
	MUST(stat("f", &st));
	printf("atime %ld.%09ld mtime %ld.%09ld\n", (long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
	       (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	struct timeval badtv[2] = { { 0, 1000000 }, { 0, 0 } };
	T("utimes bad usec", utimes("f", badtv));
	struct utimbuf ub = { 60, 70 };
	T("utime", utime("f", &ub));
	MUST(stat("f", &st));
	printf("atime %ld mtime %ld\n", (long)st.st_atim.tv_sec, (long)st.st_mtim.tv_sec);
	T("utime now", utime("f", NULL));
	MUST(stat("f", &st));
	printf("mtime is now: %d\n", st.st_mtim.tv_sec >= before);

	/* Writing moves mtime; making an entry moves the directory's. */
	MUST(utimensat(AT_FDCWD, "f", ts, 0));
	MUST(utimensat(AT_FDCWD, "d", ts, 0));
	fd = MUST(open("f", O_WRONLY));
	MUST(write(fd, "x", 1));
	close(fd);
	MUST(stat("f", &st));
	printf("write moved mtime: %d\n", st.st_mtim.tv_sec >= before);
	MUST(mkdir("d/new", 0755));
	MUST(stat("d", &st));
	printf("mkdir moved the directory's mtime: %d\n", st.st_mtim.tv_sec >= before);
}

int main(int argc, char **argv)
{
	char dir[4096];

	if (argc != 2) {
		fprintf(stderr, "usage: fs_meta BASE\n");
		return 2;
	}
	snprintf(dir, sizeof dir, "%s/fs_meta", argv[1]);
	MUST(mkdir(dir, 0755));
	MUST(chdir(dir));
	umask(022);
	setvbuf(stdout, NULL, _IONBF, 0);
	stats();
	access_and_modes();
	times();
	puts("fs_meta done");
	return 0;
}
