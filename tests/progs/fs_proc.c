/* What /dev, /proc and /etc hold, as a program sees it on Linux: the
 * memory devices, the standard stream links, /proc/self (exe, fd, cwd,
 * status, cmdline, environ, maps) and the machine files.  Usage:
 * fs_proc EXE BASE, where EXE is this program's absolute path.  Prints one
 * line per check; each is "yes" when Linux (and amphi) behave as expected. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "fs_check.h"

extern char **environ;

static void check(const char *what, int ok) { printf("%s: %s\n", what, ok ? "yes" : "no"); }

/* The whole of a (generated) file, NUL-terminated; its length in *len. */
static char *slurp(const char *path, size_t *len)
{
	static char buf[1 << 16];
	int fd = open(path, O_RDONLY);
	size_t n = 0;
	ssize_t r;

	*len = 0;
	if (fd < 0)
		return NULL;
	while (n < sizeof buf - 1 && (r = read(fd, buf + n, 100)) > 0)
		n += (size_t)r;
	close(fd);
	buf[n] = 0;
	*len = n;
	return buf;
}

static int has_line(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, prefix, n))
			return 1;
	return 0;
}

static int link_is(const char *path, const char *want)
{
	char buf[4096];
	ssize_t n = readlink(path, buf, sizeof buf - 1);

	if (n < 0)
		return 0;
	buf[n] = 0;
	return !strcmp(buf, want);
}

static void devices(void)
{
	char buf[256];
	struct stat st;
	int fd = MUST(open("/dev/null", O_RDWR));

	check("/dev/null reads nothing", read(fd, buf, sizeof buf) == 0);
	check("/dev/null swallows writes", write(fd, "gone", 4) == 4);
	close(fd);
	MUST(stat("/dev/null", &st));
	check("/dev/null is char device 1,3", S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3);
	fd = MUST(open("/dev/zero", O_RDWR));
	memset(buf, 7, sizeof buf);
	int zeros = read(fd, buf, sizeof buf) == sizeof buf;
	for (size_t i = 0; i < sizeof buf; i++)
		zeros &= buf[i] == 0;
	check("/dev/zero reads zeros", zeros);
	check("/dev/zero takes writes", write(fd, "x", 1) == 1);
	close(fd);
	fd = MUST(open("/dev/full", O_RDWR));
	errno = 0;
	check("/dev/full write gives ENOSPC", write(fd, "x", 1) == -1 && errno == ENOSPC);
	check("/dev/full reads zeros", read(fd, buf, 8) == 8 && buf[0] == 0);
	close(fd);
	fd = MUST(open("/dev/urandom", O_RDONLY));
	memset(buf, 0, sizeof buf);
	int any = read(fd, buf, 64) == 64, nonzero = 0;
	for (int i = 0; i < 64; i++)
		nonzero |= buf[i];
	check("/dev/urandom gives bytes", any && nonzero);
	close(fd);
	fd = MUST(open("/dev/random", O_RDONLY));
	check("/dev/random gives bytes", read(fd, buf, 16) == 16);
	close(fd);
	check("/dev/stdin links to fd 0", link_is("/dev/stdin", "/proc/self/fd/0"));
	check("/dev/stdout links to fd 1", link_is("/dev/stdout", "/proc/self/fd/1"));
	check("/dev/stderr links to fd 2", link_is("/dev/stderr", "/proc/self/fd/2"));
	fd = MUST(open("/dev/stdout", O_WRONLY));
	write(fd, "written to /dev/stdout\n", 23);
	close(fd);
}

static void self(const char *exe, const char *base, int argc, char **argv)
{
	char buf[4096], want[4200];
	size_t len;

	check("/proc/self/exe names the program", link_is("/proc/self/exe", exe));
	snprintf(want, sizeof want, "%d", getpid());
	check("/proc/self is the pid", link_is("/proc/self", want));
	snprintf(buf, sizeof buf, "/proc/%d/status", getpid());
	check("/proc/PID exists", access(buf, R_OK) == 0);
	char *status = slurp("/proc/self/status", &len);
	snprintf(want, sizeof want, "Pid:\t%d", getpid());
	check("status has the pid", status && has_line(status, want));
	check("status has the name", status && has_line(status, "Name:\tfs_proc"));
	check("status has one thread", status && has_line(status, "Threads:\t1"));
	check("status has VmRSS", status && has_line(status, "VmRSS:"));
	char *cmd = slurp("/proc/self/cmdline", &len);
	size_t at = 0;
	int same = cmd != NULL;
	for (int i = 0; i < argc && same; i++) {
		same = at < len && !strcmp(cmd + at, argv[i]);
		at += strlen(argv[i]) + 1;
	}
	check("cmdline is argv", same && at == len);
	char *env = slurp("/proc/self/environ", &len);
	at = 0;
	same = env != NULL;
	for (char **e = environ; *e && same; e++) {
		same = at < len && !strcmp(env + at, *e);
		at += strlen(*e) + 1;
	}
	check("environ is the environment", same && at == len);
	char *maps = slurp("/proc/self/maps", &len);
	check("maps has the stack", maps && strstr(maps, "[stack]"));
	check("maps names the program", maps && strstr(maps, exe));

	MUST(chdir(base));
	check("cwd links to the current directory", getcwd(want, sizeof want) && link_is("/proc/self/cwd", want));
	int fd = MUST(open("fs_proc_file", O_CREAT | O_RDWR | O_TRUNC, 0644));
	snprintf(buf, sizeof buf, "/proc/self/fd/%d", fd);
	snprintf(want, sizeof want, "%s/fs_proc_file", getcwd(want + 2000, 2000));
	check("fd link names the file", link_is(buf, want));
	MUST(write(fd, "0123456789", 10));
	int again = MUST(open(buf, O_RDONLY));
	char c = 0;
	check("opening the fd link gives its own offset", read(again, &c, 1) == 1 && c == '0');
	close(again);
	MUST(unlink("fs_proc_file"));
	strcat(want, " (deleted)");
	check("fd link of a removed file says so", link_is(buf, want));
	again = open(buf, O_RDONLY);
	check("a removed file opens through its fd link", again >= 0 && read(again, &c, 1) == 1 && c == '0');
	close(again);
	close(fd);
	int seen[3] = { 0 };
	int dfd = MUST(open("/proc/self/fd", O_RDONLY | O_DIRECTORY));
	close(dfd);
	fd = MUST(open("/proc/self/fd", O_RDONLY | O_DIRECTORY));
	char dents[4096];
	long n = syscall(217, fd, dents, sizeof dents);	/* getdents64 */
	for (long off = 0; off < n;) {
		unsigned short reclen;
		memcpy(&reclen, dents + off + 16, 2);
		const char *name = dents + off + 19;
		if (name[0] >= '0' && name[0] <= '2' && !name[1])
			seen[name[0] - '0'] = 1;
		off += reclen;
	}
	close(fd);
	check("fd lists 0 1 2", seen[0] && seen[1] && seen[2]);
	struct stat st;
	check("fd entries are links", lstat("/proc/self/fd/1", &st) == 0 && S_ISLNK(st.st_mode));
	check("a closed fd has no entry", lstat("/proc/self/fd/999", &st) == -1 && errno == ENOENT);
}

static void machine(void)
{
	size_t len;
	char *text = slurp("/proc/meminfo", &len);

	check("meminfo starts with MemTotal", text && !strncmp(text, "MemTotal:", 9));
	check("meminfo has MemFree and MemAvailable", text && has_line(text, "MemFree:") && has_line(text, "MemAvailable:"));
	text = slurp("/proc/cpuinfo", &len);
	int cpus = 0;
	for (char *p = text; p && (p = strstr(p, "processor\t:")); p++)
		cpus++;
	check("cpuinfo has one block per online CPU", cpus == sysconf(_SC_NPROCESSORS_ONLN));
	text = slurp("/proc/uptime", &len);
	double up = -1, idle = -1;
	check("uptime has two numbers", text && sscanf(text, "%lf %lf", &up, &idle) == 2 && up > 0 && idle >= 0);
	text = slurp("/proc/loadavg", &len);
	double l1, l5, l15;
	check("loadavg has three averages", text && sscanf(text, "%lf %lf %lf", &l1, &l5, &l15) == 3);
	text = slurp("/proc/mounts", &len);
	check("mounts has / and /proc", text && strstr(text, " / ") && strstr(text, " /proc proc "));
	text = slurp("/proc/stat", &len);
	check("stat starts with the cpu line", text && !strncmp(text, "cpu ", 4));
	text = slurp("/proc/version", &len);
	check("version starts with Linux version", text && !strncmp(text, "Linux version ", 14));
	text = slurp("/proc/filesystems", &len);
	check("filesystems has proc", text && strstr(text, "\tproc\n"));
	struct utsname u;
	uname(&u);
	text = slurp("/proc/sys/kernel/osrelease", &len);
	check("osrelease is uname's release", text && len && text[len - 1] == '\n' &&
	      !strncmp(text, u.release, len - 1) && strlen(u.release) == len - 1);
	int w = open("/proc/meminfo", O_WRONLY);
	check("/proc/meminfo cannot be written", w < 0 || write(w, "x", 1) < 0);
	if (w >= 0)
		close(w);
	errno = 0;
	check("nothing new is made in /proc", open("/proc/newfile", O_CREAT | O_WRONLY, 0644) == -1 &&
	      (errno == ENOENT || errno == EACCES));
	struct statfs sf;
	check("/proc is procfs", statfs("/proc", &sf) == 0 && sf.f_type == 0x9fa0);

	text = slurp("/etc/passwd", &len);
	check("/etc/passwd has root", text && has_line(text, "root:x:0:0:"));
	text = slurp("/etc/group", &len);
	check("/etc/group has root", text && has_line(text, "root:x:0:"));
	text = slurp("/etc/hosts", &len);
	check("/etc/hosts has localhost", text && strstr(text, "localhost"));
	struct stat st;
	check("/tmp is a sticky, writable directory", stat("/tmp", &st) == 0 && S_ISDIR(st.st_mode) &&
	      (st.st_mode & 07777) == 01777);
	check("/root is a directory", stat("/root", &st) == 0 && S_ISDIR(st.st_mode));
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: fs_proc EXE BASE\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	devices();
	self(argv[1], argv[2], argc, argv);
	machine();
	puts("fs_proc done");
	return 0;
}
