/* Decoding one argument of a traced system call, by kind
 * (trace_internal.h): flag names, and the structures the common calls
 * take or fill, read from the program's memory after the call.  What
 * cannot be read is shown as its address, as strace does. */
#include "core/string.h"
#include "core/uaccess.h"
#include "linux/trace_internal.h"

#define O_CREAT		0x40
#define O_TMPFILE_BIT	0x400000
#define AT_FDCWD	(-100)

static const struct tname open_flags[] = {
	{ 0x410000, "O_TMPFILE" }, { 0x101000, "O_SYNC" },
	{ 0x40, "O_CREAT" }, { 0x80, "O_EXCL" }, { 0x100, "O_NOCTTY" }, { 0x200, "O_TRUNC" },
	{ 0x400, "O_APPEND" }, { 0x800, "O_NONBLOCK" }, { 0x1000, "O_DSYNC" }, { 0x2000, "O_ASYNC" },
	{ 0x4000, "O_DIRECT" }, { 0x8000, "O_LARGEFILE" }, { 0x10000, "O_DIRECTORY" },
	{ 0x20000, "O_NOFOLLOW" }, { 0x40000, "O_NOATIME" }, { 0x80000, "O_CLOEXEC" },
	{ 0x200000, "O_PATH" },
};
static const struct tname fd_flags[] = { { 0x800, "O_NONBLOCK" }, { 0x80000, "O_CLOEXEC" } };
static const struct tname at_flags[] = {
	{ 0x100, "AT_SYMLINK_NOFOLLOW" }, { 0x200, "AT_REMOVEDIR" }, { 0x400, "AT_SYMLINK_FOLLOW" },
	{ 0x800, "AT_NO_AUTOMOUNT" }, { 0x1000, "AT_EMPTY_PATH" },
};
static const struct tname access_modes[] = { { 4, "R_OK" }, { 2, "W_OK" }, { 1, "X_OK" } };
static const struct tname whences[] = {
	{ 0, "SEEK_SET" }, { 1, "SEEK_CUR" }, { 2, "SEEK_END" }, { 3, "SEEK_DATA" }, { 4, "SEEK_HOLE" },
};
static const struct tname prots[] = {
	{ 1, "PROT_READ" }, { 2, "PROT_WRITE" }, { 4, "PROT_EXEC" },
	{ 0x1000000, "PROT_GROWSDOWN" }, { 0x2000000, "PROT_GROWSUP" },
};
static const struct tname map_types[] = {
	{ 1, "MAP_SHARED" }, { 2, "MAP_PRIVATE" }, { 3, "MAP_SHARED_VALIDATE" },
};
static const struct tname map_flags[] = {
	{ 0x10, "MAP_FIXED" }, { 0x20, "MAP_ANONYMOUS" }, { 0x40, "MAP_32BIT" },
	{ 0x100, "MAP_GROWSDOWN" }, { 0x800, "MAP_DENYWRITE" }, { 0x1000, "MAP_EXECUTABLE" },
	{ 0x2000, "MAP_LOCKED" }, { 0x4000, "MAP_NORESERVE" }, { 0x8000, "MAP_POPULATE" },
	{ 0x10000, "MAP_NONBLOCK" }, { 0x20000, "MAP_STACK" }, { 0x40000, "MAP_HUGETLB" },
	{ 0x80000, "MAP_SYNC" }, { 0x100000, "MAP_FIXED_NOREPLACE" },
};
static const struct tname mremap_flags[] = {
	{ 1, "MREMAP_MAYMOVE" }, { 2, "MREMAP_FIXED" }, { 4, "MREMAP_DONTUNMAP" },
};
static const struct tname madvices[] = {
	{ 0, "MADV_NORMAL" }, { 1, "MADV_RANDOM" }, { 2, "MADV_SEQUENTIAL" }, { 3, "MADV_WILLNEED" },
	{ 4, "MADV_DONTNEED" }, { 8, "MADV_FREE" }, { 9, "MADV_REMOVE" }, { 10, "MADV_DONTFORK" },
	{ 11, "MADV_DOFORK" }, { 14, "MADV_HUGEPAGE" }, { 15, "MADV_NOHUGEPAGE" },
	{ 16, "MADV_DONTDUMP" }, { 17, "MADV_DODUMP" },
};
static const struct tname sighows[] = { { 0, "SIG_BLOCK" }, { 1, "SIG_UNBLOCK" }, { 2, "SIG_SETMASK" } };
static const struct tname sa_flags[] = {
	{ 1, "SA_NOCLDSTOP" }, { 2, "SA_NOCLDWAIT" }, { 4, "SA_SIGINFO" },
	{ 0x4000000, "SA_RESTORER" }, { 0x8000000, "SA_ONSTACK" }, { 0x10000000, "SA_RESTART" },
	{ 0x40000000, "SA_NODEFER" }, { 0x80000000, "SA_RESETHAND" },
};
static const struct tname clocks[] = {
	{ 0, "CLOCK_REALTIME" }, { 1, "CLOCK_MONOTONIC" }, { 2, "CLOCK_PROCESS_CPUTIME_ID" },
	{ 3, "CLOCK_THREAD_CPUTIME_ID" }, { 4, "CLOCK_MONOTONIC_RAW" }, { 5, "CLOCK_REALTIME_COARSE" },
	{ 6, "CLOCK_MONOTONIC_COARSE" }, { 7, "CLOCK_BOOTTIME" },
};
static const struct tname timer_flags[] = { { 1, "TIMER_ABSTIME" } };
static const struct tname arch_prctls[] = {
	{ 0x1001, "ARCH_SET_GS" }, { 0x1002, "ARCH_SET_FS" }, { 0x1003, "ARCH_GET_FS" },
	{ 0x1004, "ARCH_GET_GS" }, { 0x1011, "ARCH_GET_CPUID" }, { 0x1012, "ARCH_SET_CPUID" },
};
static const struct tname futex_ops[] = {
	{ 0, "FUTEX_WAIT" }, { 1, "FUTEX_WAKE" }, { 2, "FUTEX_FD" }, { 3, "FUTEX_REQUEUE" },
	{ 4, "FUTEX_CMP_REQUEUE" }, { 5, "FUTEX_WAKE_OP" }, { 6, "FUTEX_LOCK_PI" },
	{ 7, "FUTEX_UNLOCK_PI" }, { 8, "FUTEX_TRYLOCK_PI" }, { 9, "FUTEX_WAIT_BITSET" },
	{ 10, "FUTEX_WAKE_BITSET" }, { 11, "FUTEX_WAIT_REQUEUE_PI" }, { 12, "FUTEX_CMP_REQUEUE_PI" },
};
static const struct tname ioctls[] = {
	{ 0x5401, "TCGETS" }, { 0x5402, "TCSETS" }, { 0x5403, "TCSETSW" }, { 0x5404, "TCSETSF" },
	{ 0x540f, "TIOCGPGRP" }, { 0x5410, "TIOCSPGRP" }, { 0x5413, "TIOCGWINSZ" },
	{ 0x5414, "TIOCSWINSZ" }, { 0x541b, "FIONREAD" }, { 0x5421, "FIONBIO" },
	{ 0x5450, "FIONCLEX" }, { 0x5451, "FIOCLEX" }, { 0x8912, "SIOCGIFCONF" },
	{ 0x8913, "SIOCGIFFLAGS" }, { 0x8915, "SIOCGIFADDR" }, { 0x8921, "SIOCGIFMTU" },
	{ 0x8927, "SIOCGIFHWADDR" }, { 0x8933, "SIOCGIFINDEX" },
};
static const struct tname fcntls[] = {
	{ 0, "F_DUPFD" }, { 1, "F_GETFD" }, { 2, "F_SETFD" }, { 3, "F_GETFL" }, { 4, "F_SETFL" },
	{ 5, "F_GETLK" }, { 6, "F_SETLK" }, { 7, "F_SETLKW" }, { 8, "F_SETOWN" }, { 9, "F_GETOWN" },
	{ 10, "F_SETSIG" }, { 11, "F_GETSIG" }, { 15, "F_SETOWN_EX" }, { 16, "F_GETOWN_EX" },
	{ 36, "F_OFD_GETLK" }, { 37, "F_OFD_SETLK" }, { 38, "F_OFD_SETLKW" },
	{ 1030, "F_DUPFD_CLOEXEC" }, { 1031, "F_SETPIPE_SZ" }, { 1032, "F_GETPIPE_SZ" },
	{ 1033, "F_ADD_SEALS" }, { 1034, "F_GET_SEALS" },
};
static const struct tname families[] = {
	{ 0, "AF_UNSPEC" }, { 1, "AF_UNIX" }, { 2, "AF_INET" }, { 10, "AF_INET6" },
	{ 16, "AF_NETLINK" }, { 17, "AF_PACKET" },
};
static const struct tname sock_types[] = {
	{ 1, "SOCK_STREAM" }, { 2, "SOCK_DGRAM" }, { 3, "SOCK_RAW" }, { 5, "SOCK_SEQPACKET" },
};
static const struct tname sock_flags[] = { { 0x800, "SOCK_NONBLOCK" }, { 0x80000, "SOCK_CLOEXEC" } };
static const struct tname msg_flags[] = {
	{ 1, "MSG_OOB" }, { 2, "MSG_PEEK" }, { 4, "MSG_DONTROUTE" }, { 8, "MSG_CTRUNC" },
	{ 0x20, "MSG_TRUNC" }, { 0x40, "MSG_DONTWAIT" }, { 0x80, "MSG_EOR" }, { 0x100, "MSG_WAITALL" },
	{ 0x4000, "MSG_NOSIGNAL" }, { 0x8000, "MSG_MORE" }, { 0x40000000, "MSG_CMSG_CLOEXEC" },
};
static const struct tname shut_hows[] = { { 0, "SHUT_RD" }, { 1, "SHUT_WR" }, { 2, "SHUT_RDWR" } };
static const struct tname sock_levels[] = {
	{ 0, "SOL_IP" }, { 1, "SOL_SOCKET" }, { 6, "SOL_TCP" }, { 17, "SOL_UDP" }, { 41, "SOL_IPV6" },
};
static const struct tname so_opts[] = {
	{ 1, "SO_DEBUG" }, { 2, "SO_REUSEADDR" }, { 3, "SO_TYPE" }, { 4, "SO_ERROR" },
	{ 5, "SO_DONTROUTE" }, { 6, "SO_BROADCAST" }, { 7, "SO_SNDBUF" }, { 8, "SO_RCVBUF" },
	{ 9, "SO_KEEPALIVE" }, { 10, "SO_OOBINLINE" }, { 13, "SO_LINGER" }, { 15, "SO_REUSEPORT" },
	{ 18, "SO_RCVLOWAT" }, { 20, "SO_RCVTIMEO_OLD" }, { 21, "SO_SNDTIMEO_OLD" },
	{ 30, "SO_ACCEPTCONN" }, { 38, "SO_PROTOCOL" }, { 39, "SO_DOMAIN" },
};
static const struct tname tcp_opts[] = {
	{ 1, "TCP_NODELAY" }, { 2, "TCP_MAXSEG" }, { 3, "TCP_CORK" }, { 4, "TCP_KEEPIDLE" },
	{ 5, "TCP_KEEPINTVL" }, { 6, "TCP_KEEPCNT" },
};
static const struct tname clone_flags[] = {
	{ 0x100, "CLONE_VM" }, { 0x200, "CLONE_FS" }, { 0x400, "CLONE_FILES" },
	{ 0x800, "CLONE_SIGHAND" }, { 0x1000, "CLONE_PIDFD" }, { 0x4000, "CLONE_VFORK" },
	{ 0x8000, "CLONE_PARENT" }, { 0x10000, "CLONE_THREAD" }, { 0x40000, "CLONE_SYSVSEM" },
	{ 0x80000, "CLONE_SETTLS" }, { 0x100000, "CLONE_PARENT_SETTID" },
	{ 0x200000, "CLONE_CHILD_CLEARTID" }, { 0x1000000, "CLONE_CHILD_SETTID" },
};
static const struct tname rlimits[] = {
	{ 0, "RLIMIT_CPU" }, { 1, "RLIMIT_FSIZE" }, { 2, "RLIMIT_DATA" }, { 3, "RLIMIT_STACK" },
	{ 4, "RLIMIT_CORE" }, { 5, "RLIMIT_RSS" }, { 6, "RLIMIT_NPROC" }, { 7, "RLIMIT_NOFILE" },
	{ 8, "RLIMIT_MEMLOCK" }, { 9, "RLIMIT_AS" }, { 10, "RLIMIT_LOCKS" },
	{ 11, "RLIMIT_SIGPENDING" }, { 12, "RLIMIT_MSGQUEUE" }, { 13, "RLIMIT_NICE" },
	{ 14, "RLIMIT_RTPRIO" }, { 15, "RLIMIT_RTTIME" },
};
static const struct tname poll_events[] = {
	{ 1, "POLLIN" }, { 2, "POLLPRI" }, { 4, "POLLOUT" }, { 8, "POLLERR" }, { 0x10, "POLLHUP" },
	{ 0x20, "POLLNVAL" }, { 0x40, "POLLRDNORM" }, { 0x80, "POLLRDBAND" },
	{ 0x100, "POLLWRNORM" }, { 0x200, "POLLWRBAND" }, { 0x400, "POLLMSG" }, { 0x2000, "POLLRDHUP" },
};
static const struct tname epoll_ops[] = { { 1, "EPOLL_CTL_ADD" }, { 2, "EPOLL_CTL_DEL" }, { 3, "EPOLL_CTL_MOD" } };
static const struct tname epoll_events[] = {
	{ 1, "EPOLLIN" }, { 2, "EPOLLPRI" }, { 4, "EPOLLOUT" }, { 8, "EPOLLERR" }, { 0x10, "EPOLLHUP" },
	{ 0x40, "EPOLLRDNORM" }, { 0x80, "EPOLLRDBAND" }, { 0x100, "EPOLLWRNORM" },
	{ 0x200, "EPOLLWRBAND" }, { 0x2000, "EPOLLRDHUP" }, { 1u << 28, "EPOLLEXCLUSIVE" },
	{ 1u << 29, "EPOLLWAKEUP" }, { 1u << 30, "EPOLLONESHOT" }, { 1u << 31, "EPOLLET" },
};
static const struct tname epoll_flags[] = { { 0x80000, "EPOLL_CLOEXEC" } };
static const struct tname grnd_flags[] = { { 1, "GRND_NONBLOCK" }, { 2, "GRND_RANDOM" }, { 4, "GRND_INSECURE" } };
static const struct tname prctls[] = {
	{ 1, "PR_SET_PDEATHSIG" }, { 2, "PR_GET_PDEATHSIG" }, { 3, "PR_GET_DUMPABLE" },
	{ 4, "PR_SET_DUMPABLE" }, { 15, "PR_SET_NAME" }, { 16, "PR_GET_NAME" },
	{ 38, "PR_SET_NO_NEW_PRIVS" }, { 39, "PR_GET_NO_NEW_PRIVS" },
};
static const struct tname file_types[] = {
	{ 0140000, "S_IFSOCK" }, { 0120000, "S_IFLNK" }, { 0100000, "S_IFREG" }, { 0060000, "S_IFBLK" },
	{ 0040000, "S_IFDIR" }, { 0020000, "S_IFCHR" }, { 0010000, "S_IFIFO" },
};

/* ---- structures ---------------------------------------------------------------- */

static void put_mode(struct tbuf *b, uint32_t mode)
{
	uint32_t type = mode & 0170000;

	if (type) {
		TB_VALUE(b, type, file_types, "0x%lx");
		tb_putc(b, '|');
	}
	tb_putc(b, '0');
	tb_octal(b, mode & 07777, 3);
}

static void put_rdev(struct tbuf *b, uint32_t mode, uint64_t rdev)
{
	uint32_t type = mode & 0170000;

	if (type == 0020000 || type == 0060000)
		tb_printf(b, ", st_rdev=makedev(0x%lx, 0x%lx)", (rdev >> 8) & 0xfff,
			  (rdev & 0xff) | ((rdev >> 12) & 0xfff00));
}

static void put_stat(struct tbuf *b, uint64_t p)
{
	struct { uint64_t dev, ino, nlink; uint32_t mode, uid, gid, pad; uint64_t rdev; int64_t size; } st;

	if (copy_from_user(&st, p, sizeof st)) {
		tb_ptr(b, p);
		return;
	}
	tb_puts(b, "{st_mode=");
	put_mode(b, st.mode);
	put_rdev(b, st.mode, st.rdev);
	if ((st.mode & 0170000) != 0020000 && (st.mode & 0170000) != 0060000)
		tb_printf(b, ", st_size=%ld", st.size);
	tb_puts(b, ", ...}");
}

static void put_statx(struct tbuf *b, uint64_t p)
{
	struct { uint32_t mask, blksize; uint64_t attributes; uint32_t nlink, uid, gid;
		 uint16_t mode, pad; uint64_t ino, size; } stx;

	if (copy_from_user(&stx, p, sizeof stx)) {
		tb_ptr(b, p);
		return;
	}
	tb_puts(b, "{stx_mode=");
	put_mode(b, stx.mode);
	tb_printf(b, ", stx_size=%lu, ...}", stx.size);
}

static void put_utsname(struct tbuf *b, uint64_t p)
{
	char f[2][65];

	if (copy_from_user(f, p, sizeof f)) {
		tb_ptr(b, p);
		return;
	}
	tb_puts(b, "{sysname=");
	tb_quoted(b, (const uint8_t *)f[0], strnlen(f[0], 64), false);
	tb_puts(b, ", nodename=");
	tb_quoted(b, (const uint8_t *)f[1], strnlen(f[1], 64), false);
	tb_puts(b, ", ...}");
}

static void put_timespec(struct tbuf *b, uint64_t p, bool usec)
{
	int64_t t[2];

	if (!p || copy_from_user(t, p, sizeof t)) {
		tb_ptr(b, p);
		return;
	}
	tb_printf(b, usec ? "{tv_sec=%ld, tv_usec=%ld}" : "{tv_sec=%ld, tv_nsec=%ld}", t[0], t[1]);
}

static void put_fdpair(struct tbuf *b, uint64_t p)
{
	int32_t fd[2];

	if (copy_from_user(fd, p, sizeof fd))
		tb_ptr(b, p);
	else
		tb_printf(b, "[%d, %d]", fd[0], fd[1]);
}

static void put_sigset(struct tbuf *b, uint64_t p)
{
	uint64_t set;

	if (!p || copy_from_user(&set, p, sizeof set))
		tb_ptr(b, p);
	else
		tb_sigset(b, set);
}

static void put_sigaction(struct tbuf *b, uint64_t p)
{
	struct { uint64_t handler, flags, restorer, mask; } sa;

	if (!p || copy_from_user(&sa, p, sizeof sa)) {
		tb_ptr(b, p);
		return;
	}
	tb_puts(b, "{sa_handler=");
	if (sa.handler <= 1)
		tb_puts(b, sa.handler ? "SIG_IGN" : "SIG_DFL");
	else
		tb_printf(b, "0x%lx", sa.handler);
	tb_puts(b, ", sa_mask=");
	tb_sigset(b, sa.mask);
	tb_puts(b, ", sa_flags=");
	TB_FLAGS(b, sa.flags, sa_flags, NULL);
	if (sa.flags & 0x4000000)
		tb_printf(b, ", sa_restorer=0x%lx", sa.restorer);
	tb_putc(b, '}');
}

static void put_rlimit(struct tbuf *b, uint64_t p)
{
	uint64_t r[2];

	if (!p || copy_from_user(r, p, sizeof r)) {
		tb_ptr(b, p);
		return;
	}
	for (int i = 0; i < 2; i++) {
		tb_puts(b, i ? ", rlim_max=" : "{rlim_cur=");
		if (r[i] == ~0ull)
			tb_puts(b, "RLIM64_INFINITY");
		else
			tb_printf(b, "%lu", r[i]);
	}
	tb_putc(b, '}');
}

static void put_iov(struct tbuf *b, uint64_t p, uint64_t n, long total)
{
	struct { uint64_t base, len; } v;

	tb_putc(b, '[');
	for (uint64_t i = 0; i < n && i < 8; i++) {
		if (copy_from_user(&v, p + i * sizeof v, sizeof v)) {
			tb_puts(b, "...");
			break;
		}
		tb_puts(b, i ? ", {iov_base=" : "{iov_base=");
		uint64_t show = total < 0 ? v.len : v.len < (uint64_t)total ? v.len : (uint64_t)total;
		tb_user_bytes(b, v.base, show);
		tb_printf(b, ", iov_len=%lu}", v.len);
		if (total >= 0)
			total -= (long)show;
	}
	if (n > 8)
		tb_puts(b, ", ...");
	tb_putc(b, ']');
}

static void put_ip6(struct tbuf *b, const uint8_t *a)
{
	int best = -1, best_len = 0;

	for (int i = 0; i < 8;) {	/* the longest run of zero words becomes "::" */
		int j = i;
		while (j < 8 && !a[2 * j] && !a[2 * j + 1])
			j++;
		if (j - i > best_len && j - i > 1) {
			best = i;
			best_len = j - i;
		}
		i = j > i ? j : i + 1;
	}
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			tb_puts(b, "::");
			i += best_len - 1;
			continue;
		}
		if (i && i != best + best_len)
			tb_putc(b, ':');
		tb_printf(b, "%x", a[2 * i] << 8 | a[2 * i + 1]);
	}
}

static void put_sockaddr(struct tbuf *b, uint64_t p, uint64_t len)
{
	uint8_t sa[110];

	if (!p || len < 2 || copy_from_user(sa, p, len < sizeof sa ? len : sizeof sa)) {
		tb_ptr(b, p);
		return;
	}
	uint16_t family = (uint16_t)(sa[0] | sa[1] << 8);
	tb_puts(b, "{sa_family=");
	TB_VALUE(b, family, families, "%lu");
	if (family == 2 && len >= 8)
		tb_printf(b, ", sin_port=htons(%u), sin_addr=inet_addr(\"%u.%u.%u.%u\")",
			  sa[2] << 8 | sa[3], sa[4], sa[5], sa[6], sa[7]);
	if (family == 10 && len >= 24) {
		tb_printf(b, ", sin6_port=htons(%u), sin6_addr=\"", sa[2] << 8 | sa[3]);
		put_ip6(b, sa + 8);
		tb_putc(b, '"');
	}
	if (family == 1 && len > 2) {	/* an abstract name ("@") starts after a NUL */
		size_t abstract = !sa[2], have = (len < sizeof sa ? len : sizeof sa) - 2 - abstract;
		const uint8_t *path = sa + 2 + abstract;
		tb_puts(b, abstract ? ", sun_path=@" : ", sun_path=");
		tb_quoted(b, path, strnlen((const char *)path, have), false);
	}
	tb_putc(b, '}');
}

static void put_socklen(struct tbuf *b, uint64_t p)
{
	uint32_t n;

	if (!p || copy_from_user(&n, p, sizeof n))
		tb_ptr(b, p);
	else
		tb_printf(b, "[%u]", n);
}

static void put_pollfds(struct tbuf *b, uint64_t p, uint64_t n, bool revents)
{
	struct { int32_t fd; int16_t events, revents; } pf;
	bool first = true;

	tb_putc(b, '[');
	for (uint64_t i = 0; i < n && i < 16; i++) {
		if (copy_from_user(&pf, p + i * sizeof pf, sizeof pf)) {
			tb_puts(b, "...");
			break;
		}
		if (revents && !pf.revents)
			continue;
		tb_printf(b, "%s{fd=%d, %s=", first ? "" : ", ", pf.fd, revents ? "revents" : "events");
		TB_FLAGS(b, (uint16_t)(revents ? pf.revents : pf.events), poll_events, NULL);
		tb_putc(b, '}');
		first = false;
	}
	if (n > 16)
		tb_puts(b, ", ...");
	tb_putc(b, ']');
}

void trace_pollfds_revents(struct tbuf *b, uint64_t p, uint64_t n, long ret)
{
	if (ret <= 0)
		return;
	tb_puts(b, " (");
	put_pollfds(b, p, n, true);
	tb_putc(b, ')');
}

static void put_epoll_event(struct tbuf *b, uint64_t p)
{
	struct { uint32_t events; uint64_t data; } __attribute__((packed)) ev;

	if (!p || copy_from_user(&ev, p, sizeof ev)) {
		tb_ptr(b, p);
		return;
	}
	tb_puts(b, "{events=");
	TB_FLAGS(b, ev.events, epoll_events, NULL);
	tb_printf(b, ", data={u32=%u, u64=%lu}}", (uint32_t)ev.data, ev.data);
}

/* ---- by kind ------------------------------------------------------------------- */

static void put_fd(struct tbuf *b, uint64_t v, bool at)
{
	if (at && (int32_t)v == AT_FDCWD)
		tb_puts(b, "AT_FDCWD");
	else
		tb_printf(b, "%d", (int32_t)v);
}

static void put_open_flags(struct tbuf *b, uint64_t v)
{
	static const char *const acc[4] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };

	tb_puts(b, acc[v & 3]);
	if (v & ~3ull) {
		tb_putc(b, '|');
		TB_FLAGS(b, v & ~3ull, open_flags, NULL);
	}
}

static void put_sock_type(struct tbuf *b, uint64_t v)
{
	TB_VALUE(b, v & 0xf, sock_types, "%lu");
	if (v & ~0xfull) {
		tb_putc(b, '|');
		TB_FLAGS(b, v & ~0xfull, sock_flags, NULL);
	}
}

static void put_map_flags(struct tbuf *b, uint64_t v)
{
	TB_VALUE(b, v & 3, map_types, "0x%lx");
	if (v & ~3ull) {
		tb_putc(b, '|');
		TB_FLAGS(b, v & ~3ull, map_flags, NULL);
	}
}

static void put_futex_op(struct tbuf *b, uint64_t v)
{
	TB_VALUE(b, v & 127, futex_ops, "%lu");
	if (v & 128)
		tb_puts(b, "_PRIVATE");
	if (v & 256)
		tb_puts(b, "|FUTEX_CLOCK_REALTIME");
}

static void put_clone_flags(struct tbuf *b, uint64_t v)
{
	TB_FLAGS(b, v & ~0xffull, clone_flags, NULL);
	if (v & 0xff) {
		tb_puts(b, v & ~0xffull ? "|" : "");
		tb_signal(b, (int)(v & 0xff));
	}
}

static void put_fcntl_arg(struct tbuf *b, uint64_t cmd, uint64_t v)
{
	if (cmd == 2)
		tb_puts(b, v == 1 ? "FD_CLOEXEC" : v ? "0x?" : "0");
	else if (cmd == 4)
		put_open_flags(b, v);
	else
		tb_printf(b, cmd == 0 || cmd == 1030 ? "%ld" : "0x%lx", v);
}

static void put_sock_opt(struct tbuf *b, uint64_t level, uint64_t v)
{
	if (level == 1)
		TB_VALUE(b, v, so_opts, "%lu");
	else if (level == 6)
		TB_VALUE(b, v, tcp_opts, "%lu");
	else if (level == 41 && v == 26)
		tb_puts(b, "IPV6_V6ONLY");
	else
		tb_printf(b, "%lu", v);
}

/* Arguments that the call fills in, shown only once it has. */
static bool put_output(struct tbuf *b, int kind, const uint64_t *a, int i, long ret)
{
	uint64_t v = a[i];

	switch (kind) {
	case A_BUF_OUT: case A_STR_OUT: case A_IOV_OUT: case A_SIGSET_OUT: case A_SIGACTION_OUT:
	case A_STAT_OUT: case A_STATX_OUT: case A_UTSNAME_OUT: case A_FDPAIR_OUT:
	case A_TIMESPEC_OUT: case A_TIMEVAL_OUT: case A_SOCKADDR_OUT: case A_SOCKLEN_OUT:
	case A_RLIMIT_OUT:
		break;
	default:
		return false;
	}
	if (ret < 0) {
		tb_ptr(b, v);
		return true;
	}
	switch (kind) {
	case A_BUF_OUT: tb_user_bytes(b, v, (size_t)ret); break;
	case A_STR_OUT: tb_user_bytes(b, v, (size_t)ret); break;
	case A_IOV_OUT: put_iov(b, v, a[i + 1], ret); break;
	case A_SIGSET_OUT: put_sigset(b, v); break;
	case A_SIGACTION_OUT: put_sigaction(b, v); break;
	case A_STAT_OUT: put_stat(b, v); break;
	case A_STATX_OUT: put_statx(b, v); break;
	case A_UTSNAME_OUT: put_utsname(b, v); break;
	case A_FDPAIR_OUT: put_fdpair(b, v); break;
	case A_TIMESPEC_OUT: put_timespec(b, v, false); break;
	case A_TIMEVAL_OUT: put_timespec(b, v, true); break;
	case A_SOCKADDR_OUT: {
		uint32_t len = 0;
		if (v && a[i + 1] && !copy_from_user(&len, a[i + 1], sizeof len))
			put_sockaddr(b, v, len);
		else
			tb_ptr(b, v);
		break;
	}
	case A_SOCKLEN_OUT: put_socklen(b, v); break;
	default: put_rlimit(b, v); break;	/* A_RLIMIT_OUT */
	}
	return true;
}

static bool put_flags_arg(struct tbuf *b, int kind, uint64_t v)
{
	switch (kind) {
	case A_AT_FLAGS: TB_FLAGS(b, v, at_flags, NULL); break;
	case A_ACCESS_MODE: TB_FLAGS(b, v, access_modes, "F_OK"); break;
	case A_WHENCE: TB_VALUE(b, v, whences, "%lu"); break;
	case A_PROT: TB_FLAGS(b, v, prots, "PROT_NONE"); break;
	case A_MAP_FLAGS: put_map_flags(b, v); break;
	case A_MREMAP_FLAGS: TB_FLAGS(b, v, mremap_flags, NULL); break;
	case A_MADVISE: TB_VALUE(b, v, madvices, "%lu"); break;
	case A_SIGHOW: TB_VALUE(b, v, sighows, "%lu"); break;
	case A_CLOCK: TB_VALUE(b, v, clocks, "%lu"); break;
	case A_TIMER_FLAGS: TB_FLAGS(b, v, timer_flags, NULL); break;
	case A_ARCH_PRCTL: TB_VALUE(b, v, arch_prctls, "0x%lx"); break;
	case A_FUTEX_OP: put_futex_op(b, v); break;
	case A_IOCTL: TB_VALUE(b, v, ioctls, "0x%lx"); break;
	case A_FCNTL: TB_VALUE(b, v, fcntls, "%lu"); break;
	case A_FAMILY: TB_VALUE(b, v, families, "%lu"); break;
	case A_SOCK_TYPE: put_sock_type(b, v); break;
	case A_MSG_FLAGS: TB_FLAGS(b, v, msg_flags, NULL); break;
	case A_SHUT_HOW: TB_VALUE(b, v, shut_hows, "%lu"); break;
	case A_SOCK_LEVEL: TB_VALUE(b, v, sock_levels, "%lu"); break;
	case A_CLONE_FLAGS: put_clone_flags(b, v); break;
	case A_RLIMIT: TB_VALUE(b, v, rlimits, "%lu"); break;
	case A_EPOLL_OP: TB_VALUE(b, v, epoll_ops, "%lu"); break;
	case A_EPOLL_FLAGS: TB_FLAGS(b, v, epoll_flags, NULL); break;
	case A_FD_FLAGS: TB_FLAGS(b, v, fd_flags, NULL); break;
	case A_GRND_FLAGS: TB_FLAGS(b, v, grnd_flags, NULL); break;
	case A_PRCTL_OP: TB_VALUE(b, v, prctls, "%lu"); break;
	default: return false;
	}
	return true;
}

bool trace_arg(struct tbuf *b, int kind, const uint64_t *a, int i, long ret)
{
	uint64_t v = a[i];

	if (put_output(b, kind, a, i, ret) || put_flags_arg(b, kind, v))
		return true;
	switch (kind) {
	case A_INT: tb_printf(b, "%d", (int32_t)v); break;
	case A_LONG: tb_printf(b, "%ld", (int64_t)v); break;
	case A_UINT: tb_printf(b, "%lu", v); break;
	case A_HEX: tb_printf(b, v ? "0x%lx" : "0", v); break;
	case A_PTR: tb_ptr(b, v); break;
	case A_OCT: tb_putc(b, '0'); tb_octal(b, v, 2); break;
	case A_FD: put_fd(b, v, false); break;
	case A_ATFD: put_fd(b, v, true); break;
	case A_PATH: tb_user_string(b, v, TRACE_PATHLEN); break;
	case A_BUF_IN: tb_user_bytes(b, v, (size_t)a[i + 1]); break;
	case A_IOV_IN: put_iov(b, v, a[i + 1], -1); break;
	case A_OPEN_FLAGS: put_open_flags(b, v); break;
	case A_OPEN_MODE:
		if (!(a[i - 1] & (O_CREAT | O_TMPFILE_BIT)))
			return false;
		tb_putc(b, '0');
		tb_octal(b, v, 2);
		break;
	case A_SIG: tb_signal(b, (int)v); break;
	case A_SIGSET: put_sigset(b, v); break;
	case A_SIGACTION: put_sigaction(b, v); break;
	case A_TIMESPEC: put_timespec(b, v, false); break;
	case A_FCNTL_ARG:
		if (a[i - 1] == 1 || a[i - 1] == 3 || a[i - 1] == 9 || a[i - 1] == 1032 || a[i - 1] == 1034)
			return false;	/* the getters take nothing */
		put_fcntl_arg(b, a[i - 1], v);
		break;
	case A_SOCKADDR: put_sockaddr(b, v, a[i + 1]); break;
	case A_SOCK_OPT: put_sock_opt(b, a[i - 1], v); break;
	case A_RLIMIT_IN: put_rlimit(b, v); break;
	case A_POLLFDS: put_pollfds(b, v, a[i + 1], false); break;
	case A_EPOLL_EVENT: put_epoll_event(b, v); break;
	default: tb_printf(b, "0x%lx", v); break;
	}
	return true;
}
