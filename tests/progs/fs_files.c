/* Regular files: open flags, reading and writing, offsets, holes, size
 * changes, syncing, files removed while open, memfd_create, sendfile and
 * copy_file_range.  Usage: fs_files BASE (an empty, writable directory is
 * made under it).  Prints one line per step: ok, a value, or the errno. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <termios.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fs_check.h"

static void show_file(const char *what, int fd)
{
	char buf[64];
	ssize_t n = pread(fd, buf, sizeof buf, 0);

	printf("%s: \"", what);
	for (ssize_t i = 0; i < n; i++)
		printf(buf[i] ? "%c" : "\\0", buf[i]);
	printf("\"\n");
}

static long size_of(int fd)
{
	struct stat st;

	MUST(fstat(fd, &st));
	return (long)st.st_size;
}

static void open_flags(void)
{
	T("open missing", open("nofile", O_RDONLY));
	int fd = MUST(open("a", O_CREAT | O_EXCL | O_RDWR, 0666));
	struct stat st;
	MUST(fstat(fd, &st));
	printf("created mode: %o\n", st.st_mode);
	T("O_EXCL on existing", open("a", O_CREAT | O_EXCL | O_RDWR, 0600));
	T("O_DIRECTORY on a file", open("a", O_RDONLY | O_DIRECTORY));
	T("O_WRONLY on a directory", open(".", O_WRONLY));
	T("O_RDWR on a directory", open(".", O_RDWR));
	T("O_CREAT on a directory", open(".", O_CREAT | O_RDONLY, 0600));
	T("O_CREAT with a trailing slash", open("newfile/", O_CREAT | O_RDWR, 0600));
	T("file used as a directory", open("a/x", O_RDONLY));
	T("file with a trailing slash", open("a/", O_RDONLY));
	T("empty path", open("", O_RDONLY));
	MUST(symlink("a", "link-a"));
	T("O_NOFOLLOW on a symlink", open("link-a", O_RDONLY | O_NOFOLLOW));
	int p = MUST(open("link-a", O_PATH | O_NOFOLLOW));
	MUST(fstat(p, &st));
	printf("O_PATH|O_NOFOLLOW fstat is a link: %d\n", S_ISLNK(st.st_mode));
	char c;
	T("read on O_PATH", read(p, &c, 1));
	close(p);
	int ce = MUST(open("a", O_RDONLY | O_CLOEXEC));
	printf("O_CLOEXEC gives FD_CLOEXEC: %d\n", fcntl(ce, F_GETFD) == FD_CLOEXEC);
	printf("F_GETFL: %o\n", fcntl(ce, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK));
	close(ce);
	MUST(symlink("made-by-link", "dangling"));
	int d = MUST(open("dangling", O_CREAT | O_WRONLY, 0600));
	close(d);
	printf("O_CREAT through a dangling link made its target: %d\n", access("made-by-link", F_OK) == 0);
	T("O_CREAT|O_EXCL on a symlink", open("link-a", O_CREAT | O_EXCL | O_WRONLY, 0600));
	close(fd);
}

static void read_write(void)
{
	int fd = MUST(open("rw", O_CREAT | O_RDWR | O_TRUNC, 0644));
	char buf[16] = { 0 };

	printf("write: %zd\n", write(fd, "hello", 5));
	printf("offset: %ld\n", (long)lseek(fd, 0, SEEK_CUR));
	printf("SEEK_END: %ld\n", (long)lseek(fd, 0, SEEK_END));
	printf("pread at 1: %zd \"%s\"\n", pread(fd, buf, sizeof buf - 1, 1), buf);
	MUST(lseek(fd, 10, SEEK_SET));
	printf("write past the end: %zd\n", write(fd, "X", 1));
	printf("size: %ld\n", size_of(fd));
	show_file("contents", fd);
	printf("pwrite: %zd\n", pwrite(fd, "J", 1, 0));
	printf("offset after pwrite: %ld\n", (long)lseek(fd, 0, SEEK_CUR));
	show_file("contents", fd);
	T("lseek before 0", lseek(fd, -1, SEEK_SET));
	T("lseek bad whence", lseek(fd, 0, 9));
	MUST(lseek(fd, 100, SEEK_SET));
	printf("read past the end: %zd\n", read(fd, buf, 4));
	int ro = MUST(open("rw", O_RDONLY)), wo = MUST(open("rw", O_WRONLY));
	T("write on O_RDONLY", write(ro, "x", 1));
	T("read on O_WRONLY", read(wo, buf, 1));
	close(wo);

	int ap = MUST(open("rw", O_WRONLY | O_APPEND));
	MUST(lseek(ap, 0, SEEK_SET));
	printf("O_APPEND write: %zd\n", write(ap, "Z", 1));
	printf("O_APPEND offset: %ld\n", (long)lseek(ap, 0, SEEK_CUR));
	printf("F_GETFL: %o\n", fcntl(ap, F_GETFL) & (O_ACCMODE | O_APPEND));
	show_file("contents", fd);
	close(ap);

	struct iovec v[2] = { { "ab", 2 }, { "cd", 2 } };
	MUST(lseek(fd, 0, SEEK_SET));
	printf("writev: %zd\n", writev(fd, v, 2));
	char x[3] = { 0 }, y[3] = { 0 };
	struct iovec r[2] = { { x, 2 }, { y, 2 } };
	MUST(lseek(fd, 0, SEEK_SET));
	printf("readv: %zd %s %s\n", readv(fd, r, 2), x, y);

	int avail = -1;
	MUST(lseek(fd, 2, SEEK_SET));
	T("FIONREAD", ioctl(fd, FIONREAD, &avail));
	printf("bytes left to read: %d\n", avail);
	T("TCGETS on a file", ioctl(fd, TCGETS, &(struct termios){ 0 }));

	int dup_fd = MUST(dup(fd));
	MUST(lseek(dup_fd, 3, SEEK_SET));
	printf("dup shares the offset: %ld\n", (long)lseek(fd, 0, SEEK_CUR));
	close(dup_fd);
	int tr = MUST(open("rw", O_WRONLY | O_TRUNC));
	printf("O_TRUNC size: %ld\n", size_of(ro));
	close(tr);
	close(ro);
	close(fd);
}

static void sizes(void)
{
	int fd = MUST(open("sz", O_CREAT | O_RDWR, 0644)), ro = MUST(open("sz", O_RDONLY));
	char buf[100];

	MUST(write(fd, "0123456789", 10));
	T("ftruncate grow", ftruncate(fd, 8192));
	printf("size: %ld\n", size_of(fd));
	memset(buf, 1, sizeof buf);
	ssize_t n = pread(fd, buf, sizeof buf, 8000);
	int zeros = 1;
	for (ssize_t i = 0; i < n; i++)
		zeros &= buf[i] == 0;
	printf("grown part reads %zd zeros: %d\n", n, zeros);
	T("ftruncate shrink", ftruncate(fd, 3));
	T("ftruncate grow again", ftruncate(fd, 6));
	show_file("contents", fd);
	T("ftruncate on O_RDONLY", ftruncate(ro, 1));
	T("ftruncate negative", ftruncate(fd, -1));
	T("truncate", truncate("sz", 5));
	printf("size: %ld\n", size_of(fd));
	T("truncate a directory", truncate(".", 0));
	T("truncate missing", truncate("nofile", 0));
	T("fallocate", fallocate(fd, 0, 0, 10000));
	printf("size: %ld\n", size_of(fd));
	T("fallocate inside keeps size", fallocate(fd, 0, 0, 100));
	printf("size: %ld\n", size_of(fd));
	T("fallocate length 0", fallocate(fd, 0, 0, 0));
	T("fallocate punch without keep-size", fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 10));
	T("fallocate on O_RDONLY", fallocate(ro, 0, 0, 10));
	T("fsync", fsync(fd));
	T("fdatasync", fdatasync(fd));
	T("fsync bad fd", fsync(-1));
	T("syncfs", syncfs(fd));
	sync();

	/* A large file, and a sparse one. */
	int big = MUST(open("big", O_CREAT | O_RDWR, 0644));
	static unsigned char chunk[65536];
	unsigned long sum = 0, back = 0;
	for (int k = 0; k < 48; k++) {
		for (size_t i = 0; i < sizeof chunk; i++)
			chunk[i] = (unsigned char)(i * 7 + k), sum += chunk[i];
		MUST(write(big, chunk, sizeof chunk));
	}
	MUST(lseek(big, 0, SEEK_SET));
	while ((n = read(big, chunk, 4000)) > 0)
		for (ssize_t i = 0; i < n; i++)
			back += chunk[i];
	printf("3 MiB read back: %d\n", sum == back);
	int sp = MUST(open("sparse", O_CREAT | O_RDWR, 0644));
	MUST(pwrite(sp, "e", 1, 1l << 30));
	struct stat st;
	MUST(fstat(sp, &st));
	printf("sparse size: %ld, few blocks: %d\n", (long)st.st_size, st.st_blocks < 64);
	close(sp);
	close(big);
	unlink("big");
	unlink("sparse");
	close(ro);
	close(fd);
}

static void removed_while_open(void)
{
	int fd = MUST(open("gone", O_CREAT | O_RDWR, 0644));
	struct stat st;
	char buf[8] = { 0 };

	MUST(write(fd, "still", 5));
	MUST(unlink("gone"));
	T("open after unlink", open("gone", O_RDONLY));
	MUST(fstat(fd, &st));
	printf("nlink after unlink: %ld\n", (long)st.st_nlink);
	printf("read after unlink: %zd %s\n", pread(fd, buf, 5, 0), buf);
	close(fd);

	fd = MUST(open(".", O_TMPFILE | O_RDWR, 0600));
	printf("O_TMPFILE write: %zd\n", write(fd, "tmp", 3));
	MUST(fstat(fd, &st));
	printf("O_TMPFILE nlink: %ld\n", (long)st.st_nlink);
	T("linkat gives it a name", linkat(fd, "", AT_FDCWD, "named-tmp", AT_EMPTY_PATH));
	MUST(fstat(fd, &st));
	printf("nlink after linkat: %ld\n", (long)st.st_nlink);
	T("linkat a second time", linkat(fd, "", AT_FDCWD, "named-tmp2", AT_EMPTY_PATH));
	close(fd);
	MUST(unlink("named-tmp"));
	MUST(unlink("named-tmp2"));
	fd = MUST(open(".", O_TMPFILE | O_RDWR | O_EXCL, 0600));
	T("linkat with O_EXCL", linkat(fd, "", AT_FDCWD, "named-tmp", AT_EMPTY_PATH));
	close(fd);
	T("O_TMPFILE read-only", open(".", O_TMPFILE | O_RDONLY, 0600));
}

static void memfd(void)
{
	int fd = MUST(memfd_create("scratch", MFD_CLOEXEC));
	char path[64], link[128] = { 0 };

	ssize_t n = write(fd, "memory", 6);
	printf("memfd write: %zd, size %ld\n", n, size_of(fd));
	printf("memfd FD_CLOEXEC: %d\n", fcntl(fd, F_GETFD) == FD_CLOEXEC);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	MUST(readlink(path, link, sizeof link - 1));
	printf("memfd link: %s\n", link);
	printf("memfd seals: %d\n", fcntl(fd, F_GET_SEALS));
	T("memfd add seal without sealing", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	close(fd);

	fd = MUST(memfd_create("sealed", MFD_ALLOW_SEALING));
	MUST(write(fd, "abcdef", 6));
	printf("sealable seals: %d\n", fcntl(fd, F_GET_SEALS));
	T("seal shrink and grow", fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW));
	T("shrink when sealed", ftruncate(fd, 2));
	T("grow when sealed", ftruncate(fd, 20));
	T("write inside when sealed", pwrite(fd, "X", 1, 0));
	T("write past the end when sealed", pwrite(fd, "X", 1, 6));
	T("seal write", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	T("write when write-sealed", pwrite(fd, "X", 1, 0));
	T("seal the seals", fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL));
	T("seal after F_SEAL_SEAL", fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE));
	printf("seals: %d\n", fcntl(fd, F_GET_SEALS));
	close(fd);
	char longname[300];
	memset(longname, 'n', sizeof longname - 1);
	longname[sizeof longname - 1] = 0;
	T("memfd name too long", memfd_create(longname, 0));
	T("memfd bad flags", memfd_create("x", 0x100));
}

static void copies(void)
{
	int src = MUST(open("src", O_CREAT | O_RDWR | O_TRUNC, 0644));
	static char data[100000], back[100000];

	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (char)(i % 251);
	MUST(write(src, data, sizeof data));
	MUST(lseek(src, 0, SEEK_SET));
	int dst = MUST(open("dst", O_CREAT | O_RDWR | O_TRUNC, 0644));
	printf("sendfile: %zd\n", sendfile(dst, src, NULL, sizeof data));
	printf("source offset: %ld\n", (long)lseek(src, 0, SEEK_CUR));
	printf("copy equal: %d\n", pread(dst, back, sizeof back, 0) == (ssize_t)sizeof back &&
				   !memcmp(data, back, sizeof data));
	off_t off = 10;
	MUST(lseek(src, 5, SEEK_SET));
	int dst2 = MUST(open("dst2", O_CREAT | O_RDWR | O_TRUNC, 0644));
	ssize_t n = sendfile(dst2, src, &off, 20);
	printf("sendfile with an offset: %zd, offset %ld, file offset %ld\n", n, (long)off,
	       (long)lseek(src, 0, SEEK_CUR));
	printf("sendfile at the end: %zd\n", sendfile(dst2, src, &(off_t){ sizeof data }, 20));
	int ap = MUST(open("dst2", O_WRONLY | O_APPEND));
	T("sendfile to O_APPEND", sendfile(ap, src, NULL, 1));
	close(ap);
	T("sendfile bad fd", sendfile(dst2, -1, NULL, 1));

	loff_t in = 100, out = 0;
	n = copy_file_range(src, &in, dst2, &out, 50, 0);
	printf("copy_file_range: %zd, in %ld, out %ld\n", n, (long)in, (long)out);
	MUST(pread(dst2, back, 50, 0));
	printf("range equal: %d\n", !memcmp(back, data + 100, 50));
	T("copy_file_range flags", copy_file_range(src, &in, dst2, &out, 50, 1));
	in = 0, out = 10;
	T("copy_file_range overlapping", copy_file_range(src, &in, src, &out, 50, 0));
	int dir = MUST(open(".", O_RDONLY | O_DIRECTORY));
	T("copy_file_range from a directory", copy_file_range(dir, NULL, dst2, NULL, 5, 0));
	close(dir);
	close(src);
	close(dst);
	close(dst2);
}

int main(int argc, char **argv)
{
	char dir[4096];

	if (argc != 2) {
		fprintf(stderr, "usage: fs_files BASE\n");
		return 2;
	}
	snprintf(dir, sizeof dir, "%s/fs_files", argv[1]);
	MUST(mkdir(dir, 0755));
	MUST(chdir(dir));
	umask(022);
	setvbuf(stdout, NULL, _IONBF, 0);
	open_flags();
	read_write();
	sizes();
	removed_while_open();
	memfd();
	copies();
	puts("fs_files done");
	return 0;
}
