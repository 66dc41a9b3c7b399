/* Permissions and identities: what a non-root user may and may not do to
 * files, directories, sockets and other processes, and what root keeps
 * through its capabilities.  Each step prints "what: result" (fs_check.h).
 *
 *   perms user BASE   run as uid 1000, gid 1000, no groups, no capabilities
 *                     (amphi run --user 1000:1000; natively: setpriv
 *                     --reuid=1000 --regid=1000 --clear-groups)
 *   perms root BASE   run as root: sets up a tree root owns, then checks it
 *                     from children that drop to uid 1000 with setuid
 *
 * BASE is made by the program (its parent must be writable, as /tmp) and
 * removed at the end.  Capability masks are printed for the capabilities
 * amphi checks only: a container's root may lack others. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs_check.h"

#define CAP_MASK	0x2005ffull	/* CHOWN..SETPCAP, NET_BIND_SERVICE, SYS_ADMIN */
#define LOW_PORT	1019
#define V3		0x20080522u

struct cap_header { uint32_t version; int pid; };
struct cap_data { uint32_t effective, permitted, inheritable; };

static char base[256], self_path[300], suid_path[300], sgid_path[300];

static const char *at(const char *name)
{
	static char buf[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/%s", base, name);
	return buf[k];
}

static void print_mode(const char *what, const char *path)
{
	struct stat st;

	if (stat(path, &st))
		printf("%s: %s\n", what, errname(errno));
	else
		printf("%s: %o %u:%u\n", what, st.st_mode, st.st_uid, st.st_gid);
}

static void print_ids(void)
{
	uid_t r, e, s;
	gid_t gr, ge, gs, groups[8];
	int n = getgroups(8, groups);

	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	printf("uids %u %u %u fsuid %d gids %u %u %u fsgid %d groups", r, e, s,
	       (int)syscall(SYS_setfsuid, -1), gr, ge, gs, (int)syscall(SYS_setfsgid, -1));
	for (int k = 0; k < n; k++)
		printf(" %u", groups[k]);
	printf("\n");
}

/* /proc/self/status: the id lines as they are, the capability lines
 * masked (the bounding set of a container's root differs). */
static void print_status(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof line, f)) {
		unsigned long long v;
		char name[32];
		if (!strncmp(line, "Uid:", 4) || !strncmp(line, "Gid:", 4) ||
		    !strncmp(line, "Groups:", 7) || !strncmp(line, "NoNewPrivs:", 11))
			printf("status %s", line);
		else if (!strncmp(line, "Cap", 3) && sscanf(line, "%31[^:]:%llx", name, &v) == 2)
			printf("status %s: %llx\n", name, v & CAP_MASK);
	}
	if (f)
		fclose(f);
}

static void print_caps(const char *what)
{
	struct cap_header h = { V3, 0 };
	struct cap_data d[2];

	if (syscall(SYS_capget, &h, d)) {
		printf("%s: capget %s\n", what, errname(errno));
		return;
	}
	uint64_t e = d[0].effective | (uint64_t)d[1].effective << 32;
	uint64_t p = d[0].permitted | (uint64_t)d[1].permitted << 32;
	uint64_t i = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	printf("%s: eff %llx prm %llx inh %llx\n", what, (unsigned long long)(e & CAP_MASK),
	       (unsigned long long)(p & CAP_MASK), (unsigned long long)(i & CAP_MASK));
}

static int set_caps(uint64_t eff, uint64_t prm, uint64_t inh)
{
	struct cap_header h = { V3, 0 };
	struct cap_data d[2] = {
		{ (uint32_t)eff, (uint32_t)prm, (uint32_t)inh },
		{ (uint32_t)(eff >> 32), (uint32_t)(prm >> 32), (uint32_t)(inh >> 32) },
	};
	return (int)syscall(SYS_capset, &h, d);
}

static uint64_t permitted_now(void)
{
	struct cap_header h = { V3, 0 };
	struct cap_data d[2];

	syscall(SYS_capget, &h, d);
	return d[0].permitted | (uint64_t)d[1].permitted << 32;
}

static int bind_to(int family, int type, int port)
{
	int fd = socket(family, type, 0), r;

	if (family == AF_INET) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		r = bind(fd, (struct sockaddr *)&a, sizeof a);
	} else {
		struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port),
					  .sin6_addr = IN6ADDR_LOOPBACK_INIT };
		r = bind(fd, (struct sockaddr *)&a, sizeof a);
	}
	int e = errno;
	close(fd);
	errno = e;
	return r;
}

static void check_binds(void)
{
	T("bind tcp4 low port", bind_to(AF_INET, SOCK_STREAM, LOW_PORT));
	T("bind udp4 low port", bind_to(AF_INET, SOCK_DGRAM, LOW_PORT));
	T("bind tcp6 low port", bind_to(AF_INET6, SOCK_STREAM, LOW_PORT));
	T("bind udp6 low port", bind_to(AF_INET6, SOCK_DGRAM, LOW_PORT));
	T("bind tcp4 port 0", bind_to(AF_INET, SOCK_STREAM, 0));
	T("bind tcp4 high port", bind_to(AF_INET, SOCK_STREAM, 41019));
}

static void copy_self(const char *to, mode_t mode)
{
	char buf[65536];
	int in = MUST(open("/proc/self/exe", O_RDONLY));
	int out = MUST(open(to, O_WRONLY | O_CREAT | O_TRUNC, 0700));
	long n;

	while ((n = read(in, buf, sizeof buf)) > 0)
		MUST(write(out, buf, n));
	close(in);
	close(out);
	MUST(chmod(to, mode));
}

/* Runs path as "perms hello": -1 and the errno, or its exit status. */
static void exec_as(const char *what, const char *path)
{
	int p[2];
	char e = 0;

	MUST(pipe2(p, O_CLOEXEC));
	fflush(stdout);
	pid_t pid = MUST(fork());
	if (!pid) {
		execl(path, "perms", "hello", (char *)NULL);
		e = (char)errno;
		write(p[1], &e, 1);
		_exit(127);
	}
	close(p[1]);
	int status;
	if (read(p[0], &e, 1) == 1)
		printf("%s: %s\n", what, errname(e));
	waitpid(pid, &status, 0);
	close(p[0]);
	if (!e)
		printf("%s: status %d\n", what, WEXITSTATUS(status));
}

static void check_files(void)
{
	char f[512];

	snprintf(f, sizeof f, "%s", at("f"));
	T("create a file", MUST(open(f, O_CREAT | O_WRONLY, 0600)));
	print_mode("new file", f);
	T("chmod 0", chmod(f, 0));
	T("open 0000 for reading", open(f, O_RDONLY));
	T("open 0000 for writing", open(f, O_WRONLY));
	T("access R_OK on 0000", access(f, R_OK));
	T("access F_OK on 0000", access(f, F_OK));
	T("chmod 0400", chmod(f, 0400));
	T("open 0400 for reading", open(f, O_RDONLY));
	T("open 0400 for writing", open(f, O_WRONLY));
	T("open 0400 O_RDONLY|O_TRUNC", open(f, O_RDONLY | O_TRUNC));
	T("truncate 0400", truncate(f, 0));
	T("chmod 0644", chmod(f, 0644));
	T("open O_NOATIME on own file", open(f, O_RDONLY | O_NOATIME));
	T("open O_NOATIME on /dev/null", open("/dev/null", O_RDONLY | O_NOATIME));
	T("execute 0644", execl(f, "x", (char *)NULL));
	copy_self(at("prog"), 0755);
	exec_as("execute 0755", at("prog"));
	T("chmod prog 0644", chmod(at("prog"), 0644));
	exec_as("execute prog 0644", at("prog"));
	T("chmod prog 04755", chmod(at("prog"), 04755));
	int fd = open(at("prog"), O_WRONLY);
	T("write to a set-uid file", write(fd, "", 0) < 0 ? -1 : write(fd, "\177", 1));
	close(fd);
	print_mode("after the write", at("prog"));
}

static void check_dirs(void)
{
	char d[512], x[512];
	int fd;

	snprintf(d, sizeof d, "%s", at("d"));
	snprintf(x, sizeof x, "%s", at("d/x"));
	T("mkdir", mkdir(d, 0700));
	T("create in it", fd = open(x, O_CREAT | O_WRONLY, 0644));
	close(fd);
	T("chmod dir 0600", chmod(d, 0600));
	T("stat without search", ({ struct stat st; stat(x, &st); }));
	T("open without search", open(x, O_RDONLY));
	T("list without search", open(d, O_RDONLY | O_DIRECTORY));
	T("chmod dir 0300", chmod(d, 0300));
	T("list without read", open(d, O_RDONLY | O_DIRECTORY));
	T("stat with search only", ({ struct stat st; stat(x, &st); }));
	T("chmod dir 0500", chmod(d, 0500));
	T("unlink without write", unlink(x));
	T("create without write", open(at("d/y"), O_CREAT | O_WRONLY, 0644));
	T("mkdir without write", mkdir(at("d/z"), 0755));
	T("rename out without write", rename(x, at("x2")));
	T("chmod dir 0600 again", chmod(d, 0600));
	T("chdir without search", chdir(d));
	T("fchdir without search", ({ int dfd = open(d, O_RDONLY | O_DIRECTORY); fchdir(dfd); }));
	T("chmod dir 0700", chmod(d, 0700));
	T("chdir with search", chdir(d));
	T("chdir /", chdir("/"));
	T("mkdir in /", mkdir("/perms-not-here", 0755));
	T("create in /", open("/perms-not-here", O_CREAT | O_WRONLY, 0644));
}

static void check_owners(void)
{
	char f[512];

	snprintf(f, sizeof f, "%s", at("f"));
	T("chown own file to root", chown(f, 0, -1));
	T("chgrp own file to root", chown(f, -1, 0));
	T("chown own file to itself", chown(f, getuid(), getgid()));
	T("chown / to itself", chown("/", getuid(), -1));
	T("chmod /", chmod("/", 0755));
	T("chmod /dev/null", chmod("/dev/null", 0666));
	T("touch own file", utimensat(AT_FDCWD, f, NULL, 0));
	T("touch /dev/null", utimensat(AT_FDCWD, "/dev/null", NULL, 0));
	struct timespec ts[2] = { { 1, 0 }, { 1, 0 } };
	T("set times of /dev/null", utimensat(AT_FDCWD, "/dev/null", ts, 0));
	T("set times of own file", utimensat(AT_FDCWD, f, ts, 0));
	T("touch /", utimensat(AT_FDCWD, "/", NULL, 0));
}

/* /proc/self: owned by the process while it is dumpable, its fds open to
 * it always; /proc/sys is root's. */
static void check_proc(void)
{
	int p[2];
	char path[64];

	print_mode("/proc/self/status", "/proc/self/status");
	T("access W_OK /proc/self/status", access("/proc/self/status", W_OK));
	T("list /proc/self/fd", open("/proc/self/fd", O_RDONLY | O_DIRECTORY));
	MUST(pipe(p));
	snprintf(path, sizeof path, "/proc/self/fd/%d", p[1]);
	T("reopen a pipe through /proc/self/fd", open(path, O_WRONLY));
	T("write /proc/sys/net/core/somaxconn", open("/proc/sys/net/core/somaxconn", O_WRONLY));
}

/* Connecting to a named AF_UNIX socket takes write permission on it. */
static void check_unix(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int srv = socket(AF_UNIX, SOCK_STREAM, 0), c;

	snprintf(a.sun_path, sizeof a.sun_path, "%s", at("sock"));
	T("bind a unix socket", bind(srv, (struct sockaddr *)&a, sizeof a));
	print_mode("its node", a.sun_path);
	T("listen", listen(srv, 4));
	T("connect", ({ c = socket(AF_UNIX, SOCK_STREAM, 0); connect(c, (struct sockaddr *)&a, sizeof a); }));
	close(c);
	T("chmod it 0555", chmod(a.sun_path, 0555));
	T("connect without write", ({ c = socket(AF_UNIX, SOCK_STREAM, 0); connect(c, (struct sockaddr *)&a, sizeof a); }));
	close(c);
	close(srv);
}

static void check_limits(void)
{
	struct rlimit r = { 64, 128 };

	T("lower the NOFILE limits to 64, 128", setrlimit(RLIMIT_NOFILE, &r));
	r.rlim_max = 256;
	T("raise the hard one to 256", setrlimit(RLIMIT_NOFILE, &r));
	T("sethostname", sethostname("perms", 5));
}

static void check_ids(void)
{
	T("setuid 0", setuid(0));
	T("setgid 0", setgid(0));
	T("setgroups", setgroups(0, NULL));
	printf("setfsuid 0 gives: %d\n", (int)syscall(SYS_setfsuid, 0));
	printf("fsuid now: %d\n", (int)syscall(SYS_setfsuid, -1));
}

static void check_prctl(void)
{
	struct cap_header h = { 1, 0 };
	struct cap_data d[2];

	print_caps("capget");
	T("capget bad version", syscall(SYS_capget, &h, d));
	printf("version it wrote: %x\n", h.version);
	h.version = 1;
	T("capget bad version, no data", syscall(SYS_capget, &h, NULL));
	h = (struct cap_header){ V3, -1 };
	T("capget pid -1", syscall(SYS_capget, &h, d));
	T("capset raising a capability", set_caps(1 << 10, 1 << 10, 0));
	printf("PR_CAPBSET_READ CHOWN: %d\n", prctl(PR_CAPBSET_READ, 0, 0, 0, 0));
	T("PR_CAPBSET_READ 64", prctl(PR_CAPBSET_READ, 64, 0, 0, 0));
	printf("PR_GET_KEEPCAPS: %d\n", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
	T("PR_SET_KEEPCAPS 2", prctl(PR_SET_KEEPCAPS, 2, 0, 0, 0));
	printf("PR_CAP_AMBIENT IS_SET CHOWN: %d\n", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, 0, 0, 0));
	T("PR_CAP_AMBIENT RAISE CHOWN", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, 0, 0, 0));
	T("PR_CAP_AMBIENT CLEAR_ALL", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0));
	printf("PR_GET_SECUREBITS: %d\n", prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
	printf("PR_GET_DUMPABLE: %d\n", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
	printf("PR_GET_NO_NEW_PRIVS: %d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	T("PR_SET_NO_NEW_PRIVS 2", prctl(PR_SET_NO_NEW_PRIVS, 2, 0, 0, 0));
}

/* What every unprivileged run checks, in BASE (made here). */
static void user_checks(void)
{
	print_ids();
	print_status();
	check_proc();
	T("mkdir base", mkdir(base, 0755));
	check_files();
	check_dirs();
	check_owners();
	check_binds();
	check_unix();
	check_limits();
	check_ids();
	check_prctl();
}

/* ---- root ---------------------------------------------------------------- */

static void setup_tree(void)
{
	MUST(mkdir(at("tmp"), 01777));
	MUST(chmod(at("tmp"), 01777));
	MUST(close(MUST(open(at("tmp/rootfile"), O_CREAT | O_WRONLY, 0666))));
	MUST(chmod(at("tmp/rootfile"), 0666));
	MUST(mkdir(at("grp"), 0755));
	MUST(close(MUST(open(at("grp/file"), O_CREAT | O_WRONLY, 0640))));
	MUST(chown(at("grp/file"), 0, 2000));
	MUST(mkdir(at("closed"), 0700));
	MUST(close(MUST(open(at("closed/f"), O_CREAT | O_WRONLY, 0644))));
	MUST(close(MUST(open(at("secret"), O_CREAT | O_WRONLY, 0600))));
	MUST(close(MUST(open(at("theirs"), O_CREAT | O_WRONLY, 0755))));
	MUST(chown(at("theirs"), 1000, 0));
	MUST(mkdir(at("sg"), 0777));
	MUST(chown(at("sg"), 0, 3000));
	MUST(chmod(at("sg"), 02777));
	MUST(mkdir(at("u"), 0777));
	MUST(chmod(at("u"), 0777));
	snprintf(suid_path, sizeof suid_path, "%s", at("suid"));
	copy_self(suid_path, 0755);
	MUST(chmod(suid_path, 04755));
	snprintf(sgid_path, sizeof sgid_path, "%s", at("sgid"));
	copy_self(sgid_path, 0755);
	MUST(chown(sgid_path, 0, 3000));
	MUST(chmod(sgid_path, 02755));
}

static void drop_to(uid_t uid, gid_t gid, int ngroups, const gid_t *groups)
{
	MUST(setgroups(ngroups, groups));
	MUST(setgid(gid));
	MUST(setuid(uid));
}

/* A child dropped to uid 1000 with group 2000: the tree root made. */
static void dropped_checks(void)
{
	gid_t g = 2000;

	drop_to(1000, 1000, 1, &g);
	print_caps("after setuid");
	printf("PR_GET_DUMPABLE after setuid: %d\n", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
	exec_as("exec a set-user-ID root file", suid_path);
	exec_as("exec a set-group-ID file", sgid_path);
	T("unlink root's file in a sticky dir", unlink(at("tmp/rootfile")));
	T("rename root's file in a sticky dir", rename(at("tmp/rootfile"), at("tmp/x")));
	T("write root's 0666 file in a sticky dir", open(at("tmp/rootfile"), O_WRONLY));
	T("create own file in a sticky dir", open(at("tmp/mine"), O_CREAT | O_WRONLY, 0644));
	T("unlink own file in a sticky dir", unlink(at("tmp/mine")));
	T("hard link to root's 0600 file", link(at("secret"), at("tmp/l1")));
	T("hard link to root's 0666 file", link(at("tmp/rootfile"), at("tmp/l2")));
	T("hard link to a set-user-ID file", link(suid_path, at("tmp/l3")));
	T("read a 0640 file of a supplementary group", open(at("grp/file"), O_RDONLY));
	T("access R_OK through a group", access(at("grp/file"), R_OK));
	T("access W_OK through a group", access(at("grp/file"), W_OK));
	T("stat in a 0700 root dir", ({ struct stat st; stat(at("closed/f"), &st); }));
	T("read root's 0600 file", open(at("secret"), O_RDONLY));
	T("chmod 02755 own file of another group", chmod(at("theirs"), 02755));
	print_mode("mode after", at("theirs"));
	T("chmod root's file", chmod(at("secret"), 0644));
	T("create in a set-gid dir", close(open(at("sg/file"), O_CREAT | O_WRONLY, 02775)));
	print_mode("file in a set-gid dir", at("sg/file"));
	T("mkdir in a set-gid dir", mkdir(at("sg/sub"), 0755));
	print_mode("dir in a set-gid dir", at("sg/sub"));
	T("symlink in a set-gid dir", symlink("file", at("sg/link")));
	T("mkfifo in a set-gid dir", mkfifo(at("sg/fifo"), 0644));
	T("mknod a character device", mknod(at("sg/null"), S_IFCHR | 0666, makedev(1, 3)));
	print_mode("fifo in a set-gid dir", at("sg/fifo"));
	snprintf(base, sizeof base, "%s", at("u/base"));
	user_checks();
	T("PR_SET_NO_NEW_PRIVS", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	exec_as("exec a set-user-ID root file with no new privileges", suid_path);
}

/* Root's own view: the bits it ignores and the one it does not. */
static void root_checks(void)
{
	T("root opens a 0000 file", ({ MUST(chmod(at("secret"), 0)); open(at("secret"), O_RDWR); }));
	T("root lists a 0000 dir", ({ MUST(chmod(at("closed"), 0)); open(at("closed"), O_RDONLY); }));
	T("root stats in a 0000 dir", ({ struct stat st; stat(at("closed/f"), &st); }));
	MUST(chmod(at("closed"), 0700));
	copy_self(at("noexec"), 0644);
	exec_as("root executes 0644", at("noexec"));
	copy_self(at("theirprog"), 0700);
	MUST(chown(at("theirprog"), 1000, 1000));
	exec_as("root executes another's 0700", at("theirprog"));
	check_binds();
	print_caps("root capget");
	printf("PR_CAPBSET_READ CHOWN: %d\n", prctl(PR_CAPBSET_READ, 0, 0, 0, 0));
	T("setfsuid 1000", syscall(SYS_setfsuid, 1000));
	T("setfsgid 2000", syscall(SYS_setfsgid, 2000));
	print_caps("capget with fsuid 1000");
	T("open a 0000 file with fsuid 1000", open(at("secret"), O_RDONLY));
	T("create in a root dir with fsuid 1000", open(at("fsfile"), O_CREAT | O_WRONLY, 0644));
	T("create in a 0777 dir with fsuid 1000", close(open(at("u/fsfile"), O_CREAT | O_WRONLY, 0644)));
	print_mode("its owner", at("u/fsfile"));
	printf("setfsuid back gives: %d\n", (int)syscall(SYS_setfsuid, 0));
	syscall(SYS_setfsgid, 0);
	T("open a 0000 file again", open(at("secret"), O_RDONLY));
	MUST(chmod(at("secret"), 0600));
}

/* setresuid(1000, 0, 0): access() answers for the real id, AT_EACCESS
 * for the effective one. */
static void access_checks(void)
{
	MUST(setresuid(1000, 0, 0));
	T("access R_OK with real uid 1000", access(at("secret"), R_OK));
	T("faccessat2 AT_EACCESS", syscall(SYS_faccessat2, AT_FDCWD, at("secret"), R_OK, AT_EACCESS));
	T("open with effective uid 0", open(at("secret"), O_RDONLY));
	print_ids();
	exec_as("exec with real uid 1000, effective 0", self_path);
	T("setresuid -1 1000 -1", setresuid(-1, 1000, -1));
	print_caps("with saved uid 0");
	exec_as("exec with saved uid 0", self_path);
}

/* PR_SET_KEEPCAPS across setuid, then execve recomputing the sets. */
static void keepcaps_checks(void)
{
	T("PR_SET_KEEPCAPS 1", prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
	T("root: capset inheritable NET_BIND_SERVICE", set_caps(permitted_now(), permitted_now(), 1 << 10));
	T("root: ambient raise", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, 10, 0, 0));
	MUST(setresuid(1000, 1000, 1000));
	print_caps("kept caps");
	printf("ambient after setuid: %d\n", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, 10, 0, 0));
	printf("PR_GET_KEEPCAPS: %d\n", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
	printf("PR_GET_SECUREBITS: %d\n", prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
	T("bind low port with nothing effective", bind_to(AF_INET, SOCK_STREAM, LOW_PORT));
	T("capset NET_BIND_SERVICE effective", set_caps(1 << 10, permitted_now(), 1 << 10));
	T("bind low port with NET_BIND_SERVICE", bind_to(AF_INET, SOCK_STREAM, LOW_PORT));
	T("ambient raise", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, 10, 0, 0));
	exec_as("exec with an ambient capability", self_path);
	T("capset effective beyond permitted", set_caps(3, 1, 0));
	T("capset permitted down to NET_BIND_SERVICE", set_caps(1 << 10, 1 << 10, 0));
	print_caps("after capset");
	T("capset permitted back up", set_caps(1, 1, 0));
	T("PR_CAPBSET_DROP without SETPCAP", prctl(PR_CAPBSET_DROP, 0, 0, 0, 0));
	exec_as("exec as uid 1000", self_path);
}

/* kill between uids: a uid 1001 child waits, a uid 1000 one may not
 * signal it (but may SIGCONT it: same session); root may. */
static void kill_checks(void)
{
	int p[2];
	char c;

	MUST(pipe(p));
	fflush(stdout);
	pid_t target = MUST(fork());
	if (!target) {
		drop_to(1001, 1001, 0, NULL);
		write(p[1], "x", 1);
		for (;;)
			pause();
	}
	MUST(read(p[0], &c, 1));
	pid_t other = MUST(fork());
	if (!other) {
		drop_to(1000, 1000, 0, NULL);
		T("kill 0 to another uid", kill(target, 0));
		T("SIGTERM to another uid", kill(target, SIGTERM));
		T("SIGCONT to another uid in the session", kill(target, SIGCONT));
		T("kill 0 to own process group", kill(0, 0));
		T("kill -1 with 0", kill(-1, 0));
		exit(0);
	}
	int status;
	waitpid(other, &status, 0);
	T("root sends SIGTERM", kill(target, SIGTERM));
	waitpid(target, &status, 0);
	printf("target ended by signal %d\n", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

static void in_child(const char *what, void (*fn)(void))
{
	printf("-- %s\n", what);
	fflush(stdout);
	pid_t pid = MUST(fork());
	if (!pid) {
		fn();
		fflush(stdout);
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		printf("FAIL: %s ended with %x\n", what, status);
}

static void remove_tree(const char *path)
{
	struct stat st;

	if (lstat(path, &st))
		return;
	if (S_ISDIR(st.st_mode)) {
		chmod(path, 0700);
		int fd = open(path, O_RDONLY | O_DIRECTORY);
		char buf[4096];
		long n;
		while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0)
			for (long off = 0; off < n;) {
				struct { uint64_t ino; int64_t off; unsigned short reclen; unsigned char type; char name[]; } *e = (void *)(buf + off);
				if (strcmp(e->name, ".") && strcmp(e->name, "..")) {
					char sub[600];
					snprintf(sub, sizeof sub, "%s/%s", path, e->name);
					remove_tree(sub);
				}
				off += e->reclen;
			}
		close(fd);
		rmdir(path);
	} else {
		unlink(path);
	}
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "hello")) {
		printf("hello: ");
		print_ids();
		print_caps("after exec");
		printf("PR_GET_KEEPCAPS after exec: %d\n", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
		printf("PR_GET_DUMPABLE after exec: %d\n", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
		printf("auxv uid %lu euid %lu gid %lu egid %lu secure %lu\n", getauxval(AT_UID),
		       getauxval(AT_EUID), getauxval(AT_GID), getauxval(AT_EGID), getauxval(AT_SECURE));
		return 3;
	}
	if (argc != 3 || (strcmp(argv[1], "user") && strcmp(argv[1], "root"))) {
		fprintf(stderr, "usage: perms user|root BASE\n");
		return 2;
	}
	umask(022);
	snprintf(base, sizeof base, "%s", argv[2]);
	if (!strcmp(argv[1], "user")) {
		user_checks();
		remove_tree(base);
		printf("perms user done\n");
		return 0;
	}
	print_ids();
	print_status();
	print_caps("root");
	MUST(mkdir(base, 0755));
	snprintf(self_path, sizeof self_path, "%s", at("self"));
	copy_self(self_path, 0755);
	setup_tree();
	root_checks();
	in_child("dropped to uid 1000", dropped_checks);
	in_child("access with real ids", access_checks);
	in_child("keep caps", keepcaps_checks);
	in_child("kill across uids", kill_checks);
	remove_tree(argv[2]);
	printf("perms root done\n");
	return 0;
}
