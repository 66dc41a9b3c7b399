/* A file's extras at their edges, as Linux's tmpfs answers them:
 * fallocate with FALLOC_FL_KEEP_SIZE takes the pages and leaves the size
 * (amphi refused it, EOPNOTSUPP); extended attribute calls check their
 * arguments before the path, in Linux's order (bad flags EINVAL, a value
 * over 64 KiB E2BIG, an empty or 256-byte name ERANGE, an unknown
 * namespace EOPNOTSUPP), whatever the file system keeps.  Usage:
 * fs_file_edges DIR. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fs_check.h"

static char path[4096], missing[4096];

static void show(const char *what, int fd)
{
	struct stat st;

	MUST(fstat(fd, &st));
	printf("%s: size %lld, blocks %lld\n", what, (long long)st.st_size, (long long)st.st_blocks);
}

static void keep_size(void)
{
	char buf[8192];
	int fd = MUST(open(path, O_CREAT | O_RDWR | O_TRUNC, 0644));

	MUST(write(fd, "0123456789", 10));
	T("fallocate KEEP_SIZE 0..16 KiB", fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 16384));
	show("  after", fd);
	long n = pread(fd, buf, sizeof buf, 0);
	printf("  read: %ld bytes, %.10s\n", n, buf);
	MUST(ftruncate(fd, 8192));
	n = pread(fd, buf, sizeof buf, 0);
	int zeros = 1;
	for (long k = 10; k < n; k++)
		zeros &= buf[k] == 0;
	printf("  grown to 8 KiB: read %ld bytes, zeros past the data: %s\n", n, zeros ? "yes" : "no");
	show("  after", fd);
	T("fallocate KEEP_SIZE past the end", fallocate(fd, FALLOC_FL_KEEP_SIZE, 1 << 20, 4096));
	show("  after", fd);
	MUST(ftruncate(fd, 8192));
	show("truncated to its own size", fd);
	T("fallocate KEEP_SIZE past the end again", fallocate(fd, FALLOC_FL_KEEP_SIZE, 1 << 20, 4096));
	T("fallocate KEEP_SIZE, length 0", fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 0));
	T("fallocate KEEP_SIZE overflowing", fallocate(fd, FALLOC_FL_KEEP_SIZE, INT64_MAX - 10, 100));
	MUST(ftruncate(fd, 0));
	show("truncated to 0", fd);
	close(fd);
}

static void xattrs(void)
{
	static char big[70000], longname[300];
	char v[16];

	memset(longname, 'a', 256);
	memcpy(longname, "user.", 5);
	T("setxattr flags 99", setxattr(path, "user.a", "v", 1, 99));
	T("setxattr flags 99, no such file", setxattr(missing, "user.a", "v", 1, 99));
	T("setxattr 65537 bytes", setxattr(path, "user.a", big, 65537, 0));
	T("setxattr 65537 bytes, no such file", setxattr(missing, "user.a", big, 65537, 0));
	T("setxattr empty name", setxattr(path, "", "v", 1, 0));
	T("setxattr 256-byte name", setxattr(path, longname, "v", 1, 0));
	T("setxattr unknown namespace", setxattr(path, "bogus.a", "v", 1, 0));
	T("setxattr no such file", setxattr(missing, "user.a", "v", 1, 0));
	T("getxattr user.none", getxattr(path, "user.none", v, sizeof v));
	T("getxattr user.none, 2^40 bytes", syscall(SYS_getxattr, path, "user.none", v, 1ull << 40));
	T("getxattr unknown namespace", getxattr(path, "bogus.a", v, sizeof v));
	T("getxattr empty name, no such file", getxattr(missing, "", v, sizeof v));
	T("getxattr no such file", getxattr(missing, "user.a", v, sizeof v));
	T("getxattr NULL path", getxattr(NULL, "user.a", v, sizeof v));
	T("fgetxattr bad descriptor, empty name", fgetxattr(999, "", v, sizeof v));
	T("fsetxattr bad descriptor, flags 99", fsetxattr(999, "user.a", "v", 1, 99));
	T("removexattr empty name, no such file", removexattr(missing, ""));
	T("removexattr unknown namespace", removexattr(path, "bogus.a"));
	printf("listxattr: %ld\n", (long)listxattr(path, v, sizeof v));
}

int main(int argc, char **argv)
{
	snprintf(path, sizeof path, "%s/fs_file_edges", argc > 1 ? argv[1] : "/tmp");
	snprintf(missing, sizeof missing, "%s/fs_file_edges.none", argc > 1 ? argv[1] : "/tmp");
	keep_size();
	xattrs();
	MUST(unlink(path));
	printf("fs_file_edges done\n");
	return 0;
}
