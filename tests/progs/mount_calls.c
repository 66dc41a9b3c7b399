/* mount(2), umount2(2), statfs, the EBUSY, EXDEV and EROFS rules, on 9p
 * shares.  Usage: mount_calls TAG DIR ROTAG RODIR: TAG is a share the run
 * did not mount (mounted here at DIR), RODIR a read-only share mounted at
 * boot (tag ROTAG).  Prints one line per step (fs_check.h). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "fs_check.h"

#define V9FS_MAGIC 0x01021997

static char path[512];

static const char *at(const char *dir, const char *name)
{
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return path;
}

/* Whether /proc/mounts has a line "TAG DIR 9p MODE,...". */
static void show_mounts(const char *tag, const char *dir)
{
	char line[512], want[300];
	FILE *f = fopen("/proc/mounts", "r");
	int found = 0;

	snprintf(want, sizeof want, "%s %s 9p ", tag, dir);
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, want, strlen(want))) {
			found = 1;
			printf("mounts: %s", line + strlen(want));
		}
	if (!found)
		printf("mounts: %s not listed\n", dir);
	if (f)
		fclose(f);
}

static void mounting(const char *tag, const char *dir)
{
	struct statfs sf;

	MUST(mkdir(dir, 0755));
	T("mount unknown type", mount(tag, dir, "nosuchfs", 0, NULL));
	T("mount unknown tag", mount("no-such-tag", dir, "9p", 0, "trans=virtio"));
	T("mount bad option", mount(tag, dir, "9p", 0, "trans=tcp"));
	T("mount bind", mount(tag, dir, "9p", MS_BIND, NULL));
	T("mount on a file", mount(tag, "/proc/self/status", "9p", 0, NULL));
	T("mount", mount(tag, dir, "9p", 0, "trans=virtio,version=9p2000.L"));
	T("mount again", mount(tag, dir, "9p", 0, NULL));
	show_mounts(tag, dir);
	MUST(statfs(dir, &sf));
	printf("statfs type: %s\n", sf.f_type == V9FS_MAGIC ? "V9FS_MAGIC" : "other");
	int fd = MUST(open(at(dir, "host.txt"), O_RDONLY));
	char buf[64] = { 0 };
	printf("read: %.*s", (int)read(fd, buf, sizeof buf - 1), buf);
	/* Private mappings are copies read from the host; a shared one of a
	 * file open for writing would be a copy the host never sees: EINVAL,
	 * as Linux's 9p without a cache (generic_file_readonly_mmap). */
	char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	printf("mmap private: %.10s\n", m == MAP_FAILED ? "failed" : m);
	if (m != MAP_FAILED) {
		memcpy(m, "changed", 7);
		MUST(munmap(m, 4096));
	}
	int rw = MUST(open(at(dir, "host.txt"), O_RDWR));
	T("mmap shared of a file open for writing", mmap(NULL, 4096, PROT_READ, MAP_SHARED, rw, 0) == MAP_FAILED ? -1 : 0);
	close(rw);
	T("umount with a file open", umount2(dir, 0));
	close(fd);
	MUST(chdir(dir));
	T("umount with a cwd inside", umount2(dir, 0));
	MUST(chdir("/"));
	T("umount lazily", umount2(dir, MNT_DETACH));
	T("rename across mounts", rename(at(dir, "host.txt"), "/tmp/x"));
	T("link across mounts", link(at(dir, "host.txt"), "/tmp/x"));
	T("umount", umount2(dir, 0));
	T("umount again", umount2(dir, 0));
	show_mounts(tag, dir);
	T("host file gone with it", access(at(dir, "host.txt"), F_OK));
}

static void read_only(const char *dir)
{
	struct statfs sf;
	char buf[64] = { 0 };

	MUST(statfs(dir, &sf));
	printf("statfs ro flag: %s\n", sf.f_flags & ST_RDONLY ? "yes" : "no");
	int fd = MUST(open(at(dir, "host.txt"), O_RDONLY));
	printf("read: %.*s", (int)read(fd, buf, sizeof buf - 1), buf);
	close(fd);
	T("open for writing", open(at(dir, "host.txt"), O_WRONLY));
	T("create", open(at(dir, "new"), O_WRONLY | O_CREAT, 0644));
	T("mkdir", mkdir(at(dir, "d"), 0755));
	T("unlink", unlink(at(dir, "host.txt")));
	T("chmod", chmod(at(dir, "host.txt"), 0600));
	T("truncate", truncate(at(dir, "host.txt"), 0));
}

/* A read-only mount made read-write and back. */
static void remounting(const char *tag, const char *dir)
{
	T("mount ro", mount(tag, dir, "9p", MS_RDONLY, "trans=virtio"));
	show_mounts(tag, dir);
	T("create on ro", open(at(dir, "new"), O_WRONLY | O_CREAT, 0644));
	T("remount rw", mount(NULL, dir, NULL, MS_REMOUNT, NULL));
	show_mounts(tag, dir);
	int fd = open(at(dir, "new"), O_WRONLY | O_CREAT, 0644);
	printf("create after remount rw: %s\n", fd < 0 ? errname(errno) : "ok");
	T("remount ro with a file open for writing", mount(NULL, dir, NULL, MS_REMOUNT | MS_RDONLY, NULL));
	T("umount with a file open", umount2(dir, 0));
	close(fd);
	T("remount ro", mount(NULL, dir, NULL, MS_REMOUNT | MS_RDONLY, NULL));
	T("unlink after remount ro", unlink(at(dir, "new")));
	T("remount a directory that is no mount", mount(NULL, "/tmp", NULL, MS_REMOUNT, NULL));
	T("umount", umount2(dir, 0));
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: mount_calls TAG DIR ROTAG RODIR\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	mounting(argv[1], argv[2]);
	remounting(argv[1], argv[2]);
	show_mounts(argv[3], argv[4]);
	read_only(argv[4]);
	return 0;
}
